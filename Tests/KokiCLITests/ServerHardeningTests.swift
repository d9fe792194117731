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

    /// Runs a command: `{"arguments": …, "input": …}`.
    static func command(_ url: String, _ arguments: [String], input: String? = nil, token: String? = nil) -> (
        status: Int, body: String
    ) {
        var object: [String: Any] = ["arguments": arguments]
        if let input { object["input"] = input }
        let body = try? JSONSerialization.data(withJSONObject: object)
        return send(url, "POST", "/v1/commands", body: body, token: token)
    }

    /// Logs in over HTTP and returns the session's bearer token.
    static func login(_ url: String, _ id: String, password: String) throws -> String {
        let (status, body) = command(url, ["login", id, "--password-stdin"], input: password + "\n")
        #expect(status == 200, "login \(id): \(body)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return try #require(object["session"] as? String)
    }
}

/// `koki serve` against a hostile client (issue 20): files written for clients stay in the output
/// directory and never replace a file (the ledger and its key least of all); the session and the role
/// are checked before any file is opened; a request of hostile arguments to every documented command
/// leaves the server answering; oversized requests are refused before anything runs.
@Suite(.serialized) struct ServerHardeningTests {
    let folder: TemporaryFolder
    let ledger: String
    let admin: [String: String]
    let clerk: [String: String]
    let output: String

