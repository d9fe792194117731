import KokiDomain

/// Version 2 of ``PremiumAssessed`` (no per-period collection method), kept to read old events.
///
/// 保険料を賦課した — a fiscal year's premium was decided for a person: the annual amount, the
/// installment schedule, and the decision's record — why (the annual run, a mid-year entry, a
/// reassessment 更正 and its cause), from what (the positions of the input events and of the
/// rate table in force), by which calculator version, and every intermediate figure.
///
/// Projections fold the recorded figure and never recompute it; a later assessment of the same
/// person and year replaces it (更正), with periods already due kept as they were.
public struct PremiumAssessedV2: EventPayload {
    public static let eventType = "PremiumAssessed"
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), decidedOn: c.field(\.decidedOn),
            annualPremium: c.field(\.annualPremium), installments: c.field(\.installments),
            ruleVersion: c.field(\.ruleVersion), reason: c.field(\.reason), cause: c.field(\.cause),
            rateTablePosition: c.field(\.rateTablePosition), inputPositions: c.field(\.inputPositions),
            breakdown: c.field(\.breakdown), collection: c.field(\.collection))
    }

    /// Why the assessment was made. Stored by declaration order: add cases at the end.
    public typealias Reason = PremiumAssessed.Reason


    public var person: PersonID
    public var fiscalYear: FiscalYear
    /// The day the decision was made (決定日).
    public var decidedOn: CivilDate
    /// The premium for the year (年額保険料); equals the sum of the installments.
    public var annualPremium: Yen
    public var installments: [Installment]
    /// The calculator version that produced the figure.
    public var ruleVersion: String
    public var reason: Reason
    /// What changed, for a reassessment (e.g. "income 2024 corrected").
    public var cause: String
    /// The position of the `RateTableAdopted` event in force (0 when not recorded).
    public var rateTablePosition: Int64
    /// The positions of the events the calculation read (eligibility, household, income).
    public var inputPositions: [Int64]
    /// The full `PremiumBreakdown` as JSON ("" when not recorded).
    public var breakdown: String
    /// Pension deduction (特別徴収: the installments are the six pension months) or ordinary.
    public var collection: CollectionMethod

    public init(
        person: PersonID, fiscalYear: FiscalYear, decidedOn: CivilDate, annualPremium: Yen, installments: [Installment],
        ruleVersion: String, reason: Reason = .annual, cause: String = "", rateTablePosition: Int64 = 0,
        inputPositions: [Int64] = [], breakdown: String = "", collection: CollectionMethod = .ordinary
    ) {
        (self.person, self.fiscalYear, self.decidedOn) = (person, fiscalYear, decidedOn)
        (self.annualPremium, self.installments, self.ruleVersion) = (annualPremium, installments, ruleVersion)
        (self.reason, self.cause, self.rateTablePosition) = (reason, cause, rateTablePosition)
        (self.inputPositions, self.breakdown, self.collection) = (inputPositions, breakdown, collection)
    }

    /// The current version: a pension-deduction year's periods are all its pension months; an
    /// ordinary year (or one whose deduction stopped) has none — what version 2 said.
    public func upcast() -> PremiumAssessed {
        PremiumAssessedV3(
            person: person, fiscalYear: fiscalYear, decidedOn: decidedOn, annualPremium: annualPremium,
            installments: installments, ruleVersion: ruleVersion, reason: reason, cause: cause,
            rateTablePosition: rateTablePosition, inputPositions: inputPositions, breakdown: breakdown,
            collection: collection,
            pensionPeriods: collection == .pensionDeduction ? installments.map(\.period) : []
        ).upcast()
    }
}
