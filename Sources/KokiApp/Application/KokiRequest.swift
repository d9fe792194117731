import Foundation
import KokiDomain
import KokiEvents
import LedgerStore

/// Who asks, as a door knows them before anything is checked: the session they present, the
/// terminal (or client) they ask from, where the request came from, and today's date in Japan as
/// the door's clock tells it. A door builds one per request; only ``KokiApplication`` turns it into
/// an ``AccessContext``, after checking the session and the role.
public struct Caller: Sendable {
    public var credentials: SessionCredentials?
    public var terminal: String
    /// The client's address over HTTP, else the terminal.
    public var source: String
    /// Today in Japan: the default date of a decision, and the last day one may be dated.
    public var today: CivilDate
    /// The door's id for this action (a form's), when it has one: the commands the request appends
    /// take their ids from it, so the same action sent twice (a double click, a resent form)
    /// records once. `nil`: every command a new id.
    public var action: Identifier?

    public init(
        credentials: SessionCredentials?, terminal: String, source: String? = nil, today: CivilDate,
        action: Identifier? = nil
    ) {
        self.credentials = credentials
        self.terminal = terminal
        self.source = source ?? terminal
        self.today = today
        self.action = action
    }
}

/// The command ids of one action: the first command's, the second's … each derived from the
/// action's id and its place, so an action run again asks for the same ids in the same order.
final class ActionCommandIDs: Hashable, @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let action: Identifier
    private var count: UInt32 = 0
    private let lock = NSLock()

    init(_ action: Identifier) { self.action = action }

    // One action's ids are the same ids wherever the context is copied.
    static func == (a: ActionCommandIDs, b: ActionCommandIDs) -> Bool { a === b }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    func next() -> Identifier {
        let n = lock.withLock {
            defer { count += 1 }
            return count
        }
        return Identifier(derivedFrom: Array(action.description.utf8) + withUnsafeBytes(of: n.bigEndian, Array.init))
    }
}

/// One thing koki does, as a value: a command that records, or a query that reads. Its handler
/// runs only inside ``KokiApplication/run(_:as:)``, which checks the caller's session and role and
/// the second-check rules first, records a refusal, and hands the handler a ``RequestScope`` —
/// the only way a handler reaches the ledger or a file.
///
/// A request is Codable and versioned as events are: a stored application (the second check)
/// holds it as a ``StoredRequest``, and the server decodes it from a request body. Its `name` is
/// the command's words (`pay record`): what the audit records, the permission refusals name and
/// the second-check rules match.
public protocol KokiRequest: Codable, Sendable {
    /// What it answers: printed by the command line, sent as JSON by the server.
    associatedtype Result: Codable & Sendable
    /// The command's words, stable across versions (`pay record`).
    static var name: String { get }
    /// The version of this value's layout; a change of layout is a new version.
    static var version: Int { get }
    /// The function the operator's role must be granted; `nil` checks only the session (what
    /// every operator may do to themselves).
    static var function: AccessFunction? { get }
    /// Whether it only reads: it may run on a ledger open read-only (a replay copy).
    static var isQuery: Bool { get }
    /// The options it uses that a second-check rule may name (`refund pay --heir` → `["--heir"]`).
    var secondCheckOptions: [String] { get }
    /// Does the work: reads files and the ledger, records events, through `scope` only.
    func handle(_ scope: RequestScope) throws -> Result
}

extension KokiRequest {
    public static var version: Int { 1 }
    public static var isQuery: Bool { false }
    public var secondCheckOptions: [String] { [] }
}

/// Where the application reads the files a request names (imports, settings, fixtures). A port,
/// so that a test can see that a refused request read nothing.
public protocol FileSource: Sendable {
    func contents(of path: String) throws -> Data
}

/// The files of this machine.
public struct LocalFiles: FileSource {
    public init() {}

    public func contents(of path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw KokiError(.invalidInput, exists ? "\(path) cannot be read" : "no file \(path)")
        }
        return data
    }
}

/// What a handler may use: the checked context (who, in which session, from where, today), the
/// ledger, the files, and the read record. Made only by ``KokiApplication``.
public struct RequestScope: Sendable {
    public let context: AccessContext
    /// Today in Japan, from the caller's door.
    public let today: CivilDate
    let ledger: KokiLedger
    let control: AccessControl
    let files: any FileSource
    /// Where the reads of a request made of others are gathered, to be recorded once.
    var gathered: ReadsGathered? = nil

    /// Metadata for one new command by this operator in this session (its id from the door's
    /// action when there is one).
    public func metadata() -> CommandMetadata { context.metadata() }

