import KokiDomain

/// 本算定を実施した — an assessment run over a fiscal year: who (the actor) and when (the
/// recorded time) are the command's; this records over what and what changed. Stream
/// `run/assessment/<fiscal year>`.
public struct AssessmentRunRecorded: EventPayload {
    public static let eventType = "AssessmentRunRecorded"
    public static let schemaVersion = 1

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
        self.fiscalYear = fiscalYear
        self.decidedOn = decidedOn
        self.personsConsidered = personsConsidered
        self.assessedFirstTime = assessedFirstTime
        self.reassessed = reassessed
        self.unchanged = unchanged
    }

    public var streamName: String { "run/assessment/\(fiscalYear.year)" }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(fiscalYear)
        writer.write(decidedOn)
        for count in [personsConsidered, assessedFirstTime, reassessed, unchanged] { writer.writeCount(count, limit: Int(Int32.max)) }
    }

    public init(from reader: inout BinaryReader) throws {
        fiscalYear = try reader.readFiscalYear()
        decidedOn = try reader.readDate()
        personsConsidered = try reader.readCount(limit: Int(Int32.max))
        assessedFirstTime = try reader.readCount(limit: Int(Int32.max))
        reassessed = try reader.readCount(limit: Int(Int32.max))
        unchanged = try reader.readCount(limit: Int(Int32.max))
    }
}
