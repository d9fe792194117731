import ArgumentParser
import Foundation
import KokiApp
import KokiServer

/// `koki serve`: the door's options, then the server (``KokiServer``, its own target) on the ledger
/// they name. The grammar that upcasts an application kept as a command line is handed to it from here.
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

            POST /v1/applications/confirm ({"number": …}) confirms a pending application as a second operator \
            (`koki application confirm`): its change runs through the same handler as its own request.

            GET /console is the staff console in the browser, in Japanese: log in (the same operators and \
            sessions, terminal "console"); find a person by number, former number, or name and kana; read their \
            page (identity, eligibility, periods, payments, history, certificates, applications, documents, \
            contacts, plans: one read); record a payment or a contact, receive an application, issue a \
            certificate or a payment certificate, reissue a notice; confirm another operator's application; the \
            delinquent list; for auditors the audit log a page at a time, the yearly review, a person at a past \
            position and the what-if of a rate table. The \
            session cookie is HttpOnly, Secure and SameSite=Strict, forms carry a token and an action id (sent \
            twice, recorded once), pages a strict Content-Security-Policy: serve it behind HTTPS beyond localhost.

            Every request but a login needs a valid session before anything else about it is looked at: \
            without one the answer is 401, recorded in audit/refused, whatever the body names. A request reads \
            a file of the server's host (an import's file, --file) only after its operator's role was checked \
            (403 otherwise).

            The server writes no file for a client: a document, a print file or a debit request is in the \
            result, and `koki --server` writes it on the client's machine. `replay` and `transfer`, which write \
            a file where the ledger is, run only on the server's host (400 over HTTP).

            Limits: a request body of at most 1 MiB (413 above). Failed logins are counted per operator and client \
            address (see `koki login --help`).
            """)

    @OptionGroup var options: LedgerOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port (0: any free port, printed).") var port = 8080
    func run() throws {
        try reporting {
            // The ledger must open now, not at the first request.
            let store = try LedgerOptions.store(at: options.ledgerPath, mode: .readOnly)
            _ = try store.events.head()
            let server = KokiServer(
                ledgerPath: options.ledgerPath, masterKeyPath: options.masterKeyFile, label: store.events.location,
                upcast: { number, arguments in try TypedCommands.upcast(number)(arguments) })
            do {
                try server.serve(host: host, port: port, log: { Output.error($0) })
            } catch {
                throw CLIFailure(.failure, "the server stopped: \(error)")
            }
            Output.error("koki serve: stopped")
        }
    }
}
