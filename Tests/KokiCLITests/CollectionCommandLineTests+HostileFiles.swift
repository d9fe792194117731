import Foundation
import KokiTestSupport
import Testing

/// The import attacks end to end: the city's debit request handed to `debit import` with its
/// line endings changed (or removed), a result missing a record, hostile store, pension and
/// union files — each exits 65 naming the line, and `koki head` does not move.
extension CollectionCommandLineTests {
    func exportRequest(_ payers: [String]) throws -> [UInt8] {
        for number in payers {
            try session.koki(
                "debit", "start", number, "--bank", "0005", "--branch", "123", "--account", "765432\(number)",
                "--holder", "マツド　ハナコ", "--from", "2025-07-01")
        }
        let originator = try write(
            "originator.json",
            #"{"code": "1234567890", "name": "ﾏﾂﾄﾞｼ", "bankCode": "0001", "branchCode": "001", "accountType": 1, "accountNumber": "1234567"}"#
        )
        let request = folder.path("request.txt")
        try session.koki("debit", "export", "--date", "2025-09-30", "--originator", originator, "--out", request)
        return Array(try Data(contentsOf: URL(fileURLWithPath: request)))
    }

    func writeBytes(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = folder.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theRequestSentBackAsTheResultExits65() throws {
        let request = try exportRequest(["1", "2"])
        #expect(request.count == 5 * 122)
        let records = stride(from: 0, to: request.count, by: 122).map { Array(request[$0..<($0 + 120)]) }
        let head = try session.koki("head").stdout
        let variants: [(String, [UInt8])] = [
            ("crlf", request), ("lf", records.flatMap { $0 + [0x0A] }), ("none", records.flatMap { $0 }),
        ]
        for (name, bytes) in variants {
            let refused = try session.koki("debit", "import", try writeBytes("back-\(name).txt", bytes), status: 65)
            #expect(refused.stderr.contains("line 4, byte 20: 振替済 0 / 0"), "\(name): \(refused.stderr)")
            #expect(
                refused.stderr.contains("the debit request koki wrote for 2025-09-30"), "\(name): \(refused.stderr)")
        }
        // The bank's result with one of the two records left out.
        var result = records
        result[3].replaceSubrange(0..<55, with: Array("8000001000000008600000001000000008600000000000000000000".utf8))
        result.remove(at: 2)
        let short = try session.koki(
            "debit", "import", try writeBytes("short.txt", result.flatMap { $0 + [0x0D, 0x0A] }), status: 65)
        #expect(short.stderr.contains("line 3, byte 2: 合計件数 1 but the request of 2025-09-30 asked for 2 debits"))
        #expect(short.stderr.contains("00000000000002202503"))
        #expect(try session.koki("head").stdout == head)
    }

    @Test func hostileStorePensionAndUnionFilesExit65() throws {
        let barcode = try session.koki(
            "konbini", "slip", "2", "--fiscal-year", "2025", "--period", "5", "--issuer", "912345"
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let head = try session.koki("head").stdout
        let stores: [(String, String)] = [
            ("", "line 1, byte 1: the file has no record"),
            ("kind,paid_on,store,barcode\n", "line 2, byte 1: the file has its header and no record"),
            ("final,1900-01-01,001,\(barcode)\n", "line 1, byte 7: paid_on 1900-01-01 is outside 2008-04-01…"),
            ("final,2099-01-01,001,\(barcode)\n", "line 1, byte 7: paid_on 2099-01-01 is outside 2008-04-01…"),
            ("final,2025-11-28,0\u{0}01,\(barcode)\n", "line 1, byte 19: control character U+0000"),
        ]
        for (index, (text, message)) in stores.enumerated() {
            let refused = try session.koki("konbini", "import", try write("s\(index).csv", text), status: 65)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
        }
        let pensions: [(String, String)] = [
            ("", "the file has no record"),
            ("3,2099,4,2099-04-15,12600,deducted\n", "line 1, byte 10: paid_on 2099-04-15 is outside"),
        ]
        for (index, (text, message)) in pensions.enumerated() {
            let refused = try session.koki("pension", "import", try write("p\(index).csv", text), status: 65)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
        }
        // The union's decisions: empty, header only, a NUL, a transfer's JSON given instead.
        let unions: [(String, String)] = [
            ("", "line 1: expected the header"),
            (
                "number,decision,amount,decided_on,paid_on,reference,reason\n",
                "line 2: the file has its header and no decision"
            ),
            (
                "number,decision,amount,decided_on,paid_on,reference,reason\nB1,approved,1,2025-07-20,,R\u{0},\n",
                "line 2, column 28: control character U+0000"
            ),
            ("{\"kind\":\"benefitApplication\"}\n", "this is JSON"),
        ]
        for (index, (text, message)) in unions.enumerated() {
            let refused = try session.koki("benefit", "decisions", try write("u\(index).csv", text), status: 65)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
        }
        #expect(try session.koki("head").stdout == head)
        // A deduction given twice is recorded once and reported.
        let twice = try write(
            "twice.csv", "3,2025,4,2025-04-15,12600,deducted\n3,2025,4,2025-04-15,12600,deducted\n")
        let imported = try session.koki("pension", "import", twice, "--learned-on", "2025-05-01")
        #expect(imported.stdout.hasPrefix("特別徴収結果：2件、収納 1件（12,600円）"), "\(imported.stdout)")
        #expect(imported.stdout.contains("重複のため無視：line 2: deduction of 12600 yen"))
    }
}
