import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import LedgerStore

extension InsuredRegisterCommands {
    /// What an import of the tax system's incomes did.
    public struct IncomeImport: Sendable, Hashable, Codable {
        public var rows = 0
        /// A year recorded for the first time.
        public var recorded = 0
        /// A year already recorded with other figures: the new ones replace them (更正).
        public var corrected = 0
        /// The same figures as recorded: nothing appended.
        public var unchanged = 0
        /// Copayment classes the new figures changed (for a copayment year already determined).
        public var copayChanges: [Counter.CopayChange] = []
        /// Household members reassessed for a fiscal year whose annual run was recorded.
        public var reassessed: [Reassessed] = []
        /// Members whose reassessment was not decided (the time limit on raising, another
        /// command's change meanwhile), with why: the operator decides them with `koki assess`.
        public var notReassessed: [NotReassessed] = []

        public struct Reassessed: Sendable, Hashable, Codable {
            public var person: PersonID
            public var fiscalYear: FiscalYear
            public var from: Yen
            public var to: Yen
        }

        public struct NotReassessed: Sendable, Hashable, Codable {
            public var person: PersonID
            public var fiscalYear: FiscalYear
            public var reason: String
        }
    }

    /// Imports the tax system's file of incomes (連携税マスタ, ``TaxMasterFile``) on `day`: every
    /// row or none. Refused whole (nothing appended), naming the line: what the file's parser
    /// refuses, a person not in the register, a year outside those koki takes incomes for. A row
    /// whose figures are already recorded for its person and year records nothing (the same file
    /// twice records nothing at all); any other row is recorded — replacing the year's earlier
    /// figures (a correction) — with an income inquiry (所得照会, purpose: the import) in the log.
    ///
    /// Then, as `income record` and `koki assess` do for one person: the copayment class of a
    /// copayment year already begun is determined again, and where a fiscal year's annual run is
    /// recorded, every insured member of the households the new figures touch is reassessed for
    /// it (cause: the tax master's correction). Each follow-up is a command of its own, caused by
    /// the import's.
    public func importIncomes(
        _ bytes: [UInt8], name: String, on day: CivilDate, metadata: CommandMetadata
    ) throws -> IncomeImport {
        // Its follow-ups are decisions dated `day`: a day the office is open.
        try ledger.businessCalendar(around: day).requireOpen(day, for: "the tax file's import")
        let file: TaxMasterFile
        do { file = try TaxMasterFile.parse(bytes) } catch { throw KokiError(.invalidInput, "\(name): \(error)") }
        for row in file.rows {
            _ = try incomeYear(row.figures.year, today: day, field: "\(name): line \(row.line): year")
        }
        let registered = try registeredPersons()
        if let row = file.rows.first(where: { !registered.contains($0.person) }) {
            throw KokiError(.invalidInput, "\(name): line \(row.line): no person \(row.person) in the register")
        }
        let latest = try latestIncomes(of: Set(file.rows.map(\.person)))
        let label = name.split(separator: "/").last.map(String.init) ?? name
        var result = IncomeImport()
        result.rows = file.rows.count
        var events: [KokiEvent] = []
        var changed: [TaxMasterFile.Row] = []
        for row in file.rows {
            let income = IncomeRecorded(row.figures, person: row.person, source: "連携税マスタ \(label) line \(row.line)")
            let before = latest[Key(person: row.person, year: income.year)]
            if let before, Self.sameFigures(before, income) {
                result.unchanged += 1
                continue
            }
            if before == nil { result.recorded += 1 } else { result.corrected += 1 }
            events.append(.incomeRecorded(income))
            events.append(
                .incomeInquired(IncomeInquired(person: row.person, year: income.year, purpose: "連携税マスタ取込 \(label)")))
            changed.append(row)
        }
        guard !events.isEmpty else { return result }
        try ledger.record(events, metadata: metadata)

        // Follow-ups, each its own command caused by the import's.
        // Derived from the import's id: the same import (a retry) makes the same follow-ups.
        func caused(_ what: String) -> CommandMetadata {
            var m = metadata
            m.causationID = metadata.commandID
            m.commandID = Identifier(derivedFrom: Array(what.utf8) + metadata.commandID.bytes)
            return m
        }
        let counter = Counter(ledger)
        // Who shares a household with whom, read once for every row: the follow-ups record
        // copayment classes, never a household.
        var households: Counter.HouseholdIndex?
        for row in changed {
            let year = row.figures.year
            guard (try? CivilDate(year: year + 1, month: 8, day: 1)).map({ $0 <= day }) ?? false else { continue }
            if households == nil { households = try .many(ledger) }
            result.copayChanges += try counter.redetermineCopay(
                afterIncomeOf: row.person, year: year, households: households,
                metadata: caused("copay/\(row.person)/\(year)"))
        }
        let run = try yearsRun()
        let touched = changed.compactMap { row -> (PersonID, FiscalYear)? in
            guard let fy = try? FiscalYear(row.figures.year + 1), run.contains(fy) else { return nil }
            return (row.person, fy)
        }
        guard !touched.isEmpty else { return result }
        // Year by year, each decided on the city as it stands when its year begins: a process
        // holding the city in memory on a snapshot of it, a fresh one each member on their
        // neighbourhood (their household's streams and the year's tables), never the city. A
        // member reassessed for one year is decided for the next on what their stream holds
        // after it — a snapshot taken before would expect a version their stream has passed.
        // Within a year each member is reassessed once, and another's reassessment changes
        // nothing a decision reads but that member's own stream.
        var source: (year: Int, city: AssessmentCommands.DecisionCity)?
        func deciding(_ person: PersonID, _ fy: FiscalYear) throws -> CitySnapshot {
            if let source, source.year == fy.year { return try source.city.city(of: person) }
            let city: AssessmentCommands.DecisionCity =
                ledger.hasCurrentCity ? .whole(try CitySnapshot(ledger)) : try .init(ledger, fiscalYear: fy)
            source = (fy.year, city)
            return try city.city(of: person)
        }
        let byYear = touched.enumerated().sorted { ($0.element.1.year, $0.offset) < ($1.element.1.year, $1.offset) }
            .map(\.element)
        var done = Set<Key>()
        let assessment = AssessmentCommands(ledger)
        for (person, fy) in byYear {
            for member in Self.households(of: person, fy, day, try deciding(person, fy))
            where done.insert(Key(person: member, year: fy.year)).inserted {
                let city = try deciding(member, fy)
                guard city.accounts.current(member, fy, { _ in true }) != nil else { continue }
                do {
                    if case .reassessed(let e, let previous) = try assessment.assess(
                        member, fiscalYear: fy, decidedOn: day, city: city, cause: "income corrected by the tax master",
                        metadata: caused("assess/\(member)/\(fy.year)"))
                    {
                        result.reassessed.append(
                            .init(person: member, fiscalYear: fy, from: previous.annualPremium, to: e.annualPremium))
                    }
                } catch let error as KokiError {
                    result.notReassessed.append(.init(person: member, fiscalYear: fy, reason: error.message))
                } catch let error as LedgerError {
                    result.notReassessed.append(.init(person: member, fiscalYear: fy, reason: "\(error)"))
                }
            }
        }
        return result
    }

