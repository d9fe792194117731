import Foundation
import KokiDomain
import KokiEvents
import LedgerStore

/// How a fill over several passes of persons reads the ledger (``PassScan/fold(_:_:passes:spillingIn:reading:overlapping:make:done:)``).
public enum PassReading: Sendable {
    /// Once: the later passes' events copied to a temporary file as the first is folded.
    case once
    /// Once for each pass, as fills did before: kept as the baseline the benchmarks measure the
    /// one read against.
    case eachPass
}

extension PassScan {
    /// The persons of several passes folded with one read of the ledger: the first pass's events
    /// are folded as they are read, as ``fold(_:_:persons:into:)`` folds them; every later
    /// pass's are copied, as they are read, to a temporary file (``PassSpill``), and each later
    /// pass is folded from there once the one before it is done. Each pass's folder (and whatever
    /// else the pass keeps) is made by `make` when its turn comes, and handed to `done` once it
    /// has every event: memory stays one pass's state (and a batch of events for each pass), as
    /// with a read of the ledger for each pass, but the ledger is read once however many passes
    /// there are.
    ///
    /// Each folder is given its pass's events in position order, exactly as a read of its own
    /// would give them. Every pass's folder must decode the types the first one does (a pass
    /// that decodes a type the first did not stops with an error: its payloads were not kept).
    /// Returns how many events of the passes' persons were read.
    ///
    /// `overlapping`: each pass's `done` runs on the calling thread while the next pass is folded
    /// from the temporary file on two others, where it would otherwise wait for it. A pass's
    /// `done` (writing its rows, one core) and the next pass's fold (reading back and folding,
    /// one core) each left the other core of a two-core machine idle. Then `make` of a pass is
    /// called before `done` of the one before it, and two passes' states are held at once: a
    /// caller whose next pass takes something from the last one's `done` (the balances'
    /// snapshots at checkpoints) must not overlap them. With one pass, or `.eachPass`, nothing
    /// overlaps (a pass read from the ledger would share the connection `done` writes on).
    static func fold<Pass>(
        _ tx: any ReadModelTransaction, _ query: EventQuery, passes: [[PersonID]], reading: PassReading = .once,
        overlapping: Bool = false,
        make: (_ n: Int, _ persons: [PersonID]) throws -> (folder: any PassFolder, pass: Pass),
        done: (_ n: Int, _ pass: Pass) throws -> Void
    ) throws -> Int {
        try fold(
            { try tx.forEachEvent($0, $1) }, query, passes: passes, reading: reading, overlapping: overlapping,
            make: make, done: done)
    }

    /// The same over any store's events (a PostgreSQL ledger's, read back in position order).
    static func fold<Pass>(
        _ forEachEvent: (EventQuery, (borrowing EventView) throws -> Void) throws -> Void, _ query: EventQuery,
        passes: [[PersonID]], spillingIn directory: URL = PassSpill.directory, reading: PassReading = .once,
        overlapping: Bool = false,
        make: (_ n: Int, _ persons: [PersonID]) throws -> (folder: any PassFolder, pass: Pass),
        done: (_ n: Int, _ pass: Pass) throws -> Void
    ) throws -> Int {
        guard passes.count > 1, reading == .once else {
            var events = 0
            for (n, persons) in passes.enumerated() {
                let pass = try make(n, persons)
                events += try fold(forEachEvent, query, persons: persons, into: pass.folder)
                try done(n, pass.pass)
            }
            return events
        }
        let spill = try PassSpill(passes: passes.count, directory: directory)
        var index = PassesIndex(passes)
        var events = 0
        // The pass whose `done` waits to run beside the next pass's fold (`overlapping`).
        var waiting: (n: Int, pass: Pass)?
        do {  // The first pass's state is let go before the next pass's is made.
            let first = try make(0, passes[0])
            let folder = first.folder
            let decodes: (String) -> Bool = { folder.decodes($0) }
            try folding(persons: passes[0], into: folder) { handover in
                var decoders = DecoderCache()
                var batches = passes.indices.map { EventBatch(reserving: $0 == 0 ? EventBatch.size : 0) }
                try forEachEvent(query) { view in
                    guard let (p, i) = index.person(of: view) else { return }
                    events += 1
                    try batches[p].append(person: i, view, decodes: decodes) {
                        try decoders.decoder(type: view.type, version: view.schemaVersion, position: view.position)
                    }
                    guard batches[p].count >= EventBatch.size else { return }
                    if p == 0 { _ = handover.put(batches[0]) } else { try spill.write(batches[p], pass: p) }
                    batches[p] = EventBatch(reserving: p == 0 ? EventBatch.size : 0)
                }
                _ = handover.put(batches[0])
                for p in passes.indices.dropFirst() where batches[p].count > 0 { try spill.write(batches[p], pass: p) }
            }
            if overlapping { waiting = (0, first.pass) } else { try done(0, first.pass) }
        }
        for p in passes.indices.dropFirst() {
            let next = try make(p, passes[p])
            let read = SpilledPass(spill: spill, pass: p, persons: passes[p], folder: next.folder)
            if let (n, pass) = waiting.take() {
                try besides({ try read.fold(stopped: $0) }) { try done(n, pass) }
            } else {
                try read.fold(stopped: { false })
            }
            spill.forget(pass: p)
            if overlapping { waiting = (p, next.pass) } else { try done(p, next.pass) }
        }
        if let (n, pass) = waiting.take() { try done(n, pass) }
        return events
    }

