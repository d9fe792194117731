import Foundation
import KokiApp
import KokiReadModels
import KokiTestSupport
import LedgerStore
import LedgerStorePostgres
import Testing

/// `koki migrate`: a ledger file copied to PostgreSQL and back with the same head hash (with
/// `KOKI_TEST_POSTGRES`; skipped without it unless `KOKI_REQUIRE_POSTGRES=1`).
@Suite struct MigrateCommandLineTests {
    @Test func aLedgerGoesToPostgresAndBackWithTheSameHead() throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["KOKI_TEST_POSTGRES"], !base.isEmpty else {
            if env["KOKI_REQUIRE_POSTGRES"] == "1" { Issue.record("KOKI_TEST_POSTGRES names no server") }
            return
        }
        let session = try LedgerSession(operator: "op")
        try session.koki(
            "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
            "1950-03-01", "--sex", "female", "--address", "千葉県松戸市根本387-5")
        try session.koki("eligibility", "acquire", "--number", "1001", "--reason", "reached-75", "--date", "2025-03-01")
        let head = try session.koki("head").stdout
        let schema = "m_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let url = base + "?schema=\(schema)"
        defer { try? PostgresLedger.dropSchema(url: url) }
        let first = try session.koki("migrate", "--to", url).stdout
        #expect(first.hasPrefix("copied ") && first.contains(String(head.split(separator: " ")[3])))
        // The copy's read models are built as the run ends, at the copy's head.
        #expect(first.contains("read models (balances, register, debit states, premiums) up to date"), "\(first)")
        do {
            let copy = try PostgresLedger.open(url: url)
            defer { copy.close() }
            let position = try copy.head().position
            let kept = try StoredRegister(copy.ports).status()
            #expect(kept.position == position && kept.rows == 1, "\(kept)")
            #expect(try StoredBalances(KokiLedger(copy)).status().position == position)
        }
        #expect(try session.koki("migrate", "--to", url).stdout.hasPrefix("copied 0 events"))
        // Appended since: only that is copied.
        try session.koki("income", "record", "--number", "1001", "--year", "2024", "--total", "0", "--source", "申告書")
        #expect(try session.koki("migrate", "--to", url).stdout.hasPrefix("copied 1 events"))
        let newHead = try session.koki("head").stdout
        let back = session.folder.path("back.ledger")
        let copied = try session.koki("migrate", "--from", url, "--into", back).stdout
        #expect(copied.contains(String(newHead.split(separator: " ")[3])))
        // The keys and passwords came back with the events.
        let (original, returned) = (
            try Ledger.open(at: session.folder.path("session.ledger"), mode: .readOnly),
            try Ledger.open(at: back, mode: .readOnly)
        )
        #expect(try returned.allSubjectKeys() == original.allSubjectKeys() && !original.allSubjectKeys().isEmpty)
        #expect(try returned.allCredentials() == original.allCredentials())
        // The file exists now; another ledger is refused by the schema that holds this one.
        let verify = try KokiProcess.run(["migrate", "--from", url, "--into", back], environment: session.env)
        #expect(verify.status != 0, "the file exists already")
        let other = try LedgerSession(operator: "op")
        let refused = try other.koki("migrate", "--to", url, status: 65)
        #expect(refused.stderr.contains("differ"))
    }

    /// The copy can be used: its operators log in with their own passwords, the sealed names and
    /// My Numbers open there, and a person erased in the file since an earlier run is erased in
    /// the copy too.
    @Test func theCopyTakesTheKeysDigestsAndPasswordsAndLaterErasures() throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["KOKI_TEST_POSTGRES"], !base.isEmpty else {
            if env["KOKI_REQUIRE_POSTGRES"] == "1" { Issue.record("KOKI_TEST_POSTGRES names no server") }
            return
        }
        let session = try LedgerSession(operator: "op")
        for number in ["1001", "1002"] {
            try session.koki(
                "person", "register", "--number", number, "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
                "1940-03-01", "--sex", "female", "--address", "千葉県松戸市根本387-5")
            try session.koki("eligibility", "acquire", "--number", number, "--reason", "reached-75", "--date", "2015-03-01")
        }
        try session.koki(["mynumber", "record", "1001"], input: "123456789018\n")
        try session.koki("eligibility", "lose", "--number", "1002", "--reason", "moved-out", "--date", "2019-03-31")
        let schema = "m_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let url = base + "?schema=\(schema)"
        defer { try? PostgresLedger.dropSchema(url: url) }
        let file = try Ledger.open(at: session.folder.path("session.ledger"), mode: .readOnly)
        let keys = try file.allSubjectKeys()
        #expect(keys["person/1001"] != nil && keys["person/1002"] != nil)
        let first = try session.koki("migrate", "--to", url).stdout
        #expect(
            first.contains("copied \(keys.count) subject keys, 1 My Number digests and 2 operators' password hashes"),
            "\(first)")
        let postgres = try PostgresLedger.open(url: url)
        defer { postgres.close() }
        #expect(try postgres.allSubjectKeys() == keys)
        #expect(try postgres.allLookups() == file.allLookups() && postgres.allCredentials() == file.allCredentials())

        // Erased in the file after retention; the next run erases them in the copy too.
        try session.koki("erase", "1002", "--on", "2026-04-01")
        #expect(try session.koki("person", "show", "1002").stdout.contains("（消去済み）"))
        let again = try session.koki("migrate", "--to", url).stdout
        #expect(again.contains("copied \(keys.count) subject keys"), "\(again)")
        // Erasure leaves a tombstone in the key's place: the copy holds the same.
        let erasedKeys = try file.allSubjectKeys()
        #expect(erasedKeys["person/1002"] != keys["person/1002"] && erasedKeys["person/1001"] == keys["person/1001"])
        #expect(try postgres.allSubjectKeys() == erasedKeys)
        #expect(try postgres.allLookups().map(\.subject) == ["person/1001"])

        // The copy, opened with the same master key: the operator logs in with their password.
        var copy = session.env
        copy["KOKI_LEDGER"] = url
        copy["KOKI_MASTER_KEY"] = session.folder.path("session.ledger.key")
        copy["KOKI_SESSION"] = session.folder.path("copy.session")
        let wrong = try KokiProcess.run(["login", "op", "--password-stdin"], environment: copy, input: "not-the-password\n")
        #expect(wrong.status != 0)
        let login = try KokiProcess.run(
            ["login", "op", "--password-stdin"], environment: copy, input: Secured.password + "\n")
        #expect(login.status == 0, "\(login.stderr)")
        func run(_ arguments: [String], _ env: [String: String], input: String? = nil) throws -> KokiProcess.Outcome {
            try KokiProcess.run(arguments, environment: env, input: input)
        }
        let shown = try run(["person", "show", "1001"], copy)
        #expect(shown.status == 0 && shown.stdout.contains("松戸 花子"), "\(shown.stdout)\(shown.stderr)")
        #expect(shown.stdout == (try session.koki("person", "show", "1001").stdout))
        let found = try run(["mynumber", "lookup", "--purpose", "本人確認"], copy, input: "123456789018\n")
        #expect(found.stdout == "1001\n", "\(found.stderr)")

        let erased = try run(["person", "show", "1002"], copy)
        #expect(erased.status == 0 && erased.stdout.contains("（消去済み）") && !erased.stdout.contains("松戸 花子"))
        #expect(try run(["verify"], copy).status == 0)

        // The copy is in use now (its logins and reads are its own events): migrating into it
        // again is refused, naming why, and nothing is copied.
        try session.koki("income", "record", "--number", "1001", "--year", "2024", "--total", "0", "--source", "申告書")
        let before = try postgres.head()
        let forked = try session.koki(["migrate", "--to", url], status: 65)
        #expect(forked.stderr.contains("used on its own"), "\(forked.stderr)")
        #expect(try postgres.head() == before)
    }
}
