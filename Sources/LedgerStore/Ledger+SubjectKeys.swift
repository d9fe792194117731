import Crypto
import Foundation
import GRDB

extension Ledger {
    /// The 256-bit key that seals one subject's personal data (a person's identity), kept in
    /// the ledger file beside — not inside — the events.
    ///
    /// With `create`, a missing key is generated and stored (once, even when two processes race:
    /// the first insert wins and both get its key). Returns `nil` when there is no key: never
    /// created, or erased.
    public func subjectKey(_ subject: String, create: Bool) throws -> [UInt8]? {
        let label = path ?? ":memory:"
        do {
            if let key = try queue.read({ db in
                try Data.fetchOne(
                    try db.cachedStatement(sql: "SELECT key FROM koki_subject_keys WHERE subject = ?"),
                    arguments: [subject])
            }) {
                return Array(key)
            }
            guard create else { return nil }
            guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
            let fresh = Data(entropy.bytes(32))
            let now = clock.now().microseconds
            return try queue.writeWithoutTransaction { db in
                var key: Data?
                try db.inTransaction(.immediate) {
                    try db.cachedStatement(
                        sql: "INSERT OR IGNORE INTO koki_subject_keys(subject, key, created_at) VALUES (?, ?, ?)"
                    ).execute(arguments: [subject, fresh, now])
                    key = try Data.fetchOne(
                        try db.cachedStatement(sql: "SELECT key FROM koki_subject_keys WHERE subject = ?"),
                        arguments: [subject])
                    return .commit
                }
                return key.map(Array.init)
            }
        } catch {
            throw LedgerError.wrap(error, path: label)
        }
    }

    /// Deletes a subject's key for good (erasure after retention). Returns whether there was one.
    @discardableResult
    public func eraseSubjectKey(_ subject: String) throws -> Bool {
        let label = path ?? ":memory:"
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
        return try guarded {
            try queue.write { db in
                try db.execute(sql: "DELETE FROM koki_subject_keys WHERE subject = ?", arguments: [subject])
                return db.changesCount > 0
            }
        }
    }
}

extension Ledger {
    /// Every subject key, for a replay that must open sealed data while it scans (a scan
    /// cannot query the database from inside itself).
    public func allSubjectKeys() throws -> [String: [UInt8]] {
        try guarded {
            try queue.read { db in
                var keys: [String: [UInt8]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT subject, key FROM koki_subject_keys") {
                    keys[row["subject"]] = Array(row["key"] as Data)
                }
                return keys
            }
        }
    }
}
