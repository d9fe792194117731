import KokiDomain

/// 所得を照会した — an operator looked up a person's income (所得照会履歴). Who and when are the
/// command's actor and recorded time; this records for whom, which year and why.
public struct IncomeInquired: EventPayload {
    public static let eventType = "IncomeInquired"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), year: c.field(\.year.asYear).value, purpose: c.field(\.purpose))
    }

    public var person: PersonID
    public var year: Int
    public var purpose: String

    public init(person: PersonID, year: Int, purpose: String) {
        (self.person, self.year, self.purpose) = (person, year, purpose)
    }
}
