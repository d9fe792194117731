import Foundation
import KokiDomain
import KokiEvents
import LedgerStore

#if os(Linux)
    import CMalloc
#endif

/// Gives the memory the process freed back to the system (glibc's `malloc_trim`; nothing
/// elsewhere): so that a measurement of anonymous memory starts from what is held. (The
/// simulation no longer calls it at each month's end: on its huge pages that cost more than
/// it gave back.)
@_spi(Reference) public func releaseFreedMemory() { PassScan.releaseFreedMemory() }

/// What a pass folds each of its persons' events into (see ``PassScan``): called on the
/// folding thread, in position order.
protocol PassFolder: AnyObject, Sendable {
    /// Whether person `i`'s event at `position` (their stream's `version`) is to be decoded and
    /// folded: called for every one of their events the scan reads, before ``fold(_:_:)``.
    func wants(_ i: Int, at position: Int64, version: Int64) -> Bool
    /// Whether events of `type` are decoded and folded at all: asked on the scanning thread, once
    /// per type in each batch; the payload of a type it refuses is not even copied. A pass that
    /// needs every event's stream version reads every type and refuses here the ones it ignores.
    func decodes(_ type: String) -> Bool
    func fold(_ i: Int, _ event: KokiEvent) throws
    /// Told, before a batch's events, the type of each of its kinds (``EventBatch/decoders``).
    func begin(kinds: [String])
    /// One event of the batch, of its kind `kind`: by default asked ``wants(_:at:version:)``,
    /// then decoded (`nil`: a type this pass decodes for no one) and folded.
    func take(_ i: Int, at position: Int64, version: Int64, kind: Int, decode: () throws -> KokiEvent?) throws
}

extension PassFolder {
    func decodes(_ type: String) -> Bool { true }

    func begin(kinds: [String]) {}

    func take(_ i: Int, at position: Int64, version: Int64, kind: Int, decode: () throws -> KokiEvent?) throws {
        guard wants(i, at: position, version: version), let event = try decode() else { return }
        try fold(i, event)
    }
}

/// Several passes' folders on one folding thread, each with its persons (by their index in the
/// scan's persons, or through a map to its own: -1 for a person it does not fold) and the types
/// it reads: what each would have been given by a scan of its own, in the same order. An event
/// is decoded once for all of them.
final class FolderGroup: PassFolder, @unchecked Sendable {
    struct Member {
        let folder: any PassFolder
        /// The member's index of each of the scan's persons; nil: the same index.
        let map: [Int32]?
        let types: Set<String>
    }

    private let members: [Member]
    /// How many events each member was given (asked ``wants(_:at:version:)`` for): what a scan of
    /// its own would have counted as read.
    private(set) var read: [Int]
    /// For each kind of the batch being folded: per member, whether it reads that type, and
    /// whether it decodes it.
    private var reads: [[Bool]] = []
    private var decoded: [[Bool]] = []

    init(_ members: [Member]) {
        self.members = members
        read = Array(repeating: 0, count: members.count)
    }

    func wants(_ i: Int, at position: Int64, version: Int64) -> Bool { true }

    func decodes(_ type: String) -> Bool { members.contains { $0.types.contains(type) && $0.folder.decodes(type) } }

    func fold(_ i: Int, _ event: KokiEvent) throws {}

    func begin(kinds: [String]) {
        reads = kinds.map { type in members.map { $0.types.contains(type) } }
        decoded = kinds.map { type in members.map { $0.types.contains(type) && $0.folder.decodes(type) } }
    }

    func take(_ i: Int, at position: Int64, version: Int64, kind: Int, decode: () throws -> KokiEvent?) throws {
        // Who folds it first, then the event decoded once and lent to each: an optional event
        // kept between them was copied whole (a large enum) at every step.
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { folds in
            var any = false
            for (m, member) in members.enumerated() {
                folds[m] = -1
                guard reads[kind][m] else { continue }
                let j = member.map.map { Int($0[i]) } ?? i
                guard j >= 0 else { continue }
                read[m] += 1
                guard member.folder.wants(j, at: position, version: version), decoded[kind][m] else { continue }
                folds[m] = j
                any = true
            }
            guard any, let event = try decode() else { return }
            for (m, member) in members.enumerated() where folds[m] >= 0 { try member.folder.fold(folds[m], event) }
        }
    }
}