    struct Key: Hashable {
        var person: PersonID
        var year: Int
    }

    static func sameFigures(_ a: IncomeRecorded, _ b: IncomeRecorded) -> Bool {
        (a.publicPensionRevenue, a.salaryRevenue, a.otherIncome, a.totalIncome, a.declared)
            == (b.publicPensionRevenue, b.salaryRevenue, b.otherIncome, b.totalIncome, b.declared)
            && a.taxableIncome == b.taxableIncome
    }

    /// The person and everyone who shared a household with them on the fiscal year's first day or
    /// on `day`: whose premium the person's income decides (the household's reduction, 軽減).
    static func households(of person: PersonID, _ fy: FiscalYear, _ day: CivilDate, _ city: CitySnapshot) -> [PersonID]
    {
        var members = [person]
        guard let entry = city.register.person(person) else { return members }
        for date in [fy.firstDay, day] {
            guard let household = entry.household(on: date)?.household else { continue }
            for (member, _) in city.register.household(household, on: date) where !members.contains(member.id) {
                members.append(member.id)
            }
        }
        return members
    }

    /// Every person the register holds: the streams with a registration, read without decoding.
    func registeredPersons() throws -> Set<PersonID> {
        var query = EventQuery()
        query.types = [PersonRegistered.eventType]
        query.readsEnvelopes = false
        var persons = Set<PersonID>()
        try ledger.store.forEachEvent(query) { view in
            if let person = PersonID(streamName: view.stream.value) { persons.insert(person) }
        }
        return persons
    }

