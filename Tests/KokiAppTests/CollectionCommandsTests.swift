import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

/// Collection through the application layer: payments and their allocation, cancellation,
/// fiscal closing, overpayments with appropriation and refunds, bank-debit files,
/// convenience-store files, pension deductions — and the ledger's laws over random sequences.
@Suite struct CollectionCommandsTests {
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
    }

    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func id(_ text: String) -> PersonID { try! PersonID(text) }
    func meta() -> CommandMetadata { CommandMetadata(actor: "op-collect") }
    func key(_ period: Int, _ year: Int = 2025) -> PeriodKey {
        PeriodKey(try! FiscalYear(year), try! PeriodNumber(period))
    }

    /// Insured persons with a 2,000,000-yen pension (77,800 yen a year: 9,000 then 8 × 8,600 in
    /// FY2025's standard calendar), assessed on 2025-07-10; with `income`, a salary of that
    /// much besides.
    func city(_ numbers: [String], pensionFacts: Bool = false, income: Yen = .zero) throws {
        try assessment.adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta())
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2025), metadata: meta())
        for number in numbers {
            let who = try PersonIdentity(
                nameKanji: "氏名", nameKana: "シメイ", birthDate: d("1940-01-01"), sex: .male, address: "松戸市")
            try register.register(
                id(number), identity: who, household: (try HouseholdID(number), .householder, d("2000-04-01")),
                metadata: meta())
            try register.acquire(id(number), reason: .reachedAge75, on: d("2015-01-01"), metadata: meta())
            try register.recordIncome(
                IncomeRecorded(
                    person: id(number), year: 2024, publicPensionRevenue: Yen(2_000_000), salaryRevenue: income,
                    otherIncome: .zero, totalIncome: TaxableIncome.pensionIncome(revenue: Yen(2_000_000)) + income,
                    declared: true, source: "税"), metadata: meta())
            if pensionFacts {
                try register.recordPension(
                    id(number), fiscalYear: fy,
                    facts: PensionFacts(
                        annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true,
                        previousFebruaryDeduction: Yen(12_600)), metadata: meta())
            }
        }
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
    }

    func account(_ number: String) throws -> CollectionAccounts.Account { try collection.load(id(number)).account }

    func everything() throws -> CollectionAccounts { try ledger.replay(CollectionAccounts.self) }

    @Test func aSlipPaysItsPeriodAndTheRestIsAnOverpayment() throws {
        try city(["1"])
        let p = try collection.pay(
            id("1"), amount: Yen(10_000), paidOn: d("2025-07-25"), learnedOn: d("2025-07-28"), channel: .counter,
            slip: key(1), metadata: meta())
        #expect(p.parts.map(\.amount) == [Yen(9_000)])
        #expect(p.overpaid == Yen(1_000))
        let a = try account("1")
        #expect(a.periods[key(1)]?.outstanding == .zero)
        #expect(a.periods[key(2)]?.outstanding == Yen(8_600))
        #expect(a.openOverpayments.map(\.open) == [Yen(1_000)])
        #expect(try everything().moneyIsConserved)
    }

    @Test func unspecifiedMoneyPaysTheOldestPeriodsFirstAndACancellationReopensThem() throws {
        try city(["1"])
        let p = try collection.pay(
            id("1"), amount: Yen(20_000), paidOn: d("2025-08-20"), learnedOn: d("2025-08-20"), channel: .smartphone,
            slip: nil, metadata: meta())
        #expect(p.parts.map(\.key) == [key(1), key(2), key(3)])
        #expect(p.parts.map(\.amount) == [Yen(9_000), Yen(8_600), Yen(2_400)])
        let before = try ledger.store.head()
        #expect(throws: KokiError.self) {
            try collection.cancel(id("1"), payment: p.id, on: d("2025-08-21"), reason: "", metadata: meta())
        }
        #expect(try ledger.store.head() == before)
        try collection.cancel(id("1"), payment: p.id, on: d("2025-08-21"), reason: "recorded twice", metadata: meta())
        let a = try account("1")
        #expect(a.periods.values.allSatisfy { $0.credited == .zero })
        #expect(a.payments.first?.cancelled?.reason == "recorded twice")
        #expect(throws: KokiError.self) {
            try collection.cancel(id("1"), payment: p.id, on: d("2025-08-22"), reason: "again", metadata: meta())
        }
        #expect(try everything().moneyIsConserved)
    }

    @Test func moneyPaidAfterTheClosingIsCarriedForwardArrears() throws {
        try city(["1"])
        let inClosing = try collection.pay(
            id("1"), amount: Yen(8_600), paidOn: d("2026-05-31"), learnedOn: d("2026-06-02"), channel: .counter,
            slip: key(9), metadata: meta())
        #expect(inClosing.parts.first?.accountingYear == fy)
        let after = try collection.pay(
            id("1"), amount: Yen(8_600), paidOn: d("2026-06-01"), learnedOn: d("2026-06-02"), channel: .counter,
            slip: key(8), metadata: meta())
        #expect(after.parts.first?.accountingYear == (try FiscalYear(2026)))
        #expect(after.parts.first?.carriedForward == true)
    }

    @Test func badPaymentsAreRefusedAndAppendNothing() throws {
        try city(["1"])
        let before = try ledger.store.head()
        for attempt in [
            {
                try collection.pay(
                    id("1"), amount: .zero, paidOn: d("2025-08-01"), learnedOn: d("2025-08-01"), channel: .counter,
                    slip: nil, metadata: meta())
            },
            {
                try collection.pay(
                    id("1"), amount: Yen(100), paidOn: d("2025-08-02"), learnedOn: d("2025-08-01"), channel: .counter,
                    slip: nil, metadata: meta())
            },
            {
                try collection.pay(
                    id("1"), amount: Yen(100), paidOn: d("2025-08-01"), learnedOn: d("2025-08-01"), channel: .counter,
                    slip: key(11), metadata: meta())
            },
            {
                try collection.pay(
                    id("9"), amount: Yen(100), paidOn: d("2025-08-01"), learnedOn: d("2025-08-01"), channel: .counter,
                    slip: nil, metadata: meta())
            },
        ] as [() throws -> PaymentReceived] {
            #expect(throws: KokiError.self) { try attempt() }
        }
        #expect(try ledger.store.head() == before)
    }

    @Test func aLoweredPremiumIsAppropriatedToArrearsThenRefundedWithInterest() throws {
        try city(["1", "2"])
        // Person 1 pays the whole year at once in July.
        try collection.pay(
            id("1"), amount: Yen(77_800), paidOn: d("2025-07-20"), learnedOn: d("2025-07-20"), channel: .counter,
            slip: nil, metadata: meta())
        // Dies 2025-08-20, registered in November: the premium falls to 25,900.
        try register.lose(id("1"), reason: .died, on: d("2025-08-20"), today: d("2025-11-20"), metadata: meta())
        try assessment.assess(id("1"), fiscalYear: fy, decidedOn: d("2025-11-20"), metadata: meta())
        let lowered = try account("1")
        #expect(lowered.periods.values.map(\.overpaid).sum() == Yen(77_800 - 25_900))
        #expect(try everything().moneyIsConserved)

        let s = try collection.settle(id("1"), on: d("2026-07-31"), rates: .standard, metadata: meta())
        #expect(s.recognized.map(\.amount).sum() == Yen(51_900))
        #expect(s.recognized.allSatisfy { $0.cause == .overpaid && $0.arose == d("2025-07-20") })
        #expect(s.appropriated.isEmpty)  // nothing else owed
        #expect(s.refunds.map(\.amount).sum() == Yen(51_900))
        // Each recognised period is its own overpayment; interest from 2025-07-21.
        let expected = try s.recognized.map {
            try RefundInterest.calculate(
                amount: $0.amount, cause: .overpaid, arose: d("2025-07-20"), end: d("2026-07-31"), rates: .standard
            ).interest
        }
        #expect(s.refunds.map(\.interest) == expected)
        #expect(s.refunds.allSatisfy { $0.interestFrom == d("2025-07-21") })
        let settledAgain = try collection.settle(id("1"), on: d("2026-08-01"), rates: .standard, metadata: meta())
        #expect(settledAgain.isEmpty)
        // Paid to an heir: a deceased person's refund must name one.
        let refund = s.refunds[0].id
        #expect(throws: KokiError.self) {
            try collection.payRefund(id("1"), refund: refund, on: d("2026-08-10"), heir: nil, metadata: meta())
        }
        try collection.payRefund(id("1"), refund: refund, on: d("2026-08-10"), heir: "松戸花子", metadata: meta())
        let paid = try #require(try account("1").refunds.first { $0.decision.id == refund }?.paid)
        #expect(try collection.vault.openName(try #require(paid.heir), for: id("1")) == "松戸花子")
        #expect(try everything().moneyIsConserved)
    }

    @Test func anOverpaymentGoesToOverduePeriodsFirst() throws {
        try city(["1"])
        // Period 2 paid twice by slip in September; periods 3 and 4 stay unpaid.
        for _ in 0..<2 {
            try collection.pay(
                id("1"), amount: Yen(8_600), paidOn: d("2025-09-01"), learnedOn: d("2025-09-01"), channel: .counter,
                slip: key(2), metadata: meta())
        }
        let s = try collection.settle(id("1"), on: d("2025-11-05"), rates: .standard, metadata: meta())
        // Period 1 (due 07-31) is the oldest unpaid, then period 3 (due 09-30).
        #expect(s.appropriated.count == 1)
        #expect(s.appropriated[0].parts.map(\.key) == [key(1)])
        #expect(s.appropriated[0].parts.map(\.amount) == [Yen(8_600)])
        #expect(s.appropriated[0].parts[0].effectiveOn == d("2025-09-01"))  // the later of due date and arising
        #expect(s.refunds.isEmpty)
        #expect(try account("1").periods[key(1)]?.outstanding == Yen(400))
        // A cancellation of the appropriated overpayment's payment is refused.
        let second = try account("1").payments[1].event.id
        #expect(throws: KokiError.self) {
            try collection.cancel(id("1"), payment: second, on: d("2025-11-06"), reason: "x", metadata: meta())
        }
    }

    @Test func notYetDuePeriodsOnlyWithConsent() throws {
        try city(["1"])
        try collection.pay(
            id("1"), amount: Yen(20_000), paidOn: d("2025-07-20"), learnedOn: d("2025-07-20"), channel: .counter,
            slip: key(1), metadata: meta())
        let consented = try collection.settle(
            id("1"), on: d("2025-07-25"), rates: .standard, includeNotYetDue: true, metadata: meta())
        #expect(consented.appropriated.first?.parts.map(\.key) == [key(2), key(3)])
        #expect(consented.appropriated.first?.parts.map(\.amount) == [Yen(8_600), Yen(2_400)])
        #expect(consented.refunds.isEmpty)
    }
}

