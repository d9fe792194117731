import Foundation
import KokiDomain

/// The counters' work (窓口): applications and notifications received, the second operator's
/// check, eligibility certificates and the copayment class they show, and benefit applications
/// forwarded to the union. None of these moves money: the money projections ignore them in one
/// case (``KokiEvent/counter(_:)``).
public enum CounterEvent: Sendable, Hashable {
    case settingsAdopted(CounterSettingsAdopted)
    case applicationReceived(ApplicationReceived)
    case applicationConfirmed(ApplicationConfirmed)
    case applicationRejected(ApplicationRejected)
    case copayThresholdsAdopted(CopayThresholdsAdopted)
    case copayClassDetermined(CopayClassDetermined)
    case certificateIssued(CertificateIssued)
    case certificateReturned(CertificateReturned)
    case certificateRunRecorded(CertificateRunRecorded)
    case benefitApplicationReceived(BenefitApplicationReceived)
    case benefitDecided(BenefitDecided)

    /// `counter/PERSON` for everything about one person (so their applications, certificates and
    /// benefits are one short stream); `config/counter`, `config/copay`, `runs/certificates`.
    public var streamName: String {
        switch self {
        case .settingsAdopted: CounterSettingsAdopted.streamName
        case .copayThresholdsAdopted: CopayThresholdsAdopted.streamName
        case .certificateRunRecorded: CertificateRunRecorded.streamName
        case .applicationReceived(let e): Self.stream(e.person)
        case .applicationConfirmed(let e): Self.stream(e.person)
        case .applicationRejected(let e): Self.stream(e.person)
        case .copayClassDetermined(let e): Self.stream(e.person)
        case .certificateIssued(let e): Self.stream(e.person)
        case .certificateReturned(let e): Self.stream(e.person)
        case .benefitApplicationReceived(let e): Self.stream(e.person)
        case .benefitDecided(let e): Self.stream(e.person)
        }
    }

    public static func stream(_ person: PersonID) -> String { "counter/\(person.value)" }
    public static let streamPrefix = "counter/"

    /// Hands the payload inside to `visitor` with its concrete type.
    public func visit<V: PayloadVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .settingsAdopted(let e): visitor.visit(e)
        case .applicationReceived(let e): visitor.visit(e)
        case .applicationConfirmed(let e): visitor.visit(e)
        case .applicationRejected(let e): visitor.visit(e)
        case .copayThresholdsAdopted(let e): visitor.visit(e)
        case .copayClassDetermined(let e): visitor.visit(e)
        case .certificateIssued(let e): visitor.visit(e)
        case .certificateReturned(let e): visitor.visit(e)
        case .certificateRunRecorded(let e): visitor.visit(e)
        case .benefitApplicationReceived(let e): visitor.visit(e)
        case .benefitDecided(let e): visitor.visit(e)
        }
    }
}

extension CopayClass: StoredCase { public static let storedCases = allCases }

/// The counter's settings (`config/counter`): the offices that receive applications (the head
/// office and the branches). With none adopted, any office name is taken as typed.
public struct CounterSettings: Sendable, Hashable, Codable, StoredAsJSON {
    public var offices: [String] = []

    public init(offices: [String] = []) { self.offices = offices }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        offices = try c.decodeIfPresent([String].self, forKey: .offices) ?? []
    }

    public var problem: String? {
        if offices.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            return "an office name is empty"
        }
        if Set(offices).count != offices.count { return "an office is named twice" }
        return nil
    }
}

public struct CounterSettingsAdopted: EventPayload {
    public static let eventType = "CounterSettingsAdopted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(settings: c.field(\.settings))
    }

    public static let streamName = "config/counter"

    public var settings: CounterSettings

    public init(settings: CounterSettings) { self.settings = settings }
}

/// Who came to the counter. Stored by declaration order: add cases at the end.
public enum ApplicantKind: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// The insured person themself (本人).
    case person
    /// A member of the person's household (世帯員).
    case household
    /// An agent with a power of attorney (代理人).
    case agent
    /// An heir (相続人), for a person who has died.
    case heir
    public static let storedCases = allCases
}

