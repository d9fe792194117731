import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import LedgerStore
import Testing

/// A bank-debit mandate's whole life: the application received, sent for registration, the
/// bank's answer (accepted: debits start; refused: the reason kept), the 口座振替開始通知, and the
/// files refused as an attacker or a careless clerk would hand them in.
extension CollectionCommandsTests {
    func bankAccount(_ number: String = "1234567") throws -> BankAccount {
        try BankAccount(
            bankCode: "0005", branchCode: "123", accountType: 1, accountNumber: number, holderKana: "マツド　タロウ")
    }

    func answers(_ lines: [String], on day: String, name: String = "answer.csv") throws
        -> CollectionCommands.MandateAnswerSummary
    {
        try collection.importMandateAnswers(
            Array((["application,result,reason"] + lines).joined(separator: "\n").utf8), name: name,
            learnedOn: d(day), actor: "batch")
    }

    @Test func anApplicationIsRegisteredAtTheBankBeforeDebitsStart() throws {
        try city(["1", "2"])
        let one = try collection.applyForDebit(
            id("1"), account: try bankAccount(), on: d("2025-08-01"), metadata: meta())
        let two = try collection.applyForDebit(
            id("2"), account: try bankAccount("7654321"), on: d("2025-08-01"), metadata: meta())
        #expect(one.id == "1-20250801-1" && one.change == .received)
        // The same account again while the first is open: refused.
        #expect(throws: KokiError.self) {
            try collection.applyForDebit(id("1"), account: try bankAccount(), on: d("2025-08-04"), metadata: meta())
        }
        // Received is not yet a mandate: the debit of 1 September asks nothing of either.
        #expect(try CitySnapshot(ledger).collection.account(id("1"))?.mandates.isEmpty == true)

