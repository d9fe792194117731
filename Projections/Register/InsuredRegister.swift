import KokiDomain
import KokiEvents

/// The register of persons (被保険者台帳): identity (sealed), households, eligibility, address
/// exceptions, former-dependant status, income and former numbers, each with its history.
///
/// Every query takes the date it is asked for ("as effective on"): a fact recorded today with
/// an earlier effective date — a death registered weeks later — changes the answer for every
/// date from its effective date on, and for no date before.
public struct InsuredRegister: Projection {
    public static let logicVersion = 1

    public struct HouseholdEntry: Sendable, Hashable {
        public var effectiveOn: CivilDate
        public var household: HouseholdID?
        public var role: HouseholdRole
    }

    public enum EligibilityFact: Sendable, Hashable {
        case acquired(EligibilityAcquired)
        case lost(EligibilityLost)

        public var effectiveFrom: CivilDate {
            switch self {
            case .acquired(let e): e.effectiveFrom
            case .lost(let e): e.effectiveFrom
            }
        }
    }

    public struct AddressException: Sendable, Hashable {
        public var facility: String
        public var from: CivilDate
        public var until: CivilDate?

        public func contains(_ date: CivilDate) -> Bool { from <= date && (until.map { date < $0 } ?? true) }
    }

    public struct Person: Sendable, Hashable {
        /// The entry's fields, in a box shared by copies until one of them changes: a command taking
        /// a person from the city copies one reference, not each list of their years of history.
        struct Fields: Sendable, Hashable {
            var id: PersonID
            var identity: SealedIdentity
            var corrections: Int = 0
            var households: [HouseholdEntry] = []
            var eligibilityFacts: [EligibilityFact] = []
            var addressExceptions: [AddressException] = []
            var formerDependant: FormerDependantRecorded?
            /// Every record of income, in the order recorded, under its calendar year.
            var incomeHistory = PackedRecords<IncomeRecorded>()
            var formerNumbers: [PersonID] = []
            var pension = IntKeyedMap<PensionFacts>()
            var provisionalDeduction = IntKeyedMap<ProvisionalDeductionDecided>()
            /// Keyed by fiscal year × 100 + month (``Person/toldKey(_:_:)``).
            var pensionTold = IntKeyedMap<Yen>()
            var debitSwitch: CivilDate?
            var myNumber: SealedIdentity?
            var erased: PersonErased?
            var union = PackedRecords<UnionDecisionRecorded>()
            var networkInquiries: [NetworkInquirySent] = []
            var mailRecipients: [MailRecipient.Role: MailRecipientRecorded] = [:]
        }

        var shared: SharedFields<Fields>

