import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// Answers kept in one stream are read from it alone, and equal what the whole city says.
@Suite struct StreamReadsTests {
    @Test func configurationUnmatchedMoneyAndAssessmentsEqualTheCitysAnswers() throws {
        let folder = try TemporaryFolder()
        let simulation = try CitySimulation.create(
            at: folder.path("city.ledger"),
            settings: SimulationSettings(insured: 40, years: 2, seed: 6, firstFiscalYear: 2024))
        _ = try simulation.run()
        let ledger = simulation.ledger
        let city = try CitySnapshot(KokiLedger(ledger.ports))
        for year in 2023...2026 {
            #expect(try ledger.rateTable(fiscalYear: year) == city.accounts.rateTables[year])
            #expect(try ledger.installmentCalendar(fiscalYear: year) == city.accounts.calendars[year])
        }
        #expect(city.accounts.rateTables.count == 2)
        #expect(try ledger.unmatchedPayments() == city.collection.unmatched)
        var compared = 0
        for (key, history) in city.accounts.assessments.sorted(by: { $0.key < $1.key }).prefix(30) {
            let read = try ledger.assessments(of: key.person, fiscalYear: key.fiscalYear)
            #expect(read.person == key.person && read.history == history)
            compared += 1
        }
        #expect(compared == 30)

        // A former address number (番号統合) finds the new one's assessments.
        let (person, history) = city.accounts.assessments.first { !$0.value.isEmpty }.map { ($0.key, $0.value) }!
        try InsuredRegisterCommands(ledger).link(
            person.person, formerNumber: try PersonID("999000111"), metadata: CommandMetadata(actor: "op"))
        let linked = try ledger.assessments(of: try PersonID("999000111"), fiscalYear: person.fiscalYear)
        #expect(linked.person == person.person && linked.history == history)
        let nobody = try ledger.assessments(of: try PersonID("999000112"), fiscalYear: person.fiscalYear)
        #expect(nobody.history.isEmpty)
    }
}
