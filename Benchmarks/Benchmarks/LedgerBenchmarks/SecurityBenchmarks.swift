import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import GRDBSQLite
import LedgerStore

// What access control costs a command: logging in (scrypt at the default cost and the lowest
// allowed), checking a session and role before every command, recording one read of personal
// data, and the record of a whole-city list; the audit log and the yearly review over a year of
// reads. Beside them, in the same run, one plain SQLite insert in its own transaction (FULL sync),
// which every recorded read is at least.
func securityBenchmarks() {
    Benchmark(
        "Access: login, the check before every command, recording reads, the audit log — vs one plain SQLite insert",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("login 2^17 ms"), Metric.cost("login 2^14 ms"),
                Metric.cost("authorize p50 µs"), Metric.cost("authorize p99 µs"), Metric.cost("record read p50 µs"),
                Metric.cost("record read p99 µs"), Metric.cost("SQLite insert p50 µs"),
                Metric.cost("SQLite insert p99 µs"), Metric.rate("authorize/insert ‰"),
                Metric.rate("record read/insert ‰"), Metric.cost("record 70,000 persons ms"),
                Metric.cost("audit log, one person ms"), Metric.cost("audit review ms"), Metric.cost("audit entries"),
                Metric.cost("check as the CLI did p50 µs"), Metric.cost("typed request p50 µs"),
                Metric.cost("typed request p99 µs"), Metric.rate("typed request/check ‰"),
                Metric.cost("authorize, 5,000 sessions later p50 µs"),
                Metric.cost("authorize folding the whole stream p50 µs"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let scratch = Scratch()
        let ledger = KokiLedger(
            try Ledger.create(at: scratch.path("access.ledger")),
            masterKey: try MasterKey(bytes: Array(repeating: 7, count: 32)))
        let control = AccessControl(ledger)
        try control.setUp(administrator: "admin", name: "Admin", password: "admin-password-1")  // cost 2^17
        var loginFull: [Int] = []
        for _ in 0..<3 {
            loginFull.append(
                try nanoseconds { blackHole(try control.login("admin", password: "admin-password-1", terminal: "t")) })
        }
        let adminSession = try control.login("admin", password: "admin-password-1", terminal: "t")
        let admin = try control.authorize(adminSession, function: .securityAdmin, command: "bench", terminal: "t")
        var settings = try control.settings()
        settings.passwordCost = 14
        settings.idleMinutes = 1_440
        try control.adopt(settings, by: admin)
        // 100 operators; one with a year of daily logins behind them (500 events in their stream).
        for n in 0..<100 {
            try control.enroll(
                "op\(n)", name: "Operator \(n)", roles: [.counter], password: "operator-password-1", by: admin)
        }
        var loginLow: [Int] = []
        for _ in 0..<250 {
            var session: SessionCredentials?
            loginLow.append(
                try nanoseconds { session = try control.login("op0", password: "operator-password-1", terminal: "t") })
            try control.logout(session!)
        }
        let session = try control.login("op0", password: "operator-password-1", terminal: "t")
        let persons = try (1...70_000).map { try PersonID(String(300_000_000 + $0)) }
        var authorize: [Int] = []
        var read: [Int] = []
        var context: AccessContext?
        for i in 0..<2_000 {
            authorize.append(
                try nanoseconds {
                    context = try control.authorize(
                        session, function: .registerRead, command: "person show", terminal: "t")
                })
            read.append(
                try nanoseconds {
                    try control.recordRead(context!, persons: [persons[i * 31 % persons.count]], purpose: "窓口")
                })
        }
        // The application core's layer: a typed request run through KokiApplication (the session,
        // the role and the second check, then a handler that does nothing) against the check the
        // command line made before it (the session and the role, then the second check), interleaved.
        let application = KokiApplication(ledger)
        let caller = Caller(credentials: session, terminal: "t", today: try CivilDate(iso: "2026-04-01"))
        var checked: [Int] = []
        var typed: [Int] = []
        for _ in 0..<2_000 {
            checked.append(
                try nanoseconds {
                    let context = try control.authorize(
                        session, function: .registerRead, command: "person show", terminal: "t")
                    try control.requireSecondCheck(context, arguments: [], confirming: nil)
                })
            typed.append(try nanoseconds { blackHole(try application.run(Probe(), as: caller)) })
        }
        // The check stays constant as the operator's history grows: five years of sessions
        // (5,000 opened and closed: 10,000 more events in their stream), then a fresh login, checked
        // as issued and as a session of an older koki (no opening recorded: the whole stream folded).
        for n in 0..<5_000 {
            let id = "padding-\(n)"
            _ = try ledger.record(
                [
                    .access(
                        .sessionOpened(
                            SessionOpened(
                                operatorID: "op0", session: id, terminal: "t", tokenDigest: Array(repeating: 0, count: 32),
                                expiresAt: 0))),
                    .access(.sessionClosed(SessionClosed(operatorID: "op0", session: id, reason: .logout))),
                ], metadata: CommandMetadata(actor: "op0"))
        }
        let later = try control.login("op0", password: "operator-password-1", terminal: "t")
        var older = later
        older.opened = nil
        var laterChecks: [Int] = []
        var folding: [Int] = []
        for _ in 0..<500 {
            laterChecks.append(
                try nanoseconds {
                    blackHole(try control.authorize(later, function: .registerRead, command: "person show", terminal: "t"))
                })
            folding.append(
                try nanoseconds {
                    blackHole(try control.authorize(older, function: .registerRead, command: "person show", terminal: "t"))
                })
        }
        let whole = try nanoseconds { try control.recordRead(context!, persons: persons, purpose: nil) }
        var entries = 0
        let logTime = try nanoseconds { entries = try control.auditLog(AuditFilter(person: persons[62])).count }
        precondition(entries >= 1)
        let total = try control.auditLog().count
        let reviewTime = try nanoseconds { blackHole(try control.review(from: nil, before: nil)) }

        // The baseline: one row inserted and committed alone, with FULL sync, as a recorded read is.
        let plain = PlainSQLite(path: scratch.path("plain.sqlite"), synchronous: "FULL")
        let insert = plain.prepare(
            "INSERT INTO events(position, stream, version, type, payload, hash) VALUES (?, 'audit/op0', ?, 'PersonalDataAccessed', x'00112233445566778899', x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')"
        )
        var inserts: [Int] = []
        for i in 1...2_000 {
            inserts.append(
                nanoseconds {
                    sqlite3_bind_int64(insert, 1, Int64(i))
                    sqlite3_bind_int64(insert, 2, Int64(i))
                    precondition(sqlite3_step(insert) == SQLITE_DONE)
                    sqlite3_reset(insert)
                })
        }
        sqlite3_finalize(insert)

        func ms(_ ns: Int) -> Int { ns / 1_000_000 }
        func us(_ ns: Int) -> Int { ns / 1_000 }
        let insertP50 = percentile(inserts, 50)
        benchmark.measurement(.custom("login 2^17 ms"), ms(percentile(loginFull, 50)))
        benchmark.measurement(.custom("login 2^14 ms"), ms(percentile(loginLow, 50)))
        benchmark.measurement(.custom("authorize p50 µs"), us(percentile(authorize, 50)))
        benchmark.measurement(.custom("authorize p99 µs"), us(percentile(authorize, 99)))
        benchmark.measurement(.custom("record read p50 µs"), us(percentile(read, 50)))
        benchmark.measurement(.custom("record read p99 µs"), us(percentile(read, 99)))
        benchmark.measurement(.custom("SQLite insert p50 µs"), us(insertP50))
        benchmark.measurement(.custom("SQLite insert p99 µs"), us(percentile(inserts, 99)))
        benchmark.measurement(.custom("authorize/insert ‰"), percentile(authorize, 50) * 1_000 / max(insertP50, 1))
        benchmark.measurement(.custom("record read/insert ‰"), percentile(read, 50) * 1_000 / max(insertP50, 1))
        benchmark.measurement(.custom("record 70,000 persons ms"), ms(whole))
        benchmark.measurement(.custom("audit log, one person ms"), ms(logTime))
        benchmark.measurement(.custom("audit review ms"), ms(reviewTime))
        benchmark.measurement(.custom("audit entries"), total)
        benchmark.measurement(.custom("check as the CLI did p50 µs"), us(percentile(checked, 50)))
        benchmark.measurement(.custom("typed request p50 µs"), us(percentile(typed, 50)))
        benchmark.measurement(.custom("typed request p99 µs"), us(percentile(typed, 99)))
        benchmark.measurement(
            .custom("typed request/check ‰"), percentile(typed, 50) * 1_000 / max(percentile(checked, 50), 1))
        benchmark.measurement(.custom("authorize, 5,000 sessions later p50 µs"), us(percentile(laterChecks, 50)))
        benchmark.measurement(.custom("authorize folding the whole stream p50 µs"), us(percentile(folding, 50)))
    }
}

/// A query that does nothing: what the application core's layer costs by itself.
struct Probe: KokiRequest {
    static let name = "person show"
    static let function: AccessFunction? = .registerRead
    static let isQuery = true

    func handle(_ scope: RequestScope) throws -> Int { scope.context.operatorID.count }
}
