import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiEvents
import KokiProjections
import KokiSimulation
import LedgerStore

// Every benchmark runs koki and its plain-SQLite ceiling in the same iteration and reports both
// rates and their ratio (in thousandths), so the figure to quote holds however noisy the
// shared machine is. Rates are events per second; times are nanoseconds.

enum Metric {
    static func rate(_ name: String) -> BenchmarkMetric {
        .custom(name, polarity: .prefersLarger, useScalingFactor: false)
    }
    static func cost(_ name: String) -> BenchmarkMetric {
        .custom(name, polarity: .prefersSmaller, useScalingFactor: false)
    }
    static let kokiRate = rate("koki events/s")
    static let ceilingRate = rate("SQLite events/s")
    static let ratio = rate("koki/SQLite ‰")
}

/// The 10,000 × 20 ledger the read benchmarks share, built once per process (not timed; the
/// benchmark tool runs each benchmark in a process of its own).
struct ReadFixture: @unchecked Sendable {
    // @unchecked: built once before any benchmark reads it, then only read.
    let scratch = Scratch(removeAtExit: true)
    let path: String
    let ledger: Ledger
    let events: Int
    let streamIDs: [Int64]
    let streamNames: [StreamName]

    static let shared = ReadFixture()

    /// The same rows as plain SQLite's table (one transaction), for the bytes-per-event ceiling.
    static let ceilingPath: String = {
        let path = shared.scratch.path("ceiling.sqlite")
        PlainSQLite(path: path, synchronous: "NORMAL").insert(
            Workloads.get("koki", streams: 10_000), oneTransaction: true)
        return path
    }()

