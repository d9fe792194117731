import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// What-if replay: with the rules in force every recorded assessment is reproduced; with a
/// corrected table the differences are exactly what applying it through the ordinary run records.
@Suite struct WhatIfTests {
    let base = try! ArrearsCommandsTests()
    var ledger: KokiLedger { base.ledger }
    func d(_ text: String) -> CivilDate { base.d(text) }
    func id(_ text: String) -> PersonID { base.id(text) }

    @Test func theRulesInForceReproduceEveryRecordedFigure() throws {
        try base.city([("1", 2_000_000), ("2", 800_000), ("3", 5_000_000)])
        // A corrected income reassesses one person mid-year.
        try base.register.recordIncome(
            IncomeRecorded(
                person: id("2"), year: 2024, publicPensionRevenue: Yen(3_000_000), salaryRevenue: .zero,
                otherIncome: .zero, totalIncome: TaxableIncome.pensionIncome(revenue: Yen(3_000_000)), declared: true,
                source: "修正"), metadata: base.meta())
        try base.assessment.assess(id("2"), fiscalYear: base.fy, decidedOn: d("2025-10-15"), metadata: base.meta())
        let report = try WhatIf.run(ledger, fiscalYear: base.fy)
        #expect(report.rows.count == 4)
        #expect(report.rows.allSatisfy { $0.status == .unchanged })
        #expect(report.totalOld == report.totalNew)
        let head = try ledger.store.head()
        _ = try WhatIf.run(ledger, fiscalYear: base.fy, latestOnly: true)
        #expect(try ledger.store.head() == head)  // nothing appended
    }

    /// The replay folds the city without its collection accounts, reading only the events a
    /// decision reads, or a slice of persons at a time with their households' streams: on a
    /// simulated city (households, pension deductions, reassessments on new incomes, newcomers,
    /// debits and payments) every row, field by field, is the one a replay folding every event
    /// gives, for each year, every assessment or the latest, with another table too. The slices
    /// hold seven persons, so most households are split between slices.
    @Test func theReplayWithoutTheCollectionDecidesAsTheWholeCity() throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 80, years: 2, seed: 13, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var table = try #require(RateTable.chiba(fiscalYear: 2025))
        table.components[0].perCapita = table.components[0].perCapita + Yen(1_000)
        for (year, rates) in [(2024, nil), (2025, nil), (2025, table)] as [(Int, RateTable?)] {
            for latest in [false, true] {
                let readings: [WhatIf.Reading] = [
                    .wholeCity(foldingCollection: false), .wholeCity(foldingCollection: true),
                    .slicesWherePossible(personsPerSlice: 7),
                ]
                let reports = try readings.map {
                    try WhatIf.run(
                        simulation.ledger, fiscalYear: try FiscalYear(year), rates: rates, latestOnly: latest,
                        reading: $0)
                }
                #expect(reports[0].rows.count > 50 && reports[0].rows.contains { $0.reason == .reassessment })
                // With the rules in force every recorded figure is reproduced.
                if rates == nil {
                    #expect(
                        reports[0].rows.allSatisfy { $0.status == .unchanged },
                        "\(reports[0].rows.filter { $0.status != .unchanged })")
                }
                #expect(try encoder.encode(reports[0].rows) == encoder.encode(reports[1].rows), "FY\(year)")
                #expect(try encoder.encode(reports[2].rows) == encoder.encode(reports[1].rows), "FY\(year) slices")
            }
        }
        // The slices were read from the stored register and premiums, not the whole city.
        let vault = try IdentityVault.preloaded(simulation.ledger)
        let whole = try WhatIf.run(
            simulation.ledger, fiscalYear: try FiscalYear(2025), rates: nil, latestOnly: false,
            reading: .wholeCity(foldingCollection: true))
        let sliced = try #require(
            try WhatIf.slices(
                simulation.ledger, fiscalYear: try FiscalYear(2025), rates: nil, vault: vault, personsPerSlice: 40,
                readingApartFrom: 1))
        #expect(sliced.count > 50)
        // Read apart on each core too (a chunk of a few persons each), the same rows.
        #expect(try encoder.encode(sliced) == encoder.encode(whole.rows))
        // Many decided persons share a household with others, whose incomes their decision reads.
        let register = try CitySnapshot(simulation.ledger).register
        let shared = Set(sliced.map(\.person)).filter { person in
            register.person(person)?.households.compactMap(\.household).contains { register.everIn($0).count > 1 }
                ?? false
        }
        #expect(shared.count > 10)
    }

    @Test func aCorrectedTableShowsWhatApplyingItRecords() throws {
        try base.city([("1", 2_000_000), ("2", 800_000), ("3", 5_000_000)])
        var table = RateTable.chiba(fiscalYear: 2025)!
        table.components[0].perCapita = table.components[0].perCapita + Yen(1_000)
        let report = try WhatIf.run(ledger, fiscalYear: base.fy, rates: table, latestOnly: true)
        #expect(report.rows.allSatisfy { $0.status == .changed && $0.difference > .zero })
        #expect(report.rows.allSatisfy { $0.periods.map(\.new).sum() == $0.new })
        // Apply it through the ordinary commands: adopt, then the annual run.
        try base.assessment.adoptRates(table, metadata: base.meta())
        let run = try base.assessment.runAnnual(
            fiscalYear: base.fy, decidedOn: d("2025-07-10"), actor: "dev", cause: "rule change: per-capita")
        #expect(run.reassessed == 3)
        let city = try CitySnapshot(ledger)
        for row in report.rows {
            let current = try #require(city.accounts.current(row.person, base.fy))
            #expect(current.annualPremium == row.new)
            #expect(current.cause.hasPrefix("rule change: per-capita"))
        }
        #expect(try WhatIf.run(ledger, fiscalYear: base.fy).rows.allSatisfy { $0.status == .unchanged })
    }
}
