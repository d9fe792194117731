import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// The register's commands (資格管理): each loads the person's stream, applies the rules, and
/// appends its events expecting the stream at the version it read — so two operators changing
/// one person at once cannot both decide on stale state. A refused command appends nothing and
/// throws ``KokiError`` naming the field and the value.
///
/// ```swift
/// let register = InsuredRegisterCommands(ledger)
/// try register.register(person, identity: identity, metadata: CommandMetadata(actor: "op-001"))
/// try register.acquire(person, reason: .reachedAge75, on: birthday, today: today, metadata: …)
/// ```
public struct InsuredRegisterCommands: Sendable {
    public let ledger: KokiLedger
    public let vault: IdentityVault

    @_spi(Batch) public init(_ ledger: KokiLedger) {
        self.ledger = ledger
        vault = IdentityVault(ledger)
    }

    /// A person's register entry as it stands now (folded from their stream, or taken from the
    /// city a process holds), and the stream's version.
    public func load(_ person: PersonID) throws -> (entry: InsuredRegister.Person?, version: Int64) {
        try ledger.currentEntry(of: person)
    }

    /// One person as the register has them (as known at a position), by their number or a former
    /// one: only their own stream is folded, never the city.
    public func person(_ number: PersonID, through position: Int64? = nil) throws -> InsuredRegister.Person? {
        func read(_ person: PersonID) throws -> InsuredRegister.Person? {
            var register = InsuredRegister()
            var query = EventQuery.stream(try StreamName(person.streamName))
            query.throughPosition = position
            query.readsEnvelopes = false
            try ledger.forEachEvent(query) { _, event in register.apply(event) }
            return register.persons[person]
        }
        if let own = try read(number) { return own }
        var query = EventQuery()
        query.types = [PersonNumbersLinked.eventType]
        query.throughPosition = position
        var linked: PersonID?
        try ledger.forEachEvent(query) { _, event in
            if case .personNumbersLinked(let e) = event, e.formerNumber == number { linked = e.person }
        }
        return try linked.flatMap(read)
    }

    /// The whole register as it stands (the stored read model in the ledger file, caught up
    /// first; no fold of the city's history), or as known at a position (folded from the
    /// register's events).
    public func snapshot(through position: Int64? = nil) throws -> InsuredRegister {
        try StoredRegister(ledger.ports).register(through: position).register
    }

    /// The register's entries without their tails (no incomes, pension facts or union decisions:
    /// ``StoredRegister/heads()``), as it stands: what a list of persons reads.
    public func heads() throws -> InsuredRegister {
        try StoredRegister(ledger.ports).heads()
    }

    /// The heads of everyone ever recorded in a household, as the register stands: from the
    /// stored read model, decoding only theirs (``StoredRegister/everIn(_:)``).
    public func everIn(_ household: HouseholdID) throws -> InsuredRegister {
        try StoredRegister(ledger.ports).everIn(household)
    }

    /// Everyone insured on `date`, by number: as the register stands (from the stored read model,
    /// decoding only the heads of the entries whose eligibility spans the date), or as known at a
    /// position.
    public func insured(on date: CivilDate, through position: Int64? = nil) throws -> [StoredRegister.Insured] {
        guard let position else { return try StoredRegister(ledger.ports).insured(on: date) }
        return try snapshot(through: position).insured(on: date).compactMap { StoredRegister.Insured($0, on: date) }
    }

    // MARK: - Persons

    @discardableResult
    public func register(
        _ person: PersonID, identity: PersonIdentity, household: (HouseholdID, HouseholdRole, CivilDate)? = nil,
        metadata: CommandMetadata
    ) throws -> AppendResult {
        let (existing, version) = try load(person)
        guard existing == nil else {
            throw KokiError(.invalidInput, "person \(person) is already registered")
        }
        var events: [KokiEvent] = [
            .personRegistered(PersonRegistered(person: person, identity: try vault.seal(identity, for: person)))
        ]
        if let (id, role, since) = household {
            events.append(
                .householdMembershipRecorded(
                    HouseholdMembershipRecorded(person: person, household: id, role: role, effectiveOn: since)))
        }
        return try append(events, person, version, metadata)
    }

    /// Replaces the identity with a corrected one; fields not given keep their current value.
    @discardableResult
    public func correct(
        _ person: PersonID, reason: String, metadata: CommandMetadata, _ change: (inout PersonIdentity) throws -> Void
    ) throws -> AppendResult {
        let (entry, version) = try loadExisting(person)
        guard var identity = try vault.open(entry.identity, for: person) else {
            throw KokiError(.invalidInput, "person \(person) was erased; their identity cannot be corrected")
        }
        try change(&identity)
        let validated = try PersonIdentity(
            nameKanji: identity.nameKanji, nameKana: identity.nameKana, birthDate: identity.birthDate,
            sex: identity.sex, address: identity.address, phone: identity.phone, postalCode: identity.postalCode)
        try requireText(reason, field: "reason")
        return try append(
            [
                .personIdentityCorrected(
                    PersonIdentityCorrected(
                        person: person, identity: try vault.seal(validated, for: person), reason: reason))
            ], person, version, metadata)
    }

