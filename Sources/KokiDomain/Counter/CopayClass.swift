/// 一部負担金の割合 — the share of medical costs an insured person pays at the counter.
///
/// Decided once a year for the whole household by ``CopayRule/determine(for:members:period:thresholds:)``
/// (高齢者の医療の確保に関する法律 §67): 1割 by default, 2割 from 2022-10-01 for insured with some
/// income, 3割 for 現役並み所得者.
public enum CopayClass: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case one = 1
    case two = 2
    case three = 3

    /// The class as printed on the insurance card: "1割", "2割", "3割".
    /// The class as staff read it (`1割`), from the labels table.
    public var label: String { Labels.current.term(self) }

    public static func < (lhs: CopayClass, rhs: CopayClass) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The thresholds of one period of the copayment rule (負担割合の判定基準), adopted as data.
///
/// The national rules decide the figures; the ones in ``standard`` are UNCONFIRMED defaults to be
/// checked against the 施行令 and the union's pages, and no other code uses them as constants.
/// Codable as JSON with the property names as keys; `twoTenthsTaxable` may be absent (no 2割 class).
///
/// ```json
/// {"effectiveFrom": "2022-10-01", "currentIncomeTaxable": 1450000,
///  "currentIncomeRevenueSingle": 3830000, "currentIncomeRevenueMultiple": 5200000,
///  "twoTenthsTaxable": 280000, "twoTenthsIncomeSingle": 2000000, "twoTenthsIncomeMultiple": 3200000}
/// ```
public struct CopayThresholds: Sendable, Hashable, Codable {
    /// The first day this table applies.
    public var effectiveFrom: CivilDate
    /// 現役並み所得: an insured member's 課税所得 (resident-tax taxable income) at or above this gives 3割.
    public var currentIncomeTaxable: Yen
    /// 基準収入額 (one insured in the household): the 3割 does not apply when the insured members'
    /// 収入 is below this.
    public var currentIncomeRevenueSingle: Yen
    /// 基準収入額 (two or more insured in the household).
    public var currentIncomeRevenueMultiple: Yen
    /// 2割: an insured member's 課税所得 at or above this (with the income test below) gives 2割;
    /// `nil` when the table has no 2割 class (before 2022-10-01).
    public var twoTenthsTaxable: Yen?
    /// 2割 (one insured in the household): 年金収入 + その他の合計所得金額 at or above this.
    /// Ignored when `twoTenthsTaxable` is `nil`.
    public var twoTenthsIncomeSingle: Yen
    /// 2割 (two or more insured in the household): the members' 年金収入 + その他の合計所得金額 at or above this.
    public var twoTenthsIncomeMultiple: Yen

    public init(
        effectiveFrom: CivilDate, currentIncomeTaxable: Yen, currentIncomeRevenueSingle: Yen,
        currentIncomeRevenueMultiple: Yen, twoTenthsTaxable: Yen? = nil, twoTenthsIncomeSingle: Yen = .zero,
        twoTenthsIncomeMultiple: Yen = .zero
    ) {
        self.effectiveFrom = effectiveFrom
        self.currentIncomeTaxable = currentIncomeTaxable
        self.currentIncomeRevenueSingle = currentIncomeRevenueSingle
        self.currentIncomeRevenueMultiple = currentIncomeRevenueMultiple
        self.twoTenthsTaxable = twoTenthsTaxable
        self.twoTenthsIncomeSingle = twoTenthsIncomeSingle
        self.twoTenthsIncomeMultiple = twoTenthsIncomeMultiple
    }

