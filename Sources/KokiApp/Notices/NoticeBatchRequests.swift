import Foundation
import KokiDomain
import KokiEvents
import KokiNotices

extension NoticeKind {
    /// The function that issues (or reissues) this kind of document.
    public var function: AccessFunction {
        switch self {
        case .payment: .assessmentWrite
        case .dunning, .reminder: .arrearsWrite
        case .refund, .certificate, .debitStart: .collectionWrite
        }
    }
}

/// A batch of notices issued: the documents, and the print file the door writes — its name
/// (`KIND-DATE.FORMAT`), bytes, SHA-256 and dispatch list (送付票). No documents: nothing to issue.
public struct NoticeBatch: Codable, Sendable {
    public var kind: NoticeKind
    public var date: CivilDate
    public var notices: [Notice]
    public var file: String
    public var printData: Data
    public var fileHash: [UInt8]
    public var dispatchList: String
    /// The documents not built because the person has died and nobody is recorded to receive
    /// their mail (送付先未確定): the counter's list.
    public var held: [Notices.Held] = []
}

/// A batch of notices (`notices payment`, `dunning`, `reminder`, `refund`): built from the ledger at
/// its head, recorded as a read of the persons' data (with its purpose) and as issued — a
/// `DocumentIssued` per document and the run with its print file's hash, in one command.
public protocol NoticeBatchRequest: KokiRequest where Result == NoticeBatch {
    static var kind: NoticeKind { get }
    var format: PrintFormat { get }
    var encoding: PrintEncoding { get }
    /// The print file, when the door found it written already: the batch is then refused (unless
    /// there is nothing to issue), before anything is recorded.
    var existingFile: String? { get }
    /// The notices' date (a date left out is the caller's today).
    func date(_ scope: RequestScope) -> CivilDate
    /// The date as given (`nil`: the caller's today): a date given must be a day the office is open.
    var givenDate: CivilDate? { get }
    func build(_ notices: Notices, on date: CivilDate, at position: Int64) throws -> Notices.Built
}

extension NoticeBatchRequest {
    public static var function: AccessFunction? { kind.function }

    public func handle(_ scope: RequestScope) throws -> NoticeBatch {
        let date = date(scope)
        if let given = givenDate {
            try scope.ledger.businessCalendar(around: given).requireOpen(given, for: "a \(Self.kind.rawValue) notice")
        }
        let notices = Notices(scope.ledger)
        let made = try build(notices, on: date, at: try scope.ledger.store.head().position)
        let built = made.notices
        let file = "\(Self.kind.rawValue)-\(date).\(format.rawValue)"
        var batch = NoticeBatch(
            kind: Self.kind, date: date, notices: built, file: file, printData: Data(), fileHash: [], dispatchList: "",
            held: made.held)
        guard !built.isEmpty else { return batch }
        if let existingFile {
            throw KokiError(
                .invalidInput,
                "\(existingFile) already exists: these notices were written already (see the dispatch list)")
        }
        // Everything that can refuse the run (the encoding) before the read is recorded.
        let bytes = try PrintData.file(built, kind: Self.kind, format: format, encoding: encoding)
        batch.fileHash = PrintData.sha256(bytes)
        batch.printData = Data(bytes)
        batch.dispatchList = PrintData.dispatchList(
            built, kind: Self.kind, date: date, file: file, hash: batch.fileHash)
        try scope.recordRead(built.map(\.person), purpose: "\(Self.kind.rawValue) notices \(date)")
        try notices.record(built, run: batch.fileHash, metadata: scope.metadata())
        return batch
    }
}

/// `notices payment --fiscal-year FY`: a payment notice for every assessment of the year not yet noticed.
public struct IssuePaymentNotices: NoticeBatchRequest {
    public static let name = "notices payment"
    public static let kind = NoticeKind.payment

    public var fiscalYear: FiscalYear
    public var on: CivilDate?
    public var format: PrintFormat
    public var encoding: PrintEncoding
    public var existingFile: String?

    public init(
        fiscalYear: FiscalYear, on: CivilDate?, format: PrintFormat, encoding: PrintEncoding, existingFile: String?
    ) {
        (self.fiscalYear, self.on, self.format, self.encoding, self.existingFile) =
            (fiscalYear, on, format, encoding, existingFile)
    }

    public func date(_ scope: RequestScope) -> CivilDate { on ?? scope.today }
    public var givenDate: CivilDate? { on }

    public func build(_ notices: Notices, on date: CivilDate, at position: Int64) throws -> Notices.Built {
        try notices.paymentBatch(fiscalYear: fiscalYear, on: date, at: position)
    }
}

/// A run whose letters a batch prints: the dunning letters (督促状) a dunning run decided, or the
/// reminder letters (催告書) a reminder run recorded.
public protocol LetterRun: Sendable {
    static var name: String { get }
    static var kind: NoticeKind { get }
    static func letters(_ notices: Notices, on date: CivilDate, at position: Int64) throws -> Notices.Built
}

/// `notices dunning --run DATE` and `notices reminder --run DATE`: the letters of the run of a date.
public struct IssueLetters<Run: LetterRun>: NoticeBatchRequest {
    public static var name: String { Run.name }
    public static var kind: NoticeKind { Run.kind }

    public var run: CivilDate
    public var format: PrintFormat
    public var encoding: PrintEncoding
    public var existingFile: String?

    public init(run: CivilDate, format: PrintFormat, encoding: PrintEncoding, existingFile: String?) {
        (self.run, self.format, self.encoding, self.existingFile) = (run, format, encoding, existingFile)
    }

    public func date(_ scope: RequestScope) -> CivilDate { run }
    /// The run's own date, refused by the run already when the office is closed.
    public var givenDate: CivilDate? { nil }

