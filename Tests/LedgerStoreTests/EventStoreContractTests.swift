import Foundation
import KokiTestSupport
import LedgerStore
import LedgerStorePostgres
import Testing

/// The event store's laws, the same tests against both stores: the SQLite file and PostgreSQL
/// (`KOKI_TEST_POSTGRES=postgres://…`, which `scripts/test.sh` starts; without it the PostgreSQL
/// cases skip, unless `KOKI_REQUIRE_POSTGRES=1` — as in CI — makes that a failure).
@Suite struct EventStoreContractTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    static var postgresURL: String? {
        let env = ProcessInfo.processInfo.environment
        return env["KOKI_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A new, empty store of the kind, and what removes it.
    final class Store: @unchecked Sendable {
        let store: any EventStore
        let url: String?
        let folder: TemporaryFolder?

        init(_ backend: Backend, clock: any LedgerClock = SystemClock()) throws {
            switch backend {
            case .sqlite:
                let folder = try TemporaryFolder()
                self.folder = folder
                url = nil
                store = try Ledger.create(at: folder.path("contract.ledger"), clock: clock)
            case .postgres:
                folder = nil
                let url = Self.schemaURL()
                self.url = url
                store = try PostgresLedger.create(url: url, clock: clock)
            }
        }

        /// Another connection to the same store (a second process, as far as the store knows).
        func another() throws -> any EventStore {
            if let url { return try PostgresLedger.open(url: url) }
            return try Ledger.open(at: folder!.path("contract.ledger"))
        }

        static func schemaURL() -> String {
            let base = postgresURL!
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
            return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        }

        deinit {
            (store as? PostgresLedger)?.close()
            if let url { try? PostgresLedger.dropSchema(url: url) }
        }
    }

    /// Whether a backend can run here; PostgreSQL without a server skips, or fails when required.
    static func available(_ backend: Backend) -> Bool {
        guard backend == .postgres, postgresURL == nil else { return true }
        if ProcessInfo.processInfo.environment["KOKI_REQUIRE_POSTGRES"] == "1" {
            Issue.record("KOKI_REQUIRE_POSTGRES=1 but KOKI_TEST_POSTGRES names no server")
        }
        return false
    }

    func event(_ type: String = "PaymentReceived", _ bytes: [UInt8] = Array("payment".utf8)) -> NewEvent {
        NewEvent(type: type, schemaVersion: 1, payload: bytes)
    }

    func request(_ parts: [(String, ExpectedVersion, Int)], id: Identifier = .random(), actor: String = "op-1")
        -> AppendRequest
    {
        AppendRequest(
            commandID: id, actor: actor, correlationID: nil, causationID: nil,
            streams: parts.map { name, expected, count in
                StreamAppend(
                    stream: stream(name), expectedVersion: expected,
                    events: (0..<count).map { i in event("E\(i % 2)", Array("\(name)#\(i)".utf8)) })
            })
    }

    func all(_ store: any EventStore, _ query: EventQuery = EventQuery()) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        try store.forEachEvent(query) { out.append($0.recorded()) }
        return out
    }

