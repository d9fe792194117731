import KokiDomain

/// Texts of a fixed alphabet stored in fewer bytes than their characters, read back as the same
/// text. Each begins with a tag saying how it is stored, and any text that does not fit the
/// packed form is stored as it is, so every value round-trips.

/// A SHA-256 digest in lowercase hex (a file's digest), stored as its 32 bytes: 34 bytes instead
/// of 65. Any other text (a short test value, uppercase hex) is stored as text.
public struct HexDigestText: BinaryCodable, Hashable {
    public var value: String
    public init(_ value: String) { self.value = value }

    public func encode(to writer: inout BinaryWriter) {
        guard let bytes = Self.bytes(value) else {
            writer.writeUInt(0)
            writer.writeString(value)
            return
        }
        writer.writeUInt(1)
        for byte in bytes { writer.writeRawByte(byte) }
    }

    public init(from reader: inout BinaryReader) throws {
        let at = reader.offset
        switch try reader.readUInt() {
        case 0:
            value = try reader.readString()
        case 1:
            value = try (0..<32).map { _ in try reader.readRawByte() }.hex
        case let tag:
            throw CodecError.malformed("digest tag \(tag)", at: at)
        }
    }

    /// The 32 bytes of 64 lowercase hex digits; `nil` for any other text (uppercase hex too: it
    /// would read back in lowercase).
    static func bytes(_ text: String) -> [UInt8]? {
        guard text.utf8.count == 64, let bytes = [UInt8](hex: text), bytes.hex == text else { return nil }
        return bytes
    }
}

/// A number written as decimal digits with its leading zeros (a 20-digit customer number),
/// stored as its length and its value in two varints: the last 18 digits and those before.
/// Texts of up to ``maximumDigits`` digits are packed; any other text is stored as text.
public struct DigitText: BinaryCodable, Hashable {
    public var value: String
    public init(_ value: String) { self.value = value }

    /// The longest text packed: 18 digits in the low part, 18 in the high.
    public static let maximumDigits = 36
    private static let lowDigits = 18

    public func encode(to writer: inout BinaryWriter) {
        let utf8 = Array(value.utf8)
        guard !utf8.isEmpty, utf8.count <= Self.maximumDigits,
            utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            writer.writeUInt(0)
            writer.writeString(value)
            return
        }
        let split = max(0, utf8.count - Self.lowDigits)
        func number(_ digits: ArraySlice<UInt8>) -> UInt64 {
            digits.reduce(0) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
        }
        writer.writeUInt(UInt64(utf8.count))
        writer.writeUInt(number(utf8[..<split]))
        writer.writeUInt(number(utf8[split...]))
    }

    public init(from reader: inout BinaryReader) throws {
        let at = reader.offset
        let count = try reader.readUInt()
        guard count != 0 else {
            value = try reader.readString()
            return
        }
        guard count <= UInt64(Self.maximumDigits) else {
            throw CodecError.malformed("a digit text of \(count) digits (at most \(Self.maximumDigits))", at: at)
        }
        let digits = Int(count)
        let highDigits = max(0, digits - Self.lowDigits)
        let (high, low) = (try reader.readUInt(), try reader.readUInt())
        // Each part must fit its digits: 10^n for n digits (the high part has at most 18).
        func bound(_ n: Int) -> UInt64 { (0..<n).reduce(1) { r, _ in r * 10 } }
        guard high < bound(highDigits), low < bound(digits - highDigits) else {
            throw CodecError.malformed("a digit text's value does not fit its \(digits) digits", at: at)
        }
        func text(_ n: UInt64, width: Int) -> String {
            guard width > 0 else { return "" }
            let plain = String(n)
            return String(repeating: "0", count: width - plain.count) + plain
        }
        value = text(high, width: highDigits) + text(low, width: digits - highDigits)
    }
}

extension String {
    /// This text stored as a digest's bytes where it is one (``HexDigestText``), for a layout's key path.
    var asHexDigest: HexDigestText { HexDigestText(self) }
    /// This text stored as a number where it is all digits (``DigitText``), for a layout's key path.
    var asDigits: DigitText { DigitText(self) }
}

/// Positions in the ledger (an assessment's inputs) stored as the first and then each one's
/// difference from the one before, zig-zag varints: a person's inputs lie close together, so a
/// difference takes a byte or two fewer than the position. The order is kept as given, and the
/// differences wrap, so every list of values reads back as written.
public struct DeltaPositions: BinaryCodable, Hashable {
    public var values: [Int64]
    public init(_ values: [Int64]) { self.values = values }

    public func encode(to writer: inout BinaryWriter) {
        var previous: Int64 = 0
        writer.writeArray(values) { w, value in
            w.writeInt(value &- previous)
            previous = value
        }
    }

    public init(from reader: inout BinaryReader) throws {
        var previous: Int64 = 0
        values = try reader.readArray { r in
            previous = previous &+ (try r.readInt64())
            return previous
        }
    }
}

extension Array where Element == Int64 {
    /// These positions stored as differences (``DeltaPositions``), for a layout's key path.
    var asDeltas: DeltaPositions { DeltaPositions(self) }
}
