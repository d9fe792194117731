/// An amount of money in whole yen (円).
///
/// Premiums, payments and fees are integers in law and in koki: there is no fractional yen and no
/// floating point anywhere near money. Rounding rules (to 100 yen, to 1,000 yen) are named
/// functions that cite their legal source where they are defined.
///
/// ```swift
/// let annual = Yen(51_900)
/// let paid = Yen(5_700) + Yen(5_700)
/// print(annual - paid)  // 40500円
/// ```
public struct Yen: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var amount: Int64

    public init(_ amount: Int64) { self.amount = amount }

    public static let zero = Yen(0)

    public static func + (lhs: Yen, rhs: Yen) -> Yen { Yen(lhs.amount + rhs.amount) }
    public static func - (lhs: Yen, rhs: Yen) -> Yen { Yen(lhs.amount - rhs.amount) }
    public static func += (lhs: inout Yen, rhs: Yen) { lhs.amount += rhs.amount }
    public static func -= (lhs: inout Yen, rhs: Yen) { lhs.amount -= rhs.amount }
    public static prefix func - (value: Yen) -> Yen { Yen(-value.amount) }
    public static func < (lhs: Yen, rhs: Yen) -> Bool { lhs.amount < rhs.amount }

    public var description: String { "\(amount)円" }

    public init(from decoder: any Decoder) throws {
        amount = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(amount)
    }
}

extension Sequence where Element == Yen {
    /// The sum of the amounts.
    public func sum() -> Yen { reduce(.zero, +) }
}
