import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiNotices
import KokiProjections
import LedgerStore
import KokiTestSupport
import Testing

@Suite struct AssessmentCommandsTests {
    let ledger: KokiLedger
    let register: InsuredRegisterCommands
    let assessment: AssessmentCommands
    let fy = try! FiscalYear(2025)

    init() throws {
        ledger = KokiLedger(try Ledger.inMemory())
        register = InsuredRegisterCommands(ledger)
        assessment = AssessmentCommands(ledger)
    }

    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func id(_ text: String) -> PersonID { try! PersonID(text) }
    func meta() -> CommandMetadata { CommandMetadata(actor: "op-assess") }

    /// A person born `born`, insured from `insured`, with 2024 pension revenue, in household 555.
    func person(_ number: String, born: String, pension: Int64?, role: HouseholdRole = .member, insured: String? = nil)
        throws
    {
        let who = try PersonIdentity(nameKanji: "氏名", nameKana: "シメイ", birthDate: d(born), sex: .male, address: "松戸市")
        try register.register(
            id(number), identity: who, household: (try HouseholdID("555"), role, d("2000-04-01")), metadata: meta())
        let birthday = d(born).reaching(age: 75)
        if let insured {
            try register.acquire(id(number), reason: .movedIntoPrefecture, on: d(insured), metadata: meta())
        } else {
            try register.acquire(id(number), reason: .reachedAge75, on: birthday, metadata: meta())
        }
        if let pension { try recordPension(number, pension) }
    }

    func recordPension(_ number: String, _ revenue: Int64, source: String = "連携税マスタ") throws {
        try register.recordIncome(
            IncomeRecorded(
                person: id(number), year: 2024, publicPensionRevenue: Yen(revenue), salaryRevenue: .zero,
                otherIncome: .zero,
                totalIncome: TaxableIncome.pensionIncome(revenue: Yen(revenue)), declared: true, source: source),
            metadata: meta())
    }

