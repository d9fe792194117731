import Foundation
import GRDB
import LedgerStore
import KokiTestSupport
import Testing

/// `verify` must find any alteration of what is stored, and name the first position affected.
@Suite struct VerifyTests {
    /// A ledger file of `commands` random commands, checkpointed so every byte is in the main file.
    func makeLedger(_ folder: TemporaryFolder, seed: UInt64, commands: Int = 40) throws -> (path: String, count: Int64)
    {
        let path = folder.path("v.ledger")
        let ledger = try Ledger.create(at: path, clock: ManualClock(start: epoch2026))
        var g = SeededGenerator(seed: seed)
        for _ in 0..<commands { try ledger.append(randomRequest(using: &g)) }
        let count = try ledger.head().position
        try checkpoint(path)
        return (path, count)
    }

    func checkpoint(_ path: String) throws {
        try DatabaseQueue(path: path).writeWithoutTransaction {
            try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Runs SQL with the append-only triggers out of the way, as an attacker with the file would.
    func tamper(_ path: String, _ sql: String) throws {
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(sql: sql)
        }
    }

    func problem(_ path: String, checkFile: Bool = true) throws -> VerifyReport.Problem? {
        try Ledger.open(at: path, mode: .readOnly).verify(checkFile: checkFile).problem
    }

    @Test func anIntactLedgerVerifies() throws {
        let folder = try TemporaryFolder()
        let (path, count) = try makeLedger(folder, seed: 1)
        let report = try Ledger.open(at: path, mode: .readOnly).verify()
        #expect(report.isIntact)
        #expect(report.eventsChecked == count)
        #expect(report.head == (try Ledger.open(at: path, mode: .readOnly).head()))
    }

    /// A stream's id rewritten far past the table's size, in its row and every event that names
    /// it (the chain covers the name, not the id): verify still reads the chain whole without
    /// taking memory for the ids below, and an event naming an id no stream has is found.
    @Test func aStreamIdFarPastTheTableCostsNoMemoryAndAMissingOneIsFound() throws {
        let folder = try TemporaryFolder()
        let (path, count) = try makeLedger(folder, seed: 3)
        let far: Int64 = 2_000_000_000
        try tamper(path, "UPDATE koki_events SET stream_id = \(far) WHERE stream_id = 2")
        try tamper(path, "UPDATE koki_streams SET id = \(far) WHERE id = 2")
        let report = try Ledger.open(at: path, mode: .readOnly).verify(checkFile: false)
        #expect(report.isIntact && report.eventsChecked == count)
        try tamper(path, "UPDATE koki_streams SET id = \(far + 1) WHERE id = \(far)")
        let found = try #require(try problem(path, checkFile: false))
        #expect("\(found)".contains("unknown stream id \(far)"), "\(found)")
    }

    @Test(arguments: [
        ("UPDATE koki_events SET payload = payload || x'00' WHERE position = 17", 17 as Int64?),
        ("UPDATE koki_events SET hash = zeroblob(32) WHERE position = 23", 23),
        ("UPDATE koki_events SET stream_version = stream_version + 100 WHERE position = 30", 30),
        ("UPDATE koki_events SET schema_version = 9 WHERE position = 5", 5),
        ("UPDATE koki_events SET encoding = 1 - encoding WHERE position = 11", 11),
        (
            "UPDATE koki_events SET type_id = (SELECT MAX(id) FROM koki_event_types) + 0 * type_id WHERE position = (SELECT MIN(position) FROM koki_events WHERE type_id != (SELECT MAX(id) FROM koki_event_types))",
            nil
        ),
        ("DELETE FROM koki_events WHERE position = 12", 12),
        (
            "UPDATE koki_events SET position = position + 1000 WHERE position = (SELECT MAX(position) FROM koki_events)",
            nil
        ),
        ("UPDATE koki_commands SET actor = 'someone-else' WHERE seq = 3", nil),
        ("UPDATE koki_commands SET actor = 'someone-else', actor_id = NULL WHERE seq = 3", nil),
        ("UPDATE koki_commands SET actor_id = 99 WHERE seq = 3", nil),
        ("UPDATE koki_actors SET name = 'someone-else' WHERE id = 1", nil),
        (
            "INSERT INTO koki_actors(name) VALUES ('x'); UPDATE koki_commands SET actor_id = (SELECT MAX(id) FROM koki_actors) WHERE seq = 3",
            nil
        ),
        ("UPDATE koki_commands SET correlation_id = zeroblob(16) WHERE correlation_ref IS NOT NULL", nil),
        ("UPDATE koki_correlations SET name = zeroblob(16) WHERE id = 1", nil),
        ("UPDATE koki_commands SET recorded_at = recorded_at - 1 WHERE seq = 4", nil),
        ("UPDATE koki_streams SET name = 'person/99' WHERE name = 'person/3'", nil),
        ("UPDATE koki_event_types SET name = 'Refund' WHERE id = 1", 1),
        ("DELETE FROM koki_commands WHERE seq = (SELECT MAX(seq) FROM koki_commands)", nil),
    ])
    func sqlTamperingIsFound(sql: String, position: Int64?) throws {
        let folder = try TemporaryFolder()
        let (path, _) = try makeLedger(folder, seed: 2)
        let start = try position.map { try stretchStart(path, of: $0) }
        try tamper(path, sql)
        let found = try #require(try problem(path, checkFile: false), "\(sql) went unnoticed")
        if let position, let start { expect(found, names: position, stretchStart: start) }
        // The full check finds it too.
        #expect(try problem(path) != nil)
    }

    /// The first position after the last stored hash before `position`: the start of the
    /// positions the next stored hash (or the recorded head) covers.
    func stretchStart(_ path: String, of position: Int64) throws -> Int64 {
        try DatabaseQueue(path: path).read { db in
            try #require(
                try Int64.fetchOne(
                    db,
                    sql: "SELECT COALESCE(MAX(position), 0) + 1 FROM koki_events WHERE position < ? AND length(hash) > 0",
                    arguments: [position]))
        }
    }