    /// Records who receives the person's mail in `role` from `from` (送付先, 代理人, 相続人代表者),
    /// sealed with their key; `nil` ends the role. An heir representative only after a recorded
    /// death; a mailing address or an agent only while the person lives.
    @discardableResult
    public func recordMailRecipient(
        _ person: PersonID, role: MailRecipient.Role, _ recipient: MailRecipient?, from: CivilDate,
        metadata: CommandMetadata
    ) throws -> AppendResult {
        let (entry, version) = try loadExisting(person)
        if entry.erased != nil { throw KokiError(.invalidInput, "person \(person) was erased") }
        if recipient != nil {
            switch (role, entry.diedOn) {
            case (.heirRepresentative, nil):
                throw KokiError(
                    .invalidInput,
                    "no death is recorded for \(person): an heir representative (相続人代表者) is recorded after it")
            case (.mailingAddress, let died?), (.agent, let died?):
                throw KokiError(
                    .invalidInput,
                    "\(person) died on \(died): their mail goes to an heir representative (--role heir-representative)")
            default: break
            }
        } else if entry.mailRecipients[role] == nil {
            throw KokiError(.invalidInput, "\(person) has no \(role.title) (\(role.rawValue)) to end")
        }
        let sealed = try recipient.map { try vault.seal($0, for: person) }
        return try append(
            [.mailRecipientRecorded(MailRecipientRecorded(person: person, role: role, recipient: sealed, from: from))],
            person, version, metadata)
    }

    /// The identity in the clear, or `nil` if the person was erased.
    public func identity(of entry: InsuredRegister.Person) throws -> PersonIdentity? {
        try vault.open(entry.identity, for: entry.id)
    }

    /// A vault to open `persons`' identities with: each key read when needed for a few, their
    /// keys read at once (one query) for a list.
    public func vault(opening persons: some Collection<PersonID>) throws -> IdentityVault {
        try vault.opening(persons, in: ledger)
    }

    /// Records the person's My Number, sealed under their key, with the keyed digest that finds
    /// them by it. A number already recorded for someone else is refused, naming no number.
    @discardableResult
    public func recordMyNumber(_ number: MyNumber, for person: PersonID, metadata: CommandMetadata) throws
        -> AppendResult
    {
        let (entry, version) = try loadExisting(person)
        guard entry.erased == nil else { throw KokiError(.invalidInput, "\(person) was erased") }
        let sealed = try vault.seal(myNumber: number, for: person)
        return try append(
            [.myNumberRecorded(MyNumberRecorded(person: person, sealed: sealed))], person, version, metadata)
    }

    /// The person's My Number in the clear, or `nil` when none is recorded or they were erased.
    public func myNumber(of person: PersonID) throws -> MyNumber? {
        let (entry, _) = try loadExisting(person)
        guard let sealed = entry.myNumber else { return nil }
        return try vault.openMyNumber(sealed, for: person)
    }

    /// Links a former number to this person: queries by either number find them.
    @discardableResult
    public func link(_ person: PersonID, formerNumber: PersonID, metadata: CommandMetadata) throws -> AppendResult {
        guard formerNumber != person else {
            throw KokiError(.invalidInput, "--former \(formerNumber) is the person's own number")
        }
        let (entry, version) = try loadExisting(person)
        guard !entry.formerNumbers.contains(formerNumber) else {
            throw KokiError(.invalidInput, "\(formerNumber) is already linked to \(person)")
        }
        let register = try snapshot()
        if let other = register.formerNumbers[formerNumber], other != person {
            throw KokiError(.invalidInput, "\(formerNumber) is already linked to \(other)")
        }
        return try append(
            [.personNumbersLinked(PersonNumbersLinked(person: person, formerNumber: formerNumber))], person, version,
            metadata)
    }

    // MARK: - Households

    /// From `effectiveOn`, the person is in `household` with `role` (or in none, when `nil`).
    @discardableResult
    public func recordHousehold(
        _ person: PersonID, household: HouseholdID?, role: HouseholdRole, effectiveOn: CivilDate,
        metadata: CommandMetadata
    ) throws -> AppendResult {
        let (entry, version) = try loadExisting(person)
        if household != nil, let died = entry.diedOn, effectiveOn > died {
            throw KokiError(
                .invalidInput, "\(person) died on \(died): they belong to no household from \(effectiveOn)")
        }
        return try append(
            [
                .householdMembershipRecorded(
                    HouseholdMembershipRecorded(
                        person: person, household: household, role: role, effectiveOn: effectiveOn))
            ], person, version, metadata)
    }

