import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiSimulation
import LedgerStore

// The peer of shared/PERFORMANCE.md — the Python `eventsourcing` library on SQLite — run on the
// same events in the same iteration as koki, so the ratios hold on a noisy machine. The peer's
// side is Benchmarks/Peer/eventsourcing_peer.py, in the environment Benchmarks/Peer/setup.sh
// makes (or the Python $KOKI_PEER_PYTHON names); without it the benchmark says so and records
// nothing.

enum Peer {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peer")

    /// The Python that has the library, if any.
    static var python: String? {
        let candidates = [ProcessInfo.processInfo.environment["KOKI_PEER_PYTHON"], folder.path + "/.venv/bin/python"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The peer's figures (see the script's description).
    struct Figures: Decodable {
        var events: Int
        var appendEventsPerSecond: Int
        var replayEventsPerSecond: Int
        var loadP50Nanoseconds: Int
        var loadP99Nanoseconds: Int
        var bytesPerEvent: Int
        var assessed: Int64
        var paid: Int64
    }

    /// Runs the peer on a workload file; its figures, or why not.
    static func run(python: String, workload: String, database: String, synchronous: String) throws -> Figures {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [folder.path + "/eventsourcing_peer.py", workload, database]
        var environment = ProcessInfo.processInfo.environment
        environment["PEER_SYNCHRONOUS"] = synchronous
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PeerFailure(message: "the peer exited with status \(process.terminationStatus)")
        }
        return try JSONDecoder().decode(Figures.self, from: bytes)
    }

