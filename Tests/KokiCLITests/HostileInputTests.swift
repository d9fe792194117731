import Foundation
import GRDB
import KokiTestSupport
import Testing

/// Input as an attacker or a careless clerk types it: every amount-taking command and
/// calculator fed the extremes of `Int64` and seeded random values, dates far outside the
/// system's life, irreversible decisions dated ahead of the clock, control characters and
/// overlong text. Each answer is 0 or a refusal (65, or 64 for a malformed date) naming the
/// option — never a trap (132, 133, 134, 139) — and a refusal appends nothing.
@Suite struct HostileInputTests {
    let session: LedgerSession

    init() throws {
        session = try LedgerSession(operator: "op-hostile")
        try session.assessedPerson()
    }

    /// The ledger's last position, read from the file (a `koki head` process per check would
    /// double the sweep's time).
    func head() throws -> Int64 {
        try DatabaseQueue(path: session.folder.path("session.ledger")).read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(position), 0) FROM koki_events") ?? 0
        }
    }

    /// The extremes, the edges of the documented ranges, and seeded random values.
    static let amounts: [String] = {
        var values: [Int64] = [
            .max, .min, -1, 0, 100_000_000_000, 100_000_000_001, 1_000_000_000_001, -1_000_000_000_001,
        ]
        var random = SeededGenerator(seed: 20)
        for _ in 0..<2 { values.append(Int64.random(in: .min ... .max, using: &random)) }
        return values.map(String.init)
    }()

    /// Every command that takes an amount from a person, with `{}` where the amount goes (as
    /// `--option=VALUE`, so a negative value is not read as an option).
    static let amountCommands: [[String]] = [
        ["pay", "1", "--amount={}", "--paid-on", "2025-07-25"],
        ["income", "record", "--number", "1", "--year", "2024", "--pension={}", "--total", "0", "--source", "x"],
        ["income", "record", "--number", "1", "--year", "2024", "--salary={}", "--total", "0", "--source", "x"],
        ["income", "record", "--number", "1", "--year", "2024", "--total={}", "--source", "x"],
        ["income", "record", "--number", "1", "--year", "2024", "--total", "0", "--taxable={}", "--source", "x"],
        [
            "income", "pension", "--number", "1", "--fiscal-year", "2025", "--annual-pension={}",
            "--care-premium", "60000",
        ],
        [
            "income", "pension", "--number", "1", "--fiscal-year", "2025", "--annual-pension", "2000000",
            "--care-premium={}", "--previous-february={}",
        ],
        ["calc", "premium", "--fiscal-year", "2025", "--pension-revenue={}"],
        ["calc", "premium", "--fiscal-year", "2025", "--other-income={}"],
        ["calc", "premium", "--fiscal-year", "2025", "--total-income={}"],
        ["calc", "late-fee", "--principal={}", "--due", "2025-07-31", "--through", "2026-03-31"],
        [
            "calc", "late-fee", "--principal", "10000", "--due", "2025-07-31", "--payment", "2025-09-01:{}",
        ],
        [
            "calc", "refund-interest", "--amount={}", "--cause", "overpaid", "--arose", "2025-07-31", "--end",
            "2026-03-31",
        ],
        ["unmatched", "record", "--amount={}", "--paid-on", "2025-07-25", "--reason", "no name"],
        ["reminders", "run", "--on", "2025-12-01", "--minimum-owed={}"],
        ["calc", "copay", "--member", "1:taxable={}", "--on", "2025-08-01"],
    ]

    @Test func anyAmountIsRecordedOrRefusedNeverATrap() throws {
        for template in Self.amountCommands {
            for amount in Self.amounts {
                let arguments = template.map { $0.replacingOccurrences(of: "{}", with: amount) }
                let before = try head()
                let outcome = try KokiProcess.run(arguments, environment: session.env)
                let line = arguments.joined(separator: " ")
                #expect([0, 65].contains(outcome.status), "koki \(line): \(outcome.status) \(outcome.stderr)")
                if outcome.status == 65 {
                    #expect(outcome.stderr.hasPrefix("koki: エラー: "), "koki \(line): \(outcome.stderr)")
                    // A refusal appends nothing (reads that are recorded are not refusals).
                    #expect(try head() == before, "koki \(line) appended after refusing")
                }
                if let value = Int64(amount), value > 1_000_000_000_000 || value < -1_000_000_000_000 {
                    #expect(outcome.status == 65, "koki \(line) accepted \(amount)")
                    #expect(outcome.stderr.contains("の範囲（") || outcome.stderr.contains("outside the range of 収入"), "koki \(line): \(outcome.stderr)")
                }
            }
        }
    }

    @Test func theCalculatorNamesTheRangeForAHugeRevenue() throws {
        let outcome = try session.koki(
            ["calc", "premium", "--fiscal-year", "2025", "--pension-revenue", "9223372036854775807"], status: 65)
        #expect(
            outcome.stderr
                == "koki: エラー: --pension-revenue 9223372036854775807 は収入の範囲（0〜1,000,000,000,000円）の外です\n"
        )
    }

    @Test func datesOutsideTheSystemsLifeAreRefused() throws {
        let before = try head()
        // A payment before the system began or in the future.
        for day in ["2008-03-31", "1900-01-01", "2099-01-01"] {
            let paid = try session.koki(
                ["pay", "1", "--amount", "1000", "--paid-on", day], status: 65)
            #expect(paid.stderr.contains("「納付日」(--paid-on) \(day) は納付日の範囲"), "\(paid.stderr)")
        }
        // A birth before 明治 cannot even be typed; one in the future is refused by the field.
        try session.koki(
            [
                "person", "register", "--number", "2", "--name", "a", "--kana", "ア", "--birth-date", "1800-01-01",
                "--sex", "male", "--address", "x",
            ], status: 64)
        let future = try session.koki(
            [
                "person", "register", "--number", "2", "--name", "a", "--kana", "ア", "--birth-date", "2090-01-01",
                "--sex", "male", "--address", "x",
            ], status: 65)
        #expect(future.stderr.contains("「生年月日」(--birth-date) 2090-01-01 は生年月日の範囲"))
        // Person number 0 names no one.
        try session.koki(["account", "0"], status: 64)
        try session.koki(["account", "0000"], status: 64)
        #expect(try head() == before)
    }

    @Test func irreversibleDecisionsAreNotDatedAheadOfTheClock() throws {
        let before = try head()
        let erase = try session.koki(["erase", "1", "--on", "2031-01-01"], status: 65)
        #expect(erase.stderr.contains("「処理日」(--on) 2031-01-01 は処理日の範囲"), "\(erase.stderr)")
        let prescription = try session.koki(["prescription", "run", "--on", "2030-06-01"], status: 65)
        #expect(prescription.stderr.contains("「処理日」(--on) 2030-06-01 は処理日の範囲"))
        let close = try session.koki(["close-year", "--fiscal-year", "2029", "--on", "2030-06-01"], status: 65)
        #expect(close.stderr.contains("「処理日」(--on) 2030-06-01 は処理日の範囲"))
        #expect(try head() == before)
        // Listing who will be due may look ahead: it decides nothing.
        try session.koki(["erase", "--due", "--on", "2031-01-01"])
    }

    @Test func controlCharactersAndOverlongTextAreRefusedAndEscapedOnOutput() throws {
        let before = try head()
        let escape = try session.koki(
            [
                "person", "register", "--number", "3", "--name", "A\u{1B}[2JB", "--kana", "ア", "--birth-date",
                "1940-01-01", "--sex", "male", "--address", "x",
            ], status: 65)
        #expect(escape.stderr.contains("「氏名」(--name) の値に制御文字 U+001B"), "\(escape.stderr)")
        try session.koki(
            ["pay", "1", "--amount", "1000", "--paid-on", "2025-07-25", "--reference", "a\u{7F}b"], status: 65)
        let long = try session.koki(
            [
                "pay", "1", "--amount", "1000", "--paid-on", "2025-07-25", "--reference",
                String(repeating: "x", count: 100_000),
            ], status: 65)
        #expect(long.stderr.contains("「領収番号」(--reference) の値は100000文字あります"), "\(long.stderr)")
        let reference = try session.koki(
            [
                "pay", "1", "--amount", "1000", "--paid-on", "2025-07-25", "--reference",
                String(repeating: "x", count: 65),
            ], status: 65)
        #expect(reference.stderr.contains("「領収番号」(--reference) は65文字あります：64文字まで"))
        let tab = try session.koki(
            [
                "person", "register", "--number", "3", "--name", "A\tB", "--kana", "ア", "--birth-date", "1940-01-01",
                "--sex", "male", "--address", "x",
            ], status: 65)
        #expect(tab.stderr.contains("「氏名」(--name) に制御文字 U+0009"))
        #expect(try head() == before)
    }

    @Test func aPaymentToAnErasedPersonIsRefused() throws {
        // A person whose eligibility ended long ago, with nothing open: erased after retention.
        try session.koki(
            "person", "register", "--number", "4", "--name", "消去", "--kana", "ショウキョ", "--birth-date", "1933-04-01",
            "--sex", "male", "--address", "松戸市")
        try session.koki("eligibility", "acquire", "--number", "4", "--reason", "reached-75", "--date", "2008-04-01")
        try session.koki("eligibility", "lose", "--number", "4", "--reason", "died", "--date", "2010-01-01")
        try session.koki("erase", "4")
        // Once erased, no longer due: the register knows who was erased.
        #expect(try session.koki("erase", "--due").lines.allSatisfy { !$0.hasPrefix("4 ") })
        let before = try head()
        let paid = try session.koki(["pay", "4", "--amount", "1000", "--paid-on", "2025-07-25"], status: 65)
        #expect(paid.stderr.contains("4 was erased on"), "\(paid.stderr)")
        #expect(paid.stderr.contains("record it as unmatched money"))
        #expect(try head() == before)
    }
}
