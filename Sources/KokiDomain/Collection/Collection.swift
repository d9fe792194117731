/// The fiscal-closing rule (出納整理期間, 地方自治法 §235-5, 施行令 §142): money for a period due in
/// fiscal year N that is paid by 31 May of N+1 is revenue of N; paid from 1 June it is revenue of
/// the year it is paid in, as arrears carried forward (滞納繰越分).
public enum FiscalClosing {
    /// The day the year's cash accounts close (出納閉鎖): 31 May of the next calendar year.
    public static func closingDay(of fy: FiscalYear) -> CivilDate {
        try! CivilDate(year: fy.year + 1, month: 5, day: 31)
    }

    /// The accounting year of money paid on `paidOn` for a period of fiscal year `fy`, and
    /// whether it is carried-forward arrears.
    public static func accountingYear(periodOf fy: FiscalYear, paidOn: CivilDate) -> (FiscalYear, carriedForward: Bool)
    {
        if paidOn <= closingDay(of: fy) { return (fy, false) }
        return (FiscalYear(containing: paidOn), true)
    }
}

/// A period (期別) of a fiscal year: what an installment, a slip or an allocation names.
public struct PeriodKey: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var fiscalYear: FiscalYear
    public var period: PeriodNumber

    public init(_ fiscalYear: FiscalYear, _ period: PeriodNumber) {
        self.fiscalYear = fiscalYear
        self.period = period
    }

    public static func < (lhs: PeriodKey, rhs: PeriodKey) -> Bool {
        (lhs.fiscalYear, lhs.period) < (rhs.fiscalYear, rhs.period)
    }

    public var description: String { "FY\(fiscalYear.year)/\(period.number)" }
}

/// How received money is spread over a person's periods (消込).
public enum PaymentAllocation {
    /// An open period: what is still owed on it and when it falls due.
    public struct Open: Hashable, Sendable {
        public var key: PeriodKey
        public var dueDate: CivilDate
        public var outstanding: Yen
        public init(key: PeriodKey, dueDate: CivilDate, outstanding: Yen) {
            self.key = key
            self.dueDate = dueDate
            self.outstanding = outstanding
        }
    }

    /// Money that a slip names goes to that period, up to what it owes; unspecified money goes to
    /// the oldest unpaid period first (by due date). What is left over is an overpayment (誤納),
    /// appropriated or refunded later — never spread onto a period the payer did not name.
    public static func allocate(_ amount: Yen, to target: PeriodKey?, open: [Open]) -> (
        parts: [(PeriodKey, Yen)], left: Yen
    ) {
        var left = amount
        var parts: [(PeriodKey, Yen)] = []
        let candidates =
            if let target { open.filter { $0.key == target } } else {
                open.sorted { ($0.dueDate, $0.key) < ($1.dueDate, $1.key) }
            }
        for item in candidates where left > .zero && item.outstanding > .zero {
            let part = min(left, item.outstanding)
            parts.append((item.key, part))
            left -= part
        }
        return (parts, left)
    }
}
