import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// `audit log`: the audit trail, oldest first, filtered (an auditor's work). Times are recorded
/// times as typed (``recordedTime(_:)``).
public struct ReadAuditLog: KokiRequest {
    public static let name = "audit log"
    public static let function: AccessFunction? = .auditRead
    public static let isQuery = true

    public var operatorID: String?
    public var person: PersonID?
    public var from: String?
    public var before: String?
    /// Only commands starting with this (`person show`).
    public var command: String?
    /// A page: only the newest `limit` entries (oldest first) …
    public var limit: Int?
    /// … recorded before this position (the first entry of the page after it).
    public var beforePosition: Int64?

    /// The most entries one page holds.
    public static let maximumPage = 5000

    public init(
        operatorID: String?, person: PersonID?, from: String?, before: String?, command: String?, limit: Int? = nil,
        beforePosition: Int64? = nil
    ) {
        (self.operatorID, self.person, self.from, self.before, self.command) =
            (operatorID, person, from, before, command)
        (self.limit, self.beforePosition) = (limit, beforePosition)
    }

    public func handle(_ scope: RequestScope) throws -> [AuditEntry] {
        let filter = AuditFilter(
            operatorID: operatorID, person: person, from: try checkedTime(from, option: "--from"),
            before: try checkedTime(before, option: "--before"), command: command)
        if let beforePosition, beforePosition < 1 {
            throw KokiError(.invalidInput, "--before-position \(beforePosition) is not a position")
        }
        guard let limit else {
            if beforePosition != nil {
                throw KokiError(.invalidInput, "--before-position pages the log: give --limit too")
            }
            return try scope.control.auditLog(filter)
        }
        guard (1...Self.maximumPage).contains(limit) else {
            throw KokiError(.invalidInput, "--limit \(limit): between 1 and \(Self.maximumPage)")
        }
        return try scope.control.auditPage(filter, before: beforePosition, limit: limit)
    }
}

/// `audit review`: the yearly review of access between two recorded times.
public struct ReviewAudit: KokiRequest {
    public static let name = "audit review"
    public static let function: AccessFunction? = .auditRead
    public static let isQuery = true

    public var from: String?
    public var before: String?

    public init(from: String?, before: String?) {
        (self.from, self.before) = (from, before)
    }

    public func handle(_ scope: RequestScope) throws -> AuditReview {
        try scope.control.review(
            from: try checkedTime(from, option: "--from"), before: try checkedTime(before, option: "--before"))
    }
}

extension AuditEntry.Kind: Codable {}

extension AuditEntry: Codable {
    private enum CodingKeys: String, CodingKey {
        case position, recordedAt, kind, operatorID = "operator", session, terminal, command, persons, purpose, detail
    }

    /// An entry as ``encode(to:)`` wrote it (a client reading a server's answer).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let recordedAt = try c.decode(String.self, forKey: .recordedAt)
        guard let time = Timestamp(iso: recordedAt) else {
            throw DecodingError.dataCorruptedError(
                forKey: .recordedAt, in: c, debugDescription: "\(recordedAt) is not a recorded time")
        }
        self.init(
            position: try c.decode(Int64.self, forKey: .position), recordedAt: time,
            kind: try c.decode(Kind.self, forKey: .kind), operatorID: try c.decode(String.self, forKey: .operatorID),
            session: try c.decodeIfPresent(String.self, forKey: .session),
            terminal: try c.decodeIfPresent(String.self, forKey: .terminal),
            command: try c.decodeIfPresent(String.self, forKey: .command),
            persons: try c.decode([PersonID].self, forKey: .persons),
            purpose: try c.decodeIfPresent(String.self, forKey: .purpose),
            detail: try c.decode(String.self, forKey: .detail))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(position, forKey: .position)
        try c.encode(recordedAt.description, forKey: .recordedAt)
        try c.encode(kind, forKey: .kind)
        try c.encode(operatorID, forKey: .operatorID)
        try c.encode(session, forKey: .session)
        try c.encode(terminal, forKey: .terminal)
        try c.encode(command, forKey: .command)
        try c.encode(persons, forKey: .persons)
        try c.encode(purpose, forKey: .purpose)
        try c.encode(detail, forKey: .detail)
    }
}

extension AuditReview: Codable {
    private enum CodingKeys: String, CodingKey { case operators, outsideOfficeHours, viewedWithoutBusiness, refused }
    private struct Viewed: Codable {
        var operatorID: String
        var person: PersonID
        var reads: Int
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(operators, forKey: .operators)
        try c.encode(outsideOfficeHours, forKey: .outsideOfficeHours)
        try c.encode(
            viewedWithoutBusiness.map { Viewed(operatorID: $0.operatorID, person: $0.person, reads: $0.reads) },
            forKey: .viewedWithoutBusiness)
        try c.encode(refused, forKey: .refused)
    }

