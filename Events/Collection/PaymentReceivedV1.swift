import KokiDomain

/// Version 1 of ``PaymentReceived``: one amount towards one named installment, without the
/// allocation, the day the city learned of it, or a payment number.
public struct PaymentReceivedV1: EventPayload {
    public static let eventType = "PaymentReceived"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), period: c.field(\.period),
            amount: c.field(\.amount), paidOn: c.field(\.paidOn), channel: c.field(\.channel))
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var period: PeriodNumber
    public var amount: Yen
    /// The day the money was paid (領収日), which decides late fees; not the day it was recorded.
    public var paidOn: CivilDate
    public var channel: PaymentChannel

    public init(
        person: PersonID, fiscalYear: FiscalYear, period: PeriodNumber, amount: Yen, paidOn: CivilDate,
        channel: PaymentChannel
    ) {
        (self.person, self.fiscalYear, self.period, self.amount) = (person, fiscalYear, period, amount)
        (self.paidOn, self.channel) = (paidOn, channel)
    }
}

extension PaymentReceivedV1 {
    /// The whole amount on the named period, in the accounting year the closing rule gives; no
    /// overpayment is split off (the period shows it as overpaid), and the payment has no number,
    /// so it cannot be cancelled by one.
    public func upcast() -> PaymentReceived {
        PaymentReceived(
            id: "", person: person, channel: channel, paidOn: paidOn, learnedOn: paidOn, amount: amount,
            slip: PeriodKey(fiscalYear, period),
            parts: [
                PaymentReceived.Part(
                    key: PeriodKey(fiscalYear, period), amount: amount,
                    accountingYear: FiscalClosing.accountingYear(periodOf: fiscalYear, paidOn: paidOn).0)
            ], overpaid: .zero, reference: "")
    }
}
