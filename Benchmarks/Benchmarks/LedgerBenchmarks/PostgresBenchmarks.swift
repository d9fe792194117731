import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiProjections
@_spi(Reference) import KokiReadModels
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

    // The city fixture (see CityBenchmarks) copied into a PostgreSQL schema, row for row (not
    // timed), then what a debit request decides from there: every mandate holder's stored state
    // built in the schema from zero (the first time only; the events read back in position order,
    // and beside it, as it was built before, each holder's stream folded), the next year's
    // annual run appended (not timed) and the states caught up (each holder folds what it added),
    // then the states read as a request reads them, up to date. Beside them, the way a request
    // decided before, each mandate holder's stream folded (`CollectionCommands.load`), and the
    // ceiling: every event of the schema read back once. Last, `koki rebuild --check` there: each
    // of the three models compared with a fold from position zero.
    Benchmark(
        "City on PostgreSQL: a debit request's payers from the stored debit states in the schema, vs each mandate holder's stream and reading every event back",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("built from zero ms"),
                Metric.cost("built from zero, each holder's stream ms"),
                Metric.cost("caught up after the annual run ms"), Metric.cost("read up to date ms"),
                Metric.cost("streams folded ms"), Metric.cost("every event read ms"), Metric.cost("mandate holders"),
                Metric.cost("rebuild check: balances ms"), Metric.cost("rebuild check: register ms"),
                Metric.cost("rebuild check: debit states ms"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        try withCityInPostgres(base, schemaPrefix: "bench_debits_") { postgres, url in
            let koki = KokiLedger(postgres)
            let stored = StoredDebits(koki.ports)
            let built = try seconds { try stored.catchUp() }
            let position = try stored.status().position!
            var byStreams: [PersonID: DebitState] = [:]
            let builtByStreams = try seconds {
                byStreams = try stored.foldedFromZero(through: position, byStreams: true).states
            }
            let kept = try stored.states()!.states
            precondition(
                kept.count == byStreams.count
                    && byStreams.allSatisfy { person, state in
                        kept[person].map { $0.version == state.version && $0.stored == state.stored } ?? false
                    }, "the two builds differ")
            _ = try fixture.assessTheYearAfter(on: koki)
            // A fresh connection, as a process starts.
            let fresh = try PostgresLedger.open(url: url)
            defer { fresh.close() }
            let states = StoredDebits(fresh.ports)
            let caughtUp = try seconds { try states.catchUp() }
            var holders: [PersonID] = []
            let read = try seconds { holders = try states.states()!.states.keys.sorted() }
            precondition(!holders.isEmpty)
            let commands = CollectionCommands(KokiLedger(fresh))
            let streams = try seconds {
                for person in holders { blackHole(try commands.load(person).account.outstanding) }
            }
            let scan = try seconds { try fresh.forEachEvent(EventQuery()) { blackHole($0.position) } }
            var equal = true
            let checkBalances = try seconds {
                equal = try StoredBalances(fresh.ports).rebuild(check: true).differences.isEmpty
            }
            let checkRegister = try seconds {
                equal = try equal && StoredRegister(fresh.ports).rebuild(check: true).differences.isEmpty
            }
            let checkDebits = try seconds { equal = try equal && states.rebuild(check: true).differences.isEmpty }
            precondition(equal, "a model in the schema differs from its fold from position zero")
            benchmark.measurement(Metric.cost("built from zero ms"), Int(built * 1000))
            benchmark.measurement(Metric.cost("built from zero, each holder's stream ms"), Int(builtByStreams * 1000))
            benchmark.measurement(Metric.cost("caught up after the annual run ms"), Int(caughtUp * 1000))
            benchmark.measurement(Metric.cost("read up to date ms"), Int(read * 1000))
            benchmark.measurement(Metric.cost("streams folded ms"), Int(streams * 1000))
            benchmark.measurement(Metric.cost("every event read ms"), Int(scan * 1000))
            benchmark.measurement(Metric.cost("mandate holders"), holders.count)
            benchmark.measurement(Metric.cost("rebuild check: balances ms"), Int(checkBalances * 1000))
            benchmark.measurement(Metric.cost("rebuild check: register ms"), Int(checkRegister * 1000))
            benchmark.measurement(Metric.cost("rebuild check: debit states ms"), Int(checkDebits * 1000))
        }
    } setup: {
        _ = CityFixture.shared
    }
}