        let run = try collection.sendDebitApplications(on: d("2025-08-04"), actor: "batch")
        #expect(
            String(decoding: run.file, as: UTF8.self)
                == "application,person,bank,branch,account_type,account,holder\n"
                + "1-20250801-1,1,0005,123,1,1234567,ﾏﾂﾄﾞ ﾀﾛｳ\n2-20250801-1,2,0005,123,1,7654321,ﾏﾂﾄﾞ ﾀﾛｳ\n")
        #expect(try collection.sendDebitApplications(on: d("2025-08-05"), actor: "batch").sent.isEmpty)

        let summary = try answers(["1-20250801-1,accepted,", "2-20250801-1,refused,口座なし"], on: "2025-08-15")
        #expect(summary.accepted.map(\.person) == [id("1")] && summary.refused.map(\.reason) == ["口座なし"])
        let accounts = try CitySnapshot(ledger).collection
        #expect(accounts.account(id("1"))?.mandates.map(\.startsOn) == [d("2025-08-15")])
        #expect(accounts.account(id("2"))?.mandates.isEmpty == true)
        #expect(accounts.account(id("2"))?.currentApplications.map(\.change) == [.refused])
        // Debits start with the first due date from then: 1's period 2 (due 1 September).
        let export = try collection.exportDebit(on: d("2025-09-01"), originator: Self.originator, actor: "batch")
        #expect(export.records == 1)

        // The 口座振替開始通知: the account masked, the first debit named.
        let notices = Notices(ledger)
        try notices.adopt(
            NoticeSettings(
                city: "松戸市", issuer: "松戸市長", department: "後期高齢者医療班", address: "松戸市根本387-5",
                phone: "047-366-1111", barcodeIssuer: "123456"), metadata: meta())
        let position = try ledger.store.head().position
        let built = try notices.debitStartBatch(
            acceptedFrom: d("2025-08-01"), through: d("2025-08-31"), on: d("2025-08-18"), at: position)
        let notice = try #require(built.notices.first)
        #expect(built.notices.count == 1 && notice.kind == .debitStart && notice.person == id("1"))
        let fields = Dictionary(uniqueKeysWithValues: notice.fields)
        #expect(fields["account"] == "****567" && fields["startsOn"] == "令和7年8月15日")
        #expect(fields["firstDebit"]?.hasPrefix("令和7年9月1日（令和7年度 2期") == true, "\(fields)")
        try notices.record(built.notices, run: nil, metadata: meta())
        #expect(try notices.rebuild(notice.number).jsonLine == notice.jsonLine)
    }

    @Test func answersTheBankCouldNotHaveSentAreRefusedWithNothingAppended() throws {
        try city(["1"])
        let application = try collection.applyForDebit(
            id("1"), account: try bankAccount(), on: d("2025-08-01"), metadata: meta())
        // Never sent: no answer yet.
        #expect(throws: KokiError.self) { try answers(["\(application.id),accepted,"], on: "2025-08-15") }
        let run = try collection.sendDebitApplications(on: d("2025-08-04"), actor: "batch")
        let head = try ledger.store.head().position
        func refused(_ bytes: [UInt8], _ expected: String) {
            do {
                _ = try collection.importMandateAnswers(bytes, name: "a.csv", learnedOn: d("2025-08-15"), actor: "b")
                Issue.record("accepted: \(expected)")
            } catch let error as KokiError {
                #expect(error.code == .invalidInput && error.message.contains(expected), "\(error.message)")
            } catch { Issue.record("\(error)") }
        }
        // The city's own request sent back.
        refused(Array(run.file), "mandate registration request")
        refused(Array("application,result,reason\n9-20250801-1,accepted,\n".utf8), "is not one koki received")
        refused(Array("application,result,reason\n1-20250801-1,maybe,\n".utf8), "is not accepted or refused")
        refused(Array("application,result,reason\n1-20250801-1,refused,\n".utf8), "without the bank's reason")
        refused(
            Array("application,result,reason\n1-20250801-1,accepted,\n1-20250801-1,accepted,\n".utf8), "twice")
        refused(Array("application,result,reason\n1-20250801-1,accepted,\u{1B}\n".utf8), "control character")
        refused([0x61, 0xFF, 0x0A], "not UTF-8")
        #expect(try ledger.store.head().position == head)

        let file = Array("application,result,reason\n1-20250801-1,accepted,\n".utf8)
        _ = try collection.importMandateAnswers(file, name: "a.csv", learnedOn: d("2025-08-15"), actor: "b")
        refused(file, "already imported")
        refused(Array("application,result,reason\n1-20250801-1,refused,口座なし\n".utf8), "answered already")
    }

    /// The same whether the process holds the city (the server, the simulation: the run passes
    /// by every payer it cannot act on) or reads the stored debit states.
    @Test(arguments: [false, true])
    func theDeadAreNeitherSentNorStarted(holdingTheCity: Bool) throws {
        try city(["1", "2", "3"])
        if holdingTheCity { _ = try ledger.currentCity() }
        #expect(ledger.hasCurrentCity == holdingTheCity)
        // 3's mandate is in force; 3 dies: the next run stops it from the day after.
        try mandate("3")
        try register.lose(id("3"), reason: .died, on: d("2025-07-20"), today: d("2025-07-25"), metadata: meta())
        _ = try collection.applyForDebit(id("1"), account: try bankAccount(), on: d("2025-08-01"), metadata: meta())
        _ = try collection.applyForDebit(
            id("2"), account: try bankAccount("7654321"), on: d("2025-08-01"), metadata: meta())
        try register.lose(id("1"), reason: .died, on: d("2025-08-02"), today: d("2025-08-03"), metadata: meta())
        let run = try collection.sendDebitApplications(on: d("2025-08-04"), actor: "batch")
        #expect(run.sent.map(\.person) == [id("2")] && run.withdrawn.map(\.person) == [id("1")])
        #expect(run.stopped.map(\.person) == [id("3")] && run.stopped.first?.stopsOn == d("2025-07-21"))
        #expect(try account("3").mandate(on: d("2025-07-31")) == nil)
        #expect(try collection.sendDebitApplications(on: d("2025-08-05"), actor: "batch").stopped.isEmpty)
        #expect(throws: KokiError.self) {
            try collection.applyForDebit(
                id("1"), account: try bankAccount("1111111"), on: d("2025-08-05"), metadata: meta())
        }
        try register.lose(id("2"), reason: .died, on: d("2025-08-10"), today: d("2025-08-12"), metadata: meta())
        let summary = try answers(["2-20250801-1,accepted,"], on: "2025-08-15")
        #expect(summary.withdrawn.map(\.person) == [id("2")] && summary.accepted.isEmpty)
        #expect(try CitySnapshot(ledger).collection.account(id("2"))?.mandates.isEmpty == true)
    }
}

