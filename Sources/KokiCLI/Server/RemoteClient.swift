import ArgumentParser
import Foundation
import KokiApp
import KokiServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `koki` as a client of `koki serve`: with `--server URL` (or $KOKI_SERVER) a command's typed
/// request is sent to the server and its result printed here, with the exit status the command
/// gives where the ledger is; the files it writes (documents, a debit request) are written here. The session
/// is kept in a file of the client's (--session, $KOKI_SESSION, else ~/.koki/servers/HOST-PORT).
public enum KokiMain {
    public static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let refusal = ArgumentScreen.refusal(arguments) {
            Output.error("koki: エラー: \(StaffWording.namingFields(refusal))")
            exit(ExitStatus.invalidInput.rawValue)
        }
        // A simulation starts itself again with its heap on huge pages (``AllocatorTuning``).
        AllocatorTuning.restartTunedIfNeeded(arguments)
        // The load test names the server it loads as its own option.
        if arguments.prefix(2) == ["testing", "load"] {
            runHere(arguments)
            return
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
            runHere(arguments)
            return
        }
        useLabels(arguments)
        setenv(RemoteClient.variable, server, 1)
        exit(RemoteClient(server: server).runHere(arguments))
    }
}

extension KokiMain {
    /// Parses and runs a command here, as `KokiCommand.main` does, with staff's words: the
    /// labels table of the ledger named, and grammar errors naming the form's field.
    static func runHere(_ arguments: [String]) {
        useLabels(arguments)
        let command: any ParsableCommand
        do {
            command = try KokiCommand.parseAsRoot(arguments)
        } catch {
            if let message = StaffWording.parseError(error) {
                Output.error(message)
                exit(KokiCommand.exitCode(for: error).rawValue)
            }
            exitWithHelp(error)
            KokiCommand.exit(withError: error)
        }
        do {
            var command = command
            try command.run()
        } catch {
            // A help request (`--help`, `koki help …`) ends here: ArgumentParser answers it with a
            // command that throws the help.
            exitWithHelp(error)
            KokiCommand.exit(withError: error)
        }
    }

    /// A staff command's help, worded for staff (its options labelled with the form's terms); for
    /// anything else, nothing.
    static func exitWithHelp(_ error: any Error) {
        let help = KokiCommand.fullMessage(for: error)
        guard KokiCommand.exitCode(for: error) == .success, help.hasPrefix("OVERVIEW:") || help.hasPrefix("USAGE:"),
            !StaffWording.isDevelopersCommand
        else { return }
        Output.line(StaffWording.help(help))
        exit(0)
    }