/// The balances as known at past positions in a PostgreSQL schema (the city fixture copied in,
/// not timed): built, then `koki rebuild --snapshot-every 250000` there (timed), then asked at
/// each checkpoint and halfway between checkpoints, from the schema's snapshots and deltas (or,
/// where most persons changed since the last checkpoint, the ledger read once in position order);
/// beside them, the way a schema answered before, every account folded in memory from the events
/// read back, at the ledger's middle (the answers compared there).
func postgresPastBenchmarks() {
    guard let base = ProcessInfo.processInfo.environment["KOKI_BENCH_POSTGRES"], !base.isEmpty else { return }
    Benchmark(
        "City on PostgreSQL: the balances as known at past positions, from the schema's snapshots and deltas, vs every account folded",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("rebuild with snapshots ms"),
                Metric.cost("at a checkpoint ms (median)"), Metric.cost("between checkpoints ms (median)"),
                Metric.cost("between checkpoints ms (max)"), Metric.cost("read in position order (of those between)"),
                Metric.cost("every account folded ms"),
            ],
            maxIterations: 1)
    ) { benchmark in
        try withCityInPostgres(base, schemaPrefix: "bench_past_") { postgres, _ in
            let balances = StoredBalances(postgres.ports)
            try balances.catchUp()
            let every: Int64 = 250_000
            var recorded: StoredBalances.Rebuild?
            let rebuild = try seconds { recorded = try balances.rebuild(check: false, snapshotEvery: every) }
            let checkpoints = (recorded!.snapshots + recorded!.deltas).sorted().filter { $0 < recorded!.position }
            precondition(checkpoints.count >= 2, "too short a ledger for checkpoints every \(every) events")
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            var (at, between, filled) = ([Double](), [Double](), 0)
            for position in checkpoints { at.append(try seconds { blackHole(try balances.rows(through: position)) }) }
            for (earlier, later) in zip(checkpoints, checkpoints.dropFirst()) {
                var answer: StoredBalances.Answer?
                between.append(try seconds { answer = try balances.rows(through: (earlier + later) / 2) })
                if answer!.source == .fold { filled += 1 }
            }
            let middle = recorded!.position / 2
            var folded: [YearBalance] = []
            let fold = try seconds {
                let accounts = try KokiLedger(postgres).replay(CollectionAccounts.self, through: middle).accounts
                folded = accounts.keys.sorted().flatMap { YearBalance.rows(of: $0, accounts[$0]!) }
            }
            let past = try balances.rows(through: middle).rows
            precondition(past == folded, "the past differs from the fold")
            benchmark.measurement(Metric.cost("rebuild with snapshots ms"), Int(rebuild * 1000))
            benchmark.measurement(Metric.cost("at a checkpoint ms (median)"), Int(median(at) * 1000))
            benchmark.measurement(Metric.cost("between checkpoints ms (median)"), Int(median(between) * 1000))
            benchmark.measurement(Metric.cost("between checkpoints ms (max)"), Int(between.max()! * 1000))
            benchmark.measurement(Metric.cost("read in position order (of those between)"), filled)
            benchmark.measurement(Metric.cost("every account folded ms"), Int(fold * 1000))
        }
    } setup: {
        _ = CityFixture.shared
    }
}

/// The city fixture copied row for row (not timed) into a fresh schema of the database at
/// `base`, given to `body` with the schema's address; the schema dropped after.
func withCityInPostgres(_ base: String, schemaPrefix: String, _ body: (PostgresLedger, String) throws -> Void)
    throws
{
    let fixture = CityFixture.shared
    let schema = schemaPrefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
    let url = base + "?schema=\(schema)"
    defer { try? PostgresLedger.dropSchema(url: url) }
    let postgres = try PostgresLedger.create(url: url, ledgerID: fixture.ledger.ledgerID)
    defer { postgres.close() }
    _ = try postgres.copy(from: fixture.ledger)
    try body(postgres, url)
}

/// `koki rebuild --check` and `koki rebuild` of every model kept in a PostgreSQL schema (the city
/// fixture copied in and the models built, not timed): the balances, the register, the debit
/// states and the premiums each folded a pass of persons at a time, compared and written a slice
/// at a time; the anonymous memory each held above the process's before it. Beside them, the
/// baseline: the register's documents (the largest model) read and decoded whole once, as every
/// rebuild there held them (and the fold from zero beside them) before.
func postgresRebuildBenchmarks() {
    guard let base = ProcessInfo.processInfo.environment["KOKI_BENCH_POSTGRES"], !base.isEmpty else { return }
    Benchmark(
        "City on PostgreSQL: every model rebuilt and checked in the schema a slice at a time, vs the register's documents read whole",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("rebuild check ms"), Metric.cost("rebuild check MB anonymous"),
                Metric.cost("rebuild ms"), Metric.cost("rebuild MB anonymous"),
                Metric.cost("register read whole ms"), Metric.cost("register read whole MB anonymous"),
                Metric.cost("rebuild/register read whole MB ‰"),
            ],
            maxIterations: 1)
    ) { benchmark in
        try withCityInPostgres(base, schemaPrefix: "bench_rebuild_") { postgres, _ in
            let (balances, register) = (StoredBalances(postgres.ports), StoredRegister(postgres.ports))
            let (debits, premiums) = (StoredDebits(postgres.ports), StoredPremiums(postgres.ports))
            try balances.catchUp()
            try register.catchUp()
            try debits.catchUp()
            try premiums.catchUp()
            releaseFreedMemory()
            func every(check: Bool) throws -> Bool {
                try balances.rebuild(check: check).differences.isEmpty
                    && register.rebuild(check: check).differences.isEmpty
                    && debits.rebuild(check: check).differences.isEmpty
                    && premiums.rebuild(check: check).differences.isEmpty
            }
            var (equal, persons) = (true, 0)
            let (checkTime, checkMB) = try secondsAndPeakAnonymousMB { equal = try every(check: true) }
            releaseFreedMemory()
            let (rebuildTime, rebuildMB) = try secondsAndPeakAnonymousMB { equal = try equal && every(check: false) }
            releaseFreedMemory()
            let (wholeTime, wholeMB) = try secondsAndPeakAnonymousMB {
                persons = try register.register().register.persons.count
            }
            precondition(equal, "a model in the schema differs from its fold from position zero")
            precondition(persons > 0)
            benchmark.measurement(Metric.cost("rebuild check ms"), Int(checkTime * 1000))
            benchmark.measurement(Metric.cost("rebuild check MB anonymous"), checkMB)
            benchmark.measurement(Metric.cost("rebuild ms"), Int(rebuildTime * 1000))
            benchmark.measurement(Metric.cost("rebuild MB anonymous"), rebuildMB)
            benchmark.measurement(Metric.cost("register read whole ms"), Int(wholeTime * 1000))
            benchmark.measurement(Metric.cost("register read whole MB anonymous"), wholeMB)
            benchmark.measurement(
                Metric.cost("rebuild/register read whole MB ‰"), max(checkMB, rebuildMB) * 1000 / max(wholeMB, 1))
        }
    } setup: {
        _ = CityFixture.shared
    }
}
