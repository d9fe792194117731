import KokiDomain

/// 被保険者台帳に登録した — a person was entered in the register, with their sealed identity.
public struct PersonRegistered: EventPayload {
    public static let eventType = "PersonRegistered"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), identity: c.field(\.identity))
    }

    public var person: PersonID
    public var identity: SealedIdentity

    public init(person: PersonID, identity: SealedIdentity) {
        (self.person, self.identity) = (person, identity)
    }
}
