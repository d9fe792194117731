import KokiDomain

// The domain's values as koki stores them. `BinaryWriter.write(_:)` and the `read…` methods at
// the end are the same forms for code that writes records of its own (the read models' rows).

extension Yen: BinaryCodable {
    /// A zig-zag varint; an amount outside ``Yen/recordable`` is noted as the payload's refusal.
    public func encode(to writer: inout BinaryWriter) {
        if !isRecordable {
            writer.refuse(
                "\(amount) yen is outside the range a ledger holds (±10^15 yen): an amount out of range reached a calculation"
            )
        }
        writer.writeInt(amount)
    }

    public init(from reader: inout BinaryReader) throws(CodecError) { self = Yen(try reader.readInt64()) }
}

/// A domain value stored as a plain one (a year as a count, an id as text) and checked when read:
/// a stored value the domain refuses is a malformed payload at the value's offset.
public protocol CheckedField: BinaryCodable {
    associatedtype Stored: BinaryCodable
    var stored: Stored { get }
    init(checking stored: Stored) throws(DomainError)
}

extension CheckedField {
    public func encode(to writer: inout BinaryWriter) { stored.encode(to: &writer) }

    public init(from reader: inout BinaryReader) throws(CodecError) {
        let start = reader.offset
        let stored: Stored
        do { stored = try Stored(from: &reader) } catch { throw error as? CodecError ?? CodecError("\(error)") }
        do { try self.init(checking: stored) } catch { throw CodecError.malformed(error.message, at: start) }
    }
}

/// Days since 1970-01-01, signed.
extension CivilDate: CheckedField {
    public var stored: Int { daysSinceEpoch }
    public init(checking days: Int) throws(DomainError) { try self.init(daysSinceEpoch: days) }
}

/// The year as an unsigned count.
extension FiscalYear: CheckedField {
    public enum StoredLimit: CountLimit { public static let limit = 9998 }
    public var stored: BoundedCount<StoredLimit> { BoundedCount(year) }
    public init(checking stored: BoundedCount<StoredLimit>) throws(DomainError) { try self.init(stored.value) }
}

/// The period's number, 1…24.
extension PeriodNumber: CheckedField {
    public enum StoredLimit: CountLimit { public static let limit = 24 }
    public var stored: BoundedCount<StoredLimit> { BoundedCount(number) }
    public init(checking stored: BoundedCount<StoredLimit>) throws(DomainError) { try self.init(stored.value) }
}

/// The address number as text; the person whose stream the payload is on as the empty text,
/// which no address number is (their number is the stream's name already, so a person's events
/// do not store it again).
extension PersonID: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.writeString(writer.streamPerson == self ? "" : value)
    }

    public init(from reader: inout BinaryReader) throws(CodecError) {
        let start = reader.offset
        let text = try reader.readString()
        guard !text.isEmpty else {
            guard let person = reader.streamPerson else {
                throw CodecError.malformed("the stream's person, in a payload read without its stream", at: start)
            }
            self = person
            return
        }
        do { try self.init(text) } catch { throw CodecError.malformed(error.message, at: start) }
    }
}

extension HouseholdID: CheckedField {
    public var stored: String { value }
    public init(checking text: String) throws(DomainError) { try self.init(text) }
}

/// The fiscal year, then the period.
extension PeriodKey: BinaryRecord {
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(c.field(\.fiscalYear), c.field(\.period))
    }
}

extension BinaryWriter {
    /// Writes a value in its stored form (``BinaryCodable``).
    @inlinable
    public mutating func write(_ value: some BinaryCodable) { value.encode(to: &self) }
}

extension BinaryReader {
    public mutating func readYen() throws(CodecError) -> Yen { try Yen(from: &self) }
    public mutating func readDate() throws(CodecError) -> CivilDate { try CivilDate(from: &self) }
    public mutating func readFiscalYear() throws(CodecError) -> FiscalYear { try FiscalYear(from: &self) }
    public mutating func readPeriod() throws(CodecError) -> PeriodNumber { try PeriodNumber(from: &self) }
    public mutating func readPersonID() throws(CodecError) -> PersonID { try PersonID(from: &self) }
}
