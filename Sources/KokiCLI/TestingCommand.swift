import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

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
                _ = try options.run(
                    AppendTestPayments(
                        person: try PersonID(person), batches: batches, batchSize: batchSize,
                        expectedVersion: expectedVersion, waitFor: waitFor,
                        committed: { positions in
                            Output.line("committed \(positions.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "-")")
                        }))
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
                Output.line("slept \(try options.run(SleepAfterCheck(ms: ms))) ms")
            }
        }
    }
}
