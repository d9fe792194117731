import Foundation

/// What every koki event store offers, whatever holds its rows: one SQLite file (``Ledger``) or
/// a PostgreSQL database (`PostgresLedger` in LedgerStorePostgres). Both keep the same
/// envelopes, dense positions in commit order, optimistic concurrency, idempotent command ids,
/// append-only rows and the same hash chain, so a ledger copied from one to the other verifies
/// with the same head hash.
public protocol EventStore: Sendable {
    /// The ledger's own id, fixed at creation: the genesis of the hash chain.
    var ledgerID: Identifier { get }
    var isReadOnly: Bool { get }
    /// Appends all of a command's events or none (see ``Ledger/append(_:)``).
    func append(_ request: AppendRequest) throws -> AppendResult
    /// Calls `body` with each selected event in order (by position; by version for one stream).
    func forEachEvent(_ query: EventQuery, _ body: (borrowing EventView) throws -> Void) throws
    func head() throws -> LedgerHead
    /// A stream's version (0 when it has no events).
    func version(of stream: StreamName) throws -> Int64
    func streams(prefix: String) throws -> [StreamInfo]
    /// The names of the streams with events whose names start with `prefix`, sorted: what
    /// ``streams(prefix:)`` names, without reading each stream's events where the store can.
    func streamNames(prefix: String) throws -> [StreamName]
    /// Walks the hash chain from the stored rows and reports the first problem; with a chain
    /// key in use (``useChainKey(_:)``), checks every command's keyed seal too.
    func verifyChain() throws -> VerifyReport
    /// Seals every command appended from now on under `key` (see ``ChainKey``), and checks the
    /// seals under it in ``verifyChain()``. The first time a ledger gets its key, the commands it
    /// holds are sealed (after their SHA-256 chain is walked and found intact) and the ledger is
    /// marked keyed: from then on an append without the key is refused. A read-only store only
    /// remembers the key, for verifying.
    func useChainKey(_ key: ChainKey) throws
    /// Whether the ledger's commands are sealed under a chain key (`nil`: no key in use, so the
    /// answer is not known here; see ``useChainKey(_:)``).
    func isKeyed() throws -> Bool
    /// The chain's hash after the event at `position` where that event ends its command (the
    /// head a checkpoint names), stored or computed; `nil` where there is no event. (For an event
    /// inside a command a store may answer with the empty hash.)
    func hash(at position: Int64) throws -> [UInt8]?
    /// Every stored row from a position on, as stored (payload compressed where it was), for
    /// copying a ledger to another store.
    func forEachStoredRow(from position: Int64, _ body: (StoredRow) throws -> Void) throws
    /// Appends rows copied from another ledger with the same id, exactly as they were stored,
    /// after checking that they continue this ledger's chain. All or nothing per call.
    func importRows(_ rows: [StoredRow]) throws

    /// Where the ledger is, for messages: a file's path, a database's address without password.
    var location: String { get }
    /// The time a command is recorded at (the store's clock).
    var now: Timestamp { get }
    /// Random bytes (seal nonces, new keys) from the store's entropy source.
    func randomBytes(_ count: Int) -> [UInt8]
    /// For a replay copy: where it stops and what it was copied from; `nil` for a ledger itself.
    func replayOrigin() throws -> (through: Int64, source: String?)?
    /// The head as it was at a recorded moment.
    func position(recordedBy time: Timestamp) throws -> Int64
    /// Walks the chain like ``verifyChain()``; with `checkFile`, a store that has a check of its
    /// own storage runs it first (a SQLite file's pages and indexes).
    func verify(checkFile: Bool) throws -> VerifyReport
    /// The file's path, for a SQLite ledger; `nil` for any other store.
    var path: String? { get }
    /// Whether the store can still be used (a database connection may have been lost).
    var isOpen: Bool { get }
    /// Lets go of what the store holds open (a database connection); a file needs nothing.
    func close()
    /// Another connection to the same events, only for reading, to read on a thread beside this
    /// one's: `nil` where the store offers none (in memory, a file this process holds alone, or
    /// any other store). The caller closes it.
    func reader() throws -> (any EventStore)?
    /// The events at these positions, each once, in position order (a position with no event is
    /// passed by), with their envelopes or not: one read for many where the store can (a
    /// PostgreSQL round trip per thousands), else one query each.
    func forEachEvent(at positions: [Int64], readsEnvelopes: Bool, _ body: (borrowing EventView) throws -> Void)
        throws
    /// The events of several streams through a position, without their envelopes: each stream's
    /// whole, in version order, one stream after another in the order given (a stream named
    /// twice is read once). One read for many where the store can (a PostgreSQL round trip per
    /// few hundred streams), else one query each.
    func forEachEvent(inStreams streams: [StreamName], through: Int64, _ body: (borrowing EventView) throws -> Void)
        throws
    /// The head's position where this process knows it without reading the store: no other
    /// connection can append, and this one's last write was an append it remembers the head of
    /// (a file held alone, in a commit group: ``Ledger/groupingCommits(every:_:)``). `nil`
    /// anywhere else: the head is then asked for.
    var headWithoutReading: Int64? { get }
}

