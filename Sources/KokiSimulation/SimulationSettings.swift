@_spi(Batch) import KokiApp
import KokiDomain

/// What a simulated city looks like and how its people behave. Every rate is in thousandths
/// (‰) so the simulation needs no floating point; the defaults are plausible for a city the
/// size of Matsudo, not measured figures.
public struct SimulationSettings: Sendable, Hashable {
    /// Insured persons when the simulation starts.
    public var insured: Int
    /// Fiscal years simulated, each from April to March; the run ends with the last year's
    /// closing on 31 May.
    public var years: Int
    public var seed: UInt64
    /// The first fiscal year simulated.
    public var firstFiscalYear: Int
    public var behaviour: Behaviour

    public init(
        insured: Int, years: Int, seed: UInt64, firstFiscalYear: Int? = nil, behaviour: Behaviour = Behaviour()
    ) {
        self.insured = insured
        self.years = years
        self.seed = seed
        self.firstFiscalYear = firstFiscalYear ?? Self.defaultLastFiscalYear - years + 1
        self.behaviour = behaviour
    }

    /// Without `--first-year`, a simulation ends with this fiscal year (so a 10-year city runs
    /// FY2016–FY2025). A fixed year, not the wall clock: the same arguments give the same city.
    public static let defaultLastFiscalYear = 2025

    public var lastFiscalYear: Int { firstFiscalYear + years - 1 }
    public var start: CivilDate { try! CivilDate(year: firstFiscalYear, month: 4, day: 1) }
    /// The last day simulated: the closing day of the last fiscal year.
    public var end: CivilDate { try! CivilDate(year: lastFiscalYear + 1, month: 5, day: 31) }

    public struct Behaviour: Sendable, Hashable {
        /// Each year, persons reaching 75, moving in from another prefecture, and certified
        /// disabled at 65–74, per thousand insured at the start.
        public var reaching75PerYear = 78
        public var movedInPerYear = 9
        public var disabilityPerYear = 3
        /// Moving out of the prefecture, per thousand insured a year (deaths follow the
        /// age-specific mortality in ``SimulatedResidents``).
        public var movedOutPerYear = 9
        /// Pensioners whose care premium is deducted from their pension, so that this premium
        /// can be too (特別徴収), per thousand.
        public var pensionDeduction = 700
        /// Of those paying ordinarily (普通徴収), how many pay by bank debit (口座振替).
        public var bankDebit = 450
        /// Debits that fail for want of funds, per thousand requested.
        public var debitFailure = 25
        /// Ordinary payers who pay late (after the due date, some after the dunning notice),
        /// and who pay only some periods (chronic delinquency), per thousand.
        public var latePayers = 90
        public var chronicPayers = 35
        /// Chronic payers who agree an installment plan after a reminder, and plans broken.
        public var planAgreed = 300
        public var planBroken = 400
        /// Of those who come to the office after a reminder, how many are ill and have the
        /// collection of what they owe deferred (徴収猶予) for three months, then pay it.
        public var deferralGranted = 100
        /// Reductions (減免) and income corrections (更正) a year, per thousand insured.
        public var reductionsPerYear = 2
        public var incomeCorrectionsPerYear = 15
        /// Pension deductions stopped mid-year for other reasons (suspended pension), per
        /// thousand deductions.
        public var pensionStops = 2
        /// Pension deductees with a bank account who ask, in a month, to pay by bank debit
        /// instead (特徴→口座振替), per thousand.
        public var switchToDebit = 1

        public init() {}
    }
}