    /// What is wrong with the table (negative figures, a single-insured threshold above the
    /// several-insured one, a 2割 taxable threshold above the 3割 one), or `nil`. Every fault is
    /// named with its figures, separated by "; ". A table with a problem should not be adopted.
    public var problem: String? {
        var faults: [String] = []
        var figures: [(String, Yen)] = [
            ("currentIncomeTaxable", currentIncomeTaxable),
            ("currentIncomeRevenueSingle", currentIncomeRevenueSingle),
            ("currentIncomeRevenueMultiple", currentIncomeRevenueMultiple),
        ]
        if let twoTenthsTaxable {
            figures += [
                ("twoTenthsTaxable", twoTenthsTaxable), ("twoTenthsIncomeSingle", twoTenthsIncomeSingle),
                ("twoTenthsIncomeMultiple", twoTenthsIncomeMultiple),
            ]
        }
        for (name, value) in figures where value < .zero {
            faults.append("\(name) \(CopayRule.grouped(value)) is negative")
        }
        if currentIncomeRevenueMultiple < currentIncomeRevenueSingle {
            faults.append(
                "currentIncomeRevenueSingle \(CopayRule.grouped(currentIncomeRevenueSingle)) exceeds "
                    + "currentIncomeRevenueMultiple \(CopayRule.grouped(currentIncomeRevenueMultiple))")
        }
        if let twoTenthsTaxable {
            if twoTenthsIncomeMultiple < twoTenthsIncomeSingle {
                faults.append(
                    "twoTenthsIncomeSingle \(CopayRule.grouped(twoTenthsIncomeSingle)) exceeds "
                        + "twoTenthsIncomeMultiple \(CopayRule.grouped(twoTenthsIncomeMultiple))")
            }
            if currentIncomeTaxable < twoTenthsTaxable {
                faults.append(
                    "twoTenthsTaxable \(CopayRule.grouped(twoTenthsTaxable)) exceeds "
                        + "currentIncomeTaxable \(CopayRule.grouped(currentIncomeTaxable))")
            }
        }
        return faults.isEmpty ? nil : "from \(effectiveFrom): " + faults.joined(separator: "; ")
    }

    /// The tables koki starts with: from 2008-04-01 (the start of 後期高齢者医療) without a 2割 class;
    /// from 2022-10-01 with it (令和3年 健康保険法等改正). UNCONFIRMED: check against the 施行令.
    public static let standard: [CopayThresholds] = [
        CopayThresholds(
            effectiveFrom: try! CivilDate(year: 2008, month: 4, day: 1), currentIncomeTaxable: Yen(1_450_000),
            currentIncomeRevenueSingle: Yen(3_830_000), currentIncomeRevenueMultiple: Yen(5_200_000)),
        CopayThresholds(
            effectiveFrom: try! CivilDate(year: 2022, month: 10, day: 1), currentIncomeTaxable: Yen(1_450_000),
            currentIncomeRevenueSingle: Yen(3_830_000), currentIncomeRevenueMultiple: Yen(5_200_000),
            twoTenthsTaxable: Yen(280_000), twoTenthsIncomeSingle: Yen(2_000_000),
            twoTenthsIncomeMultiple: Yen(3_200_000)),
    ]

    /// The table in force on `date`: the one with the latest `effectiveFrom` on or before it, or `nil`
    /// before the first. The tables need not be sorted; of two with the same `effectiveFrom`, the later
    /// in the array wins (an amendment appended to the list).
    ///
    /// The 2割 class began on 2022-10-01, in the middle of the Aug 2022–Jul 2023 period: ask for the
    /// table on the date the class is wanted for, not on the period's start.
    public static func inForce(_ tables: [CopayThresholds], on date: CivilDate) -> CopayThresholds? {
        var found: CopayThresholds?
        for table in tables where table.effectiveFrom <= date {
            if let current = found, table.effectiveFrom < current.effectiveFrom { continue }
            found = table
        }
        return found
    }
}

/// The year of a copayment class (負担割合の適用期間): 1 August to 31 July, decided from the income
/// of the calendar year before the one it starts in — August 2026 to July 2027 uses 2025 income,
/// the resident tax of 2026 (令和8年度住民税).
public struct CopayPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 1 August.
    public var start: CivilDate
    /// 31 July of the next year.
    public var end: CivilDate
    /// The calendar year whose income decides the class.
    public var incomeYear: Int

    /// The period that contains `date`: the one starting 1 August of `date`'s year from August on,
    /// of the year before until July.
    public init(containing date: CivilDate) {
        let startYear = date.month >= 8 ? date.year : date.year - 1
        // Traps only for a date in January–July of year 1 (no year 0), which no rule reaches.
        start = try! CivilDate(year: startYear, month: 8, day: 1)
        end = try! CivilDate(year: startYear + 1, month: 7, day: 31)
        incomeYear = startYear - 1
    }

    public func contains(_ date: CivilDate) -> Bool { start <= date && date <= end }

    public var description: String {
        "\(StaffText.date(start))〜\(StaffText.date(end))（\(incomeYear)年の所得）"
    }
}

/// One insured member of the household (only persons insured in 後期高齢者医療 count) with the income
/// of the period's `incomeYear` that the rule reads.
public struct CopayMember: Sendable, Hashable, Codable {
    public var person: PersonID
    /// 課税所得 (住民税の課税標準額); `nil` when not recorded, counted as 0 and flagged.
    public var taxableIncome: Yen?
    /// 公的年金等収入
    public var publicPensionRevenue: Yen
    /// 給与収入
    public var salaryRevenue: Yen
    /// Other income: business, real estate, separately taxed gains (その他の所得).
    public var otherIncome: Yen
    /// 合計所得金額
    public var totalIncome: Yen
    /// `false` when there is no income record for the year at all: every figure counts as 0 and the
    /// member is flagged.
    public var incomeRecorded: Bool

