import Crypto
import Foundation
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import LedgerStore

/// Collection (収納): payments and their allocation, cancellations, overpayments with
/// appropriation and refunds, bank-debit mandates. Each command loads the person's state,
/// decides, and appends its events expecting the person's stream at the version it read; a
/// refused command appends nothing and throws ``KokiError`` naming what is wrong.
///
/// Interchange files (bank debit, convenience stores, pension deductions) are in
/// `CollectionCommands+Files.swift`.
public struct CollectionCommands: Sendable {
    public let ledger: KokiLedger
    public let vault: IdentityVault

    @_spi(Batch) public init(_ ledger: KokiLedger) {
        self.ledger = ledger
        vault = IdentityVault(ledger)
    }

    /// One person's state for a command: folded from their stream (``load(_:knownAt:asOf:)``) or
    /// taken from a city snapshot (``PersonCollectionState``, in the projections).
    public typealias PersonState = PersonCollectionState

    /// The arrears settings in force (the stream `config/arrears`), if any were adopted.
    func arrearsSettings(knownAt: KnownAt? = nil) throws -> ArrearsSettings? {
        guard let knownAt else { return try ledger.currentArrearsSettings() }
        var settings: ArrearsSettings?
        var query = EventQuery.stream(try StreamName(ArrearsSettingsAdopted.streamName))
        knownAt.limit(&query)
        try ledger.forEachEvent(query) { _, event in
            if case .arrearsSettingsAdopted(let e) = event { settings = e.settings }
        }
        return settings
    }

    /// The person's state from their stream — as the ledger knew it at a position or time
    /// (`knownAt`), and/or as the world stood on a date (`asOf`: only events effective by then).
    public func load(_ person: PersonID, knownAt: KnownAt? = nil, asOf: CivilDate? = nil) throws -> PersonState {
        var state = try load(person, knownAt: knownAt, asOf: asOf, settings: nil)
        state.settings = try arrearsSettings(knownAt: knownAt)
        return state
    }

    /// ``load(_:knownAt:asOf:)`` with the settings already read (imports read them once).
    func load(_ person: PersonID, knownAt: KnownAt? = nil, asOf: CivilDate? = nil, settings: ArrearsSettings?) throws
        -> PersonState
    {
        var state =
            knownAt == nil && asOf == nil
            ? try ledger.currentState(of: person) : try ledger.fold(of: person, knownAt: knownAt, asOf: asOf).state
        state.settings = settings
        return state
    }

    /// A stable number for something a command creates: a letter and 14 hex digits derived from
    /// the command id and a key, so the same command always yields the same numbers. Fifteen
    /// bytes fit a Swift string without a heap allocation, which keeps replay fast; numbers only
    /// need to be unique within a person's account.
    static func number(_ prefix: String, _ command: Identifier, _ key: String = "") -> String {
        let digest = SHA256.hash(data: Array((command.description + "/" + key).utf8))
        return prefix + digest.prefix(7).hex
    }

    // MARK: - Payments

    /// The payment event for money received: allocated to the slip's period or, unspecified,
    /// to the oldest unpaid periods; what is left over is an overpayment under the payment's id.
    static func payment(
        id: String, state: PersonState, channel: PaymentChannel, paidOn: CivilDate, learnedOn: CivilDate, amount: Yen,
        slip: PeriodKey?, slipCharge: Charge = .premium, reference: String
    ) -> PaymentReceived {
        let (parts, left) = PaymentAllocation.allocate(
            amount, to: slip, charge: slipCharge, open: state.open(paidOn: paidOn))
        return PaymentReceived(
            id: id, person: state.person, channel: channel, paidOn: paidOn, learnedOn: learnedOn, amount: amount,
            slip: slip,
            slipCharge: slipCharge,
            parts: parts.map { key, charge, part in
                PaymentReceived.Part(
                    key: key, charge: charge, amount: part,
                    accountingYear: FiscalClosing.accountingYear(periodOf: key.fiscalYear, paidOn: paidOn).0)
            }, overpaid: left, reference: reference)
    }

