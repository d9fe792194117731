import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import LedgerStore

/// A synthetic city recorded day by day through koki's own commands — never by writing events
/// directly: registration and eligibility, incomes and pension facts, rate tables, the annual
/// assessment and reassessments, pension deduction, bank debit and convenience-store files,
/// counter payments, dunning and reminder runs, contacts and installment plans, reductions,
/// refunds, prescription and year closings.
///
/// The ledger's clock is the simulated day (09:00 in Japan), its keys and nonces come from the
/// seed, and every command id is derived from the seed and what the command does, so the same
/// settings give the same ledger, byte for byte.
public struct CitySimulation: Sendable {
    public let ledger: KokiLedger
    public let settings: SimulationSettings
    let clock: ManualClock

    /// Bumped whenever the simulation's behaviour changes, so a cached city is made anew.
    public static let version = 5

    /// Where the simulation is, reported once per simulated month.
    public struct Progress: Sendable {
        public var day: CivilDate
        public var monthsDone: Int
        public var monthsTotal: Int
        public var events: Int64
        public var insured: Int
    }

    /// What the run did.
    public struct Report: Sendable {
        public var events: Int64 = 0
        public var residents = 0
        public var registered = 0
        public var deaths = 0
        public var movedOut = 0
        public var joined = 0
        public var files = 0
        public var payments = 0
        public var dunningNotices = 0
        public var reminders = 0
        public var plans = 0
        public var deferrals = 0
        public var provisionalDeductions = 0
        /// Persons in the notices to the pension insurers (the year's request, changes, stops).
        public var pensionNotices = 0
        public var pensionStops = 0
        /// New starters deducted from a month during the year.
        public var pensionStarts = 0
        /// Pension deductees who asked to pay by bank debit instead.
        public var switches = 0
        /// Bank-debit applications the bank refused to register.
        public var mandatesRefused = 0
        /// Bank-debit payers who chose 全期前納.
        public var prepayments = 0
        /// The union's decisions imported, and the differences from koki's figures found in them
        /// (none: the simulated union decides from the city's own inputs).
        public var unionDecisions = 0
        public var unionDifferences = 0
        public var reductions = 0
        public var reassessments = 0
        public var refunds = 0
        public var writeOffs = 0
    }

    /// Creates the ledger file for a simulation: its id, keys and nonces drawn from the seed,
    /// no fsync (a simulated city is rebuilt, never recovered), and the simulated clock. With
    /// `exclusive` (`koki simulate`), the file is this process's alone while the ledger is open
    /// (``Ledger/Options/exclusive``): no file lock per transaction, and no other connection —
    /// not even this process's own — may open it until the simulation is gone.
    public static func create(at path: String, settings: SimulationSettings, exclusive: Bool = false) throws
        -> CitySimulation
    {
        let clock = ManualClock(start: timestamp(settings.start), stepMicroseconds: 1)
        var seed = Array("koki-simulation".utf8)
        withUnsafeBytes(of: settings.seed.bigEndian) { seed.append(contentsOf: $0) }
        let store = try Ledger.create(
            at: path, clock: clock,
            options: Ledger.Options(synchronous: .off, entropy: SeededEntropy(seed: seed), exclusive: exclusive))
        return CitySimulation(ledger: KokiLedger(store), settings: settings, clock: clock)
    }

    /// 09:00 in Japan on a day (00:00 UTC).
    static func timestamp(_ day: CivilDate) -> Timestamp {
        Timestamp(microseconds: Int64(day.daysSinceEpoch) * 86_400_000_000)
    }

    /// How many commands a simulation holding its file alone commits together
    /// (``Ledger/groupingCommits(every:_:)``). Ten thousand, not a thousand: each commit writes
    /// every page its commands changed, and a command's rows land on pages all over the indexes
    /// by stream and by command id, so a larger group writes each such page once for more
    /// commands (two years of Matsudo in 3.6 % less time; fifty thousand gained nothing more at
    /// two years, and at ten 1.3 %, no more than two runs side by side differ by).
    public static let commandsPerCommit = 10_000

    public static let originator = CollectionCommands.Originator(
        code: "0000012345", name: "ﾏﾂﾄﾞｼ", bankCode: "0001", branchCode: "001", accountType: 1,
        accountNumber: "1234567")

    /// Hands the city the simulation held to the process's exit (``KokiLedger/leaveCityToExit()``):
    /// for `koki simulate` after its last line, where freeing it took seconds for nothing.
    public func leaveCityToExit() { ledger.leaveCityToExit() }

    public func run(progress: (Progress) -> Void = { _ in }) throws -> Report {
        var run = SimulationRun(self)
        // The city held from the first command on, fed by each command's events as appended:
        // no person is folded from their stream, which would wait for the writer.
        try ledger.withCurrentCity { _ in }
        // A file the simulation holds alone commits its commands ten thousand at a time, written
        // on a thread of their own while the simulation decides the next (``WriteBehind``).
        if let file = ledger.store as? Ledger, file.isExclusive {
            try file.groupingCommits(every: Self.commandsPerCommit, writingBehind: true) {
                try run.go(progress: progress)
            }
        } else {
            try run.go(progress: progress)
        }
        run.report.events = try ledger.store.head().position
        return run.report
    }
}

