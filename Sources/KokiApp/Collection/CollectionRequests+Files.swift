import Foundation
import KokiDomain
import KokiEvents
import KokiInterchange
import LedgerStore

/// A file of payments an outside party sends the city, as an import request names it.
public protocol CollectionFileFormat: Sendable {
    /// The import command's words (`debit import`).
    static var name: String { get }
    static var kind: CollectionFileKind { get }
}

/// The files koki imports payments from.
public enum CollectionFileKind: Sendable {
    /// A bank's debit result (全銀 type 91, 振替結果).
    case debitResult
    /// A convenience-store file of preliminary (速報) and final (確報) records.
    case convenienceStore
    /// Pension deductions (特別徴収) per pension month.
    case pensionDeductions
}

/// `debit import FILE`: a bank's debit result file.
public enum DebitResultFile: CollectionFileFormat {
    public static let name = "debit import"
    public static let kind = CollectionFileKind.debitResult
}

/// `konbini import FILE`: a convenience-store file.
public enum ConvenienceStoreFile: CollectionFileFormat {
    public static let name = "konbini import"
    public static let kind = CollectionFileKind.convenienceStore
}

/// `pension import FILE`: a file of pension deductions and stops.
public enum PensionDeductionsFile: CollectionFileFormat {
    public static let name = "pension import"
    public static let kind = CollectionFileKind.pensionDeductions
}

/// An import of a collection file: the file is read only after the operator was checked, checked
/// whole (refused at the first problem with its line), and its payments recorded.
public struct ImportCollectionFile<Format: CollectionFileFormat>: KokiRequest {
    public static var name: String { Format.name }
    public static var function: AccessFunction? { .collectionWrite }

    /// The file, on the machine the application runs on.
    public var file: String
    /// The day the city received it (default: the caller's today).
    public var learnedOn: CivilDate?

    public init(file: String, learnedOn: CivilDate?) {
        (self.file, self.learnedOn) = (file, learnedOn)
    }

    /// What the import did, and a note when the read models were not caught up.
    public struct Result: Codable, Sendable {
        public var summary: CollectionCommands.ImportSummary
        public var readModelsNote: String?
    }

    public func handle(_ scope: RequestScope) throws -> Result {
        let commands = CollectionCommands(scope.ledger)
        let bytes = Array(try scope.read(file))
        let name = (file as NSString).lastPathComponent
        let learnedOn = learnedOn ?? scope.today
        let actor = scope.metadata().actor
        let summary: CollectionCommands.ImportSummary
        switch Format.kind {
        case .debitResult: summary = try commands.importDebitResult(bytes, name: name, learnedOn: learnedOn, actor: actor)
        case .convenienceStore:
            summary = try commands.importConvenience(bytes, name: name, learnedOn: learnedOn, actor: actor)
        case .pensionDeductions:
            summary = try commands.importPension(bytes, name: name, learnedOn: learnedOn, actor: actor)
        }
        return Result(summary: summary, readModelsNote: scope.readModelsBroughtUp())
    }
}

/// `debit export`: the debit request file for a debit date (全銀 type 91), its periods recorded as
/// requested. The originator file is read only after the operator was checked; the payers whose
/// bank accounts the file holds are recorded as read before it is answered. The door writes it.
public struct ExportDebit: KokiRequest {
    public static let name = "debit export"
    public static let function: AccessFunction? = .collectionWrite

    /// The debit date (口座振替日 = the due date).
    public var date: CivilDate
    /// The city as originator: a JSON file.
    public var originator: String
    public var lineSeparator: ZenginDebitFile.LineSeparator

    public init(date: CivilDate, originator: String, lineSeparator: ZenginDebitFile.LineSeparator) {
        (self.date, self.originator, self.lineSeparator) = (date, originator, lineSeparator)
    }

    /// The file to write, and what it asks for.
    public struct Result: Codable, Sendable {
        public var bytes: Data
        public var records: Int
        public var total: Yen
    }

    public func handle(_ scope: RequestScope) throws -> Result {
        let settings = try scope.readJSON(CollectionCommands.Originator.self, from: originator)
        let before = try scope.ledger.store.head().position
        let (bytes, records, total) = try CollectionCommands(scope.ledger).exportDebit(
            on: date, originator: settings, separator: lineSeparator, actor: scope.context.operatorID)
        var query = EventQuery.from(position: before + 1)
        query.types = [DebitRequested.eventType]
        var payers: [PersonID] = []
        try scope.ledger.forEachEvent(query) { _, event in
            if case .debitRequested(let e) = event { payers.append(e.person) }
        }
        try scope.recordRead(payers, purpose: "debit request \(date)")
        return Result(bytes: Data(bytes), records: records, total: total)
    }
}

