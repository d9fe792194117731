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

/// The stored debit states: maintained by catching up at random moments of a simulated city, they
/// equal a fold of every mandate holder's stream from scratch, and a debit request decides from
/// them exactly what it decides from the streams, on every due date; damage names the person.
@Suite struct StoredDebitsTests {
    /// A small simulated city whose debit states were caught up at random days.
    static func city(seed: UInt64, insured: Int = 80) throws -> (
        folder: TemporaryFolder, ledger: KokiLedger, caughtUp: Int
    ) {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: insured, years: 2, seed: seed, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        let stored = StoredDebits(simulation.ledger.ports)
        var random = SeededGenerator(seed: seed)
        var (caughtUp, failure) = (0, (any Error)?.none)
        _ = try simulation.run { _ in
            guard Int.random(in: 0..<3, using: &random) == 0 else { return }
            do { caughtUp += try stored.catchUp() > 0 ? 1 : 0 } catch { failure = error }
        }
        if let failure { throw failure }
        return (folder, simulation.ledger, caughtUp)
    }

    /// FY2026 adopted (the standard calendar with 全期前納) and assessed: every payer owes again.
    @discardableResult
    static func assessTheNextYear(_ ledger: KokiLedger) throws -> InstallmentCalendar {
        var calendar = InstallmentCalendar.standard(fiscalYear: 2026)
        calendar.debitPrepayment = true
        func meta(_ name: String) -> CommandMetadata {
            CommandMetadata(commandID: Identifier(derivedFrom: Array("test/\(name)".utf8)), actor: "test")
        }
        let assessment = AssessmentCommands(ledger)
        var table = RateTable.chiba(fiscalYear: 2025)!
        table.fiscalYear = 2026
        try assessment.adoptRates(table, metadata: meta("rates"))
        try assessment.adoptCalendar(calendar, metadata: meta("calendar"))
        _ = try assessment.runAnnual(
            fiscalYear: try FiscalYear(2026), decidedOn: try CivilDate(iso: "2026-07-10"), actor: "test",
            runID: Identifier(derivedFrom: Array("test/annual".utf8)))
        return calendar
    }

    /// A fresh process's view of the ledger: no city in memory, so requests read the stored models.
    static func reopened(_ folder: TemporaryFolder) throws -> KokiLedger {
        KokiLedger(try Ledger.open(at: folder.path("city.ledger")))
    }

    /// The city as the requests' originator.
    static let originator = CollectionCommands.Originator(
        code: "1234567890", name: "ﾏﾂﾄﾞｼ", bankCode: "0001", branchCode: "001", accountType: 1,
        accountNumber: "1234567")

    /// One debit request for a holder appended as a command that read the stored states would
    /// (expecting the holder's stream as it stands), its command named by `tag`: what was
    /// appended, and the events by person, for ``StoredDebits/advance(_:readAt:appended:events:)``.
    static func appendRequest(_ ledger: KokiLedger, for person: PersonID, tag: String) throws -> (
        result: AppendResult, events: [PersonID: [KokiEvent]]
    ) {
        let event = KokiEvent.debitRequested(
            DebitRequested(
                person: person, key: PeriodKey(try FiscalYear(2026), try PeriodNumber(9)), amount: Yen(100),
                debitDate: try CivilDate(iso: "2027-03-31"), customerNumber: tag, file: "test"))
        let metadata = CommandMetadata(commandID: Identifier(derivedFrom: Array("test/own/\(tag)".utf8)), actor: "test")
        let version = try ledger.store.version(of: try StreamName(person.streamName))
        let result = try ledger.record([event], metadata: metadata, expecting: [person: .exact(version)])
        return (result, [person: [event]])
    }