/// One run's state: the simulated world and what is scheduled in it.
struct SimulationRun {
    let simulation: CitySimulation
    let settings: SimulationSettings
    let ledger: KokiLedger
    let register: InsuredRegisterCommands
    let assessment: AssessmentCommands
    let collection: CollectionCommands
    let arrears: ArrearsCommands
    var world: SimulatedResidents
    var report = CitySimulation.Report()
    var dice: Dice
    /// Residents by person number (the simulation's index into `world`).
    var byPerson: [PersonID: Int] = [:]
    var byHousehold: [HouseholdID: [Int]] = [:]
    /// What happens on a day, planned earlier.
    var agenda: [CivilDate: [Planned]] = [:]
    /// Convenience-store payments made on a day, reported to the city three days later.
    var storeLines: [CivilDate: [String]] = [:]
    /// Persons to assess (or reassess) at the month's end, with the fiscal years concerned.
    var toAssess: [Int: Set<Int>] = [:]
    /// The due dates of the calendars adopted (a debit request on each).
    var dueDates: Set<CivilDate> = []
    /// The days the dunning runs: for each due date the last business day within the 20 days after it.
    var dunningDays: Set<CivilDate> = []
    /// Bank-debit applications sent for registration, by the day the bank answers.
    var bankAnswers: [CivilDate: [DebitApplicationRecorded]] = [:]
    /// The city's business days (the simulation records no extra closed day).
    let businessDays = BusinessCalendar()
    var chargeRates: ChargeRates

    enum Planned {
        case register(Int)
        case acquire(Int)
        case notifyLoss(Int)
        /// Pay what a period still owes: at a convenience store or at the counter.
        case pay(Int, PeriodKey, PaymentChannel)
        /// An installment-plan payment (unspecified money: oldest premiums first).
        case planPayment(Int, Yen)
        case payRefund(Int, String)
    }

    init(_ simulation: CitySimulation) {
        self.simulation = simulation
        settings = simulation.settings
        ledger = simulation.ledger
        register = InsuredRegisterCommands(ledger)
        assessment = AssessmentCommands(ledger)
        collection = CollectionCommands(ledger)
        arrears = ArrearsCommands(ledger)
        world = SimulatedResidents(settings)
        dice = Dice(settings.seed, "behaviour")
        report.residents = world.residents.count
        for r in world.residents {
            byPerson[r.person] = r.index
            byHousehold[r.household, default: []].append(r.index)
        }
        // Late-fee and refund-interest rates for every simulated year: the confirmed table's
        // years, the nearest confirmed year's rates outside them.
        let standard = ChargeRates.standard
        let known = standard.years.map(\.year)
        chargeRates = try! ChargeRates(
            reducedWindowMonths: standard.reducedWindowMonths,
            years: (settings.firstFiscalYear...settings.lastFiscalYear + 3).map { year in
                let nearest = known.min { abs($0 - year) < abs($1 - year) }!
                var rates = standard.years.first { $0.year == nearest }!
                rates.year = year
                return rates
            })
    }

    func resident(_ index: Int) -> SimulatedResident { world.residents[index - 1] }

    func command(_ what: String, actor: String = "sim-honcho") -> CommandMetadata {
        CommandMetadata(
            commandID: Identifier(derivedFrom: Array("sim/\(settings.seed)/\(what)".utf8)), actor: actor)
    }

    /// The branch office that handles a person (the head office and eight branches).
    func office(_ index: Int) -> String { index % 9 == 0 ? "sim-honcho" : "sim-shisho-\(index % 9)" }

    func runID(_ what: String) -> Identifier { Identifier(derivedFrom: Array("sim/\(settings.seed)/run/\(what)".utf8)) }

    /// Whether `day` is the first day the office is open from `dayOfMonth` of `month` (of the
    /// same year): the day the city does what it does "on the 10th".
    func firstOpenDay(from month: Int, _ dayOfMonth: Int, is day: CivilDate) throws -> Bool {
        guard day.month == month else { return false }
        return businessDays.onOrAfter(try CivilDate(year: day.year, month: month, day: dayOfMonth)) == day
    }

    /// Plans something for a day; what happens at the office's counter (a notification, a
    /// payment there, a plan's payment) waits for the next day it is open.
    mutating func plan(_ day: CivilDate, _ what: Planned) {
        let atTheCounter: Bool =
            switch what {
            case .notifyLoss, .planPayment: true
            case .pay(_, _, let channel): channel == .counter
            case .register, .acquire, .payRefund: false
            }
        agenda[atTheCounter ? businessDays.onOrAfter(day) : day, default: []].append(what)
    }

    // MARK: - The days

