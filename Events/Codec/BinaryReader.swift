import KokiDomain

/// Reads koki's compact binary payload encoding (see ``BinaryWriter``) from borrowed bytes.
///
/// The reader never copies the payload; it must not outlive the buffer it reads, which is why
/// decoding happens inside `withUnsafeBytes`-style closures. Every read checks bounds and
/// throws a ``CodecError`` naming the offset, so a damaged payload is an error, never a crash.
public struct BinaryReader {
    public let buffer: UnsafeRawBufferPointer
    public private(set) var offset: Int = 0
    /// The person whose stream the payload is on (`person/…`, `documents/…`), which a payload
    /// names in one byte (``PersonID``'s stored form); `nil` for a payload read without its stream.
    public let streamPerson: PersonID?

    public init(_ buffer: UnsafeRawBufferPointer, streamPerson: PersonID? = nil) {
        (self.buffer, self.streamPerson) = (buffer, streamPerson)
    }

    public var isAtEnd: Bool { offset == buffer.count }

    public mutating func readUInt() throws(CodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count else { throw CodecError.truncated(at: offset) }
            let byte = buffer[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw CodecError.malformed("varint overflows 64 bits", at: offset - 1) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw CodecError.malformed("varint longer than 10 bytes", at: offset - 1) }
        }
    }

    public mutating func readInt64() throws(CodecError) -> Int64 {
        let raw = try readUInt()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func readInt() throws(CodecError) -> Int {
        Int(try readInt64())
    }

    /// Reads an unsigned count or index that must fit `limit`.
    public mutating func readCount(limit: Int) throws(CodecError) -> Int {
        let start = offset
        let raw = try readUInt()
        guard raw <= UInt64(limit) else { throw CodecError.malformed("count \(raw) exceeds \(limit)", at: start) }
        return Int(raw)
    }

    public mutating func readBool() throws(CodecError) -> Bool {
        guard offset < buffer.count else { throw CodecError.truncated(at: offset) }
        let byte = buffer[offset]
        guard byte <= 1 else { throw CodecError.malformed("boolean byte \(byte)", at: offset) }
        offset += 1
        return byte == 1
    }

    public mutating func readRawByte() throws(CodecError) -> UInt8 {
        guard offset < buffer.count else { throw CodecError.truncated(at: offset) }
        defer { offset += 1 }
        return buffer[offset]
    }

    public mutating func readString() throws(CodecError) -> String {
        let start = offset
        let count = try readCount(limit: buffer.count - offset)
        guard offset + count <= buffer.count else { throw CodecError.truncated(at: offset) }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
        // ASCII (ids, numbers) needs no validation; the generic validator costs a metadata lookup.
        let string: String
        if slice.allSatisfy({ $0 < 0x80 }) {
            string = String(decoding: slice, as: UTF8.self)
        } else if let valid = String(validating: slice, as: UTF8.self) {
            string = valid
        } else {
            throw CodecError.malformed("string is not valid UTF-8", at: start)
        }
        offset += count
        return string
    }

    public mutating func readBytes() throws(CodecError) -> [UInt8] {
        let count = try readCount(limit: buffer.count - offset)
        guard offset + count <= buffer.count else { throw CodecError.truncated(at: offset) }
        defer { offset += count }
        return Array(buffer[offset..<(offset + count)])
    }

    /// Reads an enum case written by ``BinaryWriter/writeCase(_:)``.
    public mutating func readCase<E: StoredCase>(_ type: E.Type) throws(CodecError) -> E {
        let at = offset
        let index = try readCount(limit: Int(UInt32.max))
        let cases = E.storedCases
        guard index < cases.count else { throw CodecError.malformed("\(E.self) case \(index)", at: at) }
        return cases[index]
    }

    public mutating func readOptional<T>(_ read: (inout BinaryReader) throws -> T) throws -> T? {
        try readBool() ? try read(&self) : nil
    }

    public mutating func readArray<T>(_ read: (inout BinaryReader) throws -> T) throws -> [T] {
        // Every element takes at least one byte, which bounds a damaged count.
        let count = try readCount(limit: buffer.count - offset)
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try read(&self)) }
        return values
    }

    /// Throws unless every byte was consumed: trailing bytes mean the wrong decoder or damage.
    public func expectEnd() throws(CodecError) {
        guard isAtEnd else { throw CodecError.malformed("\(buffer.count - offset) unread trailing bytes", at: offset) }
    }
}
