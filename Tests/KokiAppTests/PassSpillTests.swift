import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
@testable import KokiReadModels
import KokiTestSupport
import LedgerStore
import Testing

/// Several passes of persons folded from one read of the ledger, the later passes from a temporary
/// copy of their events: each pass's folder is given exactly what a read of the ledger of its own
/// gives it, in the same order; the copy is checked as it is read back, and a copy that cannot be
/// made or read stops the fold with an error naming its directory.
@Suite struct PassSpillTests {
    /// What a folder was asked and given: each event's person, position and stream version, and
    /// the event itself where it was decoded and folded.
    final class Recording: PassFolder, @unchecked Sendable {
        let persons: [PersonID]
        let decoded: Set<String>
        var asked: [String] = []
        var folded: [String] = []

        init(_ persons: [PersonID], decoding decoded: Set<String>) {
            self.persons = persons
            self.decoded = decoded
        }

        func wants(_ i: Int, at position: Int64, version: Int64) -> Bool {
            asked.append("\(persons[i]) \(position) \(version)")
            // Some refused after they were read, as a balance pass refuses what it already has.
            return position % 5 != 0
        }

        func decodes(_ type: String) -> Bool { decoded.contains(type) }

        func fold(_ i: Int, _ event: KokiEvent) throws { folded.append("\(persons[i]) \(event)") }
    }

    static func query(_ ledger: KokiLedger) throws -> EventQuery {
        var query = EventQuery.through(position: try ledger.store.head().position)
        query.types = CompactBalances.eventTypes.union(InsuredRegister.eventTypes)
        query.scansForTypes = true
        query.readsEnvelopes = false
        return query
    }

    /// A simulated city, its persons with a stream, and the query a pass reads them with.
    static func city() throws -> (folder: TemporaryFolder, ledger: KokiLedger, persons: [PersonID], query: EventQuery) {
        let (folder, ledger, _) = try PositionOrderRebuildTests.city(seed: 23)
        let persons = try KeySlices.persons(in: ledger.store, prefix: StoredBalances.schema.keyStreamPrefix)
        return (folder, ledger, persons, try query(ledger))
    }

    /// How many events a folder has been asked about, read from another thread.
    final class Asked: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0

        var value: Int { lock.withLock { count } }

        func add() { lock.withLock { count += 1 } }