/// A pass over the ledger in position order that decodes and folds on a second thread (several
/// passes from one read: ``fold(_:_:passes:spillingIn:reading:overlapping:make:done:)``): the scan
/// copies each event of the pass's persons into batches, and the folding thread decodes and
/// folds them in the same order, so reading the rows and decoding them overlap on two cores.
enum PassScan {
    /// How many persons one pass over the ledger folds at once (the balances' compact states,
    /// the register's entries): memory stays bounded whatever the ledger's length or the
    /// city's size. The passes read the ledger once
    /// (``fold(_:_:passes:spillingIn:reading:overlapping:make:done:)``), and a fill fills each
    /// pass's rows while the next pass is folded, so two passes' states are held at once: 75,000
    /// a pass holds about as much as the 150,000 of one pass at a time did. Ten times Matsudo's
    /// 826,000 persons take eleven passes (`koki rebuild --check`: 79 s and 0.73 GB anonymous at
    /// the most on 2026-12-07, against 97 s and 0.66 GB for six passes of 150,000 one after
    /// another, and 85 s and 0.98 GB for six overlapped); Matsudo's 133,000 over ten years two.
    static let personsPerPass = 75_000

    /// The persons of a fill in passes of at most `size`, in order.
    static func passes<T>(_ persons: [T], size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: persons.count, by: max(1, size)).map { persons[$0..<min(persons.count, $0 + max(1, size))] }
    }

    /// Gives the memory a fill freed back to the system. The folding thread allocates in an
    /// arena of its own, which the C library would otherwise keep after it is freed — beside the
    /// next read model's pass, doubling the peak.
    static func releaseFreedMemory() {
        #if os(Linux)
            _ = malloc_trim(0)
        #endif
    }

    /// Frees a pass's state on another thread, then gives the memory back (as
    /// ``releaseFreedMemory()``): a register of 133,000 entries takes two seconds to free, which
    /// the fill's caller (comparing the tables, the next model's pass) need not wait for. The
    /// caller hands over its last reference (`consume`).
    static func release(_ pass: consuming some AnyObject & Sendable) {
        let last = Box(consume pass)
        DispatchQueue.global(qos: .utility).async {
            last.value = nil
            releaseFreedMemory()
        }
    }

    private final class Box<T: AnyObject & Sendable>: @unchecked Sendable {
        var value: T?
        init(_ value: T) { self.value = value }
    }

    /// Reads the events `query` selects of `persons` into `folder`, which knows each person by
    /// their index in `persons`. Returns how many were read. An event that cannot be decoded
    /// stops the pass with an error naming its position.
    static func fold(
        _ tx: any ReadModelTransaction, _ query: EventQuery, persons: [PersonID], into folder: any PassFolder
    ) throws -> Int {
        try fold({ try tx.forEachEvent($0, $1) }, query, persons: persons, into: folder)
    }

    /// The same over any store's events (a PostgreSQL ledger's, read back in position order).
    static func fold(
        _ forEachEvent: (EventQuery, (borrowing EventView) throws -> Void) throws -> Void, _ query: EventQuery,
        persons: [PersonID], into folder: any PassFolder
    ) throws -> Int {
        var index = PassIndex(persons)
        return try fold(persons: persons, into: folder) { take in
            // Two closures the caller does not keep, one inside the other.
            try withoutActuallyEscaping(take) { take in
                try forEachEvent(query) { view in
                    guard let i = index.person(of: view) else { return }
                    try take(i, view)
                }
            }
        }
    }

    /// The events `read` gives, each with its person's index in `persons`, copied into batches
    /// and folded into `folder` on a thread of its own while `read` reads on (in position order
    /// for each person: a pass over the ledger, or their streams one after another). Returns how
    /// many were given.
    static func fold(
        persons: [PersonID], into folder: any PassFolder,
        _ read: (_ take: (Int32, borrowing EventView) throws -> Void) throws -> Void
    ) throws -> Int {
        var events = 0
        // Made once: `folder.decodes` written in the loop made a closure, and retained the
        // folder the folding thread is using, for every event.
        let decodes: (String) -> Bool = { folder.decodes($0) }
        try folding(persons: persons, into: folder) { handover in
            var decoders = DecoderCache()
            var batch = EventBatch()
            try read { i, view in
                events += 1
                try batch.append(person: i, view, decodes: decodes) {
                    try decoders.decoder(type: view.type, version: view.schemaVersion, position: view.position)
                }
                if batch.count >= EventBatch.size {
                    _ = handover.put(batch)
                    batch = EventBatch()
                }
            }
            _ = handover.put(batch)
        }
        return events
    }

    /// The batches `produce` puts in the hand-over, decoded and folded into `folder` on a thread of its own while
    /// `produce` reads the next (the persons: the batches' persons by their index). The first error
    /// either side throws is thrown, once both have stopped.
    static func folding(
        persons: [PersonID], into folder: any PassFolder, _ produce: (_ handover: Channel<EventBatch>) throws -> Void
    ) throws {
        let handover = Channel<EventBatch>(capacity: 4)
        let finished = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        // A thread of its own, not a dispatch queue's: it spends its waits in a condition the
        // queue's pool cannot see, so beside the pool's other work (a register being freed, a
        // pipeline's producer) it could wait for a worker to be added.
        let thread = Thread {
            // After a failure the rest is taken and dropped, so the scan never waits on a full
            // hand-over.
            while let batch = handover.take() {
                if outcome.failure == nil { outcome.failure = batch.fold(into: folder, streamPersons: persons) }
            }
            finished.signal()
        }
        thread.qualityOfService = .userInitiated
        thread.start()
        do {
            defer {
                handover.close()
                finished.wait()
            }
            try produce(handover)
        }
        if let failure = outcome.failure { throw failure }
    }

    /// The folding thread's first error, read once it has finished.
    final class Outcome: @unchecked Sendable {
        var failure: (any Error)?
    }
}

