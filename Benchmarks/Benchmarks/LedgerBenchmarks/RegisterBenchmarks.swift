import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiProjections
@_spi(Reference) import KokiReadModels
import LedgerStore
import LedgerStorePostgres

// The stored register asked by key: a household's members (`koki household show`, and the
// neighbourhood one person's assessment reads), one person's head, and who is insured on a day —
// each reading only the rows or documents of its answer — beside the whole register's heads,
// which every such answer read before (and a household's members on the ledger file still did).
// On a copy of the city fixture, and (with KOKI_BENCH_POSTGRES) in a PostgreSQL schema it is
// copied into.

/// What the register answers by key on one store, against the whole register read once.
struct RegisterByKey {
    static let metrics: [BenchmarkMetric] = [
        .wallClock, .peakMemoryResident, Metric.cost("every head read ms"),
        Metric.cost("a household's members µs"), Metric.cost("one person's head µs"),
        Metric.cost("insured on a day ms"), Metric.cost("insured on the day"), Metric.cost("households asked"),
    ]

    var whole: Double
    var household: Double
    var person: Double
    var insured: Double
    var insuredCount: Int
    var households: Int

    /// Brings the register up to the head on `ports` (not timed: its fill is measured with the
    /// rebuilds), then asks it. `fresh` opens the store anew, as a process starts.
    static func measure(building ports: LedgerPorts, fresh: () throws -> LedgerPorts) throws -> Self {
        try StoredRegister(ports).catchUp()
        let stored = StoredRegister(try fresh())
        var heads = InsuredRegister()
        let whole = try seconds { heads = try stored.heads() }
        // Every 97th household and person: spread over the city, the same in every run.
        let allHouseholds = Set(heads.persons.values.flatMap { $0.households.compactMap(\.household) }).sorted()
        let households = stride(from: 0, to: allHouseholds.count, by: 97).map { allHouseholds[$0] }
        let persons = heads.persons.keys.sorted().enumerated().filter { $0.offset % 97 == 0 }.map(\.element)
        precondition(!households.isEmpty && !persons.isEmpty, "the city has no households")
        // A day many are insured on: the latest day anyone's eligibility began.
        let day = heads.persons.values.compactMap { $0.eligibilityPeriods.last?.from }.max()!
        var found: [[PersonID]] = []
        let household = try seconds {
            for h in households { found.append(try stored.everIn(h).household(h, on: day).map(\.person.id)) }
        }
        for (h, members) in zip(households, found) {
            precondition(members == heads.household(h, on: day).map(\.person.id), "household \(h) differs")
        }
        let person = try seconds {
            for p in persons {
                let head = try stored.heads(of: [p])[p]
                precondition(head?.id == p, "no head for \(p)")
            }
        }
        var insuredCount = 0
        let insured = try seconds { insuredCount = try stored.insured(on: day).count }
        precondition(insuredCount == heads.insured(on: day).count, "the insured on \(day) differ")
        return Self(
            whole: whole, household: household / Double(households.count),
            person: person / Double(persons.count), insured: insured, insuredCount: insuredCount,
            households: households.count)
    }

    func report(_ benchmark: Benchmark) {
        benchmark.measurement(Metric.cost("every head read ms"), Int(whole * 1000))
        benchmark.measurement(Metric.cost("a household's members µs"), Int(household * 1_000_000))
        benchmark.measurement(Metric.cost("one person's head µs"), Int(person * 1_000_000))
        benchmark.measurement(Metric.cost("insured on a day ms"), Int(insured * 1000))
        benchmark.measurement(Metric.cost("insured on the day"), insuredCount)
        benchmark.measurement(Metric.cost("households asked"), households)
    }
}

