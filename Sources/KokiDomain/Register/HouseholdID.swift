/// The resident register's household number (世帯番号).
public struct HouseholdID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    /// Accepts 1 to 15 ASCII digits.
    public init(_ value: String) throws(DomainError) {
        guard (1...15).contains(value.utf8.count), value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw DomainError(.invalidValue, "'\(value)' is not a household number (世帯番号): expected 1–15 digits")
        }
        self.value = value
    }

    public static func < (lhs: HouseholdID, rhs: HouseholdID) -> Bool { lhs.value < rhs.value }

    public var description: String { value }

    /// The number as one integer that no other number shares, for an index of integers: its
    /// digit count times 10^15, plus its value ("007" and "7" differ: 3×10^15+7 and 10^15+7).
    public var indexKey: Int64 {
        var number: Int64 = 0
        for digit in value.utf8 { number = number * 10 + Int64(digit - 0x30) }
        return Int64(value.utf8.count) * 1_000_000_000_000_000 + number
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// A person's place in a household: its head (世帯主) or a member (世帯員).
public enum HouseholdRole: String, Sendable, Hashable, Codable, CaseIterable {
    case householder, member
}
