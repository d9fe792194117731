import KokiDomain
import Testing

/// A household's number as the stored register indexes it: one integer per number, never shared.
@Suite struct HouseholdIDTests {
    @Test func everyNumberHasItsOwnIndexKeyLeadingZerosIncluded() throws {
        let numbers = ["7", "07", "007", "70", "1", "10", "999999999999999", "000000000000000", "100000000000000"]
        let keys = try numbers.map { try HouseholdID($0).indexKey }
        #expect(Set(keys).count == numbers.count)
        #expect(try HouseholdID("007").indexKey == 3_000_000_000_000_007)
        // The largest number a household may have stays far inside an Int64 (no trap, no wrap).
        #expect(try HouseholdID("999999999999999").indexKey == 15_999_999_999_999_999)
        // Random numbers of every length: equal keys only for equal numbers.
        var generator = SystemRandomNumberGenerator()
        var seen: [Int64: String] = [:]
        for _ in 0..<5000 {
            let length = Int.random(in: 1...15, using: &generator)
            let text = String((0..<length).map { _ in "0123456789".randomElement(using: &generator)! })
            let key = try HouseholdID(text).indexKey
            if let other = seen[key] { #expect(other == text) }
            seen[key] = text
        }
    }
}