/// `debit apply PERSON`: a bank-debit application (口座振替依頼書) received at the counter.
public struct ApplyForDebit: PersonRequest {
    public static let name = "debit apply"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var bank: String
    public var branch: String
    public var accountType: Int
    public var account: String
    public var holder: String
    public var on: CivilDate

    public init(
        person: PersonID, bank: String, branch: String, accountType: Int, account: String, holder: String,
        on: CivilDate
    ) {
        (self.person, self.bank, self.branch, self.accountType) = (person, bank, branch, accountType)
        (self.account, self.holder, self.on) = (account, holder, on)
    }

    public func handle(_ scope: RequestScope) throws -> DebitApplicationRecorded {
        let date = try scope.openDecisionDay(on, for: "a bank-debit application")
        let value = try BankAccount(
            bankCode: bank, branchCode: branch, accountType: accountType, accountNumber: account, holderKana: holder)
        return try CollectionCommands(scope.ledger).applyForDebit(person, account: value, on: date, metadata: scope.metadata())
    }
}

/// `debit register`: the applications received, sent to the bank for registration. The door
/// writes the file; the payers whose accounts it holds are recorded as read.
public struct SendDebitApplications: KokiRequest {
    public static let name = "debit register"
    public static let function: AccessFunction? = .collectionWrite

    public var on: CivilDate

    public init(on: CivilDate) { self.on = on }

    public func handle(_ scope: RequestScope) throws -> CollectionCommands.MandateRequestRun {
        let date = try scope.openDecisionDay(on, for: "the registration request to the bank")
        let run = try CollectionCommands(scope.ledger).sendDebitApplications(on: date, actor: scope.metadata().actor)
        try scope.recordRead(run.sent.map(\.person), purpose: "bank-debit registration \(date)")
        return run
    }
}

/// `debit answers FILE`: the bank's answer to a registration request.
public struct ImportMandateAnswers: KokiRequest {
    public static let name = "debit answers"
    public static let function: AccessFunction? = .collectionWrite

    public var file: String
    public var learnedOn: CivilDate?

    public init(file: String, learnedOn: CivilDate?) { (self.file, self.learnedOn) = (file, learnedOn) }

    public func handle(_ scope: RequestScope) throws -> CollectionCommands.MandateAnswerSummary {
        let bytes = Array(try scope.read(file))
        return try CollectionCommands(scope.ledger).importMandateAnswers(
            bytes, name: (file as NSString).lastPathComponent, learnedOn: learnedOn ?? scope.today,
            actor: scope.metadata().actor)
    }
}

/// `konbini reissue PERSON`: a convenience-store slip issued again (再発行), counted by the ledger.
public struct ReissueSlip: PersonRequest {
    public static let name = "konbini reissue"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var period: Int
    public var issuer: String
    public var reason: String
    public var deadline: CivilDate
    public var on: CivilDate?

    public init(
        person: PersonID, fiscalYear: FiscalYear, period: Int, issuer: String, reason: String, deadline: CivilDate,
        on: CivilDate?
    ) {
        (self.person, self.fiscalYear, self.period, self.issuer) = (person, fiscalYear, period, issuer)
        (self.reason, self.deadline, self.on) = (reason, deadline, on)
    }

    public func handle(_ scope: RequestScope) throws -> SlipReissued {
        let date = try scope.openDecisionDay(on ?? scope.today, for: "a reissued slip")
        let deadline = try scope.openDeadline(self.deadline, for: "a reissued slip's deadline", field: "--deadline")
        try scope.recordRead([person], purpose: "slip reissue")
        return try CollectionCommands(scope.ledger).reissueSlip(
            person, key: PeriodKey(fiscalYear, try PeriodNumber(period)), issuer: issuer,
            reason: try checkedText(reason, field: "--reason"),
            deadline: deadline, on: date, metadata: scope.metadata())
    }
}

/// `debit prepay PERSON`: a payer chooses 全期前納 (or withdraws it).
public struct ChoosePrepayment: PersonRequest {
    public static let name = "debit prepay"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var on: CivilDate
    public var withdraw: Bool

    public init(person: PersonID, on: CivilDate, withdraw: Bool) {
        (self.person, self.on, self.withdraw) = (person, on, withdraw)
    }

    public func handle(_ scope: RequestScope) throws -> DebitPrepaymentChosen {
        let date = try scope.openDecisionDay(on, for: "a choice of 全期前納")
        return try CollectionCommands(scope.ledger).choosePrepayment(
            person, change: withdraw ? .withdrawn : .chosen, on: date, metadata: scope.metadata())
    }
}
