import Foundation
import GRDB
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// The stored balances: maintained by catching up at arbitrary moments, they equal a fold from
/// scratch; what the ledger knew at any position, answered from a snapshot, equals a fold of
/// exactly that prefix; a rebuild finds what differs; a stale logic is never reused.
@Suite struct StoredBalancesTests {
    /// A small simulated city whose stored balances were caught up at random months (each
    /// catch-up leaving a delta), with snapshots every `interval` events.
    static func city(seed: UInt64, interval: Int64 = 300) throws -> (
        folder: TemporaryFolder, ledger: KokiLedger, caughtUp: [Int64]
    ) {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 70, years: 2, seed: seed, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        let balances = StoredBalances(simulation.ledger, snapshotInterval: interval)
        var random = SeededGenerator(seed: seed)
        var caughtUp: [Int64] = []
        var failure: (any Error)?
        _ = try simulation.run { _ in
            guard Bool.random(using: &random) else { return }
            do { caughtUp.append(try balances.catchUp().to) } catch { failure = error }
        }
        if let failure { throw failure }
        return (folder, simulation.ledger, caughtUp)
    }

    /// What the delinquent list was before the read model: every account of the city decided on
    /// `date`, each person owing past due (unprescribed) with what they owe.
    static func owed(_ city: CitySnapshot, on date: CivilDate, _ settings: ArrearsSettings) -> [PersonID: Yen] {
        var owed: [PersonID: Yen] = [:]
        for (person, account) in city.collection.accounts {
            let periods = ArrearsCommands.arrears(account, on: date, settings).filter {
                !$0.prescription.isPrescribed(on: date)
            }
            if !periods.isEmpty { owed[person] = periods.map(\.outstanding).sum() }
        }
        return owed
    }

    /// The rows a fold of the whole city through `position` gives, in the table's order.
    static func expected(_ ledger: KokiLedger, through position: Int64) throws -> [YearBalance] {
        let accounts = try ledger.replay(CollectionAccounts.self, through: position).accounts
        return accounts.keys.sorted().flatMap { YearBalance.rows(of: $0, accounts[$0]!) }
    }

    @Test(arguments: [3, 17] as [UInt64])
    func maintainedAtRandomMomentsEqualsAFoldFromScratch(seed: UInt64) throws {
        let (folder, ledger, caughtUp) = try Self.city(seed: seed)
        defer { withExtendedLifetime(folder) {} }
        #expect(caughtUp.count > 3)
        let balances = StoredBalances(ledger, snapshotInterval: 300)
        let head = try ledger.store.head().position
        let now = try balances.rows()
        #expect(now.source == .table(position: head))
        #expect(now.rows == (try Self.expected(ledger, through: head)))
        #expect(now.rows.contains { $0.outstanding > .zero } && now.rows.contains { $0.dunnedPeriods > 0 })

        let check = try balances.rebuild(check: true)
        #expect(check.comparedWith == head && check.differences.isEmpty && !check.swapped)
        #expect(check.persons > 70 && check.rows == now.rows.count)
    }

