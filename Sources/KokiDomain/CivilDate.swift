/// A date on the civil (Gregorian) calendar as it is in Japan, with no time and no time zone.
///
/// Every date inside koki's domain — when eligibility began, when a payment was made, a due
/// date — is a civil date. The wall clock never enters a calculation: "today" is always an
/// argument.
///
/// ```swift
/// let due = try CivilDate(year: 2025, month: 7, day: 31)
/// due.adding(days: 1)  // 2025-08-01
/// ```
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Stored as the day count from 1970-01-01: one integer, compared and hashed as such,
    /// and what the event codec stores — so decoding a date is a copy, not a calendar conversion.
    public let daysSinceEpoch: Int

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    /// Creates a date, refusing one that does not exist (2025-02-29, month 13, day 0).
    public init(year: Int, month: Int, day: Int) throws(DomainError) {
        guard (1...9999).contains(year) else {
            throw DomainError(.invalidDate, "year \(year) is outside 1…9999")
        }
        guard (1...12).contains(month) else {
            throw DomainError(.invalidDate, "month \(month) is outside 1…12 in \(year)-\(month)-\(day)")
        }
        let last = CivilDate.daysIn(month: month, year: year)
        guard (1...last).contains(day) else {
            throw DomainError(
                .invalidDate, "day \(day) does not exist in \(year)-\(Self.pad(month, 2)) (it has \(last) days)")
        }
        daysSinceEpoch = Self.days(year: year, month: month, day: day)
    }

    /// A date written in koki's own source (a constant such as the day the system began), known
    /// to exist: built without the checks that could fail, so a constant never needs `try!`.
    /// Each one is compared with ``init(year:month:day:)`` in the tests.
    init(known year: Int, _ month: Int, _ day: Int) {
        daysSinceEpoch = Self.days(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD`: read from its bytes when it is ten ASCII characters, digits and two
    /// dashes (what every stored and printed date is: a list of 70,000 persons reads one a line),
    /// else as any text (``init(iso:)-(StringProtocol)``), with the same answer either way.
    public init(iso text: String) throws(DomainError) {
        let parsed = text.utf8.withContiguousStorageIfAvailable { b -> (Int, Int, Int)? in
            guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var n = 0
                for i in range {
                    guard (0x30...0x39).contains(b[i]) else { return nil }
                    n = n * 10 + Int(b[i] - 0x30)
                }
                return n
            }
            guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
            return (y, m, d)
        }
        guard let (y, m, d) = parsed ?? nil else {
            try self.init(iso: text[...])
            return
        }
        try self.init(year: y, month: m, day: d)
    }

    /// Parses `YYYY-MM-DD`.
    public init(iso text: some StringProtocol) throws(DomainError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else {
            throw DomainError(.invalidDate, "'\(text)' is not a date of the form YYYY-MM-DD")
        }
        try self.init(year: y, month: m, day: d)
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 for a valid date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year, month and day (Hinnant's `civil_from_days`).
    var components: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The date `days` after 1970-01-01, within the years 1…9999.
    public init(daysSinceEpoch days: Int) throws(DomainError) {
        guard (Self.firstDay...Self.lastDay).contains(days) else {
            throw DomainError(.invalidDate, "\(days) days from 1970-01-01 is outside the years 1…9999")
        }
        daysSinceEpoch = days
    }

    /// 1970-01-01, where the day count starts (within range by construction).
    public static let epoch = CivilDate(inRange: 0)

    private init(inRange days: Int) { daysSinceEpoch = days }

    static let firstDay = days(year: 1, month: 1, day: 1)
    static let lastDay = days(year: 9999, month: 12, day: 31)

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> CivilDate {
        // Dates stay within years 1…9999 in every rule koki applies; trap loudly if not.
        try! CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: CivilDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public var description: String {
        let (y, m, d) = components
        return "\(Self.pad(y, 4))-\(Self.pad(m, 2))-\(Self.pad(d, 2))"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension CivilDate: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(iso: text)
        // What a person gives (``Yen/inputCheckKey``: a settings file, a request body) holds dates
        // koki's rules can reach, as a date typed on the command line does; what events stored
        // decodes as it was.
        if decoder.userInfo[Yen.inputCheckKey] as? Bool == true,
            !(InputLimits.earliestBirth...InputLimits.latestCalculated).contains(self)
        {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "\(text) is outside the dates koki takes (\(InputLimits.earliestBirth) to \(InputLimits.latestCalculated))"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
