import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

extension CivilDate: ExpressibleByArgument {
    /// A date typed by a person: YYYY-MM-DD from 1868-01-01 to 2199-12-31 (the dates any rule
    /// of koki's can reach); each command narrows it further where the field needs it
    /// (``InputLimits``).
    public init?(argument: String) {
        guard let date = try? CivilDate(iso: argument),
            InputLimits.earliestBirth <= date && date <= InputLimits.latestCalculated
        else { return nil }
        self = date
    }
}

extension PersonID: ExpressibleByArgument {
    /// An address number typed by a person: 1 to 15 digits, not all zeros (no city numbers
    /// anyone 0).
    public init?(argument: String) {
        guard argument.utf8.contains(where: { $0 != UInt8(ascii: "0") }) else { return nil }
        try? self.init(argument)
    }
}

extension HouseholdID: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(argument) }
}

extension HouseholdRole: ExpressibleByArgument {}
extension PersonIdentity.Sex: ExpressibleByArgument {}

/// Acquisition reasons as staff type them.
enum AcquisitionArgument: String, ExpressibleByArgument, CaseIterable {
    case reached75 = "reached-75", disability, movedIn = "moved-in", welfareEnded = "welfare-ended"

    var reason: AcquisitionReason {
        switch self {
        case .reached75: .reachedAge75
        case .disability: .disabilityCertified
        case .movedIn: .movedIntoPrefecture
        case .welfareEnded: .welfareEnded
        }
    }
}

/// Loss reasons as staff type them.
enum LossArgument: String, ExpressibleByArgument, CaseIterable {
    case died, movedOut = "moved-out", welfare, disabilityEnded = "disability-ended"
    case disabilityWithdrawn = "disability-withdrawn"

    var reason: LossReason {
        switch self {
        case .died: .died
        case .movedOut: .leftPrefecture
        case .welfare: .welfareStarted
        case .disabilityEnded: .disabilityConditionEnded
        case .disabilityWithdrawn: .disabilityWithdrawn
        }
    }
}

/// A typed command with `--json`: prints its result as JSON lines, else as its report does.
protocol JSONReportingCommand: TypedCommand {
    var json: Bool { get }
    /// The JSON lines of a result (default: the result as one line).
    static func jsonLines(_ request: Request, _ result: Request.Result) throws -> [String]
    /// Writes the JSON lines of a result (default: ``jsonLines(_:_:)``'s, each with ``Output/line(_:)``).
    static func writeJSON(_ request: Request, _ result: Request.Result) throws
}

extension JSONReportingCommand {
    func run() throws {
        try reporting {
            let request = try request()
            let result = try options.run(request)
            if json { try Self.writeJSON(request, result) } else { Self.report(request, result) }
        }
    }

    static func writeJSON(_ request: Request, _ result: Request.Result) throws {
        try jsonLines(request, result).forEach(Output.line)
    }

    static func jsonLines(_ request: Request, _ result: Request.Result) throws -> [String] { [try jsonLine(result)] }
}

/// Encodes a value as one line of JSON with sorted keys.
func jsonLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
