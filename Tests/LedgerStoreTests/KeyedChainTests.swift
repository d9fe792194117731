import Foundation
import GRDB
import KokiTestSupport
import LedgerStore
import LedgerStorePostgres
import Testing

/// The attacks on a ledger by someone who can write its file (or its database) but not read the
/// master key: each leaves the SHA-256 chain verifying, and each is caught by the keyed seals or by
/// a checkpoint kept elsewhere.
@Suite struct KeyedChainTests {
    typealias Backend = EventStoreContractTests.Backend

    let key = try! ChainKey(bytes: Array(repeating: 7, count: 32))

    /// A ledger of `commands` commands, each two events on its own stream, sealed under `key`.
    func makeLedger(_ backend: Backend, commands: Int = 12) throws -> EventStoreContractTests.Store {
        let s = try EventStoreContractTests.Store(backend, clock: ManualClock(start: epoch2026))
        try s.store.useChainKey(key)
        for i in 1...commands {
            try s.store.append(
                AppendRequest(
                    commandID: .random(), actor: "op-1", correlationID: nil, causationID: nil,
                    streams: [
                        StreamAppend(
                            stream: stream("person/\(i)"), expectedVersion: .noStream,
                            events: [
                                NewEvent(type: "PaymentReceived", schemaVersion: 1, payload: Array("paid \(i)".utf8)),
                                NewEvent(type: "Note", schemaVersion: 1, payload: Array("note \(i)".utf8)),
                            ])
                    ]))
        }
        return s
    }

    /// A fresh connection: with the key, or (`nil`) as someone without it sees the ledger.
    func reopened(_ s: EventStoreContractTests.Store, key: ChainKey?) throws -> any EventStore {
        let store: any EventStore
        if let url = s.url {
            store = try PostgresLedger.open(url: url)
        } else {
            store = try Ledger.open(at: s.folder!.path("contract.ledger"), mode: .readOnly)
        }
        if let key { try store.useChainKey(key) }
        return store
    }

    func blob(_ backend: Backend, _ bytes: [UInt8]) -> String {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        return backend == .sqlite ? "X'\(hex)'" : "'\\x\(hex)'::bytea"
    }

