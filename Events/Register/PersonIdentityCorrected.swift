import KokiDomain

/// 本人情報を訂正した — a person's identity was corrected (a misspelt name, a new address); the
/// whole identity is sealed again, and replaces the earlier one from now on.
public struct PersonIdentityCorrected: EventPayload {
    public static let eventType = "PersonIdentityCorrected"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), identity: c.field(\.identity), reason: c.field(\.reason))
    }

    public var person: PersonID
    public var identity: SealedIdentity
    /// Why it was corrected (届出, 職権), for the record.
    public var reason: String

    public init(person: PersonID, identity: SealedIdentity, reason: String) {
        (self.person, self.identity, self.reason) = (person, identity, reason)
    }
}
