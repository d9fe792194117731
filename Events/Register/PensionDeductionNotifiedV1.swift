import KokiDomain

/// ``PensionDeductionNotified`` as version 1 stored it: the file's digest as text.
public struct PensionDeductionNotifiedV1: EventPayload {
    public static let eventType = "PensionDeductionNotified"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            PensionDeductionNotified(
                person: c.field(\.notified.person), fiscalYear: c.field(\.notified.fiscalYear),
                notifiedOn: c.field(\.notified.notifiedOn), months: c.field(\.notified.months),
                reason: c.field(\.notified.reason), file: c.field(\.notified.file)))
    }

    /// The notice as read.
    public var notified: PensionDeductionNotified

    public init(_ notified: PensionDeductionNotified) { self.notified = notified }

    /// The same notice: only the stored form changed.
    public func upcast() -> PensionDeductionNotified { notified }
}
