import KokiDomain
import KokiEvents

/// What bank debit (口座振替) decides from, for one person who ever had a mandate or applied for one,
/// folded from their stream in order and kept compact: their mandates, the 全期前納 choice, the
/// latest debit date requested, a death recorded, each fiscal year's pension-deducted periods (from the assessment
/// in force) and each period's sums (``CompactBalances``) — not every payment and notice, as
/// ``CollectionAccounts/Account`` keeps them. A stored read model keeps one per person and folds
/// only what their stream gained since.
///
/// A few histories it does not follow, because their rule needs what it does not keep: a
/// convenience store's preliminary report (pending until a payment with its reference), and
/// whatever ``CompactBalances`` cannot follow. There ``isExact`` turns `false` and the request reads that person's stream,
/// as it reads everyone's without the model.
public struct DebitState: Sendable {
    /// The person's stream version this state reflects.
    public var version: Int64 = 0
    public private(set) var mandates: [CollectionAccounts.Mandate] = []
    /// The day 全期前納 was chosen, while it stands.
    public private(set) var prepayment: CivilDate?
    /// The latest debit date any request for this person was made for.
    public private(set) var lastRequested: CivilDate?
    /// The day of death, when a death was recorded: the latest one recorded, as the register has
    /// it (``InsuredRegister/Person/diedOn``), so a request knows whom not to debit without
    /// reading the register.
    public private(set) var diedOn: CivilDate?
    /// An application for bank debit as it stands now (its last change), with the account it was
    /// received with.
    public struct Application: Sendable, Hashable {
        public var id: String
        public var change: DebitApplicationRecorded.Change
        /// The day of its last change.
        public var on: CivilDate
        /// Whether it was ever received, and the account of its first reception.
        public var received: Bool
        public var account: SealedIdentity?

        public init(
            id: String, change: DebitApplicationRecorded.Change, on: CivilDate, received: Bool,
            account: SealedIdentity? = nil
        ) {
            (self.id, self.change, self.on, self.received, self.account) = (id, change, on, received, account)
        }
    }

    /// Each application, in the order first recorded (as ``CollectionAccounts/Account/currentApplications``).
    public private(set) var applications: [Application] = []
    /// Each deferment (徴収猶予) as it stands now (its last decision): its periods and days.
    public private(set) var deferrals: [(id: String, periods: [PeriodKey], from: CivilDate, through: CivilDate)] = []
    /// Each fiscal year assessed, with its pension-deducted periods as bits (period n: bit n).
    private var years: [(year: FiscalYear, pension: UInt32)] = []
    private var balances = CompactBalances()
    /// The period sums as stored, not decoded yet (a request decodes only the payers with a
    /// mandate in force on its day); decoded before anything is folded.
    private var storedBalances: [UInt8]?
    private var storedBalancesExact = true
    private var unfollowed = false

    public init() {}

    /// The event types this state follows (and those it gives up on): a catch-up reads only these.
    public static let eventTypes: Set<String> = CompactBalances.eventTypes.union([
        DebitMandateStarted.eventType, DebitMandateStopped.eventType, DebitPrepaymentChosen.eventType,
        DebitRequested.eventType, ConveniencePaymentReported.eventType, CollectionDeferred.eventType,
        DebitApplicationRecorded.eventType, EligibilityLost.eventType,
    ])

    /// Whether this state answers exactly as the person's account would.
    public var isExact: Bool { !unfollowed && (storedBalances == nil ? balances.isExact : storedBalancesExact) }

    /// Folds one of the person's events, in stream order.
    public mutating func apply(_ event: KokiEvent) throws { try apply(event, foldingSums: true) }

    /// Folds one of the person's events as ``apply(_:)`` does, but not into the period sums: the
    /// caller folds the same events, in the same order, into a ``CompactBalances`` of its own (a
    /// rebuild's balances) and gives it to ``stored(sums:)``, so the sums are held once, not twice.
    public mutating func applyLeavingSums(_ event: KokiEvent) throws { try apply(event, foldingSums: false) }

