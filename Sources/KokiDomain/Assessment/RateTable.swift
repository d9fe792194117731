/// A fiscal year's premium rules as data: the components (医療分 and, from FY2026, the
/// 子ども・子育て支援金分), their rates and caps, the per-capita reduction thresholds and the
/// rounding unit. Figures the domain reference marks unconfirmed are never built in: such years
/// are given as a file (`koki calc premium --rates FILE`), which is also how another union's
/// published examples can be checked.
public struct RateTable: Hashable, Sendable, Codable {
    public var fiscalYear: Int
    /// Where the figures come from (ordinance, union page), for the record.
    public var source: String
    public var components: [Component]
    public var reduction: ReductionRules
    /// The annual premium is truncated to a multiple of this (100 in Chiba; 10 in Kanagawa).
    public var roundingUnit: Int64

    public struct Component: Hashable, Sendable, Codable {
        /// `medical` (医療分) or `childSupport` (子ども・子育て支援金分).
        public var name: String
        /// 均等割額, annual.
        public var perCapita: Yen
        /// 所得割率.
        public var incomeRate: Rate
        /// 賦課限度額.
        public var cap: Yen
        /// A lower income rate for an income base at or under a threshold (FY2024 relief).
        public var lowIncomeRate: LowIncomeRate?
        /// A lower cap for persons insured before the fiscal year began (FY2024 relief).
        public var capForEarlierInsured: Yen?
        /// Whether the 7/5/2割 and former-dependant reductions apply to this per-capita amount.
        public var reductionsApply: Bool

        public init(
            name: String, perCapita: Yen, incomeRate: Rate, cap: Yen, lowIncomeRate: LowIncomeRate? = nil,
            capForEarlierInsured: Yen? = nil, reductionsApply: Bool = true
        ) {
            self.name = name
            self.perCapita = perCapita
            self.incomeRate = incomeRate
            self.cap = cap
            self.lowIncomeRate = lowIncomeRate
            self.capForEarlierInsured = capForEarlierInsured
            self.reductionsApply = reductionsApply
        }
    }

    public struct LowIncomeRate: Hashable, Sendable, Codable {
        public var incomeBaseAtMost: Yen
        public var rate: Rate

        public init(incomeBaseAtMost: Yen, rate: Rate) {
            self.incomeBaseAtMost = incomeBaseAtMost
            self.rate = rate
        }
    }

    /// The low-income per-capita reduction (均等割軽減, §3.1): a household qualifies for a
    /// reduction when its judgment income is at most the threshold. The coefficients are
    /// national (施行令) and change by fiscal year.
    public struct ReductionRules: Hashable, Sendable, Codable {
        /// 43万: the base of every threshold.
        public var base: Yen
        /// 10万 per earner beyond the first (給与・年金所得者数 − 1).
        public var perExtraEarner: Yen
        /// The 5割 coefficient per insured person in the household.
        public var halfPerInsured: Yen
        /// The 2割 coefficient per insured person in the household.
        public var fifthPerInsured: Yen
        /// An earner: salary revenue above this (55万) …
        public var earnerSalaryRevenueAbove: Yen
        /// … or, aged 65 or more, public pension revenue above this (125万) …
        public var earnerPensionRevenueAbove65: Yen
        /// … or, under 65, public pension revenue above this (60万).
        public var earnerPensionRevenueAboveUnder65: Yen
        /// Subtracted from the pension income of a person aged 65 or more, for the judgment only.
        public var pensionSpecialDeduction: Yen
        /// How long the former-dependant 5割 per-capita reduction lasts, in years from joining.
        public var formerDependantYears: Int

        public init(
            base: Yen = Yen(430_000), perExtraEarner: Yen = Yen(100_000), halfPerInsured: Yen, fifthPerInsured: Yen,
            earnerSalaryRevenueAbove: Yen = Yen(550_000), earnerPensionRevenueAbove65: Yen = Yen(1_250_000),
            earnerPensionRevenueAboveUnder65: Yen = Yen(600_000), pensionSpecialDeduction: Yen = Yen(150_000),
            formerDependantYears: Int = 2
        ) {
            self.base = base
            self.perExtraEarner = perExtraEarner
            self.halfPerInsured = halfPerInsured
            self.fifthPerInsured = fifthPerInsured
            self.earnerSalaryRevenueAbove = earnerSalaryRevenueAbove
            self.earnerPensionRevenueAbove65 = earnerPensionRevenueAbove65
            self.earnerPensionRevenueAboveUnder65 = earnerPensionRevenueAboveUnder65
            self.pensionSpecialDeduction = pensionSpecialDeduction
            self.formerDependantYears = formerDependantYears
        }
    }

