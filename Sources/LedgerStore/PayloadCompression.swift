import CLZ4

/// How a payload is stored: as given, or LZ4-compressed against a dictionary when that is shorter.
///
/// One-by-one LZ4 without a dictionary rarely pays on koki's payloads (ratio ≈ 1.08): what repeats,
/// repeats across events. Compressed against ``PayloadDictionary/first`` the payloads of a simulated
/// city keep about 62 % of their bytes, and each is still read on its own. The encoding is stored
/// on the row and covered by its hash; it names the dictionary, which never changes.
public enum PayloadEncoding: Int64, Sendable {
    /// The bytes as the command gave them.
    case raw = 0
    /// A varint of the original length, then one LZ4 block. Written by koki before the dictionary
    /// (for payloads it saved an eighth on); read, no longer written.
    case lz4 = 1
    /// A varint of the original length, then one LZ4 block compressed against ``PayloadDictionary/first``.
    case lz4DictionaryFirst = 2

    /// The `koki_meta` key that holds a copy of the dictionary's bytes.
    package var metaKey: String { "payload_dictionary_\(rawValue)" }
}

public enum PayloadCompression {
    /// Payloads above this are refused: an event is a fact, not a file.
    public static let maximumPayloadSize = 16 * 1024 * 1024

    /// The bytes to store for a payload, and how they are encoded.
    public static func store(_ payload: [UInt8]) -> (encoding: PayloadEncoding, bytes: [UInt8]) {
        // Below this size no match can pay for the block's framing.
        guard payload.count >= 8, let dictionary = PayloadDictionary.first else { return (.raw, payload) }
        let compressed = dictionary.compress(payload)
        // Reading it back costs about 50 ns, so any byte saved is worth keeping.
        guard compressed.count < payload.count else { return (.raw, payload) }
        return (.lz4DictionaryFirst, compressed)
    }

    /// Calls `body` with the payload a row stores in `encoding`, decompressed into `scratch` when
    /// compressed. Throws ``LedgerError`` (`damaged`) for an encoding this build does not know or bytes
    /// that do not decode.
    package static func reading<T>(
        _ stored: UnsafeRawBufferPointer, encoding: Int64, position: Int64, scratch: inout [UInt8],
        _ body: (UnsafeRawBufferPointer) throws -> T
    ) throws -> T {
        let first = PayloadDictionary.first
        return try withExtendedLifetime(first) {
            try reading(stored, encoding: encoding, position: position, scratch: &scratch, first: first?.raw, body)
        }
    }

    /// The same with ``PayloadDictionary/first``'s bytes as a scan took them once, keeping the
    /// dictionary alive (not retained again for every event).
    package static func reading<T>(
        _ stored: UnsafeRawBufferPointer, encoding: Int64, position: Int64, scratch: inout [UInt8],
        first: PayloadDictionary.Raw?, _ body: (UnsafeRawBufferPointer) throws -> T
    ) throws -> T {
        guard let known = PayloadEncoding(rawValue: encoding) else {
            throw LedgerError(.damaged, "event \(position) has unknown payload encoding \(encoding)")
        }
        let dictionary: PayloadDictionary.Raw?
        switch known {
        case .raw: return try body(stored)
        case .lz4: dictionary = nil
        case .lz4DictionaryFirst:
            guard let first else {
                throw LedgerError(
                    .storage,
                    "event \(position) is stored against payload dictionary \(encoding), which this build could not load (its source does not match its SHA-256)"
                )
            }
            dictionary = first
        }
        let count: Int
        do {
            count = try LZ4Block.decompress(stored, into: &scratch, limit: maximumPayloadSize, against: dictionary)
        } catch {
            throw LedgerError(.damaged, "event \(position): compressed payload: \(error.message)")
        }
        return try scratch.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