        public var id: PersonID {
            get { shared.value.id }
            _modify { yield &shared.value.id }
        }
        /// The current identity, sealed; and how many times it was corrected.
        public var identity: SealedIdentity {
            get { shared.value.identity }
            _modify { yield &shared.value.identity }
        }
        public var corrections: Int {
            get { shared.value.corrections }
            _modify { yield &shared.value.corrections }
        }
        /// In effective-date order; for one date, the later recorded entry comes last and wins.
        public var households: [HouseholdEntry] {
            get { shared.value.households }
            _modify { yield &shared.value.households }
        }
        /// In recorded order.
        public var eligibilityFacts: [EligibilityFact] {
            get { shared.value.eligibilityFacts }
            _modify { yield &shared.value.eligibilityFacts }
        }
        public var addressExceptions: [AddressException] {
            get { shared.value.addressExceptions }
            _modify { yield &shared.value.addressExceptions }
        }
        public var formerDependant: FormerDependantRecorded? {
            get { shared.value.formerDependant }
            _modify { yield &shared.value.formerDependant }
        }
        /// The latest record of each calendar year's income, from ``incomeHistory``: an entry keeps
        /// every record once, in the codec's form (``PackedRecords``). A rebuild's pass over ten
        /// years of Matsudo's register held 1.12 GB with the latest of each year kept again beside
        /// the history as structs, 0.98 GB without, 0.52 GB with the records packed and the years
        /// in sorted lists.
        public var income: [Int: IncomeRecorded] {
            var latest: [Int: IncomeRecorded] = [:]
            for record in shared.value.incomeHistory.records { latest[record.key] = record.record }
            return latest
        }
        /// The latest record of one calendar year's income (``income`` without making the whole).
        public func income(of year: Int) -> IncomeRecorded? {
            shared.value.incomeHistory.last(year)
        }
        /// Every record of income, in the order recorded.
        public var incomeHistory: [IncomeRecorded] { shared.value.incomeHistory.records.map(\.record) }
        public var formerNumbers: [PersonID] {
            get { shared.value.formerNumbers }
            _modify { yield &shared.value.formerNumbers }
        }
        /// The pension facts recorded for each fiscal year (the latest wins).
        public var pension: [Int: PensionFacts] { shared.value.pension.dictionary }
        /// The pension facts recorded for a fiscal year (``pension`` without making the whole).
        public func pension(of fiscalYear: Int) -> PensionFacts? { shared.value.pension[fiscalYear] }
        /// The provisional deduction (仮徴収) decided before each fiscal year's April.
        public var provisionalDeduction: [Int: ProvisionalDeductionDecided] {
            shared.value.provisionalDeduction.dictionary
        }
        /// The provisional deduction decided for a fiscal year.
        public func provisionalDeduction(of fiscalYear: Int) -> ProvisionalDeductionDecided? {
            shared.value.provisionalDeduction[fiscalYear]
        }
        /// Whether a provisional deduction was decided for a fiscal year or a later one.
        public func provisionalDeductionDecided(since fiscalYear: Int) -> Bool {
            shared.value.provisionalDeduction.keys.last.map { $0 >= fiscalYear } ?? false
        }
        /// What the pension insurer was last told to deduct, by fiscal year and pension month:
        /// the provisional months decided before April, then every request, change and stop.
        public var pensionTold: [Int: [Int: Yen]] {
            var years: [Int: [Int: Yen]] = [:]
            for told in shared.value.pensionTold.entries {
                years[told.key / 100, default: [:]][told.key % 100] = told.value
            }
            return years
        }
        /// What the pension insurer was last told to deduct in each pension month of a fiscal
        /// year (empty when nothing was told).
        public func pensionTold(of fiscalYear: Int) -> [Int: Yen] {
            let months = shared.value.pensionTold.entries(
                in: Self.toldKey(fiscalYear, 0)..<Self.toldKey(fiscalYear, 13))
            return Dictionary(uniqueKeysWithValues: months.map { ($0.key % 100, $0.value) })
        }
        /// What the pension insurer was last told to deduct in one month of a fiscal year.
        public func pensionTold(of fiscalYear: Int, month: Int) -> Yen? {
            (1...12).contains(month) ? shared.value.pensionTold[Self.toldKey(fiscalYear, month)] : nil
        }
        /// The key of a fiscal year's month (1–12) in what was told: years apart by 100, so the
        /// keys sort by year, then month. A year no ``FiscalYear`` takes, however large, finds
        /// nothing (it is held within ±2^40, where nothing is kept, and never overflows).
        static func toldKey(_ fiscalYear: Int, _ month: Int) -> Int {
            min(max(fiscalYear, -(1 << 40)), 1 << 40) * 100 + month
        }
        /// The day they asked to pay by bank debit instead of pension deduction (特徴→口座振替),
        /// while not withdrawn.
        public var debitSwitch: CivilDate? {
            get { shared.value.debitSwitch }
            _modify { yield &shared.value.debitSwitch }
        }
        /// The My Number, sealed with the person's key (shown only to the number-use role).
        public var myNumber: SealedIdentity? {
            get { shared.value.myNumber }
            _modify { yield &shared.value.myNumber }
        }
        /// Erased after retention: nothing sealed for them opens any more.
        public var erased: PersonErased? {
            get { shared.value.erased }
            _modify { yield &shared.value.erased }
        }
        /// The union's latest decision for each fiscal year (`koki union import`).
        public var union: [Int: UnionDecisionRecorded] {
            Dictionary(shared.value.union.records.map { ($0.key, $0.record) }, uniquingKeysWith: { $1 })
        }
        /// The union's latest decision for a fiscal year.
        public func union(of fiscalYear: Int) -> UnionDecisionRecorded? { shared.value.union.last(fiscalYear) }
        /// Inquiries sent through the information network about the person (情報照会).
        public var networkInquiries: [NetworkInquirySent] {
            get { shared.value.networkInquiries }
            _modify { yield &shared.value.networkInquiries }
        }
        /// Who receives their mail instead of them, by role, as recorded (sealed).
        public var mailRecipients: [MailRecipient.Role: MailRecipientRecorded] {
            get { shared.value.mailRecipients }
            _modify { yield &shared.value.mailRecipients }
        }

