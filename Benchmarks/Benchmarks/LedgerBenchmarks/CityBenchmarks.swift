import Benchmark
import Foundation
import GRDBSQLite
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
@_spi(Reference) import KokiReadModels
import KokiSimulation
import LedgerStore

// City scale: the figures of a simulated city (by default 5,000 insured over 3 years, recorded
// once into the temporary folder and reused; set KOKI_CITY_LEDGER to a ledger made with
// `koki simulate --insured 70000 --years 10` for Matsudo's size). Each figure is reported
// beside plain SQLite on the same rows in the same iteration: a scan of the ledger's rows,
// or inserting as many rows.

/// The city ledger the benchmarks read (never written: the benchmarks that write work on a copy).
struct CityFixture: @unchecked Sendable {
    // @unchecked: made once before any benchmark reads it, then only read.
    let path: String
    let ledger: Ledger
    let events: Int64
    let bytes: Int
    let lastFiscalYear: FiscalYear
    let persons: [PersonID]

    static let shared = CityFixture()

    init() {
        let env = ProcessInfo.processInfo.environment
        if let given = env["KOKI_CITY_LEDGER"] {
            path = given
        } else {
            let settings = SimulationSettings(
                insured: Int(env["KOKI_CITY_INSURED"] ?? "") ?? 5_000, years: Int(env["KOKI_CITY_YEARS"] ?? "") ?? 3,
                seed: 75)
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent(
                    "koki-bench-city-v\(CitySimulation.version)-\(settings.insured)x\(settings.years).ledger"
                ).path
            if !FileManager.default.fileExists(atPath: path) {
                let partial = path + ".partial"
                func remove() {
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
                }
                remove()
                do {
                    let simulation = try! CitySimulation.create(at: partial, settings: settings)
                    _ = try! simulation.run()
                }
                // The simulation's connection is closed: everything in the WAL moves into the file.
                PlainSQLite(existing: partial, readOnly: false).checkpoint()
                try! FileManager.default.copyItem(atPath: partial, toPath: path)
                remove()
            }
        }
        // A ledger made by an older koki takes this build's schema upgrades once (read-write),
        // and its stored register is built (a derived table beside the events, never the events).
        if let writable = try? Ledger.open(at: path, mode: .readWrite) {
            _ = try? StoredRegister(writable.ports).catchUp()
        }
        ledger = try! Ledger.open(at: path, mode: .readOnly)
        events = try! ledger.head().position
        bytes = fileBytes(path)
        // The persons from the stored register and the last year from the rate tables' events:
        // the fixture never folds the whole city (the benchmarks that need it fold it themselves).
        persons = try! StoredRegister(ledger.ports).register().register.persons.keys.sorted()
        var years: [Int] = []
        var query = EventQuery()
        query.types = [RateTableAdopted.eventType]
        try! KokiLedger(ledger).forEachEvent(query) { _, event in
            if case .rateTableAdopted(let e) = event { years.append(e.table.fiscalYear) }
        }
        lastFiscalYear = try! FiscalYear(years.max()!)
        print(
            "city: \(path): \(events) events, \(bytes) bytes, \(bytes / Int(events)) bytes/event, \(persons.count) persons"
        )
    }

    /// The baseline: a plain SQLite scan of the ledger's rows, touching every payload.
    func scanSeconds() -> Double {
        let plain = PlainSQLite(existing: path)
        return seconds { blackHole(plain.scanKokiEvents()) }
    }

    /// The year after the city's last, on a copy of it (`koki`): the last year's rate table
    /// carried over, the standard calendar offering 全期前納, and the annual run decided on 10 July.
    /// Returns the calendar.
    func assessTheYearAfter(on koki: KokiLedger) throws -> InstallmentCalendar {
        let next = try FiscalYear(lastFiscalYear.year + 1)
        var table = RateTable.chiba(fiscalYear: lastFiscalYear.year)!
        table.fiscalYear = next.year
        var calendar = InstallmentCalendar.standard(fiscalYear: next.year)
        calendar.debitPrepayment = true
        let assessment = AssessmentCommands(koki)
        try assessment.adoptRates(table, metadata: CommandMetadata(actor: "bench"))
        try assessment.adoptCalendar(calendar, metadata: CommandMetadata(actor: "bench"))
        _ = try assessment.runAnnual(
            fiscalYear: next, decidedOn: try CivilDate(year: next.year, month: 7, day: 10), actor: "bench")
        return calendar
    }

    /// A writable copy, for the runs that append.
    func copy(into scratch: Scratch) -> KokiLedger {
        let target = scratch.path("copy.ledger")
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
            try! FileManager.default.copyItem(atPath: path + suffix, toPath: target + suffix)
        }
        let store = try! Ledger.open(at: target, options: .init(synchronous: .normal))
        // A city secured with `koki init` seals every command: its master key file sits beside it.
        return try! KokiLedger.keyed(store.ports, keyFile: path + ".key", required: false)
    }
}

/// The stored size of every `PremiumAssessed` in the city: as stored, and re-encoded as version 3
/// (the breakdown as JSON text), as version 4 (binary) and as version 5 (the input positions as
/// differences), each as this build stores a payload.
func assessmentSizes(_ fixture: CityFixture) -> (count: Int, stored: Int, v3: Int, v4: Int, v5: Int) {
    func stored(_ payload: [UInt8]) -> Int { PayloadCompression.store(payload).bytes.count }
    let plain = PlainSQLite(existing: fixture.path)
    let read = plain.prepare(
        """
        SELECT sum(length(e.payload)), count(*) FROM koki_events e JOIN koki_event_types t ON t.id = e.type_id
        WHERE t.name = 'PremiumAssessed'
        """)
    defer { sqlite3_finalize(read) }
    _ = sqlite3_step(read)
    let storedBytes = Int(sqlite3_column_int64(read, 0))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var (count, v3, v4, v5) = (0, 0, 0, 0)
    var query = EventQuery()
    query.types = [PremiumAssessed.eventType]
    try! KokiLedger(fixture.ledger).forEachEvent(query) { _, event in
        guard case .premiumAssessed(let e) = event else { return }
        count += 1
        v4 += stored(EventRegistry.encode(PremiumAssessedV4(e)).payload)
        v5 += stored(EventRegistry.encode(event).payload)
        let text = e.breakdown.map { String(decoding: try! encoder.encode($0), as: UTF8.self) } ?? ""
        v3 += stored(
            EventRegistry.encode(
                PremiumAssessedV3(
                    person: e.person, fiscalYear: e.fiscalYear, decidedOn: e.decidedOn, annualPremium: e.annualPremium,
                    installments: e.installments, ruleVersion: e.ruleVersion, reason: e.reason, cause: e.cause,
                    rateTablePosition: e.rateTablePosition, inputPositions: e.inputPositions, breakdown: text,
                    collection: e.collection, pensionPeriods: e.pensionPeriods)
            ).payload)
    }
    return (count, storedBytes, v3, v4, v5)
}

