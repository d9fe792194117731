/// A value stored as its fields in a fixed order, with no names and no tags: every event payload,
/// and the small records inside them (an installment, a payment's part).
///
/// The record declares its fields once, in ``fields(_:)``: its initializer called with each field
/// read through the coder, in stored order, the key path beside the label. Run with a
/// ``FieldReader`` it decodes; run with a ``FieldWriter`` it encodes (each field read from the
/// value through its key path and written). The JSON rendering is the synthesized `Codable`.
///
/// ```swift
/// public struct PaymentCancelled: EventPayload {
///     public static let eventType = "PaymentCancelled"
///     public static let schemaVersion = 1
///
///     public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
///         try Self(person: c.field(\.person), payment: c.field(\.payment), cancelledOn: c.field(\.cancelledOn))
///     }
///     …
/// }
/// ```
///
/// A field stored in another form than its type's own goes through a computed key path
/// (`c.field(\.year.asYear).value`, a year as a bounded count); a property that is not stored
/// (a field a later version dropped) is left to its initializer's default. Swift evaluates the
/// arguments left to right, so the order of the labels is the stored order.
public protocol BinaryRecord: BinaryCodable {
    static func fields(_ c: inout some FieldCoder<Self>) throws -> Self
}

extension BinaryRecord {
    public func encode(to writer: inout BinaryWriter) {
        withUnsafeMutablePointer(to: &writer) { writer in
            var coder = FieldWriter(self, to: writer)
            // Writing never throws: every field's value is there to write.
            _ = try? Self.fields(&coder)
        }
    }

    public init(from reader: inout BinaryReader) throws {
        self = try withUnsafeMutablePointer(to: &reader) { reader in
            var coder = FieldReader<Self>(reader)
            return try Self.fields(&coder)
        }
    }
}

/// Runs a record's ``BinaryRecord/fields(_:)`` one way: reading each field, or writing it.
public protocol FieldCoder<Root> {
    associatedtype Root
    /// The field's value: read from the payload, or taken from the record through `path` and
    /// written.
    mutating func field<Value: BinaryCodable>(_ path: KeyPath<Root, Value>) throws -> Value
}

/// Decodes: each field is read from the payload in turn; the key paths are not used.
public struct FieldReader<Root>: FieldCoder {
    // A pointer rather than an `inout` copy, so the reader's offset moves in place; it is valid
    // only inside `BinaryRecord.init(from:)`'s `withUnsafeMutablePointer`.
    let reader: UnsafeMutablePointer<BinaryReader>

    init(_ reader: UnsafeMutablePointer<BinaryReader>) { self.reader = reader }

    @inline(__always)
    public mutating func field<Value: BinaryCodable>(_ path: KeyPath<Root, Value>) throws -> Value {
        try Value(from: &reader.pointee)
    }
}

/// Encodes: each field is taken from the record through its key path and written.
public struct FieldWriter<Root>: FieldCoder {
    let record: Root
    // Valid only inside `BinaryRecord.encode(to:)`'s `withUnsafeMutablePointer`.
    let writer: UnsafeMutablePointer<BinaryWriter>

    init(_ record: Root, to writer: UnsafeMutablePointer<BinaryWriter>) {
        (self.record, self.writer) = (record, writer)
    }

    @inline(__always)
    public mutating func field<Value: BinaryCodable>(_ path: KeyPath<Root, Value>) -> Value {
        let value = record[keyPath: path]
        value.encode(to: &writer.pointee)
        return value
    }
}