    mutating func go(progress: (CitySimulation.Progress) -> Void) throws {
        let start = settings.start
        let end = settings.end
        for r in world.residents {
            plan(r.registersOn, .register(r.index))
            if r.insuredFrom > r.registersOn { plan(r.insuredFrom, .acquire(r.index)) }
            if let leaves = r.leaves { plan(leaves.on.adding(days: 5 + r.index % 10), .notifyLoss(r.index)) }
        }
        let monthsTotal = (end.year - start.year) * 12 + end.month - start.month + 1
        var monthsDone = 0
        var day = start
        var insured = 0
        while day <= end {
            simulation.clock.set(CitySimulation.timestamp(day))
            let fy = day.month >= 4 ? day.year : day.year - 1
            let inRange = fy <= settings.lastFiscalYear
            if day == start {
                try ledger.record(
                    [
                        .arrearsSettingsAdopted(
                            ArrearsSettingsAdopted(settings: try ArrearsSettings(chargeRates: chargeRates)))
                    ],
                    metadata: command("arrears-settings"))
            }
            if inRange, day.month == 4, day.day == 1 { try beginYear(fy) }
            for planned in agenda.removeValue(forKey: day) ?? [] { try carryOut(planned, on: day, fy: fy) }
            if inRange, try firstOpenDay(from: 6, 15, is: day) { try recordIncomes(fy, on: day) }
            if inRange, try firstOpenDay(from: 7, 10, is: day) {
                let summary = try assessment.runAnnual(
                    fiscalYear: try FiscalYear(fy), decidedOn: day, actor: "sim-honcho", runID: runID("annual/\(fy)"))
                report.reassessments += summary.reassessed
            }
            if inRange, try firstOpenDay(from: 7, 20, is: day) { try pensionFile(fy, months: [4, 6], on: day) }
            if [8, 10, 12, 2].contains(day.month), try firstOpenDay(from: day.month, 25, is: day),
                fy <= settings.lastFiscalYear
            {
                try pensionFile(fy, months: [day.month], on: day)
            }
            // Before April: next year's provisional deductions, told to the pension insurers.
            if fy + 1 <= settings.lastFiscalYear, day.month == 2, try firstOpenDay(from: 2, 20, is: day) {
                report.provisionalDeductions += try assessment.decideProvisional(
                    fiscalYear: try FiscalYear(fy + 1), on: day, actor: "sim-honcho"
                ).decided.count
            }
            if day.day == 11 { try paymentsOfTheMonth(day, fy: fy) }
            try answerApplications(on: day)
            if dueDates.contains(day) { try debit(on: day) }
            if dunningDays.contains(day) {
                report.dunningNotices += try arrears.runDunning(on: day, actor: "sim-honcho").notices.count
            }
            // Reminders on the first business day from the 15th of those months.
            if [8, 11, 2, 5].contains(day.month), day.day >= 15,
                businessDays.onOrAfter(try CivilDate(year: day.year, month: day.month, day: 15)) == day
            {
                try reminders(on: day)
            }
            if inRange, try firstOpenDay(from: 8, 20, is: day) { try unionDecisions(fy, on: day) }
            if inRange, try firstOpenDay(from: 9, 1, is: day) { try reductions(fy, on: day) }
            if inRange, try firstOpenDay(from: 10, 1, is: day) { try incomeCorrections(fy, on: day) }
            if inRange, fy - 1 >= settings.firstFiscalYear, try firstOpenDay(from: 5, 20, is: day) {
                try lateIncomeCorrections(fy - 1, on: day)
            }
            // 不納欠損 on the last open day before the closing (31 May, 出納閉鎖): what prescribed is
            // written off; on the 31st the year is closed.
            if day.month == 5, day == businessDays.onOrBefore(try CivilDate(year: day.year, month: 5, day: 31)) {
                report.writeOffs += try arrears.prescribe(on: day, actor: "sim-honcho").writtenOff.count
            }
            if day.month == 5, day.day == 31, fy - 1 >= settings.firstFiscalYear {
                _ = try arrears.closeYear(try FiscalYear(fy - 1), on: day, metadata: command("close/\(fy - 1)"))
            }
            try storeFile(reportedOn: day)
            let tomorrow = day.adding(days: 1)
            // The month's assessments are decided on its last day the office is open.
            let lastOfMonth = try CivilDate(
                year: day.year, month: day.month, day: CivilDate.daysIn(month: day.month, year: day.year))
            if day == businessDays.onOrBefore(lastOfMonth) {
                try monthEnds(day)
                // What the month decided is told to the pension insurers before its end, the
                // deadline of the months it can still change.
                if inRange, ![2, 3].contains(day.month) {
                    let notice = try assessment.notifyPension(
                        fiscalYear: try FiscalYear(fy), on: day, actor: "sim-honcho")
                    report.pensionNotices += notice.notified.count
                    report.pensionStops += notice.stopped.count
                    report.pensionStarts += notice.started.count
                    try watch(notice.stopped, fy)
                    if !notice.file.isEmpty { report.files += 1 }
                }
            }
            if tomorrow.month != day.month {
                // What the month's commands freed is left to the allocator, not given back to the
                // system at each month's end: giving it back broke the heap's huge pages into
                // small ones, and ten years ran 5 % slower for 1 % less memory at the most
                // (Benchmarks/README.md, "Huge pages for the city a simulation holds").
                insured = world.residents.filter { $0.insuredFrom <= day && ($0.leaves?.on ?? tomorrow) > day }.count
                monthsDone += 1
                progress(
                    .init(
                        day: day, monthsDone: monthsDone, monthsTotal: monthsTotal,
                        events: try ledger.store.head().position, insured: insured))
            }
            day = tomorrow
        }
    }

    /// April 1: the year's rate table and installment calendar.
    mutating func beginYear(_ fy: Int) throws {
        let known = [2022, 2023, 2024, 2025]
        let nearest = known.min { abs($0 - fy) < abs($1 - fy) }!
        var table = RateTable.chiba(fiscalYear: nearest)!
        if nearest != fy {
            table.fiscalYear = fy
            table.source = "simulation: FY\(nearest)'s confirmed rates carried to FY\(fy) (not a real table)"
        }
        try assessment.adoptRates(table, metadata: command("rates/\(fy)"))
        // The simulated city offers 全期前納 to bank-debit payers.
        var calendar = InstallmentCalendar.standard(fiscalYear: fy)
        calendar.debitPrepayment = true
        try assessment.adoptCalendar(calendar, metadata: command("calendar/\(fy)"))
        dueDates.formUnion(calendar.dueDates())
        dunningDays.formUnion(calendar.dueDates().map { businessDays.onOrBefore($0.adding(days: 20)) })
    }

    // MARK: - Register

