import Benchmark
import Foundation
import LedgerStore
import LedgerStorePostgres

// The same commands appended to the SQLite ledger (full sync, as koki runs it) and to the
// PostgreSQL store, and read back, in the same iteration; and one SQLite ledger copied to
// PostgreSQL. Needs KOKI_BENCH_POSTGRES=postgres://… (a database it may create schemas in);
// without it the benchmark reports nothing.
func postgresBenchmarks() {
    guard let base = ProcessInfo.processInfo.environment["KOKI_BENCH_POSTGRES"], !base.isEmpty else { return }
    Benchmark(
        "Store: 2,000 commands appended and read back — PostgreSQL vs SQLite, and a copy between them",
        configuration: .init(
            metrics: [
                .wallClock, Metric.rate("SQLite commands/s"), Metric.rate("PostgreSQL commands/s"),
                Metric.rate("PostgreSQL/SQLite append ‰"), Metric.rate("SQLite read events/s"),
                Metric.rate("PostgreSQL read events/s"), Metric.rate("copy events/s"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let workload = Workloads.get("koki", streams: 200)
        let requests = Array(workload.requests().prefix(2_000))
        let events = requests.map(\.eventCount).reduce(0, +)
        let scratch = Scratch()
        let sqlite = try Ledger.create(at: scratch.path("s.ledger"))
        let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let url = base + "?schema=\(schema)"
        let copyURL = base + "?schema=\(schema)_copy"
        defer {
            try? PostgresLedger.dropSchema(url: url)
            try? PostgresLedger.dropSchema(url: copyURL)
        }
        let postgres = try PostgresLedger.create(url: url)
        defer { postgres.close() }
        let sqliteAppend = try nanoseconds { for r in requests { _ = try sqlite.append(r) } }
        let postgresAppend = try nanoseconds { for r in requests { _ = try postgres.append(r) } }
        let sqliteRead = try nanoseconds { try sqlite.forEachEvent(EventQuery()) { blackHole($0.position) } }
        let postgresRead = try nanoseconds { try postgres.forEachEvent(EventQuery()) { blackHole($0.position) } }
        let target = try PostgresLedger.create(url: copyURL, ledgerID: sqlite.ledgerID)
        defer { target.close() }
        let copy = try nanoseconds { _ = try target.copy(from: sqlite) }
        let (copied, original) = (try target.head(), try sqlite.head())
        precondition(copied == original)
        func perSecond(_ count: Int, _ ns: Int) -> Int { Int(Double(count) * 1e9 / Double(max(ns, 1))) }
        benchmark.measurement(.custom("SQLite commands/s"), perSecond(requests.count, sqliteAppend))
        benchmark.measurement(.custom("PostgreSQL commands/s"), perSecond(requests.count, postgresAppend))
        benchmark.measurement(.custom("PostgreSQL/SQLite append ‰"), sqliteAppend * 1_000 / max(postgresAppend, 1))
        benchmark.measurement(.custom("SQLite read events/s"), perSecond(events, sqliteRead))
        benchmark.measurement(.custom("PostgreSQL read events/s"), perSecond(events, postgresRead))
        benchmark.measurement(.custom("copy events/s"), perSecond(events, copy))
    }
}
