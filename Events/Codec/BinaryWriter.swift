import KokiDomain

/// Appends koki's compact binary encoding of event payloads to a byte buffer.
///
/// The encoding is positional, per `(event type, schema version)`: fields are written in the
/// order the payload's `fields(_:)` lists them, with no names and no tags, so a stored v1
/// payload is always read by the v1 decoder and then upcast. Integers are LEB128 varints
/// (signed ones zig-zag encoded), strings are a varint byte length and UTF-8, dates are the
/// signed day count from 1970-01-01. This is several times smaller and faster to decode than
/// JSON; `koki events` renders payloads as JSON for people.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Why what was written must not be stored, or `nil`: the first amount outside
    /// ``Yen/recordable`` (a figure that saturated, or was never checked), or the first count its
    /// reader would refuse. The writer mirrors the reader's limits, so the ledger refuses such an
    /// event before it is appended instead of storing what could never be read back.
    public private(set) var refusal: String?

    /// Notes the first reason the payload must not be stored.
    mutating func refuse(_ reason: @autoclosure () -> String) {
        if refusal == nil { refusal = reason() }
    }

    /// Writes a count or index that its reader accepts only within `0…limit`
    /// (``BinaryReader/readCount(limit:)``); one outside is noted as the payload's refusal and
    /// written as 0, never trapping.
    public mutating func writeCount(_ value: Int, limit: Int) {
        guard (0...limit).contains(value) else {
            refuse("\(value) is outside 0…\(limit)")
            writeUInt(0)
            return
        }
        writeUInt(UInt64(value))
    }

    /// The person whose stream the payload goes to: the payload names them in one byte
    /// (``PersonID``'s stored form), its reader takes them from the stream.
    public let streamPerson: PersonID?

    public init(capacity: Int = 128, streamPerson: PersonID? = nil) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.streamPerson = streamPerson
    }

    public mutating func writeUInt(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func writeInt(_ value: Int64) {
        writeUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func writeInt(_ value: Int) { writeInt(Int64(value)) }

    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func writeRawByte(_ value: UInt8) { bytes.append(value) }

    public mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeUInt(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes a varint byte count, then the bytes.
    public mutating func writeBytes(_ value: [UInt8]) {
        writeUInt(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes an enum case by its declaration index. Such an enum may only ever grow at the
    /// end: reordering or removing a case would change what stored events mean.
    public mutating func writeCase<E: StoredCase>(_ value: E) {
        writeUInt(UInt64(E.storedCases.firstIndex(of: value)!))
    }

    /// Writes a presence byte, then the value when present.
    public mutating func writeOptional<T>(_ value: T?, _ write: (inout BinaryWriter, T) -> Void) {
        if let value {
            bytes.append(1)
            write(&self, value)
        } else {
            bytes.append(0)
        }
    }

    /// Writes the element count, then each element.
    public mutating func writeArray<T>(_ values: [T], _ write: (inout BinaryWriter, T) -> Void) {
        writeUInt(UInt64(values.count))
        for value in values { write(&self, value) }
    }
}