extension PassScan {
    /// `produce` applied to `items` on another thread, a chunk at a time, while this thread
    /// takes each product in order with `consume`: a fill encodes its rows there while it
    /// inserts them here (the register's 133,000 entries: 1.6 s of encoding beside 1.4 s of
    /// inserting). The first error either side throws stops both and is thrown.
    static func pipelined<Item: Sendable, Product: Sendable>(
        _ items: [Item], chunk: Int = 1_024, produce: @escaping @Sendable (Item) throws -> Product,
        consume: (Product) throws -> Void
    ) throws {
        let channel = Channel<Result<[Product], any Error>>(capacity: 4)
        let done = DispatchSemaphore(value: 0)
        // A thread of its own, as a pass's folding threads are (see ``fold(_:_:persons:into:)``).
        let producer = Thread {
            defer { done.signal() }
            for start in stride(from: 0, to: items.count, by: max(1, chunk)) {
                let slice = items[start..<min(items.count, start + max(1, chunk))]
                let made = Result { try slice.map(produce) }
                guard channel.put(made) else { return }
                if case .failure = made { break }
            }
            channel.close()
        }
        producer.qualityOfService = .userInitiated
        producer.start()
        defer {
            channel.cancel()
            done.wait()
        }
        while let next = channel.take() {
            for product in try next.get() { try consume(product) }
        }
    }
}

/// A bounded queue from one thread to another, which the taker can cancel (the putter then
/// stops) and the putter closes when it has put everything.
final class Channel<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [T] = []
    private var closed = false
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false once the taker has cancelled.
    func put(_ value: T) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(value)
        condition.broadcast()
        return true
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next value, or nil once the putter has closed and all is taken.
    func take() -> T? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closed { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let value = queue.removeFirst()
        condition.broadcast()
        return value
    }
}

/// Where each stream's events go in a pass: the person's index, found by the stream's name the
/// first time and then by the store's number for the stream (no hashing per event).
struct PassIndex {
    /// By stream number: the index, or -1 for a stream not in the pass.
    private var byNumber = StreamNumbered<Int32>()
    /// By the person's number, the stream's name without ``PersonID/streamPrefix``: up to 15
    /// digits, held in the string itself, where the stream's whole name took an allocation of its
    /// own for each person (some 60 MB over 826,000 persons).
    private let byNumberInName: [String: Int32]

