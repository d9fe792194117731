/// A map from whole-number keys to values, kept as one array sorted by key with no spare room:
/// what a register entry keeps by year (pension facts, provisional deductions, the union's
/// decisions) and by year and month (what the pension insurer was told).
///
/// A dictionary of a handful of values holds a table of twice as many buckets and a header of
/// its own: at ten years of Matsudo an entry's seven decisions of the union took sixteen buckets,
/// and the months told each year a dictionary nested in another. Kept sorted, two maps of the
/// same keys and values are the same array, so equality and hashing are the values'.
public struct IntKeyedMap<Value: Sendable & Hashable>: Sendable, Hashable {
    public struct Element: Sendable, Hashable {
        public let key: Int
        public var value: Value
    }

    /// In order of their keys, each key once.
    public private(set) var elements: [Element] = []

    public init() {}

    /// The map of `pairs`; of two pairs with one key, the later wins.
    public init(_ pairs: some Sequence<(Int, Value)>) {
        for (key, value) in pairs { self[key] = value }
    }

    public var isEmpty: Bool { elements.isEmpty }
    public var count: Int { elements.count }
    public var keys: [Int] { elements.map(\.key) }

    /// The same keys and values as a dictionary.
    public var dictionary: [Int: Value] {
        Dictionary(uniqueKeysWithValues: elements.map { ($0.key, $0.value) })
    }

    /// The elements whose keys lie in `range`, in order.
    public func elements(in range: Range<Int>) -> ArraySlice<Element> {
        elements[index(of: range.lowerBound)..<index(of: range.upperBound)]
    }

    /// The value of `key`; setting `nil` removes it.
    public subscript(key: Int) -> Value? {
        get {
            let i = index(of: key)
            return i < elements.count && elements[i].key == key ? elements[i].value : nil
        }
        set {
            let i = index(of: key)
            let found = i < elements.count && elements[i].key == key
            switch (newValue, found) {
            case (let value?, true): elements[i].value = value
            case (let value?, false): elements.insertWithoutSpareRoom(Element(key: key, value: value), at: i)
            case (nil, true): elements.remove(at: i)
            case (nil, false): break
            }
        }
    }

    /// The first index whose key is not below `key` (binary search).
    private func index(of key: Int) -> Int {
        var (low, high) = (0, elements.count)
        while low < high {
            let middle = low + (high - low) / 2
            if elements[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension Array {
    /// Appends, growing the storage by the one element when it is full rather than doubling it:
    /// for the short lists an entry keeps for each person, a copy of a few elements now and then
    /// costs less than the room a doubled list leaves empty in every entry of a city.
    mutating func appendWithoutSpareRoom(_ element: Element) {
        insertWithoutSpareRoom(element, at: count)
    }

    /// Inserts, growing the storage by the one element when it is full.
    mutating func insertWithoutSpareRoom(_ element: Element, at i: Int) {
        if count == capacity { reserveCapacity(count + 1) }
        insert(element, at: i)
    }
}

/// Texts that many entries of a register repeat (where an income came from, why a provisional
/// amount), each kept once and shared: a decoded event holds its own copy of every text, and a
/// text longer than fifteen bytes is an allocation of its own. At most ``most`` texts are kept,
/// so a register whose texts are all different holds no more than without it.
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
