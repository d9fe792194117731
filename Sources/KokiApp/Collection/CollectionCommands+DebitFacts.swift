import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

extension CollectionCommands {
    /// What a debit request decides from for one payer with a mandate in force on the debit date:
    /// the same facts whether they come from the stored debit states or from the payer's stream.
    struct DebitFacts {
        var person: PersonID
        /// The mandate in force on the debit date.
        var mandate: CollectionAccounts.Mandate
        var died: CivilDate?
        var prepayment: CivilDate?
        /// The latest debit date ever requested for the payer.
        var lastRequested: CivilDate?
        /// The periods with premium still owing that a debit on the day could ask for (``askable``),
        /// with their sums, by key.
        var owing: [(key: PeriodKey, period: CollectionAccounts.Period)]
        /// Whether a period is collected by debit on the day: collected ordinarily (not from the
        /// pension), not reported paid at a convenience store, not deferred (徴収猶予).
        var collectedByDebit: (PeriodKey) -> Bool
        /// The payer's stream version the facts reflect (the request's append expects it).
        var version: Int64
    }

    /// The facts of every payer with a mandate in force on `date` who owes a period the day could
    /// ask for, by
    /// number: from the stored debit states (a state that cannot follow its payer exactly, from
    /// their stream) in a ledger file; from the city a process holds, or from each candidate's
    /// stream, elsewhere. `fromStore: false` takes the second way everywhere (the reference the
    /// tests hold the first to).
    func debitFacts(on date: CivilDate, fromStore: Bool = true) throws -> [DebitFacts] {
        try debitPayers(on: date, fromStore: fromStore).facts
    }

    /// ``debitFacts(on:fromStore:)``, with the stored debit states they were taken from and the
    /// position those reflect (`nil` where they were not): a request writes its own events into
    /// those (``StoredDebits/advance(_:readAt:appended:events:)``).
    func debitPayers(on date: CivilDate, fromStore: Bool = true) throws -> (
        facts: [DebitFacts], stored: (states: [PersonID: DebitState], position: Int64)?
    ) {
        if fromStore, !ledger.hasCurrentCity, let stored = try StoredDebits(ledger.ports).states() {
            var facts: [DebitFacts] = []
            for (person, state) in stored.states.sorted(by: { $0.key < $1.key }) {
                // Mandates are followed exactly even where the periods are not.
                guard let mandate = state.mandate(on: date) else { continue }
                guard state.isExact else {
                    let streamed = try load(person, knownAt: .position(stored.position), settings: nil)
                    if let found = Self.debitFacts(streamed, on: date), !found.owing.isEmpty { facts.append(found) }
                    continue
                }
                let owing =
                    try StoredDebits.damage(person.value) { try state.owing() }?.filter {
                        Self.askable($0.period, on: date, prepayment: state.prepayment)
                    } ?? []
                guard !owing.isEmpty else { continue }
                facts.append(
                    DebitFacts(
                        person: person, mandate: mandate, died: state.diedOn, prepayment: state.prepayment,
                        lastRequested: state.lastRequested, owing: owing.sorted { $0.key < $1.key },
                        collectedByDebit: { state.method(of: $0) == .ordinary && !state.deferred($0, on: date) },
                        version: state.version))
            }
            return (facts, stored)
        }
        let found = try candidates(
            { $0.mandate(on: date) != nil }, balances: .above(zero: .outstanding),
            types: [DebitMandateStarted.eventType], selection: .both, among: \.needingAttention)
        let facts = try found.persons.compactMap { person in
            try found.state(person).flatMap { Self.debitFacts($0, on: date) }
        }
        return (facts.filter { !$0.owing.isEmpty }, nil)
    }

    /// Whether a debit on `date` could ask for a period: due that day, or due later for a payer
    /// who chose 全期前納 by then (whether the year offers it the request decides).
    static func askable(_ period: CollectionAccounts.Period, on date: CivilDate, prepayment: CivilDate?) -> Bool {
        period.dueDate == date || (period.dueDate > date && prepayment.map { $0 <= date } == true)
    }

