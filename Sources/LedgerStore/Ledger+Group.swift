import Foundation
import GRDB

/// Appends committed together (``Ledger/groupingCommits(every:_:)``): how many since the group's
/// last commit, and, once SQLite has rolled the group's transaction back, why.
struct CommitGroup: Sendable {
    let every: Int
    var pending = 0
    var lost: String?
    /// The chain after the group's last append, so that the next one continues from it without
    /// reading the head back (the file is this connection's alone while the group is open).
    /// `nil` before the group's first append, and again after anything else wrote or failed.
    var chain: ChainState?
}

/// Where an append continues the chain from: the head's position and hash, the last position
/// that stores a hash, the last command's sequence number and seal, and whether the file seals
/// its commands (`nil`: not asked, since this process holds the key).
struct ChainState: Sendable {
    var position: Int64
    var hash: [UInt8]
    var lastStored: Int64
    var commandSeq: Int64
    var seal: [UInt8]
    var keyed: Bool?
}

extension Ledger {
    /// Runs `body` with the appends it makes committed together, `every` commands at a time,
    /// instead of each in a transaction of its own: a batch that records hundreds of thousands
    /// of small commands (a simulated city) writes the pages they share once a group, not once
    /// a command.
    ///
    /// - Each command stays all or nothing: it runs in a savepoint of the group's transaction,
    ///   and one that fails is undone alone while the group goes on.
    /// - What is appended is committed when `every` commands have been, and when `body` ends,
    ///   whether it returns or throws.
    /// - A crash loses at most the commands since the group's last commit, whole: never part of
    ///   one.
    /// - Readers on this connection see every command at once; no other connection can read the
    ///   file meanwhile, which is why a group needs a ledger opened exclusively.
    /// - If SQLite rolls the group's whole transaction back (a full disk, an I/O error), the
    ///   commands since the last commit are lost: the error says so, and every later append and
    ///   group on this ledger refuses, since what this process keeps of the ledger (the names it
    ///   has cached, the caller's own folds) no longer matches the file.
    ///
    /// - Each append continues the chain from where the group's last one left it, kept in
    ///   memory, instead of reading the head back (``CommitGroup/chain``); any other write on the
    ///   connection, or an append that fails, makes the next one read it again.
    /// - The connection keeps, from the first group on, a page cache of up to 256 MB (a group's
    ///   pages are written once, at its commit) and its savepoints' journals in memory (on disk,
    ///   every page a command first changed was written there once more).
    ///
    /// With `writingBehind`, each append is decided at once and written on a thread of its own
    /// while the caller goes on (``WriteBehind``): its streams' versions, its command id and its
    /// positions are checked and given from what the group keeps in memory (every stream's
    /// version and every command's id, read when the group begins), and it answers as an
    /// append written at once would, with the same positions, versions and recorded time. The
    /// file is the same, byte for byte. Every other use of the ledger (a read, another write, the
    /// group's end) first waits for what is decided to be written. A command the writer cannot
    /// write (a full disk) loses the group: its transaction is rolled back, and every later
    /// append and the group's end throw why.
    ///
    /// Throws `invalidInput` when the ledger is not held exclusively, when `every` is not
    /// positive, or inside another group.
    public func groupingCommits<T>(every: Int, writingBehind: Bool = false, _ body: () throws -> T) throws -> T {
        let label = path ?? ":memory:"
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
        guard exclusive else {
            throw LedgerError(.invalidInput, "\(label): commits are grouped only in a ledger opened exclusively")
        }
        guard every > 0 else { throw LedgerError(.invalidInput, "a commit group of \(every) commands") }
        try group.withLock { group throws(LedgerError) in
            if let lost = group?.lost { throw LedgerError(.storage, lost) }
            guard group == nil else { throw LedgerError(.invalidInput, "\(label): a commit group is already open") }
            group = CommitGroup(every: every)
        }
        do {
            let started = try guarded {
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; BEGIN IMMEDIATE")
                    return writingBehind ? try behindState(db) : nil
                }
            }
            if let started {
                let writer = WriteBehind(started) { [unowned self] batch in
                    if let behind = self.behind.withLock({ $0 }) { self.writeBehind(batch, behind) }
                }
                behind.withLock { $0 = writer }
            }
        } catch {
            group.withLock { $0 = nil }
            throw error
        }
        let result: Result<T, any Error> = Result { try body() }
        let ended: Result<Void, any Error> = Result {
            // Through ``queue``: what is decided is written first.
            try guarded {
                try queue.writeWithoutTransaction { db in
                    if db.isInsideTransaction { try db.execute(sql: "COMMIT") }
                }
            }
            let writer = behind.withLock { writer in
                defer { writer = nil }
                return writer
            }
            if let failure = writer?.failure.withLock({ $0 }) { throw failure }
        }
        group.withLock { if $0?.lost == nil { $0 = nil } }
        try ended.get()
        return try result.get()
    }

    /// The head after this connection's last append in a commit group, which no other connection
    /// can move (the file is held alone): `nil` outside a group, before its first append, after
    /// any other write or a failed append, and once the group is lost.
    public var headWithoutReading: Int64? {
        guard exclusive else { return nil }
        guard let known = group.withLock({ open in open?.lost == nil ? open?.chain?.position : nil }) else {
            return nil
        }
        // Writing behind, the head the commands decided leave (the chain is the writer's).
        if let behind = behind.withLock({ $0 }) { return behind.state.withLock { $0.head } }
        return known
    }

    /// `body` all or nothing: in an immediate transaction of its own, or, inside a commit group,
    /// in a savepoint of the group's transaction. Counts the group's appends (`append: true`)
    /// and commits the group when it is full.
    /// A write that `keepsChain` (a subject's key) leaves the chain the group keeps as it is.
    func allOrNothing(
        _ db: Database, append: Bool = false, keepsChain: Bool = false,
        _ body: () throws -> Database.TransactionCompletion
    ) throws {
        guard let open = group.withLock({ $0 }) else {
            try db.inTransaction(.immediate) { try body() }
            return
        }
        if let lost = open.lost { throw LedgerError(.storage, lost) }
        let pending = open.pending
        // Only an append says where the chain is after it (``Ledger/append(_:)``): after any
        // other write, or a failed append, the next append reads the head again.
        if !append && !keepsChain { group.withLock { $0?.chain = nil } }
        guard db.isInsideTransaction else {
            try lose("the commit group's transaction ended outside koki", pending: pending)
        }
        // The savepoint's statements prepared once, not parsed for every command.
        try db.cachedStatement(sql: "SAVEPOINT koki_command").execute()
        let completion: Database.TransactionCompletion
        do {
            completion = try body()
        } catch {
            if !keepsChain { group.withLock { $0?.chain = nil } }
            try? db.cachedStatement(sql: "ROLLBACK TO koki_command").execute()
            try? db.cachedStatement(sql: "RELEASE koki_command").execute()
            // SQLite undoes a whole transaction on some errors (a full disk, an I/O error, a
            // constraint declared to roll back): the group's earlier commands went with it.
            guard db.isInsideTransaction else {
                try lose("SQLite rolled the commit group's transaction back (\(error))", pending: pending)
            }
            throw error
        }
        if completion == .rollback {
            if !keepsChain { group.withLock { $0?.chain = nil } }
            try db.cachedStatement(sql: "ROLLBACK TO koki_command").execute()
        }
        try db.cachedStatement(sql: "RELEASE koki_command").execute()
        guard append else { return }
        try countAppend(db)
    }

    /// Counts an append in the group and commits the group when it is full.
    func countAppend(_ db: Database) throws {
        let full = group.withLock { group -> Bool in
            guard var open = group else { return false }
            open.pending += 1
            group = open
            return open.pending >= open.every
        }
        guard full else { return }
        try db.execute(sql: "COMMIT")
        group.withLock { $0?.pending = 0 }
        try db.execute(sql: "BEGIN IMMEDIATE")
    }

    private func lose(_ why: String, pending: Int) throws -> Never {
        let lost =
            "\(why): the \(pending) commands appended since its last commit are lost; open the ledger again"
        group.withLock { $0?.lost = lost }
        throw LedgerError(.storage, lost)
    }

    /// `body` in a write transaction (or a savepoint of a commit group's), committed when it
    /// returns and rolled back when it throws.
    func writing<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.writeWithoutTransaction { db in
            var result: T?
            try allOrNothing(db) {
                result = try body(db)
                return .commit
            }
            guard let result else { throw LedgerError(.storage, "a write transaction ended without its result") }
            return result
        }
    }
}
