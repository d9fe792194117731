import KokiDomain

/// 還付請求権が時効により消滅した — the right to a refund ended two years after it could first be
/// claimed (高確法 第160条 第1項: from the day after the overpayment arose) without being paid: the
/// city keeps `amount` of overpayment `overpayment` (and a refund decided but never paid, `refund`,
/// lapses). Recorded by the prescription run; stream `person/PERSON`.
public struct RefundPrescribed: EventPayload {
    public static let eventType = "RefundPrescribed"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), overpayment: c.field(\.overpayment), refund: c.field(\.refund),
            amount: c.field(\.amount), lastDay: c.field(\.lastDay), recordedOn: c.field(\.recordedOn))
    }

    public var person: PersonID
    public var overpayment: String
    /// The refund decided on it and never paid, which lapses; `nil` when none was decided.
    public var refund: String?
    public var amount: Yen
    /// The last day the right existed.
    public var lastDay: CivilDate
    public var recordedOn: CivilDate

    public init(
        person: PersonID, overpayment: String, refund: String?, amount: Yen, lastDay: CivilDate, recordedOn: CivilDate
    ) {
        (self.person, self.overpayment, self.refund, self.amount) = (person, overpayment, refund, amount)
        (self.lastDay, self.recordedOn) = (lastDay, recordedOn)
    }
}
