import Crypto

/// Computes an event row's hash: SHA-256 over the previous row's hash and everything stored for
/// this row, in one fixed, length-prefixed layout:
///
///     previous hash (32) | position (8) | stream name | stream version (8) | type name |
///     schema version (8) | command envelope | encoding (1) | stored payload
///
/// where a name or the payload is a 4-byte big-endian length and its bytes, and the command
/// envelope is the command id (16), actor, recorded time (8) and the optional correlation and
/// causation ids (a presence byte and 16 bytes each). Names are hashed resolved, so altering a
/// stream's or a type's name, or a command's envelope, breaks every event that refers to it.
package struct RowHasher {
    private var buffer: [UInt8] = []

    package init() { buffer.reserveCapacity(512) }

    /// The genesis "previous hash" of a ledger: binds the chain to the ledger's id.
    package static func genesis(ledgerID: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array("koki ledger genesis".utf8) + ledgerID))
    }

    /// Serializes a command's envelope once; every event of the command hashes the same bytes.
    package static func envelope(
        commandID: [UInt8], actor: String, recordedAt: Int64, correlationID: [UInt8]?, causationID: [UInt8]?
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: commandID)
        appendLengthPrefixed(&out, Array(actor.utf8))
        appendInt(&out, recordedAt)
        for id in [correlationID, causationID] {
            if let id {
                out.append(1)
                out.append(contentsOf: id)
            } else {
                out.append(0)
            }
        }
        return out
    }

    package mutating func hash(
        previous: UnsafeRawBufferPointer, position: Int64, stream: UnsafeRawBufferPointer, streamVersion: Int64,
        type: UnsafeRawBufferPointer, schemaVersion: Int64, envelope: [UInt8], encoding: Int64,
        payload: UnsafeRawBufferPointer
    ) -> SHA256Digest {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: previous)
        Self.appendInt(&buffer, position)
        Self.appendLengthPrefixed(&buffer, stream)
        Self.appendInt(&buffer, streamVersion)
        Self.appendLengthPrefixed(&buffer, type)
        Self.appendInt(&buffer, schemaVersion)
        buffer.append(contentsOf: envelope)
        buffer.append(UInt8(truncatingIfNeeded: encoding))
        Self.appendLengthPrefixed(&buffer, payload)
        return buffer.withUnsafeBytes { SHA256.hash(data: $0) }
    }

    private static func appendInt(_ out: inout [UInt8], _ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func appendLengthPrefixed(_ out: inout [UInt8], _ bytes: some Collection<UInt8>) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: bytes.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: bytes)
    }
}
