import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// Assessment (賦課): adopting rate tables and calendars, assessing one person, and the annual
/// run. A decision is recorded with its inputs and every figure (``PremiumAssessed``); a later
/// change of any input makes the next assessment a reassessment (更正) that keeps the periods
/// already due and spreads the difference over the periods still to come.
public struct AssessmentCommands: Sendable {
    public let ledger: KokiLedger
    public let vault: IdentityVault

    @_spi(Batch) public init(_ ledger: KokiLedger) {
        self.ledger = ledger
        vault = IdentityVault(ledger)
    }

    // MARK: - Configuration

    @discardableResult
    public func adoptRates(_ table: RateTable, metadata: CommandMetadata) throws -> AppendResult {
        try ledger.record([.rateTableAdopted(RateTableAdopted(table: table))], metadata: metadata)
    }

    @discardableResult
    public func adoptCalendar(
        _ calendar: InstallmentCalendar, extraClosedDays: [CivilDate] = [], metadata: CommandMetadata
    ) throws -> AppendResult {
        // A year whose due dates cannot be dated is refused here, not met later by every reader.
        _ = try FiscalYear(calendar.fiscalYear)
        return try ledger.record(
            [
                .installmentCalendarAdopted(
                    InstallmentCalendarAdopted(calendar: calendar, extraClosedDays: extraClosedDays))
            ],
            metadata: metadata)
    }

    // MARK: - One person

    public enum Outcome: Sendable, Hashable {
        /// Not insured at any time in the fiscal year: nothing to assess.
        case notInsured
        /// The figure in force is still right: nothing recorded.
        case unchanged(PremiumAssessed)
        case assessed(PremiumAssessed)
        case reassessed(PremiumAssessed, previous: PremiumAssessed)
    }

    /// Assesses (or reassesses) one person for a fiscal year as of `decidedOn`.
    @discardableResult
    public func assess(_ person: PersonID, fiscalYear: FiscalYear, decidedOn: CivilDate, metadata: CommandMetadata)
        throws -> Outcome
    {
        let city = try neighbourhood(of: person, fiscalYear: fiscalYear)
        guard city.register.person(person) != nil else {
            throw KokiError.notInRegister(person)
        }
        return try assess(person, fiscalYear: fiscalYear, decidedOn: decidedOn, city: city, metadata: metadata)
    }

    /// What one person's assessment reads, and only that: their stream, the streams of everyone
    /// ever recorded in a household with them (found through the stored register), and the
    /// year's rate table and installment calendar, folded together in position order — the city
    /// as those streams make it, which is all ``decide(_:fiscalYear:decidedOn:city:vault:rates:adopting:)``
    /// reads of it. A fresh process assessing one person at the counter never folds the city;
    /// a process holding the city in memory uses it.
    func neighbourhood(of person: PersonID, fiscalYear fy: FiscalYear) throws -> CitySnapshot {
        if ledger.hasCurrentCity { return try CitySnapshot(ledger) }
        return try Neighbourhoods(ledger, fiscalYear: fy, around: person).city(of: person)
    }

    /// The city the decisions of a year read: the one a process holds in memory, or — in a
    /// fresh process — each person's neighbourhood.
    enum DecisionCity {
        case whole(CitySnapshot)
        case neighbourhoods(Neighbourhoods)

        /// The city in memory when the process holds it, else the year's neighbourhoods.
        init(_ ledger: KokiLedger, fiscalYear fy: FiscalYear) throws {
            self =
                ledger.hasCurrentCity
                ? .whole(try CitySnapshot(ledger)) : .neighbourhoods(try Neighbourhoods(ledger, fiscalYear: fy))
        }

        /// What the year's rate table and calendar are read from.
        var tables: CitySnapshot {
            switch self {
            case .whole(let city): city
            case .neighbourhoods(let near): near.tablesCity()
            }
        }

        /// Who is registered (the neighbourhoods' from the stored register's heads).
        var register: InsuredRegister {
            switch self {
            case .whole(let city): city.register
            case .neighbourhoods(let near): near.heads
            }
        }

        func city(of person: PersonID) throws -> CitySnapshot {
            switch self {
            case .whole(let city): city
            case .neighbourhoods(let near): try near.city(of: person)
            }
        }
    }