    mutating func carryOut(_ planned: Planned, on day: CivilDate, fy: Int) throws {
        switch planned {
        case .register(let i):
            let r = resident(i)
            try register.register(
                r.person, identity: r.identity, household: (r.household, r.role, min(r.registersOn, r.insuredFrom)),
                metadata: command("\(i)/register", actor: office(i)))
            report.registered += 1
            if r.entry != .initial { report.joined += 1 }
            // The city reads the newcomer's income from the tax records at once.
            try recordIncome(i, year: (day.month >= 7 ? fy : fy - 1), on: day, what: "joined")
            if r.insuredFrom <= r.registersOn { try acquire(i, on: day, fy: fy) }
        case .acquire(let i):
            try acquire(i, on: day, fy: fy)
        case .notifyLoss(let i):
            let r = resident(i)
            guard let leaves = r.leaves else { return }
            try register.lose(
                r.person, reason: leaves.reason, on: leaves.on, today: day,
                metadata: command("\(i)/lose", actor: office(i)))
            if leaves.reason == .died { report.deaths += 1 } else { report.movedOut += 1 }
            // A householder who died is no longer the head: the family notifies the next (世帯主変更).
            if leaves.reason == .died, r.role == .householder,
                let next = (byHousehold[r.household] ?? []).map(resident).first(where: {
                    $0.index != i && $0.registersOn <= day && !($0.leaves.map { $0.on <= leaves.on } ?? false)
                })
            {
                try register.recordHousehold(
                    next.person, household: r.household, role: .householder, effectiveOn: leaves.on.adding(days: 1),
                    metadata: command("\(next.index)/householder/\(leaves.on)", actor: office(next.index)))
            }
            let lossYear = leaves.on.month >= 4 ? leaves.on.year : leaves.on.year - 1
            for year in Set([lossYear, fy]) where year <= settings.lastFiscalYear {
                toAssess[i, default: []].insert(year)
            }
        case .pay(let i, let key, let channel):
            try payPeriod(i, key, channel, on: day)
        case .planPayment(let i, let amount):
            let r = resident(i)
            try collection.pay(
                r.person, amount: amount, paidOn: day, learnedOn: day, channel: .counter, slip: nil,
                reference: "分納", metadata: command("\(i)/plan-payment/\(day)", actor: office(i)))
            report.payments += 1
        case .payRefund(let i, let refund):
            let r = resident(i)
            let heir = r.leaves?.reason == .died ? "\(r.identity.nameKana.split(separator: " ").first ?? "") ハナコ" : nil
            let state = try collection.load(r.person)
            guard state.account.refunds.contains(where: { $0.decision.id == refund && $0.paid == nil }) else { return }
            try collection.payRefund(
                r.person, refund: refund, on: day, heir: heir,
                metadata: command("\(i)/refund/\(refund)", actor: office(i)))
            report.refunds += 1
        }
    }

    mutating func acquire(_ i: Int, on day: CivilDate, fy: Int) throws {
        let r = resident(i)
        let reason: AcquisitionReason =
            switch r.entry {
            case .initial, .reaching75: .reachedAge75
            case .movedIn: .movedIntoPrefecture
            case .disability: .disabilityCertified
            }
        try register.acquire(
            r.person, reason: reason, on: r.insuredFrom, metadata: command("\(i)/acquire", actor: office(i)))
        // After the annual run, a newcomer is assessed at the month's end.
        if day > (try CivilDate(year: fy, month: 7, day: 10)) || day.month < 4 { toAssess[i, default: []].insert(fy) }
    }

    /// A resident's income of `year` as the tax system's file gives it: pension revenue growing
    /// half a per cent a year (plus `change`), other income, the total, and 課税所得 — the total less
    /// the basic deduction (基礎控除 430,000 yen) and a tenth of the pension for the social-insurance
    /// and medical deductions, never below zero — which sets the copayment class.
    func incomeRow(_ i: Int, year: Int, change: Int64 = 0) -> TaxMasterFile.Row {
        let r = resident(i)
        let growth = Int64(year - settings.firstFiscalYear) * r.pension / 200
        let pension = Yen(max(0, r.pension + growth + change))
        let total = TaxableIncome.pensionIncome(revenue: pension) + Yen(r.otherIncome)
        let taxable = max(.zero, total - Yen(430_000) - Yen(pension.amount / 10))
        return TaxMasterFile.Row(
            line: 0, person: r.person,
            figures: IncomeFigures(
                year: year, pensionRevenue: pension, salaryRevenue: .zero, otherIncome: Yen(r.otherIncome),
                totalIncome: total, taxableIncome: taxable, declared: true))
    }

    /// The tax system's file of `rows` imported (`koki income import`); a correction reassesses
    /// the households it touches once the year's annual run is recorded.
    mutating func importIncomes(
        _ rows: [TaxMasterFile.Row], on day: CivilDate, what: String, actor: String = "sim-honcho"
    ) throws {
        guard !rows.isEmpty else { return }
        let text = TaxMasterFile.text(rows)
        let imported = try register.importIncomes(
            Array(text.utf8), name: "tax-\(what)-\(day).csv", on: day,
            metadata: command("income/\(what)/\(day)", actor: actor))
        report.reassessments += imported.reassessed.count
        // Their new periods are debited and dunned on their own dates (a 随時期 among them).
        for (fy, reassessed) in Dictionary(grouping: imported.reassessed, by: \.fiscalYear) {
            try watch(reassessed.map(\.person), fy.year)
        }
    }

    /// A newcomer's income, read from the tax records at once when they register (`income record`:
    /// registration takes any day the counter is open to it, and one person needs no file).
    func recordIncome(_ i: Int, year: Int, on day: CivilDate, what: String) throws {
        let row = incomeRow(i, year: year)
        try register.recordIncome(
            IncomeRecorded(row.figures, person: row.person, source: "連携税マスタ（模擬）"),
            metadata: command("\(i)/income/\(year)/\(what)", actor: office(i)))
    }

