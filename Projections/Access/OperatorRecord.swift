import KokiDomain
import KokiEvents

/// An operator as their stream (`operator/ID`) tells it: roles, state, sessions and failed logins.
///
/// The times are the events' recorded times, in microseconds since 1970 (UTC) as the ledger's
/// clock gives them, the unit ``SessionOpened/expiresAt`` is recorded in: the fold is handed
/// each event's recorded time and never reads a clock. (The application core shows them as the
/// store's timestamps.)
public struct OperatorRecord: Sendable, Hashable {
    /// Failed logins in a row from one source, and the recorded time of the last.
    public struct SourceFailures: Sendable, Hashable {
        public var count: Int
        public var lastMicroseconds: Int64
    }

    public struct Session: Sendable, Hashable {
        public var id: String
        public var terminal: String
        public var tokenDigest: [UInt8]
        public var openedAtMicroseconds: Int64
        public var expiresAtMicroseconds: Int64
        public var closed: SessionClosed.Reason?
    }

    public var id: String
    public var name: String
    public var roles: [Role]
    public var state: OperatorState
    /// The hash an older koki recorded in this operator's events (``OperatorEnrolled``'s notes);
    /// `nil` when they never had one there. Only the password check reads it.
    package var recordedPasswordHash: String?
    public var enrolledAtMicroseconds: Int64
    /// Failed logins since the last success or unlock.
    public var consecutiveFailures = 0
    /// Failed logins per source (the client's address over HTTP, else the terminal) since the last
    /// successful login or unlock, and when the last one was.
    public var failuresBySource: [String: SourceFailures] = [:]
    /// Sources locked out for this operator by too many failures in a row (until an unlock).
    public var lockedSources: Set<String> = []
    public var sessions: [String: Session] = [:]

    /// The operator as enrolled, at the enrolment's recorded time.
    public init(_ enrolled: OperatorEnrolled, recordedAt: Int64) {
        id = enrolled.operatorID
        name = enrolled.name
        roles = enrolled.roles
        state = .active
        recordedPasswordHash = enrolled.recordedPasswordHash
        enrolledAtMicroseconds = recordedAt
    }

    public var openSessions: [Session] {
        sessions.values.filter { $0.closed == nil }.sorted { $0.openedAtMicroseconds < $1.openedAtMicroseconds }
    }

    /// Folds one event of an operator's stream, recorded at `recordedAt`: the enrolment starts
    /// the record, every later event changes it (none comes before the enrolment).
    public static func fold(_ record: inout OperatorRecord?, _ event: AccessEvent, recordedAt: Int64) {
        if case .operatorEnrolled(let e) = event {
            record = OperatorRecord(e, recordedAt: recordedAt)
        } else {
            record?.apply(event, recordedAt: recordedAt)
        }
    }

    /// Folds one later event of the operator's stream.
    public mutating func apply(_ event: AccessEvent, recordedAt time: Int64) {
        switch event {
        case .operatorEnrolled: break
        case .operatorRolesChanged(let e): roles = e.roles
        case .operatorStateChanged(let e):
            state = e.state
            if e.state == .active {
                consecutiveFailures = 0
                failuresBySource = [:]
                lockedSources = []
            }
        case .operatorPasswordSet(let e):
            if let recorded = e.recordedPasswordHash { recordedPasswordHash = recorded }
        case .sessionOpened(let e):
            consecutiveFailures = 0
            failuresBySource = [:]
            sessions[e.session] = Session(
                id: e.session, terminal: e.terminal, tokenDigest: e.tokenDigest, openedAtMicroseconds: time,
                expiresAtMicroseconds: e.expiresAt)
        case .sessionClosed(let e): sessions[e.session]?.closed = e.reason
        case .loginFailed(let e):
            consecutiveFailures += 1
            let count = (failuresBySource[e.source]?.count ?? 0) + 1
            failuresBySource[e.source] = SourceFailures(count: count, lastMicroseconds: time)
            if e.sourceLocked { lockedSources.insert(e.source) }
        case .permissionsAdopted, .securitySettingsAdopted, .accessRefused, .personalDataAccessed,
            .transferDestinationRegistered, .transferRecorded:
            break
        }
    }
}
