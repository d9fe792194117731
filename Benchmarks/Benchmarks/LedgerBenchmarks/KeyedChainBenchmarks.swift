import Benchmark
import Foundation
import LedgerStore

/// The cost of the keyed chain (issue 20): the same commands appended to a ledger sealed under a
/// chain key and to one without, and both verified, in the same iteration; the figures to quote
/// are the ratios (keyed over unkeyed time, in thousandths: 1000 = no cost).
func keyedChainBenchmarks() {
    let appendRatio = Metric.cost("keyed/unkeyed append time ‰")
    let verifyRatio = Metric.cost("keyed/unkeyed verify time ‰")
    let keyedRate = Metric.rate("keyed append events/s")
    let plainRate = Metric.rate("unkeyed append events/s")
    let keyedVerify = Metric.rate("keyed verify events/s")
    let plainVerify = Metric.rate("unkeyed verify events/s")
    Benchmark(
        "Keyed chain: append one command per stream and verify, keyed vs unkeyed, synchronous=NORMAL (10,000 × 20)",
        configuration: .init(
            metrics: [.wallClock, keyedRate, plainRate, appendRatio, keyedVerify, plainVerify, verifyRatio])
    ) { benchmark in
        let workload = Workloads.get("koki", streams: 10_000)
        let requests = workload.requests()
        let scratch = Scratch()
        let key = try ChainKey(bytes: Array(repeating: 0x4B, count: 32))
        let unkeyed = try Ledger.create(at: scratch.path("unkeyed.ledger"), options: .init(synchronous: .normal))
        let keyed = try Ledger.create(at: scratch.path("keyed.ledger"), options: .init(synchronous: .normal))
        try keyed.useChainKey(key)
        // Alternating halves, so a slow spell of the shared machine falls on both.
        let half = requests.count / 2
        var plainTime = 0.0
        var keyedTime = 0.0
        for range in [0..<half, half..<requests.count] {
            plainTime += try seconds { for request in requests[range] { try unkeyed.append(request) } }
            keyedTime += try seconds { for request in requests[range] { try keyed.append(request) } }
        }
        var report: VerifyReport?
        let plainCheck = try seconds { report = try unkeyed.verify(checkFile: false) }
        precondition(report?.isIntact == true && report?.sealsChecked == nil)
        let keyedCheck = try seconds { report = try keyed.verify(checkFile: false) }
        precondition(report?.isIntact == true && report?.sealsChecked == Int64(requests.count))
        let n = Double(workload.eventCount)
        benchmark.measurement(keyedRate, Int(n / keyedTime))
        benchmark.measurement(plainRate, Int(n / plainTime))
        benchmark.measurement(appendRatio, Int(1000 * keyedTime / plainTime))
        benchmark.measurement(keyedVerify, Int(n / keyedCheck))
        benchmark.measurement(plainVerify, Int(n / plainCheck))
        benchmark.measurement(verifyRatio, Int(1000 * keyedCheck / plainCheck))
    }
}
