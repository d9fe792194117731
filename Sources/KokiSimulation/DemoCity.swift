@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents

/// A small deterministic city for the demonstration job and benchmarks: for each person, a
/// fiscal year's assessment with nine installments (July–March, due at month end), the
/// payments they made, and dunning notices for installments left unpaid past their due date.
///
/// Deterministic for a seed (SplitMix64), so two runs produce the same events byte for byte.
/// The figures are plausible, not the premium rules: those arrive with the assessment work.
public struct DemoCity: Sendable {
    public var persons: Int
    public var fiscalYear: FiscalYear
    public var seed: UInt64

    public init(persons: Int, fiscalYear: FiscalYear = try! FiscalYear(2025), seed: UInt64 = 75) {
        self.persons = persons
        self.fiscalYear = fiscalYear
        self.seed = seed
    }

    /// The address number of the i-th demo person (1-based).
    public func person(_ index: Int) -> PersonID {
        try! PersonID(String(100_000_000 + index))
    }

    /// The i-th person's identity, household and 75th birthday: born 1934–1950 (75 between
    /// 2009 and mid-2025, so insured when the fiscal year's premium is assessed), in pairs
    /// sharing a household.
    public func registration(forPerson index: Int) -> (
        identity: PersonIdentity, household: HouseholdID, role: HouseholdRole
    ) {
        var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x51_7CC1_B727)
        let surnames = [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ")]
        let given =
            index % 2 == 1
            ? [("太郎", "タロウ"), ("清", "キヨシ"), ("茂", "シゲル")] : [("花子", "ハナコ"), ("和子", "カズコ"), ("幸子", "サチコ")]
        let towns = ["根本", "小金", "常盤平", "六実", "馬橋", "新松戸", "矢切", "五香"]
        let family = surnames[(index - 1) / 2 % surnames.count]
        let name = given[Int(random.next(below: UInt64(given.count)))]
        let first = try! CivilDate(year: 1934, month: 1, day: 1).daysSinceEpoch
        let last = try! CivilDate(year: 1950, month: 6, day: 30).daysSinceEpoch
        let born = try! CivilDate(daysSinceEpoch: first + Int(random.next(below: UInt64(last - first))))
        let identity = try! PersonIdentity(
            nameKanji: "\(family.0) \(name.0)", nameKana: "\(family.1) \(name.1)", birthDate: born,
            sex: index % 2 == 1 ? .male : .female,
            address: "千葉県松戸市\(towns[Int(random.next(below: UInt64(towns.count)))])\(1 + random.next(below: 999))",
            phone: nil)
        return (identity, try! HouseholdID(String(500_000 + (index + 1) / 2)), index % 2 == 1 ? .householder : .member)
    }

    /// The i-th person's 2024 income: a public pension of 800,000 to 4,000,000 yen.
    public func income(forPerson index: Int) -> IncomeRecorded {
        var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
        let revenue = Yen(Int64(800 + random.next(below: 3_201)) * 1_000)
        return IncomeRecorded(
            person: person(index), year: 2024, publicPensionRevenue: revenue, salaryRevenue: .zero, otherIncome: .zero,
            totalIncome: TaxableIncome.pensionIncome(revenue: revenue), declared: true, source: "連携税マスタ")
    }

    /// How many of a person's installments they pay: most pay all; some stop part-way.
    public func paysInstallments(forPerson index: Int, of count: Int) -> Int {
        var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        return random.next(below: 100) < 85 ? count : Int(random.next(below: UInt64(count)))
    }

    /// One person's events, as the commands that recorded them: the assessment, then each
    /// payment and each dunning notice as a command of its own.
    public func commands(forPerson index: Int) -> [[KokiEvent]] {
        var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        let person = person(index)
        let year = fiscalYear.year
        // Annual premiums from 5,000 to 250,000 yen, floored to 100 yen.
        let annual = Int64(50 + random.next(below: 2_451)) * 100
        let installments = Self.installments(annual: Yen(annual), fiscalYear: year)
        let decided = try! CivilDate(year: year, month: 7, day: 10)
        var commands: [[KokiEvent]] = [
            [
                .premiumAssessed(
                    PremiumAssessed(
                        person: person, fiscalYear: fiscalYear, decidedOn: decided, annualPremium: Yen(annual),
                        installments: installments, ruleVersion: "chiba-2025.1"))
            ]
        ]
        // Most people pay everything; some stop paying part-way, and are dunned.
        let paysAll = random.next(below: 100) < 85
        let stopsAfter = paysAll ? installments.count : Int(random.next(below: UInt64(installments.count)))
        let channels = PaymentChannel.allCases
        for (i, installment) in installments.enumerated() {
            if i < stopsAfter {
                let early = Int(random.next(below: 20))
                commands.append([
                    .paymentReceived(
                        PaymentReceived(
                            id: "d\(person.value)-\(fiscalYear.year % 100)\(installment.period.number)", person: person,
                            channel: channels[Int(random.next(below: UInt64(channels.count - 1)))],
                            paidOn: installment.dueDate.adding(days: -early), learnedOn: installment.dueDate,
                            amount: installment.amount, slip: PeriodKey(fiscalYear, installment.period),
                            parts: [
                                .init(
                                    key: PeriodKey(fiscalYear, installment.period), amount: installment.amount,
                                    accountingYear: fiscalYear)
                            ], overpaid: .zero, reference: ""))
                ])
            } else {
                // Issued on the last business day within 20 days of the due date; the deadline
                // ten days on, moved off a day the office is closed.
                let businessDays = BusinessCalendar()
                let issued = businessDays.onOrBefore(installment.dueDate.adding(days: 20))
                commands.append([
                    .dunningNoticeIssued(
                        DunningNoticeIssued(
                            person: person, fiscalYear: fiscalYear, period: installment.period,
                            principal: installment.amount, issuedOn: issued,
                            payBy: businessDays.onOrAfter(issued.adding(days: 10))))
                ])
            }
        }
        return commands
    }

    /// The standard calendar's nine installments for an amount (July–March, the first taking
    /// the remainder, due dates moved to business days).
    static func installments(annual: Yen, fiscalYear year: Int) -> [Installment] {
        InstallmentCalendar.standard(fiscalYear: year).installments(for: annual).map {
            Installment(period: $0.period, dueDate: $0.dueDate, amount: $0.amount)
        }
    }
}

/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64): demo data only.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