extension CollectionCommandsTests {
    /// 再発行: the ledger counts each reissue of a period's slip (1, 2 …, never a tenth), keeps why,
    /// the new deadline and amount; a store payment of the original slip is matched all the same
    /// and reported as superseded.
    @Test func aReissuedSlipIsCountedByTheLedgerAndTheOriginalStillMatches() throws {
        try city(["1"])
        let first = try collection.reissueSlip(
            id("1"), key: key(5), issuer: "912345", reason: "紛失", deadline: d("2025-12-15"), on: d("2025-12-01"),
            metadata: meta())
        #expect(first.count == 1 && first.amount == Yen(8_600))
        #expect(try ConvenienceBarcode(parsing: first.barcode).reissue == 1)
        let second = try collection.reissueSlip(
            id("1"), key: key(5), issuer: "912345", reason: "期限切れ", deadline: d("2026-01-15"),
            on: d("2025-12-16"), metadata: meta())
        let reasons = try account("1").slipReissues.map(\.reason)
        #expect(second.count == 2 && reasons == ["紛失", "期限切れ"])
        // Refused, nothing recorded: a deadline before the day, an empty reason, a period owing nothing.
        let head = try ledger.store.head().position
        #expect(throws: KokiError.self) {
            try collection.reissueSlip(
                id("1"), key: key(5), issuer: "912345", reason: "紛失", deadline: d("2025-12-01"),
                on: d("2025-12-16"), metadata: meta())
        }
        #expect(throws: KokiError.self) {
            try collection.reissueSlip(
                id("1"), key: key(5), issuer: "912345", reason: " ", deadline: d("2026-01-15"), on: d("2025-12-16"),
                metadata: meta())
        }
        #expect(try ledger.store.head().position == head)
        // The store reports the original slip paid: matched, reported as superseded.
        let original = try collection.slipBarcode(id("1"), key: key(5), issuer: "912345").description
        let summary = try collection.importConvenience(
            Array("kind,paid_on,store,barcode\nfinal,2025-12-20,001,\(original)\n".utf8), name: "s.csv",
            learnedOn: d("2025-12-22"), actor: "b")
        #expect(summary.payments == 1 && summary.superseded.count == 1, "\(summary)")
        #expect(try account("1").periods[key(5)]?.outstanding == .zero)
        #expect(throws: KokiError.self) {
            try collection.reissueSlip(
                id("1"), key: key(5), issuer: "912345", reason: "紛失", deadline: d("2026-01-15"),
                on: d("2025-12-23"), metadata: meta())
        }
    }

    @Test func aSlipIsReissuedNineTimesAtMost() throws {
        try city(["1"])
        for n in 1...9 {
            let r = try collection.reissueSlip(
                id("1"), key: key(6), issuer: "912345", reason: "紛失", deadline: d("2026-01-15"),
                on: d("2025-12-01"), metadata: meta())
            #expect(r.count == n)
        }
        #expect(throws: KokiError.self) {
            try collection.reissueSlip(
                id("1"), key: key(6), issuer: "912345", reason: "紛失", deadline: d("2026-01-15"),
                on: d("2025-12-01"), metadata: meta())
        }
    }
}

extension CollectionCommandsTests {
    /// 全期前納: where the year's calendar offers it, a payer who chose it is debited every ordinary
    /// period of the year on its first due date; one who did not, that period alone.
    @Test func aPayerWhoChosePrepaymentIsDebitedTheWholeYearOnItsFirstDueDate() throws {
        try city(["1", "2"])
        var calendar = InstallmentCalendar.standard(fiscalYear: 2025)
        calendar.debitPrepayment = true
        try assessment.adoptCalendar(calendar, metadata: meta())
        try mandate("1")
        try mandate("2")
        #expect(throws: KokiError.self) {
            try collection.choosePrepayment(id("1"), change: .withdrawn, on: d("2025-07-01"), metadata: meta())
        }
        _ = try collection.choosePrepayment(id("1"), change: .chosen, on: d("2025-07-01"), metadata: meta())
        #expect(throws: KokiError.self) {
            try collection.choosePrepayment(id("1"), change: .chosen, on: d("2025-07-02"), metadata: meta())
        }
        let export = try collection.exportDebit(on: d("2025-07-31"), originator: Self.originator, actor: "batch")
        #expect(export.records == 9 + 1, "1's nine periods, 2's first")
        #expect(export.total == Yen(77_800 + 9_000))
        let requested = try account("1").debitRequests
        #expect(requested.count == 9 && requested.map(\.amount).sum() == Yen(77_800))
        #expect(Set(requested.map(\.key.period.number)) == Set(1...9))
        // Not offered: a calendar without it asks for the period due alone.
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2025), metadata: meta())
        let next = try collection.exportDebit(on: d("2025-09-01"), originator: Self.originator, actor: "batch")
        #expect(next.records == 2)
    }
}
