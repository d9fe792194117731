/// A person's identity (name, kana, birth date, sex, address, phone) sealed with that person's
/// own key (AES-GCM), as stored in events.
///
/// The pure core never sees the plaintext: it carries these bytes, and the application layer
/// opens them with the person's key from the key table beside the ledger. Deleting the key
/// (erasure after retention) leaves the events, amounts and hash chain intact and the person
/// unreadable. The first byte is the sealing scheme (1 = AES-256-GCM, 12-byte nonce, 16-byte tag).
public struct SealedIdentity: Sendable, Hashable, Codable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Sealed identities are never read back from JSON (which holds only a marker).
    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "a sealed identity is not readable from JSON"))
    }

    /// JSON never shows personal data, sealed or not: only that a sealed identity is there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("sealed:\(bytes.count) bytes")
    }
}
