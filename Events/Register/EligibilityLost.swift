import KokiDomain

/// 資格を喪失した — the person is no longer insured from `effectiveFrom` (the loss date).
public struct EligibilityLost: EventPayload {
    public static let eventType = "EligibilityLost"
    public static let schemaVersion = 1

    public var person: PersonID
    public var reason: LossReason
    /// The date of the fact behind it (the day of death, of the move).
    public var eventDate: CivilDate
    /// The loss date (資格喪失日): the first day no longer insured.
    public var effectiveFrom: CivilDate

    public init(person: PersonID, reason: LossReason, eventDate: CivilDate, effectiveFrom: CivilDate) {
        self.person = person
        self.reason = reason
        self.eventDate = eventDate
        self.effectiveFrom = effectiveFrom
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeUInt(UInt64(LossReason.allCases.firstIndex(of: reason)!))
        writer.write(eventDate)
        writer.write(effectiveFrom)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        let at = reader.offset
        let code = try reader.readCount(limit: 255)
        guard code < LossReason.allCases.count else { throw CodecError.malformed("loss reason \(code)", at: at) }
        reason = LossReason.allCases[code]
        eventDate = try reader.readDate()
        effectiveFrom = try reader.readDate()
    }
}
