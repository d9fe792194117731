import KokiDomain
import KokiEvents

/// `pay record`: money received for a person (収納), for the period its slip names or, unspecified,
/// for the oldest unpaid periods first. Answers the payment as recorded.
public struct RecordPayment: PersonRequest {
    public static let name = "pay record"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var amount: Int64
    public var paidOn: CivilDate
    /// The day the city learned of it (default: the day paid).
    public var learnedOn: CivilDate?
    public var channel: PaymentChannel
    /// The period the slip names, if any.
    public var slip: PeriodKey?
    /// The slip is for the period's late fee (延滞金), not its premium.
    public var lateFee: Bool
    public var reference: String

    public init(
        person: PersonID, amount: Int64, paidOn: CivilDate, learnedOn: CivilDate?, channel: PaymentChannel,
        slip: PeriodKey?, lateFee: Bool, reference: String
    ) {
        self.person = person
        self.amount = amount
        self.paidOn = paidOn
        self.learnedOn = learnedOn
        self.channel = channel
        self.slip = slip
        self.lateFee = lateFee
        self.reference = reference
    }

    public func handle(_ scope: RequestScope) throws -> PaymentReceived {
        let amount = try Yen.checked(amount, .amount, field: "--amount")
        let paidOn = try InputLimits.paid(paidOn, today: scope.today, field: "--paid-on")
        let learnedOn = try learnedOn.map { try InputLimits.paid($0, today: scope.today, field: "--learned-on") } ?? paidOn
        return try CollectionCommands(scope.ledger).pay(
            person, amount: amount, paidOn: paidOn, learnedOn: learnedOn, channel: channel, slip: slip,
            slipCharge: lateFee ? .lateFee : .premium,
            reference: try checkedText(reference, field: "--reference", limit: 64), metadata: scope.metadata())
    }
}

/// `pay cancel`: a payment recorded in error cancelled (取消); the periods it paid reopen.
public struct CancelPayment: PersonRequest {
    public static let name = "pay cancel"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var payment: String
    public var reason: String
    /// The day of the cancellation (default: the caller's today).
    public var on: CivilDate?

    public init(person: PersonID, payment: String, reason: String, on: CivilDate?) {
        (self.person, self.payment, self.reason, self.on) = (person, payment, reason, on)
    }

    public func handle(_ scope: RequestScope) throws -> PaymentCancelled {
        try CollectionCommands(scope.ledger).cancel(
            person, payment: payment, on: on ?? scope.today, reason: try checkedText(reason, field: "--reason"),
            metadata: scope.metadata())
    }
}

/// `debit start`: a person's bank-debit mandate (口座振替開始); a new one replaces the old. The
/// account is checked (and the holder's kana made half-width) here, at every door.
public struct StartDebit: PersonRequest {
    public static let name = "debit start"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var bank: String
    public var branch: String
    public var accountType: Int
    public var account: String
    public var holder: String
    public var from: CivilDate

    public init(
        person: PersonID, bank: String, branch: String, accountType: Int, account: String, holder: String,
        from: CivilDate
    ) {
        self.person = person
        self.bank = bank
        self.branch = branch
        self.accountType = accountType
        self.account = account
        self.holder = holder
        self.from = from
    }

    public func handle(_ scope: RequestScope) throws -> DebitMandateStarted {
        let value = try BankAccount(
            bankCode: bank, branchCode: branch, accountType: accountType, accountNumber: account, holderKana: holder)
        return try CollectionCommands(scope.ledger).startMandate(
            person, account: value, startsOn: from, metadata: scope.metadata())
    }
}

/// `debit stop`: a person's bank-debit mandate stopped from a day.
public struct StopDebit: PersonRequest {
    public static let name = "debit stop"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var from: CivilDate
    public var reason: String

    public init(person: PersonID, from: CivilDate, reason: String) {
        (self.person, self.from, self.reason) = (person, from, reason)
    }

    public func handle(_ scope: RequestScope) throws -> DebitMandateStopped {
        try CollectionCommands(scope.ledger).stopMandate(
            person, stopsOn: from, reason: try checkedText(reason, field: "--reason"), metadata: scope.metadata())
    }
}

/// `refund pay`: a decided refund recorded as paid, to the person or an heir (相続人). Paid to an
/// heir, it is a change the second check covers in the standard settings (`refund pay --heir`).
public struct PayRefund: PersonRequest {
    public static let name = "refund pay"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var refund: String
    /// The day paid (default: the caller's today).
    public var on: CivilDate?
    public var heir: String?

    public init(person: PersonID, refund: String, on: CivilDate?, heir: String?) {
        (self.person, self.refund, self.on, self.heir) = (person, refund, on, heir)
    }

    public var secondCheckOptions: [String] { heir == nil ? [] : ["--heir"] }

    public func handle(_ scope: RequestScope) throws -> RefundPaid {
        try CollectionCommands(scope.ledger).payRefund(
            person, refund: refund, on: on ?? scope.today, heir: try heir.map { try checkedText($0, field: "--heir") },
            metadata: scope.metadata())
    }
}