    /// Persons' neighbourhoods one after another, as the ledger stood when made: the register's
    /// heads and the year's tables read once, each person's own streams when asked — what the
    /// annual run in a fresh process decides from, holding one household at a time.
    struct Neighbourhoods {
        typealias Read = (position: Int64, stream: String, version: Int64, event: KokiEvent)
        let ledger: KokiLedger
        /// The ledger's head when made: every stream is read through it, as a city folded then.
        let head: Int64
        let heads: InsuredRegister
        let tables: [Read]

        init(_ ledger: KokiLedger, fiscalYear fy: FiscalYear) throws {
            try self.init(ledger, fiscalYear: fy, heads: { try InsuredRegisterCommands(ledger).heads() })
        }

        /// One person's neighbourhood alone: the heads of the person and of everyone ever in a
        /// household with them, found by key in the stored register (the whole register's heads
        /// only when the number is not an entry's own, a former number perhaps).
        init(_ ledger: KokiLedger, fiscalYear fy: FiscalYear, around person: PersonID) throws {
            try self.init(ledger, fiscalYear: fy) {
                let stored = StoredRegister(ledger.ports)
                guard let entry = try stored.heads(of: [person])[person] else { return try stored.heads() }
                var entries = [person: entry]
                for household in Set(entry.households.compactMap(\.household)).sorted() {
                    for member in try stored.everIn(household).persons.values { entries[member.id] = member }
                }
                return InsuredRegister(entries: entries.values.sorted { $0.id < $1.id })
            }
        }

        private init(_ ledger: KokiLedger, fiscalYear fy: FiscalYear, heads: () throws -> InsuredRegister) throws {
            self.ledger = ledger
            head = try ledger.store.head().position
            self.heads = try heads()
            tables = try Self.tables(ledger, fiscalYear: fy, through: head)
        }

        /// The year's rate tables and installment calendars as adopted through `head`: what a
        /// decision reads besides its neighbourhood.
        static func tables(_ ledger: KokiLedger, fiscalYear fy: FiscalYear, through head: Int64) throws -> [Read] {
            var tables: [Read] = []
            for stream in ["config/rates/\(fy.year)", "config/calendar/\(fy.year)"] {
                try read(ledger, stream, through: head, into: &tables)
            }
            return tables
        }

        /// Whom a decision on `person` reads: the person, the number their register entry is
        /// kept under, and everyone ever recorded in a household with them (`members`).
        static func persons(
            around person: PersonID, entry: InsuredRegister.Person?, members: (HouseholdID) -> Set<PersonID>
        ) -> Set<PersonID> {
            var persons: Set<PersonID> = [person]
            guard let entry else { return persons }
            persons.insert(entry.id)
            for membership in entry.households {
                if let household = membership.household { persons.formUnion(members(household)) }
            }
            return persons
        }

        static func read(_ ledger: KokiLedger, _ stream: String, through head: Int64, into events: inout [Read]) throws
        {
            var query = EventQuery.stream(try StreamName(stream))
            query.throughPosition = head
            try ledger.forEachEvent(query) { view, event in
                events.append((view.position, stream, view.streamVersion, event))
            }
        }

        /// The year's tables alone (what the run checks before anyone is assessed).
        func tablesCity() -> CitySnapshot { Self.city(folding: tables) }

        /// The city of these events alone, folded in position order.
        static func city(folding events: [Read]) -> CitySnapshot {
            var city = CitySnapshot()
            for e in events.sorted(by: { $0.position < $1.position }) {
                city.apply(e.event, position: e.position, stream: e.stream, version: e.version)
            }
            return city
        }

        func city(of person: PersonID) throws -> CitySnapshot {
            let persons = Self.persons(around: person, entry: heads.person(person), members: heads.everIn)
            var events = tables
            for member in persons.sorted() { try Self.read(ledger, member.streamName, through: head, into: &events) }
            return Self.city(folding: events)
        }
    }

    func assess(
        _ person: PersonID, fiscalYear fy: FiscalYear, decidedOn: CivilDate, city: CitySnapshot,
        cause: String? = nil, metadata: CommandMetadata
    ) throws -> Outcome {
        var outcome = try Self.decide(person, fiscalYear: fy, decidedOn: decidedOn, city: city, vault: vault)
        switch outcome {
        case .notInsured, .unchanged: return outcome
        case .assessed(var event), .reassessed(var event, _):
            if let cause, event.reason == .reassessment { event.cause = cause + "; " + event.cause }
            if case .reassessed(_, let previous) = outcome {
                outcome = .reassessed(event, previous: previous)
            } else {
                outcome = .assessed(event)
            }
            let version = city.version(of: person)
            try ledger.record(
                [.premiumAssessed(event)], metadata: metadata,
                expecting: [person: version == 0 ? .noStream : .exact(version)])
            return outcome
        }
    }

