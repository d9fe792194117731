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
