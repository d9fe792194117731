import Foundation
import KokiDomain

/// 滞納整理の設定を採用した — the city's arrears settings (late-fee rates and window, dunning
/// deadline and fee, prescription rules) were adopted; the latest is in force. Stream
/// `config/arrears`, stored as canonical JSON like the rate tables.
public struct ArrearsSettingsAdopted: EventPayload {
    public static let eventType = "ArrearsSettingsAdopted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(settings: c.field(\.settings))
    }

    public static let streamName = "config/arrears"

    public var settings: ArrearsSettings

    public init(settings: ArrearsSettings) { self.settings = settings }
}

/// A batch run of arrears work (a dunning run, a reminder run) recorded with what it did —
/// stream `runs/arrears`.
public struct ArrearsRunRecorded: EventPayload {
    public static let eventType = "ArrearsRunRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            kind: c.field(\.kind), runOn: c.field(\.runOn), criteria: c.field(\.criteria), persons: c.field(\.persons),
            notices: c.field(\.notices), amount: c.field(\.amount))
    }

    public static let streamName = "runs/arrears"

    /// Stored by declaration order: add cases at the end.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case dunning, reminders, prescription, plans
    }

    public var kind: Kind
    public var runOn: CivilDate
    /// How persons were chosen (for reminders), in words.
    public var criteria: String
    public var persons: Int
    public var notices: Int
    public var amount: Yen

    public init(kind: Kind, runOn: CivilDate, criteria: String, persons: Int, notices: Int, amount: Yen) {
        (self.kind, self.runOn, self.criteria, self.persons, self.notices) = (kind, runOn, criteria, persons, notices)
        self.amount = amount
    }
}

/// 催告書を送付した — a reminder went to a person about periods still unpaid after dunning; it
/// holds prescription off for six months (民法 §150), once.
public struct ReminderIssued: EventPayload {
    public static let eventType = "ReminderIssued"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), issuedOn: c.field(\.issuedOn), periods: c.field(\.periods),
            owed: c.field(\.owed), criteria: c.field(\.criteria))
    }

    public var person: PersonID
    public var issuedOn: CivilDate
    public var periods: [PeriodKey]
    /// The principal owed on those periods when it was issued.
    public var owed: Yen
    public var criteria: String

    public init(person: PersonID, issuedOn: CivilDate, periods: [PeriodKey], owed: Yen, criteria: String) {
        (self.person, self.issuedOn, self.periods, self.owed) = (person, issuedOn, periods, owed)
        self.criteria = criteria
    }
}

/// How a contact with a person in arrears took place (折衝の方法). Stored by declaration order.
public enum ContactMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case phone, visitToOffice, homeVisit, letter, other
}

/// 折衝記録 — a contact with a person about their arrears, or a new version of one (`amends`
/// names the record it replaces), or its retraction. The words (counterpart, content, promise)
/// are personal data, sealed with the person's key; the history keeps every version.
public struct ContactRecorded: EventPayload {
    public static let eventType = "ContactRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), change: c.field(\.change),
            contactedOn: c.field(\.contactedOn), method: c.field(\.method), words: c.field(\.words),
            promisedOn: c.field(\.promisedOn))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable {
        case recorded, amended, retracted
    }

    public var person: PersonID
    /// The record's number; an amendment and a retraction carry the number they change.
    public var id: String
    public var change: Change
    public var contactedOn: CivilDate
    public var method: ContactMethod
    /// Counterpart, content, promised action and (for a change) the reason, sealed.
    public var words: SealedIdentity
    /// A promised payment date, if one was promised (plain: it drives follow-up).
    public var promisedOn: CivilDate?

    public init(
        person: PersonID, id: String, change: Change, contactedOn: CivilDate, method: ContactMethod,
        words: SealedIdentity, promisedOn: CivilDate?
    ) {
        (self.person, self.id, self.change, self.contactedOn, self.method) = (person, id, change, contactedOn, method)
        (self.words, self.promisedOn) = (words, promisedOn)
    }
}
