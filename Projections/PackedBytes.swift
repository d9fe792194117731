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

    /// The record whose bytes ``bytes(of:)`` gave. They were read back to it when kept, and
    /// nothing changes them after, so the read cannot fail here (see the type's comment).
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
