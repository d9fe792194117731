import Foundation
import GRDB

/// The outcome of walking the hash chain.
public struct VerifyReport: Hashable, Sendable {
    /// How many events were checked (all of them when intact; those before the problem otherwise).
    public var eventsChecked: Int64
    public var commandsChecked: Int64
    /// The head as recomputed from the stored rows (valid when intact).
    public var head: LedgerHead
    /// The first thing found wrong, or `nil` when the ledger is intact.
    public var problem: Problem?
    /// How many commands' keyed seals were checked; `nil` when none were (no chain key in use, or
    /// a ledger not yet keyed: see ``keyedChain``).
    public var sealsChecked: Int64?
    /// Whether the ledger's commands carry keyed seals (it was opened with its key once).
    public var keyedChain = false

    public var isIntact: Bool { problem == nil }

    public init(eventsChecked: Int64, commandsChecked: Int64, head: LedgerHead, problem: Problem? = nil) {
        self.eventsChecked = eventsChecked
        self.commandsChecked = commandsChecked
        self.head = head
        self.problem = problem
    }

    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        /// The first position whose stored bytes, hash or order are wrong; `nil` when the damage
        /// is not tied to one event (a damaged SQLite page, an orphaned command).
        public var position: Int64?
        public var message: String

        public init(position: Int64?, message: String) {
            self.position = position
            self.message = message
        }

        public var description: String {
            if let position { return "position \(position): \(message)" }
            return message
        }
    }
}

extension Ledger {
    /// Walks the whole ledger in position order and recomputes every hash from the stored
    /// bytes. It checks that positions are dense from 1, that each stream's versions run 1, 2,
    /// 3 …, that commands are dense and each owns exactly its contiguous events, and that every
    /// stored hash equals SHA-256 over the previous hash and the row; it reports the first
    /// position where any of this fails. With `checkFile`, SQLite's own `integrity_check` runs
    /// first, catching damage to pages and indexes that no event row shows.
    ///
    /// It reads the names and envelopes afresh from the file, not from any cache.
    public func verify(checkFile: Bool = true) throws -> VerifyReport {
        let label = path ?? ":memory:"
        var report = VerifyReport(
            eventsChecked: 0, commandsChecked: 0, head: LedgerHead(position: 0, hash: genesisHash))
        let key = chainKey.withLock { $0 }
        do {
            try reading { db in
                report.keyedChain = try Self.isKeyed(db)
                if checkFile {
                    let lines = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
                    if lines != ["ok"] {
                        report.problem = .init(
                            position: nil, message: "the SQLite file is damaged: \(lines.joined(separator: "; "))")
                        return
                    }
                }
                var seals = report.keyedChain ? key.map(SealCheck.init(key:)) : nil
                report.problem = try walk(db, &report, &seals)
                report.sealsChecked = seals?.checked
                if report.problem == nil, seals != nil {
                    let stored = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM koki_command_seals") ?? 0
                    if stored != report.commandsChecked {
                        report.problem = .init(
                            position: nil,
                            message:
                                "\(stored) keyed seals are stored for \(report.commandsChecked) commands: commands were cut off the end (a checkpoint names where)"
                        )
                    }
                }
            }
        } catch let error as DatabaseError
            where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
        {
            report.problem = .init(
                position: report.head.position + 1,
                message:
                    "the SQLite file is damaged at or after this position: \(error.message ?? "\(error.resultCode)")")
        } catch {
            throw LedgerError.wrap(error, path: label)
        }
        return report
    }

