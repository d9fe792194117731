import KokiDomain
import KokiTestSupport
import Testing

@Suite struct PremiumCalculatorTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func table(_ year: Int) -> RateTable { RateTable.chiba(fiscalYear: year)! }

    func alone(_ income: PremiumCase.Income?, aged65OrOver: Bool = true) -> PremiumCase.Member {
        PremiumCase.Member(householder: true, insured: true, aged65OrOver: aged65OrOver, income: income)
    }

    func premium(_ input: PremiumCase) throws -> PremiumBreakdown {
        try PremiumCalculator.calculate(input, rates: table(input.fiscalYear))
    }

    // MARK: - The worked examples of shared/domain/premiums-and-eligibility.md §8

    @Test func singlePensionerFY2025() throws {
        let b = try premium(PremiumCase(fiscalYear: 2025, person: alone(.pension(revenue: Yen(2_000_000)))))
        #expect(b.incomeBase == Yen(470_000))
        #expect(b.components[0].incomePart == Yen(42_817))
        #expect(b.judgment.judgmentIncome == Yen(750_000))
        #expect(b.judgment.earners == 1)
        #expect(b.judgment.fiveTenthsAtMost == Yen(735_000))
        #expect(b.judgment.twoTenthsAtMost == Yen(990_000))
        #expect(b.judgment.reduction == .twoTenths)
        #expect(b.components[0].perCapitaAfterReduction == Yen(35_040))
        #expect(b.totalBeforeRounding == Yen(77_857))
        #expect(b.premium == Yen(77_800))
        #expect(b.months == 12)
    }

    @Test(arguments: [(2024, 74_700, 39_715), (2023, 74_100, 39_433)])
    func singlePensionerEarlierYears(year: Int, expected: Int64, incomePart: Int64) throws {
        let b = try premium(PremiumCase(fiscalYear: year, person: alone(.pension(revenue: Yen(2_000_000)))))
        #expect(b.components[0].incomePart == Yen(incomePart))
        #expect(b.judgment.reduction == .twoTenths)
        #expect(b.premium == Yen(expected))
    }

    @Test func marriedCoupleShareTheHouseholdReduction() throws {
        let husband = PremiumCase.Member(
            label: "husband", householder: true, insured: true, income: .pension(revenue: Yen(2_000_000)))
        let wife = PremiumCase.Member(
            label: "wife", householder: false, insured: true, income: .pension(revenue: Yen(800_000)))
        let his = try premium(PremiumCase(fiscalYear: 2025, person: husband, household: [wife]))
        let hers = try premium(PremiumCase(fiscalYear: 2025, person: wife, household: [husband]))
        #expect(his.judgment.fiveTenthsAtMost == Yen(1_040_000))
        #expect(his.judgment.reduction == .fiveTenths)
        #expect(his.premium == Yen(64_700))
        #expect(hers.judgment.reduction == .fiveTenths)
        #expect(hers.premium == Yen(21_900))
    }

    @Test func prorationForAMidYearEntryAndADeath() throws {
        let income = PremiumCase.Income.pension(revenue: Yen(2_000_000))
        let entry = try premium(PremiumCase(fiscalYear: 2025, person: alone(income), acquiredOn: d("2025-10-15")))
        #expect(entry.months == 6)
        #expect(entry.firstMonth == "2025-10-01")
        #expect(entry.premium == Yen(38_900))
        // Death on 2025-08-20: lost on 08-21, charged April–July.
        let death = try premium(PremiumCase(fiscalYear: 2025, person: alone(income), lostOn: d("2025-08-21")))
        #expect(death.months == 4)
        #expect(death.premium == Yen(25_900))
    }

    // MARK: - Boundaries: exactly on each threshold, and one yen over

    @Test(arguments: [2022, 2023, 2024, 2025])
    func everyReductionBoundary(year: Int) throws {
        let rules = table(year).reduction
        // A person under 65 with no pension or salary: judgment income = total income, no earners.
        func reduction(_ total: Int64, insuredInHousehold: Int = 0) throws -> PerCapitaReduction {
            let others = (0..<insuredInHousehold).map { _ in
                PremiumCase.Member(
                    householder: false, insured: true, aged65OrOver: false, income: .init(totalIncome: .zero))
            }
            return try premium(
                PremiumCase(
                    fiscalYear: year, person: alone(.init(totalIncome: Yen(total)), aged65OrOver: false),
                    household: others)
            ).judgment.reduction
        }
        for insured in [1, 2, 3] {
            let seven = rules.base.amount
            let five = rules.base.amount + rules.halfPerInsured.amount * Int64(insured)
            let two = rules.base.amount + rules.fifthPerInsured.amount * Int64(insured)
            #expect(try reduction(seven, insuredInHousehold: insured - 1) == .sevenTenths)
            #expect(try reduction(seven + 1, insuredInHousehold: insured - 1) == .fiveTenths)
            #expect(try reduction(five, insuredInHousehold: insured - 1) == .fiveTenths)
            #expect(try reduction(five + 1, insuredInHousehold: insured - 1) == .twoTenths)
            #expect(try reduction(two, insuredInHousehold: insured - 1) == .twoTenths)
            #expect(try reduction(two + 1, insuredInHousehold: insured - 1) == PerCapitaReduction.none)
        }
    }

    @Test func earnersRaiseEveryThresholdAndThePensionSpecialDeductionCounts() throws {
        // Two pension earners (revenue over 125万): thresholds rise by 10万.
        let a = PremiumCase.Member(householder: true, insured: true, income: .pension(revenue: Yen(1_250_001)))
        let b = PremiumCase.Member(householder: false, insured: true, income: .pension(revenue: Yen(1_250_001)))
        let j = try premium(PremiumCase(fiscalYear: 2025, person: a, household: [b])).judgment
        #expect(j.earners == 2)
        #expect(j.sevenTenthsAtMost == Yen(530_000))
        // Each pension income is 150,001, less the 15万 special deduction: judgment income 2.
        #expect(j.judgmentIncome == Yen(2))
        #expect(j.reduction == .sevenTenths)
        // Exactly 125万 is not an earner.
        let c = PremiumCase.Member(householder: true, insured: true, income: .pension(revenue: Yen(1_250_000)))
        #expect(try premium(PremiumCase(fiscalYear: 2025, person: c)).judgment.earners == 0)
        // Salary above 55万 makes an earner.
        let s = PremiumCase.Member(
            householder: true, insured: true, income: .init(totalIncome: Yen(10_000), salaryRevenue: Yen(550_001)))
        #expect(try premium(PremiumCase(fiscalYear: 2025, person: s)).judgment.earners == 1)
    }

    @Test func pensionIncomeTable() {
        // 153万 of pension gives no income part; 211万 gives a base of 58万 (§2.3 checks).
        #expect(TaxableIncome.incomeBase(totalIncome: TaxableIncome.pensionIncome(revenue: Yen(1_530_000))) == .zero)
        #expect(
            TaxableIncome.incomeBase(totalIncome: TaxableIncome.pensionIncome(revenue: Yen(2_110_000))) == Yen(580_000))
        #expect(TaxableIncome.pensionIncome(revenue: Yen(4_000_000)) == Yen(4_000_000 - 1_275_000))
        #expect(TaxableIncome.pensionIncome(revenue: Yen(12_000_000)) == Yen(12_000_000 - 1_955_000))
        #expect(TaxableIncome.basicDeduction(totalIncome: Yen(24_000_001)) == Yen(290_000))
    }

    // MARK: - FY2024 reliefs

    @Test func fy2024LowerRateUpTo580000() throws {
        func rate(_ base: Int64) throws -> Rate {
            try premium(
                PremiumCase(
                    fiscalYear: 2024, person: alone(.init(totalIncome: Yen(base + 430_000)), aged65OrOver: false))
            )
            .components[0].incomeRate
        }
        #expect(try rate(580_000) == Rate(845, per: 10_000))
        #expect(try rate(580_001) == Rate(911, per: 10_000))
    }

    @Test func capsAndTheFY2024CapForEarlierInsured() throws {
        let rich = alone(.init(totalIncome: Yen(30_000_000)))
        let earlier = try premium(PremiumCase(fiscalYear: 2024, person: rich, firstInsuredOn: d("2015-05-01")))
        #expect(earlier.components[0].capped)
        #expect(earlier.premium == Yen(730_000))
        let new = try premium(
            PremiumCase(fiscalYear: 2024, person: rich, acquiredOn: d("2024-04-01"), firstInsuredOn: d("2024-04-01")))
        #expect(new.premium == Yen(800_000))
        #expect(
            try premium(PremiumCase(fiscalYear: 2025, person: rich, firstInsuredOn: d("2015-05-01"))).premium
                == Yen(800_000))
        #expect(try premium(PremiumCase(fiscalYear: 2023, person: rich)).premium == Yen(660_000))
    }

    // MARK: - Unknown income, former dependants, proration

    @Test func unknownIncomeMeansPerCapitaOnlyAndNoReduction() throws {
        let b = try premium(PremiumCase(fiscalYear: 2025, person: alone(nil)))
        #expect(b.incomeBase == nil)
        #expect(b.judgment.reduction == PerCapitaReduction.none)
        #expect(b.judgment.note != nil)
        #expect(b.premium == Yen(43_800))
        // A household member's unknown income blocks the reduction for the person too.
        let member = PremiumCase.Member(householder: false, insured: true, income: nil)
        let poor = try premium(
            PremiumCase(fiscalYear: 2025, person: alone(.init(totalIncome: .zero)), household: [member]))
        #expect(poor.judgment.reduction == PerCapitaReduction.none)
    }

    @Test func formerDependantsPayNoIncomePartAndHalfThePerCapitaForTwoYears() throws {
        let income = PremiumCase.Income.pension(revenue: Yen(2_000_000))
        // Joined 2024-10-15: reduced through the month 2 years on (2026-10), so all of FY2025.
        let within = try premium(
            PremiumCase(fiscalYear: 2025, person: alone(income), formerDependantJoinedOn: d("2024-10-15")))
        #expect(within.components[0].incomePart == .zero)
        #expect(within.formerDependant?.monthsReduced == 12)
        #expect(within.premium == Yen(21_900))
        // Joined 2023-08-15: the window ends in 2025-08; 5 months reduced, 7 at the 2割 amount.
        let ending = try premium(
            PremiumCase(fiscalYear: 2025, person: alone(income), formerDependantJoinedOn: d("2023-08-15")))
        #expect(ending.formerDependant?.reducedUntil == d("2025-08-14"))
        #expect(ending.formerDependant?.monthsReduced == 5)
        #expect(ending.premium == Yen((21_900 * 5 + 35_040 * 7) / 12 / 100 * 100))
        // A larger low-income reduction wins: 7割 beats the dependant's 5割.
        let poor = try premium(
            PremiumCase(
                fiscalYear: 2025, person: alone(.init(totalIncome: .zero)), formerDependantJoinedOn: d("2025-01-10")))
        #expect(poor.judgment.reduction == .sevenTenths)
        #expect(poor.premium == Yen(13_100))
    }

    @Test(arguments: 0..<12)
    func prorationAtEachMonth(monthIndex: Int) throws {
        let month = (monthIndex + 3) % 12 + 1
        let year = month >= 4 ? 2025 : 2026
        let income = PremiumCase.Income.pension(revenue: Yen(2_000_000))
        let joined = try premium(
            PremiumCase(
                fiscalYear: 2025, person: alone(income), acquiredOn: try CivilDate(year: year, month: month, day: 20)))
        #expect(joined.months == 12 - monthIndex)
        #expect(joined.premium == Yen(77_857 * Int64(12 - monthIndex) / 12).truncated(toMultipleOf: 100))
        let lost = try premium(
            PremiumCase(
                fiscalYear: 2025, person: alone(income), lostOn: try CivilDate(year: year, month: month, day: 1)))
        #expect(lost.months == monthIndex)
        #expect(lost.premium == Yen(77_857 * Int64(monthIndex) / 12).truncated(toMultipleOf: 100))
    }

    @Test func refusals() {
        #expect(throws: DomainError.self) {
            try PremiumCalculator.calculate(PremiumCase(fiscalYear: 2024, person: alone(nil)), rates: table(2025))
        }
        #expect(throws: DomainError.self) {
            try premium(
                PremiumCase(fiscalYear: 2025, person: alone(nil), acquiredOn: d("2025-09-01"), lostOn: d("2025-09-01")))
        }
        #expect(RateTable.chiba(fiscalYear: 2026) == nil)
    }

    @Test func ratesAreExact() throws {
        #expect(try Rate(percent: "9.11") == Rate(911, per: 10_000))
        #expect(try Rate(percent: "8.4") == Rate(840, per: 10_000))
        #expect(Rate(911, per: 10_000).description == "9.11%")
        #expect(Rate(911, per: 10_000).applied(to: Yen(470_000)) == Yen(42_817))
        #expect(throws: DomainError.self) { try Rate(percent: "9.111") }
        #expect(throws: DomainError.self) { try Rate(percent: "-1") }
    }
}

