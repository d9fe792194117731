import KokiEvents

/// Records of one kind in the order they came, each kept as the event codec's bytes, back to
/// back in one buffer, and decoded when read: an account's payments, debit requests, dunning
/// notices and reminders, most of what an account holds after years. As structs each took an
/// object or a slot of its own and its texts (a file's digest, a store's reference) and lists
/// allocations of their own: three to four times their bytes.
///
/// Read back, a record is the one that went in. A record is packed only when the codec's writer
/// refused nothing in it and its bytes read back to it (``PackedBytes``); any other (a what-if's
/// figures out of range, say) is kept as it is, beside the bytes (`aside`).
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
        let start = bytes.count
        if let packed = PackedBytes.bytes(of: record), let end = UInt32(exactly: start + packed.count) {
            if bytes.capacity < Int(end) { bytes.reserveCapacity(Int(end)) }
            bytes.append(contentsOf: packed)
            ends.appendWithoutSpareRoom(end)
        } else {
            aside[ends.count] = record
            ends.appendWithoutSpareRoom(UInt32(truncatingIfNeeded: start))
        }
    }

    /// The record at `index`, read back from its bytes (``PackedBytes/record(from:)``: bytes
    /// kept only once read back to their record, so no record given to the list fails here).
    public subscript(index: Int) -> Record {
        if !aside.isEmpty, let kept = aside[index] { return kept }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        let end = Int(ends[index])
        return bytes.withUnsafeBytes { PackedBytes.record(from: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }
}
