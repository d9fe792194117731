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

    public func isBusinessDay(_ date: CivilDate) -> Bool {
        if extraOpenDays.contains(date) { return true }
        if extraClosedDays.contains(date) { return false }
        if date.weekday == .saturday || date.weekday == .sunday { return false }
        if (date.month == 12 && date.day >= 29) || (date.month == 1 && date.day <= 3) { return false }
        return !JapaneseHolidays.isHoliday(date)
    }

    /// The date itself if it is a business day, otherwise the next one.
    public func onOrAfter(_ date: CivilDate) -> CivilDate {
        var day = date
        while !isBusinessDay(day) { day = day.adding(days: 1) }
        return day
    }
}
