/// The dates koki accepts from people and files, each range documented here and in the README.
///
/// A date outside its range is refused at the edge with the range named (exit 65, nothing
/// appended): a payment dated 1900-01-01 or 2099-01-01, a birth in 1800 or 2090, an erasure
/// decided four years ahead. Calculations never see such a date. (The limits on dates in
/// imported files are ``InputLimits``'s.)
public enum AcceptedDates {
    /// The day the late-stage elderly medical care system began (高齢者の医療の確保に関する法律,
    /// in force 2008-04-01): no payment, assessment or decision of koki's is earlier.
    public static let systemStart = InputLimits.systemStart

    /// The earliest birth date accepted (明治元年): nobody insured was born before it.
    public static let earliestBirth = try! CivilDate(year: 1868, month: 1, day: 1)

    /// The last day a calculation looks to (a due date, a day counted to): 2199-12-31.
    public static let latestCalculated = try! CivilDate(year: 2199, month: 12, day: 31)

    /// A day a calculator is asked about: from ``systemStart`` to ``latestCalculated``.
    public static func calculated(_ date: CivilDate, field: String) throws(DomainError) -> CivilDate {
        try check(date, field: field, from: systemStart, through: latestCalculated, what: "a day koki calculates for")
    }

    /// A payment's day (領収日): from ``systemStart`` to `today`; money is not paid in the future.
    public static func paid(_ date: CivilDate, today: CivilDate, field: String) throws(DomainError) -> CivilDate {
        try check(date, field: field, from: systemStart, through: today, what: "a payment day")
    }

    /// A birth date: from ``earliestBirth`` to `today`.
    public static func birth(_ date: CivilDate, today: CivilDate, field: String) throws(DomainError) -> CivilDate {
        try check(date, field: field, from: earliestBirth, through: today, what: "a birth date")
    }

    /// The day of an irreversible decision (an erasure, a prescription run, a year's closing):
    /// from ``systemStart`` to `today`, never ahead of the ledger's clock.
    public static func decision(_ date: CivilDate, today: CivilDate, field: String) throws(DomainError) -> CivilDate {
        try check(date, field: field, from: systemStart, through: today, what: "a decision day")
    }

    /// `date` when it lies in `from…through`, else an error naming the field and the range.
    public static func check(
        _ date: CivilDate, field: String, from: CivilDate, through: CivilDate, what: String
    ) throws(DomainError) -> CivilDate {
        guard from <= date && date <= through else {
            throw DomainError(
                .invalidDate, "\(field) \(date) is outside the range of \(what) (\(from) to \(through))")
        }
        return date
    }
}
