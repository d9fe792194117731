import Foundation
import KokiTestSupport
import Testing

@Suite struct CalcCommandLineTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aSinglePensionerFromOptions() throws {
        let outcome = try KokiProcess.run(["calc", "premium", "--fiscal-year", "2025", "--pension-revenue", "2000000"])
        #expect(outcome.status == 0)
        #expect(outcome.lines.last == "premium                         77800円  (truncated to 100 yen)")
        #expect(outcome.lines.contains("reduction                       2割"))
        let mid = try json(
            try KokiProcess.run([
                "calc", "premium", "--fiscal-year", "2025", "--pension-revenue", "2000000", "--acquired-on",
                "2025-10-15",
                "--json",
            ]).stdout)
        #expect(mid["premium"] as? Int == 38_900)
        #expect(mid["months"] as? Int == 6)
    }

    @Test func aHouseholdFromACaseFileAndARateTableFromAFile() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("couple.json")
        try Data(
            #"{"fiscalYear": 2025, "person": {"label": "husband", "householder": true, "income": {"publicPensionRevenue": 2000000}}, "household": [{"label": "wife", "income": {"publicPensionRevenue": 800000}}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: file))
        let husband = try json(
            try KokiProcess.run(["calc", "premium", "--fiscal-year", "2025", "--case", file, "--json"]).stdout)
        #expect(husband["premium"] as? Int == 64_700)

        // A union's own table, edited from the printed template: a 10-yen rounding unit.
        let template = try KokiProcess.run(["calc", "premium", "--fiscal-year", "2025", "--print-rates"]).stdout
        let rates = folder.path("rates.json")
        try Data(template.replacingOccurrences(of: #""roundingUnit" : 100"#, with: #""roundingUnit" : 10"#).utf8)
            .write(to: URL(fileURLWithPath: rates))
        let tenYen = try json(
            try KokiProcess.run([
                "calc", "premium", "--fiscal-year", "2025", "--case", file, "--rates", rates, "--json",
            ]).stdout)
        #expect(tenYen["premium"] as? Int == 64_710)
    }

    @Test func clearRefusals() throws {
        let folder = try TemporaryFolder()
        let unconfirmed = try KokiProcess.run(["calc", "premium", "--fiscal-year", "2026", "--pension-revenue", "1"])
        #expect(unconfirmed.status == 65)
        #expect(unconfirmed.stderr.contains("no confirmed rate table for FY2026 is built in"))
        let bad = folder.path("bad.json")
        try Data(#"{"fiscalYear": 2025, "person": {"income": {"salaryRevenue": 900000}}}"#.utf8)
            .write(to: URL(fileURLWithPath: bad))
        let outcome = try KokiProcess.run(["calc", "premium", "--fiscal-year", "2025", "--case", bad])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.hasPrefix("koki: エラー: \(bad): .person.income.totalIncome: totalIncome is required"))
        #expect(
            try KokiProcess.run(["calc", "premium", "--fiscal-year", "2025", "--pension-revenue", "-5"]).status == 64)
    }
}
