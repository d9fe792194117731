import Foundation
import KokiTestSupport
import Testing

/// Collection through `koki`: payments, the account, cancellation, settlement and refund, a
/// bank-debit round trip through files, convenience stores, pension deductions, and the
/// calculators — each refusal exits 65 with nothing appended.
@Suite struct CollectionCommandLineTests {
    let session: LedgerSession

    init() throws {
        session = try LedgerSession(operator: "op-collect")
        for number in ["1", "2", "3"] {
            try session.koki(
                "person", "register", "--number", number, "--name", "松戸", "--kana", "マツド", "--birth-date", "1940-01-01",
                "--sex", "female", "--address", "松戸市")
            try session.koki(
                "eligibility", "acquire", "--number", number, "--reason", "reached-75", "--date", "2015-01-01")
            try session.koki(
                "income", "record", "--number", number, "--year", "2024", "--pension", "2000000", "--total", "900000",
                "--source", "税")
        }
        try session.koki(
            "income", "pension", "--number", "3", "--fiscal-year", "2025", "--annual-pension", "2000000",
            "--care-premium", "60000", "--previous-february", "12600")
        try session.koki("rates", "adopt", "--fiscal-year", "2025")
        try session.koki("calendar", "adopt", "--fiscal-year", "2025")
        try session.koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10")
    }

    var folder: TemporaryFolder { session.folder }

    func account(_ number: String) throws -> [String: Any] {
        try #require(
            JSONSerialization.jsonObject(with: Data(try session.koki("account", number, "--json").stdout.utf8))
                as? [String: Any])
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = folder.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func payCancelSettleAndRefund() throws {
        let paid = try session.koki(
            "pay", "1", "--amount", "10000", "--paid-on", "2025-07-25", "--fiscal-year", "2025", "--period", "1")
        #expect(paid.lines.count == 3)
        #expect(paid.lines[1] == "  令和7年度 第1期  9,000円")
        #expect(paid.lines[2] == "  過誤納 1,000円（還付または充当へ）")
        // 「収納番号 NUMBER：1 から 10,000円（…）」
        let number = try #require(paid.lines[0].firstMatch(of: /^収納番号 ([^：]+)：/).map { String($0.1) })
        var totals = try #require(try account("1")["totals"] as? [String: Int])
        #expect(totals["paid"] == 9_000 && totals["outstanding"] == 68_800)

        // Refusals name what is wrong and append nothing.
        let head = try session.koki("head").stdout
        let noPeriod = try session.koki(
            "pay", "1", "--amount", "100", "--paid-on", "2025-07-25", "--fiscal-year", "2025", "--period", "11",
            status: 65)
        #expect(noPeriod.stderr.contains("no period 11 in FY2025"))
        try session.koki("pay", "1", "--amount", "100", "--paid-on", "2025-07-25", "--period", "2", status: 64)
        try session.koki("pay", "cancel", "1", "p-none", "--reason", "x", status: 65)
        #expect(try session.koki("head").stdout == head)

        let unspecified = try session.koki(
            "pay", "1", "--amount", "17200", "--paid-on", "2025-09-01", "--channel", "smartphone")
        #expect(unspecified.lines.dropFirst() == ["  令和7年度 第2期  8,600円", "  令和7年度 第3期  8,600円"])
        let second = try #require(unspecified.lines[0].firstMatch(of: /^収納番号 ([^：]+)：/).map { String($0.1) })
        try session.koki("pay", "cancel", "1", second, "--reason", "二重計上", "--on", "2025-09-02")
        totals = try #require(try account("1")["totals"] as? [String: Int])
        #expect(totals["paid"] == 9_000)

        let settled = try session.koki("refund", "settle", "--on", "2025-08-15")
        #expect(settled.lines.last == "令和7年8月15日：1人の過誤納を整理しました")
        #expect(settled.stdout.contains("1 還付 r"))
        let list = try session.koki("refund", "list").lines
        #expect(list.count == 2 && list[1].hasPrefix("1             還付決定"), "\(list)")
        let refund = String(list[1].split(separator: " ", omittingEmptySubsequences: true)[2])
        try session.koki("refund", "pay", "1", refund, "--on", "2025-08-20")
        #expect(try session.koki("refund", "list").lines.count == 1)
        let overpayments = try #require(try account("1")["overpayments"] as? [[String: Any]])
        #expect(overpayments.first?["id"] as? String == number)
        #expect(overpayments.first?["refunded"] as? Int == 1_000)
        #expect(try session.koki("verify").stdout.hasPrefix("ok: "))
    }

