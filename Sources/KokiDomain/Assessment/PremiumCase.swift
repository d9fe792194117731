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
    /// Every insured span in the year, when there is more than one (left and came back): the
    /// months charged are then those of the spans, not everything between `acquiredOn` and
    /// `lostOn`.
    public var insuredSpans: [Span]?

    /// From a first insured day (or the year's start) up to a loss date (or the year's end).
    public struct Span: Hashable, Sendable, Codable {
        public var from: CivilDate?
        public var until: CivilDate?

        public init(from: CivilDate?, until: CivilDate?) {
            self.from = from
            self.until = until
        }
    }

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

        enum CodingKeys: String, CodingKey {
            case label, householder, insured, aged65OrOver, income
        }

        /// JSON defaults: insured, aged 65 or more, not the householder; no `income` = unknown.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            label = try c.decodeIfPresent(String.self, forKey: .label)
            householder = try c.decodeIfPresent(Bool.self, forKey: .householder) ?? false
            insured = try c.decodeIfPresent(Bool.self, forKey: .insured) ?? true
            aged65OrOver = try c.decodeIfPresent(Bool.self, forKey: .aged65OrOver) ?? true
            income = try c.decodeIfPresent(Income.self, forKey: .income)
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

        enum CodingKeys: String, CodingKey {
            case totalIncome, publicPensionRevenue, salaryRevenue, otherIncome
        }

        /// JSON: `totalIncome` may be left out when there is no salary; it is then the pension
        /// income the tax table derives from `publicPensionRevenue`, plus `otherIncome`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            publicPensionRevenue = try c.decodeIfPresent(Yen.self, forKey: .publicPensionRevenue) ?? .zero
            salaryRevenue = try c.decodeIfPresent(Yen.self, forKey: .salaryRevenue) ?? .zero
            if let total = try c.decodeIfPresent(Yen.self, forKey: .totalIncome) {
                totalIncome = total
            } else {
                guard salaryRevenue == .zero else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .totalIncome, in: c,
                        debugDescription:
                            "totalIncome is required when there is a salary (its deduction table is not built in)")
                }
                let other = try c.decodeIfPresent(Yen.self, forKey: .otherIncome) ?? .zero
                totalIncome = TaxableIncome.pensionIncome(revenue: publicPensionRevenue) + other
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(totalIncome, forKey: .totalIncome)
            try c.encode(publicPensionRevenue, forKey: .publicPensionRevenue)
            try c.encode(salaryRevenue, forKey: .salaryRevenue)
        }

        /// Income from a pension alone (and other income, if any), as the tax table derives it.
        public static func pension(revenue: Yen, otherIncome: Yen = .zero) -> Income {
            Income(
                totalIncome: TaxableIncome.pensionIncome(revenue: revenue) + otherIncome, publicPensionRevenue: revenue)
        }
    }

    public init(
        fiscalYear: Int, person: Member, household: [Member] = [], acquiredOn: CivilDate? = nil,
        lostOn: CivilDate? = nil, firstInsuredOn: CivilDate? = nil, formerDependantJoinedOn: CivilDate? = nil,
        insuredSpans: [Span]? = nil
    ) {
        self.fiscalYear = fiscalYear
        self.person = person
        self.household = household
        self.acquiredOn = acquiredOn
        self.lostOn = lostOn
        self.firstInsuredOn = firstInsuredOn
        self.formerDependantJoinedOn = formerDependantJoinedOn
        self.insuredSpans = insuredSpans
    }
}
