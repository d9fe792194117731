import CLZ4
import Crypto
import Foundation
import Synchronization

/// Bytes that LZ4 compresses small payloads against.
///
/// One event's payload is too short to compress on its own: its repeated parts (field layouts, codes,
/// the text of a rate table's name) repeat *across* events, not inside one. A dictionary holds such
/// parts; each payload is compressed as if it followed the dictionary, and read back with the same
/// dictionary, so every event is still read on its own.
///
/// A dictionary is part of the ledger's format, like an event's schema version: once one row is
/// stored against it, every later build must read it unchanged. Each dictionary is therefore named
/// by its own ``PayloadEncoding`` and pinned by its SHA-256 (`PayloadDictionaryTests` fails if its
/// bytes change); a better dictionary later is a new encoding beside this one, never an edit.
public final class PayloadDictionary: @unchecked Sendable {
    /// The dictionary's bytes (at most 64 KiB: LZ4 reaches no further back).
    public let bytes: [UInt8]
    /// The bytes in memory that never moves, which the preloaded stream points into.
    private let buffer: UnsafeMutableBufferPointer<CChar>
    /// A stream with the dictionary loaded; each compression starts from a copy of it, so the
    /// dictionary is hashed once, not once per payload. Never written after `init`.
    private let loaded: UnsafeMutablePointer<LZ4_stream_t>

    /// Working streams given back after a compression, for the next to take: a stream is 16 KB,
    /// and allocating and freeing one for every payload an append stores kept the allocator
    /// coalescing freed chunks (`malloc_consolidate`), more the larger the heap grew.
    private let idle = Mutex<[IdleStream]>([])
    /// A stream no thread uses: only the one that takes it out of ``idle`` touches it.
    private struct IdleStream: @unchecked Sendable { let stream: UnsafeMutablePointer<LZ4_stream_t> }
    /// How many idle streams are kept: one for each thread compressing at once, within reason.
    private static let idleKept = 8

    public static let maximumSize = 65_536

    /// A dictionary of `bytes`; more than ``maximumSize`` is refused (`invalidInput`).
    public convenience init(bytes: [UInt8]) throws(LedgerError) {
        guard bytes.count <= Self.maximumSize else {
            throw LedgerError(
                .invalidInput,
                "a payload dictionary holds at most \(Self.maximumSize) bytes (LZ4 reaches no further back); \(bytes.count) given"
            )
        }
        self.init(within: bytes)
    }

    /// Callers hold `bytes` to ``maximumSize`` themselves.
    private init(within bytes: [UInt8]) {
        self.bytes = bytes
        buffer = .allocate(capacity: max(1, bytes.count))
        _ = buffer.initialize(from: bytes.map { CChar(bitPattern: $0) })
        loaded = LZ4_createStream()
        LZ4_loadDict(loaded, buffer.baseAddress, Int32(bytes.count))
    }

    deinit {
        for idle in idle.withLock({ $0 }) { idle.stream.deallocate() }
        LZ4_freeStream(loaded)
        buffer.deallocate()
    }

    /// The dictionary's SHA-256, in lowercase hex.
    public var digest: String {
        let hex = Array("0123456789abcdef")
        return String(SHA256.hash(data: bytes).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] })
    }

    /// The dictionary's bytes in memory that never moves, valid while the dictionary lives.
    package struct Raw {
        let base: UnsafePointer<CChar>
        let count: Int32
    }

    package var raw: Raw { Raw(base: UnsafePointer(buffer.baseAddress!), count: Int32(bytes.count)) }

    /// Runs `body` with a stream of its own that starts from the loaded dictionary (safe from any
    /// thread: the loaded stream is only read).
    func withWorkingStream<T>(_ body: (UnsafeMutablePointer<LZ4_stream_t>) -> T) -> T {
        let working = idle.withLock { $0.popLast()?.stream } ?? UnsafeMutablePointer<LZ4_stream_t>.allocate(capacity: 1)
        defer {
            let kept = idle.withLock { streams in
                guard streams.count < Self.idleKept else { return false }
                streams.append(IdleStream(stream: working))
                return true
            }
            if !kept { working.deallocate() }
        }
        // A plain C struct: a stream used before is overwritten whole, as a new one is filled.
        working.initialize(from: loaded, count: 1)
        return body(working)
    }

    /// The compressed form of `payload` against this dictionary: a varint of the length, then one block.
    public func compress(_ payload: [UInt8]) -> [UInt8] { LZ4Block.compress(payload, dictionary: self) }

    /// Reads back what ``compress(_:)`` made. Throws ``LedgerError`` (`damaged`).
    public func decompress(_ stored: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        let count = try stored.withUnsafeBytes { src in
            try LZ4Block.decompress(src, into: &out, limit: PayloadCompression.maximumPayloadSize, dictionary: self)
        }
        out.removeLast(out.count - count)
        return out
    }
}

