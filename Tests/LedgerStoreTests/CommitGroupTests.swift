import Foundation
import Synchronization
import GRDB
import KokiTestSupport
import Testing

@testable import LedgerStore

/// Appends committed together (``Ledger/groupingCommits(every:_:)``): the same ledger as
/// commands committed one by one, each command still all or nothing, and a crash losing only
/// whole commands since the group's last commit.
@Suite struct CommitGroupTests {
    /// A ledger file with a fixed id and clock, so two built alike have the same hash chain.
    static func make(_ path: String, exclusive: Bool) throws -> Ledger {
        try Ledger.create(
            at: path, clock: ManualClock(start: epoch2026, stepMicroseconds: 1),
            options: .init(synchronous: .off, exclusive: exclusive),
            ledgerID: Identifier(derivedFrom: Array("commit-group-tests".utf8)))
    }

    /// Random commands, a few of them refused (a stream not at the version it expects, a
    /// command id seen before) or failing inside the store (an event too large for it).
    static func commands(seed: UInt64, count: Int) -> [AppendRequest] {
        var g = SeededGenerator(seed: seed)
        var made: [AppendRequest] = []
        for n in 0..<count {
            var request = randomRequest(using: &g)
            request = AppendRequest(
                commandID: Identifier(derivedFrom: Array("command \(seed) \(n)".utf8)), actor: request.actor,
                correlationID: request.correlationID, causationID: nil, streams: request.streams)
            switch Int.random(in: 0..<10, using: &g) {
            case 0:
                // The last stream's version is wrong: the streams before it may be written first.
                var parts = request.streams
                let last = parts.count - 1
                parts[last] = StreamAppend(
                    stream: parts[last].stream, expectedVersion: .exact(9_999), events: parts[last].events)
                request = AppendRequest(
                    commandID: request.commandID, actor: request.actor, correlationID: nil, causationID: nil,
                    streams: parts)
            case 1 where !made.isEmpty:
                request = made[Int.random(in: 0..<made.count, using: &g)]
            default:
                break
            }
            made.append(request)
        }
        return made
    }

    /// What each append answered: its positions, or the error's code.
    static func appendAll(_ requests: [AppendRequest], to ledger: Ledger) -> [String] {
        requests.map { request in
            do {
                let result = try ledger.append(request)
                return "\(result.events.map(\.position)) duplicate: \(result.wasDuplicate)"
            } catch let error as LedgerError {
                return "refused: \(error.code)"
            } catch {
                return "refused: \(error)"
            }
        }
    }

