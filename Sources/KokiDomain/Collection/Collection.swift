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

/// What is owed on a period: the premium (本料) or the late fee finalized on it (確定延滞金), which
/// is owed like a period of its own. Stored by declaration order: add cases at the end.
public enum Charge: String, Hashable, Sendable, Codable, CaseIterable {
    case premium, lateFee
}

/// How received money is spread over a person's periods (消込).
public enum PaymentAllocation {
    /// An open period: what is still owed on it and when it falls due.
    public struct Open: Hashable, Sendable {
        public var key: PeriodKey
        public var charge: Charge
        public var dueDate: CivilDate
        public var outstanding: Yen
        public init(key: PeriodKey, charge: Charge = .premium, dueDate: CivilDate, outstanding: Yen) {
            self.key = key
            self.charge = charge
            self.dueDate = dueDate
            self.outstanding = outstanding
        }

        /// Premiums before late fees (本税優先), then by due date and period.
        static func < (a: Open, b: Open) -> Bool {
            (a.charge == .premium ? 0 : 1, a.dueDate, a.key) < (b.charge == .premium ? 0 : 1, b.dueDate, b.key)
        }
    }

    /// Money that a slip names goes to that period's premium (or late fee), up to what it owes;
    /// unspecified money goes to premiums first, the oldest unpaid period first (by due date),
    /// then to late fees. What is left over is an overpayment (誤納), appropriated or refunded
    /// later — never spread onto a period the payer did not name.
    public static func allocate(_ amount: Yen, to target: PeriodKey?, charge: Charge = .premium, open: [Open]) -> (
        parts: [(PeriodKey, Charge, Yen)], left: Yen
    ) {
        var left = amount
        var parts: [(PeriodKey, Charge, Yen)] = []
        let candidates =
            if let target { open.filter { $0.key == target && $0.charge == charge } } else { open.sorted(by: <) }
        for item in candidates where left > .zero && item.outstanding > .zero {
            let part = min(left, item.outstanding)
            parts.append((item.key, item.charge, part))
            left -= part
        }
        return (parts, left)
    }
}
