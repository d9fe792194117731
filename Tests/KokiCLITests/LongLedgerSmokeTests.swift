import Foundation
import KokiTestSupport
import Testing

/// Every read command of the README on the main job's own city (3,000 insured over FY2023–FY2025,
/// some 124,000 events): short test ledgers hide what grows with history — `koki events` once
/// overflowed the stack after ~57,000 events. Each command must exit 0 and print something.
@Suite(.serialized) struct LongLedgerSmokeTests {
    /// The README's example person in the default city.
    static let person = "300002019"

    /// The README's read commands (and the other read commands staff use), as typed.
    static let commands: [[String]] = [
        ["insured", "list", "--on", "2026-03-31"],
        ["arrears", "list", "--on", "2026-05-31"],
        ["history", person],
        ["account", person],
        ["account", person, "--json"],
        ["arrears", "show", person, "--on", "2026-05-31", "--explain"],
        ["account", person, "--known-at", "60000"],
        ["person", "show", person],
        ["income", "show", "--number", person, "--year", "2024", "--purpose", "窓口照会"],
        ["premium", "show", person, "--fiscal-year", "2025"],
        ["events"],
        ["events", "--from", "1", "--through", "45000"],
        ["events", "--format", "table"],
        ["events", "--type", "DebitFailed", "--format", "table"],
        ["events", "--stream", "collection/files", "--format", "table"],
        ["events", "--stream", "person/\(person)"],
        ["streams", "--prefix", "person/"],
        ["whatif", "--fiscal-year", "2025", "--latest"],
        ["balances"],
        ["balances", "--known-at", "60000"],
        ["refund", "list"],
        ["revenue", "--accounting-year", "2024"],
        ["revenue", "--accounting-year", "2025", "--by", "day"],
        ["revenue", "--accounting-year", "2024", "--by", "month", "--format", "csv"],
        ["revenue", "--accounting-year", "2025", "--format", "json"],
        ["union", "differences", "--fiscal-year", "2025"],
        ["income", "inquiries", "--number", person],
        ["unmatched", "list"],
        ["konbini", "pending"],
        ["erase", "--due"],
        ["notices", "history", person],
        ["copay", "show", person],
        ["audit", "log"],
        ["operator", "list"],
        ["roles", "show"],
        ["security", "show"],
        ["rebuild", "--status"],
        ["rebuild", "--check"],
        ["head"],
        ["verify"],
    ]

    @Test func everyReadCommandAnswersOnTheMainJobsCity() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("city.ledger")
        let simulated = try KokiProcess.run(["simulate", "--ledger", ledger])
        try #require(simulated.status == 0, "\(simulated.stderr)")
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        let env = try Secured.enroll("smoke", admin: admin, folder: folder.url.path)
        let head = try KokiProcess.run(["head", "--json"], environment: env)
        let position = try #require(
            (try JSONSerialization.jsonObject(with: Data(head.stdout.utf8)) as? [String: Any])?["position"] as? Int)
        #expect(position >= 100_000, "a long ledger: \(position) events")
        for command in Self.commands {
            let outcome = try KokiProcess.run(command, environment: env)
            let line = "koki \(command.joined(separator: " "))"
            #expect(outcome.status == 0, "\(line): exit \(outcome.status) \(outcome.stderr.suffix(400))")
            #expect(!outcome.stdout.isEmpty, "\(line) printed nothing")
            if command == ["events"] {
                // All of it, to the last event (each line is one event, as JSON).
                #expect(outcome.lines.count >= position, "\(line): \(outcome.lines.count) lines")
                #expect(outcome.lines.last?.hasPrefix("{") == true)
            }
        }
    }
}
