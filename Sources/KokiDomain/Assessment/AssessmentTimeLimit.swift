/// The time limit on assessing (期間制限, 高齢者の医療の確保に関する法律 第160条の2): no decision
/// that first assesses a fiscal year's premium, or raises it, may be made from the day two years
/// after the day following that year's first ordinary due date (普通徴収の第1期の納期限). A decrease,
/// in the person's favour, stays possible.
public enum AssessmentTimeLimit {
    /// The first day on which the year may no longer be assessed or raised.
    public static func firstBarredDay(afterFirstDue firstDue: CivilDate) -> CivilDate {
        let next = firstDue.adding(days: 1)
        // Two years after the day following (29 February, were it ever the day, becomes 1 March).
        return (try? CivilDate(year: next.year + 2, month: next.month, day: next.day))
            ?? (try? CivilDate(year: next.year + 2, month: 3, day: 1)) ?? next.adding(days: 730)
    }

    /// Refuses a decision `decidedOn` that assesses `fiscalYear` for the first time (`previous`
    /// `nil`) or raises it above `previous`, when the limit has passed.
    public static func check(
        fiscalYear: FiscalYear, firstDue: CivilDate, decidedOn: CivilDate, previous: Yen?, new: Yen
    ) throws(DomainError) {
        let barred = firstBarredDay(afterFirstDue: firstDue)
        guard decidedOn >= barred else { return }
        let what: String
        if let previous {
            guard new > previous else { return }
            what = "raised (\(previous.amount) → \(new.amount))"
        } else {
            what = "assessed for the first time"
        }
        throw DomainError(
            .pastTimeLimit,
            "FY\(fiscalYear.year) may no longer be \(what) on \(decidedOn): the time limit on assessing "
                + "(期間制限, 高確法 第160条の2) ended on \(barred.adding(days: -1)), two years from the day after its "
                + "first ordinary due date \(firstDue); a decrease is still possible")
    }
}
