import Dispatch
import Foundation
import KokiDomain
import LedgerStore
import Synchronization

extension KokiLedger {
    /// `body` for `persons` a chunk at a time (at most ``chunkAtMost``, so that it can read their
    /// streams together), the answers in the persons' order, the chunks shared among the
    /// machine's cores: this ledger reads on one, and a read-only connection of its own
    /// (``EventStore/reader()``) on each other. SQLite serializes one connection's reads, and a
    /// list of the city folds thousands of streams, each a few dozen random reads.
    ///
    /// Each reader must see the ledger through `through` (the position every fold is limited
    /// to, so every reader gives the same answers); where the store offers no reader, or a reader
    /// stands before it, or the persons are fewer than `readingApartFrom`, everything runs here,
    /// one chunk after another.
    /// The first error thrown is thrown.
    func eachChunk<T: Sendable>(
        _ persons: [PersonID], through: Int64, readingApartFrom: Int = personsReadApart,
        _ body: @Sendable (KokiLedger, ArraySlice<PersonID>) throws -> [T]
    ) throws -> [T] {
        let workers = Swift.min(ProcessInfo.processInfo.activeProcessorCount, Self.readersAtMost + 1)
        var ledgers = [self]
        if workers > 1, persons.count >= readingApartFrom {
            // A reader that cannot be opened, or does not yet see `through`, is done without.
            for _ in 1..<workers {
                guard let reader = (try? store.reader()) ?? nil else { break }
                guard let head = try? reader.head(), head.position >= through else {
                    reader.close()
                    break
                }
                var ports = self.ports
                ports.events = reader
                ports.readModels = .none
                ledgers.append(KokiLedger(ports, masterKey: masterKey))
            }
        }
        defer { for other in ledgers.dropFirst() { other.store.close() } }
        guard ledgers.count > 1 else {
            return try stride(from: 0, to: persons.count, by: Self.chunkAtMost).flatMap {
                try body(self, persons[$0..<Swift.min(persons.count, $0 + Self.chunkAtMost)])
            }
        }

        // Small chunks taken in turn, so a worker that drew long histories does not hold up the rest.
        let chunk = Swift.max(1, Swift.min(Self.chunkAtMost, persons.count / (ledgers.count * 4)))
        let chunks = (persons.count + chunk - 1) / chunk
        // Each worker starts on its own chunk, then takes the next one left.
        let next = Atomic<Int>(ledgers.count)
        let results = Mutex<[Int: [T]]>([:])
        let failure = Mutex<(any Error)?>(nil)
        let all = ledgers
        DispatchQueue.concurrentPerform(iterations: all.count) { worker in
            let ledger = all[worker]
            var index = worker
            while index < chunks, failure.withLock({ $0 == nil }) {
                let range = index * chunk..<Swift.min(persons.count, (index + 1) * chunk)
                do {
                    let answers = try body(ledger, persons[range])
                    results.withLock { $0[index] = answers }
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                }
                index = next.add(1, ordering: .relaxed).oldValue
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { kept in (0..<chunks).flatMap { kept[$0] ?? [] } }
    }

    /// Fewer persons than this are read here alone: opening a reader costs about a millisecond.
    static let personsReadApart = 500
    /// Persons in a chunk at most.
    static let chunkAtMost = 64
    /// Readers opened beside this ledger at most.
    static let readersAtMost = 3
}
