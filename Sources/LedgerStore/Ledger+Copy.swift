import Foundation
import GRDB

extension Ledger: EventStore {
    public func verifyChain() throws -> VerifyReport { try verify(checkFile: true) }

    public var location: String { path ?? ":memory:" }

    /// Every row from `position` on as stored, except that each command's last row carries the
    /// command's hash, stored or computed (see ``storesHash(seq:lastPosition:lastStored:)``): the rows as every
    /// store reads them, whichever of them it stores.
    public func forEachStoredRow(from position: Int64, _ body: (StoredRow) throws -> Void) throws {
        try guarded {
            try reading { db in
                var previous = try chainHash(db, through: max(position, 1) - 1)
                var hasher = RowHasher()
                try storedRows(db, from: position) { stored in
                    var row = stored
                    previous = hasher.digest(row, previous)
                    if row.keepsHash, row.hash.isEmpty { row.hash = previous }
                    try body(row)
                }
            }
        }
    }

    public func importRows(_ rows: [StoredRow]) throws {
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(path ?? ":memory:") was opened read-only") }
        guard !rows.isEmpty else { return }
        try guarded {
            var newNames = NameCache()
            try queue.writeWithoutTransaction { db in
                try allOrNothing(db) {
                    newNames = NameCache()
                    let head = try Row.fetchOne(
                        db, sql: "SELECT position, command_seq FROM koki_events ORDER BY position DESC LIMIT 1")
                    var check = ChainCheck(
                        after: LedgerHead(
                            position: head?[0] ?? 0, hash: try chainHash(db, through: head?[0] ?? 0)),
                        versions: [:], lastCommand: head?[1] ?? 0)
                    var lastCommand: Int64 = head?[1] ?? 0
                    var lastStored = try Self.lastStoredHash(db, through: head?[0] ?? 0)
                    // Copied commands are sealed under this ledger's key as they arrive.
                    let key = chainKey.withLock { $0 }
                    if key == nil, try Self.isKeyed(db) {
                        throw LedgerError(
                            .keyRequired, "\(path ?? ":memory:") seals its commands: copying into it needs the master key")
                    }
                    var previousSeal =
                        try Data.fetchOne(
                            db, sql: "SELECT seal FROM koki_command_seals WHERE seq = ?", arguments: [lastCommand]
                        ).map(Array.init) ?? ChainKey.genesisSeal
                    for row in rows {
                        if !check.knowsVersion(of: row.stream) {
                            let version =
                                try Int64.fetchOne(
                                    db,
                                    sql: """
                                        SELECT MAX(e.stream_version) FROM koki_events e JOIN koki_streams s ON s.id = e.stream_id
                                        WHERE s.name = ?
                                        """, arguments: [row.stream]) ?? 0
                            check.knowVersion(of: row.stream, version)
                        }
                        if let problem = check.check(row) {
                            throw LedgerError(.invalidInput, "the rows do not continue this ledger: \(problem)")
                        }
                        if row.command.sequence != lastCommand {
                            try insertCommand(
                                db, sequence: row.command.sequence, commandID: row.command.commandID.bytes,
                                actor: row.command.actor, recordedAt: row.command.recordedAt.microseconds,
                                correlationID: row.command.correlationID?.bytes,
                                causationID: row.command.causationID?.bytes, firstPosition: row.command.firstPosition,
                                eventCount: row.command.eventCount, newNames: &newNames)
                            lastCommand = row.command.sequence
                        }
                        let storesHash =
                            row.keepsHash
                            && storesHash(seq: row.command.sequence, lastPosition: row.position, lastStored: lastStored)
                        if storesHash { lastStored = row.position }
                        let stream = try resolveForImport(db, .stream, row.stream, &newNames)
                        let type = try resolveForImport(db, .eventType, row.type, &newNames)
                        try db.execute(
                            sql: """
                                INSERT INTO koki_events(position, stream_id, stream_version, type_id, schema_version,
                                    command_seq, encoding, payload, hash)
                                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, X''))
                                """,
                            arguments: [
                                row.position, stream, row.streamVersion, type, row.schemaVersion, row.command.sequence,
                                // Stored as this build stores it: on the last event of a command that keeps it.
                                row.encoding, Data(row.payload), storesHash ? Data(row.hash) : Data(),
                            ])
                        if let key, row.keepsHash {
                            previousSeal = key.seal(
                                previous: previousSeal, seq: row.command.sequence,
                                firstPosition: row.command.firstPosition, eventCount: row.command.eventCount,
                                lastHash: row.hash)
                            try db.execute(
                                sql: "INSERT INTO koki_command_seals(seq, seal) VALUES (?, ?)",
                                arguments: [row.command.sequence, Data(previousSeal)])
                        }
                    }
                    if let problem = check.endProblem {
                        throw LedgerError(.invalidInput, "the rows do not continue this ledger: \(problem)")
                    }
                    try Self.recordHead(db, check.head, lastStored: lastStored)
                    return .commit
                }
                // A group writing behind decides from what it keeps of the streams, the commands
                // and the chain: read again, with the rows copied in.
                if let behind = behind.withLock({ $0 }) {
                    let state = try behindState(db)
                    behind.state.withLock { $0 = state }
                }
            }
        }
    }

    private func resolveForImport(_ db: Database, _ kind: NameKind, _ name: String, _ newNames: inout NameCache) throws
        -> Int64
    {
        if let id = newNames.id(kind, name) { return id }
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM \(kind.table) WHERE name = ?", arguments: [name]) {
            return id
        }
        try db.execute(sql: "INSERT INTO \(kind.table)(name) VALUES (?)", arguments: [name])
        newNames.remember(kind, name, db.lastInsertedRowID)
        return db.lastInsertedRowID
    }
}
