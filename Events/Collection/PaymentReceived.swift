import KokiDomain

/// 保険料を収納した — money was received for a person, and how it was applied (消込).
///
/// Version 2 records the receipt and the allocation decided when it was recorded: each period
/// it paid with the accounting year the fiscal-closing rule gives (出納整理期間), and what was
/// left over, which is an overpayment (誤納) under the payment's number until it is
/// appropriated (充当) or refunded (還付). Every yen received is on exactly one of them.
public struct PaymentReceived: EventPayload {
    public static let eventType = "PaymentReceived"
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            id: c.field(\.id), person: c.field(\.person), channel: c.field(\.channel), paidOn: c.field(\.paidOn),
            learnedOn: c.field(\.learnedOn), amount: c.field(\.amount), slip: c.field(\.slip),
            slipCharge: c.field(\.slipCharge), parts: c.field(\.parts), overpaid: c.field(\.overpaid),
            reference: c.field(\.reference))
    }

    /// One period's share of the payment.
    public struct Part: Sendable, Hashable, Codable, BinaryRecord {
        public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
            try Self(
                key: c.field(\.key), charge: c.field(\.charge), amount: c.field(\.amount),
                accountingYear: c.field(\.accountingYear))
        }

        public var key: PeriodKey
        /// The premium, or the late fee finalized on the period.
        public var charge: Charge
        public var amount: Yen
        /// The year the money is revenue of: the period's year until 31 May after it, later the
        /// year paid in (carried-forward arrears, 滞納繰越分).
        public var accountingYear: FiscalYear

        public init(key: PeriodKey, charge: Charge = .premium, amount: Yen, accountingYear: FiscalYear) {
            (self.key, self.charge, self.amount, self.accountingYear) = (key, charge, amount, accountingYear)
        }

        public var carriedForward: Bool { accountingYear != key.fiscalYear }
    }

    /// The payment number (収納番号), unique in the ledger; "" for payments recorded by version 1.
    public var id: String
    public var person: PersonID
    public var channel: PaymentChannel
    /// The day the money was paid (領収日), which decides late fees and the accounting year.
    public var paidOn: CivilDate
    /// The day the city learned of it (a bank's or store's report can come days later).
    public var learnedOn: CivilDate
    public var amount: Yen
    /// The period the slip named; `nil` for unspecified money, applied oldest period first.
    public var slip: PeriodKey?
    /// What the slip named on the period: its premium, or its late fee.
    public var slipCharge: Charge
    public var parts: [Part]
    /// What was left over: an overpayment (誤納) under this payment's number.
    public var overpaid: Yen
    /// Where it came from: a receipt number, a slip's barcode, a file and its line.
    public var reference: String

    public init(
        id: String, person: PersonID, channel: PaymentChannel, paidOn: CivilDate, learnedOn: CivilDate, amount: Yen,
        slip: PeriodKey?, slipCharge: Charge = .premium, parts: [Part], overpaid: Yen, reference: String
    ) {
        (self.slipCharge, self.id, self.person, self.channel, self.paidOn) = (slipCharge, id, person, channel, paidOn)
        (self.learnedOn, self.amount, self.slip, self.parts, self.overpaid) = (learnedOn, amount, slip, parts, overpaid)
        self.reference = reference
    }
}

/// 収納を取り消した — a payment recorded in error was cancelled (取消); the periods it paid reopen
/// and its overpayment, if any, is withdrawn.
public struct PaymentCancelled: EventPayload {
    public static let eventType = "PaymentCancelled"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), payment: c.field(\.payment), cancelledOn: c.field(\.cancelledOn),
            reason: c.field(\.reason))
    }

    public var person: PersonID
    public var payment: String
    public var cancelledOn: CivilDate
    public var reason: String

    public init(person: PersonID, payment: String, cancelledOn: CivilDate, reason: String) {
        (self.person, self.payment, self.cancelledOn, self.reason) = (person, payment, cancelledOn, reason)
    }
}

