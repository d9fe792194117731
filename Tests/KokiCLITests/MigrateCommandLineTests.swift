import Foundation
import KokiTestSupport
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
        #expect(try session.koki("migrate", "--to", url).stdout.hasPrefix("copied 0 events"))
        // Appended since: only that is copied.
        try session.koki("income", "record", "--number", "1001", "--year", "2024", "--total", "0", "--source", "申告書")
        #expect(try session.koki("migrate", "--to", url).stdout.hasPrefix("copied 1 events"))
        let newHead = try session.koki("head").stdout
        let back = session.folder.path("back.ledger")
        let copied = try session.koki("migrate", "--from", url, "--into", back).stdout
        #expect(copied.contains(String(newHead.split(separator: " ")[3])))
        // The file exists now; another ledger is refused by the schema that holds this one.
        let verify = try KokiProcess.run(["migrate", "--from", url, "--into", back], environment: session.env)
        #expect(verify.status != 0, "the file exists already")
        let other = try LedgerSession(operator: "op")
        let refused = try other.koki("migrate", "--to", url, status: 65)
        #expect(refused.stderr.contains("differ"))
    }
}
