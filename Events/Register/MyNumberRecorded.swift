import KokiDomain

/// 個人番号を記録した — the person's My Number, sealed with the person's own key (scheme 4) and
/// never stored in the clear. Looking a person up by number goes through a keyed hash kept
/// beside the ledger (deleted with the person's key), never an index of the numbers.
public struct MyNumberRecorded: EventPayload {
    public static let eventType = "MyNumberRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), sealed: c.field(\.sealed))
    }

    public var person: PersonID
    public var sealed: SealedIdentity

    public init(person: PersonID, sealed: SealedIdentity) {
        (self.person, self.sealed) = (person, sealed)
    }
}

/// 消去した — the person's personal data was erased after the retention period by deleting their
/// key (crypto-shredding): every identity, account and number sealed for them is unreadable
/// from now on, while their amounts stay in the city's accounts and the hash chain verifies.
public struct PersonErased: EventPayload {
    public static let eventType = "PersonErased"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), eligibilityEnded: c.field(\.eligibilityEnded),
            retentionYears: c.field(\.retentionYears), decidedOn: c.field(\.decidedOn))
    }

    public var person: PersonID
    /// The day their last eligibility ended.
    public var eligibilityEnded: CivilDate
    /// The retention in years that had passed.
    public var retentionYears: Int
    public var decidedOn: CivilDate

    public init(person: PersonID, eligibilityEnded: CivilDate, retentionYears: Int, decidedOn: CivilDate) {
        (self.person, self.eligibilityEnded, self.retentionYears) = (person, eligibilityEnded, retentionYears)
        self.decidedOn = decidedOn
    }
}
