import Foundation
import GRDB

/// Which commands store their chain hash, and the chain's head kept beside the rows (schema
/// version v12).
///
/// Every event has a chain hash. A command stores its hash on its last event only when that
/// event lies ``hashInterval`` positions or more past the last stored hash; the hashes between
/// are computed on the way from the last stored one, as a command's other events' hashes are.
/// Ten years of a city have about 2.7 million single-event commands: their 32 bytes each were 7
/// bytes an event of the file. Now a stored hash covers at most 31 events of other commands
/// before its own command's, and that is how closely `verify` can name where an altered row lies.
///
/// So that no command goes unchecked, the chain's head (position and hash, and the last position
/// that stores a hash) is kept in `koki_chain_head`, rewritten by every append in the same
/// transaction: an append continues the chain from it without computing or searching anything,
/// and `verify` holds the chain it computes to it. The
/// row is state, not history, like the keys: it is checked against the rows, never trusted over
/// them.
extension Ledger {
    /// The `koki_meta` key naming the first command recorded under the rule (the commands before
    /// it each store their hash).
    static let sparseHashesKey = "hashes_sparse_from"

    /// A command stores its hash when its last event lies this many positions or more past the
    /// last stored hash.
    static let hashInterval: Int64 = 32

    /// Whether command `seq`, whose last event is at `lastPosition`, stores its hash there, the
    /// last hash before it being stored at `lastStored` (0: none).
    func storesHash(seq: Int64, lastPosition: Int64, lastStored: Int64) -> Bool {
        seq < sparseHashesFrom || lastPosition - lastStored >= Self.hashInterval
    }

    /// The last command's end through `position` that stores a hash, as far as the rule needs to
    /// know it: a position ``hashInterval`` or more back stands for any older one. (What the
    /// head's record says, found from the rows when there is no record to go by.)
    static func lastStoredHash(_ db: Database, through position: Int64) throws -> Int64 {
        let window = max(0, position - hashInterval)
        return try Int64.fetchOne(
            try db.cachedStatement(
                sql: """
                    SELECT e.position FROM koki_events e JOIN koki_commands c ON c.seq = e.command_seq
                    WHERE e.position > ? AND e.position <= ? AND length(e.hash) > 0
                        AND e.position = c.first_position + c.event_count - 1
                    ORDER BY e.position DESC LIMIT 1
                    """), arguments: [window, position]) ?? window
    }

    /// The first command recorded under the rule (`Int64.max` for a ledger that has none).
    static func sparseHashesFrom(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM koki_meta WHERE key = ?", arguments: [sparseHashesKey])
            ?? .max
    }

    /// The head recorded at the last append, if any.
    static func recordedHead(_ db: Database) throws -> LedgerHead? {
        try recordedHeadAndLastStored(db)?.head
    }

    /// The head recorded at the last append and the last position that stores a hash then; `nil`
    /// when there is no record, or none that reads as one (integers and a 32-byte hash: the file
    /// may have been written by hand).
    static func recordedHeadAndLastStored(_ db: Database) throws -> (head: LedgerHead, lastStored: Int64)? {
        guard
            let row = try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT position, hash, last_stored FROM koki_chain_head WHERE id = 1")),
            let position = Int64.fromDatabaseValue(row[0] as DatabaseValue),
            let hash = Data.fromDatabaseValue(row[1] as DatabaseValue), hash.count == 32,
            let lastStored = Int64.fromDatabaseValue(row[2] as DatabaseValue)
        else { return nil }
        return (LedgerHead(position: position, hash: Array(hash)), lastStored)
    }

    /// Records the chain's head and the last position that stores a hash, in the transaction
    /// that made them so.
    static func recordHead(_ db: Database, _ head: LedgerHead, lastStored: Int64) throws {
        // Bound directly: every append records it.
        let record = RawStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO koki_chain_head(id, position, hash, last_stored) VALUES (1, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE
                    SET position = excluded.position, hash = excluded.hash, last_stored = excluded.last_stored
                    """), db)
        defer { record.reset() }
        record.bind(1, head.position)
        record.bind(2, head.hash)
        record.bind(3, lastStored)
        _ = try record.step()
    }

    /// The chain's hash after the event at `position` (the genesis hash at 0): the hash stored
    /// there, the recorded head's, or computed from the last hash stored before it, over at most
    /// 15 commands of at most 15 events. The caller makes sure `position` is not past the last row.
    func chainHash(_ db: Database, through position: Int64) throws -> [UInt8] {
        guard position > 0 else { return genesisHash }
        if let recorded = try Self.recordedHead(db), recorded.position == position {
            return recorded.hash
        }
        let anchor = try Row.fetchOne(
            try db.cachedStatement(
                sql: """
                    SELECT position, hash FROM koki_events WHERE position <= ? AND length(hash) > 0
                    ORDER BY position DESC LIMIT 1
                    """), arguments: [position])
        var previous = anchor.map { Array(($0[1] as Data?) ?? Data()) } ?? genesisHash
        let from: Int64 = (anchor?[0] ?? 0) + 1
        guard from <= position else { return previous }
        var hasher = RowHasher()
        try storedRows(db, from: from, through: position) { row in previous = hasher.digest(row, previous) }
        return previous
    }

    /// The rows from `from` through `through` as stored (their own hashes, or none), in order.
    func storedRows(_ db: Database, from: Int64, through: Int64 = .max, _ body: (StoredRow) throws -> Void) throws {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT e.position, s.name, e.stream_version, t.name, e.schema_version, c.seq, c.command_id,
                    COALESCE(a.name, c.actor), c.recorded_at, COALESCE(c.correlation_id, r.name), c.causation_id,
                    c.first_position, c.event_count, e.encoding, e.payload, e.hash
                FROM koki_events e JOIN koki_streams s ON s.id = e.stream_id
                JOIN koki_event_types t ON t.id = e.type_id JOIN koki_commands c ON c.seq = e.command_seq
                LEFT JOIN koki_actors a ON a.id = c.actor_id LEFT JOIN koki_correlations r ON r.id = c.correlation_ref
                WHERE e.position BETWEEN ? AND ? ORDER BY e.position
                """, arguments: [from, through])
        func identifier(_ data: Data?) -> Identifier? {
            guard let data, data.count == 16 else { return nil }
            return data.withUnsafeBytes { Identifier(bytes: $0) }
        }
        while let row = try rows.next() {
            guard let commandID = identifier(row[6]) else {
                throw LedgerError(.damaged, "command \(row[5] as Int64) has no 16-byte command id")
            }
            let payload: Data = row[14]
            let hash: Data = row[15]
            try body(
                StoredRow(
                    position: row[0], stream: row[1], streamVersion: row[2], type: row[3], schemaVersion: row[4],
                    command: CommandEnvelope(
                        sequence: row[5], commandID: commandID, actor: row[7],
                        recordedAt: Timestamp(microseconds: row[8]), correlationID: identifier(row[9]),
                        causationID: identifier(row[10]), firstPosition: row[11], eventCount: row[12]),
                    encoding: row[13], payload: Array(payload), hash: Array(hash)))
        }
    }
}