    /// A hash is stored only on some commands' last events, so an altered row is found either at
    /// its own position (where a hash is stored, or the row itself is out of order) or at the
    /// first position after the last stored hash before it, with the positions covered named.
    func expect(
        _ found: VerifyReport.Problem, names position: Int64, stretchStart start: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        if found.position == position { return }
        #expect(found.position == start, "\(found)", sourceLocation: sourceLocation)
        #expect(found.message.contains("positions \(start)–"), "\(found)", sourceLocation: sourceLocation)
    }

    @Test func swappingTwoRowsIsFoundAtTheFirst() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try makeLedger(folder, seed: 3)
        let start = try stretchStart(path, of: 8)
        try tamper(
            path,
            """
            UPDATE koki_events SET payload = CASE position WHEN 8 THEN (SELECT payload FROM koki_events WHERE position = 9)
                ELSE (SELECT payload FROM koki_events WHERE position = 8) END WHERE position IN (8, 9)
            """)
        let found = try #require(try problem(path))
        if found.position != nil { expect(found, names: 8, stretchStart: start) }
        expect(try #require(try problem(path, checkFile: false)), names: 8, stretchStart: start)
    }

    /// Each row's stored hash length, and whether it is its command's last event.
    func storedHashes(_ path: String) throws -> [(position: Int64, length: Int, isLast: Bool)] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.position, length(e.hash), e.position = c.first_position + c.event_count - 1
                    FROM koki_events e JOIN koki_commands c ON c.seq = e.command_seq ORDER BY e.position
                    """
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Whether each row stores its hash by the rule: the last event of a command lying 32
    /// positions or more past the last stored hash.
    func storedByTheRule(_ rows: [(position: Int64, length: Int, isLast: Bool)]) -> Bool {
        var lastStored: Int64 = 0
        return rows.allSatisfy { row in
            let stores = row.isLast && row.position - lastStored >= 32
            if stores { lastStored = row.position }
            return row.length == (stores ? 32 : 0)
        }
    }

    /// A hash is stored only on a command's last event, 32 positions or more past the last one
    /// stored; verify computes the others' on the way.
    @Test func aCommandStoresItsHashOnItsLastEventOnly() throws {
        let folder = try TemporaryFolder()
        let (path, count) = try makeLedger(folder, seed: 4)
        let rows = try storedHashes(path)
        #expect(rows.count == Int(count))
        #expect(storedByTheRule(rows))
        #expect(rows.contains { !$0.isLast }, "some commands have several events")
        #expect(rows.contains { $0.isLast && $0.length == 0 }, "some commands store no hash")
        let ledger = try Ledger.open(at: path, mode: .readOnly)
        let report = try ledger.verify()
        #expect(report.isIntact && report.eventsChecked == count)
        #expect(report.head == (try ledger.head()))
    }

    /// Blanking a stored hash is found there.
    @Test func aCommandsLastEventWithoutItsHashIsFound() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try makeLedger(folder, seed: 5)
        let last = try #require(try storedHashes(path).first { $0.length > 0 && $0.position > 1 }).position
        try tamper(path, "UPDATE koki_events SET hash = x'' WHERE position = \(last)")
        let found = try #require(try problem(path, checkFile: false))
        #expect(found.position == last && found.message.contains("stores no hash"), "\(found)")
    }

    /// A ledger written before koki stored one hash a command holds every row's hash: it verifies,
    /// a wrong hash on any row is found at that very row, and a copy of it stores each command's
    /// hash once, with the same head.
    @Test func aLedgerStoringEveryHashVerifiesRowByRowAndCopiesCompact() throws {
        let folder = try TemporaryFolder()
        let (path, count) = try makeLedger(folder, seed: 6)
        let ledger = try Ledger.open(at: path, mode: .readOnly)
        var previous = ChainCheck(ledgerID: ledger.ledgerID).head.hash
        var hashes: [Int64: [UInt8]] = [:]
        try ledger.forEachStoredRow(from: 1) { row in
            previous = ChainCheck.hash(of: row, after: previous)
            hashes[row.position] = previous
        }
        let middle = try storedHashes(path).filter { $0.length == 0 }.map(\.position)
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        try tamper(
            path, middle.map { "UPDATE koki_events SET hash = x'\(hex(hashes[$0]!))' WHERE position = \($0);" }.joined())
        #expect(try storedHashes(path).allSatisfy { $0.length == 32 })
        #expect(try problem(path) == nil)

        let copy = try Ledger.create(at: folder.path("copy.ledger"), ledgerID: ledger.ledgerID)
        #expect(try copy.copy(from: Ledger.open(at: path, mode: .readOnly)) == count)
        #expect(storedByTheRule(try storedHashes(folder.path("copy.ledger"))))
        #expect(try copy.verify().head == (try Ledger.open(at: path, mode: .readOnly).head()))

        let wrong = try #require(middle.dropFirst(middle.count / 2).first)
        try tamper(path, "UPDATE koki_events SET hash = zeroblob(32) WHERE position = \(wrong)")
        let found = try #require(try problem(path, checkFile: false))
        #expect(found.position == wrong && !found.message.contains("positions"), "\(found)")
    }

    /// Locates a stored value's bytes in the file and flips one of them.
    @Test(arguments: 1...6 as ClosedRange<UInt64>)
    func flippingAStoredPayloadOrHashByteNamesItsPosition(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        let (path, count) = try makeLedger(folder, seed: 10 + seed)
        let events = try Ledger.open(at: path, mode: .readOnly).events()
        var g = SeededGenerator(seed: seed)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for _ in 0..<6 {
            let event = events[Int.random(in: 0..<Int(count), using: &g)]
            // Uncompressed payloads start with a unique 16-byte marker; hashes are unique (and stored
            // on a command's last event only).
            guard !event.compressed || !event.hash.isEmpty else { continue }
            let needle =
                event.compressed || (!event.hash.isEmpty && Bool.random(using: &g))
                ? event.hash : Array(event.payload.prefix(16))
            let start = try stretchStart(path, of: event.position)
            guard let range = original.range(of: Data(needle)) else {
                Issue.record("bytes of position \(event.position) not found in the file")
                continue
            }
            var bytes = original
            let at = range.lowerBound + Int.random(in: 0..<needle.count, using: &g)
            bytes[at] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
            let found = try #require(try problem(path), "flip at byte \(at) went unnoticed")
            if found.position != nil { expect(found, names: event.position, stretchStart: start) }
            expect(try #require(try problem(path, checkFile: false)), names: event.position, stretchStart: start)
            try original.write(to: URL(fileURLWithPath: path))
        }
        #expect(try problem(path) == nil)
    }

    /// A random byte flipped anywhere is either found (by opening or verifying) or fell on bytes
    /// that hold nothing: then every reader still sees exactly the original ledger.
    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func aRandomFlipAnywhereIsFoundOrHarmless(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        let (path, _) = try makeLedger(folder, seed: 20 + seed, commands: 25)
        let observed = try Observed(Ledger.open(at: path, mode: .readOnly))
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var g = SeededGenerator(seed: seed)
        var found = 0
        for _ in 0..<60 {
            var bytes = original
            let at = Int.random(in: 0..<bytes.count, using: &g)
            bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &g))
            try bytes.write(to: URL(fileURLWithPath: path))
            defer { try? original.write(to: URL(fileURLWithPath: path)) }
            let ledger: Ledger
            do { ledger = try Ledger.open(at: path, mode: .readOnly) } catch {
                found += 1
                continue
            }
            if let report = try? ledger.verify(), report.isIntact {
                #expect(try Observed(ledger) == observed, "flip at byte \(at) changed what readers see, unnoticed")
            } else {
                found += 1
            }
        }
        #expect(found > 0)
    }
}
