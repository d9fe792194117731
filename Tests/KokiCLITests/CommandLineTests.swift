import Foundation
import KokiTestSupport
import Testing

/// `koki` end to end: real processes against a temporary ledger, checking what they print,
/// their exit statuses, and that refused commands leave the ledger as it was.
@Suite struct CommandLineTests {
    @Test func initCreatesOnceAndRefusesToOverwrite() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("k.ledger")
        let env = ["KOKI_LEDGER": ledger, "KOKI_SESSION": folder.path("s")]
        let first = try KokiProcess.run(
            ["init", "--password-stdin", "--password-cost", "14"], environment: env, input: "admin-password-1\n")
        #expect(first.status == 0)
        #expect(first.stdout.hasPrefix("created ledger "))
        #expect(FileManager.default.fileExists(atPath: ledger + ".key"), "the master key file beside it by default")
        let again = try KokiProcess.run(["init", "--password-stdin"], environment: env, input: "admin-password-1\n")
        #expect(again.status == 4)
        #expect(again.stderr == "koki: エラー: \(ledger) exists and has operators already\n")
        // Nothing opens it without a session; the administrator may inspect it.
        #expect(try KokiProcess.run(["head"], environment: env).status == 77)
        try Secured.login("admin", password: "admin-password-1", env: env)
        // Setting up (3 events), the refusal and the login.
        #expect(try KokiProcess.run(["head"], environment: env).stdout.hasPrefix("position 5  hash "))
        // A master key others can read is refused (exit 78); one that is not this ledger's too.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger + ".key")
        let loose = try KokiProcess.run(["head"], environment: env)
        #expect(loose.status == 78 && loose.stderr.contains("readable by others"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: ledger + ".key")
        let other = folder.path("other.key")
        FileManager.default.createFile(
            atPath: other, contents: Data((String(repeating: "ab", count: 32) + "\n").utf8),
            attributes: [.posixPermissions: 0o600])
        var wrongKey = env
        wrongKey["KOKI_MASTER_KEY"] = other
        let wrong = try KokiProcess.run(["head"], environment: wrongKey)
        #expect(wrong.status == 78 && wrong.stderr.contains("not this ledger's"), "\(wrong.stderr)")
    }

    @Test func theLedgerComesFromTheEnvironmentWhenNotGiven() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("env.ledger")
        #expect(
            try KokiProcess.run(
                ["init", "--password-stdin", "--password-cost", "14"], environment: ["KOKI_LEDGER": ledger],
                input: "admin-password-1\n"
            ).status == 0)
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
        let env = try Secured.ledger(ledger)
        let first = try KokiProcess.run(["demo", "--ledger", ledger, "--persons", "30"], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines.first?.hasPrefix("recorded 433 new events for 30 persons") == true)
        #expect(first.lines.last?.hasPrefix("verify: ok, 439 events; head 439 ") == true)
        let head = try KokiProcess.run(["head", "--ledger", ledger, "--json"], environment: env).stdout
        let second = try KokiProcess.run(["demo", "--ledger", ledger, "--persons", "30"], environment: env)
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
        #expect(try KokiProcess.run(["head", "--ledger", ledger, "--json"], environment: env).stdout == head)
        let verify = try KokiProcess.run(["verify", "--ledger", ledger], environment: env)
        #expect(verify.status == 0)
        #expect(verify.stdout.hasPrefix("ok: 439 events in 407 commands; head 439 "))
    }

    @Test func eventsPrintsJSONLinesWithFilters() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("e.ledger")
        let env = try Secured.ledger(ledger)
        #expect(try KokiProcess.run(["demo", "--ledger", ledger, "--persons", "5"], environment: env).status == 0)
        // The first six events set the ledger up (settings, permissions, the administrator, two logins, an operator).
        let all = try KokiProcess.run(
            ["events", "--ledger", ledger, "--from", "7", "--through", "89"], environment: env)
        #expect(all.status == 0)
        let objects = try all.lines.map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 83)  // 5 persons, the rules, the run, the arrears settings and 9 dunning runs
        #expect(objects.map { $0["position"] as? Int } == Array(7...89))
        #expect(objects[0]["type"] as? String == "PersonRegistered")
        let first = try #require(objects.first { $0["type"] as? String == "PremiumAssessed" })
        #expect(first["stream"] as? String == "person/100000001")
        #expect(first["type"] as? String == "PremiumAssessed")
        #expect(first["actor"] as? String == "demo")
        let data = try #require(first["data"] as? [String: Any])
        #expect((data["installments"] as? [Any])?.count == 9)

        let stream = try KokiProcess.run(
            ["events", "--ledger", ledger, "--stream", "person/100000003"], environment: env)
        #expect(stream.lines.count == 14)
        #expect(stream.lines.allSatisfy { $0.contains(#""stream":"person/100000003""#) })
        let through = try KokiProcess.run(
            ["events", "--ledger", ledger, "--through", "12", "--from", "11"], environment: env)
        #expect(through.lines.count == 2)
        let types = try KokiProcess.run(["events", "--ledger", ledger, "--type", "PremiumAssessed"], environment: env)
        #expect(types.lines.count == 5)
        let future = try KokiProcess.run(
            ["events", "--ledger", ledger, "--recorded-from", "2999-01-01"], environment: env)
        #expect(future.status == 0)
        #expect(future.stdout.isEmpty)
        let past = try KokiProcess.run(
            ["events", "--ledger", ledger, "--recorded-before", "2000-01-01T00:00:00Z"], environment: env)
        #expect(past.stdout.isEmpty)
        let table = try KokiProcess.run(
            ["events", "--ledger", ledger, "--format", "table", "--through", "2"], environment: env)
        #expect(table.lines.count == 3)
        #expect(table.lines[0].hasPrefix("POSITION  STREAM"))
    }

    @Test(arguments: [
        (["events", "--from", "0"], "--from 0 must be 1 or more"),
        (["events", "--from", "5", "--through", "4"], "--through 4 is before --from 5"),
        (["events", "--recorded-from", "yesterday"], "--recorded-from 'yesterday' is not a time"),
        (["events", "--stream", "bad name"], "contains a space"),
        (["events", "--format", "xml"], "xml"),
        (["no-such-command"], "koki: エラー: "),
    ])
    func badArgumentsExitWithUsage(arguments: [String], message: String) throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("u.ledger")
        let env = try Secured.ledger(ledger)
        let outcome = try KokiProcess.run(arguments + ["--ledger", ledger], environment: env)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test func appendingWithoutASessionIsRefusedRecordedAndAppendsNothingElse() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("o.ledger")
        let env = try Secured.ledger(ledger)
        let head = try KokiProcess.run(["head", "--json"], environment: env).stdout
        var none = env
        none["KOKI_SESSION"] = folder.path("nobody.session")
        let outcome = try KokiProcess.run(["testing", "append", "--person", "1"], environment: none)
        #expect(outcome.status == 77)
        #expect(outcome.stderr == "koki: エラー: ログインしていません：先に `koki login 利用者ID` を実行してください\n")
        // Only the refusal was recorded.
        let refused = try KokiProcess.run(["events", "--stream", "audit/refused"], environment: env)
        #expect(refused.lines.count == 1 && refused.stdout.contains("ログインしていません"))
        #expect(try KokiProcess.run(["events", "--stream", "person/1"], environment: env).stdout.isEmpty)
        #expect(head != "")
        let bad = try KokiProcess.run(["testing", "append", "--person", "12x"], environment: env)
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("'12x' is not an address number"))
    }

    @Test func verifyNamesTheFirstAlteredPositionAndExitsOne() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("t.ledger")
        let env = try Secured.ledger(ledger)
        #expect(try KokiProcess.run(["demo", "--ledger", ledger, "--persons", "4"], environment: env).status == 0)
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
        let outcome = try KokiProcess.run(["verify", "--ledger", ledger, "--quick"], environment: env)
        #expect(outcome.status == 1)
        #expect(
            outcome.lines == [
                // The row's command's keyed seal is the first check to cover it (the SHA-256 chain
                // stores a hash only every 32 positions or so).
                "ALTERED: position 23: command 17 (positions 23–23) does not match its keyed seal: its stored bytes were altered, or it or a command before it rewritten, without the master key",
                "(22 events before it are intact)",
            ])
        let json = try KokiProcess.run(["verify", "--ledger", ledger, "--quick", "--json"], environment: env)
        #expect(json.status == 1)
        #expect(json.stdout.contains(#""intact":false"#))
        #expect(json.stdout.contains(#""problemPosition":23"#))
    }
}