    /// Walks the chain (see ``verify(checkFile:)``); `sealing` is told each command's hash as its
    /// last event is reached, before the next command is read.
    func walk(
        _ db: Database, _ report: inout VerifyReport, _ seals: inout SealCheck?,
        sealing: ((_ seq: Int64, _ firstPosition: Int64, _ eventCount: Int64, _ lastHash: [UInt8]) throws -> Void)? =
            nil
    ) throws -> VerifyReport.Problem? {
        var streams = VerifiedStreams(
            try Row.fetchAll(db, sql: "SELECT id, CAST(name AS BLOB) FROM koki_streams").map {
                (id: $0[0] as Int64, name: Array(($0[1] as Data?) ?? Data()))
            })
        var types: [Int64: [UInt8]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, CAST(name AS BLOB) FROM koki_event_types") {
            types[row[0]] = Array((row[1] as Data?) ?? Data())
        }
        var hasher = RowHasher()
        var previous = genesisHash
        var position: Int64 = 0
        // The first row since the last stored hash (see ``ChainCheck``), and the last row the rule
        // stores a hash on (a hash stored anywhere else is checked, but decides nothing).
        var unchecked: Int64?
        var lastStored: Int64 = 0

        // The current command and what is left of it.
        var command: (seq: Int64, envelope: [UInt8], remaining: Int64, first: Int64, count: Int64, seal: [UInt8]?) = (
            0, [], 0, 0, 0, nil
        )
        let commands = RawStatement(
            try db.makeStatement(
                sql: """
                    SELECT c.seq, c.command_id, COALESCE(a.name, c.actor), c.recorded_at,
                        COALESCE(c.correlation_id, r.name), c.causation_id, c.first_position, c.event_count, s.seal,
                        c.actor, c.actor_id, a.id, c.correlation_id, c.correlation_ref, r.id
                    FROM koki_commands c LEFT JOIN koki_command_seals s ON s.seq = c.seq
                    LEFT JOIN koki_actors a ON a.id = c.actor_id LEFT JOIN koki_correlations r ON r.id = c.correlation_ref
                    ORDER BY c.seq
                    """), db)
        defer { commands.reset() }
        let events = RawStatement(
            try db.makeStatement(
                sql: """
                    SELECT position, stream_id, stream_version, type_id, schema_version, command_seq, encoding, payload, hash
                    FROM koki_events ORDER BY position
                    """), db)
        defer { events.reset() }

        while try events.step() {
            let at = events.int64(0)
            func problem(_ message: String) -> VerifyReport.Problem { .init(position: at, message: message) }
            guard at == position + 1 else {
                return .init(
                    position: position + 1,
                    message: "position \(position + 1) is missing (next stored position is \(at))")
            }
            let commandSeq = events.int64(5)
            if command.remaining == 0 {
                guard try commands.step() else { return problem("its command \(commandSeq) is missing") }
                let seq = commands.int64(0)
                guard seq == command.seq + 1, commandSeq == seq else {
                    return problem(
                        "belongs to command \(commandSeq), but the next command is \(seq) after \(command.seq)")
                }
                guard commands.int64(6) == at, commands.int64(7) >= 1 else {
                    return problem(
                        "command \(seq) claims to start at \(commands.int64(6)) with \(commands.int64(7)) events")
                }
                // A command names its actor and correlation once: by number (schema version v11)
                // or, recorded before, in its own columns.
                if !commands.isNull(10) {
                    guard commands.text(9).isEmpty else {
                        return problem("command \(seq) names its actor twice, by number and by name")
                    }
                    guard !commands.isNull(11) else {
                        return problem("command \(seq) names actor \(commands.int64(10)), which does not exist")
                    }
                } else if commands.text(9).isEmpty {
                    return problem("command \(seq) names no actor")
                }
                if !commands.isNull(13) {
                    guard commands.isNull(12) else {
                        return problem("command \(seq) names its correlation twice, by number and by its bytes")
                    }
                    guard !commands.isNull(14) else {
                        return problem("command \(seq) names correlation \(commands.int64(13)), which does not exist")
                    }
                }
                let id = commands.blob(1)
                let correlation = commands.isNull(4) ? nil : Array(commands.blob(4))
                let causation = commands.isNull(5) ? nil : Array(commands.blob(5))
                guard id.count == 16, correlation.map({ $0.count == 16 }) ?? true,
                    causation.map({ $0.count == 16 }) ?? true
                else { return problem("command \(seq) has a malformed identifier") }
                command = (
                    seq,
                    RowHasher.envelope(
                        commandID: Array(id), actor: commands.text(2), recordedAt: commands.int64(3),
                        correlationID: correlation, causationID: causation),
                    commands.int64(7), commands.int64(6), commands.int64(7),
                    commands.isNull(8) ? nil : Array(commands.blob(8))
                )
            } else if commandSeq != command.seq {
                return problem("belongs to command \(commandSeq) inside command \(command.seq)'s events")
            }
            command.remaining -= 1

            let streamID = events.int64(1)
            guard let known = streams[streamID] else { return problem("refers to unknown stream id \(streamID)") }
            let stream = known.name
            let version = events.int64(2)
            let expectedVersion = known.version + 1
            guard version == expectedVersion else {
                return problem("stream version \(version) where \(expectedVersion) was due")
            }
            streams.setVersion(version, of: streamID)
            guard let type = types[events.int64(3)] else {
                return problem("refers to unknown event type id \(events.int64(3))")
            }
            let encoding = events.int64(6)
            guard PayloadEncoding(rawValue: encoding) != nil else {
                return problem("unknown payload encoding \(encoding)")
            }
            let stored = events.blob(8)
            let computed = previous.withUnsafeBytes { prev in
                stream.withUnsafeBytes { streamBytes in
                    type.withUnsafeBytes { typeBytes in
                        hasher.hash(
                            previous: prev, position: at, stream: streamBytes, streamVersion: version, type: typeBytes,
                            schemaVersion: events.int64(4), envelope: command.envelope, encoding: encoding,
                            payload: events.blob(7))
                    }
                }
            }
            // The hash is stored on the last event of a command that keeps it (see
            // ``storesHash(seq:lastPosition:lastStored:)``); the rows before it are checked through
            // it, those after the last one through the recorded head.
            let ruleStores =
                command.remaining == 0 && storesHash(seq: command.seq, lastPosition: at, lastStored: lastStored)
            if ruleStores { lastStored = at }
            if stored.isEmpty && !ruleStores {
                unchecked = unchecked ?? at
            } else {
                guard stored.elementsEqual(computed) else {
                    guard !stored.isEmpty else { return problem("the last event of its command stores no hash") }
                    let first = unchecked ?? at
                    return .init(position: first, message: ChainCheck.mismatch(from: first, through: at))
                }
                unchecked = nil
            }
            previous = Array(computed)
            if command.remaining == 0, seals != nil,
                let problem = seals?.check(
                    seq: command.seq, firstPosition: command.first, eventCount: command.count, lastHash: previous,
                    stored: command.seal, chainChecked: unchecked == nil)
            {
                return problem
            }
            if command.remaining == 0, let sealing {
                try sealing(command.seq, command.first, command.count, previous)
            }
            position = at
            report.eventsChecked = at
            report.commandsChecked = command.seq
            report.head = LedgerHead(position: at, hash: previous)
        }
        if command.remaining != 0 {
            return .init(
                position: position + 1, message: "command \(command.seq) lacks its last \(command.remaining) events")
        }
        if try commands.step() {
            return .init(
                position: nil, message: "command \(commands.int64(0)) has no events after position \(position)")
        }
        return try headProblem(db, report.head, unchecked: unchecked, lastStored: lastStored)
    }