/// Every payload of the city: its bytes as the fixture stores them, as given (decompressed), and
/// as this build would store it (against the payload dictionary where that is shorter): what the
/// dictionary saves on a fixture written before it, and on one written with it.
func payloadSizes(_ fixture: CityFixture) -> (stored: Int, raw: Int, now: Int) {
    let plain = PlainSQLite(existing: fixture.path)
    let read = plain.prepare("SELECT sum(length(payload)) FROM koki_events")
    defer { sqlite3_finalize(read) }
    _ = sqlite3_step(read)
    let stored = Int(sqlite3_column_int64(read, 0))
    var (raw, now) = (0, 0)
    var query = EventQuery()
    query.readsEnvelopes = false
    // Each event decoded (older versions upcast) and encoded again in this build's version of its
    // layout for its stream (a person's events without their number), then compressed as the
    // store would: what the same city takes recorded today.
    try! KokiLedger(fixture.ledger).forEachEvent(query) { view, event in
        raw += view.payload.count
        now += PayloadCompression.store(EventRegistry.encode(event, stream: view.stream.value).payload).bytes.count
    }
    return (stored, raw, now)
}

/// The bytes of the ledger's own tables and indexes by SQLite's `dbstat` (not the read models
/// beside them, not free pages), in the parts the size aim names.
func ownTableBytes(_ path: String) -> (all: Int, events: Int, byStream: Int, byType: Int, commands: Int) {
    let plain = PlainSQLite(existing: path)
    let read = plain.prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")
    defer { sqlite3_finalize(read) }
    var parts = (all: 0, events: 0, byStream: 0, byType: 0, commands: 0)
    while sqlite3_step(read) == SQLITE_ROW {
        let name = String(cString: sqlite3_column_text(read, 0))
        let bytes = Int(sqlite3_column_int64(read, 1))
        guard !name.hasPrefix("rm_") else { continue }
        parts.all += bytes
        switch name {
        case "koki_events": parts.events += bytes
        case "koki_events_by_stream": parts.byStream += bytes
        case "koki_events_by_type": parts.byType += bytes
        case "koki_commands", "koki_command_seals", "sqlite_autoindex_koki_commands_1": parts.commands += bytes
        default: break
        }
    }
    return parts
}

