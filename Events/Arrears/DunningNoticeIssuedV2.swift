import KokiDomain

/// Version 2 of ``DunningNoticeIssued`` (no dunning fee), kept to read old events.
///
/// Version 2 records the notice's designated deadline (指定期限). 地方自治法 §231-3 requires
/// dunning "with a designated deadline" but fixes no number of days, and the city's practice is
/// unconfirmed, so the deadline is a per-notice fact, never a constant (see
/// `shared/domain/collection-and-arrears.md` §1.1). Version 1 notices did not record it; they
/// are upcast with `payBy == nil` ("not recorded"), not with an invented date.
public struct DunningNoticeIssuedV2: EventPayload {
    public static let eventType = "DunningNoticeIssued"
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), period: c.field(\.period),
            principal: c.field(\.principal), issuedOn: c.field(\.issuedOn), payBy: c.field(\.payBy))
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var period: PeriodNumber
    /// The unpaid principal the notice demands.
    public var principal: Yen
    /// The day the notice was issued (発付日); it renews prescription (時効).
    public var issuedOn: CivilDate
    /// The designated deadline (指定期限); `nil` only for notices recorded before version 2.
    public var payBy: CivilDate?

    public init(
        person: PersonID, fiscalYear: FiscalYear, period: PeriodNumber, principal: Yen, issuedOn: CivilDate,
        payBy: CivilDate?
    ) {
        (self.person, self.fiscalYear, self.period, self.principal) = (person, fiscalYear, period, principal)
        (self.issuedOn, self.payBy) = (issuedOn, payBy)
    }
}

extension DunningNoticeIssuedV2 {
    /// No fee was recorded: read as none.
    public func upcast() -> DunningNoticeIssued {
        DunningNoticeIssued(
            person: person, fiscalYear: fiscalYear, period: period, principal: principal, issuedOn: issuedOn,
            payBy: payBy, fee: .zero)
    }
}
