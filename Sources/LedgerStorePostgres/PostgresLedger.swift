import Foundation
import LedgerStore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// koki's event store on PostgreSQL: the same envelopes, dense positions, optimistic
/// concurrency, idempotent command ids, append-only rows and hash chain as the SQLite
/// ``Ledger``, for a server shared by many offices.
///
/// Positions stay dense and in commit order under concurrent writers: every append takes one
/// transaction-scoped advisory lock before it reads the head, so appends are serialized and a
/// command's positions become visible only when it commits, after every lower position did —
/// no reader can skip a gap that later fills (the failure of sequence-numbered event tables).
/// Triggers refuse UPDATE, DELETE and TRUNCATE on the ledger's tables.
///
/// ```swift
/// let ledger = try PostgresLedger.create(url: "postgres://koki:secret@127.0.0.1/koki?schema=matsudo")
/// try ledger.append(request)
/// ```
public final class PostgresLedger: EventStore, KeyStore, CredentialStore, SessionStore, LedgerStorage,
    @unchecked Sendable
{
    // @unchecked: the connection is used by one caller at a time, under `lock`.
    public let ledgerID: Identifier
    public let isReadOnly = false
    /// Where it is, without the password (for messages).
    public let label: String
    let genesis: [UInt8]
    private let connection: PostgresConnection
    /// Where it is, password included (to open a ``reader()`` or a writer beside it).
    let address: Address
    private let lock = NSLock()
    let clock: any LedgerClock
    /// The key commands are sealed under (``useChainKey(_:)``), once given; read under `lock`.
    private var chainKey: ChainKey?

    /// The lock every append to this ledger holds until it commits: derived from the ledger's id,
    /// so ledgers in other schemas of the same database (other cities) never wait for it.
    public var appendLockKey: Int64 { ledgerID.bytes.prefix(8).reduce(0) { $0 << 8 | Int64($1) } }

    /// The parts of a `postgres://user:password@host:port/database?schema=name` address.
    public struct Address: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        /// The PostgreSQL schema that holds this ledger's tables (one ledger per schema).
        public var schema: String

        public init(_ url: String) throws {
            guard let c = URLComponents(string: url), ["postgres", "postgresql"].contains(c.scheme ?? ""),
                let host = c.host, !host.isEmpty
            else {
                throw LedgerError(
                    .invalidInput, "'\(Self.redacted(url))' is not a postgres://user@host/database address")
            }
            self.host = host
            port = c.port ?? 5432
            user = c.user ?? "postgres"
            password = c.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
            database = String(c.path.drop(while: { $0 == "/" }))
            if database.isEmpty { database = user }
            schema = c.queryItems?.first { $0.name == "schema" }?.value ?? "koki"
            guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                throw LedgerError(.invalidInput, "schema '\(schema)' must be lower-case letters, digits and _")
            }
        }

        public var description: String { "postgres://\(user)@\(host):\(port)/\(database)?schema=\(schema)" }

        static func redacted(_ url: String) -> String {
            url.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression)
        }
    }

    private init(
        connection: PostgresConnection, address: Address, ledgerID: Identifier, label: String, clock: any LedgerClock
    ) {
        self.connection = connection
        self.address = address
        self.ledgerID = ledgerID
        self.label = label
        self.clock = clock
        genesis = ChainCheck(ledgerID: ledgerID).head.hash
    }

    private static let log = Logger(label: "koki.ledger.postgres")

    private static func connect(_ address: Address) throws -> PostgresConnection {
        // One event loop group for every connection of the process (a server opens one per request).
        let group = MultiThreadedEventLoopGroup.singleton
        do {
            let configuration = PostgresConnection.Configuration(
                host: address.host, port: address.port, username: address.user, password: address.password,
                database: address.database, tls: .disable)
            let connection = try PostgresConnection.connect(
                on: group.next(), configuration: configuration, id: 1, logger: log
            ).wait()
            return connection
        } catch {
            let reason = (error as? PSQLError)?.serverInfo?[.message] ?? String(describing: error)
            throw LedgerError(.notFound, "cannot connect to \(address.description): \(reason)")
        }
    }

    @discardableResult
    private static func run(_ connection: PostgresConnection, _ query: PostgresQuery) throws -> PostgresQueryResult {
        try connection.query(query, logger: log).wait()
    }

    /// Connects, and opens or (with `create`) creates the ledger in the address's schema.
    static func connecting(_ address: Address, clock: any LedgerClock, create: Identifier??) throws
        -> PostgresLedger
    {
        let connection = try connect(address)
        let label = address.description
        func run(_ query: PostgresQuery) throws -> PostgresQueryResult { try Self.run(connection, query) }
        do {
            let schema = address.schema
            let id: Identifier
            if case .some(let requested) = create {
                try run("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)")
                try run("SET search_path TO \(unescaped: schema)")
                try createTables(connection)
                if try run("SELECT value FROM koki_meta WHERE key = 'ledger_id'").rows.first != nil {
                    throw LedgerError(.alreadyExists, "\(label) holds a ledger already; koki will not overwrite it")
                }
                id = requested ?? Identifier.random()
                let created = Data(String(clock.now().microseconds).utf8)
                try run(
                    "INSERT INTO koki_meta(key, value) VALUES ('ledger_id', \(Data(id.bytes))), ('created_at', \(created))"
                )
            } else {
                try run("SET search_path TO \(unescaped: schema)")
                let exists =
                    try run("SELECT to_regclass('koki_meta') IS NOT NULL").rows.first?.decode(Bool.self) ?? false
                guard exists else {
                    throw LedgerError(.notFound, "no ledger at \(label) (create one with `koki migrate`)")
                }
                guard let row = try run("SELECT value FROM koki_meta WHERE key = 'ledger_id'").rows.first else {
                    throw LedgerError(.notALedger, "\(label) has no ledger id: not a complete koki ledger")
                }
                let bytes = try row.decode(Data.self)
                guard bytes.count == 16 else { throw LedgerError(.notALedger, "\(label) has a damaged ledger id") }
                id = bytes.withUnsafeBytes { Identifier(bytes: $0) }
                // A schema written by a newer koki may hold rows this build cannot read: refused untouched.
                let formats = try run("SELECT key FROM koki_meta WHERE substr(key, 1, 7) = 'format_'").rows
                    .compactMap { Int(try $0.decode(String.self).dropFirst(7)) }
                if let newest = formats.max(), newest > Self.format {
                    throw LedgerError(
                        .newerSchema,
                        "\(label) was written by a newer koki (format \(newest)); this build knows up to format \(Self.format). Nothing was changed."
                    )
                }
                // A ledger made by an older koki gets what it lacks now: the (empty) seal table, whose
                // seals are computed when it is first opened with its key, the dictionary's copy and
                // the mark of this build's format.
                try createMissingParts(connection)
            }
            return PostgresLedger(connection: connection, address: address, ledgerID: id, label: label, clock: clock)
        } catch {
            try? connection.close().wait()
            throw wrap(error, label)
        }
    }

    /// Opens the ledger at `url` (its schema's tables must exist).
    public static func open(url: String, clock: any LedgerClock = SystemClock()) throws -> PostgresLedger {
        try connecting(try Address(url), clock: clock, create: .none)
    }

    /// Creates the ledger's tables in the address's schema; with `ledgerID`, a ledger that
    /// continues one copied from elsewhere. Refused if the schema holds a ledger already.
    public static func create(url: String, ledgerID: Identifier? = nil, clock: any LedgerClock = SystemClock()) throws
        -> PostgresLedger
    {
        try connecting(try Address(url), clock: clock, create: .some(ledgerID))
    }

    /// Drops a schema and everything in it (for tests, and to start a copy again).
    public static func dropSchema(url: String) throws {
        let address = try Address(url)
        let connection = try connect(address)
        defer { try? connection.close().wait() }
        do {
            try run(connection, "DROP SCHEMA IF EXISTS \(unescaped: address.schema) CASCADE")
        } catch {
            throw wrap(error, address.description)
        }
    }

    deinit { close() }

    private let closed = NSLock()
    private var isClosed = false

    /// Whether the connection to the database still stands.
    public var isOpen: Bool { !connection.isClosed }

    /// Another connection to the same schema, for reading on a thread beside this one (one
    /// connection answers one query at a time). The caller closes it.
    public func reader() throws -> (any EventStore)? {
        let reader = try Self.connecting(address, clock: clock, create: .none)
        do {
            // Its transactions cannot write, whatever is asked of it.
            try reader.locked { try reader.run("SET default_transaction_read_only = on") }
        } catch {
            reader.close()
            throw error
        }
        return reader
    }

    /// Closes the connection (also on deinit).
    public func close() {
        closed.lock()
        defer { closed.unlock() }
        guard !isClosed else { return }
        isClosed = true
        try? connection.close().wait()
    }

    // MARK: - Queries

    @discardableResult
    func run(_ query: PostgresQuery) throws -> PostgresQueryResult { try Self.run(connection, query) }

    func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try body()
        } catch {
            throw Self.wrap(error, label)
        }
    }

    func transaction<T>(begin: PostgresQuery = "BEGIN", _ body: () throws -> T) throws -> T {
        try run(begin)
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    static func wrap(_ error: any Error, _ label: String) -> any Error {
        if error is LedgerError { return error }
        if let psql = error as? PSQLError {
            let message = psql.serverInfo?[.message] ?? String(reflecting: psql)
            return LedgerError(.storage, "\(label): \(message)")
        }
        return error
    }

    static func createTables(_ connection: PostgresConnection) throws {
        func execute(_ query: PostgresQuery) throws { _ = try run(connection, query) }
        try execute(
            """
            CREATE TABLE IF NOT EXISTS koki_meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL)
            """)
        try execute(
            """
            CREATE TABLE IF NOT EXISTS koki_commands (
                seq BIGINT PRIMARY KEY, command_id BYTEA NOT NULL UNIQUE, actor TEXT NOT NULL,
                recorded_at BIGINT NOT NULL, correlation_id BYTEA, causation_id BYTEA,
                first_position BIGINT NOT NULL, event_count BIGINT NOT NULL)
            """)
        try execute(
            """
            CREATE TABLE IF NOT EXISTS koki_events (
                position BIGINT PRIMARY KEY, stream TEXT NOT NULL, stream_version BIGINT NOT NULL,
                type TEXT NOT NULL, schema_version BIGINT NOT NULL,
                command_seq BIGINT NOT NULL REFERENCES koki_commands(seq),
                encoding SMALLINT NOT NULL, payload BYTEA NOT NULL, hash BYTEA NOT NULL,
                UNIQUE (stream, stream_version))
            """)
        try execute("CREATE INDEX IF NOT EXISTS koki_events_by_type ON koki_events(type, position)")
        // State beside the events, outside the chain: keys (deleted at erasure), lookups, sessions.
        try execute(
            """
            CREATE TABLE IF NOT EXISTS koki_subject_keys (
                subject TEXT PRIMARY KEY, key BYTEA NOT NULL, created_at BIGINT NOT NULL)
            """)
        try execute(
            """
            CREATE TABLE IF NOT EXISTS koki_lookups (
                kind TEXT NOT NULL, digest BYTEA NOT NULL, subject TEXT NOT NULL, PRIMARY KEY (kind, digest))
            """)
        try execute("CREATE INDEX IF NOT EXISTS koki_lookups_subject ON koki_lookups(subject)")
        try execute(
            "CREATE TABLE IF NOT EXISTS koki_session_activity (session TEXT PRIMARY KEY, last_seen BIGINT NOT NULL)")
        try execute("CREATE INDEX IF NOT EXISTS koki_events_by_command ON koki_events(command_seq)")
        try execute(
            """
            CREATE OR REPLACE FUNCTION koki_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'koki ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END $$
            """)
        try createMissingParts(connection)
        for table in ["koki_meta", "koki_commands", "koki_events"] {
            try execute("DROP TRIGGER IF EXISTS \(unescaped: table)_append_only ON \(unescaped: table)")
            try execute(
                """
                CREATE TRIGGER \(unescaped: table)_append_only BEFORE UPDATE OR DELETE ON \(unescaped: table)
                FOR EACH ROW EXECUTE FUNCTION koki_refuse()
                """)
            try execute("DROP TRIGGER IF EXISTS \(unescaped: table)_no_truncate ON \(unescaped: table)")
            try execute(
                """
                CREATE TRIGGER \(unescaped: table)_no_truncate BEFORE TRUNCATE ON \(unescaped: table)
                FOR EACH STATEMENT EXECUTE FUNCTION koki_refuse()
                """)
        }
    }

    /// The format this build writes, marked in `koki_meta` as `format_3` (a newer koki adds its own
    /// mark, which this build then refuses): 2 is payloads against the dictionary and a command's
    /// hash on its last event only; 3 adds payloads read with their stream (a person's events name
    /// the person in one byte) and the events' newer versions since. Schemas written before 2 carry
    /// no mark; opening one marks it with this build's format.
    static let format = 3

    /// The keyed seals (see ``ChainKey``), append-only like the events; the credentials table
    /// (state beside the keys); the mark of this build's format and the payload dictionary's copy
    /// in `koki_meta`. Each is made when missing, so an older ledger upgrades on opening.
    static func createMissingParts(_ connection: PostgresConnection) throws {
        let mark = "format_\(format)"
        if try run(connection, "SELECT 1 FROM koki_meta WHERE key = \(mark)").rows.first == nil {
            let note = Data(
                "payloads against payload_dictionary_2, read with their stream; a command's hash on its last event".utf8
            )
            _ = try run(
                connection, "INSERT INTO koki_meta(key, value) VALUES (\(mark), \(note)) ON CONFLICT (key) DO NOTHING")
        }
        // A copy of the payload dictionary, for any reader of the schema (see `PayloadEncoding`);
        // looked for first, so opening a ledger that has it writes nothing.
        let key = PayloadEncoding.lz4DictionaryFirst.metaKey
        if let dictionary = PayloadDictionary.first,
            try run(connection, "SELECT 1 FROM koki_meta WHERE key = \(key)").rows.first == nil
        {
            _ = try run(
                connection,
                """
                INSERT INTO koki_meta(key, value) VALUES (\(key), \(Data(dictionary.bytes)))
                ON CONFLICT (key) DO NOTHING
                """)
        }
        _ = try run(
            connection,
            """
            CREATE TABLE IF NOT EXISTS koki_credentials (
                principal TEXT PRIMARY KEY, secret TEXT NOT NULL, set_at BIGINT NOT NULL)
            """)
        let exists =
            try run(connection, "SELECT to_regclass('koki_command_seals') IS NOT NULL").rows.first?.decode(Bool.self)
            ?? false
        guard !exists else { return }
        _ = try run(connection, "CREATE TABLE koki_command_seals (seq BIGINT PRIMARY KEY, seal BYTEA NOT NULL)")
        _ = try run(
            connection,
            """
            CREATE OR REPLACE FUNCTION koki_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'koki ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END $$
            """)
        _ = try run(
            connection,
            """
            CREATE TRIGGER koki_command_seals_append_only BEFORE UPDATE OR DELETE ON koki_command_seals
            FOR EACH ROW EXECUTE FUNCTION koki_refuse()
            """)
        _ = try run(
            connection,
            """
            CREATE TRIGGER koki_command_seals_no_truncate BEFORE TRUNCATE ON koki_command_seals
            FOR EACH STATEMENT EXECUTE FUNCTION koki_refuse()
            """)
    }

    // MARK: - The keyed chain

    private func isKeyedLocked() throws -> Bool {
        try run("SELECT EXISTS (SELECT 1 FROM koki_meta WHERE key = 'keyed_chain')").rows.first?.decode(Bool.self)
            ?? false
    }

    public func isKeyed() throws -> Bool { try locked { try isKeyedLocked() } }

    public func useChainKey(_ key: ChainKey) throws {
        try locked { chainKey = key }
        guard try !isKeyed() else { return }
        // Sealing an old ledger's commands once: only a chain that walks intact.
        let walked = try verifyChain()
        guard walked.isIntact else { return }
        try locked {
            try transaction {
                try run("SELECT pg_advisory_xact_lock(\(appendLockKey))")
                guard try !isKeyedLocked() else { return }
                let head =
                    try run("SELECT COALESCE(MAX(position), 0) FROM koki_events").rows.first?.decode(Int64.self) ?? 0
                guard head == walked.head.position else { return }
                var previous = [UInt8](repeating: 0, count: 32)
                var last: Int64 = 0
                var after: Int64 = 0
                while true {
                    let page = try run(
                        """
                        SELECT c.seq, c.first_position, c.event_count, e.hash FROM koki_commands c
                        JOIN koki_events e ON e.position = c.first_position + c.event_count - 1
                        WHERE c.seq > \(after) ORDER BY c.seq LIMIT 5000
                        """
                    ).rows.map { try $0.decode((Int64, Int64, Int64, Data).self) }
                    var seals: [(Int64, [UInt8])] = []
                    for (seq, first, count, hash) in page {
                        previous = key.seal(
                            previous: previous, seq: seq, firstPosition: first, eventCount: count, lastHash: Array(hash)
                        )
                        seals.append((seq, previous))
                        last = seq
                    }
                    try insertSeals(seals)
                    guard page.count == 5000 else { break }
                    after = last
                }
                let note = Data("sealed through command \(last) at \(clock.now())".utf8)
                try run("INSERT INTO koki_meta(key, value) VALUES ('keyed_chain', \(note))")
            }
        }
    }

    private func insertSeals(_ seals: [(Int64, [UInt8])]) throws {
        guard !seals.isEmpty else { return }
        var binds = PostgresBindings(capacity: seals.count * 2)
        var values: [String] = []
        for (i, (seq, seal)) in seals.enumerated() {
            values.append("($\(i * 2 + 1),$\(i * 2 + 2))")
            binds.append(seq)
            try binds.append(Data(seal))
        }
        try run(
            PostgresQuery(
                unsafeSQL: "INSERT INTO koki_command_seals(seq, seal) VALUES \(values.joined(separator: ","))",
                binds: binds))
    }

    /// The seal the next command follows, and the key to seal it under; refuses when the
    /// ledger is keyed and no key was given. Called under the append lock.
    private func sealing(after seq: Int64) throws -> (key: ChainKey, previous: [UInt8])? {
        guard let key = chainKey else {
            if try isKeyedLocked() {
                throw LedgerError(
                    .keyRequired,
                    "\(label) seals every command under a key derived from the master key: appending needs it (--master-key); nothing was appended"
                )
            }
            return nil
        }
        let previous =
            try run("SELECT seal FROM koki_command_seals WHERE seq = \(seq)").rows.first.map {
                Array(try $0.decode(Data.self))
            } ?? [UInt8](repeating: 0, count: 32)
        return (key, previous)
    }

    public func hash(at position: Int64) throws -> [UInt8]? {
        try locked {
            try run("SELECT hash FROM koki_events WHERE position = \(position)").rows.first.map {
                Array(try $0.decode(Data.self))
            }
        }
    }

    // MARK: - Appending

    public func append(_ request: AppendRequest) throws -> AppendResult {
        try Ledger.validate(request)
        let stored = request.streams.map { $0.events.map { PayloadCompression.store($0.payload) } }
        return try locked {
            try transaction {
                try run("SELECT pg_advisory_xact_lock(\(appendLockKey))")
                if let previous = try existingResult(request.commandID) { return previous }
                return try insert(request, stored: stored)
            }
        }
    }

    private func existingResult(_ commandID: Identifier) throws -> AppendResult? {
        guard
            let row = try run(
                "SELECT recorded_at, first_position, event_count FROM koki_commands WHERE command_id = \(Data(commandID.bytes))"
            ).rows.first
        else { return nil }
        let (recordedAt, first, count) = try row.decode((Int64, Int64, Int64).self)
        var events: [AppendedEvent] = []
        for event in try run(
            "SELECT position, stream, stream_version FROM koki_events WHERE position BETWEEN \(first) AND \(first + count - 1) ORDER BY position"
        ).rows {
            let (position, stream, version) = try event.decode((Int64, String, Int64).self)
            events.append(AppendedEvent(position: position, stream: try StreamName(stream), streamVersion: version))
        }
        return AppendResult(
            commandID: commandID, recordedAt: Timestamp(microseconds: recordedAt), events: events, wasDuplicate: true)
    }

    private func insert(_ request: AppendRequest, stored: [[(encoding: PayloadEncoding, bytes: [UInt8])]]) throws
        -> AppendResult
    {
        var position: Int64 = 0
        var previous = genesis
        var seq: Int64 = 0
        if let head = try run("SELECT position, hash, command_seq FROM koki_events ORDER BY position DESC LIMIT 1")
            .rows.first
        {
            let (p, h, s) = try head.decode((Int64, Data, Int64).self)
            (position, previous, seq) = (p, Array(h), s)
        }
        let sealing = try sealing(after: seq)
        let recordedAt = clock.now()
        seq += 1
        let command = CommandEnvelope(
            sequence: seq, commandID: request.commandID, actor: request.actor, recordedAt: recordedAt,
            correlationID: request.correlationID, causationID: request.causationID, firstPosition: position + 1,
            eventCount: Int64(request.eventCount))
        try insertCommand(command)
        var appended: [AppendedEvent] = []
        var rows: [StoredRow] = []
        for (s, part) in request.streams.enumerated() {
            var version =
                try run(
                    "SELECT COALESCE(MAX(stream_version), 0) FROM koki_events WHERE stream = \(part.stream.value)"
                ).rows.first?.decode(Int64.self) ?? 0
            guard part.expectedVersion.accepts(version) else {
                throw LedgerError(
                    .wrongExpectedVersion,
                    "stream \(part.stream) is at version \(version), but command \(request.commandID) expected \(part.expectedVersion); nothing was appended"
                )
            }
            for (e, event) in part.events.enumerated() {
                position += 1
                version += 1
                var row = StoredRow(
                    position: position, stream: part.stream.value, streamVersion: version, type: event.type,
                    schemaVersion: Int64(event.schemaVersion), command: command,
                    encoding: stored[s][e].encoding.rawValue,
                    payload: stored[s][e].bytes, hash: [])
                row.hash = ChainCheck.hash(of: row, after: previous)
                previous = row.hash
                rows.append(row)
                appended.append(AppendedEvent(position: position, stream: part.stream, streamVersion: version))
            }
        }
        try insertEvents(rows)
        if let sealing {
            try insertSeals([
                (
                    seq,
                    sealing.key.seal(
                        previous: sealing.previous, seq: seq, firstPosition: command.firstPosition,
                        eventCount: command.eventCount, lastHash: previous)
                )
            ])
        }
        return AppendResult(commandID: request.commandID, recordedAt: recordedAt, events: appended, wasDuplicate: false)
    }

    private func insertCommand(_ c: CommandEnvelope) throws {
        try run(
            """
            INSERT INTO koki_commands(seq, command_id, actor, recorded_at, correlation_id, causation_id, first_position,
                event_count) VALUES (\(c.sequence), \(Data(c.commandID.bytes)), \(c.actor), \(c.recordedAt.microseconds),
                \(c.correlationID.map { Data($0.bytes) }), \(c.causationID.map { Data($0.bytes) }), \(c.firstPosition),
                \(c.eventCount))
            """)
    }

    /// Inserts command envelopes in multi-row statements.
    private func insertCommands(_ commands: [CommandEnvelope]) throws {
        try insertInBatches(
            commands,
            """
            INSERT INTO koki_commands(seq, command_id, actor, recorded_at, correlation_id, causation_id,
                first_position, event_count)
            """, columns: 8
        ) { c, binds in
            binds.append(c.sequence)
            try binds.append(Data(c.commandID.bytes))
            binds.append(c.actor)
            binds.append(c.recordedAt.microseconds)
            try binds.append(c.correlationID.map { Data($0.bytes) })
            try binds.append(c.causationID.map { Data($0.bytes) })
            binds.append(c.firstPosition)
            binds.append(c.eventCount)
        }
    }

    /// Inserts rows in multi-row statements.
    private func insertEvents(_ rows: [StoredRow]) throws {
        try insertInBatches(
            rows,
            """
            INSERT INTO koki_events(position, stream, stream_version, type, schema_version, command_seq,
                encoding, payload, hash)
            """, columns: 9
        ) { row, binds in
            binds.append(row.position)
            binds.append(row.stream)
            binds.append(row.streamVersion)
            binds.append(row.type)
            binds.append(row.schemaVersion)
            binds.append(row.command.sequence)
            binds.append(Int16(row.encoding))
            try binds.append(Data(row.payload))
            // The hash on the command's last event only (see `ChainCheck`).
            try binds.append(row.keepsHash ? Data(row.hash) : Data())
        }
    }

    /// Inserts `items` with `insert` (the statement up to `VALUES`), 1,000 to a statement
    /// (PostgreSQL takes at most 65,535 parameters each); `bind` binds an item's `columns` values,
    /// `casts` names a column's type cast (`3: "jsonb"`), and `then` ends each statement (an
    /// `ON CONFLICT` clause).
    func insertInBatches<T>(
        _ items: [T], _ insert: String, columns: Int, casts: [Int: String] = [:], then: String = "",
        bind: (T, inout PostgresBindings) throws -> Void
    ) throws {
        let placeholders = (1...columns).map { column in
            { (row: Int) in
                "$\(row * columns + column)" + (casts[column].map { "::" + $0 } ?? "")
            }
        }
        for start in stride(from: 0, to: items.count, by: 1_000) {
            let chunk = items[start..<min(start + 1_000, items.count)]
            var binds = PostgresBindings(capacity: chunk.count * columns)
            var values: [String] = []
            values.reserveCapacity(chunk.count)
            for (i, item) in chunk.enumerated() {
                values.append("(" + placeholders.map { $0(i) }.joined(separator: ",") + ")")
                try bind(item, &binds)
            }
            try run(
                PostgresQuery(unsafeSQL: insert + " VALUES " + values.joined(separator: ",") + then, binds: binds))
        }
    }

    // MARK: - Read models

    /// A read model's own lock: catching up never waits for appends, nor they for it.
    var readModelLock: Int64 { appendLockKey ^ 0x5F52_4D5F }

    /// Makes a read model's tables when missing: its rows (as JSON) and the models' positions.
    func createTables(_ schema: ReadModelSchema) throws {
        try run(
            """
            CREATE TABLE IF NOT EXISTS \(unescaped: schema.table) (
                \(unescaped: schema.keyColumn) TEXT NOT NULL, \(unescaped: schema.partColumn) INTEGER NOT NULL, row JSONB NOT NULL, PRIMARY KEY (\(unescaped: schema.keyColumn), \(unescaped: schema.partColumn)))
            """)
        try run(
            """
            CREATE TABLE IF NOT EXISTS rm_models (
                name TEXT PRIMARY KEY, logic_version INTEGER NOT NULL, position BIGINT NOT NULL)
            """)
        // The keys by their bytes, as a rebuild reads the documents a range of keys at a time (the
        // primary key orders them by the database's collation).
        try run(
            """
            CREATE INDEX IF NOT EXISTS \(unescaped: schema.table)_key_bytes
            ON \(unescaped: schema.table) (\(unescaped: schema.keyColumn) COLLATE "C")
            """)
        // The fields documents are found by (a household's members): an inverted index each, so
        // such a question reads its documents, not the table.
        for field in schema.listedFields where DocumentFilter.isField(field) {
            let (table, index) = (schema.table, schema.table + "_" + field)
            try run(
                "CREATE INDEX IF NOT EXISTS \(unescaped: index) ON \(unescaped: table) USING GIN ((row->'\(unescaped: field)'))"
            )
        }
    }

    func stateLocked(_ schema: ReadModelSchema) throws -> ReadModelState? {
        let exists = try run("SELECT to_regclass('rm_models') IS NOT NULL").rows.first?.decode(Bool.self) ?? false
        guard exists,
            let row = try run("SELECT position, logic_version FROM rm_models WHERE name = \(schema.name)").rows.first
        else { return nil }
        let (position, version) = try row.decode((Int64, Int32).self)
        return ReadModelState(logicVersion: Int(version), position: position)
    }

    // MARK: - State beside the events

    // MARK: - State beside the events

    public var location: String { label }
    public var now: Timestamp { clock.now() }
    public func randomBytes(_ count: Int) -> [UInt8] { SystemEntropy().bytes(count) }

    public func subjectKey(_ subject: String, makeKey: (() throws -> [UInt8])?) throws -> [UInt8]? {
        if let key = try locked({
            try run("SELECT key FROM koki_subject_keys WHERE subject = \(subject)").rows.first?.decode(Data.self)
        }) {
            return Array(key)
        }
        guard let makeKey else { return nil }
        let fresh = Data(try makeKey())
        return try locked {
            try run(
                """
                INSERT INTO koki_subject_keys(subject, key, created_at) VALUES (\(subject), \(fresh), \(clock.now().microseconds))
                ON CONFLICT (subject) DO NOTHING
                """)
            return try run("SELECT key FROM koki_subject_keys WHERE subject = \(subject)").rows.first
                .map { Array(try $0.decode(Data.self)) }
        }
    }

    @discardableResult
    public func eraseSubjectKey(_ subject: String) throws -> Bool {
        try locked {
            try transaction {
                try run("DELETE FROM koki_lookups WHERE subject = \(subject)")
                return try run("DELETE FROM koki_subject_keys WHERE subject = \(subject)").metadata.rows ?? 0 > 0
            }
        }
    }

    public func replaceSubjectKeys(_ blobs: [String: [UInt8]]) throws {
        try locked {
            try transaction {
                for (subject, blob) in blobs {
                    try run("UPDATE koki_subject_keys SET key = \(Data(blob)) WHERE subject = \(subject)")
                }
            }
        }
    }

    public func allSubjectKeys() throws -> [String: [UInt8]] {
        try locked {
            var keys: [String: [UInt8]] = [:]
            for row in try run("SELECT subject, key FROM koki_subject_keys").rows {
                let (subject, key) = try row.decode((String, Data).self)
                keys[subject] = Array(key)
            }
            return keys
        }
    }

    public func subjectKeys(_ subjects: [String]) throws -> [String: [UInt8]] {
        guard !subjects.isEmpty else { return [:] }
        return try locked {
            var keys: [String: [UInt8]] = [:]
            for row in try run("SELECT subject, key FROM koki_subject_keys WHERE subject = ANY(\(subjects))").rows {
                let (subject, key) = try row.decode((String, Data).self)
                keys[subject] = Array(key)
            }
            return keys
        }
    }

    public func recordLookup(kind: String, digest: [UInt8], subject: String) throws {
        try locked {
            try transaction {
                if let other = try run(
                    "SELECT subject FROM koki_lookups WHERE kind = \(kind) AND digest = \(Data(digest))"
                ).rows.first?.decode(String.self), other != subject {
                    throw LedgerError(.invalidInput, "this \(kind) is recorded for \(other) already")
                }
                try run("DELETE FROM koki_lookups WHERE kind = \(kind) AND subject = \(subject)")
                try run(
                    """
                    INSERT INTO koki_lookups(kind, digest, subject) VALUES (\(kind), \(Data(digest)), \(subject))
                    ON CONFLICT (kind, digest) DO UPDATE SET subject = EXCLUDED.subject
                    """)
            }
        }
    }

    public func allLookups() throws -> [SubjectLookup] {
        try locked {
            try run("SELECT kind, digest, subject FROM koki_lookups ORDER BY kind, digest").rows.map {
                let (kind, digest, subject) = try $0.decode((String, Data, String).self)
                return SubjectLookup(kind: kind, digest: Array(digest), subject: subject)
            }
        }
    }

    public func mirrorSubjectKeys(_ keys: [String: [UInt8]], lookups: [SubjectLookup]) throws {
        let now = clock.now().microseconds
        try locked {
            try transaction {
                let kept = try run("SELECT subject FROM koki_subject_keys").rows.map { try $0.decode(String.self) }
                let forget = kept.filter { keys[$0] == nil }
                if !forget.isEmpty { try run("DELETE FROM koki_subject_keys WHERE subject = ANY(\(forget))") }
                try insertInBatches(
                    keys.sorted { $0.key < $1.key },
                    "INSERT INTO koki_subject_keys(subject, key, created_at)", columns: 3,
                    then: " ON CONFLICT (subject) DO UPDATE SET key = EXCLUDED.key"
                ) { key, binds in
                    binds.append(key.key)
                    try binds.append(Data(key.value))
                    binds.append(now)
                }
                try run("DELETE FROM koki_lookups")
                try insertInBatches(lookups, "INSERT INTO koki_lookups(kind, digest, subject)", columns: 3) {
                    lookup, binds in
                    binds.append(lookup.kind)
                    try binds.append(Data(lookup.digest))
                    binds.append(lookup.subject)
                }
            }
        }
    }

    public func allCredentials() throws -> [String: String] {
        try locked {
            var credentials: [String: String] = [:]
            for row in try run("SELECT principal, secret FROM koki_credentials").rows {
                let (principal, secret) = try row.decode((String, String).self)
                credentials[principal] = secret
            }
            return credentials
        }
    }

    public func lookup(kind: String, digest: [UInt8]) throws -> String? {
        try locked {
            try run("SELECT subject FROM koki_lookups WHERE kind = \(kind) AND digest = \(Data(digest))")
                .rows.first?.decode(String.self)
        }
    }

    public func credential(_ principal: String) throws -> String? {
        try locked {
            try run("SELECT secret FROM koki_credentials WHERE principal = \(principal)").rows.first?.decode(
                String.self)
        }
    }

    public func setCredential(_ principal: String, _ secret: String) throws {
        try locked {
            try run(
                """
                INSERT INTO koki_credentials(principal, secret, set_at) VALUES (\(principal), \(secret), \(clock.now().microseconds))
                ON CONFLICT (principal) DO UPDATE SET secret = EXCLUDED.secret, set_at = EXCLUDED.set_at
                """)
        }
    }

    public func sessionLastSeen(_ session: String) throws -> Timestamp? {
        try locked {
            try run("SELECT last_seen FROM koki_session_activity WHERE session = \(session)").rows.first
                .map { Timestamp(microseconds: try $0.decode(Int64.self)) }
        }
    }

    public func touchSession(_ session: String) throws {
        try locked {
            try run(
                """
                INSERT INTO koki_session_activity(session, last_seen) VALUES (\(session), \(clock.now().microseconds))
                ON CONFLICT (session) DO UPDATE SET last_seen = EXCLUDED.last_seen
                """)
        }
    }

    public func replayOrigin() throws -> (through: Int64, source: String?)? { nil }

    public func position(recordedBy time: Timestamp) throws -> Int64 {
        try locked {
            try run(
                "SELECT COALESCE(MAX(first_position + event_count - 1), 0) FROM koki_commands WHERE recorded_at <= \(time.microseconds)"
            ).rows.first?.decode(Int64.self) ?? 0
        }
    }

    // MARK: - Reading

    public func head() throws -> LedgerHead {
        try locked {
            guard let row = try run("SELECT position, hash FROM koki_events ORDER BY position DESC LIMIT 1").rows.first
            else { return LedgerHead(position: 0, hash: genesis) }
            let (position, hash) = try row.decode((Int64, Data).self)
            return LedgerHead(position: position, hash: Array(hash))
        }
    }

    public func version(of stream: StreamName) throws -> Int64 {
        try locked {
            try run("SELECT COALESCE(MAX(stream_version), 0) FROM koki_events WHERE stream = \(stream.value)")
                .rows.first?.decode(Int64.self) ?? 0
        }
    }

    public func streams(prefix: String) throws -> [StreamInfo] {
        try locked {
            try run(
                """
                SELECT stream, MAX(stream_version), MIN(position), MAX(position) FROM koki_events
                WHERE left(stream, \(Int32(prefix.unicodeScalars.count))) = \(prefix) GROUP BY stream ORDER BY stream COLLATE "C"
                """
            ).rows.map { row in
                let (stream, version, first, last) = try row.decode((String, Int64, Int64, Int64).self)
                return StreamInfo(
                    stream: try StreamName(stream), version: version, firstPosition: first, lastPosition: last)
            }
        }
    }

    /// The streams whose names start with `prefix`, each found by one probe of the index by
    /// stream (a loose index scan from the prefix on): not every event's row, as
    /// ``streams(prefix:)`` reads. Sorted by their bytes.
    public func streamNames(prefix: String) throws -> [StreamName] {
        try locked {
            try run(
                """
                WITH RECURSIVE names(stream) AS (
                    (SELECT stream FROM koki_events WHERE stream >= \(prefix) ORDER BY stream LIMIT 1)
                    UNION ALL
                    SELECT (SELECT e.stream FROM koki_events e WHERE e.stream > names.stream ORDER BY e.stream LIMIT 1)
                    FROM names WHERE names.stream IS NOT NULL
                )
                SELECT stream FROM names
                WHERE stream IS NOT NULL AND left(stream, \(Int32(prefix.unicodeScalars.count))) = \(prefix)
                """
            ).rows.map { try StreamName(try $0.decode(String.self)) }.sorted()
        }
    }

    /// Rows a query selects, a page at a time (so a scan of the whole ledger holds one page),
    /// each page read under the lock and handed out after it.
    private func forEachRow(_ query: EventQuery, _ body: (StoredRow) throws -> Void) throws {
        var after: Int64 = max(query.fromPosition, 1) - 1
        var afterVersion: Int64 = query.fromStreamVersion - 1
        while true {
            let page = try locked { try fetch(query, after: after, afterVersion: afterVersion, limit: 2_000) }
            for row in page { try body(row) }
            guard page.count == 2_000, let last = page.last else { return }
            after = last.position
            afterVersion = last.streamVersion
        }
    }

    public func forEachEvent(_ query: EventQuery, _ body: (borrowing EventView) throws -> Void) throws {
        var scratch: [UInt8] = []
        let names = EventNames()
        try forEachRow(query) { row in
            try Self.deliver(row, readsEnvelopes: query.readsEnvelopes, names: names, scratch: &scratch, body)
        }
    }

    /// The events at `positions`, in position order: a query for each few thousand positions.
    public func forEachEvent(
        at positions: [Int64], readsEnvelopes: Bool, _ body: (borrowing EventView) throws -> Void
    ) throws {
        let wanted = Set(positions).sorted().filter { $0 >= 1 }
        var scratch: [UInt8] = []
        let names = EventNames()
        var start = 0
        while start < wanted.count {
            let chunk = Array(wanted[start..<min(wanted.count, start + 5_000)])
            start += chunk.count
            let sql = "\(Self.selectEvents(envelopes: readsEnvelopes)) WHERE e.position = ANY($1) ORDER BY e.position"
            var binds = PostgresBindings()
            try binds.append(chunk)
            let rows = try locked {
                try run(PostgresQuery(unsafeSQL: sql, binds: binds)).rows.map(
                    readsEnvelopes ? Self.storedRow : Self.storedRowUnread)
            }
            for row in rows {
                try Self.deliver(row, readsEnvelopes: readsEnvelopes, names: names, scratch: &scratch, body)
            }
        }
    }

    /// The events of several streams through a position, a query for each few hundred streams,
    /// delivered stream after stream in the order given.
    public func forEachEvent(
        inStreams streams: [StreamName], through: Int64, _ body: (borrowing EventView) throws -> Void
    ) throws {
        var seen = Set<String>()
        let names = streams.map(\.value).filter { seen.insert($0).inserted }
        var scratch: [UInt8] = []
        let eventNames = EventNames()
        var start = 0
        while start < names.count {
            let chunk = Array(names[start..<min(names.count, start + 256)])
            start += chunk.count
            var binds = PostgresBindings()
            try binds.append(chunk)
            try binds.append(through)
            let rows = try locked {
                try run(
                    PostgresQuery(
                        unsafeSQL: """
                            \(Self.selectEvents(envelopes: false)) WHERE e.stream = ANY($1) AND e.position <= $2
                            ORDER BY e.stream, e.stream_version
                            """, binds: binds)
                ).rows.map(Self.storedRowUnread)
            }
            // Each stream's rows in version order, the streams in the order asked.
            var byStream: [String: [StoredRow]] = [:]
            for row in rows { byStream[row.stream, default: []].append(row) }
            for name in chunk {
                for row in byStream[name] ?? [] {
                    try Self.deliver(row, readsEnvelopes: false, names: eventNames, scratch: &scratch, body)
                }
            }
        }
    }

    /// A row as an event view: its payload decompressed, its envelope given or not.
    /// The row's stream and type are named in `names` (this store has no numbers for them), which
    /// the caller holds for the length of its scan.
    private static func deliver(
        _ row: StoredRow, readsEnvelopes: Bool, names: EventNames, scratch: inout [UInt8],
        _ body: (borrowing EventView) throws -> Void
    ) throws {
        let slots = names.current(stream: try StreamName(row.stream), type: row.type)
        if readsEnvelopes { names.current(command: row.command) }
        func deliver(_ payload: UnsafeRawBufferPointer) throws {
            try row.hash.withUnsafeBytes { hash in
                try body(
                    EventView(
                        position: row.position, streamVersion: row.streamVersion,
                        schemaVersion: Int(row.schemaVersion), compressed: row.encoding != 0, payload: payload,
                        hash: hash, streamNumber: nil, typeNumber: nil, names: names, streamSlot: slots.stream,
                        typeSlot: slots.type, sequence: row.command.sequence, readsEnvelope: readsEnvelopes))
            }
        }
        try withExtendedLifetime(names) {
            try row.payload.withUnsafeBytes { stored in
                try PayloadCompression.reading(
                    stored, encoding: row.encoding, position: row.position, scratch: &scratch, deliver)
            }
        }
    }

    private func fetch(_ query: EventQuery, after: Int64, afterVersion: Int64, limit: Int) throws -> [StoredRow] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresThrowingDynamicTypeEncodable) throws -> String {
            try binds.append(value)
            return "$\(binds.count)"
        }
        var order = "e.position"
        if let stream = query.stream {
            conditions.append("e.stream = \(try bind(stream.value)) AND e.stream_version > \(try bind(afterVersion))")
            order = "e.stream_version"
            conditions.append("e.position >= \(try bind(max(query.fromPosition, 1)))")
        } else {
            conditions.append("e.position > \(try bind(after))")
        }
        if let through = query.throughPosition { conditions.append("e.position <= \(try bind(through))") }
        if let prefix = query.streamPrefix {
            conditions.append("left(e.stream, \(try bind(Int32(prefix.unicodeScalars.count)))) = \(try bind(prefix))")
        }
        if let types = query.types {
            guard !types.isEmpty else { return [] }
            let names = try types.sorted().map { try bind($0) }
            conditions.append("e.type IN (\(names.joined(separator: ",")))")
        }
        if let from = query.recordedFrom { conditions.append("c.recorded_at >= \(try bind(from.microseconds))") }
        if let before = query.recordedBefore { conditions.append("c.recorded_at < \(try bind(before.microseconds))") }
        // Events whose envelopes are not asked for (a fold of a person's stream) need no join
        // with the commands, and half the columns.
        let envelopes = query.readsEnvelopes || query.recordedFrom != nil || query.recordedBefore != nil
        let sql = """
            \(Self.selectEvents(envelopes: envelopes))
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT \(limit)
            """
        return try run(PostgresQuery(unsafeSQL: sql, binds: binds)).rows.map(
            envelopes ? Self.storedRow : Self.storedRowUnread)
    }

    /// The events' columns and table, with their commands' envelopes (joined) or only the
    /// command's number: what ``storedRow(_:)`` and ``storedRowUnread(_:)`` decode.
    static func selectEvents(envelopes: Bool) -> String {
        envelopes
            ? """
            SELECT e.position, e.stream, e.stream_version, e.type, e.schema_version, c.seq, c.command_id, c.actor,
                c.recorded_at, c.correlation_id, c.causation_id, c.first_position, c.event_count, e.encoding, e.payload,
                e.hash
            FROM koki_events e JOIN koki_commands c ON c.seq = e.command_seq
            """
            : """
            SELECT e.position, e.stream, e.stream_version, e.type, e.schema_version, e.command_seq, e.encoding,
                e.payload, e.hash
            FROM koki_events e
            """
    }

    /// A row read without its command's envelope (``CommandEnvelope/unread(sequence:)``).
    static func storedRowUnread(_ row: PostgresRow) throws -> StoredRow {
        let r = row.makeRandomAccess()
        return StoredRow(
            position: try r[0].decode(Int64.self), stream: try r[1].decode(String.self),
            streamVersion: try r[2].decode(Int64.self), type: try r[3].decode(String.self),
            schemaVersion: try r[4].decode(Int64.self), command: .unread(sequence: try r[5].decode(Int64.self)),
            encoding: Int64(try r[6].decode(Int16.self)), payload: Array(try r[7].decode(Data.self)),
            hash: Array(try r[8].decode(Data.self)))
    }

    static func storedRow(_ row: PostgresRow) throws -> StoredRow {
        let r = row.makeRandomAccess()
        func id(_ i: Int) throws -> Identifier? {
            guard let data = try r[i].decode(Data?.self), data.count == 16 else { return nil }
            return data.withUnsafeBytes { Identifier(bytes: $0) }
        }
        guard let commandID = try id(6) else { throw LedgerError(.damaged, "a command has no 16-byte id") }
        return StoredRow(
            position: try r[0].decode(Int64.self), stream: try r[1].decode(String.self),
            streamVersion: try r[2].decode(Int64.self), type: try r[3].decode(String.self),
            schemaVersion: try r[4].decode(Int64.self),
            command: CommandEnvelope(
                sequence: try r[5].decode(Int64.self), commandID: commandID, actor: try r[7].decode(String.self),
                recordedAt: Timestamp(microseconds: try r[8].decode(Int64.self)), correlationID: try id(9),
                causationID: try id(10), firstPosition: try r[11].decode(Int64.self),
                eventCount: try r[12].decode(Int64.self)),
            encoding: Int64(try r[13].decode(Int16.self)), payload: Array(try r[14].decode(Data.self)),
            hash: Array(try r[15].decode(Data.self)))
    }

    public func forEachStoredRow(from position: Int64, _ body: (StoredRow) throws -> Void) throws {
        try forEachRow(.from(position: position), body)
    }

    public func verifyChain() throws -> VerifyReport {
        var check = ChainCheck(ledgerID: ledgerID)
        var report = VerifyReport(eventsChecked: 0, commandsChecked: 0, head: check.head)
        let (key, keyed) = try locked { (chainKey, try isKeyedLocked()) }
        report.keyedChain = keyed
        var seals = keyed ? key.map { SealCheck(key: $0) } : nil
        // The seals read a page at a time beside the rows, in the order of the commands' numbers
        // (which the rows follow), not every one at once: memory stays flat in the ledger's length.
        var (stored, sealsAfter, sealsRead) = ([Int64: [UInt8]](), Int64(0), false)
        func seal(_ seq: Int64) throws -> [UInt8]? {
            while !sealsRead, seq > sealsAfter {
                stored.removeAll(keepingCapacity: true)
                let rows = try locked {
                    try run(
                        "SELECT seq, seal FROM koki_command_seals WHERE seq > \(sealsAfter) ORDER BY seq LIMIT 10000"
                    )
                    .rows.map { try $0.decode((Int64, Data).self) }
                }
                for (seq, seal) in rows { (stored[seq], sealsAfter) = (Array(seal), seq) }
                sealsRead = rows.count < 10_000
            }
            return stored[seq]
        }
        do {
            try forEachStoredRow(from: 1) { row in
                if let problem = check.check(row) { throw Stop(problem: problem) }
                report.eventsChecked += 1
                let c = row.command
                if seals != nil, row.keepsHash,
                    let problem = seals?.check(
                        seq: c.sequence, firstPosition: c.firstPosition, eventCount: c.eventCount, lastHash: row.hash,
                        stored: try seal(c.sequence))
                {
                    throw Stop(problem: problem)
                }
            }
            if let problem = check.endProblem { throw Stop(problem: problem) }
        } catch let stop as Stop {
            report.problem = stop.problem
        }
        report.head = check.head
        report.commandsChecked = check.commands
        if report.problem == nil {
            let stored = try locked {
                try run("SELECT COUNT(*) FROM koki_commands").rows.first?.decode(Int64.self) ?? 0
            }
            if stored != check.commands {
                report.problem = .init(
                    position: nil, message: "\(stored) commands are stored for \(check.commands) that have events")
            }
        }
        report.sealsChecked = seals?.checked
        if report.problem == nil, seals != nil {
            let count = try locked {
                try run("SELECT COUNT(*) FROM koki_command_seals").rows.first?.decode(Int64.self) ?? 0
            }
            if count != check.commands {
                report.problem = .init(
                    position: nil,
                    message:
                        "\(count) keyed seals are stored for \(check.commands) commands: commands were cut off the end (a checkpoint names where)"
                )
            }
        }
        return report
    }

    private struct Stop: Error { var problem: VerifyReport.Problem }

    public func importRows(_ rows: [StoredRow]) throws {
        guard !rows.isEmpty else { return }
        try locked {
            try transaction {
                try run("SELECT pg_advisory_xact_lock(\(appendLockKey))")
                var check: ChainCheck
                if let head = try run(
                    "SELECT position, hash, command_seq FROM koki_events ORDER BY position DESC LIMIT 1"
                ).rows.first {
                    let (p, h, s) = try head.decode((Int64, Data, Int64).self)
                    check = ChainCheck(after: LedgerHead(position: p, hash: Array(h)), versions: [:], lastCommand: s)
                } else {
                    check = ChainCheck(ledgerID: ledgerID)
                }
                // The streams' versions before these rows, in one query.
                let streams = Array(Set(rows.map(\.stream)))
                for found in try run(
                    "SELECT stream, MAX(stream_version) FROM koki_events WHERE stream = ANY(\(streams)) GROUP BY stream"
                ).rows {
                    let (stream, version) = try found.decode((String, Int64).self)
                    check.knowVersion(of: stream, version)
                }
                for stream in streams { check.knowVersion(of: stream, 0) }
                var commands: [CommandEnvelope] = []
                // Copies arrive in whole commands, so the command before the first row's is the last one here.
                var sealing = try sealing(after: rows[0].command.sequence - 1)
                var seals: [(Int64, [UInt8])] = []
                for row in rows {
                    if let problem = check.check(row) {
                        throw LedgerError(.invalidInput, "the rows do not continue this ledger: \(problem)")
                    }
                    // A command's envelope comes with its first event.
                    if row.command.firstPosition == row.position { commands.append(row.command) }
                    let c = row.command
                    if let s = sealing, row.keepsHash {
                        let seal = s.key.seal(
                            previous: s.previous, seq: c.sequence, firstPosition: c.firstPosition,
                            eventCount: c.eventCount, lastHash: row.hash)
                        seals.append((c.sequence, seal))
                        sealing = (s.key, seal)
                    }
                }
                if let problem = check.endProblem {
                    throw LedgerError(.invalidInput, "the rows do not continue this ledger: \(problem)")
                }
                try insertCommands(commands)
                try insertEvents(rows)
                try insertSeals(seals)
            }
        }
    }
}
