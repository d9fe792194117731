import Foundation
import KokiDomain

/// Who may do what, who logged in, and whose data was read: the access control and the audit
/// trail, recorded in the same hash-chained ledger as the money. None of these events touches a
/// premium; the money projections ignore them in one case (``KokiEvent/access(_:)``).
public enum AccessEvent: Sendable, Hashable {
    case operatorEnrolled(OperatorEnrolled)
    case operatorRolesChanged(OperatorRolesChanged)
    case operatorStateChanged(OperatorStateChanged)
    case operatorPasswordSet(OperatorPasswordSet)
    case permissionsAdopted(PermissionsAdopted)
    case securitySettingsAdopted(SecuritySettingsAdopted)
    case sessionOpened(SessionOpened)
    case sessionClosed(SessionClosed)
    case loginFailed(LoginFailed)
    case accessRefused(AccessRefused)
    case personalDataAccessed(PersonalDataAccessed)
    case transferDestinationRegistered(TransferDestinationRegistered)
    case transferRecorded(TransferRecorded)

    /// The stream: `operator/ID` for an operator's enrolment, state, sessions and failed logins;
    /// `config/permissions`, `config/security`; `audit/ID` for the reads of one operator;
    /// `audit/refused` and `audit/login-failures` (operator ids nobody enrolled).
    public var streamName: String {
        switch self {
        case .operatorEnrolled(let e): OperatorEnrolled.stream(e.operatorID)
        case .operatorRolesChanged(let e): OperatorEnrolled.stream(e.operatorID)
        case .operatorStateChanged(let e): OperatorEnrolled.stream(e.operatorID)
        case .operatorPasswordSet(let e): OperatorEnrolled.stream(e.operatorID)
        case .permissionsAdopted: PermissionsAdopted.streamName
        case .securitySettingsAdopted: SecuritySettingsAdopted.streamName
        case .sessionOpened(let e): OperatorEnrolled.stream(e.operatorID)
        case .sessionClosed(let e): OperatorEnrolled.stream(e.operatorID)
        case .loginFailed(let e):
            e.reason == .unknownOperator ? LoginFailed.unknownStream : OperatorEnrolled.stream(e.operatorID)
        case .accessRefused: AccessRefused.streamName
        case .personalDataAccessed(let e): PersonalDataAccessed.stream(e.operatorID)
        case .transferDestinationRegistered(let e): TransferDestinationRegistered.stream(e.destination)
        case .transferRecorded(let e): TransferDestinationRegistered.stream(e.destination)
        }
    }

    /// Hands the payload inside to `visitor` with its concrete type.
    public func visit<V: PayloadVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .operatorEnrolled(let e): visitor.visit(e)
        case .operatorRolesChanged(let e): visitor.visit(e)
        case .operatorStateChanged(let e): visitor.visit(e)
        case .operatorPasswordSet(let e): visitor.visit(e)
        case .permissionsAdopted(let e): visitor.visit(e)
        case .securitySettingsAdopted(let e): visitor.visit(e)
        case .sessionOpened(let e): visitor.visit(e)
        case .sessionClosed(let e): visitor.visit(e)
        case .loginFailed(let e): visitor.visit(e)
        case .accessRefused(let e): visitor.visit(e)
        case .personalDataAccessed(let e): visitor.visit(e)
        case .transferDestinationRegistered(let e): visitor.visit(e)
        case .transferRecorded(let e): visitor.visit(e)
        }
    }
}

/// 利用者を登録した — an operator with an individual id (never shared), a name and roles.
///
/// Version 2 records no password hash: credentials are state kept beside the keys (the store's
/// credential table), not history every backup and replay copy keeps forever. Version 1 recorded
/// the scrypt hash; read back, it is ``recordedPasswordHash``, which opens nothing but the one
/// password change its operator must make at their next login.
public struct OperatorEnrolled: EventPayload {
    public static let eventType = "OperatorEnrolled"
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(operatorID: c.field(\.operatorID), name: c.field(\.name), roles: c.field(\.roles))
    }

    public static func stream(_ id: String) -> String { "operator/\(id)" }

    public var operatorID: String
    public var name: String
    public var roles: [Role]
    /// The hash a version-1 event recorded; `nil` for version 2. Never written.
    public var recordedPasswordHash: String?

    public init(operatorID: String, name: String, roles: [Role], recordedPasswordHash: String? = nil) {
        (self.operatorID, self.name, self.roles) = (operatorID, name, roles)
        self.recordedPasswordHash = recordedPasswordHash
    }

    /// JSON never shows a hash.
    enum CodingKeys: String, CodingKey { case operatorID, name, roles }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        operatorID = try c.decode(String.self, forKey: .operatorID)
        name = try c.decode(String.self, forKey: .name)
        roles = try c.decode([Role].self, forKey: .roles)
        recordedPasswordHash = nil
    }
}

