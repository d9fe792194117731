import Foundation

/// A read model's table as the store sees it: rows keyed by a subject and a part (a person and a
/// fiscal year), each with integer columns. The store knows the shape, never what the numbers mean.
public struct ReadModelSchema: Sendable, Hashable {
    public struct Column: Sendable, Hashable {
        public var name: String
        public var nullable: Bool
        /// Whether rows are found by this column's value (``ReadModelTransaction/forEachRow(in:where:equals:_:)``):
        /// the maintained table keeps an index of the rows where it is not NULL.
        public var indexed: Bool

        public init(_ name: String, nullable: Bool = false, indexed: Bool = false) {
            self.name = name
            self.nullable = nullable
            self.indexed = indexed
        }
    }

    /// The model's name (its row in `rm_models`).
    public var name: String
    /// The version of the logic that fills the table: a table of another version is never read.
    public var logicVersion: Int
    /// The table's name; it starts with ``Ledger/derivedTablePrefix``.
    public var table: String
    public var keyColumn: String
    public var partColumn: String
    public var columns: [Column]
    /// The streams whose names, after this prefix, are the keys (`person/`).
    public var keyStreamPrefix: String
    /// Whether each row also holds a document: bytes the model encodes (a person's register
    /// entry), in a last column named `document`.
    public var document: Bool
    /// Where a model is kept as documents at the head (a PostgreSQL schema): the fields, arrays
    /// of strings, its documents are found by (``DocumentFilter/listing(_:in:)``), each indexed.
    public var listedFields: [String]
    /// Whether the table keeps its rows in part order first, then by key (a second index finds
    /// a key's rows): for a model whose commonest change rewrites one part of thousands of keys
    /// (a debit request, the head of each payer it asked), those rows lie together on a few
    /// pages rather than among every key's other parts, so a commit writes a fraction of the
    /// table.
    public var partFirst: Bool

    public init(
        name: String, logicVersion: Int, table: String, keyColumn: String, partColumn: String, columns: [Column],
        keyStreamPrefix: String, document: Bool = false, listedFields: [String] = [], partFirst: Bool = false
    ) {
        self.partFirst = partFirst
        self.document = document
        self.listedFields = listedFields
        self.name = name
        self.logicVersion = logicVersion
        self.table = table
        self.keyColumn = keyColumn
        self.partColumn = partColumn
        self.columns = columns
        self.keyStreamPrefix = keyStreamPrefix
    }
}

/// One row of a read model's table: the key, the part, then the columns in the schema's order,
/// and the document when the schema has one.
public struct ReadModelRow: Sendable, Hashable {
    public var key: String
    public var part: Int64
    public var values: [Int64?]
    public var document: [UInt8]?

    public init(key: String, part: Int64, values: [Int64?], document: [UInt8]? = nil) {
        self.key = key
        self.part = part
        self.values = values
        self.document = document
    }
}

/// The position and logic version a read model's table reflects.
public struct ReadModelState: Sendable, Hashable {
    public var logicVersion: Int
    public var position: Int64

    public init(logicVersion: Int, position: Int64) {
        self.logicVersion = logicVersion
        self.position = position
    }
}

/// A snapshot of a read model's table kept at a position.
public struct ReadModelSnapshot: Sendable, Hashable, Codable {
    public var position: Int64
    public var logicVersion: Int
    public var rows: Int
    /// Stored (compressed) bytes.
    public var bytes: Int

    public init(position: Int64, logicVersion: Int, rows: Int, bytes: Int) {
        (self.position, self.logicVersion, self.rows, self.bytes) = (position, logicVersion, rows, bytes)
    }
}

/// Which of a read model's tables: the maintained one, or one being rebuilt beside it.
public enum ReadModelTable: Sendable, Hashable {
    case maintained, rebuilt
}

/// A condition on one integer column of a read model's rows (a NULL meets none).
public enum ReadModelCondition: Sendable, Hashable {
    /// The column holds a value below this one.
    case below(String, Int64)
    /// The column holds a value above this one.
    case above(String, Int64)

    public var column: String {
        switch self {
        case .below(let column, _), .above(let column, _): column
        }
    }
}

/// Read models kept beside the events and read or written in one transaction with them
/// (``ReadModelTransaction``), so a table written there reflects exactly the head it read.
public protocol ReadModelStore: Sendable {
    /// One read transaction: the events and the tables as one consistent state.
    func readingModel<T>(_ schema: ReadModelSchema, _ body: (any ReadModelTransaction) throws -> T) throws -> T
    /// One write transaction, committed when `body` returns and rolled back when it throws.
    func writingModel<T>(_ schema: ReadModelSchema, _ body: (any ReadModelTransaction) throws -> T) throws -> T
}

/// The work of one transaction on a read model's tables and the events they are folded from.
/// Snapshots and deltas are bytes the caller encodes; the store compresses them.
public protocol ReadModelTransaction {
    var schema: ReadModelSchema { get }
    /// The same transaction on another model's tables: models rebuilt together from one read of
    /// the ledger, in one transaction.
    func sibling(_ schema: ReadModelSchema) -> any ReadModelTransaction