    @Test(arguments: Backend.allCases)
    func appendsAreDenseAtomicAndReadBack(_ backend: Backend) throws {
        guard Self.available(backend) else { return }
        let s = try Store(backend, clock: ManualClock(start: epoch2026))
        let store = s.store
        let first = try store.append(request([("person/1", .noStream, 2), ("config/x", .any, 1)]))
        #expect(first.positions == 1...3 && !first.wasDuplicate)
        let big = NewEvent(type: "Big", schemaVersion: 2, payload: Array(repeating: 97, count: 5_000))
        try store.append(
            AppendRequest(
                commandID: .random(), actor: "op-2", correlationID: .random(), causationID: .random(),
                streams: [StreamAppend(stream: stream("person/2"), expectedVersion: .any, events: [big])]))
        let events = try all(store)
        #expect(events.map(\.position) == [1, 2, 3, 4])
        #expect(events.map(\.stream.value) == ["person/1", "person/1", "config/x", "person/2"])
        #expect(events[3].payload == big.payload && events[3].compressed && events[3].schemaVersion == 2)
        #expect(events[0].actor == "op-1" && events[3].actor == "op-2")
        #expect(try store.version(of: stream("person/1")) == 2)
        #expect(try store.version(of: stream("none/1")) == 0)
        // The head's hash is the chain's, whether the last row stores it (PostgreSQL) or not (a
        // ledger file stores one only every 32 positions or so).
        #expect(try store.head() == LedgerHead(position: 4, hash: try store.verifyChain().head.hash))
        #expect(try store.head().hash.count == 32 && events[3].hash.count % 32 == 0)
        // Queries: by stream (from a version), prefix, types, position range, recorded time.
        #expect(try all(store, .stream(stream("person/1"), fromVersion: 2)).map(\.position) == [2])
        var prefix = EventQuery()
        prefix.streamPrefix = "person/"
        #expect(try all(store, prefix).map(\.position) == [1, 2, 4])
        var types = EventQuery()
        types.types = ["E1", "Big"]
        #expect(try all(store, types).map(\.position) == [2, 4])
        var range = EventQuery.from(position: 2)
        range.throughPosition = 3
        #expect(try all(store, range).map(\.position) == [2, 3])
        var recorded = EventQuery()
        recorded.recordedFrom = events[3].recordedAt
        #expect(try all(store, recorded).map(\.position) == [4])
        #expect(try store.streams(prefix: "person/").map(\.stream.value) == ["person/1", "person/2"])
        #expect(try store.streamNames(prefix: "person/").map(\.value) == ["person/1", "person/2"])
        #expect(try store.streamNames(prefix: "").map(\.value) == ["config/x", "person/1", "person/2"])
        #expect(try store.streamNames(prefix: "person/1/").isEmpty)
        #expect(try store.verifyChain().isIntact)
    }

    /// An event view holds no names: the scan names each event's stream, type and command, and
    /// a store that numbers its streams and types (a ledger file) gives the same number to the
    /// same name in every scan, and different numbers to different names.
    @Test(arguments: Backend.allCases)
    func aViewNamesItsStreamTypeAndCommandAndItsNumbersTellThemApart(_ backend: Backend) throws {
        guard Self.available(backend) else { return }
        let s = try Store(backend, clock: ManualClock(start: epoch2026))
        let store = s.store
        var appended: [(id: Identifier, actor: String, streams: [String])] = []
        for (n, streams) in [["person/1", "config/x"], ["person/2"], ["person/1", "person/3"], ["config/x"]]
            .enumerated()
        {
            let id = Identifier.random()
            try store.append(request(streams.map { ($0, .any, 3) }, id: id, actor: "op-\(n)"))
            appended.append((id, "op-\(n)", streams))
        }
        // What each event is, from the appends: its stream, type, command and actor.
        var expected: [(stream: String, type: String, id: Identifier, actor: String)] = []
        for command in appended {
            for name in command.streams {
                for i in 0..<3 { expected.append((name, "E\(i % 2)", command.id, command.actor)) }
            }
        }
        typealias Seen = (
            stream: String, type: String, id: Identifier, actor: String, sequence: Int64, numbers: [Int64?]
        )
        func scan(_ query: EventQuery) throws -> [Seen] {
            var seen: [Seen] = []
            try store.forEachEvent(query) { view in
                let command = view.command
                seen.append(
                    (
                        view.stream.value, view.type, command.commandID, command.actor, command.sequence,
                        [view.streamNumber, view.typeNumber]
                    ))
            }
            return seen
        }
        let read = try scan(EventQuery())
        #expect(read.map(\.stream) == expected.map(\.stream) && read.map(\.type) == expected.map(\.type))
        #expect(read.map(\.id) == expected.map(\.id) && read.map(\.actor) == expected.map(\.actor))
        // Without envelopes: the same events, each command by its sequence alone.
        var unread = EventQuery()
        unread.readsEnvelopes = false
        let bare = try scan(unread)
        #expect(bare.map(\.stream) == read.map(\.stream) && bare.map(\.type) == read.map(\.type))
        #expect(bare.map(\.sequence) == read.map(\.sequence) && Set(bare.map(\.actor)) == [""])
        #expect(Set(read.map(\.sequence)).count == appended.count)
        // One stream read by its index, and events read by their positions, name them the same.
        let second = try scan(.stream(stream("person/3")))
        #expect(second.map(\.stream) == Array(repeating: "person/3", count: 3))
        var byPosition: [Seen] = []
        try store.forEachEvent(at: [2, 7], readsEnvelopes: true) { view in
            byPosition.append(
                (
                    view.stream.value, view.type, view.command.commandID, view.command.actor, view.command.sequence,
                    [view.streamNumber, view.typeNumber]
                ))
        }
        #expect(byPosition.map(\.stream) == [read[1].stream, read[6].stream])
        #expect(byPosition.map(\.id) == [read[1].id, read[6].id])
        let all = read + bare + second + byPosition
        switch backend {
        case .sqlite:
            // A number for every stream and type, one to one with the names, in every scan.
            #expect(all.allSatisfy { $0.numbers.allSatisfy { $0 != nil } })
            let streams = Dictionary(grouping: all, by: { $0.numbers[0]! }).mapValues { Set($0.map(\.stream)) }
            let types = Dictionary(grouping: all, by: { $0.numbers[1]! }).mapValues { Set($0.map(\.type)) }
            #expect(streams.count == 4 && streams.values.allSatisfy { $0.count == 1 })
            #expect(types.count == 2 && types.values.allSatisfy { $0.count == 1 })
        case .postgres:
            #expect(all.allSatisfy { $0.numbers == [nil, nil] })
        }
    }