    /// Up to this many persons, a file's incomes in force are read from each person's own
    /// stream (about a millisecond each after ten years); beyond, from every income recorded, read
    /// by type once (a few seconds at Matsudo's size after ten years).
    static let incomesReadApart = 2_000

    /// The figures in force for each year of each of `persons`: the last recorded. From the city
    /// a process holds; in a fresh process, from each person's own stream when they are few
    /// (`readApartAtMost`) — a correction file costs its rows, not the ledger's years — else
    /// from every income recorded, read by type once.
    func latestIncomes(of persons: Set<PersonID>, readApartAtMost: Int = incomesReadApart) throws
        -> [Key: IncomeRecorded]
    {
        var latest: [Key: IncomeRecorded] = [:]
        func take(_ entry: InsuredRegister.Person?) {
            guard let entry else { return }
            for income in entry.income.values { latest[Key(person: income.person, year: income.year)] = income }
        }
        if ledger.hasCurrentCity {
            let city = try CitySnapshot(ledger)
            for person in persons { take(city.register.person(person)) }
            return latest
        }
        if persons.count <= readApartAtMost {
            for person in persons { take(try load(person).entry) }
            return latest
        }
        var query = EventQuery()
        query.types = [IncomeRecorded.eventType]
        query.readsEnvelopes = false
        try ledger.forEachEvent(query) { _, event in
            if case .incomeRecorded(let e) = event, persons.contains(e.person) {
                latest[Key(person: e.person, year: e.year)] = e
            }
        }
        return latest
    }

    /// The fiscal years whose annual assessment run is recorded.
    func yearsRun() throws -> Set<FiscalYear> {
        var query = EventQuery()
        query.types = [AssessmentRunRecorded.eventType]
        query.readsEnvelopes = false
        var years = Set<FiscalYear>()
        try ledger.forEachEvent(query) { _, event in
            if case .assessmentRunRecorded(let e) = event { years.insert(e.fiscalYear) }
        }
        return years
    }
}

extension IncomeRecorded {
    /// A year's figures from one of the tax system's files, recorded for `person` from `source`.
    public init(_ f: IncomeFigures, person: PersonID, source: String) {
        self.init(
            person: person, year: f.year, publicPensionRevenue: f.pensionRevenue, salaryRevenue: f.salaryRevenue,
            otherIncome: f.otherIncome, totalIncome: f.totalIncome, declared: f.declared, source: source,
            taxableIncome: f.taxableIncome)
    }
}

/// `income import FILE`: the tax system's yearly file of incomes (連携税マスタ), all rows or none.
public struct ImportIncomes: KokiRequest {
    public static let name = "income import"
    public static let function: AccessFunction? = .registerWrite

    public var file: String
    /// The day the file was received (default: today).
    public var on: CivilDate?

    public init(file: String, on: CivilDate?) { (self.file, self.on) = (file, on) }

    public func handle(_ scope: RequestScope) throws -> InsuredRegisterCommands.IncomeImport {
        let day = try InputLimits.decision(on ?? scope.today, today: scope.today, field: "--on")
        return try InsuredRegisterCommands(scope.ledger).importIncomes(
            [UInt8](try scope.read(file)), name: file, on: day, metadata: scope.metadata())
    }
}