    @Test(arguments: [300, 1_200] as [Int64])
    func knownAtAnyPositionEqualsAFoldOfThatPrefixWithOrWithoutSnapshots(interval: Int64) throws {
        let (folder, ledger, caughtUp) = try Self.city(seed: 5, interval: interval)
        defer { withExtendedLifetime(folder) {} }
        let balances = StoredBalances(ledger, snapshotInterval: interval)
        let status = try balances.status()
        let snapshots = status.snapshots
        try #require(!snapshots.isEmpty)
        #expect(status.deltas >= caughtUp.count - snapshots.count - 1)
        let head = try ledger.store.head().position
        var random = SeededGenerator(seed: 99)
        var sources: Set<String> = []
        let positions = (0..<12).map { _ in Int64.random(in: 0...head, using: &random) } + [snapshots.last!.position]
        for position in positions + caughtUp.shuffled(using: &random).prefix(4) {
            let answer = try balances.rows(through: position)
            #expect(answer.rows == (try Self.expected(ledger, through: position)), "at position \(position)")
            switch answer.source {
            case .snapshot(let at, let deltas, let refolded):
                #expect(at <= position && !snapshots.contains { $0.position > at && $0.position <= position })
                sources.insert("snapshot")
                if deltas > 0 { sources.insert("deltas") }
                // At a catch-up's position its delta answers: nothing to fold again.
                if caughtUp.contains(position) { #expect(refolded == 0, "at \(position)") }
            case .fold: sources.insert("fold")
            case .table: sources.insert("table")
            }
        }
        #expect(sources.contains("snapshot") && sources.contains("deltas"))

        // A delta gone missing (pruned by hand): the chain stops there and the rest is folded.
        let kept = try DatabaseQueue(path: ledger.store.path!).write { db -> [Int64] in
            let fulls = try Int64.fetchAll(db, sql: "SELECT position FROM rm_snapshots ORDER BY position")
            let deltas = try Int64.fetchAll(db, sql: "SELECT position FROM rm_snapshot_deltas ORDER BY position")
            // The first delta after a snapshot, with more deltas after it before the next snapshot.
            for (i, full) in fulls.enumerated() {
                let next = i + 1 < fulls.count ? fulls[i + 1] : .max
                let between = deltas.filter { $0 > full && $0 < next }
                guard between.count >= 2 else { continue }
                try db.execute(sql: "DELETE FROM rm_snapshot_deltas WHERE position = ?", arguments: [between[0]])
                return Array(between.dropFirst())
            }
            return []
        }
        #expect(!kept.isEmpty)
        for position in kept.prefix(3) {
            let answer = try balances.rows(through: position)
            #expect(answer.rows == (try Self.expected(ledger, through: position)), "after the gap, at \(position)")
            if case .snapshot(_, let deltas, let refolded) = answer.source { #expect(deltas == 0 && refolded > 0) }
        }

        // One person: from the table now, from their own stream at any position.
        for person in Set(try balances.rows().rows.map(\.person)).sorted().prefix(10) {
            let now = try balances.rows(of: person)
            #expect(now.source == .table(position: head))
            #expect(now.rows == (try Self.expected(ledger, through: head)).filter { $0.person == person })
            let position = Int64.random(in: 0...head, using: &random)
            let then = try balances.rows(of: person, through: position)
            #expect(then.source == .fold)
            #expect(then.rows == (try Self.expected(ledger, through: position)).filter { $0.person == person })
        }
    }

    @Test func theDelinquentListEqualsTheOneDecidedFromTheWholeCity() throws {
        let (folder, ledger, _) = try Self.city(seed: 8)
        defer { withExtendedLifetime(folder) {} }
        let arrears = ArrearsCommands(ledger)
        let head = try ledger.store.head().position
        var random = SeededGenerator(seed: 4)
        var nonEmpty = 0
        for _ in 0..<6 {
            let position = Int64.random(in: head / 2...head, using: &random)
            let date = try CivilDate(daysSinceEpoch: Int.random(in: 19_950...20_600, using: &random))
            // What the list was before the read model: every account of the city, folded.
            let city = try CitySnapshot(ledger, through: position)
            guard let settings = city.collection.arrearsSettings else { continue }
            let expected = Self.owed(city, on: date, settings)
            let list = try arrears.delinquents(on: date, knownAt: .position(position))
            #expect(
                Dictionary(uniqueKeysWithValues: list.map { ($0.person, $0.owed) }) == expected,
                "\(date) at \(position)")
            if !list.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 2)
    }

    /// The simulated city's file opened again as a clerk's process opens it (the simulation holds
    /// its file alone, so no reader could be opened beside it).
    static func reopened(seed: UInt64) throws -> (folder: TemporaryFolder, ledger: KokiLedger) {
        let folder = try Self.city(seed: seed).folder
        return (folder, KokiLedger(try Ledger.open(at: folder.path("city.ledger"))))
    }

    /// The persons past retention, shared among readers or decided here alone, are the same list:
    /// each decided from their own stream as a process holding the city decides them.
    @Test func theErasureListIsTheSameReadApartAloneAndFromTheCity() throws {
        let (folder, ledger) = try Self.reopened(seed: 8)
        defer { withExtendedLifetime(folder) {} }
        let erasure = Erasure(ledger)
        var listed = 0
        for (day, years) in [("2025-06-01", 0), ("2027-01-01", 0), ("2027-01-01", 1), ("2040-01-01", 5)] {
            let date = try CivilDate(iso: day)
            let apart = try erasure.due(on: date, retentionYears: years, readingApartFrom: 1)
            let alone = try erasure.due(on: date, retentionYears: years, readingApartFrom: .max)
            #expect(apart == alone, "\(day)")
            // Each registered person loaded whole, one after another, as the list was made before.
            let commands = CollectionCommands(ledger)
            let each = try InsuredRegisterCommands(ledger).heads().persons.keys.sorted().compactMap { person in
                try Erasure.candidate(commands.load(person), retentionYears: years, on: date).flatMap {
                    $0.dueFrom <= date ? $0 : nil
                }
            }
            #expect(apart == each, "\(day)")
            listed += apart.count
        }
        #expect(listed > 0)
        // The same from the city a server holds in memory.
        let city = KokiLedger(try Ledger.open(at: folder.path("city.ledger")))
        _ = try city.currentCity()
        #expect(
            try Erasure(city).due(on: try CivilDate(iso: "2027-01-01"), retentionYears: 0)
                == (try erasure.due(on: try CivilDate(iso: "2027-01-01"), retentionYears: 0, readingApartFrom: 1)))
    }

