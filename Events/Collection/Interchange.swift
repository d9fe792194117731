import KokiDomain

/// 口座振替を開始した — a bank-debit mandate (口座振替依頼) took effect. The account (bank and
/// branch numbers, account type and number, holder's name in half-width kana) is personal data,
/// sealed with the person's key.
public struct DebitMandateStarted: EventPayload {
    public static let eventType = "DebitMandateStarted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), startsOn: c.field(\.startsOn), account: c.field(\.account))
    }

    public var person: PersonID
    public var startsOn: CivilDate
    public var account: SealedIdentity

    public init(person: PersonID, startsOn: CivilDate, account: SealedIdentity) {
        (self.person, self.startsOn, self.account) = (person, startsOn, account)
    }
}

/// 口座振替を停止した — the mandate ends from a day (the payer's request, a closed account).
public struct DebitMandateStopped: EventPayload {
    public static let eventType = "DebitMandateStopped"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), stopsOn: c.field(\.stopsOn), reason: c.field(\.reason))
    }

    public var person: PersonID
    public var stopsOn: CivilDate
    public var reason: String

    public init(person: PersonID, stopsOn: CivilDate, reason: String) {
        (self.person, self.stopsOn, self.reason) = (person, stopsOn, reason)
    }
}

/// 口座振替を依頼した — a period was put in a debit request file for a debit date.
public struct DebitRequested: EventPayload {
    public static let eventType = "DebitRequested"
    /// Version 2 stores the customer number as a number and the file's digest as its bytes
    /// (``DebitRequestedV1`` stored both as text): 35 bytes fewer a request.
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), key: c.field(\.key), amount: c.field(\.amount), debitDate: c.field(\.debitDate),
            customerNumber: c.field(\.customerNumber.asDigits).value, file: c.field(\.file.asHexDigest).value)
    }

    public var person: PersonID
    public var key: PeriodKey
    public var amount: Yen
    public var debitDate: CivilDate
    /// The 20-digit customer number (顧客番号) in the file, which the result file echoes.
    public var customerNumber: String
    /// The request file's digest (SHA-256, hex).
    public var file: String

    public init(
        person: PersonID, key: PeriodKey, amount: Yen, debitDate: CivilDate, customerNumber: String, file: String
    ) {
        (self.person, self.key, self.amount, self.debitDate) = (person, key, amount, debitDate)
        (self.customerNumber, self.file) = (customerNumber, file)
    }
}

/// 口座振替不能 — the bank could not debit a requested period; it stays unpaid.
public struct DebitFailed: EventPayload {
    public static let eventType = "DebitFailed"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), key: c.field(\.key), amount: c.field(\.amount), debitDate: c.field(\.debitDate),
            resultCode: c.field(\.resultCode.asDigit).value, file: c.field(\.file))
    }

    public var person: PersonID
    public var key: PeriodKey
    public var amount: Yen
    public var debitDate: CivilDate
    /// The bank's result code (振替結果コード) 1–9: 1 資金不足, 2 取引なし, 3 預金者の都合, 4 依頼書なし,
    /// 8 委託者の都合, 9 その他.
    public var resultCode: Int
    /// The result file's digest (SHA-256, hex).
    public var file: String

    public init(person: PersonID, key: PeriodKey, amount: Yen, debitDate: CivilDate, resultCode: Int, file: String) {
        (self.person, self.key, self.amount, self.debitDate) = (person, key, amount, debitDate)
        (self.resultCode, self.file) = (resultCode, file)
    }
}

/// コンビニ収納 速報 — a convenience store reported a payment that its agent has not yet confirmed:
/// the money is expected (dunning holds off), but it is not received until the final record.
public struct ConveniencePaymentReported: EventPayload {
    public static let eventType = "ConveniencePaymentReported"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), key: c.field(\.key), amount: c.field(\.amount), paidOn: c.field(\.paidOn),
            reportedOn: c.field(\.reportedOn), store: c.field(\.store), barcode: c.field(\.barcode))
    }

    public var person: PersonID
    public var key: PeriodKey
    public var amount: Yen
    public var paidOn: CivilDate
    public var reportedOn: CivilDate
    public var store: String
    /// The slip's 44-digit barcode data.
    public var barcode: String

    public init(
        person: PersonID, key: PeriodKey, amount: Yen, paidOn: CivilDate, reportedOn: CivilDate, store: String,
        barcode: String
    ) {
        (self.person, self.key, self.amount, self.paidOn, self.reportedOn) = (person, key, amount, paidOn, reportedOn)
        (self.store, self.barcode) = (store, barcode)
    }
}

