import Foundation
import GRDB

extension Ledger {
    /// Writes the ledger as it stood when `position` was its head into a new file: the same
    /// ledger id, events, envelopes and hashes up to that position (so it verifies on its own),
    /// marked as a replay so it opens only read-only. Subject keys are copied, so sealed data
    /// reads as it does here — erasing a person must also erase or delete such copies.
    ///
    /// Derived tables describe this ledger's head, so the copy starts without them; `prepare`
    /// gets the copy opened read-write before it is marked, to build its own (the read models as
    /// they stood at `position`).
    public func writePrefix(
        through position: Int64, to destination: String, prepare: ((Ledger) throws -> Void)? = nil
    ) throws {
        let label = path ?? ":memory:"
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw LedgerError(.alreadyExists, "\(destination) already exists")
        }
        let head = try self.head().position
        guard (0...head).contains(position) else {
            throw LedgerError(.invalidInput, "position \(position) is beyond the head (\(head)) of \(label)")
        }
        let boundary = try reading { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT first_position, event_count FROM koki_commands WHERE first_position <= ? ORDER BY first_position DESC LIMIT 1",
                arguments: [position])
        }
        if let boundary {
            let first: Int64 = boundary["first_position"]
            let last = first + (boundary["event_count"] as Int64) - 1
            guard last <= position else {
                throw LedgerError(
                    .invalidInput,
                    "position \(position) is inside a command (positions \(first)–\(last)): the ledger stood at \(first - 1) or \(last)"
                )
            }
        }
        // The copy's head is the chain's hash at `position`, as the copy's last append would have recorded it.
        let headHash = try hash(at: position)
        do {
            try queue.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [destination]) }
            let copy = try DatabaseQueue(path: destination)
            try copy.writeWithoutTransaction { db in
                try db.inTransaction {
                    // The seals of the commands cut off go with them: the copy's seals end where it ends.
                    let tables = ["koki_events", "koki_commands", "koki_command_seals"]
                    for table in tables {
                        try db.execute(sql: "DROP TRIGGER \(table)_refuse_delete")
                    }
                    try db.execute(sql: "DELETE FROM koki_events WHERE position > ?", arguments: [position])
                    try db.execute(sql: "DELETE FROM koki_commands WHERE first_position > ?", arguments: [position])
                    try db.execute(
                        sql: "DELETE FROM koki_command_seals WHERE seq > (SELECT COALESCE(MAX(seq), 0) FROM koki_commands)")
                    if let headHash {
                        try Self.recordHead(
                            db, LedgerHead(position: position, hash: headHash),
                            lastStored: Self.lastStoredHash(db, through: position))
                    } else {
                        try db.execute(sql: "DELETE FROM koki_chain_head")
                    }
                    for table in tables {
                        try db.execute(
                            sql: """
                                CREATE TRIGGER \(table)_refuse_delete BEFORE DELETE ON \(table)
                                BEGIN SELECT RAISE(ABORT, 'koki ledger is append-only: DELETE on \(table) refused'); END;
                                """)
                    }
                    // Read models and snapshots describe a later head: the copy has none.
                    let derived = try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 3) = ?",
                        arguments: [Ledger.derivedTablePrefix])
                    for table in derived { try db.execute(sql: "DROP TABLE \(table)") }
                    return .commit
                }
            }
            if let prepare {
                try prepare(try Ledger.open(at: destination, mode: .readWrite, clock: clock))
            }
            try copy.writeWithoutTransaction { db in
                try db.execute(
                    sql: "INSERT INTO koki_meta(key, value) VALUES ('replayed_through', ?)",
                    arguments: [Data(String(position).utf8)])
                if let path {
                    // Who may read the copy, and the record of their reading it, is the source's.
                    try db.execute(
                        sql: "INSERT INTO koki_meta(key, value) VALUES ('replayed_from', ?)",
                        arguments: [Data(URL(fileURLWithPath: path).standardizedFileURL.path.utf8)])
                }
                // One self-contained file, readable by a read-only connection with no -wal beside it.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                try db.execute(sql: "VACUUM")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw LedgerError.wrap(error, path: destination)
        }
    }
}

extension Ledger {
    /// For a replay copy (``writePrefix(through:to:prepare:)``): the position it stops at and the
    /// ledger it was copied from; `nil` for a ledger itself.
    public func replayOrigin() throws -> (through: Int64, source: String?)? {
        try guarded {
            try reading { db in
                guard
                    let through = try Data.fetchOne(
                        db, sql: "SELECT value FROM koki_meta WHERE key = 'replayed_through'"),
                    let position = Int64(String(decoding: through, as: UTF8.self))
                else { return nil }
                let source = try Data.fetchOne(db, sql: "SELECT value FROM koki_meta WHERE key = 'replayed_from'")
                return (position, source.map { String(decoding: $0, as: UTF8.self) })
            }
        }
    }

    /// The head as it was at a recorded moment: the last position of the last command recorded
    /// at or before `time` (0 when none was).
    public func position(recordedBy time: Timestamp) throws -> Int64 {
        try guarded {
            try reading { db in
                try Int64.fetchOne(
                    db, sql: "SELECT MAX(first_position + event_count - 1) FROM koki_commands WHERE recorded_at <= ?",
                    arguments: [time.microseconds]) ?? 0
            }
        }
    }
}

extension Ledger: ReplayCopyStore, LedgerStorage {
    public func verifyReplayCopy(at destination: String) throws -> VerifyReport {
        try Ledger.open(at: destination, mode: .readOnly).verify()
    }

    public func writeReplayCopy(
        through position: Int64, to destination: String, prepare: (LedgerPorts) throws -> Void
    ) throws {
        try withoutActuallyEscaping(prepare) { prepare in
            try writePrefix(through: position, to: destination) { copy in try prepare(copy.ports) }
        }
    }

    /// Every port of this file: events, keys, credentials, sessions, read models, replay copies.
    public var ports: LedgerPorts {
        LedgerPorts(
            events: self, keys: self, credentials: self, sessions: self, readModels: .beside(self), replayCopies: self)
    }
}
