import Foundation
import KokiDomain

/// A value with a stored binary form (see ``BinaryWriter``): a field of an event payload.
///
/// Scalars, strings, dates and money conform here; an enum stored by its declaration index
/// conforms through ``StoredCase``; a small record of fields through ``BinaryRecord``; a
/// configuration stored as canonical JSON through ``StoredAsJSON``. Optionals are a presence
/// byte then the value, arrays a count then the elements, with no other framing.
public protocol BinaryCodable: Sendable {
    func encode(to writer: inout BinaryWriter)
    init(from reader: inout BinaryReader) throws
}

extension String: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeString(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readString() }
}

/// A signed integer (a position, a count recorded as it was): as an `Int64`.
extension Int: CheckedField {
    public var stored: Int64 { Int64(self) }
    public init(checking stored: Int64) { self.init(stored) }
}

extension Bool: BinaryCodable {
    public init(from reader: inout BinaryReader) throws { self = try reader.readBool() }
    public func encode(to writer: inout BinaryWriter) { writer.writeBool(self) }
}

extension Optional: BinaryCodable where Wrapped: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.writeOptional(self) { w, value in value.encode(to: &w) }
    }
    public init(from reader: inout BinaryReader) throws {
        self = try reader.readOptional { r in try Wrapped(from: &r) }
    }
}

/// Zig-zag varint.
extension Int64: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeInt(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readInt64() }
}

extension Array: BinaryCodable where Element: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.writeArray(self) { w, value in value.encode(to: &w) }
    }
    public init(from reader: inout BinaryReader) throws {
        // A byte string is copied at once rather than byte by byte.
        if Element.self == UInt8.self, let bytes = try reader.readBytes() as? [Element] {
            self = bytes
            return
        }
        self = try reader.readArray { r in try Element(from: &r) }
    }
}

/// One raw byte, so `[UInt8]` is a byte string: its count, then the bytes.
extension UInt8: BinaryCodable {
    public init(from reader: inout BinaryReader) throws { self = try reader.readRawByte() }
    public func encode(to writer: inout BinaryWriter) { writer.writeRawByte(self) }
}

/// A count or index stored unsigned, which its reader accepts only up to `Limit.limit`
/// (``BinaryReader/readCount(limit:)``); the writer notes one outside as the payload's refusal.
public struct BoundedCount<Limit: CountLimit>: BinaryCodable {
    public var value: Int
    public init(_ value: Int) { self.value = value }
    public func encode(to writer: inout BinaryWriter) { writer.writeCount(value, limit: Limit.limit) }
    public init(from reader: inout BinaryReader) throws { value = try reader.readCount(limit: Limit.limit) }
}

/// The largest value a ``BoundedCount`` accepts.
public protocol CountLimit: Sendable {
    static var limit: Int { get }
}

/// A calendar year (an income year): 0…9999.
public enum YearLimit: CountLimit { public static let limit = 9999 }

/// A configuration or table stored as its canonical JSON (sorted keys): rare, human-audited facts
/// where readability beats a few bytes.
public protocol StoredAsJSON: BinaryCodable, Codable {}

extension StoredAsJSON {
    public func encode(to writer: inout BinaryWriter) { CanonicalJSON(self).encode(to: &writer) }
    public init(from reader: inout BinaryReader) throws { self = try CanonicalJSON(from: &reader).value }
}

/// Any Codable value stored as one string of canonical JSON (a list of tables as one text).
public struct CanonicalJSON<Value: Codable & Sendable>: BinaryCodable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
    public func encode(to writer: inout BinaryWriter) { writer.writeString(canonicalJSON(value)) }
    public init(from reader: inout BinaryReader) throws {
        value = try JSONDecoder().decode(Value.self, from: Data(try reader.readString().utf8))
    }
}

extension RateTable: StoredAsJSON {}
extension InstallmentCalendar: StoredAsJSON {}
extension ArrearsSettings: StoredAsJSON {}
extension PermissionMatrix: StoredAsJSON {}
extension SecuritySettings: StoredAsJSON {}

/// The sealed bytes, as a byte string.
extension SealedIdentity: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeBytes(bytes) }
    public init(from reader: inout BinaryReader) throws { self.init(bytes: try reader.readBytes()) }
}

/// Stored as one flag: householder or not.
extension HouseholdRole: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeBool(self == .householder) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readBool() ? .householder : .member }
}

/// JSON with sorted keys and unescaped slashes: one text per value.
func canonicalJSON(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
}

/// A count kept in 32 bits (a run's totals).
public enum Int32Limit: CountLimit { public static let limit = Int(Int32.max) }

/// A one-digit code (a bank's result code).
public enum DigitLimit: CountLimit { public static let limit = 9 }

extension Int {
    /// This value stored as a calendar year (``YearLimit``), for a layout's key path.
    var asYear: BoundedCount<YearLimit> { BoundedCount(self) }
    var asInt32Count: BoundedCount<Int32Limit> { BoundedCount(self) }
    var asDigit: BoundedCount<DigitLimit> { BoundedCount(self) }
}

/// Stored by its code (``PaymentChannel/code``), which never changes when cases are added.
extension PaymentChannel: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeUInt(code) }
    public init(from reader: inout BinaryReader) throws {
        let at = reader.offset
        self = try PaymentChannel(code: try reader.readUInt(), at: at)
    }
}

/// The pension facts inline, in their declared order.
extension PensionFacts: BinaryRecord {
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            annualPension: c.field(\.annualPension), careInsurancePremium: c.field(\.careInsurancePremium),
            careDeductedFromPension: c.field(\.careDeductedFromPension),
            previousFebruaryDeduction: c.field(\.previousFebruaryDeduction))
    }
}
