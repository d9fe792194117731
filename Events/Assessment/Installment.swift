import KokiDomain

/// One installment (期別) of a premium assessment: its period, due date (納期限) and amount.
public struct Installment: Sendable, Hashable, Codable {
    public var period: PeriodNumber
    public var dueDate: CivilDate
    public var amount: Yen

    public init(period: PeriodNumber, dueDate: CivilDate, amount: Yen) {
        self.period = period
        self.dueDate = dueDate
        self.amount = amount
    }
}

extension BinaryWriter {
    public mutating func write(_ value: Installment) {
        write(value.period)
        write(value.dueDate)
        write(value.amount)
    }
}

extension BinaryReader {
    public mutating func readInstallment() throws(CodecError) -> Installment {
        Installment(period: try readPeriod(), dueDate: try readDate(), amount: try readYen())
    }
}