@Suite struct PensionDeductionTests {
    func facts(_ pension: Int64, care: Int64 = 60_000, deducted: Bool = true, february: Int64? = 12_600) -> PensionFacts
    {
        PensionFacts(
            annualPension: Yen(pension), careInsurancePremium: Yen(care), careDeductedFromPension: deducted,
            previousFebruaryDeduction: february.map(Yen.init))
    }

    @Test func theWorkedExample() {
        // §8.1: 77,800 with last February's 12,600: 12,600 × 3, then 13,400 / 13,300 / 13,300.
        #expect(
            PensionDeduction.amounts(for: Yen(77_800), previousFebruary: Yen(12_600))
                == [12_600, 12_600, 12_600, 13_400, 13_300, 13_300].map { Yen($0) })
    }

    /// 平準化: a year whose provisional months repeated a February of nothing would deduct all in
    /// the final months; August is raised to bring the provisional months to half the premium.
    /// April and June stay as the insurer was told; six deductions within the threshold are left
    /// alone; August never goes below zero when April and June already passed half.
    @Test func levelingBringsTheProvisionalMonthsToHalf() {
        let leveling = Yen(4_000)
        #expect(
            PensionDeduction.amounts(for: Yen(60_000), previousFebruary: nil, leveling: leveling)
                == [0, 0, 30_000, 10_000, 10_000, 10_000].map { Yen($0) })
        #expect(
            PensionDeduction.amounts(for: Yen(60_000), previousFebruary: nil)
                == [0, 0, 0, 20_000, 20_000, 20_000].map { Yen($0) })
        // Within the threshold (the worked example differs by 800): unchanged.
        #expect(
            PensionDeduction.amounts(for: Yen(77_800), previousFebruary: Yen(12_600), leveling: leveling)
                == [12_600, 12_600, 12_600, 13_400, 13_300, 13_300].map { Yen($0) })
        // 12,600 × 3 against 100,000: August to 50,000 − 25,200 = 24,800, the rest 50,000 in three.
        #expect(
            PensionDeduction.amounts(for: Yen(100_000), previousFebruary: Yen(12_600), leveling: leveling)
                == [12_600, 12_600, 24_800, 16_800, 16_600, 16_600].map { Yen($0) })
        // April and June already past half: August is 0, the rest in the final months.
        #expect(
            PensionDeduction.amounts(for: Yen(60_000), previousFebruary: Yen(20_000), leveling: leveling)
                == [20_000, 20_000, 0, 6_800, 6_600, 6_600].map { Yen($0) })
        // A premium under what April and June were told: they keep it as far as it goes, the rest
        // of what the insurer deducts is refunded.
        #expect(
            PensionDeduction.amounts(for: Yen(20_000), previousFebruary: Yen(12_600))
                == [12_600, 7_400, 0, 0, 0, 0].map { Yen($0) })
        #expect(
            PensionDeduction.amounts(for: Yen(30_000), previousFebruary: Yen(12_600), leveling: leveling)
                == [12_600, 12_600, 0, 1_600, 1_600, 1_600].map { Yen($0) })
        // Differing by exactly the threshold: left alone; by 100 yen more: leveled.
        #expect(
            PensionDeduction.amounts(for: Yen(72_000), previousFebruary: Yen(10_000), leveling: leveling)
                == [10_000, 10_000, 10_000, 14_000, 14_000, 14_000].map { Yen($0) })
        #expect(
            PensionDeduction.amounts(for: Yen(72_100), previousFebruary: Yen(10_000), leveling: leveling)
                == [10_000, 10_000, 16_000, 12_100, 12_000, 12_000].map { Yen($0) })
    }

    /// A steady premium over the years: every year sums to the premium, and whatever the first
    /// February, by the fourth year the six deductions differ by no more than the threshold (a
    /// February above a quarter of the premium takes two years to come down, since only August
    /// can change).
    @Test(arguments: 1...3 as ClosedRange<UInt64>)
    func levelingEvensASteadyPremiumOut(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<500 {
            let premium = Yen(Int64.random(in: 0...800_000, using: &g))
            var february: Yen? = Bool.random(using: &g) ? Yen(Int64.random(in: 0...300_000, using: &g)) : nil
            for year in 1...5 {
                let parts = PensionDeduction.amounts(for: premium, previousFebruary: february, leveling: Yen(4_000))
                #expect(parts.sum() == premium && parts.allSatisfy { $0 >= .zero })
                if year >= 4 {
                    #expect(parts.max()! - parts.min()! <= Yen(4_000), "\(premium) year \(year): \(parts)")
                }
                february = parts[5]
            }
        }
    }

    @Test func theConditions() {
        let premium = Yen(77_800)
        #expect(
            PensionDeduction.method(for: premium, facts: facts(2_000_000), newlyInsured: false).0 == .pensionDeduction)
        #expect(
            PensionDeduction.method(for: Yen(10_000), facts: facts(180_000, care: 80_000), newlyInsured: false).0
                == .pensionDeduction)
        #expect(
            PensionDeduction.method(for: Yen(10_000), facts: facts(179_999, care: 10_000), newlyInsured: false).0
                == .ordinary)
        // One half: 60,000 + 77,800 = 137,800 against 275,600 (exactly half) and 275,599.
        #expect(
            PensionDeduction.method(for: premium, facts: facts(275_600), newlyInsured: false).0 == .pensionDeduction)
        #expect(PensionDeduction.method(for: premium, facts: facts(275_599), newlyInsured: false).0 == .ordinary)
        #expect(
            PensionDeduction.method(for: premium, facts: facts(2_000_000, deducted: false), newlyInsured: false).0
                == .ordinary)
        #expect(PensionDeduction.method(for: premium, facts: facts(2_000_000), newlyInsured: true).0 == .ordinary)
        #expect(PensionDeduction.method(for: premium, facts: nil, newlyInsured: false).0 == .ordinary)
    }

    @Test(arguments: 1...3 as ClosedRange<UInt64>)
    func deductionsAlwaysSumToThePremium(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<2_000 {
            let premium = Yen(Int64.random(in: 0...800_000, using: &g))
            let february: Yen? = Bool.random(using: &g) ? Yen(Int64.random(in: 0...300_000, using: &g)) : nil
            let parts = PensionDeduction.amounts(for: premium, previousFebruary: february)
            #expect(parts.count == 6)
            #expect(parts.sum() == premium)
            #expect(parts.allSatisfy { $0 >= .zero })
        }
    }

    @Test func paymentDaysMoveBackToABusinessDay() {
        let dates = PensionDeduction.paymentDates(fiscalYear: 2025)
        // 2025-06-15 and 2026-02-15 are Sundays: paid on the Friday before.
        #expect(
            dates.map(\.description) == [
                "2025-04-15", "2025-06-13", "2025-08-15", "2025-10-15", "2025-12-15", "2026-02-13",
            ])
    }
}