    @Test(arguments: Backend.allCases)
    func aRepeatedCommandAppendsNothingAndAConflictNothingAtAll(_ backend: Backend) throws {
        guard Self.available(backend) else { return }
        let s = try Store(backend)
        let store = s.store
        let id = Identifier.random()
        let original = try store.append(request([("person/1", .noStream, 2)], id: id))
        let again = try store.append(request([("person/1", .noStream, 2)], id: id))
        #expect(again.wasDuplicate && again.events == original.events)
        #expect(try store.head().position == 2)
        // The second stream's expectation fails: neither stream gets anything.
        #expect(throws: LedgerError.self) {
            try store.append(request([("person/2", .noStream, 1), ("person/1", .exact(1), 1)]))
        }
        #expect(try store.head().position == 2)
        #expect(try store.version(of: stream("person/2")) == 0)
        try store.append(request([("person/1", .exact(2), 1)]))
        #expect(try store.version(of: stream("person/1")) == 3)
    }

    @Test(arguments: Backend.allCases)
    func concurrentWritersLeaveDensePositionsAndReportEveryConflict(_ backend: Backend) throws {
        guard Self.available(backend) else { return }
        let s = try Store(backend)
        let writers = 4
        let commands = 25
        let results = Mutexed<(ok: Int, conflicts: Int)>((0, 0))
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            let store = try! s.another()
            defer { (store as? PostgresLedger)?.close() }
            for c in 0..<commands {
                // Each writer's own stream, and one stream they all contend for with an expectation.
                try! store.append(request([("person/w\(w)", .any, 1 + c % 3)]))
                let seen = try! store.version(of: stream("shared/1"))
                do {
                    try store.append(request([("shared/1", .exact(seen), 1)]))
                    results.update { $0.ok += 1 }
                } catch let error as LedgerError where error.code == .wrongExpectedVersion {
                    results.update { $0.conflicts += 1 }
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
        }
        let outcome = results.value
        #expect(outcome.ok + outcome.conflicts == writers * commands)
        let events = try all(s.store)
        #expect(events.map(\.position) == Array(1...Int64(events.count)), "no gap, no duplicate")
        #expect(try s.store.version(of: stream("shared/1")) == Int64(outcome.ok))
        let own = (0..<commands).map { 1 + $0 % 3 }.reduce(0, +)
        #expect(events.count == writers * own + outcome.ok)
        #expect(try s.store.verifyChain().isIntact)
    }

    @Test func aLedgerCopiedToPostgresAndBackVerifiesWithTheSameHead() throws {
        guard Self.available(.postgres) else { return }
        let folder = try TemporaryFolder()
        let sqlite = try Ledger.create(at: folder.path("a.ledger"))
        var g = SeededGenerator(seed: 11)
        for _ in 0..<300 { try sqlite.append(randomRequest(using: &g)) }
        let url = Store.schemaURL()
        defer { try? PostgresLedger.dropSchema(url: url) }
        let postgres = try PostgresLedger.create(url: url, ledgerID: sqlite.ledgerID)
        defer { postgres.close() }
        #expect(try postgres.copy(from: sqlite, batch: 97) == (try sqlite.head().position))
        #expect(try postgres.head() == (try sqlite.head()))
        #expect(try postgres.verifyChain().isIntact)
        // The same events; PostgreSQL stores every command's hash, the file one every 32 positions
        // or so, and where both store one it is the same.
        let (there, here) = (try all(postgres), try all(sqlite))
        func unhashed(_ events: [RecordedEvent]) -> [RecordedEvent] {
            events.map {
                var e = $0
                e.hash = []
                return e
            }
        }
        #expect(unhashed(there) == unhashed(here))
        #expect(zip(there, here).allSatisfy { $1.hash.isEmpty || $0.hash == $1.hash })
        #expect(here.filter { !$0.hash.isEmpty }.count < there.filter { !$0.hash.isEmpty }.count)
        // Appending on PostgreSQL, then back to a new SQLite file: the same again.
        for _ in 0..<20 { try postgres.append(randomRequest(using: &g)) }
        let back = try Ledger.create(at: folder.path("b.ledger"), ledgerID: postgres.ledgerID)
        try back.copy(from: postgres, batch: 50)
        #expect(try back.head() == (try postgres.head()))
        #expect(try back.verify().isIntact)
        // A copy into another ledger, or rows that do not continue the chain, are refused.
        let other = try Ledger.create(at: folder.path("c.ledger"))
        #expect(throws: LedgerError.self) { try other.copy(from: postgres) }
        #expect(try postgres.copy(from: back) == 0, "nothing after the head to copy")
    }

    @Test func postgresRefusesChangesAndVerifyNamesAnAlteredRow() throws {
        guard Self.available(.postgres) else { return }
        let s = try Store(.postgres)
        try s.store.append(request([("person/1", .noStream, 3)]))
        func psql(_ sql: String) throws -> Int32 { try Self.psql(s, sql) }
        #expect(try psql("UPDATE koki_events SET payload = 'x' WHERE position = 2") != 0)
        #expect(try psql("DELETE FROM koki_events WHERE position = 3") != 0)
        #expect(try psql("TRUNCATE koki_events CASCADE") != 0)
        #expect(try s.store.verifyChain().isIntact)
        // The table's owner can switch the trigger off; verify still names the row.
        #expect(
            try psql(
                "ALTER TABLE koki_events DISABLE TRIGGER koki_events_append_only; UPDATE koki_events SET payload = 'x' WHERE position = 2"
            ) == 0)
        // The command's hash is stored on its last event (3): the altered row is found within it.
        let report = try s.store.verifyChain()
        #expect(report.problem?.position == 1)
        #expect(report.problem?.message.contains("positions 1–3") == true, "\(String(describing: report.problem))")
    }

    /// Runs SQL in a PostgreSQL store's schema with `psql`, returning its exit status.
    static func psql(_ s: Store, _ sql: String) throws -> Int32 {
        let url = try PostgresLedger.Address(s.url!)
        return try KokiTestSupport.psql(
            host: url.host, port: url.port, user: url.user, password: url.password, database: url.database,
            schema: url.schema, sql)
    }

    /// Copied rows must end where a command ends: the command's hash, stored on its last event, is
    /// what vouches for the rows before it. Rows cut inside a command, or with a middle row altered,
    /// are refused whole; the same rows to the command's end are taken, stored with one hash each.
    @Test(arguments: Backend.allCases)
    func copiedRowsEndingInsideACommandOrAlteredAreRefusedWhole(_ backend: Backend) throws {
        guard Self.available(backend) else { return }
        let source = try Store(backend)
        try source.store.append(request([("person/1", .noStream, 3)]))
        try source.store.append(request([("person/2", .noStream, 1)]))
        var rows: [StoredRow] = []
        try source.store.forEachStoredRow(from: 1) { rows.append($0) }
        #expect(rows.map(\.hash.count) == [0, 0, 32, 32])
        let target: any EventStore
        var url: String?
        switch backend {
        case .sqlite:
            target = try Ledger.create(at: source.folder!.path("target.ledger"), ledgerID: source.store.ledgerID)
        case .postgres:
            url = Store.schemaURL()
            target = try PostgresLedger.create(url: url!, ledgerID: source.store.ledgerID)
        }
        defer {
            (target as? PostgresLedger)?.close()
            if let url { try? PostgresLedger.dropSchema(url: url) }
        }
        #expect {
            try target.importRows(Array(rows.prefix(2)))
        } throws: { error in
            (error as? LedgerError)?.message.contains("command 1 lacks its last 1 events") == true
        }
        var altered = rows
        altered[1].payload[0] ^= 1
        #expect {
            try target.importRows(altered)
        } throws: { error in
            (error as? LedgerError)?.message.contains("positions 1–3") == true
        }
        #expect(try target.head().position == 0)
        try target.importRows(rows)
        #expect(try target.verifyChain().isIntact)
        #expect(try target.head() == source.store.head())
        var copied: [StoredRow] = []
        try target.forEachStoredRow(from: 1) { copied.append($0) }
        #expect(copied == rows)
    }

    /// A PostgreSQL schema keeps a copy of the payload dictionary, as a ledger file does, and
    /// stores payloads against it.
    @Test func postgresHoldsACopyOfThePayloadDictionary() throws {
        guard Self.available(.postgres) else { return }
        let s = try Store(.postgres)
        let payload = Array(String(repeating: "koki-premium-1;", count: 8).utf8)
        try s.store.append(
            AppendRequest(
                commandID: .random(), actor: "op", stream: stream("person/1"), expectedVersion: .noStream,
                events: [NewEvent(type: "T", schemaVersion: 1, payload: payload)]))
        #expect(try s.store.events().map(\.payload) == [payload])
        func psql(_ sql: String) throws -> Int32 { try Self.psql(s, sql) }
        let digest = try #require(PayloadDictionary.first).digest
        // Each query divides by zero (and fails) unless exactly one row matches.
        #expect(
            try psql(
                """
                SELECT 1 / (SELECT COUNT(*) FROM koki_meta WHERE key = 'payload_dictionary_2'
                    AND sha256(value) = '\\x\(digest)')::int
                """) == 0)
        #expect(try psql("SELECT 1 / (SELECT COUNT(*) FROM koki_events WHERE encoding = 2)::int") == 0)
        #expect(try psql("SELECT 1 / (SELECT COUNT(*) FROM koki_events WHERE encoding = 7)::int") != 0)
    }

    /// A PostgreSQL schema carries the mark of the format it was written in; one marked by a newer
    /// koki is refused when opened, and nothing in it changes.
    @Test func postgresRefusesASchemaMarkedByANewerFormat() throws {
        guard Self.available(.postgres) else { return }
        let s = try Store(.postgres)
        try s.store.append(request([("person/1", .noStream, 2)]))
        func psql(_ sql: String) throws -> Int32 { try Self.psql(s, sql) }
        #expect(try psql("SELECT 1 / (SELECT COUNT(*) FROM koki_meta WHERE key = 'format_3')::int") == 0)
        #expect(try PostgresLedger.open(url: s.url!).head() == (try s.store.head()))
        #expect(try psql("INSERT INTO koki_meta(key, value) VALUES ('format_4', 'x')") == 0)
        #expect {
            _ = try PostgresLedger.open(url: s.url!)
        } throws: { error in
            let error = error as? LedgerError
            return error?.code == .newerSchema && error?.message.contains("format 4") == true
        }
        #expect(try psql("SELECT 1 / (SELECT COUNT(*) FROM koki_meta)::int") == 0)
        #expect(try s.store.head().position == 2)
    }
}

