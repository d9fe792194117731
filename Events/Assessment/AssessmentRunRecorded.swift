import KokiDomain

/// 本算定を実施した — an assessment run over a fiscal year: who (the actor) and when (the
/// recorded time) are the command's; this records over what and what changed. Stream
/// `run/assessment/<fiscal year>`.
public struct AssessmentRunRecorded: EventPayload {
    public static let eventType = "AssessmentRunRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            fiscalYear: c.field(\.fiscalYear), decidedOn: c.field(\.decidedOn),
            personsConsidered: c.field(\.personsConsidered.asInt32Count).value,
            assessedFirstTime: c.field(\.assessedFirstTime.asInt32Count).value,
            reassessed: c.field(\.reassessed.asInt32Count).value, unchanged: c.field(\.unchanged.asInt32Count).value)
    }

    public var fiscalYear: FiscalYear
    public var decidedOn: CivilDate
    public var personsConsidered: Int
    public var assessedFirstTime: Int
    public var reassessed: Int
    public var unchanged: Int

    public init(
        fiscalYear: FiscalYear, decidedOn: CivilDate, personsConsidered: Int, assessedFirstTime: Int, reassessed: Int,
        unchanged: Int
    ) {
        (self.fiscalYear, self.decidedOn, self.personsConsidered) = (fiscalYear, decidedOn, personsConsidered)
        (self.assessedFirstTime, self.reassessed, self.unchanged) = (assessedFirstTime, reassessed, unchanged)
    }

    public var streamName: String { "run/assessment/\(fiscalYear.year)" }
}
