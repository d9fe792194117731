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
        // An old ledger (or a new one) gets its key for the first time: seal what it holds, each
        // command's hash as a walk of the chain computes it. Only a chain that walks intact is
        // sealed, so damage found now is never covered by a seal.
        try guarded {
            try queue.writeWithoutTransaction { db in
                try allOrNothing(db) {
                    guard try !Self.isKeyed(db) else { return .commit }
                    let insert = try db.makeStatement(sql: "INSERT INTO koki_command_seals(seq, seal) VALUES (?, ?)")
                    var previous = ChainKey.genesisSeal
                    var report = VerifyReport(
                        eventsChecked: 0, commandsChecked: 0, head: LedgerHead(position: 0, hash: genesisHash))
                    var noSeals: SealCheck?
                    let problem = try walk(db, &report, &noSeals) { seq, first, count, hash in
                        previous = key.seal(
                            previous: previous, seq: seq, firstPosition: first, eventCount: count, lastHash: hash)
                        try insert.execute(arguments: [seq, Data(previous)])
                    }
                    guard problem == nil else { return .rollback }
                    try db.execute(
                        sql: "INSERT INTO koki_meta(key, value) VALUES ('keyed_chain', ?)",
                        arguments: [
                            Data("sealed through command \(report.commandsChecked) at \(clock.now())".utf8)
                        ])
                    return .commit
                }
            }
        }
    }

    /// The chain's hash after the event at `position`, stored there or computed (see
    /// ``chainHash(_:through:)``); `nil` where there is no event.
    public func hash(at position: Int64) throws -> [UInt8]? {
        try guarded {
            try reading { db in
                guard
                    let stored = try Data.fetchOne(
                        db, sql: "SELECT hash FROM koki_events WHERE position = ?", arguments: [position])
                else { return nil }
                return stored.isEmpty ? try chainHash(db, through: position) : Array(stored)
            }
        }
    }
}
