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

/// A reference or number made of runs (`pension:cf546f058908:77243`, a 44-digit barcode, a
/// payment's number): each run of decimal digits stored as a number, each run of lowercase hex
/// with a letter in it as its nibbles, the rest as text. A count of runs, then each run's
/// header (its kind in the low two bits, its length above) and its value. Every text reads back
/// as written; a value that does not fit its run's length is damage.
public struct TokenText: BinaryCodable, Hashable {
    public var value: String
    public init(_ value: String) { self.value = value }

    enum Kind: UInt64 {
        /// UTF-8 bytes.
        case text = 0
        /// Decimal digits with their leading zeros: the length, then the value.
        case digits = 1
        /// Lowercase hex digits: the count of nibbles, then two a byte (the last one's low half
        /// 0 when odd).
        case hex = 2
    }

    /// The longest run of digits stored as one number (10^19 fits in 64 bits).
    static let digitsAtMost = 19
    /// The longest run of hex digits stored as one run.
    static let nibblesAtMost = 64
    /// Shorter runs of digits stay in the text (a number takes a byte of header).
    static let digitsAtLeast = 3
    /// Shorter runs of hex stay in the text, where a letter would often be a word's.
    static let nibblesAtLeast = 6

    /// The runs of `value`, each `(kind, its bytes)`.
    static func runs(_ value: String) -> [(Kind, ArraySlice<UInt8>)] {
        let utf8 = Array(value.utf8)
        func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
        func isHexLetter(_ b: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b) }
        var runs: [(Kind, ArraySlice<UInt8>)] = []
        var textStart: Int?
        var i = 0
        func closeText(at end: Int) {
            if let start = textStart, start < end { runs.append((.text, utf8[start..<end])) }
            textStart = nil
        }
        while i < utf8.count {
            // The longest run of hex characters from here, and whether it has a letter.
            var end = i
            var letter = false
            while end < utf8.count, isDigit(utf8[end]) || isHexLetter(utf8[end]) {
                letter = letter || isHexLetter(utf8[end])
                end += 1
            }
            let length = end - i
            if letter, length >= nibblesAtLeast {
                closeText(at: i)
                for start in stride(from: i, to: end, by: nibblesAtMost) {
                    runs.append((.hex, utf8[start..<min(end, start + nibblesAtMost)]))
                }
                i = end
            } else if !letter, length >= digitsAtLeast {
                closeText(at: i)
                for start in stride(from: i, to: end, by: digitsAtMost) {
                    runs.append((.digits, utf8[start..<min(end, start + digitsAtMost)]))
                }
                i = end
            } else {
                if textStart == nil { textStart = i }
                i = max(end, i + 1)
            }
        }
        closeText(at: utf8.count)
        return runs
    }

    public func encode(to writer: inout BinaryWriter) {
        let runs = Self.runs(value)
        writer.writeUInt(UInt64(runs.count))
        for (kind, bytes) in runs {
            writer.writeUInt(UInt64(bytes.count) << 2 | kind.rawValue)
            switch kind {
            case .text:
                for byte in bytes { writer.writeRawByte(byte) }
            case .digits:
                writer.writeUInt(bytes.reduce(0) { $0 &* 10 &+ UInt64($1 &- UInt8(ascii: "0")) })
            case .hex:
                func nibble(_ b: UInt8) -> UInt8 { b <= UInt8(ascii: "9") ? b &- UInt8(ascii: "0") : b &- 87 }
                var k = bytes.startIndex
                while k < bytes.endIndex {
                    let high = nibble(bytes[k])
                    let low = k + 1 < bytes.endIndex ? nibble(bytes[k + 1]) : 0
                    writer.writeRawByte(high << 4 | low)
                    k += 2
                }
            }
        }
    }

    public init(from reader: inout BinaryReader) throws {
        let start = reader.offset
        let count = try reader.readCount(limit: reader.buffer.count - reader.offset)
        var utf8: [UInt8] = []
        for _ in 0..<count {
            let at = reader.offset
            let header = try reader.readUInt()
            let length = Int(clamping: header >> 2)
            switch Kind(rawValue: header & 3) {
            case .text:
                guard length >= 1, length <= reader.buffer.count - reader.offset else {
                    throw CodecError.malformed("a text run of \(length) bytes", at: at)
                }
                for _ in 0..<length { utf8.append(try reader.readRawByte()) }
            case .digits:
                guard (1...Self.digitsAtMost).contains(length) else {
                    throw CodecError.malformed("a run of \(length) digits (at most \(Self.digitsAtMost))", at: at)
                }
                let number = try reader.readUInt()
                let plain = Array(String(number).utf8)
                guard plain.count <= length else {
                    throw CodecError.malformed("a number \(number) longer than its \(length) digits", at: at)
                }
                utf8 += [UInt8](repeating: UInt8(ascii: "0"), count: length - plain.count) + plain
            case .hex:
                guard (1...Self.nibblesAtMost).contains(length) else {
                    throw CodecError.malformed("a hex run of \(length) digits (at most \(Self.nibblesAtMost))", at: at)
                }
                let digits = Array("0123456789abcdef".utf8)
                for k in 0..<(length + 1) / 2 {
                    let byte = try reader.readRawByte()
                    utf8.append(digits[Int(byte >> 4)])
                    if 2 * k + 1 < length {
                        utf8.append(digits[Int(byte & 15)])
                    } else if byte & 15 != 0 {
                        throw CodecError.malformed("an odd hex run's last byte ends in \(byte & 15), not 0", at: at)
                    }
                }
            case nil:
                throw CodecError.malformed("a token run of kind \(header & 3)", at: at)
            }
        }
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw CodecError.malformed("a token text that is not UTF-8", at: start)
        }
        value = text
    }
}

extension String {
    /// This text stored as runs of digits, hex and text (``TokenText``), for a layout's key path.
    var asTokens: TokenText { TokenText(self) }
}