    /// A payer's facts from their folded state (`nil`: no mandate in force on `date`).
    static func debitFacts(_ state: PersonState, on date: CivilDate) -> DebitFacts? {
        let account = state.account
        guard let mandate = account.mandate(on: date) else { return nil }
        let pending = Set(account.pendingReports.map(\.key))
        return DebitFacts(
            person: state.person, mandate: mandate, died: state.entry?.diedOn, prepayment: account.prepayment,
            lastRequested: account.lastDebitRequested,
            // A period still owing is unsettled: not every period of years of history is read.
            owing: account.unsettledPeriods.filter {
                $0.value.outstanding > .zero && askable($0.value, on: date, prepayment: account.prepayment)
            }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            collectedByDebit: { key in
                state.assessment(key.fiscalYear, { $0.method(of: key.period) }) == .ordinary && !pending.contains(key)
                    && account.deferral(key, on: date) == nil
            }, version: state.version)
    }

    /// What the mandate run decides from for one person with a mandate or an application.
    struct MandateFacts {
        var person: PersonID
        var version: Int64
        var died: CivilDate?
        var mandates: [CollectionAccounts.Mandate]
        /// Each application as it stands, in the order first recorded.
        var applications: [DebitState.Application]
    }

    /// The facts of everyone with a mandate or an application, by number: from the stored debit
    /// states in a ledger file (deaths too); from the city a process holds (each account and
    /// register entry as it is, no person's state built), or each candidate's stream, elsewhere. `fromStore: false` takes the second way everywhere.
    ///
    /// `actingOn`: in a process holding the city, only those a run on that day could act on (an
    /// application received and not yet sent, or a death by then with a mandate): the others,
    /// every payer who ever had a mandate, more each year, are passed by without their facts.
    func mandateFacts(fromStore: Bool = true, actingOn date: CivilDate? = nil) throws -> [MandateFacts] {
        if fromStore, !ledger.hasCurrentCity, let stored = try StoredDebits(ledger.ports).states() {
            return stored.states.sorted { $0.key < $1.key }.compactMap { person, state in
                guard !state.mandates.isEmpty || !state.applications.isEmpty else { return nil }
                return MandateFacts(
                    person: person, version: state.version, died: state.diedOn, mandates: state.mandates,
                    applications: state.applications)
            }
        }
        if ledger.hasCurrentCity {
            // Straight from each account and register entry: the run is monthly, and every payer
            // who ever had a mandate (the dead among them) is a candidate, more each year.
            return try ledger.withCurrentCity { city in
                city.collection.accounts.compactMap { person, account -> MandateFacts? in
                    if let date, !account.hasApplicationReceivedOnly {
                        guard !account.mandates.isEmpty, let died = city.register.person(person)?.diedOn, died <= date
                        else { return nil }
                    }
                    let current = account.currentApplications
                    guard !account.mandates.isEmpty || !current.isEmpty else { return nil }
                    return MandateFacts(
                        person: person, version: city.version(of: person),
                        died: city.register.person(person)?.diedOn, mandates: account.mandates,
                        applications: Self.applications(current, of: account))
                }.sorted { $0.person < $1.person }
            }
        }
        let found = try candidates(
            { !$0.mandates.isEmpty || !$0.currentApplications.isEmpty }, balances: nil,
            types: [DebitApplicationRecorded.eventType, DebitMandateStarted.eventType])
        return try found.persons.compactMap { person in
            guard let state = try found.state(person) else { return nil }
            let account = state.account
            return MandateFacts(
                person: person, version: state.version, died: state.entry?.diedOn, mandates: account.mandates,
                applications: Self.applications(account.currentApplications, of: account))
        }
    }

    /// Each application as it stands (`current`, the account's last change of each), with
    /// whether it was received and the account it was received with.
    private static func applications(
        _ current: [DebitApplicationRecorded], of account: CollectionAccounts.Account
    ) -> [DebitState.Application] {
        current.map { application in
            DebitState.Application(
                id: application.id, change: application.change, on: application.on,
                received: account.debitApplications.contains { $0.id == application.id && $0.change == .received },
                account: account.applicationAccount(application.id))
        }
    }
}