/// How the applicant's identity was verified (本人確認書類): the kind of document only, never its
/// number. Stored by declaration order: add cases at the end.
public enum IdentityDocument: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// マイナンバーカード.
    case myNumberCard = "my-number-card"
    /// 運転免許証.
    case driversLicense = "drivers-license"
    case passport
    /// 在留カード・特別永住者証明書.
    case residenceCard = "residence-card"
    /// 資格確認書・被保険者証 and a second document (two documents without a photo).
    case twoDocuments = "two-documents"
    /// A notification by mail, checked against the register (郵送).
    case byMail = "by-mail"
    public static let storedCases = allCases
}

/// What every application or notification received at a counter records: where, when, who came
/// (their name sealed with the person's key when it is not the person), how identity was
/// verified, what was attached, and which operator entered it.
public struct Reception: Sendable, Hashable, Codable, BinaryRecord {
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            office: c.field(\.office), receivedOn: c.field(\.receivedOn), applicant: c.field(\.applicant),
            applicantName: c.field(\.applicantName), identityCheck: c.field(\.identityCheck),
            attached: c.field(\.attached), enteredBy: c.field(\.enteredBy))
    }

    public var office: String
    public var receivedOn: CivilDate
    public var applicant: ApplicantKind
    /// The applicant's name, when not the person, sealed with the person's key.
    public var applicantName: SealedIdentity?
    public var identityCheck: IdentityDocument
    public var attached: [String]
    /// The operator who entered it (入力者).
    public var enteredBy: String

    public init(
        office: String, receivedOn: CivilDate, applicant: ApplicantKind, applicantName: SealedIdentity?,
        identityCheck: IdentityDocument, attached: [String], enteredBy: String
    ) {
        (self.office, self.receivedOn, self.applicant) = (office, receivedOn, applicant)
        (self.applicantName, self.identityCheck, self.attached) = (applicantName, identityCheck, attached)
        self.enteredBy = enteredBy
    }
}

/// The kinds of application and notification (申請・届出). Stored by declaration order.
public enum ApplicationKind: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// 資格取得・喪失届, 住所地特例, 旧被扶養者: joining and leaving.
    case eligibility
    /// 住所・氏名・世帯の変更届.
    case household
    /// 所得の申告 (and its correction).
    case income
    /// 口座振替依頼書・廃止届.
    case debit
    /// 保険料減免申請.
    case reduction
    /// 相続人への還付請求.
    case refundToHeir = "refund-to-heir"
    /// 資格確認書の交付・再交付申請.
    case certificate
    /// Anything else received and kept (その他の届出).
    case other
    /// 送付先・代理人・相続人代表者の届出 (stored after `other`: cases are added at the end).
    case mailing
    /// 保険料徴収猶予申請 (and its extension).
    case deferral
    public static let storedCases = allCases

    /// The form's title (資格取得・喪失届 …), from the labels table.
    public var title: String { label }
}

/// 申請・届出を受け付けた — an application or notification received at a counter. When it asks for a
/// change to what the city records, `change` holds the `koki` command that makes it (its words and
/// values, sealed with the person's key since they may hold a name or an account): it takes effect
/// only when a second operator confirms it. Numbered `A` + date received + person + sequence.
public struct ApplicationReceived: EventPayload {
    public static let eventType = "ApplicationReceived"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            number: c.field(\.number), person: c.field(\.person), kind: c.field(\.kind),
            reception: c.field(\.reception), change: c.field(\.change), changeCommand: c.field(\.changeCommand))
    }

    public var number: String
    public var person: PersonID
    public var kind: ApplicationKind
    public var reception: Reception
    /// The command that makes the change (sealed); `nil` for a notification that changes nothing.
    public var change: SealedIdentity?
    /// The command's name (`eligibility acquire`), never its values: for lists and the audit.
    public var changeCommand: String?

    public init(
        number: String, person: PersonID, kind: ApplicationKind, reception: Reception, change: SealedIdentity?,
        changeCommand: String?
    ) {
        (self.number, self.person, self.kind, self.reception, self.change) = (number, person, kind, reception, change)
        self.changeCommand = changeCommand
    }
}