    // MARK: - Eligibility

    /// Records an acquisition after checking the rules: the person's age for the reason, and
    /// that it overlaps no period already recorded.
    @discardableResult
    public func acquire(
        _ person: PersonID, reason: AcquisitionReason, on eventDate: CivilDate, metadata: CommandMetadata
    ) throws -> AppendResult {
        let (entry, version) = try loadExisting(person)
        guard let identity = try vault.open(entry.identity, for: person) else {
            throw KokiError(.invalidInput, "person \(person) was erased")
        }
        if let refusal = EligibilityRules.refusal(acquiring: reason, on: eventDate, birthDate: identity.birthDate) {
            throw KokiError(.invalidInput, "cannot acquire eligibility for \(person) (\(reason.rawValue)): \(refusal)")
        }
        let from = EligibilityRules.acquisitionDate(reason, eventDate: eventDate)
        for period in entry.eligibilityPeriods {
            guard let until = period.until, until <= from else {
                throw KokiError(
                    .invalidInput,
                    "cannot acquire eligibility for \(person) from \(from): it overlaps the period from \(period.from)\(period.until.map { " to \($0)" } ?? " (still insured)")"
                )
            }
        }
        return try append(
            [
                .eligibilityAcquired(
                    EligibilityAcquired(person: person, reason: reason, eventDate: eventDate, effectiveFrom: from))
            ], person, version, metadata)
    }

    /// Records a loss: the period open at the event must exist and start before the loss date;
    /// a disability withdrawal cannot take effect before the day it is recorded (`today`).
    @discardableResult
    public func lose(
        _ person: PersonID, reason: LossReason, on eventDate: CivilDate, addressElsewhereSameDay: Bool = false,
        today: CivilDate, metadata: CommandMetadata
    ) throws -> AppendResult {
        let (entry, version) = try loadExisting(person)
        let lossDate = EligibilityRules.lossDate(
            reason, eventDate: eventDate, addressElsewhereSameDay: addressElsewhereSameDay)
        guard let open = entry.eligibilityPeriods.last, open.until == nil else {
            throw KokiError(.invalidInput, "cannot record a loss for \(person): they are not insured")
        }
        guard lossDate > open.from else {
            throw KokiError(
                .invalidInput,
                "cannot record a loss for \(person) from \(lossDate): it is not after the acquisition on \(open.from)")
        }
        if reason == .disabilityConditionEnded || reason == .disabilityWithdrawn {
            guard open.acquisition == .disabilityCertified else {
                throw KokiError(
                    .invalidInput,
                    "\(reason.rawValue) applies only to disability-certified persons; \(person) is insured by \(open.acquisition.rawValue)"
                )
            }
        }
        if reason == .disabilityWithdrawn, lossDate < today {
            throw KokiError(
                .invalidInput, "a disability withdrawal cannot be retroactive: \(lossDate) is before today (\(today))")
        }
        return try append(
            [
                .eligibilityLost(
                    EligibilityLost(person: person, reason: reason, eventDate: eventDate, effectiveFrom: lossDate))
            ],
            person, version, metadata)
    }

    /// The daily batch: every registered person whose 75th birthday falls from `from` through
    /// `through` and who has never been insured is qualified on that birthday. One command per
    /// person with an id derived from person and birthday, so running the batch again over the
    /// same days appends nothing. Returns the persons qualified now.
    public func qualifyReaching75(from: CivilDate, through: CivilDate, actor: String) throws -> [PersonID] {
        guard from <= through else {
            throw KokiError(.invalidInput, "--from \(from) is after --through \(through)")
        }
        let run = Identifier(derivedFrom: Array("reaching75/\(from)/\(through)".utf8))
        var qualified: [PersonID] = []
        for person in try snapshot().persons.values.sorted(by: { $0.id < $1.id }) where person.eligibilityFacts.isEmpty
        {
            guard let identity = try vault.open(person.identity, for: person.id) else { continue }
            let birthday = identity.birthDate.reaching(age: EligibilityRules.generalAge)
            guard from <= birthday, birthday <= through else { continue }
            let metadata = CommandMetadata(
                commandID: Identifier(derivedFrom: Array("reaching75/\(person.id)/\(birthday)".utf8)), actor: actor,
                correlationID: run)
            let result = try acquire(person.id, reason: .reachedAge75, on: birthday, metadata: metadata)
            if !result.wasDuplicate { qualified.append(person.id) }
        }
        return qualified
    }

    // MARK: - Address exceptions and former dependants

