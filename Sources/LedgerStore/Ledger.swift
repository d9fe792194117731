import Foundation
import GRDB
import Synchronization

/// koki's append-only event store on one SQLite file: atomic appends with optimistic
/// concurrency and idempotent command ids, a SHA-256 hash chain, LZ4 payloads, and reads by
/// stream, by position and "as the ledger stood at position P".
///
/// The store knows envelopes, streams, positions and bytes, never premiums: it could hold
/// another domain's events unchanged.
///
/// ```swift
/// let ledger = try Ledger.create(at: "koki.ledger")
/// let result = try ledger.append(AppendRequest(
///     commandID: .random(), actor: "op-001", stream: try StreamName("person/1001"),
///     expectedVersion: .noStream, events: [NewEvent(type: "X", schemaVersion: 1, payload: bytes)]))
/// try ledger.forEachEvent(EventQuery()) { event in print(event.position, event.type) }
/// ```
///
/// `Ledger` is `Sendable`: GRDB's `DatabaseQueue` serializes all access to the connection, and
/// the name caches sit behind a `Mutex`. Several processes may open the same file; appends take
/// SQLite's write lock (`BEGIN IMMEDIATE`, waiting up to the busy timeout), so positions stay
/// dense and no two commands ever interleave.
public final class Ledger: Sendable {
    /// Durability and locking settings.
    public struct Options: Sendable {
        public enum Synchronous: String, Sendable {
            /// fsync on every commit: a committed command survives power loss (the default).
            case full = "FULL"
            /// WAL's NORMAL: survives a crash of the process, may lose the last commits on power loss.
            case normal = "NORMAL"
            /// No fsync at all: for a throw-away ledger (a simulation) whose loss costs nothing.
            case off = "OFF"
        }

        public var synchronous: Synchronous
        /// How long an append waits for another process's write lock before failing with `busy`.
        public var busyTimeout: TimeInterval
        /// Where the ledger's id, subject keys and seal nonces come from.
        public var entropy: any EntropySource
        /// The file is this process's alone while open (SQLite's exclusive locking mode): no
        /// other process may read or write it meanwhile, and no transaction takes or releases a
        /// file lock. For a ledger one process makes and fills (a simulation).
        public var exclusive: Bool

        public init(
            synchronous: Synchronous = .full, busyTimeout: TimeInterval = 30,
            entropy: any EntropySource = SystemEntropy(), exclusive: Bool = false
        ) {
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.entropy = entropy
            self.exclusive = exclusive
        }
    }

    public enum AccessMode: Sendable {
        case readWrite, readOnly
    }

    /// The file's path (`nil` in memory).
    public let path: String?
    public let isReadOnly: Bool
    /// The ledger's own random id, fixed at creation; the genesis of the hash chain.
    public let ledgerID: Identifier
    let genesisHash: [UInt8]
    /// The connection. Used through ``queue``, which first waits for what a group writing
    /// behind has yet to write; only that writer, and the subjects' keys (a table it never
    /// writes), use it directly.
    let database: DatabaseQueue
    /// The commit group's writer, while a group writes behind (``groupingCommits(every:writingBehind:_:)``).
    let behind = Mutex<WriteBehind?>(nil)
    let clock: any LedgerClock
    let entropy: any EntropySource
    /// Opened in SQLite's exclusive locking mode (``Options/exclusive``): no other connection
    /// may read it meanwhile.
    let exclusive: Bool
    /// Whether this process holds the file alone (``Options/exclusive``).
    public var isExclusive: Bool { exclusive }
    let names = Mutex(NameCache())
    /// The commit group open on this connection, if any (``groupingCommits(every:_:)``).
    let group = Mutex<CommitGroup?>(nil)
    /// The key commands are sealed under (``useChainKey(_:)``), once given.
    let chainKey = Mutex<ChainKey?>(nil)
    /// The first command that stores its hash only under ``storesHash(seq:eventCount:)``'s rule.
    let sparseHashesFrom: Int64