    struct PeerFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The workload as the peer reads it: one JSON object a line, each koki event's stream, type
    /// and fields (as `koki events` prints them).
    static func write(_ workload: Workload, to path: String) throws {
        var text = ""
        text.reserveCapacity(workload.eventCount * 400)
        for stream in workload.streams {
            for row in stream.rows {
                guard let decode = EventRegistry.decoder(type: row.type, version: row.schemaVersion) else {
                    throw PeerFailure(message: "no decoder for \(row.type) v\(row.schemaVersion)")
                }
                let person = EventRegistry.streamPerson(stream.name.value)
                let fields = try row.payload.withUnsafeBytes { try decode($0, person) }.jsonPayload()
                text += #"{"stream":"\#(stream.name.value)","type":"\#(row.type)","data":\#(fields)}"# + "\n"
            }
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Money folded the way the peer folds it: what was assessed and what was paid.
    static func amounts(_ event: KokiEvent) -> (assessed: Int64, paid: Int64) {
        switch event {
        case .premiumAssessed(let e): (e.annualPremium.amount, 0)
        case .paymentReceived(let e): (0, e.amount.amount)
        default: (0, 0)
        }
    }
}

func peerBenchmarks() {
    let kokiAppend = Metric.rate("koki append events/s")
    let peerAppend = Metric.rate("peer append events/s")
    let kokiReplay = Metric.rate("koki replay events/s")
    let peerReplay = Metric.rate("peer replay events/s")
    let kokiLoad = Metric.cost("koki load p50 ns")
    let kokiLoad99 = Metric.cost("koki load p99 ns")
    let peerLoad = Metric.cost("peer load p50 ns")
    let peerLoad99 = Metric.cost("peer load p99 ns")
    let kokiBytes = Metric.cost("koki bytes/event")
    let peerBytes = Metric.cost("peer bytes/event")
    let appendRatio = Metric.rate("append koki/peer ×10")
    let replayRatio = Metric.rate("replay koki/peer ×10")
    let loadRatio = Metric.rate("load peer/koki ×10 (p50 time)")
    for (sync, streams) in [("FULL", 2_000), ("NORMAL", 10_000)] {
        Benchmark(
            "Peer: koki vs the Python eventsourcing library on SQLite, the same koki events (\(streams) × 20, synchronous=\(sync))",
            configuration: .init(
                metrics: [
                    .wallClock, kokiAppend, peerAppend, appendRatio, kokiReplay, peerReplay, replayRatio, kokiLoad,
                    kokiLoad99, peerLoad, peerLoad99, loadRatio, kokiBytes, peerBytes,
                ],
                maxIterations: 3)
        ) { benchmark in
            guard let python = Peer.python else {
                print("Peer benchmark skipped: no Python with the eventsourcing library (run Benchmarks/Peer/setup.sh, or set KOKI_PEER_PYTHON)")
                return
            }
            let workload = Workloads.get("koki", streams: streams)
            let scratch = Scratch()
            try Peer.write(workload, to: scratch.path("workload.jsonl"))
            let peer = try Peer.run(
                python: python, workload: scratch.path("workload.jsonl"), database: scratch.path("peer.sqlite"),
                synchronous: sync)
            precondition(peer.events == workload.eventCount)

            // koki: the same events, one command (one transaction) per person.
            let path = scratch.path("koki.ledger")
            let ledger = try Ledger.create(at: path, options: .init(synchronous: sync == "FULL" ? .full : .normal))
            let requests = workload.requests()
            let appendTime = try seconds { for request in requests { try ledger.append(request) } }
            // Every event in order, decoded and folded into per-person balances.
            let koki = KokiLedger(ledger)
            var balances: [String: (assessed: Int64, paid: Int64)] = [:]
            let replayTime = try seconds {
                try koki.forEachEvent { view, event in
                    let (assessed, paid) = Peer.amounts(event)
                    balances[view.stream.value, default: (0, 0)].assessed += assessed
                    balances[view.stream.value, default: (0, 0)].paid += paid
                }
            }
            // Both stores read back the same money.
            precondition(balances.values.map(\.assessed).reduce(0, +) == peer.assessed)
            precondition(balances.values.map(\.paid).reduce(0, +) == peer.paid)
            // One person's stream loaded and folded, 2,000 random persons, each timed.
            var g = SplitMix64(seed: 3)
            let names = workload.streams.map(\.name)
            let loadTimes = try (0..<2_000).map { _ in
                let name = names[Int(g.next(below: UInt64(names.count)))]
                return try nanoseconds {
                    var balance: (Int64, Int64) = (0, 0)
                    try koki.forEachEvent(.stream(name)) { _, event in
                        let (assessed, paid) = Peer.amounts(event)
                        balance = (balance.0 + assessed, balance.1 + paid)
                    }
                    blackHole(balance)
                }
            }
            PlainSQLite(existing: path, readOnly: false).checkpoint()
            let n = Double(workload.eventCount)
            let kokiAppendRate = Int(n / appendTime)
            let kokiReplayRate = Int(n / replayTime)
            let load50 = percentile(loadTimes, 50)
            benchmark.measurement(kokiAppend, kokiAppendRate)
            benchmark.measurement(peerAppend, peer.appendEventsPerSecond)
            benchmark.measurement(appendRatio, 10 * kokiAppendRate / max(1, peer.appendEventsPerSecond))
            benchmark.measurement(kokiReplay, kokiReplayRate)
            benchmark.measurement(peerReplay, peer.replayEventsPerSecond)
            benchmark.measurement(replayRatio, 10 * kokiReplayRate / max(1, peer.replayEventsPerSecond))
            benchmark.measurement(kokiLoad, load50)
            benchmark.measurement(kokiLoad99, percentile(loadTimes, 99))
            benchmark.measurement(peerLoad, peer.loadP50Nanoseconds)
            benchmark.measurement(peerLoad99, peer.loadP99Nanoseconds)
            benchmark.measurement(loadRatio, 10 * peer.loadP50Nanoseconds / max(1, load50))
            benchmark.measurement(kokiBytes, fileBytes(path) / workload.eventCount)
            benchmark.measurement(peerBytes, peer.bytesPerEvent)
        }
    }
}
