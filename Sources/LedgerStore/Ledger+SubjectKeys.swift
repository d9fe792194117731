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

    /// The stored key blob of a subject; when there is none and `makeKey` is given, the blob it
    /// makes is stored first (the caller may wrap a fresh key under a master key). Two processes
    /// racing both get the first blob stored.
    public func subjectKey(_ subject: String, makeKey: (() throws -> [UInt8])?) throws -> [UInt8]? {
        let label = path ?? ":memory:"
        let kept = behind.withLock { $0 }
        if let key = kept?.keys.withLock({ $0[subject] }) { return key }
        do {
            // The keys' table is not the events': read and written beside a commit group's
            // appends still being written behind, without waiting for them.
            if let key = try reading(
                waiting: false,
                { db in
                    try Data.fetchOne(
                        try db.cachedStatement(sql: "SELECT key FROM koki_subject_keys WHERE subject = ?"),
                        arguments: [subject])
                })
            {
                kept?.keys.withLock { $0[subject] = Array(key) }
                return Array(key)
            }
            guard let makeKey else { return nil }
            guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
            let fresh = Data(try makeKey())
            let now = clock.now().microseconds
            return try database.writeWithoutTransaction { db in
                var key: Data?
                try allOrNothing(db, keepsChain: true) {
                    try db.cachedStatement(
                        sql: "INSERT OR IGNORE INTO koki_subject_keys(subject, key, created_at) VALUES (?, ?, ?)"
                    ).execute(arguments: [subject, fresh, now])
                    key = try Data.fetchOne(
                        try db.cachedStatement(sql: "SELECT key FROM koki_subject_keys WHERE subject = ?"),
                        arguments: [subject])
                    return .commit
                }
                if let key { kept?.keys.withLock { $0[subject] = Array(key) } }
                return key.map(Array.init)
            }
        } catch {
            throw LedgerError.wrap(error, path: label)
        }
    }

    /// Deletes a subject's key — and the lookup digests that find it — for good (erasure after
    /// retention). Returns whether there was a key.
    @discardableResult
    public func eraseSubjectKey(_ subject: String) throws -> Bool {
        let label = path ?? ":memory:"
        behind.withLock { $0 }?.keys.withLock { $0 = [:] }
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
        return try guarded {
            try writing { db in
                try db.execute(sql: "DELETE FROM koki_lookups WHERE subject = ?", arguments: [subject])
                try db.execute(sql: "DELETE FROM koki_subject_keys WHERE subject = ?", arguments: [subject])
                return db.changesCount > 0
            }
        }
    }

    /// Replaces subjects' key blobs (re-wrapping them under a master key) in one transaction; the
    /// keys inside must be the same, or what they sealed is lost.
    public func replaceSubjectKeys(_ blobs: [String: [UInt8]]) throws {
        let label = path ?? ":memory:"
        behind.withLock { $0 }?.keys.withLock { $0 = [:] }
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
        try guarded {
            try writing { db in
                let update = try db.makeStatement(sql: "UPDATE koki_subject_keys SET key = ? WHERE subject = ?")
                for (subject, blob) in blobs { try update.execute(arguments: [Data(blob), subject]) }
            }
        }
    }

    /// Records that `digest` (a keyed hash of a secret value) of `kind` finds `subject`; a digest
    /// already recorded for another subject is an error naming neither value.
    public func recordLookup(kind: String, digest: [UInt8], subject: String) throws {
        let label = path ?? ":memory:"
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
        try guarded {
            try writing { db in
                if let other = try String.fetchOne(
                    db, sql: "SELECT subject FROM koki_lookups WHERE kind = ? AND digest = ?",
                    arguments: [kind, Data(digest)]), other != subject
                {
                    throw LedgerError(.invalidInput, "this \(kind) is recorded for \(other) already")
                }
                try db.execute(
                    sql: "DELETE FROM koki_lookups WHERE kind = ? AND subject = ?", arguments: [kind, subject])
                try db.execute(
                    sql: "INSERT OR REPLACE INTO koki_lookups(kind, digest, subject) VALUES (?, ?, ?)",
                    arguments: [kind, Data(digest), subject])
            }
        }
    }

    /// The subject a keyed digest finds, if any.
    public func lookup(kind: String, digest: [UInt8]) throws -> String? {
        try guarded {
            try reading { db in
                try String.fetchOne(
                    db, sql: "SELECT subject FROM koki_lookups WHERE kind = ? AND digest = ?",
                    arguments: [kind, Data(digest)])
            }
        }
    }

    public func allLookups() throws -> [SubjectLookup] {
        try guarded {
            try reading { db in
                try Row.fetchAll(db, sql: "SELECT kind, digest, subject FROM koki_lookups ORDER BY kind, digest").map {
                    SubjectLookup(kind: $0[0], digest: [UInt8]($0[1] as Data), subject: $0[2])
                }
            }
        }
    }

    public func mirrorSubjectKeys(_ keys: [String: [UInt8]], lookups: [SubjectLookup]) throws {
        let label = path ?? ":memory:"
        behind.withLock { $0 }?.keys.withLock { $0 = [:] }
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
        let now = clock.now().microseconds
        try guarded {
            try writing { db in
                let kept = Set(try String.fetchAll(db, sql: "SELECT subject FROM koki_subject_keys"))
                let forget = try db.makeStatement(sql: "DELETE FROM koki_subject_keys WHERE subject = ?")
                for subject in kept where keys[subject] == nil { try forget.execute(arguments: [subject]) }
                let put = try db.makeStatement(
                    sql: """
                        INSERT INTO koki_subject_keys(subject, key, created_at) VALUES (?, ?, ?)
                        ON CONFLICT (subject) DO UPDATE SET key = excluded.key
                        """)
                for (subject, blob) in keys { try put.execute(arguments: [subject, Data(blob), now]) }
                try db.execute(sql: "DELETE FROM koki_lookups")
                let record = try db.makeStatement(
                    sql: "INSERT INTO koki_lookups(kind, digest, subject) VALUES (?, ?, ?)")
                for lookup in lookups {
                    try record.execute(arguments: [lookup.kind, Data(lookup.digest), lookup.subject])
                }
            }
        }
    }

    public func allCredentials() throws -> [String: String] {
        try guarded {
            try reading { db in
                Dictionary(
                    try Row.fetchAll(db, sql: "SELECT principal, secret FROM koki_credentials").map { ($0[0], $0[1]) },
                    uniquingKeysWith: { first, _ in first })
            }
        }
    }

    public func credential(_ principal: String) throws -> String? {
        try guarded {
            try reading { db in
                try String.fetchOne(
                    db, sql: "SELECT secret FROM koki_credentials WHERE principal = ?", arguments: [principal])
            }
        }
    }

    public func setCredential(_ principal: String, _ secret: String) throws {
        let label = path ?? ":memory:"
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
        let now = clock.now().microseconds
        try guarded {
            try writing { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO koki_credentials(principal, secret, set_at) VALUES (?, ?, ?)",
                    arguments: [principal, secret, now])
            }
        }
    }

    /// The last time a session acted, or `nil` when it never did.
    public func sessionLastSeen(_ session: String) throws -> Timestamp? {
        try guarded {
            try reading { db in
                try Int64.fetchOne(
                    db, sql: "SELECT last_seen FROM koki_session_activity WHERE session = ?", arguments: [session])
            }.map(Timestamp.init(microseconds:))
        }
    }

    /// Notes that a session acted now (for idle expiry). A read-only ledger notes nothing.
    public func touchSession(_ session: String) throws {
        guard !isReadOnly else { return }
        let now = clock.now().microseconds
        try guarded {
            try writing { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO koki_session_activity(session, last_seen) VALUES (?, ?)",
                    arguments: [session, now])
            }
        }
    }

    /// Transaction time now, from the ledger's clock (injected in tests).
    public var now: Timestamp { clock.now() }
}

