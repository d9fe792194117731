/// A payload that cannot be decoded: truncated, malformed, or of a type or version koki does
/// not know. The message names the offset or the type, so `verify` and `events` can say where.
public struct CodecError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public static func truncated(at offset: Int) -> CodecError {
        CodecError("payload ends early at byte \(offset)")
    }

    public static func malformed(_ what: String, at offset: Int) -> CodecError {
        CodecError("malformed payload at byte \(offset): \(what)")
    }

    public static func unknownType(_ type: String, version: Int) -> CodecError {
        CodecError("unknown event type \(type) v\(version)")
    }

    public var description: String { message }
}
