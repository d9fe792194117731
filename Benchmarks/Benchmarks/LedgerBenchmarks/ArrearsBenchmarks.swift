import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiReadModels
import LedgerStore
import LedgerStorePostgres

// The delinquent list (滞納者一覧, `koki arrears list`) in a fresh process: the stored balances'
// rows that may owe, picked out by the store, then each candidate decided from their own stream,
// the candidates shared between two connections. Beside it, in the same run: the same list on one
// connection, every balance row read (what picking the candidates cost before), and — on the file
// — the candidates' streams read through plain SQLite (the ceiling). On a copy of the city fixture
// and (with KOKI_BENCH_POSTGRES) in a PostgreSQL schema it is copied into.

/// The delinquent list on one store.
struct DelinquentList {
    static let metrics: [BenchmarkMetric] = [
        .wallClock, .peakMemoryResident, Metric.cost("delinquent list ms"), Metric.cost("one connection ms"),
        Metric.cost("every balance row ms"), Metric.cost("plain read of their streams ms"),
        Metric.cost("persons listed"), Metric.cost("candidates"), Metric.cost("aim ms"),
    ]

    var list: Double
    var alone: Double
    var everyRow: Double
    var plain: Double?
    var listed: Int
    var candidates: Int

    /// Brings the balances up to the head on `ports` (not timed), then asks the list on a store
    /// opened anew, as a process starts; `plain` reads the candidates' streams the plainest way.
    static func measure(
        building ports: LedgerPorts, fresh: () throws -> LedgerPorts, lastFiscalYear: FiscalYear,
        plain: (([PersonID]) -> Void)? = nil
    ) throws -> Self {
        try StoredBalances(ports).catchUp()
        let ledger = KokiLedger(try fresh())
        // The day after the last year's final period falls due: the list the city prints then.
        let day = try CivilDate(year: lastFiscalYear.year + 1, month: 5, day: 31)
        let arrears = ArrearsCommands(ledger)
        var rows: [ArrearsCommands.Delinquent] = []
        let list = try seconds { rows = try arrears.delinquents(on: day) }
        var once: [ArrearsCommands.Delinquent] = []
        let alone = try seconds {
            once = try arrears.delinquents(on: day, order: .amount, knownAt: nil, readingApartFrom: .max)
        }
        precondition(rows == once && !rows.isEmpty, "the list differs on one connection")
        var all = 0
        let everyRow = try seconds { all = try StoredBalances(ledger).rows().rows.count }
        precondition(all > rows.count)
        let head = try ledger.store.head().position
        let settings = try ledger.currentArrearsSettings()
        let candidates = try StoredBalances(ledger).mayBeInArrears(
            on: day, rates: settings?.chargeRates, through: head
        ).persons
        let plainTime = try plain.map { read in try seconds { read(candidates) } }
        return Self(
            list: list, alone: alone, everyRow: everyRow, plain: plainTime, listed: rows.count,
            candidates: candidates.count)
    }

    func report(_ benchmark: Benchmark) {
        benchmark.measurement(Metric.cost("delinquent list ms"), Int(list * 1000))
        benchmark.measurement(Metric.cost("one connection ms"), Int(alone * 1000))
        benchmark.measurement(Metric.cost("every balance row ms"), Int(everyRow * 1000))
        if let plain { benchmark.measurement(Metric.cost("plain read of their streams ms"), Int(plain * 1000)) }
        benchmark.measurement(Metric.cost("persons listed"), listed)
        benchmark.measurement(Metric.cost("candidates"), candidates)
        benchmark.measurement(Metric.cost("aim ms"), 500)
    }
}

func arrearsBenchmarks() {
    Benchmark(
        "City: the delinquent list in a fresh process (the rows that may owe, each candidate's stream on two connections), vs one connection, every row, plain SQLite",
        configuration: .init(metrics: DelinquentList.metrics, maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let ledger = fixture.copy(into: scratch)
        let path = scratch.path("copy.ledger")
        let measured = try DelinquentList.measure(
            building: ledger.ports,
            fresh: { try Ledger.open(at: path, options: .init(synchronous: .normal)).ports },
            lastFiscalYear: fixture.lastFiscalYear
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

    guard let base = ProcessInfo.processInfo.environment["KOKI_BENCH_POSTGRES"], !base.isEmpty else { return }
    Benchmark(
        "City on PostgreSQL: the delinquent list in a fresh process (the documents that may owe, each candidate's stream on two connections), vs one connection, every document",
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