    public init(
        person: PersonID, taxableIncome: Yen?, publicPensionRevenue: Yen = .zero, salaryRevenue: Yen = .zero,
        otherIncome: Yen = .zero, totalIncome: Yen = .zero, incomeRecorded: Bool = true
    ) {
        self.person = person
        self.taxableIncome = taxableIncome
        self.publicPensionRevenue = publicPensionRevenue
        self.salaryRevenue = salaryRevenue
        self.otherIncome = otherIncome
        self.totalIncome = totalIncome
        self.incomeRecorded = incomeRecorded
    }

    /// 収入 for the revenue exception (基準収入額適用): pension revenue + salary revenue + other income;
    /// 0 without an income record.
    public var revenue: Yen {
        guard incomeRecorded else { return .zero }
        return publicPensionRevenue + salaryRevenue + otherIncome
    }

    /// 年金収入 + その他の合計所得金額 for the 2割 test: pension revenue plus the part of the total income
    /// that is not pension income (合計所得金額 − 公的年金等に係る雑所得, never negative); 0 without an
    /// income record.
    public var pensionAndOtherIncome: Yen {
        guard incomeRecorded else { return .zero }
        let other = totalIncome - TaxableIncome.pensionIncome(revenue: publicPensionRevenue)
        return publicPensionRevenue + max(.zero, other)
    }

    /// The 課税所得 the rule compares: 0 when not recorded.
    var countedTaxableIncome: Yen { incomeRecorded ? (taxableIncome ?? .zero) : .zero }

    /// Whether the member's figures are missing and counted as 0.
    var isMissingIncome: Bool { !incomeRecorded || taxableIncome == nil }
}

/// The copayment class of a household for a period, with the figures that decided it.
public struct CopayDetermination: Sendable, Hashable, Codable {
    public var copayClass: CopayClass
    public var period: CopayPeriod
    /// `effectiveFrom` of the thresholds table used.
    public var thresholdsFrom: CivilDate
    /// The number of persons insured in 後期高齢者医療 in the household (被保険者数).
    public var insuredInHousehold: Int
    /// Members with no income record or no 課税所得, counted as 0, in address-number order.
    public var missingIncome: [PersonID]
    /// One line per step, in English with the Japanese term, showing the figures compared and ending
    /// with the class.
    public var explanation: [String]

    public init(
        copayClass: CopayClass, period: CopayPeriod, thresholdsFrom: CivilDate, insuredInHousehold: Int,
        missingIncome: [PersonID], explanation: [String]
    ) {
        self.copayClass = copayClass
        self.period = period
        self.thresholdsFrom = thresholdsFrom
        self.insuredInHousehold = insuredInHousehold
        self.missingIncome = missingIncome
        self.explanation = explanation
    }
}

