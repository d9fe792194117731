import Foundation
import KokiDomain
import KokiInterchange
import KokiTestSupport
import Testing

/// The 全銀 type-91 layout byte for byte (collection-and-arrears.md §7), a golden request file,
/// and every way a file can be wrong, each named by line and byte.
@Suite struct ZenginTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/debit-request-2025-09-30.txt")

    static let file = ZenginDebitFile(
        header: .init(
            originatorCode: "1234567890", originatorName: "ﾏﾂﾄﾞｼ", debitMonth: 9, debitDay: 30, bankCode: "0001",
            bankName: "ﾐｽﾞﾎ", branchCode: "001", branchName: "ﾏﾂﾄﾞ", accountType: 1, accountNumber: "1234567"),
        records: [
            .init(
                bankCode: "0005", branchCode: "123", accountType: 1, accountNumber: "7654321", holderName: "ﾏﾂﾄﾞ ﾀﾛｳ",
                amount: Yen(8_600), newCode: 1, customerNumber: "00000000000001202503"),
            .init(
                bankCode: "9900", bankName: "ﾕｳﾁﾖ", branchCode: "018", accountType: 1, accountNumber: "0012345",
                holderName: "ｺﾊﾞﾔｼ ﾊﾅｺ", amount: Yen(12_300), newCode: 0, customerNumber: "00000000000002202503"),
        ])

    @Test func theRequestMatchesTheGoldenFile() throws {
        let bytes = try Self.file.encoded(separator: .crlf)
        if !FileManager.default.fileExists(atPath: Self.golden.path),
            ProcessInfo.processInfo.environment["KOKI_RECORD_GOLDEN"] == "1"
        {
            try Data(bytes).write(to: Self.golden)
        }
        #expect(bytes == Array(try Data(contentsOf: Self.golden)))
        #expect(bytes.count == 5 * 122)
    }

    @Test func fieldsSitAtTheirBytes() throws {
        let bytes = try Self.file.encoded(separator: .none)
        #expect(bytes.count == 600)
        func field(_ record: Int, _ from: Int, _ length: Int) -> String {
            let start = record * 120 + from - 1
            return String(decoding: bytes[start..<(start + length)], as: UTF8.self)
        }
        #expect(field(0, 1, 4) == "1910")
        #expect(field(0, 5, 10) == "1234567890")
        #expect(field(0, 55, 4) == "0930")
        #expect(field(0, 59, 4) == "0001")
        #expect(field(0, 78, 3) == "001")
        #expect(field(0, 96, 8) == "11234567")
        #expect(bytes[14] == 0xCF)  // ﾏ in JIS X 0201
        #expect(field(1, 1, 5) == "20005" && field(1, 21, 3) == "123" && field(1, 43, 8) == "17654321")
        #expect(field(1, 81, 10) == "0000008600" && field(1, 91, 1) == "1")
        #expect(field(1, 92, 20) == "00000000000001202503" && field(1, 112, 1) == "0")
        #expect(field(2, 44, 7) == "0012345")
        #expect(field(3, 1, 19) == "8000002000000020900")
        #expect(field(3, 20, 36) == String(repeating: "0", count: 36))
        #expect(field(4, 1, 1) == "9" && field(4, 2, 119) == String(repeating: " ", count: 119))
    }

    @Test(arguments: ZenginDebitFile.LineSeparator.allCases)
    func roundTripWithEverySeparator(separator: ZenginDebitFile.LineSeparator) throws {
        var result = Self.file
        result.records[1].resultCode = 1
        let bytes = try result.encoded(separator: separator, isResult: true)
        let parsed = try ZenginDebitFile.parse(bytes)
        #expect(parsed == result)
        #expect(parsed.debited.count == 1 && parsed.failed.map(\.amount) == [Yen(12_300)])
        // The trailer of a result carries the debited and failed totals.
        let trailer = String(decoding: bytes[(3 * (120 + separatorLength(separator)))...].prefix(55), as: UTF8.self)
        #expect(trailer == "8000002000000020900000001000000008600000001000000012300")
    }

    func separatorLength(_ s: ZenginDebitFile.LineSeparator) -> Int { s == .crlf ? 2 : s == .lf ? 1 : 0 }

    func refusal(_ bytes: [UInt8]) -> InterchangeError? {
        do {
            _ = try ZenginDebitFile.parse(bytes)
            return nil
        } catch { return error }
    }

    func edited(_ offset: Int, _ text: String, separator: ZenginDebitFile.LineSeparator = .crlf) throws -> [UInt8] {
        var bytes = try Self.file.encoded(separator: separator)
        bytes.replaceSubrange(offset..<(offset + text.utf8.count), with: Array(text.utf8))
        return bytes
    }

    @Test func wrongFilesAreNamedByLineAndByte() throws {
        // A record one byte short.
        var short = try Self.file.encoded(separator: .crlf)
        short.remove(at: 130)
        #expect(refusal(short)?.line == 2)
        #expect(refusal(short)?.message.contains("119 bytes") == true)
        // An unknown result code in the second data record.
        let code = try edited(2 * 122 + 111, "7")
        #expect(
            refusal(code) == InterchangeError(line: 3, position: 112, "振替結果コード 7 is not one of 0, 1, 2, 3, 4, 8, 9"))
        // Letters in an amount.
        #expect(refusal(try edited(122 + 85, "x"))?.position == 81)
        // The count and the total.
        #expect(refusal(try edited(3 * 122 + 6, "3"))?.message.contains("合計件数 3") == true)
        #expect(refusal(try edited(3 * 122 + 18, "1"))?.position == 8)
        // Not a debit file, a missing end, a record after the end, a data record before the header.
        #expect(refusal(try edited(1, "21"))?.message.contains("種別コード") == true)
        let noEnd = Array(try Self.file.encoded(separator: .crlf).prefix(3 * 122))
        #expect(refusal(noEnd)?.message.contains("without a trailer and an end record") == true)
        let full = try Self.file.encoded(separator: .crlf)
        #expect(refusal(full + Array(full[122..<244]))?.line == 6)
        #expect(refusal(Array(full[122...]))?.line == 1)
        // A result whose debited total does not match its codes.
        var result = Self.file
        result.records[0].resultCode = 1
        var bytes = try result.encoded(separator: .crlf, isResult: true)
        bytes[3 * 122 + 24] = UInt8(ascii: "2")  // 振替済件数 2 although one record has code 0
        #expect(refusal(bytes)?.position == 20)
        #expect(refusal([]) != nil)
    }

    @Test func fieldsThatDoNotFitAreRefusedWhenWriting() {
        var file = Self.file
        file.records[0].holderName = "松戸太郎"
        #expect(throws: InterchangeError.self) { try file.encoded() }
        file.records[0].holderName = String(repeating: "ｱ", count: 31)
        #expect(throws: InterchangeError.self) { try file.encoded() }
        file = Self.file
        file.records[0].customerNumber = "123"
        #expect((try? file.encoded()) != nil)  // padded with zeros
        file.records[0].customerNumber = "x"
        #expect(throws: InterchangeError.self) { try file.encoded() }
    }

    @Test func halfWidthConversion() throws {
        #expect(try HalfWidth.convert("マツド　タロウ") == "ﾏﾂﾄﾞ ﾀﾛｳ")
        #expect(try HalfWidth.convert("ガッコウ") == "ｶﾞﾂｺｳ")  // small kana become large
        #expect(try HalfWidth.convert("パーク") == "ﾊﾟ-ｸ")  // ー is written -
        #expect(try HalfWidth.convert("ｷｮｳｺ") == "ｷﾖｳｺ")
        #expect(try HalfWidth.convert("abc１２") == "ABC12")
        #expect(throws: DomainError.self) { try HalfWidth.convert("松戸") }
        #expect(throws: DomainError.self) { try HalfWidth.convert("まつど") }
    }
}