// Keys, lookups, credentials, sessions and read models are not the event store's: each has its
// own port (``KeyStore``, ``CredentialStore``, ``SessionStore``, ``ReadModelStore``), bundled in
// ``LedgerPorts``.

extension EventStore {
    public func verify(checkFile: Bool) throws -> VerifyReport { try verifyChain() }
    public var path: String? { nil }
    public var isOpen: Bool { true }
    public func close() {}
    public func reader() throws -> (any EventStore)? { nil }
    public var headWithoutReading: Int64? { nil }
    public func streamNames(prefix: String) throws -> [StreamName] { try streams(prefix: prefix).map(\.stream) }

    public func forEachEvent(
        inStreams streams: [StreamName], through: Int64, _ body: (borrowing EventView) throws -> Void
    ) throws {
        var seen = Set<StreamName>()
        for stream in streams where seen.insert(stream).inserted {
            var query = EventQuery.stream(stream)
            query.throughPosition = through
            query.readsEnvelopes = false
            try forEachEvent(query, body)
        }
    }

    public func forEachEvent(
        at positions: [Int64], readsEnvelopes: Bool, _ body: (borrowing EventView) throws -> Void
    ) throws {
        for position in Set(positions).sorted() where position >= 1 {
            var query = EventQuery.from(position: position)
            query.throughPosition = position
            query.readsEnvelopes = readsEnvelopes
            try forEachEvent(query, body)
        }
    }

    /// Walks the chain (a SQLite file also checks its pages first).
    public func verify() throws -> VerifyReport { try verify(checkFile: true) }

    /// The events a query selects, copied out.
    public func events(_ query: EventQuery = EventQuery()) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        try forEachEvent(query) { out.append($0.recorded()) }
        return out
    }

    /// The stream's events, copied out.
    public func events(in stream: StreamName, fromVersion: Int64 = 1) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        try forEachEvent(.stream(stream, fromVersion: fromVersion)) { out.append($0.recorded()) }
        return out
    }
}

/// One event row exactly as a store keeps it: what the hash covers, and the hash.
public struct StoredRow: Hashable, Sendable {
    public var position: Int64
    public var stream: String
    public var streamVersion: Int64
    public var type: String
    public var schemaVersion: Int64
    public var command: CommandEnvelope
    /// 0 raw, 1 LZ4, 2 LZ4 against the first payload dictionary (see `PayloadEncoding`).
    public var encoding: Int64
    public var payload: [UInt8]
    /// The row's chain hash, on its command's last event only; empty on the others (a ledger
    /// written before koki stored one hash a command holds it on every row). Read for a copy
    /// (``EventStore/forEachStoredRow(from:_:)``), every command's last row carries it, though a
    /// SQLite file stores it only every 32 positions or so.
    public var hash: [UInt8]

    /// Whether the row is its command's last event: the one that stores the command's hash, and
    /// whose hash the command's keyed seal covers.
    public var keepsHash: Bool { position == command.firstPosition + command.eventCount - 1 }

    public init(
        position: Int64, stream: String, streamVersion: Int64, type: String, schemaVersion: Int64,
        command: CommandEnvelope, encoding: Int64, payload: [UInt8], hash: [UInt8]
    ) {
        self.position = position
        self.stream = stream
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.command = command
        self.encoding = encoding
        self.payload = payload
        self.hash = hash
    }
}

/// Checks stored rows one after another, as `verify` does for a SQLite file: dense positions
/// from the head on, each stream's versions 1, 2, 3 …, commands dense and owning their
/// contiguous events, and every hash equal to SHA-256 over the previous hash and the row.
///
/// A row stores its hash only when it is its command's last (see ``StoredRow/keepsHash``); the
/// hashes of the rows before it are computed and checked through the last one's. A row of an
/// older ledger that stores its hash anyway is checked against it.
public struct ChainCheck: Sendable {
    public private(set) var head: LedgerHead
    public private(set) var commands: Int64 = 0
    private var versions: [String: Int64]
    private var lastCommand: Int64
    private var hasher = RowHasher()
    /// The first row since the last stored hash: a mismatch can lie anywhere from there.
    private var unchecked: Int64?
    /// The last position of the command the last row belongs to.
    private var commandEnd: Int64 = 0

    /// Starting from the genesis of a ledger with this id.
    public init(ledgerID: Identifier) {
        head = LedgerHead(position: 0, hash: RowHasher.genesis(ledgerID: ledgerID.bytes))
        versions = [:]
        lastCommand = 0
    }

    /// Continuing after `head`, with the streams' versions and the last command there.
    public init(after head: LedgerHead, versions: [String: Int64], lastCommand: Int64) {
        self.head = head
        self.versions = versions
        self.lastCommand = lastCommand
    }

    /// Tells the check a stream's version before the rows it will see (a store's own streams).
    public mutating func knowVersion(of stream: String, _ version: Int64) {
        if versions[stream] == nil { versions[stream] = version }
    }

