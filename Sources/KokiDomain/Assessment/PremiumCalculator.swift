/// Computes one person's premium for a fiscal year from a ``PremiumCase`` and a ``RateTable``,
/// keeping every intermediate figure in the ``PremiumBreakdown``.
///
/// The rules, with their sources in `shared/domain/premiums-and-eligibility.md`:
/// - income base = total income − basic deduction (§2.3); income part = base × rate, cut to the
///   yen, with the FY2024 lower rate for a small base (§2.4);
/// - per-capita reduction (§3.1) judged on the person, the householder and the insured members:
///   judgment income with up to 15万 off each 65+ pension income, thresholds 43万 + coefficient
///   × insured + 10万 × (earners − 1); none when any of their incomes is unknown;
/// - former dependants (§3.2): no income part, per-capita halved in the months up to the month
///   in which the set number of years from joining have passed; the larger reduction wins;
/// - per component: min(reduced per-capita + income part, cap) (§2.1); the cap for earlier
///   insured persons where the table has one (§2.4);
/// - proration (§4.2): from the month of acquisition to the month before the loss date's month;
///   the prorated amount is cut to the yen, then the total to the table's rounding unit.
///
/// The rounding order in proration is unconfirmed (§9 item 7); this calculator prorates the
/// unrounded annual amount, which reproduces the worked examples of §8.3.
public enum PremiumCalculator {
    /// Recorded with every assessment, so a replay knows which logic produced a figure.
    public static let version = "koki-premium-1"

    public static func calculate(_ input: PremiumCase, rates: RateTable) throws(DomainError) -> PremiumBreakdown {
        guard rates.fiscalYear == input.fiscalYear else {
            throw DomainError(
                .invalidValue, "the rate table is for FY\(rates.fiscalYear), the case for FY\(input.fiscalYear)")
        }
        try rates.validate()
        guard input.person.insured else {
            throw DomainError(.invalidValue, "the person assessed must be insured")
        }
        let fy = try FiscalYear(input.fiscalYear)
        if let acquired = input.acquiredOn, let lost = input.lostOn, lost <= acquired {
            throw DomainError(.invalidValue, "loss date \(lost) is not after the acquisition on \(acquired)")
        }

        // Months charged: from the acquisition month through the month before the loss month,
        // for each insured span.
        let spans = input.insuredSpans ?? [PremiumCase.Span(from: input.acquiredOn, until: input.lostOn)]
        var charged = Set<Int>()
        for span in spans {
            let start = span.from.map { monthIndex($0, fy) } ?? 0
            let end = span.until.map { monthIndex($0, fy) } ?? 12
            if start < end { charged.formUnion(start..<end) }
        }
        let months = charged.count

        let judgment = judge(input, rates.reduction)

        // Former dependants: which charged months fall in the reduction window.
        var formerDependant: PremiumBreakdown.FormerDependant?
        if let joined = input.formerDependantJoinedOn {
            let lastDay = joined.reaching(age: rates.reduction.formerDependantYears).adding(days: -1)
            let windowStart = monthIndex(joined, fy)
            let windowEnd = monthIndex(lastDay, fy) + (lastDay < fy.firstDay ? 0 : 1)
            let inWindow = charged.filter { (windowStart..<max(windowStart, windowEnd)).contains($0) }.count
            formerDependant = .init(joinedOn: joined, reducedUntil: lastDay, monthsReduced: inWindow)
        }

        let incomeBase = input.person.income.map { TaxableIncome.incomeBase(totalIncome: $0.totalIncome) }
        let earlierInsured = input.firstInsuredOn.map { $0 < fy.firstDay } ?? false
        var components: [PremiumBreakdown.Component] = []
        for component in rates.components {
            var rate = component.incomeRate
            if let low = component.lowIncomeRate, let base = incomeBase, base <= low.incomeBaseAtMost {
                rate = low.rate
            }
            let incomePart = formerDependant != nil ? .zero : incomeBase.map { rate.applied(to: $0) } ?? .zero
            func perCapita(_ reduction: PerCapitaReduction) -> Yen {
                component.reductionsApply
                    ? reduction.rate.complement.applied(to: component.perCapita) : component.perCapita
            }
            let reduction = judgment.reduction
            let perCapitaAfter = perCapita(reduction)
            let cap = earlierInsured ? (component.capForEarlierInsured ?? component.cap) : component.cap
            let uncapped = perCapitaAfter + incomePart
            let annual = min(uncapped, cap)
            var charged = annual.scaled(by: Int64(months), per: 12)
            var formerDependantPerCapita: Yen?
            if let fd = formerDependant {
                let reduced = perCapita(max(reduction, .fiveTenths))
                formerDependantPerCapita = reduced
                let inWindow = Int64(fd.monthsReduced)
                let outside = Int64(months) - inWindow
                charged = Yen((min(reduced, cap).times(inWindow) + annual.times(outside)).amount / 12)
            }
            components.append(
                .init(
                    name: component.name, perCapita: component.perCapita, reduction: reduction,
                    perCapitaAfterReduction: perCapitaAfter, formerDependantPerCapita: formerDependantPerCapita,
                    incomeRate: rate, incomePart: incomePart, cap: cap, capped: uncapped > cap, annual: annual,
                    charged: charged))
        }
        let total = components.map(\.charged).sum()
        return PremiumBreakdown(
            calculator: version, fiscalYear: input.fiscalYear, rateTableSource: rates.source, months: months,
            firstMonth: charged.min().map { monthStart($0, fy).description }, incomeBase: incomeBase,
            judgment: judgment, formerDependant: formerDependant, components: components, totalBeforeRounding: total,
            roundingUnit: rates.roundingUnit, premium: total.truncated(toMultipleOf: rates.roundingUnit))
    }

