import KokiDomain
import KokiEvents

/// Each person's premium per fiscal year: the assessment in force and every earlier one, with
/// the reason for each change (賦課履歴), plus the rate tables and calendars adopted.
public struct PremiumAccounts: Projection {
    public static let logicVersion = 1

    public struct Key: Hashable, Sendable, Comparable {
        public var person: PersonID
        public var fiscalYear: FiscalYear

        public init(person: PersonID, fiscalYear: FiscalYear) {
            self.person = person
            self.fiscalYear = fiscalYear
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.person, lhs.fiscalYear) < (rhs.person, rhs.fiscalYear)
        }
    }

    /// The assessment in force of each person and year while the year is one of the two newest
    /// assessed (``hotYears``), decoded: what the runs of a year read again and again.
    @usableFromInline private(set) var hot: [Key: Hot] = [:]
    /// Every other assessment of each person and year, oldest first, as the codec's bytes: the
    /// ones a newer one replaced, and once the year is older than the two newest, the one in
    /// force too. At ten years of Matsudo the decoded assessments took 895 MB, about 1 KB each
    /// with their input positions, installments and breakdown; as bytes, some 360 bytes.
    @usableFromInline private(set) var cold: [Key: PackedList<PremiumAssessed>] = [:]
    /// The newest fiscal year any assessment was made for.
    @usableFromInline private(set) var newestYear: Int?
    /// The rate table in force for each fiscal year (the latest adopted).
    public private(set) var rateTables: [Int: RateTable] = [:]
    public private(set) var calendars: [Int: InstallmentCalendarAdopted] = [:]
    public private(set) var runs: [AssessmentRunRecorded] = []

    /// How many of the newest fiscal years keep their assessments in force decoded.
    @usableFromInline static let hotYears = 2

    /// A hot assessment in its own box: a dictionary's value is copied whole whenever it is read
    /// (its installments, breakdown and inputs retained one by one), where a box's field is read
    /// in place by a reader inlined into its caller (``current(_:_:_:)``). The simulation asks
    /// every resident every month for a field of theirs, and at ten years of Matsudo those copies
    /// were 2.5 % of its time, and the retains they made most of what grew from its first year
    /// to its tenth.
    @usableFromInline final class Hot: Sendable, Equatable {
        @usableFromInline let assessment: PremiumAssessed
        init(_ assessment: PremiumAssessed) { self.assessment = assessment }
        @usableFromInline static func == (a: Hot, b: Hot) -> Bool { a === b || a.assessment == b.assessment }
    }

    public init() {}

    /// The assessment in force for a person and year. A hot year's is among the hot ones or
    /// nowhere (its bytes hold only the ones it replaced), and a year newer than every
    /// assessment has none: only an older year's is looked for among the bytes, whose table
    /// grows with every year of history (the simulation asks every resident each month, most
    /// often for a year not assessed yet).
    public func current(_ person: PersonID, _ fiscalYear: FiscalYear) -> PremiumAssessed? {
        current(person, fiscalYear) { copy $0 }
    }

    /// What `read` takes from the assessment in force for a person and year (`nil` for none),
    /// read where it lies rather than copied: a hot year's assessment holds its installments,
    /// breakdown and inputs, and a caller that asks every resident every month for one field of
    /// it (the simulation's payers) paid for copying the whole of it each time. Inlined into its
    /// caller, with `read`: handed through a call, even a `borrowing` value is copied first.
    @inlinable
    public func current<T>(_ person: PersonID, _ fiscalYear: FiscalYear, _ read: (borrowing PremiumAssessed) -> T)
        -> T?
    {
        guard let newest = newestYear, fiscalYear.year <= newest else { return nil }
        let key = Key(person: person, fiscalYear: fiscalYear)
        guard fiscalYear.year <= newest - Self.hotYears else {
            guard let box = hot[key] else { return nil }
            return read(box.assessment)
        }
        return cold[key]?.last.map { read($0) }
    }

    /// Every assessment of a person and year, oldest first; the last is in force (`nil` for none).
    public func history(_ key: Key) -> [PremiumAssessed]? {
        let earlier = cold[key].map(Array.init) ?? []
        let now = hot[key].map { [$0.assessment] } ?? []
        return earlier.isEmpty && now.isEmpty ? nil : earlier + now
    }

    /// The first assessment of a person and year and the one in force (the same when it was
    /// never changed), as ``history(_:)``'s first and last, decoding no other.
    public func firstAndCurrent(_ key: Key) -> (first: PremiumAssessed, current: PremiumAssessed)? {
        let earlier = cold[key]
        if let now = hot[key]?.assessment { return (earlier?.first ?? now, now) }
        guard let first = earlier?.first, let last = earlier?.last else { return nil }
        return (first, last)
    }

    /// The person-years whose assessment in force is kept decoded (the tests check which).
    var hotKeys: some Collection<Key> { hot.keys }

    /// The person-years assessed, in no order.
    public var keys: some Collection<Key> { Set(hot.keys).union(cold.keys) }

    /// Every assessment of every person and year, decoded: for comparing whole folds and for a
    /// small city, not for a run (``current(_:_:)`` and ``history(_:)`` read one).
    public var assessments: [Key: [PremiumAssessed]] {
        Dictionary(uniqueKeysWithValues: keys.compactMap { key in history(key).map { (key, $0) } })
    }

    public static func == (a: PremiumAccounts, b: PremiumAccounts) -> Bool {
        guard a.rateTables == b.rateTables, a.calendars == b.calendars, a.runs == b.runs else { return false }
        if a.hot == b.hot, a.cold == b.cold { return true }
        return a.assessments == b.assessments
    }

    private mutating func assessed(_ e: PremiumAssessed) {
        let key = Key(person: e.person, fiscalYear: e.fiscalYear)
        let year = e.fiscalYear.year
        if let newest = newestYear, year <= newest - Self.hotYears {
            // A year no longer hot: kept as bytes with the rest of its history.
            cold[key, default: PackedList()].append(e)
            return
        }
        if let before = hot.updateValue(Hot(e), forKey: key) {
            cold[key, default: PackedList()].append(before.assessment)
        }
        if year > newestYear ?? Int.min {
            newestYear = year
            cool(before: year - Self.hotYears + 1)
        }
    }

    /// Moves the assessments in force of the years before `year` to their bytes.
    private mutating func cool(before year: Int) {
        let cooling = hot.keys.filter { $0.fiscalYear.year < year }
        for key in cooling {
            guard let box = hot.removeValue(forKey: key) else { continue }
            cold[key, default: PackedList()].append(box.assessment)
        }
    }

    public mutating func apply(_ event: KokiEvent) {
        switch event {
        case .premiumAssessed(let e):
            assessed(e)
        case .rateTableAdopted(let e):
            rateTables[e.table.fiscalYear] = e.table
        case .installmentCalendarAdopted(let e):
            calendars[e.calendar.fiscalYear] = e
        case .assessmentRunRecorded(let e):
            runs.append(e)
        case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .eligibilityAcquired,
            .eligibilityLost, .addressExceptionStarted, .addressExceptionEnded, .formerDependantRecorded,
            .incomeRecorded, .incomeInquired, .personNumbersLinked, .pensionFactsRecorded, .provisionalDeductionDecided,
            .pensionDeductionNotified, .pensionSwitchRecorded, .myNumberRecorded,
            .personErased, .mailRecipientRecorded, .unionDecisionRecorded, .networkInquirySent, .access, .notice,
            .counter, .paymentReceived,
            .dunningNoticeIssued, .paymentCancelled, .overpaymentRecognized, .overpaymentAppropriated, .refundDecided,
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
