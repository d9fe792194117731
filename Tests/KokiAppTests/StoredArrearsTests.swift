import Foundation
import GRDB
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
@testable import KokiReadModels
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// The arrears facts and their stored read model: the facts decide every period as the whole
/// account did; the facts the delinquent list keeps equal a fold from scratch at any moment it
/// is asked; a stream that grew is folded again; a rebuild finds an altered row; a table of
/// another logic is never read; a read-only ledger still answers.
@Suite struct StoredArrearsTests {
    // MARK: - The reference: the arrears read straight from the account, as before the facts

    /// The prescription as `CollectionAccounts.Account.prescription` decided it from the account.
    static func prescription(_ account: CollectionAccounts.Account, _ key: PeriodKey, _ settings: ArrearsSettings)
        -> Prescription.Result
    {
        let due = account.periods[key]?.dueDate ?? .epoch
        var acknowledged: [CivilDate] = []
        for p in account.payments where p.cancelled == nil {
            for part in p.event.parts where part.key == key { acknowledged.append(p.event.paidOn) }
        }
        let pledged = account.plans.filter {
            $0.pledge && $0.periods.contains(key) && ($0.change == .agreed || $0.change == .revised)
        }
        .map(\.on)
        var pending: [String: (CivilDate, CivilDate?)] = [:]
        for s in account.seizures where s.periods.contains(key) {
            switch s.change {
            case .started: pending[s.id] = (s.on, nil)
            case .ended: pending[s.id]?.1 = s.on
            }
        }
        return Prescription.of(
            dueDate: due, dunnedOn: account.dunning.filter { $0.key == key }.map(\.issuedOn),
            acknowledgedOn: acknowledged + pledged,
            remindedOn: account.reminders.filter { $0.periods.contains(key) }.map(\.issuedOn),
            seizures: pending.values.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1) },
            deferred: account.deferredDays(key).compactMap(\.days), settings: settings)
    }

    /// The late fee as `CollectionAccounts.Account.lateFee` decided it from the account.
    static func lateFee(
        _ account: CollectionAccounts.Account, _ key: PeriodKey, on date: CivilDate, _ settings: ArrearsSettings
    ) throws -> LateFee? {
        guard let period = account.periods[key], period.assessed > period.reduced else { return nil }
        var paidIn: [LateFee.Payment] = []
        for p in account.payments where p.cancelled == nil {
            for part in p.event.parts where part.key == key {
                paidIn.append(.init(paidOn: p.event.paidOn, amount: part.amount))
            }
        }
        for a in account.appropriations {
            for part in a.parts where part.key == key {
                paidIn.append(.init(paidOn: part.effectiveOn, amount: part.amount))
            }
        }
        do {
            return try LateFee.calculate(
                principal: period.assessed - period.reduced, dueDate: period.dueDate,
                payments: paidIn.filter { $0.paidOn <= date }, through: date, rates: settings.chargeRates,
                relief: account.deferredDays(key).map { .init(from: $0.from, through: $0.through, share: $0.relief) })
        } catch {
            throw DomainError(error.code, "late fee of \(key): \(error.message)")
        }
    }

    /// A person's arrears on `date` as decided from the whole account before the facts.
    static func reference(_ account: CollectionAccounts.Account, on date: CivilDate, _ settings: ArrearsSettings)
        -> [ArrearsCommands.PeriodArrears]
    {
        account.periods.sorted(by: { $0.key < $1.key }).compactMap { key, period in
            guard (period.dueDate < date) && (period.assessed > .zero) else { return nil }
            let paidLate = (period.lastPaidOn.map { $0 > period.dueDate } ?? false) || period.appropriated > .zero
            guard period.outstanding > .zero || paidLate else { return nil }
            var fee: LateFee?
            var problem: String?
            do { fee = try lateFee(account, key, on: date, settings) } catch { problem = "\(error)" }
            let feeOwed = period.lateFee > .zero ? period.lateFeeOutstanding : fee?.fee ?? .zero
            guard period.outstanding > .zero || feeOwed > .zero else { return nil }
            return ArrearsCommands.PeriodArrears(
                key: key, dueDate: period.dueDate, assessed: period.assessed, outstanding: period.outstanding,
                daysOverdue: period.dueDate.days(until: date), lateFee: fee, lateFeeOwed: feeOwed,
                lateFeeProblem: problem, prescription: prescription(account, key, settings),
                dunnedOn: account.dunning.first { $0.key == key }?.issuedOn,
                remindedOn: account.reminders.last { $0.periods.contains(key) }?.issuedOn,
                deferredThrough: account.deferral(key, on: date)?.through)
        }
    }

    /// The list decided from every account of the city at `position` (the reference): each person
    /// owing past due, unprescribed, with what they owe and their late fees.
    static func expected(_ ledger: KokiLedger, on date: CivilDate, through position: Int64) throws
        -> [PersonID: [Yen]]
    {
        let city = try CitySnapshot(ledger, through: position)
        let settings = try #require(city.collection.arrearsSettings)
        var owed: [PersonID: [Yen]] = [:]
        for (person, account) in city.collection.accounts {
            let periods = reference(account, on: date, settings).filter { !$0.prescription.isPrescribed(on: date) }
            if !periods.isEmpty {
                owed[person] = [periods.map(\.outstanding).sum(), periods.map(\.lateFeeOwed).sum()]
            }
        }
        return owed
    }

    static func listed(_ list: [ArrearsCommands.Delinquent]) -> [PersonID: [Yen]] {
        Dictionary(uniqueKeysWithValues: list.map { ($0.person, [$0.owed, $0.lateFees]) })
    }

    // MARK: - The facts

    /// A city of many debtors: late and chronic payers, plans, deferments, and corrections that
    /// leave overpayments to appropriate.
    static var debtors: SimulationSettings.Behaviour {
        var b = SimulationSettings.Behaviour()
        (b.pensionDeduction, b.latePayers, b.chronicPayers) = (300, 400, 250)
        (b.planAgreed, b.planBroken, b.deferralGranted) = (800, 300, 600)
        (b.reductionsPerYear, b.incomeCorrectionsPerYear) = (30, 200)
        return b
    }

    static func debtorsCity(seed: UInt64) throws -> (folder: TemporaryFolder, simulation: CitySimulation) {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 120, years: 2, seed: seed, firstFiscalYear: 2024, behaviour: debtors)
        return (folder, try CitySimulation.create(at: folder.path("city.ledger"), settings: settings))
    }

    @Test(arguments: [8, 23] as [UInt64])
    func theFactsDecideEveryPeriodAsTheWholeAccountDid(seed: UInt64) throws {
        let (folder, simulation) = try Self.debtorsCity(seed: seed)
        defer { withExtendedLifetime(folder) {} }
        _ = try simulation.run()
        let ledger = simulation.ledger
        let city = try CitySnapshot(ledger, through: try ledger.store.head().position)
        let settings = try #require(city.collection.arrearsSettings)
        var random = SeededGenerator(seed: seed)
        var (periods, deferred, pledged, appropriated, reminded, late) = (0, 0, 0, 0, 0, 0)
        var (owingListed, prescribedLeftOut, paidPeriods) = (0, 0, 0)
        for (person, account) in city.collection.accounts.sorted(by: { $0.key < $1.key }) {
            let facts = ArrearsFacts(account)
            // Their stored form reads back the same.
            var writer = BinaryWriter(capacity: 64)
            writer.write(facts)
            let read = try writer.bytes.withUnsafeBytes { buffer in
                var reader = BinaryReader(buffer)
                return try ArrearsFacts(from: &reader)
            }
            #expect(read == facts, "\(person)")
            for period in facts.periods {
                periods += 1
                if !period.deferred.isEmpty { deferred += 1 }
                if period.acknowledged.count > period.paidIn.count { pledged += 1 }
                if period.appropriated > .zero { appropriated += 1 }
                if !period.reminded.isEmpty { reminded += 1 }
                if period.paidLate && period.outstanding == .zero { late += 1 }
            }
            // Each period asked alone (which decodes only the payments that may have paid it)
            // has the facts it has among the rest, and the money every payment and appropriation
            // of the account put in it, each decoded.
            for period in facts.periods {
                let alone = account.arrearsFacts(of: period.key)
                #expect(alone == period, "\(person) \(period.key)")
                var paidIn: [ArrearsFacts.Money] = []
                for payment in account.payments where !payment.isCancelled {
                    for part in payment.event.parts where part.key == period.key {
                        paidIn.append(.init(on: payment.event.paidOn, amount: part.amount))
                    }
                }
                for appropriation in account.appropriations {
                    for part in appropriation.parts where part.key == period.key {
                        paidIn.append(.init(on: part.effectiveOn, amount: part.amount))
                    }
                }
                #expect(alone.paidIn == paidIn, "\(person) \(period.key)")
                if !paidIn.isEmpty { paidPeriods += 1 }
            }
            let state = CollectionCommands.PersonState(person, in: city)
            for _ in 0..<4 {
                let date = try CivilDate(daysSinceEpoch: Int.random(in: 19_900...21_000, using: &random))
                #expect(
                    ArrearsCommands.arrears(account, on: date, settings) == Self.reference(account, on: date, settings),
                    "\(person) on \(date)")
                // What a payment that day may pay leaves out exactly the periods each one's own
                // prescription says are prescribed (allocation asks them together).
                let open = state.open(paidOn: date)
                for (key, period) in account.unsettledPeriods where period.outstanding > .zero && period.dueDate <= date
                {
                    let listed = open.contains { $0.key == key && $0.charge == .premium }
                    #expect(
                        listed == !account.prescription(key, settings).isPrescribed(on: date),
                        "\(person) \(key) \(date)")
                    if listed { owingListed += 1 } else { prescribedLeftOut += 1 }
                }
            }
        }
        // The city exercised what the facts keep, and allocation met prescribed periods.
        let counts = [periods, late, reminded, pledged, appropriated, deferred]
        #expect(
            counts.allSatisfy { $0 > 0 }, "periods, paid late, reminded, pledged, appropriated, deferred: \(counts)")
        #expect(owingListed > 0 && prescribedLeftOut > 0, "listed \(owingListed), left out \(prescribedLeftOut)")
        #expect(paidPeriods > 0)
    }

    // MARK: - The stored facts

    /// A simulated city whose delinquent list was asked at random days of the run (each keeping
    /// the facts of its candidates at that head), opened again as a clerk's process opens it;
    /// and at each of those moments, what a rebuild found of the kept facts: how many persons
    /// they held, and those whose facts differed from a fold of their stream from scratch.
    ///
    /// The simulation holds the city, so each of its lists took its candidates from the city's
    /// accounts, never from the stored balances: those lists are returned with the day and the
    /// head they were asked at, and whether the balances' table had been built by then.
    static func city(seed: UInt64) throws -> (
        folder: TemporaryFolder, ledger: KokiLedger, checks: [(persons: Int, differences: [PersonID])],
        lists: [(day: CivilDate, head: Int64, list: [ArrearsCommands.Delinquent], balancesBuilt: Bool)]
    ) {
        let (folder, simulation) = try Self.debtorsCity(seed: seed)
        var random = SeededGenerator(seed: seed)
        var checks: [(persons: Int, differences: [PersonID])] = []
        var lists: [(day: CivilDate, head: Int64, list: [ArrearsCommands.Delinquent], balancesBuilt: Bool)] = []
        var failure: (any Error)?
        _ = try simulation.run { progress in
            guard Int.random(in: 0..<3, using: &random) == 0, failure == nil else { return }
            do {
                // Only once the settings are adopted: before, the list is refused.
                guard try CollectionCommands(simulation.ledger).arrearsSettings() != nil else { return }
                let list = try ArrearsCommands(simulation.ledger).delinquents(on: progress.day)
                let built = try StoredBalances(simulation.ledger).status().position != nil
                lists.append((progress.day, try simulation.ledger.store.head().position, list, built))
                let check = try StoredArrears(simulation.ledger.ports).rebuild(check: true)
                checks.append((check.persons, check.differences))
            } catch { failure = error }
        }
        if let failure { throw failure }
        return (folder, KokiLedger(try Ledger.open(at: folder.path("city.ledger"))), checks, lists)
    }

    @Test(arguments: [3, 17] as [UInt64])
    func keptAtRandomMomentsTheFactsEqualAFoldFromScratchAndTheListTheWholeCitys(seed: UInt64) throws {
        let (folder, ledger, checks, lists) = try Self.city(seed: seed)
        defer { withExtendedLifetime(folder) {} }
        // The lists the simulation asked for, holding the city: each the whole city's at its
        // moment, as a fresh process lists it at that position from the stored balances, which
        // the simulation never built.
        #expect(lists.count > 3 && lists.filter { !$0.list.isEmpty }.count > 2, "\(lists.map(\.list.count))")
        #expect(lists.allSatisfy { !$0.balancesBuilt })
        for (day, position, list, _) in lists {
            #expect(Self.listed(list) == (try Self.expected(ledger, on: day, through: position)), "\(day)")
            #expect(try ArrearsCommands(ledger).delinquents(on: day, knownAt: .position(position)) == list, "\(day)")
        }
        // At every moment the run asked: every kept row a fold of its person's whole stream.
        #expect(checks.count > 3)
        #expect(checks.allSatisfy { $0.differences.isEmpty }, "\(checks.map(\.differences))")
        #expect(checks.filter { $0.persons > 5 }.count > 2, "\(checks.map(\.persons))")
        let stored = StoredArrears(ledger.ports)
        let head = try ledger.store.head().position

        let arrears = ArrearsCommands(ledger)
        var random = SeededGenerator(seed: seed &+ 1)
        var nonEmpty = 0
        for day in (0..<5).map({ _ in Int.random(in: 19_950...20_650, using: &random) }) + [21_000] {
            let date = try CivilDate(daysSinceEpoch: day)
            let list = try arrears.delinquents(on: date)
            #expect(Self.listed(list) == (try Self.expected(ledger, on: date, through: head)), "\(date)")
            // Every candidate's facts are kept now: the next list folds no stream.
            let candidates = try StoredBalances(ledger).mayBeInArrears(
                on: date, rates: try #require(try CollectionCommands(ledger).arrearsSettings()).chargeRates
            ).persons
            let kept = try #require(try stored.kept(candidates, at: head))
            #expect(Set(kept.keys) == Set(candidates), "\(date)")
            // Shared among readers or decided here alone, from the facts kept or folded: the same.
            #expect(try arrears.delinquents(on: date, order: .amount, knownAt: nil, readingApartFrom: 1) == list)
            #expect(try arrears.delinquents(on: date, order: .amount, knownAt: .position(head)) == list)
            if !list.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 2)
        let check = try stored.rebuild(check: true)
        #expect(check.position == head && check.comparedWith == head && check.differences.isEmpty && !check.swapped)
        #expect(check.persons > 5 && check.events > check.persons)
        let status = try stored.status()
        #expect(status.position == head && status.logicVersion == StoredArrears.logicVersion)
        #expect(status.rows == check.persons)
    }

    @Test func aPaymentDropsThePersonsFactsAndTheNextListFoldsThemAgain() throws {
        let (folder, ledger, _, _) = try Self.city(seed: 5)
        defer { withExtendedLifetime(folder) {} }
        let arrears = ArrearsCommands(ledger)
        let date = try CivilDate(daysSinceEpoch: 20_600)
        let before = try arrears.delinquents(on: date)
        let debtor = try #require(before.first { $0.owed > Yen(1_000) })
        let stored = StoredArrears(ledger.ports)
        let head = try ledger.store.head().position
        #expect(try stored.kept([debtor.person], at: head)?[debtor.person] != nil)

        // The debtor pays part of what they owe at the counter.
        try CollectionCommands(ledger).pay(
            debtor.person, amount: Yen(1_000), paidOn: date, learnedOn: date, channel: .counter, slip: nil,
            metadata: CommandMetadata(actor: "op-counter"))
        let now = try ledger.store.head().position
        #expect(try stored.catchUp() >= 1)
        #expect(try stored.kept([debtor.person], at: now)?[debtor.person] == nil)
        let after = try arrears.delinquents(on: date)
        #expect(after.first { $0.person == debtor.person }?.owed == debtor.owed - Yen(1_000))
        #expect(Self.listed(after) == (try Self.expected(ledger, on: date, through: now)))
        #expect(try stored.kept([debtor.person], at: now)?[debtor.person] != nil)
        #expect(try stored.rebuild(check: true).differences.isEmpty)
    }

    @Test func aRebuildFindsAnAlteredRowAndMendsItAndDamageNamesThePerson() throws {
        let (folder, ledger, _, _) = try Self.city(seed: 12)
        defer { withExtendedLifetime(folder) {} }
        let arrears = ArrearsCommands(ledger)
        let date = try CivilDate(daysSinceEpoch: 20_600)
        let list = try arrears.delinquents(on: date)
        let (first, second) = (try #require(list.first).person, try #require(list.last).person)
        try #require(first != second)
        let queue = try DatabaseQueue(path: ledger.store.path!)
        // One person's row given another's facts.
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE rm_arrears SET document = (SELECT document FROM rm_arrears WHERE person = ?)
                    WHERE person = ?
                    """, arguments: [second.value, first.value])
        }
        let stored = StoredArrears(ledger.ports)
        let check = try stored.rebuild(check: true)
        #expect(check.differences == [first] && !check.swapped)
        #expect(try stored.rebuild(check: true).differences == [first])
        let mended = try stored.rebuild(check: false)
        #expect(mended.swapped && mended.differences == [first])
        #expect(try stored.rebuild(check: true).differences.isEmpty)
        #expect(try arrears.delinquents(on: date) == list)

        // Bytes that are not facts: the list names the person and stops.
        try queue.write { db in
            try db.execute(
                sql: "UPDATE rm_arrears SET document = x'ff' WHERE person = ?", arguments: [first.value])
        }
        let error = try #require(throws: (any Error).self) { try arrears.delinquents(on: date) }
        #expect("\(error)".contains("the stored arrears of \(first.value) are damaged"))
    }

    @Test func aTableOfAnotherLogicIsNeverReadAndAReadOnlyLedgerStillAnswers() throws {
        let (folder, ledger, _, _) = try Self.city(seed: 21)
        defer { withExtendedLifetime(folder) {} }
        let arrears = ArrearsCommands(ledger)
        let date = try CivilDate(daysSinceEpoch: 20_600)
        let list = try arrears.delinquents(on: date)
        let head = try ledger.store.head().position
        #expect(Self.listed(list) == (try Self.expected(ledger, on: date, through: head)))

        // Opened read-only, the kept facts at the head are read; nothing is written.
        let reader = KokiLedger(try Ledger.open(at: ledger.store.path!, mode: .readOnly))
        #expect(try ArrearsCommands(reader).delinquents(on: date) == list)

        // Another logic's table, with bytes this one cannot read: dropped, never read.
        try DatabaseQueue(path: ledger.store.path!).write { db in
            try db.execute(sql: "UPDATE rm_models SET logic_version = logic_version - 1 WHERE name = 'arrears'")
            try db.execute(sql: "UPDATE rm_arrears SET document = x'ff'")
        }
        let stale = KokiLedger(try Ledger.open(at: ledger.store.path!, mode: .readOnly))
        #expect(try StoredArrears(stale.ports).kept(list.map(\.person), at: head) == nil)
        #expect(try ArrearsCommands(stale).delinquents(on: date) == list)
        #expect(try arrears.delinquents(on: date) == list)
        #expect(try StoredArrears(ledger.ports).status().logicVersion == StoredArrears.logicVersion)
        #expect(try StoredArrears(ledger.ports).rebuild(check: true).differences.isEmpty)

        // A replay copy keeps no tables: its list is folded, and equals the ledger's then.
        let then = try ledger.store.head().position
        try (ledger.store as! Ledger).writePrefix(through: then, to: folder.path("then.ledger"))
        let copy = KokiLedger(try Ledger.open(at: folder.path("then.ledger"), mode: .readOnly))
        #expect(try ArrearsCommands(copy).delinquents(on: date) == list)
    }
    /// In a PostgreSQL schema the facts are documents: asked after random slices of the city's
    /// second half, the list is the whole city's, read from the documents it kept or folded, and
    /// every document is a fold of its person's stream; one that lies is found and mended.
    @Test func inPostgresTheFactsAreDocumentsAndTheListIsTheWholeCitys() throws {
        guard let city = try HalfCity(seed: 41, insured: 60, schema: "a_") else { return }
        let ledger = KokiLedger(city.postgres)
        let arrears = ArrearsCommands(ledger)
        let stored = StoredArrears(city.postgres.ports)
        var random = SeededGenerator(seed: 41)
        var (asked, listed, last) = (0, 0, 0)
        repeat {
            let head = try ledger.store.head().position
            let date = try CivilDate(daysSinceEpoch: Int.random(in: 20_200...20_650, using: &random))
            let list = try arrears.delinquents(on: date)
            #expect(Self.listed(list) == (try Self.expected(ledger, on: date, through: head)), "\(date) at \(head)")
            #expect(try stored.status().position == head)
            let check = try stored.rebuild(check: true)
            #expect(check.position == head && check.differences.isEmpty, "\(check.differences) at \(head)")
            // Asked again: every candidate's facts read from the documents, the same list.
            #expect(try arrears.delinquents(on: date, order: .amount, knownAt: nil, readingApartFrom: .max) == list)
            (asked, listed, last) = (asked + 1, listed + list.count, list.count)
        } while try city.importNextSlice(300...900, using: &random) != nil
        #expect(asked > 2 && listed > 10)
        // Everyone on the last list has their facts kept.
        #expect(try stored.status().rows >= last && last > 1)

        // Facts written as another person's (a lie no fold supports): found, and mended.
        let all = try ledger.store.head().position
        let everyone = try StoredBalances(ledger).rows().rows.map(\.person)
        let keptNow = try #require(try stored.kept(everyone, at: all))
        let persons = Array(keptNow.filter { !$0.value.periods.isEmpty }.keys.sorted().prefix(2))
        try #require(persons.count == 2)
        let facts = try #require(try stored.kept(persons, at: all))
        let other = try #require(facts[persons[1]])
        // The head moves on with no person's stream (the same settings adopted again).
        let settings = try #require(try CollectionCommands(ledger).arrearsSettings())
        try arrears.adoptSettings(settings, metadata: CommandMetadata(actor: "op-arrears"))
        let moved = try ledger.store.head().position
        try #require(moved > all)
        try stored.keep([persons[0]: other], foldedThrough: moved)
        let found = try stored.rebuild(check: true)
        #expect(found.differences == [persons[0]] && !found.swapped)
        let mended = try stored.rebuild(check: false)
        #expect(mended.swapped && mended.differences == [persons[0]])
        #expect(try stored.rebuild(check: true).differences.isEmpty)
    }
}