    /// What is wrong with the head recorded at the last append, against the chain's head as the
    /// rows compute it: the only check of the commands after the last stored hash.
    private func headProblem(_ db: Database, _ computed: LedgerHead, unchecked: Int64?, lastStored: Int64) throws
        -> VerifyReport.Problem?
    {
        guard let (recorded, recordedLastStored) = try Self.recordedHeadAndLastStored(db) else {
            guard computed.position == 0 || sparseHashesFrom == .max else {
                return .init(
                    position: nil,
                    message: "the chain's head is not recorded (koki_chain_head has no row that reads as one)")
            }
            return nil
        }
        guard recorded.position == computed.position else {
            return .init(
                position: min(recorded.position, computed.position) + 1,
                message:
                    "the last append recorded the head at position \(recorded.position), but the last event is at \(computed.position) (events were cut off or added outside koki)"
            )
        }
        guard recorded.hash == computed.hash else {
            guard let first = unchecked else {
                return .init(
                    position: nil,
                    message:
                        "the chain's head recorded at the last append does not match the chain at \(computed.position) (the record was altered)"
                )
            }
            return .init(
                position: first,
                message: first == computed.position
                    ? "stored bytes do not match the chain's head recorded at the last append (the row or an earlier link was altered)"
                    : "stored bytes of positions \(first)–\(computed.position) do not match the chain's head recorded at the last append (one of them or an earlier link was altered)"
            )
        }
        // What the next append decides by: a wrong one would store, or leave out, the next hash.
        guard recordedLastStored == lastStored || sparseHashesFrom == .max else {
            return .init(
                position: nil,
                message:
                    "the last append recorded the last stored hash at position \(recordedLastStored), but it is at \(lastStored) (the record was altered)"
            )
        }
        return nil
    }
}

/// The streams a verification walks: each id's name and the last version met. Stream ids are the
/// table's row ids, nearly dense, so they are kept in arrays indexed by id (a lookup per event);
/// an id far past the table's size (only a file written by hand has one) is kept aside, so a
/// damaged id costs no memory for the ids below it.
struct VerifiedStreams {
    private var names: [[UInt8]?]
    private var versions: [Int64]
    private var far: [Int64: (name: [UInt8], version: Int64)] = [:]

    init(_ rows: [(id: Int64, name: [UInt8])]) {
        let dense = Int64(rows.count) * 2 + 1_024
        let top = rows.reduce(Int64(-1)) { max($0, $1.id) }
        names = Array(repeating: nil, count: Int(top < dense ? top + 1 : dense))
        versions = Array(repeating: 0, count: names.count)
        for row in rows {
            if row.id >= 0, row.id < Int64(names.count) { names[Int(row.id)] = row.name } else {
                far[row.id] = (row.name, 0)
            }
        }
    }

    /// A stream's name and the last version met (0 before its first event); `nil` for an unknown id.
    subscript(id: Int64) -> (name: [UInt8], version: Int64)? {
        if id >= 0, id < Int64(names.count) { return names[Int(id)].map { ($0, versions[Int(id)]) } }
        return far[id]
    }

    mutating func setVersion(_ version: Int64, of id: Int64) {
        if id >= 0, id < Int64(versions.count) { versions[Int(id)] = version } else { far[id]?.version = version }
    }
}
