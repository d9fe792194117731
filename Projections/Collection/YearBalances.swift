import KokiDomain
import KokiEvents

/// A person's collection account summed per fiscal year (年度別収納状況): the figures a city-wide
/// list needs to pick out who owes what, without the account's history. The stored read model
/// of balances keeps one row of this per person and year; anything finer (late fees to a date,
/// prescription) is decided from the person's own stream for the persons these rows select.
public struct YearBalance: Sendable, Hashable, Codable {
    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var assessed = Yen.zero
    public var credited = Yen.zero
    public var reduced = Yen.zero
    public var writtenOff = Yen.zero
    public var outstanding = Yen.zero
    public var overpaid = Yen.zero
    /// Final late fees (確定延滞金) not yet paid, waived or written off.
    public var lateFeeOutstanding = Yen.zero
    /// Periods still owing principal, and periods dunned (督促).
    public var openPeriods = 0
    public var dunnedPeriods = 0
    /// The earliest due date of a period still owing principal.
    public var oldestOpenDue: CivilDate?
    /// The earliest due date of a period paid off after it (or by appropriation) whose late fee
    /// was never made final, which may owe one though its principal is paid.
    public var oldestLateDue: CivilDate?
    /// For those periods, the largest yen-days any of them accrued (each yen credited times the
    /// days it came after the due date; `Int64.max` when unbounded): the late fee is at most
    /// this × the highest rate / 365, whatever the rates, the bands or the day asked about.
    public var lateExposure: Int64?
    /// Money held for the payer (過誤納金): overpayments still open, in the year they arose, and
    /// refunds decided but neither paid nor lapsed, in the year decided. A refund or settling run
    /// picks its persons by it.
    public var held = Yen.zero

    public init(person: PersonID, fiscalYear: FiscalYear) {
        self.person = person
        self.fiscalYear = fiscalYear
    }

    /// Bumped whenever these sums change meaning or their stored form (the table's columns, the
    /// snapshot's encoding) changes; stored rows and snapshots of another version are rebuilt,
    /// never reused.
    public static var logicVersion: Int { CollectionAccounts.logicVersion * 1_000 + 5 }

    /// The rows of one account, by fiscal year.
    public static func rows(of person: PersonID, _ account: CollectionAccounts.Account) -> [YearBalance] {
        // Per period, every yen credited and its yen-days after the due date (as the late fee
        // counts them: a payment covers the day it is made).
        var credit: [PeriodKey: Credit] = [:]
        func credited(_ key: PeriodKey, _ amount: Yen, on day: CivilDate) {
            guard let due = account.periods[key]?.dueDate else { return }
            credit[key, default: Credit()].add(amount, late: due.days(until: day))
        }
        for payment in account.payments where !payment.isCancelled {
            for part in payment.event.parts { credited(part.key, part.amount, on: payment.event.paidOn) }
        }
        for appropriation in account.appropriations {
            for part in appropriation.parts { credited(part.key, part.amount, on: part.effectiveOn) }
        }
        var held: [(Yen, CivilDate)] = []
        for overpayment in account.overpayments where overpayment.open > .zero { held.append((overpayment.open, overpayment.arose)) }
        for refund in account.refunds where refund.paid == nil && refund.prescribed == nil {
            held.append((refund.decision.amount, refund.decision.decidedOn))
        }
        return rows(
            of: person, periods: account.periods.lazy.map { ($0.key, $0.value, credit[$0.key]) },
            dunned: account.dunning.lazy.map(\.fiscalYear), held: held)
    }

    /// Every yen credited to a period and its yen-days after the due date, each saturating.
    public struct Credit: Sendable, Hashable {
        public var total: Int64 = 0
        /// `Int64.max` once it overflowed.
        public var yenDays: Int64 = 0

        public init() {}

