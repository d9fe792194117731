/// The dates a person types, each range documented here and in the README ("Limits on input").
///
/// A date outside its range is refused at the edge with the range named (exit 65, nothing
/// appended): a payment dated 1900-01-01 or 2099-01-01, a birth in 1800 or 2090, an erasure
/// decided four years ahead. Calculations never see such a date.
extension InputLimits {
    /// A payment's day (領収日): from ``systemStart`` to `today`; money is not paid in the future.
    public static func paid(_ date: CivilDate, today: CivilDate, field: String) throws(DomainError) -> CivilDate {
        try check(date, field: field, in: Dates(from: systemStart, through: today), what: "納付日")
    }

    /// A birth date: from ``earliestBirth`` to `today`.
    public static func birth(_ date: CivilDate, today: CivilDate, field: String) throws(DomainError) -> CivilDate {
        try check(date, field: field, in: Dates(from: earliestBirth, through: today), what: "生年月日")
    }

    /// The day of an irreversible decision (an erasure, a prescription run, a year's closing):
    /// from ``systemStart`` to `today`, never ahead of the ledger's clock.
    public static func decision(_ date: CivilDate, today: CivilDate, field: String) throws(DomainError) -> CivilDate {
        try check(date, field: field, in: Dates(from: systemStart, through: today), what: "処理日")
    }

    /// A day a calculator is asked about: from ``systemStart`` to ``latestCalculated``.
    public static func calculated(_ date: CivilDate, field: String) throws(DomainError) -> CivilDate {
        try check(
            date, field: field, in: Dates(from: systemStart, through: latestCalculated),
            what: "koki が計算する日")
    }

    /// `date` when it lies in `range`, else an error naming the field and the range.
    static func check(_ date: CivilDate, field: String, in range: Dates, what: String) throws(DomainError)
        -> CivilDate
    {
        guard range.contains(date) else {
            throw DomainError(.invalidDate, "\(field) \(date) は\(what)の範囲（\(range.from)〜\(range.through)）の外です")
        }
        return date
    }
}
