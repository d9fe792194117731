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
