import KokiDomain

/// ``DebitRequested`` as version 1 stored it: the customer number and the file's digest as text.
public struct DebitRequestedV1: EventPayload {
    public static let eventType = "DebitRequested"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), key: c.field(\.key), amount: c.field(\.amount), debitDate: c.field(\.debitDate),
            customerNumber: c.field(\.customerNumber), file: c.field(\.file))
    }

    public var person: PersonID
    public var key: PeriodKey
    public var amount: Yen
    public var debitDate: CivilDate
    public var customerNumber: String
    public var file: String

    public init(
        person: PersonID, key: PeriodKey, amount: Yen, debitDate: CivilDate, customerNumber: String, file: String
    ) {
        (self.person, self.key, self.amount, self.debitDate) = (person, key, amount, debitDate)
        (self.customerNumber, self.file) = (customerNumber, file)
    }

    /// The same request: only the stored form changed.
    public func upcast() -> DebitRequested {
        DebitRequested(
            person: person, key: key, amount: amount, debitDate: debitDate, customerNumber: customerNumber, file: file)
    }
}
