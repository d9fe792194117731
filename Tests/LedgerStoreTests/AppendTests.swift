import Foundation
import LedgerStore
import KokiTestSupport
import Testing

@Suite struct AppendTests {
    @Test(arguments: 1...8 as ClosedRange<UInt64>)
    func randomBatchesReadBackEqualWithDensePositions(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let clock = ManualClock(start: epoch2026)
        let ledger = try Ledger.inMemory(clock: clock)
        var expected: [(request: AppendRequest, stream: StreamName, event: NewEvent)] = []
        var versions: [StreamName: Int64] = [:]
        for _ in 0..<60 {
            let request = randomRequest(using: &g)
            let result = try ledger.append(request)
            #expect(!result.wasDuplicate)
            var i = 0
            for part in request.streams {
                for event in part.events {
                    versions[part.stream, default: 0] += 1
                    #expect(result.events[i].stream == part.stream)
                    #expect(result.events[i].streamVersion == versions[part.stream])
                    expected.append((request, part.stream, event))
                    i += 1
                }
            }
        }
        let read = try ledger.events()
        #expect(read.count == expected.count)
        #expect(read.map(\.position) == Array(1...Int64(expected.count)))
        for (stored, want) in zip(read, expected) {
            #expect(stored.stream == want.stream)
            #expect(stored.type == want.event.type)
            #expect(stored.schemaVersion == want.event.schemaVersion)
            #expect(stored.payload == want.event.payload)
            #expect(stored.commandID == want.request.commandID)
            #expect(stored.actor == want.request.actor)
            #expect(stored.correlationID == want.request.correlationID)
        }
        // Without envelopes: the same events, each with its command's sequence and nothing else.
        var bare = EventQuery()
        bare.readsEnvelopes = false
        var sequences: [Int64] = []
        var index = 0
        try ledger.forEachEvent(bare) { view in
            #expect(view.position == read[index].position && Array(view.payload) == read[index].payload)
            #expect(view.command.actor.isEmpty && view.command.recordedAt.microseconds == 0)
            sequences.append(view.command.sequence)
            index += 1
        }
        #expect(index == read.count)
        var full: [Int64] = []
        try ledger.forEachEvent { full.append($0.command.sequence) }
        #expect(sequences == full && Set(full).count == 60)
        // Per-stream versions run 1, 2, 3 … in position order.
        for (name, version) in versions {
            #expect(try ledger.events(in: name).map(\.streamVersion) == Array(1...version))
            #expect(try ledger.version(of: name) == version)
        }
        #expect(try ledger.verify().isIntact)
    }

