import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// Arrears (滞納): the city's settings, dunning and reminder runs, contact records, and the
/// questions staff ask of a person in arrears — what is owed per period, for how long, the late
/// fee to date, when the right to collect expires — and one timeline of their history.
public struct ArrearsCommands: Sendable {
    public let ledger: KokiLedger
    public let vault: IdentityVault

    @_spi(Batch) public init(_ ledger: KokiLedger) {
        self.ledger = ledger
        vault = IdentityVault(ledger)
    }

    // MARK: - Settings

    @discardableResult
    public func adoptSettings(_ settings: ArrearsSettings, metadata: CommandMetadata) throws -> AppendResult {
        try ledger.record([.arrearsSettingsAdopted(ArrearsSettingsAdopted(settings: settings))], metadata: metadata)
    }

    static func settings(_ city: CitySnapshot) throws -> ArrearsSettings {
        try required(city.collection.arrearsSettings)
    }

    /// The settings, or the error saying none were adopted (runs and lists need them).
    static func required(_ settings: ArrearsSettings?) throws -> ArrearsSettings {
        guard let settings else {
            throw KokiError(
                .invalidInput,
                "no arrears settings adopted: adopt them with `koki arrears settings adopt` (the defaults, or a file)")
        }
        return settings
    }

    // MARK: - Dunning

    /// Everyone with a period due before `date` still owing principal, with their state as the
    /// ledger stands now, in order; and the arrears settings in force. A process that has folded
    /// the city already (a long-running one: the simulation) takes them from it; a fresh one (a
    /// command-line run) asks the stored balances who they are (the rows that say so, picked out
    /// by the store), keeps those whose arrears facts show such a period (read from the stored
    /// arrears, or folded and kept, as the delinquent list does), and loads only them, each from
    /// their own stream — proportional to who owes, not to the city's history.
    ///
    /// Each person's state is loaded as the run reaches them (`state`), so a run holds one
    /// person's account at a time however many owe. `undunned`: only those with such a period
    /// not yet dunned (the dunning run's: a debtor dunned for every period long ago is not gone
    /// through again at every run).
    func owing(before date: CivilDate, undunned: Bool = false) throws -> (
        persons: [PersonID], state: (PersonID) throws -> CollectionCommands.PersonState?, settings: ArrearsSettings
    ) {
        let exactly = { (account: CollectionAccounts.Account) -> Bool in
            // Only an unsettled period can owe: not every period of years of history is read;
            // whether it was dunned from the notices' periods, no notice decoded.
            account.unsettledPeriods.contains { key, period in
                period.dueDate < date && period.outstanding > .zero && !(undunned && account.wasDunned(key))
            }
        }
        guard !ledger.hasCurrentCity else {
            return try candidates(exactly, balances: .owing(dueBy: date.adding(days: -1)), among: \.needingAttention)
        }
        let position = try ledger.store.head().position
        let loader = CollectionCommands(ledger)
        let settings = try Self.required(try loader.arrearsSettings(knownAt: .position(position)))
        let due = StoredBalances.Pick.owing(dueBy: date.adding(days: -1))
        let owing = try StoredBalances(ledger).persons(due, through: position).persons
        let persons = try arrearsFacts(of: owing, at: position, atHead: true).filter { _, facts in
            facts.periods.contains { $0.mayBeDunned(before: date, undunned: undunned) }
        }.map(\.0).sorted()
        return (
            persons,
            { person in
                let state = try loader.load(person, knownAt: .position(position), settings: settings)
                return exactly(state.account) ? state : nil
            }, settings
        )
    }

    /// Those of `persons` whose death by `date` is recorded with no heirs' representative, as the
    /// stored register's heads say (a fresh process: they are passed by without loading their
    /// streams, a number that grows with every year the city keeps); none in a process holding
    /// the city, which has their state at hand. Each other person's own stream still decides.
    func diedUnrepresented(_ persons: [PersonID], by date: CivilDate) throws -> Set<PersonID> {
        guard !ledger.hasCurrentCity, !persons.isEmpty else { return [] }
        let heads = try StoredRegister(ledger.ports).heads(of: Set(persons))
        return Set(heads.compactMap { person, entry in entry.diedUnrepresented(by: date) != nil ? person : nil })
    }