    // MARK: The events, as this transaction sees them

    /// The head this transaction sees.
    func head() throws -> Int64
    func forEachEvent(_ query: EventQuery, _ body: (borrowing EventView) throws -> Void) throws
    /// The keys of every stream under the schema's prefix, in order.
    func keys() throws -> [String]
    /// The keys whose streams gained events in `(after, through]`, in order.
    func keysChanged(after: Int64, through: Int64) throws -> [String]
    /// The version each key's stream had reached at a position (0 for a stream with no event by
    /// then), in the keys' order: what a fill that reads only some types of a stream's events
    /// records as the version it reflects.
    func streamVersions(of keys: [String], through: Int64) throws -> [Int64]
    /// The last position of the command holding each multiple of `interval` below `head` (so a
    /// snapshot there never splits a command), ascending and distinct.
    func commandEnds(every interval: Int64, through head: Int64) throws -> [Int64]

    // MARK: The tables

    /// The model's state, or `nil` when it has none.
    func state() throws -> ReadModelState?
    /// Records that the table reflects `position` under the schema's logic version.
    func setPosition(_ position: Int64) throws
    /// Makes the tables when missing.
    func createTables() throws
    /// Drops a table and makes it again, empty (its columns as the schema has them now).
    func recreate(_ table: ReadModelTable) throws
    /// Drops the rebuilt table, if there is one.
    func dropRebuilt() throws
    /// Replaces the maintained table by the rebuilt one.
    func swapInRebuilt() throws
    func deleteRows(of key: String) throws
    func insert(_ rows: [ReadModelRow], into table: ReadModelTable) throws
    /// Writes rows into the maintained table, each replacing the row of its key and part.
    func replace(_ rows: [ReadModelRow]) throws
    /// Calls `body` with rows by key and part: every row, one key's, one part's of every key, or
    /// one key's row of one part.
    func forEachRow(in table: ReadModelTable, key: String?, part: Int64?, _ body: (ReadModelRow) throws -> Void)
        throws
    /// Calls `body` with the rows of some keys (of one part, or every part), by key and part: a
    /// lookup each for a few keys, one pass over the table for many.
    func forEachRow(in table: ReadModelTable, keys: Set<String>, part: Int64?, _ body: (ReadModelRow) throws -> Void)
        throws
    /// The maintained table's rows whose `column` (an indexed one) holds `value`, by key and part.
    func forEachRow(
        in table: ReadModelTable, where column: String, equals value: Int64, _ body: (ReadModelRow) throws -> Void
    ) throws
    /// Calls `body` with the rows whose span holds `value`: the column `from` at most `value`,
    /// and the column `until` NULL (open) or above it — by key and part.
    func forEachRow(
        in table: ReadModelTable, holding value: Int64, from: String, until: String,
        _ body: (ReadModelRow) throws -> Void) throws
    /// Calls `body` with the maintained table's rows that meet at least one of `conditions`, by
    /// key and part: the store picks them out, so a question that needs a few rows of a large
    /// table decodes only those.
    func forEachRow(
        in table: ReadModelTable, meetingAny conditions: [ReadModelCondition], _ body: (ReadModelRow) throws -> Void)
        throws
    func count() throws -> Int
    /// The keys and parts of rows that differ between the maintained and the rebuilt tables
    /// (either side lacking one included), compared in the store, in order.
    func differences() throws -> [(key: String, part: Int64)]

    // MARK: Snapshots and deltas

    /// The snapshots kept, of every logic version, by position.
    func snapshots() throws -> [ReadModelSnapshot]
    func writeSnapshot(position: Int64, rows: Int, bytes: [UInt8]) throws
    /// A snapshot's bytes (of the schema's logic version), as written.
    func snapshot(at position: Int64) throws -> [UInt8]
    func writeDelta(since: Int64, position: Int64, keys: Int, bytes: [UInt8]) throws
    /// The deltas of the schema's logic version in `(after, through]`: where each ends and starts.
    func deltas(after: Int64, through: Int64) throws -> [(position: Int64, since: Int64)]
    func delta(at position: Int64) throws -> [UInt8]
    /// How many deltas of the schema's logic version are kept, and their stored bytes.
    func deltaTotals() throws -> (count: Int, bytes: Int)
    /// Drops the snapshots and deltas of other logic versions.
    func dropOtherLogic() throws
    /// Drops every snapshot and delta of the model.
    func dropHistory() throws
}

