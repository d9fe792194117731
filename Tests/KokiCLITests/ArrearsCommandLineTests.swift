import Foundation
import KokiTestSupport
import Testing

/// Arrears through `koki`: settings, dunning and reminder runs, the arrears of a person, the
/// delinquent list, contacts and the history.
@Suite struct ArrearsCommandLineTests {
    let session: LedgerSession

    init() throws {
        session = try LedgerSession(operator: "op-arrears")
        for number in ["1", "2"] {
            try session.koki(
                "person", "register", "--number", number, "--name", "松戸", "--kana", "マツド", "--birth-date",
                "1940-01-01", "--sex", "female", "--address", "松戸市")
            try session.koki(
                "eligibility", "acquire", "--number", number, "--reason", "reached-75", "--date", "2015-01-01")
            try session.koki(
                "income", "record", "--number", number, "--year", "2024", "--pension", "2000000", "--total", "900000",
                "--source", "税")
        }
        try session.koki("rates", "adopt", "--fiscal-year", "2025")
        try session.koki("calendar", "adopt", "--fiscal-year", "2025")
        try session.koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10")
    }

    @Test func dunningRemindersContactsAndHistory() throws {
        let refused = try session.koki("dunning", "run", "--on", "2025-08-20", status: 65)
        #expect(refused.stderr.contains("no arrears settings adopted"))
        let settings = session.folder.path("arrears.json")
        try Data(#"{"payByDays": 14, "dunningFee": 100}"#.utf8).write(to: URL(fileURLWithPath: settings))
        try session.koki("arrears", "settings", "adopt", "--file", settings)
        #expect(try session.koki("arrears", "settings", "show").stdout.contains(#""payByDays" : 14"#))
        try session.koki(
            "pay", "1", "--amount", "9000", "--paid-on", "2025-07-31", "--fiscal-year", "2025", "--period", "1")

        let run = try session.koki("dunning", "run", "--on", "2025-08-20")
        #expect(run.stdout == "督促 令和7年8月20日：督促状 1件（1人）、9,000円\n")
        let again = try session.koki("dunning", "run", "--on", "2025-08-20")
        #expect(again.stdout == "督促 令和7年8月20日：督促状 0件（0人）、0円\n")
        try session.koki("dunning", "run", "--on", "2025-09-22")

        let shown = try session.koki("arrears", "show", "2", "--on", "2025-10-15").lines
        #expect(shown[0] == "2 令和7年10月15日現在：滞納 3期 26,200円、延滞金 0円")
        #expect(
            shown[2].hasPrefix("  令和7年度 第1期  令和7年7月31日         9,000        76             0  令和7年8月20日"),
            "\(shown[2])")
        #expect(shown[2].hasSuffix("令和9年8月30日"))
        let list = try session.koki("arrears", "list", "--on", "2025-10-15").lines
        #expect(list.count == 3 && list[1].hasPrefix("2 ") && list[2].hasPrefix("1 "))
        // Person 1 pays off; the list as the ledger knew it before still shows them.
        let before = String(try session.koki("head").stdout.split(separator: " ")[1])
        try session.koki("pay", "1", "--amount", "17200", "--paid-on", "2025-10-10")
        #expect(try session.koki("arrears", "list", "--on", "2025-10-15").lines.count == 2)
        #expect(try session.koki("arrears", "list", "--on", "2025-10-15", "--known-at", before).lines == list)

        let reminders = try session.koki(
            "reminders", "run", "--on", "2025-10-15", "--months-overdue", "2", "--minimum-owed", "10000")
        #expect(reminders.stdout == "催告 令和7年10月15日：催告書 1件、滞納額 17,600円\n")

        let contact = try session.koki(
            "contact", "record", "2", "--on", "2025-10-20", "--method", "phone", "--content", "月末に払う", "--promise",
            "10/31 納付", "--promised-on", "2025-10-31")
        // 「2 の折衝記録 NUMBER を記録しました」
        let number = String(contact.stdout.split(separator: " ")[2])
        try session.koki(
            "contact", "amend", "2", number, "--on", "2025-10-20", "--method", "phone", "--counterpart", "長男",
            "--content", "月末に払う", "--reason", "相手方の誤り")
        try session.koki("contact", "retract", "2", "x", "--reason", "y", status: 65)
        let contacts = try session.koki("contact", "list", "2").lines
        #expect(contacts.count == 3 && contacts[2].contains("長男：月末に払う［相手方の誤り］"), "\(contacts)")

        let history = try session.koki("history", "2").lines
        #expect(history[0].hasPrefix("日付"))
        #expect(
            history.contains {
                $0.contains("督促  ") && $0.contains("督促状 令和7年度 第1期 9,000円、指定期限令和7年9月3日、督促手数料100円")
            }, "\(history)")
        #expect(history.last?.contains("折衝") == true)
        #expect(history.last?.contains("op-arrears") == true)
        #expect(try session.koki("verify").stdout.hasPrefix("ok: "))
    }

    @Test func plansReductionsWriteOffAndClosing() throws {
        try session.koki("arrears", "settings", "adopt")
        let plan = try session.koki(
            "plan", "agree", "1", "--on", "2025-11-01", "--payments", "3", "--first", "2025-11-15", "--pledge")
        #expect(
            plan.lines[0].hasPrefix("分納 a")
                && plan.lines[0].hasSuffix("令和7年度 第1期、令和7年度 第2期、令和7年度 第3期、令和7年度 第4期（誓約書あり）"),
            "\(plan.lines[0])")
        #expect(plan.lines.count == 4)
        let number = String(plan.lines[0].split(separator: " ")[1])
        let broken = try session.koki("plan", "check", "--on", "2025-12-20")
        #expect(broken.lines[0] == "分納の点検：不履行 1件、完了 0件")
        try session.koki("plan", "cancel", "1", number, "--reason", "x", status: 65)  // no longer in force

        let reduced = try session.koki(
            "reduction", "decide", "2", "--applied-on", "2025-08-05", "--decided-on", "2025-08-25", "--reason", "災害",
            "--from", "2025-07-01", "--through", "2025-07-31", "--percent", "100")
        #expect(reduced.stdout.hasSuffix("：令和7年度 第1期 9,000円\n"))
        try session.koki(
            "reduction", "decide", "2", "--applied-on", "2025-08-05", "--decided-on", "2025-08-25", "--reason", "x",
            "--from", "2025-07-01", "--through", "2025-07-31", status: 64)

        let closed = try session.koki("close-year", "--fiscal-year", "2025", "--on", "2026-06-01")
        #expect(closed.lines[0] == "令和7年度の出納閉鎖 令和8年5月31日：滞納繰越")
        #expect(closed.lines[2].hasPrefix("  令和7年度  2"), "\(closed.lines)")
        // Person 1's pledge renewed periods 1–4 to 2027-11-01; the rest expire two years after their due
        // dates — after today, so a write-off cannot be decided yet: it is irreversible and never dated
        // ahead of the clock (the application tests write them off on their day).
        let ahead = try session.koki("prescription", "run", "--on", "2027-12-02", status: 65)
        #expect(ahead.stderr.contains("「処理日」(--on) 2027-12-02 は処理日の範囲（2008-04-01〜"))
        let written = try session.koki("prescription", "run", "--on", "2026-12-01")
        #expect(written.stdout == "時効 令和8年12月1日：不納欠損 0期（0人）、0円\n")
        let history = try session.koki("history", "1").stdout
        #expect(history.contains("分納") && history.contains("不履行") && !history.contains("不納欠損"))
        #expect(try session.koki("verify").stdout.hasPrefix("ok: "))
    }

    /// 徴収猶予 through `koki deferral`: a closed decision day or last day, an unknown reason, a
    /// deferment longer than the settings allow are refused with nothing appended; one granted
    /// shows on the arrears of the person and in the history, and ends early.
    @Test func deferralGrantShowAndEnd() throws {
        try session.koki("arrears", "settings", "adopt")
        let head = try session.koki("head").stdout
        let grant = ["deferral", "grant", "1", "--period", "2025/1", "--reason", "illness"]
        let saturday = try session.koki(
            grant + ["--on", "2025-08-02", "--from", "2025-08-02", "--through", "2025-10-31"], status: 65)
        #expect(saturday.stderr.contains("2025-08-02") && saturday.stderr.contains("the next is 2025-08-04"))
        let closedEnd = try session.koki(
            grant + ["--on", "2025-08-01", "--from", "2025-08-01", "--through", "2025-11-01"], status: 65)
        #expect(closedEnd.stderr.contains("the last day of a deferment"))
        let long = try session.koki(
            grant + ["--on", "2025-08-01", "--from", "2025-08-01", "--through", "2026-03-02"], status: 65)
        #expect(long.stderr.contains("at most 6 months"))
        try session.koki(
            "deferral", "grant", "1", "--period", "2025/1", "--reason", "boredom", "--on", "2025-08-01", "--from",
            "2025-08-01", "--through", "2025-10-31", status: 64)
        #expect(try session.koki("head").stdout == head)
        let granted = try session.koki(
            grant + ["--on", "2025-08-01", "--from", "2025-08-01", "--through", "2025-10-31"])
        #expect(granted.stdout.hasPrefix("徴収猶予 y"))
        #expect(granted.stdout.hasSuffix("令和7年8月1日〜令和7年10月31日、令和7年度 第1期、延滞金は2分の1免除\n"))
        let number = String(granted.stdout.split(separator: " ")[1])
        let shown = try session.koki("arrears", "show", "1", "--on", "2025-09-10", "--explain").stdout
        #expect(shown.contains("徴収猶予（期限） 令和7年10月31日"))
        #expect(shown.contains("（徴収猶予：2分の1免除）") && shown.contains("徴収猶予（令和7年10月31日まで）：その間は進行しない"))
        let ended = try session.koki("deferral", "end", "1", number, "--on", "2025-09-01")
        #expect(ended.stdout == "徴収猶予 \(number) 1：令和7年9月1日に終了、猶予期間 令和7年8月1日〜令和7年8月31日\n")
        try session.koki("deferral", "end", "1", number, "--on", "2025-09-02", status: 65)
        let history = try session.koki("history", "1").stdout
        #expect(history.contains("徴収猶予 \(number) 許可") && history.contains("徴収猶予 \(number) 終了"))
    }
}
