import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import LedgerStore
import LedgerStores

/// The options every command shares: which ledger, which master key, which session.
public struct LedgerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The ledger file. Default: $KOKI_LEDGER, else ./koki.ledger.", valueName: "path"))
    public var ledger: String?

    @Option(
        name: .customLong("master-key"),
        help: ArgumentHelp(
            "The master key file (outside the ledger). Default: $KOKI_MASTER_KEY, else the ledger's path + .key.",
            valueName: "path"))
    public var masterKeyPath: String?

    @Option(
        name: .customLong("session"),
        help: ArgumentHelp(
            "The session file `koki login` wrote. Default: $KOKI_SESSION, else ~/.koki/sessions/LEDGER-ID.",
            valueName: "path"))
    public var sessionPath: String?

    public init() {}

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The ledger path after applying the environment and the default.
    public var ledgerPath: String {
        ledger ?? Self.environment["KOKI_LEDGER"] ?? "koki.ledger"
    }

    /// The master key file after applying the environment and the default.
    public var masterKeyFile: String {
        if let given = masterKeyPath ?? Self.environment["KOKI_MASTER_KEY"] { return given }
        // Beside a ledger file; for a PostgreSQL ledger there is no "beside": name it.
        return isPostgres ? "koki-postgres-master.key" : ledgerPath + ".key"
    }

    /// The session file for a ledger.
    func sessionFile(ledgerID: String) -> String {
        if let sessionPath { return sessionPath }
        if let env = Self.environment["KOKI_SESSION"], !env.isEmpty { return env }
        let home = Self.environment["HOME"] ?? NSHomeDirectory()
        return "\(home)/.koki/sessions/\(ledgerID)"
    }

    /// This terminal's name: $KOKI_TERMINAL, else the host name.
    static var terminal: String {
        if let t = environment["KOKI_TERMINAL"], !t.isEmpty { return t }
        return ProcessInfo.processInfo.hostName
    }

    /// The command line's arguments.
    static var arguments: [String] { Array(CommandLine.arguments.dropFirst()) }

    /// The command as typed, without its arguments' values: the leading words that name it
    /// (`pay record`), never a number or a name that could be personal data.
    static var commandName: String {
        var words: [String] = []
        for argument in arguments {
            guard argument.first.map({ ("a"..."z").contains($0) }) == true,
                argument.allSatisfy({ ("a"..."z").contains($0) || $0 == "-" }), words.count < 3
            else { break }
            words.append(argument)
        }
        return words.joined(separator: " ")
    }

    /// Whether the ledger is a PostgreSQL address rather than a file.
    var isPostgres: Bool { ledgerPath.hasPrefix("postgres://") || ledgerPath.hasPrefix("postgresql://") }

    /// The ledger: the SQLite file, or with a `postgres://` address the PostgreSQL store.
    private func open(_ mode: Ledger.AccessMode) throws -> LedgerPorts {
        try Self.store(at: ledgerPath, mode: mode)
    }

    /// A ledger file, or the PostgreSQL store at a `postgres://` address.
    static func store(at location: String, mode: Ledger.AccessMode) throws -> LedgerPorts {
        try LedgerLocation(location).open(mode: mode)
    }

    /// A ledger this command may write, or read: read-write when the file allows it (so the read
    /// models are caught up and the access recorded), read-only for a replay copy.
    enum Mode { case write, query }

    /// Runs a typed request through the application core: the core checks the session, the role
    /// and the second check, records a refusal, and only then reads files or the ledger.
    /// With `--server` the request goes to the server, whose core does the same.
    func run<R: KokiRequest>(_ request: R) throws -> R.Result {
        try run(R.self, preparing: {}) { request }.result
    }

    /// Runs a request the door builds once the operator is checked: `prepare` checks what the door
    /// will write (a path) and `make` builds the request from it. Here the core checks the operator
    /// first, then runs `prepare`; with `--server` the files are this machine's own, so `prepare`
    /// runs here before the request is sent, and the server's core checks the operator.
    func run<Prepared, R: KokiRequest>(
        _ type: R.Type, preparing prepare: () throws -> Prepared, _ make: (Prepared) throws -> R
    ) throws -> (prepared: Prepared, result: R.Result) {
        if let remote = RemoteClient.current {
            let prepared = try prepare()
            return (prepared, try remote.run(try make(prepared)))
        }
        let (application, caller) = try application(R.isQuery ? .query : .write)
        return try application.run(R.self, as: caller, preparing: prepare, make)
    }

    /// The application core on this command's ledger, and the caller as this door knows them
    /// (the session file or the request's bearer token, the terminal, today in Japan).
    func application(_ mode: Mode = .write) throws -> (KokiApplication, Caller) {
        try requireHere()
        let (ledger, accessLedger) = try openKeyed(mode)
        let control = AccessControl(accessLedger)
        let caller = Caller(
            credentials: try credentials(for: control), terminal: Self.terminal, source: nil,
            today: try todayInJapan())
        return (KokiApplication(ledger, accessLedger: accessLedger), caller)
    }

    /// The ledger with its master key proven, and the ledger accesses are recorded in: itself, or
    /// for a replay copy the ledger it came from (read under that ledger's sessions and key).
    private func openKeyed(_ mode: Mode) throws -> (ledger: KokiLedger, access: KokiLedger) {
        let store: LedgerPorts
        switch mode {
        case .write: store = try open(.readWrite)
        case .query: store = try openForQuery()
        }
        let origin = try store.events.replayOrigin()
        let source = origin?.source.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        var keyFile = masterKeyFile
        if masterKeyPath == nil, Self.environment["KOKI_MASTER_KEY"] == nil, let source,
            !FileManager.default.fileExists(atPath: keyFile)
        {
            keyFile = source + ".key"
        }
        let ledger = try Self.keyed(store, keyFile: keyFile, required: true)
        guard let source else { return (ledger, ledger) }
        let sourceLedger = KokiLedger(try Ledger.open(at: source, mode: .readWrite), masterKey: ledger.masterKey)
        try sourceLedger.useMasterKeyForChain()
        return (ledger, sourceLedger)
    }

    /// Opens the ledger for one command not yet a typed request, after checking the session and
    /// the role (see ``AccessControl``).
    func authorized(_ function: AccessFunction?, _ mode: Mode = .write) throws -> Authorized {
        try requireHere()
        let (ledger, accessLedger) = try openKeyed(mode)
        let control = AccessControl(accessLedger)
        let context = try control.authorize(
            try credentials(for: control, function: function), function: function,
            command: Self.commandName, terminal: Self.terminal)
        try control.requireSecondCheck(context, arguments: Self.arguments, confirming: nil)
        return Authorized(ledger: ledger, context: context, control: control)
    }

    /// Refuses to open a ledger here for a command sent to a server (`--server`): only typed
    /// requests travel, and a command that is none runs where the ledger is.
    private func requireHere() throws {
        if RemoteClient.current != nil {
            throw CLIFailure(
                .usage, "`\(Self.commandName)` runs where the ledger is, not through --server: run it on the server's host")
        }
    }

    /// The ledger for logging in or out: no session yet, so no role to check.
    /// The master key is used when its file is there, so that a ledger whose commands are sealed
    /// can record the login (without it, the append is refused and says so).
    func openForSession() throws -> KokiLedger {
        try requireHere()
        return try Self.keyed(try open(.readWrite), keyFile: masterKeyFile, required: false)
    }

    /// `store` with the master key from `keyFile` (see ``KokiLedger/keyed(_:keyFile:required:)``).
    static func keyed(_ store: LedgerPorts, keyFile: String, required: Bool) throws -> KokiLedger {
        try KokiLedger.keyed(store, keyFile: keyFile, required: required)
    }

    /// The session file's credentials, or `nil` when there is none; an unsafe session file is refused.
    func credentials(ledgerID: String) throws -> SessionCredentials? {
        let path = sessionFile(ledgerID: ledgerID)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        if let problem = Self.sessionFileProblem(path) { throw CLIFailure(.accessDenied, problem) }
        return try? JSONDecoder().decode(SessionCredentials.self, from: data)
    }

    /// The session file's credentials for this ledger; an unsafe session file is refused and the
    /// refusal recorded in the ledger (`audit/refused`), as a refused command is.
    func credentials(for control: AccessControl, function: AccessFunction? = nil) throws -> SessionCredentials? {
        do {
            return try credentials(ledgerID: control.ledger.store.ledgerID.description)
        } catch let failure as CLIFailure where failure.status == .accessDenied {
            try control.refuse(
                AccessRefused(
                    operatorID: "", session: nil, terminal: Self.terminal, command: Self.commandName,
                    function: function, reason: failure.message))
            throw failure
        }
    }

    /// Why a session file cannot be trusted, or `nil`: others can read or write it, it is someone
    /// else's, or it lies in a folder anyone can write (where anyone could put their own in its place).
    static func sessionFileProblem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        if info.st_mode & 0o077 != 0 {
            let what = info.st_mode & 0o022 != 0 ? "writable" : "readable"
            return "\(path) is \(what) by others (mode \(String(info.st_mode & 0o777, radix: 8))): a session file must be its owner's alone (chmod 600)"
        }
        if info.st_uid != getuid() {
            return "\(path) belongs to another user: a session file must be its owner's alone"
        }
        return sessionFolderProblem(path)
    }

    /// Why the folder of a session file cannot hold one, or `nil`.
    static func sessionFolderProblem(_ path: String) -> String? {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & 0o002 != 0 else { return nil }
        return "the session file \(path) is in \(folder), which anyone can write (mode \(String(info.st_mode & 0o7777, radix: 8))): "
            + "anyone could put their own session there; keep it in a folder only you can write (the default "
            + "~/.koki/sessions, or chmod o-w)"
    }

    /// For a query that reads the stored read models: read-write when it may, so they can be
    /// caught up (and kept) in the file; read-only for a replay copy or a file this user may not
    /// write, whose answers are folded instead.
    private func openForQuery() throws -> LedgerPorts {
        if isPostgres { return try open(.readWrite) }
        guard FileManager.default.isWritableFile(atPath: ledgerPath) else { return try open(.readOnly) }
        do {
            return try open(.readWrite)
        } catch let error as LedgerError where error.code == .readOnly {
            return try open(.readOnly)
        }
    }
}