func registerBenchmarks() {
    Benchmark(
        "City: the stored register asked by key (a household's members, one person's head, the insured on a day), vs every head read",
        configuration: .init(metrics: RegisterByKey.metrics, maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let ledger = fixture.copy(into: scratch)
        let measured = try RegisterByKey.measure(building: ledger.ports) {
            try Ledger.open(at: scratch.path("copy.ledger"), options: .init(synchronous: .normal)).ports
        }
        measured.report(benchmark)
    } setup: {
        _ = CityFixture.shared
    }

    // A register entry as a rebuild holds it (issue 25, twenty-fifth stop): the register filled
    // from zero in position order and held, its anonymous memory above the start once the freed
    // memory is given back, an entry's share of it beside the entry's stored form (its head and
    // tail, before LZ4) — the least an entry could take. What a pass holds grows with the persons
    // in it, not the city: at ten times Matsudo each pass holds as many entries as here.
    Benchmark(
        "City: the register's entries as a rebuild holds them, vs their stored form",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("entries"), Metric.cost("held bytes an entry"),
                Metric.cost("stored bytes an entry"), Metric.cost("held/stored ‰"), Metric.cost("fill's peak MB"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let register = StoredRegister(koki.ports)
        releaseFreedMemory()
        let before = anonymousKB()
        var filled: InsuredRegister?
        let peak = try peakAnonymousMB { filled = try register.filledFromZero(byStreams: false).register }
        releaseFreedMemory()
        let held = (anonymousKB() - before) * 1024
        let entries = filled!.persons.values
        precondition(!entries.isEmpty, "the city has no register")
        let stored = entries.reduce(0) { $0 + $1.storedHead.count + $1.storedTail.count }
        benchmark.measurement(Metric.cost("entries"), entries.count)
        benchmark.measurement(Metric.cost("held bytes an entry"), held / entries.count)
        benchmark.measurement(Metric.cost("stored bytes an entry"), stored / entries.count)
        benchmark.measurement(Metric.cost("held/stored ‰"), held * 1000 / max(1, stored))
        benchmark.measurement(Metric.cost("fill's peak MB"), peak)
        withExtendedLifetime(filled) {}
    } setup: {
        _ = CityFixture.shared
    }

    // What each pass of a ledger file's rebuild holds at the most, per person in it: the pass
    // that reads the balances, the debit states and the premiums together (`koki rebuild
    // --check`'s first), then the register's. A rebuild holds at most two passes of 75,000
    // persons at once (``PassScan/personsPerPass``: a pass's rows are filled while the next is
    // folded) whatever the city's size, so the most a rebuild of ten times Matsudo holds is this
    // times 150,000 (at this city's length of history), beside the aim of 1 GB.
    Benchmark(
        "City: each pass of a rebuild per person in it, and a pass of 150,000 persons, vs the aim of 1 GB",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("persons"), Metric.cost("shared pass bytes a person"),
                Metric.cost("register pass bytes a person"), Metric.cost("pass of 150,000 MB, the larger"),
                Metric.cost("pass of 150,000 / 1 GB ‰"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        releaseFreedMemory()
        var persons = 0
        let shared = try peakAnonymousMB {
            let outcome = try SharedRebuild.rebuild(koki.ports, check: true)
            persons = outcome?.balances.persons ?? 0
        }
        precondition(persons > 0, "the city has no persons")
        releaseFreedMemory()
        let register = try peakAnonymousMB { _ = try StoredRegister(koki.ports).rebuild(check: true) }
        let perPerson = (shared: shared << 20 / persons, register: register << 20 / persons)
        let pass = max(perPerson.shared, perPerson.register) * 150_000
        benchmark.measurement(Metric.cost("persons"), persons)
        benchmark.measurement(Metric.cost("shared pass bytes a person"), perPerson.shared)
        benchmark.measurement(Metric.cost("register pass bytes a person"), perPerson.register)
        benchmark.measurement(Metric.cost("pass of 150,000 MB, the larger"), pass >> 20)
        benchmark.measurement(Metric.cost("pass of 150,000 / 1 GB ‰"), pass * 1000 / (1 << 30))
    } setup: {
        _ = CityFixture.shared
    }

    // The city the simulation holds (the register, the premium accounts and the collection
    // accounts of every person, folded from zero as `koki simulate` keeps them), its anonymous
    // memory above the start once freed memory is given back, per person, beside the ledger's
    // own tables per person — the events, their indexes and commands the city is folded from.
    // What the simulation of ten times Matsudo would hold is this times its persons (at this
    // city's length of history).
    Benchmark(
        "City: the city the simulation holds, per person, vs the ledger's own bytes per person",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("persons"), Metric.cost("held bytes a person"),
                Metric.cost("collection accounts bytes a person"), Metric.cost("ledger bytes a person"),
                Metric.cost("held/ledger ‰"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        releaseFreedMemory()
        var before = anonymousKB()
        var city: CitySnapshot?
        city = try KokiLedger(fixture.ledger).currentCity()
        releaseFreedMemory()
        let held = (anonymousKB() - before) * 1024
        let persons = city!.register.persons.count
        precondition(persons > 0, "the city has no persons")
        city = nil
        releaseFreedMemory()
        before = anonymousKB()
        let accounts = try KokiLedger(fixture.ledger).replay(CollectionAccounts.self)
        releaseFreedMemory()
        let accountsHeld = (anonymousKB() - before) * 1024
        withExtendedLifetime(accounts) {}
        let ledger = ownTableBytes(fixture.path).all
        benchmark.measurement(Metric.cost("persons"), persons)
        benchmark.measurement(Metric.cost("held bytes a person"), held / persons)
        benchmark.measurement(Metric.cost("collection accounts bytes a person"), accountsHeld / persons)
        benchmark.measurement(Metric.cost("ledger bytes a person"), ledger / persons)
        benchmark.measurement(Metric.cost("held/ledger ‰"), held * 1000 / max(1, ledger))
    } setup: {
        _ = CityFixture.shared
    }

    guard let base = ProcessInfo.processInfo.environment["KOKI_BENCH_POSTGRES"], !base.isEmpty else { return }
    Benchmark(
        "City on PostgreSQL: the stored register asked by key (a household's members, one person's head, the insured on a day), vs every document read",
        configuration: .init(metrics: RegisterByKey.metrics, maxIterations: 1)
    ) { benchmark in
        try withCityInPostgres(base, schemaPrefix: "bench_register_") { postgres, url in
            var opened: [PostgresLedger] = []
            defer { for store in opened { store.close() } }
            let measured = try RegisterByKey.measure(building: postgres.ports) {
                let fresh = try PostgresLedger.open(url: url)
                opened.append(fresh)
                return fresh.ports
            }
            measured.report(benchmark)
        }
    } setup: {
        _ = CityFixture.shared
    }
}