    /// `body` on this thread while `background` runs on a thread of its own; the first error
    /// either throws is thrown once both have stopped. `background` is told when `body` has
    /// failed (`stopped`), so that it stops early rather than finish work no one will use.
    static func besides(
        _ background: @escaping @Sendable (_ stopped: @Sendable () -> Bool) throws -> Void, _ body: () throws -> Void
    ) throws {
        let outcome = Outcome()
        let stop = StopFlag()
        let finished = DispatchSemaphore(value: 0)
        // A thread of its own, as a pass's folding thread is (see ``folding(persons:into:_:)``).
        let thread = Thread {
            defer { finished.signal() }
            do { try background({ stop.isSet }) } catch { outcome.failure = error }
        }
        thread.qualityOfService = .userInitiated
        thread.start()
        do {
            try body()
        } catch {
            stop.set()
            finished.wait()
            throw error
        }
        finished.wait()
        if let failure = outcome.failure { throw failure }
    }
}

/// A flag one thread sets and another reads.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}

/// A later pass of a fill over several passes, folded from the temporary file
/// (``PassScan/fold(_:_:passes:spillingIn:reading:overlapping:make:done:)``): on the calling
/// thread, or beside the last pass's `done`.
private struct SpilledPass: @unchecked Sendable {
    /// Read by this pass alone while it is folded: the file is no longer written, and the pass's
    /// offsets are let go only after.
    let spill: PassSpill
    let pass: Int
    let persons: [PersonID]
    let folder: any PassFolder

    /// Reads the pass's batches back and folds them; stops with an error once `stopped`.
    func fold(stopped: @Sendable () -> Bool) throws {
        let (spill, pass, persons, folder) = (spill, pass, persons, folder)
        try PassScan.folding(persons: persons, into: folder) { handover in
            try spill.read(pass: pass, persons: persons.count, decodes: { folder.decodes($0) }) { batch in
                guard !stopped() else { return false }
                _ = handover.put(batch)
                return true
            }
        }
    }
}

/// A fill's later pass stopped because the work beside it failed (its error is the one thrown).
struct PassStopped: Error {}

/// Where each stream's events go in a pass over several passes' persons: the pass and the
/// person's index in it, found by the stream's name the first time and then by the store's
/// number for the stream (as ``PassIndex`` does for one pass).
struct PassesIndex {
    private var index: PassIndex
    /// Each person's pass, by their index over every pass.
    private let passOf: [Int32]
    /// Each pass's first person's index over every pass.
    private let starts: [Int]

