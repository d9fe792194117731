import ArgumentParser
import KokiDomain
import Foundation
import KokiApp
import LedgerStore

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print events with their envelopes, as JSON lines (default) or a table.",
        discussion: """
            Each JSON line holds the envelope (position, stream, version, type, schemaVersion, \
            recordedAt, actor, command, correlation, causation, compressed, hash) and the payload \
            decoded to today's schema under "data" (old versions are upcast, never rewritten). \
            "hash" is the chain hash where the row stores it, covering the row and all before it: on \
            a command's last event, about one in every 32 events (a ledger file), or every command's \
            (PostgreSQL); it is null on the others (koki verify computes theirs, koki head the head's).

            --through P shows the ledger as it stood when P was its head. Times for \
            --recorded-from/--recorded-before are ISO 8601 (2026-11-28T09:00:00+09:00) or a date, \
            read as midnight Japan time.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, table
    }

    @OptionGroup var options: LedgerOptions

    @Option(help: ArgumentHelp("Only this stream (e.g. person/100000001).", valueName: "stream"))
    var stream: String?

    @Option(help: ArgumentHelp("Only streams whose names start with this.", valueName: "prefix"))
    var streamPrefix: String?

    @Option(
        name: .customLong("type"), help: ArgumentHelp("Only this event type; repeat for several.", valueName: "type"))
    var types: [String] = []

    @Option(help: ArgumentHelp("First position (inclusive).", valueName: "position"))
    var from: Int64 = 1

    @Option(help: ArgumentHelp("Last position (inclusive): the ledger as it stood then.", valueName: "position"))
    var through: Int64?

    @Option(help: ArgumentHelp("Only events recorded at or after this time.", valueName: "time"))
    var recordedFrom: String?

    @Option(help: ArgumentHelp("Only events recorded before this time.", valueName: "time"))
    var recordedBefore: String?

    @Option(help: "Output format.")
    var format: Format = .json

    func validate() throws {
        guard from >= 1 else { throw ValidationError("--from \(from) must be 1 or more") }
        if let through, through < from {
            throw ValidationError("--through \(through) is before --from \(from)")
        }
        if let recordedFrom { _ = try Self.parseTime(recordedFrom, option: "--recorded-from") }
        if let recordedBefore { _ = try Self.parseTime(recordedBefore, option: "--recorded-before") }
        if let stream { _ = try Self.streamName(stream) }
    }

    func run() throws {
        try reporting {
            let listing = try options.run(
                ListEvents(
                    stream: stream, streamPrefix: streamPrefix, types: types, from: from, through: through,
                    recordedFrom: recordedFrom, recordedBefore: recordedBefore))
            var rows: [[String]] = []
            try listing.forEach(decoding: format == .json) { e in
                switch format {
                case .json:
                    Output.line(
                        JSON.object([
                            ("position", String(e.position)), ("stream", JSON.string(e.stream)),
                            ("version", String(e.version)), ("type", JSON.string(e.type)),
                            ("schemaVersion", String(e.schemaVersion)), ("recordedAt", JSON.string(e.recordedAt)),
                            ("actor", JSON.string(e.actor)), ("command", JSON.string(e.command)),
                            ("correlation", JSON.optional(e.correlation)), ("causation", JSON.optional(e.causation)),
                            ("compressed", e.compressed ? "true" : "false"), ("hash", JSON.optional(e.hash)),
                            ("data", e.data ?? "null"), ("payloadBase64", e.payloadBase64.map(JSON.string) ?? "null"),
                        ]))
                case .table:
                    rows.append([
                        String(e.position), e.stream, String(e.version), "\(e.type) v\(e.schemaVersion)", e.recordedAt,
                        e.actor,
                    ])
                }
            }
            if format == .table {
                Table.render(["POSITION", "STREAM", "VERSION", "TYPE", "RECORDED AT", "ACTOR"], rows).forEach(
                    Output.line)
            }
        }
    }

    static func streamName(_ text: String) throws -> StreamName {
        do { return try StreamName(text) } catch { throw ValidationError("--stream: \(error.message)") }
    }

    /// ISO 8601 with a zone, or a plain date read as 00:00 Japan time (UTC+9).
    static func parseTime(_ text: String, option: String) throws -> Timestamp {
        guard let time = recordedTime(text) else { throw ValidationError(notARecordedTime(text, option: option)) }
        return time
    }
}
