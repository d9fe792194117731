import KokiDomain

/// 資格を喪失した — the person is no longer insured from `effectiveFrom` (the loss date).
public struct EligibilityLost: EventPayload {
    public static let eventType = "EligibilityLost"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), reason: c.field(\.reason), eventDate: c.field(\.eventDate),
            effectiveFrom: c.field(\.effectiveFrom))
    }

    public var person: PersonID
    public var reason: LossReason
    /// The date of the fact behind it (the day of death, of the move).
    public var eventDate: CivilDate
    /// The loss date (資格喪失日): the first day no longer insured.
    public var effectiveFrom: CivilDate

    public init(person: PersonID, reason: LossReason, eventDate: CivilDate, effectiveFrom: CivilDate) {
        (self.person, self.reason, self.eventDate, self.effectiveFrom) = (person, reason, eventDate, effectiveFrom)
    }
}
