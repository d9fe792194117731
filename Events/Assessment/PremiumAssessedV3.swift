import KokiDomain

/// Version 3 of ``PremiumAssessed`` (the breakdown as a JSON string), kept to read old events.
///
/// 保険料を賦課した — a fiscal year's premium was decided for a person: the annual amount, the
/// installment schedule, and the decision's record — why (the annual run, a mid-year entry, a
/// reassessment 更正 and its cause), from what (the positions of the input events and of the
/// rate table in force), by which calculator version, and every intermediate figure.
///
/// Projections fold the recorded figure and never recompute it; a later assessment of the same
/// person and year replaces it (更正), with periods already due kept as they were.
public struct PremiumAssessedV3: EventPayload {
    public static let eventType = "PremiumAssessed"
    public static let schemaVersion = 3

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), decidedOn: c.field(\.decidedOn),
            annualPremium: c.field(\.annualPremium), installments: c.field(\.installments),
            ruleVersion: c.field(\.ruleVersion), reason: c.field(\.reason), cause: c.field(\.cause),
            rateTablePosition: c.field(\.rateTablePosition), inputPositions: c.field(\.inputPositions),
            breakdown: c.field(\.breakdown), collection: c.field(\.collection),
            pensionPeriods: c.field(\.pensionPeriods))
    }

    /// Why the assessment was made.
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
    /// How the year is collected from now on: by pension deduction (特別徴収) while the
    /// insurer deducts, ordinary once it stopped or when the person was never selected.
    public var collection: CollectionMethod
    /// The periods deducted from the pension (each a pension month, 「4月（仮徴収）」 …); every
    /// other period is collected ordinarily (普通徴収: slip, debit, store). A year can hold both
    /// (併用徴収): an increase during a deducted year is never added to a deduction the insurer
    /// was told, it is a period of its own paid ordinarily; a new starter pays ordinarily until
    /// the first pension month the request reaches.
    public var pensionPeriods: [PeriodNumber]

    public init(
        person: PersonID, fiscalYear: FiscalYear, decidedOn: CivilDate, annualPremium: Yen, installments: [Installment],
        ruleVersion: String, reason: Reason = .annual, cause: String = "", rateTablePosition: Int64 = 0,
        inputPositions: [Int64] = [], breakdown: String = "", collection: CollectionMethod = .ordinary,
        pensionPeriods: [PeriodNumber] = []
    ) {
        (self.person, self.fiscalYear, self.decidedOn) = (person, fiscalYear, decidedOn)
        (self.annualPremium, self.installments, self.ruleVersion) = (annualPremium, installments, ruleVersion)
        (self.reason, self.cause, self.rateTablePosition) = (reason, cause, rateTablePosition)
        (self.inputPositions, self.breakdown, self.collection) = (inputPositions, breakdown, collection)
        self.pensionPeriods = pensionPeriods
    }

    /// The current version: the same decision, its breakdown read from the JSON koki wrote when
    /// it is asked for (a fold never pays for it). A text that is not a breakdown's JSON (koki
    /// never wrote one) reads as no breakdown; the stored bytes keep it.
    public func upcast() -> PremiumAssessed {
        PremiumAssessed(
            person: person, fiscalYear: fiscalYear, decidedOn: decidedOn, annualPremium: annualPremium,
            installments: installments, ruleVersion: ruleVersion, reason: reason, cause: cause,
            rateTablePosition: rateTablePosition, inputPositions: inputPositions,
            recordedBreakdown: RecordedBreakdown(json: breakdown), collection: collection,
            pensionPeriods: pensionPeriods)
    }
}