    private init(
        queue: DatabaseQueue, path: String?, readOnly: Bool, clock: any LedgerClock,
        entropy: any EntropySource = SystemEntropy(), exclusive: Bool = false
    ) throws {
        self.database = queue
        self.exclusive = exclusive
        self.entropy = entropy
        self.path = path
        self.isReadOnly = readOnly
        self.clock = clock
        let (idBytes, sparseFrom) = try queue.read { db in
            (
                try Data.fetchOne(db, sql: "SELECT value FROM koki_meta WHERE key = 'ledger_id'"),
                try Self.sparseHashesFrom(db)
            )
        }
        sparseHashesFrom = sparseFrom
        guard let idBytes, idBytes.count == 16 else {
            throw LedgerError(.notALedger, "\(path ?? ":memory:") has no ledger id: not a complete koki ledger")
        }
        ledgerID = idBytes.withUnsafeBytes { Identifier(bytes: $0) }
        genesisHash = RowHasher.genesis(ledgerID: Array(idBytes))
    }

    /// Random bytes from the ledger's entropy source (seal nonces).
    public func randomBytes(_ count: Int) -> [UInt8] { entropy.bytes(count) }

    // MARK: - Creating and opening

    /// Creates a new, empty ledger file. Fails with `alreadyExists` if anything is at `path`.
    /// With `ledgerID`, the new file continues that ledger (a copy from another store, see
    /// ``EventStore/copy(from:batch:progress:)``); otherwise it gets a new random id.
    public static func create(
        at path: String, clock: any LedgerClock = SystemClock(), options: Options = Options(),
        ledgerID: Identifier? = nil
    ) throws -> Ledger {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(.alreadyExists, "\(path) already exists; koki will not overwrite it")
        }
        do {
            let queue = try makeQueue(path: path, readOnly: false, options: options)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA application_id = \(Schema.applicationID)")
            }
            try initialize(queue, clock: clock, entropy: options.entropy, ledgerID: ledgerID)
            return try Ledger(
                queue: queue, path: path, readOnly: false, clock: clock, entropy: options.entropy,
                exclusive: options.exclusive)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw LedgerError.wrap(error, path: path)
        }
    }

    /// Opens an existing ledger. A file that is not a koki ledger, one written by a newer
    /// schema, or a damaged one is refused with a clear error and left unchanged. Opening
    /// read-write applies this build's pending schema migrations.
    public static func open(
        at path: String, mode: AccessMode = .readWrite, clock: any LedgerClock = SystemClock(),
        options: Options = Options()
    ) throws -> Ledger {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(.notFound, "no ledger at \(path) (create one with `koki init`)")
        }
        do {
            let queue = try makeQueue(path: path, readOnly: mode == .readOnly, options: options)
            let migrator = Schema.migrator
            let pending = try queue.read { db -> Bool in
                let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                guard appID == Schema.applicationID else {
                    throw LedgerError(.notALedger, "\(path) is a SQLite database but not a koki ledger")
                }
                if try migrator.hasBeenSuperseded(db) {
                    let known = try migrator.completedMigrations(db).joined(separator: ", ")
                    throw LedgerError(
                        .newerSchema,
                        "\(path) was written by a newer koki (schema versions \(known)); this build knows up to \(migrator.migrations.last ?? "none"). Nothing was changed."
                    )
                }
                if mode == .readWrite,
                    let through = try Data.fetchOne(
                        db, sql: "SELECT value FROM koki_meta WHERE key = 'replayed_through'")
                {
                    throw LedgerError(
                        .readOnly,
                        "\(path) is a replay of a ledger through position \(String(decoding: through, as: UTF8.self)): open it read-only; record new events in the ledger itself"
                    )
                }
                return try !migrator.hasCompletedMigrations(db)
            }
            if pending {
                guard mode == .readWrite else {
                    throw LedgerError(.readOnly, "\(path) needs a schema upgrade; open it read-write once")
                }
                try migrator.migrate(queue)
            }
            if mode == .readWrite {
                let journal = try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
                if journal?.lowercased() != "wal" {
                    try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
                }
            }
            return try Ledger(
                queue: queue, path: path, readOnly: mode == .readOnly, clock: clock, entropy: options.entropy,
                exclusive: options.exclusive)
        } catch {
            throw LedgerError.wrap(error, path: path)
        }
    }

    /// Another connection to the file, read-only, for reading on a thread beside this one
    /// (SQLite serializes one connection's reads): `nil` in memory or for a file held
    /// exclusively. It reads what is committed when each of its reads begins.
    public func reader() throws -> (any EventStore)? {
        guard let path, !exclusive else { return nil }
        return try Ledger.open(at: path, mode: .readOnly, clock: clock)
    }

    /// A ledger in memory, for tests and what-if runs that must leave no file behind.
    public static func inMemory(clock: any LedgerClock = SystemClock()) throws -> Ledger {
        do {
            var config = Configuration()
            config.foreignKeysEnabled = false
            let queue = try DatabaseQueue(configuration: config)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA application_id = \(Schema.applicationID)")
            }
            try initialize(queue, clock: clock, entropy: SystemEntropy())
            return try Ledger(queue: queue, path: nil, readOnly: false, clock: clock)
        } catch {
            throw LedgerError.wrap(error, path: ":memory:")
        }
    }

    /// How much of the file SQLite may map (it maps no more than the file's size). The library
    /// caps it at its build's `SQLITE_MAX_MMAP_SIZE`: Debian's is 2 GB (0x7fff0000), so the pages
    /// of a larger ledger past its first 2 GB are read with a system call each.
    static let mmapSize: Int64 = 64 << 30

    /// The most SQLite's page cache may hold of a connection, in KiB (taken only as pages are
    /// touched).
    static let cacheKiB = 65_536

    private static func makeQueue(path: String, readOnly: Bool, options: Options) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(options.busyTimeout)
        config.foreignKeysEnabled = false
        config.label = "koki.ledger"
        // A commit group keeps its transaction open between accesses; only an exclusive file has one.
        config.allowsUnsafeTransactions = options.exclusive
        let synchronous = options.synchronous.rawValue
        let exclusive = options.exclusive
        config.prepareDatabase { db in
            if exclusive { try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE") }
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // Reads through a memory map instead of a system call per page: a read that hops
            // between streams (a person at a time) touches pages all over a long ledger.
            try db.execute(sql: "PRAGMA mmap_size = \(Ledger.mmapSize)")
            // A command that appends thousands of events (a bank file, a city-wide run) dirties
            // more pages than SQLite's default 2 MB cache holds: it then spilled pages to the
            // log mid-transaction and wrote them again at the commit.
            try db.execute(sql: "PRAGMA cache_size = -\(Ledger.cacheKiB)")
        }
        return try DatabaseQueue(path: path, configuration: config)
    }

    private static func initialize(
        _ queue: DatabaseQueue, clock: any LedgerClock, entropy: any EntropySource, ledgerID: Identifier? = nil
    ) throws {
        try Schema.migrator.migrate(queue)
        let id = ledgerID ?? entropy.bytes(16).withUnsafeBytes { Identifier(bytes: $0) }
        let created = Data(String(clock.now().microseconds).utf8)
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO koki_meta(key, value) VALUES ('ledger_id', ?), ('created_at', ?)",
                arguments: [Data(id.bytes), created])
        }
    }
}

