import Foundation
import Hummingbird
import KokiApp
import KokiDomain
import LedgerStore

/// `POST /v1/requests/WORDS…`: one typed request of the application core, its JSON body decoded
/// into the same value the command line builds (`/v1/requests/pay/record` is `RecordPayment`), run
/// through the same `KokiApplication` — the session first (401, recorded), then the role and the
/// second check (403, recorded), and only then the handler. The answer is the request's result as
/// JSON. The paths are generated from ``RequestCatalog`` into the OpenAPI document, so the
/// document cannot name a request koki does not have, nor miss one.
extension KokiServer {
    /// The path of a request type.
    public static func path(of name: String) -> String { "/v1/requests/" + name.split(separator: " ").joined(separator: "/") }

    /// Runs the typed request at `path` with `body` for the bearer of `headers`.
    func runTyped(path: String, body: Data, headers: HTTPFields, source: String) async -> Response {
        let words = path.split(separator: "/").dropFirst(2).joined(separator: " ")
        guard let type = RequestCatalog.type(named: words) else {
            return Self.problem(.notFound, title: "Not found", detail: "no request `\(words)` in this koki")
        }
        if !Self.travels(type) {
            return Self.problem(
                .badRequest, title: "Not over HTTP",
                detail: "`\(words)` writes its file where the ledger is: run it on the server's host")
        }
        return await answering(type.name, headers: headers, source: source) { application, caller in
            let request = try decodeJSON(type, from: body, source: "the request body")
            return try Self.result(of: request, on: application, as: caller)
        }
    }

    /// Whether a request runs over HTTP: not one that writes a file where the ledger is (a replay
    /// copy, a transfer) or runs only beside the server (`testing`, but for its slow request).
    public static func travels(_ type: any KokiRequest.Type) -> Bool {
        !runsOnHost(type.name.split(separator: " ").map(String.init)) && type != RunTransfer.self
    }

    /// `POST /v1/applications/confirm`'s path.
    public static let confirmPath = "/v1/applications/confirm"

    /// Confirms the body's application for the bearer of `headers` (``KokiApplication/confirm(_:on:as:upcast:)``).
    func confirm(body: Data, headers: HTTPFields, source: String) async -> Response {
        let upcast = upcast
        return await answering(ConfirmApplication.name, headers: headers, source: source) { application, caller in
            let asked = try decodeJSON(ConfirmApplication.self, from: body, source: "the request body")
            let confirmed = try application.confirm(asked.number, on: asked.on, as: caller) {
                try upcast(asked.number, $0)
            }
            return try Self.encoded(ConfirmApplication.name, version: ConfirmApplication.version, confirmed)
        }
    }

    /// The answer to one request for the bearer of `headers`: the session checked before anything
    /// else (401, recorded; the body is not even decoded for a client without one), then `work`
    /// on the application core — its JSON, or a problem naming why not.
    func answering(
        _ name: String, headers: HTTPFields, source: String,
        _ work: @escaping @Sendable (KokiApplication, Caller) throws -> String
    ) async -> Response {
        let asked: (credentials: SessionCredentials?, terminal: String)
        do { asked = try Self.caller(headers).get() } catch { return error.response }
        let (credentials, terminal) = asked
        let lent = lend()
        defer { if let lent { pool.give(lent) } }
        let today: CivilDate
        do { today = try todayInJapan() } catch {
            return Self.problem(.serviceUnavailable, title: "No date", detail: "\(error)")
        }
        let caller = Caller(credentials: credentials, terminal: terminal, source: source, today: today)
        let (ledgerPath, masterKeyPath) = (ledgerPath, masterKeyPath)
        return await Self.onPool {
            let application: KokiApplication
            do {
                let ledger = try KokiLedger.keyed(
                    try lent ?? Self.store(at: ledgerPath, mode: .readWrite), keyFile: masterKeyPath, required: true)
                application = KokiApplication(ledger)
                _ = try application.authorize(nil, command: name, as: caller)
            } catch {
                let failure = ExitStatus.classify(error)
                let (status, title) =
                    failure.status == .accessDenied ? (.unauthorized, "Unauthorized") : Self.httpStatus(failure.status.rawValue)
                return Self.problem(
                    status, title: title, detail: failure.message, extra: [("exitStatus", String(failure.status.rawValue))])
            }
            do {
                return Self.json(.ok, try work(application, caller))
            } catch {
                return Self.failure(error)
            }
        }
    }

    private static func result<R: KokiRequest>(of request: R, on application: KokiApplication, as caller: Caller) throws
        -> String
    {
        try encoded(R.name, version: R.version, try application.run(request, as: caller))
    }

    /// A request's answer: its name, version and result.
    private static func encoded(_ name: String, version: Int, _ result: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let encoded = String(decoding: try encoder.encode(result), as: UTF8.self)
        return JSONLine.object([("request", JSONLine.string(name)), ("version", String(version)), ("result", encoded)])
    }

    /// The OpenAPI paths of every typed request, from the catalogue.
    static var typedPaths: String {
        RequestCatalog.types.filter(travels).map { type in
            """
              \(path(of: type.name)):
                post:
                  operationId: \(type.name.split(separator: " ").joined(separator: "-"))
                  summary: "`koki \(type.name)` as a typed request (\(type.isQuery ? "a query" : "a change"), version \(type.version))."
                  description: The body is the request's JSON; \(type.function.map { "the operator's role must be granted `\($0.rawValue)`" } ?? "only the session is checked").
                  security: [{ session: [] }]
                  parameters: [{ $ref: "#/components/parameters/Terminal" }]
                  requestBody: { required: true, content: { application/json: { schema: { type: object } } } }
                  responses:
                    "200": { description: The request's result., content: { application/json: { schema: { $ref: "#/components/schemas/RequestResult" } } } }
                    "400": { $ref: "#/components/responses/Problem" }
                    "401": { $ref: "#/components/responses/Problem" }
                    "403": { $ref: "#/components/responses/Problem" }
                    "404": { $ref: "#/components/responses/Problem" }
                    "409": { $ref: "#/components/responses/Problem" }
                    "413": { $ref: "#/components/responses/Problem" }
                    "422": { $ref: "#/components/responses/Problem" }

            """
        }.joined()
    }
}
