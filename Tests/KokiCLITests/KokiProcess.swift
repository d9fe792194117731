import KokiTestSupport
import Foundation
import Testing

/// Runs the built `koki` executable as a separate process, as staff and scripts do.
struct KokiProcess {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

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

    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["KOKI_LEDGER"] = nil
        env["KOKI_OPERATOR"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let (process, out, err) = try start(arguments, environment: environment)
        // Read before waiting, so a full pipe never blocks the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A temporary ledger and an operator, and `koki` run against them (through the environment,
/// as a script would).
struct LedgerSession {
    let folder: TemporaryFolder
    let env: [String: String]

    init(operator: String) throws {
        folder = try TemporaryFolder()
        env = ["KOKI_LEDGER": folder.path("session.ledger"), "KOKI_OPERATOR": `operator`]
        #expect(try KokiProcess.run(["init"], environment: env).status == 0)
    }

    /// Runs `koki` and expects the given exit status.
    @discardableResult
    func koki(_ arguments: String..., status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> KokiProcess.Outcome
    {
        try koki(arguments, status: status, sourceLocation: sourceLocation)
    }

    @discardableResult
    func koki(_ arguments: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> KokiProcess.Outcome
    {
        let outcome = try KokiProcess.run(arguments, environment: env)
        #expect(
            outcome.status == status, "koki \(arguments.joined(separator: " ")): \(outcome.stderr)",
            sourceLocation: sourceLocation)
        return outcome
    }
}
