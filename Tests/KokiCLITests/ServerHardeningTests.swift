import Foundation
import KokiTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A request to `koki serve`, synchronously: its status and body.
enum HTTP {
    final class Box: @unchecked Sendable { var value = (0, "") }

    static func send(
        _ url: String, _ method: String, _ path: String, body: Data? = nil, token: String? = nil,
        timeout: TimeInterval = 60, terminal: String = "sweep-terminal"
    ) -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url + path)!, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = body
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.setValue(terminal, forHTTPHeaderField: "X-Koki-Terminal")
        let done = DispatchSemaphore(value: 0)
        let box = Box()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            box.value = ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self))
            done.signal()
        }.resume()
        done.wait()
        return box.value
    }

    /// Runs a typed request: `POST /v1/requests/WORDS…` with `body` (JSON).
    static func request(_ url: String, _ words: String, _ body: String, token: String? = nil) -> (
        status: Int, body: String
    ) {
        send(url, "POST", "/v1/requests/" + words.replacingOccurrences(of: " ", with: "/"), body: Data(body.utf8), token: token)
    }

    /// Logs in over HTTP and returns the session's bearer token.
    static func login(_ url: String, _ id: String, password: String) throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["operator": id, "password": password])
        let (status, answer) = send(url, "POST", "/v1/session/login", body: body)
        #expect(status == 200, "login \(id): \(answer)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
        return try #require(object["token"] as? String)
    }
}