    func configure() throws {
        try assessment.adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta())
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2025), metadata: meta())
    }

    /// Notices with the city's settings adopted.
    func adoptedNotices() throws -> Notices {
        let notices = Notices(ledger)
        try notices.adopt(
            NoticeSettings(
                city: "松戸市", issuer: "松戸市長", department: "後期高齢者医療班", address: "松戸市根本387-5",
                phone: "047-366-1111", barcodeIssuer: "123456"), metadata: meta())
        return notices
    }

    func current(_ number: String) throws -> PremiumAssessed? {
        try CitySnapshot(ledger).accounts.current(id(number), fy)
    }

    @Test func theAnnualRunAssessesTheCoupleAndIsIdempotent() throws {
        try configure()
        try person("1", born: "1945-05-01", pension: 2_000_000, role: .householder)
        try person("2", born: "1946-06-01", pension: 800_000)
        let run = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
        #expect(run.considered == 2)
        #expect(run.assessedFirstTime == 2)
        let husband = try #require(try current("1"))
        let wife = try #require(try current("2"))
        #expect(husband.annualPremium == Yen(64_700))  // §8.2
        #expect(wife.annualPremium == Yen(21_900))
        #expect(husband.installments.count == 9)
        #expect(husband.installments.map(\.amount).sum() == husband.annualPremium)
        #expect(husband.installments.first?.dueDate == d("2025-07-31"))
        #expect(husband.reason == .annual)
        // The decision carries its inputs and every figure.
        let breakdown = try #require(husband.breakdown)
        #expect(breakdown.judgment.reduction == .fiveTenths)
        #expect(breakdown.judgment.insuredCount == 2)
        #expect(husband.rateTablePosition == 1)
        #expect(husband.inputPositions.count >= 4)  // both persons' eligibility, household and income
        #expect(husband.ruleVersion == PremiumCalculator.version)

        let before = try ledger.store.head().position
        let again = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
        #expect(again.unchanged == 2)
        #expect(again.assessedFirstTime == 0)
        // Only the run record itself was appended.
        #expect(try ledger.store.head().position == before + 1)
        #expect(try CitySnapshot(ledger).accounts.runs.map(\.unchanged) == [0, 2])
    }

    @Test func aCorrectedIncomeReassessesTheWholeHouseholdKeepingPastPeriods() throws {
        try configure()
        try person("1", born: "1945-05-01", pension: 2_000_000, role: .householder)
        try person("2", born: "1946-06-01", pension: 800_000)
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
        let oldHusband = try #require(try current("1"))
        // The wife's 2024 pension was in fact 300万 (修正申告): no more 5割 for either of them.
        try recordPension("2", 3_000_000, source: "修正申告")
        let run = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-10-15"), actor: "batch")
        #expect(run.reassessed == 2)
        let husband = try #require(try current("1"))
        #expect(husband.reason == .reassessment)
        #expect(husband.cause.hasPrefix("64700 → "))
        #expect(husband.cause.contains("inputs recorded since"))
        #expect(husband.installments.map(\.amount).sum() == husband.annualPremium)
        #expect(husband.annualPremium > oldHusband.annualPremium)
        // July–September were due before the decision: unchanged.
        #expect(Array(husband.installments.prefix(3)) == Array(oldHusband.installments.prefix(3)))
        #expect(try CitySnapshot(ledger).accounts.assessments[.init(person: id("1"), fiscalYear: fy)]?.count == 2)
    }

    /// 期間制限 (高確法 第160条の2): FY2025's first ordinary due date is 2025-07-31, so from
    /// 2027-08-01 the year may not be raised or first assessed; a decrease stays possible.
    @Test func theTimeLimitOnAssessingRefusesIncreasesAndFirstAssessmentsNotDecreases() throws {
        try configure()
        try person("1", born: "1945-05-01", pension: 2_000_000, role: .householder)
        try person("2", born: "1946-06-01", pension: 800_000)
        _ = try assessment.assess(id("1"), fiscalYear: fy, decidedOn: d("2025-07-10"), metadata: meta())
        // A higher income learned late: the last day the increase may be decided is 2027-07-31.
        try recordPension("1", 3_000_000, source: "修正申告")
        let head = try ledger.store.head()
        #expect {
            try assessment.assess(id("1"), fiscalYear: fy, decidedOn: d("2027-08-01"), metadata: meta())
        } throws: { error in
            let text = "\(error)"
            return (error as? DomainError)?.code == .pastTimeLimit && text.contains("期間制限")
                && text.contains("2027-07-31") && text.contains("2025-07-31")
        }
        // Nobody assessed for the first time after the limit either; the annual run lists them.
        let run = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2027-08-02"), actor: "batch")
        #expect(run.pastTimeLimit == [id("1"), id("2")] && run.reassessed == 0 && run.assessedFirstTime == 0)
        #expect(try current("2") == nil)
        #expect(try ledger.store.head().position == head.position + 1, "only the run's own record")
        // The day before the limit the increase is decided.
        let raised = try assessment.assess(id("1"), fiscalYear: fy, decidedOn: d("2027-07-31"), metadata: meta())
        guard case .reassessed(let event, let previous) = raised else {
            Issue.record("not reassessed: \(raised)")
            return
        }
        #expect(event.annualPremium > previous.annualPremium)
        // After the limit a decrease in the person's favour is still decided.
        try recordPension("1", 1_000_000, source: "更正の請求")
        let lowered = try assessment.assess(id("1"), fiscalYear: fy, decidedOn: d("2027-09-01"), metadata: meta())
        guard case .reassessed(let lower, _) = lowered else {
            Issue.record("not reassessed: \(lowered)")
            return
        }
        #expect(lower.annualPremium < event.annualPremium)
    }

    @Test func aMidYearEntrantIsProratedOverTheRemainingPeriods() throws {
        try configure()
        try person("3", born: "1950-10-15", pension: 2_000_000, role: .householder)
        let outcome = try assessment.assess(id("3"), fiscalYear: fy, decidedOn: d("2025-11-10"), metadata: meta())
        guard case .assessed(let event) = outcome else {
            Issue.record("expected an assessment, got \(outcome)")
            return
        }
        #expect(event.annualPremium == Yen(38_900))  // §8.3: October–March
        #expect(event.reason == .joinedDuringYear)
        #expect(event.installments.map(\.period.number) == [5, 6, 7, 8, 9])
        #expect(event.installments.map(\.amount).sum() == Yen(38_900))
        // Again on the same day: unchanged, nothing recorded.
        let head = try ledger.store.head()
        guard
            case .unchanged = try assessment.assess(
                id("3"), fiscalYear: fy, decidedOn: d("2025-11-10"), metadata: meta())
        else {
            Issue.record("a second assessment must change nothing")
            return
        }
        #expect(try ledger.store.head() == head)
    }

    @Test func aLateRegisteredDeathLowersThePremiumAndTheLatestPastPeriods() throws {
        try configure()
        try person("4", born: "1940-01-01", pension: 2_000_000, role: .householder)
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
        #expect(try current("4")?.annualPremium == Yen(77_800))
        // Died 2025-08-20, registered in November: insured April–July only.
        try register.lose(id("4"), reason: .died, on: d("2025-08-20"), today: d("2025-11-20"), metadata: meta())
        let outcome = try assessment.assess(id("4"), fiscalYear: fy, decidedOn: d("2025-11-20"), metadata: meta())
        guard case .reassessed(let event, let previous) = outcome else {
            Issue.record("expected a reassessment, got \(outcome)")
            return
        }
        #expect(event.annualPremium == Yen(25_900))
        #expect(event.installments.map(\.amount).sum() == Yen(25_900))
        #expect(event.installments.allSatisfy { $0.amount >= .zero })
        // Periods still to come are nothing; the first past periods are kept as billed.
        #expect(event.installments.filter { $0.dueDate > d("2025-11-20") }.allSatisfy { $0.amount == .zero })
        #expect(event.installments[0] == previous.installments[0])
    }

    @Test func configurationMustBeAdoptedAndTheUninsuredAreSkipped() throws {
        try person("5", born: "1940-01-01", pension: nil, role: .householder)
        #expect {
            try assessment.assess(id("5"), fiscalYear: fy, decidedOn: d("2025-07-10"), metadata: meta())
        } throws: { ($0 as? KokiError)?.message.contains("no rate table adopted for FY2025") == true }
        try configure()
        let never = try PersonIdentity(
            nameKanji: "氏名", nameKana: "シメイ", birthDate: d("1960-01-01"), sex: .male, address: "松戸市")
        try register.register(id("6"), identity: never, metadata: meta())
        let head = try ledger.store.head()
        #expect(
            try assessment.assess(id("6"), fiscalYear: fy, decidedOn: d("2025-07-10"), metadata: meta()) == .notInsured)
        #expect(try ledger.store.head() == head)
        // Unknown income: per-capita only, no reduction.
        guard
            case .assessed(let event) = try assessment.assess(
                id("5"), fiscalYear: fy, decidedOn: d("2025-07-10"), metadata: meta())
        else {
            Issue.record("expected an assessment")
            return
        }
        #expect(event.annualPremium == Yen(43_800))
    }

    /// FY2025's standard nine periods for a random annual amount.
    static func randomSchedule(using g: inout SeededGenerator) -> [Installment] {
        InstallmentCalendar.standard(fiscalYear: 2025).installments(for: Yen(Int64.random(in: 0...500_000, using: &g)))
            .map { Installment(period: $0.period, dueDate: $0.dueDate, amount: $0.amount) }
    }

    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func reschedulesAlwaysSumToTheNewAmount(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<500 {
            let old = Self.randomSchedule(using: &g)
            let annual = Yen(Int64.random(in: 0...500_000, using: &g))
            let decided = d("2025-06-01").adding(days: Int.random(in: 0...400, using: &g))
            let new = try AssessmentCommands.rescheduleForTests(old, to: annual, decidedOn: decided)
            #expect(new.map(\.amount).sum() == annual)
            #expect(new.allSatisfy { $0.amount >= .zero })
            // Never more on a due date already past; a new period only for an increase after the
            // year's last due date, due after the decision on an open day.
            for (before, after) in zip(old, new) where before.dueDate <= decided {
                #expect(after.amount <= before.amount)
            }
            let grows = annual > old.map(\.amount).sum() && old.allSatisfy { $0.dueDate <= decided }
            #expect(new.map(\.period) == old.map(\.period) + (grows ? [try PeriodNumber(old.count + 1)] : []))
            if grows, let extra = new.last {
                #expect(extra.dueDate > decided && BusinessCalendar().isBusinessDay(extra.dueDate))
                #expect(extra.amount == annual - old.map(\.amount).sum())
            }
        }
    }

    /// A stopped year's pension months (`fixed`) are never raised; while ordinary periods still to
    /// come can take the difference, they keep their amounts, up or down; the schedule keeps its
    /// order and sums to the new amount.
    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func aStoppedYearsPensionMonthsAreNeverRaised(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<500 {
            let old = Self.randomSchedule(using: &g)
            let fixed = Set(old.prefix(Int.random(in: 0...old.count, using: &g)).map(\.period))
            let annual = Yen(Int64.random(in: 0...500_000, using: &g))
            let decided = d("2025-06-01").adding(days: Int.random(in: 0...400, using: &g))
            let new = try AssessmentCommands.rescheduleForTests(old, to: annual, decidedOn: decided, fixed: fixed)
            #expect(new.map(\.amount).sum() == annual)
            #expect(Array(new.map(\.period).prefix(old.count)) == old.map(\.period))
            for (before, after) in zip(old, new) where fixed.contains(before.period) || before.dueDate <= decided {
                #expect(after.amount <= before.amount, "\(before) → \(after), decided \(decided)")
            }
            let kept = old.filter { fixed.contains($0.period) || $0.dueDate <= decided }.map(\.amount).sum()
            let open = old.contains { !fixed.contains($0.period) && $0.dueDate > decided }
            if open && annual >= kept {
                for (before, after) in zip(old, new) where fixed.contains(before.period) {
                    #expect(after == before)
                }
            }
        }
    }

    @Test func anIncreaseAfterTheLastDueDateIsANewPeriodNotAPastOne() throws {
        let calendar = InstallmentCalendar.standard(fiscalYear: 2024)
        let old = calendar.installments(for: Yen(80_000)).map {
            Installment(period: $0.period, dueDate: $0.dueDate, amount: $0.amount)
        }
        // Decided on 2026-06-15: due at the end of July, 2026-07-31 (a Friday).
        let new = try AssessmentCommands.rescheduleForTests(old, to: Yen(244_600), decidedOn: d("2026-06-15"))
        #expect(Array(new.prefix(old.count)) == old)
        #expect(
            new.last
                == Installment(period: try PeriodNumber(old.count + 1), dueDate: d("2026-07-31"), amount: Yen(164_600)))
        // The end of the month after falls on a Sunday (2026-05-31): the next open day.
        let may = try AssessmentCommands.rescheduleForTests(old, to: Yen(90_000), decidedOn: d("2026-04-10"))
        #expect(may.last?.dueDate == d("2026-06-01"))
        // Decided in December: the end of January of the next year.
        let january = try AssessmentCommands.rescheduleForTests(old, to: Yen(90_000), decidedOn: d("2025-12-01"))
        // (2026-01-31 is a Saturday.)
        #expect(january.last?.dueDate == d("2026-02-02"))
        // A decrease after the last due date is no new period: the latest past periods are lowered.
        let lower = try AssessmentCommands.rescheduleForTests(old, to: Yen(70_000), decidedOn: d("2026-06-15"))
        #expect(lower.count == old.count && lower.map(\.amount).sum() == Yen(70_000))
        // A second increase after the first 随時期 fell due is a period of its own again.
        let again = try AssessmentCommands.rescheduleForTests(new, to: Yen(250_000), decidedOn: d("2026-09-01"))
        #expect(again.count == new.count + 1 && again.last?.amount == Yen(5_400))
        #expect(again.last?.dueDate == d("2026-11-02"))  // 2026-10-31 is a Saturday
    }
}

