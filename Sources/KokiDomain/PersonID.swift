/// The city's internal address number (宛名番号) that keys an insured person's account.
///
/// koki never keys anything by My Number (個人番号): the address number is the city's own
/// identifier, and a person's ledger stream is named after it (`person/<宛名番号>`).
public struct PersonID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    /// Accepts 1 to 15 ASCII digits, as the city's address numbers are.
    public init(_ value: String) throws(DomainError) {
        guard (1...15).contains(value.utf8.count), value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw DomainError(.invalidPersonID, "'\(value)' is not an address number (宛名番号): expected 1–15 digits")
        }
        self.value = value
    }

    /// The ledger stream holding this person's account.
    public var streamName: String { Self.streamPrefix + value }
    /// What every person's stream name starts with.
    public static let streamPrefix = "person/"

    /// The person whose account `stream` holds (`person/1001`), or `nil` for any other stream.
    public init?(streamName stream: some StringProtocol) {
        guard stream.hasPrefix(Self.streamPrefix),
            let person = try? PersonID(String(stream.dropFirst(Self.streamPrefix.count)))
        else { return nil }
        self = person
    }

    public static func < (lhs: PersonID, rhs: PersonID) -> Bool { lhs.value < rhs.value }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
