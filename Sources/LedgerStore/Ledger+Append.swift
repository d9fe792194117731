import Foundation
import GRDB

extension Ledger {
    /// Appends all of a command's events in one transaction, or none of them.
    ///
    /// - Each stream must be at its ``ExpectedVersion``; otherwise the append throws
    ///   `wrongExpectedVersion` naming the stream, the expected and the actual version.
    /// - A command id seen before returns the original result (``AppendResult/wasDuplicate``)
    ///   and appends nothing — across processes too, since the check runs under the write lock.
    /// - Positions are dense: the command's events take the positions right after the head.
    ///
    /// Throws ``LedgerError``.
    @discardableResult
    public func append(_ request: AppendRequest) throws -> AppendResult {
        let label = path ?? ":memory:"
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(label) was opened read-only") }
        try Self.validate(request)
        let behind = behind.withLock { $0 }
        if let behind, let decided = try appendBehind(request, behind) { return decided }
        // Compression happens before the write lock is taken, so the lock is held only for
        // hashing and inserting.
        let stored = request.streams.map { $0.events.map { PayloadCompression.store($0.payload) } }
        do {
            var newNames = NameCache()
            let result = try queue.writeWithoutTransaction { db -> AppendResult in
                var result: AppendResult?
                var after: ChainState?
                do {
                    try allOrNothing(db, append: true) {
                        newNames = NameCache()
                        after = nil
                        if let previous = try existingResult(db, commandID: request.commandID) {
                            result = previous
                        } else {
                            (result, after) = try insert(db, request, stored: stored, newNames: &newNames)
                        }
                        return .commit
                    }
                } catch {
                    group.withLock { $0?.chain = nil }
                    throw error
                }
                // A commit group's next append continues from here without reading the head back.
                if let after { group.withLock { $0?.chain = after } }
                return result!
            }
            if !newNames.isEmpty {
                names.withLock { $0.merge(newNames) }
            }
            if let behind { followed(result, behind) }
            return result
        } catch {
            throw LedgerError.wrap(error, path: label)
        }
    }