    /// The arrears facts of `persons` as the ledger stands at `position`: at the head
    /// (`atHead`), those the stored arrears keep are read, the others folded from their own
    /// streams (shared among the cores from `readingApartFrom` persons on, a chunk's streams read
    /// together: one round trip on PostgreSQL) and kept for the next run; before it, all folded.
    func arrearsFacts(
        of persons: [PersonID], at position: Int64, atHead: Bool, readingApartFrom: Int = KokiLedger.personsReadApart
    ) throws -> [(PersonID, ArrearsFacts)] {
        let stored = StoredArrears(ledger.ports)
        let kept = atHead ? try stored.kept(persons, at: position) : nil
        let missing = kept.map { kept in persons.filter { kept[$0] == nil } } ?? persons
        let folded = try ledger.eachChunk(missing, through: position, readingApartFrom: readingApartFrom) {
            ledger, chunk -> [(PersonID, ArrearsFacts)] in
            let facts = try StoredArrears.folded(in: ledger.store, Array(chunk), through: position)
            return chunk.map { ($0, facts[$0] ?? ArrearsFacts(periods: [])) }
        }
        if kept != nil {
            try stored.keep(Dictionary(folded, uniquingKeysWith: { a, _ in a }), foldedThrough: position)
        }
        return (kept ?? [:]).map { ($0.key, $0.value) } + folded
    }

    /// The persons whose accounts `exactly` picks, and the arrears settings (which a run needs:
    /// none adopted is an error). See ``CollectionCommands/candidates(_:balances:types:picking:selection:among:)``.
    func candidates(
        _ exactly: @escaping (CollectionAccounts.Account) -> Bool, balances: StoredBalances.Pick?,
        types: Set<String> = [], among: KeyPath<CollectionAccounts, Set<PersonID>>? = nil
    ) throws -> (
        persons: [PersonID], state: (PersonID) throws -> CollectionCommands.PersonState?, settings: ArrearsSettings
    ) {
        let found = try CollectionCommands(ledger).candidates(
            exactly, balances: balances, types: types, among: among)
        return (found.persons, found.state, try Self.required(found.settings))
    }

    public struct DunningSummary: Sendable, Hashable, Codable {
        public var notices: [DunningNoticeIssued] = []
        /// Notices issued later than the window after the due date (the law says within 20 days).
        public var late: [DunningNoticeIssued] = []
        public var conflicts: [PersonID] = []
        /// Persons with a period past due and not yet dunned whose death is recorded with no
        /// heirs' representative (相続人代表者): no 督促
        /// is made to the dead (a letter nobody can receive has no effect); the counter asks their
        /// heirs. With a representative recorded, the 督促 goes to them.
        public var deceased: [PersonID] = []
        public var principal: Yen { notices.map(\.principal).sum() }
    }

