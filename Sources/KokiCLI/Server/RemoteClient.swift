import ArgumentParser
import Foundation
import KokiApp
import KokiServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `koki` as a client of `koki serve`: with `--server URL` (or $KOKI_SERVER) every command is
/// sent to the server and its output and exit status are the server's run of it. The session
/// is kept in a file of the client's (--session, $KOKI_SESSION, else ~/.koki/servers/HOST-PORT).
public enum KokiMain {
    public static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let refusal = ArgumentScreen.refusal(arguments) {
            Output.error("koki: error: \(refusal)")
            exit(ExitStatus.invalidInput.rawValue)
        }
        var server = ProcessInfo.processInfo.environment["KOKI_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
        if let index = arguments.prefix(while: { $0 != "--" }).firstIndex(where: {
            $0 == "--server" || $0.hasPrefix("--server=")
        }) {
            if arguments[index].hasPrefix("--server=") {
                server = String(arguments[index].dropFirst("--server=".count))
                arguments.remove(at: index)
            } else if index + 1 < arguments.count {
                server = arguments[index + 1]
                arguments.removeSubrange(index...(index + 1))
            }
        }
        guard let server, let first = arguments.first, !KokiServer.runsOnHost(arguments),
            !["-h", "--help", "help", "--version"].contains(first)
        else {
            // Commands of the host (and help) run here, on the ledger they name.
            unsetenv(RemoteClient.variable)
            KokiCommand.main(arguments)
            return
        }
        setenv(RemoteClient.variable, server, 1)
        exit(RemoteClient(server: server).runHere(arguments))
    }
}

struct RemoteClient {
    let server: String

