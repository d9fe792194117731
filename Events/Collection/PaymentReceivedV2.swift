import KokiDomain

/// Version 2 of ``PaymentReceived``: the same fields, its number and reference stored as text.
public struct PaymentReceivedV2: EventPayload {
    public static let eventType = "PaymentReceived"
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            PaymentReceived(
                id: c.field(\.received.id), person: c.field(\.received.person), channel: c.field(\.received.channel),
                paidOn: c.field(\.received.paidOn), learnedOn: c.field(\.received.learnedOn),
                amount: c.field(\.received.amount), slip: c.field(\.received.slip),
                slipCharge: c.field(\.received.slipCharge), parts: c.field(\.received.parts),
                overpaid: c.field(\.received.overpaid), reference: c.field(\.received.reference)))
    }

    /// The payment as read.
    public var received: PaymentReceived

    public init(_ received: PaymentReceived) { self.received = received }

    /// The same payment: only the stored form changed.
    public func upcast() -> PaymentReceived { received }
}
