import KokiEvents

/// Records of one kind kept in the event codec's binary form, back to back in one buffer, each
/// after its key (a year): a register entry's incomes and the union's decisions, most of an entry
/// at ten years of Matsudo. As structs each held its text (where it came from) and the union's
/// each its list of amounts, allocations of their own: a decision of the union took 316 bytes
/// where its bytes take about 90.
///
/// Read back, a record is the one that went in. A record is packed only when the codec's writer
/// refused nothing in it and its bytes read back to it (``PackedBytes``); any other (a what-if's
/// figure out of range, say) is kept as it is, beside the bytes (`spilled`), and its entry in the
/// buffer only marks its place.
///
/// Two lists of the same records under the same keys, in the same order, are the same bytes and
/// the same records kept aside, so equality and hashing are the records'.
struct PackedRecords<Record: BinaryCodable & Hashable>: Sendable, Hashable {
    /// Each record: its key (a zig-zag varint), then its length times two (a varint) and its
    /// bytes; or, for a record kept aside, 1 (the next of `spilled`, in order).
    private var bytes: [UInt8] = []
    /// The records whose bytes the writer refused anything in, in the order of their entries.
    private var spilled: [Record] = []
    private(set) var count = 0

    /// A record as the buffer holds it: its bytes, or the index of the record kept aside.
    private enum Raw {
        case packed(ArraySlice<UInt8>)
        case spilled(Int)
    }

    init() {}

    /// The records in order, each under its key.
    init(_ records: some Sequence<(key: Int, record: Record)>) {
        for (key, record) in records { append(record, key: key) }
    }

    var isEmpty: Bool { count == 0 }

    /// Appends a record after the others.
    mutating func append(_ record: Record, key: Int) {
        let (entry, packed) = Self.entry(record, key: key)
        if !packed { spilled.append(record) }
        if bytes.capacity < bytes.count + entry.count { bytes.reserveCapacity(bytes.count + entry.count) }
        bytes.append(contentsOf: entry)
        count += 1
    }

    /// Puts a record under its key: in the place of the one under the same key, or among the
    /// others in the order of the keys (which are in order).
    mutating func put(_ record: Record, key: Int) {
        // The entry under `key`, or the empty range where it goes; the records kept aside before it.
        var (start, end, at, aside) = (bytes.count, bytes.count, 0, 0)
        var replaced: Raw?
        forEachRaw { k, raw, entry in
            if k < key {
                at = entry.upperBound
                if case .spilled = raw { aside += 1 }
            } else if start == bytes.count {
                (start, end) = (at, k == key ? entry.upperBound : at)
                if k == key { replaced = raw }
            }
        }
        if case .spilled(let i) = replaced { spilled.remove(at: i) }
        let (entry, packed) = Self.entry(record, key: key)
        if !packed { spilled.insert(record, at: aside) }
        var new: [UInt8] = []
        new.reserveCapacity(bytes.count - (end - start) + entry.count)
        new.append(contentsOf: bytes[..<start])
        new.append(contentsOf: entry)
        new.append(contentsOf: bytes[end...])
        bytes = new
        if replaced == nil { count += 1 }
    }

    /// The keys, in order.
    var keys: [Int] {
        var keys: [Int] = []
        forEachRaw { k, _, _ in keys.append(k) }
        return keys
    }

    /// Every record with its key, in order.
    var records: [(key: Int, record: Record)] {
        var records: [(key: Int, record: Record)] = []
        records.reserveCapacity(count)
        forEachRaw { k, raw, _ in records.append((k, record(raw))) }
        return records
    }

    /// The last record under `key`.
    func last(_ key: Int) -> Record? {
        var found: Raw?
        forEachRaw { k, raw, _ in if k == key { found = raw } }
        return found.map(record)
    }

    /// Writes the records as the stored form's list of them: a count, then each record's bytes,
    /// after its key when `keyed`.
    func encodeList(to w: inout BinaryWriter, keyed: Bool) {
        w.writeUInt(UInt64(count))
        forEachRaw { key, raw, _ in
            if keyed { w.writeInt(key) }
            switch raw {
            case .packed(let bytes): for byte in bytes { w.writeRawByte(byte) }
            case .spilled(let i): spilled[i].encode(to: &w)
            }
        }
    }

    /// A record's entry in the buffer: its key, length and bytes, packed; or its key and the mark
    /// of a record kept aside, when its bytes cannot be kept (``PackedBytes/bytes(of:)``).
    private static func entry(_ record: Record, key: Int) -> (entry: [UInt8], packed: Bool) {
        let packed = PackedBytes.bytes(of: record)
        var entry: [UInt8] = []
        entry.reserveCapacity((packed?.count ?? 0) + 20)
        appendVarint(UInt64(bitPattern: Int64(key) << 1 ^ Int64(key) >> 63), to: &entry)
        appendVarint(packed.map { UInt64($0.count) << 1 } ?? 1, to: &entry)
        if let packed { entry.append(contentsOf: packed) }
        return (entry, packed != nil)
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Each record's key, what the buffer holds of it, and its whole entry's range, in order.
    private func forEachRaw(_ body: (Int, Raw, Range<Int>) -> Void) {
        var (at, aside) = (0, 0)
        while at < bytes.count {
            let start = at
            let raw = Self.varint(bytes, &at)
            let key = Int(Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
            let tagged = Self.varint(bytes, &at)
            if tagged & 1 == 1 {
                body(key, .spilled(aside), start..<at)
                aside += 1
            } else {
                let length = Int(tagged >> 1)
                body(key, .packed(bytes[at..<at + length]), start..<at + length)
                at += length
            }
        }
    }

    /// A varint this list wrote.
    private static func varint(_ bytes: [UInt8], _ at: inout Int) -> UInt64 {
        var (value, shift): (UInt64, UInt64) = (0, 0)
        while true {
            let byte = bytes[at]
            at += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// A record back from the buffer (``PackedBytes/record(from:)``: bytes kept only once read
    /// back to their record, so no record given to the list fails here).
    private func record(_ raw: Raw) -> Record {
        switch raw {
        case .spilled(let i): return spilled[i]
        case .packed(let bytes): return bytes.withUnsafeBytes { PackedBytes.record(from: $0) }
        }
    }
}
