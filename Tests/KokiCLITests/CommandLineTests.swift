import Foundation
import KokiTestSupport
import Testing

/// `koki` end to end: real processes against a temporary ledger, checking what they print,
/// their exit statuses, and that refused commands leave the ledger as it was.
@Suite struct CommandLineTests {
    @Test func initCreatesOnceAndRefusesToOverwrite() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("k.ledger")
        let first = try KokiProcess.run(["init", "--ledger", ledger])
        #expect(first.status == 0)
        #expect(first.stdout.hasPrefix("created ledger "))
        let again = try KokiProcess.run(["init", "--ledger", ledger])
        #expect(again.status == 4)
        #expect(again.stderr == "koki: error: \(ledger) already exists; koki will not overwrite it\n")
        #expect(try KokiProcess.run(["head", "--ledger", ledger]).stdout.hasPrefix("position 0  hash "))
    }

    @Test func theLedgerComesFromTheEnvironmentWhenNotGiven() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("env.ledger")
        #expect(try KokiProcess.run(["init"], environment: ["KOKI_LEDGER": ledger]).status == 0)
        #expect(FileManager.default.fileExists(atPath: ledger))
    }

    @Test func missingAndForeignFilesAreRefusedWithTheirExitStatus() throws {
        let folder = try TemporaryFolder()
        let missing = try KokiProcess.run(["events", "--ledger", folder.path("none.ledger")])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("no ledger at"))
        let text = folder.path("notes.txt")
        let content = Data(String(repeating: "shopping list\n", count: 500).utf8)
        try content.write(to: URL(fileURLWithPath: text))
        for command in ["events", "verify", "head", "streams", "demo"] {
            let outcome = try KokiProcess.run([command, "--ledger", text])
            #expect(outcome.status == 3, "\(command)")
            #expect(outcome.stderr.contains("is not a koki ledger"), "\(command): \(outcome.stderr)")
        }
        #expect(FileManager.default.contents(atPath: text) == content)
    }

    @Test func demoRecordsReplaysAndVerifiesAndIsIdempotent() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("demo.ledger")
        let first = try KokiProcess.run(["demo", "--ledger", ledger, "--persons", "30"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines.first?.hasPrefix("recorded 433 new events for 30 persons") == true)
        #expect(first.lines.last?.hasPrefix("verify: ok, 433 events; head 433 ") == true)
        let head = try KokiProcess.run(["head", "--ledger", ledger, "--json"]).stdout
        let second = try KokiProcess.run(["demo", "--ledger", ledger, "--persons", "30"])
        #expect(second.lines.first?.hasPrefix("recorded 0 new events for 30 persons") == true)
        #expect(second.lines.first?.hasSuffix("(346 commands were already in the ledger)") == true)
        #expect(first.lines[1] == "assessment: FY2025 run over 30 insured persons, 30 assessed, 0 reassessed")
        #expect(second.lines[1] == first.lines[2], "the replayed balances are the same")
        #expect(second.lines[1].hasPrefix("balances: assessed "))
        #expect(second.lines[2] == first.lines[3])
        #expect(second.lines[2].hasSuffix("every yen accounted for: yes"))
        #expect(second.lines[3] == "register: 30 of 30 persons insured on 2025-07-10")
        #expect(first.lines.contains { $0.hasPrefix("FY2025 collected ") && $0.hasSuffix("% by 2026-05-31") })
        let owed = first.lines.filter { $0.hasPrefix("  largest: ") }.compactMap { Int($0.split(separator: " ")[3]) }
        #expect(!owed.isEmpty && owed == owed.sorted(by: >))
        #expect(try KokiProcess.run(["head", "--ledger", ledger, "--json"]).stdout == head)
        let verify = try KokiProcess.run(["verify", "--ledger", ledger])
        #expect(verify.status == 0)
        #expect(verify.stdout.hasPrefix("ok: 433 events in 403 commands; head 433 "))
    }

    @Test func eventsPrintsJSONLinesWithFilters() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("e.ledger")
        #expect(try KokiProcess.run(["demo", "--ledger", ledger, "--persons", "5"]).status == 0)
        let all = try KokiProcess.run(["events", "--ledger", ledger])
        #expect(all.status == 0)
        let objects = try all.lines.map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 83)  // 5 persons, the rules, the run, the arrears settings and 9 dunning runs
        #expect(objects.map { $0["position"] as? Int } == Array(1...83))
        #expect(objects[0]["type"] as? String == "PersonRegistered")
        let first = try #require(objects.first { $0["type"] as? String == "PremiumAssessed" })
        #expect(first["stream"] as? String == "person/100000001")
        #expect(first["type"] as? String == "PremiumAssessed")
        #expect(first["actor"] as? String == "demo")
        let data = try #require(first["data"] as? [String: Any])
        #expect((data["installments"] as? [Any])?.count == 9)

        let stream = try KokiProcess.run(["events", "--ledger", ledger, "--stream", "person/100000003"])
        #expect(stream.lines.count == 14)
        #expect(stream.lines.allSatisfy { $0.contains(#""stream":"person/100000003""#) })
        let through = try KokiProcess.run(["events", "--ledger", ledger, "--through", "12", "--from", "11"])
        #expect(through.lines.count == 2)
        let types = try KokiProcess.run(["events", "--ledger", ledger, "--type", "PremiumAssessed"])
        #expect(types.lines.count == 5)
        let future = try KokiProcess.run(["events", "--ledger", ledger, "--recorded-from", "2999-01-01"])
        #expect(future.status == 0)
        #expect(future.stdout.isEmpty)
        let past = try KokiProcess.run(["events", "--ledger", ledger, "--recorded-before", "2000-01-01T00:00:00Z"])
        #expect(past.stdout.isEmpty)
        let table = try KokiProcess.run(["events", "--ledger", ledger, "--format", "table", "--through", "2"])
        #expect(table.lines.count == 3)
        #expect(table.lines[0].hasPrefix("POSITION  STREAM"))
    }

    @Test(arguments: [
        (["events", "--from", "0"], "--from 0 must be 1 or more"),
        (["events", "--from", "5", "--through", "4"], "--through 4 is before --from 5"),
        (["events", "--recorded-from", "yesterday"], "--recorded-from 'yesterday' is not a time"),
        (["events", "--stream", "bad name"], "contains a space"),
        (["events", "--format", "xml"], "xml"),
        (["no-such-command"], "Error: "),
    ])
    func badArgumentsExitWithUsage(arguments: [String], message: String) throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("u.ledger")
        #expect(try KokiProcess.run(["init", "--ledger", ledger]).status == 0)
        let outcome = try KokiProcess.run(arguments + ["--ledger", ledger])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test func appendingWithoutAnOperatorIsRefusedAndAppendsNothing() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("o.ledger")
        #expect(try KokiProcess.run(["init", "--ledger", ledger]).status == 0)
        let outcome = try KokiProcess.run(["testing", "append", "--ledger", ledger, "--person", "1"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr == "koki: error: no operator: pass --operator ID or set KOKI_OPERATOR\n")
        #expect(try KokiProcess.run(["head", "--ledger", ledger]).stdout.hasPrefix("position 0 "))
        let bad = try KokiProcess.run(["testing", "append", "--ledger", ledger, "--person", "12x", "--operator", "op"])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("'12x' is not an address number"))
    }

    @Test func verifyNamesTheFirstAlteredPositionAndExitsOne() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("t.ledger")
        #expect(try KokiProcess.run(["demo", "--ledger", ledger, "--persons", "4"]).status == 0)
        // Alter event 23's payload behind koki's back (the triggers must be dropped first).
        let sql =
            "DROP TRIGGER koki_events_refuse_update; UPDATE koki_events SET payload = payload || x'00' WHERE position = 23;"
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.close()", ledger, sql,
        ]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        let outcome = try KokiProcess.run(["verify", "--ledger", ledger, "--quick"])
        #expect(outcome.status == 1)
        #expect(
            outcome.lines == [
                "ALTERED: position 23: stored bytes do not match the hash chain (the row or an earlier link was altered)",
                "(22 events before it are intact)",
            ])
        let json = try KokiProcess.run(["verify", "--ledger", ledger, "--quick", "--json"])
        #expect(json.status == 1)
        #expect(json.stdout.contains(#""intact":false"#))
        #expect(json.stdout.contains(#""problemPosition":23"#))
    }
}