    package static func validate(_ request: AppendRequest) throws(LedgerError) {
        guard !request.actor.isEmpty, request.actor.utf8.count <= 200,
            request.actor.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw LedgerError(.invalidInput, "actor '\(request.actor)' must be 1–200 printable characters")
        }
        guard request.eventCount > 0 else {
            throw LedgerError(.invalidInput, "command \(request.commandID) has no events to append")
        }
        var seen = Set<StreamName>()
        for (s, part) in request.streams.enumerated() {
            guard seen.insert(part.stream).inserted else {
                throw LedgerError(.invalidInput, "stream \(part.stream) appears twice in command \(request.commandID)")
            }
            guard !part.events.isEmpty else {
                throw LedgerError(
                    .invalidInput,
                    "stream \(part.stream) has no events in command \(request.commandID); nothing was appended")
            }
            if case .exact(let v) = part.expectedVersion, v < 0 {
                throw LedgerError(.invalidInput, "expected version \(v) for stream \(part.stream) is negative")
            }
            for (e, event) in part.events.enumerated() {
                let at = "event \(e + 1) of stream \(part.stream) (part \(s + 1))"
                guard !event.type.isEmpty, event.type.utf8.count <= 100,
                    event.type.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
                else {
                    throw LedgerError(
                        .invalidInput,
                        "\(at): type name '\(event.type)' must be 1–100 printable characters without spaces")
                }
                guard event.schemaVersion >= 1 else {
                    throw LedgerError(.invalidInput, "\(at): schema version \(event.schemaVersion) must be at least 1")
                }
                guard event.payload.count <= PayloadCompression.maximumPayloadSize else {
                    throw LedgerError(.invalidInput, "\(at): payload of \(event.payload.count) bytes exceeds 16 MiB")
                }
            }
        }
    }

    /// The result of a command already in the ledger, rebuilt from its stored events.
    private func existingResult(_ db: Database, commandID: Identifier) throws -> AppendResult? {
        let find = RawStatement(
            try db.cachedStatement(
                sql: "SELECT recorded_at, first_position, event_count FROM koki_commands WHERE command_id = ?"), db)
        defer { find.reset() }
        find.bind(1, commandID.bytes)
        guard try find.step() else { return nil }
        let recordedAt = find.int64(0)
        let first = find.int64(1)
        let count = find.int64(2)
        let events = RawStatement(
            try db.cachedStatement(
                sql:
                    "SELECT position, stream_id, stream_version FROM koki_events WHERE position BETWEEN ? AND ? ORDER BY position"
            ), db)
        defer { events.reset() }
        events.bind(1, first)
        events.bind(2, first + count - 1)
        var appended: [AppendedEvent] = []
        while try events.step() {
            let stream = try streamName(db, id: events.int64(1))
            appended.append(AppendedEvent(position: events.int64(0), stream: stream, streamVersion: events.int64(2)))
        }
        return AppendResult(
            commandID: commandID, recordedAt: Timestamp(microseconds: recordedAt), events: appended, wasDuplicate: true)
    }

    private func insert(
        _ db: Database, _ request: AppendRequest, stored: [[(encoding: PayloadEncoding, bytes: [UInt8])]],
        newNames: inout NameCache
    ) throws -> (AppendResult, ChainState) {
        // The chain continues from the group's last append, kept in memory, or from the head
        // read under the write lock: another process may have appended since.
        let chain = try group.withLock({ $0?.chain }) ?? readChain(db)
        if chainKey.withLock({ $0 }) == nil, try chain.keyed ?? Self.isKeyed(db) {
            throw Self.keyRequired(path)
        }
        let recordedAt = clock.now()
        // Every stream at its expected version before anything is written.
        let currentVersion = RawStatement(
            try db.cachedStatement(
                sql: "SELECT stream_version FROM koki_events WHERE stream_id = ? ORDER BY stream_version DESC LIMIT 1"),
            db)
        var versions: [Int64] = []
        versions.reserveCapacity(request.streams.count)
        for part in request.streams {
            currentVersion.bind(1, try resolve(db, .stream, part.stream.value, newNames: &newNames))
            let version: Int64 = try currentVersion.step() ? currentVersion.int64(0) : 0
            currentVersion.reset()
            try Self.check(part, at: version, request)
            versions.append(version)
        }
        let after = try write(
            db, request, stored: stored, recordedAt: recordedAt, chain: chain, versions: versions, newNames: &newNames)
        return (Self.result(of: request, recordedAt: recordedAt, from: chain.position, versions: versions), after)
    }

    static func keyRequired(_ path: String?) -> LedgerError {
        LedgerError(
            .keyRequired,
            "\(path ?? ":memory:") seals every command under a key derived from the master key: appending needs it (--master-key); nothing was appended"
        )
    }

    /// Refuses a stream not at the version the command expects.
    static func check(_ part: StreamAppend, at version: Int64, _ request: AppendRequest) throws(LedgerError) {
        guard part.expectedVersion.accepts(version) else {
            throw LedgerError(
                .wrongExpectedVersion,
                "stream \(part.stream) is at version \(version), but command \(request.commandID) expected \(part.expectedVersion); nothing was appended"
            )
        }
    }

    /// What an append answers: the command's events at the positions after `head`, each
    /// stream's from the version after the one it was at.
    static func result(of request: AppendRequest, recordedAt: Timestamp, from head: Int64, versions: [Int64])
        -> AppendResult
    {
        var appended: [AppendedEvent] = []
        appended.reserveCapacity(request.eventCount)
        var position = head
        for (part, first) in zip(request.streams, versions) {
            var version = first
            for _ in part.events {
                position += 1
                version += 1
                appended.append(AppendedEvent(position: position, stream: part.stream, streamVersion: version))
            }
        }
        return AppendResult(commandID: request.commandID, recordedAt: recordedAt, events: appended, wasDuplicate: false)
    }

    /// Writes a command whose place is decided: its row, its events at the positions after the
    /// chain's head (each stream's from the version after `versions`' entry for it), the head,
    /// and its seal. Returns where the chain is after it.
    func write(
        _ db: Database, _ request: AppendRequest, stored: [[(encoding: PayloadEncoding, bytes: [UInt8])]],
        recordedAt: Timestamp, chain: ChainState, versions: [Int64], newNames: inout NameCache
    ) throws -> ChainState {
        var position = chain.position
        var previousHash = chain.hash
        let commandSeq = chain.commandSeq + 1
        let previousSeal = chain.seal
        let lastStored = chain.lastStored
        let key = chainKey.withLock { $0 }
        try insertCommand(
            db, sequence: commandSeq, commandID: request.commandID.bytes, actor: request.actor,
            recordedAt: recordedAt.microseconds, correlationID: request.correlationID?.bytes,
            causationID: request.causationID?.bytes, firstPosition: position + 1, eventCount: Int64(request.eventCount),
            newNames: &newNames)

        let envelope = RowHasher.envelope(
            commandID: request.commandID.bytes, actor: request.actor, recordedAt: recordedAt.microseconds,
            correlationID: request.correlationID?.bytes, causationID: request.causationID?.bytes)
        let insertEvent = RawStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO koki_events(position, stream_id, stream_version, type_id, schema_version, command_seq,
                        encoding, payload, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """), db)
        var hasher = RowHasher()
        // The command's hash is stored once, on its last event, if the command keeps it (see
        // ``storesHash(seq:lastPosition:lastStored:)``); the chain's head is recorded in any case.
        let lastPosition = position + Int64(request.eventCount)
        let keepsHash = storesHash(seq: commandSeq, lastPosition: lastPosition, lastStored: lastStored)
        // Type names resolved once per command, with their UTF-8 for hashing.
        var types: [String: (id: Int64, utf8: [UInt8])] = [:]

        for (s, part) in request.streams.enumerated() {
            let streamID = try resolve(db, .stream, part.stream.value, newNames: &newNames)
            let streamUTF8 = Array(part.stream.value.utf8)
            var version = versions[s]
            for (e, event) in part.events.enumerated() {
                let type: (id: Int64, utf8: [UInt8])
                if let known = types[event.type] {
                    type = known
                } else {
                    type = (try resolve(db, .eventType, event.type, newNames: &newNames), Array(event.type.utf8))
                    types[event.type] = type
                }
                position += 1
                version += 1
                let payload = stored[s][e]
                let hash = streamUTF8.withUnsafeBytes { streamBytes in
                    type.utf8.withUnsafeBytes { typeBytes in
                        previousHash.withUnsafeBytes { previous in
                            payload.bytes.withUnsafeBytes { payloadBytes in
                                hasher.hash(
                                    previous: previous, position: position, stream: streamBytes,
                                    streamVersion: version, type: typeBytes,
                                    schemaVersion: Int64(event.schemaVersion), envelope: envelope,
                                    encoding: payload.encoding.rawValue, payload: payloadBytes)
                            }
                        }
                    }
                }
                insertEvent.bind(1, position)
                insertEvent.bind(2, streamID)
                insertEvent.bind(3, version)
                insertEvent.bind(4, type.id)
                insertEvent.bind(5, Int64(event.schemaVersion))
                insertEvent.bind(6, commandSeq)
                insertEvent.bind(7, payload.encoding.rawValue)
                insertEvent.bind(8, payload.bytes)
                if position == lastPosition, keepsHash {
                    hash.withUnsafeBytes { insertEvent.bind(9, $0) }
                } else {
                    insertEvent.bind(9, [UInt8]())
                }
                _ = try insertEvent.step()
                insertEvent.reset()
                previousHash = Array(hash)
            }
        }
        var after = ChainState(
            position: lastPosition, hash: previousHash, lastStored: keepsHash ? lastPosition : lastStored,
            commandSeq: commandSeq, seal: ChainKey.genesisSeal, keyed: key == nil ? false : nil)
        try Self.recordHead(db, LedgerHead(position: lastPosition, hash: previousHash), lastStored: after.lastStored)
        if let key {
            let seal = key.seal(
                previous: previousSeal, seq: commandSeq, firstPosition: position - Int64(request.eventCount) + 1,
                eventCount: Int64(request.eventCount), lastHash: previousHash)
            try db.cachedStatement(sql: "INSERT INTO koki_command_seals(seq, seal) VALUES (?, ?)")
                .execute(arguments: [commandSeq, Data(seal)])
            after.seal = seal
        }
        return after
    }

    /// The chain's head as the rows and the head's record say, for an append to continue from.
    func readChain(_ db: Database) throws -> ChainState {
        let head = RawStatement(
            try db.cachedStatement(
                sql: """
                    SELECT e.position, e.hash, e.command_seq, s.seal FROM koki_events e
                    LEFT JOIN koki_command_seals s ON s.seq = e.command_seq ORDER BY e.position DESC LIMIT 1
                    """),
            db)
        defer { head.reset() }
        var chain = ChainState(
            position: 0, hash: genesisHash, lastStored: 0, commandSeq: 0, seal: ChainKey.genesisSeal, keyed: nil)
        guard try head.step() else { return chain }
        chain.position = head.int64(0)
        // The head the last append recorded, unless another build or a copy wrote since.
        if let recorded = try Self.recordedHeadAndLastStored(db), recorded.head.position == chain.position {
            chain.hash = head.blob(1).isEmpty ? recorded.head.hash : Array(head.blob(1))
            chain.lastStored = recorded.lastStored
        } else {
            chain.hash = head.blob(1).isEmpty ? try chainHash(db, through: chain.position) : Array(head.blob(1))
            chain.lastStored = try Self.lastStoredHash(db, through: chain.position)
        }
        chain.commandSeq = head.int64(2)
        // A missing seal before this one is reported by verify; this command is sealed anyway.
        if !head.isNull(3) { chain.seal = Array(head.blob(3)) }
        return chain
    }

    enum NameKind: Sendable {
        case stream, eventType, actor, correlation

        var table: String {
            switch self {
            case .stream: "koki_streams"
            case .eventType: "koki_event_types"
            case .actor: "koki_actors"
            case .correlation: "koki_correlations"
            }
        }
        var noun: String {
            switch self {
            case .stream: "stream"
            case .eventType: "event type"
            case .actor: "actor"
            case .correlation: "correlation"
            }
        }
    }

    /// Inserts a command's row: its actor and correlation by their numbers in their own tables
    /// (added when new), its empty actor column and null correlation column kept for the rows
    /// recorded before (schema version v11).
    func insertCommand(
        _ db: Database, sequence: Int64, commandID: [UInt8], actor: String, recordedAt: Int64, correlationID: [UInt8]?,
        causationID: [UInt8]?, firstPosition: Int64, eventCount: Int64, newNames: inout NameCache
    ) throws {
        let actorID = try resolve(db, .actor, actor, newNames: &newNames)
        let correlation = try correlationID.map { try resolve(db, .correlation, $0.hexString, newNames: &newNames) }
        let insert = RawStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO koki_commands(seq, command_id, actor, recorded_at, correlation_id, causation_id,
                        first_position, event_count, actor_id, correlation_ref) VALUES (?, ?, '', ?, NULL, ?, ?, ?, ?, ?)
                    """), db)
        defer { insert.reset() }
        insert.bind(1, sequence)
        insert.bind(2, commandID)
        insert.bind(3, recordedAt)
        insert.bind(4, causationID)
        insert.bind(5, firstPosition)
        insert.bind(6, eventCount)
        insert.bind(7, actorID)
        if let correlation { insert.bind(8, correlation) } else { insert.bindNull(8) }
        _ = try insert.step()
    }

    /// The id of a stream or type name, adding the name if it is new. New ids are remembered in
    /// the cache only after the transaction commits.
    private func resolve(
        _ db: Database, _ kind: NameKind, _ name: String, newNames: inout NameCache
    ) throws -> Int64 {
        if let id = names.withLock({ $0.id(kind, name) }) { return id }
        if let pending = newNames.id(kind, name) { return pending }
        let table = kind.table
        let find = RawStatement(try db.cachedStatement(sql: "SELECT id FROM \(table) WHERE name = ?"), db)
        // A correlation is kept as its 16 bytes, named here by their hex.
        let bytes = kind == .correlation ? hexDecoded(name) : nil
        if let bytes { find.bind(1, bytes) } else { find.bind(1, name) }
        if try find.step() {
            let id = find.int64(0)
            find.reset()
            names.withLock { $0.remember(kind, name, id) }
            return id
        }
        find.reset()
        let add = RawStatement(try db.cachedStatement(sql: "INSERT INTO \(table)(name) VALUES (?)"), db)
        if let bytes { add.bind(1, bytes) } else { add.bind(1, name) }
        _ = try add.step()
        add.reset()
        let id = db.lastInsertedRowID
        newNames.remember(kind, name, id)
        return id
    }
}

