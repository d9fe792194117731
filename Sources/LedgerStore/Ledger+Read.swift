import Foundation
import GRDB

extension Ledger {
    /// Calls `body` for each event the query selects, in position order, from one consistent
    /// snapshot even while other processes append.
    ///
    /// The snapshot is the scan statement's own: SQLite holds one read transaction for the
    /// whole of a statement's execution, and the names and envelopes looked up beside it are
    /// append-only rows the scanned events already refer to. This spares GRDB's per-read
    /// transaction and `query_only` toggling, most of the cost of loading a short stream.
    ///
    /// Memory stays flat whatever the ledger's length: one row is in hand at a time.
    /// Throws ``LedgerError`` (or whatever `body` throws).
    public func forEachEvent(_ query: EventQuery = EventQuery(), _ body: (borrowing EventView) throws -> Void) throws {
        let label = path ?? ":memory:"
        do {
            try queue.inDatabase { db in
                try scan(db, query, body)
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError {
            throw LedgerError.wrap(error, path: label)
        }
    }

    /// The events a query selects, copied out. Prefer ``forEachEvent(_:_:)`` for large reads.
    public func events(_ query: EventQuery = EventQuery()) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        try forEachEvent(query) { out.append($0.recorded()) }
        return out
    }

    /// One stream's events from a version on.
    public func events(in stream: StreamName, fromVersion: Int64 = 1) throws -> [RecordedEvent] {
        try events(.stream(stream, fromVersion: fromVersion))
    }

    /// The last event's position and the chain's hash there (position 0 and the genesis hash when
    /// empty): stored on the row, recorded by the last append, or computed (see ``chainHash``).
    public func head() throws -> LedgerHead {
        try guarded {
            try reading { db in
                let row = try Row.fetchOne(
                    try db.cachedStatement(sql: "SELECT position, hash FROM koki_events ORDER BY position DESC LIMIT 1")
                )
                guard let row else { return LedgerHead(position: 0, hash: genesisHash) }
                let position: Int64 = row[0]
                let hash: Data = row[1]
                return LedgerHead(
                    position: position, hash: hash.isEmpty ? try chainHash(db, through: position) : Array(hash))
            }
        }
    }

    /// The stream's current version (0 when it has no events).
    public func version(of stream: StreamName) throws -> Int64 {
        try guarded {
            try reading { db in
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT e.stream_version FROM koki_events e JOIN koki_streams s ON s.id = e.stream_id
                        WHERE s.name = ? ORDER BY e.stream_version DESC LIMIT 1
                        """, arguments: [stream.value]) ?? 0
            }
        }
    }

    /// Streams whose names start with `prefix` (all streams for ""), sorted by name.
    public func streams(prefix: String = "") throws -> [StreamInfo] {
        try guarded {
            try reading { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.name, MAX(e.stream_version), MIN(e.position), MAX(e.position)
                        FROM koki_streams s JOIN koki_events e ON e.stream_id = s.id
                        WHERE substr(s.name, 1, ?) = ?
                        GROUP BY s.id ORDER BY s.name
                        """, arguments: [prefix.unicodeScalars.count, prefix])
                return try rows.map { row in
                    StreamInfo(
                        stream: try StreamName(row[0]), version: row[1], firstPosition: row[2], lastPosition: row[3])
                }
            }
        }
    }

