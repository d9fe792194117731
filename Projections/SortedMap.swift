/// A map from keys to values, kept as one array sorted by key with no spare room: what a register
/// entry keeps by year (pension facts, provisional deductions; what the pension insurer was told,
/// by year and month) and an account its periods.
///
/// A dictionary of a handful of values holds a table of up to twice as many buckets and a header
/// of its own: at ten years of Matsudo an entry's seven decisions of the union took sixteen
/// buckets, and an account's sixty periods 128. Kept sorted, two maps of the same keys and values
/// are the same array, so equality and hashing are the values'. A lookup is a binary search.
///
/// It is a collection of `(key, value)` in the order of the keys, as a dictionary is one in no
/// order; `filter` and `map` give arrays.
///
/// Its operations are inlinable, so that another module's code (the commands reading an account's
/// periods) runs them specialized to its keys and values, as it runs a dictionary's, rather than
/// through the generic code.
@frozen
public struct SortedMap<Key: Comparable & Hashable & Sendable, Value: Sendable & Hashable>: Sendable, Hashable,
    RandomAccessCollection
{
    @frozen
    public struct Entry: Sendable, Hashable {
        public let key: Key
        public var value: Value

        @inlinable init(key: Key, value: Value) { (self.key, self.value) = (key, value) }
    }

    /// In order of their keys, each key once.
    @inlinable public var entries: [Entry] { storage }
    @usableFromInline var storage: [Entry] = []

    @inlinable public init() {}

    /// The map of `pairs`; of two pairs with one key, the later wins.
    @inlinable public init(_ pairs: some Sequence<(Key, Value)>) {
        for (key, value) in pairs { self[key] = value }
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { storage.count }
    @inlinable public subscript(position: Int) -> (key: Key, value: Value) {
        (storage[position].key, storage[position].value)
    }

    @inlinable public var keys: LazyMapSequence<[Entry], Key> { storage.lazy.map(\.key) }
    @inlinable public var values: LazyMapSequence<[Entry], Value> { storage.lazy.map(\.value) }

    /// The same keys and values as a dictionary.
    @inlinable public var dictionary: [Key: Value] {
        Dictionary(uniqueKeysWithValues: storage.map { ($0.key, $0.value) })
    }

    /// The entries whose keys lie in `range`, in order.
    @inlinable public func entries(in range: Range<Key>) -> ArraySlice<Entry> {
        storage[index(of: range.lowerBound)..<index(of: range.upperBound)]
    }

    /// The value of `key`; setting `nil` removes it.
    @inlinable public subscript(key: Key) -> Value? {
        get {
            let i = index(of: key)
            return i < storage.count && storage[i].key == key ? storage[i].value : nil
        }
        set {
            let i = index(of: key)
            let found = i < storage.count && storage[i].key == key
            switch (newValue, found) {
            case (let value?, true): storage[i].value = value
            case (let value?, false): storage.insertWithoutSpareRoom(Entry(key: key, value: value), at: i)
            case (nil, true): storage.remove(at: i)
            case (nil, false): break
            }
        }
    }

    /// The value of `key`, or `fallback` put there first when there is none; changed in place.
    @inlinable public subscript(key: Key, default fallback: @autoclosure () -> Value) -> Value {
        get { self[key] ?? fallback() }
        _modify {
            let i = index(of: key)
            if !(i < storage.count && storage[i].key == key) {
                storage.insertWithoutSpareRoom(Entry(key: key, value: fallback()), at: i)
            }
            yield &storage[i].value
        }
    }

    /// Room for `capacity` entries in all, exactly, when there is less.
    @inlinable public mutating func reserveCapacity(_ capacity: Int) {
        if storage.capacity < capacity { storage.reserveCapacity(capacity) }
    }

    /// The first index whose key is not below `key` (binary search).
    @inlinable func index(of key: Key) -> Int {
        var (low, high) = (0, storage.count)
        while low < high {
            let middle = low + (high - low) / 2
            if storage[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// What a register entry keeps by year, and by year and month.
public typealias IntKeyedMap<Value: Sendable & Hashable> = SortedMap<Int, Value>

extension Array {
    /// Appends, growing the storage by the one element when it is full rather than doubling it:
    /// for the short lists an entry keeps for each person, a copy of a few elements now and then
    /// costs less than the room a doubled list leaves empty in every entry of a city.
    @inlinable mutating func appendWithoutSpareRoom(_ element: Element) {
        insertWithoutSpareRoom(element, at: count)
    }

    /// Inserts, growing the storage by the one element when it is full.
    @usableFromInline mutating func insertWithoutSpareRoom(_ element: Element, at i: Int) {
        if count == capacity { reserveCapacity(count + 1) }
        insert(element, at: i)
    }
}

/// Texts that many entries of a register repeat (why a provisional amount), each kept once and
/// shared: a decoded event holds its own copy of every text, and a text longer than fifteen bytes
/// is an allocation of its own. At most ``most`` texts are kept, so a register whose texts are all
/// different holds no more than without it.
///
/// It takes no part in the register's equality: holding a text once or many times changes no value.
struct SharedTexts: Sendable, Hashable {
    static let most = 1_024

    private var texts: Set<String> = []

    /// The kept copy of `text`, keeping it when there is room.
    mutating func kept(_ text: String) -> String {
        if let found = texts.firstIndex(of: text) { return texts[found] }
        if texts.count < Self.most { texts.insert(text) }
        return text
    }

    static func == (a: Self, b: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
