/// The city's business days (地方自治法 §4-2): not a Saturday, a Sunday, a public holiday or a
/// year-end/new-year closure day (29 December – 3 January), plus the city's own recorded
/// overrides. A due date that falls on a closed day moves to the next business day.
public struct BusinessCalendar: Hashable, Sendable {
    /// Extra closed days the city recorded (a new holiday, a disaster closure).
    public var extraClosedDays: Set<CivilDate>
    /// Days open despite the rules (never needed so far, kept for symmetry).
    public var extraOpenDays: Set<CivilDate>

    public init(extraClosedDays: Set<CivilDate> = [], extraOpenDays: Set<CivilDate> = []) {
        self.extraClosedDays = extraClosedDays
        self.extraOpenDays = extraOpenDays
    }

    public func isBusinessDay(_ date: CivilDate) -> Bool { whyClosed(date) == nil }

    /// Why the office is closed on `date` (a Saturday, the year-end closure …), or `nil` when it
    /// is open: the one place the rules of closed days are written.
    public func whyClosed(_ date: CivilDate) -> String? {
        if extraOpenDays.contains(date) { return nil }
        if extraClosedDays.contains(date) { return "a day the city recorded as closed" }
        if date.weekday == .saturday { return "a Saturday" }
        if date.weekday == .sunday { return "a Sunday" }
        if (date.month == 12 && date.day >= 29) || (date.month == 1 && date.day <= 3) {
            return "in the year-end closure (29 December – 3 January)"
        }
        return JapaneseHolidays.isHoliday(date) ? "a public holiday" : nil
    }

    /// The date itself if it is a business day, otherwise the next one.
    public func onOrAfter(_ date: CivilDate) -> CivilDate { nearest(date, step: 1) }

    /// The date itself if it is a business day, otherwise the one before (the last day a thing
    /// to be done "within" a window can be done).
    public func onOrBefore(_ date: CivilDate) -> CivilDate { nearest(date, step: -1) }

    private func nearest(_ date: CivilDate, step: Int) -> CivilDate {
        var day = date
        while !isBusinessDay(day) { day = day.adding(days: step) }
        return day
    }

    /// Refuses a decision dated on a day the office is closed: a city dates what it issues on a
    /// day it is open (`what` names it: "a dunning run").
    public func requireOpen(_ date: CivilDate, for what: String) throws(DomainError) {
        guard let why = whyClosed(date) else { return }
        throw DomainError(
            .invalidDate, "\(date) is \(why): \(what) is dated on a day the office is open (the next is \(onOrAfter(date)))")
    }
}
