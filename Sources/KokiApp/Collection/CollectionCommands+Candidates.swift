import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// Who a city-wide run decides about, chosen without folding the city.
extension CollectionCommands {
    /// The persons a run may decide about, and how to get each one's state.
    struct Candidates {
        /// Everyone who may qualify, in order: a superset of those `state` gives a state for.
        var persons: [PersonID]
        /// The person's state when the run's own test picks them, else `nil` — loaded from their
        /// own stream when asked (a run holds one person at a time), or taken from the city a
        /// long-running process holds in memory.
        var state: (PersonID) throws -> PersonState?
        /// The arrears settings in force, if any were adopted.
        var settings: ArrearsSettings?
    }

    /// How the persons the stored balances point to and those with an event of the given types
    /// combine.
    enum Selection {
        /// Anyone either picks (the plan check: anyone with a plan; the prescription run: anyone
        /// owing, or with an overpayment).
        case either
        /// Only those both pick (a debit run: those with a mandate who owe something).
        case both
    }

    /// The persons whose accounts `exactly` picks. In a process that holds the city in memory
    /// (the simulation, the server), exactly those, from the city. Otherwise the candidates are
    /// the persons the stored balances' rows point to (the rows `balances` picks, picked out by
    /// the store; it must never leave out one `exactly` picks; `nil`: the balances are not read)
    /// and those with an event of `types`
    /// (found through the ledger's index by type; with `picking`, only those with such an event
    /// it picks; with `pickingLast`, only those with a thing whose last event, in position order,
    /// it picks — the thing named by the key it gives, such as a plan by its person and id, so a
    /// plan agreed and later completed picks nobody), combined by `selection`; each one's state is
    /// loaded at the ledger's head when asked, and `exactly` decides.
    ///
    /// `among`: the city's persons whose accounts are all `exactly` can pick, kept as the city
    /// folds (``CollectionAccounts/needingAttention`` where `exactly` picks only accounts that
    /// need attention, ``CollectionAccounts/withActivePlans`` where only those with a plan in
    /// force), so the city's candidates are looked for among those, not every account ever.
    func candidates(
        _ exactly: @escaping (CollectionAccounts.Account) -> Bool, balances: StoredBalances.Pick?,
        types: Set<String> = [], picking: ((KokiEvent) -> Bool)? = nil,
        pickingLast: ((KokiEvent) -> (key: String, picks: Bool)?)? = nil, selection: Selection = .either,
        among: KeyPath<CollectionAccounts, Set<PersonID>>? = nil
    ) throws -> Candidates {
        if ledger.hasCurrentCity {
            return try ledger.withCurrentCity { city in
                var states: [PersonID: PersonState] = [:]
                let accounts = city.collection.accounts
                if let among {
                    for person in city.collection[keyPath: among] {
                        guard let account = accounts[person], exactly(account) else { continue }
                        states[person] = PersonState(person, in: city)
                    }
                } else {
                    for (person, account) in accounts where exactly(account) {
                        states[person] = PersonState(person, in: city)
                    }
                }
                return Candidates(
                    persons: states.keys.sorted(), state: { states[$0] }, settings: city.collection.arrearsSettings)
            }
        }
        let head = try ledger.store.head().position
        let settings = try arrearsSettings(knownAt: .position(head))
        var byBalances: Set<PersonID>?
        if let balances {
            byBalances = Set(try StoredBalances(ledger).persons(balances, through: head).persons)
        }
        var byType: Set<PersonID>?
        if !types.isEmpty {
            var found = Set<PersonID>()
            var last: [String: (person: PersonID, picks: Bool)] = [:]
            var query = EventQuery.through(position: head)
            query.types = types
            query.readsEnvelopes = false
            try ledger.forEachEvent(query) { _, event in
                guard let person = event.person, picking?(event) ?? true else { return }
                guard let pickingLast else {
                    found.insert(person)
                    return
                }
                if let (key, picks) = pickingLast(event) { last[key] = (person, picks) }
            }
            for (person, picks) in last.values where picks { found.insert(person) }
            byType = found
        }
        let persons: Set<PersonID>
        switch (byBalances, byType, selection) {
        case (let a?, let b?, .both): persons = a.intersection(b)
        case (let a?, let b?, .either): persons = a.union(b)
        case (let a?, nil, _): persons = a
        case (nil, let b?, _): persons = b
        case (nil, nil, _): persons = []
        }
        return Candidates(
            persons: persons.sorted(),
            state: { person in
                let state = try load(person, knownAt: .position(head), settings: settings)
                return exactly(state.account) ? state : nil
            }, settings: settings)
    }
}
