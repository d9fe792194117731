import Foundation
import Hummingbird
import KokiApp
import KokiDomain
import LedgerStore

/// One command line a client sent to `POST /v1/commands`, checked for its size and for options
/// that are the server's to choose, with the caller as the server knows them: what the door that
/// has the command line's grammar runs.
public struct CommandLineCall: @unchecked Sendable {
    // @unchecked: `store` is a connection lent to this call alone.
    public let arguments: [String]
    /// What the client sent as standard input.
    public let input: String?
    public let credentials: SessionCredentials?
    public let terminal: String
    /// The client's network address.
    public let source: String
    public let ledgerPath: String
    public let masterKeyPath: String
    /// The folder the server writes files into for its clients, if any.
    public let outputDirectory: String?
    /// A connection the server lends the call (PostgreSQL), in place of opening the ledger.
    public let store: LedgerPorts?
}

/// What a command line printed and how it ended.
public struct CommandLineOutcome: Sendable {
    public var status: Int32
    public var stdout: [String]
    public var stderr: [String]
    /// The session a `login` opened, to hand to the client.
    public var issued: SessionCredentials?
    /// Whether it was refused for want of a valid session (answered 401).
    public var sessionRefused: Bool

    public init(
        status: Int32, stdout: [String], stderr: [String], issued: SessionCredentials?, sessionRefused: Bool
    ) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.issued = issued
        self.sessionRefused = sessionRefused
    }
}

/// The door that runs a command line (the command line's own grammar), given to the server by
/// `koki serve`: the server knows no command line.
public struct CommandLineRoute: Sendable {
    /// The longest argument accepted.
    public var longestArgument: Int
    /// Runs one call on the calling thread.
    public var run: @Sendable (CommandLineCall) -> CommandLineOutcome

    public init(longestArgument: Int, run: @escaping @Sendable (CommandLineCall) -> CommandLineOutcome) {
        self.longestArgument = longestArgument
        self.run = run
    }
}

extension KokiServer {
    /// Options a request may not give: the server decides the ledger, key and session.
    static let serverOptions = ["--ledger", "--master-key", "--session"]

    /// A request's arguments (how many) and input at most.
    static let maxArguments = 1_000
    static let maxInputBytes = 64 << 10

    struct CommandRequest: Decodable {
        var arguments: [String]
        var input: String?
    }

    /// Runs one request's command line and answers with what it printed and its exit status.
    func run(_ route: CommandLineRoute, body: Data, headers: HTTPFields, source: String = "unknown") async
        -> Response
    {
        let request: CommandRequest
        do {
            request = try JSONDecoder().decode(CommandRequest.self, from: body)
        } catch let DecodingError.keyNotFound(key, _) {
            return Self.problem(
                .badRequest, title: "Bad request", detail: "the request has no \(key.stringValue)",
                pointer: "/\(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context) {
            let pointer =
                "/"
                + context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(
                    separator: "/")
            return Self.problem(
                .badRequest, title: "Bad request", detail: "\(pointer) has the wrong type", pointer: pointer)
        } catch {
            return Self.problem(.badRequest, title: "Bad request", detail: "the body is not a JSON command request")
        }
        if let refusal = Self.refusal(of: request, longestArgument: route.longestArgument) { return refusal }
        let asked: (credentials: SessionCredentials?, terminal: String)
        do { asked = try Self.caller(headers).get() } catch { return error.response }
        let lent = lend()
        defer { if let lent { pool.give(lent) } }
        let call = CommandLineCall(
            arguments: request.arguments, input: request.input, credentials: asked.credentials,
            terminal: asked.terminal, source: source, ledgerPath: ledgerPath, masterKeyPath: masterKeyPath,
            outputDirectory: outputDirectory, store: lent)
        let outcome = await Self.onPool { route.run(call) }
        var fields: [(String, String)] = [
            ("exitStatus", String(outcome.status)),
            ("stdout", "[" + outcome.stdout.map(JSONLine.string).joined(separator: ",") + "]"),
            ("stderr", "[" + outcome.stderr.map(JSONLine.string).joined(separator: ",") + "]"),
        ]
        if let issued = outcome.issued { fields.append(("session", JSONLine.string(Self.token(issued)))) }
        guard outcome.status != 0 else { return Self.json(.ok, JSONLine.object(fields)) }
        var (http, title) = Self.httpStatus(outcome.status)
        if outcome.sessionRefused, outcome.status == ExitStatus.accessDenied.rawValue {
            (http, title) = (.unauthorized, "Unauthorized")
        }
        let detail = Self.errorLine(outcome.stderr) ?? title
        return Self.problem(http, title: title, detail: detail, extra: fields)
    }

    /// The message of the error line a command printed (without its `koki: error: ` or `Error: `),
    /// else its first line.
    static func errorLine(_ stderr: [String]) -> String? {
        for line in stderr {
            if line.hasPrefix("koki: error: ") { return String(line.dropFirst(13)) }
            if line.hasPrefix("Error: ") { return String(line.dropFirst(7)) }
        }
        return stderr.first
    }

    /// The problem with a command request's shape, or `nil`: nothing named, too much of it, a
    /// command of the host, or an option that is the server's.
    static func refusal(of request: CommandRequest, longestArgument: Int) -> Response? {
        guard let first = request.arguments.first else {
            return problem(
                .badRequest, title: "Bad request", detail: "arguments is empty: name a command", pointer: "/arguments")
        }
        if request.arguments.count > maxArguments {
            return problem(
                .badRequest, title: "Bad request", detail: "at most \(maxArguments) arguments", pointer: "/arguments")
        }
        if let index = request.arguments.firstIndex(where: { $0.utf8.count > longestArgument }) {
            return problem(
                .badRequest, title: "Bad request",
                detail: "argument \(index) is \(request.arguments[index].utf8.count) bytes; at most \(longestArgument)",
                pointer: "/arguments/\(index)")
        }
        if let input = request.input, input.utf8.count > maxInputBytes {
            return problem(
                .badRequest, title: "Bad request", detail: "input is at most \(maxInputBytes) bytes", pointer: "/input")
        }
        if runsOnHost(request.arguments) {
            return problem(
                .badRequest, title: "Not over HTTP", detail: "`koki \(first)` runs on the server's host, not over HTTP",
                pointer: "/arguments/0")
        }
        let beforeTerminator = request.arguments.prefix { $0 != "--" }
        if let index = beforeTerminator.firstIndex(where: { arg in
            serverOptions.contains { arg == $0 || arg.hasPrefix($0 + "=") }
        }) {
            return problem(
                .badRequest, title: "Bad request",
                detail: "\(request.arguments[index]) is the server's to choose, not a request's",
                pointer: "/arguments/\(index)")
        }
        return nil
    }
}