    /// The per-capita reduction the household qualifies for, with the figures behind it.
    static func judge(_ input: PremiumCase, _ rules: RateTable.ReductionRules) -> PremiumBreakdown.Judgment {
        let members = [input.person] + input.household
        let insured = Int64(members.filter(\.insured).count)
        guard members.allSatisfy({ $0.income != nil }) else {
            return .init(
                judgmentIncome: nil, earners: 0, insuredCount: Int(insured), sevenTenthsAtMost: nil,
                fiveTenthsAtMost: nil, twoTenthsAtMost: nil, reduction: .none,
                note: "no reduction: the income of a household member is unknown (未申告)")
        }
        var judgmentIncome = Yen.zero
        var earners: Int64 = 0
        for member in members {
            let income = member.income!
            var figure = income.totalIncome
            if member.aged65OrOver {
                let pension = TaxableIncome.pensionIncome(revenue: income.publicPensionRevenue)
                figure -= min(pension, rules.pensionSpecialDeduction)
            }
            judgmentIncome += Yen(max(0, figure.amount))
            let pensionLimit =
                member.aged65OrOver ? rules.earnerPensionRevenueAbove65 : rules.earnerPensionRevenueAboveUnder65
            if income.salaryRevenue > rules.earnerSalaryRevenueAbove || income.publicPensionRevenue > pensionLimit {
                earners += 1
            }
        }
        let extra = rules.perExtraEarner.times(max(0, earners - 1))
        let seven = rules.base + extra
        let five = rules.base + rules.halfPerInsured.times(insured) + extra
        let two = rules.base + rules.fifthPerInsured.times(insured) + extra
        let reduction: PerCapitaReduction =
            judgmentIncome <= seven
            ? .sevenTenths : judgmentIncome <= five ? .fiveTenths : judgmentIncome <= two ? .twoTenths : .none
        return .init(
            judgmentIncome: judgmentIncome, earners: Int(earners), insuredCount: Int(insured), sevenTenthsAtMost: seven,
            fiveTenthsAtMost: five, twoTenthsAtMost: two, reduction: reduction, note: nil)
    }

    /// The month's index in the fiscal year (April = 0 … March = 11), clamped to 0…12.
    static func monthIndex(_ date: CivilDate, _ fy: FiscalYear) -> Int {
        min(12, max(0, (date.year - fy.year) * 12 + date.month - 4))
    }

    static func monthStart(_ index: Int, _ fy: FiscalYear) -> CivilDate {
        let month = (index + 3) % 12 + 1
        return try! CivilDate(year: month >= 4 ? fy.year : fy.year + 1, month: month, day: 1)
    }
}