    public func build(_ notices: Notices, on date: CivilDate, at position: Int64) throws -> Notices.Built {
        try Run.letters(notices, on: date, at: position)
    }
}

public enum DunningRunLetters: LetterRun {
    public static let name = "notices dunning"
    public static let kind = NoticeKind.dunning
    public static func letters(_ notices: Notices, on date: CivilDate, at position: Int64) throws -> Notices.Built {
        try notices.dunningBatch(on: date, at: position)
    }
}

public enum ReminderRunLetters: LetterRun {
    public static let name = "notices reminder"
    public static let kind = NoticeKind.reminder
    public static func letters(_ notices: Notices, on date: CivilDate, at position: Int64) throws -> Notices.Built {
        try notices.reminderBatch(on: date, at: position)
    }
}

public typealias IssueDunningLetters = IssueLetters<DunningRunLetters>
public typealias IssueReminderLetters = IssueLetters<ReminderRunLetters>

/// `notices refund --from D --through D`: refund notices (還付通知書) for the refunds decided then.
public struct IssueRefundNotices: NoticeBatchRequest {
    public static let name = "notices refund"
    public static let kind = NoticeKind.refund

    public var from: CivilDate
    public var through: CivilDate
    public var on: CivilDate?
    public var format: PrintFormat
    public var encoding: PrintEncoding
    public var existingFile: String?

    public init(
        from: CivilDate, through: CivilDate, on: CivilDate?, format: PrintFormat, encoding: PrintEncoding,
        existingFile: String?
    ) {
        self.from = from
        self.through = through
        self.on = on
        self.format = format
        self.encoding = encoding
        self.existingFile = existingFile
    }

    public func date(_ scope: RequestScope) -> CivilDate { on ?? scope.today }
    public var givenDate: CivilDate? { on }

    public func build(_ notices: Notices, on date: CivilDate, at position: Int64) throws -> Notices.Built {
        try notices.refundBatch(decidedFrom: from, through: through, on: date, at: position)
    }
}

/// `notices debit-start --from D --through D`: 口座振替開始通知書 for the mandates the bank accepted
/// then.
public struct IssueDebitStartNotices: NoticeBatchRequest {
    public static let name = "notices debit-start"
    public static let kind = NoticeKind.debitStart

    public var from: CivilDate
    public var through: CivilDate
    public var on: CivilDate?
    public var format: PrintFormat
    public var encoding: PrintEncoding
    public var existingFile: String?

    public init(
        from: CivilDate, through: CivilDate, on: CivilDate?, format: PrintFormat, encoding: PrintEncoding,
        existingFile: String?
    ) {
        (self.from, self.through, self.on) = (from, through, on)
        (self.format, self.encoding, self.existingFile) = (format, encoding, existingFile)
    }

    public func date(_ scope: RequestScope) -> CivilDate { on ?? scope.today }
    public var givenDate: CivilDate? { on }

    public func build(_ notices: Notices, on date: CivilDate, at position: Int64) throws -> Notices.Built {
        try notices.debitStartBatch(acceptedFrom: from, through: through, on: date, at: position)
    }
}

/// `notices reissue NUMBER`: a past document built again from the ledger at its position (再発行),
/// checked against the function of its kind, recorded as a read and as a reissue.
public struct ReissueNotice: KokiRequest {
    public static let name = "notices reissue"
    public static let function: AccessFunction? = nil

    public var number: String

    public init(number: String) { self.number = number }

    public func handle(_ scope: RequestScope) throws -> Notice {
        let notice = try Notices(scope.ledger).rebuild(number)
        try scope.check(notice.kind.function)
        try scope.recordRead([notice.person], purpose: "reissue \(number)")
        try scope.ledger.record(
            [.notice(.documentIssued(notice.issued(reissueOf: number)))], metadata: scope.metadata())
        return notice
    }
}

/// `certificate PERSON --fiscal-year FY`: a payment certificate (納付済確認書), recorded as a read
/// and as issued.
public struct IssueCertificate: PersonRequest {
    public static let name = "certificate"
    public static let function: AccessFunction? = NoticeKind.certificate.function

    public var person: PersonID
    /// A fiscal year's periods — or, with `calendarYear`, the money received in that year.
    public var fiscalYear: FiscalYear?
    public var calendarYear: Int?
    public var on: CivilDate?

    public init(person: PersonID, fiscalYear: FiscalYear?, calendarYear: Int? = nil, on: CivilDate?) {
        (self.person, self.fiscalYear, self.calendarYear, self.on) = (person, fiscalYear, calendarYear, on)
    }

    public func handle(_ scope: RequestScope) throws -> Notice {
        let span: CertificateSpan
        switch (fiscalYear, calendarYear) {
        case (let fiscal?, nil): span = .fiscalYear(fiscal)
        case (nil, let year?): span = try .calendarYear(checked: year)
        default: throw KokiError(.invalidInput, "give one of --fiscal-year and --calendar-year")
        }
        if let on { try scope.ledger.businessCalendar(around: on).requireOpen(on, for: "a certificate") }
        let notices = Notices(scope.ledger)
        let notice = try notices.certificate(
            person, covering: span, on: on ?? scope.today, at: try scope.ledger.store.head().position)
        try scope.recordRead([person], purpose: "certificate \(span.subject)")
        // The same command again (a form sent twice) answers with the document it issued then:
        // built again from its position, the same bytes under the number recorded.
        let stored = try notices.record([notice], run: nil, metadata: scope.metadata())
        if let original = stored.first, original != notice.number { return try notices.rebuild(original) }
        return notice
    }
}