    private mutating func apply(_ event: KokiEvent, foldingSums: Bool) throws {
        // The stored period sums are decoded only for an event that changes them (a debit
        // request, the commonest, does not).
        if foldingSums, let bytes = storedBalances, CompactBalances.eventTypes.contains(event.typeName) {
            balances = try Self.decodeBalances(bytes)
            storedBalances = nil
        }
        switch event {
        case .debitMandateStarted(let e):
            // As the account: a new mandate replaces the one in force from its start.
            for i in mandates.indices where mandates[i].stopsOn.map({ $0 > e.startsOn }) ?? true {
                mandates[i].stopsOn = max(mandates[i].startsOn, e.startsOn)
            }
            mandates.append(CollectionAccounts.Mandate(startsOn: e.startsOn, stopsOn: nil, account: e.account))
        case .debitMandateStopped(let e):
            for i in mandates.indices where mandates[i].stopsOn.map({ $0 > e.stopsOn }) ?? true {
                mandates[i].stopsOn = max(mandates[i].startsOn, e.stopsOn)
            }
        case .debitApplicationRecorded(let e):
            let i =
                applications.firstIndex { $0.id == e.id }
                ?? {
                    applications.append(Application(id: e.id, change: e.change, on: e.on, received: false))
                    return applications.count - 1
                }()
            applications[i].change = e.change
            applications[i].on = e.on
            // The account is the first reception's (``CollectionAccounts/Account/applicationAccount(_:)``).
            if e.change == .received && !applications[i].received {
                applications[i].received = true
                applications[i].account = e.account
            }
        case .debitPrepaymentChosen(let e):
            prepayment = e.change == .chosen ? e.on : nil
        case .debitRequested(let e):
            lastRequested = max(lastRequested ?? e.debitDate, e.debitDate)
        case .eligibilityLost(let e):
            if e.reason == .died { diedOn = e.eventDate }
        case .collectionDeferred(let e):
            let deferral = (e.id, e.periods, e.from, e.through)
            if let i = deferrals.firstIndex(where: { $0.id == e.id }) {
                deferrals[i] = deferral
            } else {
                deferrals.append(deferral)
            }
        case .conveniencePaymentReported:
            unfollowed = true
        case .premiumAssessed(let e):
            var bits: UInt32 = 0
            for period in e.pensionPeriods where (0..<32).contains(period.number) { bits |= 1 << period.number }
            if let i = years.firstIndex(where: { $0.year == e.fiscalYear }) {
                years[i].pension = bits
            } else {
                years.append((e.fiscalYear, bits))
            }
        default:
            break
        }
        if foldingSums && storedBalances == nil { balances.apply(event) }
    }

    /// The mandate in force on a day.
    public func mandate(on date: CivilDate) -> CollectionAccounts.Mandate? { mandates.last { $0.isActive(on: date) } }

    /// Whether a period is deferred on a day (as ``CollectionAccounts/Account/deferral(_:on:)``
    /// finds a deferment).
    public func deferred(_ key: PeriodKey, on date: CivilDate) -> Bool {
        deferrals.contains { $0.periods.contains(key) && $0.from <= date && date <= $0.through }
    }

    /// How a period is collected under its year's assessment in force (`nil`: the year was
    /// never assessed).
    public func method(of key: PeriodKey) -> CollectionMethod? {
        guard let year = years.first(where: { $0.year == key.fiscalYear }) else { return nil }
        let n = key.period.number
        return (0..<32).contains(n) && year.pension & (1 << n) != 0 ? .pensionDeduction : .ordinary
    }

    /// Each period with its sums, as the account has them; `nil` when not ``isExact``.
    public func periods() throws -> [(key: PeriodKey, period: CollectionAccounts.Period)]? {
        guard isExact else { return nil }
        return try storedBalances.map(Self.decodeBalances)?.periods() ?? balances.periods()
    }

    /// The periods with premium still owing, with their sums; `nil` when not ``isExact``.
    public func owing() throws -> [(key: PeriodKey, period: CollectionAccounts.Period)]? {
        guard isExact else { return nil }
        return try storedBalances.map(Self.decodeBalances)?.owing() ?? balances.owing()
    }

    private static func decodeBalances(_ bytes: [UInt8]) throws -> CompactBalances {
        try bytes.withUnsafeBytes { buffer in
            var r = BinaryReader(buffer)
            let balances = try CompactBalances(reading: &r)
            try r.expectEnd()
            return balances
        }
    }