extension AssessmentCommandsTests {
    @Test func pensionDeductionWhenItsConditionsHold() throws {
        try configure()
        try person("7", born: "1940-01-01", pension: 2_000_000, role: .householder)
        try register.recordPension(
            id("7"), fiscalYear: fy,
            facts: PensionFacts(
                annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true,
                previousFebruaryDeduction: Yen(12_600)), metadata: meta())
        // Insured from this year: ordinary collection at first, whatever the pension.
        try person("8", born: "1950-04-10", pension: 2_000_000, role: .householder)
        try register.recordPension(
            id("8"), fiscalYear: fy,
            facts: PensionFacts(
                annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true),
            metadata: meta())
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
        let deducted = try #require(try current("7"))
        #expect(deducted.collection == .pensionDeduction)
        #expect(
            deducted.installments.map(\.amount)
                == PensionDeduction.amounts(
                    for: deducted.annualPremium, previousFebruary: Yen(12_600),
                    leveling: InstallmentCalendar.standardLevelingThreshold))
        // April and June are what the insurer was told (last February's); August is leveled.
        #expect(deducted.installments.prefix(2).allSatisfy { $0.amount == Yen(12_600) })
        #expect(deducted.installments.map(\.amount).sum() == deducted.annualPremium)
        #expect(
            deducted.installments.map(\.dueDate.description) == [
                "2025-04-15", "2025-06-13", "2025-08-15", "2025-10-15", "2025-12-15", "2026-02-13",
            ])
        #expect(deducted.cause.hasPrefix("pension deduction"))
        let newcomer = try #require(try current("8"))
        #expect(newcomer.collection == .ordinary)
        #expect(newcomer.cause.hasPrefix("newly insured"))

        // The notice names the pension months, never 1期–6期; one printed before they were named
        // is reissued as it was.
        let notices = try adoptedNotices()
        let head = try ledger.store.head().position
        let batch = try notices.paymentNotices(fiscalYear: fy, on: d("2025-07-15"), at: head)
        let notice = try #require(batch.first { $0.person == id("7") })
        let rows = notice.rows.map { Dictionary(uniqueKeysWithValues: $0) }
        #expect(
            rows.map { $0["period"] } == [
                "4月（仮徴収）", "6月（仮徴収）", "8月（仮徴収）", "10月（本徴収）", "12月（本徴収）", "2月（本徴収）",
            ])
        let slips = try #require(batch.first { $0.person == id("8") })
        #expect(slips.rows.first.map { Dictionary(uniqueKeysWithValues: $0)["period"] } == "1期")
        var issuedBefore = notice
        issuedBefore.rows = notice.rows.enumerated().map { index, row in
            row.map { $0.0 == "period" ? ("period", "\(index + 1)期") : $0 }
        }
        try notices.record([issuedBefore], run: nil, metadata: meta())
        #expect(try notices.rebuild(notice.number).jsonLine == issuedBefore.jsonLine)

        // The 納付済確認書 names the month of a pension deduction too; one printed before is
        // reissued as it was.
        let august = try #require(deducted.installments.dropFirst(2).first)
        try CollectionCommands(ledger).pay(
            id("7"), amount: august.amount, paidOn: august.dueDate, learnedOn: d("2025-09-10"),
            channel: .pensionDeduction, slip: PeriodKey(fy, august.period), metadata: meta())
        let certificate = try notices.certificate(
            id("7"), fiscalYear: fy, on: d("2025-09-12"), at: try ledger.store.head().position)
        let paid = certificate.rows.map { Dictionary(uniqueKeysWithValues: $0) }
        #expect(paid.map { $0["period"] } == ["8月（仮徴収）"] && paid.first?["channel"] == "年金からの天引き")
        var certifiedBefore = certificate
        certifiedBefore.rows = certificate.rows.map { row in row.map { $0.0 == "period" ? ("period", "3期") : $0 } }
        try notices.record([certifiedBefore], run: nil, metadata: meta())
        #expect(try notices.rebuild(certificate.number).jsonLine == certifiedBefore.jsonLine)
    }
}