extension NameCache {
    func id(_ kind: Ledger.NameKind, _ name: String) -> Int64? {
        switch kind {
        case .stream: streamIDs[name]
        case .eventType: typeIDs[name]
        case .actor: actorIDs[name]
        case .correlation: correlationIDs[name]
        }
    }

    func name(_ kind: Ledger.NameKind, _ id: Int64) -> String? {
        switch kind {
        case .stream: streamNames[id]?.value
        case .eventType: typeNames[id]
        case .actor, .correlation: nil
        }
    }

    var isEmpty: Bool { streamIDs.isEmpty && typeIDs.isEmpty && actorIDs.isEmpty && correlationIDs.isEmpty }

    mutating func merge(_ other: NameCache) {
        streamIDs.merge(other.streamIDs) { $1 }
        streamNames.merge(other.streamNames) { $1 }
        typeIDs.merge(other.typeIDs) { $1 }
        typeNames.merge(other.typeNames) { $1 }
        actorIDs.merge(other.actorIDs) { $1 }
        correlationIDs.merge(other.correlationIDs) { $1 }
    }

    mutating func remember(_ kind: Ledger.NameKind, _ name: String, _ id: Int64) {
        switch kind {
        case .stream:
            streamIDs[name] = id
            // Names in the table were validated when appended.
            if let stream = try? StreamName(name) { streamNames[id] = stream }
        case .eventType:
            typeIDs[name] = id
            typeNames[id] = name
        case .actor:
            actorIDs[name] = id
        case .correlation:
            correlationIDs[name] = id
        }
    }
}
