import KokiDomain

/// 住所地特例の適用を終了した — the address exception no longer applies from `from`.
public struct AddressExceptionEnded: EventPayload {
    public static let eventType = "AddressExceptionEnded"
    public static let schemaVersion = 1

    public var person: PersonID
    public var from: CivilDate

    public init(person: PersonID, from: CivilDate) {
        self.person = person
        self.from = from
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.write(from)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        from = try reader.readDate()
    }
}
