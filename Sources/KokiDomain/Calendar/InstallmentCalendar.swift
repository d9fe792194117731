/// A fiscal year's ordinary-collection schedule (普通徴収の納期): which months have an
/// installment, the due day, the December rule, the rounding unit and which period takes the
/// remainder. Matsudo's own schedule is unconfirmed (premiums-and-eligibility.md §5.2, §9), so
/// it is configuration recorded in the ledger; ``standard(fiscalYear:)`` is the common pattern.
public struct InstallmentCalendar: Hashable, Sendable, Codable {
    public var fiscalYear: Int
    /// Calendar months with an installment, in order (July … March).
    public var months: [Int]
    /// The due day in a month; `nil` for the month's last day.
    public var dueDay: Int?
    /// A different due day in December (e.g. 25 or 28), or `nil` for the usual rule.
    public var decemberDueDay: Int?
    /// Installments are truncated to a multiple of this, but for the one taking the remainder.
    public var roundingUnit: Int64
    /// Which period takes the remainder: the first (the common rule) or the last.
    public var remainderPeriod: RemainderPeriod
    /// Pension deduction's leveling (平準化): when the year's six deductions would differ by more
    /// than this, August's provisional deduction is changed to bring the provisional months to
    /// half the annual premium. `nil`: no leveling. UNCONFIRMED for Matsudo; 4,000 yen is 三種町's.
    public var pensionLevelingThreshold: Yen?

    /// How long a change to pension deduction takes to reach the insurer (特徴異動: a lower
    /// amount, a stop): a change decided on a day affects the pension months whose deadline —
    /// the last day of the month this many months before the pension month — is not yet past.
    /// The year's request in July (August's leveled amount, the final months) follows the
    /// national exchange and is not governed by it. UNCONFIRMED for Matsudo; 2 months is the
    /// shortest the domain notes found (Nagasaki 2–4, Kurashiki 3–4, Sasebo 3–5, Hachinohe 3).
    public var pensionNoticeLeadMonths: Int
    /// Whether the city offers 全期前納: a bank-debit payer who chose it pays the whole year's
    /// ordinary periods on the year's first due date. UNCONFIRMED for Matsudo; off by default.
    public var debitPrepayment: Bool

    public static let standardLevelingThreshold = Yen(4_000)
    public static let standardNoticeLeadMonths = 2

    public enum RemainderPeriod: String, Hashable, Sendable, Codable {
        case first, last
    }

    public init(
        fiscalYear: Int, months: [Int], dueDay: Int? = nil, decemberDueDay: Int? = nil, roundingUnit: Int64 = 100,
        remainderPeriod: RemainderPeriod = .first, pensionLevelingThreshold: Yen? = standardLevelingThreshold,
        pensionNoticeLeadMonths: Int = standardNoticeLeadMonths, debitPrepayment: Bool = false
    ) throws(DomainError) {
        guard !months.isEmpty, months.count <= 12, Set(months).count == months.count,
            months.allSatisfy({ (1...12).contains($0) })
        else {
            throw DomainError(.invalidValue, "installment months \(months) must be 1–12 distinct months")
        }
        for day in [dueDay, decemberDueDay].compactMap({ $0 }) where !(1...31).contains(day) {
            throw DomainError(.invalidValue, "due day \(day) is not a day of a month")
        }
        guard roundingUnit >= 1 else {
            throw DomainError(.invalidValue, "rounding unit \(roundingUnit) must be positive")
        }
        if let threshold = pensionLevelingThreshold, !(Yen.zero...Yen(1_000_000)).contains(threshold) {
            throw DomainError(.invalidValue, "pension leveling threshold \(threshold.amount) must be 0–1000000 yen")
        }
        guard (1...6).contains(pensionNoticeLeadMonths) else {
            throw DomainError(.invalidValue, "pension notice lead \(pensionNoticeLeadMonths) months must be 1–6")
        }
        self.fiscalYear = fiscalYear
        self.months = months
        self.dueDay = dueDay
        self.decemberDueDay = decemberDueDay
        self.roundingUnit = roundingUnit
        self.remainderPeriod = remainderPeriod
        self.pensionLevelingThreshold = pensionLevelingThreshold
        self.pensionNoticeLeadMonths = pensionNoticeLeadMonths
        self.debitPrepayment = debitPrepayment
    }

    enum CodingKeys: String, CodingKey {
        case fiscalYear, months, dueDay, decemberDueDay, roundingUnit, remainderPeriod, pensionLevelingThreshold
        case pensionNoticeLeadMonths, debitPrepayment
    }

