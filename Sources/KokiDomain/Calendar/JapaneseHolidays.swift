/// Japan's public holidays (国民の祝日), computed — never typed in — for 2000 through 2099.
///
/// The rules of 国民の祝日に関する法律 as amended: fixed-date holidays, the "Happy Monday" holidays
/// (成人の日 and スポーツの日 on the 2nd Monday of January and October; 海の日 and 敬老の日 on the 3rd
/// Monday of July and September), the equinoxes by the standard formula valid for 1980–2099, the
/// Emperor's birthday (23 December until 2018, 23 February from 2020), the one-off days of 2019
/// and the moved holidays of the 2020 and 2021 Olympic years, a substitute holiday (振替休日) on the
/// next non-holiday when a holiday falls on a Sunday (from 2007), and a citizens' holiday (国民の
/// 休日) on a day between two holidays. Future changes to the law are the city's calendar
/// overrides, recorded as configuration.
public enum JapaneseHolidays {
    public static let supportedYears = 2000...2099

    /// The holidays of a year, each with its name.
    public static func holidays(in year: Int) -> [CivilDate: String] {
        precondition(supportedYears.contains(year), "holidays are computed for 2000–2099")
        func day(_ m: Int, _ d: Int) -> CivilDate { try! CivilDate(year: year, month: m, day: d) }
        var h: [CivilDate: String] = [:]
        h[day(1, 1)] = "元日"
        h[CivilDate.nth(2, .monday, of: 1, in: year)] = "成人の日"
        h[day(2, 11)] = "建国記念の日"
        if year >= 2020 { h[day(2, 23)] = "天皇誕生日" }
        h[day(3, vernalEquinox(year))] = "春分の日"
        h[day(4, 29)] = year >= 2007 ? "昭和の日" : "みどりの日"
        h[day(5, 3)] = "憲法記念日"
        if year >= 2007 { h[day(5, 4)] = "みどりの日" }
        h[day(5, 5)] = "こどもの日"
        switch year {
        case 2020: h[day(7, 23)] = "海の日"
        case 2021: h[day(7, 22)] = "海の日"
        default: h[year >= 2003 ? CivilDate.nth(3, .monday, of: 7, in: year) : day(7, 20)] = "海の日"
        }
        if year >= 2016 {
            switch year {
            case 2020: h[day(8, 10)] = "山の日"
            case 2021: h[day(8, 8)] = "山の日"
            default: h[day(8, 11)] = "山の日"
            }
        }
        h[year >= 2003 ? CivilDate.nth(3, .monday, of: 9, in: year) : day(9, 15)] = "敬老の日"
        h[day(9, autumnalEquinox(year))] = "秋分の日"
        switch year {
        case 2020: h[day(7, 24)] = "スポーツの日"
        case 2021: h[day(7, 23)] = "スポーツの日"
        default: h[CivilDate.nth(2, .monday, of: 10, in: year)] = year >= 2020 ? "スポーツの日" : "体育の日"
        }
        h[day(11, 3)] = "文化の日"
        h[day(11, 23)] = "勤労感謝の日"
        if year <= 2018 { h[day(12, 23)] = "天皇誕生日" }
        if year == 2019 {
            h[day(5, 1)] = "天皇の即位の日"
            h[day(10, 22)] = "即位礼正殿の儀の行われる日"
        }

        // 国民の休日: a weekday squeezed between two holidays.
        for date in h.keys.sorted() {
            let next = date.adding(days: 1)
            let after = date.adding(days: 2)
            if h[next] == nil, h[after] != nil, next.weekday != .sunday, year >= 1988 {
                h[next] = "国民の休日"
            }
        }
        // 振替休日: a holiday on a Sunday moves the day off to the next day that is not one.
        for date in h.keys.sorted() where date.weekday == .sunday {
            var substitute = date.adding(days: 1)
            while h[substitute] != nil { substitute = substitute.adding(days: 1) }
            if substitute.year == year { h[substitute] = "振替休日" }
        }
        return h
    }

    /// Whether a day is a public holiday: a look-up in every holiday of 2000–2099, computed once
    /// (due-date rules ask this for every installment of every person).
    public static func isHoliday(_ date: CivilDate) -> Bool {
        precondition(supportedYears.contains(date.year), "holidays are computed for 2000–2099")
        return allDays.contains(date.daysSinceEpoch)
    }

    private static let allDays: Set<Int> = Set(supportedYears.flatMap { holidays(in: $0).keys.map(\.daysSinceEpoch) })

    /// 春分日, by the formula used for 1980–2099, in integers (0.242194 days a year).
    static func vernalEquinox(_ year: Int) -> Int {
        let y = Int64(year - 1980)
        return Int((20_843_100 + 242_194 * y) / 1_000_000 - y / 4)
    }

    /// 秋分日, likewise.
    static func autumnalEquinox(_ year: Int) -> Int {
        let y = Int64(year - 1980)
        return Int((23_248_800 + 242_194 * y) / 1_000_000 - y / 4)
    }
}
