import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

/// An assessment recorded before version 4 keeps its breakdown as JSON text; one recorded now
/// keeps it in binary. Both read as the same figures, and `explain` prints them alike.
@Suite struct BreakdownVersionTests {
    let clock = HandClock()
    let ledger: KokiLedger
    let control: AccessControl
    let fy = try! FiscalYear(2025)
    let person = try! PersonID("1")

    init() throws {
        ledger = KokiLedger(
            try Ledger.inMemory(clock: clock), masterKey: try MasterKey(bytes: Array(repeating: 7, count: 32)))
        control = AccessControl(ledger)
        var settings = SecuritySettings()
        settings.passwordCost = 14
        try control.setUp(administrator: "admin", name: "Admin", password: "admin-password-1", settings: settings)
        let admin = try control.authorize(
            try control.login("admin", password: "admin-password-1", terminal: "t1"), function: .securityAdmin,
            command: "operator add", terminal: "t1")
        try control.enroll("tanaka", name: "田中", roles: [.auditor], password: "tanaka-password-1", by: admin)
    }

    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }

    /// The figures printed under each assessment's "breakdown:" line.
    func breakdowns(_ lines: [String]) -> [[String]] {
        var blocks: [[String]] = []
        var inside = false
        for line in lines {
            if line == "  breakdown:" {
                blocks.append([])
                inside = true
            } else if inside, line.hasPrefix("    ") {
                blocks[blocks.count - 1].append(line)
            } else {
                inside = false
            }
        }
        return blocks
    }

    @Test func anOldAssessmentsTextAndANewOnesBinaryReadAndPrintAlike() throws {
        // Each command its own id (one metadata for all would record the first once).
        var meta: CommandMetadata { CommandMetadata(actor: "op-assess") }
        let register = InsuredRegisterCommands(ledger)
        let assessment = AssessmentCommands(ledger)
        try assessment.adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta)
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2025), metadata: meta)
        let who = try PersonIdentity(
            nameKanji: "氏名", nameKana: "シメイ", birthDate: d("1945-05-01"), sex: .male, address: "松戸市")
        try register.register(
            person, identity: who, household: (try HouseholdID("555"), .householder, d("2000-04-01")), metadata: meta)
        try register.acquire(person, reason: .reachedAge75, on: d("2020-05-01"), metadata: meta)
        try register.recordIncome(
            IncomeRecorded(
                person: person, year: 2024, publicPensionRevenue: Yen(2_000_000), salaryRevenue: .zero,
                otherIncome: .zero, totalIncome: TaxableIncome.pensionIncome(revenue: Yen(2_000_000)), declared: true,
                source: "連携税マスタ"), metadata: meta)
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
        let recorded = try #require(try CitySnapshot(ledger).accounts.current(person, fy))
        let figures = try #require(recorded.breakdown)
        #expect(figures.premium == recorded.annualPremium)

        // The same decision as an older koki stored it: its breakdown as JSON text.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(figures), as: UTF8.self)
        let old = EventRegistry.encode(
            PremiumAssessedV3(
                person: person, fiscalYear: fy, decidedOn: d("2025-08-01"), annualPremium: recorded.annualPremium,
                installments: recorded.installments, ruleVersion: recorded.ruleVersion, reason: .reassessment,
                cause: "as an older koki stored it", rateTablePosition: recorded.rateTablePosition,
                inputPositions: recorded.inputPositions, breakdown: text, collection: recorded.collection,
                pensionPeriods: recorded.pensionPeriods))
        let newBytes = EventRegistry.encode(recorded).payload.count
        #expect(old.schemaVersion == 3 && EventRegistry.encode(recorded).schemaVersion == PremiumAssessed.schemaVersion)
        // The binary breakdown is a fraction of the text it replaces.
        #expect(newBytes * 2 < old.payload.count, "now \(newBytes) bytes, v3 \(old.payload.count)")
        try ledger.store.append(
            AppendRequest(
                commandID: .random(), actor: "older-koki", stream: try StreamName(person.streamName),
                expectedVersion: .any,
                events: [NewEvent(type: old.type, schemaVersion: old.schemaVersion, payload: old.payload)]))
        let upcast = try #require(try CitySnapshot(ledger).accounts.current(person, fy))
        #expect(upcast.cause == "as an older koki stored it")
        #expect(upcast.breakdown == figures)

        let tanaka = try control.login("tanaka", password: "tanaka-password-1", terminal: "t1")
        let lines = try KokiApplication(ledger).run(
            ExplainFigures(person: person, fiscalYear: fy, period: nil, on: nil),
            as: Caller(credentials: tanaka, terminal: "t1", today: d("2025-09-01")))
        let blocks = breakdowns(lines)
        #expect(blocks.count == 2)
        #expect(blocks.first == blocks.last)
        let printed = blocks.first?.joined(separator: "\n") ?? ""
        #expect(printed.contains("\"premium\"") && printed.contains("\(figures.premium.amount)"))
        #expect(printed.contains(figures.rateTableSource))
    }
}