extension Ledger {
    /// Every subject key, for a replay that must open sealed data while it scans (a scan
    /// cannot query the database from inside itself).
    public func allSubjectKeys() throws -> [String: [UInt8]] {
        try guarded {
            try reading { db in
                // A cursor read by column index, into a dictionary sized once: a city's 130,000
                // keys without a row object or a column lookup by name each.
                var keys: [String: [UInt8]] = [:]
                keys.reserveCapacity(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM koki_subject_keys") ?? 0)
                let rows = try Row.fetchCursor(db, sql: "SELECT subject, key FROM koki_subject_keys")
                while let row = try rows.next() {
                    keys[row[0]] = try Self.keyBlob(row)
                }
                return keys
            }
        }
    }
}

extension Ledger {
    /// Subjects `subjectKeys(_:)` looks up through the index whatever the table's size; a
    /// longer list is read with the whole table when it asks for a third of it or more.
    static let keysLookedUpAtMost = 50_000

    /// Some subjects' key blobs, in one query: for a part of the keys, each found through the
    /// table's key (the subjects go in as one JSON array), so a request for 24,000 payers reads
    /// their keys and not the 130,000 others; for most of them (a third or more, where the
    /// lookups cost more than reading every row: a list of everyone insured), one pass.
    public func subjectKeys(_ subjects: [String]) throws -> [String: [UInt8]] {
        try subjectKeys(subjects, lookedUpAtMost: Self.keysLookedUpAtMost)
    }

