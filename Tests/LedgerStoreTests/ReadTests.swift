import Foundation
import LedgerStore
import Testing

@Suite struct ReadTests {
    /// Three commands over two streams, one second apart.
    func sample() throws -> (Ledger, ManualClock) {
        let clock = ManualClock(start: epoch2026, stepMicroseconds: 1_000_000)
        let ledger = try Ledger.inMemory(clock: clock)
        clock.set(epoch2026)
        func e(_ type: String, _ byte: UInt8) -> NewEvent { NewEvent(type: type, schemaVersion: 1, payload: [byte]) }
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "a", stream: stream("person/1"), expectedVersion: .noStream,
                events: [e("Assessed", 1), e("Paid", 2)]))
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "b", stream: stream("person/2"), expectedVersion: .noStream,
                events: [e("Assessed", 3)]))
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "c", stream: stream("run/dunning/1"), expectedVersion: .noStream,
                events: [e("Dunned", 4)]))
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "a", stream: stream("person/1"), expectedVersion: .exact(2),
                events: [e("Paid", 5)]))
        return (ledger, clock)
    }

    func payloads(_ ledger: Ledger, _ query: EventQuery) throws -> [UInt8] {
        try ledger.events(query).map { $0.payload[0] }
    }

    @Test func queriesSelectWhatTheySay() throws {
        let (ledger, _) = try sample()
        #expect(try payloads(ledger, EventQuery()) == [1, 2, 3, 4, 5])
        #expect(try payloads(ledger, .stream(stream("person/1"))) == [1, 2, 5])
        #expect(try payloads(ledger, .stream(stream("person/1"), fromVersion: 2)) == [2, 5])
        #expect(try payloads(ledger, .stream(stream("person/404"))) == [])
        #expect(try payloads(ledger, .from(position: 3)) == [3, 4, 5])
        #expect(try payloads(ledger, .through(position: 3)) == [1, 2, 3])
        var prefix = EventQuery()
        prefix.streamPrefix = "person/"
        #expect(try payloads(ledger, prefix) == [1, 2, 3, 5])
        var types = EventQuery()
        types.types = ["Paid", "Dunned"]
        #expect(try payloads(ledger, types) == [2, 4, 5])
        types.types = ["Nothing"]
        #expect(try payloads(ledger, types) == [])
        var time = EventQuery()
        time.recordedFrom = Timestamp(microseconds: epoch2026.microseconds + 1_000_000)
        time.recordedBefore = Timestamp(microseconds: epoch2026.microseconds + 3_000_000)
        #expect(try payloads(ledger, time) == [3, 4])
    }

    /// A scan gives each stream one number, the same for all its events and different from every
    /// other stream's, so a pass can find its persons by number rather than by name.
    @Test func aScanNumbersEachStreamOnce() throws {
        let (ledger, _) = try sample()
        var numbers: [String: Set<Int64>] = [:]
        try ledger.forEachEvent(EventQuery()) { view in
            numbers[view.stream.value, default: []].insert(try #require(view.streamNumber))
        }
        #expect(numbers.count == 3)
        #expect(numbers.values.allSatisfy { $0.count == 1 })
        #expect(Set(numbers.values.flatMap { $0 }).count == 3)
    }

    @Test func theLedgerAsItStoodAtAPositionIgnoresLaterAppends() throws {
        let (ledger, _) = try sample()
        let asOf3 = try ledger.events(.through(position: 3))
        try ledger.append(
            AppendRequest(
                commandID: .random(), actor: "z", stream: stream("person/2"), expectedVersion: .any,
                events: [NewEvent(type: "Paid", schemaVersion: 1, payload: [6])]))
        #expect(try ledger.events(.through(position: 3)) == asOf3)
        // Its last hash is the head the ledger had then.
        #expect(asOf3.last?.hash == (try ledger.events()[2].hash))
    }

    @Test func streamsAndHead() throws {
        let (ledger, _) = try sample()
        #expect(
            try ledger.streams() == [
                StreamInfo(stream: stream("person/1"), version: 3, firstPosition: 1, lastPosition: 5),
                StreamInfo(stream: stream("person/2"), version: 1, firstPosition: 3, lastPosition: 3),
                StreamInfo(stream: stream("run/dunning/1"), version: 1, firstPosition: 4, lastPosition: 4),
            ])
        #expect(try ledger.streams(prefix: "run/").map(\.stream.value) == ["run/dunning/1"])
        let head = try ledger.head()
        #expect(head.position == 5)
        // The chain's hash at the last event (which stores none: its command lies fewer than 32
        // positions past the genesis), as a walk of the chain computes it.
        #expect(try ledger.events().last?.hash == [])
        #expect(head.hash == (try ledger.verify().head.hash))
        #expect(head.hash.count == 32)
        #expect(try Ledger.inMemory().head().position == 0)
    }

    @Test func envelopesCarryTheCommand() throws {
        let (ledger, _) = try sample()
        let events = try ledger.events()
        #expect(events.map(\.actor) == ["a", "a", "b", "c", "a"])
        #expect(events[0].commandID == events[1].commandID)
        #expect(events[0].commandID != events[4].commandID)
        #expect(
            events.map(\.recordedAt.microseconds) == [0, 0, 1, 2, 3].map { epoch2026.microseconds + $0 * 1_000_000 })
    }
}

/// Values a scan keeps by stream number: in the array for the numbers a city has, in the
/// dictionary past it, and nothing for a number never seen.
@Suite struct StreamNumberedTests {
    @Test func namesAreKeptByNumberInEitherRange() throws {
        var names = StreamNumbered<StreamName>()
        let far = StreamNumbered<StreamName>.arrayLimit + 3
        #expect(names[7] == nil && names[far] == nil && names[-1] == nil)
        names[7] = try StreamName("person/7")
        names[far] = try StreamName("person/far")
        names[-1] = try StreamName("person/negative")
        names[2] = try StreamName("person/2")
        #expect(names[7]?.value == "person/7")
        #expect(names[2]?.value == "person/2")
        #expect(names[far]?.value == "person/far")
        #expect(names[-1]?.value == "person/negative")
        #expect(names[3] == nil && names[8] == nil && names[far + 1] == nil)
    }

    /// One stream's scan keeps its one number without an array reaching it; a scan of the city
    /// (its numbers dense from 1) keeps them all in the array.
    @Test func theArrayGrowsWithTheValuesHeldNotWithTheNumbers() throws {
        var one = StreamNumbered<Int32>()
        one[80_000] = 5
        #expect(one[80_000] == 5 && one[79_999] == nil)
        #expect(one.arrayCount == 0)

        var city = StreamNumbered<Int32>()
        for n in 1...100_000 { city[Int64(n)] = Int32(n) }
        #expect(city.arrayCount == 100_001)

        // Numbers met far apart first, then densely: each is found wherever it was kept, and a
        // value set again replaces the first wherever that was.
        var mixed = StreamNumbered<Int32>()
        mixed[50_000] = 1
        for n in 1...60_000 { mixed[Int64(n)] = n == 50_000 ? 2 : -1 }
        #expect(mixed[50_000] == 2)
        #expect(mixed[1] == -1 && mixed[60_000] == -1 && mixed[60_001] == nil)
        #expect(mixed.arrayCount <= 60_001)
    }
}
