import Crypto
import Synchronization

/// Where a ledger takes the random bytes it needs: its own id at creation, the subject keys
/// that seal personal data, the nonces of each seal.
///
/// Always ``SystemEntropy`` in use. ``SeededEntropy`` exists for one purpose: a simulated city
/// recorded twice from the same seed must be the same ledger, byte for byte, so its keys and
/// nonces are drawn from the seed. Never open a ledger holding real personal data with it.
public protocol EntropySource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

/// The operating system's cryptographically secure generator.
public struct SystemEntropy: EntropySource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

/// A deterministic stream of bytes: SHA-256 over the seed and a block counter. For simulated
/// data only (see ``EntropySource``).
public final class SeededEntropy: EntropySource {
    private let seed: [UInt8]
    private let state = Mutex((counter: UInt64(0), buffer: [UInt8]()))

    public init(seed: some Sequence<UInt8>) { self.seed = Array(seed) }

    public func bytes(_ count: Int) -> [UInt8] {
        state.withLock { state in
            while state.buffer.count < count {
                var block = seed
                withUnsafeBytes(of: state.counter.bigEndian) { block.append(contentsOf: $0) }
                state.buffer.append(contentsOf: SHA256.hash(data: block))
                state.counter += 1
            }
            let taken = Array(state.buffer.prefix(count))
            state.buffer.removeFirst(count)
            return taken
        }
    }
}
