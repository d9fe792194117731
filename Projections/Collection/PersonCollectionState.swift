import KokiDomain
import KokiEvents

/// One person's register entry, the assessment in force per fiscal year and their collection
/// account, with their stream's version: what a collection or arrears command decides from.
/// Folded from the person's own stream (``StreamFold``), or taken from a city snapshot (batch
/// imports, which must not read a stream per record).
public struct PersonCollectionState: Sendable {
    public let person: PersonID
    public var entry: InsuredRegister.Person?
    /// The assessments this state folded, by fiscal year (see ``assessment(_:)``, which also
    /// answers for a state taken from a snapshot).
    public private(set) var folded: [FiscalYear: PremiumAssessed] = [:]
    public var account = CollectionAccounts.Account()
    public var version: Int64 = 0
    /// The most any assessment ever asked for each period, as folded from the stream: no slip
    /// koki issues for a period (a payment notice, `konbini slip`, a dunning notice) carries
    /// more, nor does a pension deduction. Read it through ``largestAssessed(_:)``, which also
    /// answers for a state taken from a snapshot (empty here: the snapshot's assessments are
    /// asked when needed).
    public var largestAssessed: [PeriodKey: Yen] = [:]
    /// Taken from a snapshot: its assessments, asked for a year when needed. Copying each year's
    /// assessment out for every person a run takes costs more than the run's decisions once a
    /// city has years of history.
    @usableFromInline private(set) var snapshotAccounts: PremiumAccounts?
    /// The arrears settings in force, when adopted: they finalize late fees and exclude
    /// prescribed periods from allocation.
    public var settings: ArrearsSettings?

    public init(_ person: PersonID) { self.person = person }

    /// The person as the snapshot has them.
    public init(_ person: PersonID, in city: CitySnapshot) {
        self.person = person
        entry = city.register.person(person)
        account = city.collection.account(person) ?? .init()
        // Each period's largest is read from the year's assessments when asked: a run taking
        // many persons from the city builds no table of every period each of them ever had.
        snapshotAccounts = city.accounts
        version = city.version(of: person)
        settings = city.collection.arrearsSettings
    }

    public var exists: Bool { entry != nil || version > 0 }

    /// The assessment in force for a fiscal year: the last this state folded, else (taken from a
    /// snapshot) the snapshot's.
    public func assessment(_ fiscalYear: FiscalYear) -> PremiumAssessed? { assessment(fiscalYear) { copy $0 } }

    /// What `read` takes from the assessment in force for a fiscal year (`nil` for none): taken
    /// from a snapshot, read where it lies rather than copied (``PremiumAccounts/current(_:_:_:)``,
    /// inlined as it is), for the runs that ask every account for one field of it.
    @inlinable public func assessment<T>(_ fiscalYear: FiscalYear, _ read: (borrowing PremiumAssessed) -> T) -> T? {
        if let own = folded[fiscalYear] { return read(own) }
        return snapshotAccounts?.current(person, fiscalYear, read)
    }

    /// The assessment in force for each fiscal year: every year folded; taken from a snapshot,
    /// every year the snapshot holds one for (an assessment is made under its year's adopted rate
    /// table, and its periods are the account's). Built when asked: prefer ``assessment(_:)``.
    public var assessments: [FiscalYear: PremiumAssessed] {
        guard let snapshotAccounts else { return folded }
        var years = Set(account.periods.keys.map(\.fiscalYear))
        for year in Set(snapshotAccounts.rateTables.keys).union(snapshotAccounts.calendars.keys) {
            if let fiscalYear = try? FiscalYear(year) { years.insert(fiscalYear) }
        }
        var all = folded
        for year in years where all.index(forKey: year) == nil {
            if let current = assessment(year) { all[year] = current }
        }
        return all
    }

    /// The most any assessment ever asked for a period (see ``largestAssessed``): taken from a
    /// snapshot, the most any of the year's assessments it keeps asked, as the stream's fold has
    /// it (an assessment this state folds since counts too).
    public func largestAssessed(_ key: PeriodKey) -> Yen? {
        let folded = largestAssessed[key]
        guard let snapshotAccounts else { return folded }
        var largest = folded
        for assessed in snapshotAccounts.history(PremiumAccounts.Key(person: person, fiscalYear: key.fiscalYear)) ?? []
        {
            for installment in assessed.installments where installment.period == key.period {
                largest = max(largest ?? installment.amount, installment.amount)
            }
        }
        return largest
    }

    /// Folds one event into the assessments and the account (the register entry is the stream
    /// fold's: a command's own new events never change it).
    public mutating func apply(_ event: KokiEvent) {
        if case .premiumAssessed(let e) = event {
            folded[e.fiscalYear] = e
            for i in e.installments {
                let key = PeriodKey(e.fiscalYear, i.period)
                largestAssessed[key] = max(largestAssessed(key) ?? .zero, i.amount)
            }
        }
        if CollectionAccounts.Account.folds(event) { account.apply(event) }
    }

    /// The fold of a person's own stream, event by event in stream order: the version follows
    /// every event read; with `asOf`, an event effective after that day changes nothing else (the
    /// world as it stood that day). The arrears settings are not in the person's stream: the
    /// loader sets them.
    public struct StreamFold: Sendable {
        public let asOf: CivilDate?
        private var folded: PersonCollectionState
        private var register = InsuredRegister()

        public init(_ person: PersonID, asOf: CivilDate? = nil) {
            folded = PersonCollectionState(person)
            self.asOf = asOf
        }

        public mutating func apply(_ event: KokiEvent, streamVersion: Int64) {
            folded.version = streamVersion
            if let asOf, let effective = event.effectiveDate, effective > asOf { return }
            register.apply(event)
            folded.apply(event)
        }

        /// The version of the last event read.
        public var version: Int64 { folded.version }

        /// The state folded so far, with the person's register entry.
        public var state: PersonCollectionState {
            var state = folded
            state.entry = register.person(state.person)
            return state
        }
    }
}