    /// The decision for a person and year on `city` as it stands — what `assess` would record —
    /// without recording it. `rates` replaces the table in force (a what-if).
    ///
    /// `adopting` is the union's figure the city decided is right (`koki union adopt`): it is
    /// the premium decided instead of koki's own, rescheduled as any reassessment. An adopted
    /// figure then stands — `assess` leaves it unchanged — until an input of the premium is
    /// recorded after it.
    static func decide(
        _ person: PersonID, fiscalYear fy: FiscalYear, decidedOn: CivilDate, city: CitySnapshot, vault: IdentityVault,
        rates override: RateTable? = nil, adopting union: UnionDecisionRecorded? = nil
    ) throws -> Outcome {
        let (rates, ratesPosition) = try override.map { ($0, Int64(0)) } ?? ratesInForce(fy, city)
        let (calendar, business) = try calendarInForce(fy, city)
        guard let (input, positions) = try premiumCase(person, fy, city, vault: vault) else { return .notInsured }
        let breakdown = try PremiumCalculator.calculate(input, rates: rates)
        // The breakdown stays koki's own (what `explain` shows); the premium is the union's when adopted.
        let computed = breakdown.premium
        let premium = union?.annualPremium ?? computed
        let previous = city.accounts.current(person, fy)
        if let previous, previous.annualPremium == premium { return .unchanged(previous) }
        if union == nil, override == nil, let previous, previous.reason == .unionAdopted,
            positions.allSatisfy(previous.inputPositions.contains)
        {
            return .unchanged(previous)
        }
        if let firstDue = calendar.dueDates(on: business).first {
            try AssessmentTimeLimit.check(
                fiscalYear: fy, firstDue: firstDue, decidedOn: decidedOn, previous: previous?.annualPremium,
                new: premium)
        }

        let installments: [Installment]
        let reason: PremiumAssessed.Reason
        var cause = ""
        var collection = previous?.collection ?? .ordinary
        var pensionPeriods = previous?.pensionPeriods ?? []
        if let previous {
            if previous.collection == .pensionDeduction {
                let schedule = try Self.pensionReschedule(
                    previous, to: premium, decidedOn: decidedOn, calendar: calendar, business: business)
                installments = schedule.installments
            } else {
                // A year paid ordinarily since its deduction stopped keeps the pension months
                // before the stop as the insurer was told: they are fixed, never raised.
                installments = try Self.reschedule(
                    previous.installments, to: premium, decidedOn: decidedOn, unit: calendar.roundingUnit,
                    calendar: business, fixed: Set(previous.pensionPeriods))
            }
            reason = union == nil ? .reassessment : .unionAdopted
            let newInputs = positions.filter { !previous.inputPositions.contains($0) }
            cause =
                "\(previous.annualPremium.amount) → \(premium.amount)"
                + (newInputs.isEmpty
                    ? "" : "; inputs recorded since: positions \(newInputs.map(String.init).joined(separator: ", "))")
                + (union.map { "; the union's figure adopted (\($0.source)); koki computes \(computed.amount)" } ?? "")
        } else {
            // The collection method is decided with the year's first assessment; a reassessment
            // keeps it (switching mid-year is an administrative process of its own).
            let entry = city.register.person(person)
            let facts = entry?.pension(of: fy.year)
            let newlyInsured = (entry?.eligibilityPeriods.first?.from ?? fy.firstDay) >= fy.firstDay
            let (method, why) = PensionDeduction.method(
                for: premium, facts: facts, newlyInsured: newlyInsured,
                switchedToDebit: entry?.debitSwitch.flatMap { $0 <= decidedOn ? $0 : nil })
            collection = method
            cause = why
            if method == .pensionDeduction, let facts {
                // April and June are what the insurer was told before April, where it was decided.
                let schedule = try Self.firstPensionSchedule(
                    premium: premium, told: entry?.pensionTold(of: fy.year) ?? [:],
                    previousFebruary: facts.previousFebruaryDeduction, fiscalYear: fy, decidedOn: decidedOn,
                    calendar: calendar, business: business)
                installments = schedule.installments
                pensionPeriods = schedule.pensionPeriods
            } else if let lastDue = calendar.dueDates(on: business).last, lastDue <= decidedOn {
                // Decided after the year's last due date (a newcomer assessed in April or May): a
                // period of its own (随時期), due at the end of the month after the decision — never
                // a due date already past.
                installments = [
                    try Self.extraPeriod(
                        afterPeriod: calendar.months.count, amount: premium, decidedOn: decidedOn,
                        calendar: business)
                ]
            } else {
                installments = calendar.installments(for: premium, decidedOn: decidedOn, calendar: business)
                    .map {
                        Installment(period: $0.period, dueDate: $0.dueDate, amount: $0.amount)
                    }
            }
            reason = input.acquiredOn == nil ? .annual : .joinedDuringYear
        }
        let event = PremiumAssessed(
            person: person, fiscalYear: fy, decidedOn: decidedOn, annualPremium: premium,
            installments: installments, ruleVersion: breakdown.calculator, reason: reason, cause: cause,
            rateTablePosition: ratesPosition, inputPositions: positions,
            breakdown: breakdown, collection: collection,
            pensionPeriods: pensionPeriods)
        return previous.map { .reassessed(event, previous: $0) } ?? .assessed(event)
    }

