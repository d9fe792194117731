import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

/// The tax system's file of incomes (連携税マスタ): all rows or none, the same file twice records
/// nothing, a correction reassesses the households it touches, and every hostile file is refused
/// whole, naming the line.
extension CollectionCommandsTests {
    static let taxHeader = TaxMasterFile.header.joined(separator: ",")

    func importTax(_ text: String, on day: String = "2025-09-01") throws -> InsuredRegisterCommands.IncomeImport {
        try register.importIncomes(Array(text.utf8), name: "/in/tax-2024.csv", on: d(day), metadata: meta())
    }

    func incomes(_ number: String) throws -> [IncomeRecorded] {
        try register.person(id(number))?.incomeHistory ?? []
    }

    @Test func aTaxFileRecordsItsRowsOnceAndACorrectionReassessesTheHousehold() throws {
        try city(["1", "2"])
        // Person 3 lives with 1 (a member of household 1): 1's income decides 3's reduction too.
        try register.register(
            id("3"),
            identity: try PersonIdentity(
                nameKanji: "氏名", nameKana: "シメイ", birthDate: d("1941-01-01"), sex: .female, address: "松戸市"),
            household: (try HouseholdID("1"), .member, d("2000-04-01")), metadata: meta())
        try register.acquire(id("3"), reason: .reachedAge75, on: d("2016-01-01"), metadata: meta())
        try register.recordIncome(
            IncomeRecorded(
                person: id("3"), year: 2024, publicPensionRevenue: .zero, salaryRevenue: .zero, otherIncome: .zero,
                totalIncome: .zero, declared: true, source: "税"), metadata: meta())
        _ = try assessment.assess(id("3"), fiscalYear: fy, decidedOn: d("2025-07-31"), metadata: meta())
        let before3 = try #require(try collection.load(id("3")).assessments[fy]).annualPremium

        // The same figures as recorded for 1 and 2, a first record of 2023 for 2: one new row.
        let same = TaxMasterFile.Row(
            line: 0, person: id("1"),
            figures: IncomeFigures(
                year: 2024, pensionRevenue: Yen(2_000_000), salaryRevenue: .zero, otherIncome: .zero,
                totalIncome: TaxableIncome.pensionIncome(revenue: Yen(2_000_000)), taxableIncome: nil, declared: true))
        var two = same
        two.person = id("2")
        var older = two
        older.figures.year = 2023
        let first = try importTax(TaxMasterFile.text([same, two, older]))
        #expect(first.rows == 3 && first.unchanged == 2 && first.recorded == 1 && first.corrected == 0)
        #expect(first.reassessed.isEmpty)
        #expect(try incomes("2").last?.source == "連携税マスタ tax-2024.csv line 4")
        // Every row recorded is an inquiry in the log, purpose the import.
        #expect(try InsuredRegisterCommands(ledger).person(id("2"))?.incomeHistory.count == 2)
        var inquiries = EventQuery.stream(try StreamName(id("2").streamName))
        inquiries.types = [IncomeInquired.eventType]
        var purposes: [String] = []
        try ledger.forEachEvent(inquiries) { _, e in
            if case .incomeInquired(let i) = e { purposes.append("\(i.year) \(i.purpose)") }
        }
        #expect(purposes == ["2023 連携税マスタ取込 tax-2024.csv"])

        // The same file again records nothing at all.
        let head = try ledger.store.head()
        let again = try importTax(TaxMasterFile.text([same, two, older]))
        #expect(again.unchanged == 3 && again.recorded == 0)
        #expect(try ledger.store.head() == head)

        // A corrected row for 1 (FY2025's run is recorded): 1 and 3, who share a household, are
        // reassessed; 2 is untouched.
        var lower = same
        lower.figures.pensionRevenue = Yen(800_000)
        lower.figures.totalIncome = .zero
        let corrected = try importTax(TaxMasterFile.text([lower]), on: "2025-09-02")
        #expect(corrected.corrected == 1)
        #expect(Set(corrected.reassessed.map(\.person)) == [id("1"), id("3")])
        #expect(corrected.reassessed.allSatisfy { $0.to < $0.from && $0.fiscalYear == fy })
        #expect(try collection.load(id("3")).assessments[fy]!.annualPremium < before3)
        #expect(try collection.load(id("2")).assessments[fy]!.annualPremium == Yen(77_800))
        #expect(try incomes("1").last?.publicPensionRevenue == Yen(800_000))
    }

    @Test func aHostileTaxFileIsRefusedWholeNamingTheLineAndAppendsNothing() throws {
        try city(["1"])
        let good = "1,2024,2000000,0,0,900000,,1"
        let cases: [(String, [UInt8], String)] = [
            ("not UTF-8", Array("\(Self.taxHeader)\n".utf8) + [0x31, 0xFF, 0x2C], "line 2"),
            ("a control character", Array("\(Self.taxHeader)\n1,2024,\u{1B}2000000,0,0,0,,1\n".utf8), "control character"),
            ("no header", Array("\(good)\n".utf8), "does not start with its header"),
            ("the mandate answer's header", Array("application,result,reason\n1,accepted,\n".utf8), "mandate answer"),
            ("seven fields", Array("\(Self.taxHeader)\n1,2024,0,0,0,0,1\n".utf8), "expected 8 fields"),
            ("a bad person", Array("\(Self.taxHeader)\nX1,2024,0,0,0,0,,1\n".utf8), "not an address number"),
            ("a bad year", Array("\(Self.taxHeader)\n1,24,0,0,0,0,,1\n".utf8), "not a calendar year"),
            ("a future year", Array("\(Self.taxHeader)\n1,2031,0,0,0,0,,1\n".utf8), "year 2031"),
            ("a year far past", Array("\(Self.taxHeader)\n1,1901,0,0,0,0,,1\n".utf8), "year 1901"),
            ("a negative pension", Array("\(Self.taxHeader)\n1,2024,-1,0,0,0,,1\n".utf8), "pension_revenue"),
            (
                "an amount past the range", Array("\(Self.taxHeader)\n1,2024,0,0,0,9223372036854775807,,1\n".utf8),
                "total_income"
            ),
            ("a decimal", Array("\(Self.taxHeader)\n1,2024,100.5,0,0,0,,1\n".utf8), "not a whole number"),
            ("declared 2", Array("\(Self.taxHeader)\n1,2024,0,0,0,0,,2\n".utf8), "declared '2'"),
            ("the same year twice", Array("\(Self.taxHeader)\n\(good)\n\(good)\n".utf8), "twice (line 2 too)"),
            ("a person not registered", Array("\(Self.taxHeader)\n\(good)\n9,2024,0,0,0,0,,1\n".utf8), "no person 9"),
            ("only the header", Array("\(Self.taxHeader)\n".utf8), "no record"),
        ]
        let head = try ledger.store.head()
        for (what, bytes, expected) in cases {
            do {
                _ = try register.importIncomes(bytes, name: "tax.csv", on: d("2025-09-01"), metadata: meta())
                Issue.record("\(what) was accepted")
            } catch let error as KokiError {
                #expect(error.message.contains(expected), "\(what): \(error.message)")
                #expect(error.message.hasPrefix("tax.csv:"), "\(what): \(error.message)")
            }
        }
        // A file imported on a day the office is closed (its reassessments would be dated then).
        #expect(throws: DomainError.self) {
            try register.importIncomes(
                Array("\(Self.taxHeader)\n\(good)\n".utf8), name: "tax.csv", on: d("2025-09-07"), metadata: meta())
        }
        #expect(try ledger.store.head() == head)
    }
}
