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
        ("UPDATE koki_commands SET recorded_at = recorded_at - 1 WHERE seq = 4", nil),
        ("UPDATE koki_streams SET name = 'person/99' WHERE name = 'person/3'", nil),
        ("UPDATE koki_event_types SET name = 'Refund' WHERE id = 1", 1),
        ("DELETE FROM koki_commands WHERE seq = (SELECT MAX(seq) FROM koki_commands)", nil),
    ])
    func sqlTamperingIsFound(sql: String, position: Int64?) throws {
        let folder = try TemporaryFolder()
        let (path, _) = try makeLedger(folder, seed: 2)
        try tamper(path, sql)
        let found = try #require(try problem(path, checkFile: false), "\(sql) went unnoticed")
        if let position { #expect(found.position == position, "\(found)") }
        // The full check finds it too.
        #expect(try problem(path) != nil)
    }

    @Test func swappingTwoRowsIsFoundAtTheFirst() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try makeLedger(folder, seed: 3)
        try tamper(
            path,
            """
            UPDATE koki_events SET payload = CASE position WHEN 8 THEN (SELECT payload FROM koki_events WHERE position = 9)
                ELSE (SELECT payload FROM koki_events WHERE position = 8) END WHERE position IN (8, 9)
            """)
        let found = try #require(try problem(path))
        #expect(found.position == 8 || found.position == nil)
        #expect(try problem(path, checkFile: false)?.position == 8)
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
            // Uncompressed payloads start with a unique 16-byte marker; hashes are unique.
            let needle = event.compressed || Bool.random(using: &g) ? event.hash : Array(event.payload.prefix(16))
            guard let range = original.range(of: Data(needle)) else {
                Issue.record("bytes of position \(event.position) not found in the file")
                continue
            }
            var bytes = original
            let at = range.lowerBound + Int.random(in: 0..<needle.count, using: &g)
            bytes[at] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
            let found = try #require(try problem(path), "flip at byte \(at) went unnoticed")
            #expect(found.position == event.position || found.position == nil, "\(found)")
            #expect(try problem(path, checkFile: false)?.position == event.position)
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
