import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiSimulation
import LedgerStore

// Counter work at the city's scale: the yearly certificate renewal for everyone insured (the
// class of each determined and recorded), one person's class determined at the counter, 1,000
// applications received, and the lists a counter asks for (pending applications, certificates
// not returned, open benefits); beside them, in the same run, a plain SQLite scan of every row.
func counterBenchmarks() {
    Benchmark(
        "City: the yearly certificate renewal, a class at the counter, applications and their lists — vs a plain scan",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("certificates"), Metric.cost("renewal ms"),
                Metric.cost("SQLite scan ms"), Metric.rate("renewal/scan ‰"), Metric.cost("copay one p50 ms"),
                Metric.cost("receive one p50 µs"), Metric.cost("pending list ms"), Metric.cost("unreturned ms"),
                Metric.cost("open benefits ms"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let counter = Counter(koki)
        let validFrom = try CivilDate(year: fixture.lastFiscalYear.year, month: 8, day: 1)
        var run: CertificateRunRecorded?
        let renewal = try nanoseconds {
            run = try counter.renew(
                validFrom: validFrom, issuedOn: validFrom.adding(days: -14), delivery: .mail, actor: "bench")
        }
        var g = SplitMix64(seed: 12)
        let sample = (0..<100).map { _ in fixture.persons[Int(g.next(below: UInt64(fixture.persons.count)))] }
        let register = InsuredRegisterCommands(koki)
        var insured: [PersonID] = []
        for person in sample where try register.person(person)?.isInsured(on: validFrom) == true {
            insured.append(person)
        }
        let copay = try insured.prefix(50).map { person in
            try nanoseconds { blackHole(try counter.determineCopay(person, on: validFrom)) }
        }
        let intake = Counter.Intake(
            office: "本庁", receivedOn: validFrom, applicant: .person, applicantName: nil, identityCheck: .myNumberCard,
            attached: ["申告書"])
        let receives = try (0..<1_000).map { i in
            let person = fixture.persons[i * 7 % fixture.persons.count]
            return try nanoseconds {
                try counter.receive(
                    person, kind: .income,
                    intake: intake,
                    change: RecordIncome(
                        number: person, year: 2024, pension: 0, salary: 0, other: 0, total: 0, taxable: nil,
                        undeclared: false, source: "申告書"), metadata: CommandMetadata(actor: "bench"))
            }
        }
        let pending = try nanoseconds { blackHole(try counter.applications().filter(\.isPending).count) }
        let unreturned = try nanoseconds { blackHole(try counter.unreturned(on: validFrom).count) }
        let open = try nanoseconds { blackHole(try counter.openBenefits(on: validFrom).count) }
        let scan = Int(fixture.scanSeconds() * 1e9)
        func ms(_ ns: Int) -> Int { ns / 1_000_000 }
        benchmark.measurement(.custom("certificates"), run?.issued ?? 0)
        benchmark.measurement(.custom("renewal ms"), ms(renewal))
        benchmark.measurement(.custom("SQLite scan ms"), ms(scan))
        benchmark.measurement(.custom("renewal/scan ‰"), renewal * 1_000 / max(scan, 1))
        benchmark.measurement(.custom("copay one p50 ms"), ms(percentile(copay, 50)))
        benchmark.measurement(.custom("receive one p50 µs"), percentile(receives, 50) / 1_000)
        benchmark.measurement(.custom("pending list ms"), ms(pending))
        benchmark.measurement(.custom("unreturned ms"), ms(unreturned))
        benchmark.measurement(.custom("open benefits ms"), ms(open))
    }

    // The console's person page (`person page`) as the server builds it for a clerk — the
    // session and role checked, every section read (identity, eligibility, money, history,
    // certificates, documents, contacts, plans), the read recorded once — p50 and p99 over 300
    // persons; beside it, in the same run, reading the same persons' rows by index in plain SQLite.
    Benchmark(
        "Console: a person's page for a clerk (checked, every section, the read recorded), vs their rows in plain SQLite",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("person page p50 µs"), Metric.cost("person page p99 µs"),
                Metric.cost("SQLite rows p50 µs"), Metric.cost("SQLite rows p99 µs"), Metric.cost("find by kana ms"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let control = AccessControl(koki)
        if try !control.isSetUp() {
            try control.setUp(administrator: "admin", name: "Admin", password: "admin-password-1")
        }
        let admin = try control.authorize(
            try control.login("admin", password: "admin-password-1", terminal: "t"), function: .securityAdmin,
            command: "bench", terminal: "t")
        try control.enroll("clerk", name: "Clerk", roles: [.counter], password: "clerk-password-1", by: admin)
        let session = try control.login("clerk", password: "clerk-password-1", terminal: "console")
        let application = KokiApplication(koki)
        let today = try CivilDate(year: fixture.lastFiscalYear.year + 1, month: 3, day: 2)
        let caller = Caller(credentials: session, terminal: "console", today: today)
        let plain = PlainSQLite(existing: fixture.path)
        var g = SplitMix64(seed: 26)
        let picks = (0..<300).map { _ in fixture.persons[Int(g.next(below: UInt64(fixture.persons.count)))] }
        let ids = picks.map { plain.streamID(name: $0.streamName) }
        let plainTimes = ids.map { id in nanoseconds { blackHole(plain.loadKokiStream(id: id)) } }
        let pageTimes = try picks.map { person in
            try nanoseconds {
                blackHole(try application.run(PersonPage(person: person, knownAt: nil, purpose: "bench"), as: caller))
            }
        }
        let find = try nanoseconds {
            blackHole(try application.run(FindPersons(name: "ヤマ", birthDate: nil, purpose: "bench"), as: caller))
        }
        benchmark.measurement(.custom("person page p50 µs"), percentile(pageTimes, 50) / 1_000)
        benchmark.measurement(.custom("person page p99 µs"), percentile(pageTimes, 99) / 1_000)
        benchmark.measurement(.custom("SQLite rows p50 µs"), percentile(plainTimes, 50) / 1_000)
        benchmark.measurement(.custom("SQLite rows p99 µs"), percentile(plainTimes, 99) / 1_000)
        benchmark.measurement(.custom("find by kana ms"), find / 1_000_000)
    }
}
