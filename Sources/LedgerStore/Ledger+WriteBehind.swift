import Foundation
import GRDB
import Synchronization

/// A commit group's appends written on a thread of their own (``Ledger/groupingCommits(every:writingBehind:_:)``):
/// the caller decides each command's place (the streams' versions, the positions, the time it
/// is recorded at) from what this group keeps in memory, and goes on while the writer
/// compresses, hashes, seals and inserts it, in the order decided.
final class WriteBehind: Sendable {
    let writer = DispatchQueue(label: "koki.ledger.write-behind")
    let state: Mutex<State>
    /// Why the writer stopped: every later append and the group's end throw it.
    let failure = Mutex<LedgerError?>(nil)
    /// The subjects' keys read or made during the group, so that sealing and opening a person's
    /// identity does not wait for the connection the writer holds. Emptied by any other change
    /// to the keys (an erasure, keys wrapped again).
    let keys = Mutex<[String: [UInt8]]>([:])
    /// Writes a batch of decided commands, in order (on ``writer``).
    let write: @Sendable ([Decided]) -> Void
    /// Commands are handed to the writer this many at a time, not one by one: waking a thread
    /// for each small command cost more than writing it.
    static let batch = 128
    /// Batches handed to the writer and not yet written: the caller waits for the writer
    /// (``keepUp()``) once more than ``mostBehind`` are, so the commands decided ahead of the
    /// file stay bounded however rarely the caller reads it.
    let behindBatches = Atomic<Int>(0)
    static let mostBehind = 64
    /// Signalled by the writer after a batch while a caller waits in ``keepUp()`` (`callerWaits`).
    let batchWritten = DispatchSemaphore(value: 0)
    let callerWaits = Atomic<Bool>(false)

    /// A command whose place is decided.
    struct Decided: Sendable {
        var request: AppendRequest
        var recordedAt: Timestamp
        var versions: [Int64]
    }

    struct State: Sendable {
        /// The head as the commands decided so far leave it (written or not yet).
        var head: Int64?
        /// Every stream's version as the file had it when the group began and the commands
        /// decided since leave it; a stream not here has no events.
        var versions: [String: Int64]
        /// The ids of every command in the file and decided since.
        var commandIDs: Set<Identifier>
        /// Whether the file seals its commands (an append then needs the key).
        var keyed: Bool
        /// Decided, not yet handed to the writer.
        var waiting: [Decided] = []
    }

    init(_ state: State, write: @escaping @Sendable ([Decided]) -> Void) {
        self.state = Mutex(state)
        self.write = write
    }

    /// Hands what is decided to the writer (under the state's lock, so in the order decided).
    func hand(_ state: inout State) {
        guard !state.waiting.isEmpty else { return }
        let batch = state.waiting
        state.waiting = []
        behindBatches.add(1, ordering: .sequentiallyConsistent)
        writer.async {
            self.write(batch)
            self.behindBatches.subtract(1, ordering: .sequentiallyConsistent)
            if self.callerWaits.load(ordering: .sequentiallyConsistent) { self.batchWritten.signal() }
        }
    }

    /// Waits while the writer is more than ``mostBehind`` batches behind (called outside the
    /// state's lock): until it has written one batch more, not all of them, so that it never
    /// runs dry while the caller waits.
    func keepUp() {
        guard behindBatches.load(ordering: .sequentiallyConsistent) > Self.mostBehind else { return }
        // Said before asking again: a batch written after the question below signals.
        callerWaits.store(true, ordering: .sequentiallyConsistent)
        while behindBatches.load(ordering: .sequentiallyConsistent) > Self.mostBehind {
            // A signal left over from an earlier wait only makes the loop ask again.
            batchWritten.wait()
        }
        callerWaits.store(false, ordering: .sequentiallyConsistent)
    }

    /// Waits until every command decided has been written (or the writer stopped).
    func drain() {
        state.withLock { hand(&$0) }
        writer.sync {}
    }
}

extension Ledger {
    /// The connection, once every command decided behind has been written: every use of the
    /// file but the writer's own goes through here, so it reads and writes after them.
    var queue: DatabaseQueue {
        if let behind = behind.withLock({ $0 }) { behind.drain() }
        return database
    }