    /// June 15: last year's incomes from the tax records; pension facts from the pension
    /// insurers, with last February's deduction for the provisional months.
    mutating func recordIncomes(_ fy: Int, on day: CivilDate) throws {
        var pensions: [(Int, PensionFacts)] = []
        var rows: [TaxMasterFile.Row] = []
        // The city is read in a scope of its own and let go of before the commands run. A copy
        // of it kept while commands append is a second owner of everything they change: the
        // city's next fold copies each entry or account changed (June's incomes and July's
        // pension file change most of the city's), and both copies live until this one is gone.
        do {
            let city = try CitySnapshot(ledger)
            for r in world.residents where r.registersOn <= day && !(r.leaves.map { $0.on < day } ?? false) {
                guard city.register.persons[r.person] != nil else { continue }
                rows.append(incomeRow(r.index, year: fy - 1))
                if r.careDeducted {
                    let february =
                        city.accounts.current(r.person, try FiscalYear(fy - 1)) { assessed in
                            assessed.collection == .pensionDeduction
                                ? assessed.pensionInstallments.last(where: { $0.dueDate.month == 2 })?.amount : nil
                        } ?? nil
                    pensions.append(
                        (
                            r.index,
                            PensionFacts(
                                annualPension: Yen(r.pension), careInsurancePremium: Yen(60_000 + r.pension / 40),
                                careDeductedFromPension: true, previousFebruaryDeduction: february)
                        ))
                }
            }
        }
        try importIncomes(rows, on: day, what: "annual")
        for (i, facts) in pensions {
            try register.recordPension(
                resident(i).person, fiscalYear: try FiscalYear(fy), facts: facts,
                metadata: command("\(i)/pension/\(fy)", actor: office(i)))
        }
    }

    // MARK: - Money

    /// A pension insurer's deduction report for months of a year: for every month still
    /// deducted, what the insurer was told (or, never told, the installment), stopped for those
    /// who died or moved (and a few others); imported as a file.
    mutating func pensionFile(_ fy: Int, months: [Int], on day: CivilDate) throws {
        let year = try FiscalYear(fy)
        var lines = ["person,fiscal_year,month,paid_on,amount,status"]
        do {  // the city let go of before the import (see `recordIncomes`)
            let city = try CitySnapshot(ledger)
            for r in world.residents where r.careDeducted {
                guard
                    let installments = city.accounts.current(
                        r.person, year, { $0.pensionPeriods.isEmpty ? nil : $0.pensionInstallments }) ?? nil,
                    let account = city.collection.accounts[r.person]
                else { continue }
                let told = city.register.person(r.person)?.pensionTold(of: fy) ?? [:]
                var stopped = false
                for installment in installments where months.contains(installment.dueDate.month) {
                    let amount = told[installment.dueDate.month] ?? installment.amount
                    guard amount > .zero, !stopped, account.periods[PeriodKey(year, installment.period)] != nil else {
                        continue
                    }
                    let gone = r.leaves.map { $0.on <= installment.dueDate } ?? false
                    if gone || dice.chance(settings.behaviour.pensionStops) {
                        lines.append("\(r.person),\(fy),\(installment.dueDate.month),\(installment.dueDate),0,stopped")
                        stopped = true
                    } else {
                        lines.append(
                            "\(r.person),\(fy),\(installment.dueDate.month),\(installment.dueDate),\(amount.amount),deducted"
                        )
                    }
                }
            }
        }
        guard lines.count > 1 else { return }
        let summary = try collection.importPension(
            Array(lines.joined(separator: "\n").utf8),
            name: "pension-\(fy)-\(months.map(String.init).joined(separator: "-")).csv",
            learnedOn: day, actor: "sim-honcho")
        report.files += 1
        report.payments += summary.payments
        try watch(summary.stopped, fy)
    }

    /// The 11th of a month (after July's annual assessment): payers of ordinary installments
    /// due before the next 11th decide when (and whether) to pay; money over what anyone owes is settled
    /// (appropriated or refunded).
    mutating func paymentsOfTheMonth(_ day: CivilDate, fy: Int) throws {
        let b = settings.behaviour
        let nextScan = day.adding(months: 1)
        /// What residents hand in at their office: decided on the city as it stood this morning,
        /// then carried out once the city is let go of (see `recordIncomes`).
        enum Visit {
            case applyForDebit(SimulatedResident)
            case switchToDebit(SimulatedResident)
        }
        var visits: [Visit] = []
        do {
            let city = try CitySnapshot(ledger)
            for r in world.residents {
                guard let account = city.collection.accounts[r.person] else { continue }
                for year in [fy - 1, fy] where year >= settings.firstFiscalYear {
                    let fiscal = try FiscalYear(year)
                    guard let installments = city.accounts.current(r.person, fiscal, { $0.ordinaryInstallments })
                    else { continue }
                    for installment in installments
                    where installment.dueDate > day && installment.dueDate <= nextScan {
                        planPayment(r, PeriodKey(fiscal, installment.period), account, earliest: day)
                    }
                }
                // A few pension deductees with a bank account ask to pay by debit instead: a mandate
                // and the 納付方法変更申出, honoured by the month's notice to the insurer. Drawn from the
                // resident and the month, not the dice, so the rest of the city stays as it was.
                if r.bankDebit, businessDays.isBusinessDay(day),
                    (r.index &* 7_919 &+ day.year &* 12 &+ day.month) % 1_000 < b.switchToDebit,
                    let entry = city.register.person(r.person), entry.debitSwitch == nil, entry.diedOn == nil,
                    entry.isInsured(on: day),
                    city.accounts.current(r.person, try FiscalYear(fy), { $0.collection }) == .pensionDeduction
                {
                    if !account.mandates.contains(where: { $0.stopsOn == nil }), !applied(account) {
                        visits.append(.applyForDebit(r))
                    }
                    visits.append(.switchToDebit(r))
                }
                // New ordinary payers with a bank account sign a debit mandate in their first month.
                if r.bankDebit, account.mandates.isEmpty, !applied(account),
                    r.persona != .chronic || dice.chance(b.bankDebit), businessDays.isBusinessDay(day),
                    city.accounts.current(r.person, try FiscalYear(fy), { $0.collection }) == .ordinary,
                    city.register.person(r.person)?.diedOn == nil
                {
                    visits.append(.applyForDebit(r))
                }
            }
        }
        for visit in visits {
            switch visit {
            case .applyForDebit(let r):
                try applyForDebit(r, on: day)
            case .switchToDebit(let r):
                do {
                    _ = try assessment.recordSwitch(
                        r.person, change: .requested, on: day,
                        metadata: command("\(r.index)/switch/\(day)", actor: office(r.index)))
                    report.switches += 1
                } catch let error as KokiError where error.code == .invalidInput {
                    // Arrears: the city's rule refuses; they stay deducted.
                }
            }
        }
        // The applications of the month go to the bank, which answers ten days later.
        let sent =
            businessDays.isBusinessDay(day)
            ? try collection.sendDebitApplications(on: day, actor: "sim-honcho") : .init()
        if !sent.sent.isEmpty {
            bankAnswers[businessDays.onOrAfter(day.adding(days: 10)), default: []] += sent.sent
            report.files += 1
        }
        let settled = try collection.settleAll(
            on: day, rates: chargeRates, actor: "sim-honcho", runID: runID("settle/\(day)"))
        for (person, settlement) in settled.sorted(by: { $0.key < $1.key }) {
            for refund in settlement.refunds {
                plan(day.adding(days: 20), .payRefund(byPerson[person]!, refund.id))
            }
        }
    }

