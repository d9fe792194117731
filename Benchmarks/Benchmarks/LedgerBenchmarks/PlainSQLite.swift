import GRDBSQLite

/// The ceiling: the same rows through plain prepared SQLite statements from the C API, as in
/// `shared/PERFORMANCE.md` — no encoding, compression, hashing or envelopes.
struct PlainRow {
    var position: Int64
    var stream: String
    var version: Int64
    var type: String
    var payload: [UInt8]
    var hash: [UInt8]
}

final class PlainSQLite {
    private var db: OpaquePointer?
    private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(path: String, synchronous: String = "FULL") {
        precondition(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK)
        exec("PRAGMA journal_mode = WAL")
        exec("PRAGMA synchronous = \(synchronous)")
        exec(
            """
            CREATE TABLE IF NOT EXISTS events(position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL,
                type TEXT NOT NULL, payload BLOB NOT NULL, hash BLOB NOT NULL, UNIQUE(stream, version))
            """)
    }

    /// Opens an existing file (a koki ledger, for the read ceilings; read-write to checkpoint it).
    init(existing path: String, readOnly: Bool = true) {
        let flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        precondition(sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK)
    }

    /// Moves everything in the WAL into the main file and truncates the WAL to zero bytes, so
    /// the main file's size is the data's size.
    func checkpoint() {
        var logFrames: Int32 = 0
        var checkpointed: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_TRUNCATE, &logFrames, &checkpointed)
        precondition(rc == SQLITE_OK, String(cString: sqlite3_errmsg(db)))
    }

    deinit { sqlite3_close_v2(db) }

    func exec(_ sql: String) {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        precondition(rc == SQLITE_OK, String(cString: sqlite3_errmsg(db)))
    }

    func prepare(_ sql: String) -> OpaquePointer {
        var statement: OpaquePointer?
        precondition(sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, String(cString: sqlite3_errmsg(db)))
        return statement!
    }

    /// The integer columns of a query's one row.
    func scalars(_ sql: String) -> [Int64] {
        let statement = prepare(sql)
        defer { sqlite3_finalize(statement) }
        precondition(sqlite3_step(statement) == SQLITE_ROW, "\(sql) gave no row")
        return (0..<sqlite3_column_count(statement)).map { sqlite3_column_int64(statement, $0) }
    }

    /// The first column of every row of a query, as text.
    func texts(_ sql: String) -> [String] {
        let statement = prepare(sql)
        defer { sqlite3_finalize(statement) }
        var texts: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW { texts.append(String(cString: sqlite3_column_text(statement, 0))) }
        return texts
    }

    /// Inserts the workload; one transaction per stream, or all in one.
    func insert(_ workload: Workload, oneTransaction: Bool) {
        let insert = prepare(
            "INSERT INTO events(position, stream, version, type, payload, hash) VALUES (?, ?, ?, ?, ?, ?)")
        defer { sqlite3_finalize(insert) }
        let hash = [UInt8](repeating: 0x5A, count: 32)
        var position: Int64 = 0
        if oneTransaction { exec("BEGIN IMMEDIATE") }
        for stream in workload.streams {
            if !oneTransaction { exec("BEGIN IMMEDIATE") }
            for (v, row) in stream.rows.enumerated() {
                position += 1
                sqlite3_bind_int64(insert, 1, position)
                sqlite3_bind_text(insert, 2, stream.name.value, -1, transient)
                sqlite3_bind_int64(insert, 3, Int64(v + 1))
                sqlite3_bind_text(insert, 4, row.type, -1, transient)
                row.payload.withUnsafeBytes {
                    _ = sqlite3_bind_blob(insert, 5, $0.baseAddress, Int32($0.count), transient)
                }
                hash.withUnsafeBytes { _ = sqlite3_bind_blob(insert, 6, $0.baseAddress, 32, transient) }
                precondition(sqlite3_step(insert) == SQLITE_DONE, String(cString: sqlite3_errmsg(db)))
                sqlite3_reset(insert)
            }
            if !oneTransaction { exec("COMMIT") }
        }
        if oneTransaction { exec("COMMIT") }
    }

    /// Scans a koki ledger's events in position order, touching every payload: the read ceiling.
    func scanKokiEvents() -> (rows: Int, bytes: Int) {
        let scan = prepare(
            "SELECT position, stream_id, stream_version, type_id, schema_version, command_seq, encoding, payload, hash FROM koki_events ORDER BY position"
        )
        defer { sqlite3_finalize(scan) }
        var rows = 0
        var bytes = 0
        while sqlite3_step(scan) == SQLITE_ROW {
            rows += 1
            bytes &+= Int(sqlite3_column_int64(scan, 0)) & 1
            _ = sqlite3_column_blob(scan, 7)
            bytes &+= Int(sqlite3_column_bytes(scan, 7))
            _ = sqlite3_column_blob(scan, 8)
        }
        return (rows, bytes)
    }

    /// Reads one stream of a koki ledger by its index: the stream-load ceiling.
    func loadKokiStream(id: Int64) -> Int {
        let load =
            cachedLoad
            ?? prepare(
                "SELECT position, stream_version, type_id, schema_version, command_seq, encoding, payload, hash FROM koki_events WHERE stream_id = ? ORDER BY stream_version"
            )
        cachedLoad = load
        sqlite3_bind_int64(load, 1, id)
        var bytes = 0
        while sqlite3_step(load) == SQLITE_ROW {
            _ = sqlite3_column_blob(load, 6)
            bytes += Int(sqlite3_column_bytes(load, 6))
        }
        sqlite3_reset(load)
        return bytes
    }

    private var cachedLoad: OpaquePointer?

    /// A koki ledger's id for a stream's name (0 when it has none).
    func streamID(_ name: String) -> Int64 {
        let find = cachedFind ?? prepare("SELECT id FROM koki_streams WHERE name = ?")
        cachedFind = find
        sqlite3_bind_text(find, 1, name, -1, transient)
        defer { sqlite3_reset(find) }
        return sqlite3_step(find) == SQLITE_ROW ? sqlite3_column_int64(find, 0) : 0
    }

    private var cachedFind: OpaquePointer?

    /// The rows of a koki ledger as the plain table holds them — position, stream and type
    /// names, version, the stored payload, the hash — read into memory (not timed), grouped
    /// by the command that appended them.
    static func rowsOf(ledger path: String) -> [[PlainRow]] {
        let source = PlainSQLite(existing: path)
        let read = source.prepare(
            """
            SELECT e.position, s.name, e.stream_version, t.name, e.payload, e.hash, e.command_seq
            FROM koki_events e JOIN koki_streams s ON s.id = e.stream_id JOIN koki_event_types t ON t.id = e.type_id
            ORDER BY e.position
            """)
        defer { sqlite3_finalize(read) }
        var commands: [[PlainRow]] = []
        var last: Int64 = -1
        while sqlite3_step(read) == SQLITE_ROW {
            let row = PlainRow(
                position: sqlite3_column_int64(read, 0), stream: String(cString: sqlite3_column_text(read, 1)),
                version: sqlite3_column_int64(read, 2), type: String(cString: sqlite3_column_text(read, 3)),
                payload: Array(
                    UnsafeRawBufferPointer(
                        start: sqlite3_column_blob(read, 4), count: Int(sqlite3_column_bytes(read, 4)))),
                hash: Array(
                    UnsafeRawBufferPointer(
                        start: sqlite3_column_blob(read, 5), count: Int(sqlite3_column_bytes(read, 5)))))
            let command = sqlite3_column_int64(read, 6)
            if command != last { commands.append([]) }
            commands[commands.count - 1].append(row)
            last = command
        }
        return commands
    }

    /// Inserts rows, one transaction per command (as koki appended them).
    /// One transaction per command, or, with `commandsPerCommit` above one, as koki's commit
    /// groups do: that many commands a transaction, each in a savepoint of its own.
    func insert(commands: [[PlainRow]], commandsPerCommit: Int = 1) {
        let insert = prepare(
            "INSERT INTO events(position, stream, version, type, payload, hash) VALUES (?, ?, ?, ?, ?, ?)")
        defer { sqlite3_finalize(insert) }
        if commandsPerCommit > 1 { exec("BEGIN IMMEDIATE") }
        for (n, command) in commands.enumerated() {
            exec(commandsPerCommit > 1 ? "SAVEPOINT command" : "BEGIN IMMEDIATE")
            for row in command {
                sqlite3_bind_int64(insert, 1, row.position)
                sqlite3_bind_text(insert, 2, row.stream, -1, transient)
                sqlite3_bind_int64(insert, 3, row.version)
                sqlite3_bind_text(insert, 4, row.type, -1, transient)
                row.payload.withUnsafeBytes {
                    _ = sqlite3_bind_blob(insert, 5, $0.baseAddress, Int32($0.count), transient)
                }
                row.hash.withUnsafeBytes {
                    _ = sqlite3_bind_blob(insert, 6, $0.baseAddress, Int32($0.count), transient)
                }
                precondition(sqlite3_step(insert) == SQLITE_DONE, String(cString: sqlite3_errmsg(db)))
                sqlite3_reset(insert)
            }
            guard commandsPerCommit > 1 else {
                exec("COMMIT")
                continue
            }
            exec("RELEASE command")
            if (n + 1) % commandsPerCommit == 0 { exec("COMMIT; BEGIN IMMEDIATE") }
        }
        if commandsPerCommit > 1 { exec("COMMIT") }
    }

    /// A koki stream's id by its name.
    func streamID(name: String) -> Int64 {
        let find = prepare("SELECT id FROM koki_streams WHERE name = ?")
        defer { sqlite3_finalize(find) }
        sqlite3_bind_text(find, 1, name, -1, transient)
        precondition(sqlite3_step(find) == SQLITE_ROW, "no stream \(name)")
        return sqlite3_column_int64(find, 0)
    }
}
