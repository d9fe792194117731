import KokiDomain

/// 住所地特例の適用を開始した — the person lives in a facility in another prefecture but stays
/// insured here (高確法 §55), from `from`.
public struct AddressExceptionStarted: EventPayload {
    public static let eventType = "AddressExceptionStarted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), facility: c.field(\.facility), from: c.field(\.from))
    }

    public var person: PersonID
    /// The hospital or facility (施設名) they moved into.
    public var facility: String
    public var from: CivilDate

    public init(person: PersonID, facility: String, from: CivilDate) {
        (self.person, self.facility, self.from) = (person, facility, from)
    }
}