    public init(
        fiscalYear: Int, source: String, components: [Component], reduction: ReductionRules, roundingUnit: Int64 = 100
    ) {
        self.fiscalYear = fiscalYear
        self.source = source
        self.components = components
        self.reduction = reduction
        self.roundingUnit = roundingUnit
    }
}

extension RateTable {
    /// A table for the city to fill in, for a year whose figures are not confirmed: from FY2026
    /// the two components with the national caps confirmed by 令和8年政令第4号 (85万円 for the
    /// medical part, 2.1万円 for the child-support levy); the per-capita amounts and income rates
    /// are left at zero and the reduction coefficients are FY2025's, all to be checked.
    /// ``validate()`` refuses the table until the blanks are filled.
    public static func template(fiscalYear: Int) -> RateTable {
        RateTable(
            fiscalYear: fiscalYear,
            source: "TO FILL IN: Chiba FY\(fiscalYear) rates (only the national caps are confirmed)",
            components: [
                Component(name: "medical", perCapita: .zero, incomeRate: .zero, cap: Yen(850_000)),
                Component(name: "childSupport", perCapita: .zero, incomeRate: .zero, cap: Yen(21_000)),
            ],
            reduction: ReductionRules(halfPerInsured: Yen(305_000), fifthPerInsured: Yen(560_000)))
    }

    /// Checks that the table can assess anything: named components, positive per-capita
    /// amounts, rates and caps, a positive rounding unit. The error names the field.
    public func validate() throws(DomainError) {
        guard !components.isEmpty else {
            throw DomainError(.invalidValue, "FY\(fiscalYear): the table has no components")
        }
        guard roundingUnit >= 1 else {
            throw DomainError(.invalidValue, "FY\(fiscalYear): roundingUnit must be positive")
        }
        for (i, c) in components.enumerated() {
            let at = "FY\(fiscalYear) components[\(i)] (\(c.name))"
            guard c.perCapita > .zero else { throw DomainError(.invalidValue, "\(at).perCapita is not filled in") }
            guard c.incomeRate.numerator > 0 else {
                throw DomainError(.invalidValue, "\(at).incomeRate is not filled in")
            }
            guard c.cap > .zero else { throw DomainError(.invalidValue, "\(at).cap is not filled in") }
        }
    }

    /// Chiba's confirmed tables (千葉県後期高齢者医療広域連合), FY2022–2025; `nil` for other years,
    /// whose figures are unconfirmed and must be given as a file.
    ///
    /// Sources (`shared/domain/premiums-and-eligibility.md` §2.2, §2.4, §3.1): kouiki-chiba
    /// seido/1490 (FY2022–23), Kisarazu and Sakura (FY2024–25, the 8.45% and 73万 reliefs),
    /// Tateyama (FY2025); reduction coefficients per Yokosuka, Kuwana, Kakogawa and Nomi.
    public static func chiba(fiscalYear: Int) -> RateTable? {
        let source = "千葉県後期高齢者医療広域連合, confirmed rates FY\(fiscalYear)"
        switch fiscalYear {
        case 2022, 2023:
            return RateTable(
                fiscalYear: fiscalYear, source: source,
                components: [
                    Component(
                        name: "medical", perCapita: Yen(43_400), incomeRate: Rate(839, per: 10_000), cap: Yen(660_000))
                ],
                reduction: fiscalYear == 2022
                    ? ReductionRules(halfPerInsured: Yen(285_000), fifthPerInsured: Yen(520_000))
                    : ReductionRules(halfPerInsured: Yen(290_000), fifthPerInsured: Yen(535_000)))
        case 2024:
            return RateTable(
                fiscalYear: 2024, source: source,
                components: [
                    Component(
                        name: "medical", perCapita: Yen(43_800), incomeRate: Rate(911, per: 10_000), cap: Yen(800_000),
                        lowIncomeRate: LowIncomeRate(incomeBaseAtMost: Yen(580_000), rate: Rate(845, per: 10_000)),
                        capForEarlierInsured: Yen(730_000))
                ],
                reduction: ReductionRules(halfPerInsured: Yen(295_000), fifthPerInsured: Yen(545_000)))
        case 2025:
            return RateTable(
                fiscalYear: 2025, source: source,
                components: [
                    Component(
                        name: "medical", perCapita: Yen(43_800), incomeRate: Rate(911, per: 10_000), cap: Yen(800_000))
                ],
                reduction: ReductionRules(halfPerInsured: Yen(305_000), fifthPerInsured: Yen(560_000)))
        default:
            return nil
        }
    }
}