    @Test func aBankDebitRoundTripThroughFiles() throws {
        try session.koki(
            "debit", "start", "1", "--bank", "0005", "--branch", "123", "--account", "7654321", "--holder", "マツド　ハナコ",
            "--from", "2025-07-01")
        let originator = try write(
            "originator.json",
            #"{"code": "1234567890", "name": "ﾏﾂﾄﾞｼ", "bankCode": "0001", "branchCode": "001", "accountType": 1, "accountNumber": "1234567"}"#
        )
        let request = folder.path("request.txt")
        let exported = try session.koki(
            "debit", "export", "--date", "2025-09-30", "--originator", originator, "--out", request)
        #expect(exported.stdout == "口座振替依頼 令和7年9月30日：1件、8,600円 → \(request)\n")
        // The payer's bank account left in the file: recorded as read, with why.
        let audit = try session.koki("audit", "log", "--command", "debit export").stdout
        #expect(audit.contains("debit request 2025-09-30") && audit.contains(" 閲覧 "), "\(audit)")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: request)))
        #expect(bytes.count == 4 * 122)
        // The bank answers: debited (code 0), with the trailer's debited totals.
        let trailer = 2 * 122
        bytes.replaceSubrange((trailer + 19)..<(trailer + 37), with: Array("000001000000008600".utf8))
        let result = folder.path("result.txt")
        try Data(bytes).write(to: URL(fileURLWithPath: result))
        // A damaged copy is refused with its line and byte, and nothing is appended.
        var damaged = bytes
        damaged[122 + 111] = UInt8(ascii: "6")
        let bad = folder.path("bad.txt")
        try Data(damaged).write(to: URL(fileURLWithPath: bad))
        let head = try session.koki("head").stdout
        let refused = try session.koki("debit", "import", bad, status: 65)
        #expect(refused.stderr.contains("line 2, byte 112: 振替結果コード 6"))
        #expect(try session.koki("head").stdout == head)

        let imported = try session.koki("debit", "import", result, "--learned-on", "2025-10-03")
        #expect(imported.stdout == "口座振替結果：1件、収納 1件（8,600円）\n")
        try session.koki("debit", "import", result, status: 65)
        let periods = try #require(try account("1")["periods"] as? [[String: Any]])
        #expect(periods[2]["paid"] as? Int == 8_600)
        let payments = try #require(try account("1")["payments"] as? [[String: Any]])
        #expect(payments.map { $0["channel"] as? String } == ["bankDebit"])
    }

