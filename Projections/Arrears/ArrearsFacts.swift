import KokiDomain
import KokiEvents

/// What a person's arrears are decided from, and nothing more: for each period that may ever be
/// in arrears or dunned (still owing, or assessed and paid off late), its sums and dates, the
/// money that paid it with the day each counts from, and the dates that move its prescription.
/// The late fee to any day, the prescription and a period's place on the delinquent list
/// (滞納者一覧) are decided from these exactly as from the whole account
/// (``CollectionAccounts/Account``), which decides through them too: one calculation, two
/// sources.
///
/// A few hundred bytes a person where the account holds every payment and notice ever
/// recorded. The stored read model of arrears keeps them for the persons the list and the
/// dunning and reminder runs ask about, so a fresh process decides without folding their
/// streams.
public struct ArrearsFacts: Sendable, Hashable {
    /// Money on a period and the day it counts from: a payment's day, or the day an overpayment
    /// became appropriable to it (充当適状).
    public struct Money: Sendable, Hashable {
        public var on: CivilDate
        public var amount: Yen
        public init(on: CivilDate, amount: Yen) { (self.on, self.amount) = (on, amount) }
    }

    /// A seizure (差押) of the period: from its start, until its end if ended.
    public struct Seizure: Sendable, Hashable {
        public var from: CivilDate
        public var until: CivilDate?
        public init(from: CivilDate, until: CivilDate?) { (self.from, self.until) = (from, until) }
    }

    /// The days of a deferment (徴収猶予) as it stands now, and how its late fee is relieved.
    public struct Deferment: Sendable, Hashable {
        public var from: CivilDate
        public var through: CivilDate
        public var relief: LateFee.Relief.Share
        public init(from: CivilDate, through: CivilDate, relief: LateFee.Relief.Share) {
            (self.from, self.through, self.relief) = (from, through, relief)
        }
    }

    public struct Period: Sendable, Hashable {
        public var key: PeriodKey
        public var dueDate: CivilDate
        public var assessed = Yen.zero
        public var reduced = Yen.zero
        public var outstanding = Yen.zero
        public var appropriated = Yen.zero
        /// The final late fee (確定延滞金) recorded, and what of it is still owed.
        public var lateFee = Yen.zero
        public var lateFeeOutstanding = Yen.zero
        public var lastPaidOn: CivilDate?
        /// Payments not cancelled, then appropriations, each as recorded.
        public var paidIn: [Money] = []
        /// Acknowledgements of the debt: payments on it, then pledges (納付誓約).
        public var acknowledged: [CivilDate] = []
        /// Dunning notices (督促) and reminders (催告) naming it, as issued.
        public var dunned: [CivilDate] = []
        public var reminded: [CivilDate] = []
        /// By start, then end (one still pending last).
        public var seizures: [Seizure] = []
        /// The deferments naming it that defer any day, as recorded.
        public var deferred: [Deferment] = []

        public init(key: PeriodKey, dueDate: CivilDate) { (self.key, self.dueDate) = (key, dueDate) }

        /// As ``CollectionAccounts/Period/paidLate``: money after its due date, or by
        /// appropriation.
        public var paidLate: Bool { (lastPaidOn.map { $0 > dueDate } ?? false) || appropriated > .zero }

        /// Whether the period may ever be in arrears: assessed, and still owing or paid late.
        public var mayBeInArrears: Bool { assessed > .zero && (outstanding > .zero || paidLate) }

        /// Whether a dunning run on `date` may dun it: due before, still owing, and (`undunned`)
        /// never dunned. The run decides the rest (reports, holds, pension, prescription) from
        /// the account.
        public func mayBeDunned(before date: CivilDate, undunned: Bool) -> Bool {
            dueDate < date && outstanding > .zero && (!undunned || dunned.isEmpty)
        }