    public func knowsVersion(of stream: String) -> Bool { versions[stream] != nil }

    /// The hash a row must carry after `previous`.
    public static func hash(of row: StoredRow, after previous: [UInt8]) -> [UInt8] {
        var hasher = RowHasher()
        return hasher.digest(row, previous)
    }

    /// What is wrong with the next row, or `nil` (and the row becomes the head).
    public mutating func check(_ row: StoredRow) -> VerifyReport.Problem? {
        func problem(_ message: String) -> VerifyReport.Problem { .init(position: row.position, message: message) }
        guard row.position == head.position + 1 else {
            return problem("expected position \(head.position + 1) next; the positions are not dense")
        }
        let expected = (versions[row.stream] ?? 0) + 1
        guard row.streamVersion == expected else {
            return problem("stream \(row.stream) has version \(row.streamVersion) where \(expected) was due")
        }
        if row.command.sequence != lastCommand {
            guard row.command.sequence == lastCommand + 1, row.command.firstPosition == row.position else {
                return problem("command \(row.command.sequence) does not start here in order")
            }
            lastCommand = row.command.sequence
            commands += 1
        }
        guard row.position < row.command.firstPosition + row.command.eventCount else {
            return problem("the event lies outside its command's \(row.command.eventCount) events")
        }
        guard PayloadEncoding(rawValue: row.encoding) != nil else {
            return problem("unknown payload encoding \(row.encoding)")
        }
        let hash = hasher.digest(row, head.hash)
        if row.hash.isEmpty && !row.keepsHash {
            unchecked = unchecked ?? row.position
        } else {
            guard hash == row.hash else {
                guard !row.hash.isEmpty else { return problem("the last event of its command stores no hash") }
                return .init(
                    position: unchecked ?? row.position,
                    message: ChainCheck.mismatch(from: unchecked ?? row.position, through: row.position))
            }
            unchecked = nil
        }
        versions[row.stream] = row.streamVersion
        head = LedgerHead(position: row.position, hash: hash)
        commandEnd = row.command.firstPosition + row.command.eventCount - 1
        return nil
    }

    /// What is wrong if the rows end here: nothing, unless they stop inside a command, whose hash
    /// (on its last event) was then never reached.
    public var endProblem: VerifyReport.Problem? {
        guard head.position < commandEnd else { return nil }
        return .init(
            position: head.position + 1,
            message: "command \(lastCommand) lacks its last \(commandEnd - head.position) events")
    }

    /// What a stored hash that does not match says, for the rows it covers.
    package static func mismatch(from first: Int64, through last: Int64) -> String {
        first == last
            ? "stored bytes do not match the hash chain (the row or an earlier link was altered)"
            : "stored bytes of positions \(first)–\(last) do not match the hash chain, whose hash is stored at \(last) (one of them or an earlier link was altered)"
    }
}

extension RowHasher {
    mutating func digest(_ row: StoredRow, _ previous: [UInt8]) -> [UInt8] {
        let envelope = RowHasher.envelope(
            commandID: row.command.commandID.bytes, actor: row.command.actor,
            recordedAt: row.command.recordedAt.microseconds, correlationID: row.command.correlationID?.bytes,
            causationID: row.command.causationID?.bytes)
        return Array(
            Array(row.stream.utf8).withUnsafeBytes { stream in
                Array(row.type.utf8).withUnsafeBytes { type in
                    previous.withUnsafeBytes { prev in
                        row.payload.withUnsafeBytes { payload in
                            hash(
                                previous: prev, position: row.position, stream: stream,
                                streamVersion: row.streamVersion,
                                type: type, schemaVersion: row.schemaVersion, envelope: envelope,
                                encoding: row.encoding,
                                payload: payload)
                        }
                    }
                }
            })
    }
}

extension EventStore {
    /// Copies every row of `source` after this store's head into this store, in batches, checking
    /// the chain as it goes; the two must share a ledger id. Returns how many rows were copied.
    @discardableResult
    public func copy(from source: some EventStore, batch: Int = 5_000, progress: (Int64) -> Void = { _ in }) throws
        -> Int64
    {
        guard source.ledgerID == ledgerID else {
            throw LedgerError(
                .invalidInput,
                "the ledgers differ (\(source.ledgerID) and \(ledgerID)): rows copy only into the same ledger")
        }
        var rows: [StoredRow] = []
        var copied: Int64 = 0
        try source.forEachStoredRow(from: try head().position + 1) { row in
            // Batches end between commands, so an interrupted copy leaves whole commands only.
            if rows.count >= batch, row.command.firstPosition == row.position {
                try importRows(rows)
                copied += Int64(rows.count)
                rows.removeAll(keepingCapacity: true)
                progress(copied)
            }
            rows.append(row)
        }
        if !rows.isEmpty {
            try importRows(rows)
            copied += Int64(rows.count)
            progress(copied)
        }
        return copied
    }
}
