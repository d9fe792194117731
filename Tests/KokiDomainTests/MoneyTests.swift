import Foundation
import KokiDomain
import KokiTestSupport
import Testing

/// Money never traps: the documented ranges at the edge, saturating arithmetic inside, and the
/// 128-bit `a × b ÷ d` behind every rate — checked against exact arithmetic over random values.
@Suite struct MoneyTests {
    /// `a × b ÷ d` exactly, by schoolbook arithmetic on magnitudes (for checking only).
    static func exact(_ a: Int64, _ b: Int64, _ d: Int64) -> Int64? {
        let negative = ((a < 0) != (b < 0) && a != 0 && b != 0) != (d < 0)
        let product = a.magnitude.multipliedFullWidth(by: b.magnitude)
        guard product.high < d.magnitude else { return nil }
        let q = d.magnitude.dividingFullWidth(product).quotient
        if negative { return q <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- q) : nil }
        return q <= UInt64(Int64.max) ? Int64(q) : nil
    }

    @Test func sumsAndDifferencesAreExactInRangeAndSaturateOutside() {
        var random = SeededGenerator(seed: 1)
        let edges: [Int64] = [.max, .min, .max - 1, .min + 1, 0, 1, -1]
        var values = edges
        for _ in 0..<2_000 { values.append(Int64.random(in: .min ... .max, using: &random)) }
        for _ in 0..<2_000 { values.append(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &random)) }
        for (i, a) in values.enumerated() {
            let b = values[(i * 7 + 3) % values.count]
            let (sum, sumOverflow) = a.addingReportingOverflow(b)
            #expect((Yen(a) + Yen(b)).amount == (sumOverflow ? (b > 0 ? .max : .min) : sum))
            let (difference, differenceOverflow) = a.subtractingReportingOverflow(b)
            #expect((Yen(a) - Yen(b)).amount == (differenceOverflow ? (b < 0 ? .max : .min) : difference))
        }
        #expect((-Yen(.min)).amount == .max)
        #expect([Yen(.max), Yen(1), Yen(-5)].sum().amount == .max - 5)
    }

    @Test func scalingIsExactIn128BitsAndSaturatesPastInt64() {
        var random = SeededGenerator(seed: 2)
        for _ in 0..<5_000 {
            let a = Int64.random(in: .min ... .max, using: &random)
            let b = Int64.random(in: -1_000_000_000...1_000_000_000, using: &random)
            var d = Int64.random(in: -1_000_000_000...1_000_000_000, using: &random)
            if d == 0 { d = 1 }
            let result = Yen.multiplyDivide(a, b, d)
            if let exact = Self.exact(a, b, d) {
                #expect(result == exact, "\(a) × \(b) ÷ \(d)")
            } else {
                #expect(result == .max || result == .min, "\(a) × \(b) ÷ \(d) saturates")
            }
        }
        // Small values agree with plain Int64 arithmetic (truncation toward zero).
        for (a, b, d) in [(7, 3, 2), (-7, 3, 2), (7, -3, 2), (7, 3, -2), (-7, -3, -2)] as [(Int64, Int64, Int64)] {
            #expect(Yen.multiplyDivide(a, b, d) == a * b / d)
        }
        #expect(Rate(911, per: 10_000).applied(to: Yen(.max)).amount == Int64.max / 10_000 * 911 + (Int64.max % 10_000) * 911 / 10_000)
    }

    @Test func amountsOutsideTheirRangeAreRefusedNamingTheField() throws {
        #expect(try Yen.checked(100_000_000_000, .amount, field: "--amount") == Yen(100_000_000_000))
        let error = #expect(throws: DomainError.self) { try Yen.checked(100_000_000_001, .amount, field: "--amount") }
        #expect(error?.message == "--amount 100000000001 は金額の範囲（0〜100,000,000,000円）の外です")
        #expect(throws: DomainError.self) { try Yen.checked(-1, .amount, field: "--amount") }
        #expect(throws: DomainError.self) { try Yen.checked(.max, .income, field: "--total") }
        #expect(try Yen.checked(-1_000_000_000_000, .income, field: "--total").amount == -1_000_000_000_000)
        #expect(!Yen(.max).isRecordable && Yen(1_000_000_000_000_000).isRecordable)
    }

    @Test func filesFromPeopleAreBoundedButRecordedSettingsReadAsStored() throws {
        let huge = Data(#"{"a": 9223372036854775807}"#.utf8)
        struct Holder: Decodable { var a: Yen }
        let strict = JSONDecoder()
        strict.userInfo[Yen.inputCheckKey] = true
        #expect(throws: DecodingError.self) { try strict.decode(Holder.self, from: huge) }
        #expect(try JSONDecoder().decode(Holder.self, from: huge).a.amount == .max)
        struct RateHolder: Decodable { var r: Rate }
        #expect(throws: DecodingError.self) {
            try strict.decode(RateHolder.self, from: Data(#"{"r": "9223372036854775807/1"}"#.utf8))
        }
        #expect(throws: DomainError.self) { try Rate(percent: "99999999999999999") }
    }

    @Test func theCalculatorNeverTrapsOnAnyIncome() throws {
        let table = try #require(RateTable.chiba(fiscalYear: 2025))
        var random = SeededGenerator(seed: 3)
        var incomes: [Int64] = [.max, .min, .max - 1, .min + 1, 0, -1]
        for _ in 0..<200 { incomes.append(Int64.random(in: .min ... .max, using: &random)) }
        for income in incomes {
            for input in [
                PremiumCase.Income(totalIncome: Yen(income), publicPensionRevenue: Yen(income)),
                PremiumCase.Income.pension(revenue: Yen(income), otherIncome: Yen(income)),
            ] {
                let premium = try PremiumCalculator.calculate(
                    PremiumCase(
                        fiscalYear: 2025,
                        person: .init(householder: true, insured: true, aged65OrOver: true, income: input)),
                    rates: table)
                // Whatever the income, the premium stays within the caps of the table.
                let caps = table.components.map(\.cap).sum()
                #expect(premium.premium >= .zero && premium.premium <= caps, "income \(income): \(premium.premium)")
            }
        }
    }
}
