import ArgumentParser
import Foundation
import KokiApp
import KokiServer

/// `koki serve`: the door's options, then the server (``KokiServer``, its own target) on the ledger
/// they name. The command line's route is handed to it from here, where the grammar is.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the ledger's commands over HTTP (JSON), for many offices at once.",
        discussion: """
            POST /v1/requests/WORDS… (/v1/requests/pay/record; the paths are listed in /openapi.yaml) runs one \
            typed request of the application core: the body is the request's JSON, the answer its result. The \
            session (`Authorization: Bearer TOKEN`) is checked before the body is decoded (401), the role before \
            anything is read (403); every access is recorded with the client's terminal (the X-Koki-Terminal \
            header, else "http"). A failure is a problem description (RFC 9457, application/problem+json) with \
            the exit status the command line gives for it; nothing is appended. POST /v1/session/login \
            ({"operator": …, "password": …}) answers the session's bearer token, POST /v1/session/logout ends \
            it. `koki --server URL COMMAND …` is a client: it sends the command's typed request and prints the \
            result as the command does locally. GET /health, GET /ready (the ledger opens and has a head), GET \
            /openapi.yaml (the API). SIGTERM or SIGINT stop accepting requests and finish those in flight.

            POST /v1/commands runs a koki command line ({"arguments": ["person", "show", "1001"]}) in the server \
            as typed at a terminal: what the client still sends for a command that is not a typed request all \
            through.

            Every command but `login` (and help) needs a valid session before anything else about it is \
            looked at: without one the answer is 401, recorded in audit/refused, whatever the arguments name. A \
            command reads a file of the server's host (--file, an import) only after its operator's role was \
            checked (403 otherwise); `calc` checks none, so over HTTP it reads no file.

            Files a command writes for a client (certificate --html, notices reissue --html, notices … --out, \
            transfer --out, debit request --out, replay --into) go only under --output-dir DIR: the path is taken \
            relative to DIR, may not climb out of it (..), is never followed through a symbolic link and never \
            replaces an existing file. Without --output-dir such commands are refused (422). The ledger, its \
            WAL and its key are never written, here or on the command line.

            Limits: a request body of at most 1 MiB (413 above), at most 1,000 arguments of at most 4,096 \
            bytes each and an input of at most 64 KiB (400). Failed logins are counted per operator and client \
            address (see `koki login --help`).
            """)

    @OptionGroup var options: LedgerOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port (0: any free port, printed).") var port = 8080
    @Option(
        help: ArgumentHelp(
            "The only folder files written for clients go in (default: none, so commands that write files are refused).",
            valueName: "dir"))
    var outputDir: String?

    func validate() throws {
        guard let outputDir else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outputDir, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw ValidationError("--output-dir \(outputDir) is not a directory") }
    }

    func run() throws {
        try reporting {
            // The ledger must open now, not at the first request.
            let store = try LedgerOptions.store(at: options.ledgerPath, mode: .readOnly)
            _ = try store.events.head()
            let directory = outputDir.map(OutputFiles.canonical)
            if let directory { try OutputFiles.refuseLedgerFile(directory, option: "--output-dir", options: options) }
            let server = KokiServer(
                ledgerPath: options.ledgerPath, masterKeyPath: options.masterKeyFile, label: store.events.location,
                outputDirectory: directory, commandLine: Invocation.route)
            do {
                try server.serve(host: host, port: port, log: { Output.error($0) })
            } catch {
                throw CLIFailure(.failure, "the server stopped: \(error)")
            }
            Output.error("koki serve: stopped")
        }
    }
}
