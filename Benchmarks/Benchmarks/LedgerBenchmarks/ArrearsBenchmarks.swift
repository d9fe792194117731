import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
@_spi(Reference) import KokiReadModels
import LedgerStore
import LedgerStorePostgres

// The delinquent list (滞納者一覧, `koki arrears list`) in a fresh process: the stored balances'
// rows that may owe, picked out by the store, then each candidate decided from their arrears
// facts — folded from their streams (on two connections) and kept by the first list, read from
// the file by the next. Beside it, in the same run: the first list, which folds; the list folding
// every candidate's stream on one connection (as of the head, where no kept facts are read);
// every balance row read (what picking the candidates cost before); and — on the file — the
// candidates' streams read through plain SQLite (the ceiling of any fold). On a copy of the city
// fixture and (with KOKI_BENCH_POSTGRES) in a PostgreSQL schema it is copied into, which keeps the
// facts as documents.

/// The delinquent list on one store.
struct DelinquentList {
    static let metrics: [BenchmarkMetric] = [
        .wallClock, .peakMemoryResident, Metric.cost("delinquent list ms"), Metric.cost("first list ms"),
        Metric.cost("folding on one connection ms"), Metric.cost("every balance row ms"),
        Metric.cost("plain read of their streams ms"), Metric.cost("persons listed"), Metric.cost("candidates"),
        Metric.cost("persons with facts kept"), Metric.cost("aim ms"),
    ]

    var list: Double
    var first: Double
    var alone: Double
    var everyRow: Double
    var plain: Double?
    var listed: Int
    var candidates: Int
    var kept: Int

    /// Brings the balances up to the head on `ports` (not timed), drops any arrears facts kept
    /// (`dropFacts`), then asks the list on a store opened anew, as a process starts, and again
    /// on another; `plain` reads the candidates' streams the plainest way.
    static func measure(
        building ports: LedgerPorts, fresh: () throws -> LedgerPorts, lastFiscalYear: FiscalYear,
        dropFacts: () -> Void = {}, plain: (([PersonID]) -> Void)? = nil
    ) throws -> Self {
        try StoredBalances(ports).catchUp()
        dropFacts()
        // The day after the last year's final period falls due: the list the city prints then.
        let day = try CivilDate(year: lastFiscalYear.year + 1, month: 5, day: 31)
        var rows: [ArrearsCommands.Delinquent] = []
        let first = try seconds { rows = try ArrearsCommands(KokiLedger(try fresh())).delinquents(on: day) }
        let ledger = KokiLedger(try fresh())
        let arrears = ArrearsCommands(ledger)
        var again: [ArrearsCommands.Delinquent] = []
        let list = try seconds { again = try arrears.delinquents(on: day) }
        precondition(rows == again && !rows.isEmpty, "the list differs from the facts kept")
        let head = try ledger.store.head().position
        var once: [ArrearsCommands.Delinquent] = []
        let alone = try seconds {
            once = try arrears.delinquents(on: day, order: .amount, knownAt: .position(head), readingApartFrom: .max)
        }
        precondition(rows == once, "the list differs on one connection")
        var all = 0
        let everyRow = try seconds { all = try StoredBalances(ledger).rows().rows.count }
        precondition(all > rows.count)
        let settings = try ledger.currentArrearsSettings()
        let candidates = try StoredBalances(ledger).mayBeInArrears(
            on: day, rates: settings?.chargeRates, through: head
        ).persons
        let plainTime = try plain.map { read in try seconds { read(candidates) } }
        return Self(
            list: list, first: first, alone: alone, everyRow: everyRow, plain: plainTime, listed: rows.count,
            candidates: candidates.count, kept: try StoredArrears(ledger.ports).status().rows)
    }

    func report(_ benchmark: Benchmark) {
        benchmark.measurement(Metric.cost("delinquent list ms"), Int(list * 1000))
        benchmark.measurement(Metric.cost("first list ms"), Int(first * 1000))
        benchmark.measurement(Metric.cost("folding on one connection ms"), Int(alone * 1000))
        benchmark.measurement(Metric.cost("every balance row ms"), Int(everyRow * 1000))
        if let plain { benchmark.measurement(Metric.cost("plain read of their streams ms"), Int(plain * 1000)) }
        benchmark.measurement(Metric.cost("persons listed"), listed)
        benchmark.measurement(Metric.cost("candidates"), candidates)
        benchmark.measurement(Metric.cost("persons with facts kept"), kept)
        benchmark.measurement(Metric.cost("aim ms"), 500)
    }
}