extension CollectionCommandsTests {
    static let originator = CollectionCommands.Originator(
        code: "1234567890", name: "ﾏﾂﾄﾞｼ", bankCode: "0001", branchCode: "001", accountType: 1, accountNumber: "1234567")

    func mandate(_ number: String, holder: String = "マツド　タロウ") throws {
        try collection.startMandate(
            id(number),
            account: try BankAccount(
                bankCode: "0005", branchCode: "123", accountType: 1, accountNumber: "765432\(number)",
                holderKana: holder),
            startsOn: d("2025-07-01"), metadata: meta())
    }

    /// The bank's answer to a request: the codes given by customer number (default 0).
    func result(of request: [UInt8], codes: [String: Int] = [:]) throws -> [UInt8] {
        var file = try ZenginDebitFile.parse(request)
        for i in file.records.indices { file.records[i].resultCode = codes[file.records[i].customerNumber] ?? 0 }
        return try file.encoded(separator: .crlf, isResult: true)
    }

    @Test func aDebitRequestAndItsResult() throws {
        try city(["1", "2", "3"])
        try mandate("1")
        try mandate("2")
        // Person 2 already paid period 3 at a counter: not requested.
        try collection.pay(
            id("2"), amount: Yen(8_600), paidOn: d("2025-09-20"), learnedOn: d("2025-09-20"), channel: .counter,
            slip: key(3), metadata: meta())
        let (request, count, total) = try collection.exportDebit(
            on: d("2025-09-30"), originator: Self.originator, actor: "batch")
        #expect(count == 1 && total == Yen(8_600))
        let parsed = try ZenginDebitFile.parse(request)
        #expect(parsed.records.map(\.customerNumber) == ["00000000000001202503"])
        #expect(parsed.records[0].holderName == "ﾏﾂﾄﾞ ﾀﾛｳ")
        #expect(parsed.records[0].newCode == 1)
        #expect(throws: KokiError.self) {
            try collection.exportDebit(on: d("2025-09-30"), originator: Self.originator, actor: "batch")
        }

