import Foundation
import GRDB

extension Ledger: EventStore {
    public func verifyChain() throws -> VerifyReport { try verify(checkFile: true) }

    public var location: String { path ?? ":memory:" }

    public func forEachStoredRow(from position: Int64, _ body: (StoredRow) throws -> Void) throws {
        try guarded {
            try reading { db in
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT e.position, s.name, e.stream_version, t.name, e.schema_version, c.seq, c.command_id,
                            COALESCE(a.name, c.actor), c.recorded_at, COALESCE(c.correlation_id, r.name), c.causation_id,
                            c.first_position, c.event_count, e.encoding, e.payload, e.hash
                        FROM koki_events e JOIN koki_streams s ON s.id = e.stream_id
                        JOIN koki_event_types t ON t.id = e.type_id JOIN koki_commands c ON c.seq = e.command_seq
                        LEFT JOIN koki_actors a ON a.id = c.actor_id LEFT JOIN koki_correlations r ON r.id = c.correlation_ref
                        WHERE e.position >= ? ORDER BY e.position
                        """, arguments: [position])
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
                            position: row[0], stream: row[1], streamVersion: row[2], type: row[3],
                            schemaVersion: row[4],
                            command: CommandEnvelope(
                                sequence: row[5], commandID: commandID, actor: row[7],
                                recordedAt: Timestamp(microseconds: row[8]), correlationID: identifier(row[9]),
                                causationID: identifier(row[10]), firstPosition: row[11], eventCount: row[12]),
                            encoding: row[13], payload: Array(payload), hash: Array(hash)))
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
                try db.inTransaction(.immediate) {
                    newNames = NameCache()
                    let head = try Row.fetchOne(
                        db, sql: "SELECT position, hash, command_seq FROM koki_events ORDER BY position DESC LIMIT 1")
                    var check = ChainCheck(
                        after: LedgerHead(
                            position: head?[0] ?? 0, hash: head.map { Array($0[1] as Data) } ?? genesisHash),
                        versions: [:], lastCommand: head?[2] ?? 0)
                    var lastCommand: Int64 = head?[2] ?? 0
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
                                // Stored as this build stores it: the hash on the command's last event only.
                                row.encoding, Data(row.payload), row.keepsHash ? Data(row.hash) : Data(),
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
                    return .commit
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