/// 確認した — a second operator (not the one who entered it) checked an application; its change is
/// recorded in the same append.
public struct ApplicationConfirmed: EventPayload {
    public static let eventType = "ApplicationConfirmed"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            number: c.field(\.number), person: c.field(\.person), confirmedBy: c.field(\.confirmedBy),
            confirmedOn: c.field(\.confirmedOn))
    }

    public var number: String
    public var person: PersonID
    public var confirmedBy: String
    public var confirmedOn: CivilDate

    public init(number: String, person: PersonID, confirmedBy: String, confirmedOn: CivilDate) {
        (self.number, self.person, self.confirmedBy, self.confirmedOn) = (number, person, confirmedBy, confirmedOn)
    }
}

/// 却下した — an application rejected (or withdrawn), with the reason; its change never happens.
public struct ApplicationRejected: EventPayload {
    public static let eventType = "ApplicationRejected"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            number: c.field(\.number), person: c.field(\.person), rejectedBy: c.field(\.rejectedBy),
            rejectedOn: c.field(\.rejectedOn), reason: c.field(\.reason))
    }

    public var number: String
    public var person: PersonID
    public var rejectedBy: String
    public var rejectedOn: CivilDate
    public var reason: String

    public init(number: String, person: PersonID, rejectedBy: String, rejectedOn: CivilDate, reason: String) {
        (self.number, self.person, self.rejectedBy, self.rejectedOn) = (number, person, rejectedBy, rejectedOn)
        self.reason = reason
    }
}

/// The copayment thresholds in force (`config/copay`): every table, each from its first day; a
/// new adoption replaces the set.
public struct CopayThresholdsAdopted: EventPayload {
    public static let eventType = "CopayThresholdsAdopted"
    public static let schemaVersion = 1
    /// The list is stored as one canonical JSON text.
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(tables: c.field(\.storedTables).value)
    }

    public static let streamName = "config/copay"

    public var tables: [CopayThresholds]

    public init(tables: [CopayThresholds]) { self.tables = tables }

    var storedTables: CanonicalJSON<[CopayThresholds]> { CanonicalJSON(tables) }
}

/// 負担割合を判定した — a person's copayment class for a year (1 August – 31 July) with what decided
/// it: the income year, the insured members of the household counted, those whose income was not
/// known, and the thresholds' table. Recorded when it is first decided and again when it changes
/// (an income corrected, a household changed).
public struct CopayClassDetermined: EventPayload {
    public static let eventType = "CopayClassDetermined"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), periodStart: c.field(\.periodStart), copayClass: c.field(\.copayClass),
            incomeYear: c.field(\.incomeYear.asYear).value, members: c.field(\.members),
            missingIncome: c.field(\.missingIncome), thresholdsFrom: c.field(\.thresholdsFrom),
            reason: c.field(\.reason))
    }

    public var person: PersonID
    public var periodStart: CivilDate
    public var copayClass: CopayClass
    public var incomeYear: Int
    public var members: [PersonID]
    public var missingIncome: [PersonID]
    public var thresholdsFrom: CivilDate
    /// Why it was determined: `certificate`, `renewal`, `income-corrected`, `household-changed`.
    public var reason: String

    public init(
        person: PersonID, periodStart: CivilDate, copayClass: CopayClass, incomeYear: Int, members: [PersonID],
        missingIncome: [PersonID], thresholdsFrom: CivilDate, reason: String
    ) {
        (self.person, self.periodStart, self.copayClass) = (person, periodStart, copayClass)
        (self.incomeYear, self.members, self.missingIncome) = (incomeYear, members, missingIncome)
        (self.thresholdsFrom, self.reason) = (thresholdsFrom, reason)
    }
}

