import Foundation
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
    @Test(arguments: [
        (UInt64(1), 1, false), (2, 3, false), (3, 7, false), (4, 1_000, false), (5, 3, true), (6, 1_000, true),
    ])
    func aGroupRecordsTheSameLedgerAsCommandsCommittedOneByOne(seed: UInt64, every: Int, keyed: Bool) throws {
        let folder = try TemporaryFolder()
        let requests = Self.commands(seed: seed, count: 60)
        let key = try ChainKey(bytes: Array(repeating: UInt8(seed), count: 32))
        /// Appends `requests`, making a subject's key before every fifth.
        func record(_ ledger: Ledger, inGroup: Bool) throws -> [String] {
            var answers: [String] = []
            for (n, request) in requests.enumerated() {
                if n % 5 == 4 {
                    _ = try ledger.subjectKey("subject-\(n)", makeKey: { Array(repeating: UInt8(n), count: 32) })
                }
                answers += Self.appendAll([request], to: ledger)
                // Inside the group, this connection reads what it appended at once.
                if inGroup { #expect(try ledger.head().position == (try ledger.events().last?.position ?? 0)) }
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
            let answersGrouped = try grouped.groupingCommits(every: every) { try record(grouped, inGroup: true) }
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

    /// Rows copied into a ledger inside a group move its chain without an append: the group's
    /// next append continues after them, not from the chain it kept after its own last append.
    @Test func aGroupsAppendContinuesAfterRowsCopiedIntoIt() throws {
        let folder = try TemporaryFolder()
        var g = SeededGenerator(seed: 9)
        let requests = (1...11).map { _ in randomRequest(using: &g) }
        let source = try Self.make(folder.path("source.ledger"), exclusive: false)
        for request in requests.prefix(10) { try source.append(request) }
        let target = try Self.make(folder.path("target.ledger"), exclusive: true)
        try target.groupingCommits(every: 100) {
            for request in requests.prefix(5) { try target.append(request) }
            var rows: [StoredRow] = []
            try source.forEachStoredRow(from: try target.head().position + 1) { rows.append($0) }
            try target.importRows(rows)
            #expect(try target.head() == source.head())
            let appended = try target.append(requests[10])
            #expect(appended.events.first?.position == (try source.head().position + 1))
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
