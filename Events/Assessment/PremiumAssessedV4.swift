import KokiDomain

/// ``PremiumAssessed`` as version 4 stored it: the same fields, each input position a whole
/// number.
public struct PremiumAssessedV4: EventPayload {
    public static let eventType = "PremiumAssessed"
    public static let schemaVersion = 4

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            PremiumAssessed(
                person: c.field(\.assessed.person), fiscalYear: c.field(\.assessed.fiscalYear),
                decidedOn: c.field(\.assessed.decidedOn), annualPremium: c.field(\.assessed.annualPremium),
                installments: c.field(\.assessed.installments), ruleVersion: c.field(\.assessed.ruleVersion),
                reason: c.field(\.assessed.reason), cause: c.field(\.assessed.cause),
                rateTablePosition: c.field(\.assessed.rateTablePosition),
                inputPositions: c.field(\.assessed.inputPositions),
                recordedBreakdown: c.field(\.assessed.recordedBreakdown), collection: c.field(\.assessed.collection),
                pensionPeriods: c.field(\.assessed.pensionPeriods)))
    }

    /// The assessment as read.
    public var assessed: PremiumAssessed

    public init(_ assessed: PremiumAssessed) { self.assessed = assessed }

    /// The same assessment: only the stored form changed.
    public func upcast() -> PremiumAssessed { assessed }
}
