import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiProjections
@_spi(Reference) import KokiReadModels
import KokiSimulation
import LedgerStore

// The stored read model (balances per person and fiscal year, in the ledger file) on a copy of
// the city: rebuilt from position zero, caught up after a batch run, read by the city-wide
// queries, and asked what the ledger knew at a past position with and without snapshots.
// Beside each, a plain SQLite scan of the same rows in the same iteration.
func readModelBenchmarks() {
    let city = { CityFixture.shared }

    let rebuildRate = Metric.rate("rebuild events/s")
    let scanRate = Metric.rate("SQLite scan events/s")
    Benchmark(
        "City: the stored balances — rebuild from zero, catch up, city-wide queries, known-at with and without snapshots",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, rebuildRate, scanRate, Metric.rate("rebuild/scan ‰"),
                Metric.cost("catch-up ms"), Metric.cost("catch-up persons"), Metric.cost("balances ms"),
                Metric.cost("delinquents ms"), Metric.cost("city fold ms"), Metric.cost("known-at fold ms"),
                Metric.cost("known-at at snapshot ms"), Metric.cost("known-at anywhere p50 ms"),
                Metric.cost("known-at anywhere p99 ms"), Metric.cost("snapshot bytes"), Metric.cost("delta bytes"),
                Metric.cost("one person known-at p50 µs"),
                Metric.cost("one person known-at p99 µs"), Metric.cost("one person now p50 µs"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let scanTime = fixture.scanSeconds()
        let n = Double(fixture.events)
        let balances = StoredBalances(koki)
        let position = fixture.events * 9 / 10

        // What the ledger knew at 90% of its history, with no read model or snapshot: every
        // person's stream folded through that position (a read-only copy, as a replay file is).
        let reader = KokiLedger(try Ledger.open(at: scratch.path("copy.ledger"), mode: .readOnly))
        var folded: StoredBalances.Answer?
        let foldTime = try seconds { folded = try StoredBalances(reader).rows(through: position) }
        precondition(folded?.source == .fold)

        // Rebuild from zero, recording the table every 2,500 events on the way — about a day of
        // Matsudo's ledger (a snapshot every million events, deltas between).
        var report: StoredBalances.Rebuild?
        let rebuildTime = try seconds {
            report = try balances.rebuild(check: false, snapshotEvery: 2_500)
        }
        let rebuilt = report!
        precondition(rebuilt.differences.isEmpty && rebuilt.snapshots.count >= 2 && !rebuilt.deltas.isEmpty)
        let snapshot = rebuilt.snapshots.last { $0 <= position }!
        var atSnapshot: StoredBalances.Answer?
        let atSnapshotTime = try seconds { atSnapshot = try balances.rows(through: snapshot) }
        precondition(atSnapshot?.source == .snapshot(position: snapshot, deltas: 0, refolded: 0))
        // What the whole city was known to be at 20 random positions (one checked against the fold).
        var g1 = SplitMix64(seed: 11)
        var anywhere: [Int] = []
        for i in 0..<20 {
            let p = Int64(g1.next(below: UInt64(fixture.events))) + 1
            var answer: StoredBalances.Answer?
            anywhere.append(try nanoseconds { answer = try balances.rows(through: p) })
            if i == 0 {
                let folded = try StoredBalances(reader).rows(through: p)
                precondition(answer?.rows == folded.rows)
            }
        }
        let status = try balances.status()
        let bytes = status.snapshots.last { $0.position == snapshot }!.bytes
        // One person's balances as known at the snapshot's position: from their own stream (a
        // snapshot of the whole city would have to be decoded whole: the figure above).
        var g0 = SplitMix64(seed: 3)
        let picks = (0..<1_000).map { _ in fixture.persons[Int(g0.next(below: UInt64(fixture.persons.count)))] }
        let onePerson = try picks.map { p in try nanoseconds { blackHole(try balances.rows(of: p, through: snapshot)) }
        }
        let onePersonNow = try picks.map { p in try nanoseconds { blackHole(try balances.rows(of: p)) } }

        // A day at the counters: 1,000 persons pay something; the next query folds only them again.
        let arrears = ArrearsCommands(koki)
        let collection = CollectionCommands(koki)
        let day = try CivilDate(year: fixture.lastFiscalYear.year + 1, month: 4, day: 30)
        var g = SplitMix64(seed: 9)
        for _ in 0..<1_000 {
            let person = fixture.persons[Int(g.next(below: UInt64(fixture.persons.count)))]
            try collection.pay(
                person, amount: Yen(1_000), paidOn: day, learnedOn: day, channel: .counter, slip: nil,
                metadata: CommandMetadata(actor: "bench"))
        }
        var caughtUp: StoredBalances.CatchUp?
        let catchUpTime = try seconds { caughtUp = try balances.catchUp() }

        let balancesTime = try seconds { blackHole(try balances.rows()) }
        let delinquentsTime = try seconds { blackHole(try arrears.delinquents(on: day)) }
        // What a city-wide query cost before: folding the whole city in a fresh process.
        let cityTime = try seconds { blackHole(try KokiLedger(reader.ports).currentCity().position) }

        benchmark.measurement(rebuildRate, Int(Double(rebuilt.events) / rebuildTime))
        benchmark.measurement(scanRate, Int(n / scanTime))
        benchmark.measurement(Metric.rate("rebuild/scan ‰"), Int(1000 * scanTime / rebuildTime))
        benchmark.measurement(Metric.cost("catch-up ms"), Int(catchUpTime * 1000))
        benchmark.measurement(Metric.cost("catch-up persons"), caughtUp!.refolded)
        benchmark.measurement(Metric.cost("balances ms"), Int(balancesTime * 1000))
        benchmark.measurement(Metric.cost("delinquents ms"), Int(delinquentsTime * 1000))
        benchmark.measurement(Metric.cost("city fold ms"), Int(cityTime * 1000))
        benchmark.measurement(Metric.cost("known-at fold ms"), Int(foldTime * 1000))
        benchmark.measurement(Metric.cost("known-at at snapshot ms"), Int(atSnapshotTime * 1000))
        benchmark.measurement(Metric.cost("known-at anywhere p50 ms"), percentile(anywhere, 50) / 1_000_000)
        benchmark.measurement(Metric.cost("known-at anywhere p99 ms"), percentile(anywhere, 99) / 1_000_000)
        benchmark.measurement(Metric.cost("snapshot bytes"), bytes)
        benchmark.measurement(Metric.cost("delta bytes"), status.deltaBytes)
        benchmark.measurement(Metric.cost("one person known-at p50 µs"), percentile(onePerson, 50) / 1000)
        benchmark.measurement(Metric.cost("one person known-at p99 µs"), percentile(onePerson, 99) / 1000)
        benchmark.measurement(Metric.cost("one person now p50 µs"), percentile(onePersonNow, 50) / 1000)
        print(
            "stored balances: \(rebuilt.rows) rows of \(rebuilt.persons) persons; snapshots at \(rebuilt.snapshots); \(rebuilt.deltas.count) deltas, \(status.deltaBytes) bytes"
        )
    } setup: {
        _ = city()
    }

    // The stored read models filled from position zero (issue 25): the ledger read in position
    // order, the balances' events into each person's compact state, the register's into their
    // entries and every mandate holder's into their debit state — beside the same tables filled
    // one person's stream at a time through the index (as before), and a plain SQLite scan of
    // the same rows. Each rate is the ledger's events over the time. Then `rebuild(check: true)`
    // of the four models read in position order, each alone, and as `koki rebuild --check` runs
    // them now: the balances, the debit states and the premiums together in one pass
    // (`SharedRebuild`), then the register.
    Benchmark(
        "City: the read models filled in position order, vs stream by stream and a plain SQLite scan",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.rate("balances events/s"),
                Metric.rate("balances by streams events/s"), Metric.rate("register events/s"),
                Metric.rate("register by streams events/s"), Metric.rate("debits events/s"),
                Metric.rate("debits by streams events/s"), Metric.rate("all three events/s"),
                Metric.rate("four alone --check events/s"),
                Metric.rate("three together, then the register --check events/s"), Metric.rate("together/alone ‰"),
                Metric.rate("SQLite scan events/s"),
                Metric.rate("all three/scan ‰"), Metric.cost("balance events read"),
                Metric.cost("mandate holders' events read"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let n = Double(fixture.events)
        let scanTime = fixture.scanSeconds()
        let balances = StoredBalances(koki)
        let register = StoredRegister(koki.ports)
        var filled: StoredBalances.ReferenceFill?
        let balancesTime = try seconds { filled = try balances.filledFromZero(byStreams: false) }
        var reference: StoredBalances.ReferenceFill?
        let byStreamsTime = try seconds { reference = try balances.filledFromZero(byStreams: true) }
        precondition(filled!.rows == reference!.rows && !filled!.rows.isEmpty)
        var entries: InsuredRegister?
        let registerTime = try seconds { entries = try register.filledFromZero(byStreams: false).register }
        var referenceEntries: InsuredRegister?
        let registerByStreamsTime = try seconds {
            referenceEntries = try register.filledFromZero(byStreams: true).register
        }
        precondition(entries!.persons == referenceEntries!.persons && !entries!.persons.isEmpty)
        let debits = StoredDebits(koki.ports)
        var states: (states: [PersonID: DebitState], events: Int)?
        let debitsTime = try seconds { states = try debits.filledFromZero(byStreams: false) }
        var referenceStates: (states: [PersonID: DebitState], events: Int)?
        let debitsByStreamsTime = try seconds { referenceStates = try debits.filledFromZero(byStreams: true) }
        precondition(
            !states!.states.isEmpty && states!.events < referenceStates!.events
                && states!.states.allSatisfy { person, state in
                    referenceStates!.states[person].map { $0.stored == state.stored } ?? false
                })
        // The command: the four tables read in position order caught up, rebuilt and compared,
        // each alone (as `koki rebuild` did) and together in one pass (as it does now).
        let premiums = StoredPremiums(koki.ports)
        _ = try balances.rows()
        try register.catchUp()
        try debits.catchUp()
        try premiums.catchUp()
        var checks: (StoredBalances.Rebuild, StoredRegister.Rebuild, StoredDebits.Rebuild, StoredPremiums.Rebuild)?
        let checkTime = try seconds {
            checks = (
                try balances.rebuild(check: true), try register.rebuild(check: true), try debits.rebuild(check: true),
                try premiums.rebuild(check: true)
            )
        }
        precondition(checks!.0.differences.isEmpty && checks!.1.differences.isEmpty && checks!.2.differences.isEmpty)
        precondition(checks!.3.differences.isEmpty)
        var together: SharedRebuild.Outcome?
        let togetherTime = try seconds {
            together = try SharedRebuild.rebuild(koki.ports, check: true)
            _ = try register.rebuild(check: true)
        }
        precondition(
            together!.balances.differences.isEmpty && together!.debits.differences.isEmpty
                && together!.premiums.differences.isEmpty && together!.balances.rows == checks!.0.rows
                && together!.debits.events == checks!.2.events)
        let allTime = balancesTime + registerTime + debitsTime
        benchmark.measurement(Metric.rate("balances events/s"), Int(n / balancesTime))
        benchmark.measurement(Metric.rate("balances by streams events/s"), Int(n / byStreamsTime))
        benchmark.measurement(Metric.rate("register events/s"), Int(n / registerTime))
        benchmark.measurement(Metric.rate("register by streams events/s"), Int(n / registerByStreamsTime))
        benchmark.measurement(Metric.rate("debits events/s"), Int(n / debitsTime))
        benchmark.measurement(Metric.rate("debits by streams events/s"), Int(n / debitsByStreamsTime))
        benchmark.measurement(Metric.rate("all three events/s"), Int(n / allTime))
        benchmark.measurement(Metric.rate("four alone --check events/s"), Int(n / checkTime))
        benchmark.measurement(Metric.rate("three together, then the register --check events/s"), Int(n / togetherTime))
        benchmark.measurement(Metric.rate("together/alone ‰"), Int(1000 * checkTime / togetherTime))
        benchmark.measurement(Metric.rate("SQLite scan events/s"), Int(n / scanTime))
        benchmark.measurement(Metric.rate("all three/scan ‰"), Int(1000 * scanTime / allTime))
        benchmark.measurement(Metric.cost("balance events read"), filled!.events)
        benchmark.measurement(Metric.cost("mandate holders' events read"), states!.events)
    } setup: {
        _ = city()
    }

    // A ledger of more persons than a pass holds (ten times Matsudo: six passes of 150,000)
    // rebuilt as `koki rebuild --check` rebuilds the balances, the debit states and the premiums
    // together, here in six passes of a sixth of the city each: the ledger read once, the later
    // passes' events copied to a temporary file and folded from there (issue 25), each pass's
    // rows filled while the next pass is folded; against the same six passes filled one after
    // another (the baseline of the overlap), the same six passes each reading the ledger (the
    // baseline of the one read, as fills read it before), and the whole city in one pass (the
    // floor of the copy: the same folds with one read and no copy). The same rows every way;
    // each rate is the ledger's events over the time.
    Benchmark(
        "City: six passes of persons from one read of the ledger, vs a read for each pass and one pass",
        configuration: .init(
            metrics: [
                .wallClock, Metric.rate("six passes, one read events/s"),
                Metric.rate("six passes, one read, one after another events/s"),
                Metric.rate("six passes, six reads events/s"), Metric.rate("one pass events/s"),
                Metric.rate("one read/six reads ‰"), Metric.rate("overlapped/one after another ‰"),
                Metric.cost("one read MB anonymous"), Metric.cost("one after another MB anonymous"),
                Metric.cost("six reads MB anonymous"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let n = Double(fixture.events)
        try catchUpStoredModels(koki.ports)
        var whole: SharedRebuild.Outcome?
        let wholeTime = try seconds {
            whole = try SharedRebuild.rebuild(koki.ports, check: true, personsPerPass: 10_000_000)
        }
        let sixth = (whole!.balances.persons + 5) / 6
        var outcomes: [SharedRebuild.Outcome] = []
        var times: [Double] = []
        var memory: [Int] = []
        for (reading, overlapping) in [(PassReading.once, true), (.once, false), (.eachPass, false)] {
            releaseFreedMemory()
            let measured = try secondsAndPeakAnonymousMB {
                outcomes.append(
                    try SharedRebuild.rebuild(
                        koki.ports, check: true, personsPerPass: sixth, reading: reading, overlapping: overlapping)!)
            }
            times.append(measured.seconds)
            memory.append(measured.mb)
        }
        for outcome in outcomes + [whole!] {
            precondition(
                outcome.balances.differences.isEmpty && outcome.debits.differences.isEmpty
                    && outcome.premiums.differences.isEmpty && outcome.balances.rows == whole!.balances.rows
                    && outcome.balances.events == whole!.balances.events)
        }
        benchmark.measurement(Metric.rate("six passes, one read events/s"), Int(n / times[0]))
        benchmark.measurement(Metric.rate("six passes, one read, one after another events/s"), Int(n / times[1]))
        benchmark.measurement(Metric.rate("six passes, six reads events/s"), Int(n / times[2]))
        benchmark.measurement(Metric.rate("one pass events/s"), Int(n / wholeTime))
        benchmark.measurement(Metric.rate("one read/six reads ‰"), Int(1000 * times[0] / times[2]))
        benchmark.measurement(Metric.rate("overlapped/one after another ‰"), Int(1000 * times[0] / times[1]))
        benchmark.measurement(Metric.cost("one read MB anonymous"), memory[0])
        benchmark.measurement(Metric.cost("one after another MB anonymous"), memory[1])
        benchmark.measurement(Metric.cost("six reads MB anonymous"), memory[2])
    } setup: {
        _ = city()
    }
}