    /// How a payer meets a period: by debit (nothing to plan), or at a store or the counter —
    /// on time, late, or (for chronic payers) perhaps never.
    mutating func planPayment(
        _ r: SimulatedResident, _ key: PeriodKey, _ account: CollectionAccounts.Account, earliest: CivilDate
    ) {
        guard let period = account.periods[key], period.outstanding > .zero else { return }
        // A debit mandate pays on the due date; those who fail pay later (see `debit`).
        if r.bankDebit, account.mandate(on: period.dueDate) != nil { return }
        let channel: PaymentChannel = r.index % 5 == 0 ? .counter : .convenienceStore
        let due = period.dueDate
        switch r.persona {
        case .prompt:
            plan(max(earliest, due.adding(days: -dice.int(below: 20))), .pay(r.index, key, channel))
        case .late:
            plan(max(earliest, due.adding(days: 5 + dice.int(below: 60))), .pay(r.index, key, channel))
        case .chronic:
            if dice.chance(400) {
                plan(max(earliest, due.adding(days: 30 + dice.int(below: 300))), .pay(r.index, key, .counter))
            }
        }
    }

    mutating func payPeriod(_ i: Int, _ key: PeriodKey, _ channel: PaymentChannel, on day: CivilDate) throws {
        let r = resident(i)
        let state = try collection.load(r.person)
        guard let period = state.account.periods[key], period.outstanding > .zero else { return }
        switch channel {
        case .convenienceStore:
            let barcode = try collection.slipBarcode(
                r.person, key: key, issuer: "123456", deadline: max(period.dueDate, day), amount: period.outstanding)
            storeLines[day, default: []].append("final,\(day),ｾﾌﾞﾝ\(i % 7),\(barcode)")
        default:
            try collection.pay(
                r.person, amount: period.outstanding, paidOn: day, learnedOn: day, channel: channel, slip: key,
                metadata: command("\(i)/pay/\(key)/\(day)", actor: office(i)))
        }
    }

    /// Convenience-store payments of three days ago arrive as a file.
    mutating func storeFile(reportedOn day: CivilDate) throws {
        let paidOn = day.adding(days: -3)
        guard let lines = storeLines.removeValue(forKey: paidOn) else { return }
        let summary = try collection.importConvenience(
            Array((["kind,paid_on,store,barcode"] + lines).joined(separator: "\n").utf8), name: "konbini-\(paidOn).csv",
            learnedOn: day, actor: "sim-honcho")
        report.files += 1
        report.payments += summary.payments
    }

    /// A due date: the bank-debit request, and the bank's result four days later (imported the
    /// same day, learned on that day). Those whose debit failed pay later, or not.
    mutating func debit(on due: CivilDate) throws {
        let request = try collection.exportDebit(on: due, originator: CitySimulation.originator, actor: "sim-honcho")
        guard request.records > 0 else { return }
        var file = try ZenginDebitFile.parse(request.bytes)
        for n in file.records.indices {
            guard let i = SlipNumber(file.records[n].customerNumber).flatMap({ byPerson[$0.person] })
            else { continue }
            let failureRate = resident(i).persona == .prompt ? settings.behaviour.debitFailure : 80
            if dice.chance(failureRate) { file.records[n].resultCode = 1 }
        }
        let summary = try collection.importDebitResult(
            try file.encoded(isResult: true), name: "debit-result-\(due).txt", learnedOn: due.adding(days: 4),
            actor: "sim-honcho")
        report.files += 2
        report.payments += summary.payments
        for record in file.failed {
            guard let i = SlipNumber(record.customerNumber).flatMap({ byPerson[$0.person] }) else {
                continue
            }
            let state = try collection.load(resident(i).person)
            for (key, period) in state.account.periods.sorted(by: { $0.key < $1.key })
            where period.dueDate == due && period.outstanding > .zero {
                if resident(i).persona != .chronic || dice.chance(500) {
                    plan(due.adding(days: 10 + dice.int(below: 40)), .pay(i, key, .convenienceStore))
                }
            }
        }
    }

