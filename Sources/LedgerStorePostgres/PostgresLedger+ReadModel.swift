import Foundation
import LedgerStore
import PostgresNIO

/// A read model kept in a PostgreSQL ledger's own schema, beside its events: one row per key and
/// part (as JSON), and the position and logic version it reflects. It is brought up to the head
/// in one transaction, so a query never sees half a command.
extension PostgresLedger: HeadReadModelStore {
    /// Every port of this database: events, keys, credentials, sessions and read models kept at
    /// the head (no replay copies: those are files).
    public var ports: LedgerPorts {
        LedgerPorts(events: self, keys: self, credentials: self, sessions: self, readModels: .atHead(self))
    }

    public func readModelState(_ schema: ReadModelSchema) throws -> ReadModelState? {
        try locked { try stateLocked(schema) }
    }

    public func storeReadModel(
        _ schema: ReadModelSchema, documents: [(key: String, part: Int64, json: [UInt8])], replacing keys: [String]?,
        position: Int64, history: ReadModelHistory
    ) throws {
        try locked {
            try transaction {
                try run("SELECT pg_advisory_xact_lock(\(readModelLock))")
                try createTables(schema)
                if let current = try stateLocked(schema), current.position >= position,
                    current.logicVersion == schema.logicVersion, keys != nil
                {
                    return
                }
                let table = schema.table
                if let keys {
                    if !keys.isEmpty {
                        try run(
                            "DELETE FROM \(unescaped: table) WHERE \(unescaped: schema.keyColumn) = ANY(\(keys))")
                    }
                } else {
                    try run("DELETE FROM \(unescaped: table)")
                }
                try insert(documents, into: "\(table)(\(schema.keyColumn), \(schema.partColumn), row)")
                try record(schema, at: position)
                try keep(history, of: schema, replacingAll: keys == nil)
            }
        }
    }

    public func replaceReadModel(
        _ schema: ReadModelSchema, position: Int64,
        _ fill: (_ write: ([(key: String, part: Int64, json: [UInt8])]) throws -> Void) throws -> ReadModelHistory
    ) throws {
        // A connection of its own writes: `fill` reads this one's events and rows meanwhile (the
        // rows as they were: the transaction shows nothing to others before it commits).
        let writer = try Self.connecting(address, clock: clock, create: .none)
        defer { writer.close() }
        try writer.locked {
            try writer.transaction {
                // The new rows gather in a table of this transaction's own while `fill` runs, with no
                // lock held: other processes' catch-ups wait only for the swap below, not the fill.
                try writer.run(
                    """
                    CREATE TEMPORARY TABLE koki_replacement (k TEXT NOT NULL, p INTEGER NOT NULL, row JSONB NOT NULL)
                    ON COMMIT DROP
                    """)
                let history = try fill { documents in try writer.insert(documents, into: "koki_replacement(k, p, row)")
                }
                try writer.run("SELECT pg_advisory_xact_lock(\(writer.readModelLock))")
                try writer.createTables(schema)
                try writer.run("DELETE FROM \(unescaped: schema.table)")
                try writer.run(
                    """
                    INSERT INTO \(unescaped: schema.table)(\(unescaped: schema.keyColumn), \(unescaped: schema.partColumn), row)
                    SELECT k, p, row FROM koki_replacement
                    """)
                try writer.record(schema, at: position)
                try writer.keep(history, of: schema, replacingAll: true)
            }
        }
    }

    /// Inserts documents (key, part, JSON) into `table(key, part, row)`, a thousand a statement.
    private func insert(_ documents: [(key: String, part: Int64, json: [UInt8])], into table: String) throws {
        try insertInBatches(documents, "INSERT INTO \(table)", columns: 3, casts: [3: "jsonb"]) { document, binds in
            binds.append(document.key)
            binds.append(Int32(truncatingIfNeeded: document.part))
            binds.append(String(decoding: document.json, as: UTF8.self))
        }
    }

    /// Records the position and logic version the model's rows reflect (in their transaction).
    private func record(_ schema: ReadModelSchema, at position: Int64) throws {
        try run(
            """
            INSERT INTO rm_models(name, logic_version, position) VALUES (\(schema.name), \(Int32(truncatingIfNeeded: schema.logicVersion)), \(position))
            ON CONFLICT (name) DO UPDATE SET logic_version = EXCLUDED.logic_version, position = EXCLUDED.position
            """)
    }

