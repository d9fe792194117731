/// How a premium is collected (徴収方法, 高確法 §107, §110): deducted from the pension
/// (特別徴収), or paid by slip, bank debit or at a convenience store (普通徴収).
public enum CollectionMethod: String, Hashable, Sendable, Codable, CaseIterable {
    case ordinary
    case pensionDeduction
}

/// The pension facts the collection method depends on, for one fiscal year.
public struct PensionFacts: Hashable, Sendable, Codable {
    /// The annual amount of the pension from which the long-term-care premium is deducted.
    public var annualPension: Yen
    /// The annual long-term-care insurance premium (介護保険料).
    public var careInsurancePremium: Yen
    /// Whether the care premium is itself deducted from that pension.
    public var careDeductedFromPension: Bool
    /// Last fiscal year's February deduction, which the provisional months repeat (仮徴収).
    public var previousFebruaryDeduction: Yen?

    public init(
        annualPension: Yen, careInsurancePremium: Yen, careDeductedFromPension: Bool,
        previousFebruaryDeduction: Yen? = nil
    ) {
        self.annualPension = annualPension
        self.careInsurancePremium = careInsurancePremium
        self.careDeductedFromPension = careDeductedFromPension
        self.previousFebruaryDeduction = previousFebruaryDeduction
    }
}

/// The rules of pension deduction (premiums-and-eligibility.md §5.1).
public enum PensionDeduction {
    /// The pension must be at least this much a year (年額18万円以上).
    public static let minimumAnnualPension = Yen(180_000)
    /// Pension months: April, June, August are provisional (仮徴収); October, December, February
    /// final (本徴収).
    public static let months = [4, 6, 8, 10, 12, 2]

    /// The method for a premium, and why. New entrants (insured from this fiscal year) pay by
    /// ordinary collection at first, whatever their pension.
    public static func method(for premium: Yen, facts: PensionFacts?, newlyInsured: Bool) -> (CollectionMethod, String)
    {
        guard let facts else { return (.ordinary, "no pension information") }
        if newlyInsured { return (.ordinary, "newly insured this year: ordinary collection at first") }
        guard facts.annualPension >= minimumAnnualPension else {
            return (.ordinary, "pension \(facts.annualPension.amount) is under 180000 a year")
        }
        guard facts.careDeductedFromPension else {
            return (.ordinary, "the long-term-care premium is not deducted from the pension")
        }
        guard (facts.careInsurancePremium + premium).times(2) <= facts.annualPension else {
            return (
                .ordinary,
                "care premium + this premium (\((facts.careInsurancePremium + premium).amount)) exceed half the pension"
            )
        }
        return (.pensionDeduction, "pension deduction: the 180000-yen and one-half conditions hold")
    }

    /// The six deductions of a year: the provisional months repeat last February's deduction
    /// (never more in total than the premium); the rest is split over the final months in
    /// `unit` yen, October taking the remainder.
    public static func amounts(for premium: Yen, previousFebruary: Yen?, unit: Int64 = 100) -> [Yen] {
        let provisionalEach = min(previousFebruary ?? .zero, Yen(premium.amount / 3))
        let remaining = (premium - provisionalEach.times(3)).amount
        let later = remaining / 3 / unit * unit
        let october = remaining - later * 2
        return Array(repeating: provisionalEach, count: 3) + [Yen(october), Yen(later), Yen(later)]
    }

    /// The pension payment days (the 15th of the month, or the business day before it).
    public static func paymentDates(fiscalYear: Int, calendar: BusinessCalendar = BusinessCalendar()) -> [CivilDate] {
        months.map { month in
            var day = try! CivilDate(year: month >= 4 ? fiscalYear : fiscalYear + 1, month: month, day: 15)
            while !calendar.isBusinessDay(day) { day = day.adding(days: -1) }
            return day
        }
    }
}