    /// The dunning run for a date (督促): one notice per period past its due date, still unpaid,
    /// not dunned before and not reported paid at a convenience store, with the designated
    /// deadline and fee of the settings in force. Each person is one command; the run records
    /// itself. Running it again for the same date appends nothing; a later run issues only
    /// what is new.
    public func runDunning(on date: CivilDate, actor: String) throws -> DunningSummary {
        let calendar = try ledger.businessCalendar(around: date)
        try calendar.requireOpen(date, for: "a dunning run (督促)")
        let (persons, load, settings) = try owing(before: date, undunned: true)
        let dead = try diedUnrepresented(persons, by: date)
        // The designated deadline (指定期限): the days of the settings, moved off a closed day.
        let payBy = calendar.onOrAfter(date.adding(days: settings.payByDays))
        let run = Identifier(derivedFrom: Array("dunning-run/\(date)".utf8))
        var summary = DunningSummary()
        for person in persons {
            if dead.contains(person) {
                summary.deceased.append(person)
                continue
            }
            guard let state = try load(person) else { continue }
            let account = state.account
            // The heirs inherit what is owed: with their representative recorded, it is dunned
            // (to them); without, nobody would receive it.
            if state.entry?.diedUnrepresented(by: date) != nil {
                summary.deceased.append(person)
                continue
            }
            let pending = Set(account.pendingReports.map(\.key))
            var notices: [DunningNoticeIssued] = []
            // Only an unsettled period can owe, so only those are gone through, in order.
            let due = account.unsettledPeriods.sorted(by: { $0.key < $1.key }).filter { key, period in
                period.dueDate < date && period.outstanding > .zero && !account.wasDunned(key)
                    && !pending.contains(key) && !account.collectionHeld(key, on: date)
                    && !(state.assessment(key.fiscalYear) {
                        account.collectedByPension(
                            key, period, deducting: $0.pensionPeriods.contains(key.period), collection: $0.collection)
                    } ?? false)
            }
            // Whether they are prescribed: only the periods old enough to be are looked into, from
            // one pass over the account's payments and notices.
            for ((key, period), prescribed) in zip(due, account.arePrescribed(due.map(\.key), on: date, settings)) {
                guard !prescribed else { continue }
                notices.append(
                    DunningNoticeIssued(
                        person: person, fiscalYear: key.fiscalYear, period: key.period, principal: period.outstanding,
                        issuedOn: date, payBy: payBy, fee: settings.dunningFee))
            }
            guard !notices.isEmpty else { continue }
            let version = state.version
            do {
                try ledger.record(
                    notices.map { .dunningNoticeIssued($0) },
                    metadata: CommandMetadata(
                        commandID: Identifier(derivedFrom: Array("dunning/\(date)/\(person.value)".utf8)), actor: actor,
                        correlationID: run),
                    expecting: [person: .exact(version)])
            } catch let error as LedgerError where error.code == .wrongExpectedVersion {
                summary.conflicts.append(person)
                continue
            }
            summary.notices += notices
            summary.late += notices.filter {
                let due = account.periods[$0.key]!.dueDate
                return due.days(until: date) > settings.dunningWindowDays
            }
        }
        try ledger.record(
            [
                .arrearsRunRecorded(
                    ArrearsRunRecorded(
                        kind: .dunning, runOn: date, criteria: "unpaid after the due date, not dunned",
                        persons: Set(summary.notices.map(\.person)).count, notices: summary.notices.count,
                        amount: summary.principal))
            ], metadata: CommandMetadata(commandID: run, actor: actor, correlationID: run))
        return summary
    }

    // MARK: - Reminders

    /// Who a reminder run (催告) writes to: persons owing at least `minimumOwed` on periods
    /// already dunned, the oldest overdue at least `monthsOverdue` months.
    public struct ReminderCriteria: Sendable, Hashable, CustomStringConvertible {
        public var minimumOwed: Yen
        public var monthsOverdue: Int
        /// Leave out periods under an installment plan in force.
        public var excludePlanned: Bool

        public init(minimumOwed: Yen = Yen(1), monthsOverdue: Int = 1, excludePlanned: Bool = true) {
            self.minimumOwed = minimumOwed
            self.monthsOverdue = monthsOverdue
            self.excludePlanned = excludePlanned
        }

        public var description: String {
            "owing ≥ \(minimumOwed.amount) yen on dunned periods, oldest overdue ≥ \(monthsOverdue) month(s)"
                + (excludePlanned ? ", not under a plan" : "")
        }
    }

    public struct ReminderSummary: Sendable, Hashable, Codable {
        public var reminders: [ReminderIssued] = []
        public var conflicts: [PersonID] = []
        /// Persons owing whose death is recorded with no heirs' representative: no 催告 to the dead.
        public var deceased: [PersonID] = []
    }