/// 特別徴収が停止した — the pension payer stopped deducting (the pension ended or fell, the person
/// moved or died): the rest of the year moves to ordinary collection.
public struct PensionDeductionStopped: EventPayload {
    public static let eventType = "PensionDeductionStopped"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), fiscalYear: c.field(\.fiscalYear), stoppedFrom: c.field(\.stoppedFrom),
            reason: c.field(\.reason))
    }

    public var person: PersonID
    public var fiscalYear: FiscalYear
    /// The first pension payment day with no deduction.
    public var stoppedFrom: CivilDate
    public var reason: String

    public init(person: PersonID, fiscalYear: FiscalYear, stoppedFrom: CivilDate, reason: String) {
        (self.person, self.fiscalYear, self.stoppedFrom, self.reason) = (person, fiscalYear, stoppedFrom, reason)
    }
}

/// 未確認入金 — money arrived that matched no person or period (an unknown slip number, a
/// transfer with no reference). It is listed until resolved, never lost.
public struct UnmatchedPaymentRecorded: EventPayload {
    public static let eventType = "UnmatchedPaymentRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            id: c.field(\.id), channel: c.field(\.channel), amount: c.field(\.amount), paidOn: c.field(\.paidOn),
            learnedOn: c.field(\.learnedOn), reference: c.field(\.reference), reason: c.field(\.reason))
    }

    public static let streamName = "collection/unmatched"

    public var id: String
    public var channel: PaymentChannel
    public var amount: Yen
    public var paidOn: CivilDate
    public var learnedOn: CivilDate
    public var reference: String
    public var reason: String

    public init(
        id: String, channel: PaymentChannel, amount: Yen, paidOn: CivilDate, learnedOn: CivilDate, reference: String,
        reason: String
    ) {
        (self.id, self.channel, self.amount, self.paidOn, self.learnedOn) = (id, channel, amount, paidOn, learnedOn)
        (self.reference, self.reason) = (reference, reason)
    }
}

/// 未確認入金を整理した — unmatched money was found to be a person's: the same command records
/// the payment on the person (`payment`), so the money moves from the list to the account.
public struct UnmatchedPaymentResolved: EventPayload {
    public static let eventType = "UnmatchedPaymentResolved"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            id: c.field(\.id), person: c.field(\.person), payment: c.field(\.payment),
            resolvedOn: c.field(\.resolvedOn))
    }

    public var id: String
    public var person: PersonID
    public var payment: String
    public var resolvedOn: CivilDate

    public init(id: String, person: PersonID, payment: String, resolvedOn: CivilDate) {
        (self.id, self.person, self.payment, self.resolvedOn) = (id, person, payment, resolvedOn)
    }
}

/// An interchange file was exported or imported (a debit request or result, a convenience-store
/// file, pension deduction results), with its digest and counts — on the stream
/// `collection/files`, so a file imported once is recognised when it comes again.
public struct CollectionFileRecorded: EventPayload {
    public static let eventType = "CollectionFileRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            kind: c.field(\.kind), digest: c.field(\.digest), name: c.field(\.name), date: c.field(\.date),
            records: c.field(\.records), amount: c.field(\.amount), accepted: c.field(\.accepted),
            other: c.field(\.other), duplicates: c.field(\.duplicates), unmatched: c.field(\.unmatched))
    }

    public static let streamName = "collection/files"

    /// Stored by declaration order: add cases at the end.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case debitRequest, debitResult, convenienceStore, pensionDeduction
        /// The provisional deductions asked of the pension insurers (仮徴収の特別徴収依頼).
        case pensionRequest
        /// What the pension insurers are told during the year (特別徴収依頼・異動: the year's
        /// request, changes, stops).
        case pensionNotice
        /// Bank-debit applications sent to the bank for registration (口座振替依頼書の登録依頼).
        case mandateRequest
        /// The bank's answer to them (登録結果).
        case mandateAnswer
    }

    public var kind: Kind
    /// SHA-256 of the file's bytes, hex.
    public var digest: String
    public var name: String
    /// The debit date, or the day the file was imported.
    public var date: CivilDate
    public var records: Int
    public var amount: Yen
    /// Records that became payments (or, for a request, were requested).
    public var accepted: Int
    /// Debits that failed; preliminary convenience-store reports.
    public var other: Int
    /// Records already imported, ignored.
    public var duplicates: Int
    /// Records whose money matched nothing (listed as unmatched).
    public var unmatched: Int

    public init(
        kind: Kind, digest: String, name: String, date: CivilDate, records: Int, amount: Yen, accepted: Int, other: Int,
        duplicates: Int, unmatched: Int
    ) {
        (self.kind, self.digest, self.name, self.date, self.records) = (kind, digest, name, date, records)
        (self.amount, self.accepted, self.other, self.duplicates) = (amount, accepted, other, duplicates)
        self.unmatched = unmatched
    }
}