    /// Writes a model's history beside its rows (in their transaction): the other logic versions'
    /// dropped when every row was replaced, and all of it when the history is replaced.
    private func keep(_ history: ReadModelHistory, of schema: ReadModelSchema, replacingAll: Bool) throws {
        guard replacingAll || history.replacesHistory || !history.snapshots.isEmpty || !history.deltas.isEmpty else {
            return
        }
        try createHistoryTables()
        let (name, logic) = (schema.name, Int32(truncatingIfNeeded: schema.logicVersion))
        for table in ["rm_snapshots", "rm_snapshot_deltas"] {
            if history.replacesHistory {
                try run("DELETE FROM \(unescaped: table) WHERE model = \(name)")
            } else if replacingAll {
                try run("DELETE FROM \(unescaped: table) WHERE model = \(name) AND logic_version <> \(logic)")
            }
        }
        for snapshot in history.snapshots {
            let bytes = Data(LZ4Block.compress(snapshot.bytes))
            try run(
                """
                INSERT INTO rm_snapshots(model, logic_version, position, rows, bytes)
                VALUES (\(name), \(logic), \(snapshot.position), \(Int64(snapshot.rows)), \(bytes))
                ON CONFLICT (model, logic_version, position) DO UPDATE SET rows = EXCLUDED.rows, bytes = EXCLUDED.bytes
                """)
        }
        for delta in history.deltas {
            let bytes = Data(LZ4Block.compress(delta.bytes))
            try run(
                """
                INSERT INTO rm_snapshot_deltas(model, logic_version, position, since, persons, bytes)
                VALUES (\(name), \(logic), \(delta.position), \(delta.since), \(Int64(delta.keys)), \(bytes))
                ON CONFLICT (model, logic_version, position)
                DO UPDATE SET since = EXCLUDED.since, persons = EXCLUDED.persons, bytes = EXCLUDED.bytes
                """)
        }
    }

    /// Makes the tables of the models' history when missing, as a file's: snapshots and deltas,
    /// each LZ4-compressed, by model, logic version and position.
    private func createHistoryTables() throws {
        try run(
            """
            CREATE TABLE IF NOT EXISTS rm_snapshots (
                model TEXT NOT NULL, logic_version INTEGER NOT NULL, position BIGINT NOT NULL, rows BIGINT NOT NULL,
                bytes BYTEA NOT NULL, PRIMARY KEY (model, logic_version, position))
            """)
        try run(
            """
            CREATE TABLE IF NOT EXISTS rm_snapshot_deltas (
                model TEXT NOT NULL, logic_version INTEGER NOT NULL, position BIGINT NOT NULL, since BIGINT NOT NULL,
                persons BIGINT NOT NULL, bytes BYTEA NOT NULL, PRIMARY KEY (model, logic_version, position))
            """)
    }

    /// Whether a table of the schema exists (the history's are made with the first history kept).
    private func exists(_ table: String) throws -> Bool {
        try run("SELECT to_regclass(\(table)) IS NOT NULL").rows.first?.decode(Bool.self) ?? false
    }

    public func readModelSnapshots(_ schema: ReadModelSchema) throws -> [ReadModelSnapshot] {
        try locked {
            guard try exists("rm_snapshots") else { return [] }
            return try run(
                """
                SELECT position, logic_version, rows, length(bytes) FROM rm_snapshots WHERE model = \(schema.name)
                ORDER BY position, logic_version
                """
            ).rows.map { row in
                let (position, logic, rows, bytes) = try row.decode((Int64, Int32, Int64, Int32).self)
                return ReadModelSnapshot(
                    position: position, logicVersion: Int(logic), rows: Int(rows), bytes: Int(bytes))
            }
        }
    }

    public func readModelSnapshot(_ schema: ReadModelSchema, at position: Int64) throws -> [UInt8] {
        try history("rm_snapshots", "snapshot", of: schema, at: position)
    }

    public func readModelDeltas(_ schema: ReadModelSchema, after: Int64, through: Int64) throws
        -> [(position: Int64, since: Int64)]
    {
        try locked {
            guard try exists("rm_snapshot_deltas") else { return [] }
            return try run(
                """
                SELECT position, since FROM rm_snapshot_deltas
                WHERE model = \(schema.name) AND logic_version = \(Int32(truncatingIfNeeded: schema.logicVersion))
                AND position > \(after) AND position <= \(through) ORDER BY position
                """
            ).rows.map { try $0.decode((Int64, Int64).self) }
        }
    }

    public func readModelDelta(_ schema: ReadModelSchema, at position: Int64) throws -> [UInt8] {
        try history("rm_snapshot_deltas", "delta", of: schema, at: position)
    }

    public func readModelDeltaTotals(_ schema: ReadModelSchema) throws -> (count: Int, bytes: Int) {
        try locked {
            guard try exists("rm_snapshot_deltas") else { return (0, 0) }
            guard
                let row = try run(
                    """
                    SELECT COUNT(*), COALESCE(SUM(length(bytes)), 0)::bigint FROM rm_snapshot_deltas
                    WHERE model = \(schema.name) AND logic_version = \(Int32(truncatingIfNeeded: schema.logicVersion))
                    """
                ).rows.first
            else { return (0, 0) }
            let (count, bytes) = try row.decode((Int64, Int64).self)
            return (Int(count), Int(bytes))
        }
    }

    /// A snapshot's or delta's bytes, decompressed.
    private func history(_ table: String, _ what: String, of schema: ReadModelSchema, at position: Int64) throws
        -> [UInt8]
    {
        let stored = try locked {
            try exists(table)
                ? try run(
                    """
                    SELECT bytes FROM \(unescaped: table) WHERE model = \(schema.name)
                    AND logic_version = \(Int32(truncatingIfNeeded: schema.logicVersion)) AND position = \(position)
                    """
                ).rows.first?.decode(Data.self) : nil
        }
        guard let stored else {
            throw LedgerError(.invalidInput, "no \(what) of \(schema.name) at position \(position)")
        }
        return try LZ4Block.decompress(Array(stored))
    }

