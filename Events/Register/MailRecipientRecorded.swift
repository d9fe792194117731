import KokiDomain

/// 送付先・代理人・相続人代表者を登録した — from `from`, the person's mail goes to a recipient in a
/// role (``MailRecipient/Role``), sealed with the person's key like their identity; `recipient`
/// `nil` ends that role. Recorded at the counter with a second check; stream `person/PERSON`.
public struct MailRecipientRecorded: EventPayload {
    public static let eventType = "MailRecipientRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), role: c.field(\.role), recipient: c.field(\.recipient), from: c.field(\.from))
    }

    public var person: PersonID
    public var role: MailRecipient.Role
    public var recipient: SealedIdentity?
    public var from: CivilDate

    public init(person: PersonID, role: MailRecipient.Role, recipient: SealedIdentity?, from: CivilDate) {
        (self.person, self.role, self.recipient, self.from) = (person, role, recipient, from)
    }
}

extension MailRecipient.Role: StoredCase { public static let storedCases = allCases }
