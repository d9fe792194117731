import Foundation
import GRDB
import KokiTestSupport
import Testing

@testable import LedgerStore

/// Payloads compressed against a dictionary: every payload reads back exactly, whatever its bytes;
/// the dictionary never changes under stored rows; damage is an error, never a trap.
@Suite struct PayloadDictionaryTests {
    /// Rows are stored against these exact bytes: changing them would make every such row unreadable.
    @Test func theFirstDictionaryIsPinnedToItsDigest() throws {
        let pinned = "a9b891144919642b1ed01173aa7286987f08b99776ad04efc4d7b8dbfadf4fe2"
        let first = try #require(PayloadDictionary.first)
        #expect(first.digest == pinned)
        #expect(PayloadDictionary.firstDigest == pinned)
        #expect(first.bytes.count <= PayloadDictionary.maximumSize)
    }

    /// A dictionary's text that does not decode, decodes to other bytes than its pinned SHA-256, or
    /// to more than 64 KiB gives no dictionary; more than 64 KiB of bytes is refused, never a trap.
    @Test func aDictionaryTextThatDoesNotMatchItsDigestGivesNone() throws {
        let bytes = Array("koki-premium-1;person=300000060;".utf8)
        let digest = try PayloadDictionary(bytes: bytes).digest
        let text = Data(bytes).base64EncodedString()
        #expect(PayloadDictionary.fromSource(text, sha256: digest)?.bytes == bytes)
        #expect(PayloadDictionary.fromSource("\n  " + text.prefix(8) + "\n" + text.dropFirst(8), sha256: digest) != nil)
        #expect(PayloadDictionary.fromSource(text, sha256: String(repeating: "0", count: 64)) == nil)
        #expect(PayloadDictionary.fromSource("not base64 at all!", sha256: digest) == nil)
        let large = [UInt8](repeating: 7, count: PayloadDictionary.maximumSize + 1)
        #expect(PayloadDictionary.fromSource(Data(large).base64EncodedString(), sha256: digest) == nil)
        #expect {
            try PayloadDictionary(bytes: large)
        } throws: { error in
            (error as? LedgerError)?.code == .invalidInput && (error as? LedgerError)?.message.contains("65537") == true
        }
        #expect(try PayloadDictionary(bytes: Array(large.dropLast())).bytes.count == PayloadDictionary.maximumSize)
    }

    /// A payload shaped like koki's: a short record of ids, codes and amounts, some parts shared.
    func recordLike(using g: inout some RandomNumberGenerator) -> [UInt8] {
        let person = "3000\(Int.random(in: 10_000...99_999, using: &g))"
        let kinds = ["convenience-store", "bank-transfer", "counter-cash", "pension-deduction"]
        var text = "person=\(person);fiscal-year=20\(Int.random(in: 24...34, using: &g));"
        text += "channel=\(kinds.randomElement(using: &g)!);amount=\(Int.random(in: 100...500_000, using: &g));"
        if Bool.random(using: &g) { text += "note=koki-premium-rates-confirmed;" }
        return Array(text.utf8)
    }

    func noise(using g: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<Int.random(in: 40...200, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// Every payload a command can give comes back byte for byte: empty, tiny, random, repetitive,
    /// record-like and long; and it is stored compressed only when that is shorter.
    @Test func everyPayloadReadsBackExactlyAndIsCompressedOnlyWhenShorter() throws {
        var g = SeededGenerator(seed: 41)
        var scratch: [UInt8] = []
        var compressed = 0
        for index in 0..<3_000 {
            let payload: [UInt8]
            switch index % 5 {
            case 0: payload = (0..<Int.random(in: 0...12, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            case 1: payload = noise(using: &g)
            case 2: payload = recordLike(using: &g)
            case 3: payload = Array(repeating: UInt8.random(in: 0...255, using: &g), count: Int.random(in: 1...70_000, using: &g))
            default: payload = Array((0..<Int.random(in: 1...40, using: &g)).map { _ in recordLike(using: &g) }.joined())
            }
            let stored = PayloadCompression.store(payload)
            if stored.encoding == .raw {
                #expect(stored.bytes == payload)
            } else {
                #expect(stored.encoding == .lz4DictionaryFirst && stored.bytes.count < payload.count)
                compressed += 1
            }
            let read = try stored.bytes.withUnsafeBytes { bytes in
                try PayloadCompression.reading(
                    bytes, encoding: stored.encoding.rawValue, position: Int64(index), scratch: &scratch, Array.init)
            }
            #expect(read == payload, "payload \(index) of \(payload.count) bytes")
        }
        #expect(compressed > 1_000)
    }

    /// The trainer keeps what payloads share and leaves out what they do not (sealed data, random
    /// ids); the dictionary it makes shrinks payloads it never saw far more than LZ4 alone.
    @Test func aTrainedDictionaryShrinksUnseenRecordsAndHoldsNoNoise() throws {
        var g = SeededGenerator(seed: 42)
        var samples: [[UInt8]] = []
        var noises: [[UInt8]] = []
        for _ in 0..<2_000 {
            if Int.random(in: 0..<4, using: &g) == 0 {
                noises.append(noise(using: &g))
                samples.append(noises.last!)
            } else {
                samples.append(recordLike(using: &g))
            }
        }
        let trained = PayloadDictionary.train(samples: samples)
        #expect(PayloadDictionary.train(samples: samples) == trained, "training is deterministic")
        #expect(!trained.isEmpty && trained.count <= PayloadDictionary.maximumSize)
        let dictionary = try PayloadDictionary(bytes: trained)
        for sample in noises {
            #expect(!trained.starts(with: sample) && Data(trained).range(of: Data(sample)) == nil)
        }
        let unseen = (0..<500).map { _ in recordLike(using: &g) }
        let raw = unseen.map(\.count).reduce(0, +)
        let alone = unseen.map { LZ4Block.compress($0).count }.reduce(0, +)
        let against = unseen.map { dictionary.compress($0).count }.reduce(0, +)
        #expect(alone * 10 > raw * 9, "LZ4 alone saves little on short records: \(alone) of \(raw)")
        #expect(against * 10 < raw * 7, "with the dictionary: \(against) of \(raw)")
        for record in unseen { #expect(try dictionary.decompress(dictionary.compress(record)) == record) }
        // A smaller capacity is kept to.
        #expect(PayloadDictionary.train(samples: samples, capacity: 1_000).count <= 1_000)
    }

    /// Stored bytes that do not decode, or an encoding this build does not know, are damage named by
    /// position: never a trap, never a payload made up.
    @Test func damagedBytesAndUnknownEncodingsAreErrorsNamingThePosition() throws {
        var g = SeededGenerator(seed: 43)
        var scratch: [UInt8] = []
        func read(_ stored: [UInt8], _ encoding: Int64) throws -> [UInt8] {
            try stored.withUnsafeBytes {
                try PayloadCompression.reading($0, encoding: encoding, position: 77, scratch: &scratch, Array.init)
            }
        }
        let good = PayloadCompression.store(recordLike(using: &g) + recordLike(using: &g)).bytes
        var damaged: [[UInt8]] = [[], [0xFF], Array(good.dropLast(3)), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]]
        // A header claiming more bytes than the block holds (a short record: a one-byte header).
        let first = try #require(PayloadDictionary.first)
        damaged.append([0x7F] + first.compress(Array(recordLike(using: &g).prefix(100))).dropFirst())
        for _ in 0..<200 { damaged.append(noise(using: &g)) }
        for stored in damaged {
            do {
                let payload = try read(stored, PayloadEncoding.lz4DictionaryFirst.rawValue)
                // Random bytes can happen to be a valid block; then they must decode to what they claim.
                #expect(try read(first.compress(payload), 2) == payload)
            } catch let error as LedgerError {
                #expect(error.code == .damaged && error.message.contains("event 77"), "\(error)")
            }
        }
        for encoding: Int64 in [-1, 3, 9, .max] {
            #expect(throws: LedgerError.self) { try read(good, encoding) }
            do { _ = try read(good, encoding) } catch let error as LedgerError {
                #expect(error.message.contains("unknown payload encoding \(encoding)"))
            }
        }
    }

    /// A ledger file keeps a copy of its dictionary, so any reader of the file can open the payloads.
    @Test func aLedgerFileHoldsACopyOfItsDictionaryAndStoresPayloadsAgainstIt() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("d.ledger")
        let ledger = try Ledger.create(at: path)
        var g = SeededGenerator(seed: 44)
        let payloads = (0..<20).map { _ in recordLike(using: &g) }
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "op", stream: stream("person/1"), expectedVersion: .noStream,
                events: payloads.map { NewEvent(type: "PaymentReceived", schemaVersion: 1, payload: $0) }))
        #expect(try ledger.events().map(\.payload) == payloads)
        #expect(try ledger.verify().isIntact)
        try DatabaseQueue(path: path).read { db in
            let copy = try Data.fetchOne(
                db, sql: "SELECT value FROM koki_meta WHERE key = ?",
                arguments: [PayloadEncoding.lz4DictionaryFirst.metaKey])
            #expect(copy.map(Array.init) == PayloadDictionary.first?.bytes)
            // Each payload is stored against the dictionary when that is shorter, as it is alone otherwise.
            let encodings = try Int64.fetchAll(db, sql: "SELECT encoding FROM koki_events")
            #expect(encodings == payloads.map { PayloadCompression.store($0).encoding.rawValue })
            #expect(encodings.filter { $0 == PayloadEncoding.lz4DictionaryFirst.rawValue }.count >= 10)
            let stored = try Int.fetchOne(db, sql: "SELECT SUM(LENGTH(payload)) FROM koki_events") ?? 0
            #expect(stored < payloads.map(\.count).reduce(0, +))
        }
    }

    /// Rows an older koki stored (raw, or LZ4 without a dictionary) and rows stored against the
    /// dictionary read back alike, in a file and copied into another store; a row whose encoding no
    /// build knows is refused on the way in, with nothing of its batch kept.
    @Test func rowsOfEveryKnownEncodingReadBackAndAnUnknownOneIsRefused() throws {
        let folder = try TemporaryFolder()
        let source = try Ledger.create(at: folder.path("a.ledger"))
        var g = SeededGenerator(seed: 45)
        let payloads = (0..<3).map { _ in Array((0..<6).map { _ in recordLike(using: &g) }.joined()) }
        try source.append(
            AppendRequest(
                commandID: .random(), actor: "op", stream: stream("person/2"), expectedVersion: .noStream,
                events: payloads.map { NewEvent(type: "T", schemaVersion: 1, payload: $0) }))
        var rows: [StoredRow] = []
        try source.forEachStoredRow(from: 1) { rows.append($0) }
        // Each row stored in another encoding, the chain hashed again over the new bytes.
        let first = try #require(PayloadDictionary.first)
        let forms: [(PayloadEncoding, ([UInt8]) -> [UInt8])] = [
            (.raw, { $0 }), (.lz4, LZ4Block.compress), (.lz4DictionaryFirst, first.compress),
        ]
        func rechained(_ rows: [StoredRow], encodings: [Int64]) -> [StoredRow] {
            var previous = ChainCheck(ledgerID: source.ledgerID).head.hash
            return zip(zip(rows, payloads), encodings).map { pair, encoding in
                var row = pair.0
                row.encoding = encoding
                row.payload = forms.first { $0.0.rawValue == encoding }.map { $0.1(pair.1) } ?? pair.1
                row.hash = ChainCheck.hash(of: row, after: previous)
                previous = row.hash
                return row
            }
        }
        let copy = try Ledger.create(at: folder.path("b.ledger"), ledgerID: source.ledgerID)
        try copy.importRows(rechained(rows, encodings: [0, 1, 2]))
        let read = try copy.events()
        #expect(read.map(\.payload) == payloads)
        #expect(read.map(\.compressed) == [false, true, true])
        #expect(try copy.verify().isIntact)

        let other = try Ledger.create(at: folder.path("c.ledger"), ledgerID: source.ledgerID)
        #expect {
            try other.importRows(rechained(rows, encodings: [0, 2, 5]))
        } throws: { error in
            (error as? LedgerError)?.message.contains("unknown payload encoding 5") == true
        }
        #expect(try other.head().position == 0)
    }
    /// A block read back whole; one claiming more than the reader allows is damage, refused
    /// before anything is allocated for it (a stored register tail allows 16 MB).
    @Test func aBlockClaimingMoreThanItsLimitIsDamage() throws {
        let bytes = Array("the tail of an entry: incomes, pension facts, the union's decisions".utf8)
        let block = LZ4Block.compress(bytes)
        #expect(try LZ4Block.decompress(block, limit: bytes.count) == bytes)
        #expect(throws: LedgerError.self) { try LZ4Block.decompress(block, limit: bytes.count - 1) }
        // A header claiming 2^40 bytes, then nothing.
        let claim: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x20]
        let error = try #require(throws: LedgerError.self) { try LZ4Block.decompress(claim, limit: 16 << 20) }
        #expect(error.code == .damaged && error.message.contains("claims 1099511627776 bytes"))
    }
}