    /// The reminder run for a date: one reminder per person meeting the criteria, naming the
    /// periods; recorded with the run. The same date again appends nothing.
    public func runReminders(on date: CivilDate, criteria: ReminderCriteria, actor: String) throws -> ReminderSummary {
        try ledger.businessCalendar(around: date).requireOpen(date, for: "a reminder run (催告)")
        let (persons, load, settings) = try owing(before: date)
        let dead = try diedUnrepresented(persons, by: date)
        let run = Identifier(derivedFrom: Array("reminder-run/\(date)/\(criteria)".utf8))
        var summary = ReminderSummary()
        for person in persons {
            if dead.contains(person) {
                summary.deceased.append(person)
                continue
            }
            guard let state = try load(person) else { continue }
            let account = state.account
            // The heirs inherit what is owed: with their representative recorded, it is dunned
            // (to them); without, nobody would receive it.
            if state.entry?.diedUnrepresented(by: date) != nil {
                summary.deceased.append(person)
                continue
            }
            let planned = criteria.excludePlanned ? Set(account.activePlans.flatMap(\.periods)) : []
            // Only an unsettled period can owe: not every period of years of history is read;
            // whether they are prescribed from one pass over the account's payments and notices,
            // for those old enough to be.
            let dunnedOwing = account.unsettledPeriods.filter { key, period in
                account.wasDunned(key) && !planned.contains(key) && period.outstanding > .zero
                    && !account.collectionHeld(key, on: date)
            }
            let prescribed = account.arePrescribed(dunnedOwing.map(\.key), on: date, settings)
            let periods = Dictionary(uniqueKeysWithValues: zip(dunnedOwing, prescribed).filter { !$1 }.map(\.0))
            guard let oldest = periods.values.map(\.dueDate).min(),
                oldest.adding(days: 1).endOfMonths(criteria.monthsOverdue) < date
            else { continue }
            let owed = periods.values.map(\.outstanding).sum()
            guard owed >= criteria.minimumOwed else { continue }
            let reminder = ReminderIssued(
                person: person, issuedOn: date, periods: periods.keys.sorted(), owed: owed,
                criteria: criteria.description)
            do {
                try ledger.record(
                    [.reminderIssued(reminder)],
                    metadata: CommandMetadata(
                        commandID: Identifier(derivedFrom: Array("reminder/\(date)/\(person.value)".utf8)),
                        actor: actor, correlationID: run),
                    expecting: [person: .exact(state.version)])
                summary.reminders.append(reminder)
            } catch let error as LedgerError where error.code == .wrongExpectedVersion {
                summary.conflicts.append(person)
            }
        }
        try ledger.record(
            [
                .arrearsRunRecorded(
                    ArrearsRunRecorded(
                        kind: .reminders, runOn: date, criteria: criteria.description,
                        persons: summary.reminders.count, notices: summary.reminders.count,
                        amount: summary.reminders.map(\.owed).sum()))
            ], metadata: CommandMetadata(commandID: run, actor: actor, correlationID: run))
        return summary
    }

    // MARK: - Contacts (折衝記録)

    /// The words of a contact record, sealed with the person's key (``KokiProjections/ContactWords``).
    public typealias ContactWords = KokiProjections.ContactWords

