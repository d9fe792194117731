import KokiEvents

/// Records of one kind kept in the event codec's binary form, back to back in one buffer, each
/// after its key (a year): a register entry's incomes and the union's decisions, most of an entry
/// at ten years of Matsudo. As structs each held its text (where it came from) and the union's
/// each its list of amounts, allocations of their own: a decision of the union took 316 bytes
/// where its bytes take about 90. Read back, a record is the one that went in (the codec's form
/// is exact both ways; the register's tests prove it for every field).
///
/// Two lists of the same records under the same keys, in the same order, are the same bytes, so
/// equality and hashing are the records'.
struct PackedRecords<Record: BinaryCodable & Hashable>: Sendable, Hashable {
    /// Each record: its key (a zig-zag varint), its length (a varint) and its bytes.
    private var bytes: [UInt8] = []
    private(set) var count = 0

    init() {}

    /// The records in order, each under its key.
    init(_ records: some Sequence<(key: Int, record: Record)>) {
        for (key, record) in records { append(record, key: key) }
    }

    var isEmpty: Bool { count == 0 }

    /// Appends a record after the others.
    mutating func append(_ record: Record, key: Int) {
        let encoded = Self.encoded(record, key: key)
        if bytes.capacity < bytes.count + encoded.count { bytes.reserveCapacity(bytes.count + encoded.count) }
        bytes.append(contentsOf: encoded)
        count += 1
    }

    /// Puts a record under its key: in the place of the one under the same key, or among the
    /// others in the order of the keys (which are in order).
    mutating func put(_ record: Record, key: Int) {
        // The bytes of the record under `key`, or the empty range where it goes.
        var (start, end, at) = (bytes.count, bytes.count, 0)
        var replaced = false
        forEachRaw { k, raw in
            if k < key {
                at = raw.endIndex
            } else if start == bytes.count {
                (start, end) = (at, k == key ? raw.endIndex : at)
                replaced = k == key
            }
        }
        let encoded = Self.encoded(record, key: key)
        var new: [UInt8] = []
        new.reserveCapacity(bytes.count - (end - start) + encoded.count)
        new.append(contentsOf: bytes[..<start])
        new.append(contentsOf: encoded)
        new.append(contentsOf: bytes[end...])
        bytes = new
        if !replaced { count += 1 }
    }

    /// The keys, in order.
    var keys: [Int] {
        var keys: [Int] = []
        forEachRaw { k, _ in keys.append(k) }
        return keys
    }

    /// Every record with its key, in order.
    var records: [(key: Int, record: Record)] {
        var records: [(key: Int, record: Record)] = []
        records.reserveCapacity(count)
        forEachRaw { k, raw in records.append((k, Self.decode(raw))) }
        return records
    }

    /// The last record under `key`.
    func last(_ key: Int) -> Record? {
        var found: ArraySlice<UInt8>?
        forEachRaw { k, raw in if k == key { found = raw } }
        return found.map(Self.decode)
    }

    /// Writes the records as the stored form's list of them: a count, then each record's bytes,
    /// after its key when `keyed`.
    func encodeList(to w: inout BinaryWriter, keyed: Bool) {
        w.writeUInt(UInt64(count))
        forEachRaw { key, raw in
            if keyed { w.writeInt(key) }
            for byte in raw { w.writeRawByte(byte) }
        }
    }

    /// A record's key, length and bytes.
    private static func encoded(_ record: Record, key: Int) -> [UInt8] {
        var w = BinaryWriter(capacity: 112)
        record.encode(to: &w)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(w.bytes.count + 20)
        appendVarint(UInt64(bitPattern: Int64(key) << 1 ^ Int64(key) >> 63), to: &encoded)
        appendVarint(UInt64(w.bytes.count), to: &encoded)
        encoded.append(contentsOf: w.bytes)
        return encoded
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Each record's key and bytes, in order.
    private func forEachRaw(_ body: (Int, ArraySlice<UInt8>) -> Void) {
        var at = 0
        while at < bytes.count {
            let raw = Self.varint(bytes, &at)
            let key = Int(Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
            let length = Int(Self.varint(bytes, &at))
            body(key, bytes[at..<at + length])
            at += length
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

    /// A record from the bytes this list encoded it to. They always decode (the codec reads what
    /// it writes); were they ever not to, answering without the record would be a wrong figure,
    /// so it stops.
    private static func decode(_ raw: ArraySlice<UInt8>) -> Record {
        do {
            return try raw.withUnsafeBytes { buffer in
                var r = BinaryReader(buffer)
                let record = try Record(from: &r)
                try r.expectEnd()
                return record
            }
        } catch {
            preconditionFailure("a register entry's \(Record.self) did not decode from its own bytes: \(error)")
        }
    }
}
