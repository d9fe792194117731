import KokiDomain

/// 新旧番号を関連付けた — two address numbers turned out to be the same person; the former
/// number now leads to this person (新旧番号管理). Recorded on the current number's stream.
public struct PersonNumbersLinked: EventPayload {
    public static let eventType = "PersonNumbersLinked"
    public static let schemaVersion = 1

    public var person: PersonID
    public var formerNumber: PersonID

    public init(person: PersonID, formerNumber: PersonID) {
        self.person = person
        self.formerNumber = formerNumber
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.write(formerNumber)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        formerNumber = try reader.readPersonID()
    }
}