extension AssessmentCommandsTests {
    /// 仮徴収 decided before April: last February's deduction, for those deducted then and still
    /// insured; not on or after 1 April; a second run records nobody again. In July the year's
    /// assessment keeps April and June at what was decided, whatever February the pension facts
    /// recorded since name.
    @Test func theProvisionalDeductionIsDecidedBeforeAprilAndKeptInJuly() throws {
        let lastYear = try FiscalYear(2024)
        try assessment.adoptRates(RateTable.chiba(fiscalYear: 2024)!, metadata: meta())
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2024), metadata: meta())
        try configure()
        try person("7", born: "1940-01-01", pension: 2_000_000, role: .householder)
        try register.recordIncome(
            IncomeRecorded(
                person: id("7"), year: 2023, publicPensionRevenue: Yen(2_000_000), salaryRevenue: .zero,
                otherIncome: .zero, totalIncome: TaxableIncome.pensionIncome(revenue: Yen(2_000_000)), declared: true,
                source: "連携税マスタ"), metadata: meta())
        func facts(february: Int64) -> PensionFacts {
            PensionFacts(
                annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true,
                previousFebruaryDeduction: Yen(february))
        }
        try register.recordPension(id("7"), fiscalYear: lastYear, facts: facts(february: 12_600), metadata: meta())
        _ = try assessment.runAnnual(fiscalYear: lastYear, decidedOn: d("2024-07-10"), actor: "batch")
        let last = try #require(try CitySnapshot(ledger).accounts.current(id("7"), lastYear))
        #expect(last.collection == .pensionDeduction)
        let february = try #require(last.installments.last)
        #expect(february.dueDate.month == 2 && february.amount > .zero)

        #expect(throws: KokiError.self) {
            try assessment.decideProvisional(fiscalYear: fy, on: d("2025-04-01"), actor: "batch")
        }
        let run = try assessment.decideProvisional(fiscalYear: fy, on: d("2025-02-20"), actor: "batch")
        #expect(run.decided.map(\.person) == [id("7")] && run.decided.first?.amount == february.amount)
        #expect(run.decided.first?.basis == "令和6年度2月の特別徴収額")
        let amount = february.amount.amount
        #expect(
            String(decoding: run.file, as: UTF8.self)
                == "person,fiscal_year,month,amount\n7,2025,4,\(amount)\n7,2025,6,\(amount)\n7,2025,8,\(amount)\n")
        let files = try CitySnapshot(ledger).collection.files.filter { $0.kind == .pensionRequest }
        #expect(files.map(\.digest) == [run.digest] && files.first?.records == 3)
        #expect(try assessment.decideProvisional(fiscalYear: fy, on: d("2025-02-21"), actor: "batch").decided.isEmpty)

        try register.recordPension(id("7"), fiscalYear: fy, facts: facts(february: 99_900), metadata: meta())
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
        let now = try #require(try current("7"))
        #expect(now.collection == .pensionDeduction)
        #expect(now.installments.prefix(2).map(\.amount) == [february.amount, february.amount])
        #expect(now.installments.map(\.amount).sum() == now.annualPremium)

        // The rule checker holds April and June to what was decided: none broken here.
        var check = RuleCheck()
        try ledger.forEachEvent { view, event in check.apply(event, position: view.position) }
        check.finish()
        #expect(!check.breaches.contains { $0.rule == .pastDueCharge }, "\(check.breaches)")
    }

    /// Found on the ten-year city: a newcomer of March assessed at April's month end was charged
    /// on the year's last due date, already past. A first assessment decided after the year's
    /// last due date is a period of its own (随時期), due at the end of the month after.
    @Test func aFirstAssessmentAfterTheYearsLastDueDateIsAPeriodOfItsOwn() throws {
        try configure()
        try person("5", born: "1951-03-20", pension: 2_000_000, role: .householder)
        guard
            case .assessed(let event) = try assessment.assess(
                id("5"), fiscalYear: fy, decidedOn: d("2026-04-27"), metadata: meta())
        else {
            Issue.record("expected a first assessment")
            return
        }
        #expect(event.annualPremium > .zero)
        // 31 May 2026 is a Sunday: due on Monday 1 June.
        #expect(
            event.installments == [
                Installment(period: try PeriodNumber(10), dueDate: d("2026-06-01"), amount: event.annualPremium)
            ])
        // Decided on the last due date itself (2026-03-31): the same.
        try person("6", born: "1951-03-10", pension: 2_000_000)
        guard
            case .assessed(let onTheDay) = try assessment.assess(
                id("6"), fiscalYear: fy, decidedOn: d("2026-03-31"), metadata: meta())
        else {
            Issue.record("expected a first assessment")
            return
        }
        #expect(onTheDay.installments.map(\.dueDate) == [d("2026-04-30")])
    }

    @Test func aPersonWhoLeftAndCameBackPaysForTheInsuredMonthsOnly() throws {
        try configure()
        try person("9", born: "1940-01-01", pension: 2_000_000, role: .householder)
        try register.lose(
            id("9"), reason: .leftPrefecture, on: d("2025-06-30"), addressElsewhereSameDay: true,
            today: d("2025-07-01"), metadata: meta())
        try register.acquire(id("9"), reason: .movedIntoPrefecture, on: d("2025-11-15"), metadata: meta())
        guard
            case .assessed(let event) = try assessment.assess(
                id("9"), fiscalYear: fy, decidedOn: d("2025-12-01"), metadata: meta())
        else {
            Issue.record("expected an assessment")
            return
        }
        let breakdown = try #require(event.breakdown)
        // Lost on 30 June itself (a direct move), so June is not charged: April–May, November–March.
        #expect(breakdown.months == 2 + 5)
        #expect(event.annualPremium == Yen(77_857 * 7 / 12).truncated(toMultipleOf: 100))
    }
}