    /// Records that these persons' data is about to be shown (before showing it).
    public func recordRead(_ persons: [PersonID], purpose: String? = nil) throws {
        if let gathered {
            gathered.add(persons)
            return
        }
        try control.recordRead(context, persons: persons, purpose: purpose)
    }

    /// Whether the operator's roles grant `function` — asked, not refused: for a page whose
    /// sections each need their own function (the sections the role may not see are left out).
    public func allows(_ function: AccessFunction) throws -> Bool {
        try control.permissions().allows(context.roles, function)
    }

    /// Runs `body` with the reads its parts record gathered, then records them as one read with
    /// `purpose` — before anything is shown, since `body` only collects what the caller will show.
    func gatheringReads<T>(purpose: String?, _ body: (RequestScope) throws -> T) throws -> T {
        var inner = self
        let reads = ReadsGathered()
        inner.gathered = reads
        let result = try body(inner)
        try recordRead(reads.persons, purpose: purpose)
        return result
    }

    /// Checks a further function (one that depends on what the request finds); records a refusal.
    public func check(_ function: AccessFunction) throws { try control.check(context, function) }

    /// A file the request names, read only now that its operator was checked.
    public func read(_ path: String) throws -> Data { try files.contents(of: path) }

    /// A JSON file the request names, read only now, decoded with amounts bounded (the refusal
    /// names the file and the place in it).
    public func readJSON<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        try decodeJSON(type, from: try read(path), source: path)
    }
}

/// The persons a request made of others read, in order, each once.
final class ReadsGathered: @unchecked Sendable {
    // Used by one request on one thread; a class so the scope's copies share it.
    private(set) var persons: [PersonID] = []
    private var seen = Set<PersonID>()

    func add(_ more: [PersonID]) {
        for person in more where seen.insert(person).inserted { persons.append(person) }
    }
}

/// The application core: every door (the command line, the server, a confirmed application)
/// runs koki's work as typed requests through here, so authorization, the refusal record, the
/// second check and the read record happen before any file or event is touched.
public struct KokiApplication: Sendable {
    let ledger: KokiLedger
    /// Where accesses are recorded: the ledger, or for a replay copy the ledger it came from.
    let control: AccessControl
    let files: any FileSource

    /// The application on `ledger`, recording accesses in `accessLedger` (default: the same).
    public init(_ ledger: KokiLedger, accessLedger: KokiLedger? = nil, files: any FileSource = LocalFiles()) {
        self.ledger = ledger
        control = AccessControl(accessLedger ?? ledger)
        self.files = files
    }

    /// Runs `request` for `caller`: the session and the role are checked (a refusal is recorded
    /// and thrown, and nothing else happens), then the second-check rules (a change they cover
    /// runs only from a confirmed application), then the handler.
    public func run<R: KokiRequest>(_ request: R, as caller: Caller) throws -> R.Result {
        try checked(R.self, as: caller, confirming: nil, preparing: {}) { request }.result
    }

    /// The one path to a handler: the operator checked (a refusal recorded), then the door's
    /// preparation and the request it builds, the second-check rules (or, confirming an
    /// application, that this is its change), and the handler — on the ledger that records the
    /// confirmation with the change when there is one.
    func checked<Prepared, R: KokiRequest>(
        _ type: R.Type, as caller: Caller, confirming confirmation: ApplicationScope?,
        preparing prepare: () throws -> Prepared, _ make: (Prepared) throws -> R
    ) throws -> (prepared: Prepared, result: R.Result) {
        var context = try control.authorize(
            caller.credentials, function: R.function, command: R.name, terminal: caller.terminal)
        context.action = caller.action.map(ActionCommandIDs.init)
        let prepared = try prepare()
        let request = try make(prepared)
        try control.requireSecondCheck(
            context, arguments: request.secondCheckOptions,
            confirming: confirmation.map { ($0.confirmation.number, $0.command) })
        let ledger = confirmation.map { self.ledger.confirming($0) } ?? self.ledger
        return (prepared, try request.handle(scope(context, today: caller.today, ledger: ledger)))
    }

    /// Checks `caller` for `function` under the name `command`, for a door's own work that is not
    /// yet a typed request (it still opens the ledger through here, with the context checked).
    public func authorize(_ function: AccessFunction?, command: String, as caller: Caller) throws -> RequestScope {
        let context = try control.authorize(
            caller.credentials, function: function, command: command, terminal: caller.terminal)
        return scope(context, today: caller.today)
    }

