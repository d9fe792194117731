import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiProjections
import KokiReadModels
import KokiSimulation
import KokiTestSupport
import LedgerStore
import LedgerStorePostgres
import Testing

/// The balances read model on a PostgreSQL ledger: built from every event, then caught up
/// command by command at random moments, it always equals a fold of the city from scratch
/// (with `KOKI_TEST_POSTGRES`; skipped without it unless `KOKI_REQUIRE_POSTGRES=1`).
@Suite struct PostgresBalancesTests {
    @Test(arguments: [5, 23] as [UInt64])
    func maintainedInPostgresEqualsAFoldFromScratch(seed: UInt64) throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["KOKI_TEST_POSTGRES"], !base.isEmpty else {
            if env["KOKI_REQUIRE_POSTGRES"] == "1" { Issue.record("KOKI_TEST_POSTGRES names no server") }
            return
        }
        // A simulated city in a file; its first half copied into PostgreSQL, the rest after.
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 60, years: 2, seed: seed, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run()
        let file = simulation.ledger.store
        let url = base + "?schema=b_\(seed)_" + UUID().uuidString.lowercased().prefix(8)
        defer { try? PostgresLedger.dropSchema(url: url) }
        let postgres = try PostgresLedger.create(url: url, ledgerID: file.ledgerID)
        defer { postgres.close() }
        let head = try file.head().position
        var rows: [StoredRow] = []
        try file.forEachStoredRow(from: 1) { rows.append($0) }
        // Whole commands only: cut where a command starts.
        var cut = rows.count / 2
        while cut < rows.count, rows[cut].command.firstPosition != rows[cut].position { cut += 1 }
        try postgres.importRows(Array(rows[..<cut]))
        let ledger = KokiLedger(postgres)
        let balances = StoredBalances(ledger)
        let first = try balances.rows()
        #expect(first.source == .table(position: Int64(cut)))
        #expect(first.rows == (try expected(ledger, through: Int64(cut))))
        #expect(try balances.status().rows == first.rows.count)
        // Then the rest, in random slices, caught up after each.
        var random = SeededGenerator(seed: seed)
        var at = cut
        while at < rows.count {
            var end = min(rows.count, at + Int.random(in: 50...400, using: &random))
            while end < rows.count, rows[end].command.firstPosition != rows[end].position { end += 1 }
            try postgres.importRows(Array(rows[at..<end]))
            at = end
            let caught = try balances.catchUp()
            #expect(caught.to == Int64(at) && !caught.rebuilt)
        }
        let last = try balances.rows()
        #expect(last.source == .table(position: head))
        #expect(last.rows == (try expected(ledger, through: head)))
        #expect(last.rows.contains { $0.outstanding > .zero })
        // One person's rows come from the table too; an earlier position is folded.
        let someone = try #require(last.rows.first?.person)
        #expect(try balances.rows(of: someone).rows == last.rows.filter { $0.person == someone })
        #expect(try balances.rows(through: Int64(cut)).source == .fold)
    }

    /// The stored register in the PostgreSQL schema: built from the first half of a city, then
    /// caught up after random slices of the rest, it equals a fold of the register's events.
    @Test func theRegisterInPostgresEqualsAFoldFromScratch() throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["KOKI_TEST_POSTGRES"], !base.isEmpty else {
            if env["KOKI_REQUIRE_POSTGRES"] == "1" { Issue.record("KOKI_TEST_POSTGRES names no server") }
            return
        }
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 50, years: 2, seed: 8, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run()
        let file = simulation.ledger.store
        let url = base + "?schema=r_" + UUID().uuidString.lowercased().prefix(8)
        defer { try? PostgresLedger.dropSchema(url: url) }
        let postgres = try PostgresLedger.create(url: url, ledgerID: file.ledgerID)
        defer { postgres.close() }
        var rows: [StoredRow] = []
        try file.forEachStoredRow(from: 1) { rows.append($0) }
        var cut = rows.count / 2
        while cut < rows.count, rows[cut].command.firstPosition != rows[cut].position { cut += 1 }
        try postgres.importRows(Array(rows[..<cut]))
        let ledger = KokiLedger(postgres)
        let stored = StoredRegister(ledger.ports)
        let first = try stored.register()
        #expect(first.fromTable && first.position == Int64(cut))
        #expect(first.register == (try ledger.replay(InsuredRegister.self, through: Int64(cut))))
        var random = SeededGenerator(seed: 8)
        var at = cut
        var refolded = 0
        while at < rows.count {
            var end = min(rows.count, at + Int.random(in: 100...600, using: &random))
            while end < rows.count, rows[end].command.firstPosition != rows[end].position { end += 1 }
            try postgres.importRows(Array(rows[at..<end]))
            at = end
            refolded += try stored.catchUp()
        }
        let fold = try ledger.replay(InsuredRegister.self)
        let last = try stored.register()
        #expect(last.fromTable && last.register == fold && refolded > 0)
        #expect(try stored.status().rows == fold.persons.count)
        let day = try CivilDate(iso: "2025-06-01")
        #expect(try stored.insured(on: day).map(\.person) == fold.insured(on: day).map(\.id))
        // An earlier position is folded from the events.
        #expect(try !stored.register(through: Int64(cut)).fromTable)
    }

    func expected(_ ledger: KokiLedger, through position: Int64) throws -> [YearBalance] {
        let accounts = try ledger.replay(CollectionAccounts.self, through: position).accounts
        return accounts.keys.sorted().flatMap { YearBalance.rows(of: $0, accounts[$0]!) }
    }
}
