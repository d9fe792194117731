/// The annual rates of late fees (延滞金) and refund interest (還付加算金) by calendar year, and
/// the length of the reduced-rate window — city settings (collection-and-arrears.md §0, §2.2,
/// §2.3): the special rates change every year by ministerial notice, and Matsudo's window is
/// unconfirmed (one month expected), so both are data the city extends, never constants.
public struct ChargeRates: Hashable, Sendable, Codable {
    /// The rates for the days falling in one calendar year.
    public struct Year: Hashable, Sendable, Codable {
        public var year: Int
        /// 延滞金: from the day after the due date to the end of the reduced-rate window.
        public var firstWindow: Rate
        /// 延滞金: after the window.
        public var afterWindow: Rate
        /// 還付加算金.
        public var refund: Rate

        public init(year: Int, firstWindow: Rate, afterWindow: Rate, refund: Rate) {
            self.year = year
            self.firstWindow = firstWindow
            self.afterWindow = afterWindow
            self.refund = refund
        }
    }

    /// The reduced-rate window in months counted from the day after the due date (1 in most
    /// cities, 3 in the Tokyo wards).
    public var reducedWindowMonths: Int
    public var years: [Year]

    public init(reducedWindowMonths: Int = 1, years: [Year]) throws(DomainError) {
        guard (0...12).contains(reducedWindowMonths) else {
            throw DomainError(.invalidValue, "reduced-rate window \(reducedWindowMonths) months is outside 0…12")
        }
        var seen = Set<Int>()
        for y in years where !seen.insert(y.year).inserted {
            throw DomainError(.invalidValue, "rates for \(y.year) are given twice")
        }
        self.reducedWindowMonths = reducedWindowMonths
        self.years = years.sorted { $0.year < $1.year }
    }

    enum CodingKeys: String, CodingKey { case reducedWindowMonths, years }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            reducedWindowMonths: try c.decodeIfPresent(Int.self, forKey: .reducedWindowMonths) ?? 1,
            years: try c.decode([Year].self, forKey: .years))
    }

    /// The rates of a calendar year, or an error naming the year when the table does not reach it.
    public func rates(for year: Int) throws(DomainError) -> Year {
        guard let found = years.first(where: { $0.year == year }) else {
            throw DomainError(
                .invalidValue,
                "no late-fee / refund-interest rates for \(year): the table covers \(years.first?.year ?? 0)–\(years.last?.year ?? 0); add the year's rates"
            )
        }
        return found
    }

    /// The special rates of 2020–2026 (地方税法 附則第3条の2 as applied to premiums; §2.2), with
    /// a one-month window. 2026's refund rate (1.3%) is derived from the published 平均貸付割合.
    public static let standard: ChargeRates = {
        func r(_ text: String) -> Rate { try! Rate(percent: text) }
        return try! ChargeRates(
            reducedWindowMonths: 1,
            years: [
                Year(year: 2020, firstWindow: r("2.6"), afterWindow: r("8.9"), refund: r("1.6")),
                Year(year: 2021, firstWindow: r("2.5"), afterWindow: r("8.8"), refund: r("1.0")),
                Year(year: 2022, firstWindow: r("2.4"), afterWindow: r("8.7"), refund: r("0.9")),
                Year(year: 2023, firstWindow: r("2.4"), afterWindow: r("8.7"), refund: r("0.9")),
                Year(year: 2024, firstWindow: r("2.4"), afterWindow: r("8.7"), refund: r("0.9")),
                Year(year: 2025, firstWindow: r("2.4"), afterWindow: r("8.7"), refund: r("0.9")),
                Year(year: 2026, firstWindow: r("2.8"), afterWindow: r("9.1"), refund: r("1.3")),
            ])
    }()
}

extension CivilDate {
    /// The last day of a period of `months` months counted from this day (民法 §143): the day
    /// before the day with the same number `months` later, or that month's last day when it has
    /// no such day. From 2025-08-01, one month ends on 2025-08-31; from 2025-03-31, on 2025-04-30.
    public func endOfMonths(_ months: Int) -> CivilDate {
        let same = adding(months: months)
        return same.day == day ? same.adding(days: -1) : same
    }

    /// The day with the same number `months` later, or that month's last day when it has none
    /// (monthly schedules: the 31st becomes the 30th, or 28 February).
    public func adding(months: Int) -> CivilDate {
        let index = year * 12 + (month - 1) + months
        let (y, m) = (index / 12, index % 12 + 1)
        return try! CivilDate(year: y, month: m, day: min(day, CivilDate.daysIn(month: m, year: y)))
    }
}

/// The rounding rules shared by late fees and refund interest (地方税法 §20条の4の2 as applied
/// to premiums): a base under 2,000 yen bears nothing, the base is cut to 1,000 yen, the result
/// is cut to 100 yen and dropped entirely under 1,000 yen.
public enum ChargeRounding {
    public static let minimumBase = Yen(2_000)
    public static let minimumCharge = Yen(1_000)

    public static func base(_ amount: Yen) -> Yen {
        amount < minimumBase ? .zero : amount.truncated(toMultipleOf: 1_000)
    }

    public static func charge(_ sum: Yen) -> Yen {
        let cut = sum.truncated(toMultipleOf: 100)
        return cut < minimumCharge ? .zero : cut
    }
}

/// One stretch of days at one base and one rate, with its amount cut to the yen.
public struct ChargeBand: Hashable, Sendable, Codable, CustomStringConvertible {
    public var from: CivilDate
    public var through: CivilDate
    public var days: Int
    /// The base after the 2,000 / 1,000-yen rules.
    public var base: Yen
    public var rate: Rate
    /// `base × rate × days / 365`, cut to the yen (the municipal worked examples cut each band);
    /// under a relief, what is left of it.
    public var amount: Yen
    /// The relief on the band's days (徴収猶予): half or all of its amount not charged.
    public var relief: LateFee.Relief.Share?

    init(from: CivilDate, through: CivilDate, base: Yen, rate: Rate, relief: LateFee.Relief.Share? = nil) {
        self.from = from
        self.through = through
        days = from.days(until: through) + 1
        self.base = base
        self.rate = rate
        self.relief = relief
        // In 128 bits, saturating: a base and a band of any size never overflow.
        let (factor, overflow) = rate.numerator.multipliedReportingOverflow(by: Int64(days))
        let full =
            overflow
            ? Yen(.max) : base.scaled(by: factor, per: rate.denominator.multipliedReportingOverflow(by: 365).partialValue)
        switch relief {
        case nil: amount = full
        // 二分の一に相当する金額を免除 (地方税法 第15条の9 第1項): the half charged is cut to the yen.
        case .halved: amount = Yen(full.amount / 2)
        case .waived: amount = .zero
        }
    }

    /// The band as staff read it: `令和5年9月1日〜令和5年9月30日  30日 × 28,000円 × 2.40% ÷ 365 = 55円`.
    public var staffDescription: String {
        let relieved = relief.map { "（徴収猶予：\($0.label)）" } ?? ""
        return "\(StaffText.date(from))〜\(StaffText.date(through))  \(days)日 × \(StaffText.yen(base)) × \(rate) ÷ 365\(relieved) = \(StaffText.yen(amount))"
    }

    public var description: String {
        let relieved = relief.map { " (徴収猶予: \($0.rawValue))" } ?? ""
        return "\(from) … \(through)  \(days) days × \(base.amount) × \(rate) / 365\(relieved) = \(amount.amount)"
    }
}
