import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Synchronization
import Testing

/// The application reaches the store only through its ports: handed an event store that is
/// nothing but an ``EventStore`` (no cast to a SQLite ledger can succeed) and keys, credentials
/// and sessions kept in memory, it registers, seals, logs in and answers balances, and the file
/// behind the events holds none of that state.
@Suite struct LedgerPortsTests {
    /// The events of a ledger, and nothing else: it implements the event port alone.
    struct EventsOnly: EventStore {
        let base: Ledger
        var ledgerID: Identifier { base.ledgerID }
        var isReadOnly: Bool { base.isReadOnly }
        var location: String { "events of \(base.location)" }
        var now: Timestamp { base.now }
        func append(_ request: AppendRequest) throws -> AppendResult { try base.append(request) }
        func forEachEvent(_ query: EventQuery, _ body: (borrowing EventView) throws -> Void) throws {
            try base.forEachEvent(query, body)
        }
        func head() throws -> LedgerHead { try base.head() }
        func version(of stream: StreamName) throws -> Int64 { try base.version(of: stream) }
        func streams(prefix: String) throws -> [StreamInfo] { try base.streams(prefix: prefix) }
        func verifyChain() throws -> VerifyReport { try base.verifyChain() }
        func useChainKey(_ key: ChainKey) throws { try base.useChainKey(key) }
        func isKeyed() throws -> Bool { try base.isKeyed() }
        func hash(at position: Int64) throws -> [UInt8]? { try base.hash(at: position) }
        func forEachStoredRow(from position: Int64, _ body: (StoredRow) throws -> Void) throws {
            try base.forEachStoredRow(from: position, body)
        }
        func importRows(_ rows: [StoredRow]) throws { try base.importRows(rows) }
        func randomBytes(_ count: Int) -> [UInt8] { base.randomBytes(count) }
        func replayOrigin() throws -> (through: Int64, source: String?)? { try base.replayOrigin() }
        func position(recordedBy time: Timestamp) throws -> Int64 { try base.position(recordedBy: time) }
    }

    /// Keys, lookups, credentials and sessions in memory.
    final class MemoryState: KeyStore, CredentialStore, SessionStore {
        struct Tables {
            var keys: [String: [UInt8]] = [:]
            var lookups: [String: SubjectLookup] = [:]
            var credentials: [String: String] = [:]
            var sessions: [String: Timestamp] = [:]
        }
        let tables = Mutex(Tables())
        let clock: HandClock

        init(clock: HandClock) { self.clock = clock }

        func subjectKey(_ subject: String, makeKey: (() throws -> [UInt8])?) throws -> [UInt8]? {
            if let key = tables.withLock({ $0.keys[subject] }) { return key }
            guard let makeKey else { return nil }
            let fresh = try makeKey()
            return tables.withLock { t in
                if t.keys[subject] == nil { t.keys[subject] = fresh }
                return t.keys[subject]
            }
        }

        func eraseSubjectKey(_ subject: String) throws -> Bool {
            tables.withLock { t in
                t.lookups = t.lookups.filter { $0.value.subject != subject }
                return t.keys.removeValue(forKey: subject) != nil
            }
        }

        func replaceSubjectKeys(_ blobs: [String: [UInt8]]) throws {
            tables.withLock { t in
                for (subject, blob) in blobs where t.keys[subject] != nil { t.keys[subject] = blob }
            }
        }

        func allSubjectKeys() throws -> [String: [UInt8]] { tables.withLock { $0.keys } }

        func subjectKeys(_ subjects: [String]) throws -> [String: [UInt8]] {
            tables.withLock { t in t.keys.filter { subjects.contains($0.key) } }
        }

        func recordLookup(kind: String, digest: [UInt8], subject: String) throws {
            tables.withLock {
                $0.lookups[kind + Data(digest).base64EncodedString()] = SubjectLookup(
                    kind: kind, digest: digest, subject: subject)
            }
        }

        func lookup(kind: String, digest: [UInt8]) throws -> String? {
            tables.withLock { $0.lookups[kind + Data(digest).base64EncodedString()]?.subject }
        }

