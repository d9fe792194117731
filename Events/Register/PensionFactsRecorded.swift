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
