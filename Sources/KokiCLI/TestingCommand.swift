import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import LedgerStore

/// Drivers for the crash and multi-process tests; hidden from help.
struct TestingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testing",
        abstract: "Drivers used by koki's own crash and concurrency tests.",
        shouldDisplay: false,
        subcommands: [AppendLoad.self, LoadTest.self, Sleep.self, TrainDictionary.self]
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
        static let configuration = CommandConfiguration(commandName: "sleep", abstract: "Check the session, then wait.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "Milliseconds.") var ms = 1_000

        func run() throws {
            try reporting {
                Output.line("slept \(try options.run(SleepAfterCheck(ms: ms))) ms")
            }
        }
    }

    /// Trains a payload dictionary from a ledger and prints it as the Swift source that pins it
    /// (how `Sources/LedgerStore/PayloadDictionary+First.swift` was made).
    struct TrainDictionary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "payload-dictionary",
            abstract: "Train an LZ4 dictionary on every Nth payload of a ledger and print it as Swift source.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "Take the payload of every position divisible by this.") var every: Int64 = 37
        @Option(help: "The dictionary's largest size in bytes (LZ4 reaches back 64 KiB at most).") var capacity = 65_536

        func run() throws {
            try reporting {
                guard every >= 1 else { throw ValidationError("--every must be at least 1") }
                let store = try LedgerOptions.store(at: options.ledgerPath, mode: .readOnly)
                var samples: [[UInt8]] = []
                var query = EventQuery()
                query.readsEnvelopes = false
                try store.events.forEachEvent(query) { view in
                    if view.position % every == 0 { samples.append(Array(view.payload)) }
                }
                let dictionary = try PayloadDictionary(bytes: PayloadDictionary.train(samples: samples, capacity: capacity))
                Output.line(source(of: dictionary, samples: samples.count))
            }
        }

        private func source(of dictionary: PayloadDictionary, samples: Int) -> String {
            let base64 = Data(dictionary.bytes).base64EncodedString()
            var lines: [String] = []
            var rest = Substring(base64)
            while !rest.isEmpty {
                lines.append("        " + rest.prefix(100))
                rest = rest.dropFirst(100)
            }
            return """
                import Foundation

                // Made by `koki testing payload-dictionary --every \(every) --capacity \(capacity)` on the ledger of
                // `koki simulate --insured 70000 --years 2 --seed 75`: \(samples) payloads sampled,
                // \(dictionary.bytes.count) bytes kept. Never edit: every row stored against it is read with these bytes.

                extension PayloadDictionary {
                    /// The dictionary of ``PayloadEncoding/lz4DictionaryFirst`` (`nil` if the text below does not
                    /// give bytes of the SHA-256 pinned beside it).
                    public static let first = PayloadDictionary.fromSource(firstBase64, sha256: firstDigest)
                    /// Its SHA-256, checked as it loads, and which `PayloadDictionaryTests` holds the bytes to.
                    static let firstDigest = "\(dictionary.digest)"

                    private static let firstBase64 = \"\"\"
                \(lines.joined(separator: "\n"))
                        \"\"\"
                }
                """
        }
    }
}
