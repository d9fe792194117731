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

    /// Whether a pension month is provisional (仮徴収: April, June, August).
    public static func isProvisional(month: Int) -> Bool { [4, 6, 8].contains(month) }

    /// A pension month as documents name it: 「4月（仮徴収）」 … 「2月（本徴収）」.
    public static func name(month: Int) -> String { "\(month)月（\(isProvisional(month: month) ? "仮徴収" : "本徴収")）" }

    /// Why a person is or is not deducted from the pension in a year (特徴対象者管理): each
    /// first assessment records it, in words beginning as ``prefix`` says.
    public enum Selection: String, Sendable, Hashable, Codable, CaseIterable {
        case selected, noPensionInformation, newlyInsured, pensionUnder180000, careNotDeducted, overHalf
        /// Asked to pay by bank debit instead (特別徴収から口座振替への切替).
        case switchedToDebit

        /// How the recorded reason begins.
        public var prefix: String {
            switch self {
            case .selected: "pension deduction:"
            case .noPensionInformation: "no pension information"
            case .newlyInsured: "newly insured this year"
            case .pensionUnder180000: "pension "
            case .careNotDeducted: "the long-term-care premium is not deducted"
            case .overHalf: "care premium + this premium"
            case .switchedToDebit: "asked to pay by bank debit"
            }
        }

        /// The selection a recorded reason states (`nil`: not a selection's reason, e.g. a
        /// reassessment's cause).
        public init?(recorded cause: String) {
            // "pension deduction:" before "pension " (its prefix is longer).
            guard
                let found = Self.allCases.sorted(by: { $0.prefix.count > $1.prefix.count }).first(where: {
                    cause.hasPrefix($0.prefix)
                })
            else { return nil }
            self = found
        }
    }

    /// The method for a premium, and why. New entrants (insured from this fiscal year) pay by
    /// ordinary collection at first, whatever their pension; so does a payer who asked to pay by
    /// bank debit instead (`switchedToDebit`).
    public static func method(
        for premium: Yen, facts: PensionFacts?, newlyInsured: Bool, switchedToDebit: CivilDate? = nil
    ) -> (CollectionMethod, String) {
        guard let facts else { return (.ordinary, Selection.noPensionInformation.prefix) }
        if newlyInsured { return (.ordinary, "newly insured this year: ordinary collection at first") }
        if let switchedToDebit {
            return (.ordinary, "asked to pay by bank debit instead on \(switchedToDebit) (特別徴収から口座振替への切替)")
        }
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

    /// The six deductions of a year: the provisional months repeat last February's deduction —
    /// what the pension insurer was told — for as long as the premium lasts (April first, then
    /// June, then August); the rest is split over the final months in `unit` yen, October taking
    /// the remainder. A premium smaller than what April and June deducted leaves the excess to be
    /// refunded: the periods never hold more than the premium.
    ///
    /// Leveling (平準化, premiums-and-eligibility.md §5.1): when those six would differ by more
    /// than `leveling`, August — the one provisional month still to come when the annual premium
    /// is known in July — is changed so that the provisional months come as close to half the
    /// premium as a deduction in `unit` yen can (never below zero, never more than what is left),
    /// and the final months split the rest. April and June stay what the insurer was told. Years
    /// whose provisional months repeated a February of nothing (and whose Februaries then
    /// alternated with zero) even out in one year.
    public static func amounts(for premium: Yen, previousFebruary: Yen?, unit: Int64 = 100, leveling: Yen? = nil)
        -> [Yen]
    {
        let told = max(.zero, previousFebruary ?? .zero)
        var provisional: [Yen] = []
        for _ in 0..<3 { provisional.append(min(told, premium - provisional.sum())) }
        func finals(after provisional: [Yen]) -> [Yen] {
            let remaining = (premium - provisional.sum()).amount
            let later = remaining / 3 / unit * unit
            return [Yen(remaining - later * 2), Yen(later), Yen(later)]
        }
        let plain = provisional + finals(after: provisional)
        guard let leveling, let high = plain.max(), let low = plain.min(), high - low > leveling else { return plain }
        let aprilAndJune = provisional[0] + provisional[1]
        let left = premium - aprilAndJune
        let wanted = Yen(premium.amount / 2) - aprilAndJune
        provisional[2] = max(.zero, min(left, Yen(wanted.amount / unit * unit)))
        return provisional + finals(after: provisional)
    }

    /// The last day on which a change can still reach the insurer for the pension payment on
    /// `paymentDay`: the last day of the month `leadMonths` months before it. The year's request
    /// (made with the July assessment) has a lead of one month: August's leveled amount is told
    /// by 31 July, October's by 30 September.
    public static func deadline(for paymentDay: CivilDate, leadMonths: Int) -> CivilDate {
        // Kept within the calendar's years (a pension day of year 1 has no earlier month; a lead
        // below 0 no later one after 9999), so the year is 1…9999, the month 1…12 and the day its
        // last: a date that exists.
        let index = min(9999 * 12 + 11, max(12, paymentDay.year * 12 + (paymentDay.month - 1) - leadMonths))
        let (year, month) = (index / 12, index % 12 + 1)
        return CivilDate(known: year, month, CivilDate.daysIn(month: month, year: year))
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
