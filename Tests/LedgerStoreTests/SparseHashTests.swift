import Foundation
import GRDB
import KokiTestSupport
@testable import LedgerStore
import Testing

/// From schema version v12 a command stores its chain hash only if its last event lies 32
/// positions or more past the last stored hash, and the chain's head is recorded beside the rows
/// by every append. What every reader sees of the chain must not change: each command's hash, the head,
/// copies, seals and replays; and `verify` must still find an altered row anywhere, the commands
/// after the last stored hash included.
@Suite struct SparseHashTests {
    /// A ledger of random commands, some of them of 32 events or more.
    func makeLedger(_ path: String, seed: UInt64, commands: Int = 70) throws -> Ledger {
        let ledger = try Ledger.create(at: path, clock: ManualClock(start: epoch2026))
        var g = SeededGenerator(seed: seed)
        for n in 0..<commands { try ledger.append(request(n, using: &g)) }
        return ledger
    }

    func request(_ n: Int, using g: inout SeededGenerator) -> AppendRequest {
        guard Int.random(in: 0..<9, using: &g) == 0 else { return randomRequest(using: &g) }
        let events = Int.random(in: 16...70, using: &g)
        return AppendRequest(
            commandID: .random(), actor: "batch", stream: stream("run/\(n)"), expectedVersion: .noStream,
            events: (0..<events).map { _ in NewEvent(type: "T", schemaVersion: 1, payload: randomPayload(using: &g)) })
    }