    init() {
        path = scratch.path("read.ledger")
        let workload = Workloads.get("koki", streams: 10_000)
        ledger = try! Ledger.create(at: path, options: .init(synchronous: .normal))
        for request in workload.requests() { try! ledger.append(request) }
        events = workload.eventCount
        streamNames = workload.streams.map(\.name)
        // koki assigns stream ids in order of first append.
        streamIDs = Array(1...Int64(workload.streams.count))
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock],
        warmupIterations: 0,
        maxDuration: .seconds(60),
        maxIterations: 5
    )
    collectionBenchmarks()
    cityBenchmarks()
    readModelBenchmarks()
    securityBenchmarks()
    noticeBenchmarks()
    counterBenchmarks()
    postgresBenchmarks()
    postgresPastBenchmarks()
    postgresRebuildBenchmarks()
    registerBenchmarks()
    arrearsBenchmarks()
    pensionBenchmarks()
    keyedChainBenchmarks()
    peerBenchmarks()
    simulationBenchmarks()
    processBenchmarks()
    let pairMetrics = [Metric.kokiRate, Metric.ceilingRate, Metric.ratio]

    // MARK: Append, one command (one transaction) per stream of 20 events

    for (sync, streams) in [("FULL", 2_000), ("NORMAL", 10_000)] {
        for shape in ["koki", "json"] {
            Benchmark(
                "Append \(shape) events, one command per stream, synchronous=\(sync) (\(streams) × 20)",
                configuration: .init(
                    metrics: [.wallClock] + pairMetrics
                        + [
                            Metric.cost("koki bytes/event"), Metric.cost("SQLite bytes/event"),
                            Metric.cost("mean payload bytes"),
                        ])
            ) { benchmark in
                let workload = Workloads.get(shape, streams: streams)
                let scratch = Scratch()
                let requests = workload.requests()
                let ledger = try Ledger.create(
                    at: scratch.path("append.ledger"),
                    options: .init(synchronous: sync == "FULL" ? .full : .normal))
                let kokiTime = try seconds { for request in requests { try ledger.append(request) } }
                let plain = PlainSQLite(path: scratch.path("plain.sqlite"), synchronous: sync)
                let plainTime = seconds { plain.insert(workload, oneTransaction: false) }
                let n = Double(workload.eventCount)
                benchmark.measurement(Metric.kokiRate, Int(n / kokiTime))
                benchmark.measurement(Metric.ceilingRate, Int(n / plainTime))
                benchmark.measurement(Metric.ratio, Int(1000 * plainTime / kokiTime))
                benchmark.measurement(
                    Metric.cost("koki bytes/event"), fileBytes(scratch.path("append.ledger")) / workload.eventCount)
                benchmark.measurement(
                    Metric.cost("SQLite bytes/event"), fileBytes(scratch.path("plain.sqlite")) / workload.eventCount)
                benchmark.measurement(Metric.cost("mean payload bytes"), workload.meanPayload)
            }
        }
    }

    // MARK: Bulk import: one command of 200,000 events

    Benchmark(
        "Bulk import: one command of 200,000 koki events vs one SQLite transaction",
        configuration: .init(metrics: [.wallClock] + pairMetrics)
    ) { benchmark in
        let bulk = Workloads.get("koki", streams: 10_000)
        let scratch = Scratch()
        let parts = bulk.requests().map { $0.streams[0] }
        let request = AppendRequest(commandID: .random(), actor: "bench", streams: parts)
        let ledger = try Ledger.create(at: scratch.path("bulk.ledger"))
        let kokiTime = try seconds { try ledger.append(request) }
        let plain = PlainSQLite(path: scratch.path("plain.sqlite"))
        let plainTime = seconds { plain.insert(bulk, oneTransaction: true) }
        let n = Double(bulk.eventCount)
        benchmark.measurement(Metric.kokiRate, Int(n / kokiTime))
        benchmark.measurement(Metric.ceilingRate, Int(n / plainTime))
        benchmark.measurement(Metric.ratio, Int(1000 * plainTime / kokiTime))
    }

    // MARK: Reading the 200,000-event ledger

    let decodeRate = Metric.rate("koki read+decode events/s")
    let replayRate = Metric.rate("koki replay balances events/s")
    let collectionRate = Metric.rate("koki replay collection accounts events/s")
    let scanRate = Metric.rate("SQLite scan events/s")
    Benchmark(
        "Read all: decode every event, and replay balances, vs a plain SQLite scan (10,000 × 20 koki events)",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, decodeRate, replayRate, collectionRate, scanRate,
                Metric.rate("decode/scan ‰"),
                Metric.rate("replay/scan ‰"),
            ],
            maxIterations: 5)
    ) { benchmark in
        let fixture = ReadFixture.shared
        let plain = PlainSQLite(existing: fixture.path)
        var scanned = 0
        let scanTime = seconds { scanned = plain.scanKokiEvents().rows }
        precondition(scanned == fixture.events)
        let koki = KokiLedger(fixture.ledger)
        var decoded = 0
        let decodeTime = try seconds {
            try koki.forEachEvent { _, event in
                blackHole(event)
                decoded += 1
            }
        }
        precondition(decoded == fixture.events)
        var balances = PremiumBalances()
        let replayTime = try seconds { balances = try koki.replay(PremiumBalances.self) }
        blackHole(balances)
        var collection = CollectionAccounts()
        let collectionTime = try seconds { collection = try koki.replay(CollectionAccounts.self) }
        precondition(collection.moneyIsConserved)
        let n = Double(fixture.events)
        benchmark.measurement(decodeRate, Int(n / decodeTime))
        benchmark.measurement(replayRate, Int(n / replayTime))
        benchmark.measurement(collectionRate, Int(n / collectionTime))
        benchmark.measurement(scanRate, Int(n / scanTime))
        benchmark.measurement(Metric.rate("decode/scan ‰"), Int(1000 * scanTime / decodeTime))
        benchmark.measurement(Metric.rate("replay/scan ‰"), Int(1000 * scanTime / replayTime))
    } setup: {
        _ = ReadFixture.shared
    }

    let verifyChain = Metric.rate("verify chain events/s")
    let verifyFull = Metric.rate("verify with integrity_check events/s")
    Benchmark(
        "Verify the hash chain (10,000 × 20 koki events)",
        configuration: .init(metrics: [.wallClock, verifyChain, verifyFull])
    ) { benchmark in
        let fixture = ReadFixture.shared
        var report: VerifyReport?
        let chain = try seconds { report = try fixture.ledger.verify(checkFile: false) }
        precondition(report?.isIntact == true)
        let full = try seconds { report = try fixture.ledger.verify(checkFile: true) }
        precondition(report?.isIntact == true)
        benchmark.measurement(verifyChain, Int(Double(fixture.events) / chain))
        benchmark.measurement(verifyFull, Int(Double(fixture.events) / full))
    } setup: {
        _ = ReadFixture.shared
    }

    // Each of 2,000 loads per iteration is timed on its own: the figures are the median and
    // 99th percentile of one load, in nanoseconds (the same random persons for every reader).
    let loadFold50 = Metric.cost("koki load+fold p50 ns")
    let loadFold99 = Metric.cost("koki load+fold p99 ns")
    let loadArray50 = Metric.cost("koki events(in:)+decode+fold p50 ns")
    let loadStore50 = Metric.cost("koki store read only p50 ns")
    let loadPlain50 = Metric.cost("SQLite load p50 ns")
    let loadPlain99 = Metric.cost("SQLite load p99 ns")
    let loadRatio = Metric.cost("koki/SQLite ‰ time p50")
    Benchmark(
        "Load one person's stream (20 events) and fold it, vs reading it by index in plain SQLite",
        configuration: .init(
            metrics: [
                .wallClock, loadFold50, loadFold99, loadArray50, loadStore50, loadPlain50, loadPlain99, loadRatio,
            ],
            maxIterations: 5)
    ) { benchmark in
        let fixture = ReadFixture.shared
        let koki = KokiLedger(fixture.ledger)
        let plain = PlainSQLite(existing: fixture.path)
        var g = SplitMix64(seed: 3)
        let picks = (0..<2_000).map { _ in Int(g.next(below: UInt64(fixture.streamIDs.count))) }
        let plainTimes = picks.map { i in nanoseconds { blackHole(plain.loadKokiStream(id: fixture.streamIDs[i])) } }
        let foldTimes = try picks.map { i in
            try nanoseconds {
                var state = PremiumBalances()
                try koki.forEachEvent(.stream(fixture.streamNames[i])) { _, event in state.apply(event) }
                blackHole(state)
            }
        }
        let arrayTimes = try picks.map { i in
            try nanoseconds {
                var state = PremiumBalances()
                for recorded in try fixture.ledger.events(in: fixture.streamNames[i]) {
                    let decode = EventRegistry.decoder(type: recorded.type, version: recorded.schemaVersion)!
                    state.apply(
                        try recorded.payload.withUnsafeBytes {
                            try decode($0, EventRegistry.streamPerson(recorded.stream.value))
                        })
                }
                blackHole(state)
            }
        }
        let storeTimes = try picks.map { i in
            try nanoseconds {
                try fixture.ledger.forEachEvent(.stream(fixture.streamNames[i])) { blackHole($0.position) }
            }
        }
        benchmark.measurement(loadFold50, percentile(foldTimes, 50))
        benchmark.measurement(loadFold99, percentile(foldTimes, 99))
        benchmark.measurement(loadArray50, percentile(arrayTimes, 50))
        benchmark.measurement(loadStore50, percentile(storeTimes, 50))
        benchmark.measurement(loadPlain50, percentile(plainTimes, 50))
        benchmark.measurement(loadPlain99, percentile(plainTimes, 99))
        benchmark.measurement(loadRatio, 1000 * percentile(foldTimes, 50) / max(1, percentile(plainTimes, 50)))
    } setup: {
        _ = ReadFixture.shared
    }

    // MARK: Bytes per event on disk

    let kokiBytes = Metric.cost("koki bytes/event")
    let plainBytes = Metric.cost("SQLite bytes/event")
    Benchmark(
        "Bytes per event on disk after a checkpoint (10,000 × 20 koki events) vs the plain SQLite table",
        configuration: .init(
            metrics: [kokiBytes, plainBytes, Metric.cost("koki/SQLite ‰ bytes"), Metric.cost("mean payload bytes")],
            maxIterations: 1)
    ) { benchmark in
        let fixture = ReadFixture.shared
        // Checkpoint both files (TRUNCATE) so the main file holds everything and the WAL is empty.
        PlainSQLite(existing: fixture.path, readOnly: false).checkpoint()
        PlainSQLite(existing: ReadFixture.ceilingPath, readOnly: false).checkpoint()
        let koki = fileBytes(fixture.path)
        let plain = fileBytes(ReadFixture.ceilingPath)
        benchmark.measurement(kokiBytes, koki / fixture.events)
        benchmark.measurement(plainBytes, plain / fixture.events)
        benchmark.measurement(Metric.cost("koki/SQLite ‰ bytes"), 1000 * koki / plain)
        benchmark.measurement(Metric.cost("mean payload bytes"), Workloads.get("koki", streams: 10_000).meanPayload)
    } setup: {
        _ = ReadFixture.ceilingPath
    }
}