@Suite struct RateTableTemplateTests {
    @Test func theFY2026TemplateMustBeFilledInAndThenHasTwoComponents() throws {
        var table = RateTable.template(fiscalYear: 2026)
        #expect {
            try table.validate()
        } throws: { ($0 as? DomainError)?.message == "FY2026 components[0] (medical).perCapita is not filled in" }
        // Filled in with the union's preliminary figures (premiums-and-eligibility.md §2.2) and
        // another union's draft levy (1,400円 + 0.25%), as a city would while checking.
        table.components[0].perCapita = Yen(50_235)
        table.components[0].incomeRate = Rate(925, per: 10_000)
        table.components[1].perCapita = Yen(1_400)
        table.components[1].incomeRate = Rate(25, per: 10_000)
        try table.validate()
        let input = PremiumCase(
            fiscalYear: 2026,
            person: .init(householder: true, insured: true, income: .pension(revenue: Yen(2_000_000))))
        let b = try PremiumCalculator.calculate(input, rates: table)
        #expect(b.components.map(\.name) == ["medical", "childSupport"])
        // 2割: 50,235 × 0.8 = 40,188 + 470,000 × 9.25% = 43,475; levy 1,120 + 1,175.
        #expect(b.components[0].annual == Yen(40_188 + 43_475))
        #expect(b.components[1].annual == Yen(1_120 + 1_175))
        #expect(b.premium == Yen(85_900))
        // The levy has its own cap.
        let rich = PremiumCase(
            fiscalYear: 2026,
            person: .init(householder: true, insured: true, income: .init(totalIncome: Yen(50_000_000))))
        let capped = try PremiumCalculator.calculate(rich, rates: table)
        #expect(capped.components.map(\.annual) == [Yen(850_000), Yen(21_000)])
        #expect(capped.premium == Yen(871_000))
    }
}

extension PremiumCalculatorTests {
    @Test func leavingAndComingBackChargesOnlyTheInsuredMonths() throws {
        let income = PremiumCase.Income.pension(revenue: Yen(2_000_000))
        // Insured April–June (lost 2025-07-01), again from 2025-11-15: 3 + 5 months.
        let b = try premium(
            PremiumCase(
                fiscalYear: 2025, person: alone(income), acquiredOn: nil, lostOn: nil,
                insuredSpans: [.init(from: nil, until: d("2025-07-01")), .init(from: d("2025-11-15"), until: nil)]))
        #expect(b.months == 8)
        #expect(b.premium == Yen(77_857 * 8 / 12).truncated(toMultipleOf: 100))
    }
}
