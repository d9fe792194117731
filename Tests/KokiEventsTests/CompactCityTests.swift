import KokiDomain
import KokiEvents
@testable import KokiProjections
import KokiTestSupport
import Testing

/// The in-memory city keeps an account's periods and the premium accounts' assessments in fewer
/// bytes than plain structs: each answers exactly as the plain struct it replaced.
@Suite struct CompactCityTests {
    /// A period as plain fields: the reference a compact period must answer as.
    struct PlainPeriod: Equatable {
        var dueDate: CivilDate
        var sums = [Yen](repeating: .zero, count: 10)
        var lastPaidOn: CivilDate?
    }

    /// The period's ten sums, read or written by index, in the order of `PlainPeriod.sums`.
    static var sums: [WritableKeyPath<CollectionAccounts.Period, Yen>] {
        [
            \.assessed, \.paid, \.appropriated, \.movedOut, \.reduced, \.writtenOff, \.lateFee, \.lateFeePaid,
            \.lateFeeWaived, \.lateFeeWrittenOff,
        ]
    }

    static func plain(_ period: CollectionAccounts.Period) -> PlainPeriod {
        PlainPeriod(dueDate: period.dueDate, sums: sums.map { period[keyPath: $0] }, lastPaidOn: period.lastPaidOn)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func aPeriodReadsBackEveryFigureWrittenAndComparesByItsFigures(seed: UInt64) throws {
        var g = SeededGenerator(seed: 7_300 + seed)
        // The extremes of both: the first and last days koki takes, the largest sums either way.
        let days = try [
            CivilDate(year: 1, month: 1, day: 1), CivilDate(year: 9999, month: 12, day: 31),
            CivilDate(iso: "1970-01-01"), CivilDate(iso: "2025-07-31"), CivilDate(iso: "1969-12-31"),
        ]
        let amounts: [Int64] = [0, 0, 0, 1, 5_750, -3_000, Int64.max, Int64.min]
        var periods: [CollectionAccounts.Period] = []
        var plains: [PlainPeriod] = []
        for _ in 0..<40 {
            let due = days.randomElement(using: &g)!
            var period = CollectionAccounts.Period(dueDate: due)
            var plain = PlainPeriod(dueDate: due)
            #expect(Self.plain(period) == plain)
            for _ in 0..<Int.random(in: 0...30, using: &g) {
                switch Int.random(in: 0..<12, using: &g) {
                case 0:
                    let day = Bool.random(using: &g) ? nil : days.randomElement(using: &g)!
                    period.lastPaidOn = day
                    plain.lastPaidOn = day
                case 1:
                    let day = days.randomElement(using: &g)!
                    period.dueDate = day
                    plain.dueDate = day
                default:
                    let i = Int.random(in: 0..<Self.sums.count, using: &g)
                    let amount = Yen(amounts.randomElement(using: &g)!)
                    // A copy taken before a change keeps what it had (the rarer sums' box is shared).
                    let before = period
                    period[keyPath: Self.sums[i]] = amount
                    plain.sums[i] = amount
                    #expect(Self.plain(before) != plain || before == period)
                }
                #expect(Self.plain(period) == plain)
            }
            periods.append(period)
            plains.append(plain)
        }
        // Equal exactly when their figures are, with the same hash: a period whose rarer sums went
        // back to zero equals one that never had any.
        for (a, pa) in zip(periods, plains) {
            for (b, pb) in zip(periods, plains) {
                #expect((a == b) == (pa == pb))
                if pa == pb { #expect(a.hashValue == b.hashValue) }
            }
            var cleared = a
            for sum in Self.sums { cleared[keyPath: sum] = .zero }
            var fresh = CollectionAccounts.Period(dueDate: a.dueDate)
            fresh.lastPaidOn = a.lastPaidOn
            #expect(cleared == fresh && cleared.hashValue == fresh.hashValue)
        }
        #expect(MemoryLayout<CollectionAccounts.Period>.size <= 32)
    }

    /// An assessment of a person and year, drawn at random; now and then with figures the
    /// codec's writer refuses (kept aside, not as bytes).
    static func assessment(_ n: Int, _ g: inout SeededGenerator) throws -> PremiumAssessed {
        var e = EventSamples.premiumAssessed
        e.person = try PersonID("\(9_000_001 + Int.random(in: 0..<4, using: &g))")
        // Mostly the newest years, as a city assesses; now and then a year long past (a
        // correction) or one far ahead.
        let roll = Int.random(in: 0..<10, using: &g)
        let newest = 2016 + n / 12
        e.fiscalYear = try FiscalYear(
            roll == 0 ? Int.random(in: 2010...newest, using: &g) : roll == 1 ? newest + 1 : newest)
        e.annualPremium = Yen(Int.random(in: 0..<25, using: &g) == 0 ? Int64.max : Int64(n) * 100)
        e.cause = "case \(n)"
        return e
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func premiumAccountsAnswerAsEveryAssessmentKeptDecoded(seed: UInt64) throws {
        var g = SeededGenerator(seed: 8_100 + seed)
        var accounts = PremiumAccounts()
        var model: [PremiumAccounts.Key: [PremiumAssessed]] = [:]
        for n in 0..<Int.random(in: 60...200, using: &g) {
            let e = try Self.assessment(n, &g)
            accounts.apply(.premiumAssessed(e))
            model[PremiumAccounts.Key(person: e.person, fiscalYear: e.fiscalYear), default: []].append(e)
            // Every question, after every assessment.
            for (key, history) in model {
                #expect(accounts.current(key.person, key.fiscalYear) == history.last)
                // Lent to a reader, the same assessment, hot or cold.
                #expect(accounts.current(key.person, key.fiscalYear, { copy $0 }) == history.last)
                #expect(accounts.history(key) == history)
                let ends = accounts.firstAndCurrent(key)
                #expect(ends?.first == history.first && ends?.current == history.last)
            }
            // Any person and year, assessed or not: hot, cold, before or after every assessment.
            let person = try PersonID("\(9_000_001 + Int.random(in: 0..<6, using: &g))")
            let year = try FiscalYear(Int.random(in: 2009...(2018 + n / 12), using: &g))
            let absent = PremiumAccounts.Key(person: person, fiscalYear: year)
            #expect(accounts.current(person, year) == model[absent]?.last)
            #expect(accounts.current(person, year, { $0.cause }) == model[absent]?.last?.cause)
            #expect(accounts.firstAndCurrent(absent)?.first == model[absent]?.first)
            #expect(Set(accounts.keys) == Set(model.keys))
            #expect(accounts.keys.count == model.count)
        }
        #expect(accounts.assessments == model)
        #expect(accounts.current(try PersonID("9999999"), try FiscalYear(2016)) == nil)
        #expect(accounts.history(.init(person: try PersonID("9999999"), fiscalYear: try FiscalYear(2016))) == nil)
        // Only the two newest years assessed keep their assessments in force decoded.
        let newest = try #require(model.keys.map(\.fiscalYear.year).max())
        #expect(accounts.hotKeys.allSatisfy { $0.fiscalYear.year > newest - PremiumAccounts.hotYears })
        #expect(accounts.hotKeys.count == model.keys.count { $0.fiscalYear.year > newest - PremiumAccounts.hotYears })

        // The same assessments folded in another order (a person at a time) keep other years
        // decoded, yet the folds are equal; one assessment more is not.
        var byPerson = PremiumAccounts()
        let persons = Set(model.keys.map(\.person)).sorted()
        for person in persons {
            for (key, history) in model.sorted(by: { $0.key < $1.key }) where key.person == person {
                for e in history { byPerson.apply(.premiumAssessed(e)) }
            }
        }
        #expect(byPerson == accounts)
        var more = byPerson
        more.apply(.premiumAssessed(try Self.assessment(999, &g)))
        #expect(more != accounts)
    }
}
