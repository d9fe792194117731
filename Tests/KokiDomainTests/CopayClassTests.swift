import Foundation
import KokiDomain
import KokiTestSupport
import Testing

@Suite struct CopayClassTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func p(_ number: Int) -> PersonID { try! PersonID(String(number)) }

    /// The table in force for the period starting 2026-08-01 (the 2022 one, with 2割).
    var current: CopayThresholds { CopayThresholds.inForce(CopayThresholds.standard, on: d("2026-08-01"))! }
    var period: CopayPeriod { CopayPeriod(containing: d("2026-08-01")) }

    func classOf(_ members: [CopayMember], _ table: CopayThresholds? = nil) -> CopayClass {
        CopayRule.determine(for: members[0].person, members: members, period: period, thresholds: table ?? current)
            .copayClass
    }

    /// A pensioner whose 合計所得金額 is their pension income alone, so 年金収入 + その他の合計所得金額
    /// equals the pension revenue.
    func pensioner(_ number: Int, taxable: Int64?, pension: Int64) -> CopayMember {
        CopayMember(
            person: p(number), taxableIncome: taxable.map(Yen.init), publicPensionRevenue: Yen(pension),
            totalIncome: TaxableIncome.pensionIncome(revenue: Yen(pension)))
    }

    // MARK: - The figures

    @Test func standardTablesHoldTheNationalFigures() {
        let tables = CopayThresholds.standard
        #expect(tables.map(\.effectiveFrom) == [d("2008-04-01"), d("2022-10-01")])
        for table in tables {
            #expect(table.currentIncomeTaxable == Yen(1_450_000))
            #expect(table.currentIncomeRevenueSingle == Yen(3_830_000))
            #expect(table.currentIncomeRevenueMultiple == Yen(5_200_000))
            #expect(table.problem == nil)
        }
        #expect(tables[0].twoTenthsTaxable == nil)
        #expect(tables[1].twoTenthsTaxable == Yen(280_000))
        #expect(tables[1].twoTenthsIncomeSingle == Yen(2_000_000))
        #expect(tables[1].twoTenthsIncomeMultiple == Yen(3_200_000))
    }

    @Test func labels() {
        #expect(CopayClass.allCases.map(\.label) == ["1割", "2割", "3割"])
        #expect(CopayClass.one < .two && CopayClass.two < .three)
    }

    // MARK: - Boundaries, each on both sides

    /// Salary revenue of 5,000,000 keeps the revenue exception away (≥ 3,830,000); a total income
    /// of 3,560,000 passes the 2割 income test, so just under 3割 is 2割.
    @Test(arguments: [(Int64(1_449_999), CopayClass.two), (1_450_000, .three)])
    func currentIncomeTaxableBoundary(taxable: Int64, expected: CopayClass) {
        let member = CopayMember(
            person: p(1001), taxableIncome: Yen(taxable), salaryRevenue: Yen(5_000_000), totalIncome: Yen(3_560_000))
        #expect(classOf([member]) == expected)
    }

    /// One insured with 課税所得 2,000,000 (現役並み) and 収入 made of all three parts: below 3,830,000 the
    /// exception sends them to step 2, where a 合計所得金額 of 2,500,000 gives 2割.
    @Test(arguments: [(Int64(829_999), CopayClass.two), (830_000, .three)])
    func revenueExceptionBoundarySingle(other: Int64, expected: CopayClass) {
        let member = CopayMember(
            person: p(1001), taxableIncome: Yen(2_000_000), publicPensionRevenue: Yen(2_000_000),
            salaryRevenue: Yen(1_000_000), otherIncome: Yen(other), totalIncome: Yen(2_500_000))
        #expect(member.revenue == Yen(3_000_000 + other))
        #expect(classOf([member]) == expected)
    }

    /// Two insured, 収入 3,000,000 + 2,199,999 or 2,200,000: below 5,200,000 the exception applies and
    /// their pensions (3,000,000 + 2.2 million ≥ 3,200,000) give 2割.
    @Test(arguments: [(Int64(2_199_999), CopayClass.two), (2_200_000, .three)])
    func revenueExceptionBoundaryMultiple(spousePension: Int64, expected: CopayClass) {
        let members = [
            pensioner(1001, taxable: 1_600_000, pension: 3_000_000),
            pensioner(1002, taxable: 0, pension: spousePension),
        ]
        #expect(members.map(\.revenue).sum() == Yen(3_000_000 + spousePension))
        #expect(classOf(members) == expected)
    }

    @Test(arguments: [(Int64(279_999), CopayClass.one), (280_000, .two)])
    func twoTenthsTaxableBoundary(taxable: Int64, expected: CopayClass) {
        #expect(classOf([pensioner(1001, taxable: taxable, pension: 2_500_000)]) == expected)
    }

    /// Pension revenue 1,500,000 (pension income 400,000 after the 1,100,000 deduction) and a total
    /// income of 899,999 or 900,000: the other income is 499,999 or 500,000.
    @Test(arguments: [(Int64(899_999), CopayClass.one), (900_000, .two)])
    func twoTenthsIncomeBoundarySingle(totalIncome: Int64, expected: CopayClass) {
        let member = CopayMember(
            person: p(1001), taxableIncome: Yen(500_000), publicPensionRevenue: Yen(1_500_000),
            totalIncome: Yen(totalIncome))
        #expect(member.pensionAndOtherIncome == Yen(1_100_000 + totalIncome))
        #expect(classOf([member]) == expected)
    }

    @Test(arguments: [(Int64(1_199_999), CopayClass.one), (1_200_000, .two)])
    func twoTenthsIncomeBoundaryMultiple(spousePension: Int64, expected: CopayClass) {
        let members = [
            pensioner(1001, taxable: 300_000, pension: 2_000_000),
            pensioner(1002, taxable: 0, pension: spousePension),
        ]
        #expect(members.map(\.pensionAndOtherIncome).sum() == Yen(2_000_000 + spousePension))
        #expect(classOf(members) == expected)
    }

    @Test func pensionAndOtherIncomeIsNeverBelowThePension() {
        // 合計所得金額 below the pension income (an inconsistent record) adds nothing, never subtracts.
        let member = CopayMember(
            person: p(1001), taxableIncome: .zero, publicPensionRevenue: Yen(3_000_000), totalIncome: Yen(100_000))
        #expect(member.pensionAndOtherIncome == Yen(3_000_000))
        // Salary income counts as other income; salary revenue does not count itself.
        let worker = CopayMember(
            person: p(1001), taxableIncome: .zero, publicPensionRevenue: Yen(1_000_000),
            salaryRevenue: Yen(2_000_000), totalIncome: Yen(1_320_000))
        #expect(worker.pensionAndOtherIncome == Yen(2_320_000))
        #expect(worker.revenue == Yen(3_000_000))
    }

    // MARK: - Tables and periods

    @Test func withoutTheTwoTenthsClassTheSameHouseholdIsOneTenth() {
        let member = pensioner(1001, taxable: 300_000, pension: 2_500_000)
        let before = CopayThresholds.inForce(CopayThresholds.standard, on: d("2022-09-30"))!
        let after = CopayThresholds.inForce(CopayThresholds.standard, on: d("2022-10-01"))!
        let old = CopayRule.determine(for: p(1001), members: [member], period: period, thresholds: before)
        let new = CopayRule.determine(for: p(1001), members: [member], period: period, thresholds: after)
        #expect(old.copayClass == .one)
        #expect(old.thresholdsFrom == d("2008-04-01"))
        #expect(old.explanation.contains("2割：平成20年4月1日からの判定基準に2割の区分なし"))
        #expect(new.copayClass == .two)
        #expect(new.thresholdsFrom == d("2022-10-01"))
    }

    @Test(arguments: [
        ("2026-07-31", "2025-08-01", "2026-07-31", 2024),
        ("2026-08-01", "2026-08-01", "2027-07-31", 2025),
        ("2026-01-01", "2025-08-01", "2026-07-31", 2024),
        ("2027-07-31", "2026-08-01", "2027-07-31", 2025),
        ("2028-02-29", "2027-08-01", "2028-07-31", 2026),
    ])
    func periods(date: String, start: String, end: String, incomeYear: Int) {
        let period = CopayPeriod(containing: d(date))
        #expect(period.start == d(start))
        #expect(period.end == d(end))
        #expect(period.incomeYear == incomeYear)
        #expect(period.contains(d(date)))
        #expect(!period.contains(d(start).adding(days: -1)) && !period.contains(d(end).adding(days: 1)))
    }

    @Test func inForcePicksTheLatestTableOnOrBeforeTheDate() {
        let tables = CopayThresholds.standard
        #expect(CopayThresholds.inForce(tables, on: d("2008-03-31")) == nil)
        #expect(CopayThresholds.inForce([], on: d("2026-08-01")) == nil)
        for (date, from) in [
            ("2008-04-01", "2008-04-01"), ("2022-09-30", "2008-04-01"), ("2022-10-01", "2022-10-01"),
            ("2030-01-01", "2022-10-01"),
        ] {
            #expect(CopayThresholds.inForce(tables, on: d(date))?.effectiveFrom == d(from))
            #expect(CopayThresholds.inForce(tables.reversed(), on: d(date))?.effectiveFrom == d(from))
        }
        // Of two tables from the same day, the later in the list (an amendment) wins.
        var amended = tables[1]
        amended.twoTenthsTaxable = Yen(300_000)
        #expect(CopayThresholds.inForce(tables + [amended], on: d("2023-01-01")) == amended)
    }

    @Test func problemsAreNamedWithTheirFigures() {
        var table = CopayThresholds.standard[1]
        table.currentIncomeTaxable = Yen(-1_000)
        table.currentIncomeRevenueSingle = Yen(6_000_000)
        #expect(
            table.problem
                == "from 2022-10-01: currentIncomeTaxable -1,000 is negative; currentIncomeRevenueSingle 6,000,000 "
                + "exceeds currentIncomeRevenueMultiple 5,200,000; twoTenthsTaxable 280,000 exceeds "
                + "currentIncomeTaxable -1,000")
        var twoTenths = CopayThresholds.standard[1]
        twoTenths.twoTenthsIncomeSingle = Yen(3_200_001)
        #expect(
            twoTenths.problem
                == "from 2022-10-01: twoTenthsIncomeSingle 3,200,001 exceeds twoTenthsIncomeMultiple 3,200,000")
        // Without a 2割 class its figures are not read, so they are not checked.
        var old = CopayThresholds.standard[0]
        old.twoTenthsIncomeSingle = Yen(-1)
        #expect(old.problem == nil)
    }

    @Test func thresholdsAreJSONWithTheirPropertyNames() throws {
        let json = """
            {"effectiveFrom": "2022-10-01", "currentIncomeTaxable": 1450000, "currentIncomeRevenueSingle": 3830000,
             "currentIncomeRevenueMultiple": 5200000, "twoTenthsTaxable": 280000, "twoTenthsIncomeSingle": 2000000,
             "twoTenthsIncomeMultiple": 3200000}
            """
        let decoded = try JSONDecoder().decode(CopayThresholds.self, from: Data(json.utf8))
        #expect(decoded == CopayThresholds.standard[1])
        let old = try JSONDecoder().decode(
            CopayThresholds.self,
            from: Data(
                """
                {"effectiveFrom": "2008-04-01", "currentIncomeTaxable": 1450000, "currentIncomeRevenueSingle": 3830000,
                 "currentIncomeRevenueMultiple": 5200000, "twoTenthsIncomeSingle": 0, "twoTenthsIncomeMultiple": 0}
                """.utf8))
        #expect(old == CopayThresholds.standard[0])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(CopayThresholds.standard[1]), as: UTF8.self)
        #expect(
            text
                == #"{"currentIncomeRevenueMultiple":5200000,"currentIncomeRevenueSingle":3830000,"#
                + #""currentIncomeTaxable":1450000,"effectiveFrom":"2022-10-01","twoTenthsIncomeMultiple":3200000,"#
                + #""twoTenthsIncomeSingle":2000000,"twoTenthsTaxable":280000}"#)
    }

    // MARK: - Explanations and missing income

    @Test func explanationOfCurrentIncome() {
        let member = CopayMember(
            person: p(1001), taxableIncome: Yen(1_500_000), salaryRevenue: Yen(4_000_000), totalIncome: Yen(2_900_000))
        let result = CopayRule.determine(for: p(1001), members: [member], period: period, thresholds: current)
        #expect(result.copayClass == .three)
        #expect(result.insuredInHousehold == 1)
        #expect(result.missingIncome == [])
        #expect(
            result.explanation == [
                "世帯：被保険者1人（1001）、適用期間 令和8年8月1日〜令和9年7月31日（2025年の所得）、判定基準 令和4年10月1日から",
                "現役並み所得：世帯で最も高い課税所得 1,500,000 ≥ 1,450,000（1001）",
                "基準収入額適用：収入 4,000,000 ≥ 3,830,000（被保険者1人）：適用しない",
                "一部負担金の割合：3割",
            ])
    }

    /// A couple: the husband's 課税所得 is 現役並み but their 収入 together is under 5,200,000, so the
    /// exception applies and their 4,000,000 of pensions make them 2割; the wife's 課税所得 is missing.
    @Test func explanationOfTheRevenueExceptionWithMissingIncome() {
        let members = [
            pensioner(1002, taxable: nil, pension: 1_000_000),
            pensioner(1001, taxable: 1_600_000, pension: 3_000_000),
        ]
        let result = CopayRule.determine(for: p(1002), members: members, period: period, thresholds: current)
        #expect(result.copayClass == .two)
        #expect(result.insuredInHousehold == 2)
        #expect(result.missingIncome == [p(1002)])
        #expect(
            result.explanation == [
                "世帯：被保険者2人（1001、1002）、適用期間 令和8年8月1日〜令和9年7月31日（2025年の所得）、判定基準 "
                    + "令和4年10月1日から",
                "1002：2025年の課税所得の記録なし、0として数えた",
                "現役並み所得：世帯で最も高い課税所得 1,600,000 ≥ 1,450,000（1001）",
                "基準収入額適用：収入 4,000,000 < 5,200,000（被保険者2人）：現役並みとしない",
                "2割：世帯で最も高い課税所得 1,600,000 ≥ 280,000（1001）",
                "2割：年金収入 + その他の合計所得金額 4,000,000 ≥ 3,200,000（被保険者2人）",
                "一部負担金の割合：2割",
            ])
    }

    @Test func missingIncomeCountsAsZeroAndIsListed() {
        // No income record at all: the 9,000,000 of salary and the 課税所得 are not read.
        let unrecorded = CopayMember(
            person: p(1003), taxableIncome: Yen(5_000_000), salaryRevenue: Yen(9_000_000),
            totalIncome: Yen(7_000_000), incomeRecorded: false)
        #expect(unrecorded.revenue == .zero && unrecorded.pensionAndOtherIncome == .zero)
        let members = [unrecorded, pensioner(1002, taxable: nil, pension: 900_000)]
        let result = CopayRule.determine(for: p(1002), members: members, period: period, thresholds: current)
        #expect(result.copayClass == .one)
        #expect(result.missingIncome == [p(1002), p(1003)])
        #expect(result.explanation.contains("1003：2025年の所得の記録なし、0として数えた"))
        #expect(result.explanation.contains("1002：2025年の課税所得の記録なし、0として数えた"))
        #expect(result.explanation.contains("現役並み所得：世帯で最も高い課税所得 0 < 1,450,000（1002）"))
        #expect(result.explanation.last == "一部負担金の割合：1割")
    }

    @Test func personMissingFromTheMembersCountsAsInsuredWithoutIncome() {
        let result = CopayRule.determine(
            for: p(1002), members: [pensioner(1001, taxable: 300_000, pension: 2_500_000)], period: period,
            thresholds: current)
        // Two insured now: 2,500,000 < 3,200,000, where alone it would be 2割.
        #expect(result.insuredInHousehold == 2)
        #expect(result.missingIncome == [p(1002)])
        #expect(result.copayClass == .one)
    }

    // MARK: - Laws

    /// The class is not monotone in the household's income across a change of household: a second
    /// insured member raises both the 基準収入額 and the 2割 income threshold by more than a small
    /// income of their own, so joining can lower everyone's class. The laws below hold the set of
    /// members fixed.
    @Test func addingAnInsuredMemberCanLowerTheClass() {
        let husband = pensioner(1001, taxable: 1_500_000, pension: 4_000_000)
        #expect(classOf([husband]) == .three)  // 収入 4,000,000 ≥ 3,830,000
        // 4,800,000 < 5,200,000: the exception; 4,800,000 ≥ 3,200,000: 2割.
        #expect(classOf([husband, pensioner(1002, taxable: 0, pension: 800_000)]) == .two)

        let single = pensioner(1001, taxable: 300_000, pension: 2_500_000)
        #expect(classOf([single]) == .two)  // 2,500,000 ≥ 2,000,000
        #expect(classOf([single, pensioner(1002, taxable: 0, pension: 600_000)]) == .one)  // 3,100,000 < 3,200,000
    }

    func randomMembers(using g: inout SeededGenerator) -> [CopayMember] {
        let edges: [Int64] = [0, 1, 279_999, 280_000, 1_449_999, 1_450_000, 1_999_999, 2_000_000, 3_829_999, 3_830_000]
        func amount(_ range: ClosedRange<Int64>) -> Int64 {
            Bool.random(using: &g) ? edges.randomElement(using: &g)! : Int64.random(in: range, using: &g)
        }
        return (0..<Int.random(in: 1...3, using: &g)).map { i in
            let pension = amount(0...5_000_000)
            let other = Int.random(in: 0..<3, using: &g) == 0 ? amount(0...2_000_000) : 0
            return CopayMember(
                person: p(1001 + i),
                taxableIncome: Int.random(in: 0..<10, using: &g) == 0 ? nil : Yen(amount(0...3_000_000)),
                publicPensionRevenue: Yen(pension),
                salaryRevenue: Bool.random(using: &g) ? Yen(amount(0...3_000_000)) : .zero,
                otherIncome: Yen(other),
                totalIncome: TaxableIncome.pensionIncome(revenue: Yen(pension)) + Yen(other)
                    + Yen(Int64.random(in: 0...1_500_000, using: &g)),
                incomeRecorded: Int.random(in: 0..<20, using: &g) != 0)
        }
    }

    /// With the household's members fixed:
    /// - every member gets the same determination, whatever the order of the members;
    /// - raising one member's counted 課税所得 never lowers the class. This holds whether or not the
    ///   revenue exception applies, because the exception reads only 収入 and the number of insured,
    ///   which 課税所得 does not change: with the exception the class is the 2割 test's, which is
    ///   monotone in 課税所得; without it, crossing 1,450,000 can only give 3割. (It fails across a
    ///   change of household, see `addingAnInsuredMemberCanLowerTheClass`, and would fail if raising
    ///   課税所得 also raised 収入 past the 基準収入額 — that only raises the class too.)
    /// - raising any revenue or income figure never lowers the class: more 収入 can only lose the
    ///   exception, and 年金収入 + その他の合計所得金額 never falls when the pension rises, since the
    ///   pension income grows by at most the revenue;
    /// - the table without 2割 gives the same class except 1割 where the 2022 table gives 2割.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func lawsOfTheRule(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let old = CopayThresholds.standard[0]
        for _ in 0..<1_000 {
            let members = randomMembers(using: &g)
            let base = CopayRule.determine(
                for: members[0].person, members: members, period: period, thresholds: current)
            #expect(base.insuredInHousehold == members.count)
            #expect(
                base.missingIncome == members.filter { !$0.incomeRecorded || $0.taxableIncome == nil }.map(\.person))
            #expect(base.explanation.last == "一部負担金の割合：\(base.copayClass.label)")

            for member in members {
                let other = CopayRule.determine(
                    for: member.person, members: members.shuffled(using: &g), period: period, thresholds: current)
                #expect(other == base, "seed \(seed): \(members)")
            }

            let i = Int.random(in: 0..<members.count, using: &g)
            var raised = members
            let counted = members[i].taxableIncome ?? .zero
            raised[i].taxableIncome = counted + Yen(Int64.random(in: 1...2_000_000, using: &g))
            let afterTaxable = classOf(raised)
            #expect(afterTaxable >= base.copayClass, "seed \(seed): \(members) → \(raised)")
            if !members[i].incomeRecorded { #expect(afterTaxable == base.copayClass) }

            var richer = members
            let more = Yen(Int64.random(in: 1...2_000_000, using: &g))
            switch Int.random(in: 0..<4, using: &g) {
            case 0: richer[i].publicPensionRevenue += more
            case 1: richer[i].salaryRevenue += more
            case 2: richer[i].otherIncome += more
            default: richer[i].totalIncome += more
            }
            #expect(classOf(richer) >= base.copayClass, "seed \(seed): \(members) → \(richer)")

            let withoutTwoTenths = classOf(members, old)
            #expect(withoutTwoTenths == (base.copayClass == .two ? .one : base.copayClass))
        }
    }
}
