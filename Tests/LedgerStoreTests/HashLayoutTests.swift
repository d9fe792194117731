import KokiDomain
@testable import LedgerStore
import Testing

/// The row-hash layout is part of the stored format: changing it would make every existing
/// ledger fail `verify`. These digests pin it; they were checked against an independent
/// implementation of the layout documented in README.md (Python's hashlib).
@Suite struct HashLayoutTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test func genesisAndRowHashesArePinned() {
        let ledgerID = [UInt8](0..<16)
        let genesis = RowHasher.genesis(ledgerID: ledgerID)
        let envelope = RowHasher.envelope(
            commandID: [UInt8](repeating: 0xAB, count: 16), actor: "op-001", recordedAt: 1_795_000_000_000_000,
            correlationID: [UInt8](repeating: 0xCD, count: 16), causationID: nil)
        var hasher = RowHasher()
        let stream = Array("person/100000001".utf8)
        let type = Array("PaymentReceived".utf8)
        let payload: [UInt8] = [9, 0x31, 0x32, 0xE9, 0x0F, 2, 0xEC, 0x59]
        let row = genesis.withUnsafeBytes { previous in
            stream.withUnsafeBytes { s in
                type.withUnsafeBytes { t in
                    payload.withUnsafeBytes { p in
                        hasher.hash(
                            previous: previous, position: 1, stream: s, streamVersion: 1, type: t, schemaVersion: 1,
                            envelope: envelope, encoding: 0, payload: p)
                    }
                }
            }
        }
        #expect(Self.hex(genesis) == Self.pinnedGenesis)
        #expect(Self.hex(Array(row)) == Self.pinnedRow)
    }

    static let pinnedGenesis = "c183f54280c5e88f37e8f1ad61a1a3b04f5c99965e1ac65df610145b878986e9"
    static let pinnedRow = "b95edfce0d6091fd8e8346b0f4f4f2733736de28b91358074469b6bf08ee91cb"
}