extension AssessmentCommandsTests {
    /// An amended return after the year (FY2025 corrected on 2026-06-15): the increase is a new
    /// period due 2026-07-31, and the 変更決定通知書 states the old and new annual amount and each
    /// period's old amount beside the new; a notice built by the rule before is reissued as it was.
    @Test func aLateIncreaseIsANewPeriodWithItsOwnChangeNotice() throws {
        try configure()
        try person("1", born: "1945-05-01", pension: 800_000, role: .householder)
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
        let before = try #require(try current("1"))
        try recordPension("1", 4_000_000, source: "修正申告")
        guard
            case .reassessed(let after, let previous) = try assessment.assess(
                id("1"), fiscalYear: fy, decidedOn: d("2026-06-15"), metadata: meta())
        else {
            Issue.record("expected a reassessment")
            return
        }
        #expect(previous == before)
        #expect(Array(after.installments.prefix(before.installments.count)) == before.installments)
        let extra = try #require(after.installments.last)
        #expect(extra.period.number == before.installments.count + 1 && extra.dueDate == d("2026-07-31"))
        #expect(extra.amount == after.annualPremium - before.annualPremium)

        let notices = try adoptedNotices()
        let head = try ledger.store.head().position
        let notice = try #require(try notices.paymentNotices(fiscalYear: fy, on: d("2026-06-22"), at: head).first)
        let fields = Dictionary(uniqueKeysWithValues: notice.fields)
        #expect(fields["reason"] == "賦課の更正")
        #expect(fields["previousAnnualPremium"] == printed(before.annualPremium))
        #expect(fields["annualPremium"] == printed(after.annualPremium))
        let rows = notice.rows.map { Dictionary(uniqueKeysWithValues: $0) }
        #expect(rows.map { $0["previousAmount"] } == before.installments.map { printed($0.amount) } + ["0"])
        #expect(rows.last?["dueDate"] == "令和8年7月31日" && rows.last?["amount"] == printed(extra.amount))
        #expect(rows.last?["slipNumber"]?.isEmpty == false)
        let page = try NoticeRenderer().html(notice)
        #expect(page.contains("変更前の年間保険料 \(printed(before.annualPremium)) 円"))
        #expect(page.contains("千葉県後期高齢者医療審査会") && page.contains("6か月以内"))

        // As koki printed it before 2026-12 (no old amounts): a reissue is that document again.
        var issuedBefore = notice
        issuedBefore.fields = notice.fields.filter { $0.0 != "previousAnnualPremium" }
        issuedBefore.rows = notice.rows.map { $0.filter { $0.0 != "previousAmount" } }
        try notices.record([issuedBefore], run: nil, metadata: meta())
        #expect(try notices.rebuild(notice.number).jsonLine == issuedBefore.jsonLine)
    }
}
