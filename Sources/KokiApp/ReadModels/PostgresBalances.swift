import Foundation
import KokiDomain
import KokiProjections
import LedgerStore
import LedgerStorePostgres
import PostgresNIO

/// The balances read model kept in a PostgreSQL ledger's own schema, beside its events: one row
/// per person and fiscal year (as JSON), and the position and logic version it reflects. It is
/// brought up to the head before a query reads it, in one transaction, as in the SQLite file, so
/// a query never sees half a command.
struct PostgresBalances {
    let store: PostgresLedger

    /// The read model's own lock: catching up never waits for appends, nor they for it.
    var lock: Int64 { store.appendLockKey ^ 0x5F52_4D5F }

    func createTables(_ query: (PostgresQuery) throws -> PostgresQueryResult) throws {
        _ = try query(
            """
            CREATE TABLE IF NOT EXISTS rm_balances (
                person TEXT NOT NULL, fiscal_year INTEGER NOT NULL, row JSONB NOT NULL, PRIMARY KEY (person, fiscal_year))
            """)
        _ = try query(
            """
            CREATE TABLE IF NOT EXISTS rm_models (
                name TEXT PRIMARY KEY, logic_version INTEGER NOT NULL, position BIGINT NOT NULL)
            """)
    }

    /// The position and logic version the table reflects, if it exists.
    func model() throws -> (position: Int64, logicVersion: Int)? {
        let exists =
            try store.query("SELECT to_regclass('rm_models') IS NOT NULL").rows.first?.decode(Bool.self) ?? false
        guard exists,
            let row = try store.query("SELECT position, logic_version FROM rm_models WHERE name = 'balances'").rows
                .first
        else { return nil }
        let (position, version) = try row.decode((Int64, Int32).self)
        return (position, Int(version))
    }

    /// Replaces the rows of `persons` (every row when `nil`) and records the position, unless
    /// someone brought the table further already.
    func store(_ rows: [YearBalance], replacing persons: [PersonID]?, position: Int64) throws {
        let encoder = JSONEncoder()
        try store.withTransaction(lock: lock) { query in
            try createTables(query)
            if let current = try query("SELECT position, logic_version FROM rm_models WHERE name = 'balances'").rows
                .first
            {
                let (at, version) = try current.decode((Int64, Int32).self)
                if at >= position && Int(version) == YearBalance.logicVersion && persons != nil { return }
            }
            if let persons {
                let ids = persons.map(\.value)
                if !ids.isEmpty { _ = try query("DELETE FROM rm_balances WHERE person = ANY(\(ids))") }
            } else {
                _ = try query("DELETE FROM rm_balances")
            }
            for chunk in stride(from: 0, to: rows.count, by: 1_000).map({ rows[$0..<min($0 + 1_000, rows.count)] }) {
                var binds = PostgresBindings(capacity: chunk.count * 3)
                var values: [String] = []
                for (i, row) in chunk.enumerated() {
                    values.append("($\(i * 3 + 1), $\(i * 3 + 2), $\(i * 3 + 3)::jsonb)")
                    binds.append(row.person.value)
                    binds.append(Int32(row.fiscalYear.year))
                    binds.append(String(decoding: try encoder.encode(row), as: UTF8.self))
                }
                _ = try query(
                    PostgresQuery(
                        unsafeSQL:
                            "INSERT INTO rm_balances(person, fiscal_year, row) VALUES \(values.joined(separator: ","))",
                        binds: binds))
            }
            _ = try query(
                """
                INSERT INTO rm_models(name, logic_version, position) VALUES ('balances', \(Int32(YearBalance.logicVersion)), \(position))
                ON CONFLICT (name) DO UPDATE SET logic_version = EXCLUDED.logic_version, position = EXCLUDED.position
                """)
        }
    }

    /// The rows, of one person or of everyone, by person and fiscal year.
    func rows(of person: PersonID?) throws -> [YearBalance] {
        let decoder = JSONDecoder()
        let result =
            if let person {
                try store.query(
                    "SELECT row::text FROM rm_balances WHERE person = \(person.value) ORDER BY fiscal_year")
            } else {
                try store.query("SELECT row::text FROM rm_balances ORDER BY person, fiscal_year")
            }
        return try result.rows.map { try decoder.decode(YearBalance.self, from: Data(try $0.decode(String.self).utf8)) }
            .sorted { ($0.person, $0.fiscalYear.year) < ($1.person, $1.fiscalYear.year) }
    }

    func count() throws -> Int {
        guard try model() != nil else { return 0 }
        return Int(try store.query("SELECT COUNT(*) FROM rm_balances").rows.first?.decode(Int64.self) ?? 0)
    }
}