    /// The same, a list shorter than `lookedUpAtMost` looked up through the index whatever the
    /// table's size (a test's 0: the table counted first, and read whole for a third of it).
    public func subjectKeys(_ subjects: [String], lookedUpAtMost: Int) throws -> [String: [UInt8]] {
        guard !subjects.isEmpty else { return [:] }
        return try guarded {
            try reading(waiting: false) { db in
                var keys: [String: [UInt8]] = [:]
                keys.reserveCapacity(subjects.count)
                // A list of a few thousand (a slice of a city-wide run, asked for again and again)
                // is looked up through the index at once: counting the table scans it, which at
                // ten times Matsudo's 826,000 keys cost more than the lookups.
                let stored =
                    subjects.count < lookedUpAtMost
                    ? Int.max : try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM koki_subject_keys") ?? 0
                if subjects.count * 3 >= stored {
                    let wanted = Set(subjects)
                    let rows = try Row.fetchCursor(db, sql: "SELECT subject, key FROM koki_subject_keys")
                    while let row = try rows.next() {
                        let subject: String = row[0]
                        guard wanted.contains(subject) else { continue }
                        keys[subject] = try Self.keyBlob(row)
                    }
                    return keys
                }
                let list = String(decoding: try JSONEncoder().encode(subjects), as: UTF8.self)
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT subject, key FROM koki_subject_keys
                        WHERE subject IN (SELECT value FROM json_each(?))
                        """, arguments: [list])
                while let row = try rows.next() {
                    keys[row[0]] = try Self.keyBlob(row)
                }
                return keys
            }
        }
    }
}

extension Ledger {
    /// The key blob of a `SELECT subject, key` row, read in place.
    fileprivate static func keyBlob(_ row: Row) throws -> [UInt8] {
        try row.withUnsafeData(atIndex: 1) { data in data.map { [UInt8]($0) } ?? [] }
    }
}

extension Ledger: KeyStore, CredentialStore, SessionStore {}

extension KeyStore where Self: EventStore {
    /// The subject's key; with `create`, a new random one when missing.
    public func subjectKey(_ subject: String, create: Bool) throws -> [UInt8]? {
        try subjectKey(subject, makeKey: create ? { self.randomBytes(32) } : nil)
    }
}