    static func checkPayment(
        _ state: PersonState, amount: Yen, paidOn: CivilDate, learnedOn: CivilDate, slip: PeriodKey?
    ) throws {
        guard state.exists else { throw KokiError.notInLedger(state.person) }
        if let erased = state.entry?.erased {
            // Their identity and bank account are gone: money taken for them could never be
            // refunded to anyone. It is unmatched money (`koki unmatched record`) instead.
            throw KokiError(
                .invalidInput,
                "\(state.person) was erased on \(erased.decidedOn) (PersonErased): a payment to them could never be refunded; record it as unmatched money (koki unmatched record)"
            )
        }
        guard amount > .zero else { throw KokiError(.invalidInput, "amount \(amount.amount) must be positive") }
        _ = try Yen.checked(amount.amount, .amount, field: "amount")
        guard paidOn <= learnedOn else {
            throw KokiError(.invalidInput, "paid on \(paidOn) is after the day it was learned of (\(learnedOn))")
        }
        if let slip, state.account.periods[slip] == nil {
            throw KokiError(
                .invalidInput,
                "\(state.person) has no period \(slip.period.number) in FY\(slip.fiscalYear.year) (the slip names no assessed period)"
            )
        }
    }

    /// Records money received for a person (窓口, 金融機関, スマホ決済 …).
    @discardableResult
    public func pay(
        _ person: PersonID, amount: Yen, paidOn: CivilDate, learnedOn: CivilDate, channel: PaymentChannel,
        slip: PeriodKey?, slipCharge: Charge = .premium, reference: String = "", metadata: CommandMetadata
    ) throws -> PaymentReceived {
        let state = try load(person)
        try Self.checkPayment(state, amount: amount, paidOn: paidOn, learnedOn: learnedOn, slip: slip)
        let event = Self.payment(
            id: Self.number("p", metadata.commandID), state: state, channel: channel, paidOn: paidOn,
            learnedOn: learnedOn, amount: amount, slip: slip, slipCharge: slipCharge, reference: reference)
        var after = state
        let stored = try ledger.recordReturningStored(
            after.receive(event), metadata: metadata, expecting: [person: .exact(state.version)])
        guard case .paymentReceived(let original)? = stored.events.first else { return event }
        return original
    }

