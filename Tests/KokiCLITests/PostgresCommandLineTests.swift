import Foundation
import KokiTestSupport
import LedgerStorePostgres
import Testing

/// koki's commands on a PostgreSQL ledger (`--ledger postgres://…?schema=…`): set up, the
/// counter's and the collection's work, the audit, verification, and `koki serve` on it.
@Suite struct PostgresCommandLineTests {
    @Test func theCommandsRunOnAPostgresLedgerAndOverAServerOnIt() throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["KOKI_TEST_POSTGRES"], !base.isEmpty else {
            if env["KOKI_REQUIRE_POSTGRES"] == "1" { Issue.record("KOKI_TEST_POSTGRES names no server") }
            return
        }
        let folder = try TemporaryFolder()
        let schema = "c_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let url = base + "?schema=\(schema)"
        defer { try? PostgresLedger.dropSchema(url: url) }
        var admin = [
            "KOKI_LEDGER": url, "KOKI_MASTER_KEY": folder.path("master.key"),
            "KOKI_SESSION": folder.path("admin.session"),
        ]
        let created = try KokiProcess.run(
            ["init", "--password-stdin", "--password-cost", "14", "--no-second-check"], environment: admin,
            input: Secured.adminPassword + "\n")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(!created.stdout.contains(":koki@") && created.stdout.contains("schema=\(schema)"), "no password shown")
        try Secured.login("admin", password: Secured.adminPassword, env: admin)
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        func koki(_ arguments: String..., as env: [String: String], status: Int32 = 0) throws -> String {
            let outcome = try KokiProcess.run(arguments, environment: env)
            #expect(outcome.status == status, "\(arguments.joined(separator: " ")): \(outcome.stderr)")
            return outcome.stdout
        }
        try koki(
            "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
            "1950-03-01", "--sex", "female", "--address", "千葉県松戸市根本387-5", as: op)
        try koki("eligibility", "acquire", "--number", "1001", "--reason", "reached-75", "--date", "2025-03-01", as: op)
        try koki("pay", "record", "1001", "--amount", "5000", "--paid-on", "2025-09-01", as: op)
        #expect(try koki("account", "1001", as: op).contains("過誤納 5,000円"))
        #expect(try koki("person", "show", "1001", as: op).contains("松戸 花子"))
        #expect(
            try koki("card", "issue", "1001", "--reason", "request", "--valid-from", "2025-08-01", as: op).contains(
                "1割"))
        #expect(try koki("audit", "log", "--person", "1001", as: op).contains("person show"))
        // The same refusals: a duplicate acquisition, no session.
        try koki(
            "eligibility", "acquire", "--number", "1001", "--reason", "reached-75", "--date", "2025-03-01", as: op,
            status: 65)
        var nobody = op
        nobody["KOKI_SESSION"] = folder.path("none.session")
        try koki("person", "show", "1001", as: nobody, status: 77)
        #expect(try koki("verify", as: op).hasPrefix("ok: "))
        // The read models in the schema: rebuilt from position zero (none kept yet to compare
        // with), a snapshot of the balances taken at the head, then checked equal to a fold from
        // position zero.
        let rebuilt = try koki("rebuild", as: admin)
        #expect(
            rebuilt.contains("swapped in; snapshots taken at position") && rebuilt.contains("no maintained register"),
            "\(rebuilt)")
        let checked = try koki("rebuild", "--check", as: admin)
        #expect(checked.contains("the maintained table (at position") && checked.contains(") is equal"), "\(checked)")
        #expect(
            checked.contains("the maintained register (at position") && checked.contains("checked only"), "\(checked)")
        #expect(checked.contains("the maintained debit states (at position"), "\(checked)")
        #expect(try koki("rebuild", "--status", as: admin).contains("register: at position"))
        // The past kept in the schema as in a file: checkpoints every 10 events, then a past
        // position answered from them, as the events' fold has it.
        let snapshots = try koki("rebuild", "--snapshot-every", "10", as: admin)
        #expect(snapshots.contains("snapshots taken at positions "), "\(snapshots)")
        let status = try koki("rebuild", "--status", as: admin)
        let kept = status.split(separator: "\n").compactMap { line in
            line.hasPrefix("  snapshot at position ") ? line.split(separator: " ")[3].prefix { $0.isNumber } : nil
        }
        #expect(kept.count >= 2, "\(status)")
        let first = String(try #require(kept.first))
        let known = try KokiProcess.run(["balances", "--known-at", first], environment: op)
        #expect(known.status == 0, "\(known.stderr)")
        #expect(
            known.stderr.contains("snapshot at position \(first), 0 deltas after it, 0 persons folded again"),
            "\(known.stderr)")
        // The personal data is in no row as plain text.
        let dump = Process()
        dump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let address = try PostgresLedger.Address(url)
        dump.arguments = [
            "pg_dump", "-h", address.host, "-p", String(address.port), "-U", address.user, "-n", schema,
            address.database,
        ]
        dump.environment = ["PGPASSWORD": address.password ?? "", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        dump.standardOutput = pipe
        dump.standardError = FileHandle.nullDevice
        try dump.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        dump.waitUntilExit()
        if dump.terminationStatus == 0 { #expect(!text.contains("松戸 花子") && text.contains("koki_events")) }

        // `koki serve` on the PostgreSQL ledger, and a client of it.
        admin["KOKI_SESSION"] = nil
        let (server, serverURL, printed) = try KokiProcess.serve(environment: admin)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        #expect(!printed.contains(":koki@"), "the server does not print the password")
        let remote = ["KOKI_SERVER": serverURL, "KOKI_SESSION": folder.path("r.session")]
        let login = try KokiProcess.run(
            ["login", "op", "--password-stdin"], environment: remote, input: Secured.password + "\n")
        #expect(login.status == 0, "\(login.stderr)")
        #expect(try koki("account", "1001", as: remote) == (try koki("account", "1001", as: op)))
    }
}
