import KokiReadModels
import Testing

/// The lists' work shared among the cores: the results in order, an error thrown.
@Suite struct ConcurrentMapTests {
    struct Odd: Error { let value: Int }

    @Test(arguments: [0, 1, 999, 1_000, 1_001, 76_543])
    func theResultsKeepTheElementsOrder(count: Int) throws {
        let items = Array(0..<count)
        #expect(try items.concurrentMap { $0 * 3 + 1 } == items.map { $0 * 3 + 1 })
    }

    @Test func anErrorIsThrown() {
        #expect(throws: Odd.self) {
            try Array(0..<5_000).concurrentMap { value in
                if value == 4_321 { throw Odd(value: value) }
                return value
            }
        }
    }
}
