import KokiDomain

/// 所得を照会した — an operator looked up a person's income (所得照会履歴). Who and when are the
/// command's actor and recorded time; this records for whom, which year and why.
public struct IncomeInquired: EventPayload {
    public static let eventType = "IncomeInquired"
    public static let schemaVersion = 1

    public var person: PersonID
    public var year: Int
    public var purpose: String

    public init(person: PersonID, year: Int, purpose: String) {
        self.person = person
        self.year = year
        self.purpose = purpose
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeCount(year, limit: 9999)
        writer.writeString(purpose)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        year = try reader.readCount(limit: 9999)
        purpose = try reader.readString()
    }
}
