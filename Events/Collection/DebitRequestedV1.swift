import KokiDomain

/// ``DebitRequested`` as version 1 stored it: the customer number and the file's digest as text.
public struct DebitRequestedV1: EventPayload {
    public static let eventType = "DebitRequested"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            DebitRequested(
                person: c.field(\.requested.person), key: c.field(\.requested.key),
                amount: c.field(\.requested.amount), debitDate: c.field(\.requested.debitDate),
                customerNumber: c.field(\.requested.customerNumber), file: c.field(\.requested.file)))
    }

    /// The request as read.
    public var requested: DebitRequested

    public init(_ requested: DebitRequested) { self.requested = requested }

    /// The same request: only the stored form changed.
    public func upcast() -> DebitRequested { requested }
}