        func allLookups() throws -> [SubjectLookup] {
            tables.withLock { $0.lookups.sorted { $0.key < $1.key }.map(\.value) }
        }
        func mirrorSubjectKeys(_ keys: [String: [UInt8]], lookups: [SubjectLookup]) throws {
            tables.withLock { t in
                t.keys = keys
                t.lookups = Dictionary(
                    lookups.map { ($0.kind + Data($0.digest).base64EncodedString(), $0) },
                    uniquingKeysWith: { _, last in last })
            }
        }
        func allCredentials() throws -> [String: String] { tables.withLock { $0.credentials } }

        func credential(_ principal: String) throws -> String? { tables.withLock { $0.credentials[principal] } }
        func setCredential(_ principal: String, _ secret: String) throws {
            tables.withLock { $0.credentials[principal] = secret }
        }
        func sessionLastSeen(_ session: String) throws -> Timestamp? { tables.withLock { $0.sessions[session] } }
        func touchSession(_ session: String) throws {
            let now = clock.now()
            tables.withLock { $0.sessions[session] = now }
        }
    }

    static func ports(_ file: Ledger, _ memory: MemoryState) -> LedgerPorts {
        LedgerPorts(events: EventsOnly(base: file), keys: memory, credentials: memory, sessions: memory)
    }

    @Test func accessAndSealedIdentitiesUseTheirPortsAndLeaveTheFileWithoutThem() throws {
        let clock = HandClock()
        let file = try Ledger.inMemory(clock: clock)
        let memory = MemoryState(clock: clock)
        let ledger = KokiLedger(
            Self.ports(file, memory), masterKey: try MasterKey(bytes: Array(repeating: 7, count: 32)))
        let control = AccessControl(ledger)
        var settings = SecuritySettings()
        settings.passwordCost = 14
        try control.setUp(administrator: "admin", name: "Admin", password: "admin-password-1", settings: settings)
        let login = try control.login("admin", password: "admin-password-1", terminal: "t1")
        _ = try control.authorize(login, function: .securityAdmin, command: "test", terminal: "t1")

        let register = InsuredRegisterCommands(ledger)
        let person = try PersonID("1001")
        let identity = try PersonIdentity(
            nameKanji: "松戸 花子", nameKana: "マツド ハナコ", birthDate: try CivilDate(iso: "1941-01-31"), sex: .female,
            address: "千葉県松戸市根本387-5", phone: nil)
        try register.register(person, identity: identity, metadata: CommandMetadata(actor: "admin"))
        let number = try MyNumber("123456789018")
        try register.recordMyNumber(number, for: person, metadata: CommandMetadata(actor: "admin"))
        #expect(try register.myNumber(of: person) == number)
        #expect(try IdentityVault(ledger).person(byMyNumber: number) == person)

        let kept = memory.tables.withLock { $0 }
        #expect(kept.keys["person/1001"] != nil && kept.lookups.values.contains { $0.subject == "person/1001" })
        #expect(kept.credentials["operator/admin"]?.hasPrefix("$scrypt$") == true)
        #expect(kept.sessions[login.session] != nil)
        // The file behind the events holds events only.
        #expect(try file.allSubjectKeys().isEmpty)
        #expect(try file.credential("operator/admin") == nil)
        #expect(try file.sessionLastSeen(login.session) == nil)
        #expect(try ledger.store.verify().isIntact)
    }

    @Test func withoutAReadModelPortTheBalancesAreFoldedAndEqualTheStoredTable() throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 30, years: 1, seed: 11, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run { _ in }
        let stored = try StoredBalances(simulation.ledger).rows()
        let head = try simulation.ledger.store.head().position
        #expect(stored.source == .table(position: head))

        let file = try Ledger.open(at: folder.path("city.ledger"), mode: .readOnly)
        let eventsOnly = KokiLedger(Self.ports(file, MemoryState(clock: HandClock())))
        let folded = try StoredBalances(eventsOnly).rows()
        #expect(folded.source == .fold)
        #expect(folded.rows == stored.rows && !folded.rows.isEmpty)
        #expect(try StoredBalances(eventsOnly).status().rows == 0)
    }
}
