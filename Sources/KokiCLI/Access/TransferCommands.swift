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
        abstract: "移転（transfer）：前回の移転から変わったものを、登録した送付先へ書き出す。",
        discussion: """
            `koki transfer DESTINATION --date D --out FILE` writes JSON lines (UTF-8), one row per change recorded \
            since the last transfer to that destination, holding only the items registered for it, and records the \
            transfer (range, counts, persons, the file's SHA-256, the operator). Destinations are registered with \
            the items they receive, which must be items the law lets their kind receive: a union (広域連合) \
            insured-person, address-exception, premium, collection, benefit-application and income (税情報: each \
            income recorded, with its figures and source); the residents division (市民課) eligibility-change. \
            `koki transfer sent DESTINATION` lists what was sent, per person and item, over every transfer \
            (広域送付対象累積). My Number is never in a transfer file. An unregistered destination, or an item not \
            registered for it, is refused and nothing is written or recorded.
            """,
        subcommands: [Run.self, Destination.self, History.self, Sent.self],
        defaultSubcommand: Run.self)

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Write and record one transfer.")
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
                let outcome = try options.run(
                    RunTransfer(
                        destination: destination, date: date, items: items, out: out,
                        sink: TransferFile(given: out, options: options)))
                let record = outcome.record
                let counts = record.counts.map { "\($0.item.label) \(Staff.count($0.rows))件" }.joined(separator: "、")
                Output.line(
                    "\(destination) への移転（\(Staff.date(date))）：位置 \(record.fromPosition)〜\(record.throughPosition)、\(Staff.count(record.persons))人（\(counts.isEmpty ? "なし" : counts)）→ \(outcome.file)"
                )
                Output.line("sha256 \(record.fileHash.hex)")
            }
        }
    }

    struct Destination: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "destination",
            abstract: "Register a destination with its items, or list them.", subcommands: [Add.self, List.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Register (or re-register) a destination and the items it receives.")
            @OptionGroup var options: LedgerOptions
            @Argument(help: "The destination's id (2–32 of a–z, 0–9, - _ .).") var destination: String
            @Option(help: "Its name.") var name: String
            @Option(help: "union (広域連合) or residents (市民課).") var kind: DestinationKind
            @Option(name: .customLong("item"), help: ArgumentHelp("An item it receives (repeat).", valueName: "item"))
            var items: [TransferItem] = []

            func run() throws {
                try reporting {
                    _ = try options.run(
                        RegisterTransferDestination(destination: destination, name: name, kind: kind, items: items))
                    Output.line("\(destination)（\(name)）に送付する項目：\(items.map(\.label).joined(separator: "、"))")
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "Registered destinations and their items.")
            @OptionGroup var options: LedgerOptions

            func run() throws {
                try reporting {
                    Table.render(
                        ["送付先", "名称", "区分", "項目", "移転の回数", "送付済みの位置"],
                        try options.run(ListTransferDestinations()).map {
                            [
                                $0.registration.destination, $0.registration.name, $0.registration.kind.label,
                                $0.registration.items.map(\.label).joined(separator: "、"), Staff.count($0.transfers.count),
                                "\($0.sentThrough)",
                            ]
                        }
                    ).forEach(Output.line)
                }
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "The transfers made to a destination.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The destination's id.") var destination: String

        func run() throws {
            try reporting {
                let d = try options.run(ShowTransferHistory(destination: destination))
                Table.render(
                    ["移転日", "位置（から）", "位置（まで）", "人数", "件数", "SHA-256"],
                    d.transfers.map { t in
                        [
                            Staff.date(t.transferredOn), "\(t.fromPosition)", "\(t.throughPosition)", Staff.count(t.persons),
                            t.counts.map { "\($0.item.label) \(Staff.count($0.rows))" }.joined(separator: "、"),
                            t.fileHash.hex,
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }
}

extension TransferCommand {
    struct Sent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sent",
            abstract: "The cumulative list of what was sent to a destination (広域送付対象累積).",
            discussion: """
                For every person and item: the rows sent over every transfer, in how many transfers, the \
                first and the last day — read again from the ranges the recorded transfers name, each with \
                its own items. --person for one person's; --json prints JSON lines. Every person listed is \
                recorded as read.
                """)
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The destination's id.") var destination: String
        @Option(help: ArgumentHelp("Only this person.", valueName: "number")) var person: PersonID?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func run() throws {
            try reporting {
                let rows = try options.run(ListSentToDestination(destination: destination, person: person))
                if json { return try rows.forEach { Output.line(try jsonLine($0)) } }
                Table.render(
                    ["被保険者番号", "項目", "件数", "移転の回数", "最初の送付", "最後の送付"],
                    rows.map {
                        [
                            "\($0.person)", $0.item.label, Staff.count($0.rows), Staff.count($0.transfers),
                            Staff.date($0.firstSentOn), Staff.date($0.lastSentOn),
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }
}

/// The transfer file as this door writes it: beside its final name (owner-only), moved into place only once the persons in it are recorded as read;
/// any failure leaves no file.
final class TransferFile: TransferFileSink, @unchecked Sendable {
    // Used by one request on one thread: the handler that writes it.
    private let given: String
    private let options: LedgerOptions
    private var out = ""
    private var partial = ""
    private var fd: Int32 = -1

    init(given: String, options: LedgerOptions) {
        self.given = given
        self.options = options
    }

    func open() throws -> String {
        out = try OutputFiles.path(given, option: "--out", options: options)
        guard !FileManager.default.fileExists(atPath: out) else {
            throw KokiError(.invalidInput, "\(out) already exists: choose another --out")
        }
        partial = out + ".partial"
        unlink(partial)
        fd = try OutputFiles.create(partial, option: "--out", options: options)
        return out
    }

    func write(_ bytes: [UInt8]) throws {
        let written = writeFile(fd, bytes)
        guard written == bytes.count else { throw CLIFailure(.failure, "cannot write \(partial)") }
    }

    func close() throws {
        defer {
            closeFile(fd)
            fd = -1
        }
        guard fsync(fd) == 0 else { throw CLIFailure(.failure, "cannot write \(partial)") }
    }

    func keep() throws {
        try OutputFiles.move(partial, to: out, option: "--out", options: options)
    }

    func discard() {
        if fd >= 0 { closeFile(fd) }
        fd = -1
        if !partial.isEmpty { unlink(partial) }
    }
}

// The system's calls, by names the sink's own methods do not hide.
private func writeFile(_ fd: Int32, _ bytes: [UInt8]) -> Int { bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
private func closeFile(_ fd: Int32) { close(fd) }
