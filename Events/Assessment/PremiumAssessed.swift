import Foundation
import KokiDomain

/// 保険料を賦課した — a fiscal year's premium was decided for a person: the annual amount, the
/// installment schedule, and the decision's record — why (the annual run, a mid-year entry, a
/// reassessment 更正 and its cause), from what (the positions of the input events and of the
/// rate table in force), by which calculator version, and every intermediate figure.
///
/// Projections fold the recorded figure and never recompute it; a later assessment of the same
/// person and year replaces it (更正), with periods already due kept as they were.
public struct PremiumAssessed: EventPayload {
    public static let eventType = "PremiumAssessed"
    /// Version 5 stores the input positions as differences (``DeltaPositions``), a third fewer
    /// bytes at ten years of history; ``PremiumAssessedV4`` stored each whole.
    public static let schemaVersion = 5

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), decidedOn: c.field(\.decidedOn),
            annualPremium: c.field(\.annualPremium), installments: c.field(\.installments),
            ruleVersion: c.field(\.ruleVersion), reason: c.field(\.reason), cause: c.field(\.cause),
            rateTablePosition: c.field(\.rateTablePosition), inputPositions: c.field(\.inputPositions.asDeltas).values,
            recordedBreakdown: c.field(\.recordedBreakdown), collection: c.field(\.collection),
            pensionPeriods: c.field(\.pensionPeriods))
    }

    /// Why the assessment was made. Stored by declaration order: add cases at the end.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// 本算定: the annual run.
        case annual
        /// The person joined during the year.
        case joinedDuringYear
        /// 更正: an input changed after an earlier assessment.
        case reassessment
        /// The collection method changed during the year (pension deduction stopped): same
        /// amount, the rest of the year rescheduled.
        case collectionChanged
        /// Deduction from the pension starts during the year (a new starter selected once the
        /// insurer's data came): the periods due before its first pension month stay ordinary.
        case collectionStarted
        /// The union's figure adopted (`koki union adopt`): the city decided the union's premium
        /// is right where it differs from koki's; rescheduled as a reassessment.
        case unionAdopted
    }

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
    /// Every figure of the calculation (`nil` when not recorded), in the codec's binary form
    /// since version 4 (version 3 held it as a JSON text of about 600 bytes).
    public var breakdown: PremiumBreakdown? {
        get { recordedBreakdown.figures }
        set { recordedBreakdown = RecordedBreakdown(newValue) }
    }
    /// The breakdown as stored: an old event's JSON is read only when asked for.
    var recordedBreakdown: RecordedBreakdown
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
        inputPositions: [Int64] = [], breakdown: PremiumBreakdown? = nil, collection: CollectionMethod = .ordinary,
        pensionPeriods: [PeriodNumber] = []
    ) {
        self.init(
            person: person, fiscalYear: fiscalYear, decidedOn: decidedOn, annualPremium: annualPremium,
            installments: installments, ruleVersion: ruleVersion, reason: reason, cause: cause,
            rateTablePosition: rateTablePosition, inputPositions: inputPositions,
            recordedBreakdown: RecordedBreakdown(breakdown), collection: collection, pensionPeriods: pensionPeriods)
    }

    init(
        person: PersonID, fiscalYear: FiscalYear, decidedOn: CivilDate, annualPremium: Yen, installments: [Installment],
        ruleVersion: String, reason: Reason, cause: String, rateTablePosition: Int64, inputPositions: [Int64],
        recordedBreakdown: RecordedBreakdown, collection: CollectionMethod, pensionPeriods: [PeriodNumber]
    ) {
        (self.person, self.fiscalYear, self.decidedOn) = (person, fiscalYear, decidedOn)
        (self.annualPremium, self.installments, self.ruleVersion) = (annualPremium, installments, ruleVersion)
        (self.reason, self.cause, self.rateTablePosition) = (reason, cause, rateTablePosition)
        (self.inputPositions, self.recordedBreakdown, self.collection) = (inputPositions, recordedBreakdown, collection)
        self.pensionPeriods = pensionPeriods
    }

    enum CodingKeys: String, CodingKey {
        case person, fiscalYear, decidedOn, annualPremium, installments, ruleVersion, reason, cause
        case rateTablePosition, inputPositions
        case recordedBreakdown = "breakdown"
        case collection, pensionPeriods
    }

    /// How a period of this year is collected.
    public func method(of period: PeriodNumber) -> CollectionMethod {
        pensionPeriods.contains(period) ? .pensionDeduction : .ordinary
    }

    /// The installments deducted from the pension.
    public var pensionInstallments: [Installment] { installments.filter { pensionPeriods.contains($0.period) } }

    /// The installments collected ordinarily.
    public var ordinaryInstallments: [Installment] { installments.filter { !pensionPeriods.contains($0.period) } }
}

/// A ``PremiumAssessed``'s breakdown as stored, decoded only when read: a fold over a ledger
/// of assessments (balances, the city, a person's account) never pays for the figures it does
/// not read. Version 4 stores the figures in the codec's binary form as one byte string (its
/// length first, so a reader steps over it; empty: none recorded); version 3 held them as a JSON
/// text. Bytes or text that do not decode read as no breakdown (the chain's hash, which `verify`
/// checks, covers them either way). Equal when the figures are.
public struct RecordedBreakdown: Sendable, Hashable, Codable, BinaryCodable {
    private enum Form: Sendable {
        /// Boxed: held inline, the figures would make every assessment kept (a city holds every
        /// version of every person's) as large as the breakdown, whatever form it is in.
        indirect case figures(PremiumBreakdown?)
        case binary([UInt8])
        case json(String)
    }

    private let form: Form

    public init(_ figures: PremiumBreakdown?) { form = .figures(figures) }

    /// Version 3's text ("" when none was recorded).
    init(json: String) { form = json.isEmpty ? .figures(nil) : .json(json) }

    public var figures: PremiumBreakdown? {
        switch form {
        case .figures(let figures): figures
        case .binary(let bytes):
            try? bytes.withUnsafeBytes { buffer in
                var reader = BinaryReader(buffer)
                let figures = try PremiumBreakdown(from: &reader)
                try reader.expectEnd()
                return figures
            }
        case .json(let text): try? JSONDecoder().decode(PremiumBreakdown.self, from: Data(text.utf8))
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.figures == rhs.figures }
    public func hash(into hasher: inout Hasher) { hasher.combine(figures) }

    public init(from decoder: any Decoder) throws {
        form = .figures(try decoder.singleValueContainer().decode(PremiumBreakdown?.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(figures)
    }

    public init(from reader: inout BinaryReader) throws {
        let bytes = try reader.readBytes()
        form = bytes.isEmpty ? .figures(nil) : .binary(bytes)
    }

    public func encode(to writer: inout BinaryWriter) {
        if case .binary(let bytes) = form {
            writer.writeBytes(bytes)
            return
        }
        guard let figures else {
            writer.writeBytes([])
            return
        }
        // The figures are the calculation's own, kept exactly even where an amount an older koki
        // recorded saturated it (an income of Int64.max): they explain the decision and never
        // enter a fold, so an amount outside the ledger's range there refuses nothing — the
        // premium and its installments, which folds read, are checked as every amount is.
        var inner = BinaryWriter()
        figures.encode(to: &inner)
        writer.writeBytes(inner.bytes)
    }
}
