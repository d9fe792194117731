import Crypto
import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// What a session file holds: which ledger, which operator, which session, and the token whose
/// SHA-256 the ledger recorded at login. Written readable by its owner only.
public struct SessionCredentials: Sendable, Hashable, Codable {
    public var ledger: String
    public var operatorID: String
    public var session: String
    public var token: String
    /// The version of the operator's stream at which this session was opened (its
    /// `SessionOpened`): the check before every command reads the operator's stream from there,
    /// not from their enrolment. Absent from the sessions of an older koki, which fold the whole
    /// stream. A wrong one changes nothing but the cost: the event there must be this session's
    /// opening, else the whole stream is folded.
    public var opened: Int64?

    public init(ledger: String, operatorID: String, session: String, token: String, opened: Int64? = nil) {
        self.ledger = ledger
        self.operatorID = operatorID
        self.session = session
        self.token = token
        self.opened = opened
    }
}

/// Who is acting, once their session and role were checked: recorded with everything they do.
public struct AccessContext: Sendable, Hashable {
    public var operatorID: String
    public var name: String
    public var roles: [Role]
    public var session: String
    public var terminal: String
    /// The function checked (`nil`: only the session, for what every operator may do to themselves).
    public var function: AccessFunction?
    public var command: String
    /// The ids of the door's action (a form's), when it named one: every command this context
    /// appends takes the next, so the action sent again records nothing new.
    var action: ActionCommandIDs? = nil

    /// Metadata for one new command by this operator; the session is its correlation id, so every
    /// event they append is tied to the login it was made in. Its id is `commandID`, else the
    /// action's next, else a new one.
    public func metadata(commandID: Identifier? = nil) -> CommandMetadata {
        CommandMetadata(
            commandID: commandID ?? action?.next() ?? .random(), actor: operatorID,
            correlationID: Identifier(string: session))
    }
}

/// Operators, roles, sessions and the audit of access, on the ledger.
///
/// Every command that opens a ledger asks ``authorize(_:function:command:terminal:)`` first: the
/// session must be this ledger's, its token must match what login recorded, it must not have
/// ended or expired (idle or absolute), its operator must be active, and one of their roles must
/// be granted the command's function by the permission matrix in force. A refusal is recorded
/// (`audit/refused`) and nothing else happens. Every read of personal data is recorded with
/// ``recordRead(_:persons:purpose:)`` before the data is shown.
public struct AccessControl: Sendable {
    public let ledger: KokiLedger
    var store: any EventStore { ledger.store }

    public init(_ ledger: KokiLedger) { self.ledger = ledger }

    // MARK: - State

    /// Whether any operator was ever enrolled: a ledger without one has not been set up (`koki init`).
    /// (The set-up records the permission matrix first: one indexed lookup, at any size.)
    public func isSetUp() throws -> Bool {
        try store.version(of: try StreamName(PermissionsAdopted.streamName)) > 0
    }

    /// The operator as checking one of their sessions needs them, in time that does not grow with
    /// their history: their standing (enrolment, roles, state, password — the rare events, found
    /// through the ledger's index by type) and their stream from the session's opening on (the
    /// session's own events; the record holds no other session). Without `opened`, or when the
    /// event there is not this session's opening, their whole stream is folded.
    func sessionRecord(_ credentials: SessionCredentials) throws -> OperatorRecord? {
        guard let opened = credentials.opened, opened >= 1,
            let stream = try? StreamName(OperatorEnrolled.stream(credentials.operatorID))
        else { return try operatorRecord(credentials.operatorID) }
        var record: OperatorRecord?
        var query = EventQuery()
        query.types = Self.standingTypes
        try ledger.forEachEvent(query) { view, event in
            guard view.stream == stream, case .access(let access) = event else { return }
            OperatorRecord.fold(&record, access, recordedAt: view.command.recordedAt.microseconds)
        }
        guard record != nil else { return nil }
        var holds: Bool?
        try ledger.forEachEvent(.stream(stream, fromVersion: opened)) { view, event in
            guard case .access(let access) = event else { return }
            let session: String? =
                switch access {
                case .sessionOpened(let e): e.session
                case .sessionClosed(let e): e.session
                default: nil
                }
            if holds == nil, case .sessionOpened = access { holds = session == credentials.session }
            guard holds == true, session == credentials.session else { return }
            record?.apply(access, recordedAt: view.command.recordedAt.microseconds)
        }
        guard holds == true else { return try operatorRecord(credentials.operatorID) }
        return record
    }

