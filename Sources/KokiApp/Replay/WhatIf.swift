import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore
import KokiReadModels

/// What-if replay (issue 8): every recorded assessment of a fiscal year is decided again from
/// its recorded inputs — the ledger as it stood just before it — with today's calculator and,
/// optionally, another rate table, and compared with what was recorded. Nothing is appended.
public struct WhatIf: Sendable {
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        case unchanged, changed, failing, notInsured
    }

    public struct Row: Sendable, Hashable, Codable {
        public var person: PersonID
        /// The position of the recorded assessment.
        public var position: Int64
        public var decidedOn: CivilDate
        public var reason: PremiumAssessed.Reason
        public var recordedRule: String
        public var old: Yen
        public var new: Yen?
        /// Per period: recorded and recomputed amounts (periods in either schedule).
        public var periods: [(period: PeriodNumber, old: Yen, new: Yen)]
        public var status: Status
        public var problem: String?

        public var difference: Yen { (new ?? .zero) - old }

        public static func == (a: Row, b: Row) -> Bool {
            a.position == b.position && a.new == b.new && a.status == b.status
        }
        public func hash(into hasher: inout Hasher) { hasher.combine(position) }

        private enum CodingKeys: String, CodingKey {
            case person, position, decidedOn, reason, recordedRule, old, new, difference, periods, status, problem
        }
        private struct Period: Codable {
            var period: PeriodNumber
            var old: Yen
            var new: Yen
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(person, forKey: .person)
            try c.encode(position, forKey: .position)
            try c.encode(decidedOn, forKey: .decidedOn)
            try c.encode(reason, forKey: .reason)
            try c.encode(recordedRule, forKey: .recordedRule)
            try c.encode(old, forKey: .old)
            try c.encode(new, forKey: .new)
            try c.encode(difference, forKey: .difference)
            try c.encode(periods.map { Period(period: $0.period, old: $0.old, new: $0.new) }, forKey: .periods)
            try c.encode(status, forKey: .status)
            try c.encode(problem, forKey: .problem)
        }
    }

    public struct Report: Sendable {
        public var fiscalYear: FiscalYear
        public var rows: [Row] = []
        public func count(_ status: Status) -> Int { rows.filter { $0.status == status }.count }
        public var totalOld: Yen { rows.map(\.old).sum() }
        public var totalNew: Yen { rows.compactMap(\.new).sum() }
    }

    /// How the replay reads the ledger (the tests hold every way equal).
    @_spi(Batch) public enum Reading: Sendable, Equatable {
        /// A slice of persons at a time where the ledger keeps its stored register and premiums
        /// at the head (see ``slices(_:fiscalYear:rates:vault:personsPerSlice:readingApartFrom:)``),
        /// else the whole city without its collection accounts.
        case slicesWherePossible(personsPerSlice: Int)
        /// The ledger once in position order, the whole city folded, its collection accounts
        /// too or not.
        case wholeCity(foldingCollection: Bool)
    }

    /// Persons a slice of the replay decides for: with their households, some thousands of
    /// streams read and folded together.
    static let personsPerSlice = 2_000

    /// Events a ledger holds at most for the replay to fold it whole: one read in position order
    /// is quicker than thousands of streams read one by one while the city is small, and holds
    /// little (at the main job's size: 0.33–0.36 s, where slices took 0.39–0.43 s; a million
    /// events, about 0.12 GB).
    static let wholeCityAtMost: Int64 = 1_000_000

    /// Decides each assessment of `fiscalYear` again just before it, on the ledger as it stood
    /// then. With `latestOnly`, only the assessment in force for each person is reported. Where
    /// the ledger keeps its stored register and premiums and holds more than
    /// ``wholeCityAtMost`` events, a slice of persons at a time: the streams of the year's
    /// assessed persons and of everyone ever in a household with them, in memory proportional
    /// to a slice whatever the city's size; else the ledger once, the city folded without its
    /// collection accounts, which no decision reads.
    public static func run(
        _ ledger: KokiLedger, fiscalYear fy: FiscalYear, rates: RateTable? = nil, latestOnly: Bool = false
    ) throws -> Report {
        let small = try ledger.store.head().position <= wholeCityAtMost
        return try run(
            ledger, fiscalYear: fy, rates: rates, latestOnly: latestOnly,
            reading: small
                ? .wholeCity(foldingCollection: false) : .slicesWherePossible(personsPerSlice: personsPerSlice))
    }

    /// The replay, reading the ledger as `reading` says.
    @_spi(Batch) public static func run(
        _ ledger: KokiLedger, fiscalYear fy: FiscalYear, rates: RateTable?, latestOnly: Bool, reading: Reading
    ) throws -> Report {
        if let rates, rates.fiscalYear != fy.year {
            throw KokiError(.invalidInput, "the rate table is for FY\(rates.fiscalYear), not FY\(fy.year)")
        }
        var report = Report(fiscalYear: fy)
        switch reading {
        case .slicesWherePossible(let size):
            // Each slice reads the keys of its own persons and their households: not every key.
            report.rows =
                try slices(ledger, fiscalYear: fy, rates: rates, vault: nil, personsPerSlice: size)
                ?? wholeCity(
                    ledger, fiscalYear: fy, rates: rates, vault: try IdentityVault.preloaded(ledger),
                    foldingCollection: false)
        case .wholeCity(let folding):
            report.rows = try wholeCity(
                ledger, fiscalYear: fy, rates: rates, vault: try IdentityVault.preloaded(ledger),
                foldingCollection: folding)
        }
        if latestOnly {
            // Each person's last row kept in place (the rows are in position order), then sorted
            // by person: no second copy of a city's rows (770,000 at ten times Matsudo).
            // (A row's position is its assessment's: one row each.)
            var last: [PersonID: Int64] = [:]
            for row in report.rows { last[row.person] = row.position }
            report.rows.removeAll { last[$0.person] != $0.position }
            report.rows.sort { $0.person < $1.person }
        }
        return report
    }

    /// Whether an assessment is one the replay decides again: of the year, and no change of the
    /// collection method (deduction from the pension started or stopped), which keeps the
    /// amount and moves the periods — no figure of the calculator's to decide.
    static func decides(_ event: KokiEvent, of fy: FiscalYear) -> PremiumAssessed? {
        guard case .premiumAssessed(let recorded) = event, recorded.fiscalYear == fy,
            recorded.reason != .collectionChanged, recorded.reason != .collectionStarted
        else { return nil }
        return recorded
    }

    /// The replay a slice of persons at a time, in position order: `nil` where the ledger keeps
    /// no stored register at its head or no stored premiums (the caller folds the whole city).
    ///
    /// A decision reads the person's register entry, the entries of everyone ever in a
    /// household with them, the person's assessments of the year and the year's rate table and
    /// calendar (``AssessmentCommands/decide(_:fiscalYear:decidedOn:city:vault:rates:adopting:)``),
    /// so the city those streams make, folded through the assessment, decides as the whole city
    /// would. The year's assessed persons come from the stored premiums; each slice's
    /// neighbourhoods from the stored register; then the slice's persons a chunk at a time, the
    /// chunks shared among the machine's cores (``KokiLedger/eachChunk(_:through:readingApartFrom:_:)``):
    /// the streams of a chunk's neighbourhoods read through the position the premiums reflect,
    /// only the types a decision reads decoded, and folded in position order. A person read as
    /// someone's household member is reported only as themselves.
    static func slices(
        _ ledger: KokiLedger, fiscalYear fy: FiscalYear, rates: RateTable?, vault given: IdentityVault?,
        personsPerSlice: Int, readingApartFrom: Int = KokiLedger.personsReadApart
    ) throws -> [Row]? {
        let register = StoredRegister(ledger.ports)
        guard try register.storedAtHead(), let year = try StoredPremiums(ledger.ports).year(fy) else { return nil }
        let through = year.position
        let tables = try AssessmentCommands.Neighbourhoods.tables(ledger, fiscalYear: fy, through: through)
        let assessed = Set(year.years.map(\.person)).sorted()
        var rows: [Row] = []
        for start in stride(from: 0, to: assessed.count, by: max(1, personsPerSlice)) {
            let slice = Array(assessed[start..<min(assessed.count, start + max(1, personsPerSlice))])
            let near = try neighbourhoods(of: slice, in: register)
            // The keys of the slice's persons and of everyone in their households, read in one
            // query (at ten times Matsudo, every key of the city took some 0.1 GB beside the rows).
            let vault = try given ?? IdentityVault.preloaded(ledger, for: Set(near.values.joined()).union(slice))
            let decided = try ledger.eachChunk(slice, through: through, readingApartFrom: readingApartFrom) {
                ledger, chunk in
                let persons = Set(chunk)
                var streams = Set<PersonID>()
                for person in chunk { streams.formUnion(near[person] ?? [person]) }
                var reads = tables
                try StoredEvents.forEach(
                    in: ledger.store, inStreams: try streams.sorted().map { try StreamName($0.streamName) },
                    through: through, types: decisionTypes
                ) { view, event in reads.append((view.position, view.stream.value, view.streamVersion, event)) }
                reads.sort { $0.position < $1.position }
                var city = CitySnapshot(foldingCollection: false)
                var rows: [Row] = []
                for read in reads {
                    if let recorded = decides(read.event, of: fy), persons.contains(recorded.person) {
                        rows.append(row(recorded, position: read.position, city: city, vault: vault, rates: rates))
                    }
                    city.apply(read.event, position: read.position, stream: read.stream, version: read.version)
                }
                return rows
            }
            rows.append(contentsOf: decided)
        }
        return rows.sorted { $0.position < $1.position }
    }

    /// Each person's neighbourhood: the person, the number their entry is kept under, and
    /// everyone ever in a household with them, from the stored register.
    static func neighbourhoods(of persons: [PersonID], in register: StoredRegister) throws -> [PersonID: Set<PersonID>]
    {
        let heads = try register.heads(of: Set(persons))
        let members = try register.numbersEverIn(
            Set(heads.values.flatMap { $0.households.compactMap(\.household) }))
        var near: [PersonID: Set<PersonID>] = [:]
        for person in persons {
            near[person] = AssessmentCommands.Neighbourhoods.persons(
                around: person, entry: heads[person], members: { members[$0] ?? [] })
        }
        return near
    }

    /// The replay of the ledger once in position order, the whole city folded.
    static func wholeCity(
        _ ledger: KokiLedger, fiscalYear fy: FiscalYear, rates: RateTable?, vault: IdentityVault,
        foldingCollection: Bool
    ) throws -> [Row] {
        var city = CitySnapshot(foldingCollection: foldingCollection)
        var rows: [Row] = []
        var query = EventQuery()
        query.readsEnvelopes = false
        if !foldingCollection {
            // Only what a decision reads: most of a ledger is payments and the collection's
            // other events, passed over undecoded.
            query.types = decisionTypes
            query.scansForTypes = true
        }
        try ledger.forEachEvent(query) { view, event in
            if let recorded = decides(event, of: fy) {
                rows.append(row(recorded, position: view.position, city: city, vault: vault, rates: rates))
            }
            city.apply(event, position: view.position, stream: view.stream.value, version: view.streamVersion)
        }
        return rows
    }

    /// The event types a decision reads (the register's, the premium accounts' and the year's
    /// tables): what the replay folds when it leaves the collection accounts empty.
    static let decisionTypes: Set<String> = InsuredRegister.eventTypes.union([
        PremiumAssessed.eventType, RateTableAdopted.eventType, InstallmentCalendarAdopted.eventType,
        AssessmentRunRecorded.eventType,
    ])

    static func row(
        _ recorded: PremiumAssessed, position: Int64, city: CitySnapshot, vault: IdentityVault, rates: RateTable?
    ) -> Row {
        var row = Row(
            person: recorded.person, position: position, decidedOn: recorded.decidedOn, reason: recorded.reason,
            recordedRule: recorded.ruleVersion, old: recorded.annualPremium, new: nil, periods: [], status: .failing)
        let decided: [Installment]
        do {
            switch try AssessmentCommands.decide(
                recorded.person, fiscalYear: recorded.fiscalYear, decidedOn: recorded.decidedOn, city: city,
                vault: vault, rates: rates)
            {
            case .notInsured:
                row.status = .notInsured
                return row
            case .unchanged(let previous):
                row.new = previous.annualPremium
                decided = previous.installments
            case .assessed(let e), .reassessed(let e, _):
                row.new = e.annualPremium
                decided = e.installments
            }
        } catch {
            row.problem = "\(error)"
            return row
        }
        let numbers = Set(recorded.installments.map(\.period) + decided.map(\.period)).sorted()
        row.periods = numbers.map { n in
            (
                n, recorded.installments.first { $0.period == n }?.amount ?? .zero,
                decided.first { $0.period == n }?.amount ?? .zero
            )
        }
        row.status =
            row.new == recorded.annualPremium && row.periods.allSatisfy({ $0.old == $0.new }) ? .unchanged : .changed
        return row
    }
}

extension WhatIf.Row {
    /// A row as ``encode(to:)`` wrote it (a client reading a server's answer).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        person = try c.decode(PersonID.self, forKey: .person)
        position = try c.decode(Int64.self, forKey: .position)
        decidedOn = try c.decode(CivilDate.self, forKey: .decidedOn)
        reason = try c.decode(PremiumAssessed.Reason.self, forKey: .reason)
        recordedRule = try c.decode(String.self, forKey: .recordedRule)
        old = try c.decode(Yen.self, forKey: .old)
        new = try c.decodeIfPresent(Yen.self, forKey: .new)
        periods = try c.decode([Period].self, forKey: .periods).map { ($0.period, $0.old, $0.new) }
        status = try c.decode(WhatIf.Status.self, forKey: .status)
        problem = try c.decodeIfPresent(String.self, forKey: .problem)
    }
}