/// Why a certificate was issued. Stored by declaration order: add cases at the end.
public enum CertificateReason: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// On becoming insured (資格取得).
    case acquisition
    /// The yearly renewal (一斉更新, from 1 August).
    case renewal
    /// On request (申請による交付).
    case request
    /// Reissue of a lost one (紛失による再交付).
    case lost
    /// Reissue of a damaged one (破損・汚損による再交付).
    case damaged
    /// Reissue because what it shows changed (負担割合の変更, 住所の変更).
    case changed
    public static let storedCases = allCases

    /// Whether this issue replaces (and so invalidates) the certificate in force.
    public var isReissue: Bool { self == .lost || self == .damaged || self == .changed }
}

/// How a certificate reached the person. Stored by declaration order.
public enum Delivery: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// Handed over at a counter (窓口交付).
    case counter
    /// Mailed (郵送).
    case mail
    public static let storedCases = allCases
}

/// 資格確認書を交付した — an eligibility certificate (資格確認書; before December 2024 the 被保険者証)
/// with its number, validity, the copayment class printed on it, how it was delivered, and — for a
/// reissue — the certificate it replaces, which stops being valid.
public struct CertificateIssued: EventPayload {
    public static let eventType = "CertificateIssued"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), number: c.field(\.number), reason: c.field(\.reason),
            issuedOn: c.field(\.issuedOn), validFrom: c.field(\.validFrom), validUntil: c.field(\.validUntil),
            copayClass: c.field(\.copayClass), delivery: c.field(\.delivery), office: c.field(\.office),
            replaces: c.field(\.replaces))
    }

    public var person: PersonID
    public var number: String
    public var reason: CertificateReason
    public var issuedOn: CivilDate
    public var validFrom: CivilDate
    public var validUntil: CivilDate
    public var copayClass: CopayClass
    public var delivery: Delivery
    public var office: String?
    public var replaces: String?

    public init(
        person: PersonID, number: String, reason: CertificateReason, issuedOn: CivilDate, validFrom: CivilDate,
        validUntil: CivilDate, copayClass: CopayClass, delivery: Delivery, office: String?, replaces: String?
    ) {
        (self.person, self.number, self.reason, self.issuedOn) = (person, number, reason, issuedOn)
        (self.validFrom, self.validUntil, self.copayClass) = (validFrom, validUntil, copayClass)
        (self.delivery, self.office, self.replaces) = (delivery, office, replaces)
    }
}

/// How a certificate came back. Stored by declaration order.
public enum ReturnKind: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// Returned at a counter or by mail (返還).
    case returned
    /// Declared lost and so never coming back (滅失届).
    case lost
    public static let storedCases = allCases
}

/// 資格確認書の返還を受けた — a certificate returned (on losing eligibility, or replaced), or declared
/// lost.
public struct CertificateReturned: EventPayload {
    public static let eventType = "CertificateReturned"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), number: c.field(\.number), returnedOn: c.field(\.returnedOn),
            how: c.field(\.how), office: c.field(\.office))
    }

    public var person: PersonID
    public var number: String
    public var returnedOn: CivilDate
    public var how: ReturnKind
    public var office: String?

    public init(person: PersonID, number: String, returnedOn: CivilDate, how: ReturnKind, office: String?) {
        (self.person, self.number, self.returnedOn, self.how, self.office) = (person, number, returnedOn, how, office)
    }
}

/// The yearly renewal run (一斉更新): the validity it issued and how many (`runs/certificates`).
public struct CertificateRunRecorded: EventPayload {
    public static let eventType = "CertificateRunRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            validFrom: c.field(\.validFrom), validUntil: c.field(\.validUntil), issuedOn: c.field(\.issuedOn),
            builtFrom: c.field(\.builtFrom), issued: c.field(\.issued), byClass: c.field(\.byClass))
    }

    public static let streamName = "runs/certificates"

    public var validFrom: CivilDate
    public var validUntil: CivilDate
    public var issuedOn: CivilDate
    public var builtFrom: Int64
    public var issued: Int
    public var byClass: [Int]

    public init(
        validFrom: CivilDate, validUntil: CivilDate, issuedOn: CivilDate, builtFrom: Int64, issued: Int, byClass: [Int]
    ) {
        (self.validFrom, self.validUntil, self.issuedOn, self.builtFrom) = (validFrom, validUntil, issuedOn, builtFrom)
        (self.issued, self.byClass) = (issued, byClass)
    }
}

