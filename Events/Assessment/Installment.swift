import KokiDomain

/// One installment (期別) of a premium assessment: its period, due date (納期限) and amount.
public struct Installment: Sendable, Hashable, Codable, BinaryRecord {
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(period: c.field(\.period), dueDate: c.field(\.dueDate), amount: c.field(\.amount))
    }

    public var period: PeriodNumber
    public var dueDate: CivilDate
    public var amount: Yen

    public init(period: PeriodNumber, dueDate: CivilDate, amount: Yen) {
        (self.period, self.dueDate, self.amount) = (period, dueDate, amount)
    }
}
