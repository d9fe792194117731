import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import LedgerStore
import Testing

/// The attacks on the imports, through the application layer: the city's debit request sent
/// back as the bank's result (CR+LF, LF, no line endings), a result missing one record, store
/// and pension files with dates, amounts and text koki never issued, the same deduction twice.
/// Every refusal is an invalid-input error naming the line, and the head does not move.
extension CollectionCommandsTests {
    func threePayers() throws -> [UInt8] {
        try city(["1", "2", "3"])
        for number in ["1", "2", "3"] { try mandate(number) }
        let (request, count, total) = try collection.exportDebit(
            on: d("2025-09-30"), originator: Self.originator, actor: "b")
        #expect(count == 3 && total == Yen(3 * 8_600))
        return request
    }

    func refused(_ body: () throws -> Any) throws -> KokiError {
        let head = try ledger.store.head()
        let error = try #require(throws: KokiError.self) { _ = try body() }
        #expect(error.code == .invalidInput)
        #expect(try ledger.store.head() == head, "appended after: \(error.message)")
        return error
    }

    @Test(arguments: ZenginDebitFile.LineSeparator.allCases)
    func theRequestSentBackAsTheResultIsRefused(separator: ZenginDebitFile.LineSeparator) throws {
        let request = try threePayers()
        let bytes = try ZenginDebitFile.parse(request).encoded(separator: separator)
        let error = try refused {
            try collection.importDebitResult(bytes, name: "result.txt", learnedOn: d("2025-10-03"), actor: "b")
        }
        #expect(
            error.message.contains("result.txt: line 5, byte 20: 振替済 0 / 0 but the records with code 0 are 3 / 25800"))
        #expect(error.message.contains("the debit request koki wrote for 2025-09-30"))
        #expect(try account("1").periods[key(3)]?.outstanding == Yen(8_600))
        // The bank's true answer, with the same line endings, is taken — once the debit is past.
        let answer = try ZenginDebitFile.parse(request).encoded(separator: separator, isResult: true)
        let early = try refused {
            try collection.importDebitResult(answer, name: "r", learnedOn: d("2025-09-29"), actor: "b")
        }
        #expect(early.message.contains("before its debit date 2025-09-30"))
        let summary = try collection.importDebitResult(answer, name: "r", learnedOn: d("2025-10-03"), actor: "b")
        #expect(summary.payments == 3 && summary.paid == Yen(25_800))
    }

    @Test func anEmptyRequestSentBackIsRecognised() throws {
        // An empty request (nobody due) sent back: its trailer's zeros fit a result of no
        // records, but it is recognised as the request koki wrote.
        try city(["1"])
        let (request, count, _) = try collection.exportDebit(
            on: d("2025-09-30"), originator: Self.originator, actor: "b")
        #expect(count == 0)
        for separator in ZenginDebitFile.LineSeparator.allCases {
            let bytes = try ZenginDebitFile.parse(request).encoded(separator: separator)
            let error = try refused {
                try collection.importDebitResult(bytes, name: "r", learnedOn: d("2025-10-03"), actor: "b")
            }
            #expect(error.message.contains("debit request koki wrote for 2025-09-30"), "\(error.message)")
        }
    }

    @Test(arguments: ZenginDebitFile.LineSeparator.allCases)
    func aResultMissingOneRecordIsRefused(separator: ZenginDebitFile.LineSeparator) throws {
        let request = try threePayers()
        var file = try ZenginDebitFile.parse(request)
        let full = try file.encoded(separator: separator, isResult: true)
        file.records.remove(at: 1)
        let short = try file.encoded(separator: separator, isResult: true)
        let error = try refused {
            try collection.importDebitResult(short, name: "short.txt", learnedOn: d("2025-10-03"), actor: "b")
        }
        #expect(
            error.message.contains(
                "short.txt: line 4, byte 2: 合計件数 2 but the request of 2025-09-30 asked for 3 debits; no record answers 顧客番号 00000000000002202503 (2, FY2025 period 3, 8600 yen)"
            ), "\(error.message)")
        // The bank's whole answer can still be imported afterwards: nobody is lost.
        let summary = try collection.importDebitResult(full, name: "full", learnedOn: d("2025-10-03"), actor: "b")
        #expect(summary.payments == 3)
        #expect(try account("2").periods[key(3)]?.outstanding == .zero)
    }

    // MARK: - Convenience stores

    @Test func storeFilesKokiNeverIssuedAreRefused() throws {
        try city(["1"])
        let b5 = try collection.slipBarcode(id("1"), key: key(5), issuer: "912345").description
        let slip = try SlipNumber(person: id("1"), key: key(5))
        let forged = try ConvenienceBarcode(
            issuer: "912345", slip: slip, deadline: d("2025-12-01"), amount: Yen(999_999)
        ).description
        let noPlan = try ConvenienceBarcode(
            issuer: "912345", slip: slip, deadline: d("2025-12-01"), amount: Yen(3_000), plan: true
        ).description
        let cases: [(String, String)] = [
            ("final,1900-01-01,001,\(b5)\n", "line 1, byte 7: paid_on 1900-01-01 is outside 2008-04-01…2025-12-01"),
            ("final,2099-01-01,001,\(b5)\n", "line 1, byte 7: paid_on 2099-01-01 is outside 2008-04-01…2025-12-01"),
            (
                "preliminary,2025-11-28,001,\(forged)\n",
                "line 1, byte 65: barcode amount 999999 is more than was ever assessed for 1's FY2025 period 5 (8600 yen)"
            ),
            ("final,2025-11-28,001,\(b5)\nfinal,2025-11-28,001,\(forged)\n", "line 2, byte 59: barcode amount 999999"),
            (
                "final,2025-11-28,001,\(noPlan)\n",
                "line 1, byte 59: barcode amount 3000 is no payment of an installment plan"
            ),
            ("final,2025-11-28,00\u{0}1,\(b5)\n", "line 1, byte 20: control character U+0000"),
            (
                "final,2025-11-28,\(String(repeating: "A", count: 100_000)),\(b5)\n",
                "line 1, byte 18: store is 100000 characters"
            ),
            ("", "line 1, byte 1: the file has no record"),
            ("kind,paid_on,store,barcode\n", "line 2, byte 1: the file has its header and no record"),
        ]
        for (text, message) in cases {
            let error = try refused {
                try collection.importConvenience(
                    Array(text.utf8), name: "s.csv", learnedOn: d("2025-12-01"), actor: "b")
            }
            #expect(error.message.contains("s.csv: " + message), "\(error.message)")
        }
        #expect(try everything().files.isEmpty)
        let s = try collection.importConvenience(
            Array("final,2025-11-28,001,\(b5)\n".utf8), name: "s.csv", learnedOn: d("2025-12-01"), actor: "b")
        #expect(s.payments == 1)
    }

    // MARK: - Pension deductions

    @Test func aPensionDeductionIsRecordedOnceWhateverFileCarriesIt() throws {
        try city(["7"], pensionFacts: true)
        let april = "7,2025,4,2025-04-15,12600,deducted"
        let first = try collection.importPension(
            Array("person,fiscal_year,month,paid_on,amount,status\n\(april)\n\(april)\n".utf8), name: "a.csv",
            learnedOn: d("2025-05-01"), actor: "b")
        #expect(first.payments == 1 && first.duplicates.count == 1)
        #expect(first.duplicates[0].hasPrefix("line 3: deduction of 12600 yen from 7's pension on 2025-04-15"))
        // The same line in a new file (with June's), and the stop twice.
        let second = try collection.importPension(
            Array("\(april)\n7,2025,6,2025-06-13,12600,deducted\n7,2025,10,2025-10-15,0,stopped\n".utf8),
            name: "b.csv", learnedOn: d("2025-10-20"), actor: "b")
        #expect(second.payments == 1 && second.duplicates.count == 1 && second.stopped == [id("7")])
        let third = try collection.importPension(
            Array("\(april)\n7,2025,10,2025-10-15,0,stopped\n".utf8), name: "c.csv", learnedOn: d("2025-10-21"),
            actor: "b")
        #expect(third.payments == 0 && third.duplicates.count == 2 && third.stopped.isEmpty)
        let payments = try account("7").payments
        #expect(payments.count == 2 && payments.map(\.event.amount).sum() == Yen(25_200))
        #expect(try everything().files.map(\.duplicates) == [1, 1, 2])
        #expect(try everything().moneyIsConserved)
    }

    @Test func pensionFilesOutsideTheLimitsAreRefused() throws {
        try city(["7"], pensionFacts: true)
        let cases: [(String, String)] = [
            (
                "7,1900,4,1900-04-13,12600,deducted\n",
                "line 1, byte 10: paid_on 1900-04-13 is outside 2008-04-01…2025-10-20"
            ),
            ("7,2099,4,2099-04-15,12600,deducted\n", "line 1, byte 10: paid_on 2099-04-15 is outside"),
            (
                "7,2025,4,2025-04-15,999999,deducted\n",
                "line 1: amount 999999 is more than was ever assessed for 7's FY2025 period 1 or told to the insurer (12600 yen)"
            ),
            ("7,2025,4,2025-04-15,12600,deduc\u{0}ted\n", "line 1, byte 32: control character U+0000"),
            ("", "line 1, byte 1: the file has no record"),
            (
                "person,fiscal_year,month,paid_on,amount,status\n",
                "line 2, byte 1: the file has its header and no record"
            ),
        ]
        for (text, message) in cases {
            let error = try refused {
                try collection.importPension(Array(text.utf8), name: "p.csv", learnedOn: d("2025-10-20"), actor: "b")
            }
            #expect(error.message.contains("p.csv: " + message), "\(error.message)")
        }
        #expect(try everything().files.isEmpty)
    }
}
