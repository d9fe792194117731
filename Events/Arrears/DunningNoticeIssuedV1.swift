import KokiDomain

/// The first stored layout of ``DunningNoticeIssued``, kept only to read old events.
///
/// It is decoded as it was stored and upcast at read time; stored bytes are never rewritten.
public struct DunningNoticeIssuedV1: EventPayload {
    public static let eventType = "DunningNoticeIssued"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), period: c.field(\.period),
            issuedOn: c.field(\.issuedOn), principal: c.field(\.principal))
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var period: PeriodNumber
    public var issuedOn: CivilDate
    public var principal: Yen

    public init(person: PersonID, fiscalYear: FiscalYear, period: PeriodNumber, issuedOn: CivilDate, principal: Yen) {
        (self.person, self.fiscalYear, self.period, self.issuedOn) = (person, fiscalYear, period, issuedOn)
        self.principal = principal
    }

    /// The current version: the deadline was not recorded, so it stays unknown.
    public func upcast() -> DunningNoticeIssued {
        DunningNoticeIssued(
            person: person, fiscalYear: fiscalYear, period: period, principal: principal, issuedOn: issuedOn,
            payBy: nil, fee: .zero)
    }
}
