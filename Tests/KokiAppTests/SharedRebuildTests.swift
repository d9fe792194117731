import Foundation
import GRDB
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
@_spi(Reference) @testable import KokiReadModels
import KokiTestSupport
import LedgerStore
import Testing

/// The three models rebuilt together from one read of the ledger equal each rebuilt on its own:
/// the same fresh tables (in one pass of the persons or many), the same events read, the same
/// rows named where a maintained table was altered, and the same tables swapped in.
@Suite struct SharedRebuildTests {
    /// Every row of the three models' maintained tables, by table.
    static func tables(_ ledger: KokiLedger) throws -> [String: [[DatabaseValue]]] {
        let queue = try DatabaseQueue(path: ledger.store.location)
        return try queue.read { db in
            var all: [String: [[DatabaseValue]]] = [:]
            for table in ["rm_balances", "rm_debits", "rm_premiums"] {
                all[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2").map {
                    Array($0.databaseValues)
                }
            }
            return all
        }
    }

    @Test(arguments: [nil, 1, 7] as [Int?])
    func theModelsRebuiltTogetherEqualEachRebuiltAlone(personsPerPass: Int?) throws {
        let (folder, ledger, odd) = try PositionOrderRebuildTests.city(seed: 11)
        defer { withExtendedLifetime(folder) {} }
        try #require(!odd.isEmpty)
        try catchUpStoredModels(ledger.ports)
        let ports = ledger.ports
        // Alone, as before.
        let alone = (
            balances: try StoredBalances(ports).rebuild(check: true),
            debits: try StoredDebits(ports).rebuild(check: true),
            premiums: try StoredPremiums(ports).rebuild(check: true)
        )
        let together = try #require(try SharedRebuild.rebuild(ports, check: true, personsPerPass: personsPerPass))
        #expect(together.balances.differences.isEmpty)
        #expect(together.debits.differences.isEmpty && together.premiums.differences.isEmpty)
        // The same counts: persons, events read, rows.
        #expect(together.balances.events == alone.balances.events && together.balances.rows == alone.balances.rows)
        #expect(together.balances.persons == alone.balances.persons)
        for (a, b) in [(together.debits, alone.debits), (together.premiums, alone.premiums)] {
            #expect(a.persons == b.persons && a.events == b.events)
            #expect(a.position == b.position && a.comparedWith == b.comparedWith)
        }
        #expect(!together.balances.swapped && together.balances.comparedWith == alone.balances.comparedWith)
        // Swapped in, the tables are those each rebuild alone makes.
        let before = try Self.tables(ledger)
        let swapped = try #require(try SharedRebuild.rebuild(ports, check: false, personsPerPass: personsPerPass))
        #expect(swapped.balances.swapped && swapped.debits.swapped && swapped.premiums.swapped)
        #expect(try Self.tables(ledger) == before)
        #expect(before.values.allSatisfy { !$0.isEmpty })
    }

    /// An altered row in each maintained table is named, the same as each rebuild alone names it;
    /// swapped in, the rebuilt tables mend them.
    @Test func anAlteredRowInEachTableIsNamedAsEachRebuildAloneNamesIt() throws {
        let (folder, ledger, _) = try PositionOrderRebuildTests.city(seed: 13)
        defer { withExtendedLifetime(folder) {} }
        try catchUpStoredModels(ledger.ports)
        let clean = try Self.tables(ledger)
        let queue = try DatabaseQueue(path: ledger.store.location)
        let someone = try #require(clean["rm_debits"]?.first?.first.flatMap { String.fromDatabaseValue($0) })
        try queue.write { db in
            for sql in [
                "UPDATE rm_balances SET outstanding = outstanding + 1 WHERE person = ?",
                "DELETE FROM rm_debits WHERE person = ? AND part = 1",
                "UPDATE rm_premiums SET current_position = current_position - 1 WHERE person = ?",
            ] {
                try db.execute(sql: sql, arguments: [someone])
            }
        }
        let ports = ledger.ports
        let alone = (
            balances: try StoredBalances(ports).rebuild(check: true),
            debits: try StoredDebits(ports).rebuild(check: true),
            premiums: try StoredPremiums(ports).rebuild(check: true)
        )
        let together = try #require(try SharedRebuild.rebuild(ports, check: true))
        #expect(!alone.balances.differences.isEmpty)
        #expect(together.balances.differences.map(\.person) == alone.balances.differences.map(\.person))
        #expect(together.balances.differences.map(\.fiscalYear) == alone.balances.differences.map(\.fiscalYear))
        for (a, b) in [(together.debits, alone.debits), (together.premiums, alone.premiums)] {
            #expect(a.differences.map(\.value) == [someone] && b.differences.map(\.value) == [someone])
        }
        _ = try #require(try SharedRebuild.rebuild(ports, check: false))
        #expect(try Self.tables(ledger) == clean)
        let again = try #require(try SharedRebuild.rebuild(ports, check: true))
        #expect(again.balances.differences.isEmpty)
        #expect(again.debits.differences.isEmpty && again.premiums.differences.isEmpty)
    }
}
