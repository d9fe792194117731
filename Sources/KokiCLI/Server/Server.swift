import ArgumentParser
import Foundation
import Hummingbird
import KokiApp
import KokiDomain
import LedgerStore

/// `koki serve`: the ledger's commands and queries over HTTP, for the offices that share it.
///
/// A request runs one `koki` command in the server's process exactly as the command line runs
/// it — the same parsing, authorization, recording of access, refusals and output — with the
/// operator's session as its bearer token, so the API is the CLI and the CLI (`--server URL`)
/// is a client of it. Commands run on a thread pool, several at once; SQLite serializes their
/// appends as it does between processes.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the ledger's commands over HTTP (JSON), for many offices at once.",
        discussion: """
            POST /v1/commands runs a koki command ({"arguments": ["person", "show", "1001"]}) with the session \
            in `Authorization: Bearer TOKEN` (from `koki --server URL login OPERATOR`), recorded like a command \
            typed at a terminal (the terminal is the X-Koki-Terminal header, else "http"). A \
            failure is a problem description (RFC 9457, application/problem+json) with the command's exit status; \
            nothing is appended. GET /health, GET /ready (the ledger opens and has a head), GET /openapi.yaml \
            (the API). SIGTERM or SIGINT stop accepting requests and finish those in flight.

            POST /v1/requests/WORDS… (/v1/requests/pay/record; the paths are listed in /openapi.yaml) runs one \
            typed request of the application core: the body is the request's JSON, the answer its result. The \
            session is checked before the body is decoded (401), the role before anything is read (403).

            Every command but `login` (and help) needs a valid session before anything else about it is \
            looked at: without one the answer is 401, recorded in audit/refused, whatever the arguments name. A \
            command reads a file of the server's host (--file, an import) only after its operator's role was \
            checked (403 otherwise); `calc` checks none, so over HTTP it reads no file.

            Files a command writes for a client (certificate --html, notices reissue --html, notices … --out, \
            transfer --out, debit request --out, replay --into) go only under --output-dir DIR: the path is taken \
            relative to DIR, may not climb out of it (..), is never followed through a symbolic link and never \
            replaces an existing file. Without --output-dir such commands are refused (422). The ledger, its \
            WAL and its key are never written, here or on the command line.

            Limits: a request body of at most 1 MiB (413 above), at most 1,000 arguments of at most 4,096 \
            bytes each and an input of at most 64 KiB (400). Failed logins are counted per operator and client \
            address (see `koki login --help`).
            """)

    @OptionGroup var options: LedgerOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port (0: any free port, printed).") var port = 8080
    @Option(
        help: ArgumentHelp(
            "The only folder files written for clients go in (default: none, so commands that write files are refused).",
            valueName: "dir"))
    var outputDir: String?

    func validate() throws {
        guard let outputDir else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outputDir, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw ValidationError("--output-dir \(outputDir) is not a directory") }
    }

    func run() throws {
        try reporting {
            // The ledger must open now, not at the first request.
            let store = try LedgerOptions.store(at: options.ledgerPath, mode: .readOnly)
            _ = try store.events.head()
            let server = KokiServer(
                ledgerPath: options.ledgerPath, masterKeyPath: options.masterKeyFile, label: store.events.location,
                outputDirectory: outputDir.map(OutputFiles.canonical))
            if let directory = server.outputDirectory {
                try OutputFiles.refuseLedgerFile(directory, option: "--output-dir", options: options)
            }
            let done = DispatchSemaphore(value: 0)
            let failure = Mutexed<(any Error)?>(nil)
            let (host, port) = (host, port)
            Task {
                do {
                    try await server.application(host: host, port: port).runService()
                } catch {
                    failure.set(error)
                }
                done.signal()
            }
            done.wait()
            if let error = failure.value { throw CLIFailure(.failure, "the server stopped: \(error)") }
            Output.error("koki serve: stopped")
        }
    }
}

/// A value shared between threads.
final class Mutexed<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

struct KokiServer: Sendable {
    let ledgerPath: String
    let masterKeyPath: String
    /// The ledger for messages (a PostgreSQL address without its password).
    let label: String
    /// The folder files written for clients go in (its real path), or `nil`: no command writes one.
    var outputDirectory: String? = nil
    /// Open PostgreSQL connections lent to requests one at a time; a SQLite file is opened per
    /// request instead (its connection serializes everything it does).
    let pool = StorePool()

    /// Commands that set a server up or run beside it, never over HTTP.
    static let hostOnly: Set<String> = ["init", "serve", "simulate", "demo", "migrate", "testing"]
    /// Whether a command line runs only on the server's host (`testing sleep` excepted: the
    /// graceful-shutdown test's slow command).
    static func runsOnHost(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        return hostOnly.contains(first) && arguments.prefix(2) != ["testing", "sleep"]
    }

    /// Options a request may not give: the server decides the ledger, key and session.
    static let serverOptions = ["--ledger", "--master-key", "--session"]

    static let queue = DispatchQueue(label: "koki.serve.commands", attributes: .concurrent)

