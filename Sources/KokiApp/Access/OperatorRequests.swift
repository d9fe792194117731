import KokiDomain
import KokiEvents
import KokiProjections

// Operators, roles and settings as requests: only an administrator (security.admin) manages them,
// checked by the core before anything is read; anyone logged in sets their own password.
// (Logging in and out open and close the session a request needs, so they stay calls into
// ``AccessControl`` — as does the break-glass, proven by the master key instead of a session.)

/// `operator add`: enrols an operator with their roles and first password (asked only after the
/// check). Answers their roles.
public struct EnrollOperator: KokiRequest {
    public static let name = "operator add"
    public static let function: AccessFunction? = .securityAdmin

    public var operatorID: String
    public var name: String
    public var roles: [Role]
    public var password: Secret

    public init(operatorID: String, name: String, roles: [Role], password: Secret) {
        (self.operatorID, self.name, self.roles, self.password) = (operatorID, name, roles, password)
    }

    public func handle(_ scope: RequestScope) throws -> [Role] {
        let name = try checkedText(name, field: "--name")
        try scope.control.enroll(
            operatorID, name: name, roles: roles, password: try password.reveal(whose: operatorID), by: scope.context)
        return roles
    }
}

/// An operator as `operator list` shows them.
public struct OperatorSummary: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var roles: [Role]
    public var state: OperatorState
    public var openSessions: Int
    public var failedLogins: Int
    public var enrolledAt: String

    init(_ record: OperatorRecord) {
        id = record.id
        name = record.name
        roles = record.roles
        state = record.state
        openSessions = record.openSessions.count
        failedLogins = record.consecutiveFailures
        enrolledAt = record.enrolledAt.description
    }
}

/// `operator list`: every operator with roles, state and open sessions.
public struct ListOperators: KokiRequest {
    public static let name = "operator list"
    public static let function: AccessFunction? = .securityAdmin
    public static let isQuery = true

    public init() {}

    public func handle(_ scope: RequestScope) throws -> [OperatorSummary] {
        try scope.control.operators().map(OperatorSummary.init)
    }
}

/// `operator roles`: replaces an operator's roles. Answers them.
public struct SetOperatorRoles: KokiRequest {
    public static let name = "operator roles"
    public static let function: AccessFunction? = .securityAdmin

    public var operatorID: String
    public var roles: [Role]

    public init(operatorID: String, roles: [Role]) {
        (self.operatorID, self.roles) = (operatorID, roles)
    }

    public func handle(_ scope: RequestScope) throws -> [Role] {
        try scope.control.setRoles(operatorID, roles: roles, by: scope.context)
        return roles
    }
}

/// A change of an operator's state by an administrator, with the reason recorded: `operator
/// suspend`, `revoke`, `reinstate`, `unlock` (one request per kind of change). Answers the state
/// they are in. (The break-glass unlock, with the master key and no session, is not a request: see
/// ``AccessControl/breakGlass(terminal:command:)``.)
public struct ChangeOperatorState<Change: OperatorStateChange>: KokiRequest {
    public static var name: String { Change.name }
    public static var function: AccessFunction? { .securityAdmin }

    public var operatorID: String
    public var reason: String

    public init(operatorID: String, reason: String) {
        (self.operatorID, self.reason) = (operatorID, reason)
    }

    public func handle(_ scope: RequestScope) throws -> OperatorState {
        if Change.unlocks {
            try scope.control.unlock(operatorID, reason: reason, by: scope.context)
        } else {
            try scope.control.setState(operatorID, to: Change.state, reason: reason, by: scope.context)
        }
        return Change.state
    }
}

/// One kind of ``ChangeOperatorState``: the command's words and the state it leaves.
public protocol OperatorStateChange: Sendable {
    static var name: String { get }
    static var state: OperatorState { get }
    /// Clears failed logins and lockouts (an operator may be active and locked out from a source).
    static var unlocks: Bool { get }
}

extension OperatorStateChange {
    public static var unlocks: Bool { false }
}

/// `operator suspend`: ends the operator's sessions until they are reinstated.
public enum Suspension: OperatorStateChange {
    public static let name = "operator suspend"
    public static let state = OperatorState.suspended
}

/// `operator revoke`: for good (the id is never reused).
public enum Revocation: OperatorStateChange {
    public static let name = "operator revoke"
    public static let state = OperatorState.revoked
}

/// `operator reinstate`: a suspended operator active again.
public enum Reinstatement: OperatorStateChange {
    public static let name = "operator reinstate"
    public static let state = OperatorState.active
}

