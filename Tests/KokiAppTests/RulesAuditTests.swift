import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiSimulation
import KokiTestSupport
import LedgerStore
import LedgerStorePostgres
import Testing

/// `koki audit rules` on a ledger: each person read and checked on their own, alone or shared
/// among readers, finds what one pass over the whole ledger finds, in the same order.
@Suite struct RulesAuditTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }

    /// The breaches of one pass over the whole ledger, as the checker was first built.
    func wholePass(_ ledger: KokiLedger, _ scope: RuleCheck.Scope) throws -> [RuleCheck.Breach] {
        var check = RuleCheck(scope: scope)
        try ledger.forEachEvent { view, event in check.apply(event, position: view.position) }
        check.finish()
        return check.breaches
    }

    @Test func aPersonAtATimeFindsWhatOnePassFinds() throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 60, years: 2, seed: 19, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run()
        let ledger = simulation.ledger
        let register = try ledger.replay(InsuredRegister.self)
        let living = try #require(register.persons.values.filter { $0.diedOn == nil }.map(\.id).sorted().first)
        let dead = try #require(register.persons.values.filter { $0.diedOn != nil }.map(\.id).sorted().first)
        let died = try #require(register.person(dead)?.diedOn)
        // Breaches planted past what the commands would allow: a document dated on a Saturday, a
        // debit from the dead, a 督促状 for a period nobody has; one on the stream of a person
        // never registered, and a document to a person who has documents and nothing else.
        let stranger = try PersonID("999999991")
        let addressee = try PersonID("999999992")
        func document(_ person: PersonID, on date: String, _ number: String) -> KokiEvent {
            .notice(
                .documentIssued(
                    DocumentIssued(
                        number: number, kind: .payment, reason: "test", person: person, subject: "FY2025",
                        builtFrom: 1, issuedOn: d(date), recordHash: [])))
        }
        func dunning(_ person: PersonID) -> KokiEvent {
            .dunningNoticeIssued(
                DunningNoticeIssued(
                    person: person, fiscalYear: try! FiscalYear(2030), period: try! PeriodNumber(1),
                    principal: Yen(1_000), issuedOn: d("2030-06-10"), payBy: d("2030-06-24")))
        }
        let debit = KokiEvent.debitRequested(
            DebitRequested(
                person: dead, key: PeriodKey(try FiscalYear(died.year), try PeriodNumber(9)), amount: Yen(1_000),
                debitDate: died.adding(days: 40), customerNumber: "1", file: "f"))
        // Recorded in the reverse of the persons' order: the breaches still come by position.
        for events in [
            [document(addressee, on: "2025-09-14", "T2")], [dunning(stranger)], [debit],
            [document(living, on: "2025-09-13", "T1"), dunning(living)],
        ] {
            try ledger.record(events, metadata: CommandMetadata(actor: "test"))
        }

        let whole = try wholePass(ledger, RuleCheck.Scope())
        for person in [living, dead, stranger, addressee] {
            #expect(whole.contains { $0.person == person }, "\(person): \(whole)")
        }
        let head = try ledger.store.head().position
        for scope: RuleCheck.Scope in [
            .init(), .init(person: living), .init(person: stranger), .init(person: addressee),
            .init(fiscalYear: try FiscalYear(2030)), .init(since: head - 2),
        ] {
            let expected = try wholePass(ledger, scope)
            for apart in [0, Int.max] {
                let report = try CheckRules.report(ledger, scope, readingApartFrom: apart)
                #expect(report.breaches == expected, "\(scope), read apart from \(apart)")
                #expect(report.throughPosition == head)
            }
        }
        // Every event a check reads is read once: the persons' and the city's.
        var read = 0
        try ledger.forEachEvent { _, event in read += RuleCheck.subject(of: event) == .none ? 0 : 1 }
        #expect(try CheckRules.report(ledger, RuleCheck.Scope()).eventsRead == read)
        #expect(throws: KokiError.self) {
            try CheckRules.report(ledger, RuleCheck.Scope(person: try PersonID("999999993")))
        }
        #expect(throws: KokiError.self) { try CheckRules.report(ledger, RuleCheck.Scope(since: head + 1)) }
    }

    /// The same in a PostgreSQL ledger's schema (one connection, the persons from its rows), with
    /// breaches planted on a stream of a person never registered and on a person's documents.
    @Test func aPostgreSQLLedgerIsCheckedAsTheFileIs() throws {
        guard let city = try HalfCity(seed: 23, insured: 40, schema: "ra_") else { return }
        var random = SeededGenerator(seed: 23)
        while try city.importNextSlice(2_000...4_000, using: &random) != nil {}
        let ledger = KokiLedger(city.postgres)
        let stranger = try PersonID("999999991")
        try ledger.record(
            [
                .dunningNoticeIssued(
                    DunningNoticeIssued(
                        person: stranger, fiscalYear: try FiscalYear(2030), period: try PeriodNumber(1),
                        principal: Yen(1_000), issuedOn: d("2030-06-10"), payBy: d("2030-06-24"))),
                .notice(
                    .documentIssued(
                        DocumentIssued(
                            number: "T1", kind: .payment, reason: "test", person: try PersonID("999999992"),
                            subject: "FY2025", builtFrom: 1, issuedOn: d("2025-09-14"), recordHash: []))),
            ], metadata: CommandMetadata(actor: "test"))
        let expected = try wholePass(ledger, RuleCheck.Scope())
        #expect(expected.count >= 2)
        let report = try CheckRules.report(ledger, RuleCheck.Scope())
        #expect(report.breaches == expected)
        #expect(report.throughPosition == city.head + 2)
    }
}
