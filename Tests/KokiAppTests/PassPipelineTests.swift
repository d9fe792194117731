import Foundation
@testable import KokiReadModels
import Testing

/// The pipeline a fill encodes its rows in on one core while it inserts them on another: every
/// product taken in the items' order, once; an error on either side stops both and is thrown,
/// and nothing after it is taken.
@Suite struct PassPipelineTests {
    struct Refused: Error, Equatable { let item: Int }

    @Test(arguments: [0, 1, 5, 1_023, 1_024, 1_025, 10_000])
    func everyProductIsTakenInOrderOnce(count: Int) throws {
        var taken: [Int] = []
        try PassScan.pipelined(Array(0..<count), chunk: 64, produce: { $0 * 3 }) { taken.append($0) }
        #expect(taken == (0..<count).map { $0 * 3 })
    }

    @Test(arguments: [0, 63, 64, 500, 9_999])
    func aProducersErrorIsThrownAndNothingAfterItIsTaken(failing: Int) {
        var taken: [Int] = []
        #expect(throws: Refused(item: failing)) {
            try PassScan.pipelined(
                Array(0..<10_000), chunk: 64,
                produce: { item in
                    if item == failing { throw Refused(item: item) }
                    return item
                }
            ) { taken.append($0) }
        }
        // The chunk holding the failure is not taken at all; every chunk before it is, whole.
        #expect(taken == Array(0..<(failing / 64 * 64)))
    }

    @Test func aTakersErrorStopsTheProducer() {
        let produced = Counter()
        var taken = 0
        #expect(throws: Refused(item: 100)) {
            try PassScan.pipelined(
                Array(0..<100_000), chunk: 10,
                produce: { item in
                    produced.add()
                    return item
                }
            ) { item in
                if item == 100 { throw Refused(item: item) }
                taken += 1
            }
        }
        #expect(taken == 100)
        // At most the chunks the queue holds and the one being made past the failure's chunk.
        #expect(produced.value <= 110 + 10 * 6, "produced \(produced.value)")
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