    // MARK: - Stored form

    /// Whether the period sums changed since the state was read back (a stored read model
    /// rewrites them only then: they are most of a state's bytes).
    public var sumsChanged: Bool { storedBalances == nil }

    /// The bytes a stored read model keeps, in two parts (see ``init(head:sums:)``): the head —
    /// the version, mandates, choices, last debit date, death, pension periods — which most events
    /// change, and the period sums, which only money and assessments change.
    public var stored: (head: [UInt8], sums: [UInt8]) {
        if let storedBalances { return (head, storedBalances) }
        var sums = BinaryWriter(capacity: 256)
        balances.write(to: &sums)
        return (head, sums.bytes)
    }

    /// The bytes a stored read model keeps, as ``stored`` gives them, of a state folded by
    /// ``applyLeavingSums(_:)`` with `sums` folded beside it, and whether it answers exactly (as
    /// ``isExact``).
    public func stored(sums: CompactBalances) -> (head: [UInt8], sums: [UInt8], isExact: Bool) {
        var w = BinaryWriter(capacity: 256)
        sums.write(to: &w)
        return (head, w.bytes, !unfollowed && sums.isExact)
    }

    /// The head of the stored form: everything but the period sums.
    private var head: [UInt8] {
        var w = BinaryWriter(capacity: 128)
        w.writeUInt(6)  // the form's version
        w.writeInt(version)
        w.writeArray(mandates) { w, m in
            w.write(m.startsOn)
            w.writeOptional(m.stopsOn) { $0.write($1) }
            w.writeBytes(m.account.bytes)
        }
        w.writeOptional(prepayment) { $0.write($1) }
        w.writeOptional(lastRequested) { $0.write($1) }
        w.writeOptional(diedOn) { $0.write($1) }
        w.writeArray(years) { w, y in
            w.write(y.year)
            w.writeUInt(UInt64(y.pension))
        }
        w.writeBool(unfollowed)
        w.writeArray(applications) { w, a in
            w.writeString(a.id)
            w.writeCase(a.change)
            w.write(a.on)
            w.writeBool(a.received)
            w.writeOptional(a.account) { $0.writeBytes($1.bytes) }
        }
        w.writeArray(deferrals) { w, d in
            w.writeString(d.id)
            w.writeArray(d.periods) { $0.write($1) }
            w.write(d.from)
            w.write(d.through)
        }
        return w.bytes
    }

    /// A state as ``stored`` wrote it. The sums are decoded when first needed.
    public init(head: [UInt8], sums: [UInt8]) throws {
        self.init()
        try head.withUnsafeBytes { buffer in
            var r = BinaryReader(buffer)
            guard try r.readUInt() == 6 else { throw CodecError("a debit state of another form") }
            version = try r.readInt64()
            mandates = try r.readArray { r in
                CollectionAccounts.Mandate(
                    startsOn: try r.readDate(), stopsOn: try r.readOptional { try $0.readDate() },
                    account: SealedIdentity(bytes: try r.readBytes()))
            }
            prepayment = try r.readOptional { try $0.readDate() }
            lastRequested = try r.readOptional { try $0.readDate() }
            diedOn = try r.readOptional { try $0.readDate() }
            years = try r.readArray { r in
                let year = try r.readFiscalYear()
                let bits = try r.readUInt()
                guard let pension = UInt32(exactly: bits) else { throw CodecError("\(bits) is not a period set") }
                return (year, pension)
            }
            unfollowed = try r.readBool()
            applications = try r.readArray { r in
                Application(
                    id: try r.readString(), change: try r.readCase(DebitApplicationRecorded.Change.self),
                    on: try r.readDate(), received: try r.readBool(),
                    account: try r.readOptional { SealedIdentity(bytes: try $0.readBytes()) })
            }
            deferrals = try r.readArray { r in
                (
                    try r.readString(), try r.readArray { try PeriodKey(from: &$0) }, try r.readDate(),
                    try r.readDate()
                )
            }
            try r.expectEnd()
        }
        // The sums' first byte says whether they follow the person exactly.
        guard let first = sums.first, first <= 1 else { throw CodecError("the period sums are missing") }
        storedBalances = sums
        storedBalancesExact = first == 1
    }
}