    @Test func theDelinquentListAtTheHeadReadsOnlyTheRowsThatMayOweAndSharesItsFolds() throws {
        let (folder, ledger) = try Self.reopened(seed: 8)
        defer { withExtendedLifetime(folder) {} }
        let balances = StoredBalances(ledger)
        let arrears = ArrearsCommands(ledger)
        let head = try ledger.store.head().position
        let city = try CitySnapshot(ledger, through: head)
        let settings = try #require(city.collection.arrearsSettings)
        let all = try balances.rows().rows
        var random = SeededGenerator(seed: 6)
        var (filtered, listed) = (0, 0)
        let days = (0..<8).map { _ in Int.random(in: 19_950...20_650, using: &random) } + [18_000, 21_000]
        for day in days {
            let date = try CivilDate(daysSinceEpoch: day)
            // The rows SQLite picks out: every row that may owe, and only rows of the table.
            let picked = try balances.mayBeInArrears(on: date, rates: settings.chargeRates)
            #expect(picked.answer.source == .table(position: head))
            let read = Set(picked.answer.rows)
            let mayOwe = all.filter { $0.mayBeInArrears(on: date, rates: settings.chargeRates) }
            #expect(read.isSubset(of: Set(all)), "\(date)")
            #expect(mayOwe.allSatisfy(read.contains), "\(date)")
            #expect(picked.persons == Set(mayOwe.map(\.person)).sorted(), "\(date)")
            if read.count < all.count { filtered += 1 }
            // Shared among readers or decided here alone, the list is the whole city's.
            let apart = try arrears.delinquents(on: date, order: .amount, knownAt: nil, readingApartFrom: 1)
            let alone = try arrears.delinquents(on: date, order: .amount, knownAt: nil, readingApartFrom: .max)
            #expect(apart == alone, "\(date)")
            let expected = Self.owed(city, on: date, settings)
            #expect(Dictionary(uniqueKeysWithValues: apart.map { ($0.person, $0.owed) }) == expected, "\(date)")
            if !apart.isEmpty { listed += 1 }
        }
        #expect(filtered == days.count)
        #expect(listed > 2)
    }

    /// The rows each run picks by (the prescription run, the fiscal closing and the debit run,
    /// the refunds, the dunning run), each with the test a row must meet, plainly stated: what the
    /// pick keeps is every row the test keeps of the whole table, on days across the city's life.
    static func picks(on date: CivilDate) -> [(StoredBalances.Pick, @Sendable (YearBalance) -> Bool)] {
        let cutoff = date.adding(days: 31 - 730)
        return [
            (
                .any(.owing(dueBy: cutoff), .above(zero: .lateFeeOutstanding), .above(zero: .held)),
                {
                    ($0.oldestOpenDue.map { $0 <= cutoff } ?? false) || $0.lateFeeOutstanding > .zero
                        || $0.held > .zero
                }
            ),
            (.above(zero: .outstanding), { $0.outstanding > .zero }),
            (.any(.above(zero: .held), .above(zero: .overpaid)), { $0.held > .zero || $0.overpaid > .zero }),
            (.above(zero: .held), { $0.held > .zero }),
            (.owing(dueBy: date), { $0.oldestOpenDue.map { $0 <= date } ?? false }),
            (
                .above(zero: .outstanding).and { $0.fiscalYear.year <= 2024 },
                { $0.fiscalYear.year <= 2024 && $0.outstanding > .zero }
            ),
        ]
    }

