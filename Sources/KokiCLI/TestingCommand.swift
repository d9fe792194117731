import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import LedgerStore

/// Drivers for the crash and multi-process tests; hidden from help.
struct TestingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testing",
        abstract: "Drivers used by koki's own crash and concurrency tests.",
        shouldDisplay: false,
        subcommands: [AppendLoad.self, LoadTest.self, Sleep.self]
    )

    struct AppendLoad: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "append",
            abstract: "Append batches of payments to one person's stream, printing each committed position."
        )

        @OptionGroup var options: LedgerOptions

        @Option(help: "The person (address number) whose stream receives the batches.")
        var person: String

        @Option(help: "How many commands to append.")
        var batches: Int = 1

        @Option(help: "Events per command.")
        var batchSize: Int = 1

        @Option(help: "Expected stream version for the first command (default: any).")
        var expectedVersion: Int64?

        @Option(help: "Wait until this file exists before appending (a start barrier).")
        var waitFor: String?

        func run() throws {
            try reporting {
                let personID = try PersonID(person)
                let access = try options.authorized(.ledgerMaintain)
                let ledger = access.ledger
                let actor = access.context.operatorID
                if let waitFor {
                    while !FileManager.default.fileExists(atPath: waitFor) { usleep(1_000) }
                }
                let fiscalYear = try FiscalYear(2025)
                for batch in 0..<batches {
                    let events = try (0..<batchSize).map { i in
                        let key = PeriodKey(fiscalYear, try PeriodNumber(i % 9 + 1))
                        let paidOn = try CivilDate(year: 2025, month: 8, day: 1)
                        return KokiEvent.paymentReceived(
                            PaymentReceived(
                                id: "t\(batch)-\(i)", person: personID, channel: .counter, paidOn: paidOn,
                                learnedOn: paidOn,
                                amount: Yen(Int64(1_000 + batch)), slip: key,
                                parts: [.init(key: key, amount: Yen(Int64(1_000 + batch)), accountingYear: fiscalYear)],
                                overpaid: .zero, reference: ""))
                    }
                    var expecting: [PersonID: ExpectedVersion] = [:]
                    if batch == 0, let expectedVersion { expecting[personID] = .exact(expectedVersion) }
                    let result = try ledger.record(
                        events, metadata: CommandMetadata(actor: actor), expecting: expecting)
                    Output.line("committed \(result.positions.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "-")")
                }
            }
        }
    }

    /// A command that takes a while (for the server's graceful-shutdown test): an
    /// administrator's session, then a pause.
    struct Sleep: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the session, then wait.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "Milliseconds.") var ms = 1_000

        func run() throws {
            try reporting {
                _ = try options.authorized(.ledgerMaintain, .query)
                usleep(UInt32(max(0, min(ms, 60_000))) * 1_000)
                Output.line("slept \(ms) ms")
            }
        }
    }
}