    init(_ persons: [PersonID]) {
        var byNumberInName: [String: Int32] = [:]
        byNumberInName.reserveCapacity(persons.count)
        for (i, person) in persons.enumerated() { byNumberInName[person.value] = Int32(i) }
        self.byNumberInName = byNumberInName
    }

    mutating func person(of view: borrowing EventView) -> Int32? {
        guard let number = view.streamNumber else { return Self.find(view.stream.value, in: byNumberInName) }
        if let known = byNumber[number] { return known < 0 ? nil : known }
        let found = Self.find(view.stream.value, in: byNumberInName)
        byNumber[number] = found ?? -1
        return found
    }

    private static func find(_ stream: String, in byNumberInName: [String: Int32]) -> Int32? {
        guard stream.hasPrefix(PersonID.streamPrefix) else { return nil }
        return byNumberInName[String(stream.dropFirst(PersonID.streamPrefix.count))]
    }
}

/// Events a fill's scan hands to its folding thread: each one's person (their index in the
/// pass), position, stream version, type, decoder and payload, copied out of the scan's row.
/// A value, filled by the scan alone and then handed over whole: as a class, each of its
/// arrays' appends checked exclusive access at run time, for every event.
struct EventBatch: Sendable {
    static let size = 4_096

    var persons: [Int32] = []
    var positions: [Int64] = []
    var versions: [Int64] = []
    var kinds: [Int32] = []
    var ends: [Int] = []
    var bytes: [UInt8] = []
    /// The `(type, version)` of the batch's events and their decoders, each once; `nil` for a
    /// type the folder does not decode.
    var decoders: [(type: String, version: Int, decode: EventRegistry.Decoder?)] = []
    /// Each of ``decoders``' type, by the store's number for it, and version, as one number
    /// (-1 where the store gave none, and in a batch read back from a spill, which takes no more).
    var kindKeys: [Int64] = []

    init() { self.init(reserving: Self.size) }

    var count: Int { persons.count }

    /// Decodes and folds the batch's events in order, each on the stream of its person in
    /// `streamPersons`; the first that cannot be decoded stops it and is returned.
    func fold(into folder: any PassFolder, streamPersons: [PersonID]) -> (any Error)? {
        folder.begin(kinds: decoders.map(\.type))
        return bytes.withUnsafeBytes { bytes in
            var start = 0
            for k in 0..<count {
                let i = Int(persons[k])
                let end = ends[k]
                defer { start = end }
                let kind = Int(kinds[k])
                do {
                    try folder.take(i, at: positions[k], version: versions[k], kind: kind) {
                        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                        return try decoders[kind].decode.map { try $0(payload, streamPersons[i]) }
                    }
                } catch {
                    let type = decoders[kind]
                    return KokiError(
                        .undecodableEvent, "event \(positions[k]) (\(type.type) v\(type.version)): \(error)")
                }
            }
            return nil
        }
    }

    /// Copies an event in (its payload only when `decodes` its type); `decodes` and `decoder`
    /// are asked only for a `(type, version)` new to the batch.
    mutating func append(
        person: Int32, _ view: borrowing EventView, decodes: (String) -> Bool,
        decoder: () throws -> EventRegistry.Decoder
    ) rethrows {
        let kind: Int
        let version = view.schemaVersion
        // By the store's number for the type where it gives one: no name compared or retained.
        let key = view.typeNumber.map { $0 << 16 | Int64(version & 0xFFFF) } ?? -1
        let known: Int?
        if key >= 0 {
            known = kindKeys.lastIndex(of: key)
        } else {
            let type = view.type
            known = decoders.lastIndex { $0.version == version && $0.type == type }
        }
        if let known {
            kind = known
        } else {
            let type = view.type
            decoders.append((type, version, decodes(type) ? try decoder() : nil))
            kindKeys.append(key)
            kind = decoders.count - 1
        }
        persons.append(person)
        positions.append(view.position)
        versions.append(view.streamVersion)
        kinds.append(Int32(kind))
        if decoders[kind].decode != nil { bytes.append(contentsOf: view.payload) }
        ends.append(bytes.count)
    }
}
