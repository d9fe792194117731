import Foundation
import KokiDomain
import KokiInterchange
import Testing

/// Files an attacker or a careless clerk hands the imports: a debit request sent back as the
/// bank's result whatever its line endings, dates outside the system's life, NUL bytes and
/// control characters, a 100,000-character store, empty and header-only files, another
/// import's file — each refused with its line and column.
@Suite struct HostileFileTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }

    func refusal<T>(_ body: () throws(InterchangeError) -> T) -> InterchangeError? {
        do {
            _ = try body()
            return nil
        } catch { return error }
    }

    // MARK: - 全銀 result or request

    @Test(arguments: ZenginDebitFile.LineSeparator.allCases)
    func aRequestIsNotAResultWhateverItsLineEndings(separator: ZenginDebitFile.LineSeparator) throws {
        let request = try ZenginTests.file.encoded(separator: separator)
        let error = try #require(
            refusal { () throws(InterchangeError) in try ZenginDebitFile.parse(request, as: .result) })
        #expect(error.line == 4 && error.position == 20)
        #expect(error.message.contains("振替済 0 / 0 but the records with code 0 are 2 / 20900"))
        #expect(error.message.contains("not the bank's result"))
        // Read as a request it is one; read as either it is too (what a request is).
        #expect(try ZenginDebitFile.parse(request, as: .request) == ZenginTests.file)
        #expect(try ZenginDebitFile.parse(request) == ZenginTests.file)
    }

    @Test(arguments: ZenginDebitFile.LineSeparator.allCases)
    func aResultIsReadTheSameWhateverItsLineEndings(separator: ZenginDebitFile.LineSeparator) throws {
        var result = ZenginTests.file
        result.records[0].resultCode = 2
        let bytes = try result.encoded(separator: separator, isResult: true)
        #expect(try ZenginDebitFile.parse(bytes, as: .result) == result)
        let asRequest = try #require(
            refusal { () throws(InterchangeError) in
                try ZenginDebitFile.parse(bytes, as: .request)
            })
        #expect(asRequest.line == 4 && asRequest.position == 20)
        // All debited: a result whose trailer says so is a result, not a request.
        let debited = try ZenginTests.file.encoded(separator: separator, isResult: true)
        #expect(try ZenginDebitFile.parse(debited, as: .result).debited.count == 2)
    }

    @Test func aRequestWithAResultCodeIsNamedAtItsRecord() throws {
        var bytes = try ZenginTests.file.encoded(separator: .lf)
        bytes[2 * 121 + 111] = UInt8(ascii: "1")  // the second data record's 振替結果コード
        let error = refusal { () throws(InterchangeError) in try ZenginDebitFile.parse(bytes, as: .request) }
        #expect(error == InterchangeError(line: 3, position: 112, "振替結果コード 1: a request's records all carry 0"))
    }

    // MARK: - Convenience-store files

    var barcode: String {
        let slip = try! SlipNumber(
            person: try! PersonID("1001"), key: PeriodKey(try! FiscalYear(2025), try! PeriodNumber(5)))
        return try! ConvenienceBarcode(issuer: "912345", slip: slip, deadline: d("2025-12-01"), amount: Yen(5_400))
            .description
    }

    let received = InputLimits.paymentDates(
        learnedOn: try! CivilDate(iso: "2025-12-01"), today: try! CivilDate(iso: "2026-12-02"))

    func store(_ text: String) -> InterchangeError? {
        refusal { () throws(InterchangeError) in try ConvenienceFile.parse(Array(text.utf8), paidOn: received) }
    }

    @Test func storePaymentsOutsideTheSystemsLifeAreRefused() {
        for (date, column) in [("1900-01-01", 7), ("2099-01-01", 7), ("20071231", 7), ("2025-12-02", 7)] {
            let error = store("final,\(date),001,\(barcode)\n")
            #expect(error?.line == 1 && error?.position == column, "\(date): \(String(describing: error))")
            #expect(error?.message.contains("outside 2008-04-01…2025-12-01") == true, "\(String(describing: error))")
        }
        #expect(store("final,2025-12-01,001,\(barcode)\n") == nil)
        #expect(store("final,2008-04-01,001,\(barcode)\n") == nil)
    }

    @Test func controlCharactersAndHugeStoresAreRefused() {
        let nul = store("kind,paid_on,store,barcode\nfinal,2025-11-28,00\u{0}1,\(barcode)\n")
        #expect(nul?.line == 2 && nul?.position == 20 && nul?.message.contains("U+0000") == true)
        let escape = store("final,2025-11-28,\u{1B}[2J,\(barcode)\n")
        #expect(escape?.line == 1 && escape?.message.contains("U+001B") == true)
        let override = store("final,2025-11-28,\u{202E}100,\(barcode)\n")
        #expect(override?.message.contains("U+202E") == true)
        let huge = store("final,2025-11-28,\(String(repeating: "ｾ", count: 100_000)),\(barcode)\n")
        #expect(huge?.line == 1 && huge?.position == 18 && huge?.message.contains("100000 characters") == true)
        #expect(store("final,2025-11-28,\(String(repeating: "ｾ", count: 40)),\(barcode)\n") == nil)
        // Bytes that are not UTF-8, named by line.
        let latin1 = refusal { () throws(InterchangeError) in
            try ConvenienceFile.parse(Array("final,2025-11-28,001,\(barcode)\n".utf8) + [0x66, 0xFF, 0x0A])
        }
        #expect(latin1?.line == 2)
    }

    @Test func emptyHeaderOnlyAndOtherFilesAreRefused() {
        #expect(store("")?.message == "the file has no record")
        #expect(store("\n\n")?.message == "the file has no record")
        let headerOnly = store("kind,paid_on,store,barcode\r\n")
        #expect(headerOnly?.line == 2 && headerOnly?.message == "the file has its header and no record")
        let pension = store("person,fiscal_year,month,paid_on,amount,status\n1001,2025,4,2025-04-15,100,deducted\n")
        #expect(pension?.line == 1 && pension?.message.contains("pension deduction file's") == true)
        let damagedHeader = store("kind,paid,store,barcode\nfinal,2025-11-28,001,\(barcode)\n")
        #expect(
            damagedHeader?.line == 1 && damagedHeader?.message.contains("is not kind,paid_on,store,barcode") == true)
        // A byte-order mark before the header is not part of it.
        #expect(store("\u{FEFF}kind,paid_on,store,barcode\nfinal,2025-11-28,001,\(barcode)\n") == nil)
    }

    // MARK: - Pension deduction files

    var window: (deducted: InputLimits.Dates, stopped: InputLimits.Dates) {
        let today = d("2025-10-20")
        return (
            InputLimits.paymentDates(learnedOn: today, today: today),
            InputLimits.Dates(
                from: InputLimits.systemStart,
                through: InputLimits.latest(today: today, leadDays: InputLimits.Lead.pensionStop))
        )
    }

    func pension(_ text: String) -> InterchangeError? {
        refusal { () throws(InterchangeError) in
            try PensionDeductionFile.parse(Array(text.utf8), deductedOn: window.deducted, stoppedFrom: window.stopped)
        }
    }

    @Test func pensionDatesOutsideTheirMonthOrTheSystemsLifeAreRefused() {
        let cases: [(String, String)] = [
            ("1001,1900,4,1900-04-13,8300,deducted", "outside 2008-04-01…2025-10-20"),
            ("1001,2099,4,2099-04-15,8300,deducted", "outside 2008-04-01…2025-10-20"),
            ("1001,2025,12,2025-12-15,8300,deducted", "outside 2008-04-01…2025-10-20"),
            ("1001,2025,4,2025-05-15,8300,deducted", "not in month 4 of FY2025"),
            ("1001,2025,2,2025-02-14,8300,deducted", "not in month 2 of FY2025"),
            ("1001,2026,2,2027-02-15,0,stopped", "outside 2008-04-01…2025-12-21"),
        ]
        for (line, message) in cases {
            let error = pension(line + "\n")
            let column = line.split(separator: ",")[2].count == 2 ? 14 : 13
            #expect(error?.line == 1 && error?.position == column, "\(line): \(String(describing: error))")
            #expect(error?.message.contains(message) == true, "\(line): \(String(describing: error))")
        }
        // A stop may be announced before its pension day; a deduction is never ahead.
        #expect(pension("1001,2025,12,2025-12-15,0,stopped\n") == nil)
        #expect(pension("1001,2025,2,2026-02-13,0,stopped\n")?.message.contains("outside") == true)
        #expect(pension("1001,2025,10,2025-10-15,100,stopped\n")?.message.contains("a stop carries no amount") == true)
    }

    @Test func pensionFilesWithControlCharactersOrNoRecordAreRefused() {
        #expect(pension("")?.message == "the file has no record")
        #expect(pension("person,fiscal_year,month,paid_on,amount,status\n")?.line == 2)
        let nul = pension("1001,2025,4,2025-04-15,8300,deduc\u{0}ted\n")
        #expect(nul?.line == 1 && nul?.position == 34 && nul?.message.contains("U+0000") == true)
        let store = pension("kind,paid_on,store,barcode\nfinal,2025-11-28,001,\(barcode)\n")
        #expect(store?.message.contains("convenience-store file's") == true)
        #expect(InputLimits.controlCharacter(in: "a\tb") == nil)
    }

    @Test func theLimitsThemselves() {
        #expect(InputLimits.systemStart == d("2008-04-01"))
        // 2026-12-01 15:00 UTC is 2026-12-02 00:00 in Japan.
        let micros = Int64(d("2026-12-01").daysSinceEpoch) * 86_400_000_000 + 15 * 3_600_000_000
        #expect(InputLimits.dayInJapan(microsecondsSinceEpoch: micros) == d("2026-12-02"))
        #expect(InputLimits.dayInJapan(microsecondsSinceEpoch: micros - 1) == d("2026-12-01"))
        let empty = InputLimits.paymentDates(learnedOn: d("2000-01-01"), today: d("2026-12-02"))
        #expect(!empty.contains(d("2000-01-01")) && !empty.contains(d("2010-01-01")))
        #expect(InputLimits.latest(today: d("9999-12-30"), leadDays: 62) == d("9999-12-30"))
    }
}
