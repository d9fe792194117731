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
        position: Int64
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
                try insertInBatches(
                    documents, "INSERT INTO \(table)(\(schema.keyColumn), \(schema.partColumn), row)", columns: 3,
                    casts: [3: "jsonb"]
                ) { document, binds in
                    binds.append(document.key)
                    binds.append(Int32(truncatingIfNeeded: document.part))
                    binds.append(String(decoding: document.json, as: UTF8.self))
                }
                try run(
                    """
                    INSERT INTO rm_models(name, logic_version, position) VALUES (\(schema.name), \(Int32(truncatingIfNeeded: schema.logicVersion)), \(position))
                    ON CONFLICT (name) DO UPDATE SET logic_version = EXCLUDED.logic_version, position = EXCLUDED.position
                    """)
            }
        }
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
                    }
                let rows = try run(query).rows
                return (state, try rows.map { Array(try $0.decode(String.self).utf8) })
            }
        }
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
        case .all, .keys, .part: []
        case .holding(_, let from, let until): [from, until]
        case .listing(_, let field): [field]
        case .meetingAny(let conditions): conditions.map(\.field)
        }
    }
}
