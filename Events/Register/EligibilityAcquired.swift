import KokiDomain

/// 資格を取得した — the person became insured from `effectiveFrom`.
public struct EligibilityAcquired: EventPayload {
    public static let eventType = "EligibilityAcquired"
    public static let schemaVersion = 1

    public var person: PersonID
    public var reason: AcquisitionReason
    /// The date of the fact behind it (the birthday, the certification, the move-in).
    public var eventDate: CivilDate
    /// The first insured day, as the rules derive it from the reason and the event date.
    public var effectiveFrom: CivilDate

    public init(person: PersonID, reason: AcquisitionReason, eventDate: CivilDate, effectiveFrom: CivilDate) {
        self.person = person
        self.reason = reason
        self.eventDate = eventDate
        self.effectiveFrom = effectiveFrom
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeCase(reason)
        writer.write(eventDate)
        writer.write(effectiveFrom)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        reason = try reader.readCase(AcquisitionReason.self)
        eventDate = try reader.readDate()
        effectiveFrom = try reader.readDate()
    }
}
