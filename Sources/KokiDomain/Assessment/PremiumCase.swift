/// Everything one premium calculation needs: the fiscal year, the person, the household
/// members whose income decides the per-capita reduction, and the person's dates.
///
/// This is also the JSON that `koki calc premium --case FILE` reads (see the README).
public struct PremiumCase: Hashable, Sendable, Codable {
    public var fiscalYear: Int
    /// The person assessed.
    public var person: Member
    /// The other members who count for the reduction: the householder (insured or not) and the
    /// other insured members of the household on the judgment date.
    public var household: [Member]
    /// The day the person became insured, when during this fiscal year (otherwise insured on
    /// April 1). It is also the judgment date of the reduction.
    public var acquiredOn: CivilDate?
    /// The loss date (資格喪失日), when during this fiscal year.
    public var lostOn: CivilDate?
    /// The day the person was first insured, for caps that differ for earlier insured persons.
    public var firstInsuredOn: CivilDate?
    /// For a former dependant of employee insurance: the day they joined.
    public var formerDependantJoinedOn: CivilDate?

    public struct Member: Hashable, Sendable, Codable {
        public var label: String?
        public var householder: Bool
        public var insured: Bool
        /// Aged 65 or more on 31 December of the income year.
        public var aged65OrOver: Bool
        /// `nil` when the income is unknown (未申告, not yet reported).
        public var income: Income?

        public init(label: String? = nil, householder: Bool, insured: Bool, aged65OrOver: Bool = true, income: Income?)
        {
            self.label = label
            self.householder = householder
            self.insured = insured
            self.aged65OrOver = aged65OrOver
            self.income = income
        }
    }

    /// The previous calendar year's figures.
    public struct Income: Hashable, Sendable, Codable {
        /// 総所得金額等: every income including the pension income and separately taxed gains.
        public var totalIncome: Yen
        /// 公的年金等の収入金額.
        public var publicPensionRevenue: Yen
        /// 給与収入金額.
        public var salaryRevenue: Yen

        public init(totalIncome: Yen, publicPensionRevenue: Yen = .zero, salaryRevenue: Yen = .zero) {
            self.totalIncome = totalIncome
            self.publicPensionRevenue = publicPensionRevenue
            self.salaryRevenue = salaryRevenue
        }

        /// Income from a pension alone (and other income, if any), as the tax table derives it.
        public static func pension(revenue: Yen, otherIncome: Yen = .zero) -> Income {
            Income(
                totalIncome: TaxableIncome.pensionIncome(revenue: revenue) + otherIncome, publicPensionRevenue: revenue)
        }
    }

    public init(
        fiscalYear: Int, person: Member, household: [Member] = [], acquiredOn: CivilDate? = nil,
        lostOn: CivilDate? = nil, firstInsuredOn: CivilDate? = nil, formerDependantJoinedOn: CivilDate? = nil
    ) {
        self.fiscalYear = fiscalYear
        self.person = person
        self.household = household
        self.acquiredOn = acquiredOn
        self.lostOn = lostOn
        self.firstInsuredOn = firstInsuredOn
        self.formerDependantJoinedOn = formerDependantJoinedOn
    }
}