        /// Waits until something was asked, at most `seconds`: whether it was.
        func waitForAny(seconds: Double) -> Bool {
            let until = Date().addingTimeInterval(seconds)
            while value == 0 && Date() < until { Thread.sleep(forTimeInterval: 0.001) }
            return value > 0
        }
    }

    /// A recording that also counts, for other threads, what it was asked.
    final class Counted: PassFolder, @unchecked Sendable {
        let recording: Recording
        let asked = Asked()

        init(_ recording: Recording) { self.recording = recording }

        func wants(_ i: Int, at position: Int64, version: Int64) -> Bool {
            asked.add()
            return recording.wants(i, at: position, version: version)
        }

        func decodes(_ type: String) -> Bool { recording.decodes(type) }

        func fold(_ i: Int, _ event: KokiEvent) throws { try recording.fold(i, event) }
    }

    @Test(arguments: [1, 2, 7, 25, 1_000], [false, true])
    func eachPassIsGivenWhatAReadOfItsOwnGivesIt(personsPerPass: Int, overlapping: Bool) throws {
        let (folder, ledger, persons, query) = try Self.city()
        defer { withExtendedLifetime(folder) {} }
        let store = ledger.store
        try #require(persons.count > 40)
        // Payments and assessments decoded; the register's events read and asked about only.
        let decoded = CompactBalances.eventTypes
        let passes = PassScan.passes(persons, size: personsPerPass).map { Array($0) }

        var alone: [(asked: [String], folded: [String])] = []
        var aloneEvents = 0
        for pass in passes {
            let recording = Recording(pass, decoding: decoded)
            aloneEvents += try PassScan.fold({ try store.forEachEvent($0, $1) }, query, persons: pass, into: recording)
            alone.append((recording.asked, recording.folded))
        }

        var together: [(asked: [String], folded: [String])] = []
        var made: [Counted] = []
        let events = try PassScan.fold(
            { try store.forEachEvent($0, $1) }, query, passes: passes, overlapping: overlapping
        ) { n, pass in
            // Each pass's folder is made only once the pass before it is done; overlapping, once
            // the one before that is.
            #expect(together.count == (overlapping && passes.count > 1 ? max(0, n - 1) : n))
            #expect(made.count == n)
            let counted = Counted(Recording(pass, decoding: decoded))
            made.append(counted)
            return (counted, counted)
        } done: { n, counted in
            #expect(together.count == n)
            // Overlapping, the next pass is folded while this one's `done` runs: it is asked about
            // its events before this returns (without overlapping it never would be, and this
            // would wait its whole time and fail).
            if overlapping, n + 1 < passes.count {
                #expect(made.count == n + 2)
                if made.count == n + 2 {
                    #expect(made[n + 1].asked.waitForAny(seconds: 20), "pass \(n + 1) folded beside pass \(n)'s done")
                }
            } else {
                #expect(made.count == n + 1)
            }
            together.append((counted.recording.asked, counted.recording.folded))
        }
        #expect(made.count == passes.count)
        #expect(events == aloneEvents)
        #expect(together.count == alone.count)
        for (a, b) in zip(together, alone) {
            #expect(a.asked == b.asked)
            #expect(a.folded == b.folded)
        }
        // The passes were given something: payments folded, and events refused by `wants`.
        #expect(together.map(\.folded.count).reduce(0, +) > 100)
        #expect(together.map(\.asked.count).reduce(0, +) > together.map(\.folded.count).reduce(0, +))
    }

    @Test(arguments: [false, true])
    func aLaterPassThatDecodesWhatTheFirstDidNotStopsWithAnError(overlapping: Bool) throws {
        let (folder, ledger, persons, query) = try Self.city()
        defer { withExtendedLifetime(folder) {} }
        let store = ledger.store
        let passes = PassScan.passes(persons, size: 20).map { Array($0) }
        try #require(passes.count > 2)
        var done: [Int] = []
        let error = #expect(throws: KokiError.self) {
            try PassScan.fold(
                { try store.forEachEvent($0, $1) }, query, passes: passes, overlapping: overlapping
            ) { n, pass in
                let decoding = n < 2 ? CompactBalances.eventTypes : InsuredRegister.eventTypes
                let recording = Recording(pass, decoding: decoding)
                return (recording, recording)
            } done: { (n: Int, _: Recording) in
                done.append(n)
            }
        }
        #expect(error?.message.contains("whose payloads its first pass did not keep") == true)
        // The passes before the failing one were done (overlapping: the last of them beside the
        // failing fold), the failing one not.
        #expect(done == [0, 1])
    }

    /// Overlapping, a pass's `done` that fails while the next pass is folded stops that fold: its
    /// error is the one thrown, no later pass is made, and nothing is left running.
    @Test func aDoneThatFailsBesideTheNextFoldStopsIt() throws {
        struct Refused: Error {}
        let (folder, ledger, persons, query) = try Self.city()
        defer { withExtendedLifetime(folder) {} }
        let store = ledger.store
        let passes = PassScan.passes(persons, size: 7).map { Array($0) }
        try #require(passes.count > 3)
        var made: [Counted] = []
        #expect(throws: Refused.self) {
            try PassScan.fold({ try store.forEachEvent($0, $1) }, query, passes: passes, overlapping: true) {
                _, pass in
                let counted = Counted(Recording(pass, decoding: CompactBalances.eventTypes))
                made.append(counted)
                return (counted, counted)
            } done: { (n: Int, _: Counted) in
                if n == 1 {
                    // Pass 2 is being folded.
                    try #require(made.count == 3)
                    #expect(made[2].asked.waitForAny(seconds: 20))
                    throw Refused()
                }
            }
        }
        #expect(made.count == 3)
        // Stopped: what it was asked does not grow after the fold has returned.
        let asked = made[2].asked.value
        Thread.sleep(forTimeInterval: 0.05)
        #expect(made[2].asked.value == asked)
    }

    @Test func aCopyThatCannotBeMadeStopsTheFoldNamingItsDirectory() throws {
        let (folder, ledger, persons, query) = try Self.city()
        defer { withExtendedLifetime(folder) {} }
        let store = ledger.store
        let passes = PassScan.passes(persons, size: 20).map { Array($0) }
        let nowhere = URL(fileURLWithPath: folder.path("no-such-directory"))
        var made = 0
        let error = #expect(throws: SpillError.self) {
            try PassScan.fold(
                { try store.forEachEvent($0, $1) }, query, passes: passes, spillingIn: nowhere
            ) { _, pass in
                made += 1
                let recording = Recording(pass, decoding: [])
                return (recording, recording)
            } done: { (_: Int, _: Recording) in
            }
        }
        #expect(error.map { "\($0)" }?.contains(nowhere.path) == true)
        #expect(made == 0)
        // One pass needs no copy: no directory is asked for.
        let one = try PassScan.fold(
            { try store.forEachEvent($0, $1) }, query, passes: [persons], spillingIn: nowhere
        ) { _, pass in
            let recording = Recording(pass, decoding: [])
            return (recording, recording)
        } done: { (_: Int, _: Recording) in
        }
        #expect(one > 0)
    }

    /// A batch as a temporary file holds it reads back as it was; every shorter or damaged copy
    /// is an error, never a trap (an index out of the batch would stop the fold with one).
    @Test func aBatchReadsBackAsItWasAndADamagedOneIsAnError() throws {
        var batch = EventBatch()
        batch.persons = [0, 2, 1]
        batch.positions = [10, 11, 15]
        batch.versions = [1, 1, 2]
        batch.kinds = [0, 1, 0]
        batch.bytes = Array("abcdefgh".utf8)
        batch.ends = [3, 3, 8]
        batch.decoders = [("PaymentRecorded", 2, nil), ("PersonRegistered", 1, nil)]
        let bytes = batch.spilled()
        var asked: [String] = []
        let back = try bytes.withUnsafeBytes { data in
            try EventBatch(spilled: data, personsInPass: 3) { type, version, kept, first in
                asked.append("\(type) \(version) \(kept) \(first)")
                return nil
            }
        }
        #expect(back.persons == batch.persons && back.positions == batch.positions)
        #expect(back.versions == batch.versions && back.kinds == batch.kinds)
        #expect(back.ends == batch.ends && back.bytes == batch.bytes)
        #expect(back.decoders.map(\.type) == ["PaymentRecorded", "PersonRegistered"])
        #expect(asked == ["PaymentRecorded 2 false 10", "PersonRegistered 1 false 11"])

        for length in 0..<bytes.count {
            #expect(throws: SpillError.self, "cut at \(length)") {
                try bytes.withUnsafeBytes { data in
                    try EventBatch(spilled: UnsafeRawBufferPointer(rebasing: data[..<length]), personsInPass: 3) {
                        _, _, _, _ in nil
                    }
                }
            }
        }
        // A person out of the pass, a kind out of the batch, an end past the payloads or before
        // the one before it.
        var damaged: [EventBatch] = []
        for change in 0..<4 {
            var bad = batch
            switch change {
            case 0: bad.persons[1] = 3
            case 1: bad.kinds[2] = 2
            case 2: bad.ends[2] = 9
            default: bad.ends[1] = 2
            }
            damaged.append(bad)
        }
        for bad in damaged {
            #expect(throws: SpillError.self) {
                try bad.spilled().withUnsafeBytes { data in
                    try EventBatch(spilled: data, personsInPass: 3) { _, _, _, _ in nil }
                }
            }
        }
        // The error names the directory its file was made in, not the system's default.
        let named = #expect(throws: SpillError.self) {
            try damaged[0].spilled().withUnsafeBytes { data in
                try EventBatch(spilled: data, personsInPass: 3, directory: "/spill/here") { _, _, _, _ in nil }
            }
        }
        #expect(named?.directory == "/spill/here")
    }
}