    func scope(_ context: AccessContext, today: CivilDate, ledger: KokiLedger? = nil) -> RequestScope {
        RequestScope(context: context, today: today, ledger: ledger ?? self.ledger, control: control, files: files)
    }
}

// MARK: - The second check

extension KokiApplication {
    /// Confirms application `number` as `caller` (a second operator, not the one who entered it):
    /// the request it carries runs through the same handler as at any door, under the confirming
    /// operator's session and roles, and its first append records the confirmation too — one
    /// command, all or nothing. A change kept by an older koki as a command line is upcast once by
    /// `upcast` (the door's grammar).
    public func confirm(
        _ number: String, on date: CivilDate?, as caller: Caller,
        upcast: ([String]) throws -> any KokiRequest
    ) throws -> ConfirmedChange {
        let scope = try authorize(.counterWrite, command: "application confirm", as: caller)
        let counter = Counter(ledger)
        let confirmation = try counter.confirmation(
            number, on: date ?? caller.today, by: scope.context, control: control)
        let request: any KokiRequest
        switch confirmation.change {
        case .request(let stored): request = try stored.decoded()
        case .arguments(let arguments):
            request = try upcast(arguments)
            guard (request as? any PersonRequest)?.person == confirmation.confirmation.person else {
                throw KokiError(
                    .invalidInput,
                    "application \(number)'s change does not name person \(confirmation.confirmation.person)")
            }
        }
        let result = try runConfirmed(request, confirmation, as: caller)
        try counter.finish(confirmation, metadata: scope.metadata())
        return ConfirmedChange(
            command: confirmation.command, operatorID: scope.context.operatorID, request: request, result: result)
    }

    private func runConfirmed<R: KokiRequest>(
        _ request: R, _ confirmation: ApplicationScope, as caller: Caller
    ) throws -> any Codable & Sendable {
        try checked(R.self, as: caller, confirming: confirmation, preparing: {}) { request }.result
    }
}

/// A confirmed application's change: its command, who confirmed it, the request and what it did.
/// As JSON (the server's answer) the request is kept as a ``StoredRequest`` and its result as that
/// request's own result, so a client decodes both back into their types.
public struct ConfirmedChange: Sendable, Codable {
    public var command: String
    public var operatorID: String
    public var request: any KokiRequest
    public var result: any Codable & Sendable

    public init(command: String, operatorID: String, request: any KokiRequest, result: any Codable & Sendable) {
        (self.command, self.operatorID, self.request, self.result) = (command, operatorID, request, result)
    }

    private enum CodingKeys: String, CodingKey { case command, operatorID = "operator", request, result }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(command, forKey: .command)
        try c.encode(operatorID, forKey: .operatorID)
        try c.encode(try StoredRequest(request), forKey: .request)
        try c.encode(result, forKey: .result)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.decode(String.self, forKey: .command)
        operatorID = try c.decode(String.self, forKey: .operatorID)
        request = try c.decode(StoredRequest.self, forKey: .request).decoded()
        func result<R: KokiRequest>(of _: R) throws -> any Codable & Sendable {
            try c.decode(R.Result.self, forKey: .result)
        }
        self.result = try result(of: request)
    }
}

/// `application confirm NUMBER`: a pending application confirmed by a second operator — not a
/// ``KokiRequest`` of its own, since it runs the request the application carries (see
/// ``KokiApplication/confirm(_:on:as:upcast:)``); the body a door decodes and sends.
public struct ConfirmApplication: Codable, Sendable {
    public static let name = "application confirm"
    /// The version of this body's layout (and of its answer's).
    public static let version = 1
    public var number: String
    /// The day of the check (default: the caller's today).
    public var on: CivilDate?

    public init(number: String, on: CivilDate?) { (self.number, self.on) = (number, on) }
}

extension RequestScope {
    /// The day of a decision as typed: not after today (``InputLimits/decision(_:today:field:)``)
    /// and a day the office is open — a closed one is refused naming the next open day.
    func openDecisionDay(_ date: CivilDate, for what: String, field: String = "--on") throws -> CivilDate {
        let day = try InputLimits.decision(date, today: today, field: field)
        try ledger.businessCalendar(around: day).requireOpen(day, for: what)
        return day
    }

    /// A deadline koki records (a last day, a date to pay by): within the days koki calculates
    /// for, and a day the office is open.
    func openDeadline(_ date: CivilDate, for what: String, field: String) throws -> CivilDate {
        let day = try InputLimits.calculated(date, field: field)
        try ledger.businessCalendar(around: day).requireOpen(day, for: what)
        return day
    }
}