    /// A request's size: its body, its arguments (how many, how long each), its input.
    static let maxBody = 1 << 20
    static let maxArguments = 1_000
    static let maxArgumentBytes = ArgumentScreen.longestArgument
    static let maxInputBytes = 64 << 10

    func application(host: String, port: Int) -> some ApplicationProtocol {
        let router = Router(context: ClientRequestContext.self)
        router.get("/health") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        router.get("/ready") { _, _ -> Response in
            do {
                let head = try LedgerOptions.store(at: ledgerPath, mode: .readOnly).events.head()
                return Self.json(.ok, #"{"ready":true,"head":\#(head.position)}"#)
            } catch {
                return Self.problem(.serviceUnavailable, title: "Not ready", detail: "\(error)")
            }
        }
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
        router.post("/v1/commands") { request, context -> Response in
            guard let body = await Self.body(of: request) else { return Self.tooLarge }
            return await run(body: body, headers: request.headers, source: context.source)
        }
        router.post("/v1/requests/**") { request, context -> Response in
            guard let body = await Self.body(of: request) else { return Self.tooLarge }
            return await runTyped(path: request.uri.path, body: body, headers: request.headers, source: context.source)
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "koki"),
            onServerRunning: { channel in
                Output.error(
                    "koki serve: listening on http://\(host):\(channel.localAddress?.port ?? port) for \(label)")
            })
        return app
    }

    /// A request's body, or `nil` when it is larger than ``maxBody``.
    static func body(of request: Request) async -> Data? {
        guard let body = try? await request.body.collect(upTo: maxBody) else { return nil }
        return Data(buffer: body)
    }

    static var tooLarge: Response {
        problem(.contentTooLarge, title: "Too large", detail: "a request body is at most \(maxBody) bytes: nothing was run")
    }

    struct CommandRequest: Decodable {
        var arguments: [String]
        var input: String?
    }

    /// Runs one request's command and answers with what it printed and its exit status.
    func run(body: Data, headers: HTTPFields, source: String = "unknown") async -> Response {
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
        guard let first = request.arguments.first else {
            return Self.problem(
                .badRequest, title: "Bad request", detail: "arguments is empty: name a command", pointer: "/arguments")
        }
        if request.arguments.count > Self.maxArguments {
            return Self.problem(
                .badRequest, title: "Bad request", detail: "at most \(Self.maxArguments) arguments",
                pointer: "/arguments")
        }
        if let index = request.arguments.firstIndex(where: { $0.utf8.count > Self.maxArgumentBytes }) {
            return Self.problem(
                .badRequest, title: "Bad request",
                detail: "argument \(index) is \(request.arguments[index].utf8.count) bytes; at most \(Self.maxArgumentBytes)",
                pointer: "/arguments/\(index)")
        }
        if let input = request.input, input.utf8.count > Self.maxInputBytes {
            return Self.problem(
                .badRequest, title: "Bad request", detail: "input is at most \(Self.maxInputBytes) bytes",
                pointer: "/input")
        }
        if Self.runsOnHost(request.arguments) {
            return Self.problem(
                .badRequest, title: "Not over HTTP", detail: "`koki \(first)` runs on the server's host, not over HTTP",
                pointer: "/arguments/0")
        }
        let beforeTerminator = request.arguments.prefix { $0 != "--" }
        if let index = beforeTerminator.firstIndex(where: { arg in
            Self.serverOptions.contains { arg == $0 || arg.hasPrefix($0 + "=") }
        }) {
            return Self.problem(
                .badRequest, title: "Bad request",
                detail: "\(request.arguments[index]) is the server's to choose, not a request's",
                pointer: "/arguments/\(index)")
        }
        let asked: (credentials: SessionCredentials?, terminal: String)
        do { asked = try Self.caller(headers).get() } catch { return error.response }
        let (credentials, terminal) = asked
        let lent = lend()
        defer { if let lent { pool.give(lent) } }
        let invocation = Invocation(
            arguments: request.arguments, credentials: credentials, terminal: terminal, source: source,
            input: request.input, ledgerPath: ledgerPath, masterKeyPath: masterKeyPath,
            outputDirectory: outputDirectory, store: lent)
        let (status, sessionRefused): (Int32, Bool) = await withCheckedContinuation { continuation in
            Self.queue.async {
                continuation.resume(
                    returning: Invocation.$current.withValue(invocation) { () -> (Int32, Bool) in
                        // The session before anything else: no argument is looked at, no file opened,
                        // for a client who has none.
                        if !Self.needsNoSession(request.arguments), let refused = Self.refuseWithoutSession() {
                            return (refused, true)
                        }
                        return (Self.execute(request.arguments), false)
                    })
            }
        }
        let (stdout, stderr) = invocation.printed
        var fields: [(String, String)] = [
            ("exitStatus", String(status)), ("stdout", "[" + stdout.map(JSON.string).joined(separator: ",") + "]"),
            ("stderr", "[" + stderr.map(JSON.string).joined(separator: ",") + "]"),
        ]
        if let issued = invocation.issued { fields.append(("session", JSON.string(Self.token(issued)))) }
        guard status != 0 else { return Self.json(.ok, JSON.object(fields)) }
        var (http, title) = Self.httpStatus(status)
        if sessionRefused, status == ExitStatus.accessDenied.rawValue { (http, title) = (.unauthorized, "Unauthorized") }
        let detail =
            stderr.first { $0.hasPrefix("koki: error: ") || $0.hasPrefix("Error: ") }
            .map { $0.hasPrefix("koki: error: ") ? String($0.dropFirst(13)) : String($0.dropFirst(7)) }
            ?? stderr.first ?? title
        return Self.problem(http, title: title, detail: detail, extra: fields)
    }