        let answer = try result(of: request)
        let summary = try collection.importDebitResult(
            answer, name: "r.txt", learnedOn: d("2025-10-03"), actor: "batch")
        #expect(summary.payments == 1 && summary.paid == Yen(8_600))
        let paid = try #require(try account("1").payments.last?.event)
        #expect(paid.channel == .bankDebit && paid.paidOn == d("2025-09-30") && paid.parts.map(\.key) == [key(3)])
        // The same file again is refused and pays nothing more.
        let head = try ledger.store.head()
        #expect(throws: KokiError.self) {
            try collection.importDebitResult(answer, name: "r.txt", learnedOn: d("2025-10-04"), actor: "batch")
        }
        #expect(try ledger.store.head() == head)
        #expect(try account("1").periods[key(3)]?.credited == Yen(8_600))

        // The next month's request is not a first debit any more.
        let (october, _, _) = try collection.exportDebit(on: d("2025-10-31"), originator: Self.originator, actor: "b")
        #expect(try ZenginDebitFile.parse(october).records.map(\.newCode) == [0, 1])  // person 2 paid September at a counter
    }

    /// After a recorded death: no debit request (the account is frozen) and no new mandate; what
    /// is still owed stays owed (the heirs').
    @Test func nobodyIsDebitedAfterTheirDeathNorGivenAMandate() throws {
        try city(["1", "2"])
        try mandate("1")
        try mandate("2")
        // Person 2 died on 2025-09-12, recorded in November (a late death report).
        try register.lose(id("2"), reason: .died, on: d("2025-09-12"), today: d("2025-11-20"), metadata: meta())
        let (request, count, _) = try collection.exportDebit(
            on: d("2025-09-30"), originator: Self.originator, actor: "b")
        #expect(count == 1)
        #expect(try ZenginDebitFile.parse(request).records.map(\.customerNumber) == ["00000000000001202503"])
        #expect(try account("2").periods[key(3)].map { $0.outstanding > .zero } == true, "still owed, by the heirs")
        // A mandate from after the death is refused, naming the day; nothing is appended.
        let head = try ledger.store.head()
        #expect {
            try collection.startMandate(
                id("2"),
                account: try BankAccount(
                    bankCode: "0005", branchCode: "123", accountType: 1, accountNumber: "7654329",
                    holderKana: "マツド　ハナコ"),
                startsOn: d("2025-10-01"), metadata: meta())
        } throws: { "\($0)".contains("died on 2025-09-12") }
        #expect(try ledger.store.head() == head)
        // The next month too: only the living.
        let (october, octoberCount, _) = try collection.exportDebit(
            on: d("2025-10-31"), originator: Self.originator, actor: "b")
        let numbers = try ZenginDebitFile.parse(october).records.map(\.customerNumber)
        #expect(octoberCount == 1 && numbers.allSatisfy { $0.hasPrefix("00000000000001") }, "\(numbers)")
    }

    @Test func aFailedDebitLeavesThePeriodUnpaid() throws {
        try city(["1", "2"])
        try mandate("1")
        try mandate("2")
        let (request, _, _) = try collection.exportDebit(on: d("2025-09-30"), originator: Self.originator, actor: "b")
        let answer = try result(of: request, codes: ["00000000000002202503": 1])
        let summary = try collection.importDebitResult(answer, name: "r", learnedOn: d("2025-10-03"), actor: "b")
        #expect(summary.payments == 1 && summary.other == 1)
        #expect(try account("2").periods[key(3)]?.outstanding == Yen(8_600))
        #expect(try account("2").debitFailures.map(\.resultCode) == [1])
    }

    @Test func aResultFileThatDoesNotMatchIsRefusedWhole() throws {
        try city(["1", "2"])
        try mandate("1")
        try mandate("2")
        let (request, _, _) = try collection.exportDebit(on: d("2025-09-30"), originator: Self.originator, actor: "b")
        let head = try ledger.store.head()
        // A customer number that matches nothing (the second record).
        var file = try ZenginDebitFile.parse(request)
        file.records[1].customerNumber = "00000000000099202503"
        let unknown = try file.encoded(isResult: true)
        let error = try #require(throws: KokiError.self) {
            try collection.importDebitResult(unknown, name: "bad", learnedOn: d("2025-10-03"), actor: "b")
        }
        #expect(error.message.contains("line 3, byte 92"))
        // Totals that do not add up.
        var bytes = try result(of: request)
        bytes[3 * 122 + 18] = UInt8(ascii: "9")  // 合計金額's last digit
        let totals = try #require(throws: KokiError.self) {
            try collection.importDebitResult(bytes, name: "bad", learnedOn: d("2025-10-03"), actor: "b")
        }
        #expect(totals.message.contains("line 4, byte 8"))
        #expect(try ledger.store.head() == head)
    }

    /// Each process keeps the recorded files it has read and reads only what was recorded since:
    /// a file another process imported meanwhile is still refused as imported.
    @Test func aFileAnotherProcessImportedMeanwhileIsRefused() throws {
        try city(["1"])
        let other = CollectionCommands(KokiLedger(ledger.ports))
        func file(_ period: Int, on day: String) throws -> [UInt8] {
            let barcode = try collection.slipBarcode(id("1"), key: key(period), issuer: "912345").description
            return Array("kind,paid_on,store,barcode\nfinal,\(day),001,\(barcode)\n".utf8)
        }
        let a = try file(5, on: "2025-11-28")
        let b = try file(6, on: "2025-11-29")
        #expect(try other.importConvenience(a, name: "a.csv", learnedOn: d("2025-12-01"), actor: "b").payments == 1)
        #expect(
            try collection.importConvenience(b, name: "b.csv", learnedOn: d("2025-12-02"), actor: "b").payments == 1)
        let head = try ledger.store.head()
        for (commands, bytes) in [(other, b), (collection, a), (other, a)] {
            let error = try #require(throws: KokiError.self) {
                try commands.importConvenience(bytes, name: "again.csv", learnedOn: d("2025-12-03"), actor: "b")
            }
            #expect(error.message.contains("already imported"))
        }
        #expect(try ledger.store.head() == head)
        // Both processes' lists caught up: what a process reading from scratch finds.
        let fresh = try CollectionCommands(KokiLedger(ledger.ports)).importScope()
        #expect(fresh.files.count == 2)
        for commands in [other, collection] {
            let scope = try commands.importScope()
            #expect(scope.files == fresh.files && scope.positions == fresh.positions)
            #expect(scope.unmatched == fresh.unmatched)
        }
    }

    @Test func convenienceStoresPreliminaryFinalDuplicatesAndUnmatched() throws {
        try city(["1"])
        let b5 = try collection.slipBarcode(id("1"), key: key(5), issuer: "912345").description
        let b6 = try collection.slipBarcode(
            id("1"), key: key(6), issuer: "912345", reissue: 1, deadline: d("2026-02-10")
        ).description
        let stranger = try ConvenienceBarcode(
            issuer: "912345", slip: try SlipNumber(person: id("99"), key: key(5)), deadline: d("2025-12-01"),
            amount: Yen(5_000)
        ).description
        let first = """
            kind,paid_on,store,barcode
            preliminary,2025-11-28,001,\(b5)
            preliminary,20251129,002,\(b6)
            final,2025-11-28,001,\(b5)
            final,2025-11-28,001,\(b5)
            final,2025-11-28,003,\(stranger)
            """
        let s = try collection.importConvenience(
            Array(first.utf8), name: "a.csv", learnedOn: d("2025-12-01"), actor: "b")
        #expect(s.payments == 1 && s.other == 2 && s.duplicates.count == 1 && s.unmatched.count == 1)
        #expect(try account("1").pendingReports.map(\.key) == [key(6)])
        #expect(try collection.pendingConvenience(on: d("2025-12-10"), olderThan: 5).map(\.key) == [key(6)])
        #expect(try everything().unmatched.map(\.event.amount) == [Yen(5_000)])
        // The final record of the reissued slip arrives; the earlier final again is a duplicate.
        let second = "final,2025-11-29,002,\(b6)\nfinal,2025-11-28,001,\(b5)\n"
        let t = try collection.importConvenience(
            Array(second.utf8), name: "b.csv", learnedOn: d("2025-12-02"), actor: "b")
        #expect(t.payments == 1 && t.duplicates.count == 1)
        #expect(try account("1").pendingReports.isEmpty)
        #expect(try account("1").periods[key(6)]?.outstanding == .zero)
        // A malformed line refuses the file.
        let head = try ledger.store.head()
        let error = try #require(throws: KokiError.self) {
            try collection.importConvenience(
                Array("final,2025-11-30,001,\(b5)\nfinal,2025-13-01,001,\(b5)\n".utf8), name: "c.csv",
                learnedOn: d("2025-12-03"), actor: "b")
        }
        #expect(error.message.contains("line 2"))
        #expect(try ledger.store.head() == head)
        // The unmatched money is resolved to its person.
        let unmatched = try everything().unmatched[0].event.id
        try collection.resolveUnmatched(unmatched, to: id("1"), slip: nil, on: d("2025-12-05"), metadata: meta())
        #expect(try everything().unmatched[0].resolved?.person == id("1"))
        #expect(try everything().moneyIsConserved)
    }

    @Test func pensionDeductionsAndAStopMoveTheRestToOrdinaryCollection() throws {
        try city(["7"], pensionFacts: true)
        let assessed = try #require(try CitySnapshot(ledger).accounts.current(id("7"), fy))
        #expect(assessed.collection == .pensionDeduction)
        let csv = """
            person,fiscal_year,month,paid_on,amount,status
            7,2025,4,2025-04-15,12600,deducted
            7,2025,6,2025-06-13,12600,deducted
            7,2025,8,2025-08-15,12600,deducted
            7,2025,10,2025-10-15,0,stopped
            """
        let s = try collection.importPension(Array(csv.utf8), name: "p.csv", learnedOn: d("2025-10-20"), actor: "b")
        #expect(s.payments == 3 && s.stopped == [id("7")])
        let now = try #require(try CitySnapshot(ledger).accounts.current(id("7"), fy))
        #expect(now.reason == .collectionChanged && now.collection == .ordinary)
        #expect(now.annualPremium == assessed.annualPremium)
        #expect(now.installments.map(\.amount).sum() == assessed.annualPremium)
        #expect(now.installments.prefix(3).map(\.dueDate) == assessed.installments.prefix(3).map(\.dueDate))
        #expect(now.installments.dropFirst(3).allSatisfy { $0.dueDate > d("2025-10-20") })
        let a = try account("7")
        #expect(a.outstanding == assessed.annualPremium - Yen(3 * 12_600))
        // A line naming a month with no deduction refuses the whole file.
        let head = try ledger.store.head()
        #expect(throws: KokiError.self) {
            try collection.importPension(
                Array("7,2025,5,2025-05-15,100,deducted\n".utf8), name: "q", learnedOn: d("2025-10-21"), actor: "b")
        }
        #expect(try ledger.store.head() == head)
    }
}

