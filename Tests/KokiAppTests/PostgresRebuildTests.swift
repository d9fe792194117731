import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiProjections
@_spi(Reference) import KokiReadModels
import KokiTestSupport
import LedgerStore
import LedgerStorePostgres
import Testing

/// `koki rebuild` in a PostgreSQL ledger's schema: every model kept there (the balances, the
/// register, the debit states), caught up after random slices of a city, equals a fold from
/// position zero; a document altered in the schema is named by the check and mended by the
/// rebuild (with `KOKI_TEST_POSTGRES`; skipped without it unless `KOKI_REQUIRE_POSTGRES=1`).
@Suite struct PostgresRebuildTests {
    @Test func theModelsInPostgresAreCheckedNamedWhenAlteredAndMended() throws {
        guard let city = try HalfCity(seed: 13, insured: 60, schema: "rb_") else { return }
        let ledger = KokiLedger(city.postgres)
        let (balances, register, debits) = (
            StoredBalances(ledger), StoredRegister(ledger.ports), StoredDebits(ledger.ports)
        )
        // Nothing kept yet: a check builds each model and has nothing to compare with.
        let unkept = try balances.rebuild(check: true)
        #expect(unkept.comparedWith == nil && unkept.differences.isEmpty && !unkept.swapped)
        #expect(try register.rebuild(check: true).comparedWith == nil)
        #expect(try debits.rebuild(check: true).comparedWith == nil)

        var random = SeededGenerator(seed: 13)
        while try city.importNextSlice(200...900, using: &random) != nil {
            try balances.catchUp()
            try register.catchUp()
            try debits.catchUp()
            try StoredPremiums(ledger.ports).catchUp()
        }
        let head = try ledger.store.head().position
        #expect(head == city.head)
        let checked = (
            try balances.rebuild(check: true), try register.rebuild(check: true), try debits.rebuild(check: true)
        )
        #expect(checked.0.comparedWith == head && checked.0.differences.isEmpty && !checked.0.swapped)
        #expect(checked.0.position == head && checked.0.rows > 0 && checked.0.events > 0)
        #expect(checked.1.comparedWith == head && checked.1.differences.isEmpty && !checked.1.swapped)
        #expect(checked.1.persons == (try register.status().rows) && checked.1.events > 0)
        #expect(checked.2.comparedWith == head && checked.2.differences.isEmpty && !checked.2.swapped)
        #expect(checked.2.persons == (try debits.status().rows) && checked.2.persons > 0)
        // The register checked in passes of 7 persons, compared a slice of 3 at a time (each
        // slice's documents read by their range of keys): the same persons and events, equal.
        let sliced = try register.rebuild(check: true, personsPerPass: 7, personsPerSlice: 3)
        #expect(sliced.differences.isEmpty && sliced.comparedWith == head)
        #expect(sliced.persons == checked.1.persons && sliced.events == checked.1.events && sliced.persons > 7)
        let premiums = StoredPremiums(ledger.ports)
        let premiumsChecked = try premiums.rebuild(check: true)
        #expect(premiumsChecked.differences.isEmpty && premiumsChecked.comparedWith == head)
        let slicedPremiums = try premiums.rebuild(check: true, personsPerPass: 7, personsPerSlice: 3)
        #expect(slicedPremiums.differences.isEmpty && slicedPremiums.comparedWith == head)
        #expect(slicedPremiums.persons == premiumsChecked.persons && slicedPremiums.persons > 7)
        #expect(slicedPremiums.events == premiumsChecked.events)
        let premiumRows = try premiums.status().rows
        #expect(premiumRows > slicedPremiums.persons)
        let slicedDebits = try debits.rebuild(check: true, personsPerSlice: 3)
        #expect(slicedDebits.differences.isEmpty && slicedDebits.comparedWith == head)
        #expect(slicedDebits.persons == checked.2.persons && slicedDebits.events == checked.2.events)
        let slicedBalances = try balances.rebuild(check: true, personsPerPass: 7, personsPerSlice: 3)
        #expect(slicedBalances.differences.isEmpty && slicedBalances.comparedWith == head)
        #expect(slicedBalances.rows == checked.0.rows && slicedBalances.persons == checked.0.persons)
        #expect(slicedBalances.events == checked.0.events)

        // One document of each model altered in the schema, as someone with the database's
        // password could: each check names it.
        let someone = try #require(try debits.states()?.states.keys.sorted().first).value
        let other = try #require(try debits.states()?.states.keys.sorted().last).value
        #expect(someone != other)
        #expect(try psql(city.url, "DELETE FROM rm_balances WHERE person = '\(someone)'") == 0)
        #expect(
            try psql(
                city.url,
                "UPDATE rm_register SET row = (SELECT row FROM rm_register WHERE person = '\(other)') WHERE person = '\(someone)'"
            ) == 0)
        #expect(
            try psql(
                city.url,
                "UPDATE rm_debits SET row = jsonb_set(row, '{sums}', (SELECT row->'sums' FROM rm_debits WHERE person = '\(other)')) WHERE person = '\(someone)'"
            ) == 0)
        let altered = (
            try balances.rebuild(check: true), try register.rebuild(check: true), try debits.rebuild(check: true)
        )
        #expect(!altered.0.differences.isEmpty && altered.0.differences.allSatisfy { $0.person.value == someone })
        #expect(altered.0.differences.allSatisfy { $0.maintained == nil && $0.rebuilt != nil })
        // The register's document of one holds another's entry: that entry is found twice, so both
        // are named.
        #expect(altered.1.differences.map(\.value) == [someone, other].sorted())
        #expect(altered.2.differences.map(\.value) == [someone])
        // Copies of a document under keys before and after every person's: the first slice and
        // the last read them, and the copied person is named.
        for key in ["!", "~"] {
            for (table, part) in [
                ("rm_register", "part"), ("rm_balances", "fiscal_year"), ("rm_premiums", "fiscal_year"),
                ("rm_debits", "part"),
            ] {
                #expect(
                    try psql(
                        city.url,
                        "INSERT INTO \(table)(person, \(part), row) SELECT '\(key)', \(part), row FROM \(table) WHERE person = '\(other)'"
                    ) == 0)
            }
        }
        let copied = try register.rebuild(check: true, personsPerPass: 7, personsPerSlice: 3)
        #expect(copied.differences.map(\.value) == [someone, other].sorted())
        let copiedBalances = try balances.rebuild(check: true, personsPerPass: 7, personsPerSlice: 3)
        #expect(Set(copiedBalances.differences.map(\.person.value)) == [someone, other])
        let copiedDebits = try debits.rebuild(check: true, personsPerSlice: 3)
        #expect(copiedDebits.differences.map(\.value) == [someone, other].sorted())
        let copiedPremiums = try premiums.rebuild(check: true, personsPerPass: 7, personsPerSlice: 3)
        #expect(copiedPremiums.differences.map(\.value) == [other])
        // The copies' rows are found in the slices of their keys, where the fold has no such row.
        #expect(
            copiedBalances.differences.filter { $0.person.value == other }.allSatisfy {
                $0.maintained != nil && $0.rebuilt == nil
            })

        // The rebuild replaces the documents; a check then finds them equal.
        let mended = (
            try balances.rebuild(check: false, personsPerPass: 7, personsPerSlice: 3),
            try register.rebuild(check: false, personsPerPass: 7, personsPerSlice: 3),
            try debits.rebuild(check: false, personsPerSlice: 3)
        )
        #expect(mended.0.swapped && mended.1.swapped && mended.2.swapped)
        #expect(try balances.rebuild(check: true).differences.isEmpty)
        #expect(try balances.status().rows == mended.0.rows && mended.0.rows == checked.0.rows)
        #expect(try register.rebuild(check: true).differences.isEmpty)
        #expect(try register.status().rows == mended.1.persons)
        let premiumsMended = try premiums.rebuild(check: false, personsPerPass: 7, personsPerSlice: 3)
        #expect(premiumsMended.swapped && premiumsMended.differences.map(\.value) == [other])
        #expect(try premiums.rebuild(check: true).differences.isEmpty)
        #expect(try premiums.status().rows == premiumRows)
        #expect(try debits.rebuild(check: true).differences.isEmpty)
        #expect(try balances.rows(of: try PersonID(someone)).rows.isEmpty == false)
    }

    /// The balances built in a schema from zero in position order, on a city with histories the
    /// compact sums cannot follow (a payment cancelled, due dates moved after money reached them,
    /// money appropriated to a year not assessed: those persons are folded from their streams),
    /// equal a fold of the city from scratch, and the check finds them equal.
    @Test func theBalancesBuiltInPostgresEqualAFoldWhereTheSumsCannotFollow() throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["KOKI_TEST_POSTGRES"], !base.isEmpty else {
            if env["KOKI_REQUIRE_POSTGRES"] == "1" { Issue.record("KOKI_TEST_POSTGRES names no server") }
            return
        }
        let (folder, file, odd) = try PositionOrderRebuildTests.city(seed: 7)
        defer { withExtendedLifetime(folder) {} }
        let url = base + "?schema=po_" + UUID().uuidString.lowercased().prefix(8)
        let postgres = try PostgresLedger.create(url: url, ledgerID: file.store.ledgerID)
        defer {
            postgres.close()
            try? PostgresLedger.dropSchema(url: url)
        }
        var rows: [StoredRow] = []
        try file.store.forEachStoredRow(from: 1) { rows.append($0) }
        try postgres.importRows(rows)
        let ledger = KokiLedger(postgres)
        let head = try ledger.store.head().position
        let accounts = try ledger.replay(CollectionAccounts.self).accounts
        let expected = accounts.keys.sorted().flatMap { YearBalance.rows(of: $0, accounts[$0]!) }
        // The odd histories changed what some persons' rows say.
        #expect(odd.contains { person in expected.contains { $0.person == person && $0.held > .zero } })
        let balances = StoredBalances(ledger)
        let built = try balances.rows()
        #expect(built.source == .table(position: head))
        #expect(built.rows == expected)
        let check = try balances.rebuild(check: true)
        #expect(check.comparedWith == head && check.differences.isEmpty && check.rows == expected.count)
        #expect(check.events > 0 && check.events < head, "only the balances' events are read")
    }

    /// A rebuild another process overtakes (it records commands and catches the register's
    /// documents up while the rebuild compares them) begins again, caught up anew, and compares
    /// with the documents at the new head; overtaken every time, it gives up after three attempts,
    /// naming the model, and replaces nothing.
    @Test func aRebuildOvertakenBeginsAgainAndGivesUpAfterThreeAttempts() throws {
        guard let city = try HalfCity(seed: 29, insured: 40, schema: "ot_") else { return }
        let ledger = KokiLedger(city.postgres)
        let register = StoredRegister(ledger.ports)
        try register.catchUp()
        let other = try PostgresLedger.open(url: city.url)
        defer { other.close() }
        let elsewhere = StoredRegister(KokiLedger(other).ports)
        var random = SeededGenerator(seed: 29)
        // Another office records commands and catches the documents up, once or every time.
        var (overtakings, compared) = (0, 0)
        func overtake(always: Bool) throws {
            compared += 1
            guard always || overtakings == 0, try city.importNextSlice(20...60, using: &random) != nil else { return }
            try elsewhere.catchUp()
            overtakings += 1
        }
        let once = try register.rebuild(
            check: true, personsPerPass: 7, personsPerSlice: 3, beforeComparing: { try overtake(always: false) })
        let head = try ledger.store.head().position
        #expect(overtakings == 1 && head > city.head / 2)
        #expect(once.position == head && once.comparedWith == head && once.differences.isEmpty)
        #expect(once.persons == (try register.status().rows) && compared > 3)
        // The report says it began twice.
        #expect(once.attempts == 2)

        (overtakings, compared) = (0, 0)
        #expect {
            try register.rebuild(
                check: false, personsPerPass: 7, personsPerSlice: 3, beforeComparing: { try overtake(always: true) })
        } throws: { error in
            "\(error)".contains("the register's documents moved on from position") && "\(error)".contains("3 times")
        }
        #expect(overtakings == 3 && compared == 3)
        // Nothing replaced: the documents are those the other office caught up, still equal to a
        // fold from zero.
        let after = try register.rebuild(check: true)
        let now = try ledger.store.head().position
        #expect(after.comparedWith == now && after.differences.isEmpty && after.attempts == 1)
    }

    /// Runs SQL in the ledger's schema with the address's credentials; the exit status.
    /// In a schema, the union's differences in a fresh process come from its stored register
    /// and premiums (documents, caught up as they are read) and equal each person's own stream
    /// folded and the city in memory, after slices of the city were recorded.
    @Test func theUnionsDifferencesInASchemaComeFromItsStoredModels() throws {
        guard let city = try HalfCity(seed: 19, insured: 60, schema: "ud_") else { return }
        var random = SeededGenerator(seed: 19)
        let cold = try city.storedModelsBehind(using: &random)
        let warm = KokiLedger(city.postgres)
        let whole = try warm.currentCity()
        let decisions = try CandidatesTests.unionDecisions(of: whole, years: [2024, 2025], using: &random)
        let side = try UnionReconciliation.KokiSide(cold)
        let stored = try #require(try side.stored(decisions))
        let folded = try decisions.map { try UnionReconciliation.differences(of: $0, side.city(of: $0.person)) }
        #expect(stored == folded && stored.contains { !$0.isEmpty })
        #expect(try UnionReconciliation.KokiSide(warm).differences(of: decisions) == folded && !cold.hasCurrentCity)
        #expect(try StoredRegister(cold.ports).status().position == city.head)
    }

    /// `whatif` in a schema reads a slice of persons at a time from the stored register and
    /// premiums, the documents built at a slice of the city and caught up as they are read: each
    /// year's rows, field by field, are those of the replay folding every event.
    @Test func theReplayInASchemaReadsASliceOfPersonsAtATime() throws {
        guard let city = try HalfCity(seed: 23, insured: 60, schema: "wi_") else { return }
        var random = SeededGenerator(seed: 23)
        let cold = try city.storedModelsBehind(using: &random)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let vault = try IdentityVault.preloaded(cold)
        for year in [2024, 2025] {
            let fy = try FiscalYear(year)
            let sliced = try #require(
                try WhatIf.slices(
                    cold, fiscalYear: fy, rates: nil, vault: vault, personsPerSlice: 25, readingApartFrom: 1))
            let whole = try WhatIf.run(
                KokiLedger(city.postgres), fiscalYear: fy, rates: nil, latestOnly: false,
                reading: .wholeCity(foldingCollection: true))
            #expect(sliced.count > 20 && sliced.count == whole.rows.count, "FY\(year)")
            #expect(try encoder.encode(sliced) == encoder.encode(whole.rows), "FY\(year)")
        }
        #expect(!cold.hasCurrentCity)
    }

    func psql(_ address: String, _ sql: String) throws -> Int32 {
        let url = try PostgresLedger.Address(address)
        return try KokiTestSupport.psql(
            host: url.host, port: url.port, user: url.user, password: url.password, database: url.database,
            schema: url.schema, sql)
    }
}

extension HalfCity {
    /// A ledger on the schema whose stored register and premiums were built at the first slice
    /// of the rest of the city, every later slice copied after: its documents are caught up to
    /// the rest as they are read.
    func storedModelsBehind(using random: inout SeededGenerator) throws -> KokiLedger {
        _ = try importNextSlice(300...600, using: &random)
        let cold = KokiLedger(postgres)
        try StoredRegister(cold.ports).catchUp()
        _ = try StoredPremiums(cold.ports).catchUp()
        while try importNextSlice(300...900, using: &random) != nil {}
        return cold
    }
}