        /// The prescription (時効): from the due date, the first dunning notice, the
        /// acknowledgements, the reminders, the seizures and the deferred days.
        public func prescription(_ settings: ArrearsSettings) -> Prescription.Result {
            Prescription.of(
                dueDate: dueDate, dunnedOn: dunned, acknowledgedOn: acknowledged, remindedOn: reminded,
                seizures: seizures.map { ($0.from, $0.until) },
                deferred: deferred.map { $0.from...$0.through }, settings: settings)
        }

        /// The late fee to `date` (or to the day the principal was paid off): money on the
        /// period reduces the base from the day after it counts; a deferment's days are charged
        /// half, or nothing where it waives them. `nil` when the period owes nothing after
        /// reductions; an error names the period when the rates do not reach the date.
        public func lateFee(on date: CivilDate, _ settings: ArrearsSettings) throws(DomainError) -> LateFee? {
            guard assessed > reduced else { return nil }
            do {
                return try LateFee.calculate(
                    principal: assessed - reduced, dueDate: dueDate,
                    payments: paidIn.filter { $0.on <= date }.map { .init(paidOn: $0.on, amount: $0.amount) },
                    through: date, rates: settings.chargeRates,
                    relief: deferred.map { .init(from: $0.from, through: $0.through, share: $0.relief) })
            } catch {
                throw DomainError(error.code, "late fee of \(key): \(error.message)")
            }
        }

        /// The deferment whose days include `date`, if any.
        public func deferment(on date: CivilDate) -> Deferment? {
            deferred.first { $0.from <= date && date <= $0.through }
        }
    }

    /// The periods that may ever be in arrears or dunned, by key.
    public var periods: [Period]

    public init(periods: [Period]) { self.periods = periods }

    /// The facts of an account: its periods still owing, or assessed and paid off late, by key.
    public init(_ account: CollectionAccounts.Account) {
        let keys = Set(
            account.periods.compactMap { key, period -> PeriodKey? in
                period.outstanding > .zero || (period.assessed > .zero && period.paidLate) ? key : nil
            })
        self.init(periods: account.arrearsFacts(of: keys).values.sorted { $0.key < $1.key })
    }
}

extension CollectionAccounts.Account {
    /// The facts of one period (see ``arrearsFacts(of:)-(Set<PeriodKey>)``).
    public func arrearsFacts(of key: PeriodKey) -> ArrearsFacts.Period {
        arrearsFacts(of: [key])[key] ?? ArrearsFacts.Period(key: key, dueDate: periods[key]?.dueDate ?? .epoch)
    }

    /// The facts of the periods `keys` names, each read from the account in one pass over its
    /// payments, notices, plans, seizures and deferments. A key with no period has the epoch for
    /// its due date and no sums.
    public func arrearsFacts(of keys: Set<PeriodKey>) -> [PeriodKey: ArrearsFacts.Period] {
        var facts: [PeriodKey: ArrearsFacts.Period] = [:]
        guard !keys.isEmpty else { return facts }
        for key in keys {
            var f = ArrearsFacts.Period(key: key, dueDate: periods[key]?.dueDate ?? .epoch)
            if let period = periods[key] {
                (f.assessed, f.reduced, f.outstanding) = (period.assessed, period.reduced, period.outstanding)
                (f.appropriated, f.lateFee) = (period.appropriated, period.lateFee)
                (f.lateFeeOutstanding, f.lastPaidOn) = (period.lateFeeOutstanding, period.lastPaidOn)
            }
            facts[key] = f
        }
        // Only the payments that may have paid one of the periods are decoded: a question about one
        // period's late fee, or a chronic payer's old periods, no longer reads every payment.
        let years = keys.map(\.fiscalYear.year)
        let (first, last) = (years.min() ?? 0, years.max() ?? 0)
        for i in payments.indices
        where !payments.isCancelled(at: i) && payments.mayPay(at: i, yearsFrom: first, through: last) {
            let payment = payments[i].event
            for part in payment.parts {
                facts[part.key]?.paidIn.append(.init(on: payment.paidOn, amount: part.amount))
                facts[part.key]?.acknowledged.append(payment.paidOn)
            }
        }
        for a in appropriations {
            for part in a.parts {
                facts[part.key]?.paidIn.append(.init(on: part.effectiveOn, amount: part.amount))
            }
        }
        for plan in plans where plan.pledge && plan.change.leavesInForce {
            for key in plan.periods { facts[key]?.acknowledged.append(plan.on) }
        }
        for notice in dunning { facts[notice.key]?.dunned.append(notice.issuedOn) }
        for reminder in reminders {
            for key in reminder.periods { facts[key]?.reminded.append(reminder.issuedOn) }
        }
        // Each seizure by its id: started, and ended if it was.
        var pending: [PeriodKey: [String: ArrearsFacts.Seizure]] = [:]
        for s in seizures {
            for key in s.periods where keys.contains(key) {
                switch s.change {
                case .started: pending[key, default: [:]][s.id] = .init(from: s.on, until: nil)
                case .ended: pending[key]?[s.id]?.until = s.on
                }
            }
        }
        for (key, byID) in pending {
            facts[key]?.seizures = byID.values.sorted { a, b in
                guard a.from == b.from else { return a.from < b.from }
                guard let first = a.until else { return false }
                return b.until.map { first < $0 } ?? true
            }
        }
        for d in currentDeferrals where d.from <= d.through {
            for key in d.periods {
                facts[key]?.deferred.append(.init(from: d.from, through: d.through, relief: d.relief))
            }
        }
        return facts
    }
}

