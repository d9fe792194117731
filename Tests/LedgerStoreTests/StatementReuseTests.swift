import GRDB
import GRDBSQLite
@testable import LedgerStore
import Testing

/// The ledger's reads leave the connection's compiled statements alone. GRDB's `read` toggles
/// `PRAGMA query_only`, and SQLite expires every prepared statement of a connection when a flag
/// pragma changes: each read made every cached statement — the append's, the scan's — compile
/// again on its next step (a sixth of the simulation's time went to that).
@Suite struct StatementReuseTests {
    @Test func readsDoNotMakeCachedStatementsCompileAgain() throws {
        let ledger = try Ledger.inMemory()
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "a", stream: stream("person/1"), expectedVersion: .noStream,
                events: [NewEvent(type: "Paid", schemaVersion: 1, payload: [1])]))
        let sql = "SELECT count(*) FROM koki_events"
        /// Steps the cached statement and tells how often SQLite compiled it again so far.
        func recompiled() throws -> Int32 {
            try ledger.queue.inDatabase { db in
                let statement = try db.cachedStatement(sql: sql)
                #expect(try Int.fetchOne(statement) == 1)
                return sqlite3_stmt_status(statement.sqliteStatement, SQLITE_STMTSTATUS_REPREPARE, 0)
            }
        }
        #expect(try recompiled() == 0)
        // Every kind of read the ledger offers.
        _ = try ledger.head()
        _ = try ledger.version(of: stream("person/1"))
        _ = try ledger.streams()
        _ = try ledger.events()
        _ = try ledger.isKeyed()
        let schema = ReadModelSchema(
            name: "probe", logicVersion: 1, table: Ledger.derivedTablePrefix + "probe", keyColumn: "person",
            partColumn: "year", columns: [], keyStreamPrefix: "person/")
        try ledger.readingModel(schema) { _ in }
        #expect(try recompiled() == 0)
        // What the probe sees when a read does toggle the pragma: the statement compiles again.
        try ledger.queue.read { _ in }
        #expect(try recompiled() == 1)
    }
}