    /// What a group writing behind starts from: the chain's head (kept as the group's, so the
    /// first append is decided like the rest), every stream's version, every command's id, and
    /// whether the file seals its commands (read inside the group's transaction).
    func behindState(_ db: Database) throws -> WriteBehind.State {
        let chain = try readChain(db)
        group.withLock { $0?.chain = chain }
        var versions: [String: Int64] = [:]
        let streams = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.name, MAX(e.stream_version) FROM koki_events e JOIN koki_streams s ON s.id = e.stream_id
                GROUP BY e.stream_id
                """)
        while let row = try streams.next() {
            let name: String? = row[0]
            let version: Int64? = row[1]
            if let name, let version { versions[name] = version }
        }
        var ids = Set<Identifier>()
        let commands = try Row.fetchCursor(db, sql: "SELECT command_id FROM koki_commands")
        while let row = try commands.next() {
            let stored: Data? = row[0]
            guard let bytes = stored, bytes.count == 16 else { continue }
            bytes.withUnsafeBytes { ids.insert(Identifier(bytes: $0)) }
        }
        return WriteBehind.State(
            head: chain.position, versions: versions, commandIDs: ids, keyed: try Self.isKeyed(db))
    }

    /// Decides a command's place and leaves it to the writer: `nil` where it is to be appended
    /// as usual instead (the chain is to be read again, the command id was seen before, or the
    /// file seals its commands and no key was given, which that append refuses).
    func appendBehind(_ request: AppendRequest, _ behind: WriteBehind) throws(LedgerError) -> AppendResult? {
        if let failure = behind.failure.withLock({ $0 }) { throw failure }
        guard group.withLock({ open in open.map { $0.lost == nil && $0.chain != nil } ?? false }) else { return nil }
        let hasKey = chainKey.withLock { $0 != nil }
        defer { behind.keepUp() }
        return try behind.state.withLock { state throws(LedgerError) -> AppendResult? in
            guard let head = state.head, !state.commandIDs.contains(request.commandID), hasKey || !state.keyed else {
                return nil
            }
            // As an append that writes at once: the time taken, then every stream checked.
            let recordedAt = clock.now()
            var versions: [Int64] = []
            versions.reserveCapacity(request.streams.count)
            for part in request.streams {
                let version = state.versions[part.stream.value] ?? 0
                try Self.check(part, at: version, request)
                versions.append(version)
            }
            for (part, version) in zip(request.streams, versions) {
                state.versions[part.stream.value] = version + Int64(part.events.count)
            }
            state.commandIDs.insert(request.commandID)
            state.head = head + Int64(request.eventCount)
            state.waiting.append(WriteBehind.Decided(request: request, recordedAt: recordedAt, versions: versions))
            if state.waiting.count >= WriteBehind.batch { behind.hand(&state) }
            return Self.result(of: request, recordedAt: recordedAt, from: head, versions: versions)
        }
    }

    /// After a command appended as usual inside a group writing behind: what it changed.
    func followed(_ result: AppendResult, _ behind: WriteBehind) {
        guard !result.wasDuplicate else { return }
        let head = group.withLock { $0?.chain?.position }
        behind.state.withLock { state in
            for event in result.events { state.versions[event.stream.value] = event.streamVersion }
            state.commandIDs.insert(result.commandID)
            state.head = head
        }
    }

    /// The writer's part: each command compressed, then hashed, sealed and inserted where it
    /// was decided, and the group committed when full. A failure loses the group: its
    /// transaction is rolled back, since the commands decided after one were decided on it.
    func writeBehind(_ batch: [WriteBehind.Decided], _ behind: WriteBehind) {
        guard behind.failure.withLock({ $0 }) == nil else { return }
        var current = batch.first?.request.commandID
        do {
            let stored = batch.map { $0.request.streams.map { $0.events.map { PayloadCompression.store($0.payload) } } }
            var newNames = NameCache()
            try database.writeWithoutTransaction { db in
                for (decided, stored) in zip(batch, stored) {
                    current = decided.request.commandID
                    guard db.isInsideTransaction, let chain = group.withLock({ $0?.chain }) else {
                        throw LedgerError(.storage, "the commit group's transaction or chain was gone")
                    }
                    let after = try write(
                        db, decided.request, stored: stored, recordedAt: decided.recordedAt, chain: chain,
                        versions: decided.versions, newNames: &newNames)
                    group.withLock { $0?.chain = after }
                    try countAppend(db)
                }
            }
            if !newNames.isEmpty { names.withLock { $0.merge(newNames) } }
        } catch {
            let lost =
                "command \(current.map { "\($0)" } ?? "?") could not be written (\(error)): the commands appended since the group's last commit are lost; open the ledger again"
            behind.failure.withLock { $0 = LedgerError(.storage, lost) }
            group.withLock { $0?.lost = lost }
            try? database.writeWithoutTransaction { db in
                if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
            }
        }
    }
}
