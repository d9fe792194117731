import KokiDomain
import KokiEvents
import LedgerStore

/// One line of the audit log: a read of personal data, a login or logout, a failed login, a
/// refusal, or a change to operators, roles or settings — from the hash-chained ledger.
public struct AuditEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case read, login, logout, loginFailed = "login-failed", refused, administration
    }

    public var position: Int64
    public var recordedAt: Timestamp
    public var kind: Kind
    public var operatorID: String
    public var session: String?
    public var terminal: String?
    public var command: String?
    public var persons: [PersonID]
    public var purpose: String?
    public var detail: String
}

/// Which entries `koki audit log` prints; `nil` fields do not filter.
public struct AuditFilter: Sendable {
    public var operatorID: String?
    public var person: PersonID?
    public var from: Timestamp?
    public var before: Timestamp?
    public var command: String?

    public init(
        operatorID: String? = nil, person: PersonID? = nil, from: Timestamp? = nil, before: Timestamp? = nil,
        command: String? = nil
    ) {
        self.operatorID = operatorID
        self.person = person
        self.from = from
        self.before = before
        self.command = command
    }
}

/// The yearly review of access (運用状況の点検).
public struct AuditReview: Sendable {
    public struct OperatorLine: Sendable, Hashable, Codable {
        public var operatorID: String
        public var reads: Int
        public var personsRead: Int
        public var outsideOfficeHours: Int
        public var logins: Int
        public var refused: Int
    }

    /// Accesses per operator.
    public var operators: [OperatorLine]
    /// Reads and logins outside office hours (weekends, or before/after the hours in the settings).
    public var outsideOfficeHours: [AuditEntry]
    /// Persons an operator viewed without ever recording anything on them (no business event).
    public var viewedWithoutBusiness: [(operatorID: String, person: PersonID, reads: Int)]
    /// Refused commands and failed logins.
    public var refused: [AuditEntry]
}

extension Int64 {
    /// The last position a page before `self` may hold, on a log whose head is `head`.
    fileprivate func clampedEnd(_ head: Int64) -> Int64 { Swift.min(head, self == .max ? head : self - 1) }
}

extension AccessControl {
    static let accessTypes: Set<String> = [
        OperatorEnrolled.eventType, OperatorRolesChanged.eventType, OperatorStateChanged.eventType,
        OperatorPasswordSet.eventType, PermissionsAdopted.eventType, SecuritySettingsAdopted.eventType,
        SessionOpened.eventType, SessionClosed.eventType, LoginFailed.eventType, AccessRefused.eventType,
        PersonalDataAccessed.eventType, TransferDestinationRegistered.eventType, TransferRecorded.eventType,
    ]

    public func auditLog(_ filter: AuditFilter = AuditFilter()) throws -> [AuditEntry] {
        try auditLog(filter, positions: 1...Int64.max)
    }

    /// The newest `limit` entries recorded before position `before` (default: all), oldest first:
    /// read back from there in windows that double until the page is full or the log's start is
    /// reached — a page of a long log costs about the page, not the log.
    public func auditPage(_ filter: AuditFilter, before: Int64?, limit: Int) throws -> [AuditEntry] {
        var end = (before ?? Int64.max).clampedEnd(try store.head().position)
        var window: Int64 = 4096
        var page: [AuditEntry] = []
        while end >= 1, page.count < limit {
            let start = max(1, end - window + 1)
            page = try auditLog(filter, positions: start...end) + page
            end = start - 1
            window = window < Int64.max / 4 ? window * 2 : window
        }
        return Array(page.suffix(limit))
    }

    func auditLog(_ filter: AuditFilter, positions: ClosedRange<Int64>) throws -> [AuditEntry] {
        var query = EventQuery()
        query.types = Self.accessTypes
        query.recordedFrom = filter.from
        query.recordedBefore = filter.before
        query.fromPosition = positions.lowerBound
        query.throughPosition = positions.upperBound == Int64.max ? nil : positions.upperBound
        var entries: [AuditEntry] = []
        try ledger.forEachEvent(query) { view, event in
            guard case .access(let access) = event else { return }
            let entry = Self.entry(
                access, position: view.position, at: view.command.recordedAt, actor: view.command.actor)
            if let id = filter.operatorID, entry.operatorID != id { return }
            if let person = filter.person, !entry.persons.contains(person) { return }
            if let command = filter.command, entry.command.map({ $0.hasPrefix(command) }) != true { return }
            entries.append(entry)
        }
        return entries
    }