/// An administrator changed an operator's roles.
public struct OperatorRolesChanged: EventPayload {
    public static let eventType = "OperatorRolesChanged"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(operatorID: c.field(\.operatorID), roles: c.field(\.roles))
    }

    public var operatorID: String
    public var roles: [Role]

    public init(operatorID: String, roles: [Role]) {
        (self.operatorID, self.roles) = (operatorID, roles)
    }
}

/// An operator was suspended, revoked, locked (too many failed logins) or made active again.
/// Anything but active ends their sessions at once.
public struct OperatorStateChanged: EventPayload {
    public static let eventType = "OperatorStateChanged"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(operatorID: c.field(\.operatorID), state: c.field(\.state), reason: c.field(\.reason))
    }

    public var operatorID: String
    public var state: OperatorState
    public var reason: String

    public init(operatorID: String, state: OperatorState, reason: String) {
        (self.operatorID, self.state, self.reason) = (operatorID, state, reason)
    }
}

/// An operator's password was set anew (by themselves, or reset by an administrator): the fact
/// only. Version 2 records no hash (see ``OperatorEnrolled``); a version-1 event's hash reads
/// back as ``recordedPasswordHash``.
public struct OperatorPasswordSet: EventPayload {
    public static let eventType = "OperatorPasswordSet"
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(operatorID: c.field(\.operatorID))
    }

    public var operatorID: String
    /// The hash a version-1 event recorded; `nil` for version 2. Never written.
    public var recordedPasswordHash: String?

    public init(operatorID: String, recordedPasswordHash: String? = nil) {
        (self.operatorID, self.recordedPasswordHash) = (operatorID, recordedPasswordHash)
    }

    enum CodingKeys: String, CodingKey { case operatorID }
    public init(from decoder: any Decoder) throws {
        operatorID = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .operatorID)
        recordedPasswordHash = nil
    }
}

/// The permission matrix in force from now (`config/permissions`), as canonical JSON.
public struct PermissionsAdopted: EventPayload {
    public static let eventType = "PermissionsAdopted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(matrix: c.field(\.matrix))
    }

    public static let streamName = "config/permissions"

    public var matrix: PermissionMatrix

    public init(matrix: PermissionMatrix) { self.matrix = matrix }
}

/// The security settings in force from now (`config/security`), as canonical JSON.
public struct SecuritySettingsAdopted: EventPayload {
    public static let eventType = "SecuritySettingsAdopted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(settings: c.field(\.settings))
    }

    public static let streamName = "config/security"

    public var settings: SecuritySettings

    public init(settings: SecuritySettings) { self.settings = settings }
}

/// ログイン — a session opened on a terminal. Only the SHA-256 of the session's token is kept;
/// the token itself lives in the operator's token file. `expiresAt` is the absolute end
/// (microseconds since 1970, transaction time).
public struct SessionOpened: EventPayload {
    public static let eventType = "SessionOpened"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            operatorID: c.field(\.operatorID), session: c.field(\.session), terminal: c.field(\.terminal),
            tokenDigest: c.field(\.tokenDigest), expiresAt: c.field(\.expiresAt))
    }

    public var operatorID: String
    public var session: String
    public var terminal: String
    public var tokenDigest: [UInt8]
    public var expiresAt: Int64

    public init(operatorID: String, session: String, terminal: String, tokenDigest: [UInt8], expiresAt: Int64) {
        (self.operatorID, self.session, self.terminal, self.tokenDigest) = (operatorID, session, terminal, tokenDigest)
        self.expiresAt = expiresAt
    }
}

