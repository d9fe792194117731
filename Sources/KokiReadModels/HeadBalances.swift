import Foundation
import KokiDomain
import KokiProjections
import LedgerStore

/// The balances read model kept at the head only (a PostgreSQL ledger's schema): one document
/// per person and fiscal year (the row as JSON), and the position and logic version it
/// reflects. The store brings it up to a position in one transaction, so a query never sees
/// half a command.
struct HeadBalances {
    let store: any HeadReadModelStore

    /// The position and logic version the table reflects, if it exists.
    func model() throws -> (position: Int64, logicVersion: Int)? {
        try store.readModelState(StoredBalances.schema).map { ($0.position, $0.logicVersion) }
    }

    /// Replaces the rows of `persons` (every row when `nil`) and records the position, unless
    /// someone brought the table further already; keeps `history` with them (only if they are
    /// written).
    func store(
        _ rows: [YearBalance], replacing persons: [PersonID]?, position: Int64, history: ReadModelHistory = .none
    ) throws {
        let encoder = JSONEncoder()
        try store.storeReadModel(
            StoredBalances.schema, documents: try rows.map { try Self.document($0, encoder) },
            replacing: persons?.map(\.value), position: position,
            history: history)
    }

    /// Replaces every row with those `fill` hands to `write`, a slice at a time, and records the
    /// position and the history `fill` returns, in one transaction
    /// (``LedgerStore/HeadReadModelStore/replaceReadModel(_:position:_:)``).
    func replace(position: Int64, _ fill: (_ write: ([YearBalance]) throws -> Void) throws -> ReadModelHistory) throws {
        let encoder = JSONEncoder()
        try store.replaceReadModel(StoredBalances.schema, position: position) { write in
            try withoutActuallyEscaping(write) { write in
                try fill { rows in
                    try write(try rows.map { try Self.document($0, encoder) })
                }
            }
        }
    }

    /// A row as its document: keyed by person and fiscal year, the row as JSON.
    private static func document(_ row: YearBalance, _ encoder: JSONEncoder) throws -> (
        key: String, part: Int64, json: [UInt8]
    ) {
        (row.person.value, Int64(row.fiscalYear.year), Array(try encoder.encode(row)))
    }

    /// The snapshots kept of this logic version, by position.
    func snapshots() throws -> [ReadModelSnapshot] {
        try store.readModelSnapshots(StoredBalances.schema).filter { $0.logicVersion == YearBalance.logicVersion }
    }

    /// The rows as the table stood at `position`, from the newest snapshot at or before it and
    /// the deltas after it that follow on without a gap (``StoredBalances/history(snapshot:at:deltas:delta:)``);
    /// `nil` without such a snapshot. Also the snapshot's position, where the deltas reached and
    /// how many were applied: the persons whose streams changed after that are the caller's to
    /// fold again.
    func past(through position: Int64) throws -> (
        rows: [PersonID: [YearBalance]], snapshot: Int64, reached: Int64, deltas: Int
    )? {
        guard let snapshot = try snapshots().last(where: { $0.position <= position }) else { return nil }
        let schema = StoredBalances.schema
        let kept = try StoredBalances.history(
            snapshot: try store.readModelSnapshot(schema, at: snapshot.position), at: snapshot.position,
            deltas: try store.readModelDeltas(schema, after: snapshot.position, through: position),
            delta: { try store.readModelDelta(schema, at: $0) })
        return (kept.rows, snapshot.position, kept.reached, kept.applied)
    }

    /// How many deltas of this logic version are kept, and their stored bytes.
    func deltaTotals() throws -> (count: Int, bytes: Int) {
        try store.readModelDeltaTotals(StoredBalances.schema)
    }

    /// One person's rows, by fiscal year (everyone's: ``kept()``).
    func rows(of person: PersonID) throws -> [YearBalance] {
        let decoder = JSONDecoder()
        return try store.readModelDocuments(StoredBalances.schema, key: person.value)
            .map { try decoder.decode(YearBalance.self, from: Data($0)) }
            .sorted { $0.fiscalYear.year < $1.fiscalYear.year }
    }

    /// Where the table stands and every row (or those the filter selects), by person and fiscal
    /// year, read in one snapshot (a catch-up committed meanwhile shows in both or in neither);
    /// `nil` when there is no table.
    func kept(_ filter: DocumentFilter = .all) throws -> (position: Int64, logicVersion: Int, rows: [YearBalance])? {
        let read = try store.readModel(StoredBalances.schema, filter, field: nil)
        guard let state = read.state else { return nil }
        let decoder = JSONDecoder()
        let rows = try read.documents.map { try decoder.decode(YearBalance.self, from: Data($0)) }
            .sorted { ($0.person, $0.fiscalYear.year) < ($1.person, $1.fiscalYear.year) }
        return (state.position, state.logicVersion, rows)
    }

    func count() throws -> Int { try store.readModelCount(StoredBalances.schema) }
}
