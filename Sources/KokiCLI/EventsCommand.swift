import ArgumentParser
import KokiDomain
import Foundation
import KokiApp
import KokiEvents
import LedgerStore

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print events with their envelopes, as JSON lines (default) or a table.",
        discussion: """
            Each JSON line holds the envelope (position, stream, version, type, schemaVersion, \
            recordedAt, actor, command, correlation, causation, compressed, hash) and the payload \
            decoded to today's schema under "data" (old versions are upcast, never rewritten).

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
            var query = EventQuery()
            query.fromPosition = from
            query.throughPosition = through
            query.stream = try stream.map(Self.streamName)
            query.streamPrefix = streamPrefix
            query.types = types.isEmpty ? nil : Set(types)
            query.recordedFrom = try recordedFrom.map { try Self.parseTime($0, option: "--recorded-from") }
            query.recordedBefore = try recordedBefore.map { try Self.parseTime($0, option: "--recorded-before") }
            let access = try options.authorized(.ledgerInspect, .query)
            let ledger = access.store
            // Whose events will be shown is recorded first (their streams, without decoding).
            var shown = Set<String>()
            try ledger.forEachEvent(query) { view in
                if view.stream.value.hasPrefix("person/") { shown.insert(view.stream.value) }
            }
            try access.recordRead(shown.sorted().map { try PersonID(String($0.dropFirst("person/".count))) })
            var rows: [[String]] = []
            // Each decoder is stored once and only read after: a closure taken out of a dictionary
            // and put back is wrapped in one more reabstraction thunk each time, and after some
            // 50,000 events the nested thunks overflowed the stack.
            var decoders: [String: EventRegistry.Decoder?] = [:]
            try ledger.forEachEvent(query) { view in
                switch format {
                case .json:
                    let key = "\(view.type)/\(view.schemaVersion)"
                    let decode: EventRegistry.Decoder?
                    if let known = decoders[key] {
                        decode = known
                    } else {
                        decode = EventRegistry.decoder(type: view.type, version: view.schemaVersion)
                        decoders[key] = .some(decode)
                    }
                    var data = "null"
                    var raw = "null"
                    if let decode {
                        do {
                            data = try decode(view.payload).jsonPayload()
                        } catch {
                            throw KokiError(
                                .undecodableEvent,
                                "event \(view.position) (\(view.type) v\(view.schemaVersion)) cannot be decoded: \(error)"
                            )
                        }
                    } else {
                        // A type this build does not know: show the bytes rather than hide the event.
                        raw = JSON.string(Data(view.payload).base64EncodedString())
                    }
                    Output.line(
                        JSON.object([
                            ("position", String(view.position)), ("stream", JSON.string(view.stream.value)),
                            ("version", String(view.streamVersion)), ("type", JSON.string(view.type)),
                            ("schemaVersion", String(view.schemaVersion)),
                            ("recordedAt", JSON.string(view.command.recordedAt.description)),
                            ("actor", JSON.string(view.command.actor)),
                            ("command", JSON.string(view.command.commandID.description)),
                            ("correlation", JSON.optional(view.command.correlationID?.description)),
                            ("causation", JSON.optional(view.command.causationID?.description)),
                            ("compressed", view.compressed ? "true" : "false"),
                            ("hash", JSON.string(view.hash.hex)), ("data", data), ("payloadBase64", raw),
                        ]))
                case .table:
                    rows.append([
                        String(view.position), view.stream.value, String(view.streamVersion),
                        "\(view.type) v\(view.schemaVersion)", view.command.recordedAt.description, view.command.actor,
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
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: text) { return Timestamp(date) }
        full.formatOptions = [.withInternetDateTime]
        if let date = full.date(from: text) { return Timestamp(date) }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        day.timeZone = TimeZone(secondsFromGMT: 9 * 3600)
        if text.count == 10, let date = day.date(from: text) { return Timestamp(date) }
        throw ValidationError(
            "\(option) '\(text)' is not a time: use ISO 8601 (2026-11-28T09:00:00+09:00) or a date (2026-11-28)")
    }
}
