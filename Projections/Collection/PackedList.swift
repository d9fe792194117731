import KokiEvents

/// Records of one kind in the order they came, each kept as the event codec's bytes, back to
/// back in one buffer, and decoded when read: an account's payments, debit requests, dunning
/// notices and reminders, most of what an account holds after years. As structs each took an
/// object or a slot of its own and its texts (a file's digest, a store's reference) and lists
/// allocations of their own: three to four times their bytes.
///
/// Read back, a record is the one that went in. A record is packed only when the codec's writer
/// refused nothing in it, and the writer refuses whatever its reader would not read back as
/// written (an amount outside ``Yen/recordable``, a year beyond its bound): the contract the
/// ledger relies on for every event it appends. A record the writer refused anything in (a
/// what-if's figures out of range, say) is kept as it is, beside the bytes (`aside`).
///
/// Two lists of the same records are the same bytes, so equality and hashing are the records'.
public struct PackedList<Record: BinaryCodable & Hashable & Sendable>: RandomAccessCollection, Sendable, Hashable {
    /// The packed records' bytes, back to back.
    private var bytes: [UInt8] = []
    /// Where each record's bytes end in `bytes`: a record kept aside takes none.
    private var ends: [UInt32] = []
    /// The records the writer refused anything in, by their index.
    private var aside: [Int: Record] = [:]

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    /// The bytes the packed records take (the tests and benchmarks weigh them).
    public var packedBytes: Int { bytes.count }

    /// Appends a record after the others. The buffer grows by what the record takes, not doubled:
    /// a few records a year, for every person of a city, leave no room empty.
    mutating func append(_ record: Record) {
        var w = BinaryWriter(capacity: 112)
        record.encode(to: &w)
        let start = bytes.count
        if w.refusal == nil, !w.bytes.isEmpty, let end = UInt32(exactly: start + w.bytes.count) {
            if bytes.capacity < Int(end) { bytes.reserveCapacity(Int(end)) }
            bytes.append(contentsOf: w.bytes)
            ends.appendWithoutSpareRoom(end)
        } else {
            aside[ends.count] = record
            ends.appendWithoutSpareRoom(UInt32(truncatingIfNeeded: start))
        }
    }

    /// The record at `index`, decoded from its bytes. Packed bytes are those of a record the
    /// writer refused nothing in, which the reader reads back as written (see the type's
    /// comment); any other record was kept aside. So no record given to the list, whatever its
    /// figures, reaches the failure below: only a codec that broke the contract the ledger's
    /// appends rely on would, and answering then without the record would be a wrong figure.
    public subscript(index: Int) -> Record {
        if !aside.isEmpty, let kept = aside[index] { return kept }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        let end = Int(ends[index])
        do {
            return try bytes.withUnsafeBytes { buffer in
                var r = BinaryReader(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                let record = try Record(from: &r)
                try r.expectEnd()
                return record
            }
        } catch {
            preconditionFailure("an account's \(Record.self) did not decode from its own bytes: \(error)")
        }
    }
}