    /// Records a contact, amends one (a new version) or retracts one. The history keeps every
    /// version with its operator; `contacts(of:)` shows the versions in force.
    @discardableResult
    public func recordContact(
        _ person: PersonID, change: ContactRecorded.Change = .recorded, id: String? = nil, on date: CivilDate,
        method: ContactMethod, words: ContactWords, promisedOn: CivilDate? = nil, metadata: CommandMetadata
    ) throws -> ContactRecorded {
        let state = try self.person(person)
        let existing = Dictionary(grouping: state.account.contacts, by: \.id)
        let number: String
        switch change {
        case .recorded:
            guard !words.content.isEmpty else { throw KokiError(.invalidInput, "a contact record needs its content") }
            number = CollectionCommands.number("k", metadata.commandID)
        case .amended, .retracted:
            guard let id, let versions = existing[id] else {
                throw KokiError(.invalidInput, "\(person) has no contact record \(id ?? "(none given)")")
            }
            guard versions.last?.change != .retracted else {
                throw KokiError(.invalidInput, "contact record \(id) was retracted")
            }
            guard !words.reason.isEmpty else {
                throw KokiError(.invalidInput, "an amendment or retraction needs a reason")
            }
            number = id
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let sealed = try vault.seal(name: String(decoding: try encoder.encode(words), as: UTF8.self), for: person)
        let event = ContactRecorded(
            person: person, id: number, change: change, contactedOn: date, method: method, words: sealed,
            promisedOn: promisedOn)
        try ledger.record([.contactRecorded(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    /// One contact record's versions, opened.
    public struct Contact: Sendable, Hashable {
        public var id: String
        public var versions: [(event: ContactRecorded, words: ContactWords?)]

        /// The version in force: the last (a record always has its first; `nil` only for a value
        /// made by hand without one).
        public var current: (event: ContactRecorded, words: ContactWords?)? { versions.last }
        public var isRetracted: Bool { current?.event.change == .retracted }

        public static func == (lhs: Contact, rhs: Contact) -> Bool {
            lhs.id == rhs.id && lhs.versions.map(\.event) == rhs.versions.map(\.event)
        }
        public func hash(into hasher: inout Hasher) { hasher.combine(id) }
    }

    /// A person's contact records with every version, oldest first; words are `nil` once the
    /// person's key was erased.
    public func contacts(of person: PersonID) throws -> [Contact] {
        let account = try CollectionCommands(ledger).load(person).account
        var order: [String] = []
        var grouped: [String: [(ContactRecorded, ContactWords?)]] = [:]
        for event in account.contacts {
            if grouped[event.id] == nil { order.append(event.id) }
            let words = try vault.openName(event.words, for: person).map {
                try JSONDecoder().decode(ContactWords.self, from: Data($0.utf8))
            }
            grouped[event.id, default: []].append((event, words))
        }
        return order.map { Contact(id: $0, versions: grouped[$0]!.map { (event: $0.0, words: $0.1) }) }
    }

    // MARK: - Queries

    /// One period in arrears on a date.
    public struct PeriodArrears: Sendable, Hashable, Codable {
        public var key: PeriodKey
        public var dueDate: CivilDate
        public var assessed: Yen
        public var outstanding: Yen
        public var daysOverdue: Int
        /// The late fee to the date — final once the principal is paid off (確定延滞金); `nil`
        /// when none accrues or the rate table does not reach the date (`lateFeeProblem`).
        public var lateFee: LateFee?
        /// The late fee still owed: the final fee less payments and waivers, or the fee to date.
        public var lateFeeOwed: Yen
        public var lateFeeProblem: String?
        public var prescription: Prescription.Result
        public var dunnedOn: CivilDate?
        public var remindedOn: CivilDate?
        /// The period's fiscal year is closed: carried-forward arrears (滞納繰越).
        public var carriedForward = false
        /// The installment plan in force covering the period.
        public var plan: String?
        /// The last day of the deferment (徴収猶予) the period is under on the date, if any.
        public var deferredThrough: CivilDate?
    }

    /// The periods past due on `date` that still owe principal, or were paid late and bear a
    /// final late fee (確定延滞金, owed like a period of its own until late-fee payments are kept),
    /// decided from the account's ``ArrearsFacts``.
    static func arrears(_ account: CollectionAccounts.Account, on date: CivilDate, _ settings: ArrearsSettings)
        -> [PeriodArrears]
    {
        arrears(ArrearsFacts(account), on: date, settings)
    }

    /// The same from the facts alone (a stored person's, or an account's): every period the facts
    /// keep, by key, that is past due on `date` and owes principal or a late fee.
    static func arrears(_ facts: ArrearsFacts, on date: CivilDate, _ settings: ArrearsSettings) -> [PeriodArrears] {
        facts.periods.compactMap { period in
            guard period.dueDate < date && period.mayBeInArrears else { return nil }
            var fee: LateFee?
            var problem: String?
            do { fee = try period.lateFee(on: date, settings) } catch { problem = "\(error)" }
            // Once final (recorded), what is left of the late fee after payments and waivers.
            let feeOwed = period.lateFee > .zero ? period.lateFeeOutstanding : fee?.fee ?? .zero
            guard period.outstanding > .zero || feeOwed > .zero else { return nil }
            return PeriodArrears(
                key: period.key, dueDate: period.dueDate, assessed: period.assessed, outstanding: period.outstanding,
                daysOverdue: period.dueDate.days(until: date), lateFee: fee, lateFeeOwed: feeOwed,
                lateFeeProblem: problem, prescription: period.prescription(settings), dunnedOn: period.dunned.first,
                remindedOn: period.reminded.last, deferredThrough: period.deferment(on: date)?.through)
        }
    }

    /// A person's periods in arrears on a date — the world as it stood that day (only events
    /// effective by then), as the ledger knows it now or knew it at `knownAt` — with aging, late
    /// fee to date and prescription.
    public func arrears(of person: PersonID, on date: CivilDate, knownAt: KnownAt? = nil) throws -> [PeriodArrears] {
        let state = try CollectionCommands(ledger).load(person, knownAt: knownAt, asOf: date)
        guard let settings = state.settings else {
            throw KokiError(
                .invalidInput,
                "no arrears settings adopted\(knownAt.map { " as known at \($0)" } ?? ""): adopt them with `koki arrears settings adopt`"
            )
        }
        var closings = EventQuery.stream(try StreamName(FiscalYearClosed.streamName))
        knownAt?.limit(&closings)
        var closed = Set<FiscalYear>()
        try ledger.forEachEvent(closings) { _, event in
            if case .fiscalYearClosed(let e) = event, e.closedOn < date { closed.insert(e.fiscalYear) }
        }
        let account = state.account
        return Self.arrears(account, on: date, settings).map { p in
            var p = p
            p.carriedForward = closed.contains { $0 >= p.key.fiscalYear }
            p.plan = account.activePlans.first { $0.periods.contains(p.key) }?.id
            return p
        }
    }

    /// A row of the list of delinquent persons (滞納者一覧).
    public struct Delinquent: Sendable, Hashable, Codable {
        public var person: PersonID
        public var periods: Int
        public var owed: Yen
        public var lateFees: Yen
        public var oldestDue: CivilDate
        public var daysOverdue: Int
        public var nextPrescription: CivilDate
    }

    public enum DelinquentOrder: String, Sendable, Codable, CaseIterable {
        case amount, age, prescription
    }

    /// Everyone owing money past its due date on `date`, largest (or oldest, or nearest to
    /// prescription) first.
    public func delinquents(on date: CivilDate, order: DelinquentOrder = .amount, knownAt: KnownAt? = nil) throws
        -> [Delinquent]
    {
        try delinquents(on: date, order: order, knownAt: knownAt, readingApartFrom: KokiLedger.personsReadApart)
    }

    /// ``delinquents(on:order:knownAt:)``, the candidates shared among the cores from so many
    /// on (the tests share a small city's few; the benchmarks time one connection alone).
    @_spi(Batch) public func delinquents(
        on date: CivilDate, order: DelinquentOrder, knownAt: KnownAt?, readingApartFrom: Int
    ) throws -> [Delinquent] {
        let through: Int64? =
            switch knownAt {
            case nil: nil
            case .position(let p): p
            case .time(let t): try ledger.store.position(recordedBy: t)
            }
        // The stored balances pick out who may owe (proportional to the answer, not the city);
        // each of them is then decided exactly from their arrears facts. A process that holds
        // the city (the simulation, the server) picks them from its accounts instead, as the
        // balances' rows would: filling the stored balances from zero there took a pass of
        // every person's sums beside the city held (0.4 GB at ten years of Matsudo).
        let position: Int64
        let settings: ArrearsSettings
        let candidates: [PersonID]
        if through == nil, ledger.hasCurrentCity {
            (position, settings, candidates) = try ledger.withCurrentCity { city in
                let settings = try Self.required(city.collection.arrearsSettings)
                let persons = Self.mayBeInArrears(city.collection, on: date, rates: settings.chargeRates)
                return (city.position, settings, persons)
            }
        } else {
            position = try through ?? ledger.store.head().position
            settings = try Self.required(try CollectionCommands(ledger).arrearsSettings(knownAt: .position(position)))
            candidates = try StoredBalances(ledger).mayBeInArrears(
                on: date, rates: settings.chargeRates, through: position
            ).persons
        }
        // Each candidate decided from their facts: at the head, those the stored arrears keep are
        // read, the others folded from their own stream and kept for the next list.
        let facts = try arrearsFacts(
            of: candidates, at: position, atHead: through == nil, readingApartFrom: readingApartFrom)
        var rows = facts.compactMap { person, facts -> Delinquent? in
            let periods = Self.arrears(facts, on: date, settings).filter { !$0.prescription.isPrescribed(on: date) }
            guard let oldest = periods.map(\.dueDate).min(), let nearest = periods.map(\.prescription.lastDay).min()
            else { return nil }
            return Delinquent(
                person: person, periods: periods.count, owed: periods.map(\.outstanding).sum(),
                lateFees: periods.map(\.lateFeeOwed).sum(), oldestDue: oldest, daysOverdue: oldest.days(until: date),
                nextPrescription: nearest)
        }
        switch order {
        case .amount: rows.sort { ($1.owed, $0.person) < ($0.owed, $1.person) }
        case .age: rows.sort { ($0.oldestDue, $0.person) < ($1.oldestDue, $1.person) }
        case .prescription: rows.sort { ($0.nextPrescription, $0.person) < ($1.nextPrescription, $1.person) }
        }
        return rows
    }

    /// The persons of `accounts` who may be in arrears on `date` with late fees at `rates`: any
    /// of their accounts' rows by fiscal year says so (``YearBalance/mayBeInArrears(on:rates:)``),
    /// exactly the persons the stored balances' rows pick. In person order.
    static func mayBeInArrears(_ accounts: CollectionAccounts, on date: CivilDate, rates: ChargeRates?) -> [PersonID] {
        accounts.accounts.compactMap { person, account in
            YearBalance.rows(of: person, account).contains { $0.mayBeInArrears(on: date, rates: rates) } ? person : nil
        }.sorted()
    }

    // MARK: - History

    /// One line of a person's collection history (``CollectionHistory/Entry``).
    public typealias HistoryEntry = CollectionHistory.Entry

    /// A person's collection history: one timeline of assessments, payments and cancellations,
    /// dunning, reminders, contacts, overpayments, refunds, debits and convenience-store reports,
    /// in effective-date order (then as recorded), each with who recorded it and when — folded by
    /// ``CollectionHistory`` from the person's stream, with their contact records' words opened.
    public func history(of person: PersonID, knownAt: KnownAt? = nil, asOf: CivilDate? = nil) throws -> [HistoryEntry] {
        let contactWords = Dictionary(
            try contacts(of: person).flatMap { c in
                c.versions.map { (CollectionHistory.contactKey($0.event), $0.words) }
            }, uniquingKeysWith: { a, _ in a })
        var history = CollectionHistory(asOf: asOf, contactWords: contactWords)
        var query = EventQuery.stream(try StreamName(person.streamName))
        knownAt?.limit(&query)
        try ledger.forEachEvent(query) { view, event in
            history.apply(
                event, position: view.position, recordedAt: view.command.recordedAt.microseconds,
                actor: view.command.actor)
        }
        return history.timeline
    }
}