    init(_ passes: [[PersonID]]) {
        index = PassIndex(passes.flatMap { $0 })
        passOf = passes.enumerated().flatMap { p, persons in repeatElement(Int32(p), count: persons.count) }
        var starts: [Int] = []
        var start = 0
        for persons in passes {
            starts.append(start)
            start += persons.count
        }
        self.starts = starts
    }

    mutating func person(of view: borrowing EventView) -> (pass: Int, index: Int32)? {
        guard let i = index.person(of: view) else { return nil }
        let p = Int(passOf[Int(i)])
        return (p, Int32(Int(i) - starts[p]))
    }
}

/// The batches of events of the passes after the first (``PassScan/fold(_:_:passes:spillingIn:reading:overlapping:make:done:)``),
/// written to one temporary file as the ledger is read and read back a pass at a time. The file
/// is unlinked as soon as it is made, so it is gone when the process ends, however it ends; only
/// the offsets of each pass's batches are held.
final class PassSpill {
    /// Where the file is made: the system's temporary directory (`TMPDIR`, else `/tmp`).
    static var directory: URL { FileManager.default.temporaryDirectory }

    private let descriptor: Int32
    private let directory: String
    private var end: Int64 = 0
    /// Each pass's batches: where each begins in the file and how long it is.
    private var batches: [[(offset: Int64, length: Int)]]

    init(passes: Int, directory: URL) throws {
        self.directory = directory.path
        var template = Array((directory.appendingPathComponent("koki-pass-XXXXXX").path).utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SpillError(directory: self.directory, doing: "make", code: errno) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
        batches = Array(repeating: [], count: passes)
    }

    deinit { close(descriptor) }

    /// A later pass's batch appended to the file.
    func write(_ batch: EventBatch, pass: Int) throws {
        let bytes = batch.spilled()
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let wrote = pwrite(
                    descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(end) + off_t(done))
                if wrote < 0, errno == EINTR { continue }
                guard wrote > 0 else { throw SpillError(directory: directory, doing: "write", code: errno) }
                done += wrote
            }
        }
        batches[pass].append((end, bytes.count))
        end += Int64(bytes.count)
    }

    /// The pass's batches (of its `persons`) read back in the order they were written, each handed to `put` (false:
    /// stop, with ``PassStopped``); a type
    /// the pass's folder `decodes` whose payloads were not kept stops it with an error.
    func read(
        pass: Int, persons: Int, decodes: (String) -> Bool, _ put: (EventBatch) -> Bool
    ) throws {
        var decoders = DecoderCache()
        var buffer: [UInt8] = []
        for (offset, length) in batches[pass] {
            if buffer.count < length { buffer = Array(repeating: 0, count: length) }
            try buffer.withUnsafeMutableBytes { buffer in
                var done = 0
                while done < length {
                    let got = pread(descriptor, buffer.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                    if got < 0, errno == EINTR { continue }
                    guard got > 0 else {
                        throw SpillError(directory: directory, doing: "read", code: got < 0 ? errno : 0)
                    }
                    done += got
                }
            }
            let batch = try buffer.withUnsafeBytes { bytes in
                try EventBatch(
                    spilled: UnsafeRawBufferPointer(rebasing: bytes[..<length]), personsInPass: persons,
                    directory: directory
                ) {
                    type, version, kept, first in
                    if !kept {
                        guard !decodes(type) else {
                            throw KokiError(
                                .undecodableEvent,
                                "a later pass decodes \(type) v\(version), whose payloads its first pass did not keep")
                        }
                        return nil
                    }
                    return try decoders.decoder(type: type, version: version, position: first)
                }
            }
            guard put(batch) else { throw PassStopped() }
        }
    }

    /// A pass read back: its offsets are no longer held.
    func forget(pass: Int) { batches[pass] = [] }
}

/// The temporary file of a fill over several passes could not be made, written or read.
struct SpillError: Error, CustomStringConvertible {
    let directory: String
    let doing: String
    let code: Int32

