import KokiDomain

/// 住所地特例の適用を終了した — the address exception no longer applies from `from`.
public struct AddressExceptionEnded: EventPayload {
    public static let eventType = "AddressExceptionEnded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), from: c.field(\.from))
    }

    public var person: PersonID
    public var from: CivilDate

    public init(person: PersonID, from: CivilDate) {
        (self.person, self.from) = (person, from)
    }
}
