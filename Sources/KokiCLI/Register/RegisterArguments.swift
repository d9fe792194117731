import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import LedgerStore

extension CivilDate: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(iso: argument) }
}

extension PersonID: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(argument) }
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

/// Today's date in Japan (UTC+9), read once at the edge: calculations take it as an argument.
func todayInJapan() -> CivilDate {
    let seconds = Int(Date().timeIntervalSince1970) + 9 * 3600
    return try! CivilDate(daysSinceEpoch: seconds.quotientAndRemainder(dividingBy: 86_400).quotient)
}

extension LedgerOptions {
    /// The register's commands on this ledger, and metadata for one new command by the operator.
    func register() throws -> (InsuredRegisterCommands, CommandMetadata) {
        let access = try authorized(.registerWrite)
        return (InsuredRegisterCommands(access.ledger), access.metadata())
    }

    /// The register for a query; the caller records whose data it shows.
    func readRegister() throws -> (InsuredRegisterCommands, Authorized) {
        let access = try authorized(.registerRead)
        return (InsuredRegisterCommands(access.ledger), access)
    }
}

/// Encodes a value as one line of JSON with sorted keys.
func jsonLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