    @Test func compressiblePayloadsAreStoredCompressedAndReadBackExactly() throws {
        let ledger = try Ledger.inMemory()
        let long = Array(repeating: Array("installment;".utf8), count: 40).flatMap { $0 }
        let short: [UInt8] = [1, 2, 3]
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "op", stream: stream("s/1"), expectedVersion: .noStream,
                events: [
                    NewEvent(type: "T", schemaVersion: 1, payload: long),
                    NewEvent(type: "T", schemaVersion: 1, payload: short),
                ]))
        let read = try ledger.events()
        #expect(read.map(\.payload) == [long, short])
        #expect(read.map(\.compressed) == [true, false])
    }

    @Test func wrongExpectedVersionNamesTheStreamAndAppendsNothing() throws {
        let ledger = try Ledger.inMemory()
        let s = stream("person/7")
        let event = NewEvent(type: "T", schemaVersion: 1, payload: [1])
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "op", stream: s, expectedVersion: .noStream, events: [event, event]))
        let before = try Observed(ledger)
        for expected in [ExpectedVersion.noStream, .exact(1), .exact(3)] {
            #expect {
                try ledger.append(
                    AppendRequest(
                        commandID: .random(), actor: "op", stream: s, expectedVersion: expected, events: [event]))
            } throws: { error in
                guard let error = error as? LedgerError, error.code == .wrongExpectedVersion else { return false }
                return error.message.contains("stream person/7 is at version 2")
                    && error.message.contains("expected \(expected)")
            }
        }
        #expect(try Observed(ledger) == before)
        try ledger.append(
            AppendRequest(commandID: .random(), actor: "op", stream: s, expectedVersion: .exact(2), events: [event]))
        #expect(try ledger.version(of: s) == 3)
    }

    @Test func aCommandOverSeveralStreamsIsAllOrNothing() throws {
        let ledger = try Ledger.inMemory()
        let event = NewEvent(type: "T", schemaVersion: 1, payload: [9])
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "op", stream: stream("b"), expectedVersion: .any, events: [event]))
        let before = try Observed(ledger)
        // The first stream would be fine; the second conflicts: nothing of the command lands,
        // not even the new stream's name.
        let request = AppendRequest(
            commandID: .random(), actor: "op",
            streams: [
                StreamAppend(stream: stream("a-new-stream"), expectedVersion: .noStream, events: [event, event]),
                StreamAppend(stream: stream("b"), expectedVersion: .noStream, events: [event]),
            ])
        #expect(throws: LedgerError.self) { try ledger.append(request) }
        #expect(try Observed(ledger) == before)
        #expect(try ledger.streams(prefix: "a-").isEmpty)
        // The same command id was not consumed by the failure.
        var fixed = request
        fixed.streams[1].expectedVersion = .exact(1)
        let result = try ledger.append(fixed)
        #expect(result.events.map(\.position) == [2, 3, 4])
        #expect(try ledger.verify().isIntact)
    }

    @Test func repeatingACommandIDReturnsTheFirstResultAndAppendsNothing() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("idem.ledger")
        let clock = ManualClock(start: epoch2026)
        let ledger = try Ledger.create(at: path, clock: clock)
        let id = Identifier.random()
        let request = AppendRequest(
            commandID: id, actor: "bank-import",
            streams: [
                StreamAppend(
                    stream: stream("person/1"), expectedVersion: .noStream,
                    events: [NewEvent(type: "Paid", schemaVersion: 1, payload: [1])]),
                StreamAppend(
                    stream: stream("person/2"), expectedVersion: .noStream,
                    events: [NewEvent(type: "Paid", schemaVersion: 1, payload: [2])]),
            ])
        let first = try ledger.append(request)
        #expect(!first.wasDuplicate)
        let again = try ledger.append(request)
        #expect(again.wasDuplicate)
        #expect(again.events == first.events)
        #expect(again.recordedAt == first.recordedAt)
        // Another process (here: another connection) sees the same command as done, even
        // though its expected versions no longer hold.
        let other = try Ledger.open(at: path)
        let third = try other.append(request)
        #expect(third.wasDuplicate)
        #expect(third.events == first.events)
        #expect(try other.head().position == 2)
    }

    @Test func badRequestsAreRefusedBeforeTouchingTheLedger() throws {
        let ledger = try Ledger.inMemory()
        let ok = NewEvent(type: "T", schemaVersion: 1, payload: [])
        let cases: [(AppendRequest, String)] = [
            (
                AppendRequest(
                    commandID: .random(), actor: "", stream: stream("s"), expectedVersion: .any, events: [ok]), "actor"
            ),
            (
                AppendRequest(
                    commandID: .random(), actor: "op", stream: stream("s"), expectedVersion: .any, events: []),
                "no events"
            ),
            (
                AppendRequest(
                    commandID: .random(), actor: "op", stream: stream("s"), expectedVersion: .any,
                    events: [NewEvent(type: "has space", schemaVersion: 1, payload: [])]), "type name"
            ),
            (
                AppendRequest(
                    commandID: .random(), actor: "op", stream: stream("s"), expectedVersion: .any,
                    events: [NewEvent(type: "T", schemaVersion: 0, payload: [])]), "schema version"
            ),
            (
                AppendRequest(
                    commandID: .random(), actor: "op",
                    streams: [
                        StreamAppend(stream: stream("s"), expectedVersion: .any, events: [ok]),
                        StreamAppend(stream: stream("s"), expectedVersion: .any, events: [ok]),
                    ]), "appears twice"
            ),
        ]
        for (request, words) in cases {
            #expect {
                try ledger.append(request)
            } throws: { error in
                (error as? LedgerError)?.code == .invalidInput && "\(error)".contains(words)
            }
        }
        #expect(try ledger.head().position == 0)
        #expect(throws: LedgerError.self) { try StreamName("") }
        #expect(throws: LedgerError.self) { try StreamName("person 1") }
    }

    @Test func recordedTimeComesFromTheInjectedClock() throws {
        let clock = ManualClock(start: epoch2026, stepMicroseconds: 5_000_000)
        let ledger = try Ledger.inMemory(clock: clock)
        clock.set(epoch2026)
        let e = NewEvent(type: "T", schemaVersion: 1, payload: [])
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "op", stream: stream("s"), expectedVersion: .any, events: [e, e]))
        try ledger.append(
            AppendRequest(commandID: .random(), actor: "op", stream: stream("s"), expectedVersion: .any, events: [e]))
        let times = try ledger.events().map(\.recordedAt)
        #expect(times == [epoch2026, epoch2026, Timestamp(microseconds: epoch2026.microseconds + 5_000_000)])
        #expect(epoch2026.description == "2026-11-18T11:06:40.000000Z")
    }
}
