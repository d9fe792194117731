import Dispatch
import Synchronization

extension Array where Element: Sendable {
    /// `transform` applied to every element, the work shared among the machine's cores, the
    /// results in the elements' order. The first error thrown is thrown (the other chunks may
    /// have run). For a list of the city whose lines are each a few microseconds of independent
    /// work — a name opened from its sealed identity — not for anything that appends.
    public func concurrentMap<Result: Sendable>(_ transform: @Sendable (Element) throws -> Result) throws -> [Result] {
        let chunks = Swift.min(count, 64)
        guard chunks > 1, count >= 1_000 else { return try map(transform) }
        let results = Mutex<[Int: [Result]]>([:])
        let failure = Mutex<(any Error)?>(nil)
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = Swift.min(count, chunk * size)..<Swift.min(count, (chunk + 1) * size)
            guard !range.isEmpty, failure.withLock({ $0 == nil }) else { return }
            do {
                let mapped = try self[range].map(transform)
                results.withLock { $0[chunk] = mapped }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { all in (0..<chunks).flatMap { all[$0] ?? [] } }
    }
}
