import KokiDomain
import KokiEvents

// Recording an income changes the register, and the copayment classes it changes are the
// counter's to redetermine: the request lives with the counter, which reads the register
// already, so the register never calls the counter.

/// `income record`: a calendar year's income; a later record of the year (修正申告) replaces it.
/// Answers the copayment classes it changed.
public struct RecordIncome: NumberedPersonRequest {
    public static let name = "income record"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var year: Int
    public var pension: Int64
    public var salary: Int64
    public var other: Int64
    public var total: Int64
    public var taxable: Int64?
    public var undeclared: Bool
    public var source: String

    public init(
        number: PersonID, year: Int, pension: Int64, salary: Int64, other: Int64, total: Int64, taxable: Int64?,
        undeclared: Bool, source: String
    ) {
        self.number = number
        self.year = year
        self.pension = pension
        self.salary = salary
        self.other = other
        self.total = total
        self.taxable = taxable
        self.undeclared = undeclared
        self.source = source
    }

    public func handle(_ scope: RequestScope) throws -> [Counter.CopayChange] {
        let recorded = IncomeRecorded(
            person: number, year: try incomeYear(year, today: scope.today),
            publicPensionRevenue: try Yen.checked(pension, .revenue, field: "--pension"),
            salaryRevenue: try Yen.checked(salary, .revenue, field: "--salary"),
            otherIncome: try Yen.checked(other, .income, field: "--other"),
            totalIncome: try Yen.checked(total, .income, field: "--total"), declared: !undeclared,
            source: try checkedText(source, field: "--source"),
            taxableIncome: try taxable.map { try Yen.checked($0, .revenue, field: "--taxable") })
        let metadata = scope.metadata()
        try InsuredRegisterCommands(scope.ledger).recordIncome(recorded, metadata: metadata)
        return try Counter(scope.ledger).redetermineCopay(afterIncomeOf: number, year: year, metadata: metadata)
    }
}
