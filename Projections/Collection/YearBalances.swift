import KokiDomain
import KokiEvents

/// A person's collection account summed per fiscal year (年度別収納状況): the figures a city-wide
/// list needs to pick out who owes what, without the account's history. The stored read model
/// of balances keeps one row of this per person and year; anything finer (late fees to a date,
/// prescription) is decided from the person's own stream for the persons these rows select.
public struct YearBalance: Sendable, Hashable {
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
    /// The earliest due date of a period paid after it (or by appropriation), which may owe a
    /// late fee though its principal is paid.
    public var oldestLateDue: CivilDate?

    public init(person: PersonID, fiscalYear: FiscalYear) {
        self.person = person
        self.fiscalYear = fiscalYear
    }

    /// Bumped whenever these sums change meaning; stored rows and snapshots of another version
    /// are rebuilt, never reused.
    public static var logicVersion: Int { CollectionAccounts.logicVersion * 1_000 + 1 }

    /// The rows of one account, by fiscal year.
    public static func rows(of person: PersonID, _ account: CollectionAccounts.Account) -> [YearBalance] {
        var byYear: [FiscalYear: YearBalance] = [:]
        for (key, period) in account.periods {
            var row = byYear[key.fiscalYear] ?? YearBalance(person: person, fiscalYear: key.fiscalYear)
            row.assessed += period.assessed
            row.credited += period.credited
            row.reduced += period.reduced
            row.writtenOff += period.writtenOff
            row.outstanding += period.outstanding
            row.overpaid += period.overpaid
            row.lateFeeOutstanding += period.lateFeeOutstanding
            if period.outstanding > .zero {
                row.openPeriods += 1
                if period.assessed > .zero { row.oldestOpenDue = earlier(row.oldestOpenDue, period.dueDate) }
            }
            let paidLate = (period.lastPaidOn.map { $0 > period.dueDate } ?? false) || period.appropriated > .zero
            if paidLate && period.assessed > .zero { row.oldestLateDue = earlier(row.oldestLateDue, period.dueDate) }
            byYear[key.fiscalYear] = row
        }
        for notice in account.dunning {
            byYear[notice.fiscalYear]?.dunnedPeriods += 1
        }
        return byYear.values.sorted { $0.fiscalYear < $1.fiscalYear }
    }

    /// Whether the person may be in arrears on `date` (a period past due still owing, or one
    /// paid late that may owe a late fee): the exact answer needs their account.
    public func mayBeInArrears(on date: CivilDate) -> Bool {
        (oldestOpenDue.map { $0 < date } ?? false) || (oldestLateDue.map { $0 < date } ?? false)
            || lateFeeOutstanding > .zero
    }

    private static func earlier(_ a: CivilDate?, _ b: CivilDate) -> CivilDate { a.map { min($0, b) } ?? b }
}