    /// A reassessment's schedule: periods due on or before the decision, and the `fixed` ones (a
    /// stopped year's pension months, as the insurer was told), keep their amounts; the rest of
    /// the new annual amount is split over the periods still to come (the first of them taking
    /// the remainder). An increase is never charged on a due date already past nor on a pension
    /// month: when no period is still to come it becomes a new period of its own (随時期), due at
    /// the end of the month after the decision or, the office being closed that day, the next
    /// open day — so its late fee runs from that day only. A decrease larger than what is still
    /// to come lowers the latest of the others, which the collection side then sees as overpaid
    /// (過誤納) and refunds or applies.
    static func reschedule(
        _ old: [Installment], to annual: Yen, decidedOn: CivilDate, unit: Int64, calendar: BusinessCalendar,
        fixed: Set<PeriodNumber> = []
    ) throws -> [Installment] {
        guard !old.isEmpty else { return [] }
        var past = old.filter { $0.dueDate <= decidedOn || fixed.contains($0.period) }
        var future = old.filter { $0.dueDate > decidedOn && !fixed.contains($0.period) }
        var remaining = annual - past.map(\.amount).sum()
        if remaining < .zero {
            for i in past.indices.reversed() where remaining < .zero {
                let cut = min(past[i].amount, -remaining)
                past[i].amount -= cut
                remaining += cut
            }
            remaining = .zero
        }
        if future.isEmpty {
            guard remaining > .zero else { return past }
            return past + [
                try extraPeriod(
                    afterPeriod: past.map(\.period.number).max() ?? 0, amount: remaining, decidedOn: decidedOn,
                    calendar: calendar)
            ]
        }
        let later = remaining.amount / Int64(future.count) / unit * unit
        for i in future.indices {
            future[i].amount = Yen(i == 0 ? remaining.amount - later * Int64(future.count - 1) : later)
        }
        // In the schedule's own order (a fixed month may fall between periods still to come).
        let amounts = Dictionary((past + future).map { ($0.period, $0.amount) }, uniquingKeysWith: { a, _ in a })
        return old.map { Installment(period: $0.period, dueDate: $0.dueDate, amount: amounts[$0.period] ?? $0.amount) }
    }