    @discardableResult
    public func startAddressException(
        _ person: PersonID, facility: String, from: CivilDate, metadata: CommandMetadata
    ) throws -> AppendResult {
        let (entry, version) = try loadExisting(person)
        try requireText(facility, field: "facility")
        if let open = entry.addressExceptions.last, open.until == nil {
            throw KokiError(
                .invalidInput, "\(person) already has an address exception from \(open.from) (\(open.facility))")
        }
        return try append(
            [.addressExceptionStarted(AddressExceptionStarted(person: person, facility: facility, from: from))], person,
            version, metadata)
    }

    @discardableResult
    public func endAddressException(_ person: PersonID, from: CivilDate, metadata: CommandMetadata) throws
        -> AppendResult
    {
        let (entry, version) = try loadExisting(person)
        guard let open = entry.addressExceptions.last, open.until == nil else {
            throw KokiError(.invalidInput, "\(person) has no address exception to end")
        }
        guard from > open.from else {
            throw KokiError(
                .invalidInput, "the address exception of \(person) began on \(open.from); it cannot end on \(from)")
        }
        return try append(
            [.addressExceptionEnded(AddressExceptionEnded(person: person, from: from))], person, version, metadata)
    }

    @discardableResult
    public func recordFormerDependant(
        _ person: PersonID, insurer: String, dependantUntil: CivilDate, metadata: CommandMetadata
    ) throws -> AppendResult {
        let (_, version) = try loadExisting(person)
        try requireText(insurer, field: "insurer")
        return try append(
            [
                .formerDependantRecorded(
                    FormerDependantRecorded(person: person, insurer: insurer, dependantUntil: dependantUntil))
            ],
            person, version, metadata)
    }

    // MARK: - Income

    @discardableResult
    public func recordIncome(_ income: IncomeRecorded, metadata: CommandMetadata) throws -> AppendResult {
        let (_, version) = try loadExisting(income.person)
        guard (1989...9999).contains(income.year) else {
            throw KokiError(.invalidInput, "--year \(income.year) is not a plausible income year")
        }
        for (field, value) in [
            ("pension", income.publicPensionRevenue), ("salary", income.salaryRevenue),
            ("taxable", income.taxableIncome ?? .zero),
        ] where value < .zero {
            throw KokiError(.invalidInput, "--\(field) \(value.amount) must not be negative")
        }
        for (field, value, range) in [
            ("pension", income.publicPensionRevenue, Yen.AmountRange.revenue),
            ("salary", income.salaryRevenue, .revenue), ("taxable", income.taxableIncome ?? .zero, .revenue),
            ("other", income.otherIncome, .income), ("total", income.totalIncome, .income),
        ] {
            _ = try Yen.checked(value.amount, range, field: "--\(field)")
        }
        try requireText(income.source, field: "source")
        return try append([.incomeRecorded(income)], income.person, version, metadata)
    }

    /// Records a fiscal year's pension facts (for the collection method).
    @discardableResult
    public func recordPension(
        _ person: PersonID, fiscalYear: FiscalYear, facts: PensionFacts, metadata: CommandMetadata
    )
        throws -> AppendResult
    {
        let (_, version) = try loadExisting(person)
        for (field, value) in [
            ("annual-pension", facts.annualPension), ("care-premium", facts.careInsurancePremium),
            ("previous-february", facts.previousFebruaryDeduction ?? .zero),
        ] where value < .zero {
            throw KokiError(.invalidInput, "--\(field) \(value.amount) must not be negative")
        }
        return try append(
            [.pensionFactsRecorded(PensionFactsRecorded(person: person, fiscalYear: fiscalYear, facts: facts))], person,
            version, metadata)
    }

    /// Looks up a year's income, recording the inquiry first (所得照会履歴): who (the actor),
    /// when (the recorded time), for whom, which year and why.
    public func inquireIncome(_ person: PersonID, year: Int, purpose: String, metadata: CommandMetadata) throws
        -> IncomeRecorded?
    {
        try requireText(purpose, field: "purpose")
        let (entry, version) = try loadExisting(person)
        try append(
            [.incomeInquired(IncomeInquired(person: person, year: year, purpose: purpose))], person, version, metadata)
        return entry.income(of: year)
    }

    // MARK: - Helpers

    private func loadExisting(_ person: PersonID) throws -> (InsuredRegister.Person, Int64) {
        let (entry, version) = try load(person)
        guard let entry else { throw KokiError.notInRegister(person) }
        return (entry, version)
    }

    @discardableResult
    private func append(_ events: [KokiEvent], _ person: PersonID, _ version: Int64, _ metadata: CommandMetadata)
        throws -> AppendResult
    {
        try ledger.record(events, metadata: metadata, expecting: [person: version == 0 ? .noStream : .exact(version)])
    }

    private func requireText(_ value: String, field: String) throws {
        guard !value.isEmpty, value.unicodeScalars.count <= 200 else {
            throw KokiError(.invalidInput, "--\(field) must be 1–200 characters")
        }
    }
}