/// The benefits an insured person (or their heir) applies for at the counter, which the union
/// decides and pays. Stored by declaration order: add cases at the end.
public enum BenefitKind: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// 療養費: care paid in full (abroad, a splint, without a certificate).
    case medicalExpenses = "medical-expenses"
    /// 高額療養費: copayments above the monthly ceiling.
    case highCost = "high-cost"
    /// 葬祭費: to whoever held the funeral.
    case funeral
    /// 高額介護合算療養費: medical and long-term-care copayments together above the yearly ceiling.
    case combinedHighCost = "combined-high-cost"
    /// 移送費: transport to care ordered by a doctor.
    case transport
    public static let storedCases = allCases

    /// The benefit's name (療養費 …), from the labels table.
    public var title: String { label }
}

/// 給付申請を受け付けた — a benefit application: the reception, the kind, the care (or death) it is
/// about, the amount claimed when the applicant states one, and whom to pay — their name and
/// account sealed with the person's key. Numbered `B` + date + person + sequence. It is sent to the
/// union by the next transfer that carries `benefit-application`.
public struct BenefitApplicationReceived: EventPayload {
    public static let eventType = "BenefitApplicationReceived"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            number: c.field(\.number), person: c.field(\.person), kind: c.field(\.kind),
            reception: c.field(\.reception), serviceFrom: c.field(\.serviceFrom),
            serviceThrough: c.field(\.serviceThrough), claimed: c.field(\.claimed), payee: c.field(\.payee),
            account: c.field(\.account))
    }

    public var number: String
    public var person: PersonID
    public var kind: BenefitKind
    public var reception: Reception
    /// The first and last day of the care (for a funeral: the day of death, twice).
    public var serviceFrom: CivilDate
    public var serviceThrough: CivilDate
    public var claimed: Yen?
    /// The payee's name when not the person (an heir, whoever held the funeral), sealed.
    public var payee: SealedIdentity?
    /// The account to pay into, sealed (scheme 2).
    public var account: SealedIdentity?

    public init(
        number: String, person: PersonID, kind: BenefitKind, reception: Reception, serviceFrom: CivilDate,
        serviceThrough: CivilDate, claimed: Yen?, payee: SealedIdentity?, account: SealedIdentity?
    ) {
        (self.number, self.person, self.kind, self.reception) = (number, person, kind, reception)
        (self.serviceFrom, self.serviceThrough, self.claimed) = (serviceFrom, serviceThrough, claimed)
        (self.payee, self.account) = (payee, account)
    }
}

/// 支給決定 — the union's decision on a benefit application, as its monthly file or letter brings
/// it back: paid (how much, on which day) or not, with the union's reference and reason.
public struct BenefitDecided: EventPayload {
    public static let eventType = "BenefitDecided"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            number: c.field(\.number), person: c.field(\.person), approved: c.field(\.approved),
            amount: c.field(\.amount), decidedOn: c.field(\.decidedOn), paidOn: c.field(\.paidOn),
            unionReference: c.field(\.unionReference), reason: c.field(\.reason))
    }

    public var number: String
    public var person: PersonID
    public var approved: Bool
    public var amount: Yen
    public var decidedOn: CivilDate
    public var paidOn: CivilDate?
    public var unionReference: String
    public var reason: String?

    public init(
        number: String, person: PersonID, approved: Bool, amount: Yen, decidedOn: CivilDate, paidOn: CivilDate?,
        unionReference: String, reason: String?
    ) {
        (self.number, self.person, self.approved, self.amount) = (number, person, approved, amount)
        (self.decidedOn, self.paidOn, self.unionReference, self.reason) = (decidedOn, paidOn, unionReference, reason)
    }
}
