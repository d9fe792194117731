import KokiDomain

/// 所得を記録した — a calendar year's tax data for the premium, from the tax master or a
/// declaration; a later record of the same year (修正申告, 更正) replaces it.
public struct IncomeRecorded: EventPayload {
    public static let eventType = "IncomeRecorded"
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), year: c.field(\.year.asYear).value,
            publicPensionRevenue: c.field(\.publicPensionRevenue), salaryRevenue: c.field(\.salaryRevenue),
            otherIncome: c.field(\.otherIncome), totalIncome: c.field(\.totalIncome), declared: c.field(\.declared),
            source: c.field(\.source), taxableIncome: c.field(\.taxableIncome))
    }

    public var person: PersonID
    /// The calendar year of the income (the premium of FY N uses the income of year N−1).
    public var year: Int
    /// 公的年金等の収入金額
    public var publicPensionRevenue: Yen
    /// 給与収入金額
    public var salaryRevenue: Yen
    /// Other income: business, real estate, separately taxed gains (その他の所得).
    public var otherIncome: Yen
    /// 合計所得金額
    public var totalIncome: Yen
    /// `false` when no declaration was made (未申告): the premium then has no reduction.
    public var declared: Bool
    /// Where the figures came from (連携税マスタ, 申告書, 修正申告).
    public var source: String
    /// 課税所得 (住民税の課税標準額), which decides the copayment class; `nil` when not known
    /// (records of schema version 1).
    public var taxableIncome: Yen?

    public init(
        person: PersonID, year: Int, publicPensionRevenue: Yen, salaryRevenue: Yen, otherIncome: Yen,
        totalIncome: Yen, declared: Bool, source: String, taxableIncome: Yen? = nil
    ) {
        (self.person, self.year, self.publicPensionRevenue) = (person, year, publicPensionRevenue)
        (self.salaryRevenue, self.otherIncome, self.totalIncome) = (salaryRevenue, otherIncome, totalIncome)
        (self.declared, self.source, self.taxableIncome) = (declared, source, taxableIncome)
    }
}
