import Foundation
import KokiTestSupport
import Testing

/// The city's books and partners end to end on a small simulated city: `koki revenue` reconciled,
/// `koki income import` (a correction reassesses, the same file twice and a file of the other
/// kind record nothing), `koki union import / differences / adopt`, and an inquiry through the
/// information network with its answer, both in the income log.
@Suite struct BooksCommandLineTests {
    @Test func revenueTheTaxFileTheUnionAndTheNetwork() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("city.ledger")
        let simulate = try KokiProcess.run([
            "simulate", "--ledger", ledger, "--insured", "40", "--years", "1", "--seed", "75", "--quiet",
        ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        func koki(_ arguments: [String]) throws -> KokiProcess.Outcome { try KokiProcess.run(arguments, environment: op) }
        func head() throws -> String { try koki(["head"]).stdout }

        // Revenue: the books agree with the balances; a year koki keeps no books for is refused.
        let revenue = try koki(["revenue", "--accounting-year", "2025", "--format", "json"])
        #expect(revenue.status == 0, "\(revenue.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(revenue.stdout.utf8)) as? [String: Any])
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(!checks.isEmpty && checks.allSatisfy { ($0["books"] as? Int) == ($0["balances"] as? Int) })
        let csv = try koki(["revenue", "--accounting-year", "2025", "--by", "day", "--format", "csv"])
        #expect(csv.lines.first == "accounting_year,date,line,channel,amount,month_to_date,year_to_date")
        #expect(csv.lines.count > 50)
        #expect(try koki(["revenue", "--accounting-year", "1999"]).status == 65)
        let beyond = try koki(["revenue", "--accounting-year", "2025", "--known-at", "99999999"])
        #expect(beyond.status == 65 && beyond.stderr.contains("beyond the head"), "\(beyond.stderr)")
        #expect(try koki(["union", "differences", "--fiscal-year", "1"]).status == 65)
        // FY2025 closed on 31 May 2026 (the simulation's last day); FY2024 was never kept here.
        let closed = try koki(["revenue", "--accounting-year", "2025", "--at-closing", "--format", "json"])
        #expect(closed.status == 0, "\(closed.stderr)")
        let open = try koki(["revenue", "--accounting-year", "2024", "--at-closing"])
        #expect(open.status == 65 && open.stderr.contains("FY2024 is not closed"), "\(open.stderr)")
        #expect(try koki(["revenue", "--accounting-year", "2025", "--at-closing", "--known-at", "5"]).status == 65)

        // A person of the city and their 2024 income as the tax system sends it, corrected.
        let streams = try koki(["streams", "--prefix", "person/"]).lines
        let first = try #require(streams.first { $0.hasPrefix("person/") })
        let person = String(first.dropFirst("person/".count).prefix { $0 != " " })
        let header = "person,year,pension_revenue,salary_revenue,other_income,total_income,taxable_income,declared"
        let tax = folder.path("tax.csv")
        try "\(header)\n\(person),2024,900000,0,0,0,0,1\n".write(toFile: tax, atomically: true, encoding: .utf8)
        let imported = try koki(["income", "import", tax, "--on", "2025-10-10"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.lines.first?.hasSuffix("1行、記録 0件、更正 1件、変更なし 0件") == true, "\(imported.stdout)")
        let before = try head()
        let again = try koki(["income", "import", tax, "--on", "2025-10-14"])
        #expect(again.lines.first?.hasSuffix("記録 0件、更正 0件、変更なし 1件") == true)
        #expect(try head() == before, "the same file twice records nothing")
        let other = folder.path("answer.csv")
        try "application,result,reason\n1-20250801-1,accepted,\n".write(toFile: other, atomically: true, encoding: .utf8)
        // Dated on a day the office is open: without `--on` the import is today's, and on a
        // weekend in Japan the day would be refused before the file.
        let wrong = try koki(["income", "import", other, "--on", "2025-10-14"])
        #expect(wrong.status == 65 && wrong.stderr.contains("mandate answer"), "\(wrong.stderr)")
        let missing = try koki(["income", "import", folder.path("none.csv"), "--on", "2025-10-14"])
        #expect(missing.status == 65 && missing.stderr.contains("none.csv"), "\(missing.stderr)")
        let sunday = try koki(["income", "import", tax, "--on", "2025-10-12"])
        #expect(sunday.status == 65 && sunday.stderr.contains("the next is 2025-10-14"), "\(sunday.stderr)")
        #expect(try head() == before)

        // The union's figure differs: found, then adopted.
        let union = folder.path("union.csv")
        try "person,fiscal_year,annual_premium,income_base,reduction,periods,insured_from,insured_until\n\(person),2025,15000,,7,,2015-01-01,\n"
            .write(toFile: union, atomically: true, encoding: .utf8)
        let decisions = try koki(["union", "import", union, "--on", "2025-10-20"])
        #expect(decisions.status == 0, "\(decisions.stderr)")
        #expect(decisions.stdout.contains("年額保険料") && decisions.stdout.contains("15,000"), "\(decisions.stdout)")
        let differences = try koki(["union", "differences", "--fiscal-year", "2025", "--json"])
        #expect(differences.lines.contains { $0.contains("\"person\":\"\(person)\"") && $0.contains("annualPremium") })
        let adopted = try koki(["union", "adopt", person, "--fiscal-year", "2025", "--on", "2025-10-21"])
        #expect(adopted.status == 0 && adopted.stdout.contains("広域連合の年額 15,000円 を採用しました"), "\(adopted.stdout) \(adopted.stderr)")
        #expect(try koki(["union", "adopt", person, "--fiscal-year", "2025", "--on", "2025-10-21"]).status == 65)

        // An inquiry through the network and its answer: both in the income log.
        let inquiry = try koki([
            "income", "inquire", person, "--year", "2023", "--purpose", "保険料の賦課", "--on", "2025-10-22",
        ])
        #expect(inquiry.status == 0, "\(inquiry.stderr)")
        // 「照会 NUMBER：…」
        let number = try #require(inquiry.stdout.firstMatch(of: /^照会 ([^：]+)：/).map { String($0.1) }, "\(inquiry.stdout)")
        let answers = folder.path("answers.csv")
        try "inquiry,year,pension_revenue,salary_revenue,other_income,total_income,taxable_income,declared\n\(number),2023,1200000,0,0,100000,0,1\n"
            .write(toFile: answers, atomically: true, encoding: .utf8)
        #expect(try koki(["income", "answers", answers, "--on", "2025-10-30"]).status == 0)
        let log = try koki(["income", "inquiries", "--number", person])
        #expect(log.stdout.contains("情報照会") && log.stdout.contains(number) && log.stdout.contains("照会の回答"))
        #expect(log.stdout.contains("連携税マスタ取込 tax.csv"))
    }
}