/// `koki serve` against a hostile client (issue 20): no option writes over the ledger or its key
/// (the server writes no file for a client at all); the session and the role are checked before
/// any file is opened; hostile bodies for every typed request leave the server answering;
/// oversized requests are refused before anything runs.
@Suite(.serialized) struct ServerHardeningTests {
    let folder: TemporaryFolder
    let ledger: String
    let admin: [String: String]
    let clerk: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        ledger = folder.path("city.ledger")
        admin = try Secured.initialize(ledger, folder: folder.url.path)
        clerk = try Secured.enroll("clerk", roles: ["counter"], admin: admin, folder: folder.url.path)
        let registered = try KokiProcess.run(
            [
                "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
                "1950-03-01", "--sex", "female", "--address", "千葉県松戸市根本387-5",
            ], environment: clerk)
        #expect(registered.status == 0, "\(registered.stderr)")
        try Secured.adoptNoticeSettings(admin: admin, folder: folder.url.path)
    }

    func head() throws -> String { try KokiProcess.run(["head"], environment: admin).stdout }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func serve(_ arguments: [String] = []) throws -> (Process, String) {
        let (process, url, _) = try KokiProcess.serve(environment: admin, arguments: arguments)
        return (process, url)
    }

    func stop(_ process: Process) {
        process.terminate()
        process.waitUntilExit()
    }

    // MARK: - Files

    @Test func onTheCommandLineNoOptionWritesOverTheLedgerItsWALOrItsKey() throws {
        let key = ledger + ".key"
        let link = folder.path("innocent.html")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: ledger)
        let keyBytes = bytes(key)
        let before = try head()
        for target in [ledger, key, ledger + "-wal", ledger + "-shm", link, folder.path("./city.ledger")] {
            let outcome = try KokiProcess.run(
                ["certificate", "1001", "--fiscal-year", "2025", "--html", target], environment: clerk)
            #expect(outcome.status == 65, "\(target): \(outcome.stderr)")
            #expect(outcome.stderr.contains(target) && outcome.stderr.contains("ledger"), "\(outcome.stderr)")
        }
        let transfer = try KokiProcess.run(
            ["replay", "--until", "1", "--into", ledger + "-wal"], environment: admin)
        #expect(transfer.status == 65, "\(transfer.stderr)")
        #expect(try head() == before)
        // (The ledger's bytes change with every session's activity; its events and chain did not.)
        #expect(try KokiProcess.run(["verify"], environment: admin).status == 0)
        #expect(bytes(key) == keyBytes)
        // Anywhere else the command line keeps its freedom.
        let page = folder.path("elsewhere/page.html")
        let written = try KokiProcess.run(
            ["certificate", "1001", "--fiscal-year", "2025", "--html", page], environment: clerk)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(FileManager.default.fileExists(atPath: page))
    }

    // MARK: - Authorization first

    @Test func withoutASessionNothingAboutAFileIsTold() throws {
        let (server, url) = try serve()
        defer { stop(server) }
        let before = try head()
        var answers: [String] = []
        for file in ["/etc/passwd", "/nonexistent", ledger] {
            let (status, body) = HTTP.request(url, "security adopt", #"{"file": "\#(file)"}"#)
            #expect(status == 401, "\(file): \(body)")
            #expect(!body.contains("JSON") && !body.contains("cannot read"), "\(body)")
            answers.append(body.replacingOccurrences(of: file, with: "FILE"))
        }
        #expect(Set(answers).count == 1, "the same answer whatever the file: \(answers)")
        for (words, body) in [
            ("debit import", #"{"file": "/etc/passwd"}"#), ("benefit decisions", #"{"file": "/nonexistent"}"#),
            ("person show", #"{"number": "../../etc/passwd"}"#), ("person show", "not even JSON"),
        ] {
            let (status, answer) = HTTP.request(url, words, body)
            #expect(status == 401, "\(words): \(answer)")
        }
        // Each refusal is recorded.
        let refused = try KokiProcess.run(["events", "--stream", "audit/refused"], environment: admin)
        #expect(refused.stdout.components(separatedBy: "ログインしていません").count - 1 >= 7, "\(refused.stdout)")
        #expect(try head() != before)
    }

    @Test func aCounterOperatorIsRefusedBeforeTheFileIsRead() throws {
        let (server, url) = try serve()
        defer { stop(server) }
        let token = try HTTP.login(url, "clerk", password: Secured.password)
        for file in ["/etc/passwd", "/nonexistent"] {
            let (status, body) = HTTP.request(url, "security adopt", #"{"file": "\#(file)"}"#, token: token)
            #expect(status == 403, "\(file): \(body)")
            #expect(body.contains("(security.admin) の権限がありません"), "\(body)")
            let local = try KokiProcess.run(["security", "adopt", "--file", file], environment: clerk)
            #expect(local.status == 77, "\(local.stderr)")
            #expect(local.stderr.contains("(security.admin) の権限がありません"), "\(local.stderr)")
        }
        for arguments in [
            ["rates", "adopt", "--fiscal-year", "2025", "--file", "/etc/passwd"],
            ["notices", "settings", "adopt", "--file", "/etc/passwd"],
            ["copay", "tables", "--adopt", "/etc/passwd"], ["calendar", "adopt", "--fiscal-year", "2025", "--file", "/etc/passwd"],
            ["arrears", "settings", "adopt", "--file", "/etc/passwd"],
        ] {
            let local = try KokiProcess.run(arguments, environment: clerk)
            #expect(local.status == 77, "\(arguments): \(local.stderr)")
            #expect(!local.stderr.contains("JSON") && !local.stderr.contains("cannot read"), "\(local.stderr)")
        }
        let refused = try KokiProcess.run(["events", "--stream", "audit/refused"], environment: admin).stdout
        #expect(refused.contains("security.admin"))
    }

    // MARK: - Hostile arguments and sizes

    /// Every typed request the server offers, from its OpenAPI document.
    static func requestPaths(_ url: String) -> [String] {
        HTTP.send(url, "GET", "/openapi.yaml").body.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  /v1/requests/"), line.hasSuffix(":") else { return nil }
            return String(line.dropFirst(2).dropLast())
        }
    }

    /// JSON values tried in each field of each request in turn.
    nonisolated(unsafe) static let hostile: [Any] = [
        Int64.max, Int64.min, 99_999_999_999_999_999_999.0, -1, 0, 1.5, "", String(repeating: "9", count: 4_000),
        "A\u{1B}[2JB\u{07}\u{7F}\u{0}\r\n", "../../../../etc/passwd", "/etc/passwd", "2031-01-01", "1800-01-01",
        "0000-00-00", "%s%n", [Any](), [String: Any](), NSNull(), true, ["position": Int64.max], ["year": -1],
    ]

    /// A plausible value for a field, so that a request gets past its other fields to the one
    /// given a hostile value.
    static func plausible(_ key: String) -> Any {
        let lower = key.lowercased()
        if lower.contains("year") { return 2025 }
        if ["date", "on", "from", "through", "until", "since", "before"].contains(where: { lower.hasSuffix($0) }) {
            return "2025-07-31"
        }
        if ["person", "number", "member"].contains(where: lower.contains) { return "1001" }
        if ["file", "rates", "into", "out"].contains(where: lower.contains) { return "sweep/none.json" }
        if lower.contains("amount") { return 100 }
        return "1"
    }

    /// A body for `path` that decodes, or as near as the server's answers lead: each missing field
    /// added with a plausible value, each field of the wrong kind given the kind it asked for.
    static func discover(_ url: String, _ path: String, token: String) -> [String: Any] {
        var body: [String: Any] = [:]
        for _ in 0..<16 {
            let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
            let answer = HTTP.send(url, "POST", path, body: data, token: token).body
            if let key = answer.firstMatch(of: /missing \.([A-Za-z0-9_]+)/)?.1 {
                body[String(key)] = plausible(String(key))
            } else if let wrong = answer.firstMatch(of: /\.([A-Za-z0-9_]+): Expected to decode (\w+)/) {
                let key = String(wrong.1)
                switch wrong.2 {
                case "Int", "Int64", "Int32", "Double": body[key] = 1
                case "Bool": body[key] = false
                case "Array": body[key] = [Any]()
                case "Dictionary": body[key] = [String: Any]()
                default: body[key] = "1"
                }
            } else {
                break
            }
        }
        return body
    }

    @Test func everyTypedRequestWithHostileBodiesLeavesTheServerAnswering() throws {
        var (server, url) = try serve()
        defer { stop(server) }
        let paths = Self.requestPaths(url)
        #expect(paths.count > 100, "the sweep found the requests: \(paths.count)")
        _ = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        var admin = try HTTP.login(url, "admin", password: Secured.adminPassword)
        var token = try HTTP.login(url, "op", password: Secured.password)
        var sent = 0
        var statuses: [Int: Int] = [:]
        var failures: [String] = []
        for path in paths {
            // Operators' own passwords and roles are left to the administrator (the sweep's sessions must survive).
            let asAdmin = path.hasPrefix("/v1/requests/operator") || path.hasPrefix("/v1/requests/roles")
            let base = Self.discover(url, path, token: asAdmin ? admin : token)
            var bodies: [Data] = [Data(), Data("not json".utf8), Data("[]".utf8), Data("null".utf8)]
            for key in base.keys.sorted() {
                for value in Self.hostile {
                    var body = base
                    body[key] = value
                    bodies.append((try? JSONSerialization.data(withJSONObject: body)) ?? Data())
                }
            }
            for (index, body) in bodies.enumerated() {
                // Every fourth body without a session: 401 whatever it holds.
                let anonymous = index % 4 == 3
                let (status, answer) = HTTP.send(
                    url, "POST", path, body: body, token: anonymous ? nil : (asAdmin ? admin : token))
                sent += 1
                statuses[status, default: 0] += 1
                if anonymous, status != 401 { failures.append("\(path) without a session → \(status)") }
                guard status == 0 || status >= 500 else {
                    if status == 401, !anonymous {
                        // A request of the sweep ended a session: log in again.
                        admin = try HTTP.login(url, "admin", password: Secured.adminPassword)
                        token = try HTTP.login(url, "op", password: Secured.password)
                    }
                    continue
                }
                let alive = HTTP.send(url, "GET", "/health", timeout: 5).status == 200
                let shown = String(decoding: body.prefix(200), as: UTF8.self)
                failures.append("\(path) \(shown) → \(status) \(answer.prefix(300)); the server \(alive ? "still answers" : "died")")
                if !alive {
                    // Go on with a new server, to find every failure in one run.
                    server.waitUntilExit()
                    (server, url) = try serve()
                    admin = try HTTP.login(url, "admin", password: Secured.adminPassword)
                    token = try HTTP.login(url, "op", password: Secured.password)
                }
            }
        }
        #expect(failures.isEmpty, "requests that took the server down, failed it or ran without a session:\n\(failures.joined(separator: "\n"))")
        #expect(HTTP.send(url, "GET", "/health").status == 200, "after \(sent) requests: \(statuses)")
        let fresh = try HTTP.login(url, "admin", password: Secured.adminPassword)
        #expect(HTTP.request(url, "whoami", "{}", token: fresh).status == 200)
        #expect(try KokiProcess.run(["verify"], environment: self.admin).status == 0)
        print("sweep: \(paths.count) requests, \(sent) bodies, statuses \(statuses.sorted { $0.key < $1.key })")
    }

    /// What the sweep found: an income inquiry for year 9223372036854775807 was recorded in a form
    /// the ledger could not read back (every later read of the person failed), and a calendar for
    /// that year trapped when its due dates were printed (after it was recorded).
    @Test func valuesThatCouldNotBeReadBackAreRefusedBeforeTheyAreRecorded() throws {
        let before = try head()
        let inquiry = try KokiProcess.run(
            ["income", "show", "--number", "1001", "--year", "9223372036854775807", "--purpose", "sweep"],
            environment: clerk)
        #expect(inquiry.status == 65, "\(inquiry.stderr)")
        #expect(try head() == before)
        #expect(try KokiProcess.run(["person", "show", "1001"], environment: clerk).status == 0)
        let assessor = try Secured.enroll("assessor", roles: ["assessment"], admin: admin, folder: folder.url.path)
        let calendar = try KokiProcess.run(
            ["calendar", "adopt", "--fiscal-year", "9223372036854775807"], environment: assessor)
        #expect(calendar.status == 65 && calendar.stderr.contains("outside"), "\(calendar.stderr)")
        let shown = try KokiProcess.run(
            ["calendar", "show", "--fiscal-year", "9223372036854775807"], environment: assessor)
        #expect(shown.status == 65, "\(shown.stderr)")
        #expect(try KokiProcess.run(["verify"], environment: admin).status == 0)
    }

    @Test func oversizedRequestsAreRefusedBeforeAnythingRuns() throws {
        let (server, url) = try serve()
        defer { stop(server) }
        let token = try HTTP.login(url, "admin", password: Secured.adminPassword)
        let before = try head()
        // A 5 MB reference: refused by its size, before it is parsed.
        let huge = String(repeating: "x", count: 5_000_000)
        let started = Date()
        let big = HTTP.request(
            url, "pay record",
            #"{"person": "1001", "amount": 100, "paidOn": "2026-07-31", "channel": "counter", "lateFee": false, "reference": "\#(huge)"}"#,
            token: token)
        #expect(big.status == 413, "\(big.body.prefix(300))")
        #expect(Date().timeIntervalSince(started) < 10)
        // 100,000 characters in one field: refused, naming it.
        let long = HTTP.request(url, "person show", #"{"number": "\#(String(repeating: "1", count: 100_000))"}"#, token: token)
        #expect(long.status == 422 && long.body.contains("number"), "\(long.body.prefix(300))")
        // A terminal name is recorded with every access: not a screenful.
        for terminal in [String(repeating: "t", count: 65), "desk\u{1B}[2J"] {
            let named = HTTP.send(
                url, "POST", "/v1/requests/whoami", body: Data("{}".utf8), token: token, terminal: terminal)
            // (A control character may already be refused by the HTTP parser: 400 either way.)
            #expect(named.status == 400, "\(named.body)")
            #expect(terminal.count < 65 || named.body.contains("X-Koki-Terminal"), "\(named.body)")
        }
        #expect(try head() == before)
        #expect(HTTP.send(url, "GET", "/health").status == 200)
    }
}