@Suite struct ConvenienceTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    let slip = try! SlipNumber(
        person: try! PersonID("1001"), key: PeriodKey(try! FiscalYear(2025), try! PeriodNumber(5)))

    @Test func slipNumbers() throws {
        #expect(slip.description == "00000000001001202505")
        #expect(SlipNumber("00000000001001202505") == slip)
        #expect(SlipNumber("00000000001001202524") != nil)  // period 24, a year's last
        #expect(SlipNumber("00000000001001202525") == nil)  // period 25
        #expect(SlipNumber("0000000000100120250") == nil)
        #expect(throws: DomainError.self) {
            try SlipNumber(person: try PersonID("123456789012345"), key: slip.key)
        }
    }

    /// Random barcodes read back as written, their check digit as GS1's rule computes it digit
    /// by digit; any one digit changed, a digit that is not ASCII, or a mark combined with the
    /// last one, is refused.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func barcodesReadAsWrittenAndEveryOneDigitChangeIsRefused(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        func gs1(_ digits: Substring) -> Int {
            let sum = digits.reversed().enumerated().reduce(0) {
                $0 + Int(String($1.element))! * ($1.offset % 2 == 0 ? 3 : 1)
            }
            return (10 - sum % 10) % 10
        }
        for _ in 0..<250 {
            let issuer = String((0..<6).map { _ in Character(String(Int.random(in: 0...9, using: &g))) })
            let deadline = try CivilDate(
                year: Int.random(in: 2000...2099, using: &g), month: Int.random(in: 1...12, using: &g),
                day: Int.random(in: 1...28, using: &g))
            let barcode = try ConvenienceBarcode(
                issuer: issuer, slip: slip, reissue: Int.random(in: 0...9, using: &g), deadline: deadline,
                stampFlag: Int.random(in: 0...9, using: &g), amount: Yen(Int64.random(in: 1...999_999, using: &g)),
                plan: Bool.random(using: &g))
            let text = barcode.description
            #expect(try ConvenienceBarcode(parsing: text) == barcode)
            #expect(try ConvenienceBarcode(parsing: Substring(text)) == barcode)
            #expect(ConvenienceBarcode.checkDigit(text.prefix(43)) == gs1(text.prefix(43)))
            #expect(String(gs1(text.prefix(43))) == String(text.suffix(1)))
            let at = Int.random(in: 0..<44, using: &g)
            var changed = Array(text)
            changed[at] = Character(String((Int(String(changed[at]))! + Int.random(in: 1...9, using: &g)) % 10))
            #expect(throws: DomainError.self) { try ConvenienceBarcode(parsing: String(changed)) }
            var wide = Array(text)
            wide[at] = "１"
            #expect(throws: DomainError.self) { try ConvenienceBarcode(parsing: String(wide)) }
            #expect(throws: DomainError.self) { try ConvenienceBarcode(parsing: text + "\u{0301}") }
            #expect(throws: DomainError.self) { try ConvenienceBarcode(parsing: text.dropLast()) }
        }
    }

    @Test func barcodesRoundTripAndCarryACheckDigit() throws {
        let barcode = try ConvenienceBarcode(
            issuer: "912345", slip: slip, reissue: 2, deadline: d("2025-12-01"), amount: Yen(8_600))
        let text = barcode.description
        #expect(text.count == 44)
        let expected: String = "9191234500000000001001202505" + "02251201" + "0008600"
        #expect(text.hasPrefix(expected))
        #expect(try ConvenienceBarcode(parsing: text) == barcode)
        // GS1 modulus 10 on a known value: 4912345678904 (a GS1 example) has check digit 4.
        #expect(ConvenienceBarcode.checkDigit("491234567890") == 4)
        var damaged = Array(text)
        damaged[20] = damaged[20] == "9" ? "8" : "9"
        #expect(throws: DomainError.self) { try ConvenienceBarcode(parsing: String(damaged)) }
        #expect(throws: DomainError.self) {
            try ConvenienceBarcode(issuer: "912345", slip: slip, deadline: d("2025-12-01"), amount: Yen(1_000_000))
        }
        // Every field is one the 44 digits can hold: a stamp flag of two digits is refused.
        for flag in [-1, 10, Int.max] {
            #expect(throws: DomainError.self) {
                try ConvenienceBarcode(
                    issuer: "912345", slip: slip, deadline: d("2025-12-01"), stampFlag: flag, amount: Yen(8_600))
            }
        }
    }

    @Test func convenienceFileLinesAndErrors() throws {
        let code = try ConvenienceBarcode(issuer: "912345", slip: slip, deadline: d("2025-12-01"), amount: Yen(8_600))
            .description
        let file = try ConvenienceFile.parse(
            Array("kind,paid_on,store,barcode\r\n1,20251128,0012,\(code)\r\nfinal,2025-11-29,0012,\(code)\n\n".utf8))
        #expect(file.records.map(\.kind) == [.preliminary, .final])
        #expect(file.records.map(\.line) == [2, 3])
        #expect(file.records[0].paidOn == d("2025-11-28") && file.records[0].barcode.amount == Yen(8_600))
        do {
            _ = try ConvenienceFile.parse(Array("final,2025-11-29,0012,\(code)\nfinal,2025-11-31,0012,\(code)\n".utf8))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.line == 2 && error.position == 7)
        }
        #expect(throws: InterchangeError.self) { try ConvenienceFile.parse(Array("final,2025-11-29,0012\n".utf8)) }
        #expect(throws: InterchangeError.self) {
            try ConvenienceFile.parse(Array("later,2025-11-29,0012,\(code)\n".utf8))
        }
    }

    @Test func pensionFileLinesAndErrors() throws {
        let file = try PensionDeductionFile.parse(
            Array(
                "person,fiscal_year,month,paid_on,amount,status\n1001,2025,4,2025-04-15,12600,deducted\n1001,2025,10,2025-10-15,0,stopped\n"
                    .utf8))
        #expect(file.records.map(\.status) == [.deducted, .stopped])
        for (line, column) in [
            ("1001,2025,5,2025-05-15,100,deducted", 11), ("1001,2025,4,2025-04-15,0,deducted", 24),
            ("x,2025,4,2025-04-15,1,deducted", 1), ("1001,2025,4,2025-04-15,1,paid", 26),
        ] {
            do {
                _ = try PensionDeductionFile.parse(Array("\(line)\n".utf8))
                Issue.record("\(line) should be refused")
            } catch {
                #expect(error.line == 1 && error.position == column, "\(line): \(error)")
            }
        }
    }
}