    /// The same, with the commands' seals under a chain key (`keyed`) and other writes between
    /// the appends (a subject's key made): a group's appends continue the chain from the last
    /// one kept in memory, so what it keeps must stay right through refusals, duplicates and
    /// writes of other kinds.
    ///
    /// Writing behind (``Ledger/groupingCommits(every:writingBehind:_:)``), the same answers and
    /// the same file: the group begins on a file that already holds a third of the commands, so
    /// the streams' versions and the command ids it reads then are what refuses a stale version
    /// or answers a repeated command.
    @Test(arguments: [
        (UInt64(1), 1, false, false), (2, 3, false, false), (3, 7, false, false), (4, 1_000, false, false),
        (5, 3, true, false), (6, 1_000, true, false), (7, 1, false, true), (8, 3, false, true),
        (9, 1_000, false, true), (10, 7, true, true),
    ])
    func aGroupRecordsTheSameLedgerAsCommandsCommittedOneByOne(
        seed: UInt64, every: Int, keyed: Bool, writingBehind: Bool
    ) throws {
        let folder = try TemporaryFolder()
        let requests = Self.commands(seed: seed, count: 60)
        let before = writingBehind ? 20 : 0
        let key = try ChainKey(bytes: Array(repeating: UInt8(seed), count: 32))
        /// Appends `requests` (inside a group, those after the first `before`), making a
        /// subject's key before every fifth.
        func record(_ ledger: Ledger, inGroup: Bool, from: Int = 0, to: Int = 60) throws -> [String] {
            var answers: [String] = []
            for (n, request) in requests.enumerated() where n >= from && n < to {
                if n % 5 == 4 {
                    _ = try ledger.subjectKey("subject-\(n)", makeKey: { Array(repeating: UInt8(n), count: 32) })
                }
                answers += Self.appendAll([request], to: ledger)
                // Inside the group, this connection reads what it appended at once. What it knows
                // of the head without reading is the head after an append it made, and nothing
                // after a refusal or another write; outside a group, nothing.
                if inGroup {
                    let head = try ledger.head().position
                    #expect(head == (try ledger.events().last?.position ?? 0))
                    if let known = ledger.headWithoutReading { #expect(known == head) }
                    if answers.last?.hasSuffix("duplicate: false") == true {
                        #expect(ledger.headWithoutReading == head)
                    }
                    // A refused command wrote nothing behind, and the head is still known.
                    if answers.last?.hasPrefix("refused") == true {
                        #expect(ledger.headWithoutReading == (writingBehind ? head : nil))
                    }
                } else {
                    #expect(ledger.headWithoutReading == nil)
                }
            }
            return answers
        }
        let alone = try Self.make(folder.path("alone.ledger"), exclusive: false)
        if keyed { try alone.useChainKey(key) }
        let answersAlone = try record(alone, inGroup: false)
        var g = SeededGenerator(seed: seed)
        try {
            let grouped = try Self.make(folder.path("grouped.ledger"), exclusive: true)
            if keyed { try grouped.useChainKey(key) }
            var answersGrouped = try record(grouped, inGroup: false, to: before)
            answersGrouped += try grouped.groupingCommits(every: every, writingBehind: writingBehind) {
                try record(grouped, inGroup: true, from: before)
            }
            #expect(answersGrouped == answersAlone)
            #expect(answersAlone.contains { $0.hasPrefix("refused") })
            #expect(answersAlone.contains { $0.hasSuffix("duplicate: true") })
            #expect(try Observed(grouped) == Observed(alone))
            let report = try grouped.verify()
            #expect(report.problem == nil)
            #expect(report.sealsChecked == (keyed ? report.commandsChecked : nil))
            // After the group, the connection that held it appends one by one from the same chain.
            try grouped.append(randomRequest(using: &g))
        }()
        // As does a fresh connection, once the file is no longer held.
        let reopened = try Ledger.open(at: folder.path("grouped.ledger"))
        if keyed { try reopened.useChainKey(key) }
        try reopened.append(randomRequest(using: &g))
        #expect(try reopened.verify().problem == nil)
    }

    /// A command naming a stream with no events is refused before anything is decided, written
    /// at once or behind, and the group goes on.
    @Test(arguments: [false, true])
    func aStreamWithoutEventsIsRefused(writingBehind: Bool) throws {
        let folder = try TemporaryFolder()
        var g = SeededGenerator(seed: 13)
        let ledger = try Self.make(folder.path("empty-part.ledger"), exclusive: true)
        let good = randomRequest(using: &g)
        let empty = AppendRequest(
            commandID: .random(), actor: "op-1", correlationID: nil, causationID: nil,
            streams: good.streams + [StreamAppend(stream: stream("person/99"), expectedVersion: .any, events: [])])
        try ledger.groupingCommits(every: 10, writingBehind: writingBehind) {
            do {
                try ledger.append(empty)
                Issue.record("a stream without events was taken")
            } catch let error as LedgerError {
                #expect(error.code == .invalidInput)
                #expect(error.message.contains("person/99"))
            }
            #expect(try ledger.head().position == 0)
            try ledger.append(good)
        }
        #expect(try ledger.head().position == Int64(good.eventCount))
        #expect(try ledger.verify().problem == nil)
    }

    /// A command the writer behind cannot write loses the group: its transaction is rolled back
    /// (the commands decided before it in the group too, as a crash would lose them), every
    /// later append and the group's end say why, and the file is as it was before the group,
    /// intact.
    @Test func aCommandTheWriterCannotWriteLosesTheGroup() throws {
        let folder = try TemporaryFolder()
        var g = SeededGenerator(seed: 12)
        let requests = (1...12).map { _ in randomRequest(using: &g) }
        let ledger = try Self.make(folder.path("lost.ledger"), exclusive: true)
        for request in requests.prefix(4) { try ledger.append(request) }
        let before = try ledger.head()
        var refused: LedgerError?
        do {
            try ledger.groupingCommits(every: 1_000, writingBehind: true) {
                try ledger.append(requests[4])
                // Behind the group's back, the next command's id is taken in the file: the group
                // decides it as new, and its writer's insert fails.
                try ledger.database.writeWithoutTransaction { db in
                    try db.execute(
                        sql: """
                            INSERT INTO koki_commands(seq, command_id, actor, recorded_at, first_position, event_count)
                            VALUES (999, ?, 'x', 0, 999, 1)
                            """,
                        arguments: [Data(requests[5].commandID.bytes)])
                }
                try ledger.append(requests[5])
                try ledger.append(requests[6])
                #expect(try ledger.head() == before)
                do {
                    try ledger.append(requests[7])
                    Issue.record("an append after the writer failed was taken")
                } catch let error as LedgerError {
                    #expect(error.code == .storage)
                    #expect(error.message.contains("\(requests[5].commandID)"))
                    #expect(error.message.contains("lost"))
                }
            }
        } catch let error as LedgerError {
            refused = error
        }
        #expect(refused?.code == .storage)
        #expect(try ledger.head() == before)
        #expect(try ledger.verify().problem == nil)
    }

    /// However rarely the caller reads the file, the writer behind is never more than
    /// ``WriteBehind/mostBehind`` batches behind: the append that would leave it further waits
    /// for it. Here the writer is held up until a watcher has seen the caller stop there.
    @Test func aGroupWritingBehindWaitsForAWriterTooFarBehind() throws {
        let folder = try TemporaryFolder()
        let ledger = try Self.make(folder.path("bounded.ledger"), exclusive: true)
        let commands = (WriteBehind.mostBehind + 2) * WriteBehind.batch
        let requests = (0..<commands).map { n in
            AppendRequest(
                commandID: .random(), actor: "op", correlationID: nil, causationID: nil,
                streams: [
                    StreamAppend(
                        stream: stream("person/\(n % 97 + 1)"), expectedVersion: .any,
                        events: [NewEvent(type: "PaymentReceived", schemaVersion: 1, payload: Array("\(n)".utf8))])
                ])
        }
        final class Seen: Sendable {
            let appended = Atomic<Int>(0)
            let whenReleased = Atomic<Int>(-1)
        }
        let seen = Seen()
        try ledger.groupingCommits(every: 100_000, writingBehind: true) {
            let behind = try #require(ledger.behind.withLock { $0 })
            let release = DispatchSemaphore(value: 0)
            behind.writer.async { release.wait() }
            DispatchQueue.global().async {
                var waited = 0
                while behind.behindBatches.load(ordering: .relaxed) <= WriteBehind.mostBehind, waited < 30_000 {
                    usleep(1_000)
                    waited += 1
                }
                // Long enough for a caller that did not wait to append every command left.
                usleep(300_000)
                seen.whenReleased.store(seen.appended.load(ordering: .relaxed), ordering: .relaxed)
                release.signal()
            }
            for request in requests {
                try ledger.append(request)
                seen.appended.add(1, ordering: .relaxed)
                #expect(behind.behindBatches.load(ordering: .relaxed) <= WriteBehind.mostBehind + 1)
            }
        }
        // Stopped in the append that handed the batch one past the bound, until the writer was
        // released and caught up.
        #expect(seen.whenReleased.load(ordering: .relaxed) == (WriteBehind.mostBehind + 1) * WriteBehind.batch - 1)
        #expect(try ledger.head().position == Int64(commands))
        #expect(try ledger.verify().problem == nil)
    }

    /// Rows copied into a ledger inside a group move its chain without an append: the group's
    /// next append continues after them, not from the chain it kept after its own last append.
    /// Writing behind, the group reads the streams, the commands and the chain again after them.
    @Test(arguments: [false, true])
    func aGroupsAppendContinuesAfterRowsCopiedIntoIt(writingBehind: Bool) throws {
        let folder = try TemporaryFolder()
        var g = SeededGenerator(seed: 9)
        let requests = (1...11).map { _ in randomRequest(using: &g) }
        let source = try Self.make(folder.path("source.ledger"), exclusive: false)
        for request in requests.prefix(10) { try source.append(request) }
        let target = try Self.make(folder.path("target.ledger"), exclusive: true)
        try target.groupingCommits(every: 100, writingBehind: writingBehind) {
            for request in requests.prefix(5) { try target.append(request) }
            var rows: [StoredRow] = []
            try source.forEachStoredRow(from: try target.head().position + 1) { rows.append($0) }
            try target.importRows(rows)
            #expect(try target.head() == source.head())
            #expect(target.headWithoutReading == (writingBehind ? try source.head().position : nil))
            let appended = try target.append(requests[10])
            #expect(appended.events.first?.position == (try source.head().position + 1))
            #expect(target.headWithoutReading == appended.events.last?.position)
        }
        #expect(try target.verify().problem == nil)
        #expect(try target.events().count == (try source.events().count) + requests[10].eventCount)
    }

    @Test func aCrashInsideAGroupLosesOnlyTheWholeCommandsSinceItsLastCommit() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("grouped.ledger")
        let ledger = try Self.make(path, exclusive: true)
        var g = SeededGenerator(seed: 5)
        var headAfterTen = LedgerHead(position: 0, hash: [])
        try ledger.groupingCommits(every: 10) {
            for n in 1...13 {
                try ledger.append(randomRequest(using: &g))
                if n == 10 { headAfterTen = try ledger.head() }
            }
            // The file as a crash would leave it now: the database and its write-ahead log.
            for suffix in ["", "-wal"] {
                try FileManager.default.copyItem(atPath: path + suffix, toPath: folder.path("crashed.ledger") + suffix)
            }
        }
        let crashed = try Ledger.open(at: folder.path("crashed.ledger"), mode: .readOnly)
        #expect(try crashed.head() == headAfterTen)
        #expect(try crashed.verify().problem == nil)
        #expect(Set(try crashed.events().map(\.commandID)).count == 10)
        // The group's end committed the last three.
        #expect(try ledger.events().count > (try crashed.events().count))
        #expect(try ledger.verify().problem == nil)
    }