    @Test func eachRunsPickReadsEveryRowItsFilterKeeps() throws {
        // A city of many debtors, opened again as a clerk's process opens it.
        let (folder, simulation) = try StoredArrearsTests.debtorsCity(seed: 13)
        defer { withExtendedLifetime(folder) {} }
        _ = try simulation.run()
        let ledger = KokiLedger(try Ledger.open(at: folder.path("city.ledger")))
        let balances = StoredBalances(ledger)
        let head = try ledger.store.head().position
        let all = try balances.rows().rows
        var random = SeededGenerator(seed: 9)
        var kept = 0
        for day in (0..<6).map({ _ in Int.random(in: 19_950...20_900, using: &random) }) {
            let date = try CivilDate(daysSinceEpoch: day)
            for (i, (pick, keep)) in Self.picks(on: date).enumerated() {
                let picked = try balances.persons(pick)
                #expect(picked.answer.source == .table(position: head))
                #expect(Set(picked.answer.rows) == Set(all.filter(keep)), "pick \(i) on \(date)")
                #expect(picked.persons == Set(all.filter(keep).map(\.person)).sorted(), "pick \(i) on \(date)")
                kept += picked.answer.rows.count
            }
        }
        #expect(kept > 100)
    }

    @Test func personsAreSharedAmongReadersThatStandAtThePosition() throws {
        let (folder, ledger) = try Self.reopened(seed: 3)
        defer { withExtendedLifetime(folder) {} }
        let head = try ledger.store.head().position
        let persons = Set(try StoredBalances(ledger).rows().rows.map(\.person)).sorted()
        #expect(persons.count > 20)
        #expect(try ledger.store.reader() != nil)
        let known = KnownAt.position(head)
        func fold(_ through: Int64, apartFrom: Int) throws -> [(
            PersonID, ObjectIdentifier?, CollectionAccounts.Account
        )] {
            try ledger.eachChunk(persons, through: through, readingApartFrom: apartFrom) { ledger, chunk in
                try chunk.map { person in
                    let account = try CollectionCommands(ledger).load(person, knownAt: known).account
                    return (person, (ledger.store as? Ledger).map(ObjectIdentifier.init), account)
                }
            }
        }
        let alone = try fold(head, apartFrom: .max)
        let apart = try fold(head, apartFrom: 1)
        // Each person once, in order, with the same account whichever connection read it.
        #expect(apart.map(\.0) == persons && alone.map(\.0) == persons)
        #expect(apart.map(\.2) == alone.map(\.2))
        #expect(Set(alone.map(\.1)).count == 1)
        if ProcessInfo.processInfo.activeProcessorCount > 1 { #expect(Set(apart.map(\.1)).count > 1) }
        // A reader that does not yet see the position asked is not used: all is read here.
        let ahead = try fold(head + 1, apartFrom: 1)
        #expect(Set(ahead.map(\.1)) == Set(alone.map(\.1)))
    }

    @Test func aFreshProcessPicksTheSamePersonsToDunAsOneThatHasTheCityInMemory() throws {
        let (folder, ledger, _) = try Self.city(seed: 8)
        defer { withExtendedLifetime(folder) {} }
        let warm = KokiLedger(ledger.ports)
        _ = try warm.currentCity()
        var random = SeededGenerator(seed: 2)
        var owing = 0
        // A day past the city's end too.
        let days = (0..<8).map { _ in Int.random(in: 19_900...20_650, using: &random) } + [20_900]
        for day in days {
            let date = try CivilDate(daysSinceEpoch: day)
            let cold = KokiLedger(ledger.ports)
            #expect(!cold.hasCurrentCity && warm.hasCurrentCity)
            let fromTable = try ArrearsCommands(cold).owing(before: date)
            let fromCity = try ArrearsCommands(warm).owing(before: date)
            #expect(fromTable.settings == fromCity.settings)
            // The persons as the runs go through them, each loaded in turn.
            let tableStates = try fromTable.persons.compactMap(fromTable.state)
            let cityStates = try fromCity.persons.compactMap(fromCity.state)
            #expect(tableStates.map(\.person) == cityStates.map(\.person), "\(date)")
            for (a, b) in zip(tableStates, cityStates) {
                #expect(a.account == b.account && a.version == b.version, "\(a.person) on \(date)")
                for year in Set(a.account.periods.keys.map(\.fiscalYear)) {
                    #expect(a.assessments[year] == b.assessments[year])
                    // Taken from the city, a year's assessment is asked of it when needed.
                    #expect(a.assessment(year) == b.assessment(year) && b.assessment(year) != nil)
                    #expect(b.assessment(year, { copy $0 }) == a.assessment(year))
                }
                #expect(a.assessments == b.assessments)
            }
            owing += tableStates.count
            // The dunning run's pick: a period past due, unpaid and never dunned, as plainly
            // stated, through every account of the city.
            let city = try warm.currentCity()
            let undunned = city.collection.accounts.filter { _, account in
                account.periods.contains { key, period in
                    period.dueDate < date && period.outstanding > .zero
                        && !account.dunning.contains { $0.key == key }
                }
            }.keys.sorted()
            #expect(try ArrearsCommands(warm).owing(before: date, undunned: true).persons == undunned, "\(date)")
            let coldPick = try ArrearsCommands(cold).owing(before: date, undunned: true)
            #expect(try coldPick.persons.filter { try coldPick.state($0) != nil } == undunned, "\(date)")
            // Picked from the arrears facts, a fresh process loads nobody the run would pass by.
            #expect(coldPick.persons == undunned, "\(date)")
        }
        // This city duns every period once past due, so here the pick must leave out those who
        // owe; the dunning run's own tests find the undunned.
        #expect(owing > 0)
    }

    /// A person taken from the city a process holds answers the most each period was ever
    /// assessed as their stream's fold does: what a pension deduction and a store payment are
    /// bounded by, and the imports take their persons from the city in such a process.
    @Test func aPersonTakenFromTheCityAnswersTheLargestAssessmentAsTheirStream() throws {
        let (folder, ledger, _) = try Self.city(seed: 8)
        defer { withExtendedLifetime(folder) {} }
        let city = try KokiLedger(ledger.ports).currentCity()
        let cold = CollectionCommands(KokiLedger(ledger.ports))
        var (compared, lowered) = (0, 0)
        for person in city.collection.accounts.keys.sorted() {
            let folded = try cold.load(person)
            let taken = PersonCollectionState(person, in: city)
            #expect(taken.version == folded.version, "\(person)")
            for key in Set(folded.account.periods.keys).union(folded.largestAssessed.keys) {
                #expect(taken.largestAssessed(key) == folded.largestAssessed(key), "\(person) \(key)")
                compared += 1
                let now = folded.assessment(key.fiscalYear)?.installments.first { $0.period == key.period }?.amount
                if let largest = folded.largestAssessed(key), let now, largest > now { lowered += 1 }
            }
        }
        // Not an empty comparison: periods whose assessment was lowered after a larger one.
        #expect(compared > 100 && lowered > 0, "\(compared) periods, \(lowered) lowered")
    }

    @Test func aRebuildFindsAnAlteredRowAndMendsIt() throws {
        let (folder, ledger, _) = try Self.city(seed: 12)
        defer { withExtendedLifetime(folder) {} }
        let balances = StoredBalances(ledger)
        let row = try balances.rows().rows.first { $0.outstanding > .zero }!
        let path = ledger.store.path!
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: "UPDATE rm_balances SET outstanding = outstanding + 1 WHERE person = ? AND fiscal_year = ?",
                arguments: [row.person.value, row.fiscalYear.year])
        }
        // And a row no event supports appears.
        let other = try balances.rows().rows.last { $0.person != row.person }!
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO rm_balances SELECT person, 1999, assessed, credited, reduced, written_off, outstanding,
                    overpaid, late_fee_outstanding, open_periods, dunned_periods, oldest_open_due, oldest_late_due,
                    late_exposure, held FROM rm_balances WHERE person = ? AND fiscal_year = ?
                    """, arguments: [other.person.value, other.fiscalYear.year])
        }
        let check = try balances.rebuild(check: true)
        let invented = check.differences.first { $0.person == other.person }
        #expect(invented?.fiscalYear.year == 1999 && invented?.maintained != nil && invented?.rebuilt == nil)
        #expect(check.differences.map(\.person).filter { $0 != other.person } == [row.person])
        #expect(check.differences.first?.rebuilt == row)
        #expect(check.differences.first?.maintained?.outstanding == row.outstanding + Yen(1))
        // Checking swapped nothing: the altered rows are still there.
        #expect(try balances.rebuild(check: true).differences.count == 2)

        let mended = try balances.rebuild(check: false)
        #expect(mended.swapped && mended.differences.count == 2)
        #expect(try balances.rebuild(check: true).differences.isEmpty)
        #expect(try balances.status().snapshots.last?.position == (try ledger.store.head().position))
    }

    @Test func aRebuildTakesSnapshotsAlongTheWayEachEqualToItsPrefix() throws {
        let (folder, ledger, _) = try Self.city(seed: 40)
        defer { withExtendedLifetime(folder) {} }
        let balances = StoredBalances(ledger, snapshotInterval: .max)
        let head = try ledger.store.head().position
        let rebuilt = try balances.rebuild(check: false, snapshotEvery: 700)
        // The first checkpoint whole, deltas at the others (snapshots here only every .max events).
        #expect(rebuilt.snapshots.count == 2 && rebuilt.snapshots.last == head)
        #expect(rebuilt.deltas.count > Int(head / 700) - 3)
        let commandEnds = Set(
            try DatabaseQueue(path: ledger.store.path!).read { db in
                try Int64.fetchAll(db, sql: "SELECT first_position + event_count - 1 FROM koki_commands")
            })
        for (index, position) in (rebuilt.snapshots.dropLast() + rebuilt.deltas).enumerated() {
            #expect(commandEnds.contains(position), "checkpoint at \(position) splits a command")
            let answer = try balances.rows(through: position)
            #expect(answer.source == .snapshot(position: rebuilt.snapshots[0], deltas: index, refolded: 0))
            #expect(answer.rows == (try Self.expected(ledger, through: position)), "checkpoint at \(position)")
        }
        #expect(throws: KokiError.self) { try balances.rebuild(check: false, snapshotEvery: 0) }
    }

    @Test func aTableOrSnapshotOfAnotherLogicVersionIsNeverUsed() throws {
        let (folder, ledger, _) = try Self.city(seed: 21)
        defer { withExtendedLifetime(folder) {} }
        let balances = StoredBalances(ledger, snapshotInterval: 300)
        let head = try ledger.store.head().position
        let snapshot = try balances.status().snapshots.last!
        try DatabaseQueue(path: ledger.store.path!).write { db in
            try db.execute(sql: "UPDATE rm_models SET logic_version = logic_version - 1")
            try db.execute(sql: "UPDATE rm_snapshots SET logic_version = logic_version - 1")
        }
        let reader = KokiLedger(try Ledger.open(at: ledger.store.path!, mode: .readOnly))
        #expect(try StoredBalances(reader).rows(through: snapshot.position).source == .fold)
        #expect(try StoredBalances(reader).rows().source == .fold)
        let caughtUp = try balances.catchUp()
        #expect(caughtUp.rebuilt && caughtUp.from == 0 && caughtUp.to == head)
        #expect(try balances.rows().rows == (try Self.expected(ledger, through: head)))
        try balances.rebuild(check: false)
        #expect(try balances.status().snapshots.allSatisfy { $0.logicVersion == YearBalance.logicVersion })
    }

    @Test func aReplayCopyHasNoReadModelAndStillAnswers() throws {
        let (folder, ledger, caughtUp) = try Self.city(seed: 30)
        let then = caughtUp[caughtUp.count / 2]  // a head the ledger had: a command's end
        try (ledger.store as! Ledger).writePrefix(through: then, to: folder.path("then.ledger"))
        let copy = KokiLedger(try Ledger.open(at: folder.path("then.ledger"), mode: .readOnly))
        let answer = try StoredBalances(copy).rows()
        #expect(answer.source == .fold && answer.position == then)
        #expect(answer.rows == (try Self.expected(ledger, through: then)))
        #expect(try StoredBalances(copy).status().snapshots.isEmpty)

        // Built for the copy before it is marked: the read model as it stood then.
        try (ledger.store as! Ledger).writePrefix(through: then, to: folder.path("built.ledger")) { copy in
            try StoredBalances(KokiLedger(copy)).catchUp()
        }
        let built = KokiLedger(try Ledger.open(at: folder.path("built.ledger"), mode: .readOnly))
        let stored = try StoredBalances(built).rows()
        #expect(stored.source == .table(position: then) && stored.rows == answer.rows)
        #expect(throws: LedgerError.self) { try Ledger.open(at: folder.path("built.ledger")) }
        #expect(try built.store.verify().isIntact)
    }
}
