import Foundation
import KokiDomain
import KokiEvents

extension ChargeRates {
    /// The late-fee and refund-interest rates a command names: the JSON file (read by `read`) or
    /// the built-in table, with the reduced-rate window overridden by `windowMonths`.
    public static func named(
        _ file: String?, windowMonths: Int?, read: (String) throws -> ChargeRates
    ) throws -> ChargeRates {
        var rates = try file.map(read) ?? ChargeRates.standard
        if let windowMonths { rates = try ChargeRates(reducedWindowMonths: windowMonths, years: rates.years) }
        return rates
    }
}

/// `refund settle`: overpayments settled on a day, for one person or everyone — money on a
/// period beyond what it owes recognised (過納), open overpayments appropriated to unpaid periods
/// (充当), the rest decided as refunds with interest (還付加算金). The rates file, if named, is read
/// only after the operator was checked.
public struct SettleOverpayments: KokiRequest {
    public static let name = "refund settle"
    public static let function: AccessFunction? = .collectionWrite

    /// Only this person (default: everyone with money over what they owe).
    public var person: PersonID?
    /// The decision day (default: the caller's today).
    public var on: CivilDate?
    /// Also appropriate to periods not yet due (only with the payer's consent).
    public var includeNotYetDue: Bool
    /// The rates as a JSON file (default: the built-in table).
    public var chargeRates: String?
    public var windowMonths: Int?

    public init(
        person: PersonID?, on: CivilDate?, includeNotYetDue: Bool, chargeRates: String?, windowMonths: Int?
    ) {
        self.person = person
        self.on = on
        self.includeNotYetDue = includeNotYetDue
        self.chargeRates = chargeRates
        self.windowMonths = windowMonths
    }

    /// What was settled, person by person, and a note when the read models were not caught up.
    public struct Result: Codable, Sendable {
        public struct Settled: Codable, Sendable {
            public var person: PersonID
            public var settlement: CollectionCommands.Settlement
        }
        public var on: CivilDate
        public var persons: [Settled]
        public var readModelsNote: String?
    }

    public func handle(_ scope: RequestScope) throws -> Result {
        let commands = CollectionCommands(scope.ledger)
        let metadata = scope.metadata()
        let date = on ?? scope.today
        let rates = try ChargeRates.named(chargeRates, windowMonths: windowMonths) {
            try scope.readJSON(ChargeRates.self, from: $0)
        }
        var result = Result(on: date, persons: [])
        if let person {
            let settlement = try commands.settle(
                person, on: date, rates: rates, includeNotYetDue: includeNotYetDue, metadata: metadata)
            if !settlement.isEmpty { result.persons = [Result.Settled(person: person, settlement: settlement)] }
        } else {
            result.persons = try commands.settleAll(
                on: date, rates: rates, includeNotYetDue: includeNotYetDue, actor: metadata.actor
            ).sorted { $0.key < $1.key }.map { Result.Settled(person: $0.key, settlement: $0.value) }
            result.readModelsNote = scope.readModelsBroughtUp()
        }
        return result
    }
}

/// `unmatched record`: money that matches no one yet (未確認入金), listed until resolved.
public struct RecordUnmatched: KokiRequest {
    public static let name = "unmatched record"
    public static let function: AccessFunction? = .collectionWrite

    public var amount: Int64
    public var paidOn: CivilDate
    public var channel: PaymentChannel
    /// What came with it (a reference, a name).
    public var reference: String
    /// Why it matches no one.
    public var reason: String

    public init(amount: Int64, paidOn: CivilDate, channel: PaymentChannel, reference: String, reason: String) {
        (self.amount, self.paidOn, self.channel, self.reference, self.reason) =
            (amount, paidOn, channel, reference, reason)
    }

    public func handle(_ scope: RequestScope) throws -> UnmatchedPaymentRecorded {
        let paidOn = try InputLimits.paid(paidOn, today: scope.today, field: "--paid-on")
        return try CollectionCommands(scope.ledger).recordUnmatched(
            amount: try Yen.checked(amount, .amount, field: "--amount"), paidOn: paidOn,
            learnedOn: max(paidOn, scope.today), channel: channel,
            reference: try checkedText(reference, field: "--reference"),
            reason: try checkedText(reason, field: "--reason"), metadata: scope.metadata())
    }
}

/// `unmatched resolve`: unmatched money assigned to a person — it becomes their payment, for the
/// period its slip names or the oldest unpaid first.
public struct ResolveUnmatched: PersonRequest {
    public static let name = "unmatched resolve"
    public static let function: AccessFunction? = .collectionWrite

    /// The unmatched entry's number.
    public var id: String
    public var person: PersonID
    public var slip: PeriodKey?
    /// The day resolved (default: the caller's today).
    public var on: CivilDate?

    public init(id: String, person: PersonID, slip: PeriodKey?, on: CivilDate?) {
        (self.id, self.person, self.slip, self.on) = (id, person, slip, on)
    }

    public func handle(_ scope: RequestScope) throws -> PaymentReceived {
        try CollectionCommands(scope.ledger).resolveUnmatched(
            id, to: person, slip: slip, on: on ?? scope.today, metadata: scope.metadata())
    }
}
