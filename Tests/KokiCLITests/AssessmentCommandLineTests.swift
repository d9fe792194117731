import Foundation
import Testing

/// Assessment through `koki`: adopt the year's rules, run, correct an input, run again.
@Suite struct AssessmentCommandLineTests {
    let folder: TemporaryFolder
    let env: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        env = ["KOKI_LEDGER": folder.path("a.ledger"), "KOKI_OPERATOR": "op-assess"]
        #expect(try KokiProcess.run(["init"], environment: env).status == 0)
    }

    @discardableResult
    func koki(_ arguments: String..., status: Int32 = 0) throws -> KokiProcess.Outcome {
        let outcome = try KokiProcess.run(arguments, environment: env)
        #expect(outcome.status == status, "koki \(arguments.joined(separator: " ")): \(outcome.stderr)")
        return outcome
    }

    @Test func adoptRunCorrectAndRunAgain() throws {
        for (number, born, role, birthday) in [
            ("1", "1945-05-01", "householder", "2020-05-01"), ("2", "1946-06-01", "member", "2021-06-01"),
        ] {
            try koki(
                "person", "register", "--number", number, "--name", "松戸", "--kana", "マツド", "--birth-date", born,
                "--sex",
                "male", "--address", "松戸市", "--household", "555", "--role", role, "--household-since", "2000-04-01")
            try koki("eligibility", "acquire", "--number", number, "--reason", "reached-75", "--date", birthday)
        }
        try koki(
            "income", "record", "--number", "1", "--year", "2024", "--pension", "2000000", "--total", "900000",
            "--source", "税")
        try koki(
            "income", "record", "--number", "2", "--year", "2024", "--pension", "800000", "--total", "0", "--source",
            "税")

        let refused = try koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10", status: 65)
        #expect(refused.stderr.contains("no rate table adopted for FY2025"))
        try koki("rates", "adopt", "--fiscal-year", "2025")
        let calendar = try koki("calendar", "adopt", "--fiscal-year", "2025")
        #expect(calendar.stdout.contains("2025-09-01"))  // 31 August 2025 is a Sunday

        let first = try koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10")
        #expect(first.stdout == "FY2025 run on 2025-07-10: 2 persons, 2 assessed, 0 reassessed, 0 unchanged\n")
        let second = try koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10")
        #expect(second.stdout == "FY2025 run on 2025-07-10: 2 persons, 0 assessed, 0 reassessed, 2 unchanged\n")

        let shown = try #require(
            JSONSerialization.jsonObject(
                with: Data(try koki("premium", "show", "1", "--fiscal-year", "2025", "--json").stdout.utf8))
                as? [String: Any])
        #expect(shown["annualPremium"] as? Int == 64_700)
        #expect((shown["installments"] as? [[String: Any]])?.count == 9)

        try koki(
            "income", "record", "--number", "2", "--year", "2024", "--pension", "3000000", "--total", "1900000",
            "--source", "修正申告")
        let one = try koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-10-15", "--person", "1")
        #expect(one.stdout == "1 FY2025: reassessed 64700円 → 86600円\n")
        let text = try koki("premium", "show", "1", "--fiscal-year", "2025").lines
        #expect(text[0] == "1 FY2025: 86600円, ordinary collection (普通徴収)")
        #expect(text.last?.contains("reassessment  86600円  (64700 → 86600; inputs recorded since") == true)
        #expect(try koki("verify").stdout.hasPrefix("ok: "))
    }
}

extension AssessmentCommandLineTests {
    @Test func aYearWithUnconfirmedRatesIsFilledInBeforeItCanBeAdopted() throws {
        let template = try koki("rates", "template", "--fiscal-year", "2026").stdout
        #expect(template.contains(#""name" : "childSupport""#))
        #expect(template.contains(#""cap" : 21000"#))
        let file = folder.path("rates-2026.json")
        try Data(template.utf8).write(to: URL(fileURLWithPath: file))
        let before = try koki("head").stdout
        let refused = try koki("rates", "adopt", "--fiscal-year", "2026", "--file", file, status: 65)
        #expect(refused.stderr == "koki: error: FY2026 components[0] (medical).perCapita is not filled in\n")
        #expect(try koki("head").stdout == before)
        let filled = template.replacingOccurrences(of: #""perCapita" : 0"#, with: #""perCapita" : 50235"#)
            .replacingOccurrences(of: #""incomeRate" : "0""#, with: #""incomeRate" : "9.25""#)
        try Data(filled.utf8).write(to: URL(fileURLWithPath: file))
        try koki("rates", "adopt", "--fiscal-year", "2026", "--file", file)
        #expect(try koki("rates", "show", "--fiscal-year", "2026").stdout.contains(#""perCapita" : 50235"#))
    }
}
