import KokiDomain

/// 年金情報を記録した — for a fiscal year, the pension the long-term-care premium is deducted
/// from, that premium, and last February's deduction: what decides whether the premium is
/// deducted from the pension (特別徴収) and the provisional amounts. A later record for the
/// same year replaces it.
public struct PensionFactsRecorded: EventPayload {
    public static let eventType = "PensionFactsRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), facts: c.field(\.facts))
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var facts: PensionFacts

    public init(person: PersonID, fiscalYear: FiscalYear, facts: PensionFacts) {
        (self.person, self.fiscalYear, self.facts) = (person, fiscalYear, facts)
    }
}

/// 仮徴収額を決定した — before April, the amount deducted from the pension in each provisional
/// month (April, June, August) of a fiscal year, for a person deducted last February: by default
/// that February's deduction. It is what the pension insurer is told, so the year's assessment
/// in July keeps April and June at it (August may be leveled).
public struct ProvisionalDeductionDecided: EventPayload {
    public static let eventType = "ProvisionalDeductionDecided"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), amount: c.field(\.amount),
            decidedOn: c.field(\.decidedOn), basis: c.field(\.basis))
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    /// Deducted in each provisional month.
    public var amount: Yen
    public var decidedOn: CivilDate
    /// Why this amount (「令和7年度2月の特別徴収額」).
    public var basis: String

    public init(person: PersonID, fiscalYear: FiscalYear, amount: Yen, decidedOn: CivilDate, basis: String) {
        (self.person, self.fiscalYear, self.amount, self.decidedOn, self.basis) = (
            person, fiscalYear, amount, decidedOn, basis
        )
    }
}
