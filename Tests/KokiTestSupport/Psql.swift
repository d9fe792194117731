import Foundation

/// Runs SQL with `psql` in a schema of a PostgreSQL database, as someone holding the database's
/// password could (the tests alter rows behind koki's back this way); the exit status, output
/// discarded.
public func psql(
    host: String, port: Int, user: String, password: String?, database: String, schema: String, _ sql: String
) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", String(port), "-U", user, "-d", database, "-c",
        "SET search_path TO \(schema); " + sql,
    ]
    process.environment = ["PGPASSWORD": password ?? "", "PATH": "/usr/bin:/bin"]
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