    /// A review as ``encode(to:)`` wrote it (a client reading a server's answer).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            operators: try c.decode([OperatorLine].self, forKey: .operators),
            outsideOfficeHours: try c.decode([AuditEntry].self, forKey: .outsideOfficeHours),
            viewedWithoutBusiness: try c.decode([Viewed].self, forKey: .viewedWithoutBusiness).map {
                ($0.operatorID, $0.person, $0.reads)
            },
            refused: try c.decode([AuditEntry].self, forKey: .refused))
    }
}

// MARK: - My Number

/// `mynumber record`: a person's My Number (個人番号), sealed under their key.
public struct RecordMyNumber: PersonRequest {
    public static let name = "mynumber record"
    public static let function: AccessFunction? = .numberUse

    public var person: PersonID
    /// The twelve digits (hyphens and spaces are ignored).
    public var number: String

    public init(person: PersonID, number: String) {
        (self.person, self.number) = (person, number)
    }

    /// The number as masked (its last four digits).
    public func handle(_ scope: RequestScope) throws -> String {
        let number = try myNumber(number)
        try InsuredRegisterCommands(scope.ledger).recordMyNumber(number, for: person, metadata: scope.metadata())
        return number.masked
    }
}

/// `mynumber show`: a person's My Number, the purpose recorded with the access before it is shown.
public struct ShowMyNumber: KokiRequest {
    public static let name = "mynumber show"
    public static let function: AccessFunction? = .numberUse
    public static let isQuery = true

    public var person: PersonID
    public var purpose: String

    public init(person: PersonID, purpose: String) {
        (self.person, self.purpose) = (person, purpose)
    }

    /// The digits.
    public func handle(_ scope: RequestScope) throws -> String {
        try scope.recordRead([person], purpose: purpose)
        guard let number = try InsuredRegisterCommands(scope.ledger).myNumber(of: person) else {
            throw KokiError(.invalidInput, "no My Number is recorded for \(person), or they were erased")
        }
        return number.digits
    }
}

/// `mynumber lookup`: the person a My Number belongs to, the purpose recorded with the access.
public struct LookUpMyNumber: KokiRequest {
    public static let name = "mynumber lookup"
    public static let function: AccessFunction? = .numberUse
    public static let isQuery = true

    public var number: String
    public var purpose: String

    public init(number: String, purpose: String) {
        (self.number, self.purpose) = (number, purpose)
    }

    public func handle(_ scope: RequestScope) throws -> PersonID {
        let number = try myNumber(number)
        guard let person = try IdentityVault(scope.ledger).person(byMyNumber: number) else {
            throw KokiError(.invalidInput, "no person has the My Number \(number.masked)")
        }
        try scope.recordRead([person], purpose: purpose)
        return person
    }
}

private func myNumber(_ text: String) throws -> MyNumber {
    do { return try MyNumber(text) } catch { throw KokiError(.invalidInput, error.message) }
}

// MARK: - Erasure

/// `erase`: one person erased after retention (crypto-shredding), or the list of those due
/// (`due`), erased when `apply`.
public struct ErasePersons: KokiRequest {
    public static let name = "erase"
    public static let function: AccessFunction? = .erasure

    public var person: PersonID?
    public var due: Bool
    public var apply: Bool
    /// The day (default: the caller's today); an erasure may not be dated after today, a list may.
    public var on: CivilDate?

    public init(person: PersonID?, due: Bool, apply: Bool, on: CivilDate?) {
        (self.person, self.due, self.apply, self.on) = (person, due, apply, on)
    }

    public struct Outcome: Sendable, Codable {
        /// The one person erased.
        public var erased: PersonErased?
        /// With `due`: who is past retention (and whether each was erased, with `apply`).
        public var candidates: [Erasure.Candidate]
        public var erasedCount: Int
        /// Why the stored read models were not brought up to date after erasing, if they were not.
        public var readModelsNote: String?
    }

