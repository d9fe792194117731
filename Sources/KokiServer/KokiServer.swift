import Foundation
import Hummingbird
import KokiApp
import KokiDomain
import LedgerStore
import LedgerStores

/// `koki serve`: the application core's requests over HTTP (Hummingbird), for the offices that
/// share a ledger. A door as the command line is one: it turns a request body into the core's
/// typed request and a bearer token into a ``Caller``, and the core does the checking and the
/// recording. Requests run on a thread pool, several at once; SQLite serializes their appends as
/// it does between processes.
///
/// ```swift
/// let server = KokiServer(ledgerPath: "koki.ledger", masterKeyPath: "koki.ledger.key", label: "koki.ledger")
/// try server.serve(host: "127.0.0.1", port: 8080, log: { print($0) })
/// ```
public struct KokiServer: Sendable {
    let ledgerPath: String
    let masterKeyPath: String
    /// The ledger for messages (a PostgreSQL address without its password).
    let label: String
    /// How an application's change kept by an older koki as a command line becomes a request
    /// (application number, arguments): the grammar of the door that starts the server.
    let upcast: Upcast
    public typealias Upcast = @Sendable (_ number: String, _ arguments: [String]) throws -> any KokiRequest
    /// Open PostgreSQL connections lent to requests one at a time; a SQLite file is opened per
    /// request instead (its connection serializes everything it does).
    let pool = StorePool()

    public init(
        ledgerPath: String, masterKeyPath: String, label: String,
        upcast: @escaping Upcast = { _, _ in
            throw KokiError(.invalidInput, "this server reads no change kept as a command line")
        }
    ) {
        self.ledgerPath = ledgerPath
        self.masterKeyPath = masterKeyPath
        self.label = label
        self.upcast = upcast
    }

    /// Commands that set a server up, run beside it or write files where the ledger is (a replay
    /// copy), never over HTTP: the server writes no file for a client.
    public static let hostOnly: Set<String> = ["init", "serve", "simulate", "demo", "migrate", "testing", "replay"]
    /// Whether a command line runs only on the server's host (`testing sleep` excepted: the
    /// graceful-shutdown test's slow command).
    public static func runsOnHost(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        return hostOnly.contains(first) && arguments.prefix(2) != ["testing", "sleep"]
    }

    static let queue = DispatchQueue(label: "koki.serve.commands", attributes: .concurrent)

    /// A request's body at most.
    static let maxBody = 1 << 20

    /// A ledger file, or the PostgreSQL store at a `postgres://` address.
    static func store(at location: String, mode: Ledger.AccessMode) throws -> LedgerPorts {
        try LedgerLocation(location).open(mode: mode)
    }

    /// Serves until SIGTERM or SIGINT, which stop accepting requests and let those in flight
    /// finish. `log` gets the line saying where it listens.
    public func serve(host: String, port: Int, log: @escaping @Sendable (String) -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = Mutexed<(any Error)?>(nil)
        Task {
            do {
                try await application(host: host, port: port, log: log).runService()
            } catch {
                failure.set(error)
            }
            done.signal()
        }
        done.wait()
        if let error = failure.value { throw error }
    }

    func application(host: String, port: Int, log: @escaping @Sendable (String) -> Void) -> some ApplicationProtocol {
        let router = Router(context: ClientRequestContext.self)
        router.get("/health") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        router.get("/ready") { _, _ -> Response in
            do {
                let head = try Self.store(at: ledgerPath, mode: .readOnly).events.head()
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
        router.post(.init(stringLiteral: Self.confirmPath)) { request, context -> Response in
            guard let body = await Self.body(of: request) else { return Self.tooLarge }
            return await confirm(body: body, headers: request.headers, source: context.source)
        }
        router.post("/v1/session/login") { request, context -> Response in
            guard let body = await Self.body(of: request) else { return Self.tooLarge }
            return await login(body: body, headers: request.headers, source: context.source)
        }
        router.post("/v1/session/logout") { request, _ -> Response in await logout(headers: request.headers) }
        router.post("/v1/requests/**") { request, context -> Response in
            guard let body = await Self.body(of: request) else { return Self.tooLarge }
            return await runTyped(path: request.uri.path, body: body, headers: request.headers, source: context.source)
        }
        addConsole(to: router)
        let label = label
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "koki"),
            onServerRunning: { channel in
                log("koki serve: listening on http://\(host):\(channel.localAddress?.port ?? port) for \(label)")
            })
    }

    /// A request's body, or `nil` when it is larger than ``maxBody``.
    static func body(of request: Request) async -> Data? {
        guard let body = try? await request.body.collect(upTo: maxBody) else { return nil }
        return Data(buffer: body)
    }

    static var tooLarge: Response {
        problem(.contentTooLarge, title: "Too large", detail: "a request body is at most \(maxBody) bytes: nothing was run")
    }

    /// Runs `work` on the server's thread pool (the core's work blocks: SQLite, PostgreSQL, files).
    static func onPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
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
        return postgres ? (pool.take() ?? (try? Self.store(at: ledgerPath, mode: .readWrite))) : nil
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
    public static func token(_ credentials: SessionCredentials) -> String {
        let data = (try? JSONEncoder().encode(credentials)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The session a bearer token carries, or `nil` when it is not one.
    public static func credentials(_ token: String) -> SessionCredentials? {
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
            ("type", JSONLine.string("about:blank")), ("title", JSONLine.string(title)), ("status", String(status.code)),
            ("detail", JSONLine.string(detail)),
        ]
        if let pointer {
            fields.append(
                (
                    "errors",
                    "["
                        + JSONLine.object([("pointer", JSONLine.string(pointer)), ("detail", JSONLine.string(detail))])
                        + "]"
                ))
        }
        return Response(
            status: status, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONLine.object(fields + extra))))
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
    // @unchecked: `idle` is only touched under `lock`.
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

/// A value shared between threads.
public final class Mutexed<Value>: @unchecked Sendable {
    // @unchecked: `stored` is only touched under `lock`.
    private var stored: Value
    private let lock = NSLock()
    public init(_ value: Value) { stored = value }
    public var value: Value { lock.withLock { stored } }
    public func set(_ value: Value) { lock.withLock { stored = value } }
    public func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