func cityBenchmarks() {
    let scan = Metric.rate("SQLite scan events/s")
    let city = { CityFixture.shared }

    // The ledger's size, and the same rows (as stored: compressed where koki compressed them)
    // inserted into plain SQLite one transaction per command, as the simulation appended them:
    // the ceiling for recording the city.
    Benchmark(
        "City: the ledger's size, and its rows inserted into plain SQLite one transaction per command",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("events"), Metric.cost("commands"), Metric.cost("koki bytes/event"),
                Metric.cost("SQLite bytes/event"), Metric.rate("SQLite insert events/s"), Metric.cost("assessments"),
                Metric.cost("assessment bytes as stored"), Metric.cost("assessment bytes as v3 text"),
                Metric.cost("assessment bytes as v4 binary"), Metric.cost("koki bytes/event, assessments as v4"),
                Metric.cost("assessment bytes as v5, inputs as differences"),
                Metric.cost("payload bytes/event as stored"), Metric.cost("payload bytes/event uncompressed"),
                Metric.cost("payload bytes/event as this build stores"),
                Metric.cost("koki bytes/event, payloads as this build stores"),
                Metric.cost("own tables bytes/event"), Metric.cost("own tables bytes/event, payloads as this build"),
                Metric.cost("events table bytes/event"), Metric.cost("index by stream bytes/event"),
                Metric.cost("index by type bytes/event"), Metric.cost("commands and seals bytes/event"),
                Metric.cost("stored hashes"), Metric.cost("stored hash bytes per 1,000 events"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        // Every assessment as this ledger stores it, and as each version would (re-encoded, with
        // the store's rule: LZ4 when it saves an eighth): what the binary breakdown saves.
        let sizes = assessmentSizes(fixture)
        benchmark.measurement(Metric.cost("assessments"), sizes.count)
        benchmark.measurement(Metric.cost("assessment bytes as stored"), sizes.stored / max(1, sizes.count))
        benchmark.measurement(Metric.cost("assessment bytes as v3 text"), sizes.v3 / max(1, sizes.count))
        benchmark.measurement(Metric.cost("assessment bytes as v4 binary"), sizes.v4 / max(1, sizes.count))
        benchmark.measurement(
            Metric.cost("assessment bytes as v5, inputs as differences"), sizes.v5 / max(1, sizes.count))
        benchmark.measurement(
            Metric.cost("koki bytes/event, assessments as v4"),
            (fixture.bytes - sizes.stored + sizes.v4) / Int(fixture.events))
        let payloads = payloadSizes(fixture)
        let eventCount = Int(fixture.events)
        benchmark.measurement(Metric.cost("payload bytes/event as stored"), payloads.stored / eventCount)
        benchmark.measurement(Metric.cost("payload bytes/event uncompressed"), payloads.raw / eventCount)
        benchmark.measurement(Metric.cost("payload bytes/event as this build stores"), payloads.now / eventCount)
        benchmark.measurement(
            Metric.cost("koki bytes/event, payloads as this build stores"),
            (fixture.bytes - payloads.stored + payloads.now) / eventCount)
        // The aim (≤ 150 bytes an event) is about the ledger itself: its own tables and indexes,
        // not the read models it keeps beside them (rebuilt at will) nor free pages.
        let own = ownTableBytes(fixture.path)
        benchmark.measurement(Metric.cost("own tables bytes/event"), own.all / eventCount)
        benchmark.measurement(
            Metric.cost("own tables bytes/event, payloads as this build"),
            (own.all - payloads.stored + payloads.now) / eventCount)
        benchmark.measurement(Metric.cost("events table bytes/event"), own.events / eventCount)
        benchmark.measurement(Metric.cost("index by stream bytes/event"), own.byStream / eventCount)
        benchmark.measurement(Metric.cost("index by type bytes/event"), own.byType / eventCount)
        benchmark.measurement(Metric.cost("commands and seals bytes/event"), own.commands / eventCount)
        // The chain hashes the rows store (schema version v12: one 32 positions or more past the last).
        let hashes = PlainSQLite(existing: fixture.path).scalars(
            "SELECT COUNT(*), COALESCE(SUM(length(hash)), 0) FROM koki_events WHERE length(hash) > 0")
        benchmark.measurement(Metric.cost("stored hashes"), Int(hashes[0]))
        benchmark.measurement(Metric.cost("stored hash bytes per 1,000 events"), Int(hashes[1]) * 1_000 / eventCount)
        let scratch = Scratch()
        let commands = PlainSQLite.rowsOf(ledger: fixture.path)
        let plainPath = scratch.path("plain.sqlite")
        let plain = PlainSQLite(path: plainPath, synchronous: "OFF")
        let time = seconds { plain.insert(commands: commands) }
        plain.checkpoint()
        let events = commands.map(\.count).reduce(0, +)
        benchmark.measurement(Metric.cost("events"), events)
        benchmark.measurement(Metric.cost("commands"), commands.count)
        benchmark.measurement(Metric.cost("koki bytes/event"), fixture.bytes / events)
        benchmark.measurement(Metric.cost("SQLite bytes/event"), fileBytes(plainPath) / events)
        benchmark.measurement(Metric.rate("SQLite insert events/s"), Int(Double(events) / time))
    } setup: {
        _ = city()
    }

    // Where a rebuild's time goes: reading and decoding alone, then each read model alone,
    // then all of them (the city: register, premium accounts, collection accounts, the input
    // positions of assessments and every stream's version).
    let rebuildRate = Metric.rate("koki rebuild events/s")
    let decodeRate = Metric.rate("decode only events/s")
    let registerRate = Metric.rate("register only events/s")
    let premiumsRate = Metric.rate("premium accounts only events/s")
    let collectionRate = Metric.rate("collection accounts only events/s")
    Benchmark(
        "City: rebuild every read model from position zero, vs a plain SQLite scan of the same rows",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, rebuildRate, decodeRate, registerRate, premiumsRate, collectionRate,
                scan,
                Metric.rate("rebuild/scan ‰"),
            ],
            maxIterations: 3)
    ) { benchmark in
        let fixture = city()
        let scanTime = fixture.scanSeconds()
        let koki = KokiLedger(fixture.ledger)
        let decodeTime = try seconds { try koki.forEachEvent { _, event in blackHole(event) } }
        let registerTime = try seconds { blackHole(try koki.replay(InsuredRegister.self)) }
        let premiumsTime = try seconds { blackHole(try koki.replay(PremiumAccounts.self)) }
        let collectionTime = try seconds { blackHole(try koki.replay(CollectionAccounts.self)) }
        var rebuilt = CitySnapshot()
        let rebuildTime = try seconds { rebuilt = try KokiLedger(fixture.ledger).currentCity() }
        precondition(rebuilt.position == fixture.events && rebuilt.collection.moneyIsConserved)
        let n = Double(fixture.events)
        benchmark.measurement(rebuildRate, Int(n / rebuildTime))
        benchmark.measurement(decodeRate, Int(n / decodeTime))
        benchmark.measurement(registerRate, Int(n / registerTime))
        benchmark.measurement(premiumsRate, Int(n / premiumsTime))
        benchmark.measurement(collectionRate, Int(n / collectionTime))
        benchmark.measurement(scan, Int(n / scanTime))
        benchmark.measurement(Metric.rate("rebuild/scan ‰"), Int(1000 * scanTime / rebuildTime))
    } setup: {
        _ = city()
    }

    Benchmark(
        "City: verify the hash chain, vs a plain SQLite scan of the same rows",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.rate("koki verify events/s"), scan,
                Metric.rate("verify/scan ‰"),
            ],
            maxIterations: 3)
    ) { benchmark in
        let fixture = city()
        let scanTime = fixture.scanSeconds()
        var report: VerifyReport?
        let verifyTime = try seconds { report = try fixture.ledger.verify(checkFile: false) }
        precondition(report?.isIntact == true)
        let n = Double(fixture.events)
        benchmark.measurement(Metric.rate("koki verify events/s"), Int(n / verifyTime))
        benchmark.measurement(scan, Int(n / scanTime))
        benchmark.measurement(Metric.rate("verify/scan ‰"), Int(1000 * scanTime / verifyTime))
    } setup: {
        _ = city()
    }

    // The ledger's scan as a rebuild's pass reads it (issue 25, thirty-second stop): each event's
    // view, its stream and type known by the store's numbers and its payload decompressed, no
    // envelope; then the same scan asking every event's stream and type by name, as a reader that
    // needs them does. Beside a plain SQLite scan of the same rows.
    Benchmark(
        "City: the ledger's scan (each event's view, its stream and type by number), and asking their names, vs a plain SQLite scan",
        configuration: .init(
            metrics: [
                .wallClock, Metric.rate("koki scan events/s"), Metric.rate("scan with names events/s"), scan,
                Metric.rate("scan/plain ‰"), Metric.rate("with names/plain ‰"),
            ],
            maxIterations: 3)
    ) { benchmark in
        let fixture = city()
        let scanTime = fixture.scanSeconds()
        var query = EventQuery()
        query.readsEnvelopes = false
        var (events, bytes, numbers) = (0, 0, Int64(0))
        let byNumber = try seconds {
            try fixture.ledger.forEachEvent(query) { view in
                events += 1
                bytes += view.payload.count
                numbers &+= (view.streamNumber ?? 0) &+ (view.typeNumber ?? 0)
            }
        }
        var (named, nameBytes) = (0, 0)
        let byName = try seconds {
            try fixture.ledger.forEachEvent(query) { view in
                named += 1
                nameBytes += view.stream.value.utf8.count + view.type.utf8.count
            }
        }
        precondition(
            Int64(events) == fixture.events && named == events && bytes > 0 && numbers > 0 && nameBytes > events)
        let n = Double(events)
        benchmark.measurement(Metric.rate("koki scan events/s"), Int(n / byNumber))
        benchmark.measurement(Metric.rate("scan with names events/s"), Int(n / byName))
        benchmark.measurement(scan, Int(n / scanTime))
        benchmark.measurement(Metric.rate("scan/plain ‰"), Int(1000 * scanTime / byNumber))
        benchmark.measurement(Metric.rate("with names/plain ‰"), Int(1000 * scanTime / byName))
    } setup: {
        _ = city()
    }

    // The register's city-wide list (issue 25): `koki insured list` as a fresh process answers it
    // — the stored register read, everyone insured on the last 31 March found, and each name
    // opened from the sealed identity — beside the fold of the register's events that answered
    // before, a rebuild of the stored register from position zero, and a plain SQLite scan.
    let insuredCount = Metric.cost("insured")
    Benchmark(
        "City: insured list from the stored register (names opened), vs the register's fold and a plain SQLite scan",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("stored ms"), Metric.cost("names ms"),
                Metric.cost("fold ms"), Metric.cost("rebuild ms"), Metric.rate("rebuild events/s"),
                Metric.cost("SQLite scan ms"), insuredCount,
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scanTime = fixture.scanSeconds()
        let scratch = Scratch()
        let copy = fixture.copy(into: scratch)
        var rebuilt: StoredRegister.Rebuild?
        let rebuildTime = try seconds { rebuilt = try StoredRegister(copy.ports).rebuild(check: false) }
        precondition(rebuilt!.persons == fixture.persons.count)
        // A fresh open, as a process starts: nothing of the city in memory.
        let fresh = try KokiLedger.keyed(
            try Ledger.open(at: scratch.path("copy.ledger"), mode: .readOnly).ports, keyFile: fixture.path + ".key",
            required: false)
        let date = try CivilDate(year: fixture.lastFiscalYear.year + 1, month: 3, day: 31)
        var insured: [StoredRegister.Insured] = []
        let storedTime = try seconds { insured = try InsuredRegisterCommands(fresh).insured(on: date) }
        let commands = InsuredRegisterCommands(fresh)
        // One core, line by line (`insured list` shares the lines among the cores).
        let namesTime = try seconds {
            let vault = try commands.vault(opening: insured.map(\.person))
            for line in insured { blackHole(try vault.open(line.identity, for: line.person)?.nameKanji) }
        }
        var query = EventQuery()
        query.types = InsuredRegister.eventTypes
        query.readsEnvelopes = false
        var folded = InsuredRegister()
        let foldTime = try seconds { try fresh.forEachEvent(query) { _, event in folded.apply(event) } }
        precondition(folded.insured(on: date).map(\.id) == insured.map(\.person))
        benchmark.measurement(Metric.cost("stored ms"), Int(storedTime * 1000))
        benchmark.measurement(Metric.cost("names ms"), Int(namesTime * 1000))
        benchmark.measurement(Metric.cost("fold ms"), Int(foldTime * 1000))
        benchmark.measurement(Metric.cost("rebuild ms"), Int(rebuildTime * 1000))
        benchmark.measurement(Metric.rate("rebuild events/s"), Int(Double(fixture.events) / rebuildTime))
        benchmark.measurement(Metric.cost("SQLite scan ms"), Int(scanTime * 1000))
        benchmark.measurement(insuredCount, insured.count)
    } setup: {
        _ = city()
    }

    // The pension year (issue 23) on a copy of the city, for the year after its last: before
    // April the provisional deductions and their request (`pension provisional`); in July, after
    // the year's assessment (not timed), the year's request to the insurers (`pension notify`);
    // then the insurers' answer — April and June deducted for everyone asked — imported
    // (`pension import`). Each beside a plain scan of the ledger's rows in the same run.
    let provisional = Metric.cost("provisional ms")
    let notice = Metric.cost("year's request ms")
    let answer = Metric.cost("answer import ms")
    let scanMs = Metric.cost("SQLite scan ms")
    let told = Metric.cost("persons asked")
    Benchmark(
        "City: the pension year's requests (provisional, July) and the insurers' answer, vs a plain SQLite scan",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, provisional, notice, answer, scanMs, told], maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scanTime = fixture.scanSeconds()
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let assessment = AssessmentCommands(koki)
        let next = try FiscalYear(fixture.lastFiscalYear.year + 1)
        let business = BusinessCalendar()
        func open(_ month: Int, _ day: Int) throws -> CivilDate {
            business.onOrBefore(try CivilDate(year: next.year, month: month, day: day))
        }
        var requested: AssessmentCommands.ProvisionalRun?
        let provisionalTime = try seconds {
            requested = try assessment.decideProvisional(fiscalYear: next, on: try open(2, 20), actor: "bench")
        }
        var table = RateTable.chiba(fiscalYear: fixture.lastFiscalYear.year)!
        table.fiscalYear = next.year
        // Each command its own id (one metadata for two would record the second as the first again).
        func meta() -> CommandMetadata { CommandMetadata(actor: "bench") }
        try assessment.adoptRates(table, metadata: meta())
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: next.year), metadata: meta())
        // The insurers' pension facts for the year, as last year's (June: not timed).
        let register = InsuredRegisterCommands(koki)
        for person in try koki.currentCity().register.persons.values.sorted(by: { $0.id < $1.id }) {
            guard let facts = person.pension[fixture.lastFiscalYear.year], person.isInsured(on: try open(6, 15))
            else { continue }
            try register.recordPension(person.id, fiscalYear: next, facts: facts, metadata: meta())
        }
        _ = try assessment.runAnnual(fiscalYear: next, decidedOn: try open(7, 10), actor: "bench")
        var request: AssessmentCommands.PensionNoticeRun?
        let noticeTime = try seconds {
            request = try assessment.notifyPension(fiscalYear: next, on: try open(7, 31), actor: "bench")
        }
        let days = PensionDeduction.paymentDates(fiscalYear: next.year)
        var lines = ["person,fiscal_year,month,paid_on,amount,status"]
        let assessed = try koki.currentCity()
        for person in assessed.register.persons.values.sorted(by: { $0.id < $1.id }) {
            guard let year = assessed.accounts.current(person.id, next), !year.pensionPeriods.isEmpty else { continue }
            for day in days.prefix(2) {
                let amount = person.pensionTold[next.year]?[day.month] ?? .zero
                guard amount > .zero else { continue }
                lines.append("\(person.id.value),\(next.year),\(day.month),\(day),\(amount.amount),deducted")
            }
        }
        var imported: CollectionCommands.ImportSummary?
        let answerTime = try seconds {
            imported = try CollectionCommands(koki).importPension(
                Array(lines.joined(separator: "\n").utf8), name: "answer.csv", learnedOn: try open(7, 22),
                actor: "bench")
        }
        precondition(imported?.payments == lines.count - 1, "every deduction recorded")
        benchmark.measurement(provisional, Int(provisionalTime * 1000))
        benchmark.measurement(notice, Int(noticeTime * 1000))
        benchmark.measurement(answer, Int(answerTime * 1000))
        benchmark.measurement(scanMs, Int(scanTime * 1000))
        benchmark.measurement(told, max(requested?.decided.count ?? 0, request?.notified.count ?? 0))
    } setup: {
        _ = city()
    }

    // The city's books and its tax master (issue 24), on a copy of the city: `koki revenue` for
    // the last fiscal year (the money events read once by type, the balances' credited sums
    // beside them), then the tax system's yearly file for 75,000 persons imported (`koki income
    // import`: the register's persons and every recorded income read once, then one command of
    // 150,000 events), and the same file again (nothing recorded). Each beside a plain scan.
    let revenueMs = Metric.cost("revenue ms")
    let taxMs = Metric.cost("tax file import ms")
    let taxAgainMs = Metric.cost("same file again ms")
    let taxRows = Metric.cost("tax file rows")
    Benchmark(
        "City: revenue for a year and the tax system's file for 75,000 persons, vs a plain SQLite scan",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, revenueMs, taxMs, taxAgainMs, scanMs, taxRows], maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scanTime = fixture.scanSeconds()
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        // The balances caught up first (a query would, once): not part of the report's time.
        _ = try StoredBalances(koki).catchUp()
        var report: RevenueReport?
        let revenueTime = try seconds { report = try koki.revenue(fixture.lastFiscalYear) }
        precondition(report?.checks.allSatisfy(\.agrees) == true, "the books agree with the balances")
        // A year after the city's last: every row is new.
        let year = fixture.lastFiscalYear.year + 1
        let rows = fixture.persons.prefix(75_000).enumerated().map { i, person in
            let pension = Yen(Int64(800_000 + (i % 200) * 10_000))
            let total = TaxableIncome.pensionIncome(revenue: pension)
            return TaxMasterFile.Row(
                line: 0, person: person,
                figures: IncomeFigures(
                    year: year, pensionRevenue: pension, salaryRevenue: .zero, otherIncome: .zero, totalIncome: total,
                    taxableIncome: max(.zero, total - Yen(430_000)), declared: true))
        }
        let file = Array(TaxMasterFile.text(rows).utf8)
        let register = InsuredRegisterCommands(koki)
        let day = try CivilDate(year: year + 1, month: 6, day: 15)
        var first: InsuredRegisterCommands.IncomeImport?
        let taxTime = try seconds {
            first = try register.importIncomes(
                file, name: "tax.csv", on: day, metadata: CommandMetadata(actor: "bench"))
        }
        precondition(first?.recorded == rows.count, "every row recorded")
        var again: InsuredRegisterCommands.IncomeImport?
        let againTime = try seconds {
            again = try register.importIncomes(
                file, name: "tax.csv", on: day, metadata: CommandMetadata(actor: "bench"))
        }
        precondition(again?.unchanged == rows.count, "nothing recorded the second time")
        benchmark.measurement(revenueMs, Int(revenueTime * 1000))
        benchmark.measurement(taxMs, Int(taxTime * 1000))
        benchmark.measurement(taxAgainMs, Int(againTime * 1000))
        benchmark.measurement(scanMs, Int(scanTime * 1000))
        benchmark.measurement(taxRows, rows.count)
    } setup: {
        _ = city()
    }

    // The auditor's rule checker (`koki audit rules`, issue 22): each person's streams read and
    // checked on their own, with the city's calendars and settings between their events, the
    // chunks shared among the cores (issue 25); beside it the checker as first built, one pass
    // over the whole ledger holding every person's state, and a plain SQLite scan. The same
    // breaches from both, and the memory each held above the process's before it.
    Benchmark(
        "City: audit rules a person at a time, vs one pass holding the whole city and a plain SQLite scan",
        configuration: .init(
            metrics: [
                .wallClock, Metric.rate("koki audit rules events/s"), Metric.cost("audit rules MB anonymous"),
                Metric.rate("one pass events/s"), Metric.cost("one pass MB anonymous"), scan,
                Metric.rate("rules/scan ‰"),
            ],
            maxIterations: 3)
    ) { benchmark in
        let fixture = city()
        let scanTime = fixture.scanSeconds()
        let koki = KokiLedger(fixture.ledger)
        var report: CheckRules.Report?
        let (checkTime, checkMB) = try secondsAndPeakAnonymousMB {
            report = try CheckRules.report(koki, RuleCheck.Scope())
        }
        var check = RuleCheck()
        let (passTime, passMB) = try secondsAndPeakAnonymousMB {
            var query = EventQuery()
            query.readsEnvelopes = false
            try koki.forEachEvent(query) { view, event in check.apply(event, position: view.position) }
            check.finish()
        }
        precondition(check.eventsRead == Int(fixture.events))
        precondition(report?.breaches == check.breaches, "the same breaches both ways")
        let n = Double(fixture.events)
        benchmark.measurement(Metric.rate("koki audit rules events/s"), Int(n / checkTime))
        benchmark.measurement(Metric.cost("audit rules MB anonymous"), checkMB)
        benchmark.measurement(Metric.rate("one pass events/s"), Int(n / passTime))
        benchmark.measurement(Metric.cost("one pass MB anonymous"), passMB)
        benchmark.measurement(scan, Int(n / scanTime))
        benchmark.measurement(Metric.rate("rules/scan ‰"), Int(1000 * scanTime / checkTime))
    } setup: {
        _ = city()
    }

    // 1,000 random persons, each timed on its own: their account as the ledger knew it halfway
    // through its history, and as the world stood on a date (the first year's closing).
    let knownAt50 = Metric.cost("known-at p50 ns")
    let knownAt99 = Metric.cost("known-at p99 ns")
    let asOf50 = Metric.cost("as-of p50 ns")
    let asOf99 = Metric.cost("as-of p99 ns")
    let plain50 = Metric.cost("SQLite stream read p50 ns")
    let plain99 = Metric.cost("SQLite stream read p99 ns")
    Benchmark(
        "City: one person's account as known at an old position, and as of a date, vs reading their rows in plain SQLite",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, knownAt50, knownAt99, asOf50, asOf99, plain50, plain99],
            maxIterations: 3)
    ) { benchmark in
        let fixture = city()
        let koki = KokiLedger(fixture.ledger)
        let collection = CollectionCommands(koki)
        let plain = PlainSQLite(existing: fixture.path)
        var g = SplitMix64(seed: 5)
        let picks = (0..<1_000).map { _ in fixture.persons[Int(g.next(below: UInt64(fixture.persons.count)))] }
        var ids: [PersonID: Int64] = [:]
        for person in picks { ids[person] = plain.streamID(name: person.streamName) }
        let old = KnownAt.position(fixture.events / 2)
        let closing = try CivilDate(year: fixture.lastFiscalYear.year, month: 5, day: 31)
        let plainTimes = picks.map { p in nanoseconds { blackHole(plain.loadKokiStream(id: ids[p]!)) } }
        let knownTimes = try picks.map { p in try nanoseconds { blackHole(try collection.load(p, knownAt: old)) } }
        let asOfTimes = try picks.map { p in try nanoseconds { blackHole(try collection.load(p, asOf: closing)) } }
        benchmark.measurement(knownAt50, percentile(knownTimes, 50))
        benchmark.measurement(knownAt99, percentile(knownTimes, 99))
        benchmark.measurement(asOf50, percentile(asOfTimes, 50))
        benchmark.measurement(asOf99, percentile(asOfTimes, 99))
        benchmark.measurement(plain50, percentile(plainTimes, 50))
        benchmark.measurement(plain99, percentile(plainTimes, 99))
    } setup: {
        _ = city()
    }

    // The annual run after a corrected rate table: every insured person reassessed, one
    // command each, on a copy of the city. Beside it, plain SQLite committing as many rows one
    // transaction each (the ceiling for as many commands).
    let persons = Metric.rate("persons/s")
    let commits = Metric.rate("SQLite commits/s")
    Benchmark(
        "City: the annual assessment run after a corrected rate table (every person reassessed), vs as many plain SQLite commits",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, persons, Metric.rate("cold persons/s"), commits,
                Metric.rate("koki/SQLite ‰"),
            ], maxIterations: 1
        )
    ) { benchmark in
        let fixture = city()
        // Cold first, on a copy of its own: a fresh process's run, who was insured read from the
        // stored register and each person decided on their neighbourhood (no city in memory).
        let coldScratch = Scratch()
        let cold = fixture.copy(into: coldScratch)
        var corrected = try cold.rateTable(fiscalYear: fixture.lastFiscalYear.year)!
        corrected.components[0].perCapita = corrected.components[0].perCapita + Yen(100)
        corrected.source = "benchmark: corrected table"
        try AssessmentCommands(cold).adoptRates(corrected, metadata: CommandMetadata(actor: "bench"))
        var coldResult: AssessmentCommands.RunSummary?
        let coldTime = try seconds {
            coldResult = try AssessmentCommands(cold).runAnnual(
                fiscalYear: fixture.lastFiscalYear,
                decidedOn: try CivilDate(year: fixture.lastFiscalYear.year + 1, month: 3, day: 20), actor: "bench",
                cause: "rate table corrected")
        }
        precondition(!cold.hasCurrentCity && coldResult!.reassessed > 0)
        benchmark.measurement(Metric.rate("cold persons/s"), Int(Double(coldResult!.considered) / coldTime))
        print(
            "annual run, cold: \(coldResult!.considered) persons, \(coldResult!.reassessed) reassessed in \(coldTime) s"
        )

        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let assessment = AssessmentCommands(koki)
        let fy = fixture.lastFiscalYear
        var table = try koki.currentCity().accounts.rateTables[fy.year]!
        table.components[0].perCapita = table.components[0].perCapita + Yen(100)
        table.source = "benchmark: corrected table"
        try assessment.adoptRates(table, metadata: CommandMetadata(actor: "bench"))
        let decided = try CivilDate(year: fy.year + 1, month: 3, day: 20)
        var result: AssessmentCommands.RunSummary?
        let runTime = try seconds {
            result = try assessment.runAnnual(
                fiscalYear: fy, decidedOn: decided, actor: "bench", cause: "rate table corrected")
        }
        let summary = result!
        precondition(summary.reassessed > 0)
        let plain = PlainSQLite(path: scratch.path("plain.sqlite"), synchronous: "NORMAL")
        let rows = Workloads.get("koki", streams: max(1, summary.considered / 20))
        let plainTime = seconds { plain.insert(rows, oneTransaction: false) }
        let plainRate = Double(rows.streams.count) / plainTime
        benchmark.measurement(persons, Int(Double(summary.considered) / runTime))
        benchmark.measurement(commits, Int(plainRate))
        benchmark.measurement(
            Metric.rate("koki/SQLite ‰"), Int(1000 * Double(summary.considered) / runTime / plainRate))
        print("annual run: \(summary.considered) persons, \(summary.reassessed) reassessed in \(runTime) s")
    } setup: {
        _ = city()
    }

    // A dunning run a month after the city's last due date, on a copy. Cold: a fresh process
    // (a command-line run) that asks the stored balances who owes and loads only them — after
    // the balances were built once (timed apart). Warm: a long-running process whose city is
    // folded in memory already (the fold timed apart: what every cold run paid before the
    // stored balances).
    Benchmark(
        "City: a dunning run, cold (stored balances) and warm (city in memory), vs a plain SQLite scan",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("cold ms"), Metric.cost("warm ms"),
                Metric.cost("balances built ms"), Metric.cost("city fold ms"), Metric.cost("SQLite scan ms"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let scanTime = fixture.scanSeconds()
        let last = try CivilDate(year: fixture.lastFiscalYear.year + 1, month: 4, day: 30)
        let built = try seconds { try StoredBalances(koki).catchUp() }
        var notices = 0
        let cold = try seconds {
            notices += try ArrearsCommands(KokiLedger(koki.ports)).runDunning(on: last, actor: "bench").notices.count
        }
        let warmLedger = KokiLedger(koki.ports)
        let fold = try seconds { _ = try warmLedger.currentCity() }
        let warm = try seconds {
            notices += try ArrearsCommands(warmLedger).runDunning(on: last.adding(days: 1), actor: "bench").notices
                .count
        }
        benchmark.measurement(Metric.cost("cold ms"), Int(cold * 1000))
        benchmark.measurement(Metric.cost("warm ms"), Int(warm * 1000))
        benchmark.measurement(Metric.cost("balances built ms"), Int(built * 1000))
        benchmark.measurement(Metric.cost("city fold ms"), Int(fold * 1000))
        benchmark.measurement(Metric.cost("SQLite scan ms"), Int(scanTime * 1000))
        print("dunning: \(notices) notices")
    } setup: {
        _ = city()
    }

    // The city a process holds in memory (the simulation, the server): the premium accounts, the
    // collection accounts and the whole city, each folded from position zero in this process,
    // weighed as the anonymous memory at the most above the fold's start, beside the ledger file
    // that holds every event. An account keeps each period in 32 bytes, and an assessment in
    // force decoded only for the two newest years assessed (the rest as the codec's bytes).
    Benchmark(
        "City: the premium and collection accounts held in memory, vs the ledger file of the same events",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("premium accounts MB"), Metric.cost("collection accounts MB"),
                Metric.cost("city MB"), Metric.cost("ledger file MB"), Metric.cost("city ‰ of the file"),
                Metric.cost("city bytes a person"), Metric.cost("city folded ms"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let koki = KokiLedger(fixture.ledger)
        // Each weighed from what the process holds once the last one's memory is given back, and
        // kept to the end of its measure by something that costs nothing to ask (its keys would
        // make a set of every person-year beside it).
        releaseFreedMemory()
        let premiums = try peakAnonymousMB { blackHole(try koki.replay(PremiumAccounts.self).rateTables.count) }
        releaseFreedMemory()
        let collection = try peakAnonymousMB { blackHole(try koki.replay(CollectionAccounts.self).accounts.count) }
        releaseFreedMemory()
        var persons = 0
        let (time, whole) = try secondsAndPeakAnonymousMB {
            let city = try KokiLedger(fixture.ledger).currentCity()
            precondition(city.position == fixture.events && city.collection.moneyIsConserved)
            persons = city.register.persons.count
        }
        let fileMB = fixture.bytes / 1_000_000
        benchmark.measurement(Metric.cost("premium accounts MB"), premiums)
        benchmark.measurement(Metric.cost("collection accounts MB"), collection)
        benchmark.measurement(Metric.cost("city MB"), whole)
        benchmark.measurement(Metric.cost("ledger file MB"), fileMB)
        benchmark.measurement(Metric.cost("city ‰ of the file"), whole * 1000 / max(1, fileMB))
        benchmark.measurement(Metric.cost("city bytes a person"), whole * 1_000_000 / max(1, persons))
        benchmark.measurement(Metric.cost("city folded ms"), Int(time * 1000))
    } setup: {
        _ = city()
    }

    // `koki whatif` of the last year in a fresh process: each recorded assessment decided again
    // just before it, a slice of persons at a time (the year's assessed persons from the stored
    // premiums, their households from the stored register, only those streams read and folded),
    // beside the city folded whole without its collection accounts, the way it was read before.
    // The same rows either way; the memory is each way's anonymous memory at the most above its
    // start.
    Benchmark(
        "City: whatif of the last year a slice of persons at a time, vs the city folded without its accounts",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("slices ms"), Metric.cost("slices MB"), Metric.cost("city folded ms"),
                Metric.cost("city folded MB"), Metric.cost("slices' memory ‰ of the fold's"), Metric.cost("rows"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scratch = Scratch()
        let copy = fixture.copy(into: scratch)
        // The stored register and premiums built first, as the first read of them does.
        _ = try StoredRegister(copy.ports).storedAtHead()
        _ = try StoredPremiums(copy.ports).catchUp()
        func fresh() throws -> KokiLedger {
            try KokiLedger.keyed(
                try Ledger.open(at: scratch.path("copy.ledger")).ports, keyFile: fixture.path + ".key", required: false)
        }
        func replay(_ reading: WhatIf.Reading) throws -> (ms: Int, mb: Int, rows: [WhatIf.Row]) {
            let ledger = try fresh()
            var rows: [WhatIf.Row] = []
            let (time, mb) = try secondsAndPeakAnonymousMB {
                rows = try WhatIf.run(
                    ledger, fiscalYear: fixture.lastFiscalYear, rates: nil, latestOnly: false, reading: reading
                ).rows
            }
            return (Int(time * 1000), mb, rows)
        }
        let sliced = try replay(.slicesWherePossible(personsPerSlice: 2_000))
        let folded = try replay(.wholeCity(foldingCollection: false))
        precondition(!sliced.rows.isEmpty && sliced.rows == folded.rows)
        benchmark.measurement(Metric.cost("slices ms"), sliced.ms)
        benchmark.measurement(Metric.cost("slices MB"), sliced.mb)
        benchmark.measurement(Metric.cost("city folded ms"), folded.ms)
        benchmark.measurement(Metric.cost("city folded MB"), folded.mb)
        benchmark.measurement(Metric.cost("slices' memory ‰ of the fold's"), sliced.mb * 1000 / max(1, folded.mb))
        benchmark.measurement(Metric.cost("rows"), sliced.rows.count)
    } setup: {
        _ = city()
    }

    // The data of every payment notice (納入通知書) of the last year: the person's name and
    // address opened from the sealed identity, each installment with its due date, amount and
    // convenience-store barcode.
    Benchmark(
        "City: payment-notice data for everyone assessed in the last year, vs a plain SQLite scan",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.rate("notices/s"), Metric.cost("notices ms"),
                Metric.cost("SQLite scan ms"),
            ],
            maxIterations: 3)
    ) { benchmark in
        let fixture = city()
        let koki = KokiLedger(fixture.ledger)
        let scanTime = fixture.scanSeconds()
        var notices = 0
        var bytes = 0
        let time = try seconds {
            let snapshot = try koki.currentCity()
            let vault = try IdentityVault.preloaded(KokiLedger(fixture.ledger))
            for (person, entry) in snapshot.register.persons.sorted(by: { $0.key < $1.key }) {
                guard let assessed = snapshot.accounts.current(person, fixture.lastFiscalYear),
                    let identity = try vault.open(entry.identity, for: person)
                else { continue }
                var text = "\(identity.nameKanji)\t\(identity.address)\t\(assessed.annualPremium.amount)"
                for installment in assessed.installments where installment.amount > .zero {
                    let barcode = try ConvenienceBarcode(
                        issuer: "123456",
                        slip: try SlipNumber(
                            person: person, key: PeriodKey(fixture.lastFiscalYear, installment.period)),
                        reissue: 0, deadline: installment.dueDate, amount: installment.amount)
                    text += "\t\(installment.dueDate) \(installment.amount.amount) \(barcode)"
                }
                bytes += text.utf8.count
                notices += 1
            }
        }
        precondition(notices > 0)
        benchmark.measurement(Metric.rate("notices/s"), Int(Double(notices) / time))
        benchmark.measurement(Metric.cost("notices ms"), Int(time * 1000))
        benchmark.measurement(Metric.cost("SQLite scan ms"), Int(scanTime * 1000))
        blackHole(bytes)
    } setup: {
        _ = city()
    }

    // The first bank debit of the year after the city's last (`koki debit export`): the next
    // year's tables adopted (全期前納 offered) and its annual run (not timed), then, in a fresh
    // process, the stored debit states caught up (each mandate holder folds the assessment the run
    // added) and the request file written from them. Beside it, the way it was decided before:
    // each mandate holder's stream folded (`CollectionCommands.load`), and a plain SQLite scan.
    Benchmark(
        "City: the year's first debit request from the stored debit states, vs each mandate holder's stream and a plain SQLite scan",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("export ms"), Metric.cost("caught up ms"),
                Metric.cost("built from zero ms"), Metric.cost("streams folded ms"), Metric.cost("SQLite scan ms"),
                Metric.cost("records"), Metric.cost("mandate holders"), Metric.cost("next request ms"),
                Metric.cost("next records"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = city()
        let scanTime = fixture.scanSeconds()
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let built = try seconds { try StoredDebits(koki.ports).catchUp() }
        let calendar = try fixture.assessTheYearAfter(on: koki)
        // A fresh open, as a process starts: nothing of the city in memory.
        let fresh = try KokiLedger.keyed(
            try Ledger.open(at: scratch.path("copy.ledger")).ports, keyFile: fixture.path + ".key", required: false)
        let stored = StoredDebits(fresh.ports)
        let caughtUp = try seconds { try stored.catchUp() }
        let originator = CollectionCommands.Originator(
            code: "1234567890", name: "ﾏﾂﾄﾞｼ", bankCode: "0001", branchCode: "001", accountType: 1,
            accountNumber: "1234567")
        let due = calendar.dueDates().first!
        var records = 0
        let export = try seconds {
            records = try CollectionCommands(fresh).exportDebit(on: due, originator: originator, actor: "bench").records
        }
        precondition(records > 0)
        // The next due date's request in another fresh open, straight after: the first wrote its
        // own events into the states, so there is nothing to catch up.
        let next = try KokiLedger.keyed(
            try Ledger.open(at: scratch.path("copy.ledger")).ports, keyFile: fixture.path + ".key", required: false)
        var nextRecords = 0
        let nextExport = try seconds {
            nextRecords = try CollectionCommands(next).exportDebit(
                on: calendar.dueDates()[1], originator: originator, actor: "bench"
            ).records
        }
        let holders = try stored.states()!.states.keys.sorted()
        let commands = CollectionCommands(fresh)
        let streams = try seconds { for person in holders { blackHole(try commands.load(person).account.outstanding) } }
        benchmark.measurement(Metric.cost("export ms"), Int(export * 1000))
        benchmark.measurement(Metric.cost("caught up ms"), Int(caughtUp * 1000))
        benchmark.measurement(Metric.cost("built from zero ms"), Int(built * 1000))
        benchmark.measurement(Metric.cost("streams folded ms"), Int(streams * 1000))
        benchmark.measurement(Metric.cost("SQLite scan ms"), Int(scanTime * 1000))
        benchmark.measurement(Metric.cost("records"), records)
        benchmark.measurement(Metric.cost("mandate holders"), holders.count)
        benchmark.measurement(Metric.cost("next request ms"), Int(nextExport * 1000))
        benchmark.measurement(Metric.cost("next records"), nextRecords)
    } setup: {
        _ = city()
    }
}