    /// The events of an operator's stream that change their standing rather than a session.
    static let standingTypes: Set<String> = [
        OperatorEnrolled.eventType, OperatorRolesChanged.eventType, OperatorStateChanged.eventType,
        OperatorPasswordSet.eventType,
    ]

    public func operatorRecord(_ id: String) throws -> OperatorRecord? {
        guard let stream = try? StreamName(OperatorEnrolled.stream(id)) else { return nil }
        var record: OperatorRecord?
        try ledger.forEachEvent(.stream(stream)) { view, event in
            guard case .access(let access) = event else { return }
            OperatorRecord.fold(&record, access, recordedAt: view.command.recordedAt.microseconds)
        }
        return record
    }

    public func operators() throws -> [OperatorRecord] {
        try store.streams(prefix: "operator/").compactMap {
            try operatorRecord(String($0.stream.value.dropFirst("operator/".count)))
        }.sorted { $0.id < $1.id }
    }

    public func permissions() throws -> PermissionMatrix {
        var matrix = PermissionMatrix.standard
        try ledger.forEachEvent(.stream(try StreamName(PermissionsAdopted.streamName))) { _, event in
            if case .access(.permissionsAdopted(let e)) = event { matrix = e.matrix }
        }
        return matrix
    }

    public func settings() throws -> SecuritySettings {
        var settings = SecuritySettings()
        try ledger.forEachEvent(.stream(try StreamName(SecuritySettingsAdopted.streamName))) { _, event in
            if case .access(.securitySettingsAdopted(let e)) = event { settings = e.settings }
        }
        return settings
    }

    // MARK: - Setting up and managing operators

