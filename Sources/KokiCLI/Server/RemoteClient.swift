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
            KokiCommand.main()
            return
        }
        exit(RemoteClient(server: server).run(arguments))
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

    func run(_ given: [String]) -> Int32 {
        var arguments = given
        var input: String?
        do {
            if arguments.contains(where: { $0 == "--session" || $0.hasPrefix("--session=") }) {
                throw CLIFailure(
                    .usage, "with --server the session is $KOKI_SESSION or ~/.koki/servers/…, not --session")
            }
            switch arguments.first {
            case "login":
                // The password is read here and sent once; the server keeps only its hash.
                guard arguments.count >= 2 else { throw CLIFailure(.usage, "login needs an operator id") }
                let stdin = arguments.contains("--password-stdin")
                input = try readPassword(prompt: "Password for \(arguments[1]): ", stdin: stdin) + "\n"
                if !stdin { arguments.append("--password-stdin") }
            case "mynumber":
                // The number is read from standard input here, never from the command line.
                if arguments.count >= 2, ["record", "lookup"].contains(arguments[1]) {
                    input = inputLine().map { $0 + "\n" }
                }
            default: break
            }
            var credentials: String?
            if let data = FileManager.default.contents(atPath: sessionFile) {
                credentials = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                // A session file `koki login` wrote on this machine for the same ledger serves too.
                if credentials?.hasPrefix("{") == true,
                    let local = try? JSONDecoder().decode(SessionCredentials.self, from: data)
                {
                    credentials = KokiServer.token(local)
                }
            }
            let outcome = try send(arguments, input: input, token: credentials)
            for line in outcome.stdout { print(line) }
            for line in outcome.stderr { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            if let session = outcome.session { try writePrivately(Data(session.utf8), to: sessionFile) }
            if arguments.first == "logout", outcome.status == 0 { unlink(sessionFile) }
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
        guard let url = URL(string: server.hasSuffix("/") ? server + "v1/commands" : server + "/v1/commands"),
            url.scheme == "http" || url.scheme == "https"
        else { throw CLIFailure(.usage, "--server \(server) is not an http(s) address") }
        var request = URLRequest(url: url, timeoutInterval: 3_600)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(LedgerOptions.terminal, forHTTPHeaderField: "X-Koki-Terminal")
        if let token, !token.isEmpty { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        var body: [String: Any] = ["arguments": arguments]
        if let input { body["input"] = input }
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let done = DispatchSemaphore(value: 0)
        let reply = Mutexed<(Data?, (any Error)?)>((nil, nil))
        Self.session.dataTask(with: request) { data, _, error in
            reply.set((data, error))
            done.signal()
        }.resume()
        done.wait()
        let (data, error) = reply.value
        if let error { throw CLIFailure(.failure, "cannot reach \(server): \(error.localizedDescription)") }
        guard let data, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
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
}
