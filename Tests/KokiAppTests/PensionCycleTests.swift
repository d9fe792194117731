import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore
import Testing

/// The year of a pension deductee as the pension system runs it: the year's request in July,
/// an increase paid ordinarily, a decrease lowering only the months a notice can still reach,
/// a death stopping the deduction, and the insurer's answers after the city's own stop.
@Suite struct PensionCycleTests {
    let ledger: KokiLedger
    let register: InsuredRegisterCommands
    let assessment: AssessmentCommands
    let collection: CollectionCommands
    let fy = try! FiscalYear(2025)

    init() throws {
        ledger = KokiLedger(try Ledger.inMemory())
        register = InsuredRegisterCommands(ledger)
        assessment = AssessmentCommands(ledger)
        collection = CollectionCommands(ledger)
        try assessment.adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta())
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2025), metadata: meta())
        let who = try PersonIdentity(
            nameKanji: "年金太郎", nameKana: "ネンキンタロウ", birthDate: d("1940-01-01"), sex: .male, address: "松戸市")
        try register.register(
            person, identity: who, household: (try HouseholdID("555"), .householder, d("2000-04-01")),
            metadata: meta())
        try register.acquire(person, reason: .reachedAge75, on: d("2015-01-01"), metadata: meta())
        try income(2_000_000, on: nil)
        try register.recordPension(
            person, fiscalYear: fy,
            facts: PensionFacts(
                annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true,
                previousFebruaryDeduction: Yen(12_600)), metadata: meta())
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
    }

    let person = try! PersonID("7")
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func meta() -> CommandMetadata { CommandMetadata(actor: "op-assess") }

    func income(_ revenue: Int64, on day: String?) throws {
        try register.recordIncome(
            IncomeRecorded(
                person: person, year: 2024, publicPensionRevenue: Yen(revenue), salaryRevenue: .zero,
                otherIncome: .zero, totalIncome: TaxableIncome.pensionIncome(revenue: Yen(revenue)), declared: true,
                source: day == nil ? "連携税マスタ" : "修正申告"), metadata: meta())
        if let day { _ = try assessment.assess(person, fiscalYear: fy, decidedOn: d(day), metadata: meta()) }
    }

    func current() throws -> PremiumAssessed { try #require(try CitySnapshot(ledger).accounts.current(person, fy)) }

    func told() throws -> [Int: Yen] { try CitySnapshot(ledger).register.person(person)?.pensionTold[fy.year] ?? [:] }

    func breaches() throws -> [RuleCheck.Breach] {
        var check = RuleCheck()
        try ledger.forEachEvent { view, event in check.apply(event, position: view.position) }
        check.finish()
        return check.breaches
    }

    func pensionFile(_ lines: [String]) throws -> CollectionCommands.ImportSummary {
        let text = (["person,fiscal_year,month,paid_on,amount,status"] + lines).joined(separator: "\n")
        return try collection.importPension(
            Array(text.utf8), name: "pension-\(lines.hashValue).csv", learnedOn: d("2025-12-20"), actor: "batch")
    }

    @Test func theYearsRequestIsToldOnceByTheEndOfJuly() throws {
        let year = try current()
        #expect(year.pensionPeriods.map(\.number) == [1, 2, 3, 4, 5, 6] && year.ordinaryInstallments.isEmpty)
        let run = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        let amounts = year.installments.map(\.amount.amount)
        #expect(
            String(decoding: run.file, as: UTF8.self)
                == """
                person,fiscal_year,month,amount,kind,reason
                7,2025,8,\(amounts[2]),request,特別徴収依頼
                7,2025,10,\(amounts[3]),request,特別徴収依頼
                7,2025,12,\(amounts[4]),request,特別徴収依頼
                7,2025,2,\(amounts[5]),request,特別徴収依頼

                """)
        #expect(run.notified.map(\.file) == [run.digest] && run.missed.isEmpty)
        #expect(try told() == [8: Yen(amounts[2]), 10: Yen(amounts[3]), 12: Yen(amounts[4]), 2: Yen(amounts[5])])
        let files = try CitySnapshot(ledger).collection.files.filter { $0.kind == .pensionNotice }
        #expect(files.map(\.digest) == [run.digest] && files.first?.records == 4)
        // Told: a second run finds nothing to tell and records nothing.
        let head = try ledger.store.head().position
        let again = try assessment.notifyPension(fiscalYear: fy, on: d("2025-08-01"), actor: "batch")
        let headAfter = try ledger.store.head().position
        #expect(again.notified.isEmpty && again.file.isEmpty && headAfter == head)
    }

    @Test func aRequestTooLateForAugustIsMissedNotWritten() throws {
        let run = try assessment.notifyPension(fiscalYear: fy, on: d("2025-08-01"), actor: "batch")
        #expect(run.notified.first?.months.map(\.dueDate.month) == [10, 12, 2])
        #expect(run.missed.count == 1 && run.missed[0].contains("8月（仮徴収）"), "\(run.missed)")
    }

    @Test func anIncreaseDuringTheYearIsPaidOrdinarilyNeverByRaisingADeduction() throws {
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        let before = try current()
        try income(3_000_000, on: "2025-09-10")
        let after = try current()
        #expect(after.annualPremium > before.annualPremium)
        #expect(after.pensionInstallments == before.pensionInstallments)
        let ordinary = after.ordinaryInstallments
        #expect(ordinary.map(\.period.number) == Array(7...(6 + ordinary.count)))
        #expect(ordinary.allSatisfy { $0.dueDate > d("2025-09-10") } && ordinary.count == 7)
        #expect(ordinary.map(\.amount).sum() == after.annualPremium - before.annualPremium)
        #expect(ordinary.allSatisfy { after.method(of: $0.period) == .ordinary })
        #expect(after.installments.map(\.amount).sum() == after.annualPremium)
        // Nothing to tell the insurer; the checker finds nothing raised or charged in the past.
        #expect(try assessment.notifyPension(fiscalYear: fy, on: d("2025-09-30"), actor: "batch").notified.isEmpty)
        let found = try breaches()
        #expect(found.isEmpty, "\(found)")
        // The ordinary periods are debited like any; the pension months are not.
        try collection.startMandate(
            person,
            account: try BankAccount(
                bankCode: "0005", branchCode: "123", accountType: 1, accountNumber: "7654321", holderKana: "ネンキン　タロウ"),
            startsOn: d("2025-09-11"), metadata: meta())
        let first = try #require(ordinary.first)
        let export = try collection.exportDebit(
            on: first.dueDate, originator: CollectionCommandsTests.originator, actor: "batch")
        #expect(export.records == 1 && export.total == first.amount)
    }

    @Test func aDecreaseLowersOnlyTheMonthsANoticeCanStillReachTheLatestFirst() throws {
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        let before = try current()
        try income(1_950_000, on: "2025-09-10")
        let after = try current()
        let cut = before.annualPremium - after.annualPremium
        let (december, february) = (before.installments[4].amount, before.installments[5].amount)
        #expect(cut > february && cut < february + december, "the cut takes February and part of December")
        // October's deadline (31 August, two months before) is past: as told. December and
        // February can still be changed; February goes first (a stop), then December.
        #expect(Array(after.installments.prefix(4)) == Array(before.installments.prefix(4)))
        #expect(after.installments[5].amount == .zero)
        #expect(after.installments[4].amount == december - (cut - february))
        let run = try assessment.notifyPension(fiscalYear: fy, on: d("2025-09-30"), actor: "batch")
        #expect(
            String(decoding: run.file, as: UTF8.self)
                == "person,fiscal_year,month,amount,kind,reason\n7,2025,12,\(after.installments[4].amount.amount),change,変更（更正）\n7,2025,2,0,stop,変更（更正）\n"
        )
        let found = try breaches()
        #expect(found.isEmpty, "\(found)")
    }

    @Test func aDecreaseAfterDecembersDeadlineTakesFebruaryThenTheFixedMonthsLatestFirst() throws {
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        let before = try current()
        try income(200_000, on: "2025-11-04")
        let after = try current()
        // Everything but February is fixed (December's deadline was 31 October): February goes
        // first, then what is still too much comes off the fixed months, the latest first.
        let cut = before.annualPremium - after.annualPremium
        #expect(cut > before.installments[5].amount, "the cut reaches past February")
        #expect(after.installments[5].amount == .zero)
        #expect(after.installments.map(\.amount).sum() == after.annualPremium)
        let lowered = zip(after.installments, before.installments).map { $1.amount - $0.amount }
        #expect(lowered.allSatisfy { $0 >= .zero } && lowered.sum() == cut)
        for i in lowered.indices where lowered[i] > .zero {
            #expect(after.installments[(i + 1)...].allSatisfy { $0.amount == .zero }, "month \(i) cut before a later one")
        }
        let found = try breaches()
        #expect(found.isEmpty, "\(found)")
    }

    @Test func aDeathStopsTheDeductionAndTheInsurersAnswersFollow() throws {
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        try register.lose(person, reason: .died, on: d("2025-09-05"), today: d("2025-09-10"), metadata: meta())
        _ = try assessment.assess(person, fiscalYear: fy, decidedOn: d("2025-09-10"), metadata: meta())
        let reassessed = try current()
        #expect(reassessed.installments.map(\.amount).sum() == reassessed.annualPremium)
        let run = try assessment.notifyPension(fiscalYear: fy, on: d("2025-09-30"), actor: "batch")
        #expect(run.stopped == [person])
        #expect(
            String(decoding: run.file, as: UTF8.self)
                == "person,fiscal_year,month,amount,kind,reason\n7,2025,12,0,stop,中止（死亡）\n7,2025,2,0,stop,中止（死亡）\n"
        )
        let stopped = try current()
        #expect(stopped.collection == .ordinary && stopped.reason == .collectionChanged)
        #expect(stopped.pensionInstallments.map(\.dueDate.month) == [4, 6, 8, 10])
        #expect(stopped.installments.map(\.amount).sum() == stopped.annualPremium)
        let toldNow = try told()
        #expect(toldNow[12] == .zero && toldNow[2] == .zero)
        // The insurer answers: December stopped (the city's own stop: a duplicate), and October
        // not deducted either (the pension ended at death) — that stop is recorded.
        let answer = try pensionFile(["7,2025,12,2025-12-15,0,stopped", "7,2025,10,2025-10-15,0,stopped"])
        #expect(answer.duplicates.count == 1 && answer.stopped == [person])
        let after = try current()
        #expect(after.pensionInstallments.map(\.dueDate.month) == [4, 6, 8])
        #expect(after.installments.map(\.amount).sum() == after.annualPremium)
        let found = try breaches()
        #expect(!found.contains { $0.rule == .raisedDeduction }, "\(found)")
    }

    /// After a death stopped the deduction, the year is paid ordinarily but its pension months
    /// before the stop stay as the insurer was told: an increase decided then (the tax master
    /// corrects an income) is never put on a pension month still to be deducted, but on a new
    /// ordinary period after the decision, on a day the office is open.
    @Test func anIncreaseAfterTheStopIsPaidOrdinarilyNeverOnAPensionMonthStillToCome() throws {
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        try register.lose(person, reason: .died, on: d("2025-09-05"), today: d("2025-09-10"), metadata: meta())
        _ = try assessment.assess(person, fiscalYear: fy, decidedOn: d("2025-09-10"), metadata: meta())
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-09-30"), actor: "batch")
        let stopped = try current()
        #expect(stopped.collection == .ordinary)
        let october = try #require(stopped.pensionInstallments.first { $0.dueDate.month == 10 })
        try income(3_000_000, on: "2025-10-01")
        let after = try current()
        #expect(after.annualPremium > stopped.annualPremium)
        // Every pension month as it was, October's (due 15 October, after the decision) too.
        #expect(after.pensionInstallments == stopped.pensionInstallments)
        #expect(after.pensionInstallments.contains(october))
        let added = after.installments.filter { i in !stopped.installments.contains { $0.period == i.period } }
        let raised = zip(after.ordinaryInstallments, stopped.ordinaryInstallments).map { $0.amount - $1.amount }.sum()
        #expect(added.map(\.amount).sum() + raised == after.annualPremium - stopped.annualPremium)
        #expect(
            after.ordinaryInstallments.allSatisfy { $0.dueDate > d("2025-10-01") || stopped.installments.contains($0) })
        #expect(after.installments.map(\.amount).sum() == after.annualPremium)
        let found = try breaches()
        #expect(found.isEmpty, "\(found)")
    }

    @Test func theInsurerDeductsWhatItWasToldEvenAboveAMonthLowered() throws {
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        let told = try told()
        // A decrease in November: February alone can change, so December stays as told — and when
        // the cut exceeds February, December's period is lowered below what the insurer deducts.
        try income(200_000, on: "2025-11-04")
        let december = try #require(try current().installments.first { $0.dueDate.month == 12 })
        let toldDecember = try #require(told[12])
        let summary = try pensionFile(["7,2025,12,2025-12-15,\(toldDecember.amount),deducted"])
        #expect(summary.payments == 1 && summary.paid == toldDecember)
        let account = try #require(try CitySnapshot(ledger).collection.account(person))
        let period = try #require(account.periods[PeriodKey(fy, december.period)])
        #expect(period.outstanding == .zero)
        #expect(account.overpayments.map(\.amount).sum() == toldDecember - december.amount)
    }
}