    public func handle(_ scope: RequestScope) throws -> Outcome {
        let settings = try scope.control.settings()
        // Erasing is irreversible: it is decided today or earlier, never ahead of the clock
        // (a list of who will be due, without `apply`, may look ahead).
        let date =
            try on.map { person != nil || apply ? try InputLimits.decision($0, today: scope.today, field: "--on") : $0 }
            ?? scope.today
        let erasure = Erasure(scope.ledger)
        if let person {
            let erased = try erasure.erase(
                person, on: date, retentionYears: settings.retentionYears, metadata: scope.metadata())
            return Outcome(erased: erased, candidates: [], erasedCount: 1)
        }
        let candidates = try erasure.due(on: date, retentionYears: settings.retentionYears)
        var erased = 0
        for c in candidates where apply && c.blocker == nil {
            try erasure.erase(c.person, on: date, retentionYears: settings.retentionYears, metadata: scope.metadata())
            erased += 1
        }
        return Outcome(
            erased: nil, candidates: candidates, erasedCount: erased,
            readModelsNote: erased > 0 ? readModelsBroughtUp(scope.ledger) : nil)
    }
}

/// `audit rules`: every breach of the rules of dates, documents, the deceased, dunning,
/// assessment, prescription and money the ledger shows (``RuleCheck``), as of its head.
///
/// Each person is checked on their own: their account's stream and their documents' stream,
/// with the city's calendars and arrears settings applied between them by position
/// (``RuleCheck/check(person:city:scope:)``), so the check holds a chunk of persons at a time
/// whatever the ledger's length. The chunks are shared among the cores, each on a reader of its
/// own. The breaches come in the order one pass over the whole ledger gives.
public struct CheckRules: KokiRequest {
    public static let name = "audit rules"
    public static let function: AccessFunction? = .auditRead
    public static let isQuery = true

    public var scope: RuleCheck.Scope

    public init(scope: RuleCheck.Scope) { self.scope = scope }

    public struct Report: Sendable, Codable {
        public var breaches: [RuleCheck.Breach]
        /// The events the checks read: the persons' and the city's.
        public var eventsRead: Int
        /// The last position read: the ledger as it stood when checked.
        public var throughPosition: Int64
    }

    public func handle(_ scope: RequestScope) throws -> Report {
        try Self.report(scope.ledger, self.scope)
    }

    /// The report on `ledger` as it stands (for benchmarks and tests).
    @_spi(Batch) public static func report(_ ledger: KokiLedger, _ scope: RuleCheck.Scope) throws -> Report {
        try report(ledger, scope, readingApartFrom: KokiLedger.personsReadApart)
    }

    /// ``report(_:_:)``, the persons shared among readers from so many on.
    static func report(_ ledger: KokiLedger, _ scope: RuleCheck.Scope, readingApartFrom: Int) throws -> Report {
        let head = try ledger.store.head().position
        guard scope.since >= 0, scope.since <= head else {
            throw KokiError(.invalidInput, "--since \(scope.since): the ledger's positions run from 1 to \(head)")
        }
        var city: [(position: Int64, event: KokiEvent)] = []
        var query = EventQuery.through(position: head)
        query.types = RuleCheck.cityEventTypes
        query.readsEnvelopes = false
        try ledger.forEachEvent(query) { view, event in city.append((view.position, event)) }
        let persons = try scope.person.map { [$0] } ?? Self.persons(ledger.store)
        let cityEvents = city
        let findings = try ledger.eachChunk(persons, through: head, readingApartFrom: readingApartFrom) {
            ledger, chunk in
            var streams: [StreamName] = []
            var owner: [String: Int] = [:]
            for (index, person) in chunk.enumerated() {
                for name in [person.streamName, DocumentIssued.stream(person)] {
                    streams.append(try StreamName(name))
                    owner[name] = index
                }
            }
            var events = [[(position: Int64, event: KokiEvent)]](repeating: [], count: chunk.count)
            try StoredEvents.forEach(in: ledger.store, inStreams: streams, through: head) { view, event in
                guard let index = owner[view.stream.value] else { return }
                events[index].append((view.position, event))
            }
            return events.map { mine in
                RuleCheck.check(person: mine.sorted { $0.position < $1.position }, city: cityEvents, scope: scope)
            }
        }
        if let wanted = scope.person, findings.allSatisfy({ $0.eventsRead == 0 }) {
            throw KokiError(.invalidInput, "--person \(wanted): no such person in the ledger")
        }
        return Report(
            breaches: RuleCheck.merged(findings), eventsRead: city.count + findings.reduce(0) { $0 + $1.eventsRead },
            throughPosition: head)
    }

    /// Everyone with an account's stream or a documents' stream, in the order of their numbers.
    static func persons(_ store: any EventStore) throws -> [PersonID] {
        var persons = Set<PersonID>()
        for prefix in [PersonID.streamPrefix, DocumentIssued.streamPrefix] {
            for name in try store.streamNames(prefix: prefix) {
                guard let person = EventRegistry.streamPerson(name.value) else {
                    throw KokiError(.invalidInput, "stream \(name.value) names no person number (宛名番号)")
                }
                persons.insert(person)
            }
        }
        return persons.sorted()
    }
}