    static func validate(operatorID id: String) throws {
        guard (2...32).contains(id.count),
            id.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
            })
        else {
            throw KokiError(
                .invalidInput, "operator id '\(id)' must be 2–32 characters of a–z, 0–9, '-', '_' or '.'")
        }
    }

    func hash(_ password: String, settings: SecuritySettings) throws -> String {
        if let weakness = PasswordHash.weakness(password) { throw KokiError(.invalidInput, weakness) }
        return try PasswordHash.make(password, cost: settings.passwordCost, salt: store.randomBytes(16))
    }

    /// Where an operator's password hash is kept: the store's credentials, beside the keys.
    static func principal(_ id: String) -> String { "operator/\(id)" }

    /// Whether `password` is the operator's, checked against their stored credential. An operator
    /// enrolled by an older koki has none: their hash recorded in the events then opens only the
    /// password change their next login must make (`mustChange`), after which it opens nothing.
    func checkPassword(_ password: String, of record: OperatorRecord) throws -> (matches: Bool, mustChange: Bool) {
        if let stored = try ledger.ports.credentials.credential(Self.principal(record.id)) {
            return (PasswordHash.verify(password, against: stored), false)
        }
        guard let recorded = record.recordedPasswordHash else { return (false, false) }
        return (PasswordHash.verify(password, against: recorded), true)
    }

    /// Stores the new hash beside the keys, then records the fact of the change (no hash).
    func replacePassword(_ id: String, with password: String, metadata: CommandMetadata) throws {
        let hash = try hash(password, settings: try settings())
        try ledger.ports.credentials.setCredential(Self.principal(id), hash)
        try ledger.record([.access(.operatorPasswordSet(OperatorPasswordSet(operatorID: id)))], metadata: metadata)
    }

    /// The first administrator, the standard permission matrix and the security settings, in
    /// one command. Refused when any operator exists already.
    public func setUp(
        administrator id: String, name: String, password: String, settings: SecuritySettings = SecuritySettings()
    ) throws {
        try Self.validate(operatorID: id)
        if let problem = settings.problem { throw KokiError(.invalidInput, "security settings: \(problem)") }
        guard try !isSetUp() else {
            throw KokiError(.invalidInput, "this ledger has operators already: an administrator enrols more")
        }
        // The credential first: a crash before the event leaves a hash for an id not enrolled, which
        // the next enrolment replaces; never an operator without a password.
        try ledger.ports.credentials.setCredential(Self.principal(id), try hash(password, settings: settings))
        let enrolled = OperatorEnrolled(operatorID: id, name: name, roles: [.administrator])
        try ledger.record(
            [
                .access(.securitySettingsAdopted(SecuritySettingsAdopted(settings: settings))),
                .access(.permissionsAdopted(PermissionsAdopted(matrix: .standard))),
                .access(.operatorEnrolled(enrolled)),
            ], metadata: CommandMetadata(actor: id))
    }

    public func enroll(
        _ id: String, name: String, roles: [Role], password: String, by admin: AccessContext
    ) throws {
        try Self.validate(operatorID: id)
        guard !roles.isEmpty else { throw KokiError(.invalidInput, "give the operator at least one role (--role)") }
        guard try operatorRecord(id) == nil else {
            throw KokiError(.invalidInput, "operator \(id) exists already; ids are never reused")
        }
        let hash = try hash(password, settings: try settings())
        try ledger.ports.credentials.setCredential(Self.principal(id), hash)
        let enrolled = OperatorEnrolled(operatorID: id, name: name, roles: Array(Set(roles)).sorted())
        try ledger.record(
            [.access(.operatorEnrolled(enrolled))], metadata: admin.metadata(),
            expectingStreams: [OperatorEnrolled.stream(id): .noStream])
    }

    func existing(_ id: String) throws -> OperatorRecord {
        guard let record = try operatorRecord(id) else { throw KokiError(.invalidInput, "no operator \(id)") }
        return record
    }

    public func setRoles(_ id: String, roles: [Role], by admin: AccessContext) throws {
        _ = try existing(id)
        guard !roles.isEmpty else { throw KokiError(.invalidInput, "give the operator at least one role (--role)") }
        try ledger.record(
            [.access(.operatorRolesChanged(OperatorRolesChanged(operatorID: id, roles: Array(Set(roles)).sorted())))],
            metadata: admin.metadata())
    }

    /// Suspends, revokes, locks or reinstates an operator; anything but active ends every open
    /// session of theirs in the same command. A revoked operator stays revoked.
    public func setState(_ id: String, to state: OperatorState, reason: String, by admin: AccessContext) throws {
        let record = try existing(id)
        guard record.state != .revoked else { throw KokiError(.invalidInput, "operator \(id) is revoked for good") }
        guard record.state != state else { throw KokiError(.invalidInput, "operator \(id) is \(state) already") }
        guard !(id == admin.operatorID && state != .active) else {
            throw KokiError(.invalidInput, "an administrator cannot stop their own account")
        }
        try ledger.record(
            [.access(.operatorStateChanged(OperatorStateChanged(operatorID: id, state: state, reason: reason)))]
                + Self.closing(record, because: state),
            metadata: admin.metadata())
    }

    /// Unlocks an operator: locked (by an administrator, or by failed logins before they were
    /// counted per source) or locked out from sources by failed logins; their failure counts start
    /// again. Recorded as the operator made active, with the reason.
    public func unlock(_ id: String, reason: String, by admin: AccessContext) throws {
        let record = try existing(id)
        guard record.state != .revoked else { throw KokiError(.invalidInput, "operator \(id) is revoked for good") }
        guard record.state != .active || !record.lockedSources.isEmpty || !record.failuresBySource.isEmpty else {
            throw KokiError(.invalidInput, "operator \(id) is active and not locked out from anywhere")
        }
        let locked = record.lockedSources.sorted()
        let why = locked.isEmpty ? reason : "\(reason) (locked out from \(locked.joined(separator: ", ")))"
        try ledger.record(
            [.access(.operatorStateChanged(OperatorStateChanged(operatorID: id, state: .active, reason: why)))],
            metadata: admin.metadata())
    }

    /// Who acts in a break-glass: whoever holds this ledger's master key file, on its host, with no
    /// session (the only administrator may be locked out or have forgotten their password). The key
    /// must be the one this ledger's personal data is sealed under (its check key opens), so a key
    /// file made up for the occasion opens nothing. Everything done this way is recorded with the
    /// actor `(master key)` and the terminal.
    public func breakGlass(terminal: String, command: String) throws -> AccessContext {
        do {
            try proveMasterKey()
        } catch let error as KokiError {
            try refuse(
                AccessRefused(
                    operatorID: Self.breakGlassActor, session: nil, terminal: terminal, command: command,
                    function: .securityAdmin, reason: "break-glass: \(error.message)"))
            throw error
        }
        return AccessContext(
            operatorID: Self.breakGlassActor, name: "holder of the master key file", roles: [.administrator],
            session: Identifier.random().description, terminal: terminal, function: .securityAdmin, command: command)
    }

    /// Proves the master key given is this ledger's: its check key opens under it.
    func proveMasterKey() throws {
        guard let master = ledger.masterKey else {
            throw KokiError(.masterKey, "the break-glass needs this ledger's master key file (--master-key)")
        }
        let subject = "koki/master-key-check"
        guard let blob = try ledger.ports.keys.subjectKey(subject, makeKey: nil) else {
            throw KokiError(
                .masterKey,
                "this ledger has no master-key check yet (no command has opened it with its key): the break-glass cannot prove the key")
        }
        do {
            _ = try master.unwrap(blob, subject: subject)
        } catch {
            throw KokiError(.masterKey, "the master key file is not this ledger's: the break-glass is refused")
        }
    }

    /// The actor recorded for what the master key's holder did (``breakGlass(terminal:command:)``).
    public static let breakGlassActor = "(master key)"

    static func closing(_ record: OperatorRecord, because state: OperatorState) -> [KokiEvent] {
        let reason: SessionClosed.Reason
        switch state {
        case .active: return []
        case .suspended: reason = .operatorSuspended
        case .revoked: reason = .operatorRevoked
        case .locked: reason = .operatorLocked
        }
        return record.openSessions.map {
            .access(.sessionClosed(SessionClosed(operatorID: record.id, session: $0.id, reason: reason)))
        }
    }

    /// Sets an operator's password: their own, given the current one (a stolen session alone
    /// cannot take the account over), or anyone's by an administrator.
    public func setPassword(_ id: String, to password: String, current: String? = nil, by context: AccessContext)
        throws
    {
        let record = try existing(id)
        if id == context.operatorID {
            guard let current, try checkPassword(current, of: record).matches else {
                throw KokiError(.accessDenied, "the current password is wrong")
            }
        }
        try replacePassword(id, with: password, metadata: context.metadata())
    }

    public func adopt(_ matrix: PermissionMatrix, by admin: AccessContext) throws {
        guard matrix.grants[.administrator]?.contains(.securityAdmin) == true else {
            throw KokiError(
                .invalidInput, "the administrator role must keep security.admin, or no one could change this again")
        }
        try ledger.record(
            [.access(.permissionsAdopted(PermissionsAdopted(matrix: matrix)))], metadata: admin.metadata())
    }

    public func adopt(_ settings: SecuritySettings, by admin: AccessContext) throws {
        if let problem = settings.problem { throw KokiError(.invalidInput, "security settings: \(problem)") }
        try ledger.record(
            [.access(.securitySettingsAdopted(SecuritySettingsAdopted(settings: settings)))], metadata: admin.metadata()
        )
    }

    // MARK: - Sessions

    /// How long a source waits after `failures` failed logins in a row before its next attempt
    /// is looked at: nothing for the first two (typing errors), then 1, 2, 4 … seconds, at most 15 minutes.
    public static func loginDelay(afterFailures failures: Int) -> Int64 {
        guard failures > 2 else { return 0 }
        return min(Int64(1) << Int64(min(failures - 3, 20)), 900)
    }

    /// Opens a session: records `SessionOpened` and returns the credentials for the token file,
    /// or records the failure and throws.
    ///
    /// Failures are counted per operator *and* `source` (the client's network address over HTTP,
    /// else the terminal): after a few in a row a source waits a delay that doubles with each
    /// (``loginDelay(afterFailures:)``; an attempt inside it is refused without looking at the
    /// password), and the ``SecuritySettings/maxFailedLogins``-th locks that source out for the
    /// operator until an administrator unlocks them. Their other sources still log in: someone
    /// guessing from one place cannot lock the city's staff out.
    ///
    /// With `newPassword`, the password is changed as the session opens. An operator enrolled by
    /// a koki that recorded password hashes in the events must give one at their first login after
    /// the upgrade; until they do, no session opens for them.
    public func login(
        _ id: String, password: String, terminal: String, newPassword: String? = nil, source: String? = nil
    ) throws -> SessionCredentials {
        let source = source ?? terminal
        let settings = try settings()
        // What was typed as an id is recorded only when it could be one: a password typed into
        // the id by mistake must not land in the ledger.
        let typed = (try? Self.validate(operatorID: id)) != nil ? id : "(not an operator id)"
        let metadata = CommandMetadata(actor: typed)
        var locks = false
        func fail(_ reason: LoginFailed.Reason, _ message: String, extra: [KokiEvent] = []) throws -> Never {
            try ledger.record(
                [
                    .access(
                        .loginFailed(
                            LoginFailed(
                                operatorID: typed, terminal: terminal, reason: reason, source: source,
                                sourceLocked: locks)))
                ] + extra,
                metadata: metadata)
            throw KokiError(.accessDenied, message)
        }
        guard (try? Self.validate(operatorID: id)) != nil, let record = try operatorRecord(id) else {
            try fail(.unknownOperator, "login failed: wrong operator id or password")
        }
        if !settings.terminals.isEmpty, !settings.terminals.contains(terminal) {
            try fail(.terminalNotRegistered, "login failed: terminal \(terminal) is not registered")
        }
        guard record.state == .active else {
            try fail(.notActive, "login failed: operator \(id) is \(record.state); an administrator can reinstate")
        }
        // Locked out from here, or too soon after the last failures from here: the password is not
        // even looked at (and nothing is recorded: no guess was checked).
        if record.lockedSources.contains(source) {
            throw KokiError(
                .accessDenied,
                "login failed: operator \(id) is locked out from \(source) after \(settings.maxFailedLogins) failed logins "
                    + "in a row; an administrator unlocks (`koki operator unlock \(id)`)")
        }
        if let failures = record.failuresBySource[source] {
            let wait = Self.loginDelay(afterFailures: failures.count) * 1_000_000
            let ready = failures.last.microseconds + wait
            if store.now.microseconds < ready {
                let seconds = (ready - store.now.microseconds + 999_999) / 1_000_000
                throw KokiError(
                    .accessDenied,
                    "login refused: \(failures.count) failed logins in a row for \(id) from \(source); try again in \(seconds) s")
            }
        }
        let check = try checkPassword(password, of: record)
        guard check.matches else {
            let failures = (record.failuresBySource[source]?.count ?? 0) + 1
            if failures >= settings.maxFailedLogins {
                locks = true
                try fail(
                    .wrongPassword,
                    "login failed: wrong operator id or password; operator \(id) is now locked out from \(source) after "
                        + "\(settings.maxFailedLogins) failed attempts (their other terminals are not); an administrator unlocks")
            }
            try fail(.wrongPassword, "login failed: wrong operator id or password")
        }
        if check.mustChange || newPassword != nil {
            guard let newPassword else {
                throw KokiError(
                    .accessDenied,
                    "operator \(id) must set a new password before logging in: the old one's hash was recorded in the ledger's history by an older koki, which every backup keeps (log in with --new-password)"
                )
            }
            guard newPassword != password else {
                throw KokiError(.invalidInput, "the new password must differ from the old one")
            }
            try replacePassword(id, with: newPassword, metadata: CommandMetadata(actor: id))
        }
        let token = store.randomBytes(32)
        let session = Identifier(derivedFrom: store.randomBytes(16)).description
        let expires = store.now.microseconds + Int64(settings.sessionHours) * 3_600_000_000
        let opened = try ledger.record(
            [
                .access(
                    .sessionOpened(
                        SessionOpened(
                            operatorID: id, session: session, terminal: terminal,
                            tokenDigest: Array(SHA256.hash(data: token)), expiresAt: expires)))
            ], metadata: CommandMetadata(actor: id, correlationID: Identifier(string: session)))
        try ledger.ports.sessions.touchSession(session)
        return SessionCredentials(
            ledger: store.ledgerID.description, operatorID: id, session: session,
            token: Data(token).base64EncodedString(), opened: opened.events.first?.streamVersion)
    }

    /// Ends the session (recorded); a session already ended or unknown is an error.
    public func logout(_ credentials: SessionCredentials) throws {
        let record = try verified(credentials)
        try ledger.record(
            [
                .access(
                    .sessionClosed(SessionClosed(operatorID: record.id, session: credentials.session, reason: .logout)))
            ],
            metadata: CommandMetadata(actor: record.id, correlationID: Identifier(string: credentials.session)))
    }

    /// The operator whose open session these credentials are, or why not.
    func verified(_ credentials: SessionCredentials) throws -> OperatorRecord {
        guard credentials.ledger == store.ledgerID.description else {
            throw KokiError.session("セッションは別の台帳（\(credentials.ledger)）のものです：この台帳にログインしてください")
        }
        guard let record = try sessionRecord(credentials) else {
            throw KokiError.session("セッションの利用者 \(credentials.operatorID) は登録されていません")
        }
        guard let session = record.sessions[credentials.session],
            let token = Data(base64Encoded: credentials.token),
            Array(SHA256.hash(data: token)) == session.tokenDigest
        else {
            throw KokiError.session("この台帳が発行したセッションではありません：ログインし直してください")
        }
        if let closed = session.closed {
            throw KokiError.session("セッションは終了しています（\(closed.label)、\(closed.rawValue)）：ログインし直してください")
        }
        guard record.state == .active else {
            throw KokiError.session("利用者 \(record.id) は\(record.state.label)です（\(record.state)）")
        }
        let now = store.now
        guard now < session.expiresAt else {
            throw KokiError.session(
                "セッションの有効期限（\(StaffText.moment(microseconds: session.expiresAt.microseconds))）が過ぎました：ログインし直してください")
        }
        let settings = try settings()
        let lastSeen = try ledger.ports.sessions.sessionLastSeen(session.id) ?? session.openedAt
        guard now.microseconds - lastSeen.microseconds <= Int64(settings.idleMinutes) * 60_000_000 else {
            throw KokiError.session(
                "操作のないまま\(settings.idleMinutes)分を過ぎたため、セッションは終了しました：ログインし直してください")
        }
        return record
    }

    /// Checks the session and the role for one command; records and throws a refusal. With no
    /// function, only the session is checked (an operator changing their own password).
    public func authorize(
        _ credentials: SessionCredentials?, function: AccessFunction?, command: String, terminal: String
    ) throws -> AccessContext {
        do {
            guard try isSetUp() else {
                throw KokiError.session("この台帳にはまだ利用者がいません：`koki init` で管理者を設定してください")
            }
            guard let credentials else {
                throw KokiError.session("ログインしていません：先に `koki login 利用者ID` を実行してください")
            }
            let record = try verified(credentials)
            if let function, try !permissions().allows(record.roles, function) {
                throw Self.mayNot(record.id, record.roles, function, command)
            }
            try ledger.ports.sessions.touchSession(credentials.session)
            return AccessContext(
                operatorID: record.id, name: record.name, roles: record.roles, session: credentials.session,
                terminal: terminal, function: function, command: command)
        } catch let error as KokiError where error.code == .accessDenied {
            try refuse(
                AccessRefused(
                    operatorID: credentials?.operatorID ?? "", session: credentials?.session, terminal: terminal,
                    command: command, function: function, reason: error.message))
            throw error
        }
    }

    static func mayNot(_ id: String, _ roles: [Role], _ function: AccessFunction, _ command: String) -> KokiError {
        KokiError(
            .accessDenied,
            "利用者 \(id)（\(roles.isEmpty ? "役割なし" : roles.map(\.label).joined(separator: "・"))）には「\(function.label)」(\(function.rawValue)) の権限がありません（`koki \(command)`）"
        )
    }

    /// Records a refusal (where the ledger can record anything).
    public func refuse(_ refusal: AccessRefused) throws {
        guard !store.isReadOnly else { return }
        try ledger.record(
            [.access(.accessRefused(refusal))],
            metadata: CommandMetadata(actor: refusal.operatorID.isEmpty ? "(none)" : refusal.operatorID))
    }

    /// Refuses what `context`'s operator asked for, for `reason`: recorded, then thrown.
    public func refuse(_ context: AccessContext, reason: String) throws -> Never {
        try refuse(
            AccessRefused(
                operatorID: context.operatorID, session: context.session, terminal: context.terminal,
                command: context.command, function: context.function, reason: reason))
        throw KokiError(.accessDenied, reason)
    }

    /// Refuses a command that changes what the city records when a second-check rule covers it
    /// and it does not run as the change of the application being confirmed (`confirming`: the
    /// application's number and the command its change carries, which must be this one).
    /// `arguments` are the options it uses (a rule may name one: `refund pay --heir`).
    public func requireSecondCheck(
        _ context: AccessContext, arguments: [String], confirming application: (number: String, command: String)?
    ) throws {
        if let application {
            guard application.command == context.command else {
                try refuse(
                    context,
                    reason:
                        "application \(application.number) carries `\(application.command)`, not `\(context.command)`"
                )
            }
            return
        }
        guard try isSetUp(), let rule = try settings().secondCheckRule(command: context.command, arguments: arguments)
        else { return }
        try refuse(
            context,
            reason: "`\(rule)` changes what the city records: it takes effect when a second operator confirms the "
                + "application (入力者以外の者による確認). Receive it with `koki application receive --person N "
                + "--kind KIND … -- \(context.command) …`; another operator runs `koki application confirm NUMBER`")
    }

    /// Checks a further function for an operator already authorized (a command whose function
    /// depends on what it finds, as a reissue on the kind of document); records a refusal.
    public func check(_ context: AccessContext, _ function: AccessFunction) throws {
        guard try !permissions().allows(context.roles, function) else { return }
        let error = Self.mayNot(context.operatorID, context.roles, function, context.command)
        try refuse(
            AccessRefused(
                operatorID: context.operatorID, session: context.session, terminal: context.terminal,
                command: context.command, function: function, reason: error.message))
        throw error
    }

    /// Records that `context`'s operator is about to see these persons' data. Call it before
    /// showing anything; when it cannot be recorded (a read-only file), nothing may be shown.
    public func recordRead(_ context: AccessContext, persons: [PersonID], purpose: String?) throws {
        // The purpose is what an operator typed: plain text, checked before anything is shown.
        if let purpose { _ = try checkedText(purpose, field: "--purpose") }
        guard !persons.isEmpty else { return }
        guard !store.isReadOnly else {
            throw KokiError(
                .accessDenied,
                "personal data is shown only where the access can be recorded; this ledger is open read-only")
        }
        var seen = Set<PersonID>()
        let unique = persons.filter { seen.insert($0).inserted }
        try ledger.record(
            [
                .access(
                    .personalDataAccessed(
                        PersonalDataAccessed(
                            operatorID: context.operatorID, session: context.session, terminal: context.terminal,
                            command: context.command, purpose: purpose, persons: unique)))
            ], metadata: context.metadata())
    }
}