        public init(id: PersonID, identity: SealedIdentity) {
            shared = SharedFields(Fields(id: id, identity: identity))
        }

        /// The day of death, when a death was recorded (the latest one recorded).
        public var diedOn: CivilDate? {
            for fact in eligibilityFacts.reversed() {
                if case .lost(let lost) = fact, lost.reason == .died { return lost.eventDate }
            }
            return nil
        }

        /// The eligibility periods, in date order, from the facts in effective-date order.
        public var eligibilityPeriods: [EligibilityPeriod] {
            let ordered = eligibilityFacts.enumerated().sorted {
                ($0.element.effectiveFrom, $0.offset) < ($1.element.effectiveFrom, $1.offset)
            }
            var periods: [EligibilityPeriod] = []
            for (_, fact) in ordered {
                switch fact {
                case .acquired(let e):
                    if periods.last.map({ $0.until != nil }) ?? true {
                        periods.append(EligibilityPeriod(from: e.effectiveFrom, acquisition: e.reason))
                    }
                case .lost(let e):
                    if let last = periods.indices.last, periods[last].until == nil {
                        periods[last].until = e.effectiveFrom
                        periods[last].loss = e.reason
                    }
                }
            }
            return periods
        }

        public func isInsured(on date: CivilDate) -> Bool {
            eligibilityPeriods.contains { $0.contains(date) }
        }

        /// The household and role in effect on a date, if any.
        /// The household and role on a date; none after the person's death (a dead householder
        /// is no longer the head: the household's next one is recorded).
        public func household(on date: CivilDate) -> HouseholdEntry? {
            guard let entry = households.last(where: { $0.effectiveOn <= date }), entry.household != nil else {
                return nil
            }
            if died(before: date) { return nil }
            return entry
        }

        /// The day of death, when the person died on or before `date` and nobody is recorded to
        /// receive their mail (相続人代表者): what is written to them then reaches nobody.
        public func diedUnrepresented(by date: CivilDate) -> CivilDate? {
            guard mailRecipients[.heirRepresentative] == nil, let died = diedOn, died <= date else { return nil }
            return died
        }

        /// Whether a death recorded for the person happened before `date`.
        public func died(before date: CivilDate) -> Bool {
            eligibilityFacts.contains { fact in
                if case .lost(let lost) = fact, lost.reason == .died { lost.eventDate < date } else { false }
            }
        }

        public func addressException(on date: CivilDate) -> AddressException? {
            addressExceptions.last { $0.contains(date) }
        }
    }

    public private(set) var persons: [PersonID: Person] = [:]
    /// Former numbers and the person they now lead to.
    public private(set) var formerNumbers: [PersonID: PersonID] = [:]
    /// Everyone ever recorded in each household (an index: membership on a date is the
    /// person's own history), so finding a household's members never scans the whole city.
    private var everInHousehold: [HouseholdID: Set<PersonID>] = [:]
    /// The texts many entries repeat (why a provisional amount), kept once and shared.
    private var texts = SharedTexts()

    public init() {}

    /// The register made of entries (each person's, folded from their own stream).
    public init(entries: some Sequence<Person>) {
        self.init()
        for person in entries { insert(person) }
    }

    /// Puts a person's entry in the register, with the indexes it feeds.
    public mutating func insert(_ person: Person) {
        persons[person.id] = person
        for former in person.formerNumbers { formerNumbers[former] = person.id }
        for entry in person.households {
            if let household = entry.household { everInHousehold[household, default: []].insert(person.id) }
        }
    }

    /// Everyone ever recorded in a household, whatever the day.
    public func everIn(_ household: HouseholdID) -> Set<PersonID> { everInHousehold[household] ?? [] }

    /// A person by their number or by a former number linked to it.
    public func person(_ id: PersonID) -> Person? {
        persons[id] ?? formerNumbers[id].flatMap { persons[$0] }
    }

    public func insured(on date: CivilDate) -> [Person] {
        persons.values.filter { $0.isInsured(on: date) }.sorted { $0.id < $1.id }
    }

