import Foundation
import GRDB
@testable import LedgerStore
import KokiTestSupport
import Testing

@Suite struct MigrationTests {
    /// A ledger as the first schema version wrote it, with one event.
    func versionOneLedger(_ folder: TemporaryFolder) throws -> String {
        let path = folder.path("v1.ledger")
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA application_id = \(Schema.applicationID)")
        }
        try Schema.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO koki_meta(key, value) VALUES ('ledger_id', ?), ('created_at', ?)",
                arguments: [Data(repeating: 7, count: 16), Data("0".utf8)])
        }
        return path
    }

    @Test func aVersionOneLedgerIsUpgradedWhenOpenedForWriting() throws {
        let folder = try TemporaryFolder()
        let path = try versionOneLedger(folder)
        #expect { _ = try Ledger.open(at: path, mode: .readOnly) } throws: {
            ($0 as? LedgerError)?.code == .readOnly && "\($0)".contains("needs a schema upgrade")
        }
        let ledger = try Ledger.open(at: path)
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "op", stream: try StreamName("s"), expectedVersion: .noStream,
                events: [NewEvent(type: "T", schemaVersion: 1, payload: [1])]))
        // The v2 table is there: keys can be made and erased.
        let key = try #require(try ledger.subjectKey("person/1", create: true))
        #expect(key.count == 32)
        #expect(try ledger.subjectKey("person/1", create: true) == key)
        #expect(try ledger.eraseSubjectKey("person/1"))
        #expect(try ledger.subjectKey("person/1", create: false) == nil)
        #expect(try ledger.verify().isIntact)
        let applied = try DatabaseQueue(path: path).read { try Schema.migrator.appliedIdentifiers($0) }
        #expect(
            applied == [
                "v1", "v2-subject-keys", "v3-sessions-lookups", "v4-type-index", "v5-command-seals", "v6-credentials",
                "v7-payload-dictionary", "v8-command-hashes", "v9-type-index-by-rowid",
                "v10-payloads-read-with-their-stream", "v11-command-names", "v12-sparse-hashes",
            ])
        // The upgraded file holds the payload dictionary's copy, as a new one does.
        let dictionary = try DatabaseQueue(path: path).read { db in
            try Data.fetchOne(db, sql: "SELECT value FROM koki_meta WHERE key = 'payload_dictionary_2'")
        }
        #expect(dictionary.map(Array.init) == PayloadDictionary.first?.bytes)
        try expectTypeIndexByRowid(path)
    }

    /// Commands recorded before schema version v11 keep their actor and correlation in their own
    /// columns; those recorded after name them by number, each stored once. Both read back the
    /// same, the chain verifies across them, and a copy of every row carries them.
    @Test func commandsBeforeAndAfterV11ReadTheirActorsAlike() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("v11.ledger")
        let ledger = try Ledger.create(at: path)
        let run = Identifier.random()
        func request(_ actor: String, _ n: Int) -> AppendRequest {
            AppendRequest(
                commandID: .random(), actor: actor, correlationID: n % 2 == 0 ? run : nil, causationID: nil,
                streams: [
                    StreamAppend(
                        stream: try! StreamName("s/\(n)"), expectedVersion: .noStream,
                        events: [NewEvent(type: "T", schemaVersion: 1, payload: [UInt8(n)])])
                ])
        }
        for n in 1...4 { try ledger.append(request(n <= 2 ? "clerk" : "batch", n)) }
        let stored = try DatabaseQueue(path: path).read { db in
            (
                try Row.fetchAll(db, sql: "SELECT actor, actor_id, correlation_id, correlation_ref FROM koki_commands"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM koki_actors") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM koki_correlations") ?? 0
            )
        }
        #expect(stored.0.count == 4)
        #expect(stored.0.allSatisfy { ($0[0] as String).isEmpty && ($0[1] as Int64?) != nil && $0[2] == nil })
        #expect(stored.1 == 2 && stored.2 == 1)
        // The first two as a koki before v11 stored them: the actor and the correlation in the row.
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER koki_commands_refuse_update")
            try db.execute(
                sql: """
                    UPDATE koki_commands SET actor = (SELECT name FROM koki_actors WHERE id = actor_id), actor_id = NULL,
                        correlation_id = (SELECT name FROM koki_correlations WHERE id = correlation_ref),
                        correlation_ref = NULL
                    WHERE seq <= 2
                    """)
        }
        let reopened = try Ledger.open(at: path)
        for n in 5...6 { try reopened.append(request("clerk", n)) }
        let events = try reopened.events()
        #expect(events.map(\.actor) == ["clerk", "clerk", "batch", "batch", "clerk", "clerk"])
        #expect(events.map(\.correlationID) == (1...6).map { $0 % 2 == 0 ? run : nil })
        #expect(try reopened.verify().isIntact)
        var rows: [StoredRow] = []
        try reopened.forEachStoredRow(from: 1) { rows.append($0) }
        #expect(rows.map(\.command.actor) == events.map(\.actor))
        #expect(rows.map(\.command.correlationID) == events.map(\.correlationID))
        let copy = try Ledger.create(at: folder.path("copy.ledger"), ledgerID: reopened.ledgerID)
        try copy.importRows(rows)
        #expect(try copy.events().map(\.actor) == events.map(\.actor))
        #expect(try copy.verify().isIntact)
        #expect(try copy.head() == (try reopened.head()))
    }

    @Test func aNewLedgerKeysItsIndexByTypeOnTheTypeAlone() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("new.ledger")
        _ = try Ledger.create(at: path)
        try expectTypeIndexByRowid(path)
    }

    /// The index by type holds the type alone (the position follows as the rowid), and a read of
    /// some types from a position on still goes through it, in position order.
    func expectTypeIndexByRowid(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        let columns = try queue.read {
            try String.fetchAll($0, sql: "SELECT name FROM pragma_index_info('koki_events_by_type')")
        }
        #expect(columns == ["type_id"])
        // EXPLAIN QUERY PLAN's rows are (id, parent, notused, detail): the detail is the 4th column.
        let details = try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT position, payload FROM koki_events
                    WHERE position >= 5 AND type_id IN (1, 2) ORDER BY position
                    """
            ).map { $0[3] as String }
        }
        #expect(details.contains { $0.contains("koki_events_by_type") && $0.contains("rowid>?") }, "\(details)")
    }
}
