import KokiDomain

/// 被保険者台帳に登録した — a person was entered in the register, with their sealed identity.
public struct PersonRegistered: EventPayload {
    public static let eventType = "PersonRegistered"
    public static let schemaVersion = 1

    public var person: PersonID
    public var identity: SealedIdentity

    public init(person: PersonID, identity: SealedIdentity) {
        self.person = person
        self.identity = identity
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeBytes(identity.bytes)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        identity = SealedIdentity(bytes: try reader.readBytes())
    }
}