extension PensionCycleTests {
    /// A notice tells what was decided: dated before a decision of the year it is refused, with
    /// nothing recorded.
    @Test func aNoticeDatedBeforeADecisionItWouldTellIsRefused() throws {
        try income(1_950_000, on: "2025-09-10")
        let head = try ledger.store.head().position
        #expect(throws: KokiError.self) {
            try assessment.notifyPension(fiscalYear: fy, on: d("2025-08-29"), actor: "batch")
        }
        #expect(try ledger.store.head().position == head)
    }
}

extension PensionCycleTests {
    func mandate(from day: String) throws {
        try collection.startMandate(
            person,
            account: try BankAccount(
                bankCode: "0005", branchCode: "123", accountType: 1, accountNumber: "7654321",
                holderKana: "ネンキン　タロウ"),
            startsOn: d(day), metadata: meta())
    }

    /// 特徴→口座振替: refused without a mandate and with arrears; honoured by the next notice from
    /// the first month it can still stop, the rest of the year debited.
    @Test func aSwitchToBankDebitStopsTheDeductionFromTheFirstMonthANoticeReaches() throws {
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        #expect(throws: KokiError.self) {
            try assessment.recordSwitch(person, change: .requested, on: d("2025-08-01"), metadata: meta())
        }
        try mandate(from: "2025-09-01")
        // The pension months not yet reported are the insurer's, not arrears.
        let switched = try assessment.recordSwitch(person, change: .requested, on: d("2025-08-01"), metadata: meta())
        #expect(switched.change == .requested)
        #expect(throws: KokiError.self) {
            try assessment.recordSwitch(person, change: .requested, on: d("2025-08-04"), metadata: meta())
        }
        let before = try current()
        let run = try assessment.notifyPension(fiscalYear: fy, on: d("2025-08-29"), actor: "batch")
        #expect(run.stopped == [person])
        #expect(
            String(decoding: run.file, as: UTF8.self)
                == "person,fiscal_year,month,amount,kind,reason\n"
                + [10, 12, 2].map { "7,2025,\($0),0,stop,中止（口座振替への切替）\n" }.joined())
        let after = try current()
        #expect(after.pensionInstallments.map(\.dueDate.month) == [4, 6, 8] && after.collection == .ordinary)
        #expect(after.annualPremium == before.annualPremium)
        #expect(after.ordinaryInstallments.allSatisfy { $0.dueDate > d("2025-08-29") })
        // August's due date (31 August, a Sunday) moved to 1 September: eight due dates are left.
        #expect(after.ordinaryInstallments.map(\.dueDate.description).first == "2025-09-01")
        #expect(after.ordinaryInstallments.count == 8)
        let first = try #require(after.ordinaryInstallments.first)
        let export = try collection.exportDebit(
            on: first.dueDate, originator: CollectionCommandsTests.originator, actor: "batch")
        #expect(export.records == 1 && export.total == first.amount)
        let found = try breaches()
        #expect(found.isEmpty, "\(found)")
    }

    /// Asked too late to stop any month this year: the deduction runs to February, and next
    /// year's provisional deduction is not asked for.
    @Test func aSwitchTooLateForThisYearLeavesOutNextYearsProvisionalDeduction() throws {
        _ = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        try mandate(from: "2026-01-05")
        _ = try assessment.recordSwitch(person, change: .requested, on: d("2026-01-09"), metadata: meta())
        let run = try assessment.notifyPension(fiscalYear: fy, on: d("2026-01-30"), actor: "batch")
        #expect(run.notified.isEmpty && run.stopped.isEmpty)
        #expect(try current().collection == .pensionDeduction)
        let provisional = try assessment.decideProvisional(
            fiscalYear: try FiscalYear(2026), on: d("2026-02-20"), actor: "batch")
        #expect(provisional.switched == [person] && provisional.decided.isEmpty)
        // Withdrawn: asked for again from the next run.
        _ = try assessment.recordSwitch(person, change: .withdrawn, on: d("2026-02-24"), metadata: meta())
        #expect(throws: KokiError.self) {
            try assessment.recordSwitch(person, change: .withdrawn, on: d("2026-02-25"), metadata: meta())
        }
        let again = try assessment.decideProvisional(
            fiscalYear: try FiscalYear(2026), on: d("2026-02-25"), actor: "batch")
        #expect(again.decided.map(\.person) == [person])
    }

    /// With arrears (an ordinary period past due and unpaid), the city's rule refuses the switch.
    @Test func aSwitchWithArrearsIsRefused() throws {
        try income(3_000_000, on: "2025-09-10")  // an increase, paid ordinarily from September
        try mandate(from: "2025-11-01")
        let head = try ledger.store.head().position
        #expect(throws: KokiError.self) {
            try assessment.recordSwitch(person, change: .requested, on: d("2025-11-04"), metadata: meta())
        }
        #expect(try ledger.store.head().position == head)
    }
}

