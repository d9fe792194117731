import KokiDomain

/// The first stored layout of ``PremiumAssessed``: the figure and installments without the
/// decision's inputs and breakdown. Kept only to read old events, upcast at read time.
public struct PremiumAssessedV1: EventPayload {
    public static let eventType = "PremiumAssessed"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), decidedOn: c.field(\.decidedOn),
            annualPremium: c.field(\.annualPremium), installments: c.field(\.installments),
            ruleVersion: c.field(\.ruleVersion))
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    /// The day the decision was made (決定日).
    public var decidedOn: CivilDate
    /// The annual premium (年額保険料); equals the sum of the installments.
    public var annualPremium: Yen
    public var installments: [Installment]
    /// Which version of the premium rules produced the figure (for replay and diffs).
    public var ruleVersion: String

    public init(
        person: PersonID, fiscalYear: FiscalYear, decidedOn: CivilDate, annualPremium: Yen,
        installments: [Installment], ruleVersion: String
    ) {
        (self.person, self.fiscalYear, self.decidedOn) = (person, fiscalYear, decidedOn)
        (self.annualPremium, self.installments, self.ruleVersion) = (annualPremium, installments, ruleVersion)
    }

    /// The current version: an annual decision whose inputs and breakdown were not recorded.
    public func upcast() -> PremiumAssessed {
        PremiumAssessed(
            person: person, fiscalYear: fiscalYear, decidedOn: decidedOn, annualPremium: annualPremium,
            installments: installments, ruleVersion: ruleVersion)
    }
}