    /// Decoding checks the same rules as the initializer.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            fiscalYear: try c.decode(Int.self, forKey: .fiscalYear), months: try c.decode([Int].self, forKey: .months),
            dueDay: try c.decodeIfPresent(Int.self, forKey: .dueDay),
            decemberDueDay: try c.decodeIfPresent(Int.self, forKey: .decemberDueDay),
            roundingUnit: try c.decodeIfPresent(Int64.self, forKey: .roundingUnit) ?? 100,
            remainderPeriod: try c.decodeIfPresent(RemainderPeriod.self, forKey: .remainderPeriod) ?? .first,
            pensionLevelingThreshold: !c.contains(.pensionLevelingThreshold)
                ? Self.standardLevelingThreshold
                : try c.decodeNil(forKey: .pensionLevelingThreshold)
                    ? nil : try c.decode(Yen.self, forKey: .pensionLevelingThreshold),
            pensionNoticeLeadMonths: try c.decodeIfPresent(Int.self, forKey: .pensionNoticeLeadMonths)
                ?? Self.standardNoticeLeadMonths,
            debitPrepayment: try c.decodeIfPresent(Bool.self, forKey: .debitPrepayment) ?? false)
    }

    /// The default remainder period, leveling threshold and notice lead are left out, so calendars stored
    /// before they existed and calendars that keep the defaults encode to the same bytes; no
    /// leveling is written as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fiscalYear, forKey: .fiscalYear)
        try c.encode(months, forKey: .months)
        try c.encodeIfPresent(dueDay, forKey: .dueDay)
        try c.encodeIfPresent(decemberDueDay, forKey: .decemberDueDay)
        try c.encode(roundingUnit, forKey: .roundingUnit)
        if remainderPeriod != .first { try c.encode(remainderPeriod, forKey: .remainderPeriod) }
        if pensionLevelingThreshold != Self.standardLevelingThreshold {
            if let threshold = pensionLevelingThreshold {
                try c.encode(threshold, forKey: .pensionLevelingThreshold)
            } else {
                try c.encodeNil(forKey: .pensionLevelingThreshold)
            }
        }
        if pensionNoticeLeadMonths != Self.standardNoticeLeadMonths {
            try c.encode(pensionNoticeLeadMonths, forKey: .pensionNoticeLeadMonths)
        }
        if debitPrepayment { try c.encode(debitPrepayment, forKey: .debitPrepayment) }
    }

    /// Nine installments, July to March, due at month end, 100-yen units, the remainder in July
    /// (the common 後期 pattern; Chigasaki, Hachinohe, Nomi).
    public static func standard(fiscalYear: Int) -> InstallmentCalendar {
        try! InstallmentCalendar(fiscalYear: fiscalYear, months: [7, 8, 9, 10, 11, 12, 1, 2, 3])
    }

    /// Each period's due date: the rule's day (a day past the month's end is its last day),
    /// moved to the next business day when the city is closed.
    public func dueDates(on calendar: BusinessCalendar = BusinessCalendar()) -> [CivilDate] {
        months.map { month in
            let year = month >= 4 ? fiscalYear : fiscalYear + 1
            let last = CivilDate.daysIn(month: month, year: year)
            let day = min(last, (month == 12 ? decemberDueDay ?? dueDay : dueDay) ?? last)
            return calendar.onOrAfter(try! CivilDate(year: year, month: month, day: day))
        }
    }

    /// Splits an amount over `count` installments: each truncated to the rounding unit but one,
    /// the first or the last, which takes the remainder — so the parts always sum to the amount.
    public func split(_ amount: Yen, into count: Int) -> [Yen] {
        precondition(count >= 1)
        let even = amount.amount / Int64(count) / roundingUnit * roundingUnit
        let remainder = Yen(amount.amount - even * Int64(count - 1))
        let rest = Array(repeating: Yen(even), count: count - 1)
        return remainderPeriod == .first ? [remainder] + rest : rest + [remainder]
    }

    /// The schedule for an amount: every period, or only those due after `decidedOn` for a
    /// person assessed during the year (the notice goes out after the decision).
    public func installments(
        for amount: Yen, decidedOn: CivilDate? = nil, calendar: BusinessCalendar = BusinessCalendar()
    )
        -> [(period: PeriodNumber, dueDate: CivilDate, amount: Yen)]
    {
        let dates = dueDates(on: calendar)
        var periods = Array(dates.indices)
        if let decided = decidedOn {
            periods = periods.filter { dates[$0] > decided }
            // After the last due date, everything falls due in the last period.
            if periods.isEmpty { periods = [dates.count - 1] }
        }
        let amounts = split(amount, into: periods.count)
        return zip(periods, amounts).map { index, part in (try! PeriodNumber(index + 1), dates[index], part) }
    }
}