/// Every figure of one premium calculation, for the record and for people checking it.
public struct PremiumBreakdown: Hashable, Sendable, Codable {
    public var calculator: String
    public var fiscalYear: Int
    public var rateTableSource: String
    /// Months charged in the fiscal year, and the first of them.
    public var months: Int
    public var firstMonth: String?
    /// 賦課のもととなる所得金額; `nil` when the income is unknown.
    public var incomeBase: Yen?
    public var judgment: Judgment
    public var formerDependant: FormerDependant?
    public var components: [Component]
    public var totalBeforeRounding: Yen
    public var roundingUnit: Int64
    /// The premium for the fiscal year.
    public var premium: Yen

    public init(
        calculator: String, fiscalYear: Int, rateTableSource: String, months: Int, firstMonth: String?,
        incomeBase: Yen?, judgment: Judgment, formerDependant: FormerDependant?, components: [Component],
        totalBeforeRounding: Yen, roundingUnit: Int64, premium: Yen
    ) {
        (self.calculator, self.fiscalYear, self.rateTableSource) = (calculator, fiscalYear, rateTableSource)
        (self.months, self.firstMonth, self.incomeBase) = (months, firstMonth, incomeBase)
        (self.judgment, self.formerDependant, self.components) = (judgment, formerDependant, components)
        (self.totalBeforeRounding, self.roundingUnit, self.premium) = (totalBeforeRounding, roundingUnit, premium)
    }

    public struct Judgment: Hashable, Sendable, Codable {
        public var judgmentIncome: Yen?
        public var earners: Int
        public var insuredCount: Int
        public var sevenTenthsAtMost: Yen?
        public var fiveTenthsAtMost: Yen?
        public var twoTenthsAtMost: Yen?
        public var reduction: PerCapitaReduction
        public var note: String?

        public init(
            judgmentIncome: Yen?, earners: Int, insuredCount: Int, sevenTenthsAtMost: Yen?, fiveTenthsAtMost: Yen?,
            twoTenthsAtMost: Yen?, reduction: PerCapitaReduction, note: String?
        ) {
            (self.judgmentIncome, self.earners, self.insuredCount) = (judgmentIncome, earners, insuredCount)
            (self.sevenTenthsAtMost, self.fiveTenthsAtMost) = (sevenTenthsAtMost, fiveTenthsAtMost)
            (self.twoTenthsAtMost, self.reduction, self.note) = (twoTenthsAtMost, reduction, note)
        }
    }

    public struct FormerDependant: Hashable, Sendable, Codable {
        public var joinedOn: CivilDate
        public var reducedUntil: CivilDate
        public var monthsReduced: Int

        public init(joinedOn: CivilDate, reducedUntil: CivilDate, monthsReduced: Int) {
            (self.joinedOn, self.reducedUntil, self.monthsReduced) = (joinedOn, reducedUntil, monthsReduced)
        }
    }

    public struct Component: Hashable, Sendable, Codable {
        public var name: String
        public var perCapita: Yen
        public var reduction: PerCapitaReduction
        public var perCapitaAfterReduction: Yen
        public var formerDependantPerCapita: Yen?
        public var incomeRate: Rate
        public var incomePart: Yen
        public var cap: Yen
        public var capped: Bool
        /// The full-year amount: min(per-capita + income part, cap).
        public var annual: Yen
        /// The amount for the months charged, cut to the yen.
        public var charged: Yen

        public init(
            name: String, perCapita: Yen, reduction: PerCapitaReduction, perCapitaAfterReduction: Yen,
            formerDependantPerCapita: Yen?, incomeRate: Rate, incomePart: Yen, cap: Yen, capped: Bool, annual: Yen,
            charged: Yen
        ) {
            (self.name, self.perCapita, self.reduction) = (name, perCapita, reduction)
            (self.perCapitaAfterReduction, self.formerDependantPerCapita) = (perCapitaAfterReduction, formerDependantPerCapita)
            (self.incomeRate, self.incomePart, self.cap, self.capped) = (incomeRate, incomePart, cap, capped)
            (self.annual, self.charged) = (annual, charged)
        }
    }
}
