import Foundation
import KokiDomain

/// 滞納整理の設定を採用した — the city's arrears settings (late-fee rates and window, dunning
/// deadline and fee, prescription rules) were adopted; the latest is in force. Stream
/// `config/arrears`, stored as canonical JSON like the rate tables.
public struct ArrearsSettingsAdopted: EventPayload {
    public static let eventType = "ArrearsSettingsAdopted"
    public static let schemaVersion = 1
    public static let streamName = "config/arrears"

    public var settings: ArrearsSettings

    public init(settings: ArrearsSettings) { self.settings = settings }

    public func encode(to writer: inout BinaryWriter) {
        writer.writeString(RateTableAdopted.canonicalJSON(settings))
    }

    public init(from reader: inout BinaryReader) throws {
        let text = try reader.readString()
        settings = try JSONDecoder().decode(ArrearsSettings.self, from: Data(text.utf8))
    }
}

/// A batch run of arrears work (a dunning run, a reminder run) recorded with what it did —
/// stream `runs/arrears`.
public struct ArrearsRunRecorded: EventPayload {
    public static let eventType = "ArrearsRunRecorded"
    public static let schemaVersion = 1
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
        self.kind = kind
        self.runOn = runOn
        self.criteria = criteria
        self.persons = persons
        self.notices = notices
        self.amount = amount
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.writeCase(kind)
        writer.write(runOn)
        writer.writeString(criteria)
        writer.writeInt(persons)
        writer.writeInt(notices)
        writer.write(amount)
    }

    public init(from reader: inout BinaryReader) throws {
        kind = try reader.readCase(Kind.self)
        runOn = try reader.readDate()
        criteria = try reader.readString()
        persons = try reader.readInt()
        notices = try reader.readInt()
        amount = try reader.readYen()
    }
}

/// 催告書を送付した — a reminder went to a person about periods still unpaid after dunning; it
/// holds prescription off for six months (民法 §150), once.
public struct ReminderIssued: EventPayload {
    public static let eventType = "ReminderIssued"
    public static let schemaVersion = 1

    public var person: PersonID
    public var issuedOn: CivilDate
    public var periods: [PeriodKey]
    /// The principal owed on those periods when it was issued.
    public var owed: Yen
    public var criteria: String

    public init(person: PersonID, issuedOn: CivilDate, periods: [PeriodKey], owed: Yen, criteria: String) {
        self.person = person
        self.issuedOn = issuedOn
        self.periods = periods
        self.owed = owed
        self.criteria = criteria
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.write(issuedOn)
        writer.writeArray(periods) { w, k in w.write(k) }
        writer.write(owed)
        writer.writeString(criteria)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        issuedOn = try reader.readDate()
        periods = try reader.readArray { r in try r.readPeriodKey() }
        owed = try reader.readYen()
        criteria = try reader.readString()
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
        self.person = person
        self.id = id
        self.change = change
        self.contactedOn = contactedOn
        self.method = method
        self.words = words
        self.promisedOn = promisedOn
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeString(id)
        writer.writeCase(change)
        writer.write(contactedOn)
        writer.writeCase(method)
        writer.writeBytes(words.bytes)
        writer.writeOptional(promisedOn) { w, d in w.write(d) }
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        id = try reader.readString()
        change = try reader.readCase(Change.self)
        contactedOn = try reader.readDate()
        method = try reader.readCase(ContactMethod.self)
        words = SealedIdentity(bytes: try reader.readBytes())
        promisedOn = try reader.readOptional { r in try r.readDate() }
    }
}