    /// Cancels a payment recorded in error (取消): a new event; the periods it paid reopen. A
    /// payment whose overpayment was already appropriated or refunded is refused — those
    /// decisions stand until they are themselves reversed.
    @discardableResult
    public func cancel(
        _ person: PersonID, payment: String, on date: CivilDate, reason: String, metadata: CommandMetadata
    ) throws -> PaymentCancelled {
        let state = try load(person)
        guard let record = state.account.payments.first(where: { $0.event.id == payment }) else {
            throw KokiError(.invalidInput, "\(person) has no payment \(payment)")
        }
        if let cancelled = record.cancelled {
            throw KokiError(.invalidInput, "payment \(payment) was already cancelled on \(cancelled.cancelledOn)")
        }
        if let overpayment = state.account.overpayments.first(where: { $0.id == payment }),
            overpayment.appropriated > .zero || overpayment.refunded > .zero
        {
            throw KokiError(
                .invalidInput,
                "payment \(payment)'s overpayment was already appropriated (\(overpayment.appropriated.amount)) or refunded (\(overpayment.refunded.amount)); it cannot be cancelled"
            )
        }
        guard !reason.isEmpty else { throw KokiError(.invalidInput, "a cancellation needs a reason") }
        let event = PaymentCancelled(person: person, payment: payment, cancelledOn: date, reason: reason)
        try ledger.record([.paymentCancelled(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    // MARK: - Overpayments

    /// What a settlement decided for one person.
    public struct Settlement: Sendable, Hashable, Codable {
        public var recognized: [OverpaymentRecognized] = []
        public var appropriated: [OverpaymentAppropriated] = []
        public var refunds: [RefundDecided] = []
        /// Late fees made final by an appropriation that paid a period off.
        public var lateFees: [LateFeeFinalized] = []
        public var isEmpty: Bool { recognized.isEmpty && appropriated.isEmpty && refunds.isEmpty }

        var events: [KokiEvent] {
            recognized.map { .overpaymentRecognized($0) } + appropriated.map { .overpaymentAppropriated($0) }
                + lateFees.map { .lateFeeFinalized($0) } + refunds.map { .refundDecided($0) }
        }
    }

    /// Settles a person's overpayments on `date` (過誤納の整理): money on a period beyond what it
    /// owes is recognised as an overpayment (過納); every open overpayment is appropriated to
    /// the person's unpaid periods already due, oldest first (充当; not-yet-due periods only with
    /// the payer's consent, `includeNotYetDue`); what is left is decided as a refund with its
    /// interest to `date` (還付加算金). Each step is an event; nothing to do appends nothing.
    public func settle(
        _ person: PersonID, on date: CivilDate, rates: ChargeRates, includeNotYetDue: Bool = false,
        metadata: CommandMetadata
    ) throws -> Settlement {
        let state = try load(person)
        guard state.exists else { throw KokiError.notInLedger(person) }
        return try settle(state, on: date, rates: rates, includeNotYetDue: includeNotYetDue, metadata: metadata)
    }

    /// ``settle(_:on:rates:includeNotYetDue:metadata:)`` on a state already loaded.
    func settle(
        _ state: PersonState, on date: CivilDate, rates: ChargeRates, includeNotYetDue: Bool, metadata: CommandMetadata
    ) throws -> Settlement {
        let person = state.person
        let settlement = try Self.settlement(
            state, on: date, rates: rates, includeNotYetDue: includeNotYetDue, command: metadata.commandID)
        if !settlement.isEmpty {
            try ledger.record(settlement.events, metadata: metadata, expecting: [person: .exact(state.version)])
        }
        return settlement
    }

    static func settlement(
        _ initial: PersonState, on date: CivilDate, rates: ChargeRates, includeNotYetDue: Bool, command: Identifier
    ) throws -> Settlement {
        var state = initial
        var result = Settlement()
        let person = state.person
        for (key, period) in state.account.periods.sorted(by: { $0.key < $1.key }) where period.overpaid > .zero {
            let event = OverpaymentRecognized(
                person: person, id: number("o", command, key.description), key: key, amount: period.overpaid,
                cause: .overpaid, arose: period.lastPaidOn ?? period.dueDate, recognizedOn: date,
                reason: "FY\(key.fiscalYear.year) period \(key.period.number) now owes \(period.assessed.amount)")
            result.recognized.append(event)
            state.apply(.overpaymentRecognized(event))
        }
        for overpayment in state.account.openOverpayments {
            var left = overpayment.open
            let targets = state.open(paidOn: date, includeNotYetDue: includeNotYetDue)
                .sorted {
                    ($0.charge == .premium ? 0 : 1, $0.dueDate, $0.key) < (
                        $1.charge == .premium ? 0 : 1, $1.dueDate, $1.key
                    )
                }
            var parts: [OverpaymentAppropriated.Part] = []
            for target in targets where left > .zero {
                let part = min(left, target.outstanding)
                parts.append(
                    .init(
                        key: target.key, charge: target.charge, amount: part,
                        effectiveOn: max(target.dueDate, overpayment.arose)))
                left -= part
            }
            if !parts.isEmpty {
                let event = OverpaymentAppropriated(
                    person: person, overpayment: overpayment.id, decidedOn: date, parts: parts)
                result.appropriated.append(event)
                state.apply(.overpaymentAppropriated(event))
                for key in Set(parts.filter { $0.charge == .premium }.map(\.key)).sorted() {
                    if let fee = state.finalization(key, on: date) {
                        result.lateFees.append(fee)
                        state.apply(.lateFeeFinalized(fee))
                    }
                }
            }
            if left > .zero {
                let interest: RefundInterest
                do {
                    interest = try RefundInterest.calculate(
                        amount: left, cause: overpayment.cause, arose: overpayment.arose, end: date, rates: rates)
                } catch {
                    throw KokiError(.invalidInput, "refund of overpayment \(overpayment.id): \(error.message)")
                }
                let event = RefundDecided(
                    person: person, id: number("r", command, overpayment.id), overpayment: overpayment.id, amount: left,
                    interest: interest.interest, interestFrom: interest.start, decidedOn: date,
                    ruleVersion: RefundInterest.ruleVersion)
                result.refunds.append(event)
                state.apply(.refundDecided(event))
            }
        }
        return result
    }

    /// Settles everyone with money over what they owe; one command per person, each recorded
    /// under the run's correlation id. A fresh process reads only the persons the stored
    /// balances show holding money for or overpaid, never the whole city.
    public func settleAll(
        on date: CivilDate, rates: ChargeRates, includeNotYetDue: Bool = false, actor: String, runID: Identifier? = nil
    ) throws -> [PersonID: Settlement] {
        let found = try candidates(
            { account in
                account.holdsMoney && account.overpayments.contains { $0.open > .zero }
                    || account.unsettledPeriods.contains { $0.value.overpaid > .zero }
            }, balances: .any(.above(zero: .held), .above(zero: .overpaid)), among: \.needingAttention)
        let run = runID ?? Identifier.random()
        var out: [PersonID: Settlement] = [:]
        for person in found.persons {
            guard let state = try found.state(person) else { continue }
            let settlement = try settle(
                state, on: date, rates: rates, includeNotYetDue: includeNotYetDue,
                metadata: CommandMetadata(
                    commandID: Identifier(derivedFrom: Array("settle/\(run)/\(person.value)".utf8)), actor: actor,
                    correlationID: run))
            if !settlement.isEmpty { out[person] = settlement }
        }
        return out
    }

    /// Records a decided refund as paid — to the person, or to an heir (相続人) whose name is
    /// sealed with the person's key. A deceased person's refund must name the heir.
    @discardableResult
    public func payRefund(
        _ person: PersonID, refund: String, on date: CivilDate, heir: String?, metadata: CommandMetadata
    ) throws -> RefundPaid {
        let state = try load(person)
        guard let record = state.account.refunds.first(where: { $0.decision.id == refund }) else {
            throw KokiError(.invalidInput, "\(person) has no refund \(refund)")
        }
        if let paid = record.paid {
            throw KokiError(.invalidInput, "refund \(refund) was already paid on \(paid.paidOn)")
        }
        if let prescribed = record.prescribed {
            throw KokiError(
                .invalidInput,
                "refund \(refund) lapsed: the right to it prescribed on \(prescribed.lastDay) (recorded \(prescribed.recordedOn))"
            )
        }
        guard date >= record.decision.decidedOn else {
            throw KokiError(
                .invalidInput, "paid on \(date) is before the refund was decided (\(record.decision.decidedOn))")
        }
        let died = state.entry?.eligibilityPeriods.contains { $0.loss == .died } ?? false
        if died, heir == nil {
            throw KokiError(.invalidInput, "\(person) has died: name the heir the refund is paid to (--heir)")
        }
        let event = RefundPaid(
            person: person, refund: refund, paidOn: date, heir: try heir.map { try vault.seal(name: $0, for: person) })
        try ledger.record([.refundPaid(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    // MARK: - Bank-debit mandates

    @discardableResult
    /// The account as the bank's files carry it: the holder's name in half-width kana (typed
    /// full-width or half-width), at most 30 characters.
    static func banked(_ account: BankAccount) throws -> BankAccount {
        var account = account
        do { account.holderKana = try HalfWidth.convert(account.holderKana) } catch {
            throw KokiError(.invalidInput, "holder name: \(error.message)")
        }
        guard account.holderKana.count <= 30 else {
            throw KokiError(
                .invalidInput, "holder name '\(account.holderKana)' is longer than 30 half-width characters")
        }
        return account
    }

    public func startMandate(
        _ person: PersonID, account: BankAccount, startsOn: CivilDate, metadata: CommandMetadata
    ) throws -> DebitMandateStarted {
        let state = try load(person)
        guard let entry = state.entry else {
            throw KokiError.notInRegister(person)
        }
        if let died = entry.diedOn, startsOn > died {
            throw KokiError(
                .invalidInput,
                "\(person) died on \(died): no bank-debit mandate starts after a death (the bank freezes the account; "
                    + "the heirs pay by slip)")
        }
        let account = try Self.banked(account)
        let event = DebitMandateStarted(
            person: person, startsOn: startsOn, account: try vault.seal(account, for: person))
        try ledger.record([.debitMandateStarted(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    @discardableResult
    public func stopMandate(_ person: PersonID, stopsOn: CivilDate, reason: String, metadata: CommandMetadata) throws
        -> DebitMandateStopped
    {
        let state = try load(person)
        guard state.account.mandate(on: stopsOn) != nil else {
            throw KokiError(.invalidInput, "\(person) has no bank-debit mandate in force on \(stopsOn)")
        }
        let event = DebitMandateStopped(person: person, stopsOn: stopsOn, reason: reason)
        try ledger.record([.debitMandateStopped(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    // MARK: - Unmatched money

    /// Records money that matches no person (an unreadable slip, a transfer without reference).
    @discardableResult
    public func recordUnmatched(
        amount: Yen, paidOn: CivilDate, learnedOn: CivilDate, channel: PaymentChannel, reference: String,
        reason: String,
        metadata: CommandMetadata
    ) throws -> UnmatchedPaymentRecorded {
        guard amount > .zero else { throw KokiError(.invalidInput, "amount \(amount.amount) must be positive") }
        let event = UnmatchedPaymentRecorded(
            id: Self.number("u", metadata.commandID), channel: channel, amount: amount, paidOn: paidOn,
            learnedOn: learnedOn, reference: reference, reason: reason)
        try ledger.record([.unmatchedPaymentRecorded(event)], metadata: metadata)
        return event
    }

    /// Assigns unmatched money to a person (and a period, or oldest first): one command records
    /// the resolution on the list and the payment on the person.
    @discardableResult
    public func resolveUnmatched(
        _ id: String, to person: PersonID, slip: PeriodKey?, on date: CivilDate, metadata: CommandMetadata
    ) throws -> PaymentReceived {
        var list = CollectionAccounts()
        try ledger.forEachEvent(.stream(try StreamName(UnmatchedPaymentRecorded.streamName))) { _, e in list.apply(e) }
        guard let entry = list.unmatched.first(where: { $0.event.id == id }) else {
            throw KokiError(.invalidInput, "no unmatched payment \(id)")
        }
        if let resolved = entry.resolved {
            throw KokiError(.invalidInput, "unmatched payment \(id) was already resolved to \(resolved.person)")
        }
        let state = try load(person)
        let u = entry.event
        try Self.checkPayment(
            state, amount: u.amount, paidOn: u.paidOn, learnedOn: max(u.learnedOn, u.paidOn), slip: slip)
        var after = state
        let payment = Self.payment(
            id: Self.number("p", metadata.commandID), state: state, channel: u.channel, paidOn: u.paidOn,
            learnedOn: u.learnedOn, amount: u.amount, slip: slip, reference: u.reference)
        try ledger.record(
            [
                .unmatchedPaymentResolved(
                    UnmatchedPaymentResolved(id: id, person: person, payment: payment.id, resolvedOn: date))
            ] + after.receive(payment), metadata: metadata, expecting: [person: .exact(state.version)])
        return payment
    }
}
