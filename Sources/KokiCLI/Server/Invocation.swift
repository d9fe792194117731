import Foundation
import KokiApp
import LedgerStore

/// One command run for a request to `koki serve`, in place of a process: its arguments, the
/// operator's session from the request's bearer token, the client's terminal, what the client
/// sent as standard input, and what the command prints. While it runs (a task-local value),
/// commands read their credentials, terminal, input and command name from it and write their
/// output into it, so a command behaves as it does in a process — authorized, recorded and
/// refused the same way.
final class Invocation: @unchecked Sendable {
    @TaskLocal static var current: Invocation?

    let arguments: [String]
    let credentials: SessionCredentials?
    let terminal: String
    /// Where the request came from (the client's network address): failed logins are counted per
    /// operator and source, so guessing from one place cannot lock staff out everywhere.
    let source: String
    /// The folder the server writes files into for its clients (`koki serve --output-dir`), if any.
    let outputDirectory: String?
    /// The server's ledger and master key: a request never chooses them.
    let ledgerPath: String
    let masterKeyPath: String
    /// A connection the server lends the request (PostgreSQL), in place of opening the ledger.
    let store: LedgerPorts?
    private let lock = NSLock()
    private var input: [String]
    private var out: [String] = []
    private var err: [String] = []
    private var newSession: SessionCredentials?
    private var checked = false

    init(
        arguments: [String], credentials: SessionCredentials?, terminal: String, source: String? = nil, input: String?,
        ledgerPath: String, masterKeyPath: String, outputDirectory: String? = nil, store: LedgerPorts? = nil
    ) {
        self.source = source ?? terminal
        self.outputDirectory = outputDirectory
        self.store = store
        self.arguments = arguments
        self.credentials = credentials
        self.terminal = terminal
        self.ledgerPath = ledgerPath
        self.masterKeyPath = masterKeyPath
        self.input = input.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        if self.input.last == "" { self.input.removeLast() }
    }

    func write(_ line: String, error: Bool) {
        lock.withLock { error ? err.append(line) : out.append(line) }
    }

    func readLine() -> String? {
        lock.withLock { input.isEmpty ? nil : input.removeFirst() }
    }

    /// The session a `login` opened, to hand to the client.
    var issued: SessionCredentials? {
        get { lock.withLock { newSession } }
        set { lock.withLock { newSession = newValue } }
    }

    /// Whether the command checked its operator's role (``LedgerOptions/authorized(_:_:)``): only
    /// then may it read a file of the server's host.
    var authorized: Bool {
        get { lock.withLock { checked } }
        set { lock.withLock { checked = newValue } }
    }

    var printed: (stdout: [String], stderr: [String]) { lock.withLock { (out, err) } }
}

/// One line of standard input: the request's when serving one, else the process's.
func inputLine() -> String? {
    if let invocation = Invocation.current { return invocation.readLine() }
    return readLine(strippingNewline: true)
}

/// Refuses to read a file of the server's host for a request whose command has not checked its
/// operator's role yet: what exists on the server's disk is told to nobody who may not run the command.
/// (On the command line every command authorizes before it reads its files, too.)
func requireAuthorizedBeforeReading(_ path: String) throws {
    guard let invocation = Invocation.current, !invocation.authorized else { return }
    throw CLIFailure(
        .accessDenied,
        "over HTTP a file of the server's host is read only by a command that checked its operator's role first; "
            + "this command reads \(path.count > 200 ? String(path.prefix(200)) + "…" : path) before that (or checks none): run it locally")
}
