import Foundation
import KokiTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `koki serve` and `koki --server URL`: the same commands, authorization, recorded access and
/// output over HTTP as on the command line; problems (RFC 9457) for bad requests with nothing
/// appended; health, readiness, the OpenAPI document; SIGTERM ends it.
@Suite struct ServerCommandLineTests {
    let session: LedgerSession
    let server: Process
    let url: String
    let remote: [String: String]

    init() throws {
        session = try LedgerSession(operator: "op")
        (server, url, _) = try KokiProcess.serve(environment: session.env)
        remote = ["KOKI_SERVER": url, "KOKI_SESSION": session.folder.path("remote.session")]
        let login = try KokiProcess.run(
            ["login", "op", "--password-stdin"], environment: remote, input: Secured.password + "\n")
        #expect(login.status == 0, "\(login.stderr)")
    }

    func stop() {
        server.terminate()
        server.waitUntilExit()
    }

    func remoteKoki(_ arguments: [String]) throws -> KokiProcess.Outcome {
        try KokiProcess.run(arguments, environment: remote)
    }

    func http(_ method: String, _ path: String, body: String? = nil, token: String? = nil) throws -> (
        Int, String, String
    ) {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let done = DispatchSemaphore(value: 0)
        let box = Box()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            box.value = (
                (response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self),
                (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") ?? ""
            )
            done.signal()
        }.resume()
        done.wait()
        return box.value
    }

    final class Box: @unchecked Sendable { var value = (0, "", "") }

    @Test func commandsOverHTTPBehaveAsOnTheCommandLine() throws {
        defer { stop() }
        let session = self.session
        // The session file is the client's alone.
        let attributes = try FileManager.default.attributesOfItem(atPath: remote["KOKI_SESSION"]!)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let registered = try remoteKoki([
            "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
            "1950-03-01", "--sex", "female", "--address", "千葉県松戸市根本387-5",
        ])
        #expect(registered.status == 0, "\(registered.stderr)")
        // The same query, over HTTP and in a process: the same output.
        let local = try session.koki("person", "show", "1001")
        let overHTTP = try remoteKoki(["person", "show", "1001"])
        #expect(overHTTP.status == 0 && overHTTP.stdout == local.stdout)
        // A bad command: the same exit status and message, nothing appended.
        let head = try session.koki("head").stdout
        let bad = try remoteKoki([
            "eligibility", "acquire", "--number", "1001", "--reason", "reached-75", "--date", "x",
        ])
        let badLocally = try KokiProcess.run(
            ["eligibility", "acquire", "--number", "1001", "--reason", "reached-75", "--date", "x"],
            environment: session.env)
        #expect(bad.status == badLocally.status && bad.status != 0)
        #expect(try session.koki("head").stdout == head)
        // Every access over HTTP is recorded with the client's terminal.
        let log = try session.koki("audit", "log", "--person", "1001").stdout
        #expect(log.contains("test-terminal"))
        // Health, readiness and the API document as committed.
        #expect(try http("GET", "/health").0 == 200)
        let ready = try http("GET", "/ready")
        #expect(ready.0 == 200 && ready.1.contains("\"ready\":true"))
        let document = try http("GET", "/openapi.yaml").1
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/KokiServer/openapi.yaml")
        // As committed, with a path for every typed request generated in before its components.
        let text = try String(contentsOf: committed, encoding: .utf8)
        let components = try #require(text.range(of: "\ncomponents:\n"))
        #expect(document.hasPrefix(String(text[..<components.lowerBound])))
        #expect(document.hasSuffix(String(text[components.lowerBound...])))
        #expect(document.contains("  /v1/requests/pay/record:"))
        for path in ["/health", "/ready", "/openapi.yaml", "/v1/applications/confirm"] {
            #expect(document.contains("  \(path):"))
        }
        #expect(!document.contains("/v1/commands"), "the command line's route is gone")
    }

    @Test func badRequestsAreProblemsNamingTheFieldAndAppendNothing() throws {
        defer { stop() }
        let saved = try #require(FileManager.default.contents(atPath: remote["KOKI_SESSION"]!))
        let token = String(decoding: saved, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let head = try session.koki("head").stdout
        let cases: [(String, String, Int, String)] = [
            ("/v1/requests/person/show", #"{}"#, 422, "missing .number"),
            ("/v1/requests/person/show", #"{"number": 1001}"#, 422, ".number"),
            ("/v1/requests/pay/record", #"{"person": "1001", "amount": "many"}"#, 422, ".amount"),
            ("/v1/requests/person/show", "[", 422, "the request body"),
            ("/v1/requests/init", "{}", 404, "no request `init`"),
            ("/v1/requests/replay", "{}", 400, "server's host"),
            ("/v1/commands", #"{"arguments": ["head"]}"#, 404, ""),
        ]
        for (path, body, status, says) in cases {
            let (code, text, type) = try http("POST", path, body: body, token: token)
            #expect(code == status, "\(path) \(body): \(text)")
            if status != 404 || !says.isEmpty {
                #expect(type.hasPrefix("application/problem+json"), "\(path)")
                #expect(text.contains(says), "\(path) \(body): \(text)")
            }
        }
        let forged = try http("POST", "/v1/requests/head", body: "{}", token: "not-a-session")
        #expect(forged.0 == 401)
        // Malformed requests run nothing (the session's activity aside, nothing is appended).
        #expect(try session.koki("head").stdout == head)
        // A request without a session is refused like a command typed without one (and that is
        // recorded), as unauthorized (401) before anything else about it is looked at.
        let anonymous = try http("POST", "/v1/requests/person/show", body: #"{"number": "1001"}"#)
        #expect(anonymous.0 == 401 && anonymous.1.contains(#""exitStatus":77"#))
        #expect(try session.koki("events", "--stream", "audit/refused").stdout.contains("ログインしていません"))
    }

    @Test func sigtermFinishesTheCommandsInFlightThenStops() throws {
        // An administrator's command that takes a second, under way when SIGTERM arrives.
        var admin = remote
        admin["KOKI_SESSION"] = session.folder.path("remote-admin.session")
        let login = try KokiProcess.run(
            ["login", "admin", "--password-stdin"], environment: admin, input: Secured.adminPassword + "\n")
        #expect(login.status == 0, "\(login.stderr)")
        let (client, out, _) = try KokiProcess.start(["testing", "sleep", "--ms", "1500"], environment: admin)
        usleep(500_000)
        server.terminate()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0 && printed.contains("slept 1500 ms"))
        server.waitUntilExit()
        #expect(server.terminationReason == .exit)
        let after = try? http("GET", "/health")
        #expect(after?.0 != 200)
    }
}