    /// A request refused before anything runs.
    struct Refusal: Error { let response: Response }

    /// The session the bearer token carries (if any) and the client's terminal, or the problem.
    static func caller(_ headers: HTTPFields) -> Result<(SessionCredentials?, String), Refusal> {
        var credentials: SessionCredentials?
        if let authorization = headers[.authorization] {
            guard authorization.hasPrefix("Bearer "), let decoded = Self.credentials(String(authorization.dropFirst(7)))
            else {
                return .failure(
                    Refusal(
                        response: problem(
                            .unauthorized, title: "Unauthorized", detail: "the bearer token is not a koki session")))
            }
            credentials = decoded
        }
        let terminal = headers.first { $0.name.canonicalName == "x-koki-terminal" }?.value ?? "http"
        // The terminal is recorded with every access: a name, not a screenful or control characters.
        guard (1...64).contains(terminal.utf8.count), InputLimits.controlCharacter(in: terminal) == nil else {
            return .failure(
                Refusal(
                    response: problem(
                        .badRequest, title: "Bad request",
                        detail: "X-Koki-Terminal must be 1–64 bytes without control characters")))
        }
        return .success((credentials, terminal))
    }

    /// A PostgreSQL connection lent to one request (give it back to the pool); `nil` for a file.
    func lend() -> LedgerPorts? {
        let postgres = ledgerPath.hasPrefix("postgres://") || ledgerPath.hasPrefix("postgresql://")
        return postgres ? (pool.take() ?? (try? LedgerOptions.store(at: ledgerPath, mode: .readWrite))) : nil
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
        do {
            var command = try KokiCommand.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch {
            // As `main` does: help and the version on standard output, a usage error on standard error.
            let message = KokiCommand.fullMessage(for: error)
            let code = KokiCommand.exitCode(for: error).rawValue
            if !message.isEmpty {
                if code == 0 { Output.line(message) } else { Output.error(message) }
            }
            return code
        }
    }

    /// The HTTP status and title for a command's exit status.
    static func httpStatus(_ exit: Int32) -> (HTTPResponse.Status, String) {
        switch ExitStatus(rawValue: exit) {
        case .usage: (.badRequest, "Usage")
        case .invalidInput: (.unprocessableContent, "Invalid input")
        case .accessDenied: (.forbidden, "Access denied")
        case .notFound: (.notFound, "Not found")
        case .conflict: (.conflict, "Conflict")
        case .busy: (.serviceUnavailable, "Busy")
        case .ledgerAltered: (.conflict, "Ledger altered")
        default: (.internalServerError, "Failed")
        }
    }

    /// A session as a bearer token: its JSON, base64url.
    static func token(_ credentials: SessionCredentials) -> String {
        let data = (try? JSONEncoder().encode(credentials)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func credentials(_ token: String) -> SessionCredentials? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(SessionCredentials.self, from: data)
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A problem description (RFC 9457), naming the field at fault when there is one.
    static func problem(
        _ status: HTTPResponse.Status, title: String, detail: String, pointer: String? = nil,
        extra: [(String, String)] = []
    ) -> Response {
        var fields: [(String, String)] = [
            ("type", JSON.string("about:blank")), ("title", JSON.string(title)), ("status", String(status.code)),
            ("detail", JSON.string(detail)),
        ]
        if let pointer {
            fields.append(
                (
                    "errors",
                    "[" + JSON.object([("pointer", JSON.string(pointer)), ("detail", JSON.string(detail))]) + "]"
                ))
        }
        return Response(
            status: status, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(string: JSON.object(fields + extra))))
    }
}

/// A request's context: Hummingbird's, with the client's network address (failed logins are
/// counted per operator and address).
struct ClientRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's address (without its port), or "unknown".
    let source: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        let address = source.channel.remoteAddress
        self.source = address?.ipAddress ?? address?.pathname ?? "unknown"
    }
}

/// PostgreSQL connections kept open between requests: one request uses one at a time.
final class StorePool: @unchecked Sendable {
    private var idle: [LedgerPorts] = []
    private let lock = NSLock()
    /// At most this many stay open while idle.
    let keep = 32

    /// An idle connection, or `nil` (the request then opens one, returned here afterwards).
    func take() -> LedgerPorts? { lock.withLock { idle.popLast() } }

    /// Back to the pool, unless its connection was lost (a restarted database).
    func give(_ store: LedgerPorts) {
        guard store.events.isOpen else { return }
        lock.withLock { if idle.count < keep { idle.append(store) } }
    }
}
