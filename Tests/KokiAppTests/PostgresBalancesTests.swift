import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiProjections
@_spi(Reference) import KokiReadModels
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
        guard let city = try HalfCity(seed: seed, insured: 60, schema: "b_\(seed)_") else { return }
        let (postgres, cut, head) = (city.postgres, city.cut, city.head)
        let ledger = KokiLedger(postgres)
        let balances = StoredBalances(ledger)
        let first = try balances.rows()
        #expect(first.source == .table(position: Int64(cut)))
        #expect(first.rows == (try expected(ledger, through: Int64(cut))))
        #expect(try balances.status().rows == first.rows.count)
        // Then the rest, in random slices, caught up after each.
        var random = SeededGenerator(seed: seed)
        var (asked, slices) = (0, 0)
        while let at = try city.importNextSlice(50...400, using: &random) {
            slices += 1
            if slices % 2 == 1 {
                // Who may owe on a day, from the documents that say so (caught up first).
                let date = try CivilDate(daysSinceEpoch: Int.random(in: 19_900...20_700, using: &random))
                let rates = try CollectionCommands(ledger).arrearsSettings()?.chargeRates
                let picked = try balances.mayBeInArrears(on: date, rates: rates, through: Int64(at))
                let all = try expected(ledger, through: Int64(at))
                let mayOwe = all.filter { $0.mayBeInArrears(on: date, rates: rates) }
                #expect(picked.answer.position == Int64(at))
                #expect(Set(picked.answer.rows).isSubset(of: Set(all)), "\(date) at \(at)")
                #expect(mayOwe.allSatisfy(Set(picked.answer.rows).contains), "\(date) at \(at)")
                #expect(picked.persons == Set(mayOwe.map(\.person)).sorted(), "\(date) at \(at)")
                asked += 1
                continue
            }
            let caught = try balances.catchUp()
            #expect(caught.to == Int64(at) && !caught.rebuilt)
        }
        #expect(asked > 0)
        // The delinquent list there, its candidates shared among connections or not, is the
        // whole city's.
        let arrears = ArrearsCommands(ledger)
        for day in [20_200, 20_450, 20_650] {
            let date = try CivilDate(daysSinceEpoch: day)
            let apart = try arrears.delinquents(on: date, order: .amount, knownAt: nil, readingApartFrom: 1)
            let alone = try arrears.delinquents(on: date, order: .amount, knownAt: nil, readingApartFrom: .max)
            #expect(apart == alone, "\(date)")
            let city = try CitySnapshot(ledger, through: head)
            let expected = StoredBalancesTests.owed(city, on: date, try #require(city.collection.arrearsSettings))
            #expect(Dictionary(uniqueKeysWithValues: apart.map { ($0.person, $0.owed) }) == expected, "\(date)")
        }
        let last = try balances.rows()
        #expect(last.source == .table(position: head))
        #expect(last.rows == (try expected(ledger, through: head)))
        // Each run's pick, by the documents' fields: every row its filter keeps.
        for day in [20_200, 20_650] {
            let date = try CivilDate(daysSinceEpoch: day)
            for (i, (pick, keep)) in StoredBalancesTests.picks(on: date).enumerated() {
                let picked = try balances.persons(pick)
                #expect(Set(picked.answer.rows) == Set(last.rows.filter(keep)), "pick \(i) on \(date)")
            }
        }
        #expect(last.rows.contains { $0.outstanding > .zero })
        // One person's rows come from the table too; an earlier position is folded.
        let someone = try #require(last.rows.first?.person)
        #expect(try balances.rows(of: someone).rows == last.rows.filter { $0.person == someone })
        #expect(try balances.rows(through: Int64(cut)).source == .fold)
    }

    /// The balances as the ledger knew them at any position, in a PostgreSQL schema: every
    /// catch-up leaves a delta and takes a snapshot each `snapshotInterval` events, and the past
    /// read from them (another connection reading too) equals the city folded from scratch
    /// through that position; a rebuild takes a snapshot at its head, and a snapshot of another
    /// logic version is never read.
    @Test func theBalancesInPostgresAsKnownAtAnyPositionEqualAFoldFromScratch() throws {
        guard let city = try HalfCity(seed: 19, insured: 60, schema: "bs_") else { return }
        let ledger = KokiLedger(city.postgres)
        let interval = Int64(city.cut / 3)
        var balances = StoredBalances(ledger.ports, snapshotInterval: interval)
        // The catch-ups' snapshots read the rows kept a few persons at a time.
        balances.personsPerSlice = 5
        let built = try balances.catchUp()
        #expect(built.rebuilt && built.snapshotTaken)
        var random = SeededGenerator(seed: 19)
        var (taken, catchUps) = (1, 0)
        while try city.importNextSlice(100...500, using: &random) != nil {
            let caught = try balances.catchUp()
            (taken, catchUps) = (taken + (caught.snapshotTaken ? 1 : 0), catchUps + 1)
        }
        let status = try balances.status()
        #expect(status.snapshots.map(\.position).count == taken && taken >= 3, "\(taken) snapshots")
        #expect(status.deltas == catchUps && status.deltaBytes > 0)
        let snapshots = status.snapshots.map(\.position)
        // At each snapshot, between them and before the first, from another connection as well.
        let other = try PostgresLedger.open(url: city.url)
        defer { other.close() }
        var positions = snapshots + [snapshots[0] - 1, city.head - 1, Int64(city.cut) + 1]
        positions += (0..<8).map { _ in Int64.random(in: 1...city.head, using: &random) }
        var (fromSnapshots, filledAfter) = (0, 0)
        for (n, through) in positions.enumerated() {
            let reader = n % 2 == 0 ? balances : StoredBalances(KokiLedger(other).ports)
            let answer = try reader.rows(through: through)
            #expect(answer.rows == (try expected(ledger, through: through)), "at \(through)")
            #expect(answer.position == through)
            // Before the first snapshot, or where most persons changed since the history's last
            // word, the ledger is read once in position order instead.
            guard case .snapshot(let at, _, _) = answer.source else {
                #expect(answer.source == .fold, "at \(through): \(answer.source)")
                if through >= snapshots[0] { filledAfter += 1 }
                continue
            }
            #expect(at == snapshots.last { $0 <= through }, "at \(through)")
            fromSnapshots += 1
        }
        // Both ways exercised after the first snapshot (the seed's positions).
        #expect(fromSnapshots >= snapshots.count && filledAfter > 0, "\(filledAfter) read in position order")
        // Beyond the head: refused.
        #expect(throws: KokiError.self) { try balances.rows(through: city.head + 1) }

        // A rebuild takes one at its head and keeps the history of its own logic.
        let rebuilt = try balances.rebuild(check: false)
        #expect(rebuilt.differences.isEmpty && rebuilt.snapshots == [city.head])
        #expect(
            try balances.status().snapshots.map(\.position) == snapshots
                + (snapshots.last == city.head ? [] : [city.head]))
        // With a checkpoint interval, the same pass records the past at the positions a file's
        // rebuild records it (the same events in the city's file), a fresh history replacing the
        // one the catch-ups kept; each position then read from it, nothing folded.
        let file = try Ledger.open(at: city.folder.path("city.ledger"))
        defer { file.close() }
        let every = interval / 2
        let reference = try StoredBalances(file.ports, snapshotInterval: interval).filledFromZero(
            byStreams: false, snapshotEvery: every)
        let recorded = try balances.rebuild(check: false, snapshotEvery: every)
        #expect(recorded.snapshots == reference.snapshots.filter(\.full).map(\.position) + [city.head])
        #expect(recorded.deltas == reference.snapshots.filter { !$0.full }.map(\.position))
        #expect(recorded.deltas.count >= 2 && recorded.differences.isEmpty)
        let history = try balances.status()
        #expect(history.snapshots.map(\.position) == recorded.snapshots && history.deltas == recorded.deltas.count)
        for taken in reference.snapshots {
            let answer = try balances.rows(through: taken.position)
            let scratch = try expected(ledger, through: taken.position)
            #expect(answer.rows == scratch, "at \(taken.position)")
            guard case .snapshot(let at, _, let refolded) = answer.source else {
                Issue.record("at \(taken.position): \(answer.source)")
                continue
            }
            #expect(refolded == 0 && (at == taken.position) == taken.full, "at \(taken.position)")
        }
        // Between checkpoints: the persons whose streams changed since the last folded again.
        var refoldedSome = false
        for (earlier, later) in zip(reference.snapshots, reference.snapshots.dropFirst()) {
            let through = (earlier.position + later.position) / 2
            let answer = try balances.rows(through: through)
            let scratch = try expected(ledger, through: through)
            #expect(answer.rows == scratch, "at \(through)")
            if case .snapshot(_, _, let refolded) = answer.source, refolded > 0 { refoldedSome = true }
        }
        #expect(refoldedSome)

        // A table of another logic version: its history is never read, and dropped with it.
        let sql = PostgresRebuildTests()
        let first = recorded.snapshots[0]
        #expect(
            try sql.psql(
                city.url, "UPDATE rm_snapshots SET logic_version = logic_version + 1 WHERE position = \(first)") == 0)
        let folded = try balances.rows(through: first)
        let scratch = try expected(ledger, through: first)
        #expect(folded.source == .fold && folded.rows == scratch)
        #expect(
            try sql.psql(city.url, "UPDATE rm_models SET logic_version = logic_version + 1 WHERE name = 'balances'")
                == 0)
        #expect(try balances.catchUp().rebuilt)
        #expect(try !balances.status().snapshots.contains { $0.logicVersion != YearBalance.logicVersion })
    }

    /// The stored premiums in the PostgreSQL schema: built from the first half of a city, then
    /// caught up after random slices of the rest, they point to what a fold holds, and the pension
    /// selection list read through them is the city's.
    @Test func thePremiumsInPostgresPointToWhatAFoldHolds() throws {
        guard let city = try HalfCity(seed: 31, insured: 60, schema: "p_") else { return }
        let ledger = KokiLedger(city.postgres)
        let premiums = StoredPremiums(city.postgres.ports)
        #expect(try premiums.catchUp() > 0)
        #expect(try premiums.status().position == Int64(city.cut))
        var random = SeededGenerator(seed: 31)
        while let at = try city.importNextSlice(50...400, using: &random) {
            try premiums.catchUp()
            #expect(try premiums.status().position == Int64(at))
        }
        let folded = try CitySnapshot(ledger, through: city.head)
        let all = try #require(try premiums.all())
        #expect(
            StoredPremiumsTests.same(try StoredPremiumsTests.stored(ledger, all), StoredPremiumsTests.expected(folded)))
        for year in [2024, 2025] {
            let fy = try FiscalYear(year)
            let stored = try #require(try ListPensionSelection.stored(ledger, fy))
            #expect(stored == (try ListPensionSelection.folded(KokiLedger(city.postgres), fy)), "FY\(year)")
            #expect(!stored.isEmpty)
        }
        let check = try premiums.rebuild(check: true)
        #expect(check.differences.isEmpty && check.comparedWith == city.head)
    }

    /// The stored register in the PostgreSQL schema: built from the first half of a city, then
    /// caught up after random slices of the rest, it equals a fold of the register's events.
    @Test func theRegisterInPostgresEqualsAFoldFromScratch() throws {
        guard let city = try HalfCity(seed: 8, insured: 50, schema: "r_") else { return }
        let (postgres, cut) = (city.postgres, city.cut)
        let ledger = KokiLedger(postgres)
        let stored = StoredRegister(ledger.ports)
        let first = try stored.register()
        #expect(first.fromTable && first.position == Int64(cut))
        #expect(first.register == (try ledger.replay(InsuredRegister.self, through: Int64(cut))))
        var random = SeededGenerator(seed: 8)
        var refolded = 0
        var slices = 0
        while try city.importNextSlice(100...600, using: &random) != nil {
            slices += 1
            guard slices % 2 == 0 else {
                refolded += try stored.catchUp()
                continue
            }
            // Every other slice, the questions by key catch the documents up themselves: only
            // the documents asked for are read, each as the fold has it now.
            let now = try ledger.replay(InsuredRegister.self)
            let asked = Set(now.persons.keys.sorted().prefix(7))
            #expect(try stored.heads(of: asked) == now.persons.filter { asked.contains($0.key) })
            let named = now.persons.values.compactMap { $0.households.last?.household }
            let household = try #require(named.min())
            #expect(
                try stored.everIn(household) == InsuredRegister(entries: now.everIn(household).map { now.persons[$0]! })
            )
        }
        #expect(slices > 2)
        let fold = try ledger.replay(InsuredRegister.self)
        let last = try stored.register()
        #expect(last.fromTable && last.register == fold && refolded > 0)
        #expect(try stored.status().rows == fold.persons.count)
        for day in ["2024-04-01", "2025-06-01", "2026-03-31", "2030-01-01"] {
            let day = try CivilDate(iso: day)
            #expect(try stored.insured(on: day).map(\.person) == fold.insured(on: day).map(\.id), "on \(day)")
        }
        // Everyone ever in each household, from the documents that list it.
        for household in Set(fold.persons.values.flatMap { $0.households.compactMap(\.household) }) {
            #expect(Set(try stored.everIn(household).persons.keys) == fold.everIn(household), "household \(household)")
        }
        // An earlier position is folded from the events.
        #expect(try !stored.register(through: Int64(cut)).fromTable)
    }

    func expected(_ ledger: KokiLedger, through position: Int64) throws -> [YearBalance] {
        let accounts = try ledger.replay(CollectionAccounts.self, through: position).accounts
        return accounts.keys.sorted().flatMap { YearBalance.rows(of: $0, accounts[$0]!) }
    }
}