        /// `amount` credited `late` days after the due date (none when on or before it).
        /// Returns whether a sum overflowed (the figures are then the saturated ones).
        @discardableResult
        public mutating func add(_ amount: Yen, late: Int) -> Bool {
            let (sum, over) = total.addingReportingOverflow(amount.amount)
            total = over ? (amount.amount > 0 ? .max : .min) : sum
            let (product, overflow) = amount.amount.multipliedReportingOverflow(by: Int64(max(0, late)))
            let (days, wrapped) = yenDays.addingReportingOverflow(product)
            yenDays = overflow || wrapped ? .max : days
            return over || overflow || wrapped
        }
    }

    /// The rows from an account's parts, by fiscal year: its periods with what was credited to
    /// each, the fiscal year of each dunning notice, and the money held for the payer (each
    /// amount with the day that places it in a year). The order of each sequence does not
    /// matter. (A person's years are few: they are found by a search, not a hash.)
    public static func rows(
        of person: PersonID, periods: some Sequence<(PeriodKey, CollectionAccounts.Period, Credit?)>,
        dunned: some Sequence<FiscalYear>, held: some Sequence<(Yen, CivilDate)>
    ) -> [YearBalance] {
        var rows: [YearBalance] = []
        func index(_ year: FiscalYear) -> Int {
            if let found = rows.lastIndex(where: { $0.fiscalYear == year }) { return found }
            rows.append(YearBalance(person: person, fiscalYear: year))
            return rows.count - 1
        }
        for (key, period, credit) in periods {
            let i = index(key.fiscalYear)
            rows[i].assessed += period.assessed
            rows[i].credited += period.credited
            rows[i].reduced += period.reduced
            rows[i].writtenOff += period.writtenOff
            rows[i].outstanding += period.outstanding
            rows[i].overpaid += period.overpaid
            rows[i].lateFeeOutstanding += period.lateFeeOutstanding
            if period.outstanding > .zero {
                rows[i].openPeriods += 1
                if period.assessed > .zero { rows[i].oldestOpenDue = earlier(rows[i].oldestOpenDue, period.dueDate) }
            }
            if period.paidLate && period.assessed > .zero && period.outstanding == .zero && period.lateFee == .zero {
                rows[i].oldestLateDue = earlier(rows[i].oldestLateDue, period.dueDate)
                // Unbounded when the money credited does not cover the principal (a write-off).
                let money = credit ?? Credit()
                let exposure = money.total >= (period.assessed - period.reduced).amount ? money.yenDays : .max
                rows[i].lateExposure = max(rows[i].lateExposure ?? 0, exposure)
            }
        }
        // Notices count only for a year with periods; money held makes a year's row of its own.
        for year in dunned {
            if let i = rows.lastIndex(where: { $0.fiscalYear == year }) { rows[i].dunnedPeriods += 1 }
        }
        for (amount, day) in held {
            rows[index(FiscalYear(containing: day))].held += amount
        }
        return rows.sorted { $0.fiscalYear < $1.fiscalYear }
    }

    /// Whether the person may be in arrears on `date`: a period past due still owing, a final
    /// late fee unpaid, or a period paid off late whose late fee — at most `lateExposure` × the
    /// highest of `rates` / 365 — may reach the smallest fee charged (`nil` rates: any may).
    /// The exact answer needs their account; this only never leaves out one who is.
    public func mayBeInArrears(on date: CivilDate, rates: ChargeRates?) -> Bool {
        if oldestOpenDue.map({ $0 < date }) ?? false { return true }
        if lateFeeOutstanding > .zero { return true }
        guard let late = oldestLateDue, late < date, let exposure = lateExposure else { return false }
        guard let rates, exposure < .max else { return true }
        for year in rates.years {
            for rate in [year.firstWindow, year.afterWindow] {
                // exposure × rate / 365 ≥ the smallest fee?
                let (left, overflow) = exposure.multipliedReportingOverflow(by: rate.numerator)
                if overflow || left >= ChargeRounding.minimumCharge.amount * 365 * rate.denominator { return true }
            }
        }
        return false
    }

    private static func earlier(_ a: CivilDate?, _ b: CivilDate) -> CivilDate { a.map { min($0, b) } ?? b }
}