    /// Runs SQL as an attacker with write access: the append-only triggers out of the way.
    func tamper(_ s: EventStoreContractTests.Store, _ backend: Backend, _ statements: [String]) throws {
        switch backend {
        case .sqlite:
            try DatabaseQueue(path: s.folder!.path("contract.ledger")).writeWithoutTransaction { db in
                for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                    try db.execute(sql: "DROP TRIGGER \(trigger)")
                }
                for sql in statements { try db.execute(sql: sql) }
            }
        case .postgres:
            let url = s.url!
            let schema = String(url[url.range(of: "schema=")!.upperBound...])
            let base = String(url[..<url.range(of: "?")!.lowerBound])
            var script = "SET search_path TO \(schema);\n"
            for table in ["koki_events", "koki_commands", "koki_command_seals", "koki_meta"] {
                script += "ALTER TABLE \(table) DISABLE TRIGGER USER;\n"
            }
            script += statements.joined(separator: ";\n") + ";\n"
            let psql = Process()
            psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            psql.arguments = ["psql", "-v", "ON_ERROR_STOP=1", "-q", base, "-c", script]
            psql.standardOutput = FileHandle.nullDevice
            try psql.run()
            psql.waitUntilExit()
            #expect(psql.terminationStatus == 0, "psql failed")
        }
    }

    /// Recomputes every stored hash from `from` on, as an attacker who knows the layout would.
    func recomputeChain(_ s: EventStoreContractTests.Store, _ backend: Backend, from: Int64) throws {
        let store = try reopened(s, key: nil)
        var previous = ChainCheck(ledgerID: store.ledgerID).head.hash
        var updates: [String] = []
        var last: Int64 = 0
        try store.forEachStoredRow(from: 1) { row in
            last = row.position
            if row.position >= from {
                let hash = ChainCheck.hash(of: row, after: previous)
                updates.append("UPDATE koki_events SET hash = \(blob(backend, hash)) WHERE position = \(row.position)")
                previous = hash
            } else {
                previous = row.hash
            }
        }
        (store as? PostgresLedger)?.close()
        // A ledger file also records its chain's head at each append (schema version v12).
        if backend == .sqlite {
            updates.append("UPDATE koki_chain_head SET position = \(last), hash = \(blob(backend, previous))")
        }
        try tamper(s, backend, updates)
    }

    func verify(_ s: EventStoreContractTests.Store, key: ChainKey?) throws -> VerifyReport {
        let store = try reopened(s, key: key)
        defer { (store as? PostgresLedger)?.close() }
        return try store.verifyChain()
    }

    @Test(arguments: Backend.allCases)
    func aRewrittenPaymentWithARecomputedChainIsCaught(_ backend: Backend) throws {
        guard EventStoreContractTests.available(backend) else { return }
        let s = try makeLedger(backend)
        #expect(try verify(s, key: key).sealsChecked == 12)
        // Command 5's payment (position 9) now says something else; every hash after it recomputed.
        try tamper(s, backend, ["UPDATE koki_events SET payload = \(blob(backend, Array("paid 0".utf8))) WHERE position = 9"])
        try recomputeChain(s, backend, from: 9)
        #expect(try verify(s, key: nil).isIntact, "the unkeyed chain is fooled: that is the attack")
        let report = try verify(s, key: key)
        let problem = try #require(report.problem)
        #expect(problem.position == 9, "\(problem)")
        #expect(problem.message.contains("command 5") && problem.message.contains("keyed seal"))
    }

    @Test(arguments: Backend.allCases)
    func aCutTailPassesTheSealsButNotTheCheckpoint(_ backend: Backend) throws {
        guard EventStoreContractTests.available(backend) else { return }
        let s = try makeLedger(backend)
        let checkpoint = Checkpoint(
            ledgerID: s.store.ledgerID, head: try s.store.head(), at: epoch2026, key: key)
        let parsed = try Checkpoint(parsing: checkpoint.description + "\n")
        #expect(parsed == checkpoint)
        #expect(try s.store.check(parsed, key: key) == .extends(appendedSince: 0))
        let hash20 = try #require(try s.store.hash(at: 20))
        // The last two commands (positions 21–24) cut off, seals and all.
        try tamper(
            s, backend,
            [
                "DELETE FROM koki_events WHERE position > 20", "DELETE FROM koki_commands WHERE seq > 10",
                "DELETE FROM koki_command_seals WHERE seq > 10",
            ])
        if backend == .sqlite {
            // A ledger file records the head at each append: the cut shows, until that is rewritten too.
            let cut = try #require(try verify(s, key: key).problem)
            #expect(cut.message.contains("cut off"), "\(cut)")
            try tamper(s, backend, ["UPDATE koki_chain_head SET position = 20, hash = \(blob(backend, hash20))"])
        }
        let report = try verify(s, key: key)
        #expect(report.isIntact && report.sealsChecked == 10, "seals alone cannot see a cut tail")
        let store = try reopened(s, key: key)
        defer { (store as? PostgresLedger)?.close() }
        #expect(try store.check(parsed, key: key) == .truncated(endsAt: 20))
    }

    @Test(arguments: Backend.allCases)
    func aRewriteBeforeACheckpointIsNamedAndForeignOrForgedCheckpointsAreRefused(_ backend: Backend) throws {
        guard EventStoreContractTests.available(backend) else { return }
        let s = try makeLedger(backend)
        let checkpoint = Checkpoint(
            ledgerID: s.store.ledgerID, head: LedgerHead(position: 10, hash: try #require(try s.store.hash(at: 10))),
            at: epoch2026, key: key)
        try tamper(s, backend, ["UPDATE koki_events SET payload = \(blob(backend, Array("x".utf8))) WHERE position = 3"])
        try recomputeChain(s, backend, from: 3)
        let store = try reopened(s, key: key)
        defer { (store as? PostgresLedger)?.close() }
        #expect(try store.check(checkpoint, key: key) == .rewritten)
        // Another ledger's checkpoint, and one whose position was edited.
        var foreign = checkpoint
        foreign.ledgerID = .random()
        #expect(try store.check(foreign, key: key) == .otherLedger(foreign.ledgerID))
        let edited = try Checkpoint(
            parsing: checkpoint.description.replacingOccurrences(of: "position=10", with: "position=11"))
        #expect(try store.check(edited, key: key) == .notSigned)
        #expect(try store.check(checkpoint, key: try ChainKey(bytes: Array(repeating: 8, count: 32))) == .notSigned)
    }

    @Test func aDeletedAndRenumberedCommandIsCaught() throws {
        let s = try makeLedger(.sqlite)
        // Command 4 (positions 7–8) removed, everything after moved down, commands and seals renumbered.
        try tamper(
            s, .sqlite,
            [
                "DELETE FROM koki_events WHERE command_seq = 4", "DELETE FROM koki_commands WHERE seq = 4",
                "DELETE FROM koki_command_seals WHERE seq = 4",
                "UPDATE koki_events SET position = -(position - 2), command_seq = -(command_seq - 1) WHERE position > 8",
                "UPDATE koki_events SET position = -position, command_seq = -command_seq WHERE position < 0",
                "UPDATE koki_commands SET seq = -(seq - 1), first_position = first_position - 2 WHERE seq > 4",
                "UPDATE koki_commands SET seq = -seq WHERE seq < 0",
                "UPDATE koki_command_seals SET seq = -(seq - 1) WHERE seq > 4",
                "UPDATE koki_command_seals SET seq = -seq WHERE seq < 0",
            ])
        try recomputeChain(s, .sqlite, from: 7)
        #expect(try verify(s, key: nil).isIntact, "the unkeyed chain is fooled")
        let problem = try #require(try verify(s, key: key).problem)
        #expect(problem.position == 7 && problem.message.contains("command 4"), "\(problem)")
    }

    @Test func anOldLedgerIsSealedOnceAndThenRefusesAppendsWithoutTheKey() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("old.ledger")
        do {
            let old = try Ledger.create(at: path, clock: ManualClock(start: epoch2026))
            var g = SeededGenerator(seed: 5)
            for _ in 0..<20 { try old.append(randomRequest(using: &g)) }
            #expect(try !old.isKeyed())
            #expect(try old.verify().sealsChecked == nil)
        }
        let headBefore = try Ledger.open(at: path).head()
        let upgraded = try Ledger.open(at: path)
        try upgraded.useChainKey(key)
        #expect(try upgraded.isKeyed())
        #expect(try upgraded.head() == headBefore, "sealing appends no event and keeps the old chain")
        #expect(try upgraded.verify().sealsChecked == 20)
        var g = SeededGenerator(seed: 6)
        try upgraded.append(randomRequest(using: &g))
        #expect(try upgraded.verify().sealsChecked == 21)
        // Without the key: verified as far as the SHA-256 chain goes, but no append.
        let keyless = try Ledger.open(at: path)
        let head = try keyless.head()
        #expect(throws: LedgerError.self) { try keyless.append(randomRequest(using: &g)) }
        do {
            try keyless.append(randomRequest(using: &g))
        } catch let error as LedgerError {
            #expect(error.code == .keyRequired && error.message.contains("master key"))
        }
        #expect(try keyless.head() == head)
        // Under another key, every seal is wrong from the first command on.
        let other = try Ledger.open(at: path, mode: .readOnly)
        try other.useChainKey(try ChainKey(bytes: Array(repeating: 9, count: 32)))
        #expect(try other.verify().problem?.position == 1)
    }

    @Test func aCopyIsSealedUnderTheTargetsKey() throws {
        let s = try makeLedger(.sqlite)
        let folder = try TemporaryFolder()
        let target = try Ledger.create(at: folder.path("copy.ledger"), ledgerID: s.store.ledgerID)
        try target.useChainKey(key)
        try target.copy(from: s.store, batch: 5)
        let report = try target.verify()
        #expect(report.isIntact && report.sealsChecked == 12)
    }

    @Test func aReplayCopyOfASealedLedgerVerifiesUnderTheKey() throws {
        let s = try makeLedger(.sqlite)
        let ledger = try #require(s.store as? Ledger)
        let path = s.folder!.path("then.ledger")
        try ledger.writePrefix(through: 10, to: path)
        let copy = try Ledger.open(at: path, mode: .readOnly)
        try copy.useChainKey(key)
        let report = try copy.verify()
        #expect(report.isIntact && report.sealsChecked == 5, "\(report.problem?.description ?? "")")
    }
}