extension CollectionCommandsTests {
    /// The pension insurer deducts and remits pension periods (特別徴収): the person is never
    /// dunned for them, even while the insurer's report is still on its way — but once the
    /// deduction stops, the periods moved to ordinary collection are dunned like any other.
    @Test func pensionPeriodsAreNeverDunnedUntilTheDeductionStops() throws {
        try city(["7", "8"], pensionFacts: true)
        try ArrearsCommands(ledger).adoptSettings(.standard, metadata: meta())
        let arrears = ArrearsCommands(ledger)
        // Nothing reported yet for April–August: still no notice.
        #expect(try arrears.runDunning(on: d("2025-09-05"), actor: "batch").notices.isEmpty)
        let csv = """
            person,fiscal_year,month,paid_on,amount,status
            8,2025,4,2025-04-15,12600,deducted
            8,2025,6,2025-06-13,12600,deducted
            8,2025,8,2025-08-15,12600,deducted
            8,2025,10,2025-10-15,0,stopped
            """
        try collection.importPension(Array(csv.utf8), name: "p.csv", learnedOn: d("2025-10-20"), actor: "b")
        // Person 8's later periods are ordinary now; the first of them falls due and is dunned.
        let moved = try #require(
            try CitySnapshot(ledger).accounts.current(id("8"), fy)?.installments.dropFirst(3).first)
        let run = try arrears.runDunning(on: moved.dueDate.adding(days: 20), actor: "batch")
        #expect(run.notices.map(\.person) == [id("8")])
        #expect(run.notices.map(\.period) == [moved.period])
    }

    /// Random sequences of payments, cancellations, reassessments and settlements: after every
    /// command money is conserved, and the projection folded event by event equals the one
    /// replayed from scratch; and every person's state, as a process loads it from the fold it
    /// kept (caught up with what others appended), equals their stream folded from scratch.
    @Test(arguments: 1...6 as ClosedRange<UInt64>)
    func moneyIsConservedWhateverHappens(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let people = ["1", "2", "3"]
        try city(people)
        let arrears = ArrearsCommands(ledger)
        try arrears.adoptSettings(.standard, metadata: meta())  // late fees are finalized as periods are paid off
        var incremental = CollectionAccounts()
        var seen: Int64 = 0
        func catchUp() throws {
            try ledger.forEachEvent(.from(position: seen + 1)) { view, event in
                incremental.apply(event)
                seen = view.position
            }
        }
        // Two other processes on the same ledger: one keeps a single person's fold between
        // loads (so folds are dropped and caught up over many commands), one keeps none.
        let crowded = KokiLedger(ledger.ports)
        crowded.personsKept = 1
        // And a process that holds the city in memory (the simulation, the server): its loads
        // take each person from the city, caught up with what the others appended.
        let holding = KokiLedger(ledger.ports)
        _ = try holding.currentCity()
        var loads = SeededGenerator(seed: seed &+ 1000)
        func expectKeptFoldsEqualTheFoldFromScratch(_ context: String) throws {
            for who in people.map(id) {
                let fresh = try CollectionCommands(KokiLedger(ledger.ports)).load(who)
                let fromCity = try CollectionCommands(holding).load(who)
                #expect(fromCity.version == fresh.version, "\(context)")
                #expect(fromCity.account == fresh.account, "\(context)")
                #expect(fromCity.assessments == fresh.assessments, "\(context)")
                for key in Set(fresh.largestAssessed.keys).union(fromCity.account.periods.keys) {
                    #expect(fromCity.largestAssessed(key) == fresh.largestAssessed[key], "\(context)")
                }
                #expect(fromCity.entry == fresh.entry, "\(context)")
                #expect(fromCity.settings == fresh.settings, "\(context)")
                let held = try InsuredRegisterCommands(holding).load(who)
                #expect(held.entry == fresh.entry && held.version == fresh.version, "\(context)")
                var kept = [try collection.load(who)]
                if Bool.random(using: &loads) { kept.append(try CollectionCommands(crowded).load(who)) }
                for state in kept {
                    #expect(state.version == fresh.version, "\(context)")
                    #expect(state.account == fresh.account, "\(context)")
                    #expect(state.assessments == fresh.assessments, "\(context)")
                    #expect(state.largestAssessed == fresh.largestAssessed, "\(context)")
                    #expect(state.entry == fresh.entry, "\(context)")
                    #expect(state.settings == fresh.settings, "\(context)")
                }
                let entry = try InsuredRegisterCommands(crowded).load(who)
                #expect(entry.entry == fresh.entry && entry.version == fresh.version, "\(context)")
            }
        }
        var day = d("2025-07-15")
        for step in 0..<40 {
            day = day.adding(days: Int.random(in: 0...12, using: &g))
            let who = id(people.randomElement(using: &g)!)
            switch Int.random(in: 0..<14, using: &g) {
            case 0..<5:
                let slip: PeriodKey? = Bool.random(using: &g) ? nil : key(Int.random(in: 1...9, using: &g))
                // Some through the process that holds the city: it catches up its own commands
                // as it does the others'.
                let payer = Bool.random(using: &g) ? collection : CollectionCommands(holding)
                try payer.pay(
                    who, amount: Yen(Int64.random(in: 1...30, using: &g) * 1_000), paidOn: day, learnedOn: day,
                    channel: .counter, slip: slip, metadata: meta())
            case 5:
                let open = try collection.load(who).account.payments.filter {
                    $0.cancelled == nil && !$0.event.id.isEmpty
                }
                if let p = open.randomElement(using: &g) {
                    _ = try? collection.cancel(who, payment: p.event.id, on: day, reason: "error", metadata: meta())
                }
            case 6:
                try register.recordIncome(
                    IncomeRecorded(
                        person: who, year: 2024, publicPensionRevenue: Yen(Int64.random(in: 0...4_000_000, using: &g)),
                        salaryRevenue: .zero, otherIncome: .zero,
                        totalIncome: Yen(Int64.random(in: 0...2_000_000, using: &g)),
                        declared: true, source: "修正"), metadata: meta())
                try assessment.assess(who, fiscalYear: fy, decidedOn: day, metadata: meta())
            case 7:
                // A convenience-store file: finals for the person's slips and a stranger's.
                let period = key(Int.random(in: 1...9, using: &g))
                let drawn = Yen(Int64.random(in: 1...20, using: &g) * 1_000)
                // A slip koki could have issued: no more than was ever assessed for its period.
                let amount = try collection.load(who).largestAssessed[period].map { min(drawn, $0) } ?? drawn
                let stranger = try ConvenienceBarcode(
                    issuer: "912345", slip: try SlipNumber(person: id("99"), key: period), deadline: day, amount: drawn
                )
                var lines = "final,\(day),\(step),\(stranger)\n"
                if amount > .zero {
                    let own = try ConvenienceBarcode(
                        issuer: "912345", slip: try SlipNumber(person: who, key: period), deadline: day, amount: amount)
                    lines = "final,\(day),\(step),\(own)\n" + lines
                }
                _ = try collection.importConvenience(
                    Array(lines.utf8), name: "cvs \(day)", learnedOn: day, actor: "b")
            case 9:
                _ = try? arrears.decideReduction(
                    who, appliedOn: day, decidedOn: day, reason: "random", from: day.adding(days: -60),
                    through: day.adding(days: 60), amounts: nil, percent: Int.random(in: 10...100, using: &g),
                    waiveLateFees: Bool.random(using: &g), metadata: meta())
            case 10:
                try collection.pay(
                    who, amount: Yen(Int64.random(in: 1...5, using: &g) * 500), paidOn: day, learnedOn: day,
                    channel: .counter, slip: key(Int.random(in: 1...9, using: &g)), slipCharge: .lateFee,
                    metadata: meta())
            case 8:
                if let open = try everything().unmatched.first(where: { $0.resolved == nil }) {
                    try collection.resolveUnmatched(open.event.id, to: who, slip: nil, on: day, metadata: meta())
                }
            default:
                _ = try collection.settle(
                    who, on: day, rates: .standard, includeNotYetDue: Bool.random(using: &g), metadata: meta())
            }
            try catchUp()
            #expect(incremental.moneyIsConserved, "seed \(seed) on \(day)")
            #expect(incremental.unsettledKeysAreExact, "seed \(seed) on \(day)")
            try expectKeptFoldsEqualTheFoldFromScratch("seed \(seed), step \(step)")
        }
        // The folds were kept and caught up, not folded again each time.
        #expect(ledger.personLoads.kept > 100 && crowded.personLoads.kept > 0)
        // The holding process's city, caught up through its own payments and the others', is the
        // fold from scratch.
        #expect(try holding.currentCity() == KokiLedger(ledger.ports).currentCity())
        #expect(incremental == (try everything()))
        #expect(incremental.accounts.values.map(\.payments.count).reduce(0, +) >= 10, "the sequence did things")
        let t = incremental.totals
        #expect(t.received == t.credited + t.lateFeesPaid + t.openOverpayments + t.refunded)
        #expect(t.assessed == t.credited - t.overpaidOnPeriods + t.outstanding + t.reduced + t.writtenOff)
        // Money that came in: payments recorded directly plus every unmatched entry; resolved
        // entries became payments, so the open ones are the rest.
        let unmatchedIn = incremental.unmatched.map(\.event.amount).sum()
        let resolved = incremental.unmatched.filter { $0.resolved != nil }.map(\.event.amount).sum()
        #expect(t.unmatchedOpen == unmatchedIn - resolved)
    }
}