/// ログアウト — a session ended: by its operator, or because the operator stopped being active.
public struct SessionClosed: EventPayload {
    public static let eventType = "SessionClosed"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(operatorID: c.field(\.operatorID), session: c.field(\.session), reason: c.field(\.reason))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
        case logout, operatorSuspended = "operator-suspended", operatorRevoked = "operator-revoked"
        case operatorLocked = "operator-locked"
        public static let storedCases = allCases
    }

    public var operatorID: String
    public var session: String
    public var reason: Reason

    public init(operatorID: String, session: String, reason: Reason) {
        (self.operatorID, self.session, self.reason) = (operatorID, session, reason)
    }
}

/// A login that failed, from a source: the client's network address over `koki serve`, else the
/// terminal. Failures are counted per operator and source: after ``SecuritySettings/maxFailedLogins``
/// in a row from one source, that source is locked out for the operator (`sourceLocked`) until an
/// administrator unlocks them, while their other sources can still log in — so guessing from
/// anywhere cannot lock staff out. (Version 1, without the source, counted per operator and locked
/// the operator everywhere.)
public struct LoginFailed: EventPayload {
    public static let eventType = "LoginFailed"
    public static let schemaVersion = 2

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            operatorID: c.field(\.operatorID), terminal: c.field(\.terminal), reason: c.field(\.reason),
            source: c.field(\.source), sourceLocked: c.field(\.sourceLocked))
    }

    public static let unknownStream = "audit/login-failures"

    /// Stored by declaration order: add cases at the end.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
        case wrongPassword = "wrong-password", notActive = "not-active"
        case terminalNotRegistered = "terminal-not-registered", unknownOperator = "unknown-operator"
        public static let storedCases = allCases
    }

    public var operatorID: String
    public var terminal: String
    public var reason: Reason
    /// Where the attempt came from: the client's address over HTTP, else the terminal.
    public var source: String
    /// This failure was the last one allowed in a row from `source`: the source is now locked out
    /// for this operator until an administrator (or the master key's holder) unlocks them.
    public var sourceLocked: Bool

    public init(operatorID: String, terminal: String, reason: Reason, source: String? = nil, sourceLocked: Bool = false)
    {
        (self.operatorID, self.terminal, self.reason, self.source) = (operatorID, terminal, reason, source ?? terminal)
        self.sourceLocked = sourceLocked
    }
}

/// A command refused before it did anything: no session, an expired or forged one, or a role
/// that may not use the command's function. Stream `audit/refused`.
public struct AccessRefused: EventPayload {
    public static let eventType = "AccessRefused"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            operatorID: c.field(\.operatorID), session: c.field(\.session), terminal: c.field(\.terminal),
            command: c.field(\.command), function: c.field(\.function), reason: c.field(\.reason))
    }

    public static let streamName = "audit/refused"

    /// The operator named by the session file, or "" when there was none.
    public var operatorID: String
    public var session: String?
    public var terminal: String
    public var command: String
    /// The function the command needed (`nil`: only a valid session, as for changing one's own password).
    public var function: AccessFunction?
    public var reason: String

    public init(
        operatorID: String, session: String?, terminal: String, command: String, function: AccessFunction?,
        reason: String
    ) {
        (self.operatorID, self.session, self.terminal, self.command) = (operatorID, session, terminal, command)
        (self.function, self.reason) = (function, reason)
    }
}

/// 照会記録 — an operator read personal data: whose, by which command, in which session, on which
/// terminal, for what stated purpose. Recorded before the data is shown. Stream `audit/ID`.
public struct PersonalDataAccessed: EventPayload {
    public static let eventType = "PersonalDataAccessed"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            operatorID: c.field(\.operatorID), session: c.field(\.session), terminal: c.field(\.terminal),
            command: c.field(\.command), purpose: c.field(\.purpose), persons: c.field(\.persons))
    }

    public static func stream(_ id: String) -> String { "audit/\(id)" }

    public var operatorID: String
    public var session: String
    public var terminal: String
    public var command: String
    public var purpose: String?
    public var persons: [PersonID]

    public init(
        operatorID: String, session: String, terminal: String, command: String, purpose: String?,
        persons: [PersonID]
    ) {
        (self.operatorID, self.session, self.terminal, self.command) = (operatorID, session, terminal, command)
        (self.purpose, self.persons) = (purpose, persons)
    }
}
