import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
@_spi(Reference) import KokiReadModels
import KokiTestSupport
import LedgerStore
import LedgerStorePostgres
import Testing

/// The stored debit states in a PostgreSQL ledger's schema: built from the first half of a city,
/// then caught up after random slices of the rest, each equals its holder's stream folded from
/// scratch, and a debit request and the mandate run decide from them what they decide from the
/// streams (with `KOKI_TEST_POSTGRES`; skipped without it unless `KOKI_REQUIRE_POSTGRES=1`).
@Suite struct PostgresDebitsTests {
    @Test func theDebitStatesInPostgresEqualEachStreamFoldedAndDecideAlike() throws {
        guard let city = try HalfCity(seed: 11, insured: 80, schema: "d_") else { return }
        let ledger = KokiLedger(city.postgres)
        // A list's keys from the schema: those asked for and no others.
        for n in 1...6 {
            _ = try city.postgres.subjectKey("person/9\(n)", makeKey: { Array(repeating: UInt8(n), count: 32) })
        }
        let keys = try city.postgres.allSubjectKeys()
        let asked = ["person/92", "person/95", "person/0"]
        let found = try city.postgres.subjectKeys(asked)
        #expect(found == keys.filter { asked.contains($0.key) } && found["person/95"] == Array(repeating: 5, count: 32))
        let stored = StoredDebits(ledger.ports)
        // Nothing kept before the first question.
        #expect(try stored.status().position == nil)
        let first = try #require(try stored.states())
        #expect(first.position == Int64(city.cut))
        try expectFolded(first.states, in: ledger.store, through: first.position)
        let status = try stored.status()
        #expect(status.rows == first.states.count && status.position == Int64(city.cut))
        #expect(status.logicVersion == StoredDebits.logicVersion)

        var random = SeededGenerator(seed: 11)
        var changed = 0
        while try city.importNextSlice(100...600, using: &random) != nil { changed += try stored.catchUp() }
        #expect(changed > 0)
        // Caught up already: nothing is folded again, and the answer is the head's.
        #expect(try stored.catchUp() == 0)
        #expect(try stored.states()?.position == city.head)
        // The next year assessed in the schema itself (every payer owes again): each state folds
        // one assessment more.
        let next = try StoredDebitsTests.assessTheNextYear(ledger)
        let last = try #require(try stored.states())
        #expect(last.position == (try ledger.store.head().position) && last.position > city.head)
        try expectFolded(last.states, in: ledger.store, through: last.position)
        // Holders whose first mandate or application arrived in the slices were folded whole.
        #expect(last.states.count > first.states.count)
        #expect(last.states.values.contains(where: \.isExact) && last.states.count > 5)

        // The mandate run's facts and a request's facts on every due date, from the documents
        // and from the streams.
        let commands = CollectionCommands(ledger)
        #expect(!ledger.hasCurrentCity)
        let mandates = (try commands.mandateFacts(), try commands.mandateFacts(fromStore: false))
        #expect(mandates.0.map(\.person) == mandates.1.map(\.person) && mandates.0.count == last.states.count)
        for (a, b) in zip(mandates.0, mandates.1) {
            #expect(a.version == b.version && a.died == b.died && a.mandates == b.mandates, "\(a.person)")
            #expect(a.applications == b.applications, "\(a.person)")
        }
        let days = try StoredDebitsTests.dueDates(ledger, of: [2024, 2025, 2026])
        let decided = try StoredDebitsTests.expectTheSameFacts(commands, on: days).decided
        // Not an empty comparison.
        #expect(days.count >= 27 && decided > 0, "\(days.count) days, \(decided) periods collected by debit")
        #expect(days.contains(next.dueDates().first!))

        // A command that read the documents writes its own appended events into them: they
        // stand at the append with nothing caught up, each its holder's stream folded; with
        // another holder's event between the read and the append, nothing is written.
        var read = try #require(try stored.states())
        let holders = read.states.keys.sorted()
        func request(_ person: PersonID, _ n: Int) throws -> (AppendResult, [PersonID: [KokiEvent]]) {
            try StoredDebitsTests.appendRequest(ledger, for: person, tag: "pg\(n)")
        }
        _ = try request(holders[0], 1)
        var own = try request(holders[1], 2)
        #expect(try !stored.advance(read.states, readAt: read.position, appended: own.0, events: own.1))
        #expect(try stored.status().position == read.position)
        read = try #require(try stored.states())
        own = try request(holders[2], 3)
        #expect(try stored.advance(read.states, readAt: read.position, appended: own.0, events: own.1))
        let head = try ledger.store.head().position
        #expect(try stored.status().position == head)
        try expectFolded(try #require(try stored.states()).states, in: ledger.store, through: head)
    }

    /// The states a schema builds from zero, its holders' streams read in batches of any size,
    /// equal each holder's stream folded with a query of its own, version and bytes: at the head,
    /// and at positions inside the ledger, where holders' streams go on past the position.
    @Test func theDebitStatesBuiltInBatchesEqualEachStreamFolded() throws {
        guard let city = try HalfCity(seed: 17, insured: 60, schema: "dp_") else { return }
        var random = SeededGenerator(seed: 17)
        while try city.importNextSlice(300...900, using: &random) != nil {}
        let ledger = KokiLedger(city.postgres)
        let stored = StoredDebits(ledger.ports)
        let head = try ledger.store.head().position
        var last: [String: Int64] = [:]
        for info in try ledger.store.streams(prefix: "person/") { last[info.stream.value] = info.lastPosition }
        let throughs = [head, Int64(city.cut)] + (0..<3).map { _ in Int64.random(in: 1...head, using: &random) }
        var (goOn, end) = (0, 0)
        for through in throughs {
            let reference = try stored.foldedFromZero(through: through, byStreams: true)
            for perBatch in [nil, 1, 7] {
                let built = try stored.foldedFromZero(through: through, byStreams: false, personsPerBatch: perBatch)
                #expect(Set(built.states.keys) == Set(reference.states.keys), "through \(through)")
                for (person, state) in reference.states {
                    let kept = try #require(built.states[person])
                    #expect(kept.version == state.version, "\(person) through \(through), batches of \(perBatch ?? 0)")
                    #expect(kept.stored.head == state.stored.head && kept.stored.sums == state.stored.sums, "\(person)")
                }
            }
            let grew = reference.states.keys.filter { last[$0.streamName]! > through }.count
            (goOn, end) = (goOn + grew, end + reference.states.count - grew)
        }
        // Holders whose streams go on past the position, and holders whose streams end there.
        #expect(goOn > 0 && end > 10, "\(goOn) streams go on past the position, \(end) end before")
        try expectFolded(
            try stored.foldedFromZero(through: head, byStreams: false).states, in: ledger.store, through: head)
    }

    /// Every mandate holder through `position` has a state, and each is their stream folded from
    /// its first event, byte for byte.
    func expectFolded(_ states: [PersonID: DebitState], in store: any EventStore, through position: Int64) throws {
        var holders = Set<PersonID>()
        var query = EventQuery.through(position: position)
        query.types = [DebitMandateStarted.eventType, DebitApplicationRecorded.eventType]
        try StoredEvents.forEach(in: store, query) { _, event in
            if let person = event.person { holders.insert(person) }
        }
        #expect(Set(states.keys) == holders)
        #expect(!holders.isEmpty)
        for person in holders.sorted() {
            var folded = DebitState()
            var stream = EventQuery.stream(try StreamName(person.streamName))
            stream.throughPosition = position
            try StoredEvents.forEach(in: store, stream) { view, event in
                folded.version = view.streamVersion
                try folded.apply(event)
            }
            let kept = try #require(states[person])
            #expect(kept.version == folded.version, "\(person)")
            #expect(kept.stored.head == folded.stored.head && kept.stored.sums == folded.stored.sums, "\(person)")
        }
    }
}
