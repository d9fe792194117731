import KokiTestSupport
import Foundation
import Testing

/// Runs the built `koki` executable as a separate process, as staff and scripts do.
struct KokiProcess {
    struct Outcome: Equatable {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// A child that exits before reading its input must not kill the test process.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// The `koki` binary next to the test bundle in the build folder.
    static let binary: URL = {
        if let explicit = ProcessInfo.processInfo.environment["KOKI_BINARY"] { return URL(fileURLWithPath: explicit) }
        var candidates: [URL] = []
        for argument in CommandLine.arguments where argument.contains(".xctest") {
            var url = URL(fileURLWithPath: argument)
            while url.pathComponents.count > 1, url.pathExtension != "xctest" { url.deleteLastPathComponent() }
            candidates.append(url.deletingLastPathComponent().appendingPathComponent("koki"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("koki"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/koki"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    static func start(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> (
        Process, Pipe, Pipe
    ) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["KOKI_LEDGER"] = nil
        env["KOKI_SESSION"] = nil
        env["KOKI_MASTER_KEY"] = nil
        env["KOKI_SERVER"] = nil
        env["KOKI_TERMINAL"] = "test-terminal"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        _ = ignoreBrokenPipes
        if let input { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        return (process, out, err)
    }

    /// Starts `koki serve --port 0` and waits for it to say where it listens: the process, its
    /// address, and what it printed until then.
    static func serve(environment: [String: String], arguments: [String] = []) throws -> (
        process: Process, url: String, printed: String
    ) {
        let (process, _, err) = try start(["serve", "--port", "0"] + arguments, environment: environment)
        var printed = ""
        let deadline = Date().addingTimeInterval(30)
        while !printed.contains("listening on http://"), Date() < deadline {
            printed += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        }
        let line = try #require(printed.split(separator: "\n").first { $0.contains("listening on http://") })
        return (process, String(line.split(separator: " ")[4]), printed)
    }

    /// A `koki serve` listening at `url`, until ``stop()``.
    struct Serving {
        let process: Process
        let url: String

        /// `env` as a client of this server (`KOKI_SERVER`), keeping its session in `session` if given.
        func client(_ env: [String: String], session: String? = nil) -> [String: String] {
            var client = env
            client["KOKI_SERVER"] = url
            if let session { client["KOKI_SESSION"] = session }
            return client
        }

        /// Stops the server (SIGTERM) and waits for it.
        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// A `koki serve` of `environment`'s ledger, listening (stop it with `defer { server.stop() }`).
    static func serving(environment: [String: String], arguments: [String] = []) throws -> Serving {
        let (process, url, _) = try serve(environment: environment, arguments: arguments)
        return Serving(process: process, url: url)
    }

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Outcome
    {
        let (process, out, err) = try start(arguments, environment: environment, input: input)
        // Read before waiting, so a full pipe never blocks the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A secured ledger for tests: `koki init` with an administrator, and `koki login` as an
/// operator holding the given roles (every role by default), through the environment as a
/// script would. Passwords are hashed at the lowest cost allowed (2^14) to keep tests quick.
enum Secured {
    static let adminPassword = "admin-password-1"
    static let password = "operator-password-1"
    static let allRoles = ["counter", "assessment", "collection", "arrears", "number-use", "administrator", "auditor"]

    /// Adopts Matsudo's notice settings (the city, the issuer, the barcode issuer) as `admin`.
    static func adoptNoticeSettings(admin: [String: String], folder: String) throws {
        let settings = folder + "/notice-settings.json"
        try Data(
            #"{"city": "松戸市", "issuer": "松戸市長", "department": "後期高齢者医療班", "address": "千葉県松戸市根本387-5", "phone": "047-366-1111", "barcodeIssuer": "123456", "reminderPayByDays": 14}"#
                .utf8
        ).write(to: URL(fileURLWithPath: settings))
        let adopted = try KokiProcess.run(["notices", "settings", "adopt", "--file", settings], environment: admin)
        #expect(adopted.status == 0, "\(adopted.stderr)")
    }

    /// Creates (or secures) the ledger at `path`; returns the administrator's environment.
    @discardableResult
    ///
    /// Without `secondCheck`, the commands a city has a second operator confirm run directly, so a
    /// test of something else needs no second operator; the counter tests turn it on.
    static func initialize(_ path: String, folder: String, secondCheck: Bool = false) throws -> [String: String] {
        let env = ["KOKI_LEDGER": path, "KOKI_SESSION": folder + "/admin.session"]
        let created = try KokiProcess.run(
            ["init", "--password-stdin", "--password-cost", "14"] + (secondCheck ? [] : ["--no-second-check"]),
            environment: env, input: adminPassword + "\n")
        #expect(created.status == 0, "init: \(created.stderr)")
        try login("admin", password: adminPassword, env: env)
        return env
    }

    static func login(_ id: String, password: String, env: [String: String]) throws {
        let outcome = try KokiProcess.run(["login", id, "--password-stdin"], environment: env, input: password + "\n")
        #expect(outcome.status == 0, "login \(id): \(outcome.stderr)")
    }

    /// Enrols `id` with `roles` (as the administrator in `admin`) and logs them in; their environment.
    static func enroll(
        _ id: String, roles: [String] = allRoles, admin: [String: String], folder: String
    ) throws -> [String: String] {
        let added = try KokiProcess.run(
            ["operator", "add", id, "--name", "Test \(id)", "--password-stdin"] + roles.flatMap { ["--role", $0] },
            environment: admin, input: password + "\n")
        #expect(added.status == 0, "operator add \(id): \(added.stderr)")
        var env = admin
        env["KOKI_SESSION"] = folder + "/\(id).session"
        try login(id, password: password, env: env)
        return env
    }

    /// A new secured ledger at `path` with `id` logged in (every role): their environment.
    static func ledger(
        _ path: String, operator id: String = "op", roles: [String] = allRoles, secondCheck: Bool = false
    ) throws -> [String: String] {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let admin = try initialize(path, folder: folder, secondCheck: secondCheck)
        return try enroll(id, roles: roles, admin: admin, folder: folder)
    }
}

/// A temporary ledger and an operator, and `koki` run against them (through the environment,
/// as a script would).
struct LedgerSession {
    let folder: TemporaryFolder
    let env: [String: String]

    init(operator: String) throws {
        folder = try TemporaryFolder()
        env = try Secured.ledger(folder.path("session.ledger"), operator: `operator`)
    }

    /// Person `number`, born `born`, insured from their 75th birthday `insuredFrom` with a
    /// 2,000,000-yen pension in 2024, assessed for FY2025 under the built-in tables (77,800 yen).
    func assessedPerson(_ number: String = "1", born: String = "1940-01-01", insuredFrom: String = "2015-01-01")
        throws
    {
        try koki(
            "person", "register", "--number", number, "--name", "松戸", "--kana", "マツド", "--birth-date", born,
            "--sex", "female", "--address", "松戸市")
        try koki("eligibility", "acquire", "--number", number, "--reason", "reached-75", "--date", insuredFrom)
        try koki(
            "income", "record", "--number", number, "--year", "2024", "--pension", "2000000", "--total", "900000",
            "--source", "税")
        try koki("rates", "adopt", "--fiscal-year", "2025")
        try koki("calendar", "adopt", "--fiscal-year", "2025")
        try koki("assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10")
    }

    /// Runs `koki` and expects the given exit status.
    @discardableResult
    func koki(_ arguments: String..., status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> KokiProcess.Outcome
    {
        try koki(arguments, status: status, sourceLocation: sourceLocation)
    }

    @discardableResult
    func koki(
        _ arguments: [String], status: Int32 = 0, input: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws
        -> KokiProcess.Outcome
    {
        let outcome = try KokiProcess.run(arguments, environment: env, input: input)
        #expect(
            outcome.status == status, "koki \(arguments.joined(separator: " ")): \(outcome.stderr)",
            sourceLocation: sourceLocation)
        return outcome
    }
}
