import Foundation
import GRDB
import KokiDomain
import KokiTestSupport
import LedgerStore
import Testing

/// Issue 20, integrity against someone who can write the ledger file but not read the master
/// key: the keyed seals, `koki head --checkpoint` and `koki verify --checkpoint`, and the key
/// table reconciled with the events — each attack run on a real ledger through `koki`.
@Suite struct IntegrityCommandLineTests {
    let folder: TemporaryFolder
    let ledger: String
    let admin: [String: String]
    let op: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        ledger = folder.path("city.ledger")
        admin = try Secured.initialize(ledger, folder: folder.url.path)
        op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        for number in ["1001", "1002"] {
            let registered = try KokiProcess.run(
                [
                    "person", "register", "--number", number, "--name", "松戸 花子", "--kana", "マツド ハナコ",
                    "--birth-date", "1941-01-31", "--sex", "female", "--address", "千葉県松戸市根本387-5",
                ], environment: op)
            #expect(registered.status == 0, "\(registered.stderr)")
        }
    }

    func koki(_ arguments: [String], _ env: [String: String]? = nil) throws -> KokiProcess.Outcome {
        try KokiProcess.run(arguments, environment: env ?? admin)
    }

    func position() throws -> Int64 {
        Int64(try koki(["head"]).stdout.split(separator: " ")[1])!
    }

    /// SQL as an attacker with the file runs it: the append-only triggers dropped first.
    func tamper(_ statements: [String]) throws {
        try DatabaseQueue(path: ledger).writeWithoutTransaction { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            for sql in statements { try db.execute(sql: sql) }
        }
    }

    @Test func aCheckpointCatchesACutTailThatTheSealsCannotSee() throws {
        let taken = try koki(["head", "--checkpoint"])
        #expect(taken.status == 0, "\(taken.stderr)")
        let line = taken.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("koki-checkpoint v1 ledger=") && line.contains(" mac="))
        let file = folder.path("checkpoint.txt")
        try (line + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let fine = try koki(["verify", "--checkpoint", file])
        #expect(fine.status == 0 && fine.stdout.contains("extends the checkpoint"), "\(fine.stdout)\(fine.stderr)")
        #expect(fine.stdout.contains("keyed seals"), "\(fine.stdout)")
        let at = try position()
        // The last commands cut off, their seals with them: the seals left agree with what is left.
        try tamper([
            "DELETE FROM koki_events WHERE command_seq >= (SELECT MAX(seq) - 1 FROM koki_commands)",
            "DELETE FROM koki_command_seals WHERE seq >= (SELECT MAX(seq) - 1 FROM koki_commands)",
            "DELETE FROM koki_commands WHERE seq >= (SELECT MAX(seq) - 1 FROM koki_commands)",
        ])
        let end = try position()
        #expect(end < at)
        // The head the last append recorded still names the old end: the cut shows without a checkpoint.
        let recorded = try koki(["verify"])
        #expect(recorded.status == 1 && recorded.stdout.contains("cut off"), "\(recorded.stdout)\(recorded.stderr)")
        // So the attacker rewrites that too, to the hash the chain has at its new end.
        let hash = try #require(try Ledger.open(at: ledger, mode: .readOnly).hash(at: end))
        try tamper([
            "UPDATE koki_chain_head SET position = \(end), hash = x'\(hash.map { String(format: "%02x", $0) }.joined())'"
        ])
        let cut = try koki(["verify", "--checkpoint", line])
        #expect(cut.status == 1, "\(cut.stdout)\(cut.stderr)")
        #expect(cut.stdout.contains("TRUNCATED") && cut.stdout.contains("now ends at \(end)"), "\(cut.stdout)")
        // Another ledger's checkpoint, and an edited one: refused as input (65), naming why.
        let otherFolder = try TemporaryFolder()
        let otherAdmin = try Secured.initialize(otherFolder.path("other.ledger"), folder: otherFolder.url.path)
        let foreign = try KokiProcess.run(["head", "--checkpoint"], environment: otherAdmin).stdout
        let refused = try koki(["verify", "--checkpoint", foreign])
        #expect(refused.status == 65 && refused.stdout.contains("NOT THIS LEDGER'S"), "\(refused.stdout)")
        let edited = line.replacingOccurrences(of: "position=\(at)", with: "position=\(end)")
        let forged = try koki(["verify", "--checkpoint", edited])
        #expect(forged.status == 65 && forged.stdout.contains("NOT SIGNED"), "\(forged.stdout)")
        let garbage = try koki(["verify", "--checkpoint", "koki-checkpoint v1 nonsense"])
        #expect(garbage.status == 65, "\(garbage.stderr)")
    }

    @Test func aRewrittenPaymentWithARecomputedChainIsNamed() throws {
        let paid = try koki(["pay", "record", "1001", "--amount", "5000", "--paid-on", "2025-09-01"], op)
        #expect(paid.status == 0, "\(paid.stderr)")
        let checkpoint = try koki(["head", "--checkpoint"]).stdout
        _ = try koki(["person", "show", "1001"], op)  // more history after the payment
        // The payment's event found, its amount changed, and every hash after it recomputed.
        let reader = try Ledger.open(at: ledger, mode: .readOnly)
        var rows: [StoredRow] = []
        try reader.forEachStoredRow(from: 1) { rows.append($0) }
        let index = try #require(rows.lastIndex { $0.type == "PaymentReceived" })
        var payload = rows[index].payload
        if rows[index].encoding == 0,
            let range = String(decoding: payload, as: UTF8.self).range(of: "5000")
        {
            var text = String(decoding: payload, as: UTF8.self)
            text.replaceSubrange(range, with: "9000")
            payload = Array(text.utf8)
        } else {
            payload.append(0x20)
        }
        var statements = [
            "UPDATE koki_events SET payload = X'\(payload.hex)' WHERE position = \(rows[index].position)"
        ]
        rows[index].payload = payload
        var previous = index == 0 ? ChainCheck(ledgerID: reader.ledgerID).head.hash : rows[index - 1].hash
        for i in index..<rows.count {
            let hash = ChainCheck.hash(of: rows[i], after: previous)
            statements.append("UPDATE koki_events SET hash = X'\(hash.hex)' WHERE position = \(rows[i].position)")
            previous = hash
        }
        try tamper(statements)
        let report = try koki(["verify"])
        #expect(report.status == 1, "\(report.stdout)")
        #expect(report.stdout.contains("keyed seal") && report.stdout.contains("position"), "\(report.stdout)")
        let first = rows[index].command.firstPosition
        #expect(report.stdout.contains("ALTERED: position \(first):"), "\(report.stdout)")
        #expect(try koki(["verify", "--checkpoint", checkpoint]).status == 1)
    }

    @Test func aDeletedKeyRowIsNamedAndATombstoneNeedsAnErasure() throws {
        #expect(try koki(["verify"]).status == 0)
        try tamper(["DELETE FROM koki_subject_keys WHERE subject = 'person/1001'"])
        let missing = try koki(["verify"])
        #expect(missing.status == 1, "\(missing.stdout)\(missing.stderr)")
        #expect(missing.stdout.contains("person 1001") && missing.stdout.contains("PersonErased"), "\(missing.stdout)")
        try tamper(["INSERT INTO koki_subject_keys(subject, key, created_at) VALUES ('person/1001', X'00', 0)"])
        let tombstone = try koki(["verify"])
        #expect(tombstone.status == 1 && tombstone.stdout.contains("tombstone"), "\(tombstone.stdout)")
    }

    @Test func aPasswordChangedAtLoginIsKeptBesideTheKeysNotInTheEvents() throws {
        let changed = try KokiProcess.run(
            ["login", "op", "--password-stdin", "--new-password"], environment: op,
            input: Secured.password + "\nanother-password-9\n")
        #expect(changed.status == 0, "\(changed.stderr)")
        let old = try KokiProcess.run(["login", "op", "--password-stdin"], environment: op, input: Secured.password + "\n")
        #expect(old.status == 77, "\(old.stderr)")
        try Secured.login("op", password: "another-password-9", env: op)
        // The ledger's events hold no password hash; the credentials table does.
        let reader = try Ledger.open(at: ledger, mode: .readOnly)
        var payloads: [UInt8] = []
        try reader.forEachEvent(EventQuery()) { payloads.append(contentsOf: $0.payload) }
        #expect(Data(payloads).range(of: Data("$scrypt$".utf8)) == nil)
        #expect(try reader.credential("operator/op")?.hasPrefix("$scrypt$") == true)
    }

    /// An index that lost a payment's entry (the table still has it): `account` fails loudly
    /// instead of showing the period owed, `verify` names the damage, and `verify --quick` does
    /// not look (as its help says).
    @Test func aDamagedStreamIndexMakesTheAccountFailNotAnswerWrongly() throws {
        let acquired = try koki(
            ["eligibility", "acquire", "--number", "1001", "--reason", "reached-75", "--date", "2016-01-31"], op)
        #expect(acquired.status == 0, "\(acquired.stderr)")
        for amount in ["5000", "3000"] {
            let paid = try koki(["pay", "record", "1001", "--amount", amount, "--paid-on", "2025-09-01"], op)
            #expect(paid.status == 0, "\(paid.stderr)")
        }
        let before = try koki(["account", "1001"], op)
        #expect(before.status == 0, "\(before.stdout)\(before.stderr)")
        let reader = try Ledger.open(at: ledger, mode: .readOnly)
        var payments: [Int64] = []
        try reader.forEachEvent(.stream(try StreamName("person/1001"))) {
            if $0.type == "PaymentReceived" { payments.append($0.position) }
        }
        let first = try #require(payments.first)
        // The index rebuilt without the first payment's entry, then declared whole again.
        let sql = """
            PRAGMA wal_checkpoint(TRUNCATE);
            DROP INDEX koki_events_by_stream;
            CREATE UNIQUE INDEX koki_events_by_stream ON koki_events(stream_id, stream_version) WHERE position != \(first);
            PRAGMA writable_schema = ON;
            UPDATE sqlite_master SET sql = 'CREATE UNIQUE INDEX koki_events_by_stream ON koki_events(stream_id, stream_version)' WHERE name = 'koki_events_by_stream';
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.executescript(sys.argv[2]); c.close()",
            ledger, sql,
        ]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let account = try koki(["account", "1001"], op)
        #expect(account.status != 0, "the account answered from a damaged index: \(account.stdout)")
        #expect(account.stderr.contains("index disagrees with the table"), "\(account.stderr)")
        #expect(try koki(["verify", "--quick"]).status == 0, "--quick does not check indexes, as its help says")
        let full = try koki(["verify"])
        #expect(full.status == 1 && full.stdout.contains("damaged"), "\(full.stdout)")
    }

    @Test func appendingWithoutTheMasterKeyIsRefusedAndAppendsNothing() throws {
        let before = try position()
        var env = op
        env["KOKI_MASTER_KEY"] = folder.path("missing.key")
        let refused = try KokiProcess.run(["logout"], environment: env)
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(try position() == before)
    }
}

extension Array where Element == UInt8 {
    fileprivate var hex: String { map { String(format: "%02x", $0) }.joined() }
}
