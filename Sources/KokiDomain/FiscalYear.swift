/// A Japanese fiscal year (年度): April 1 to March 31 of the next calendar year.
///
/// Premiums are assessed per fiscal year (高確法 §104 and the prefectural union's ordinance);
/// `FiscalYear(2025)` is 令和7年度, running 2025-04-01 … 2026-03-31.
public struct FiscalYear: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int

    public init(_ year: Int) throws(DomainError) {
        guard (1...9998).contains(year) else {
            throw DomainError(.invalidFiscalYear, "fiscal year \(year) is outside 1…9998")
        }
        self.year = year
    }

    /// The fiscal year a date falls in.
    public init(containing date: CivilDate) {
        year = date.month >= 4 ? date.year : date.year - 1
    }

    public var firstDay: CivilDate { try! CivilDate(year: year, month: 4, day: 1) }
    public var lastDay: CivilDate { try! CivilDate(year: year + 1, month: 3, day: 31) }

    public static func < (lhs: FiscalYear, rhs: FiscalYear) -> Bool { lhs.year < rhs.year }

    public var description: String { "FY\(year)" }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(Int.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(year)
    }
}
