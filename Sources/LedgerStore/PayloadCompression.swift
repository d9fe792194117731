import CLZ4

/// How a payload is stored: as given, or LZ4-compressed when that saves at least an eighth.
///
/// Measured on premium-shaped payloads, one-by-one LZ4 without a dictionary rarely pays
/// (ratio ≈ 1.08), so most small events are stored raw; larger ones (long histories, imported
/// records) shrink. The encoding byte is stored on the row and covered by its hash.
enum PayloadEncoding: Int64 {
    /// The bytes as the command gave them.
    case raw = 0
    /// A varint of the original length, then one LZ4 block.
    case lz4 = 1
}

enum PayloadCompression {
    /// Payloads above this are refused: an event is a fact, not a file.
    static let maximumPayloadSize = 16 * 1024 * 1024

    /// The bytes to store for a payload, and how they are encoded.
    static func store(_ payload: [UInt8]) -> (encoding: PayloadEncoding, bytes: [UInt8]) {
        // Below this size LZ4's framing costs more than it can save.
        guard payload.count >= 48 else { return (.raw, payload) }
        let bound = Int(LZ4_compressBound(Int32(payload.count)))
        var out = [UInt8](repeating: 0, count: bound + 10)
        var headerLength = 0
        var n = UInt64(payload.count)
        while n >= 0x80 {
            out[headerLength] = UInt8(truncatingIfNeeded: n) | 0x80
            n >>= 7
            headerLength += 1
        }
        out[headerLength] = UInt8(n)
        headerLength += 1
        let written = payload.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                LZ4_compress_default(
                    src.baseAddress!.assumingMemoryBound(to: CChar.self),
                    (dst.baseAddress! + headerLength).assumingMemoryBound(to: CChar.self),
                    Int32(payload.count), Int32(bound))
            }
        }
        // Keep the compressed form only when it saves at least an eighth: a few bytes saved on a
        // small event do not pay for decompressing it on every read.
        guard written > 0, (headerLength + Int(written)) * 8 <= payload.count * 7 else { return (.raw, payload) }
        out.removeLast(out.count - headerLength - Int(written))
        return (.lz4, out)
    }

    /// Decompresses an LZ4-encoded stored payload into `scratch`, returning its length.
    static func decompress(_ stored: UnsafeRawBufferPointer, into scratch: inout [UInt8]) throws(LedgerError) -> Int {
        var length: UInt64 = 0
        var shift: UInt64 = 0
        var index = 0
        while true {
            guard index < stored.count, shift < 64 else {
                throw LedgerError(.damaged, "compressed payload has a damaged length header")
            }
            let byte = stored[index]
            index += 1
            length |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard length <= UInt64(maximumPayloadSize) else {
            throw LedgerError(.damaged, "compressed payload claims \(length) bytes")
        }
        if scratch.count < Int(length) { scratch = [UInt8](repeating: 0, count: Int(length)) }
        let decoded = scratch.withUnsafeMutableBytes { dst in
            LZ4_decompress_safe(
                (stored.baseAddress! + index).assumingMemoryBound(to: CChar.self),
                dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                Int32(stored.count - index), Int32(length))
        }
        guard decoded == Int32(length) else {
            throw LedgerError(.damaged, "compressed payload does not decompress to its \(length) bytes")
        }
        return Int(length)
    }
}