    /// The members of a household on a date, householder first, then by number.
    public func household(_ id: HouseholdID, on date: CivilDate) -> [(person: Person, role: HouseholdRole)] {
        (everInHousehold[id] ?? []).compactMap { number in
            guard let person = persons[number], let entry = person.household(on: date), entry.household == id else {
                return nil
            }
            return (person, entry.role)
        }.sorted { ($0.role == .householder ? 0 : 1, $0.person.id) < ($1.role == .householder ? 0 : 1, $1.person.id) }
    }

    public func addressExceptionPersons(on date: CivilDate) -> [Person] {
        persons.values.filter { $0.addressException(on: date) != nil }.sorted { $0.id < $1.id }
    }

    /// Changes a person's entry where it lies in the dictionary. (`persons[id]?.field = …` moves
    /// the entry out and copies it back in: every array and dictionary of the entry retained and
    /// released again, for each event. Through `values` the entry is changed in place.)
    private mutating func update(_ id: PersonID, _ change: (inout Person) -> Void) {
        guard let index = persons.index(forKey: id) else { return }
        change(&persons.values[index])
    }

    public mutating func apply(_ event: KokiEvent) {
        switch event {
        case .personRegistered(let e):
            persons[e.person] = Person(id: e.person, identity: e.identity)
        case .personIdentityCorrected(let e):
            update(e.person) {
                $0.identity = e.identity
                $0.corrections += 1
            }
        case .householdMembershipRecorded(let e):
            // Looked up, not read: reading the entry copied it.
            guard persons.index(forKey: e.person) != nil else { return }
            if let household = e.household { everInHousehold[household, default: []].insert(e.person) }
            let entry = HouseholdEntry(effectiveOn: e.effectiveOn, household: e.household, role: e.role)
            update(e.person) { person in
                // After every entry of the same date or earlier: the later recorded one wins.
                let index =
                    person.households.firstIndex { $0.effectiveOn > e.effectiveOn } ?? person.households.endIndex
                person.households.insertWithoutSpareRoom(entry, at: index)
            }
        case .eligibilityAcquired(let e):
            update(e.person) { $0.eligibilityFacts.appendWithoutSpareRoom(.acquired(e)) }
        case .eligibilityLost(let e):
            update(e.person) { $0.eligibilityFacts.appendWithoutSpareRoom(.lost(e)) }
        case .addressExceptionStarted(let e):
            update(e.person) { $0.addressExceptions.append(AddressException(facility: e.facility, from: e.from)) }
        case .addressExceptionEnded(let e):
            update(e.person) { person in
                guard let open = person.addressExceptions.lastIndex(where: { $0.until == nil }) else { return }
                person.addressExceptions[open].until = e.from
            }
        case .formerDependantRecorded(let e):
            update(e.person) { $0.formerDependant = e }
        case .incomeRecorded(let e):
            // Kept as its bytes (``PackedRecords``): its text is no allocation of its own there.
            update(e.person) { $0.shared.value.incomeHistory.append(e, key: e.year) }
        case .incomeInquired:
            break  // who asked, when and why is read from the ledger's envelopes
        case .personNumbersLinked(let e):
            update(e.person) { $0.formerNumbers.append(e.formerNumber) }
            formerNumbers[e.formerNumber] = e.person
        case .pensionFactsRecorded(let e):
            update(e.person) { $0.shared.value.pension[e.fiscalYear.year] = e.facts }
        case .provisionalDeductionDecided(var e):
            e.basis = texts.kept(e.basis)
            update(e.person) { person in
                person.shared.value.provisionalDeduction[e.fiscalYear.year] = e
                for month in [4, 6, 8] {
                    person.shared.value.pensionTold[Person.toldKey(e.fiscalYear.year, month)] = e.amount
                }
            }
        case .pensionSwitchRecorded(let e):
            update(e.person) { $0.debitSwitch = e.change == .requested ? e.on : nil }
        case .pensionDeductionNotified(let e):
            update(e.person) { person in
                for m in e.months {
                    person.shared.value.pensionTold[Person.toldKey(e.fiscalYear.year, m.dueDate.month)] = m.amount
                }
            }
        case .myNumberRecorded(let e):
            update(e.person) { $0.myNumber = e.sealed }
        case .personErased(let e):
            update(e.person) { $0.erased = e }
        case .mailRecipientRecorded(let e):
            update(e.person) { $0.mailRecipients[e.role] = e.recipient == nil ? nil : e }
        case .unionDecisionRecorded(let e):
            update(e.person) { $0.shared.value.union.put(e, key: e.fiscalYear.year) }
        case .networkInquirySent(let e):
            update(e.person) { $0.networkInquiries.appendWithoutSpareRoom(e) }
        case .access, .notice, .counter:
            break  // operators, sessions, reads and documents belong to no one's register entry
        case .premiumAssessed, .paymentReceived, .dunningNoticeIssued, .rateTableAdopted, .installmentCalendarAdopted,
            .assessmentRunRecorded, .paymentCancelled, .overpaymentRecognized, .overpaymentAppropriated, .refundDecided,
            .refundPaid, .refundPrescribed, .debitMandateStarted, .debitApplicationRecorded, .slipReissued,
            .debitPrepaymentChosen, .debitMandateStopped, .debitRequested, .debitFailed,
            .conveniencePaymentReported, .pensionDeductionStopped, .unmatchedPaymentRecorded, .unmatchedPaymentResolved,
            .collectionFileRecorded, .arrearsSettingsAdopted, .arrearsRunRecorded, .reminderIssued,
            .contactRecorded, .lateFeeFinalized, .reductionDecided, .writtenOff, .installmentPlanRecorded,
            .seizureRecorded, .enforcementStopped, .collectionDeferred, .fiscalYearClosed:
            break
        }
    }
}