    /// Makes the labels table of the ledger the arguments name (`--ledger`, else $KOKI_LEDGER,
    /// else ./koki.ledger) this process's; a labels file that does not read ends the process
    /// (exit 65) naming its line, before anything runs.
    static func useLabels(_ arguments: [String]) {
        var ledger = ProcessInfo.processInfo.environment["KOKI_LEDGER"].flatMap { $0.isEmpty ? nil : $0 }
        for (index, argument) in arguments.prefix(while: { $0 != "--" }).enumerated() {
            if argument.hasPrefix("--ledger=") {
                ledger = String(argument.dropFirst("--ledger=".count))
            } else if argument == "--ledger", index + 1 < arguments.count {
                ledger = arguments[index + 1]
            }
        }
        do {
            try StaffWording.use(ledgerPath: ledger ?? "koki.ledger")
        } catch {
            let failure = CLIFailure(error)
            Output.error("koki: エラー: \(failure.message)")
            exit(failure.status.rawValue)
        }
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

    /// The server this process's commands send their requests to, or `nil`: they run here.
    static var current: RemoteClient? {
        guard let server = ProcessInfo.processInfo.environment[variable], !server.isEmpty else { return nil }
        return RemoteClient(server: server)
    }

    /// Parses and runs a command here, as `main` would: its typed request sent to the server and
    /// its result printed here by the command's own report.
    func runHere(_ arguments: [String]) -> Int32 {
        if arguments.contains(where: { $0 == "--session" || $0.hasPrefix("--session=") }) {
            let failure = CLIFailure(
                .usage, "with --server the session is $KOKI_SESSION or ~/.koki/servers/…, not --session")
            Output.error("koki: エラー: \(StaffWording.namingFields(failure.message))")
            return failure.status.rawValue
        }
        return KokiCommand.status(running: arguments)
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
        try run(request, token: token)
    }

    /// ``run(_:)`` with a session's bearer token (`nil`: none).
    func run<R: KokiRequest>(_ request: R, token: String?) throws -> R.Result {
        guard KokiServer.travels(R.self) else {
            throw CLIFailure(.usage, "`\(R.name)` writes its file where the ledger is: run it on the server's host")
        }
        return try call(KokiServer.path(of: R.name), request, answering: R.Result.self, token: token)
    }

    /// Confirms an application on the server (`POST /v1/applications/confirm`).
    func confirm(_ confirmation: ConfirmApplication) throws -> ConfirmedChange {
        try call(KokiServer.confirmPath, confirmation, answering: ConfirmedChange.self, token: token)
    }

    /// Posts `body` as JSON (a secret in it sent: asked for now) and decodes the answer's result.
    private func call<Body: Encodable, Result: Decodable>(
        _ path: String, _ body: Body, answering _: Result.Type, token: String?
    ) throws -> Result {
        let encoder = JSONEncoder()
        encoder.userInfo[Secret.sendingKey] = true
        let (status, data) = try post(path, body: try encoder.encode(body), token: token)
        guard status == 200 else { throw Self.failure(status: status, data) }
        do {
            return try JSONDecoder().decode(Answer<Result>.self, from: data).result
        } catch {
            throw CLIFailure(.failure, "\(server) answered \(path) with something that is not its result: \(error)")
        }
    }

    /// Logs in on the server (`POST /v1/session/login`) and keeps the session in this client's file.
    func login(_ id: String, password: String, newPassword: String?, keep: Bool = true) throws
        -> KokiServer.SessionAnswer
    {
        let body = try JSONEncoder().encode(
            KokiServer.Login(operator: id, password: password, newPassword: newPassword))
        let answer = try session("/v1/session/login", body: body, token: nil)
        if keep, let token = answer.token { try writePrivately(Data(token.utf8), to: sessionFile) }
        return answer
    }

    /// Ends the session kept for this server (`POST /v1/session/logout`) and deletes its file.
    func logout() throws -> KokiServer.SessionAnswer {
        guard let token else { throw CLIFailure(.accessDenied, "ログインしていません（セッションファイル \(sessionFile) がありません）") }
        defer { unlink(sessionFile) }
        return try logout(token: token)
    }

    /// Ends the session of `token`.
    func logout(token: String) throws -> KokiServer.SessionAnswer {
        try session("/v1/session/logout", body: Data("{}".utf8), token: token)
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

    /// A problem the server answered (RFC 9457) as the command's failure: its exit status (a
    /// malformed request's is 64) and its message.
    static func failure(status: Int, _ data: Data) -> CLIFailure {
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let detail = object["detail"] as? String ?? "the server answered \(status)"
        let exit = (object["exitStatus"] as? NSNumber).flatMap { ExitStatus(rawValue: $0.int32Value) } ?? .usage
        return CLIFailure(exit, detail)
    }

    /// One session for all requests, with room for many at once (a load test's clients).
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.default
        configuration.httpMaximumConnectionsPerHost = 256
        configuration.timeoutIntervalForRequest = 3_600
        return URLSession(configuration: configuration)
    }()

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

extension KokiCommand {
    /// Parses and runs `arguments` as `main` does, answering the exit status: help and the
    /// version on standard output, a usage error on standard error.
    static func status(running arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch {
            let message = fullMessage(for: error)
            let code = exitCode(for: error).rawValue
            if !message.isEmpty {
                if code == 0 { Output.line(message) } else { Output.error(message) }
            }
            return code
        }
    }
}

/// One line of standard input.
func inputLine() -> String? { readLine(strippingNewline: true) }
