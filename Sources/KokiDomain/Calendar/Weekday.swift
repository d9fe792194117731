/// A day of the week.
public enum Weekday: Int, Hashable, Sendable, CaseIterable {
    case sunday = 0, monday, tuesday, wednesday, thursday, friday, saturday
}

extension CivilDate {
    /// 1970-01-01 was a Thursday.
    public var weekday: Weekday { Weekday(rawValue: ((daysSinceEpoch + 4) % 7 + 7) % 7)! }

    /// The `n`-th given weekday of a month (the second Monday of January: 成人の日).
    public static func nth(_ n: Int, _ weekday: Weekday, of month: Int, in year: Int) -> CivilDate {
        let first = try! CivilDate(year: year, month: month, day: 1)
        let offset = (weekday.rawValue - first.weekday.rawValue + 7) % 7
        return first.adding(days: offset + 7 * (n - 1))
    }
}
