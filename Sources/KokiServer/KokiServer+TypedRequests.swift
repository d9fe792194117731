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
        if Self.runsOnHost(words.split(separator: " ").map(String.init)) {
            return Self.problem(.badRequest, title: "Not over HTTP", detail: "`\(words)` runs on the server's host")
        }
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
            Self.answer(
                type, body: body, caller: caller, open: { try lent ?? Self.store(at: ledgerPath, mode: .readWrite) },
                masterKeyPath: masterKeyPath)
        }
    }

    /// The answer to one typed request: its result, or a problem naming why not.
    static func answer(
        _ type: any KokiRequest.Type, body: Data, caller: Caller, open: () throws -> LedgerPorts,
        masterKeyPath: String
    ) -> Response {
        // The session before anything else: the body is not even decoded for a client without one.
        let application: KokiApplication
        do {
            let ledger = try KokiLedger.keyed(try open(), keyFile: masterKeyPath, required: true)
            application = KokiApplication(ledger)
            _ = try application.authorize(nil, command: type.name, as: caller)
        } catch {
            let failure = ExitStatus.classify(error)
            let (status, title) =
                failure.status == .accessDenied ? (.unauthorized, "Unauthorized") : httpStatus(failure.status.rawValue)
            return problem(
                status, title: title, detail: failure.message, extra: [("exitStatus", String(failure.status.rawValue))])
        }
        do {
            let request = try decodeJSON(type, from: body, source: "the request body")
            return json(.ok, try result(of: request, on: application, as: caller))
        } catch {
            return failure(error)
        }
    }

    private static func result<R: KokiRequest>(of request: R, on application: KokiApplication, as caller: Caller) throws
        -> String
    {
        let result = try application.run(request, as: caller)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let encoded = String(decoding: try encoder.encode(result), as: UTF8.self)
        return JSONLine.object([("request", JSONLine.string(R.name)), ("version", String(R.version)), ("result", encoded)])
    }

    /// The OpenAPI paths of every typed request, from the catalogue.
    static var typedPaths: String {
        RequestCatalog.types.map { type in
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