    // MARK: - Arrears

    /// Reminders for two months overdue; some chronic payers then agree a plan after a call.
    mutating func reminders(on day: CivilDate) throws {
        let summary = try arrears.runReminders(
            on: day, criteria: .init(monthsOverdue: 2), actor: "sim-honcho")
        report.reminders += summary.reminders.count
        let b = settings.behaviour
        for reminder in summary.reminders {
            guard let i = byPerson[reminder.person], dice.chance(b.planAgreed) else { continue }
            let r = resident(i)
            let account = try collection.load(r.person).account
            guard account.activePlans.isEmpty else { continue }
            // The visit to the office, on a day it is open. Some are ill and ask for a deferment.
            let on = businessDays.onOrAfter(day.adding(days: 10 + dice.int(below: 20)))
            let deferring = account.deferrals.isEmpty && dice.chance(b.deferralGranted)
            try arrears.recordContact(
                r.person, on: on, method: .visitToOffice,
                words: deferring
                    ? .init(counterpart: "本人", content: "催告書を受けて来庁、入院のため徴収猶予を申請", promise: "猶予期間の終わりに納付")
                    : .init(counterpart: "本人", content: "催告書を受けて来庁、分納を相談", promise: "毎月分納"),
                metadata: command("\(i)/contact/\(day)", actor: office(i)))
            let periods = account.periods
            let overdue = periods.filter { $0.value.dueDate < day && $0.value.outstanding > .zero }.map(\.key)
            let owed = overdue.map { periods[$0]!.outstanding }.sum()
            guard owed > .zero else { continue }
            if deferring {
                // What is overdue is deferred three months (徴収猶予), then paid at the counter.
                let through = businessDays.onOrAfter(on.adding(months: 3))
                try arrears.deferCollection(
                    r.person, change: .granted, on: on, periods: overdue, from: on, through: through,
                    reason: .illness, relief: .halved, metadata: command("\(i)/deferral/\(day)", actor: office(i)))
                report.deferrals += 1
                plan(through, .planPayment(i, owed))
                continue
            }
            let count = max(1, min(12, Int(owed.amount / 5_000)))
            let schedule = try ArrearsCommands.schedule(total: owed, count: count, first: on.adding(months: 1))
            try arrears.recordPlan(
                r.person, on: on, periods: overdue, includesLateFees: false, schedule: schedule, pledge: true,
                metadata: command("\(i)/plan/\(day)", actor: office(i)))
            report.plans += 1
            let keeps = dice.chance(1000 - b.planBroken) ? count : dice.int(below: count)
            for scheduled in schedule.prefix(keeps) {
                plan(scheduled.on.adding(days: dice.int(below: 5)), .planPayment(i, scheduled.amount))
            }
        }
    }

    /// September 1: reductions decided for a few (a fire, a sudden loss of income).
    mutating func reductions(_ fy: Int, on day: CivilDate) throws {
        let from = try CivilDate(year: fy, month: 4, day: 1)
        let through = try CivilDate(year: fy + 1, month: 3, day: 31)
        for r in world.residents where r.insuredFrom < day && !(r.leaves.map { $0.on < day } ?? false) {
            guard dice.chance(settings.behaviour.reductionsPerYear) else { continue }
            let state = try collection.load(r.person)
            guard
                state.account.periods.values.contains(where: {
                    $0.dueDate >= from && $0.dueDate <= through && $0.owes > .zero
                })
            else { continue }
            try arrears.decideReduction(
                r.person, appliedOn: day.adding(days: -20), decidedOn: day, reason: "災害（住家の半焼）による減免",
                from: from, through: through, amounts: nil, percent: 50, waiveLateFees: true,
                metadata: command("\(r.index)/reduction/\(fy)", actor: office(r.index)))
            report.reductions += 1
        }
    }

    /// August 20: the union's assessment and eligibility decisions for the year (`koki union
    /// import`). The simulated union decides from the same inputs as the city, so its file is
    /// koki's own figures and every difference found is a fault of koki's (counted in the report).
    mutating func unionDecisions(_ fy: Int, on day: CivilDate) throws {
        let year = try FiscalYear(fy)
        var rows: [UnionAssessmentFile.Row] = []
        do {  // the city let go of before the import (see `recordIncomes`)
            let city = try CitySnapshot(ledger)
            for person in city.register.persons.keys.sorted() {
                guard let assessed = city.accounts.current(person, year), let entry = city.register.person(person),
                    let period = entry.eligibilityPeriods.last(where: { $0.overlaps(year) })
                else { continue }
                guard let breakdown = assessed.breakdown else {
                    throw KokiError(.undecodableEvent, "the \(year) assessment of \(person) records no breakdown")
                }
                rows.append(
                    UnionAssessmentFile.Row(
                        line: 0, person: person, fiscalYear: year, annualPremium: assessed.annualPremium,
                        incomeBase: breakdown.incomeBase, reduction: breakdown.judgment.reduction,
                        periods: assessed.installments.sorted { $0.period < $1.period }.map(\.amount),
                        insuredFrom: period.from, insuredUntil: period.until))
            }
        }
        guard !rows.isEmpty else { return }
        let result = try UnionReconciliation(ledger).importDecisions(
            Array(UnionAssessmentFile.text(rows).utf8), name: "union-\(fy)-\(day).csv", on: day,
            metadata: command("union/\(fy)"))
        report.unionDecisions += result.recorded
        report.unionDifferences += result.differences.count
    }