/// A value shared by concurrent test threads.
final class Mutexed<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

/// A reader beside a store (``EventStore/reader()``) and a PostgreSQL schema's documents picked
/// out by conditions on their fields.
@Suite struct ReaderContractTests {
    typealias Backend = EventStoreContractTests.Backend

    @Test(arguments: Backend.allCases)
    func aReaderReadsWhatTheStoreHoldsAndWritesNothing(_ backend: Backend) throws {
        guard EventStoreContractTests.available(backend) else { return }
        let held = try EventStoreContractTests.Store(backend)
        var random = SeededGenerator(seed: 21)
        for _ in 0..<25 { try held.store.append(randomRequest(using: &random)) }
        let reader = try #require(try held.store.reader())
        defer { reader.close() }
        #expect(try reader.head() == held.store.head())
        #expect(try reader.events().map(\.payload) == held.store.events().map(\.payload))
        for info in try held.store.streams(prefix: "person/") {
            #expect(
                try reader.events(in: info.stream).map(\.position) == held.store.events(in: info.stream).map(\.position)
            )
        }
        // Read without their envelopes, the events are the same but for the envelope.
        func read(_ store: any EventStore, envelopes: Bool, _ query: EventQuery) throws -> [String] {
            var query = query
            query.readsEnvelopes = envelopes
            var out: [String] = []
            try store.forEachEvent(query) { view in
                out.append(
                    "\(view.position) \(view.stream) \(view.streamVersion) \(view.type) \(view.schemaVersion) "
                        + "\(view.command.sequence) \(Array(view.payload)) \(Array(view.hash))")
            }
            return out
        }
        for query in [EventQuery(), .stream(stream("person/3")), .from(position: 9)] {
            let full = try read(held.store, envelopes: true, query)
            #expect(!full.isEmpty)
            #expect(try read(held.store, envelopes: false, query) == full)
            #expect(try read(reader, envelopes: false, query) == full)
        }
        let head = try held.store.head()
        #expect(throws: (any Error).self) { try reader.append(randomRequest(using: &random)) }
        #expect(try held.store.head() == head)
        #expect(try reader.head() == head)
    }

    @Test(arguments: Backend.allCases)
    func theEventsAtSomePositionsAreThoseAReadOfEveryEventHasThere(_ backend: Backend) throws {
        guard EventStoreContractTests.available(backend) else { return }
        let held = try EventStoreContractTests.Store(backend)
        var random = SeededGenerator(seed: 5)
        for _ in 0..<30 { try held.store.append(randomRequest(using: &random)) }
        let all = try held.store.events()
        let head = try held.store.head().position
        for envelopes in [false, true] {
            for _ in 0..<10 {
                // Unsorted, repeated, and some before the first or past the head.
                let asked = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                    Int64.random(in: -2...(head + 3), using: &random)
                }
                var read: [RecordedEvent] = []
                try held.store.forEachEvent(at: asked, readsEnvelopes: envelopes) { read.append($0.recorded()) }
                let wanted = Set(asked)
                let expected = all.filter { wanted.contains($0.position) }
                #expect(read.map(\.position) == expected.map(\.position))
                #expect(read.map(\.payload) == expected.map(\.payload))
                #expect(read.map(\.stream) == expected.map(\.stream))
                if envelopes { #expect(read.map(\.commandID) == expected.map(\.commandID)) }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func theEventsOfSomeStreamsAreEachStreamsReadAlone(_ backend: Backend) throws {
        guard EventStoreContractTests.available(backend) else { return }
        let held = try EventStoreContractTests.Store(backend)
        var random = SeededGenerator(seed: 9)
        for _ in 0..<40 { try held.store.append(randomRequest(using: &random, streams: 12)) }
        let head = try held.store.head().position
        let names = (0..<14).map { stream("person/\($0 + 1)") }  // two with no events
        for _ in 0..<12 {
            let asked = (0..<Int.random(in: 0...16, using: &random)).map { _ in names.randomElement(using: &random)! }
            let through = Int64.random(in: 0...head, using: &random)
            var read: [String] = []
            try held.store.forEachEvent(inStreams: asked, through: through) { view in
                read.append("\(view.stream) \(view.streamVersion) \(view.position) \(Array(view.payload))")
            }
            var expected: [String] = []
            var seen = Set<StreamName>()
            for name in asked where seen.insert(name).inserted {
                var query = EventQuery.stream(name)
                query.throughPosition = through
                try held.store.forEachEvent(query) { view in
                    expected.append("\(view.stream) \(view.streamVersion) \(view.position) \(Array(view.payload))")
                }
            }
            #expect(read == expected, "\(asked) through \(through)")
        }
    }

    static let schema = ReadModelSchema(
        name: "probe", logicVersion: 1, table: "rm_probe", keyColumn: "person", partColumn: "year", columns: [],
        keyStreamPrefix: "person/")

    @Test func documentsMeetingAnyConditionAreThoseATestOfEveryDocumentKeeps() throws {
        guard EventStoreContractTests.available(.postgres) else { return }
        let held = try EventStoreContractTests.Store(.postgres)
        let documents = try #require(held.store as? any HeadReadModelStore)
        var random = SeededGenerator(seed: 8)
        let numbers: [Int64] = [.min, -2, 0, 1, 7, 20_000, .max]
        let days = ["0001-01-01", "2024-07-31", "2025-01-31", "2025-12-01", "2026-05-31", "9999-12-31"]
        struct Probe: Equatable {
            var key: String
            var part: Int64
            var amount: Int64?
            var due: String?
        }
        let probes = (0..<200).map { n in
            Probe(
                key: "p\(n % 71)", part: Int64(n / 71),
                amount: Bool.random(using: &random) ? numbers.randomElement(using: &random) : nil,
                due: Bool.random(using: &random) ? days.randomElement(using: &random) : nil)
        }
        func json(_ p: Probe) -> [UInt8] {
            var fields = ["\"key\": \"\(p.key)\"", "\"part\": \(p.part)"]
            if let amount = p.amount { fields.append("\"amount\": \(amount)") }
            if let due = p.due { fields.append("\"due\": \"\(due)\"") }
            return Array("{\(fields.joined(separator: ", "))}".utf8)
        }
        try documents.storeReadModel(
            Self.schema, documents: probes.map { ($0.key, $0.part, json($0)) }, replacing: nil, position: 0)
        let ordered = probes.sorted { ($0.key, $0.part) < ($1.key, $1.part) }
        func meets(_ p: Probe, _ c: DocumentCondition) -> Bool {
            switch c {
            case .above(_, let value): p.amount.map { $0 > value } ?? false
            case .before(_, let day): p.due.map { Array($0.utf8).lexicographicallyPrecedes(Array(day.utf8)) } ?? false
            }
        }
        for _ in 0..<30 {
            let conditions: [DocumentCondition] = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                Bool.random(using: &random)
                    ? .above("amount", numbers.randomElement(using: &random)!)
                    : .before("due", days.randomElement(using: &random)!)
            }
            let read = try documents.readModel(Self.schema, .meetingAny(conditions), field: "key").documents
                .map { String(decoding: $0, as: UTF8.self) }
            let expected = ordered.filter { p in conditions.contains { meets(p, $0) } }.map(\.key)
            #expect(read == expected, "\(conditions)")
        }
        // A field is a name, never SQL.
        #expect(throws: LedgerError.self) {
            _ = try documents.readModel(Self.schema, .meetingAny([.above("amount') OR TRUE --", 0)]), field: nil)
        }
    }

    /// The documents in a range of keys are those whose key lies there byte by byte, whatever the
    /// database's collation; ranges between consecutive bounds read every document exactly once
    /// (as a rebuild in a schema reads a slice of keys at a time).
    @Test func documentsInARangeOfKeysAreThoseBetweenTheBoundsByteByByte() throws {
        guard EventStoreContractTests.available(.postgres) else { return }
        let held = try EventStoreContractTests.Store(.postgres)
        let documents = try #require(held.store as? any HeadReadModelStore)
        var random = SeededGenerator(seed: 9)
        let keys = [
            "!", "~", "0", "09", "1", "10", "100", "9", "A", "a", "Z", "z", "p-1", "P_1", "あ", "ア", "300000011",
        ]
        try documents.storeReadModel(
            Self.schema, documents: keys.map { ($0, 0, Array("{\"key\": \"\($0)\"}".utf8)) }, replacing: nil,
            position: 0)
        func bytes(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
        func read(_ from: String?, _ before: String?) throws -> [String] {
            try documents.readModel(Self.schema, .keyRange(from: from, before: before), field: "key").documents
                .map { String(decoding: $0, as: UTF8.self) }.sorted(by: bytes)
        }
        for _ in 0..<40 {
            let from = Bool.random(using: &random) ? keys.randomElement(using: &random) : nil
            let before = Bool.random(using: &random) ? keys.randomElement(using: &random) : nil
            let expected = keys.filter { key in
                (from.map { !bytes(key, $0) } ?? true) && (before.map { bytes(key, $0) } ?? true)
            }.sorted(by: bytes)
            #expect(try read(from, before) == expected, "[\(from ?? "-"), \(before ?? "-"))")
        }
        let bounds = Array(Set(keys.shuffled(using: &random).prefix(5))).sorted(by: bytes)
        var all: [String] = []
        for (n, bound) in ([nil] + bounds.map(Optional.some)).enumerated() {
            all += try read(bound, n < bounds.count ? bounds[n] : nil)
        }
        #expect(all.sorted(by: bytes) == keys.sorted(by: bytes))
    }

    /// A model replaced whole (``HeadReadModelStore/replaceReadModel(_:position:_:)``) gathers its
    /// rows while its fill runs and takes the read models' lock only to swap them in: another
    /// connection's catch-up of another model, during the fill, is written at once, and a reader
    /// meanwhile sees the old rows; after the commit, the new rows, the position and nothing else.
    @Test func aModelReplacedWholeHoldsTheLockOnlyForTheSwap() throws {
        guard EventStoreContractTests.available(.postgres) else { return }
        let held = try EventStoreContractTests.Store(.postgres)
        let documents = try #require(held.store as? any HeadReadModelStore)
        let url = try #require(held.url)
        let other = ReadModelSchema(
            name: "probe2", logicVersion: 1, table: "rm_probe2", keyColumn: "person", partColumn: "year",
            columns: [], keyStreamPrefix: "person/")
        func json(_ key: String) -> [UInt8] { Array("{\"key\": \"\(key)\"}".utf8) }
        try documents.storeReadModel(Self.schema, documents: [("old", 0, json("old"))], replacing: nil, position: 1)
        let elsewhere = try PostgresLedger.open(url: url)
        defer { elsewhere.close() }
        let (done, failed) = (DispatchSemaphore(value: 0), Mutexed<(any Error)?>(nil))
        try documents.replaceReadModel(Self.schema, position: 2) { write in
            try write([("a", 0, json("a")), ("b", 0, json("b"))])
            // Another process catches another model up, and reads this one: neither waits (a
            // catch-up that waited for the fill would not end before it: 20 s are its limit here).
            let document = (key: "x", part: Int64(0), json: json("x"))
            DispatchQueue.global().async {
                do {
                    try elsewhere.storeReadModel(other, documents: [document], replacing: nil, position: 7)
                } catch {
                    failed.update { $0 = error }
                }
                done.signal()
            }
            let waited = done.wait(timeout: .now() + 20) == .success
            #expect(waited, "another model's catch-up waited for the fill")
            // (Had it waited, its connection would still be busy: the fill ends, the swap frees it.)
            if waited {
                #expect(failed.value == nil)
                #expect(try elsewhere.readModelState(other)?.position == 7)
                let during = try elsewhere.readModel(Self.schema, .all, field: "key")
                #expect(during.state?.position == 1)
                #expect(during.documents.map { String(decoding: $0, as: UTF8.self) } == ["old"])
            }
            try write([("c", 0, json("c"))])
            return .none
        }
        _ = done.wait(timeout: .now() + 60)
        let after = try elsewhere.readModel(Self.schema, .all, field: "key")
        #expect(after.state?.position == 2)
        #expect(after.documents.map { String(decoding: $0, as: UTF8.self) } == ["a", "b", "c"])
        // A fill that fails replaces nothing.
        #expect(throws: LedgerError.self) {
            try documents.replaceReadModel(Self.schema, position: 3) { write in
                try write([("d", 0, json("d"))])
                throw LedgerError(.invalidInput, "a fill that fails")
            }
        }
        #expect(try documents.readModelState(Self.schema)?.position == 2)
        #expect(try documents.readModelCount(Self.schema) == 3)
    }
}
