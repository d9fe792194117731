import Foundation
import KokiTestSupport
import Testing

/// Assessment through `koki`: adopt the year's rules, run, correct an input, run again.
@Suite struct AssessmentCommandLineTests {
    let session: LedgerSession

    init() throws { session = try LedgerSession(operator: "op-assess") }

    var folder: TemporaryFolder { session.folder }

    @Test func adoptRunCorrectAndRunAgain() throws {
        for (number, born, role, birthday) in [
            ("1", "1945-05-01", "householder", "2020-05-01"), ("2", "1946-06-01", "member", "2021-06-01"),
        ] {
            try session.koki(
                "person", "register", "--number", number, "--name", "松戸", "--kana", "マツド", "--birth-date", born,
                "--sex",
                "male", "--address", "松戸市", "--household", "555", "--role", role, "--household-since", "2000-04-01")
            try session.koki("eligibility", "acquire", "--number", number, "--reason", "reached-75", "--date", birthday)
        }
        try session.koki(
            "income", "record", "--number", "1", "--year", "2024", "--pension", "2000000", "--total", "900000",
            "--source", "税")
        try session.koki(
            "income", "record", "--number", "2", "--year", "2024", "--pension", "800000", "--total", "0", "--source",
            "税")

        let refused = try session.koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10", status: 65)
        #expect(refused.stderr.contains("no rate table adopted for FY2025"))
        try session.koki("rates", "adopt", "--fiscal-year", "2025")
        let calendar = try session.koki("calendar", "adopt", "--fiscal-year", "2025")
        #expect(calendar.stdout.contains("2025-09-01"))  // 31 August 2025 is a Sunday

        let first = try session.koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10")
        #expect(first.stdout == "令和7年度の賦課 令和7年7月10日：対象 2人、当初賦課 2人、更正 0人、変更なし 0人\n")
        let second = try session.koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10")
        #expect(second.stdout == "令和7年度の賦課 令和7年7月10日：対象 2人、当初賦課 0人、更正 0人、変更なし 2人\n")

        let shown = try #require(
            JSONSerialization.jsonObject(
                with: Data(try session.koki("premium", "show", "1", "--fiscal-year", "2025", "--json").stdout.utf8))
                as? [String: Any])
        #expect(shown["annualPremium"] as? Int == 64_700)
        #expect((shown["installments"] as? [[String: Any]])?.count == 9)

        try session.koki(
            "income", "record", "--number", "2", "--year", "2024", "--pension", "3000000", "--total", "1900000",
            "--source", "修正申告")
        let one = try session.koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-10-15", "--person", "1")
        #expect(one.stdout == "1 令和7年度：更正 64,700円 → 86,600円\n")
        let text = try session.koki("premium", "show", "1", "--fiscal-year", "2025").lines
        #expect(text[0] == "1 令和7年度：年額 86,600円、普通徴収")
        #expect(text.last?.contains("更正  86,600円（64700 → 86600; inputs recorded since") == true, "\(text)")
        #expect(try session.koki("verify").stdout.hasPrefix("ok: "))
    }
}

extension AssessmentCommandLineTests {
    @Test func aYearWithUnconfirmedRatesIsFilledInBeforeItCanBeAdopted() throws {
        let template = try session.koki("rates", "template", "--fiscal-year", "2026").stdout
        #expect(template.contains(#""name" : "childSupport""#))
        #expect(template.contains(#""cap" : 21000"#))
        let file = folder.path("rates-2026.json")
        try Data(template.utf8).write(to: URL(fileURLWithPath: file))
        let before = try session.koki("head").stdout
        let refused = try session.koki("rates", "adopt", "--fiscal-year", "2026", "--file", file, status: 65)
        #expect(refused.stderr == "koki: エラー: FY2026 components[0] (medical).perCapita is not filled in\n")
        #expect(try session.koki("head").stdout == before)
        let filled = template.replacingOccurrences(of: #""perCapita" : 0"#, with: #""perCapita" : 50235"#)
            .replacingOccurrences(of: #""incomeRate" : "0""#, with: #""incomeRate" : "9.25""#)
        try Data(filled.utf8).write(to: URL(fileURLWithPath: file))
        try session.koki("rates", "adopt", "--fiscal-year", "2026", "--file", file)
        #expect(try session.koki("rates", "show", "--fiscal-year", "2026").stdout.contains(#""perCapita" : 50235"#))
    }

    @Test func whatIfAndExplain() throws {
        try session.assessedPerson(born: "1945-05-01", insuredFrom: "2020-05-01")
        let before = try session.koki("premium", "show", "1", "--fiscal-year", "2025").lines[0]
        let same = try session.koki("whatif", "--fiscal-year", "2025", "--format", "json")
        #expect(same.lines.count == 1 && same.stdout.contains(#""status":"unchanged""#))
        let table = try session.koki("rates", "show", "--fiscal-year", "2025").stdout
            .replacingOccurrences(of: #""perCapita" : 43800"#, with: #""perCapita" : 44800"#)
        let file = folder.path("corrected.json")
        try Data(table.utf8).write(to: URL(fileURLWithPath: file))
        let head = try session.koki("head").stdout
        let diff = try session.koki("whatif", "--fiscal-year", "2025", "--rates", file, "--format", "csv")
        #expect(diff.lines[0] == "person,position,decided_on,reason,status,period,old,new,difference")
        #expect(diff.lines[1].hasPrefix("1,") && diff.lines[1].contains(",changed,,"))
        #expect(diff.stderr.contains("changed 1"))
        // A what-if changes nothing: the only event after it is the record of whose figures it showed.
        let headPosition = Int(head.split(separator: " ")[1])!
        let after = try session.koki("events", "--from", String(headPosition + 1), "--format", "table").lines
            .dropFirst()
        #expect(after.count == 1 && after.allSatisfy { $0.contains("PersonalDataAccessed") }, "\(after)")
        let applied = try session.koki(
            "whatif", "--fiscal-year", "2025", "--rates", file, "--apply", "--decided-on", "2025-11-01", "--reason",
            "per-capita corrected")
        #expect(applied.stdout == "applied: FY2025 1 reassessed, 0 unchanged, 0 assessed\n")
        let explained = try session.koki("explain", "1", "--fiscal-year", "2025", "--period", "1", "--on", "2025-12-01")
        #expect(explained.stdout.contains("reassessment"))
        #expect(explained.stdout.contains("cause: rule change: per-capita corrected"))
        #expect(explained.stdout.contains("input ") && explained.stdout.contains("IncomeRecorded"))
        #expect(explained.stdout.contains("period FY2025/1"))

        // The year as it stood before the correction, in a file of its own.
        let then = folder.path("then.ledger")
        let replayed = try session.koki("replay", "--until", String(head.split(separator: " ")[1]), "--into", then)
        #expect(replayed.stdout.hasSuffix("verify ok\n"))
        #expect(try session.koki("premium", "show", "1", "--fiscal-year", "2025", "--ledger", then).lines[0] == before)
        #expect(try session.koki("premium", "show", "1", "--fiscal-year", "2025").lines[0] != before)
        let refused = try session.koki("rates", "adopt", "--fiscal-year", "2025", "--ledger", then, status: 65)
        #expect(refused.stderr.contains("is a replay of a ledger through position"))
    }
}
