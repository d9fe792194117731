import KokiDomain

/// 督促状を発付した — a dunning notice was issued for one unpaid installment.
///
/// Version 3 records the dunning fee (督促手数料) charged with the notice — 0 where the city has
/// abolished it; the fee is a city setting (collection-and-arrears.md §1.2), so the notice keeps
/// the figure that applied. Version 2 added the designated deadline (指定期限): 地方自治法 §231-3
/// requires dunning "with a designated deadline" but fixes no number of days. Version 1 notices
/// recorded neither; they are upcast with `payBy == nil` ("not recorded") and no fee.
public struct DunningNoticeIssued: EventPayload {
    public static let eventType = "DunningNoticeIssued"
    public static let schemaVersion = 3

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), period: c.field(\.period),
            principal: c.field(\.principal), issuedOn: c.field(\.issuedOn), payBy: c.field(\.payBy),
            fee: c.field(\.fee))
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
    /// 督促手数料 charged with the notice.
    public var fee: Yen

    public init(
        person: PersonID, fiscalYear: FiscalYear, period: PeriodNumber, principal: Yen, issuedOn: CivilDate,
        payBy: CivilDate?, fee: Yen = .zero
    ) {
        (self.person, self.fiscalYear, self.period, self.principal) = (person, fiscalYear, period, principal)
        (self.issuedOn, self.payBy, self.fee) = (issuedOn, payBy, fee)
    }

    public var key: PeriodKey { PeriodKey(fiscalYear, period) }
}