    /// Each command's last position, sequence and size, and the hash stored on its last row.
    func commands(_ path: String) throws -> [(last: Int64, seq: Int64, count: Int64, stored: Int)] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.first_position + c.event_count - 1, c.seq, c.event_count, length(e.hash)
                    FROM koki_commands c JOIN koki_events e ON e.position = c.first_position + c.event_count - 1
                    ORDER BY c.seq
                    """
            ).map { ($0[0], $0[1], $0[2], $0[3]) }
        }
    }

    /// What each command stores by the rule: its hash when its last event lies 32 positions or
    /// more past the last stored one; commands before `from` store theirs in any case.
    func expectedStored(_ all: [(last: Int64, seq: Int64, count: Int64, stored: Int)], from: Int64 = 1) -> [Int] {
        var lastStored: Int64 = 0
        return all.map { c in
            guard c.seq < from || c.last - lastStored >= 32 else { return 0 }
            lastStored = c.last
            return 32
        }
    }

    /// The chain's hash after every position, computed from the rows alone.
    func chain(_ ledger: Ledger) throws -> [Int64: [UInt8]] {
        var previous = ChainCheck(ledgerID: ledger.ledgerID).head.hash
        var out: [Int64: [UInt8]] = [:]
        try ledger.forEachStoredRow(from: 1) { row in
            previous = ChainCheck.hash(of: row, after: previous)
            out[row.position] = previous
        }
        return out
    }

    /// The head the last append recorded (its hash and position).
    func recordedHead(_ path: String) throws -> LedgerHead? {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchOne(db, sql: "SELECT position, hash FROM koki_chain_head").map {
                LedgerHead(position: $0[0], hash: Array($0[1] as Data))
            }
        }
    }

    func tamper(_ path: String, _ sql: String) throws {
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(sql: sql)
        }
    }

    func problem(_ path: String) throws -> VerifyReport.Problem? {
        try Ledger.open(at: path, mode: .readOnly).verify(checkFile: false).problem
    }

    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func aCommandStoresItsHashByTheRuleAndEveryReaderSeesEveryHash(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("s.ledger")
        let ledger = try makeLedger(path, seed: seed)
        let all = try commands(path)
        #expect(all.map(\.stored) == expectedStored(all))
        #expect(all.contains { $0.stored == 0 } && all.contains { $0.stored == 32 && $0.count >= 32 })
        // Only commands' last rows store anything.
        let stored = try DatabaseQueue(path: path).read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM koki_events WHERE length(hash) > 0") ?? 0
        }
        #expect(stored == all.filter { $0.stored > 0 }.count)

        let hashes = try chain(ledger)
        let head = try ledger.head()
        #expect(head.position == all.last?.last && head.hash == hashes[head.position])
        #expect(try recordedHead(path) == head)
        let report = try ledger.verify()
        #expect(report.isIntact && report.head == head && report.commandsChecked == Int64(all.count))
        // Every command's hash, stored or not, as `hash(at:)` and a copy's rows give it.
        for c in all { #expect(try ledger.hash(at: c.last) == hashes[c.last], "command \(c.seq)") }
        #expect(try ledger.hash(at: head.position + 1) == nil)
        var rows: [StoredRow] = []
        try ledger.forEachStoredRow(from: 1) { rows.append($0) }
        #expect(rows.allSatisfy { $0.hash == ($0.keepsHash ? hashes[$0.position]! : []) })
        // From the middle of a command too.
        let middle = try #require(all.first { $0.count > 2 && $0.stored == 0 })
        var tail: [StoredRow] = []
        try ledger.forEachStoredRow(from: middle.last - 1) { tail.append($0) }
        #expect(tail == Array(rows.drop { $0.position < middle.last - 1 }))

        // A copy to another file stores by the same rule and reads the same.
        let copy = try Ledger.create(at: folder.path("copy.ledger"), ledgerID: ledger.ledgerID)
        #expect(try copy.copy(from: ledger, batch: 37) == head.position)
        #expect(try commands(folder.path("copy.ledger")).map(\.stored) == all.map(\.stored))
        #expect(try copy.verify().head == head && (try copy.head()) == head)
        #expect(try recordedHead(folder.path("copy.ledger")) == head)
    }

    /// Appends from another connection, or after reopening, continue the chain from the
    /// recorded head (or the rows), whichever wrote last.
    @Test func appendsFromTwoConnectionsContinueOneChain() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("s.ledger")
        let one = try makeLedger(path, seed: 7, commands: 5)
        let two = try Ledger.open(at: path)
        var g = SeededGenerator(seed: 8)
        for n in 0..<40 { try (n % 3 == 0 ? two : one).append(request(n + 100, using: &g)) }
        let report = try one.verify()
        let hashes = try chain(one)
        #expect(report.isIntact && report.head.hash == hashes[report.head.position])
        let twoHead = try two.head()
        #expect(report.head.position == hashes.count && twoHead == report.head)
        #expect(try recordedHead(path) == report.head)
        // With no head recorded (as if it were lost, or written by hand so it does not read),
        // an append computes it from the rows.
        try tamper(path, "UPDATE koki_chain_head SET position = 'x', hash = x'01'")
        try Ledger.open(at: path).append(randomRequest(using: &g))
        #expect(try Ledger.open(at: path).verify().isIntact)
        try tamper(path, "DELETE FROM koki_chain_head")
        #expect(try problem(path)?.message.contains("not recorded") == true)
        try Ledger.open(at: path).append(randomRequest(using: &g))
        let again = try Ledger.open(at: path).verify()
        let recorded = try recordedHead(path)
        #expect(again.isIntact && recorded == again.head)
    }

    /// The commands after the last stored hash are checked through the recorded head: an altered
    /// row there is found from the first row after the last stored hash, and so is a head
    /// altered, lost, or left behind by commands cut off the end.
    @Test func theCommandsAfterTheLastStoredHashAreCheckedThroughTheHead() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("s.ledger")
        var g = SeededGenerator(seed: 9)
        // Command 32 stores its hash (32 positions past none); 33–40 (single events) do not.
        // (The ledger is closed before the file is tampered with, so no connection keeps a
        // write-ahead log of its own.)
        do {
            let ledger = try Ledger.create(at: path, clock: ManualClock(start: epoch2026))
            for n in 1...40 {
                try ledger.append(
                    AppendRequest(
                        commandID: .random(), actor: "op", stream: stream("person/\(n % 5)"), expectedVersion: .any,
                        events: [NewEvent(type: "T", schemaVersion: 1, payload: randomPayload(using: &g))]))
            }
        }
        let all = try commands(path)
        #expect(all.map(\.stored) == (1...40).map { $0 == 32 ? 32 : 0 })
        #expect(try problem(path) == nil)
        try DatabaseQueue(path: path).writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let saved = try Data(contentsOf: URL(fileURLWithPath: path))

        let cases: [(sql: String, position: Int64?, says: String)] = [
            (
                "UPDATE koki_events SET payload = payload || x'00' WHERE position = 37", 33,
                "positions 33–40 do not match the chain's head recorded at the last append"
            ),
            ("UPDATE koki_chain_head SET hash = zeroblob(32)", 33, "positions 33–40"),
            // A record that does not read as one (written by hand) is no record.
            ("UPDATE koki_chain_head SET hash = x'01', last_stored = 'x'", nil, "no row that reads as one"),
            // What the next append decides by: the last stored hash, 32.
            ("UPDATE koki_chain_head SET last_stored = 20", nil, "last stored hash at position 20, but it is at 32"),
            ("DELETE FROM koki_events WHERE position > 38; DELETE FROM koki_commands WHERE seq > 38", 39, "cut off"),
            // A hash written where the rule stores none must still be the chain's.
            ("UPDATE koki_events SET hash = zeroblob(32) WHERE position = 35", 33, "positions 33–35"),
            ("UPDATE koki_events SET hash = x'' WHERE position = 32", 32, "stores no hash"),
        ]
        for c in cases {
            try tamper(path, c.sql)
            let found = try #require(try problem(path), "\(c.sql) went unnoticed")
            #expect(found.position == c.position && found.message.contains(c.says), "\(c.sql): \(found)")
            try saved.write(to: URL(fileURLWithPath: path))
        }
        #expect(try problem(path) == nil)
    }

    /// A ledger written before v12 (every command's hash stored) gets the rule from its next
    /// command on: its old commands keep their hashes, and must.
    @Test func aLedgerBeforeV12KeepsItsHashesAndStoresFewerFromThen() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("s.ledger")
        let ledger = try makeLedger(path, seed: 11, commands: 20)
        let hashes = try chain(ledger)
        // Made into a v11 file: every command's hash on its last row, no head, no rule.
        let fill = try commands(path).map {
            "UPDATE koki_events SET hash = x'\(hex(hashes[$0.last]!))' WHERE position = \($0.last);"
        }
        try tamper(
            path,
            fill.joined()
                + """
                DROP TABLE koki_chain_head;
                DELETE FROM koki_meta WHERE key = '\(Ledger.sparseHashesKey)';
                DELETE FROM grdb_migrations WHERE identifier = 'v12-sparse-hashes';
                """)
        #expect(throws: LedgerError.self) { try Ledger.open(at: path, mode: .readOnly) }
        let upgraded = try Ledger.open(at: path)
        #expect(upgraded.sparseHashesFrom == 21)
        #expect(try recordedHead(path) == (try upgraded.head()))
        var g = SeededGenerator(seed: 12)
        for n in 0..<30 { try upgraded.append(request(n + 1_000, using: &g)) }
        let all = try commands(path)
        #expect(all.map(\.stored) == expectedStored(all, from: 21))
        #expect(all.contains { $0.seq > 20 && $0.stored == 0 })
        let report = try upgraded.verify()
        let head = try upgraded.head()
        #expect(report.isIntact && report.head == head)
        let old = try #require(all.first { $0.seq < 16 })
        try tamper(path, "UPDATE koki_events SET hash = x'' WHERE position = \(old.last)")
        #expect(try problem(path)?.message.contains("stores no hash") == true)
    }

    /// A chain key given to a ledger that has commands seals each with its hash, stored or not:
    /// the seals equal those of a ledger keyed from its first command.
    @Test func sealsOfALedgerKeyedLateEqualThoseKeyedFromTheStart() throws {
        let folder = try TemporaryFolder()
        let key = try ChainKey(bytes: Array(repeating: 3, count: 32))
        let late = try makeLedger(folder.path("late.ledger"), seed: 13, commands: 40)
        try late.useChainKey(key)
        let verified = try late.verify()
        #expect(verified.isIntact && verified.sealsChecked == 40)
        // The same commands, keyed from the start (the same clock, ids and payloads).
        let early = try Ledger.create(at: folder.path("early.ledger"), ledgerID: late.ledgerID)
        try early.useChainKey(key)
        var rows: [StoredRow] = []
        try late.forEachStoredRow(from: 1) { rows.append($0) }
        try early.importRows(rows)
        func seals(_ path: String) throws -> [Data] {
            try DatabaseQueue(path: path).read {
                try Data.fetchAll($0, sql: "SELECT seal FROM koki_command_seals ORDER BY seq")
            }
        }
        #expect(try seals(folder.path("late.ledger")) == (try seals(folder.path("early.ledger"))))
        #expect(try early.verify().sealsChecked == 40)
    }

    /// A replay stopped after a command that stores no hash records the chain's head there.
    @Test func aReplayEndingWhereNoHashIsStoredVerifies() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("s.ledger")
        let ledger = try makeLedger(path, seed: 14, commands: 30)
        let hashes = try chain(ledger)
        for (n, c) in try commands(path).filter({ $0.stored == 0 }).prefix(3).enumerated() {
            let copy = folder.path("replay\(n).ledger")
            try ledger.writePrefix(through: c.last, to: copy)
            let replay = try Ledger.open(at: copy, mode: .readOnly)
            let report = try replay.verify()
            #expect(report.isIntact && report.head == LedgerHead(position: c.last, hash: hashes[c.last]!))
            #expect(try replay.head() == report.head)
        }
    }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
