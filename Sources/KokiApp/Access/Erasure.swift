import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// Erasure after retention (消去): a person whose last eligibility ended `retentionYears` ago,
/// with nothing owed, refundable or pending, is erased by recording ``PersonErased`` and then
/// deleting their key. Their identity, bank account and My Number become unreadable forever;
/// their amounts stay in the city's accounts, and `verify` and `rebuild` still pass.
public struct Erasure: Sendable {
    public let ledger: KokiLedger

    public init(_ ledger: KokiLedger) { self.ledger = ledger }

    public struct Candidate: Sendable, Hashable, Codable {
        public var person: PersonID
        public var eligibilityEnded: CivilDate
        /// The first day they may be erased.
        public var dueFrom: CivilDate
        /// Why they may not be erased yet, or `nil` when they may.
        public var blocker: String?
    }

    /// Whether and when this person may be erased; `nil` when they are insured, were never
    /// insured, or are erased already.
    public static func candidate(_ state: CollectionCommands.PersonState, retentionYears: Int, on date: CivilDate)
        -> Candidate?
    {
        guard let entry = state.entry, entry.erased == nil, let last = entry.eligibilityPeriods.last,
            let ended = last.until
        else { return nil }
        let due = retentionEnds(ended, years: retentionYears)
        var blocker: String?
        let account = state.account
        let owed = account.periods.values.reduce(Yen.zero) { $0 + $1.outstanding + $1.lateFeeOutstanding }
        let open = account.overpayments.reduce(Yen.zero) { $0 + $1.open }
        let unpaid = account.refunds.filter { $0.paid == nil }.reduce(Yen.zero) { $0 + $1.decision.amount }
        if date < due {
            blocker = "retention runs until \(due)"
        } else if owed > .zero {
            blocker = "owes \(owed.amount) yen"
        } else if open > .zero || unpaid > .zero {
            blocker = "has \((open + unpaid).amount) yen to refund"
        } else if !account.activePlans.isEmpty {
            blocker = "has an installment plan in force"
        }
        return Candidate(person: state.person, eligibilityEnded: ended, dueFrom: due, blocker: blocker)
    }

    /// Every person whose retention has run out on `date`, with what still holds each back: the
    /// register says whose eligibility ended long enough ago, and only their own streams are read
    /// for money still open — as the ledger stands at its head now, shared among the cores (each
    /// on a reader of its own) when they are many, in the order of their numbers.
    public func due(on date: CivilDate, retentionYears: Int) throws -> [Candidate] {
        try due(on: date, retentionYears: retentionYears, readingApartFrom: KokiLedger.personsReadApart)
    }

    /// ``due(on:retentionYears:)``, shared among readers from so many persons on.
    func due(on date: CivilDate, retentionYears: Int, readingApartFrom: Int) throws -> [Candidate] {
        // Eligibility and erasure are in the entries' heads.
        let register = try InsuredRegisterCommands(ledger).heads()
        let persons = register.persons.sorted(by: { $0.key < $1.key }).compactMap { person, entry -> PersonID? in
            guard entry.erased == nil, let ended = entry.eligibilityPeriods.last?.until,
                Self.retentionEnds(ended, years: retentionYears) <= date
            else { return nil }
            return person
        }
        // A process holding the city reads each from it; otherwise each stream through the head.
        let head = try ledger.store.head().position
        let knownAt: KnownAt? = ledger.hasCurrentCity ? nil : .position(head)
        let readingApart = ledger.hasCurrentCity ? Int.max : readingApartFrom
        return try ledger.eachChunk(persons, through: head, readingApartFrom: readingApart) { ledger, chunk in
            let commands = CollectionCommands(ledger)
            return try chunk.compactMap { person in
                Self.candidate(
                    try commands.load(person, knownAt: knownAt, settings: nil), retentionYears: retentionYears,
                    on: date)
            }
        }
    }

    /// The first day after `years` of retention from `ended` (29 February → 28 February).
    static func retentionEnds(_ ended: CivilDate, years: Int) -> CivilDate {
        (try? CivilDate(year: ended.year + years, month: ended.month, day: ended.day))
            ?? (try? CivilDate(year: ended.year + years, month: ended.month, day: 28))
            ?? ended.adding(days: 365 * years)
    }

    /// Erases one person: refused (naming why) unless their retention ran out and no money is open.
    @discardableResult
    public func erase(_ person: PersonID, on date: CivilDate, retentionYears: Int, metadata: CommandMetadata) throws
        -> PersonErased
    {
        let state = try CollectionCommands(ledger).load(person)
        guard state.entry != nil else { throw KokiError.notInRegister(person) }
        if let erased = state.entry?.erased {
            // Recorded, but the key outlived a crash: finish the erasure.
            if try IdentityVault(ledger).erase(person) { return erased }
            throw KokiError(.invalidInput, "\(person) was erased already (\(erased.decidedOn))")
        }
        guard let candidate = Self.candidate(state, retentionYears: retentionYears, on: date) else {
            throw KokiError(.invalidInput, "\(person) is insured or never was: nothing to erase")
        }
        if let blocker = candidate.blocker {
            throw KokiError(.invalidInput, "\(person) may not be erased: \(blocker)")
        }
        let event = PersonErased(
            person: person, eligibilityEnded: candidate.eligibilityEnded, retentionYears: retentionYears,
            decidedOn: date)
        // The record first: a crash between the two leaves a recorded erasure whose key a rerun deletes.
        try ledger.record([.personErased(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        try IdentityVault(ledger).erase(person)
        return event
    }
}
