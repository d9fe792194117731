import KokiDomain

/// 広域連合の決定を受けた — the union's (広域連合) assessment and eligibility decision for one of
/// the city's insured and one fiscal year, as its file gave it (`koki union import`). koki keeps
/// computing the premium from its own inputs; `koki union differences` compares the two and the
/// city decides which side is right. A later record of the same person and year replaces it.
public struct UnionDecisionRecorded: EventPayload {
    public static let eventType = "UnionDecisionRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), annualPremium: c.field(\.annualPremium),
            incomeBase: c.field(\.incomeBase), reduction: c.field(\.reduction), periods: c.field(\.periods),
            insuredFrom: c.field(\.insuredFrom), insuredUntil: c.field(\.insuredUntil),
            receivedOn: c.field(\.receivedOn), source: c.field(\.source))
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    /// 年額保険料 as the union decided it.
    public var annualPremium: Yen
    /// The income the union's 所得割 was computed on (総所得金額等 − 基礎控除); `nil` when none.
    public var incomeBase: Yen?
    /// 均等割軽減 as the union judged the household.
    public var reduction: PerCapitaReduction
    /// 期別: the union's amount of each period, in order; empty when the file gave none.
    public var periods: [Yen]
    /// 資格取得日 and 資格喪失日 (the first day not insured) as the union has them.
    public var insuredFrom: CivilDate
    public var insuredUntil: CivilDate?
    public var receivedOn: CivilDate
    /// The file and line it came from.
    public var source: String

    public init(
        person: PersonID, fiscalYear: FiscalYear, annualPremium: Yen, incomeBase: Yen?, reduction: PerCapitaReduction,
        periods: [Yen], insuredFrom: CivilDate, insuredUntil: CivilDate?, receivedOn: CivilDate, source: String
    ) {
        (self.person, self.fiscalYear, self.annualPremium, self.incomeBase) = (person, fiscalYear, annualPremium, incomeBase)
        (self.reduction, self.periods, self.insuredFrom, self.insuredUntil) = (reduction, periods, insuredFrom, insuredUntil)
        (self.receivedOn, self.source) = (receivedOn, source)
    }

    /// The same decision, whatever file or day brought it.
    public func sameDecision(as other: UnionDecisionRecorded) -> Bool {
        (person, fiscalYear, annualPremium, reduction, insuredFrom) == (
            other.person, other.fiscalYear, other.annualPremium, other.reduction, other.insuredFrom
        ) && incomeBase == other.incomeBase && periods == other.periods && insuredUntil == other.insuredUntil
    }
}

/// 情報照会をした — the city asked another body, through the information network (情報提供ネットワ
/// ークシステム), for something it may not know about a person: a newcomer's income from the former
/// municipality. Only inquiries (情報照会), never provision (情報提供). No My Number and no
/// network code (符号) is stored: the person is the city's address number. Who sent it is the
/// command's actor. The answer's rows are recorded as incomes whose source names the inquiry.
public struct NetworkInquirySent: EventPayload {
    public static let eventType = "NetworkInquirySent"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), item: c.field(\.item), year: c.field(\.year.asYear).value,
            legalBasis: c.field(\.legalBasis), purpose: c.field(\.purpose), sentOn: c.field(\.sentOn))
    }

    /// The inquiry's number, unique in the ledger (`Q-PERSON-YYYYMMDD-N`).
    public var id: String
    public var person: PersonID
    /// What is asked: 地方税関係情報 (income) of a calendar year.
    public var item: String
    public var year: Int
    /// The law that allows the inquiry: 番号法 別表第二 82の項 by default.
    public var legalBasis: String
    /// Why: 保険料の賦課, 軽減判定 …
    public var purpose: String
    public var sentOn: CivilDate

    public init(
        person: PersonID, id: String, item: String, year: Int, legalBasis: String, purpose: String, sentOn: CivilDate
    ) {
        (self.person, self.id, self.item, self.year) = (person, id, item, year)
        (self.legalBasis, self.purpose, self.sentOn) = (legalBasis, purpose, sentOn)
    }
}
