extension CivilDate {
    /// The day a person born on `self` reaches `years` of age, as the law counts it.
    ///
    /// Age is counted from the birth date (年齢計算ニ関スル法律) and a period of years ends on the
    /// day before the corresponding date (民法 §143(2)); the age is reached on the next day, the
    /// birthday. Where the corresponding day does not exist — a 29 February birth in a common
    /// year — the period ends on the last day of February (§143(2) proviso) and the birthday
    /// falls on 1 March.
    ///
    /// ```swift
    /// try CivilDate(iso: "1950-07-15").reaching(age: 75)  // 2025-07-15
    /// try CivilDate(iso: "1952-02-29").reaching(age: 75)  // 2027-03-01
    /// ```
    public func reaching(age years: Int) -> CivilDate {
        let year = self.year + years
        if month == 2, day == 29, !CivilDate.isLeap(year) {
            return try! CivilDate(year: year, month: 3, day: 1)
        }
        return try! CivilDate(year: year, month: month, day: day)
    }

    /// The person's age in whole years on `date` (0 before the first birthday).
    public func age(on date: CivilDate) -> Int {
        var age = date.year - year
        if age > 0, date < reaching(age: age) { age -= 1 }
        return max(0, age)
    }
}