/// A ledger opened for one command by an operator whose session and role were checked.
struct Authorized {
    let ledger: KokiLedger
    let context: AccessContext
    /// Where accesses are recorded: the ledger, or for a replay copy the ledger it came from.
    let control: AccessControl

    var store: any EventStore { ledger.store }
}

/// `--known-at POSITION|TIME`: answer as the ledger knew it then.
struct KnownAtOption: ParsableArguments {
    @Option(
        name: .customLong("known-at"),
        help: ArgumentHelp(
            "Answer as the ledger knew it at a position, or at a recorded time (ISO 8601, or a date = 00:00 JST).",
            valueName: "position|time"))
    var knownAt: String?

    func value() throws -> KnownAt? {
        guard let knownAt else { return nil }
        if let position = Int64(knownAt) {
            guard position >= 0 else { throw ValidationError("--known-at \(knownAt) is not a position") }
            return .position(position)
        }
        return .time(try EventsCommand.parseTime(knownAt, option: "--known-at"))
    }
}

/// After a batch run: says on standard error that the stored balances were not brought up to
/// date (the run's own work is committed; the next query catches them up).
func noteReadModels(_ problem: String?) {
    guard let problem else { return }
    Output.error("note: the stored balances were not brought up to date (\(problem)); the next query will")
}