    var description: String {
        let reason = code == 0 ? "it ended early" : String(cString: strerror(code))
        return
            "a read model's fill over several passes of persons could not \(doing) its temporary file in \(directory): \(reason); nothing was replaced (set TMPDIR to a directory with room for about half the ledger's file)"
    }
}

extension EventBatch {
    /// An empty batch with room for `count` events.
    init(reserving count: Int) {
        persons.reserveCapacity(count)
        positions.reserveCapacity(count)
        versions.reserveCapacity(count)
        kinds.reserveCapacity(count)
        ends.reserveCapacity(count)
        bytes.reserveCapacity(count * 96)
    }

    /// The batch as the bytes of a temporary file (``PassSpill``), in this machine's byte order:
    /// read back by the process that wrote them, never kept.
    func spilled() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + count * 28 + bytes.count + decoders.count * 48)
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value) { out.append(contentsOf: $0) } }
        func put<T: FixedWidthInteger>(_ values: [T]) { values.withUnsafeBytes { out.append(contentsOf: $0) } }
        put(count)
        put(decoders.count)
        for decoder in decoders {
            let type = Array(decoder.type.utf8)
            put(type.count)
            out.append(contentsOf: type)
            put(decoder.version)
            put(UInt8(decoder.decode == nil ? 0 : 1))
        }
        put(persons)
        put(positions)
        put(versions)
        put(kinds)
        put(ends)
        put(bytes.count)
        out.append(contentsOf: bytes)
        return out
    }

    /// A batch from its ``spilled()`` bytes, each kind's decoder from `decoder` (given the type,
    /// the version, whether its payloads were kept, and the position of its first event); its
    /// persons are indices in a pass of `personsInPass`; a damaged batch is an error naming the
    /// `directory` of its file.
    init(
        spilled data: UnsafeRawBufferPointer, personsInPass: Int, directory: String = PassSpill.directory.path,
        decoder: (String, Int, Bool, Int64) throws -> EventRegistry.Decoder?
    ) throws {
        var at = 0
        func bytes(_ n: Int) throws -> UnsafeRawBufferPointer {
            guard n >= 0, n <= data.count - at else {
                throw SpillError(directory: directory, doing: "read back", code: 0)
            }
            defer { at += n }
            return UnsafeRawBufferPointer(rebasing: data[at..<at + n])
        }
        func int<T: FixedWidthInteger>(_: T.Type = Int.self) throws -> T {
            try bytes(MemoryLayout<T>.size).loadUnaligned(as: T.self)
        }
        func array<T: FixedWidthInteger>(_ n: Int, _: T.Type) throws -> [T] {
            let size = n.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
            let raw = try bytes(size.overflow ? -1 : size.partialValue)
            return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                initialized = n
            }
        }
        let count: Int = try int()
        let kinds: Int = try int()
        var found: [(type: String, version: Int, kept: Bool)] = []
        for _ in 0..<max(0, kinds) {
            let type = String(decoding: try bytes(try int()), as: UTF8.self)
            let version: Int = try int()
            found.append((type, version, try int(UInt8.self) != 0))
        }
        persons = try array(count, Int32.self)
        positions = try array(count, Int64.self)
        versions = try array(count, Int64.self)
        self.kinds = try array(count, Int32.self)
        ends = try array(count, Int.self)
        self.bytes = Array(try bytes(try int()))
        // Read back by the process that wrote it, but checked all the same: an index out of its
        // batch would stop the fold with a trap, not an error.
        var last = 0
        for k in 0..<count {
            guard persons[k] >= 0, Int(persons[k]) < personsInPass, self.kinds[k] >= 0,
                Int(self.kinds[k]) < found.count,
                ends[k] >= last, ends[k] <= self.bytes.count
            else { throw SpillError(directory: directory, doing: "read back", code: 0) }
            last = ends[k]
        }
        decoders = try found.enumerated().map { k, kind in
            let first = self.kinds.firstIndex(of: Int32(k)).map { positions[$0] } ?? 0
            return (kind.type, kind.version, try decoder(kind.type, kind.version, kind.kept, first))
        }
        kindKeys = Array(repeating: -1, count: decoders.count)
    }
}
