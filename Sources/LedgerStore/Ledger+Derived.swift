import CLZ4
import Foundation
import GRDB

/// Work on the tables derived from the events — read models and their snapshots — which live in
/// the ledger file beside the events but outside the hash chain and the append-only rule: they
/// can be dropped and rebuilt from the events at any time. Their names start with `rm_`; a replay
/// copy (``Ledger/writePrefix(through:to:prepare:)``) drops them, since they describe a later head.
///
/// A transaction sees one consistent ledger: events appended by other processes while it runs
/// are not in it, so a read model written here reflects exactly the head it read.
public struct LedgerTransaction {
    /// The connection, for the derived tables' own SQL. Never write to the `koki_` tables.
    let db: Database
    let ledger: Ledger
    public let schema: ReadModelSchema

    /// Calls `body` for each selected event, inside this transaction.
    public func forEachEvent(_ query: EventQuery = EventQuery(), _ body: (borrowing EventView) throws -> Void) throws {
        try ledger.scan(db, query, body)
    }

    /// The head this transaction sees.
    public func head() throws -> Int64 {
        try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(position) FROM koki_events")) ?? 0
    }

    /// Whether a table exists.
    func hasTable(_ name: String) throws -> Bool { try db.tableExists(name) }
}

extension Ledger: ReadModelStore {
    /// The prefix every derived table's name starts with.
    public static let derivedTablePrefix = "rm_"

    /// Runs `body` in one write transaction (committed when it returns, rolled back when it
    /// throws). Other writers wait; readers go on. Throws `readOnly` on a read-only ledger.
    public func writingModel<T>(_ schema: ReadModelSchema, _ body: (any ReadModelTransaction) throws -> T) throws -> T {
        guard !isReadOnly else { throw LedgerError(.readOnly, "\(path ?? ":memory:") was opened read-only") }
        return try guarded {
            try writing { db in try body(LedgerTransaction(db: db, ledger: self, schema: schema)) }
        }
    }

    /// Runs `body` in one read transaction: the ledger and its derived tables as one consistent
    /// state, whatever other processes append meanwhile.
    public func readingModel<T>(_ schema: ReadModelSchema, _ body: (any ReadModelTransaction) throws -> T) throws -> T {
        try guarded { try reading { db in try body(LedgerTransaction(db: db, ledger: self, schema: schema)) } }
    }
}

/// LZ4 blocks with their length in front: a varint of the original length, then one block.
/// Event payloads use it (when it pays) and so do derived data too large for an event (a read
/// model's snapshot). A block may be compressed against a ``PayloadDictionary``; it is then read
/// back only with the same dictionary.
public enum LZ4Block {
    public static func compress(_ bytes: [UInt8]) -> [UInt8] { compress(bytes, dictionary: nil) }

    static func compress(_ bytes: [UInt8], dictionary: PayloadDictionary?) -> [UInt8] {
        let bound = Int(LZ4_compressBound(Int32(bytes.count)))
        var out = [UInt8](repeating: 0, count: bound + 10)
        var header = 0
        var n = UInt64(bytes.count)
        while n >= 0x80 {
            out[header] = UInt8(truncatingIfNeeded: n) | 0x80
            n >>= 7
            header += 1
        }
        out[header] = UInt8(n)
        header += 1
        let written = bytes.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                let source = src.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
                let target = (dst.baseAddress! + header).assumingMemoryBound(to: CChar.self)
                guard let dictionary else {
                    return LZ4_compress_default(source, target, Int32(bytes.count), Int32(bound))
                }
                return dictionary.withWorkingStream { stream in
                    LZ4_compress_fast_continue(stream, source, target, Int32(bytes.count), Int32(bound), 1)
                }
            }
        }
        out.removeLast(out.count - header - Int(written))
        return out
    }

    /// Throws ``LedgerError`` (`damaged`), also when the block claims more than `limit` bytes
    /// (nothing is allocated for them).
    public static func decompress(_ stored: [UInt8], limit: Int = Int(Int32.max) - 1) throws -> [UInt8] {
        var out: [UInt8] = []
        let count = try stored.withUnsafeBytes { src in try decompress(src, into: &out, limit: limit) }
        out.removeLast(out.count - count)
        return out
    }

    /// Decompresses into `scratch` (grown when short), returning the length; a header claiming
    /// more than `limit` bytes is damage.
    static func decompress(
        _ stored: UnsafeRawBufferPointer, into scratch: inout [UInt8], limit: Int, dictionary: PayloadDictionary? = nil
    ) throws(LedgerError) -> Int {
        try withExtendedLifetime(dictionary) { () throws(LedgerError) -> Int in
            try decompress(stored, into: &scratch, limit: limit, against: dictionary?.raw)
        }
    }

    /// The same against a dictionary's bytes as a pointer (``PayloadDictionary/raw``), which the
    /// caller keeps alive: a scan takes it once, not the dictionary retained for every payload.
    static func decompress(
        _ stored: UnsafeRawBufferPointer, into scratch: inout [UInt8], limit: Int,
        against dictionary: PayloadDictionary.Raw?
    ) throws(LedgerError) -> Int {
        var length: UInt64 = 0
        var shift: UInt64 = 0
        var index = 0
        while true {
            guard index < stored.count, shift < 64 else {
                throw LedgerError(.damaged, "LZ4 block has a damaged header")
            }
            let byte = stored[index]
            index += 1
            length |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard length <= UInt64(limit) else { throw LedgerError(.damaged, "LZ4 block claims \(length) bytes") }
        if scratch.count < Int(length) { scratch = [UInt8](repeating: 0, count: Int(length)) }
        let decoded = scratch.withUnsafeMutableBytes { dst in
            let source = (stored.baseAddress! + index).assumingMemoryBound(to: CChar.self)
            let target = dst.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
            guard let dictionary else {
                return LZ4_decompress_safe(source, target, Int32(stored.count - index), Int32(length))
            }
            return LZ4_decompress_safe_usingDict(
                source, target, Int32(stored.count - index), Int32(length), dictionary.base, dictionary.count)
        }
        guard decoded == Int32(length) else {
            throw LedgerError(.damaged, "LZ4 block does not decode to \(length) bytes")
        }
        return Int(length)
    }
}
