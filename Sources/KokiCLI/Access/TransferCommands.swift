import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents

extension TransferItem: ExpressibleByArgument {}
extension DestinationKind: ExpressibleByArgument {}

struct TransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Transfers (移転): write what changed since the last transfer to a registered destination.",
        discussion: """
            `koki transfer DESTINATION --date D --out FILE` writes JSON lines (UTF-8), one row per change recorded \
            since the last transfer to that destination, holding only the items registered for it, and records the \
            transfer (range, counts, persons, the file's SHA-256, the operator). Destinations are registered with \
            the items they receive, which must be items the law lets their kind receive: a union (広域連合) \
            insured-person, address-exception, premium and collection; the residents division (市民課) \
            eligibility-change. My Number is never in a transfer file. An unregistered destination, or an item not \
            registered for it, is refused and nothing is written or recorded.
            """,
        subcommands: [Run.self, Destination.self, History.self],
        defaultSubcommand: Run.self)

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write and record one transfer.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The destination's id.") var destination: String
        @Option(help: ArgumentHelp("The transfer date (recorded).", valueName: "date")) var date: CivilDate
        @Option(help: ArgumentHelp("Where to write the file (must not exist).", valueName: "file")) var out: String
        @Option(
            name: .customLong("item"),
            help: ArgumentHelp("Only these items (default: all registered).", valueName: "item"))
        var items: [TransferItem] = []

        func run() throws {
            try reporting {
                let access = try options.authorized(.transfer)
                let out = try OutputFiles.path(out, option: "--out", options: options)
                guard !FileManager.default.fileExists(atPath: out) else {
                    throw KokiError(.invalidInput, "\(out) already exists: choose another --out")
                }
                let transfers = Transfers(access.ledger)
                // Written beside its final name (owner-only), the persons in it recorded as read,
                // then moved into place and the transfer recorded; any failure leaves no file.
                let partial = out + ".partial"
                if Invocation.current == nil { unlink(partial) }
                let fd = try OutputFiles.create(partial, option: "--out", options: options)
                var closed = false
                defer {
                    if !closed { close(fd) }
                    unlink(partial)
                }
                let batch = try transfers.write(destination, on: date, items: items.isEmpty ? nil : items) { bytes in
                    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    guard written == bytes.count else { throw CLIFailure(.failure, "cannot write \(partial)") }
                }
                guard fsync(fd) == 0 else { throw CLIFailure(.failure, "cannot write \(partial)") }
                close(fd)
                closed = true
                try access.recordRead(batch.persons, purpose: "transfer to \(destination)")
                try OutputFiles.move(partial, to: out, option: "--out", options: options)
                try transfers.record(batch, metadata: access.metadata())
                let counts = batch.record.counts.map { "\($0.item.rawValue) \($0.rows)" }.joined(separator: ", ")
                Output.line(
                    "transfer to \(destination) on \(date): positions \(batch.record.fromPosition)–\(batch.record.throughPosition), \(batch.record.persons) persons (\(counts)) → \(out)"
                )
                Output.line("sha256 \(batch.record.fileHash.hex)")
            }
        }
    }

    struct Destination: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a destination with its items, or list them.", subcommands: [Add.self, List.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register (or re-register) a destination and the items it receives.")
            @OptionGroup var options: LedgerOptions
            @Argument(help: "The destination's id (2–32 of a–z, 0–9, - _ .).") var destination: String
            @Option(help: "Its name.") var name: String
            @Option(help: "union (広域連合) or residents (市民課).") var kind: DestinationKind
            @Option(name: .customLong("item"), help: ArgumentHelp("An item it receives (repeat).", valueName: "item"))
            var items: [TransferItem] = []

            func run() throws {
                try reporting {
                    let access = try options.authorized(.securityAdmin)
                    try Transfers(access.ledger).register(
                        destination, name: name, kind: kind, items: items, metadata: access.metadata())
                    Output.line("\(destination) (\(name)) receives \(items.map(\.rawValue).joined(separator: ", "))")
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Registered destinations and their items.")
            @OptionGroup var options: LedgerOptions

            func run() throws {
                try reporting {
                    let access = try options.authorized(.transfer, .query)
                    Table.render(
                        ["DESTINATION", "NAME", "KIND", "ITEMS", "TRANSFERS", "SENT THROUGH"],
                        try Transfers(access.ledger).destinations().map {
                            [
                                $0.registration.destination, $0.registration.name, $0.registration.kind.rawValue,
                                $0.registration.items.map(\.rawValue).joined(separator: ","), "\($0.transfers.count)",
                                "\($0.sentThrough)",
                            ]
                        }
                    ).forEach(Output.line)
                }
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The transfers made to a destination.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The destination's id.") var destination: String

        func run() throws {
            try reporting {
                let access = try options.authorized(.transfer, .query)
                guard let d = try Transfers(access.ledger).destination(destination) else {
                    throw KokiError(.invalidInput, "no transfer destination \(destination)")
                }
                Table.render(
                    ["DATE", "FROM", "THROUGH", "PERSONS", "ROWS", "SHA-256"],
                    d.transfers.map { t in
                        [
                            t.transferredOn.description, "\(t.fromPosition)", "\(t.throughPosition)", "\(t.persons)",
                            t.counts.map { "\($0.item.rawValue) \($0.rows)" }.joined(separator: ", "),
                            t.fileHash.hex,
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }
}
