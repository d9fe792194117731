import Foundation
import KokiDomain

/// The documents the city mails or hands out (文書), recorded as they are issued. None of these
/// moves money: the money projections ignore them in one case (``KokiEvent/notice(_:)``).
public enum NoticeEvent: Sendable, Hashable {
    case settingsAdopted(NoticeSettingsAdopted)
    case documentIssued(DocumentIssued)
    case runRecorded(NoticeRunRecorded)

    public var streamName: String {
        switch self {
        case .settingsAdopted: NoticeSettingsAdopted.streamName
        case .documentIssued(let e): DocumentIssued.stream(e.person)
        case .runRecorded: NoticeRunRecorded.streamName
        }
    }

    /// Hands the payload inside to `visitor` with its concrete type.
    public func visit<V: PayloadVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .settingsAdopted(let e): visitor.visit(e)
        case .documentIssued(let e): visitor.visit(e)
        case .runRecorded(let e): visitor.visit(e)
        }
    }
}

/// The kinds of document. Stored by declaration order: add cases at the end.
public enum NoticeKind: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// 保険料額決定通知書兼納入通知書.
    case payment
    /// 督促状.
    case dunning
    /// 催告書.
    case reminder
    /// 還付通知書.
    case refund
    /// 納付済確認書, on request.
    case certificate
    /// 口座振替開始通知書: the bank registered the payer's mandate.
    case debitStart

    public static let storedCases = allCases

    /// The document's name as printed.
    public var title: String {
        switch self {
        case .payment: "後期高齢者医療保険料額決定通知書兼納入通知書"
        case .dunning: "督促状"
        case .reminder: "催告書"
        case .refund: "後期高齢者医療保険料還付通知書"
        case .certificate: "後期高齢者医療保険料納付済確認書"
        case .debitStart: "後期高齢者医療保険料口座振替開始通知書"
        }
    }

    /// The letter that starts each document number.
    public var numberPrefix: String {
        switch self {
        case .payment: "N"
        case .dunning: "T"
        case .reminder: "S"
        case .refund: "K"
        case .certificate: "C"
        case .debitStart: "F"
        }
    }
}

/// What every notice prints about the city: who sends it and whom to ask (config/notices). None of
/// it is set by law: the city's own wording and numbers.
public struct NoticeSettings: Sendable, Hashable, Codable, StoredAsJSON {
    /// 松戸市.
    public var city: String
    /// Who issues: 松戸市長 (and a name, if the city prints one).
    public var issuer: String
    /// The section that answers questions.
    public var department: String
    public var address: String
    public var phone: String
    /// The 6-digit code of the city as a convenience-store billing company (請求書発行企業コード).
    public var barcodeIssuer: String
    /// Days from the notice date to the pay-by date printed on a reminder (催告書).
    public var reminderPayByDays: Int = 14

    public init(
        city: String, issuer: String, department: String, address: String, phone: String, barcodeIssuer: String,
        reminderPayByDays: Int = 14
    ) {
        (self.city, self.issuer, self.department, self.address, self.phone) = (city, issuer, department, address, phone)
        (self.barcodeIssuer, self.reminderPayByDays) = (barcodeIssuer, reminderPayByDays)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        city = try c.decode(String.self, forKey: .city)
        issuer = try c.decode(String.self, forKey: .issuer)
        department = try c.decode(String.self, forKey: .department)
        address = try c.decode(String.self, forKey: .address)
        phone = try c.decode(String.self, forKey: .phone)
        barcodeIssuer = try c.decode(String.self, forKey: .barcodeIssuer)
        reminderPayByDays = try c.decodeIfPresent(Int.self, forKey: .reminderPayByDays) ?? 14
    }
}

/// The notice settings in force from now (`config/notices`), as canonical JSON.
public struct NoticeSettingsAdopted: EventPayload {
    public static let eventType = "NoticeSettingsAdopted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(settings: c.field(\.settings))
    }

    public static let streamName = "config/notices"

    public var settings: NoticeSettings

    public init(settings: NoticeSettings) { self.settings = settings }
}

/// 文書を発行した — one document: its number, kind and reason (文書発行事由), whom it is for, what it is
/// about (`subject`: a fiscal year, a period, a refund), the ledger position it was built from and
/// the day it is dated, and the SHA-256 of its print record — so a reissue, built again from the
/// ledger at that position, can be shown to be the same document. Stream `documents/PERSON`.
public struct DocumentIssued: EventPayload {
    public static let eventType = "DocumentIssued"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            number: c.field(\.number), kind: c.field(\.kind), reason: c.field(\.reason), person: c.field(\.person),
            subject: c.field(\.subject), builtFrom: c.field(\.builtFrom), issuedOn: c.field(\.issuedOn),
            recordHash: c.field(\.recordHash), reissueOf: c.field(\.reissueOf))
    }

    /// The stream of the documents addressed to a person: ``streamPrefix`` and their number.
    public static func stream(_ person: PersonID) -> String { streamPrefix + person.value }
    public static let streamPrefix = "documents/"

    public var number: String
    public var kind: NoticeKind
    public var reason: String
    public var person: PersonID
    public var subject: String
    public var builtFrom: Int64
    public var issuedOn: CivilDate
    public var recordHash: [UInt8]
    /// For a reissue (再発行): the number of the document issued again.
    public var reissueOf: String?

    public init(
        number: String, kind: NoticeKind, reason: String, person: PersonID, subject: String, builtFrom: Int64,
        issuedOn: CivilDate, recordHash: [UInt8], reissueOf: String? = nil
    ) {
        (self.number, self.kind, self.reason, self.person, self.subject) = (number, kind, reason, person, subject)
        (self.builtFrom, self.issuedOn, self.recordHash, self.reissueOf) = (builtFrom, issuedOn, recordHash, reissueOf)
    }
}

/// A batch of notices (one print-data file for the contractor): kind, date, how many, their
/// total, and the file's SHA-256. Stream `runs/notices`.
public struct NoticeRunRecorded: EventPayload {
    public static let eventType = "NoticeRunRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            kind: c.field(\.kind), issuedOn: c.field(\.issuedOn), builtFrom: c.field(\.builtFrom),
            documents: c.field(\.documents), total: c.field(\.total), fileHash: c.field(\.fileHash))
    }

    public static let streamName = "runs/notices"

    public var kind: NoticeKind
    public var issuedOn: CivilDate
    public var builtFrom: Int64
    public var documents: Int
    public var total: Yen
    public var fileHash: [UInt8]

    public init(kind: NoticeKind, issuedOn: CivilDate, builtFrom: Int64, documents: Int, total: Yen, fileHash: [UInt8])
    {
        (self.kind, self.issuedOn, self.builtFrom, self.documents) = (kind, issuedOn, builtFrom, documents)
        (self.total, self.fileHash) = (total, fileHash)
    }
}