/// The copayment-class rule (一部負担金の割合の判定), over the insured members of one household.
///
/// 1. 3割 (現役並み所得) when some member's 課税所得 ≥ `currentIncomeTaxable`, unless the members'
///    収入 is below the 基準収入額 for their number (基準収入額適用), in which case step 2 decides.
/// 2. 2割 when the table has the class, some member's 課税所得 ≥ `twoTenthsTaxable`, and the members'
///    年金収入 + その他の合計所得金額 ≥ the threshold for their number.
/// 3. Otherwise 1割.
///
/// ```swift
/// let date = try CivilDate(iso: "2026-09-01")
/// let table = CopayThresholds.inForce(CopayThresholds.standard, on: date)!
/// let period = CopayPeriod(containing: date)
/// let result = CopayRule.determine(for: person, members: household, period: period, thresholds: table)
/// result.copayClass.label  // "2割"
/// ```
///
/// Not modelled here (to be confirmed against the union's rules): the 旧ただし書き所得 test for persons
/// born from 1945-01-02, and adding the 収入 of 70–74-year-olds in the household to a single insured's
/// for the 基準収入額.
public enum CopayRule {
    /// Determines the class for `person` from the insured members of their household (the person
    /// included), under `thresholds`, for `period`. Every insured member of a household gets the same
    /// class, so the result does not depend on which member is asked about nor on the order of
    /// `members`.
    ///
    /// A person not among `members` is counted as an insured member with no income record; a person
    /// listed twice counts once (the first record).
    public static func determine(
        for person: PersonID, members: [CopayMember], period: CopayPeriod, thresholds: CopayThresholds
    ) -> CopayDetermination {
        var seen: Set<PersonID> = []
        var household = members.filter { seen.insert($0.person).inserted }
        var notes: [String] = []
        if seen.count < members.count {
            notes.append("重複して記録された世帯員は一人として数えた（最初の記録）")
        }
        if !seen.contains(person) {
            household.append(CopayMember(person: person, taxableIncome: nil, incomeRecorded: false))
            notes.append("\(person) は世帯員に含まれていなかった：所得のない被保険者として数えた")
        }
        household.sort { $0.person < $1.person }
        let t = thresholds
        let count = household.count
        let several = count >= 2
        let insured = "被保険者\(count)人"

        var lines = [
            "世帯：\(insured)（\(household.map(\.person.description).joined(separator: "、"))）、適用期間 "
                + "\(period)、判定基準 \(StaffText.date(t.effectiveFrom))から"
        ]
        lines += notes
        if let problem = t.problem { lines.append("判定基準の問題：\(problem)") }
        let missing = household.filter(\.isMissingIncome)
        for member in missing {
            let what = member.incomeRecorded ? "課税所得の記録なし" : "所得の記録なし"
            lines.append("\(member.person)：\(period.incomeYear)年の\(what)、0として数えた")
        }

        // Household members are never empty here: `person` is always among them.
        let highest = household.max { a, b in
            // Ties go to the lowest address number, so the named person does not depend on order.
            a.countedTaxableIncome != b.countedTaxableIncome
                ? a.countedTaxableIncome < b.countedTaxableIncome : a.person > b.person
        }!
        let top = highest.countedTaxableIncome
        let topWho = "（\(highest.person)）"

        func finish(_ copayClass: CopayClass) -> CopayDetermination {
            lines.append("一部負担金の割合：\(copayClass.label)")
            return CopayDetermination(
                copayClass: copayClass, period: period, thresholdsFrom: t.effectiveFrom, insuredInHousehold: count,
                missingIncome: missing.map(\.person), explanation: lines)
        }

        // Step 1: 現役並み所得, unless the 基準収入額 exception applies.
        if top >= t.currentIncomeTaxable {
            lines.append(
                "現役並み所得：世帯で最も高い課税所得 \(grouped(top)) ≥ \(grouped(t.currentIncomeTaxable))\(topWho)")
            let revenue = household.map(\.revenue).sum()
            let limit = several ? t.currentIncomeRevenueMultiple : t.currentIncomeRevenueSingle
            guard revenue < limit else {
                lines.append("基準収入額適用：収入 \(grouped(revenue)) ≥ \(grouped(limit))（\(insured)）：適用しない")
                return finish(.three)
            }
            lines.append("基準収入額適用：収入 \(grouped(revenue)) < \(grouped(limit))（\(insured)）：現役並みとしない")
        } else {
            lines.append(
                "現役並み所得：世帯で最も高い課税所得 \(grouped(top)) < \(grouped(t.currentIncomeTaxable))\(topWho)")
        }

        // Step 2: 2割, where the table has the class.
        guard let twoTenthsTaxable = t.twoTenthsTaxable else {
            lines.append("2割：\(StaffText.date(t.effectiveFrom))からの判定基準に2割の区分なし")
            return finish(.one)
        }
        guard top >= twoTenthsTaxable else {
            lines.append("2割：世帯で最も高い課税所得 \(grouped(top)) < \(grouped(twoTenthsTaxable))\(topWho)")
            return finish(.one)
        }
        lines.append("2割：世帯で最も高い課税所得 \(grouped(top)) ≥ \(grouped(twoTenthsTaxable))\(topWho)")
        let income = household.map(\.pensionAndOtherIncome).sum()
        let limit = several ? t.twoTenthsIncomeMultiple : t.twoTenthsIncomeSingle
        let sign = income >= limit ? "≥" : "<"
        lines.append("2割：年金収入 + その他の合計所得金額 \(grouped(income)) \(sign) \(grouped(limit))（\(insured)）")
        return finish(income >= limit ? .two : .one)
    }

    /// Yen with thousands separators ("1,450,000", "-1,000"), written by hand: KokiDomain does not
    /// import Foundation.
    static func grouped(_ yen: Yen) -> String {
        let magnitude = yen.amount.magnitude
        var digits = Array(String(magnitude))
        var out: [Character] = []
        while digits.count > 3 {
            out.insert(contentsOf: [","] + digits.suffix(3), at: 0)
            digits.removeLast(3)
        }
        out.insert(contentsOf: digits, at: 0)
        return (yen.amount < 0 ? "-" : "") + String(out)
    }
}