    @Test(arguments: [3, 17] as [UInt64])
    func maintainedAtRandomMomentsEqualsTheStreamsAndDecidesAlike(seed: UInt64) throws {
        let (folder, simulated, caughtUp) = try Self.city(seed: seed, insured: 150)
        defer { withExtendedLifetime(folder) {} }
        #expect(caughtUp > 3)
        // The next year's annual run: the table then folds one assessment more for each payer.
        let next = try Self.assessTheNextYear(simulated)
        // Two payers die before the year's first debit, recorded before their mandates are
        // stopped: the request must still pass them by.
        let first = next.dueDates().first!
        let due = try CollectionCommands(simulated).debitFacts(on: first, fromStore: false)
        let payers = due.prefix(2)
        #expect(due.count >= 3)
        // A third has the year's first period deferred (徴収猶予) over the day: it is not asked for.
        if let deferred = due.dropFirst(2).first, let period = deferred.owing.first {
            try simulated.record(
                [
                    .collectionDeferred(
                        CollectionDeferred(
                            person: deferred.person, id: "D-test", change: .granted, on: first.adding(days: -20),
                            periods: [period.key], from: first.adding(days: -20), through: first.adding(days: 60),
                            reason: .illness, relief: .halved))
                ], metadata: CommandMetadata(actor: "test"))
        }
        for payer in payers {
            try simulated.record(
                [
                    .eligibilityLost(
                        EligibilityLost(
                            person: payer.person, reason: .died, eventDate: first.adding(days: -11),
                            effectiveFrom: first.adding(days: -10)))
                ], metadata: CommandMetadata(actor: "test"))
        }
        let ledger = try Self.reopened(folder)
        #expect(!ledger.hasCurrentCity)
        let stored = try #require(try StoredDebits(ledger.ports).states())
        #expect(stored.position == (try ledger.store.head().position))
        // Every mandate holder, and a city where debit is a real part of collection.
        #expect(stored.states.count > 5)
        #expect(stored.states.values.filter(\.isExact).count > 5)

        let commands = CollectionCommands(ledger)
        var (deferred, applied) = (0, 0)
        for (person, state) in stored.states {
            let account = try commands.load(person).account
            let folded = try commands.load(person)
            #expect(state.version == folded.version, "\(person)")
            #expect(state.mandates == account.mandates, "\(person)")
            #expect(state.prepayment == account.prepayment, "\(person)")
            #expect(state.lastRequested == account.debitRequests.map(\.debitDate).max(), "\(person)")
            // Deferments as the account has them: the same periods deferred on every day of them.
            for deferral in account.currentDeferrals {
                for key in deferral.periods {
                    for day in [deferral.from, deferral.through, deferral.through.adding(days: 1)] {
                        #expect(
                            state.deferred(key, on: day) == (account.deferral(key, on: day) != nil),
                            "\(person) \(key) on \(day)")
                    }
                }
            }
            deferred += account.currentDeferrals.isEmpty ? 0 : 1
            // Applications as they stand, in the order first recorded, with the account received.
            #expect(state.applications.map(\.id) == account.currentApplications.map(\.id), "\(person)")
            #expect(state.applications.map(\.change) == account.currentApplications.map(\.change), "\(person)")
            #expect(state.applications.map(\.on) == account.currentApplications.map(\.on), "\(person)")
            #expect(
                state.applications.map(\.account)
                    == account.currentApplications.map { account.applicationAccount($0.id) })
            applied += state.applications.isEmpty ? 0 : 1
            guard state.isExact else { continue }
            let periods = try #require(try state.periods())
            #expect(
                Dictionary(uniqueKeysWithValues: periods.map { ($0.key, $0.period) }) == account.periods.dictionary,
                "\(person)")
            let owing = try #require(try state.owing())
            #expect(
                Dictionary(uniqueKeysWithValues: owing.map { ($0.key, $0.period) })
                    == account.periods.dictionary.filter { $0.value.outstanding > .zero }, "\(person)")
            for key in account.periods.keys {
                #expect(
                    state.method(of: key) == folded.assessments[key.fiscalYear]?.method(of: key.period),
                    "\(person) \(key)")
            }
        }

        // Mandate holders with deferments, followed by the states rather than read from their streams.
        #expect(deferred > 0 && applied > 0, "\(deferred) with deferments, \(applied) with applications")

        // The mandate run's facts, from the table and from the streams.
        let mandates = (try commands.mandateFacts(), try commands.mandateFacts(fromStore: false))
        #expect(mandates.0.map(\.person) == mandates.1.map(\.person))
        for (a, b) in zip(mandates.0, mandates.1) {
            #expect(a.version == b.version && a.died == b.died && a.mandates == b.mandates, "\(a.person)")
            #expect(a.applications == b.applications, "\(a.person)")
        }
        #expect(mandates.0.count == stored.states.count && mandates.0.contains { $0.died != nil })

        // The same facts on every day a debit could be asked for, from the table and from the streams.
        let days = try Self.dueDates(ledger, of: [2024, 2025, 2026])
        #expect(days.count >= 27)
        let (decided, dead) = try Self.expectTheSameFacts(commands, on: days)
        // Not an empty comparison: periods collected by debit were found, and payers who died
        // (whose mandates the city had not stopped yet) were told apart.
        #expect(decided > 0 && dead > 0, "\(decided) periods, \(dead) payers who died")

        let check = try StoredDebits(ledger.ports).rebuild(check: true)
        #expect(check.comparedWith != nil && check.differences.isEmpty && !check.swapped)
        #expect(check.persons == stored.states.count)
        // The mandate run's facts in a process holding the city, from its accounts and register:
        // the same as from the streams.
        _ = try ledger.currentCity()
        #expect(ledger.hasCurrentCity)
        let held = try commands.mandateFacts()
        #expect(held.map(\.person) == mandates.1.map(\.person))
        for (a, b) in zip(held, mandates.1) {
            #expect(a.version == b.version && a.died == b.died && a.mandates == b.mandates, "\(a.person)")
            #expect(a.applications == b.applications, "\(a.person)")
        }
        withExtendedLifetime(simulated) {}
    }

    /// Every due date of the years' calendars adopted.
    static func dueDates(_ ledger: KokiLedger, of years: [Int]) throws -> Set<CivilDate> {
        var days = Set<CivilDate>()
        for year in years {
            if let adopted = try ledger.installmentCalendar(fiscalYear: year) {
                days.formUnion(
                    adopted.calendar.dueDates(on: BusinessCalendar(extraClosedDays: Set(adopted.extraClosedDays))))
            }
        }
        return days
    }

    /// A request's facts on each day, from the stored states and from the streams, expected the
    /// same; how many periods were found collected by debit, and how many payers who died.
    static func expectTheSameFacts(_ commands: CollectionCommands, on days: Set<CivilDate>) throws -> (
        decided: Int, dead: Int
    ) {
        var (decided, dead) = (0, 0)
        for day in days.sorted() {
            let fromTable = try commands.debitFacts(on: day)
            let fromStreams = try commands.debitFacts(on: day, fromStore: false)
            #expect(fromTable.map(\.person) == fromStreams.map(\.person), "on \(day)")
            dead += fromStreams.filter { $0.died != nil }.count
            for (a, b) in zip(fromTable, fromStreams) {
                #expect(
                    a.mandate == b.mandate && a.died == b.died && a.prepayment == b.prepayment, "\(a.person) on \(day)")
                #expect(a.lastRequested == b.lastRequested && a.version == b.version, "\(a.person) on \(day)")
                #expect(a.owing.map(\.key) == b.owing.map(\.key), "\(a.person) on \(day)")
                #expect(a.owing.map(\.period) == b.owing.map(\.period), "\(a.person) on \(day)")
                for (key, _) in a.owing {
                    #expect(a.collectedByDebit(key) == b.collectedByDebit(key), "\(a.person) \(key) on \(day)")
                    decided += a.collectedByDebit(key) ? 1 : 0
                }
            }
        }
        return (decided, dead)
    }

    /// The year after the simulation, FY2026 adopted with 全期前納 and assessed: the debit request
    /// a fresh process writes from the table is the one the city in memory writes, byte for byte,
    /// and records the same events; a second request for the day is refused alike.
    @Test func theRequestFileIsTheSameFromTheTableAndFromTheCity() throws {
        let (folder, simulated, _) = try Self.city(seed: 5, insured: 120)
        defer { withExtendedLifetime(folder) {} }
        let calendar = try Self.assessTheNextYear(simulated)
        // A copy made now: one side answers from the table, the other from a city in memory.
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: folder.path("city.ledger") + suffix) {
            try FileManager.default.copyItem(
                atPath: folder.path("city.ledger") + suffix, toPath: folder.path("warm.ledger") + suffix)
        }
        let cold = try Self.reopened(folder)
        let warm = KokiLedger(try Ledger.open(at: folder.path("warm.ledger")))
        _ = try warm.currentCity()
        #expect(warm.hasCurrentCity)
        let originator = Self.originator
        let before = try cold.store.head().position
        #expect(before == (try warm.store.head().position))
        var requested = 0
        for due in calendar.dueDates().prefix(3) {
            let answers = try [cold, warm].map {
                try CollectionCommands($0).exportDebit(on: due, originator: originator, actor: "test")
            }
            #expect(answers[0].bytes == answers[1].bytes && answers[0].total == answers[1].total, "on \(due)")
            requested += answers[0].records
            for ledger in [cold, warm] {
                #expect(throws: KokiError.self) {
                    try CollectionCommands(ledger).exportDebit(on: due, originator: originator, actor: "test")
                }
            }
        }
        #expect(requested > 0)
        // The same events recorded (the times they were recorded at aside).
        #expect(
            try CandidatesTests.events(of: cold, after: before) == CandidatesTests.events(of: warm, after: before))
        #expect(!cold.hasCurrentCity)
        let check = try StoredDebits(cold.ports).rebuild(check: true)
        #expect(check.differences.isEmpty && check.comparedWith != nil)
    }

    /// A debit request writes its own events into the stored states it read: after each request
    /// the table stands at the head with nothing to catch up, and equals a fold from scratch. The
    /// states are written only where that is exactly the catch-up: with another person's event
    /// between the read and the append or after it, or a state its events do not follow, nothing
    /// is written, and catching up brings the table to the same rows.
    @Test func aRequestWritesItsOwnEventsIntoTheStatesItRead() throws {
        let (folder, simulated, _) = try Self.city(seed: 11, insured: 120)
        defer { withExtendedLifetime(folder) {} }
        let calendar = try Self.assessTheNextYear(simulated)
        let cold = try Self.reopened(folder)
        let stored = StoredDebits(cold.ports)
        let originator = Self.originator
        var requested = 0
        for due in calendar.dueDates().prefix(3) {
            let answer = try CollectionCommands(cold).exportDebit(on: due, originator: originator, actor: "test")
            requested += answer.records
            let head = try cold.store.head().position
            #expect(try stored.status().position == head, "on \(due)")
            let check = try stored.rebuild(check: true)
            #expect(check.differences.isEmpty && check.comparedWith == head, "on \(due)")
        }
        #expect(requested > 0)

        // Two holders' requests appended one after the other, as a command that read the states would.
        guard let read = try stored.states() else {
            Issue.record("no stored states")
            return
        }
        let holders = read.states.keys.sorted().prefix(3)
        #expect(holders.count == 3)
        var appended = 0
        func request(_ person: PersonID) throws -> (result: AppendResult, events: [PersonID: [KokiEvent]]) {
            appended += 1
            return try Self.appendRequest(cold, for: person, tag: "t\(appended)")
        }
        func expectCaughtUpAlike() throws {
            try stored.catchUp()
            let (check, head) = (try stored.rebuild(check: true), try cold.store.head().position)
            #expect(check.differences.isEmpty && check.comparedWith == head)
        }
        // Another holder's event between the read and the append: declined.
        _ = try request(holders[holders.startIndex])
        var own = try request(holders[holders.startIndex + 1])
        #expect(try !stored.advance(read.states, readAt: read.position, appended: own.result, events: own.events))
        #expect(try stored.status().position == read.position)
        try expectCaughtUpAlike()
        // The events the append made not given: the state's version does not follow; declined.
        var again = try #require(try stored.states())
        own = try request(holders[holders.startIndex + 2])
        #expect(try !stored.advance(again.states, readAt: again.position, appended: own.result, events: [:]))
        // An event after the append: declined.
        try expectCaughtUpAlike()
        again = try #require(try stored.states())
        own = try request(holders[holders.startIndex])
        _ = try request(holders[holders.startIndex + 1])
        #expect(try !stored.advance(again.states, readAt: again.position, appended: own.result, events: own.events))
        try expectCaughtUpAlike()
        // Nothing between and no person's event after (another stream's is): written, at the
        // head, and equal to the catch-up.
        again = try #require(try stored.states())
        own = try request(holders[holders.startIndex + 2])
        let file = CollectionFileRecorded(
            kind: .convenienceStore, digest: "test", name: "test", date: try CivilDate(iso: "2027-03-31"), records: 0,
            amount: .zero, accepted: 0, other: 0, duplicates: 0, unmatched: 0)
        try cold.record(
            [.collectionFileRecorded(file)],
            metadata: CommandMetadata(commandID: Identifier(derivedFrom: Array("test/file".utf8)), actor: "test"))
        #expect(try stored.advance(again.states, readAt: again.position, appended: own.result, events: own.events))
        let head = try cold.store.head().position
        #expect(head > own.result.positions?.upperBound ?? head)
        #expect(try stored.status().position == head)
        let check = try stored.rebuild(check: true)
        #expect(check.differences.isEmpty && check.comparedWith == head)
    }

    /// A mandate the bank started after the payer's death (the answer crossed the death) is
    /// stopped once by the mandate run, not again at every run after.
    @Test func aMandateStartedAfterTheDeathIsStoppedOnce() throws {
        let (folder, simulated, _) = try Self.city(seed: 21)
        defer { withExtendedLifetime(folder) {} }
        let ledger = try Self.reopened(folder)
        let register = try ledger.replay(InsuredRegister.self)
        let dead = try #require(register.persons.values.filter { $0.diedOn != nil }.min { $0.id < $1.id })
        let died = try #require(dead.diedOn)
        let account = try BankAccount(
            bankCode: "0001", branchCode: "001", accountType: 1, accountNumber: "1234567", holderKana: "ﾃｽﾄ ﾀﾛｳ")
        try ledger.record(
            [
                .debitMandateStarted(
                    DebitMandateStarted(
                        person: dead.id, startsOn: died.adding(days: 20),
                        account: try IdentityVault(ledger).seal(account, for: dead.id)))
            ], metadata: CommandMetadata(actor: "test"))
        let commands = CollectionCommands(ledger)
        let day = died.adding(days: 40)
        let first = try commands.sendDebitApplications(on: day, actor: "test")
        #expect(first.stopped.contains { $0.person == dead.id })
        let second = try commands.sendDebitApplications(on: day.adding(days: 1), actor: "test")
        #expect(!second.stopped.contains { $0.person == dead.id }, "\(second.stopped)")
        withExtendedLifetime(simulated) {}
    }

    @Test func anAlteredStateIsFoundAndMendedAndDamageNamesThePerson() throws {
        let (folder, _, _) = try Self.city(seed: 9)
        defer { withExtendedLifetime(folder) {} }
        let ledger = try Self.reopened(folder)
        let stored = StoredDebits(ledger.ports)
        try stored.catchUp()
        let path = folder.path("city.ledger")
        // Someone gives a mandate holder another's state by hand: it decodes, but is wrong.
        let a = try DatabaseQueue(path: path).write { db -> String in
            let rows = try Row.fetchAll(
                db, sql: "SELECT person, document FROM rm_debits WHERE part = 0 ORDER BY person LIMIT 2")
            let a: String = rows[0][0]
            try db.execute(
                sql: "UPDATE rm_debits SET document = ? WHERE person = ? AND part = 0",
                arguments: [rows[1][1] as Data, a])
            return a
        }
        let found = try stored.rebuild(check: true)
        #expect(found.differences.map(\.value) == [a])
        let mended = try stored.rebuild(check: false)
        #expect(mended.swapped && mended.differences.map(\.value) == [a])
        #expect(try stored.rebuild(check: true).differences.isEmpty)

        // A table of another logic is rebuilt, not read.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE rm_models SET logic_version = 99 WHERE name = 'debits'")
            try db.execute(sql: "UPDATE rm_debits SET document = x'00'")
        }
        #expect(try stored.states() != nil)
        #expect(try stored.status().logicVersion == StoredDebits.logicVersion)

        // A damaged state of this logic is an error naming the person, never a wrong request.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE rm_debits SET document = x'0102' WHERE person = ?", arguments: [a])
        }
        #expect {
            try stored.states()
        } throws: { error in
            "\(error)".contains("stored debit state of \(a) is damaged")
        }

        // A head without its sums is damage named too.
        _ = try stored.rebuild(check: false)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DELETE FROM rm_debits WHERE person = ? AND part = 1", arguments: [a])
        }
        #expect {
            try stored.states()
        } throws: { error in
            "\(error)".contains("stored debit state of \(a) is damaged")
                && "\(error)".contains("period sums are missing")
        }
    }
}
