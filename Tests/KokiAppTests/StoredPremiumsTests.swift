import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// The stored premiums (where each person's premium of each year is): caught up at random
/// moments of a simulated city, in the file and in a PostgreSQL schema, they point exactly to the
/// assessments and stops a fold of the city from scratch holds; the pension selection list read
/// through them equals the one read from the city.
@Suite struct StoredPremiumsTests {
    /// What a fold of the city says of every person's years: the first assessment, the one in
    /// force and the last stop of each.
    static func expected(_ city: CitySnapshot) -> [String: (PremiumAssessed, PremiumAssessed, PensionDeductionStopped?)] {
        var years: [String: (PremiumAssessed, PremiumAssessed, PensionDeductionStopped?)] = [:]
        for (key, history) in city.accounts.assessments {
            guard let first = history.first, let now = history.last else { continue }
            let stop = city.collection.account(key.person)?.pensionStops.last { $0.fiscalYear == key.fiscalYear }
            years["\(key.person.value)/\(key.fiscalYear.year)"] = (first, now, stop)
        }
        return years
    }

    /// The stored years, with the events they point to.
    static func stored(_ ledger: KokiLedger, _ years: [StoredPremiums.Year]) throws -> [String: (
        PremiumAssessed, PremiumAssessed, PensionDeductionStopped?
    )] {
        var events: [Int64: KokiEvent] = [:]
        try StoredEvents.forEach(in: ledger.store, at: years.flatMap { [$0.first, $0.current] + [$0.stop].compactMap { $0 } }) {
            view, event in events[view.position] = event
        }
        var found: [String: (PremiumAssessed, PremiumAssessed, PensionDeductionStopped?)] = [:]
        for year in years {
            guard case .premiumAssessed(let first) = events[year.first], case .premiumAssessed(let now) = events[year.current]
            else {
                Issue.record("\(year.person) FY\(year.fiscalYear.year) points to no assessments")
                continue
            }
            var stop: PensionDeductionStopped?
            if let at = year.stop {
                guard case .pensionDeductionStopped(let e) = events[at] else {
                    Issue.record("\(year.person) FY\(year.fiscalYear.year) points to no stop at \(at)")
                    continue
                }
                stop = e
            }
            found["\(year.person.value)/\(year.fiscalYear.year)"] = (first, now, stop)
        }
        return found
    }

    static func same(
        _ a: [String: (PremiumAssessed, PremiumAssessed, PensionDeductionStopped?)],
        _ b: [String: (PremiumAssessed, PremiumAssessed, PensionDeductionStopped?)]
    ) -> Bool {
        a.count == b.count && a.allSatisfy { key, v in b[key].map { $0.0 == v.0 && $0.1 == v.1 && $0.2 == v.2 } ?? false }
    }

    @Test(arguments: [4, 19] as [UInt64])
    func maintainedAtRandomMomentsPointsToWhatAFoldFromScratchHolds(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 70, years: 2, seed: seed, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        let premiums = StoredPremiums(simulation.ledger.ports)
        var random = SeededGenerator(seed: seed)
        var (caught, failure): (Int, (any Error)?) = (0, nil)
        _ = try simulation.run { _ in
            guard Int.random(in: 0..<3, using: &random) == 0 else { return }
            do {
                try premiums.catchUp()
                caught += 1
            } catch { failure = error }
        }
        if let failure { throw failure }
        #expect(caught > 3)
        let ledger = simulation.ledger
        let city = try CitySnapshot(ledger, through: try ledger.store.head().position)
        let all = try #require(try premiums.all())
        let expected = Self.expected(city)
        #expect(Self.same(try Self.stored(ledger, all), expected))
        #expect(expected.values.contains { $0.2 != nil }, "the city stopped no one's deduction")
        #expect(expected.values.contains { $0.0 != $0.1 }, "the city reassessed no one")
        // Each year's rows are that year's.
        for fy in Set(all.map(\.fiscalYear)) {
            let year = try #require(try premiums.year(fy))
            #expect(Set(year.years) == Set(all.filter { $0.fiscalYear == fy }))
        }
        // Rebuilt from zero, the same; compared, no difference.
        let check = try premiums.rebuild(check: true)
        #expect(check.differences.isEmpty && check.comparedWith != nil && !check.swapped)
        let swapped = try premiums.rebuild(check: false)
        #expect(swapped.swapped && swapped.differences.isEmpty)
        #expect(Set(try #require(try premiums.all())) == Set(all))
    }

