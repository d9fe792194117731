import CLZ4

/// How a payload is stored: as given, or LZ4-compressed when that saves at least an eighth.
///
/// Measured on premium-shaped payloads, one-by-one LZ4 without a dictionary rarely pays
/// (ratio ≈ 1.08), so most small events are stored raw; larger ones (long histories, imported
/// records) shrink. The encoding byte is stored on the row and covered by its hash.
package enum PayloadEncoding: Int64 {
    /// The bytes as the command gave them.
    case raw = 0
    /// A varint of the original length, then one LZ4 block.
    case lz4 = 1
}

package enum PayloadCompression {
    /// Payloads above this are refused: an event is a fact, not a file.
    package static let maximumPayloadSize = 16 * 1024 * 1024

    /// The bytes to store for a payload, and how they are encoded.
    package static func store(_ payload: [UInt8]) -> (encoding: PayloadEncoding, bytes: [UInt8]) {
        // Below this size LZ4's framing costs more than it can save.
        guard payload.count >= 48 else { return (.raw, payload) }
        let compressed = LZ4Block.compress(payload)
        // Keep the compressed form only when it saves at least an eighth: a few bytes saved on a
        // small event do not pay for decompressing it on every read.
        guard compressed.count * 8 <= payload.count * 7 else { return (.raw, payload) }
        return (.lz4, compressed)
    }

    /// Decompresses an LZ4-encoded stored payload into `scratch`, returning its length.
    package static func decompress(_ stored: UnsafeRawBufferPointer, into scratch: inout [UInt8]) throws(LedgerError)
        -> Int
    {
        do {
            return try LZ4Block.decompress(stored, into: &scratch, limit: maximumPayloadSize)
        } catch {
            throw LedgerError(.damaged, "compressed payload: \(error.message)")
        }
    }
}