    @Test func aGroupCommitsWhatWasAppendedWhenItsBodyThrows() throws {
        struct Stop: Error {}
        let folder = try TemporaryFolder()
        let path = folder.path("grouped.ledger")
        var ledger: Ledger? = try Self.make(path, exclusive: true)
        var g = SeededGenerator(seed: 6)
        #expect(throws: Stop.self) {
            try ledger?.groupingCommits(every: 100) {
                for _ in 1...4 { try ledger?.append(randomRequest(using: &g)) }
                throw Stop()
            }
        }
        let head = try ledger?.head()
        ledger = nil
        let reopened = try Ledger.open(at: path, mode: .readOnly)
        #expect(try reopened.head() == head)
        #expect(Set(try reopened.events().map(\.commandID)).count == 4)
    }

    @Test func aGroupIsRefusedBesideOtherConnectionsInsideAnotherAndOfNoCommands() throws {
        let folder = try TemporaryFolder()
        let shared = try Self.make(folder.path("shared.ledger"), exclusive: false)
        #expect { try shared.groupingCommits(every: 10) {} } throws: { ($0 as? LedgerError)?.code == .invalidInput }
        let held = try Self.make(folder.path("held.ledger"), exclusive: true)
        #expect { try held.groupingCommits(every: 0) {} } throws: { ($0 as? LedgerError)?.code == .invalidInput }
        #expect { try held.groupingCommits(every: -1) {} } throws: { ($0 as? LedgerError)?.code == .invalidInput }
        var g = SeededGenerator(seed: 7)
        try held.groupingCommits(every: 10) {
            try held.append(randomRequest(using: &g))
            #expect { try held.groupingCommits(every: 10) {} } throws: { ($0 as? LedgerError)?.code == .invalidInput }
            try held.append(randomRequest(using: &g))
        }
        // After a group, appends commit one by one again, and a new group may open.
        try held.append(randomRequest(using: &g))
        try held.groupingCommits(every: 2) { try held.append(randomRequest(using: &g)) }
        #expect(Set(try held.events().map(\.commandID)).count == 4)
        #expect(try held.verify().problem == nil)
    }

    @Test func aGroupWhoseTransactionSQLiteRolledBackRefusesEveryAppendAfter() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("grouped.ledger")
        let ledger = try Self.make(path, exclusive: true)
        var g = SeededGenerator(seed: 8)
        try ledger.append(randomRequest(using: &g))
        let committed = try ledger.head()
        #expect {
            try ledger.groupingCommits(every: 100) {
                try ledger.append(randomRequest(using: &g))
                // As SQLite does on a full disk or an I/O error: the whole transaction undone.
                try ledger.queue.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
                try ledger.append(randomRequest(using: &g))
            }
        } throws: { error in
            guard let error = error as? LedgerError else { return false }
            return error.code == .storage
                && error.message.contains("1 commands appended since its last commit are lost")
        }
        #expect(try ledger.head() == committed)
        #expect { try ledger.append(randomRequest(using: &g)) } throws: { ($0 as? LedgerError)?.code == .storage }
        #expect { try ledger.groupingCommits(every: 10) {} } throws: { ($0 as? LedgerError)?.code == .storage }
        #expect(try ledger.head() == committed)
    }
}