/// Names already resolved to ids, and back. Ids never change once assigned (the tables are
/// append-only), so a cached entry is valid for the life of the file.
struct NameCache: Sendable {
    var streamIDs: [String: Int64] = [:]
    var streamNames: [Int64: StreamName] = [:]
    var typeIDs: [String: Int64] = [:]
    var typeNames: [Int64: String] = [:]
    /// Commands' actors and correlations (``Ledger/NameKind/actor``, ``Ledger/NameKind/correlation``,
    /// the correlation by its hex), by name only: appends look them up, reads join them.
    var actorIDs: [String: Int64] = [:]
    var correlationIDs: [String: Int64] = [:]
}

extension LedgerError {
    /// Turns a GRDB or SQLite error into a ledger error that names the file.
    static func wrap(_ error: any Error, path: String) -> LedgerError {
        if let error = error as? LedgerError { return error }
        guard let db = error as? DatabaseError else {
            // The caller's own error, thrown inside a transaction: kept, so it can still be told apart.
            return LedgerError(.storage, "\(path): \(error)", underlying: error as? any Error & Sendable)
        }
        let detail = db.message ?? "\(db.resultCode)"
        switch db.resultCode {
        case .SQLITE_NOTADB:
            return LedgerError(.notALedger, "\(path) is not a koki ledger (not a SQLite database)", underlying: db)
        case .SQLITE_CORRUPT:
            return LedgerError(.damaged, "\(path) is damaged: \(detail)", underlying: db)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return LedgerError(.busy, "\(path) is locked by another process: \(detail)", underlying: db)
        case .SQLITE_READONLY:
            return LedgerError(.readOnly, "\(path) is read-only: \(detail)", underlying: db)
        case .SQLITE_CANTOPEN:
            return LedgerError(.notFound, "\(path) cannot be opened: \(detail)", underlying: db)
        default:
            return LedgerError(.storage, "\(path): \(detail)", underlying: db)
        }
    }
}
