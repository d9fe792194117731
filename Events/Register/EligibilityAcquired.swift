import KokiDomain

/// 資格を取得した — the person became insured from `effectiveFrom`.
public struct EligibilityAcquired: EventPayload {
    public static let eventType = "EligibilityAcquired"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), reason: c.field(\.reason), eventDate: c.field(\.eventDate),
            effectiveFrom: c.field(\.effectiveFrom))
    }

    public var person: PersonID
    public var reason: AcquisitionReason
    /// The date of the fact behind it (the birthday, the certification, the move-in).
    public var eventDate: CivilDate
    /// The first insured day, as the rules derive it from the reason and the event date.
    public var effectiveFrom: CivilDate

    public init(person: PersonID, reason: AcquisitionReason, eventDate: CivilDate, effectiveFrom: CivilDate) {
        (self.person, self.reason, self.eventDate, self.effectiveFrom) = (person, reason, eventDate, effectiveFrom)
    }
}
