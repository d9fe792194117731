import KokiDomain

/// 新旧番号を関連付けた — two address numbers turned out to be the same person; the former
/// number now leads to this person (新旧番号管理). Recorded on the current number's stream.
public struct PersonNumbersLinked: EventPayload {
    public static let eventType = "PersonNumbersLinked"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), formerNumber: c.field(\.formerNumber))
    }

    public var person: PersonID
    public var formerNumber: PersonID

    public init(person: PersonID, formerNumber: PersonID) {
        (self.person, self.formerNumber) = (person, formerNumber)
    }
}
