import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

/// Arrears through the application layer: settings, the dunning run and its idempotency,
/// reminders, late fees to date from payments and appropriations, prescription renewed by
/// dunning and payments, contacts with versions and erasure, the delinquent list and a history.
@Suite struct ArrearsCommandsTests: Sendable {
    let ledger: KokiLedger
    let register: InsuredRegisterCommands
    let assessment: AssessmentCommands
    let collection: CollectionCommands
    let arrears: ArrearsCommands
    let fy = try! FiscalYear(2025)

    init() throws {
        ledger = KokiLedger(try Ledger.inMemory())
        register = InsuredRegisterCommands(ledger)
        assessment = AssessmentCommands(ledger)
        collection = CollectionCommands(ledger)
        arrears = ArrearsCommands(ledger)
    }

    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func id(_ text: String) -> PersonID { try! PersonID(text) }
    func meta(_ actor: String = "op-arrears") -> CommandMetadata { CommandMetadata(actor: actor) }
    func key(_ period: Int) -> PeriodKey { PeriodKey(fy, try! PeriodNumber(period)) }

    /// Persons with 2,000,000 yen pension revenue (77,800 a year: 9,000 then 8 × 8,600), or 5,000,000
    /// (a larger premium, so late fees pass 1,000 yen).
    func city(_ people: [(String, Int64)]) throws {
        try assessment.adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta())
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2025), metadata: meta())
        for (number, pension) in people {
            let who = try PersonIdentity(
                nameKanji: "氏名", nameKana: "シメイ", birthDate: d("1940-01-01"), sex: .male, address: "松戸市")
            try register.register(
                id(number), identity: who, household: (try HouseholdID(number), .householder, d("2000-04-01")),
                metadata: meta())
            try register.acquire(id(number), reason: .reachedAge75, on: d("2015-01-01"), metadata: meta())
            try register.recordIncome(
                IncomeRecorded(
                    person: id(number), year: 2024, publicPensionRevenue: Yen(pension), salaryRevenue: .zero,
                    otherIncome: .zero, totalIncome: TaxableIncome.pensionIncome(revenue: Yen(pension)), declared: true,
                    source: "税"), metadata: meta())
        }
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
    }

    func account(_ number: String) throws -> CollectionAccounts.Account { try collection.load(id(number)).account }

    /// A process that holds the city follows the settings as it catches the city up, instead of
    /// reading their stream for every person it loads: what it answers is always what a process
    /// without the city reads from the stream, whoever adopted them (this process or another),
    /// whether it held the city when they were adopted or took it up later.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func theSettingsInForceAreTheNewestWhetherTheProcessHoldsTheCityOrNot(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let store = try Ledger.inMemory()
        let holding = KokiLedger(store)
        let other = KokiLedger(store)
        try AssessmentCommands(holding).adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta())
        var adopted = 0
        for _ in 0..<60 {
            switch Int.random(in: 0..<10, using: &g) {
            case 0, 1, 2:
                // Adopted here or by another process.
                let by = Bool.random(using: &g) ? holding : other
                let settings = try ArrearsSettings(payByDays: Int.random(in: 10...30, using: &g))
                try ArrearsCommands(by).adoptSettings(settings, metadata: meta())
                adopted += 1
            case 3:
                // Something else recorded, that the city catches up.
                try AssessmentCommands(Bool.random(using: &g) ? holding : other)
                    .adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta())
            case 4:
                // The city taken up (again), or let go of.
                if holding.hasCurrentCity { holding.leaveCityToExit() } else { _ = try holding.currentCity() }
            default:
                let expected = try KokiLedger(store).currentArrearsSettings()
                #expect(try holding.currentArrearsSettings() == expected)
                #expect(try holding.currentArrearsSettings() == expected)
                #expect(try other.currentArrearsSettings() == expected)
            }
        }
        #expect(adopted > 3)
        _ = try holding.currentCity()
        try ArrearsCommands(other).adoptSettings(try ArrearsSettings(payByDays: 31), metadata: meta())
        #expect(try holding.currentArrearsSettings()?.payByDays == 31)
    }

    @Test func runsNeedTheSettings() throws {
        try city([("1", 2_000_000)])
        let head = try ledger.store.head()
        #expect(throws: KokiError.self) { try arrears.runDunning(on: d("2025-08-20"), actor: "b") }
        #expect(try ledger.store.head() == head)
    }

    /// A fresh process passes by the dead with no heirs' representative from the stored register,
    /// without loading their streams: neither dunned nor reminded, listed as deceased; the heirs
    /// of one with a representative are dunned and reminded through them.
    @Test func theDeadWithNoRepresentativeAreNeitherDunnedNorReminded() throws {
        try city([("1", 2_000_000), ("2", 2_000_000), ("3", 2_000_000)])
        try arrears.adoptSettings(try ArrearsSettings(payByDays: 14, dunningFee: Yen(100)), metadata: meta())
        for number in ["1", "2"] {
            try register.lose(id(number), reason: .died, on: d("2025-08-05"), today: d("2025-08-06"), metadata: meta())
        }
        try register.recordMailRecipient(
            id("2"), role: .heirRepresentative,
            try MailRecipient(name: "松戸 太郎", postalCode: nil, address: "千代田区1番", role: .heirRepresentative),
            from: d("2025-08-10"), metadata: meta())
        #expect(!ledger.hasCurrentCity)
        #expect(try arrears.diedUnrepresented([id("1"), id("2"), id("3")], by: d("2025-08-20")) == [id("1")])
        #expect(try arrears.diedUnrepresented([id("1")], by: d("2025-08-04")).isEmpty)
        let dunning = try arrears.runDunning(on: d("2025-08-20"), actor: "b")
        #expect(dunning.deceased == [id("1")])
        #expect(Set(dunning.notices.map(\.person)) == [id("2"), id("3")])
        let reminders = try arrears.runReminders(on: d("2025-10-20"), criteria: .init(monthsOverdue: 1), actor: "b")
        #expect(reminders.deceased == [id("1")])
        #expect(Set(reminders.reminders.map(\.person)) == [id("2"), id("3")])
    }

    @Test func theDunningRunIssuesOncePerUnpaidPeriod() throws {
        try city([("1", 2_000_000), ("2", 2_000_000)])
        try arrears.adoptSettings(try ArrearsSettings(payByDays: 14, dunningFee: Yen(100)), metadata: meta())
        try collection.pay(
            id("1"), amount: Yen(9_000), paidOn: d("2025-07-31"), learnedOn: d("2025-08-01"), channel: .counter,
            slip: key(1), metadata: meta())
        let first = try arrears.runDunning(on: d("2025-08-20"), actor: "b")
        #expect(first.notices.map(\.person) == [id("2")])
        #expect(first.notices[0].key == key(1) && first.notices[0].principal == Yen(9_000))
        #expect(first.notices[0].payBy == d("2025-09-03") && first.notices[0].fee == Yen(100))
        #expect(first.late.isEmpty)
        // The same date again: nothing new, not even a second run record.
        let head = try ledger.store.head()
        #expect(try arrears.runDunning(on: d("2025-08-20"), actor: "b").notices.isEmpty)
        #expect(try ledger.store.head() == head)
        // A later run dunns the next periods; one past the 20-day window is listed as late.
        let later = try arrears.runDunning(on: d("2025-10-27"), actor: "b")
        #expect(later.notices.map(\.key) == [key(2), key(3), key(2), key(3)])
        #expect(later.late.map(\.key) == [key(2), key(3), key(2), key(3)])  // 56 and 27 days after the due date
        let runs = try CitySnapshot(ledger).collection.arrearsRuns
        #expect(runs.map(\.notices) == [1, 4])
    }

    /// 地方自治法 第4条の2: the office dates what it issues on a day it is open, and a deadline that
    /// falls on a closed day is the next open one (§11 of the domain notes).
    @Test func dunningAndRemindersAreDatedOnTheOfficesDaysAndTheirDeadlinesFallOnThem() throws {
        try city([("1", 2_000_000)])
        try arrears.adoptSettings(.standard, metadata: meta())  // 指定期限: 10 days after issue
        // The city records a closure of its own for FY2025 (a disaster, a new holiday).
        try assessment.adoptCalendar(
            InstallmentCalendar.standard(fiscalYear: 2025), extraClosedDays: [d("2025-10-06")], metadata: meta())
        let head = try ledger.store.head()
        for (closed, why) in [
            ("2025-08-23", "a Saturday"), ("2025-08-24", "a Sunday"), ("2025-09-15", "a public holiday"),
            ("2025-12-29", "year-end closure"), ("2026-01-02", "year-end closure"),
            ("2025-10-06", "recorded as closed"),
        ] {
            #expect("\(closed): dunning") { try arrears.runDunning(on: d(closed), actor: "b") } throws: {
                "\($0)".contains(why) && "\($0)".contains("the next is")
            }
            #expect("\(closed): reminders") {
                try arrears.runReminders(on: d(closed), criteria: .init(monthsOverdue: 1), actor: "b")
            } throws: { "\($0)".contains(why) }
        }
        #expect(try ledger.store.head() == head, "a refused run appends nothing")
        // 2025-08-20 + 10 is a Saturday: the deadline is the Monday after.
        let august = try arrears.runDunning(on: d("2025-08-20"), actor: "b")
        #expect(august.notices.map(\.payBy) == [d("2025-09-01")])
        // 2025-09-26 + 10 is the city's own closed day: the day after.
        let september = try arrears.runDunning(on: d("2025-09-26"), actor: "b")
        #expect(!september.notices.isEmpty && september.notices.allSatisfy { $0.payBy == d("2025-10-07") })
        // 2025-12-19 + 10 falls in the year-end closure: the first open day of January (the 5th).
        let december = try arrears.runDunning(on: d("2025-12-19"), actor: "b")
        #expect(!december.notices.isEmpty && december.notices.allSatisfy { $0.payBy == d("2026-01-05") })
        // A deadline on an open day stays where the days put it.
        let november = try arrears.runDunning(on: d("2025-11-21"), actor: "b")
        #expect(november.notices.allSatisfy { $0.payBy == d("2025-12-01") })
    }

    /// The 納期限 a dunning letter prints is the period's own due date, also when the period was
    /// paid after the run decided the letter and before it was printed.
    @Test func aDunningLetterPrintsThePeriodsDueDateEvenWhenPaidSince() throws {
        try city([("1", 2_000_000)])
        try arrears.adoptSettings(.standard, metadata: meta())
        let notices = Notices(ledger)
        try notices.adopt(
            NoticeSettings(
                city: "松戸市", issuer: "松戸市長", department: "後期高齢者医療班", address: "松戸市根本387-5",
                phone: "047-366-1111", barcodeIssuer: "123456"), metadata: meta())
        let run = try arrears.runDunning(on: d("2025-12-19"), actor: "b")
        #expect(run.notices.map(\.key) == (1...5).map(key))
        // The first period is paid before the letters are printed.
        try collection.pay(
            id("1"), amount: Yen(9_000), paidOn: d("2025-12-19"), learnedOn: d("2025-12-19"), channel: .counter,
            slip: key(1), metadata: meta())
        let letters = try notices.dunningLetters(on: d("2025-12-19"), at: try ledger.store.head().position)
        let dues = letters.map { Dictionary(uniqueKeysWithValues: $0.fields)["dueDate"] }
        #expect(dues == ["令和7年7月31日", "令和7年9月1日", "令和7年9月30日", "令和7年10月31日", "令和7年12月1日"])
        #expect(letters.allSatisfy { Dictionary(uniqueKeysWithValues: $0.fields)["payBy"] == "令和8年1月5日" })
        // A letter issued before this rule printed the issue date as 納期限 for that period: a
        // reissue is still the document that was issued, byte for byte.
        var issuedBefore = try #require(letters.first)
        issuedBefore.fields = issuedBefore.fields.map { $0.0 == "dueDate" ? ($0.0, "令和7年12月19日") : $0 }
        try notices.record([issuedBefore], run: nil, metadata: meta())
        #expect(try notices.rebuild(issuedBefore.number).jsonLine == issuedBefore.jsonLine)
        // One issued by today's rule is reissued by today's rule.
        let today = try #require(letters.dropFirst().first)
        try notices.record([today], run: nil, metadata: meta())
        #expect(try notices.rebuild(today.number).jsonLine == today.jsonLine)
    }

    @Test func aConvenienceStoreReportHoldsDunningOff() throws {
        try city([("1", 2_000_000)])
        try arrears.adoptSettings(.standard, metadata: meta())
        let barcode = try collection.slipBarcode(id("1"), key: key(1), issuer: "912345").description
        _ = try collection.importConvenience(
            Array("preliminary,2025-07-30,001,\(barcode)\n".utf8), name: "p", learnedOn: d("2025-07-31"), actor: "b")
        #expect(try arrears.runDunning(on: d("2025-08-20"), actor: "b").notices.isEmpty)
    }

    @Test func lateFeesToDateFromPaymentsAndAppropriations() throws {
        try city([("1", 10_000_000)])  // the capped premium: periods large enough to bear a fee
        try arrears.adoptSettings(.standard, metadata: meta())
        let period = try #require(try account("1").periods[key(1)])
        // Nothing paid: the fee grows with time.
        let open = try #require(try arrears.arrears(of: id("1"), on: d("2026-07-31")).first)
        let expected = try LateFee.calculate(
            principal: period.assessed, dueDate: period.dueDate, payments: [], through: d("2026-07-31"),
            rates: .standard)
        #expect(open.lateFee == expected)
        #expect(open.lateFee!.fee > .zero)
        // Part paid by slip, the rest by appropriation of a double payment on period 2.
        try collection.pay(
            id("1"), amount: Yen(10_000), paidOn: d("2025-10-15"), learnedOn: d("2025-10-15"), channel: .counter,
            slip: key(1), metadata: meta())
        for _ in 0..<2 {
            try collection.pay(
                id("1"), amount: try account("1").periods[key(2)]!.assessed, paidOn: d("2025-11-10"),
                learnedOn: d("2025-11-10"), channel: .counter, slip: key(2), metadata: meta())
        }
        _ = try collection.settle(id("1"), on: d("2025-12-01"), rates: .standard, metadata: meta())
        let fee = try #require(
            try arrears.arrears(of: id("1"), on: d("2025-12-05")).first { $0.key == key(1) }?.lateFee)
        let byHand = try LateFee.calculate(
            principal: period.assessed, dueDate: period.dueDate,
            payments: [
                .init(paidOn: d("2025-10-15"), amount: Yen(10_000)),
                .init(paidOn: d("2025-11-10"), amount: period.assessed - Yen(10_000)),
            ], through: d("2025-12-05"), rates: .standard)
        #expect(fee == byHand)
        #expect(fee.paidOff && fee.through == d("2025-11-10"))  // appropriable on the day the money arose
        // Paid in full but late: on the delinquent list (as the stored balances select
        // it) for the late fee alone.
        #expect(fee.fee > .zero)
        let listed = try arrears.delinquents(on: d("2025-08-20")).filter { $0.person == id("1") }
        #expect(listed.map(\.owed) == [.zero] && listed.map(\.lateFees) == [fee.fee])
    }

    @Test func aLateFeeNeverMadeFinalStillPutsThePersonOnTheList() throws {
        try city([("1", 5_000_000), ("2", 2_000_000)])
        // Everything paid in one go months late, before any arrears settings: no final late fee
        // was recorded, so only the stored balances' bound can select person 1.
        for number in ["1", "2"] {
            try collection.pay(
                id(number), amount: try account(number).outstanding, paidOn: d("2026-04-10"),
                learnedOn: d("2026-04-10"), channel: .counter, slip: nil, metadata: meta())
        }
        try arrears.adoptSettings(.standard, metadata: meta())
        #expect(try account("1").periods.values.allSatisfy { $0.outstanding == .zero && $0.lateFee == .zero })
        let owed = try arrears.arrears(of: id("1"), on: d("2026-05-01")).map(\.lateFeeOwed).sum()
        #expect(owed > .zero)
        let list = try arrears.delinquents(on: d("2026-05-01"))
        #expect(list.map(\.person) == [id("1")] && list.first?.lateFees == owed && list.first?.owed == .zero)
        // Person 2's smaller premium stays under the smallest fee: decided, not listed.
        #expect(try arrears.arrears(of: id("2"), on: d("2026-05-01")).allSatisfy { $0.lateFeeOwed == .zero })
    }

    @Test func prescriptionFollowsDunningAndPayments() throws {
        try city([("1", 2_000_000)])
        // The city extends the rate table to the years asked about.
        let rates = try ChargeRates(
            years: ChargeRates.standard.years
                + [2027, 2028].map {
                    ChargeRates.Year(
                        year: $0, firstWindow: try Rate(percent: "2.8"), afterWindow: try Rate(percent: "9.1"),
                        refund: try Rate(percent: "1.3"))
                })
        try arrears.adoptSettings(try ArrearsSettings(chargeRates: rates), metadata: meta())
        _ = try arrears.runDunning(on: d("2025-08-20"), actor: "b")
        var p = try #require(try arrears.arrears(of: id("1"), on: d("2025-09-10")).first { $0.key == key(1) })
        #expect(p.prescription.lastDay == d("2027-08-30"))
        try collection.pay(
            id("1"), amount: Yen(1_000), paidOn: d("2026-03-10"), learnedOn: d("2026-03-10"), channel: .counter,
            slip: key(1), metadata: meta())
        p = try #require(try arrears.arrears(of: id("1"), on: d("2026-04-01")).first { $0.key == key(1) })
        #expect(p.prescription.lastDay == d("2028-03-10"))
        // Prescribed periods leave the delinquent list: on 2028-03-10 period 1 (renewed by the
        // payment) and period 9 (due 2026-03-31) are alive; the next day only period 9.
        #expect(try arrears.delinquents(on: d("2028-03-10")).first?.periods == 2)
        #expect(try arrears.delinquents(on: d("2028-03-11")).first?.periods == 1)
        // Beyond the rate table the late fee is unknown, not an error that hides the arrears.
        let beyond = try arrears.arrears(of: id("1"), on: d("2029-01-10"))
        #expect(beyond.allSatisfy { $0.lateFee == nil && $0.lateFeeProblem?.contains("2029") == true })
    }

    @Test func remindersAndTheDelinquentList() throws {
        try city([("1", 2_000_000), ("2", 5_000_000), ("3", 2_000_000)])
        try arrears.adoptSettings(.standard, metadata: meta())
        try collection.pay(
            id("3"), amount: Yen(77_800), paidOn: d("2025-07-20"), learnedOn: d("2025-07-20"), channel: .counter,
            slip: nil, metadata: meta())
        _ = try arrears.runDunning(on: d("2025-08-20"), actor: "b")
        _ = try arrears.runDunning(on: d("2025-09-22"), actor: "b")
        let none = try arrears.runReminders(
            on: d("2025-09-25"), criteria: .init(minimumOwed: Yen(1), monthsOverdue: 2), actor: "b")
        #expect(none.reminders.isEmpty)
        let sent = try arrears.runReminders(
            on: d("2025-10-15"), criteria: .init(minimumOwed: Yen(20_000), monthsOverdue: 2), actor: "b")
        #expect(sent.reminders.map(\.person) == [id("2")])  // person 1 owes 17,600 on dunned periods
        #expect(sent.reminders[0].periods == [key(1), key(2)])
        let byAmount = try arrears.delinquents(on: d("2025-10-15"))
        #expect(byAmount.map(\.person) == [id("2"), id("1")])
        #expect(byAmount[0].owed > byAmount[1].owed)
        #expect(try account("2").reminders.count == 1)
    }

    @Test func contactsKeepEveryVersionAndAreErasable() throws {
        try city([("1", 2_000_000)])
        let first = try arrears.recordContact(
            id("1"), on: d("2025-09-05"), method: .phone,
            words: .init(counterpart: "本人", content: "9月末に払う", promise: "9/30 納付"), promisedOn: d("2025-09-30"),
            metadata: meta("op-a"))
        #expect(throws: KokiError.self) {
            try arrears.recordContact(
                id("1"), change: .amended, id: first.id, on: d("2025-09-05"), method: .phone,
                words: .init(counterpart: "本人", content: "x"), metadata: meta())
        }
        try arrears.recordContact(
            id("1"), change: .amended, id: first.id, on: d("2025-09-05"), method: .homeVisit,
            words: .init(counterpart: "長男", content: "9月末に払う", reason: "相手方の誤り"), metadata: meta("op-b"))
        try arrears.recordContact(
            id("1"), change: .retracted, id: first.id, on: d("2025-09-06"), method: .other,
            words: .init(counterpart: "", content: "", reason: "別人の記録"), metadata: meta("op-c"))
        #expect(throws: KokiError.self) {
            try arrears.recordContact(
                id("1"), change: .retracted, id: first.id, on: d("2025-09-07"), method: .other,
                words: .init(counterpart: "", content: "", reason: "again"), metadata: meta())
        }
        let contacts = try arrears.contacts(of: id("1"))
        #expect(contacts.count == 1 && contacts[0].versions.count == 3 && contacts[0].isRetracted)
        #expect(contacts[0].versions[1].words?.counterpart == "長男")
        let history = try arrears.history(of: id("1")).filter { $0.kind == "contact" }
        #expect(history.map(\.actor) == ["op-a", "op-b", "op-c"])
        try register.vault.erase(id("1"))
        #expect(try arrears.contacts(of: id("1"))[0].versions.allSatisfy { $0.words == nil })
    }

    @Test func theHistoryIsOneTimeline() throws {
        try city([("1", 2_000_000)])
        try arrears.adoptSettings(.standard, metadata: meta())
        try collection.pay(
            id("1"), amount: Yen(9_000), paidOn: d("2025-07-31"), learnedOn: d("2025-08-01"), channel: .counter,
            slip: key(1), metadata: meta())
        _ = try arrears.runDunning(on: d("2025-09-22"), actor: "b")
        let kinds = try arrears.history(of: id("1")).map(\.kind)
        #expect(kinds == ["insured", "assessed", "payment", "dunning"])
    }
}
