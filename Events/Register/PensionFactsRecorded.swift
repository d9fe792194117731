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

/// 特別徴収依頼・異動を通知した — what the city told the pension insurer (through the 経由機関)
/// about a person's deductions of a fiscal year: the year's request (the final months and
/// August's leveled amount), a change of amount, or a stop (an amount of 0 from a month on).
/// Each line is a pension month (its period, pension day and amount), so what the insurer
/// deducts in a month is the last amount told for it.
public struct PensionDeductionNotified: EventPayload {
    public static let eventType = "PensionDeductionNotified"
    /// Version 2 stores the file's digest as its 32 bytes (``PensionDeductionNotifiedV1`` as text).
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), notifiedOn: c.field(\.notifiedOn),
            months: c.field(\.months), reason: c.field(\.reason), file: c.field(\.file.asHexDigest).value)
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    /// The day the file was written.
    public var notifiedOn: CivilDate
    /// The months told, each with the amount the insurer is to deduct (0: stop).
    public var months: [Installment]
    /// Why (「本徴収依頼」「減額（更正）」「死亡」「資格喪失」 …).
    public var reason: String
    /// The file's digest (SHA-256, hex).
    public var file: String

    public init(
        person: PersonID, fiscalYear: FiscalYear, notifiedOn: CivilDate, months: [Installment], reason: String,
        file: String
    ) {
        (self.person, self.fiscalYear, self.notifiedOn) = (person, fiscalYear, notifiedOn)
        (self.months, self.reason, self.file) = (months, reason, file)
    }
}

/// 特別徴収から口座振替への切替を申し出た (納付方法変更申出) — a pension deductee asked to pay by bank
/// debit instead, or withdrew that request (取消). Honoured from the first deduction a notice can
/// still stop (`pension notify`), and in the years after, until withdrawn.
public struct PensionSwitchRecorded: EventPayload {
    public static let eventType = "PensionSwitchRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), change: c.field(\.change), on: c.field(\.on))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
        case requested, withdrawn
        public static let storedCases = allCases
    }

    public var person: PersonID
    public var change: Change
    /// The day the request (or its withdrawal) was received.
    public var on: CivilDate

    public init(person: PersonID, change: Change, on: CivilDate) {
        (self.person, self.change, self.on) = (person, change, on)
    }
}