/// `operator unlock`: an operator locked out by failed logins active again.
public enum Unlocking: OperatorStateChange {
    public static let name = "operator unlock"
    public static let state = OperatorState.active
    public static let unlocks = true
}

public typealias SuspendOperator = ChangeOperatorState<Suspension>
public typealias RevokeOperator = ChangeOperatorState<Revocation>
public typealias ReinstateOperator = ChangeOperatorState<Reinstatement>
public typealias UnlockOperator = ChangeOperatorState<Unlocking>

/// `operator password`: sets one's own password (the session suffices; the current password is
/// asked), or as an administrator another operator's. Answers whose password was set.
public struct SetOperatorPassword: KokiRequest {
    public static let name = "operator password"
    /// Only the session: setting another's password checks security.admin in the handler.
    public static let function: AccessFunction? = nil

    /// The operator (default: the one asking).
    public var operatorID: String?
    /// One's current password: asked only when setting one's own.
    public var current: Secret
    public var password: Secret

    public init(operatorID: String?, current: Secret, password: Secret) {
        (self.operatorID, self.current, self.password) = (operatorID, current, password)
    }

    public func handle(_ scope: RequestScope) throws -> String {
        let target = operatorID ?? scope.context.operatorID
        let own = target == scope.context.operatorID
        if !own { try scope.check(.securityAdmin) }
        let current = own ? try self.current.reveal() : nil
        try scope.control.setPassword(
            target, to: try password.reveal(whose: target), current: current, by: scope.context)
        return target
    }
}

/// `whoami`: the operator, roles and session one acts as (the session checked like any request's).
public struct WhoAmI: KokiRequest {
    public static let name = "whoami"
    public static let function: AccessFunction? = nil
    public static let isQuery = true

    public struct Answer: Sendable, Hashable, Codable {
        public var operatorID: String
        public var name: String
        public var roles: [Role]
        public var session: String
        public var terminal: String
        public var openedAt: String
        public var expiresAt: String
        public var closed: SessionClosed.Reason?
    }

    public init() {}

    public func handle(_ scope: RequestScope) throws -> Answer {
        guard let record = try scope.control.operatorRecord(scope.context.operatorID),
            let session = record.sessions[scope.context.session]
        else { throw KokiError.session("ログインしていません") }
        return Answer(
            operatorID: record.id, name: record.name, roles: record.roles, session: session.id,
            terminal: session.terminal, openedAt: session.openedAt.description,
            expiresAt: session.expiresAt.description, closed: session.closed)
    }
}

// MARK: - The permission matrix and the settings

/// `roles show`: the permission matrix in force.
public struct ShowPermissions: KokiRequest {
    public static let name = "roles show"
    public static let function: AccessFunction? = .securityAdmin
    public static let isQuery = true

    public init() {}

    public func handle(_ scope: RequestScope) throws -> PermissionMatrix { try scope.control.permissions() }
}

/// A change of one cell of the permission matrix: `roles grant`, `roles revoke`. Answers the
/// matrix adopted.
public struct ChangePermission<Change: PermissionChange>: KokiRequest {
    public static var name: String { Change.name }
    public static var function: AccessFunction? { .securityAdmin }

    public var role: Role
    public var permission: AccessFunction

    public init(role: Role, permission: AccessFunction) {
        (self.role, self.permission) = (role, permission)
    }

    public func handle(_ scope: RequestScope) throws -> PermissionMatrix {
        var matrix = try scope.control.permissions()
        var functions = matrix.grants[role] ?? []
        if Change.grants { functions.insert(permission) } else { functions.remove(permission) }
        matrix.grants[role] = functions
        try scope.control.adopt(matrix, by: scope.context)
        return matrix
    }
}

/// One kind of ``ChangePermission``.
public protocol PermissionChange: Sendable {
    static var name: String { get }
    static var grants: Bool { get }
}

/// `roles grant`: lets a role use a function.
public enum Grant: PermissionChange {
    public static let name = "roles grant"
    public static let grants = true
}

/// `roles revoke`: stops a role using a function.
public enum Withdrawal: PermissionChange {
    public static let name = "roles revoke"
    public static let grants = false
}

public typealias GrantPermission = ChangePermission<Grant>
public typealias RevokePermission = ChangePermission<Withdrawal>

/// `security show`: the security settings in force.
public struct ShowSecuritySettings: KokiRequest {
    public static let name = "security show"
    public static let function: AccessFunction? = .securityAdmin
    public static let isQuery = true

    public init() {}

    public func handle(_ scope: RequestScope) throws -> SecuritySettings { try scope.control.settings() }
}
