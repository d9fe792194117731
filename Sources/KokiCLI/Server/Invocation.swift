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
    /// The server's ledger and master key: a request never chooses them.
    let ledgerPath: String
    let masterKeyPath: String
    /// A connection the server lends the request (PostgreSQL), in place of opening the ledger.
    let store: (any EventStore)?
    private let lock = NSLock()
    private var input: [String]
    private var out: [String] = []
    private var err: [String] = []
    private var newSession: SessionCredentials?

    init(
        arguments: [String], credentials: SessionCredentials?, terminal: String, input: String?, ledgerPath: String,
        masterKeyPath: String, store: (any EventStore)? = nil
    ) {
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

    var printed: (stdout: [String], stderr: [String]) { lock.withLock { (out, err) } }
}

/// One line of standard input: the request's when serving one, else the process's.
func inputLine() -> String? {
    if let invocation = Invocation.current { return invocation.readLine() }
    return readLine(strippingNewline: true)
}
