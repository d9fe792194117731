import KokiTestSupport
import Foundation
import LedgerStore

let epoch2026 = Timestamp(microseconds: 1_795_000_000_000_000)

func stream(_ name: String) -> StreamName { try! StreamName(name) }

/// A payload that is unique (a 16-byte random marker first) and sometimes long and
/// compressible, so both storage encodings are exercised.
func randomPayload(using g: inout some RandomNumberGenerator) -> [UInt8] {
    var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
    if Int.random(in: 0..<4, using: &g) == 0 {
        bytes += Array(repeating: UInt8(ascii: "a"), count: Int.random(in: 50...400, using: &g))
    } else {
        bytes += (0..<Int.random(in: 0...120, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
    return bytes
}

/// A random command over a few streams of a small pool, appended with `.any`.
func randomRequest(using g: inout some RandomNumberGenerator, streams pool: Int = 8) -> AppendRequest {
    let names = (0..<pool).map { "person/\($0 + 1)" }.shuffled(using: &g).prefix(Int.random(in: 1...3, using: &g))
    let parts = names.map { name in
        StreamAppend(
            stream: stream(name), expectedVersion: .any,
            events: (0..<Int.random(in: 1...5, using: &g)).map { _ in
                NewEvent(
                    type: ["PaymentReceived", "PremiumAssessed", "DunningNoticeIssued"].randomElement(using: &g)!,
                    schemaVersion: Int.random(in: 1...3, using: &g), payload: randomPayload(using: &g))
            })
    }
    let correlation: Identifier? = Bool.random(using: &g) ? .random() : nil
    return AppendRequest(
        commandID: .random(), actor: "op-\(Int.random(in: 1...9, using: &g))", correlationID: correlation,
        causationID: nil, streams: Array(parts))
}

/// Everything a reader can observe of a ledger, for comparing before and after.
struct Observed: Equatable {
    var events: [RecordedEvent]
    var streams: [StreamInfo]
    var perStream: [[RecordedEvent]]
    var head: LedgerHead

    init(_ ledger: Ledger) throws {
        events = try ledger.events()
        streams = try ledger.streams()
        perStream = try streams.map { try ledger.events(in: $0.stream) }
        head = try ledger.head()
    }
}