    @Test func whoWasDeductedLastYearReadThroughThemIsWhoTheCitySays() throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 90, years: 2, seed: 14, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run()
        let fresh = AssessmentCommands(KokiLedger(simulation.ledger.ports))
        let warm = KokiLedger(simulation.ledger.ports)
        _ = try warm.currentCity()
        var deducted = 0
        for year in [2024, 2025, 2026] {
            let fy = try FiscalYear(year)
            let stored = try fresh.deductedLastYear(fy)
            let city = try AssessmentCommands(warm).deductedLastYear(fy)
            #expect(stored.persons.map(\.0) == city.persons.map(\.0), "FY\(year)")
            #expect(stored.persons.map(\.1) == city.persons.map(\.1), "FY\(year)")
            let persons = Set(stored.persons.map(\.0.id))
            #expect(try stored.versions(persons) == city.versions(persons))
            deducted += stored.persons.count
        }
        #expect(deducted > 60)
        // Decided on in a fresh process, a person whose stream grew since the rows were read is
        // refused, nothing appended.
        let fy = try FiscalYear(2025)
        let read = try fresh.deductedLastYear(fy)
        let someone = try #require(read.persons.first?.0.id)
        let head = try simulation.ledger.store.head().position
        try CollectionCommands(simulation.ledger).pay(
            someone, amount: Yen(100), paidOn: try CivilDate(year: 2026, month: 3, day: 2),
            learnedOn: try CivilDate(year: 2026, month: 3, day: 2), channel: .counter, slip: nil,
            metadata: CommandMetadata(actor: "clerk"))
        #expect(throws: LedgerError.self) { _ = try read.versions([someone]) }
        #expect(try simulation.ledger.store.head().position > head)
        let other = try #require(read.persons.last?.0.id)
        if other != someone { #expect(try read.versions([other]).count == 1) }
    }

    @Test func aYearsNoticeToTheInsurersReadThroughThemIsTheOneReadFromTheCity() throws {
        // Two cities simulated alike: one told in a fresh process, one by a process holding it.
        func simulated(_ folder: TemporaryFolder) throws -> CitySimulation {
            let settings = SimulationSettings(insured: 120, years: 2, seed: 16, firstFiscalYear: 2024)
            let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
            _ = try simulation.run()
            return simulation
        }
        let (a, b) = (try TemporaryFolder(), try TemporaryFolder())
        let (freshCity, warmCity) = (try simulated(a), try simulated(b))
        #expect(try freshCity.ledger.store.head() == warmCity.ledger.store.head())
        let fresh = AssessmentCommands(KokiLedger(freshCity.ledger.ports))
        let warmLedger = KokiLedger(warmCity.ledger.ports)
        _ = try warmLedger.currentCity()
        let warm = AssessmentCommands(warmLedger)
        for year in [2024, 2025] {
            let fy = try FiscalYear(year)
            let (stored, city) = (try fresh.pensionYear(fy), try warm.pensionYear(fy))
            #expect(stored.persons.map(\.0) == city.persons.map(\.0), "FY\(year)")
            #expect(stored.persons.map(\.first) == city.persons.map(\.first), "FY\(year)")
            #expect(stored.persons.map(\.current) == city.persons.map(\.current), "FY\(year)")
            #expect(stored.latest == city.latest && stored.calendar.0 == city.calendar.0)
            for (person, _, _) in stored.persons.prefix(20) {
                #expect(try stored.account(person.id) == city.account(person.id))
            }
            #expect(stored.persons.count > 80)
        }
        // The notice both write after the city's last decisions is the same, and so are the
        // events it appends.
        let fy = try FiscalYear(2025)
        let latest = try #require(try fresh.pensionYear(fy).latest?.decidedOn)
        let headBefore = try freshCity.ledger.store.head().position
        let told = try fresh.notifyPension(fiscalYear: fy, on: latest, actor: "batch")
        let toldWarm = try warm.notifyPension(fiscalYear: fy, on: latest, actor: "batch")
        #expect(told.file == toldWarm.file && told.notified == toldWarm.notified)
        #expect(told.started == toldWarm.started && told.stopped == toldWarm.stopped && told.missed == toldWarm.missed)
        func appended(_ ledger: KokiLedger) throws -> [[UInt8]] {
            try ledger.store.events(.from(position: headBefore + 1)).map(\.payload)
        }
        #expect(try appended(KokiLedger(freshCity.ledger.ports)) == appended(warmLedger))
    }

    @Test func theSelectionListReadThroughThemIsTheCitysList() throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 90, years: 2, seed: 12, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run()
        let ledger = KokiLedger(simulation.ledger.ports)
        for year in [2024, 2025, 2026] {
            let fy = try FiscalYear(year)
            let stored = try #require(try ListPensionSelection.stored(ledger, fy))
            let folded = try ListPensionSelection.folded(KokiLedger(simulation.ledger.ports), fy)
            #expect(stored == folded, "FY\(year)")
            if year < 2026 { #expect(stored.count > 50 && stored.contains { $0.stoppedFrom != nil || $0.switchRequested != nil }) }
        }
    }
}
