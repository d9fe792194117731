import KokiDomain

/// The first stored layout of ``DunningNoticeIssued``, kept only to read old events.
///
/// It is decoded as it was stored and upcast at read time; stored bytes are never rewritten.
public struct DunningNoticeIssuedV1: EventPayload {
    public static let eventType = "DunningNoticeIssued"
    public static let schemaVersion = 1

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var period: PeriodNumber
    public var issuedOn: CivilDate
    public var principal: Yen

    public init(person: PersonID, fiscalYear: FiscalYear, period: PeriodNumber, issuedOn: CivilDate, principal: Yen) {
        self.person = person
        self.fiscalYear = fiscalYear
        self.period = period
        self.issuedOn = issuedOn
        self.principal = principal
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.write(fiscalYear)
        writer.write(period)
        writer.write(issuedOn)
        writer.write(principal)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        fiscalYear = try reader.readFiscalYear()
        period = try reader.readPeriod()
        issuedOn = try reader.readDate()
        principal = try reader.readYen()
    }

    /// The current version: the deadline was not recorded, so it stays unknown.
    public func upcast() -> DunningNoticeIssued {
        DunningNoticeIssued(
            person: person, fiscalYear: fiscalYear, period: period, principal: principal, issuedOn: issuedOn,
            payBy: nil, fee: .zero)
    }
}