func arrearsBenchmarks() {
    Benchmark(
        "City: the delinquent list in a fresh process (the rows that may owe, each candidate's facts kept), vs the first list, folding on one connection, every row, plain SQLite",
        configuration: .init(metrics: DelinquentList.metrics, maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let ledger = fixture.copy(into: scratch)
        let path = scratch.path("copy.ledger")
        let measured = try DelinquentList.measure(
            building: ledger.ports,
            fresh: { try Ledger.open(at: path, options: .init(synchronous: .normal)).ports },
            lastFiscalYear: fixture.lastFiscalYear,
            dropFacts: { PlainSQLite(existing: path, readOnly: false).exec("DROP TABLE IF EXISTS rm_arrears") }
        ) { persons in
            let plain = PlainSQLite(existing: path)
            var bytes = 0
            for person in persons { bytes += plain.loadKokiStream(id: plain.streamID(person.streamName)) }
            blackHole(bytes)
        }
        measured.report(benchmark)
    } setup: {
        _ = CityFixture.shared
    }

    // The arrears facts rebuilt (`koki rebuild`'s last model): every kept person's stream read
    // again, only the events an account folds, while a folding thread decodes and folds the
    // stream before (issue 25) — against each whole stream decoded and folded on one thread, as
    // the rebuild did before, and the same streams read whole through plain SQLite (the ceiling
    // of any read). The persons kept are those the delinquent list decided.
    Benchmark(
        "City: the arrears facts rebuilt (their events only, folded beside the read), vs whole streams on one thread and plain SQLite",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("rebuild ms"), Metric.cost("whole streams on one thread ms"),
                Metric.cost("plain read of their streams ms"), Metric.cost("rebuild/whole streams ‰"),
                Metric.cost("persons kept"), Metric.cost("events folded"), Metric.cost("events of their streams"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let ledger = fixture.copy(into: scratch)
        let path = scratch.path("copy.ledger")
        try StoredBalances(ledger.ports).catchUp()
        let day = try CivilDate(year: fixture.lastFiscalYear.year + 1, month: 5, day: 31)
        _ = try ArrearsCommands(KokiLedger(ledger.ports)).delinquents(on: day)
        let stored = StoredArrears(ledger.ports)
        _ = try stored.rebuild(check: false)
        var rebuilt: StoredArrears.Rebuild?
        let rebuildTime = try seconds { rebuilt = try stored.rebuild(check: true) }
        var whole: (persons: Int, events: Int, equal: Bool)?
        let wholeTime = try seconds { whole = try stored.refoldedWhole() }
        precondition(rebuilt!.differences.isEmpty && whole!.equal && whole!.persons == rebuilt!.persons)
        precondition(rebuilt!.persons > 0 && rebuilt!.events < whole!.events)
        let kept = try PlainSQLite(existing: path).texts("SELECT person FROM rm_arrears ORDER BY person").map {
            try PersonID($0)
        }
        precondition(kept.count == rebuilt!.persons)
        let plainTime = try seconds {
            let plain = PlainSQLite(existing: path)
            var bytes = 0
            for person in kept { bytes += plain.loadKokiStream(id: plain.streamID(person.streamName)) }
            blackHole(bytes)
        }
        benchmark.measurement(Metric.cost("rebuild ms"), Int(rebuildTime * 1000))
        benchmark.measurement(Metric.cost("whole streams on one thread ms"), Int(wholeTime * 1000))
        benchmark.measurement(Metric.cost("plain read of their streams ms"), Int(plainTime * 1000))
        benchmark.measurement(Metric.cost("rebuild/whole streams ‰"), Int(1000 * rebuildTime / wholeTime))
        benchmark.measurement(Metric.cost("persons kept"), rebuilt!.persons)
        benchmark.measurement(Metric.cost("events folded"), rebuilt!.events)
        benchmark.measurement(Metric.cost("events of their streams"), whole!.events)
    } setup: {
        _ = CityFixture.shared
    }

    guard let base = ProcessInfo.processInfo.environment["KOKI_BENCH_POSTGRES"], !base.isEmpty else { return }
    Benchmark(
        "City on PostgreSQL: the delinquent list in a fresh process (the documents that may owe, each candidate's facts kept), vs the first list, folding on one connection, every document",
        configuration: .init(metrics: DelinquentList.metrics, maxIterations: 1)
    ) { benchmark in
        try withCityInPostgres(base, schemaPrefix: "bench_arrears_") { postgres, url in
            var opened: [PostgresLedger] = []
            defer { for store in opened { store.close() } }
            let measured = try DelinquentList.measure(
                building: postgres.ports,
                fresh: {
                    let fresh = try PostgresLedger.open(url: url)
                    opened.append(fresh)
                    return fresh.ports
                }, lastFiscalYear: CityFixture.shared.lastFiscalYear)
            measured.report(benchmark)
        }
    } setup: {
        _ = CityFixture.shared
    }
}