    @Test func convenienceStoresAndPensionDeductions() throws {
        let barcode = try session.koki(
            "konbini", "slip", "2", "--fiscal-year", "2025", "--period", "5", "--issuer", "912345"
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(barcode.count == 44)
        let file = try write(
            "cvs.csv", "kind,paid_on,store,barcode\npreliminary,2025-11-28,001,\(barcode)\n")
        try session.koki("konbini", "import", file, "--learned-on", "2025-11-29")
        let pending = try session.koki("konbini", "pending", "--older-than", "3", "--on", "2025-12-05").lines
        #expect(pending.count == 2 && pending[1].hasPrefix("2             令和7年度 第5期       8,600"), "\(pending)")
        let final = try write("cvs2.csv", "final,2025-11-28,001,\(barcode)\n")
        try session.koki("konbini", "import", final, "--learned-on", "2025-12-01")
        #expect(try session.koki("konbini", "pending", "--older-than", "3", "--on", "2025-12-05").lines.count == 1)

        let pension = try write(
            "pension.csv",
            "person,fiscal_year,month,paid_on,amount,status\n3,2025,4,2025-04-15,12600,deducted\n3,2025,6,2025-06-13,12600,deducted\n3,2025,8,2025-08-15,0,stopped\n"
        )
        let imported = try session.koki("pension", "import", pension, "--learned-on", "2025-08-20")
        #expect(imported.stdout == "特別徴収結果：3件、収納 2件（25,200円）、中止 1件\n")
        let shown = try session.koki("premium", "show", "3", "--fiscal-year", "2025").lines
        #expect(shown[0] == "3 令和7年度：年額 77,800円、普通徴収")
        #expect(shown.last?.contains("徴収方法の変更") == true, "\(shown)")
    }

    /// 仮徴収 before April: person 3, deducted in February 2026 (13,300 yen), is decided for
    /// FY2026 and the request for the insurer written; on 1 April, on a Saturday or over an
    /// existing file it is refused with nothing appended; a second run decides nobody again and
    /// writes nothing.
    @Test func theProvisionalDeductionIsDecidedBeforeApril() throws {
        let head = try session.koki("head").stdout
        let out = folder.path("provisional.csv")
        let run = ["pension", "provisional", "--fiscal-year", "2026", "--out", out, "--on"]
        let late = try session.koki(run + ["2026-04-01"], status: 65)
        #expect(late.stderr.contains("decided before it begins (by 2026-03-31)"))
        let saturday = try session.koki(run + ["2026-02-21"], status: 65)
        #expect(saturday.stderr.contains("the next is 2026-02-24"))
        let taken = try write("taken.csv", "mine\n")
        try session.koki(
            "pension", "provisional", "--fiscal-year", "2026", "--out", taken, "--on", "2026-02-20", status: 65)
        #expect(try String(contentsOfFile: taken, encoding: .utf8) == "mine\n")
        #expect(try session.koki("head").stdout == head)
        #expect(!FileManager.default.fileExists(atPath: out))
        let decided = try session.koki(run + ["2026-02-20"])
        #expect(
            decided.stdout
                == "仮徴収 令和8年度 令和8年2月20日決定：1人、月額 計13,300円 → \(out)\n")
        #expect(
            try String(contentsOfFile: out, encoding: .utf8)
                == "person,fiscal_year,month,amount\n3,2026,4,13300\n3,2026,6,13300\n3,2026,8,13300\n")
        let again = try session.koki(
            "pension", "provisional", "--fiscal-year", "2026", "--out", folder.path("again.csv"), "--on", "2026-02-20")
        #expect(again.stdout.hasSuffix("：0人、月額 計0円、ファイルは作成していません\n"), "\(again.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("again.csv")))
        #expect(try session.koki("history", "3").stdout.contains("仮徴収 令和8年度：4月・6月・8月に各13,300円"))
    }

    @Test func theCalculatorsPrintEveryFigure() throws {
        let fee = try KokiProcess.run([
            "calc", "late-fee", "--principal", "50000", "--due", "2025-07-31", "--payment", "2025-10-15:20000",
            "--payment", "2026-01-20:30000",
        ])
        #expect(fee.status == 0)
        #expect(
            fee.lines == [
                "principal 50000, due 2025-07-31, reduced-rate window to 2025-08-31",
                "  2025-08-01 … 2025-08-31  31 days × 50000 × 2.40% / 365 = 101",
                "  2025-09-01 … 2025-10-15  45 days × 50000 × 8.70% / 365 = 536",
                "  2025-10-16 … 2025-12-31  77 days × 30000 × 8.70% / 365 = 550",
                "  2026-01-01 … 2026-01-20  20 days × 30000 × 9.10% / 365 = 149",
                "  sum 1336 → cut to 100 yen, nothing under 1,000 → 1300",
                "late fee 1300円 (final: paid off on 2026-01-20)",
            ])
        let three = try KokiProcess.run([
            "calc", "late-fee", "--principal", "50000", "--due", "2025-07-31", "--payment", "2026-03-16:50000",
            "--window-months", "3", "--json",
        ])
        let json = try #require(JSONSerialization.jsonObject(with: Data(three.stdout.utf8)) as? [String: Any])
        #expect(json["fee"] as? Int == 1_900)
        let interest = try KokiProcess.run([
            "calc", "refund-interest", "--amount", "100000", "--cause", "overpaid", "--arose", "2025-07-31", "--end",
            "2026-06-30",
        ])
        #expect(interest.lines.last == "refund interest 1000円")
        #expect(interest.lines.contains("  2026-01-01 … 2026-06-30  181 days × 100000 × 1.30% / 365 = 644"))
        let beyond = try KokiProcess.run([
            "calc", "late-fee", "--principal", "50000", "--due", "2026-11-30", "--through", "2027-02-01",
        ])
        #expect(beyond.status == 65)
        #expect(beyond.stderr.contains("no late-fee / refund-interest rates for 2027"))
    }

    @Test func accountsAsKnownThenAndAsTheyStoodThen() throws {
        try session.koki("pay", "1", "--amount", "9000", "--paid-on", "2025-07-25")
        let head = try session.koki("head").stdout.split(separator: " ")[1]
        // Recorded later, but paid back on 2025-08-10.
        try session.koki("pay", "1", "--amount", "8600", "--paid-on", "2025-08-10", "--learned-on", "2025-09-15")
        func paid(_ extra: String...) throws -> Int? {
            let text = try session.koki(["account", "1", "--json"] + extra).stdout
            let json = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            return (json["totals"] as? [String: Int])?["paid"]
        }
        #expect(try paid() == 17_600)
        #expect(try paid("--known-at", String(head)) == 9_000)
        #expect(try paid("--as-of", "2025-08-01") == 9_000)
        #expect(try paid("--as-of", "2025-08-10") == 17_600)
        #expect(try paid("--known-at", String(head), "--as-of", "2025-08-10") == 9_000)
        let history = try session.koki("history", "1", "--as-of", "2025-08-01").stdout
        #expect(history.contains("9,000円") && !history.contains("8,600円 "), "\(history)")
        try session.koki("account", "1", "--known-at", "yesterday", status: 64)
    }
}