    init() throws {
        folder = try TemporaryFolder()
        ledger = folder.path("city.ledger")
        admin = try Secured.initialize(ledger, folder: folder.url.path)
        clerk = try Secured.enroll("clerk", roles: ["counter"], admin: admin, folder: folder.url.path)
        output = folder.path("out")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let registered = try KokiProcess.run(
            [
                "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
                "1950-03-01", "--sex", "female", "--address", "千葉県松戸市根本387-5",
            ], environment: clerk)
        #expect(registered.status == 0, "\(registered.stderr)")
        let settings = folder.path("notice-settings.json")
        try Data(
            #"{"city": "松戸市", "issuer": "松戸市長", "department": "後期高齢者医療班", "address": "千葉県松戸市根本387-5", "phone": "047-366-1111", "barcodeIssuer": "123456", "reminderPayByDays": 14}"#
                .utf8
        ).write(to: URL(fileURLWithPath: settings))
        let adopted = try KokiProcess.run(["notices", "settings", "adopt", "--file", settings], environment: admin)
        #expect(adopted.status == 0, "\(adopted.stderr)")
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

    // MARK: - Files written for a remote client

    @Test func withoutAnOutputDirectoryNoCommandWritesAFileOverHTTP() throws {
        let (server, url) = try serve()
        defer { stop(server) }
        let token = try HTTP.login(url, "clerk", password: Secured.password)
        let before = try head()
        for arguments in [
            ["certificate", "1001", "--fiscal-year", "2025", "--html", ledger],
            ["certificate", "1001", "--fiscal-year", "2025", "--html", "page.html"],
        ] {
            let (status, body) = HTTP.command(url, arguments, token: token)
            #expect(status == 422, "\(arguments): \(body)")
            #expect(body.contains("--output-dir"), "\(body)")
        }
        #expect(try head() == before)
        #expect(!FileManager.default.fileExists(atPath: "page.html"))
    }

    @Test func aCounterOperatorCannotWriteOverTheLedgerOrItsKeyOrOutOfTheOutputDirectory() throws {
        let (server, url) = try serve(["--output-dir", output])
        defer { stop(server) }
        let token = try HTTP.login(url, "clerk", password: Secured.password)
        let key = ledger + ".key"
        let keyBytes = bytes(key)
        // Planted by someone on the host: a link to the ledger's folder, a link to the ledger, a file.
        try FileManager.default.createSymbolicLink(atPath: output + "/up", withDestinationPath: folder.url.path)
        try FileManager.default.createSymbolicLink(atPath: output + "/page.html", withDestinationPath: ledger)
        try Data("kept".utf8).write(to: URL(fileURLWithPath: output + "/kept.html"))
        let before = try head()
        let attacks: [(String, [String], String)] = [
            ("the ledger by its path", ["--html", ledger], "outside"),
            ("the master key by its path", ["--html", key], "outside"),
            ("the ledger's WAL", ["--html", ledger + "-wal"], "outside"),
            ("climbing out", ["--html", "../city.ledger"], ".."),
            ("climbing out further", ["--html", "a/../../escaped.html"], ".."),
            ("a link to the ledger's folder", ["--html", "up/city.ledger.key"], "link"),
            ("a link to a new file through the folder link", ["--html", "up/new.html"], "link"),
            ("a link to the ledger", ["--html", "page.html"], "exists"),
            ("an existing file", ["--html", "kept.html"], "exists"),
        ]
        for (what, options, says) in attacks {
            let (status, body) = HTTP.command(
                url, ["certificate", "1001", "--fiscal-year", "2025"] + options, token: token)
            #expect(status == 422, "\(what): \(body)")
            #expect(body.contains(says), "\(what): \(body)")
        }
        #expect(try head() == before, "a refused path appends nothing")
        // notices … --out climbing out, or through a link (a counter operator may not issue them at
        // all: the refusal is recorded).
        _ = try Secured.enroll("issuer", roles: ["assessment"], admin: admin, folder: folder.url.path)
        let issuer = try HTTP.login(url, "issuer", password: Secured.password)
        for (out, says) in [("../elsewhere", ".."), ("up", "link"), (ledger, "outside"), ("up/inside", "link")] {
            let denied = HTTP.command(url, ["notices", "payment", "--fiscal-year", "2025", "--out", out], token: token)
            #expect(denied.status == 403, "--out \(out): \(denied.body)")
            let (status, body) = HTTP.command(
                url, ["notices", "payment", "--fiscal-year", "2025", "--out", out], token: issuer)
            #expect(status == 422 && body.contains(says), "--out \(out): \(body)")
        }
        #expect(bytes(key) == keyBytes)
        #expect(try KokiProcess.run(["verify"], environment: admin).status == 0)
        #expect(bytes(output + "/kept.html") == Data("kept".utf8))
        #expect(!FileManager.default.fileExists(atPath: folder.path("escaped.html")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("new.html")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("elsewhere")))
        // Inside the output directory, a new file is written (owner-only), in a new folder too.
        let (status, body) = HTTP.command(
            url, ["certificate", "1001", "--fiscal-year", "2025", "--html", "certificates/1001.html"], token: token)
        #expect(status == 200, "\(body)")
        let written = output + "/certificates/1001.html"
        #expect(String(decoding: bytes(written) ?? Data(), as: UTF8.self).contains("<html"))
        let mode = try FileManager.default.attributesOfItem(atPath: written)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // … and never twice.
        let again = HTTP.command(
            url, ["certificate", "1001", "--fiscal-year", "2025", "--html", "certificates/1001.html"], token: token)
        #expect(again.status == 422 && again.body.contains("exists"), "\(again.body)")
    }

    @Test func aTransferFileIsWrittenOnlyInsideTheOutputDirectoryAndOnlyOnce() throws {
        let added = try KokiProcess.run(
            ["transfer", "destination", "add", "union", "--name", "広域連合", "--kind", "union", "--item", "insured-person"],
            environment: admin)
        #expect(added.status == 0, "\(added.stderr)")
        let (server, url) = try serve(["--output-dir", output])
        defer { stop(server) }
        let token = try HTTP.login(url, "admin", password: Secured.adminPassword)
        for (out, says) in [("../t.jsonl", ".."), (ledger, "outside"), ("/tmp/t.jsonl", "outside")] {
            let refused = HTTP.command(url, ["transfer", "union", "--date", "2026-04-01", "--out", out], token: token)
            #expect(refused.status == 422 && refused.body.contains(says), "\(out): \(refused.body)")
        }
        let sent = HTTP.command(
            url, ["transfer", "union", "--date", "2026-04-01", "--out", "transfers/2026-04-01.jsonl"], token: token)
        #expect(sent.status == 200, "\(sent.body)")
        #expect(FileManager.default.fileExists(atPath: output + "/transfers/2026-04-01.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: output + "/transfers/2026-04-01.jsonl.partial"))
        let again = HTTP.command(
            url, ["transfer", "union", "--date", "2026-04-02", "--out", "transfers/2026-04-01.jsonl"], token: token)
        #expect(again.status == 422 && again.body.contains("exists"), "\(again.body)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("t.jsonl")))
    }

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
            let (status, body) = HTTP.command(url, ["security", "adopt", "--file", file])
            #expect(status == 401, "\(file): \(body)")
            #expect(!body.contains("JSON") && !body.contains("cannot read"), "\(body)")
            answers.append(body.replacingOccurrences(of: file, with: "FILE"))
        }
        #expect(Set(answers).count == 1, "the same answer whatever the file: \(answers)")
        for arguments in [
            ["debit", "import", "/etc/passwd"], ["calc", "premium", "--fiscal-year", "2025", "--case", "/etc/passwd"],
            ["benefit", "decisions", "/nonexistent"], ["person", "show", "../../etc/passwd"],
        ] {
            let (status, body) = HTTP.command(url, arguments)
            #expect(status == 401, "\(arguments): \(body)")
        }
        // Each refusal is recorded.
        let refused = try KokiProcess.run(["events", "--stream", "audit/refused"], environment: admin)
        #expect(refused.stdout.components(separatedBy: "not logged in").count - 1 >= 7, "\(refused.stdout)")
        #expect(try head() != before)
    }

    @Test func aCounterOperatorIsRefusedBeforeTheFileIsRead() throws {
        let (server, url) = try serve()
        defer { stop(server) }
        let token = try HTTP.login(url, "clerk", password: Secured.password)
        for file in ["/etc/passwd", "/nonexistent"] {
            let (status, body) = HTTP.command(url, ["security", "adopt", "--file", file], token: token)
            #expect(status == 403, "\(file): \(body)")
            #expect(body.contains("may not use security.admin"), "\(body)")
            let local = try KokiProcess.run(["security", "adopt", "--file", file], environment: clerk)
            #expect(local.status == 77, "\(local.stderr)")
            #expect(local.stderr.contains("may not use security.admin"), "\(local.stderr)")
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
        // A command that checks no role (a calculator) reads no file of the server's host.
        let calc = HTTP.command(url, ["calc", "premium", "--fiscal-year", "2025", "--case", "/etc/passwd"], token: token)
        #expect(calc.status == 403 && !calc.body.contains("JSON"), "\(calc.body)")
        let refused = try KokiProcess.run(["events", "--stream", "audit/refused"], environment: admin).stdout
        #expect(refused.contains("security.admin"))
    }

    // MARK: - Hostile arguments and sizes

    /// Every documented command's words and options, from the command's own description of itself.
    static func documentedCommands() throws -> [(
        path: [String], options: [String], flags: [String], positionals: Int, required: Set<String>
    )] {
        let dump = try KokiProcess.run(["--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var found: [([String], [String], [String], Int, Set<String>)] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let subcommands = command["subcommands"] as? [[String: Any]] ?? []
            if subcommands.isEmpty || command["arguments"] != nil && !path.isEmpty {
                var options: [String] = []
                var flags: [String] = []
                var positionals = 0
                var required: Set<String> = []
                for argument in command["arguments"] as? [[String: Any]] ?? [] {
                    guard argument["shouldDisplay"] as? Bool ?? true else { continue }
                    let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                        guard name["kind"] as? String == "long" else { return nil }
                        return (name["name"] as? String).map { "--" + $0 }
                    }
                    switch argument["kind"] as? String {
                    case "positional": positionals += 1
                    case "flag": flags += names.prefix(1)
                    default:
                        options += names.prefix(1)
                        if argument["isOptional"] as? Bool == false, let name = names.first { required.insert(name) }
                    }
                }
                options.removeAll { ["--ledger", "--master-key", "--session", "--help", "--version"].contains($0) }
                flags.removeAll { ["--help", "--version"].contains($0) }
                if !path.isEmpty { found.append((path, options, flags, positionals, required)) }
            }
            for sub in subcommands {
                guard sub["shouldDisplay"] as? Bool ?? true, let name = sub["commandName"] as? String,
                    name != "help"
                else { continue }
                walk(sub, path + [name])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        let hostOnly: Set<String> = ["init", "serve", "simulate", "demo", "migrate", "testing"]
        return found.filter { !hostOnly.contains($0.0[0]) }.map { ($0.0, $0.1, $0.2, $0.3, $0.4) }
    }

    static let hostile = [
        "9223372036854775807", "-9223372036854775808", "0", "-1", "99999999999999999999",
        String(repeating: "9", count: 4_000), "A\u{1B}[2JB\u{07}\u{7F}\r\n", "../../../../etc/passwd", "/etc/passwd",
        "2031-01-01", "1800-01-01", "", "%s%n", "1001",
    ]

    /// A plausible value for an option, so that a command gets past its other options to the one
    /// given a hostile value.
    static func plausible(_ option: String) -> String {
        if option.contains("year") { return "2025" }
        if ["date", "-on", "from", "through", "until", "run", "paid", "learned", "decided", "since", "before"]
            .contains(where: option.contains)
        {
            return "2025-07-31"
        }
        if ["person", "number", "member"].contains(where: option.contains) { return "1001" }
        if ["file", "out", "html", "into", "case", "rates", "templates", "tables", "originator", "adopt"]
            .contains(where: option.contains)
        {
            return "sweep/none.json"
        }
        return "1"
    }

    /// Hostile values tried on each option in turn (the others plausible).
    static let hostileOne = [
        "9223372036854775807", "-9223372036854775808", String(repeating: "9", count: 4_000), "A\u{1B}[2JB\u{0}",
    ]

    @Test func everyDocumentedCommandWithHostileArgumentsLeavesTheServerAnswering() throws {
        var (server, url) = try serve(["--output-dir", output])
        defer { stop(server) }
        let commands = try Self.documentedCommands()
        #expect(commands.count > 100, "the sweep found the commands: \(commands.count)")
        var admin = try HTTP.login(url, "admin", password: Secured.adminPassword)
        let op = try Secured.enroll("op", admin: self.admin, folder: folder.url.path)
        _ = op
        var token = try HTTP.login(url, "op", password: Secured.password)
        var sent = 0
        var statuses: [Int: Int] = [:]
        var traps: [String] = []
        for withToken in [false, true] {
            for command in commands {
                if withToken, command.path == ["logout"] { continue }
                let positional = Array(repeating: "1001", count: command.positionals)
                var requests: [[String]] = [
                    command.path, command.path + command.options.prefix(1),
                    command.path + Array(repeating: "9223372036854775807", count: command.positionals)
                        + command.options.flatMap { [$0, "9223372036854775807"] },
                    command.path + Array(repeating: "/etc/passwd", count: command.positionals)
                        + command.options.flatMap { [$0, "/etc/passwd"] },
                ]
                if withToken {
                    for value in Self.hostile {
                        requests.append(
                            command.path + Array(repeating: value, count: command.positionals)
                                + command.options.flatMap { [$0, value] })
                    }
                    // The required options given plausibly; then each option in turn given a hostile value.
                    let baseline = command.options.filter(command.required.contains).map { ($0, Self.plausible($0)) }
                    let all = command.options.map { ($0, Self.plausible($0)) }
                    requests.append(command.path + positional + baseline.flatMap { [$0.0, $0.1] })
                    requests.append(command.path + positional + all.flatMap { [$0.0, $0.1] })
                    requests.append(command.path + positional + command.flags + baseline.flatMap { [$0.0, $0.1] })
                    for option in command.options {
                        for value in Self.hostileOne {
                            let options = baseline.filter { $0.0 != option } + [(option, value)]
                            requests.append(command.path + positional + options.flatMap { [$0.0, $0.1] })
                        }
                    }
                    for index in 0..<command.positionals {
                        for value in Self.hostileOne {
                            var values = positional
                            values[index] = value
                            requests.append(command.path + values + baseline.flatMap { [$0.0, $0.1] })
                        }
                    }
                }
                for arguments in requests {
                    // Operators' own passwords are left alone (the sweep's sessions must survive).
                    let asAdmin = command.path.first == "operator" || command.path.first == "roles"
                    let (status, body) = HTTP.command(
                        url, arguments, input: "wrong-password\n", token: withToken ? (asAdmin ? admin : token) : nil)
                    sent += 1
                    statuses[status, default: 0] += 1
                    guard status == 0 || status >= 500 else {
                        if withToken, status == 401 {
                            // A command of the sweep ended a session: log in again.
                            admin = try HTTP.login(url, "admin", password: Secured.adminPassword)
                            token = try HTTP.login(url, "op", password: Secured.password)
                        }
                        continue
                    }
                    let alive = HTTP.send(url, "GET", "/health", timeout: 5).status == 200
                    let shown = arguments.map { $0.count > 40 ? String($0.prefix(20)) + "…(\($0.count))" : $0 }
                    traps.append("koki \(shown.joined(separator: " ")) (session: \(withToken)) → \(status)")
                    Issue.record(
                        "\(shown) (session: \(withToken)) answered \(status) \(body.prefix(300)); the server \(alive ? "still answers" : "died")"
                    )
                    if !alive {
                        // Go on with a new server, to find every trap in one run.
                        server.waitUntilExit()
                        (server, url) = try serve(["--output-dir", output])
                        admin = try HTTP.login(url, "admin", password: Secured.adminPassword)
                        token = try HTTP.login(url, "op", password: Secured.password)
                    }
                }
            }
        }
        #expect(traps.isEmpty, "requests that took the server down or failed it:\n\(traps.joined(separator: "\n"))")
        #expect(HTTP.send(url, "GET", "/health").status == 200, "after \(sent) requests: \(statuses)")
        let fresh = try HTTP.login(url, "admin", password: Secured.adminPassword)
        #expect(HTTP.command(url, ["head"], token: fresh).status == 200)
        #expect(server.isRunning)
        print("sweep: \(commands.count) commands, \(sent) requests, statuses \(statuses.sorted { $0.key < $1.key })")
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
        let big = HTTP.command(
            url, ["pay", "record", "--person", "1001", "--amount", "100", "--reference", huge], token: token)
        #expect(big.status == 413, "\(big.body.prefix(300))")
        #expect(Date().timeIntervalSince(started) < 10)
        // 100,000 characters in one argument: refused, naming it.
        let long = HTTP.command(url, ["person", "show", String(repeating: "1", count: 100_000)], token: token)
        #expect(long.status == 400 && long.body.contains("/arguments/2"), "\(long.body.prefix(300))")
        let many = HTTP.command(url, ["head"] + Array(repeating: "--json", count: 2_000), token: token)
        #expect(many.status == 400, "\(many.body.prefix(300))")
        // A terminal name is recorded with every access: not a screenful.
        let body = Data(#"{"arguments": ["head"]}"#.utf8)
        for terminal in [String(repeating: "t", count: 65), "desk\u{1B}[2J"] {
            let named = HTTP.send(url, "POST", "/v1/commands", body: body, token: token, terminal: terminal)
            // (A control character may already be refused by the HTTP parser: 400 either way.)
            #expect(named.status == 400, "\(named.body)")
            #expect(terminal.count < 65 || named.body.contains("X-Koki-Terminal"), "\(named.body)")
        }
        #expect(try head() == before)
        #expect(HTTP.send(url, "GET", "/health").status == 200)
    }
}