    /// The 随時期 of an increase decided after the year's last due date: the next period number,
    /// due on the last day of the month after the decision (moved to the next open day).
    static func extraPeriod(
        afterPeriod last: Int, amount: Yen, decidedOn: CivilDate, calendar: BusinessCalendar
    ) throws -> Installment {
        let period: PeriodNumber
        do { period = try PeriodNumber(last + 1) } catch {
            throw DomainError(
                .invalidPeriod,
                "an increase decided on \(decidedOn) needs a new period (随時期) after period \(last), "
                    + "but a year holds at most 24: decide it together with the year's earlier change")
        }
        let month = decidedOn.month == 12 ? 1 : decidedOn.month + 1
        let year = decidedOn.month == 12 ? decidedOn.year + 1 : decidedOn.year
        let endOfMonth = try CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))
        return Installment(period: period, dueDate: calendar.onOrAfter(endOfMonth), amount: amount)
    }

    /// ``reschedule(_:to:decidedOn:unit:calendar:)`` with 100-yen units and the national calendar,
    /// for property tests.
    public static func rescheduleForTests(
        _ old: [Installment], to annual: Yen, decidedOn: CivilDate, fixed: Set<PeriodNumber> = []
    ) throws -> [Installment] {
        try reschedule(old, to: annual, decidedOn: decidedOn, unit: 100, calendar: BusinessCalendar(), fixed: fixed)
    }

    // MARK: - The annual run

    public struct RunSummary: Sendable, Hashable, Codable {
        public var considered = 0
        public var assessedFirstTime = 0
        public var reassessed = 0
        public var unchanged = 0
        public var conflicts: [PersonID] = []
        /// Persons whose first assessment or increase the time limit on assessing no longer
        /// allows (期間制限): nothing recorded for them.
        public var pastTimeLimit: [PersonID] = []
    }

    /// Assesses everyone insured at any time in the fiscal year. Running it again changes
    /// nothing that is still right; each run is recorded with its counts.
    /// With `cause`, every reassessment records it first (e.g. the rule change it applies), and
    /// with `runID` the run's own record is idempotent.
    ///
    /// A process holding the city in memory decides everyone on it; a fresh process reads who
    /// was insured from the stored register and decides each person on their neighbourhood
    /// (their household's streams and the year's tables, as the ledger stood when the run
    /// began), holding one household at a time whatever the city's size.
    public func runAnnual(
        fiscalYear fy: FiscalYear, decidedOn: CivilDate, actor: String, cause: String? = nil, runID: Identifier? = nil
    ) throws -> RunSummary {
        let source = try DecisionCity(ledger, fiscalYear: fy)
        let tables = source.tables
        _ = try Self.ratesInForce(fy, tables)
        _ = try Self.calendarInForce(fy, tables)
        let persons = source.register.persons.values.sorted(by: { $0.id < $1.id })
        let run = runID ?? Identifier.random()
        var summary = RunSummary()
        for person in persons {
            guard person.eligibilityPeriods.contains(where: { $0.overlaps(fy) }) else { continue }
            summary.considered += 1
            let city = try source.city(of: person.id)
            do {
                switch try assess(
                    person.id, fiscalYear: fy, decidedOn: decidedOn, city: city, cause: cause,
                    metadata: CommandMetadata(
                        commandID: Identifier(
                            derivedFrom: Array("assess/\(run)/\(person.id.value)/\(city.version(of: person.id))".utf8)),
                        actor: actor, correlationID: run))
                {
                case .notInsured: summary.considered -= 1
                case .unchanged: summary.unchanged += 1
                case .assessed: summary.assessedFirstTime += 1
                case .reassessed: summary.reassessed += 1
                }
            } catch let error as LedgerError where error.code == .wrongExpectedVersion {
                // Someone changed the person during the run: the next run assesses them.
                summary.conflicts.append(person.id)
            } catch let error as DomainError where error.code == .pastTimeLimit {
                summary.pastTimeLimit.append(person.id)
            }
        }
        try ledger.record(
            [
                .assessmentRunRecorded(
                    AssessmentRunRecorded(
                        fiscalYear: fy, decidedOn: decidedOn, personsConsidered: summary.considered,
                        assessedFirstTime: summary.assessedFirstTime, reassessed: summary.reassessed,
                        unchanged: summary.unchanged))
            ], metadata: CommandMetadata(commandID: runID ?? Identifier.random(), actor: actor, correlationID: run))
        return summary
    }

    // MARK: - 仮徴収 (provisional pension deduction)

    /// What the provisional run decided, and the request file for the pension insurers.
    public struct ProvisionalRun: Sendable, Hashable, Codable {
        public var decided: [ProvisionalDeductionDecided] = []
        /// Deducted last February but no longer insured (or dead) by the decision: not asked for.
        public var leftOut: [PersonID] = []
        /// Deducted last February but asked to pay by bank debit instead: not asked for.
        public var switched: [PersonID] = []
        public var total: Yen { decided.map(\.amount).sum() }
        /// The request (特別徴収依頼) as CSV — `person,fiscal_year,month,amount`, a line for each
        /// provisional month (4, 6, 8) of each person decided — empty when nobody was.
        public var file: Data = Data()
        /// The file's SHA-256, hex, as recorded.
        public var digest: String = ""
    }

    /// The request file's header line.
    public static let provisionalRequestHeader = "person,fiscal_year,month,amount"

    /// Decides, before fiscal year `fy` begins, the provisional deduction (仮徴収: April, June,
    /// August) of everyone deducted from the pension last February and still insured: last
    /// February's deduction. The decisions and the request file for the insurers
    /// (`CollectionFileRecorded`, kind `pensionRequest`, with the file's digest) are one command;
    /// running it again decides only who is new.
    public func decideProvisional(fiscalYear fy: FiscalYear, on date: CivilDate, actor: String) throws -> ProvisionalRun
    {
        guard date < fy.firstDay else {
            throw KokiError(
                .invalidInput,
                "the provisional deduction of FY\(fy.year) is decided before it begins (by \(fy.firstDay.adding(days: -1)))"
            )
        }
        let previousYear = try FiscalYear(fy.year - 1)
        let deducted = try deductedLastYear(previousYear)
        var result = ProvisionalRun()
        for (person, last) in deducted.persons {
            guard let february = last.installments.last(where: { $0.dueDate.month == 2 }), february.amount > .zero
            else { continue }
            guard person.provisionalDeduction(of: fy.year) == nil else { continue }
            guard person.isInsured(on: date), person.diedOn == nil else {
                result.leftOut.append(person.id)
                continue
            }
            if let switched = person.debitSwitch, switched <= date {
                result.switched.append(person.id)
                continue
            }
            result.decided.append(
                ProvisionalDeductionDecided(
                    person: person.id, fiscalYear: fy, amount: february.amount, decidedOn: date,
                    basis: "\(JapaneseEra.format(fiscalYear: previousYear))2月の特別徴収額"))
        }
        guard !result.decided.isEmpty else { return result }
        var lines = [Self.provisionalRequestHeader]
        for d in result.decided {
            for month in [4, 6, 8] { lines.append("\(d.person.value),\(fy.year),\(month),\(d.amount.amount)") }
        }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        result.file = Data(bytes)
        result.digest = CollectionCommands.digest(bytes)
        let file = CollectionFileRecorded(
            kind: .pensionRequest, digest: result.digest, name: "pension-provisional-\(fy.year)", date: date,
            records: lines.count - 1, amount: result.total.times(3), accepted: result.decided.count, other: 0,
            duplicates: 0, unmatched: 0)
        // As a file the city sends or receives is: one command, its id derived from the file's digest.
        let decided = Set(result.decided.map(\.person))
        try CollectionCommands(ledger).appendImport(
            result.decided.map { .provisionalDeductionDecided($0) } + [.collectionFileRecorded(file)],
            versions: try deducted.versions(decided), digest: result.digest, kind: .pensionRequest, actor: actor)
        return result
    }

    /// Who was deducted from the pension in `year` (the assessment in force says so), each with
    /// their register entry and that assessment, by number; and their streams' versions as read,
    /// for the append that records decisions on them. From the city a process holds; in a fresh
    /// process from the stored premiums (the year's rows, then only the assessments in force) and
    /// those persons' register entries, a few thousand at a time.
    func deductedLastYear(_ year: FiscalYear) throws -> (
        persons: [(InsuredRegister.Person, PremiumAssessed)], versions: (Set<PersonID>) throws -> [PersonID: Int64]
    ) {
        var persons: [(InsuredRegister.Person, PremiumAssessed)] = []
        if !ledger.hasCurrentCity,
            let read = try StoredPremiums(ledger.ports).forEachSlice(
                of: year, reading: { [$0.current] },
                { slice, events in
                    var deducted: [PersonID: PremiumAssessed] = [:]
                    for case .premiumAssessed(let e) in events.values where e.collection == .pensionDeduction {
                        deducted[e.person] = e
                    }
                    let entries = try StoredRegister(ledger.ports).entries(of: Set(deducted.keys))
                    for y in slice {
                        guard let last = deducted[y.person], let entry = entries[y.person] else { continue }
                        persons.append((entry, last))
                    }
                })
        {
            let ledger = self.ledger
            return (persons, { decided in try Self.versions(of: decided, readAt: read, ledger) })
        }
        let city = try CitySnapshot(ledger)
        persons = city.register.persons.values.sorted(by: { $0.id < $1.id }).compactMap { person in
            city.accounts.current(person.id, year).flatMap { $0.collection == .pensionDeduction ? (person, $0) : nil }
        }
        return (persons, { decided in Dictionary(uniqueKeysWithValues: decided.map { ($0, city.version(of: $0)) }) })
    }

    // MARK: - Inputs

    static func ratesInForce(_ fy: FiscalYear, _ city: CitySnapshot) throws -> (RateTable, Int64) {
        guard let table = city.accounts.rateTables[fy.year], let position = city.rateTablePositions[fy.year] else {
            throw KokiError(
                .invalidInput,
                "no rate table adopted for FY\(fy.year): adopt one with `koki rates adopt --fiscal-year \(fy.year)`")
        }
        return (table, position)
    }

    static func calendarInForce(_ fy: FiscalYear, _ city: CitySnapshot) throws -> (
        InstallmentCalendar, BusinessCalendar
    ) {
        guard let adopted = city.accounts.calendars[fy.year] else {
            throw KokiError(
                .invalidInput,
                "no installment calendar adopted for FY\(fy.year): adopt one with `koki calendar adopt --fiscal-year \(fy.year)`"
            )
        }
        return (adopted.calendar, BusinessCalendar(extraClosedDays: Set(adopted.extraClosedDays)))
    }

    /// The calculation's input for a person and year from the register, and the positions of
    /// the events it read; `nil` when the person was not insured in the year.
    static func premiumCase(_ id: PersonID, _ fy: FiscalYear, _ city: CitySnapshot, vault: IdentityVault) throws
        -> (PremiumCase, [Int64])?
    {
        guard let person = city.register.person(id) else { return nil }
        let periods = person.eligibilityPeriods.filter { $0.overlaps(fy) }
        guard let first = periods.first, let last = periods.last else { return nil }
        let acquiredOn = first.from > fy.firstDay ? first.from : nil
        let lostOn = last.until.flatMap { $0 <= fy.lastDay ? $0 : nil }
        // The reduction is judged on 1 April, or on the acquisition date for a mid-year entry.
        let judgmentDate = acquiredOn ?? fy.firstDay
        let incomeYear = fy.year - 1
        let endOfIncomeYear = try CivilDate(year: incomeYear, month: 12, day: 31)

        func member(_ entry: InsuredRegister.Person, householder: Bool) throws -> PremiumCase.Member {
            let birth = try vault.open(entry.identity, for: entry.id)?.birthDate
            let income = entry.income(of: incomeYear).flatMap { recorded -> PremiumCase.Income? in
                guard recorded.declared else { return nil }  // 未申告: unknown
                return PremiumCase.Income(
                    totalIncome: recorded.totalIncome, publicPensionRevenue: recorded.publicPensionRevenue,
                    salaryRevenue: recorded.salaryRevenue)
            }
            return PremiumCase.Member(
                label: entry.id.value, householder: householder, insured: entry.isInsured(on: judgmentDate),
                aged65OrOver: birth.map { $0.age(on: endOfIncomeYear) >= 65 } ?? true, income: income)
        }

        var positions = city.inputPositions[person.id] ?? []
        var household: [PremiumCase.Member] = []
        let membership = person.household(on: judgmentDate)
        if let home = membership?.household {
            for (other, role) in city.register.household(home, on: judgmentDate) where other.id != person.id {
                guard role == .householder || other.isInsured(on: judgmentDate) else { continue }
                household.append(try member(other, householder: role == .householder))
                positions += city.inputPositions[other.id] ?? []
            }
        }
        var assessed = try member(person, householder: membership?.role == .householder)
        assessed.insured = true
        let formerDependantJoinedOn = person.formerDependant.flatMap { fd in
            person.eligibilityPeriods.first { $0.from > fd.dependantUntil }?.from
        }
        let input = PremiumCase(
            fiscalYear: fy.year, person: assessed, household: household, acquiredOn: acquiredOn, lostOn: lostOn,
            firstInsuredOn: person.eligibilityPeriods.first?.from, formerDependantJoinedOn: formerDependantJoinedOn,
            insuredSpans: periods.count > 1
                ? periods.map {
                    .init(
                        from: $0.from > fy.firstDay ? $0.from : nil,
                        until: $0.until.flatMap { $0 <= fy.lastDay ? $0 : nil })
                }
                : nil)
        return (input, positions.sorted())
    }
}