/// 過誤納を認定した — money on a period is more than the period now owes (a reassessment lowered
/// it, eligibility was lost, a reduction was granted): the excess leaves the period and becomes
/// an overpayment (過納) to appropriate or refund.
public struct OverpaymentRecognized: EventPayload {
    public static let eventType = "OverpaymentRecognized"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), key: c.field(\.key), amount: c.field(\.amount),
            cause: c.field(\.cause), arose: c.field(\.arose), recognizedOn: c.field(\.recognizedOn),
            reason: c.field(\.reason))
    }

    public var person: PersonID
    /// The overpayment's number, unique in the ledger.
    public var id: String
    public var key: PeriodKey
    public var amount: Yen
    public var cause: RefundInterest.Cause
    /// The day it arose — for 過納, the day the money was paid (interest runs from the next day).
    public var arose: CivilDate
    public var recognizedOn: CivilDate
    public var reason: String

    public init(
        person: PersonID, id: String, key: PeriodKey, amount: Yen, cause: RefundInterest.Cause, arose: CivilDate,
        recognizedOn: CivilDate, reason: String
    ) {
        (self.person, self.id, self.key, self.amount, self.cause, self.arose) = (person, id, key, amount, cause, arose)
        (self.recognizedOn, self.reason) = (recognizedOn, reason)
    }
}

/// 充当した — an overpayment was applied to the person's unpaid periods (地方税法 §17条の2 by
/// analogy), each part effective from the day it became appropriable (充当適状): the later of the
/// period's due date and the day the overpayment arose.
public struct OverpaymentAppropriated: EventPayload {
    public static let eventType = "OverpaymentAppropriated"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), overpayment: c.field(\.overpayment), decidedOn: c.field(\.decidedOn),
            parts: c.field(\.parts))
    }

    public struct Part: Sendable, Hashable, Codable, BinaryRecord {
        public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
            try Self(
                key: c.field(\.key), charge: c.field(\.charge), amount: c.field(\.amount),
                effectiveOn: c.field(\.effectiveOn))
        }

        public var key: PeriodKey
        public var charge: Charge
        public var amount: Yen
        public var effectiveOn: CivilDate

        public init(key: PeriodKey, charge: Charge = .premium, amount: Yen, effectiveOn: CivilDate) {
            (self.key, self.charge, self.amount, self.effectiveOn) = (key, charge, amount, effectiveOn)
        }
    }

    public var person: PersonID
    public var overpayment: String
    public var decidedOn: CivilDate
    public var parts: [Part]

    public init(person: PersonID, overpayment: String, decidedOn: CivilDate, parts: [Part]) {
        (self.person, self.overpayment, self.decidedOn, self.parts) = (person, overpayment, decidedOn, parts)
    }
}

/// 還付を決定した — what was left of an overpayment after appropriation is to be refunded, with
/// the refund interest (還付加算金) computed to the decision day.
public struct RefundDecided: EventPayload {
    public static let eventType = "RefundDecided"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), overpayment: c.field(\.overpayment),
            amount: c.field(\.amount), interest: c.field(\.interest), interestFrom: c.field(\.interestFrom),
            decidedOn: c.field(\.decidedOn), ruleVersion: c.field(\.ruleVersion))
    }

    public var person: PersonID
    /// The refund's number, unique in the ledger.
    public var id: String
    public var overpayment: String
    public var amount: Yen
    public var interest: Yen
    /// The first day that bore interest.
    public var interestFrom: CivilDate
    public var decidedOn: CivilDate
    public var ruleVersion: String

    public init(
        person: PersonID, id: String, overpayment: String, amount: Yen, interest: Yen, interestFrom: CivilDate,
        decidedOn: CivilDate, ruleVersion: String
    ) {
        (self.person, self.id, self.overpayment, self.amount) = (person, id, overpayment, amount)
        (self.interest, self.interestFrom, self.decidedOn) = (interest, interestFrom, decidedOn)
        self.ruleVersion = ruleVersion
    }
}

/// 還付金を支払った — a decided refund was paid out, to the person or to an heir (相続人), which
/// closes it. The heir's name is sealed with the person's key, like their identity.
public struct RefundPaid: EventPayload {
    public static let eventType = "RefundPaid"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), refund: c.field(\.refund), paidOn: c.field(\.paidOn), heir: c.field(\.heir))
    }

    public var person: PersonID
    public var refund: String
    public var paidOn: CivilDate
    /// The heir's name sealed with the person's key; `nil` when paid to the person.
    public var heir: SealedIdentity?

    public init(person: PersonID, refund: String, paidOn: CivilDate, heir: SealedIdentity?) {
        (self.person, self.refund, self.paidOn, self.heir) = (person, refund, paidOn, heir)
    }
}
