import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiProjections
import KokiReadModels
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
        // Snapshots are a file's.
        #expect(throws: KokiError.self) { try balances.rebuild(check: false, snapshotEvery: 1_000) }

        var random = SeededGenerator(seed: 13)
        while try city.importNextSlice(200...900, using: &random) != nil {
            try balances.catchUp()
            try register.catchUp()
            try debits.catchUp()
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
        #expect(altered.1.differences.map(\.value) == [someone])
        #expect(altered.2.differences.map(\.value) == [someone])

        // The rebuild replaces the documents; a check then finds them equal.
        let mended = (
            try balances.rebuild(check: false), try register.rebuild(check: false), try debits.rebuild(check: false)
        )
        #expect(mended.0.swapped && mended.1.swapped && mended.2.swapped)
        #expect(try balances.rebuild(check: true).differences.isEmpty)
        #expect(try register.rebuild(check: true).differences.isEmpty)
        #expect(try debits.rebuild(check: true).differences.isEmpty)
        #expect(try balances.rows(of: try PersonID(someone)).rows.isEmpty == false)
    }

    /// Runs SQL in the ledger's schema with the address's credentials; the exit status.
    func psql(_ address: String, _ sql: String) throws -> Int32 {
        let url = try PostgresLedger.Address(address)
        return try KokiTestSupport.psql(
            host: url.host, port: url.port, user: url.user, password: url.password, database: url.database,
            schema: url.schema, sql)
    }
}