// MARK: - Stored form

// Written out field by field (varints, zig-zag money, dates as days since 1970) rather than
// through ``BinaryRecord``'s generic coder: the delinquent list reads thousands of these a run.

extension ArrearsFacts.Period: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(key.fiscalYear)
        w.write(key.period)
        w.write(dueDate)
        for yen in [assessed, reduced, outstanding, appropriated, lateFee, lateFeeOutstanding] { w.write(yen) }
        w.writeOptional(lastPaidOn) { $0.write($1) }
        w.writeArray(paidIn) { w, money in
            w.write(money.on)
            w.write(money.amount)
        }
        for dates in [acknowledged, dunned, reminded] { w.writeArray(dates) { $0.write($1) } }
        w.writeArray(seizures) { w, seizure in
            w.write(seizure.from)
            w.writeOptional(seizure.until) { $0.write($1) }
        }
        w.writeArray(deferred) { w, deferment in
            w.write(deferment.from)
            w.write(deferment.through)
            w.writeCase(deferment.relief)
        }
    }

    public init(from r: inout BinaryReader) throws {
        self.init(key: PeriodKey(try r.readFiscalYear(), try r.readPeriod()), dueDate: try r.readDate())
        (assessed, reduced, outstanding) = (try r.readYen(), try r.readYen(), try r.readYen())
        (appropriated, lateFee, lateFeeOutstanding) = (try r.readYen(), try r.readYen(), try r.readYen())
        lastPaidOn = try r.readOptional { try $0.readDate() }
        paidIn = try r.readArray { ArrearsFacts.Money(on: try $0.readDate(), amount: try $0.readYen()) }
        acknowledged = try r.readArray { try $0.readDate() }
        dunned = try r.readArray { try $0.readDate() }
        reminded = try r.readArray { try $0.readDate() }
        seizures = try r.readArray {
            ArrearsFacts.Seizure(from: try $0.readDate(), until: try $0.readOptional { try $0.readDate() })
        }
        deferred = try r.readArray {
            ArrearsFacts.Deferment(
                from: try $0.readDate(), through: try $0.readDate(), relief: try $0.readCase(LateFee.Relief.Share.self))
        }
    }
}

extension ArrearsFacts: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeArray(periods) { $1.encode(to: &$0) } }

    public init(from reader: inout BinaryReader) throws {
        self.init(periods: try reader.readArray { try ArrearsFacts.Period(from: &$0) })
    }
}
