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

    /// The debit states read with the balances take their period sums from the balance pass, not
    /// from a fold of their own: the same sums, the same exactness, whichever way a holder's sums
    /// stop being followed (a payment cancelled, which the compact sums cannot follow; a
    /// convenience store's preliminary report, which the debit state does not follow), in one
    /// pass or many.
    @Test(arguments: [nil, 3] as [Int?])
    func theDebitStatesTakeTheBalancePasssSumsExactlyAsTheyFoldThem(personsPerPass: Int?) throws {
        let (folder, ledger, _) = try PositionOrderRebuildTests.city(seed: 17)
        defer { withExtendedLifetime(folder) {} }
        try catchUpStoredModels(ledger.ports)
        let ports = ledger.ports
        let city = try ledger.currentCity()
        let holders = try StoredDebits(ports).filledFromZero(byStreams: true).states
        let payers = holders.keys.sorted().filter { city.collection.accounts[$0]?.payments.isEmpty == false }
        try #require(payers.count >= 3)
        let (cancelled, reported) = (payers[0], payers[1])
        let payment = try #require(city.collection.accounts[cancelled]?.payments.last?.event)
        let key = try #require(city.collection.accounts[reported]?.periods.first?.key)
        let day = try CivilDate(iso: "2026-04-01")
        try ledger.record(
            [
                .paymentCancelled(
                    PaymentCancelled(person: cancelled, payment: payment.id, cancelledOn: day, reason: "test")),
                .conveniencePaymentReported(
                    ConveniencePaymentReported(
                        person: reported, key: key, amount: Yen(1_000), paidOn: day, reportedOn: day,
                        store: "0012345", barcode: "9191234500")),
            ], metadata: CommandMetadata(commandID: Identifier(derivedFrom: Array("test/inexact".utf8)), actor: "test"))
        try catchUpStoredModels(ports)
        let states = try StoredDebits(ports).filledFromZero(byStreams: true).states
        #expect(states[cancelled]?.isExact == false && states[reported]?.isExact == false)
        #expect(try states[payers[2]]?.periods()?.isEmpty == false)

        let before = try Self.tables(ledger)
        let together = try #require(try SharedRebuild.rebuild(ports, check: true, personsPerPass: personsPerPass))
        #expect(together.debits.differences.isEmpty && together.debits.persons == holders.count)
        _ = try #require(try SharedRebuild.rebuild(ports, check: false, personsPerPass: personsPerPass))
        let after = try Self.tables(ledger)
        #expect(after == before)
        // Each holder's two rows; the exact column as the states say.
        let debitRows = try #require(after["rm_debits"])
        #expect(debitRows.count == 2 * states.count)
        for row in debitRows {
            let person = try PersonID(try #require(String.fromDatabaseValue(row[0])))
            let exact = try #require(Int64.fromDatabaseValue(row[2]))
            #expect((exact == 1) == states[person]?.isExact, "\(person)")
        }
    }
}
