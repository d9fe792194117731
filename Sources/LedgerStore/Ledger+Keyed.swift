import Foundation
import GRDB

extension Ledger {
    /// Whether the file's commands are sealed (its `keyed_chain` row).
    static func isKeyed(_ db: Database) throws -> Bool {
        try Bool.fetchOne(
            try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM koki_meta WHERE key = 'keyed_chain')")) ?? false
    }

    public func isKeyed() throws -> Bool { try guarded { try reading { try Self.isKeyed($0) } } }

    public func useChainKey(_ key: ChainKey) throws {
        chainKey.withLock { $0 = key }
        guard !isReadOnly, try !isKeyed() else { return }
        // An old ledger (or a new one) gets its key for the first time: seal what it holds. Only a
        // chain that walks intact is sealed, so damage found now is never covered by a seal.
        let walked = try verify(checkFile: false)
        guard walked.isIntact else { return }
        try guarded {
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    guard try !Self.isKeyed(db) else { return .commit }
                    let head = try Row.fetchOne(
                        db, sql: "SELECT position, hash FROM koki_events ORDER BY position DESC LIMIT 1")
                    // Another process appended since the walk: seal at its next opening instead.
                    guard (head?[0] ?? Int64(0)) == walked.head.position else { return .rollback }
                    let rows = try Row.fetchCursor(
                        db,
                        sql: """
                            SELECT c.seq, c.first_position, c.event_count, e.hash FROM koki_commands c
                            JOIN koki_events e ON e.position = c.first_position + c.event_count - 1 ORDER BY c.seq
                            """)
                    let insert = try db.makeStatement(sql: "INSERT INTO koki_command_seals(seq, seal) VALUES (?, ?)")
                    var previous = ChainKey.genesisSeal
                    var last: Int64 = 0
                    while let row = try rows.next() {
                        let seq: Int64 = row[0]
                        let hash: Data = row[3]
                        previous = key.seal(
                            previous: previous, seq: seq, firstPosition: row[1], eventCount: row[2],
                            lastHash: Array(hash))
                        try insert.execute(arguments: [seq, Data(previous)])
                        last = seq
                    }
                    try db.execute(
                        sql: "INSERT INTO koki_meta(key, value) VALUES ('keyed_chain', ?)",
                        arguments: [Data("sealed through command \(last) at \(clock.now())".utf8)])
                    return .commit
                }
            }
        }
    }

    public func hash(at position: Int64) throws -> [UInt8]? {
        try guarded {
            try reading { db in
                try Data.fetchOne(db, sql: "SELECT hash FROM koki_events WHERE position = ?", arguments: [position])
                    .map(Array.init)
            }
        }
    }
}
