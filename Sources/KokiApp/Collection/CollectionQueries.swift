import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections

/// `refund list`: open overpayments and refunds decided but neither paid nor lapsed, for
/// everyone (the read of each person listed is recorded first). A fresh process reads only the
/// persons the stored balances show holding money for (``YearBalance/held``), each from their
/// own stream: proportional to the answer, not to the city's history.
public struct ListOpenRefunds: KokiRequest {
    public static let name = "refund list"
    public static let function: AccessFunction? = .collectionRead
    public static let isQuery = true

    /// An open overpayment (no interest) or a refund decided and not paid.
    public struct Entry: Codable, Sendable, Hashable {
        public var person: PersonID
        public var kind: String
        public var number: String
        public var amount: Yen
        public var interest: Yen?
        public var date: CivilDate
    }

    public init() {}

    public func handle(_ scope: RequestScope) throws -> [Entry] {
        let entries = try CollectionCommands(scope.ledger).openRefunds()
        try scope.recordRead(entries.map(\.person))
        return entries
    }
}

extension CollectionCommands {
    /// Open overpayments and refunds decided but neither paid nor lapsed, by person: from the
    /// persons the stored balances show holding money for, or the city in memory.
    public func openRefunds() throws -> [ListOpenRefunds.Entry] {
        let found = try candidates(
            { account in
                account.holdsMoney
            }, balances: .above(zero: .held), among: \.needingAttention)
        var entries: [ListOpenRefunds.Entry] = []
        for person in found.persons {
            guard let account = try found.state(person)?.account else { continue }
            for o in account.openOverpayments {
                entries.append(
                    .init(person: person, kind: "overpayment", number: o.id, amount: o.open, interest: nil, date: o.arose))
            }
            for r in account.refunds where r.paid == nil && r.prescribed == nil {
                entries.append(
                    .init(
                        person: person, kind: "refund", number: r.decision.id, amount: r.decision.amount,
                        interest: r.decision.interest, date: r.decision.decidedOn))
            }
        }
        return entries
    }
}

/// `unmatched list`: money that matched no person or period (未確認入金), the entries resolved
/// too with `all` (the read of the persons they were resolved to is recorded first).
public struct ListUnmatched: KokiRequest {
    public static let name = "unmatched list"
    public static let function: AccessFunction? = .collectionRead
    public static let isQuery = true

    /// Money recorded as unmatched, and to whom it was resolved.
    public struct Entry: Codable, Sendable {
        public var recorded: UnmatchedPaymentRecorded
        public var resolved: UnmatchedPaymentResolved?
    }

    public var all: Bool

    public init(all: Bool) { self.all = all }

    public func handle(_ scope: RequestScope) throws -> [Entry] {
        let unmatched = try scope.ledger.unmatchedPayments()
        try scope.recordRead(unmatched.compactMap { $0.resolved?.person })
        return unmatched.filter { all || $0.resolved == nil }.map { Entry(recorded: $0.event, resolved: $0.resolved) }
    }
}

/// `konbini slip`: the 44-digit barcode data of a convenience-store slip for a person's period.
public struct ConvenienceSlip: PersonRequest {
    public static let name = "konbini slip"
    public static let function: AccessFunction? = .collectionRead
    public static let isQuery = true

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var period: Int
    /// The city's 6-digit issuer code (請求書発行企業コード).
    public var issuer: String
    /// The reissue count (再発行区分), 0–9.
    public var reissue: Int
    /// The payment deadline (default: the due date).
    public var deadline: CivilDate?

    public init(person: PersonID, fiscalYear: FiscalYear, period: Int, issuer: String, reissue: Int, deadline: CivilDate?) {
        (self.person, self.fiscalYear, self.period, self.issuer, self.reissue, self.deadline) =
            (person, fiscalYear, period, issuer, reissue, deadline)
    }

    /// Answers the barcode's digits: the original slip's, or — with a reissue count — the digits
    /// of that recorded reissue (`konbini reissue`): the count is the ledger's, never typed anew.
    public func handle(_ scope: RequestScope) throws -> String {
        try scope.recordRead([person])
        let key = PeriodKey(fiscalYear, try PeriodNumber(period))
        if reissue > 0 {
            let state = try CollectionCommands(scope.ledger).load(person)
            guard let recorded = state.account.slipReissues.first(where: { $0.key == key && $0.count == reissue })
            else {
                throw KokiError(
                    .invalidInput,
                    "no reissue \(reissue) of \(person)'s slip for \(key) is recorded: record one with `koki konbini reissue`")
            }
            return recorded.barcode
        }
        return try CollectionCommands(scope.ledger).slipBarcode(
            person, key: PeriodKey(fiscalYear, try PeriodNumber(period)), issuer: issuer,
            reissue: reissue, deadline: deadline
        ).description
    }
}

/// `konbini pending`: preliminary convenience-store reports (速報) with no final record after
/// `olderThan` days, for follow-up.
public struct PendingConvenience: KokiRequest {
    public static let name = "konbini pending"
    public static let function: AccessFunction? = .collectionRead
    public static let isQuery = true

    public var olderThan: Int
    /// Counting to this day (default: the caller's today).
    public var on: CivilDate?

    public init(olderThan: Int, on: CivilDate?) {
        (self.olderThan, self.on) = (olderThan, on)
    }

    public func handle(_ scope: RequestScope) throws -> [ConveniencePaymentReported] {
        let pending = try CollectionCommands(scope.ledger).pendingConvenience(
            on: on ?? scope.today, olderThan: olderThan)
        try scope.recordRead(pending.map(\.person))
        return pending
    }
}