extension PayloadDictionary {
    /// Builds a dictionary from sample payloads, deterministically (the same samples give the same
    /// bytes), for a new ``PayloadEncoding``.
    ///
    /// 1. A sample is a candidate only if most of its 6-byte windows occur in at least two other
    ///    samples: sealed personal data and random ids are noise to every other payload. Samples
    ///    over 1 KiB are not: they compress on their own, and would crowd out the short ones.
    /// 2. Walking the candidates from the last, a sample is taken when the dictionary so far does
    ///    not already cover it (it still compresses to more than `novelty` of its size), until
    ///    `capacity` is full. The last samples end at the dictionary's end, where LZ4 finds them
    ///    first.
    public static func train(samples: [[UInt8]], capacity: Int = maximumSize, novelty: Int = 85) -> [UInt8] {
        let capacity = min(capacity, maximumSize)
        let window = 6
        let tableBits = 20
        // How many samples each window (by a hash) occurs in; `seenIn` counts each sample once.
        var occurrences = [UInt16](repeating: 0, count: 1 << tableBits)
        var seenIn = [Int32](repeating: -1, count: 1 << tableBits)
        func slot(_ sample: [UInt8], _ at: Int) -> Int {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in sample[at..<(at + window)] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return Int(truncatingIfNeeded: hash >> UInt64(64 - tableBits))
        }
        for (index, sample) in samples.enumerated() where sample.count >= window {
            for at in 0...(sample.count - window) {
                let s = slot(sample, at)
                if seenIn[s] != Int32(truncatingIfNeeded: index) {
                    seenIn[s] = Int32(truncatingIfNeeded: index)
                    if occurrences[s] < .max { occurrences[s] += 1 }
                }
            }
        }
        func shared(_ sample: [UInt8]) -> Bool {
            guard sample.count >= window else { return false }
            let windows = sample.count - window + 1
            let common = (0..<windows).filter { occurrences[slot(sample, $0)] >= 3 }.count
            return common * 2 >= windows
        }
        var taken: [[UInt8]] = []
        var size = 0
        let longest = 1_024
        for sample in samples.reversed()
        where sample.count <= longest && size + sample.count <= capacity && shared(sample) {
            if size > 0 {
                // `size` never passes `capacity`, itself at most `maximumSize`.
                let dictionary = PayloadDictionary(within: Array(taken.reversed().joined()))
                let compressed = dictionary.compress(sample).count
                guard compressed * 100 > sample.count * novelty else { continue }
            }
            taken.append(sample)
            size += sample.count
            if size == capacity { break }
        }
        return Array(taken.reversed().joined())
    }
}

extension PayloadDictionary {
    /// The dictionary a source file of this build writes as base64 (line breaks ignored), or `nil`
    /// when the text does not decode to at most 64 KiB whose SHA-256 is `sha256`. Then nothing is
    /// stored against it, and rows stored against it are refused on reading, naming their position.
    static func fromSource(_ base64: String, sha256: String) -> PayloadDictionary? {
        guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters),
            let dictionary = try? PayloadDictionary(bytes: Array(data)), dictionary.digest == sha256
        else { return nil }
        return dictionary
    }
}