    /// The names of the streams with events whose names start with `prefix`, sorted: from the
    /// table of names, each stream's first event looked up in the index by stream.
    public func streamNames(prefix: String) throws -> [StreamName] {
        try guarded {
            try reading { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT s.name FROM koki_streams s WHERE substr(s.name, 1, ?) = ?
                        AND EXISTS (SELECT 1 FROM koki_events e WHERE e.stream_id = s.id) ORDER BY s.name
                        """, arguments: [prefix.unicodeScalars.count, prefix]
                ).map { try StreamName($0) }
            }
        }
    }

    /// Runs `body` in one deferred read transaction on the ledger's connection: one consistent
    /// snapshot, whatever other processes append meanwhile.
    ///
    /// Not GRDB's `read`: that toggles `PRAGMA query_only` around each read, and SQLite expires
    /// every prepared statement of the connection when a flag pragma changes, so each read made
    /// every cached statement (the append's among them) compile again on its next step — a
    /// sixth of the simulation's time. The ledger's reads are its own code, and none writes.
    ///
    /// With `waiting` false, at once, without waiting for what a commit group writing behind has
    /// yet to write (``WriteBehind``): only for tables its writer never writes (the subjects' keys).
    func reading<T>(waiting: Bool = true, _ body: (Database) throws -> T) throws -> T {
        try (waiting ? queue : database).inDatabase { db in
            if db.isInsideTransaction { return try body(db) }
            var result: Result<T, any Error>?
            try db.inTransaction(.deferred) {
                result = Result { try body(db) }
                return .commit
            }
            guard let result else { throw LedgerError(.storage, "a read transaction ended without its result") }
            return try result.get()
        }
    }

    func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw LedgerError.wrap(error, path: path ?? ":memory:") }
    }

    // MARK: - The scan

    func scan(_ db: Database, _ query: EventQuery, _ body: (borrowing EventView) throws -> Void) throws {
        enum Binding {
            case int(Int64)
            case text(String)
        }
        var conditions: [String] = []
        var bindings: [Binding] = []
        var order = "position"
        // One stream read whole by its index must come back dense (versions 1, 2, 3 … of that
        // stream): a damaged index that drops or misdirects an entry would otherwise make a
        // person's account silently miss a payment. (An index that loses a stream's *last* entry
        // looks like a shorter stream; only `verify`'s integrity_check finds that.)
        var densityOf: Int64?
        if let stream = query.stream {
            guard let id = try streamID(db, name: stream.value) else { return }
            if query.types == nil, query.recordedFrom == nil, query.recordedBefore == nil { densityOf = id }
            conditions.append("stream_id = ? AND stream_version >= ?")
            bindings += [.int(id), .int(query.fromStreamVersion)]
            order = "stream_version"
        }
        conditions.append("position >= ?")
        bindings.append(.int(query.fromPosition))
        if let through = query.throughPosition {
            conditions.append("position <= ?")
            bindings.append(.int(through))
        }
        if let prefix = query.streamPrefix {
            conditions.append("stream_id IN (SELECT id FROM koki_streams WHERE substr(name, 1, ?) = ?)")
            bindings += [.int(Int64(prefix.unicodeScalars.count)), .text(prefix)]
        }
        if let types = query.types {
            let ids = try types.compactMap { try typeID(db, name: $0) }
            guard !ids.isEmpty else { return }
            // Within one stream its own index is the short way: `+` keeps SQLite off the type index.
            // A scan for types keeps it off the type index too.
            conditions.append(
                "\(query.stream == nil && !query.scansForTypes ? "" : "+")type_id IN (\(ids.map(String.init).joined(separator: ",")))"
            )
        }
        if query.recordedFrom != nil || query.recordedBefore != nil {
            var parts: [String] = []
            if let from = query.recordedFrom {
                parts.append("recorded_at >= ?")
                bindings.append(.int(from.microseconds))
            }
            if let before = query.recordedBefore {
                parts.append("recorded_at < ?")
                bindings.append(.int(before.microseconds))
            }
            conditions.append(
                "command_seq IN (SELECT seq FROM koki_commands WHERE \(parts.joined(separator: " AND ")))")
        }
        let sql = """
            SELECT position, stream_id, stream_version, type_id, schema_version, command_seq, encoding, payload, hash
            FROM koki_events WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order)
            """
        // GRDB caches the prepared statement by its text, so loading one stream after another
        // does not compile the query each time. Scans cannot nest (GRDB access is not
        // reentrant), so a cached statement is never in use twice at once.
        let statement = RawStatement(try db.cachedStatement(sql: sql), db)
        defer { statement.reset() }
        for (offset, binding) in bindings.enumerated() {
            switch binding {
            case .int(let value): statement.bind(Int32(offset + 1), value)
            case .text(let value): statement.bind(Int32(offset + 1), value)
            }
        }

        var commands = CommandLookup()
        var scratch: [UInt8] = []
        // Names seen in this scan, held once each by stream and type id, without taking the shared
        // cache's lock for every event; each view points into `names` instead of holding the
        // names. Where each is held is found in local tables: asking the class copied its tables
        // (a retain and a release of their storage) for every event.
        let names = EventNames()
        var streamSlots = StreamNumbered<EventNames.Slot>()
        var typeSlots = StreamNumbered<EventNames.Slot>()
        let first = PayloadDictionary.first
        let dictionary = first?.raw
        var lastVersion: Int64?
        // The command whose envelope `names` holds.
        var envelopeOf: Int64?
        try withExtendedLifetime((names, first)) {
            while try statement.step() {
                let streamID = statement.int64(1)
                let streamVersion = statement.int64(2)
                if let densityOf {
                    guard streamID == densityOf, lastVersion.map({ streamVersion == $0 + 1 }) ?? true else {
                        throw LedgerError(
                            .damaged,
                            "\(path ?? ":memory:") is damaged: reading stream \(query.stream?.value ?? "") by its index gave version \(streamVersion) of stream id \(streamID) after \(lastVersion.map(String.init) ?? "none"): the index disagrees with the table (run koki verify, without --quick)"
                        )
                    }
                    lastVersion = streamVersion
                }
                let streamSlot = try streamSlots.value(
                    streamID, orHolding: { names.hold(stream: try streamName(db, id: streamID)) })
                let typeID = statement.int64(3)
                let typeSlot = try typeSlots.value(
                    typeID, orHolding: { names.hold(type: try typeName(db, id: typeID)) })
                let sequence = statement.int64(5)
                if query.readsEnvelopes, envelopeOf != sequence {
                    names.current(command: try commands.envelope(db, sequence: sequence))
                    envelopeOf = sequence
                }
                let schemaVersion = Int(statement.int64(4))
                let encoding = statement.int64(6)
                let stored = statement.blob(7)
                let hash = statement.blob(8)
                let position = statement.int64(0)
                let readsEnvelope = query.readsEnvelopes
                try PayloadCompression.reading(
                    stored, encoding: encoding, position: position, scratch: &scratch, first: dictionary
                ) { payload in
                    try body(
                        EventView(
                            position: position, streamVersion: streamVersion, schemaVersion: schemaVersion,
                            compressed: encoding != 0, payload: payload, hash: hash, streamNumber: streamID,
                            typeNumber: typeID, names: names, streamSlot: streamSlot, typeSlot: typeSlot,
                            sequence: sequence, readsEnvelope: readsEnvelope))
                }
            }
        }
    }

    func streamID(_ db: Database, name: String) throws -> Int64? { try nameID(db, .stream, name) }

    func typeID(_ db: Database, name: String) throws -> Int64? { try nameID(db, .eventType, name) }

    func streamName(_ db: Database, id: Int64) throws -> StreamName {
        if let name = names.withLock({ $0.streamNames[id] }) { return name }
        return try StreamName(try name(db, .stream, id))
    }

    func typeName(_ db: Database, id: Int64) throws -> String { try name(db, .eventType, id) }

    /// The id of a stream or type name, from the cache or the file; `nil` when unknown.
    private func nameID(_ db: Database, _ kind: NameKind, _ name: String) throws -> Int64? {
        if let id = names.withLock({ $0.id(kind, name) }) { return id }
        guard
            let id = try Int64.fetchOne(
                try db.cachedStatement(sql: "SELECT id FROM \(kind.table) WHERE name = ?"), arguments: [name])
        else { return nil }
        names.withLock { $0.remember(kind, name, id) }
        return id
    }

    /// The name behind an id an event refers to; a missing one means the file was damaged.
    private func name(_ db: Database, _ kind: NameKind, _ id: Int64) throws -> String {
        if let name = names.withLock({ $0.name(kind, id) }) { return name }
        guard
            let text = try String.fetchOne(
                try db.cachedStatement(sql: "SELECT name FROM \(kind.table) WHERE id = ?"), arguments: [id])
        else {
            throw LedgerError(.damaged, "an event refers to \(kind.noun) id \(id), which does not exist")
        }
        names.withLock { $0.remember(kind, text, id) }
        return text
    }
}

/// Loads command envelopes as a scan meets them. A command's events are contiguous, so the
/// last envelope serves every event until the sequence changes.
struct CommandLookup {
    private var last: CommandEnvelope?
    /// Prepared once per scan: looking a cached statement up by its text costs a hash of the
    /// SQL per event, which shows when a scan hops between commands at every event.
    private var lookup: RawStatement?

    mutating func envelope(_ db: Database, sequence: Int64) throws -> CommandEnvelope {
        if let last, last.sequence == sequence { return last }
        let statement =
            try lookup
            ?? RawStatement(
                try db.cachedStatement(
                    sql: """
                        SELECT c.command_id, COALESCE(a.name, c.actor), c.recorded_at, COALESCE(c.correlation_id, r.name),
                            c.causation_id, c.first_position, c.event_count
                        FROM koki_commands c LEFT JOIN koki_actors a ON a.id = c.actor_id
                        LEFT JOIN koki_correlations r ON r.id = c.correlation_ref WHERE c.seq = ?
                        """), db)
        lookup = statement
        defer { statement.reset() }
        statement.bind(1, sequence)
        guard try statement.step() else {
            throw LedgerError(.damaged, "an event refers to command \(sequence), which does not exist")
        }
        func identifier(_ column: Int32) throws -> Identifier? {
            if statement.isNull(column) { return nil }
            let bytes = statement.blob(column)
            guard bytes.count == 16 else {
                throw LedgerError(.damaged, "command \(sequence) has an identifier of \(bytes.count) bytes")
            }
            return Identifier(bytes: bytes)
        }
        guard let commandID = try identifier(0) else {
            throw LedgerError(.damaged, "command \(sequence) has no command id")
        }
        let envelope = CommandEnvelope(
            sequence: sequence, commandID: commandID, actor: statement.text(1),
            recordedAt: Timestamp(microseconds: statement.int64(2)), correlationID: try identifier(3),
            causationID: try identifier(4), firstPosition: statement.int64(5), eventCount: statement.int64(6))
        last = envelope
        return envelope
    }
}

/// Values kept by a stream's number (``EventView/streamNumber``) for the length of one scan: in an
/// array for numbers that come densely (a scan of the city meets its streams from 1 up, so no
/// hashing per event), in a dictionary otherwise.
///
/// The array grows only in proportion to the values held. A scan of one person's stream meets
/// one number, perhaps the city's 80,000th; an array reaching it would cost that scan more than
/// reading the stream (found by the simulation, whose commands read one stream after another).
public struct StreamNumbered<Value> {
    /// No number at or past this is kept in the array.
    public static var arrayLimit: Int64 { 1 << 24 }
    /// How far past its end (beyond twice the values held) the array may grow for one number.
    public static var arraySlack: Int { 1_024 }

    // Inlinable, so a scan in another module reads it specialized to its values, without
    // looking generic metadata up for every event.
    @usableFromInline var byNumber: [Value?] = []
    @usableFromInline var beyond: [Int64: Value] = [:]
    @usableFromInline var held = 0

    public init() {}

    /// The value held for `number`, else the one `make` gives, held from then on.
    @inlinable
    public mutating func value(_ number: Int64, orHolding make: () throws -> Value) rethrows -> Value {
        if let known = self[number] { return known }
        let made = try make()
        self[number] = made
        return made
    }

    /// The array's length: what a scan of one stream must keep small.
    public var arrayCount: Int { byNumber.count }

    @inlinable
    public subscript(number: Int64) -> Value? {
        get {
            if number >= 0, number < Int64(byNumber.count), let value = byNumber[Int(number)] { return value }
            return beyond.isEmpty ? nil : beyond[number]
        }
        set {
            guard number >= 0, number < Self.arrayLimit,
                number < Int64(byNumber.count) || Int(number) < 2 * held + Self.arraySlack
            else {
                if let newValue {
                    if beyond.updateValue(newValue, forKey: number) == nil { held += 1 }
                } else {
                    beyond[number] = nil
                }
                return
            }
            let n = Int(number)
            if n >= byNumber.count { byNumber.append(contentsOf: repeatElement(nil, count: n + 1 - byNumber.count)) }
            if byNumber[n] == nil, newValue != nil { held += 1 }
            byNumber[n] = newValue
            if !beyond.isEmpty { beyond[number] = nil }
        }
    }
}
