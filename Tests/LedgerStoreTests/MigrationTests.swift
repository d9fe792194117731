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
                "v10-payloads-read-with-their-stream",
            ])
        // The upgraded file holds the payload dictionary's copy, as a new one does.
        let dictionary = try DatabaseQueue(path: path).read { db in
            try Data.fetchOne(db, sql: "SELECT value FROM koki_meta WHERE key = 'payload_dictionary_2'")
        }
        #expect(dictionary.map(Array.init) == PayloadDictionary.first?.bytes)
        try expectTypeIndexByRowid(path)
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