/// A read model kept as one table of documents (JSON) at the head, in its own transactions
/// apart from the appends.
public protocol HeadReadModelStore: Sendable {
    func readModelState(_ schema: ReadModelSchema) throws -> ReadModelState?
    /// Replaces the rows of `keys` (every row when `nil`) and records `position`, unless the
    /// table reflects that position or a later one already; in the same transaction, and only
    /// when it writes the rows, keeps `history` (of the schema's logic version). Replacing every
    /// row drops the history of other logic versions.
    func storeReadModel(
        _ schema: ReadModelSchema, documents: [(key: String, part: Int64, json: [UInt8])], replacing keys: [String]?,
        position: Int64, history: ReadModelHistory) throws
    /// Replaces every row with those `fill` hands to `write`, a batch at a time, and records
    /// `position` and the history `fill` returns (as ``storeReadModel(_:documents:replacing:position:history:)``
    /// does with `replacing: nil`), all in one transaction: a reader sees the old rows or the new,
    /// never a mix, and the new are never held whole. `fill` may read this store meanwhile (its
    /// events, and the rows as they were before), but must not write a read model through it.
    func replaceReadModel(
        _ schema: ReadModelSchema, position: Int64,
        _ fill: (_ write: ([(key: String, part: Int64, json: [UInt8])]) throws -> Void) throws -> ReadModelHistory
    ) throws
    /// The snapshots kept of the model, of every logic version, by position.
    func readModelSnapshots(_ schema: ReadModelSchema) throws -> [ReadModelSnapshot]
    /// A snapshot's bytes (of the schema's logic version), as written.
    func readModelSnapshot(_ schema: ReadModelSchema, at position: Int64) throws -> [UInt8]
    /// The deltas of the schema's logic version in `(after, through]`: where each ends and starts.
    func readModelDeltas(_ schema: ReadModelSchema, after: Int64, through: Int64) throws
        -> [(position: Int64, since: Int64)]
    /// A delta's bytes (of the schema's logic version), as written.
    func readModelDelta(_ schema: ReadModelSchema, at position: Int64) throws -> [UInt8]
    /// How many deltas of the schema's logic version are kept, and their stored bytes.
    func readModelDeltaTotals(_ schema: ReadModelSchema) throws -> (count: Int, bytes: Int)
    /// The documents of one key, by part.
    func readModelDocuments(_ schema: ReadModelSchema, key: String) throws -> [[UInt8]]
    /// Where the model stands and the documents `filter` selects, in one snapshot: only those are
    /// read and sent — each whole, or only its string field `field` (its bytes) when given.
    func readModel(_ schema: ReadModelSchema, _ filter: DocumentFilter, field: String?) throws
        -> (state: ReadModelState?, documents: [[UInt8]])
    func readModelCount(_ schema: ReadModelSchema) throws -> Int
}

/// The past of a read model kept at the head, written with its rows (``HeadReadModelStore``): a
/// snapshot is every row at a position, a delta what changed between two positions, each in the
/// model's own encoding (compressed by the store), as a file keeps them beside its tables.
public struct ReadModelHistory: Sendable {
    public var snapshots: [(position: Int64, rows: Int, bytes: [UInt8])]
    public var deltas: [(since: Int64, position: Int64, keys: Int, bytes: [UInt8])]
    /// Drops every snapshot and delta kept before these are written: a fresh history replaces it.
    public var replacesHistory: Bool

    public init(
        snapshots: [(position: Int64, rows: Int, bytes: [UInt8])] = [],
        deltas: [(since: Int64, position: Int64, keys: Int, bytes: [UInt8])] = [], replacesHistory: Bool = false
    ) {
        self.snapshots = snapshots
        self.deltas = deltas
        self.replacesHistory = replacesHistory
    }

    /// Nothing kept beside the rows.
    public static let none = ReadModelHistory()
}

extension HeadReadModelStore {
    /// Replaces the rows as ``storeReadModel(_:documents:replacing:position:history:)`` does,
    /// keeping no history beside them.
    public func storeReadModel(
        _ schema: ReadModelSchema, documents: [(key: String, part: Int64, json: [UInt8])], replacing keys: [String]?,
        position: Int64
    ) throws {
        try storeReadModel(schema, documents: documents, replacing: keys, position: position, history: .none)
    }

    /// Where the model stands and every document (by key and part), read in one snapshot: a
    /// catch-up committed meanwhile shows in both or in neither.
    public func readModel(_ schema: ReadModelSchema) throws -> (state: ReadModelState?, documents: [[UInt8]]) {
        try readModel(schema, .all, field: nil)
    }
}

/// Which of a model's documents (kept at the head) a query reads.
public enum DocumentFilter: Sendable, Hashable {
    /// Every document.
    case all
    /// The documents of these keys.
    case keys([String])
    /// The documents whose integer field `from` is at most `value` and whose field `until` is
    /// missing (open) or above it.
    case holding(Int64, from: String, until: String)
    /// The documents whose field `field`, an array of strings, holds `value`.
    case listing(String, in: String)
    /// The documents that meet at least one of the conditions.
    case meetingAny([DocumentCondition])
    /// The documents of one part (a fiscal year) of every key.
    case part(Int64)
    /// The documents whose key is at least `from` and before `before`, byte by byte (`nil`: no
    /// bound): a model read a slice of keys at a time, every document in exactly one slice.
    case keyRange(from: String?, before: String?)
}

/// A condition on one field of a document (a field missing or null meets none).
public enum DocumentCondition: Sendable, Hashable {
    /// An integer field above this value.
    case above(String, Int64)
    /// A text field before this text, byte by byte (an ISO date before a day).
    case before(String, String)

    public var field: String {
        switch self {
        case .above(let field, _), .before(let field, _): field
        }
    }
}