    /// The client's session file for this server.
    var sessionFile: String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["KOKI_SESSION"], !path.isEmpty { return path }
        let name = (URL(string: server)?.host ?? "server") + "-" + String(URL(string: server)?.port ?? 80)
        return (env["HOME"] ?? NSHomeDirectory()) + "/.koki/servers/" + name
    }

    /// The variable naming the server a command's requests go to (`--server URL` sets it).
    static let variable = "KOKI_SERVER"

    /// The server this process's commands send their requests to, or `nil`: they run here. A
    /// command the server runs for the command line's route never sends one on.
    static var current: RemoteClient? {
        guard Invocation.current == nil, let server = ProcessInfo.processInfo.environment[variable], !server.isEmpty
        else { return nil }
        return RemoteClient(server: server)
    }

    /// Why a command runs only through the command line's route: its request cannot travel as a
    /// body, or its answer cannot be read back here, or it is not a typed request at all.
    struct CommandLineOnly: Error {
        var reason: String
    }

    /// Requests whose body leaves something out that only a terminal has: a password asked after
    /// the operator is checked (``Secret`` encodes as `null`), a file written while the request runs.
    static let carriesWhatABodyCannot: Set<String> = ["operator add", "operator password", "transfer"]

    /// Parses and runs a command here, as `main` would, its typed requests sent to the server and
    /// their results printed here by the command's own report; a command that is not (yet) a
    /// typed request all through goes to the command line's route instead.
    func runHere(_ arguments: [String]) -> Int32 {
        if arguments.contains(where: { $0 == "--session" || $0.hasPrefix("--session=") }) {
            return fail(CLIFailure(.usage, "with --server the session is $KOKI_SESSION or ~/.koki/servers/…, not --session"))
        }
        return KokiCommand.status(running: arguments) { $0 is CommandLineOnly ? run(arguments) : nil }
    }

    private func fail(_ failure: CLIFailure) -> Int32 {
        Output.error("koki: error: \(failure.message)")
        return failure.status.rawValue
    }

    /// The session kept for this server, as a bearer token (or `nil`: none yet).
    var token: String? {
        guard let data = FileManager.default.contents(atPath: sessionFile) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // A session file `koki login` wrote on this machine for the same ledger serves too.
        if text.hasPrefix("{"), let local = try? JSONDecoder().decode(SessionCredentials.self, from: data) {
            return KokiServer.token(local)
        }
        return text
    }

    /// Runs `request` on the server (`POST /v1/requests/WORDS…`) as this client's session and
    /// terminal, and returns its result as the server's core answered it; a refusal comes back as
    /// the same exit status and message the command gives where the ledger is.
    func run<R: KokiRequest>(_ request: R) throws -> R.Result {
        guard !Self.carriesWhatABodyCannot.contains(R.name) else {
            throw CommandLineOnly(reason: "`\(R.name)` carries what a request body cannot")
        }
        guard R.answerTravels, let decodable = R.Result.self as? any Decodable.Type else {
            throw CommandLineOnly(reason: "the answer of `\(R.name)` cannot be read back")
        }
        let (status, data) = try post(KokiServer.path(of: R.name), body: try JSONEncoder().encode(request), token: token)
        guard status == 200 else { throw Self.failure(status: status, data) }
        guard let result = try? Self.decodeResult(decodable, from: data) as? R.Result else {
            throw CLIFailure(.failure, "\(server) answered `\(R.name)` with something that is not its result")
        }
        return result
    }

    /// Logs in on the server (`POST /v1/session/login`) and keeps the session in this client's file.
    func login(_ id: String, password: String, newPassword: String?) throws -> KokiServer.SessionAnswer {
        let body = try JSONEncoder().encode(KokiServer.Login(operator: id, password: password, newPassword: newPassword))
        let answer = try session("/v1/session/login", body: body, token: nil)
        if let token = answer.token { try writePrivately(Data(token.utf8), to: sessionFile) }
        return answer
    }

    /// Ends the session kept for this server (`POST /v1/session/logout`) and deletes its file.
    func logout() throws -> KokiServer.SessionAnswer {
        guard let token else { throw CLIFailure(.accessDenied, "not logged in (no session file at \(sessionFile))") }
        defer { unlink(sessionFile) }
        return try session("/v1/session/logout", body: Data("{}".utf8), token: token)
    }

    private func session(_ path: String, body: Data, token: String?) throws -> KokiServer.SessionAnswer {
        let (status, data) = try post(path, body: body, token: token)
        guard status == 200 else { throw Self.failure(status: status, data) }
        guard let answer = try? JSONDecoder().decode(KokiServer.SessionAnswer.self, from: data) else {
            throw CLIFailure(.failure, "\(server) answered \(path) with something that is not a session")
        }
        return answer
    }

    /// An answer's `result`.
    private struct Answer<Result: Decodable>: Decodable { var result: Result }

    private static func decodeResult<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(Answer<T>.self, from: data).result
    }

    /// A problem the server answered (RFC 9457) as the command's failure: its exit status (a
    /// malformed request's is 64) and its message.
    static func failure(status: Int, _ data: Data) -> CLIFailure {
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let detail = object["detail"] as? String ?? "the server answered \(status)"
        let exit = (object["exitStatus"] as? NSNumber).flatMap { ExitStatus(rawValue: $0.int32Value) } ?? .usage
        return CLIFailure(exit, detail)
    }

    /// The command line's route (`POST /v1/commands`): what a command not yet a typed request all
    /// through is sent as.
    func run(_ arguments: [String]) -> Int32 {
        do {
            let outcome = try send(arguments, input: nil, token: token)
            for line in outcome.stdout { print(line) }
            for line in outcome.stderr { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            return outcome.status
        } catch {
            let failure = CLIFailure(error)
            FileHandle.standardError.write(Data("koki: error: \(failure.message)\n".utf8))
            return failure.status.rawValue
        }
    }

    /// One session for all requests, with room for many at once (a load test's clients).
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.default
        configuration.httpMaximumConnectionsPerHost = 256
        configuration.timeoutIntervalForRequest = 3_600
        return URLSession(configuration: configuration)
    }()

    struct Outcome {
        var status: Int32
        var stdout: [String]
        var stderr: [String]
        var session: String?
    }

    func send(_ arguments: [String], input: String?, token: String?) throws -> Outcome {
        var body: [String: Any] = ["arguments": arguments]
        if let input { body["input"] = input }
        let (_, data) = try post("/v1/commands", body: try JSONSerialization.data(withJSONObject: body), token: token)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIFailure(.failure, "\(server) answered with something that is not koki's JSON")
        }
        let lines = { (key: String) in (object[key] as? [String]) ?? [] }
        guard let status = (object["exitStatus"] as? NSNumber)?.int32Value else {
            // A problem with the request itself (RFC 9457), not a command's outcome.
            let detail = object["detail"] as? String ?? "the server refused the request"
            return Outcome(status: ExitStatus.usage.rawValue, stdout: [], stderr: ["koki: error: \(detail)"])
        }
        return Outcome(
            status: status, stdout: lines("stdout"), stderr: lines("stderr"), session: object["session"] as? String)
    }

    /// Posts `body` to `path` of the server with this client's terminal and `token`: the HTTP
    /// status and the answer's bytes.
    func post(_ path: String, body: Data, token: String?) throws -> (status: Int, data: Data) {
        guard let url = URL(string: server.hasSuffix("/") ? server + path.dropFirst() : server + path),
            url.scheme == "http" || url.scheme == "https"
        else { throw CLIFailure(.usage, "--server \(server) is not an http(s) address") }
        var request = URLRequest(url: url, timeoutInterval: 3_600)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(LedgerOptions.terminal, forHTTPHeaderField: "X-Koki-Terminal")
        if let token, !token.isEmpty { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        let reply = Mutexed<(Data?, Int, (any Error)?)>((nil, 0, nil))
        Self.session.dataTask(with: request) { data, response, error in
            reply.set((data, (response as? HTTPURLResponse)?.statusCode ?? 0, error))
            done.signal()
        }.resume()
        done.wait()
        let (data, status, error) = reply.value
        if let error { throw CLIFailure(.failure, "cannot reach \(server): \(error.localizedDescription)") }
        return (status, data ?? Data())
    }
}

extension KokiRequest {
    /// Whether a client can read this request's answer back from its JSON (its result is Decodable).
    static var answerTravels: Bool { Result.self is any Decodable.Type }
}
