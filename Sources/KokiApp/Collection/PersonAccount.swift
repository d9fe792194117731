import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections

/// `account`: a person's collection account — each period's assessed, paid, outstanding and
/// overpaid amounts, the payments and how they were applied, overpayments, refunds, bank-debit
/// mandates and failures, convenience-store payments reported but not confirmed. The read is
/// recorded before it is answered.
public struct ShowAccount: PersonRequest {
    public static let name = "account"
    public static let function: AccessFunction? = .collectionRead
    public static let isQuery = true

    public var person: PersonID
    /// Only this fiscal year.
    public var fiscalYear: FiscalYear?
    /// As the ledger knew it then.
    public var knownAt: KnownAt?
    /// As it stood on this date (only what took effect by then).
    public var asOf: CivilDate?

    public init(person: PersonID, fiscalYear: FiscalYear?, knownAt: KnownAt?, asOf: CivilDate?) {
        (self.person, self.fiscalYear, self.knownAt, self.asOf) = (person, fiscalYear, knownAt, asOf)
    }

    public func handle(_ scope: RequestScope) throws -> PersonAccount {
        let state = try CollectionCommands(scope.ledger).load(person, knownAt: knownAt, asOf: asOf)
        guard state.exists else { throw KokiError.notInLedger(person) }
        try scope.recordRead([person])
        return PersonAccount(person, state.account, fiscalYear: fiscalYear)
    }
}

/// A person's collection account as `koki account` shows it (and as its JSON).
public struct PersonAccount: Codable, Sendable {
    public var person: String
    public var periods: [Period]
    public var payments: [Payment]
    public var overpayments: [Overpayment]
    public var refunds: [Refund]
    public var mandates: [Mandate]
    public var debitFailures: [Failure]
    public var pendingConvenience: [Pending]
    public var totals: Totals

    public struct Period: Codable, Sendable {
        public var fiscalYear: Int
        public var period: Int
        public var dueDate: String
        public var assessed: Int64
        public var paid: Int64
        public var outstanding: Int64
        public var overpaid: Int64
        public var reduced: Int64
        public var writtenOff: Int64
        public var lateFee: Int64
        public var lateFeeOwed: Int64
    }
    public struct Payment: Codable, Sendable {
        public var id: String
        public var paidOn: String
        public var learnedOn: String
        public var channel: String
        public var amount: Int64
        public var parts: [String]
        public var overpaid: Int64
        public var cancelled: String?
    }
    public struct Overpayment: Codable, Sendable {
        public var id: String
        public var cause: String
        public var arose: String
        public var amount: Int64
        public var appropriated: Int64
        public var refunded: Int64
        public var open: Int64
    }
    public struct Refund: Codable, Sendable {
        public var id: String
        public var overpayment: String
        public var amount: Int64
        public var interest: Int64
        public var decidedOn: String
        public var paidOn: String?
    }
    public struct Mandate: Codable, Sendable {
        public var from: String
        public var until: String?
    }
    public struct Failure: Codable, Sendable {
        public var debitDate: String
        public var fiscalYear: Int
        public var period: Int
        public var amount: Int64
        public var code: Int
        public var meaning: String
    }
    public struct Pending: Codable, Sendable {
        public var fiscalYear: Int
        public var period: Int
        public var amount: Int64
        public var paidOn: String
        public var store: String
    }
    public struct Totals: Codable, Sendable {
        public var assessed: Int64
        public var paid: Int64
        public var outstanding: Int64
        public var overpaid: Int64
    }

    /// `account` of `person`, limited to fiscal year `fy` when given.
    init(_ person: PersonID, _ account: CollectionAccounts.Account, fiscalYear fy: FiscalYear?) {
        func keep(_ key: PeriodKey) -> Bool { fy == nil || key.fiscalYear == fy }
        let periods = account.periods.sorted { $0.key < $1.key }.filter { keep($0.key) }.map { key, p in
            Period(
                fiscalYear: key.fiscalYear.year, period: key.period.number, dueDate: p.dueDate.description,
                assessed: p.assessed.amount, paid: p.credited.amount, outstanding: p.outstanding.amount,
                overpaid: p.overpaid.amount, reduced: p.reduced.amount, writtenOff: p.writtenOff.amount,
                lateFee: p.lateFee.amount, lateFeeOwed: p.lateFeeOutstanding.amount)
        }
        self.person = person.value
        self.periods = periods
        payments = account.payments.filter { p in
            fy == nil || p.event.parts.contains { keep($0.key) } || p.event.parts.isEmpty
        }.map { p in
            Payment(
                id: p.event.id, paidOn: p.event.paidOn.description, learnedOn: p.event.learnedOn.description,
                channel: p.event.channel.rawValue, amount: p.event.amount.amount,
                parts: p.event.parts.map {
                    "\($0.key)=\($0.amount.amount)" + ($0.carriedForward ? "(FY\($0.accountingYear.year))" : "")
                },
                overpaid: p.event.overpaid.amount,
                cancelled: p.cancelled.map { "\($0.cancelledOn) \($0.reason)" })
        }
        overpayments = account.overpayments.map { o in
            Overpayment(
                id: o.id, cause: o.cause.rawValue, arose: o.arose.description, amount: o.amount.amount,
                appropriated: o.appropriated.amount, refunded: o.refunded.amount, open: o.open.amount)
        }
        refunds = account.refunds.map { r in
            Refund(
                id: r.decision.id, overpayment: r.decision.overpayment, amount: r.decision.amount.amount,
                interest: r.decision.interest.amount, decidedOn: r.decision.decidedOn.description,
                paidOn: r.paid?.paidOn.description)
        }
        mandates = account.mandates.map { Mandate(from: $0.startsOn.description, until: $0.stopsOn?.description) }
        debitFailures = account.debitFailures.filter { keep($0.key) }.map { f in
            Failure(
                debitDate: f.debitDate.description, fiscalYear: f.key.fiscalYear.year, period: f.key.period.number,
                amount: f.amount.amount, code: f.resultCode, meaning: ZenginDebitFile.resultCodes[f.resultCode] ?? "?")
        }
        pendingConvenience = account.pendingReports.filter { keep($0.key) }.map { r in
            Pending(
                fiscalYear: r.key.fiscalYear.year, period: r.key.period.number, amount: r.amount.amount,
                paidOn: r.paidOn.description, store: r.store)
        }
        totals = Totals(
            assessed: periods.map(\.assessed).reduce(0, +), paid: periods.map(\.paid).reduce(0, +),
            outstanding: periods.map(\.outstanding).reduce(0, +), overpaid: periods.map(\.overpaid).reduce(0, +))
    }
}