    /// October 1: a few incomes corrected by late tax returns, in the tax system's file of
    /// corrections; the import reassesses those persons' households.
    mutating func incomeCorrections(_ fy: Int, on day: CivilDate) throws {
        var rows: [TaxMasterFile.Row] = []
        for r in world.residents where r.insuredFrom < day && !(r.leaves.map { $0.on < day } ?? false) {
            guard dice.chance(settings.behaviour.incomeCorrectionsPerYear) else { continue }
            let change = Int64(dice.int(below: 600) - 300) * 1_000
            rows.append(incomeRow(r.index, year: fy - 1, change: change))
        }
        try importIncomes(rows, on: day, what: "corrected")
    }

    /// In May, after the spring's amended tax returns (修正申告): a few corrections of the income a
    /// past year was assessed on, in a file. Decided after that year's last due date, an increase
    /// is a new period (随時期), a decrease a refund.
    mutating func lateIncomeCorrections(_ fy: Int, on day: CivilDate) throws {
        let year = try FiscalYear(fy)
        var rows: [TaxMasterFile.Row] = []
        for r in world.residents where r.insuredFrom < year.lastDay && !(r.leaves.map { $0.on < day } ?? false) {
            guard dice.chance(settings.behaviour.incomeCorrectionsPerYear / 3) else { continue }
            let change = Int64(dice.int(below: 600) - 200) * 1_000
            rows.append(incomeRow(r.index, year: fy - 1, change: change))
        }
        try importIncomes(rows, on: day, what: "amended")
    }

    /// The month's last open day: plans checked; newcomers, losses and corrections (re)assessed.
    /// A period paid ordinarily outside the calendar (a 随時期, or a period of a year whose
    /// pension deduction stopped) is debited on its due date and dunned after it like any.
    mutating func watch(_ assessed: PremiumAssessed) {
        for installment in assessed.ordinaryInstallments {
            dueDates.insert(installment.dueDate)
            dunningDays.insert(businessDays.onOrBefore(installment.dueDate.adding(days: 20)))
        }
    }

    /// ``watch(_:)`` for persons whose deduction stopped in a year.
    mutating func watch(_ persons: [PersonID], _ fy: Int) throws {
        for person in persons {
            if let assessed = try collection.load(person).assessment(try FiscalYear(fy)) { watch(assessed) }
        }
    }

    /// Whether a bank-debit application is open (received or sent) or accepted.
    func applied(_ account: CollectionAccounts.Account) -> Bool {
        account.currentApplications.contains { [.received, .sent, .accepted].contains($0.change) }
    }

    /// A resident hands in a 口座振替依頼書 at their office.
    mutating func applyForDebit(_ r: SimulatedResident, on day: CivilDate) throws {
        _ = try collection.applyForDebit(
            r.person,
            account: try BankAccount(
                bankCode: "0001", branchCode: String(format: "%03d", 1 + r.index % 40), accountType: 1,
                accountNumber: String(format: "%07d", 1_000_000 + r.index), holderKana: r.identity.nameKana),
            on: day, metadata: command("\(r.index)/debit-apply/\(day)", actor: office(r.index)))
        // About one in fifteen also chooses 全期前納 (drawn from the resident, not the dice).
        if r.index % 15 == 7, try collection.load(r.person).account.prepayment == nil {
            _ = try collection.choosePrepayment(
                r.person, change: .chosen, on: day,
                metadata: command("\(r.index)/prepay/\(day)", actor: office(r.index)))
            report.prepayments += 1
        }
    }

    /// The bank's answer to the applications sent: most registered, about one in thirty refused
    /// (drawn from the application's number, not the dice).
    mutating func answerApplications(on day: CivilDate) throws {
        guard let sent = bankAnswers.removeValue(forKey: day) else { return }
        let reasons = ["口座なし", "名義相違", "印鑑相違"]
        var lines = ["application,result,reason"]
        for a in sent {
            let h = a.id.unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) % 1_000_003 }
            lines.append(h % 30 == 0 ? "\(a.id),refused,\(reasons[h % reasons.count])" : "\(a.id),accepted,")
        }
        let summary = try collection.importMandateAnswers(
            Array(lines.joined(separator: "\n").utf8), name: "mandate-answer-\(day).csv", learnedOn: day,
            actor: "sim-honcho")
        report.mandatesRefused += summary.refused.count
        report.files += 1
    }

    mutating func monthEnds(_ day: CivilDate) throws {
        _ = try arrears.checkPlans(on: day, actor: "sim-honcho")
        for (i, years) in toAssess.sorted(by: { $0.key < $1.key }) {
            for year in years.sorted() {
                let outcome: AssessmentCommands.Outcome
                do {
                    outcome = try assessment.assess(
                        resident(i).person, fiscalYear: try FiscalYear(year), decidedOn: day,
                        metadata: command("\(i)/assess/\(year)/\(day)", actor: office(i)))
                } catch let error as DomainError where error.code == .pastTimeLimit {
                    // Past the time limit on assessing (期間制限): the city can no longer raise
                    // the year, and records nothing.
                    continue
                }
                switch outcome {
                case .reassessed(let assessed, _):
                    report.reassessments += 1
                    watch(assessed)
                case .assessed(let assessed): watch(assessed)
                case .notInsured, .unchanged: break
                }
                // Periods due before the next month's 11th are paid from the notice; later
                // ones are planned then.
                if case .assessed(let assessed) = outcome {
                    let account = try collection.load(resident(i).person).account
                    for installment in assessed.ordinaryInstallments where installment.dueDate <= day.adding(days: 11) {
                        planPayment(
                            resident(i), PeriodKey(assessed.fiscalYear, installment.period), account,
                            earliest: day.adding(days: 1))
                    }
                }
            }
        }
        toAssess = [:]
    }
}