    static func entry(_ event: AccessEvent, position: Int64, at time: Timestamp, actor: String) -> AuditEntry {
        var e = AuditEntry(
            position: position, recordedAt: time, kind: .administration, operatorID: actor, persons: [], detail: "")
        switch event {
        case .operatorEnrolled(let x):
            e.detail = "利用者 \(x.operatorID) を登録（\(x.roles.map(\.label).joined(separator: "・"))）"
        case .operatorRolesChanged(let x):
            e.detail = "\(x.operatorID) の役割：\(x.roles.map(\.label).joined(separator: "・"))"
        case .operatorStateChanged(let x): e.detail = "\(x.operatorID) を\(x.state.label)に：\(x.reason)"
        case .operatorPasswordSet(let x): e.detail = "\(x.operatorID) のパスワードを設定"
        case .permissionsAdopted: e.detail = "権限表を設定"
        case .securitySettingsAdopted: e.detail = "セキュリティ設定を設定"
        case .sessionOpened(let x):
            e.kind = .login
            e.operatorID = x.operatorID
            e.session = x.session
            e.terminal = x.terminal
            e.detail = "セッション開始"
        case .sessionClosed(let x):
            e.kind = .logout
            e.operatorID = x.operatorID
            e.session = x.session
            e.detail = "セッション終了：\(x.reason.label)"
        case .loginFailed(let x):
            e.kind = .loginFailed
            e.operatorID = x.operatorID
            e.terminal = x.terminal
            e.detail =
                x.reason.label + (x.source == x.terminal ? "" : "（接続元 \(x.source)）")
                + (x.sourceLocked ? "。この接続元からの \(x.operatorID) のログインをロックしました" : "")
        case .accessRefused(let x):
            e.kind = .refused
            e.operatorID = x.operatorID
            e.session = x.session
            e.terminal = x.terminal
            e.command = x.command
            e.detail = "\(x.function?.rawValue ?? "session"): \(x.reason)"
        case .transferDestinationRegistered(let x):
            e.detail =
                "移転先 \(x.destination)（\(x.kind.rawValue)）：\(x.items.map(\.rawValue).joined(separator: ","))"
        case .transferRecorded(let x):
            e.detail =
                "\(x.destination) へ移転 \(StaffText.date(x.transferredOn))：\(x.persons)人、位置 \(x.fromPosition)〜\(x.throughPosition)"
        case .personalDataAccessed(let x):
            e.kind = .read
            e.operatorID = x.operatorID
            e.session = x.session
            e.terminal = x.terminal
            e.command = x.command
            e.persons = x.persons
            e.purpose = x.purpose
            e.detail = "\(x.persons.count)人"
        }
        return e
    }

    /// Minutes after midnight in Japan and whether the day is a weekday, for a recorded time.
    static func japanTime(_ t: Timestamp) -> (minute: Int, weekday: Bool) {
        let seconds = t.microseconds / 1_000_000 + 9 * 3600
        let (days, second) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let day = second < 0 ? days - 1 : days
        let secondOfDay = second < 0 ? second + 86_400 : second
        let weekday = ((day % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday; 0 = Sunday
        return (Int(secondOfDay / 60), weekday != 0 && weekday != 6)
    }

    /// The yearly review over recorded times [from, before).
    public func review(from: Timestamp?, before: Timestamp?) throws -> AuditReview {
        let settings = try settings()
        let entries = try auditLog(AuditFilter(from: from, before: before))
        func outside(_ e: AuditEntry) -> Bool {
            let (minute, weekday) = Self.japanTime(e.recordedAt)
            return !weekday || minute < settings.officeOpensMinute || minute >= settings.officeClosesMinute
        }
        var lines: [String: AuditReview.OperatorLine] = [:]
        var viewed: [String: [PersonID: Int]] = [:]
        for e in entries where !e.operatorID.isEmpty {
            var line =
                lines[e.operatorID]
                ?? .init(
                    operatorID: e.operatorID, reads: 0, personsRead: 0, outsideOfficeHours: 0, logins: 0, refused: 0)
            switch e.kind {
            case .read:
                line.reads += 1
                for p in e.persons { viewed[e.operatorID, default: [:]][p, default: 0] += 1 }
            case .login: line.logins += 1
            case .refused, .loginFailed: line.refused += 1
            case .logout, .administration: break
            }
            if (e.kind == .read || e.kind == .login) && outside(e) { line.outsideOfficeHours += 1 }
            lines[e.operatorID] = line
        }
        for (id, persons) in viewed { lines[id]?.personsRead = persons.count }
        // Who recorded anything on each person viewed: one read of that person's stream.
        var unrelated: [(String, PersonID, Int)] = []
        var actors: [PersonID: Set<String>] = [:]
        for person in Set(viewed.values.flatMap(\.keys)) {
            var seen = Set<String>()
            try ledger.store.forEachEvent(.stream(try StreamName(person.streamName))) { seen.insert($0.command.actor) }
            actors[person] = seen
        }
        for (id, persons) in viewed {
            for (person, reads) in persons where actors[person]?.contains(id) != true {
                unrelated.append((id, person, reads))
            }
        }
        return AuditReview(
            operators: lines.values.sorted { $0.operatorID < $1.operatorID },
            outsideOfficeHours: entries.filter { ($0.kind == .read || $0.kind == .login) && outside($0) },
            viewedWithoutBusiness: unrelated.sorted { ($0.0, $0.1) < ($1.0, $1.1) },
            refused: entries.filter { $0.kind == .refused || $0.kind == .loginFailed })
    }
}
