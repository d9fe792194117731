import Crypto
import Foundation

/// A 128-bit identifier of a command, a correlation or a causation, stored as 16 bytes.
public struct Identifier: Hashable, Sendable, CustomStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID) { self.uuid = uuid }

    /// A new random identifier. Call sites that must be deterministic (tests, imports keyed by
    /// a file's content) construct one from a known UUID instead.
    public static func random() -> Identifier { Identifier(UUID()) }

    /// Parses the canonical text form (`6F1C…`).
    public init?(string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }

    /// A stable identifier derived from bytes (a file's content, a run's key): the first 16
    /// bytes of their SHA-256, so importing the same file twice yields the same command id.
    public init(derivedFrom bytes: some Sequence<UInt8>) {
        let digest = Array(SHA256.hash(data: Array(bytes)))
        var b = Array(digest.prefix(16))
        b[6] = (b[6] & 0x0F) | 0x80  // RFC 9562 version 8 (custom)
        b[8] = (b[8] & 0x3F) | 0x80  // RFC 9562 variant
        uuid = UUID(
            uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
        )
    }

    /// From its 16 stored bytes.
    public init(bytes p: UnsafeRawBufferPointer) {
        uuid = UUID(
            uuid: (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15])
        )
    }

    /// The 16 bytes as stored.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: uuid.uuid) { Array($0) }
    }

    public var description: String { uuid.uuidString.lowercased() }
}