extension CollectionCommandsTests {
    /// Two kinds of time: a person's account known at position P is the fold of exactly the first
    /// P events; as of date D it is the fold of only the events effective by D; and both together.
    @Test(arguments: 1...3 as ClosedRange<UInt64>)
    func knownAtAndAsOfAreFoldsOfTheRightEvents(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        try city(["1", "2"])
        var day = d("2025-07-20")
        for _ in 0..<25 {
            day = day.adding(days: Int.random(in: 0...20, using: &g))
            let who = id(Bool.random(using: &g) ? "1" : "2")
            switch Int.random(in: 0..<4, using: &g) {
            case 0, 1:
                try collection.pay(
                    who, amount: Yen(Int64.random(in: 1...20, using: &g) * 1_000), paidOn: day.adding(days: -3),
                    learnedOn: day, channel: .counter, slip: nil, metadata: meta())
            case 2:
                if let p = try collection.load(who).account.payments.last(where: { $0.cancelled == nil }) {
                    _ = try? collection.cancel(who, payment: p.event.id, on: day, reason: "error", metadata: meta())
                }
            default:
                _ = try collection.settle(who, on: day, rates: .standard, metadata: meta())
            }
        }
        var all: [(Int64, KokiEvent)] = []
        try ledger.forEachEvent { view, event in all.append((view.position, event)) }
        let head = all.last!.0
        for _ in 0..<8 {
            let p = Int64.random(in: 1...head, using: &g)
            let date = d("2025-07-20").adding(days: Int.random(in: 0...300, using: &g))
            for who in [id("1"), id("2")] {
                let known = try collection.load(who, knownAt: .position(p)).account
                let byHand = CollectionAccounts.replaying(all.filter { $0.0 <= p }.map(\.1)).account(who) ?? .init()
                #expect(known == byHand, "seed \(seed), position \(p)")
                let asOf = try collection.load(who, asOf: date).account
                let effective =
                    CollectionAccounts.replaying(
                        all.map(\.1).filter { $0.effectiveDate.map { $0 <= date } ?? true }
                    ).account(who) ?? .init()
                #expect(asOf == effective, "seed \(seed), as of \(date)")
                let both = try collection.load(who, knownAt: .position(p), asOf: date).account
                let bothByHand =
                    CollectionAccounts.replaying(
                        all.filter { $0.0 <= p && ($0.1.effectiveDate.map { $0 <= date } ?? true) }.map(\.1)
                    ).account(who) ?? .init()
                #expect(both == bothByHand)
            }
        }
    }
}
