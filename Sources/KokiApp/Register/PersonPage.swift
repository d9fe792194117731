import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels

/// `person page`: everything the counter looks at for one person on one screen — identity,
/// household and eligibility (`person show`), each period's money and the payments (`account`),
/// the collection history (`history`), certificates and applications (`card show`), the
/// documents mailed (`notices history`), contacts (`contact list`) and plans (`plan show`) — from
/// the same requests, each section only when the operator's roles grant its function (a section
/// left out is named, not refused), and the read recorded once, for the person, with its purpose.
///
/// With `knownAt` (an auditor's question: what did the ledger say then?), the sections the ledger
/// can answer as known at a position — identity, eligibility, money and history — are answered so;
/// the others, which it keeps only as they stand, are left out and named.
public struct PersonPage: KokiRequest {
    public static let name = "person page"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true

    public var person: PersonID
    /// Answer as the ledger knew it when this position was its head.
    public var knownAt: Int64?
    public var purpose: String?

    public init(person: PersonID, knownAt: Int64?, purpose: String?) {
        (self.person, self.knownAt, self.purpose) = (person, knownAt, purpose)
    }

    /// A page's sections; `nil` where the role may not see it (or, as known at a past position,
    /// the ledger cannot answer it): `withheld` names each such section.
    public struct View: Codable, Sendable {
        public var person: ShowPerson.View
        public var account: PersonAccount?
        public var history: [ArrearsCommands.HistoryEntry]?
        public var counter: CounterRecords.Person?
        public var notices: [IssuedDocument]?
        public var contacts: [ArrearsCommands.Contact]?
        public var plans: [ArrearsCommands.PlanProgress]?
        /// The sections left out, by the request that would show them (`account`, `card show` …).
        public var withheld: [String]
        public var knownAt: Int64?
        /// What the operator may do from this page, by request name (`pay record`, `application
        /// receive`, `card issue`, `certificate`, `contact record`, and `audit log`: look back at a
        /// past position):
        /// none as known at a past position.
        public var offers: [String]
        /// The offices that receive applications (none adopted: any name is taken).
        public var offices: [String]
    }

    public func handle(_ scope: RequestScope) throws -> View {
        try scope.gatheringReads(purpose: purpose) { scope in
            var withheld: [String] = []
            /// One section: its request run in this scope when the roles grant its function and
            /// it answers as known at `knownAt`; else left out and named.
            func section<R: KokiRequest>(_ request: R, answersKnownAt: Bool = false) throws -> R.Result? {
                guard knownAt == nil || answersKnownAt, let function = R.function, try scope.allows(function) else {
                    withheld.append(R.name)
                    return nil
                }
                return try request.handle(scope)
            }
            let shown = try ShowPerson(number: person, on: nil, knownAt: knownAt, purpose: nil).handle(scope)
            // A former number (新旧番号) finds the person; the rest is kept under their number now.
            let current = (try? PersonID(shown.number)) ?? person
            let position = knownAt.map(KnownAt.position)
            return View(
                person: shown,
                account: try section(
                    ShowAccount(person: current, fiscalYear: nil, knownAt: position, asOf: nil), answersKnownAt: true),
                history: try section(
                    ShowCollectionHistory(person: current, knownAt: position, asOf: nil, json: false),
                    answersKnownAt: true),
                counter: try section(ShowCertificates(person: current, on: nil))?.records,
                notices: try section(NoticeHistory(person: current)),
                contacts: try section(ListContacts(person: current)),
                plans: try section(ShowPlans(person: current, on: nil)),
                withheld: withheld, knownAt: knownAt,
                offers: knownAt != nil || shown.erased
                    ? []
                    : try [
                        RecordPayment.self, ReceiveApplication.self, IssueCard.self, IssueCertificate.self,
                        RecordContact.self, ReadAuditLog.self as any KokiRequest.Type,
                    ].filter { try $0.function.map(scope.allows) ?? true }.map { $0.name },
                offices: try scope.allows(.counterRead) ? try Counter(scope.ledger).settings().offices : [])
        }
    }
}

/// `person find`: persons by name or kana (氏名・カナ検索) — every name in the register opened
/// and compared in a folded form (width, spaces, hiragana and katakana, case do not matter), at
/// most `limit` of them shown, the closest first (exact, then beginning with, then containing).
/// Only the persons shown are recorded as read, with the search's purpose; nothing is shown for
/// a search of fewer than two characters.
public struct FindPersons: KokiRequest {
    public static let name = "person find"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true
    /// The most persons one search shows.
    public static let maximum = 200

    public var name: String
    /// Only persons born on this day (a second key when a name is common).
    public var birthDate: CivilDate?
    public var limit: Int
    public var purpose: String?

    public init(name: String, birthDate: CivilDate?, limit: Int = 50, purpose: String?) {
        (self.name, self.birthDate, self.limit, self.purpose) = (name, birthDate, limit, purpose)
    }

    public struct Found: Codable, Sendable, Hashable {
        public var number: String
        public var name: String
        public var kana: String
        public var birthDate: CivilDate
        public var address: String
        public var insured: Bool
    }

    public struct View: Codable, Sendable {
        public var found: [Found]
        /// How many matched in all (more than shown when `found` was cut at the limit).
        public var matched: Int
    }

    public func handle(_ scope: RequestScope) throws -> View {
        let key = Self.folded(name)
        guard key.count >= 2 else {
            throw KokiError(.invalidInput, "--name '\(name)': give at least two characters of a name or its kana")
        }
        guard name.count <= 80, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw KokiError(.invalidInput, "--name: at most 80 characters, no control characters") }
        guard (1...Self.maximum).contains(limit) else {
            throw KokiError(.invalidInput, "--limit \(limit): between 1 and \(Self.maximum)")
        }
        let register = InsuredRegisterCommands(scope.ledger)
        let everyone = Array(try register.heads().persons.values)
        let vault = try register.vault(opening: everyone.map(\.id))
        let today = scope.today
        let birthDate = birthDate
        // Every name opened on every core; only the matches kept, ranked.
        let ranked: [(rank: Int, found: Found)?] = try everyone.concurrentMap { entry in
            guard let identity = try vault.open(entry.identity, for: entry.id),
                birthDate == nil || identity.birthDate == birthDate
            else { return nil }
            let rank = [Self.folded(identity.nameKanji), Self.folded(identity.nameKana)].compactMap { form in
                form == key ? 0 : form.hasPrefix(key) ? 1 : form.contains(key) ? 2 : nil
            }.min()
            return rank.map {
                (
                    $0,
                    Found(
                        number: entry.id.value, name: identity.nameKanji, kana: identity.nameKana,
                        birthDate: identity.birthDate, address: identity.address, insured: entry.isInsured(on: today))
                )
            }
        }
        let matches = ranked.compactMap { $0 }.sorted {
            ($0.rank, $0.found.kana, $0.found.number) < ($1.rank, $1.found.kana, $1.found.number)
        }
        let shown = matches.prefix(limit).map(\.found)
        try scope.recordRead(shown.compactMap { try? PersonID($0.number) }, purpose: purpose)
        return View(found: Array(shown), matched: matches.count)
    }

    /// A name as compared: compatibility-folded (full-width letters and half-width kana to one
    /// form), without spaces of any width, hiragana as katakana, lower case.
    public static func folded(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            if scalar.properties.isWhitespace { continue }
            if (0x3041...0x3096).contains(scalar.value), let katakana = Unicode.Scalar(scalar.value + 0x60) {
                out.append(katakana)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