    public func readModelDocuments(_ schema: ReadModelSchema, key: String) throws -> [[UInt8]] {
        let (table, k, p) = (schema.table, schema.keyColumn, schema.partColumn)
        return try locked {
            try run("SELECT row::text FROM \(unescaped: table) WHERE \(unescaped: k) = \(key) ORDER BY \(unescaped: p)")
                .rows.map { Array(try $0.decode(String.self).utf8) }
        }
    }

    public func readModel(_ schema: ReadModelSchema, _ filter: DocumentFilter, field: String?) throws
        -> (state: ReadModelState?, documents: [[UInt8]])
    {
        let (table, k, p) = (schema.table, schema.keyColumn, schema.partColumn)
        for name in filter.fields + (field.map { [$0] } ?? []) where !DocumentFilter.isField(name) {
            throw LedgerError(.invalidInput, "\(schema.name): '\(name)' is not a document's field")
        }
        return try locked {
            try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ") {
                guard let state = try stateLocked(schema) else { return (nil, []) }
                let select = "SELECT \(field.map { "row->>'\($0)'" } ?? "row::text") FROM \(table) WHERE"
                let order = "ORDER BY \(k), \(p)"
                let query: PostgresQuery =
                    switch filter {
                    case .all: "\(unescaped: select) TRUE \(unescaped: order)"
                    case .keys(let keys):
                        "\(unescaped: select) \(unescaped: k) = ANY(\(keys)) \(unescaped: order)"
                    case .holding(let value, let from, let until):
                        """
                        \(unescaped: select) (row->>'\(unescaped: from)')::bigint <= \(value)
                        AND (row->>'\(unescaped: until)' IS NULL OR (row->>'\(unescaped: until)')::bigint > \(value))
                        \(unescaped: order)
                        """
                    case .listing(let value, let field):
                        "\(unescaped: select) row->'\(unescaped: field)' ? \(value) \(unescaped: order)"
                    case .meetingAny(let conditions):
                        try Self.meetingAny(conditions, select: select, order: order)
                    case .part(let part):
                        "\(unescaped: select) \(unescaped: p) = \(Int32(truncatingIfNeeded: part)) \(unescaped: order)"
                    case .keyRange(let from, let before):
                        try Self.keyRange(from: from, before: before, key: k, select: select, order: order)
                    }
                let rows = try run(query).rows
                return (state, try rows.map { Array(try $0.decode(String.self).utf8) })
            }
        }
    }

    /// The query for documents whose key lies in `[from, before)`, byte by byte (a bound missing:
    /// none), as the index by the key's bytes (``createTables(_:)``) serves it.
    private static func keyRange(from: String?, before: String?, key: String, select: String, order: String) throws
        -> PostgresQuery
    {
        var binds = PostgresBindings()
        var tests = ["TRUE"]
        if let from {
            try binds.append(from)
            tests.append("\(key) COLLATE \"C\" >= $\(binds.count)")
        }
        if let before {
            try binds.append(before)
            tests.append("\(key) COLLATE \"C\" < $\(binds.count)")
        }
        return PostgresQuery(unsafeSQL: "\(select) \(tests.joined(separator: " AND ")) \(order)", binds: binds)
    }

    /// The query for documents meeting any of `conditions` (none: no document). The fields are
    /// checked as names before they are spliced in; the values are bound.
    private static func meetingAny(_ conditions: [DocumentCondition], select: String, order: String) throws
        -> PostgresQuery
    {
        var binds = PostgresBindings()
        var tests: [String] = []
        for condition in conditions {
            switch condition {
            case .above(let field, let value):
                try binds.append(value)
                tests.append("(row->>'\(field)')::bigint > $\(binds.count)")
            case .before(let field, let text):
                try binds.append(text)
                tests.append("(row->>'\(field)') COLLATE \"C\" < $\(binds.count)")
            }
        }
        let test = tests.isEmpty ? "FALSE" : tests.joined(separator: " OR ")
        return PostgresQuery(unsafeSQL: "\(select) (\(test)) \(order)", binds: binds)
    }

    public func readModelCount(_ schema: ReadModelSchema) throws -> Int {
        try locked {
            guard try stateLocked(schema) != nil else { return 0 }
            return Int(try run("SELECT COUNT(*) FROM \(unescaped: schema.table)").rows.first?.decode(Int64.self) ?? 0)
        }
    }
}

extension DocumentFilter {
    /// Whether `name` may be spliced into a query as a document's field: letters and digits only.
    static func isField(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// The document fields the filter names (spliced into the query: letters and digits only).
    var fields: [String] {
        switch self {
        case .all, .keys, .part, .keyRange: []
        case .holding(_, let from, let until): [from, until]
        case .listing(_, let field): [field]
        case .meetingAny(let conditions): conditions.map(\.field)
        }
    }
}
