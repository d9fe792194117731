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
        #expect(run.stdout == "dunning run 2025-08-20: 1 notices to 1 persons, 9000 yen\n")
        let again = try session.koki("dunning", "run", "--on", "2025-08-20")
        #expect(again.stdout == "dunning run 2025-08-20: 0 notices to 0 persons, 0 yen\n")
        try session.koki("dunning", "run", "--on", "2025-09-22")

        let shown = try session.koki("arrears", "show", "2", "--on", "2025-10-15").lines
        #expect(shown[0] == "2 on 2025-10-15: 3 period(s) in arrears, 26200 yen, late fees 0 yen")
        #expect(shown[2].hasPrefix("  FY2025/1  2025-07-31  9000  76    0         2025-08-20"))
        #expect(shown[2].hasSuffix("2027-08-30"))
        let list = try session.koki("arrears", "list", "--on", "2025-10-15").lines
        #expect(list.count == 3 && list[1].hasPrefix("2 ") && list[2].hasPrefix("1 "))
        // Person 1 pays off; the list as the ledger knew it before still shows them.
        let before = String(try session.koki("head").stdout.split(separator: " ")[1])
        try session.koki("pay", "1", "--amount", "17200", "--paid-on", "2025-10-10")
        #expect(try session.koki("arrears", "list", "--on", "2025-10-15").lines.count == 2)
        #expect(try session.koki("arrears", "list", "--on", "2025-10-15", "--known-at", before).lines == list)

        let reminders = try session.koki(
            "reminders", "run", "--on", "2025-10-15", "--months-overdue", "2", "--minimum-owed", "10000")
        #expect(reminders.stdout == "reminder run 2025-10-15: 1 reminders, 17600 yen owed\n")

        let contact = try session.koki(
            "contact", "record", "2", "--on", "2025-10-20", "--method", "phone", "--content", "月末に払う", "--promise",
            "10/31 納付", "--promised-on", "2025-10-31")
        let number = String(contact.stdout.split(separator: " ")[1])
        try session.koki(
            "contact", "amend", "2", number, "--on", "2025-10-20", "--method", "phone", "--counterpart", "長男",
            "--content", "月末に払う", "--reason", "相手方の誤り")
        try session.koki("contact", "retract", "2", "x", "--reason", "y", status: 65)
        let contacts = try session.koki("contact", "list", "2").lines
        #expect(contacts.count == 3 && contacts[2].contains("長男: 月末に払う [相手方の誤り]"))

        let history = try session.koki("history", "2").lines
        #expect(history[0].hasPrefix("DATE"))
        #expect(
            history.contains {
                $0.contains("dunning") && $0.contains("督促状 FY2025/1 9000 yen, pay by 2025-09-03, fee 100")
            })
        #expect(history.last?.contains("contact") == true)
        #expect(history.last?.contains("op-arrears") == true)
        #expect(try session.koki("verify").stdout.hasPrefix("ok: "))
    }

    @Test func plansReductionsWriteOffAndClosing() throws {
        try session.koki("arrears", "settings", "adopt")
        let plan = try session.koki(
            "plan", "agree", "1", "--on", "2025-11-01", "--payments", "3", "--first", "2025-11-15", "--pledge")
        #expect(
            plan.lines[0].hasPrefix("plan a")
                && plan.lines[0].hasSuffix("FY2025/1 FY2025/2 FY2025/3 FY2025/4, pledge signed"))
        #expect(plan.lines.count == 4)
        let number = String(plan.lines[0].split(separator: " ")[1])
        let broken = try session.koki("plan", "check", "--on", "2025-12-20")
        #expect(broken.lines[0] == "plan check: 1 broken, 0 completed")
        try session.koki("plan", "cancel", "1", number, "--reason", "x", status: 65)  // no longer in force

        let reduced = try session.koki(
            "reduction", "decide", "2", "--applied-on", "2025-08-05", "--decided-on", "2025-08-25", "--reason", "災害",
            "--from", "2025-07-01", "--through", "2025-07-31", "--percent", "100")
        #expect(reduced.stdout.hasSuffix(": FY2025/1=9000\n"))
        try session.koki(
            "reduction", "decide", "2", "--applied-on", "2025-08-05", "--decided-on", "2025-08-25", "--reason", "x",
            "--from", "2025-07-01", "--through", "2025-07-31", status: 64)

        let closed = try session.koki("close-year", "--fiscal-year", "2025", "--on", "2026-06-01")
        #expect(closed.lines[0] == "FY2025 closed on 2026-05-31; carried forward:")
        #expect(closed.lines[2].hasPrefix("  2025  2"))
        // Person 1's pledge renewed periods 1–4 to 2027-11-01; the rest expire two years after their due
        // dates — after today, so a write-off cannot be decided yet: it is irreversible and never dated
        // ahead of the clock (the application tests write them off on their day).
        let ahead = try session.koki("prescription", "run", "--on", "2027-12-02", status: 65)
        #expect(ahead.stderr.contains("--on 2027-12-02 is outside the range of a decision day (2008-04-01 to "))
        let written = try session.koki("prescription", "run", "--on", "2026-12-01")
        #expect(written.stdout == "prescription run 2026-12-01: 0 periods of 0 persons written off, 0 yen\n")
        let history = try session.koki("history", "1").stdout
        #expect(history.contains("分納") && history.contains("broken") && !history.contains("不納欠損"))
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
        #expect(granted.stdout.hasPrefix("collection deferred (y"))
        #expect(granted.stdout.hasSuffix("from 2025-08-01 through 2025-10-31: FY2025/1, late fee halved\n"))
        let number = String(granted.stdout.split(separator: "(")[1].split(separator: ")")[0])
        let shown = try session.koki("arrears", "show", "1", "--on", "2025-09-10", "--explain").stdout
        #expect(shown.contains("徴収猶予 through 2025-10-31"))
        #expect(shown.contains("(徴収猶予: halved)") && shown.contains("deferred (徴収猶予) through 2025-10-31"))
        let ended = try session.koki("deferral", "end", "1", number, "--on", "2025-09-01")
        #expect(ended.stdout == "deferment \(number) of 1 ended on 2025-09-01: deferred 2025-08-01 to 2025-08-31\n")
        try session.koki("deferral", "end", "1", number, "--on", "2025-09-02", status: 65)
        let history = try session.koki("history", "1").stdout
        #expect(history.contains("徴収猶予 \(number) granted") && history.contains("徴収猶予 \(number) ended"))
    }
}
