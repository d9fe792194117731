import Foundation
import GRDB
import GRDBSQLite

/// A read model's tables in the ledger file: `rm_models` (the position and logic version each
/// model reflects), the model's own table, and LZ4-compressed snapshots of it (`rm_snapshots`)
/// and of what changed between them (`rm_snapshot_deltas`).
extension LedgerTransaction: ReadModelTransaction {
    public func sibling(_ schema: ReadModelSchema) -> any ReadModelTransaction {
        LedgerTransaction(db: db, ledger: ledger, schema: schema)
    }

    // MARK: - The events

    public func keys() throws -> [String] {
        let prefix = schema.keyStreamPrefix
        return try String.fetchAll(
            db, sql: "SELECT name FROM koki_streams WHERE substr(name, 1, ?) = ? ORDER BY name",
            arguments: [prefix.unicodeScalars.count, prefix]
        ).map(key)
    }

    public func keysChanged(after: Int64, through: Int64) throws -> [String] {
        let prefix = schema.keyStreamPrefix
        return try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT s.name FROM koki_events e JOIN koki_streams s ON s.id = e.stream_id
                WHERE e.position > ? AND e.position <= ? AND substr(s.name, 1, ?) = ?
                ORDER BY s.name
                """, arguments: [after, through, prefix.unicodeScalars.count, prefix]
        ).map(key)
    }

    public func streamVersions(of keys: [String], through: Int64) throws -> [Int64] {
        // The stream's index read backwards from its last version: at the head, one row each.
        let statement = try db.cachedStatement(
            sql: """
                SELECT e.stream_version FROM koki_streams s JOIN koki_events e ON e.stream_id = s.id
                WHERE s.name = ? AND e.position <= ? ORDER BY e.stream_version DESC LIMIT 1
                """)
        return try keys.map { try Int64.fetchOne(statement, arguments: [schema.keyStreamPrefix + $0, through]) ?? 0 }
    }

    /// A stream's name without the schema's prefix.
    private func key(_ stream: String) -> String {
        String(stream.unicodeScalars.dropFirst(schema.keyStreamPrefix.unicodeScalars.count))
    }

    public func commandEnds(every interval: Int64, through head: Int64) throws -> [Int64] {
        // By primary keys only: the event's command, then that command's last position.
        let statement = try db.cachedStatement(
            sql: """
                SELECT c.first_position + c.event_count - 1 FROM koki_events e
                JOIN koki_commands c ON c.seq = e.command_seq WHERE e.position = ?
                """)
        var ends: [Int64] = []
        var target = interval
        while target < head {
            let end = try Int64.fetchOne(statement, arguments: [target]) ?? target
            if end < head, ends.last.map({ $0 < end }) ?? true { ends.append(end) }
            target += interval
        }
        return ends
    }

    // MARK: - The tables

    private func name(_ table: ReadModelTable) -> String {
        switch table {
        case .maintained: schema.table
        case .rebuilt: schema.table + "_rebuilt"
        }
    }

    public func state() throws -> ReadModelState? {
        guard try hasTable("rm_models") else { return nil }
        return try Row.fetchOne(
            db, sql: "SELECT logic_version, position FROM rm_models WHERE name = ?", arguments: [schema.name]
        ).map { ReadModelState(logicVersion: $0[0], position: $0[1]) }
    }

    public func setPosition(_ position: Int64) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO rm_models(name, logic_version, position) VALUES (?, ?, ?)",
            arguments: [schema.name, schema.logicVersion, position])
    }

    public func createTables() throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS rm_models (
                    name TEXT PRIMARY KEY NOT NULL,
                    logic_version INTEGER NOT NULL,
                    position INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS rm_snapshots (
                    model TEXT NOT NULL,
                    logic_version INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    rows INTEGER NOT NULL,
                    bytes BLOB NOT NULL,
                    PRIMARY KEY (model, logic_version, position)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS rm_snapshot_deltas (
                    model TEXT NOT NULL,
                    logic_version INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    since INTEGER NOT NULL,
                    persons INTEGER NOT NULL,
                    bytes BLOB NOT NULL,
                    PRIMARY KEY (model, logic_version, position)
                ) WITHOUT ROWID;
                """)
        try createTable(.maintained)
    }

    private func createTable(_ table: ReadModelTable) throws {
        let existed = try hasTable(name(table))
        let primaryKey =
            schema.partFirst
            ? "\(schema.partColumn), \(schema.keyColumn)" : "\(schema.keyColumn), \(schema.partColumn)"
        // Integer columns (money in yen, dates as days since 1970; NULL: none).
        let columns =
            schema.columns.map { "    \($0.name) INTEGER\($0.nullable ? "" : " NOT NULL"),\n" }.joined()
            + (schema.document ? "    document BLOB NOT NULL,\n" : "")
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS \(name(table)) (
                    \(schema.keyColumn) TEXT NOT NULL,
                    \(schema.partColumn) INTEGER NOT NULL,
                \(columns)    PRIMARY KEY (\(primaryKey))
                ) WITHOUT ROWID;
                """)
        // A table already there may be of another layout (a model whose logic changed is
        // recreated before it is read): its indexes are made with the table, never after.
        if !existed, table == .maintained { try createIndexes() }
    }

    /// The maintained table's indexes of the columns rows are found by: of the rows where the
    /// column is not NULL only, so the rows that leave it empty cost nothing.
    private func createIndexes() throws {
        let t = name(.maintained)
        // Kept in part order: a key's rows are found through an index by key.
        if schema.partFirst {
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(t)_by_key ON \(t)(\(schema.keyColumn))")
        }
        for column in schema.columns where column.indexed {
            try db.execute(
                sql: "CREATE INDEX IF NOT EXISTS \(t)_by_\(column.name) ON \(t)(\(column.name)) WHERE \(column.name) IS NOT NULL")
        }
    }

    public func recreate(_ table: ReadModelTable) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS \(name(table))")
        try createTable(table)
    }

    public func dropRebuilt() throws { try db.execute(sql: "DROP TABLE IF EXISTS \(name(.rebuilt))") }

    public func swapInRebuilt() throws {
        try db.execute(sql: "DROP TABLE \(name(.maintained))")
        try db.execute(sql: "ALTER TABLE \(name(.rebuilt)) RENAME TO \(name(.maintained))")
        // The rebuilt table is filled without them; the maintained one's went with it.
        try createIndexes()
    }

    public func deleteRows(of key: String) throws {
        // Bound through the C API, as `insert` is: a catch-up replaces thousands of persons' rows.
        let statement = RawStatement(
            try db.cachedStatement(sql: "DELETE FROM \(name(.maintained)) WHERE \(schema.keyColumn) = ?"), db)
        defer { statement.reset() }
        statement.bind(1, key)
        _ = try statement.step()
    }

    public func insert(_ rows: [ReadModelRow], into table: ReadModelTable) throws {
        try write(rows, into: table, verb: "INSERT")
    }

    public func replace(_ rows: [ReadModelRow]) throws {
        try write(rows, into: .maintained, verb: "INSERT OR REPLACE")
    }

    private func write(_ rows: [ReadModelRow], into table: ReadModelTable, verb: String) throws {
        guard !rows.isEmpty else { return }
        let width = schema.columns.count + 2 + (schema.document ? 1 : 0)
        let marks = Array(repeating: "?", count: width).joined(separator: ", ")
        // Bound through the C API: building GRDB's arguments for every row cost more than the
        // insert itself when a rebuild writes a row for every person and year.
        let statement = RawStatement(try db.cachedStatement(sql: "\(verb) INTO \(name(table)) VALUES (\(marks))"), db)
        defer { statement.reset() }
        for row in rows {
            statement.reset()
            statement.bind(1, row.key)
            statement.bind(2, row.part)
            var index: Int32 = 3
            for value in row.values {
                if let value { statement.bind(index, value) } else { statement.bindNull(index) }
                index += 1
            }
            if schema.document { statement.bind(index, row.document ?? []) }
            _ = try statement.step()
        }
    }

    public func forEachRow(
        in table: ReadModelTable, key: String?, part: Int64?, _ body: (ReadModelRow) throws -> Void
    ) throws {
        let (t, k, p) = (name(table), schema.keyColumn, schema.partColumn)
        // A key's rows are asked for thousands of times in a run (a list's persons one by one):
        // their statements are compiled once per connection.
        let cursor =
            if let key, let part {
                try Row.fetchCursor(
                    try reusable("SELECT * FROM \(t) WHERE \(k) = ? AND \(p) = ?"), arguments: [key, part])
            } else if let key {
                try Row.fetchCursor(try reusable("SELECT * FROM \(t) WHERE \(k) = ? ORDER BY \(p)"), arguments: [key])
            } else if let part {
                try Row.fetchCursor(db, sql: "SELECT * FROM \(t) WHERE \(p) = ? ORDER BY \(k)", arguments: [part])
            } else {
                try Row.fetchCursor(db, sql: "SELECT * FROM \(t) ORDER BY \(k), \(p)")
            }
        try forEach(cursor, body)
    }

    public func forEachRow(
        in table: ReadModelTable, keys: Set<String>, part: Int64?, _ body: (ReadModelRow) throws -> Void
    ) throws {
        // Measured on the ten-year city's register and debit states: lookups beat one pass over
        // the table only for keys under about a thirty-second of its rows.
        if keys.count * 32 < (try count()) {
            for key in keys.sorted() { try forEachRow(in: table, key: key, part: part, body) }
            return
        }
        try forEachRow(in: table, key: nil, part: part) { row in
            if keys.contains(row.key) { try body(row) }
        }
    }

    public func forEachRow(
        in table: ReadModelTable, where column: String, equals value: Int64, _ body: (ReadModelRow) throws -> Void
    ) throws {
        guard schema.columns.contains(where: { $0.name == column && $0.indexed }) else {
            throw LedgerError(.invalidInput, "\(schema.name) has no indexed column \(column)")
        }
        let (t, k, p) = (name(table), schema.keyColumn, schema.partColumn)
        try forEach(
            try Row.fetchCursor(
                db, sql: "SELECT * FROM \(t) WHERE \(column) = ? ORDER BY \(k), \(p)", arguments: [value]), body)
    }

    public func forEachRow(
        in table: ReadModelTable, holding value: Int64, from: String, until: String,
        _ body: (ReadModelRow) throws -> Void
    ) throws {
        let known = Set(schema.columns.map(\.name))
        guard known.contains(from), known.contains(until) else {
            throw LedgerError(.invalidInput, "\(schema.name) has no columns \(from) and \(until)")
        }
        let (t, k, p) = (name(table), schema.keyColumn, schema.partColumn)
        try forEach(
            try Row.fetchCursor(
                db,
                sql: "SELECT * FROM \(t) WHERE \(from) <= ? AND (\(until) IS NULL OR \(until) > ?) ORDER BY \(k), \(p)",
                arguments: [value, value]), body)
    }

    public func forEachRow(
        in table: ReadModelTable, meetingAny conditions: [ReadModelCondition], _ body: (ReadModelRow) throws -> Void
    ) throws {
        guard !conditions.isEmpty else { return }
        let known = Set(schema.columns.map(\.name))
        for condition in conditions where !known.contains(condition.column) {
            throw LedgerError(.invalidInput, "\(schema.name) has no column \(condition.column)")
        }
        let (t, k, p) = (name(table), schema.keyColumn, schema.partColumn)
        var tests: [String] = []
        var values: [Int64] = []
        for condition in conditions {
            switch condition {
            case .below(let column, let value):
                tests.append("\(column) < ?")
                values.append(value)
            case .above(let column, let value):
                tests.append("\(column) > ?")
                values.append(value)
            }
        }
        try forEach(
            try Row.fetchCursor(
                db, sql: "SELECT * FROM \(t) WHERE \(tests.joined(separator: " OR ")) ORDER BY \(k), \(p)",
                arguments: StatementArguments(values)), body)
    }

    /// The connection's cached statement for `sql`, or a new one while the cached one is still
    /// being stepped (a read nested in another's rows).
    private func reusable(_ sql: String) throws -> Statement {
        let cached = try db.cachedStatement(sql: sql)
        return sqlite3_stmt_busy(cached.sqliteStatement) == 0 ? cached : try db.makeStatement(sql: sql)
    }

    private func forEach(_ cursor: RowCursor, _ body: (ReadModelRow) throws -> Void) throws {
        let width = schema.columns.count
        // One row's storage, reused: reading the table allocates nothing per row but its key.
        var row = ReadModelRow(key: "", part: 0, values: [])
        row.values.reserveCapacity(width)
        while let r = try cursor.next() {
            row.key = r[0]
            row.part = r[1]
            row.values.removeAll(keepingCapacity: true)
            for column in 0..<width { row.values.append(r[column + 2]) }
            if schema.document {
                // The blob's bytes copied once, straight from SQLite's buffer.
                row.document = try r.withUnsafeData(atIndex: width + 2) { data in data.map { [UInt8]($0) } ?? [] }
            }
            try body(row)
        }
    }

    public func count() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(name(.maintained))") ?? 0
    }

    public func differences() throws -> [(key: String, part: Int64)] {
        // Both tables are keyed by (key, part) without a rowid, so each reads back in key order
        // at no cost: the two are stepped side by side, as a merge, and a row is named when one
        // side lacks it or any column differs (of another kind, or another value; NULL equal to
        // NULL, as `IS NOT` has it). Memory stays flat. (`EXCEPT` both ways sorted each whole
        // table into a temporary b-tree: 3.5 s for the ten-year register; looking each row up in
        // the other table by its key, 1.8 s.)
        let columns = [schema.keyColumn, schema.partColumn] + schema.columns.map(\.name)
            + (schema.document ? ["document"] : [])
        func ordered(_ table: ReadModelTable) throws -> RawStatement {
            RawStatement(
                try db.makeStatement(
                    sql: "SELECT \(columns.joined(separator: ", ")) FROM \(name(table)) ORDER BY 1, 2"), db)
        }
        let (maintained, rebuilt) = (try ordered(.maintained), try ordered(.rebuilt))
        defer {
            maintained.reset()
            rebuilt.reset()
        }
        var found: [(key: String, part: Int64)] = []
        var (m, r) = (try maintained.step(), try rebuilt.step())
        while m || r {
            var order = !r ? -1 : !m ? 1 : Self.compare(maintained, rebuilt, 0)
            if m && r && order == 0 { order = Self.compare(maintained, rebuilt, 1) }
            if order < 0 {
                found.append((maintained.text(0), maintained.int64(1)))
                m = try maintained.step()
            } else if order > 0 {
                found.append((rebuilt.text(0), rebuilt.int64(1)))
                r = try rebuilt.step()
            } else {
                if (2..<Int32(columns.count)).contains(where: { Self.compare(maintained, rebuilt, $0) != 0 }) {
                    found.append((maintained.text(0), maintained.int64(1)))
                }
                (m, r) = (try maintained.step(), try rebuilt.step())
            }
        }
        return found
    }

    /// Two rows' values in a column, ordered as SQLite orders them (`BINARY`): NULL, then numbers
    /// by value, then text, then blobs, each by its bytes. 0: the same value.
    static func compare(_ a: RawStatement, _ b: RawStatement, _ column: Int32) -> Int {
        func rank(_ type: Int32) -> Int {
            switch type {
            case SQLITE_NULL: 0
            case SQLITE_INTEGER, SQLITE_FLOAT: 1
            case SQLITE_TEXT: 2
            default: 3
            }
        }
        let (ta, tb) = (sqlite3_column_type(a.handle, column), sqlite3_column_type(b.handle, column))
        let (ra, rb) = (rank(ta), rank(tb))
        guard ra == rb else { return ra < rb ? -1 : 1 }
        switch ra {
        case 0:
            return 0
        case 1:
            if ta == SQLITE_INTEGER && tb == SQLITE_INTEGER {
                let (x, y) = (a.int64(column), b.int64(column))
                return x == y ? 0 : x < y ? -1 : 1
            }
            let (x, y) = (sqlite3_column_double(a.handle, column), sqlite3_column_double(b.handle, column))
            return x == y ? 0 : x < y ? -1 : 1
        default:
            // Text and blobs alike: their bytes, then their lengths.
            func bytes(_ s: RawStatement, _ rank: Int) -> UnsafeRawPointer? {
                rank == 2
                    ? UnsafeRawPointer(sqlite3_column_text(s.handle, column)) : sqlite3_column_blob(s.handle, column)
            }
            let (pa, pb) = (bytes(a, ra), bytes(b, rb))
            let (na, nb) = (Int(sqlite3_column_bytes(a.handle, column)), Int(sqlite3_column_bytes(b.handle, column)))
            if let pa, let pb, min(na, nb) > 0 {
                let c = memcmp(pa, pb, min(na, nb))
                if c != 0 { return c < 0 ? -1 : 1 }
            }
            return na == nb ? 0 : na < nb ? -1 : 1
        }
    }

    // MARK: - Snapshots and deltas

    public func snapshots() throws -> [ReadModelSnapshot] {
        guard try hasTable("rm_snapshots") else { return [] }
        return try Row.fetchAll(
            db,
            sql:
                "SELECT position, logic_version, rows, length(bytes) FROM rm_snapshots WHERE model = ? ORDER BY position",
            arguments: [schema.name]
        ).map { ReadModelSnapshot(position: $0[0], logicVersion: $0[1], rows: $0[2], bytes: $0[3]) }
    }

    public func writeSnapshot(position: Int64, rows: Int, bytes: [UInt8]) throws {
        try db.execute(
            sql:
                "INSERT OR REPLACE INTO rm_snapshots(model, logic_version, position, rows, bytes) VALUES (?, ?, ?, ?, ?)",
            arguments: [schema.name, schema.logicVersion, position, rows, Data(LZ4Block.compress(bytes))])
    }

    public func snapshot(at position: Int64) throws -> [UInt8] { try blob("rm_snapshots", "snapshot", at: position) }

    public func writeDelta(since: Int64, position: Int64, keys: Int, bytes: [UInt8]) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO rm_snapshot_deltas(model, logic_version, position, since, persons, bytes)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [schema.name, schema.logicVersion, position, since, keys, Data(LZ4Block.compress(bytes))])
    }

    public func deltas(after: Int64, through: Int64) throws -> [(position: Int64, since: Int64)] {
        guard try hasTable("rm_snapshot_deltas") else { return [] }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT position, since FROM rm_snapshot_deltas
                WHERE model = ? AND logic_version = ? AND position > ? AND position <= ? ORDER BY position
                """, arguments: [schema.name, schema.logicVersion, after, through]
        ).map { ($0[0], $0[1]) }
    }

    public func delta(at position: Int64) throws -> [UInt8] { try blob("rm_snapshot_deltas", "delta", at: position) }

    public func deltaTotals() throws -> (count: Int, bytes: Int) {
        guard try hasTable("rm_snapshot_deltas"),
            let d = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*), COALESCE(SUM(length(bytes)), 0) FROM rm_snapshot_deltas
                    WHERE model = ? AND logic_version = ?
                    """, arguments: [schema.name, schema.logicVersion])
        else { return (0, 0) }
        return (d[0], d[1])
    }

    public func dropOtherLogic() throws {
        for table in ["rm_snapshots", "rm_snapshot_deltas"] {
            try db.execute(
                sql: "DELETE FROM \(table) WHERE model = ? AND logic_version <> ?",
                arguments: [schema.name, schema.logicVersion])
        }
    }

    public func dropHistory() throws {
        for table in ["rm_snapshots", "rm_snapshot_deltas"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE model = ?", arguments: [schema.name])
        }
    }

    /// A snapshot's or delta's bytes, decompressed.
    private func blob(_ table: String, _ what: String, at position: Int64) throws -> [UInt8] {
        guard
            let data = try Data.fetchOne(
                db, sql: "SELECT bytes FROM \(table) WHERE model = ? AND logic_version = ? AND position = ?",
                arguments: [schema.name, schema.logicVersion, position])
        else { throw LedgerError(.invalidInput, "no \(what) of \(schema.name) at position \(position)") }
        return try LZ4Block.decompress(Array(data))
    }
}