/// 口座振替依頼書 — a bank-debit application through its life: received at the counter (with the
/// account, sealed with the person's key), sent to the bank for registration, accepted (the
/// mandate starts: a `DebitMandateStarted` in the same command) or refused with the bank's reason,
/// or withdrawn (the payer's request, a death before it was sent). The last event of an
/// application's id is its state.
public struct DebitApplicationRecorded: EventPayload {
    public static let eventType = "DebitApplicationRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), change: c.field(\.change), on: c.field(\.on),
            account: c.field(\.account), file: c.field(\.file), reason: c.field(\.reason))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
        case received, sent, accepted, refused, withdrawn
        public static let storedCases = allCases
    }

    public var person: PersonID
    /// koki's number for it: the person, the day received and a sequence (`1001-20250801-1`).
    public var id: String
    public var change: Change
    /// The day of the change (received, written to the file, learned of the answer, withdrawn).
    public var on: CivilDate
    /// The account (bank and branch numbers, type, number, holder in half-width kana), sealed;
    /// only when received.
    public var account: SealedIdentity?
    /// The digest (SHA-256, hex) of the request or answer file; "" otherwise.
    public var file: String
    /// The bank's reason for a refusal, or why withdrawn; "" otherwise.
    public var reason: String

    public init(
        person: PersonID, id: String, change: Change, on: CivilDate, account: SealedIdentity? = nil,
        file: String = "", reason: String = ""
    ) {
        (self.person, self.id, self.change, self.on, self.account) = (person, id, change, on, account)
        (self.file, self.reason) = (file, reason)
    }
}

/// コンビニ納付書を再発行した — a convenience-store slip issued again (再発行): the ledger's count
/// (the barcode's 再発行区分, 1–9), why, the new deadline and amount, and the 44 digits printed.
/// A store payment of an earlier slip of the period is still matched (by slip number) and
/// reported as superseded.
public struct SlipReissued: EventPayload {
    public static let eventType = "SlipReissued"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), key: c.field(\.key), count: c.field(\.count.asDigit).value,
            reason: c.field(\.reason), deadline: c.field(\.deadline), amount: c.field(\.amount),
            issuedOn: c.field(\.issuedOn), barcode: c.field(\.barcode))
    }

    public var person: PersonID
    public var key: PeriodKey
    /// 1 for the first reissue … 9.
    public var count: Int
    /// Why (紛失, 期限切れ, 金額変更 …).
    public var reason: String
    /// The new payment deadline printed (支払期限).
    public var deadline: CivilDate
    public var amount: Yen
    public var issuedOn: CivilDate
    /// The slip's 44-digit barcode data.
    public var barcode: String

    public init(
        person: PersonID, key: PeriodKey, count: Int, reason: String, deadline: CivilDate, amount: Yen,
        issuedOn: CivilDate, barcode: String
    ) {
        (self.person, self.key, self.count, self.reason) = (person, key, count, reason)
        (self.deadline, self.amount, self.issuedOn, self.barcode) = (deadline, amount, issuedOn, barcode)
    }
}

/// 全期前納を申し出た — a bank-debit payer chose to pay each year's premium whole on the year's
/// first due date (where the city's calendar offers it), or withdrew that choice. The debit
/// request of a year's first due date then asks for every ordinary period of the year still owed.
public struct DebitPrepaymentChosen: EventPayload {
    public static let eventType = "DebitPrepaymentChosen"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), change: c.field(\.change), on: c.field(\.on))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
        case chosen, withdrawn
        public static let storedCases = allCases
    }

    public var person: PersonID
    public var change: Change
    public var on: CivilDate

    public init(person: PersonID, change: Change, on: CivilDate) {
        (self.person, self.change, self.on) = (person, change, on)
    }
}
