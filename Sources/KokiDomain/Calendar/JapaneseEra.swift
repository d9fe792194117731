/// Dates as notices print them: in the Japanese era (和暦), `令和7年7月15日`, and fiscal years as
/// `令和7年度`. The first year of an era is 元年.
public enum JapaneseEra: String, Sendable, CaseIterable {
    case reiwa = "令和", heisei = "平成", showa = "昭和"

    /// The first day of each era, newest first.
    static let starts: [(JapaneseEra, CivilDate)] = [
        (.reiwa, try! CivilDate(year: 2019, month: 5, day: 1)),
        (.heisei, try! CivilDate(year: 1989, month: 1, day: 8)),
        (.showa, try! CivilDate(year: 1926, month: 12, day: 25)),
    ]

    /// The era and its year for a date; `nil` before Shōwa.
    public static func of(_ date: CivilDate) -> (era: JapaneseEra, year: Int)? {
        guard let (era, start) = starts.first(where: { $0.1 <= date }) else { return nil }
        return (era, date.year - start.year + 1)
    }

    static func yearText(_ year: Int) -> String { year == 1 ? "元" : String(year) }

    /// `令和7年7月15日` (the Gregorian ISO date before Shōwa).
    public static func format(_ date: CivilDate) -> String {
        guard let (era, year) = of(date) else { return date.description }
        return "\(era.rawValue)\(yearText(year))年\(date.month)月\(date.day)日"
    }

    /// A fiscal year as the government names it: by the era of the calendar year it begins in,
    /// that year's last era — FY2025 → `令和7年度`, FY2019 → `令和元年度` (begun under 平成, named
    /// 令和元年度 after the change of era), FY1989 → `平成元年度`, FY1988 → `昭和63年度`.
    public static func format(fiscalYear: FiscalYear) -> String {
        guard let yearsEnd = try? CivilDate(year: fiscalYear.year, month: 12, day: 31), let (era, year) = of(yearsEnd)
        else { return "\(fiscalYear.year)年度" }
        return "\(era.rawValue)\(yearText(year))年度"
    }
}
