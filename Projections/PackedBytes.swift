import KokiEvents

/// A record kept as the event codec's bytes, as the register's incomes and the union's decisions
/// (``PackedRecords``) and an account's payments, requests, notices and reminders
/// (``PackedList``) are: the one check that lets a list keep the bytes, and the one way back.
///
/// Bytes are kept only after they were read back to the very record that went in
/// (``bytes(of:)``); any other record is kept as it is, beside the bytes. The reader is a function
/// of the bytes alone, and a list never changes bytes once kept, so reading them again
/// (``record(from:)``) gives the same record: no record given to a list, whatever its figures or
/// texts, can make that read fail.
enum PackedBytes {
    /// The record's codec bytes, when the writer refused nothing in it and they read back to the
    /// same record; `nil` (keep the record as it is) otherwise.
    static func bytes<Record: BinaryCodable & Equatable>(of record: Record) -> [UInt8]? {
        var w = BinaryWriter(capacity: 112)
        record.encode(to: &w)
        guard w.refusal == nil, !w.bytes.isEmpty else { return nil }
        let bytes = w.bytes
        guard (try? bytes.withUnsafeBytes({ try read(Record.self, $0) })) == record else { return nil }
        return bytes
    }

    /// The record whose bytes ``bytes(of:)`` gave.
    ///
    /// The read cannot fail, whatever a person or a file gave, for three reasons:
    /// - the only bytes given here are those ``bytes(of:)`` returned. ``PackedList`` and
    ///   ``PackedRecords`` keep them in private buffers that only their `append` and `put` write,
    ///   with those bytes whole; neither is ever made from stored or received bytes (the stored
    ///   register decodes its records and appends them, so they pass the check);
    /// - ``bytes(of:)`` returns bytes only after ``read(_:_:)`` read them to the end without an
    ///   error;
    /// - ``read(_:_:)`` is a function of the bytes alone: a `BinaryReader` over them and the
    ///   record's `init(from:)`, with no clock, locale, registry or other state.
    ///
    /// So it reads the same bytes again as it read them then. The trap below marks a broken
    /// buffer (memory corrupted), not an input.
    static func record<Record: BinaryCodable>(from bytes: UnsafeRawBufferPointer) -> Record {
        do {
            return try read(Record.self, bytes)
        } catch {
            preconditionFailure("bytes kept only once read back to their \(Record.self) did not read back: \(error)")
        }
    }

    private static func read<Record: BinaryCodable>(_: Record.Type, _ bytes: UnsafeRawBufferPointer) throws
        -> Record
    {
        var r = BinaryReader(bytes)
        let record = try Record(from: &r)
        try r.expectEnd()
        return record
    }
}