extension PensionCycleTests {
    /// A new starter — insured from May, so paid ordinarily at first — is deducted from the first
    /// pension month a request reaches (October, told by the end of August); July to September
    /// stay ordinary, and the later ordinary periods are kept at 0.
    @Test func aNewStarterIsDeductedFromTheFirstMonthTheRequestReaches() throws {
        let newcomer = try PersonID("8")
        let who = try PersonIdentity(
            nameKanji: "新規花子", nameKana: "シンキハナコ", birthDate: d("1950-05-10"), sex: .female, address: "松戸市")
        try register.register(
            newcomer, identity: who, household: (try HouseholdID("556"), .householder, d("2000-04-01")),
            metadata: meta())
        try register.acquire(newcomer, reason: .reachedAge75, on: d("2025-05-10"), metadata: meta())
        try register.recordIncome(
            IncomeRecorded(
                person: newcomer, year: 2024, publicPensionRevenue: Yen(2_000_000), salaryRevenue: .zero,
                otherIncome: .zero, totalIncome: TaxableIncome.pensionIncome(revenue: Yen(2_000_000)), declared: true,
                source: "連携税マスタ"), metadata: meta())
        try register.recordPension(
            newcomer, fiscalYear: fy,
            facts: PensionFacts(
                annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true),
            metadata: meta())
        _ = try assessment.assess(newcomer, fiscalYear: fy, decidedOn: d("2025-07-10"), metadata: meta())
        let before = try #require(try CitySnapshot(ledger).accounts.current(newcomer, fy))
        #expect(before.collection == .ordinary && before.cause.hasPrefix("newly insured"))
        let run = try assessment.notifyPension(fiscalYear: fy, on: d("2025-07-31"), actor: "batch")
        #expect(run.started == [newcomer])
        let after = try #require(try CitySnapshot(ledger).accounts.current(newcomer, fy))
        #expect(after.reason == .collectionStarted && after.collection == .pensionDeduction)
        #expect(after.pensionInstallments.map(\.dueDate.month) == [10, 12, 2])
        #expect(after.annualPremium == before.annualPremium)
        #expect(after.installments.map(\.amount).sum() == after.annualPremium)
        let kept = after.ordinaryInstallments.filter { $0.amount > .zero }
        #expect(kept.map(\.dueDate.month) == [7, 9, 9], "July, August (due 1 September) and September")
        #expect(after.ordinaryInstallments.filter { $0.dueDate > d("2025-10-15") }.allSatisfy { $0.amount == .zero })
        let lines = String(decoding: run.file, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("8,") }
        #expect(lines.map { $0.split(separator: ",")[2] } == ["10", "12", "2"])
        #expect(lines.allSatisfy { $0.contains(",request,") })
        let found = try breaches()
        #expect(found.isEmpty, "\(found)")
        // Told: the next run starts nobody and tells nothing about them.
        let again = try assessment.notifyPension(fiscalYear: fy, on: d("2025-08-29"), actor: "batch")
        #expect(again.started.isEmpty && !again.notified.contains { $0.person == newcomer })
    }
}
