import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
@_spi(Reference) import KokiReadModels
import KokiSimulation
import LedgerStore
import Synchronization

/// The benchmark workload: streams of 20 events each, pre-encoded before anything is timed.
///
/// Two shapes: koki's own events (a demo city over two fiscal years: an assessment with nine
/// installments, then payments or dunning notices, per year) in their compact binary encoding;
/// and JSON payloads of 150–250 bytes shaped like the baseline in `shared/PERFORMANCE.md`, so
/// the store can be compared with the figures measured there.
struct Workload: Sendable {
    struct Row: Sendable {
        var type: String
        var schemaVersion: Int = 1
        var payload: [UInt8]
    }

    var name: String
    var streams: [(name: StreamName, rows: [Row])]

    var eventCount: Int { streams.reduce(0) { $0 + $1.rows.count } }
    var meanPayload: Int { streams.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.payload.count } } / max(1, eventCount) }

    func prefix(_ count: Int) -> Workload { Workload(name: name, streams: Array(streams.prefix(count))) }

    /// One command per stream, each expecting a new stream.
    func requests() -> [AppendRequest] {
        streams.enumerated().map { index, stream in
            AppendRequest(
                commandID: Identifier(derivedFrom: Array("bench/\(name)/\(index)".utf8)), actor: "bench",
                stream: stream.name, expectedVersion: .noStream,
                events: stream.rows.map {
                    NewEvent(type: $0.type, schemaVersion: $0.schemaVersion, payload: $0.payload)
                })
        }
    }

    static func kokiEvents(streams count: Int) -> Workload {
        let years = [
            DemoCity(persons: count, fiscalYear: try! FiscalYear(2025)),
            DemoCity(persons: count, fiscalYear: try! FiscalYear(2026)),
        ]
        var streams: [(StreamName, [Row])] = []
        for person in 1...count {
            var rows: [Row] = []
            for city in years {
                for command in city.commands(forPerson: person) {
                    for event in command {
                        let encoded = EventRegistry.encode(event)
                        rows.append(
                            Row(type: encoded.type, schemaVersion: encoded.schemaVersion, payload: encoded.payload))
                    }
                }
            }
            streams.append((try! StreamName(years[0].person(person).streamName), rows))
        }
        return Workload(name: "koki", streams: streams.map { ($0.0, $0.1) })
    }

    static func json(streams count: Int) -> Workload {
        var g = SplitMix64(seed: 2026)
        let types = ["PremiumAssessed", "PaymentReceived", "DunningNoticeIssued"]
        var streams: [(StreamName, [Row])] = []
        for person in 1...count {
            let rows = (0..<20).map { i -> Row in
                let type = i == 0 || i == 10 ? types[0] : types[1 + Int(g.next(below: 2))]
                var text =
                    #"{"person":"\#(100_000_000 + person)","fiscalYear":\#(2025 + i / 10),"period":\#(i % 10),"amount":\#(g.next(below: 90_000) + 1_000),"date":"2025-\#(7 + i % 5)-\#(10 + i % 18)","channel":"bankDebit","operator":"op-\#(g.next(below: 400))","note":""#
                let target = 150 + Int(g.next(below: 101))
                while text.utf8.count < target - 2 {
                    text.append(Character(UnicodeScalar(UInt8(97 + g.next(below: 26)))))
                }
                text += #""}"#
                return Row(type: type, payload: Array(text.utf8))
            }
            streams.append((try! StreamName("person/\(100_000_000 + person)"), rows))
        }
        return Workload(name: "json", streams: streams.map { ($0.0, $0.1) })
    }
}

/// A scratch folder for ledger files, removed on deinit — or, for a fixture held by a static
/// (never deinitialized), when the process exits.
final class Scratch {
    let url: URL

    init(removeAtExit: Bool = false) {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("koki-bench-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if removeAtExit { ExitCleanup.remove(url) }
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Folders to remove when the benchmark process exits (each benchmark runs in a process of its
/// own, which builds its own copy of a shared fixture).
enum ExitCleanup {
    private static let folders = Mutex<[URL]>([])
    private static let registered: Void = {
        atexit {
            for url in ExitCleanup.folders.withLock({ $0 }) { try? FileManager.default.removeItem(at: url) }
        }
    }()

    static func remove(_ url: URL) {
        _ = registered
        folders.withLock { $0.append(url) }
    }
}

/// Seconds spent in `body`, by the monotonic clock.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Nanoseconds spent in `body`, by the monotonic clock.
func nanoseconds(_ body: () throws -> Void) rethrows -> Int {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Int(d.components.seconds) * 1_000_000_000 + Int(d.components.attoseconds / 1_000_000_000)
}

/// The `p`-th percentile (nearest rank) of some samples.
func percentile(_ samples: [Int], _ p: Int) -> Int {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, max(0, (sorted.count * p + 99) / 100 - 1))]
}

func fileBytes(_ path: String) -> Int {
    ["", "-wal"].reduce(0) { sum, suffix in
        sum + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
    }
}

/// Workloads are generated on first use, so a filtered run builds only what it needs.
enum Workloads {
    private static let koki2k = Workload.kokiEvents(streams: 2_000)
    private static let koki10k = Workload.kokiEvents(streams: 10_000)
    private static let json2k = Workload.json(streams: 2_000)
    private static let json10k = Workload.json(streams: 10_000)

    static func get(_ shape: String, streams: Int) -> Workload {
        switch (shape, streams) {
        case ("koki", 2_000): koki2k
        case ("koki", _): koki10k
        case (_, 2_000): json2k
        default: json10k
        }
    }
}

/// The process's anonymous memory now (`RssAnon`), in KB: the heap, not the mapped ledger file.
func anonymousKB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") })
    else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

/// How long `body` took, in seconds, and the most anonymous memory it held above the start, in
/// MB (``peakAnonymousMB(_:)``): the two figures a way of reading is measured by.
func secondsAndPeakAnonymousMB(_ body: () throws -> Void) rethrows -> (seconds: Double, mb: Int) {
    var time = 0.0
    let mb = try peakAnonymousMB { time = try seconds(body) }
    return (time, mb)
}

/// The most anonymous memory (heap, not the mapped file) the process held above what it held
/// before `body`, in MB: `RssAnon` of `/proc/self/status` read every 5 ms on a thread beside it
/// (0 where there is no such file).
func peakAnonymousMB(_ body: () throws -> Void) rethrows -> Int {
    final class Sampling: Sendable {
        let peak: Mutex<Int>
        let done = Atomic<Bool>(false)
        init(_ start: Int) { peak = Mutex(start) }
    }
    let before = anonymousKB()
    let sampling = Sampling(before)
    let sampler = Thread {
        while !sampling.done.load(ordering: .relaxed) {
            let now = anonymousKB()
            sampling.peak.withLock { $0 = max($0, now) }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }
    sampler.start()
    defer { sampling.done.store(true, ordering: .relaxed) }
    try body()
    let now = anonymousKB()
    return (sampling.peak.withLock { max($0, now) } - before) / 1024
}
