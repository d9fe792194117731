import Foundation
import LedgerStore
import LedgerStorePostgres

/// Where a ledger is: a SQLite file's path, or a `postgres://` address. Opening one gives its
/// ports, whichever store holds it, so a caller needs to know neither.
///
/// ```swift
/// let ports = try LedgerLocation("postgres://koki@db/koki?schema=matsudo").open()
/// ```
public struct LedgerLocation: Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ location: String) { description = location }

    /// A PostgreSQL address, refused when it is not one.
    public static func server(_ url: String) throws -> LedgerLocation {
        _ = try PostgresLedger.Address(url)
        return LedgerLocation(url)
    }

    /// Whether it is a PostgreSQL address rather than a file.
    public var isServer: Bool { description.hasPrefix("postgres://") || description.hasPrefix("postgresql://") }

    /// Opens the ledger there (a server's ledger is always read-write).
    public func open(mode: Ledger.AccessMode = .readWrite) throws -> LedgerPorts {
        if isServer { return try PostgresLedger.open(url: description).ports }
        return try Ledger.open(at: description, mode: mode).ports
    }

    /// Opens the ledger there, or `nil` when there is none yet.
    public func openIfPresent() throws -> LedgerPorts? {
        guard isServer else { return FileManager.default.fileExists(atPath: description) ? try open() : nil }
        do {
            return try open()
        } catch let error as LedgerError where error.code == .notFound && error.message.hasPrefix("no ledger") {
            return nil
        }
    }

    /// Creates a new ledger there; with `ledgerID`, one that continues a ledger copied from elsewhere.
    public func create(ledgerID: Identifier? = nil) throws -> LedgerPorts {
        if isServer { return try PostgresLedger.create(url: description, ledgerID: ledgerID).ports }
        return try Ledger.create(at: description, ledgerID: ledgerID).ports
    }

}