extension KokiEvent {
    /// The civil date an event takes effect on (valid time): when eligibility began, the day
    /// money was paid, the day a notice was issued or a decision made. `nil` for events with no
    /// date of their own (identity, income records, configuration), which hold at any date.
    /// "As of D" = only events effective by D.
    public var effectiveDate: CivilDate? {
        switch self {
        case .householdMembershipRecorded(let e): e.effectiveOn
        case .eligibilityAcquired(let e): e.effectiveFrom
        case .eligibilityLost(let e): e.effectiveFrom
        case .addressExceptionStarted(let e): e.from
        case .addressExceptionEnded(let e): e.from
        case .premiumAssessed(let e): e.decidedOn
        case .paymentReceived(let e): e.paidOn
        case .paymentCancelled(let e): e.cancelledOn
        case .dunningNoticeIssued(let e): e.issuedOn
        case .overpaymentRecognized(let e): e.recognizedOn
        case .overpaymentAppropriated(let e): e.decidedOn
        case .refundDecided(let e): e.decidedOn
        case .refundPaid(let e): e.paidOn
        case .refundPrescribed(let e): e.recordedOn
        case .debitMandateStarted(let e): e.startsOn
        case .debitApplicationRecorded(let e): e.on
        case .slipReissued(let e): e.issuedOn
        case .debitPrepaymentChosen(let e): e.on
        case .debitMandateStopped(let e): e.stopsOn
        case .debitRequested(let e): e.debitDate
        case .debitFailed(let e): e.debitDate
        case .conveniencePaymentReported(let e): e.paidOn
        case .pensionDeductionStopped(let e): e.stoppedFrom
        case .unmatchedPaymentRecorded(let e): e.paidOn
        case .unmatchedPaymentResolved(let e): e.resolvedOn
        case .collectionFileRecorded(let e): e.date
        case .arrearsRunRecorded(let e): e.runOn
        case .reminderIssued(let e): e.issuedOn
        case .contactRecorded(let e): e.contactedOn
        case .lateFeeFinalized(let e): e.paidOffOn
        case .reductionDecided(let e): e.decidedOn
        case .writtenOff(let e): e.writtenOffOn
        case .installmentPlanRecorded(let e): e.on
        case .seizureRecorded(let e): e.on
        case .enforcementStopped(let e): e.on
        case .collectionDeferred(let e): e.on
        case .fiscalYearClosed(let e): e.closedOn
        case .personErased(let e): e.decidedOn
        case .mailRecipientRecorded(let e): e.from
        case .unionDecisionRecorded(let e): e.receivedOn
        case .networkInquirySent(let e): e.sentOn
        case .provisionalDeductionDecided(let e): e.decidedOn
        case .pensionDeductionNotified(let e): e.notifiedOn
        case .pensionSwitchRecorded(let e): e.on
        case .personRegistered, .myNumberRecorded, .access, .notice, .counter, .personIdentityCorrected,
            .formerDependantRecorded,
            .incomeRecorded, .incomeInquired,
            .personNumbersLinked, .pensionFactsRecorded, .rateTableAdopted, .installmentCalendarAdopted,
            .assessmentRunRecorded, .arrearsSettingsAdopted:
            nil
        }
    }
}
