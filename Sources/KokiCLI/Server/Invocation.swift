import ArgumentParser
import Foundation
import KokiApp
import KokiServer
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

    init(_ call: CommandLineCall) {
        source = call.source
        outputDirectory = call.outputDirectory
        store = call.store
        arguments = call.arguments
        credentials = call.credentials
        terminal = call.terminal
        ledgerPath = call.ledgerPath
        masterKeyPath = call.masterKeyPath
        input = call.input.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        if input.last == "" { input.removeLast() }
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

extension Invocation {
    /// The command line's route of `koki serve` (`POST /v1/commands`): a call runs as `main`
    /// would run its arguments, with this invocation as the task's.
    static let route = CommandLineRoute(longestArgument: ArgumentScreen.longestArgument) { call in
        let invocation = Invocation(call)
        let (status, sessionRefused) = Invocation.$current.withValue(invocation) { () -> (Int32, Bool) in
            // The session before anything else: no argument is looked at, no file opened, for a
            // client who has none.
            if !needsNoSession(call.arguments), let refused = refuseWithoutSession() { return (refused, true) }
            return (execute(call.arguments), false)
        }
        let (stdout, stderr) = invocation.printed
        return CommandLineOutcome(
            status: status, stdout: stdout, stderr: stderr, issued: invocation.issued, sessionRefused: sessionRefused)
    }

    /// Whether a request runs without a session: `login`, and help or the version (which read nothing).
    static func needsNoSession(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        if ["login", "help", "--help", "-h", "--version"].contains(first) { return true }
        let beforeTerminator = arguments.prefix { $0 != "--" }
        guard beforeTerminator.contains(where: { ["--help", "-h", "--help-hidden"].contains($0) }) else { return false }
        // Help asked for after a command's name: only when it really is help (not `-h` as a value).
        do {
            _ = try KokiCommand.parseAsRoot(arguments)
            return false
        } catch {
            return KokiCommand.exitCode(for: error) == .success
        }
    }

    /// Checks the request's session as any command would (a refusal is recorded in `audit/refused`);
    /// the exit status of a refusal, or `nil` when the session is valid.
    static func refuseWithoutSession() -> Int32? {
        guard let invocation = Invocation.current else { return nil }
        do {
            let store = try invocation.store ?? LedgerOptions.store(at: invocation.ledgerPath, mode: .readWrite)
            // The refusal is recorded, and a sealed ledger's appends need the master key.
            let ledger = try LedgerOptions.keyed(store, keyFile: invocation.masterKeyPath, required: false)
            _ = try AccessControl(ledger).authorize(
                invocation.credentials, function: nil, command: LedgerOptions.commandName,
                terminal: LedgerOptions.terminal)
            return nil
        } catch {
            let failure = CLIFailure(error)
            Output.error("koki: error: \(failure.message)")
            return failure.status.rawValue
        }
    }

    /// Parses and runs a command as `main` would, returning its exit status.
    static func execute(_ arguments: [String]) -> Int32 {
        if let refusal = ArgumentScreen.refusal(arguments) {
            Output.error("koki: error: \(refusal)")
            return ExitStatus.invalidInput.rawValue
        }
        return KokiCommand.status(running: arguments)
    }
}

extension KokiCommand {
    /// Parses and runs `arguments` as `main` does, answering the exit status: help and the
    /// version on standard output, a usage error on standard error. `otherwise` may answer an
    /// error itself (a status), or leave it to the command line (`nil`).
    static func status(running arguments: [String], otherwise: (any Error) -> Int32? = { _ in nil }) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch {
            if let status = otherwise(error) { return status }
            let message = fullMessage(for: error)
            let code = exitCode(for: error).rawValue
            if !message.isEmpty {
                if code == 0 { Output.line(message) } else { Output.error(message) }
            }
            return code
        }
    }
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
