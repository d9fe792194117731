import Benchmark
import Foundation
import KokiApp
import KokiEvents
import KokiProjections
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

/// The 10,000 × 20 ledger the read benchmarks share, built once (not timed).
struct ReadFixture: @unchecked Sendable {
    // @unchecked: built once before any benchmark reads it, then only read.
    let scratch = Scratch()
    let path: String
    let ledger: Ledger
    let events: Int
    let streamIDs: [Int64]
    let streamNames: [StreamName]

    static let shared = ReadFixture()

    init() {
        path = scratch.path("read.ledger")
        let workload = Workload.kokiEvents(streams: 10_000)
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
        maxIterations: 3
    )
    let pairMetrics = [Metric.kokiRate, Metric.ceilingRate, Metric.ratio]

    // MARK: Append, one command (one transaction) per stream of 20 events

    for (sync, streams) in [("FULL", 2_000), ("NORMAL", 10_000)] {
        for shape in ["koki", "json"] {
            Benchmark(
                "Append \(shape) events, one command per stream, synchronous=\(sync) (\(streams) × 20)",
                configuration: .init(metrics: [.wallClock] + pairMetrics + [Metric.cost("koki bytes/event"), Metric.cost("SQLite bytes/event")])
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
                benchmark.measurement(Metric.cost("koki bytes/event"), fileBytes(scratch.path("append.ledger")) / workload.eventCount)
                benchmark.measurement(Metric.cost("SQLite bytes/event"), fileBytes(scratch.path("plain.sqlite")) / workload.eventCount)
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
    let scanRate = Metric.rate("SQLite scan events/s")
    Benchmark(
        "Read all: decode every event, and replay balances, vs a plain SQLite scan (10,000 × 20 koki events)",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, decodeRate, replayRate, scanRate, Metric.rate("decode/scan ‰"),
                Metric.rate("replay/scan ‰")],
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
        let n = Double(fixture.events)
        benchmark.measurement(decodeRate, Int(n / decodeTime))
        benchmark.measurement(replayRate, Int(n / replayTime))
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

    let loadKoki = Metric.cost("koki load+fold ns/stream")
    let loadPlain = Metric.cost("SQLite load ns/stream")
    let loadStore = Metric.cost("koki store read only ns/stream")
    let loadDecode = Metric.cost("koki read+decode ns/stream")
    Benchmark(
        "Load one person's stream (20 events) and fold it, vs reading it by index in plain SQLite",
        configuration: .init(
            metrics: [.wallClock, loadKoki, loadPlain, Metric.cost("koki/SQLite ‰ time"), loadStore, loadDecode],
            maxIterations: 5)
    ) { benchmark in
        let fixture = ReadFixture.shared
        let koki = KokiLedger(fixture.ledger)
        let plain = PlainSQLite(existing: fixture.path)
        var g = SplitMix64(seed: 3)
        let picks = (0..<2_000).map { _ in Int(g.next(below: UInt64(fixture.streamIDs.count))) }
        let plainTime = seconds { for i in picks { blackHole(plain.loadKokiStream(id: fixture.streamIDs[i])) } }
        let kokiTime = try seconds {
            for i in picks {
                var state = PremiumBalances()
                try koki.forEachEvent(.stream(fixture.streamNames[i])) { _, event in state.apply(event) }
                blackHole(state)
            }
        }
        let storeTime = try seconds {
            for i in picks { try fixture.ledger.forEachEvent(.stream(fixture.streamNames[i])) { blackHole($0.position) } }
        }
        let decodeTime = try seconds {
            for i in picks { try koki.forEachEvent(.stream(fixture.streamNames[i])) { _, event in blackHole(event) } }
        }
        benchmark.measurement(loadStore, Int(storeTime * 1e9 / Double(picks.count)))
        benchmark.measurement(loadDecode, Int(decodeTime * 1e9 / Double(picks.count)))
        benchmark.measurement(loadKoki, Int(kokiTime * 1e9 / Double(picks.count)))
        benchmark.measurement(loadPlain, Int(plainTime * 1e9 / Double(picks.count)))
        benchmark.measurement(Metric.cost("koki/SQLite ‰ time"), Int(1000 * kokiTime / plainTime))
    } setup: {
        _ = ReadFixture.shared
    }
}