/// A simulated city in a file whose first half (whole commands) is copied into a fresh
/// PostgreSQL schema, the rest to follow in slices; the schema is dropped with it. `nil` (the
/// test skipped) without `KOKI_TEST_POSTGRES`, recorded as an issue with `KOKI_REQUIRE_POSTGRES=1`.
final class HalfCity {
    let folder: TemporaryFolder
    let url: String
    let postgres: PostgresLedger
    let rows: [StoredRow]
    let cut: Int
    let head: Int64
    private var at: Int

    init?(seed: UInt64, insured: Int, schema: String) throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["KOKI_TEST_POSTGRES"], !base.isEmpty else {
            if env["KOKI_REQUIRE_POSTGRES"] == "1" { Issue.record("KOKI_TEST_POSTGRES names no server") }
            return nil
        }
        folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: insured, years: 2, seed: seed, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run()
        let file = simulation.ledger.store
        url = base + "?schema=" + schema + UUID().uuidString.lowercased().prefix(8)
        postgres = try PostgresLedger.create(url: url, ledgerID: file.ledgerID)
        head = try file.head().position
        var rows: [StoredRow] = []
        try file.forEachStoredRow(from: 1) { rows.append($0) }
        self.rows = rows
        cut = Self.commandStart(rows, from: rows.count / 2)
        at = cut
        try postgres.importRows(Array(rows[..<cut]))
    }

    deinit {
        postgres.close()
        try? PostgresLedger.dropSchema(url: url)
    }

    /// Whole commands only: the first row at or after `index` where a command starts.
    static func commandStart(_ rows: [StoredRow], from index: Int) -> Int {
        var cut = index
        while cut < rows.count, rows[cut].command.firstPosition != rows[cut].position { cut += 1 }
        return cut
    }

    /// Copies the next slice of whole commands (about `size` rows); returns the new head, or
    /// `nil` when every row was copied.
    func importNextSlice(_ size: ClosedRange<Int>, using random: inout SeededGenerator) throws -> Int? {
        guard at < rows.count else { return nil }
        let end = Self.commandStart(rows, from: min(rows.count, at + Int.random(in: size, using: &random)))
        try postgres.importRows(Array(rows[at..<end]))
        at = end
        return at
    }
}
