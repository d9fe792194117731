import Foundation
import KokiApp
@testable import KokiCLI
import KokiTestSupport
import Testing

/// `koki --server URL …`: the command parsed here into its typed request, sent to
/// `/v1/requests/…`, and its result printed here by the command's own report — the same lines
/// and the same exit status as where the ledger is.
@Suite(.serialized) struct RemoteClientTests {
    let folder: TemporaryFolder
    let admin: [String: String]
    let clerk: [String: String]
    let reader: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        let ledger = folder.path("remote.ledger")
        admin = try Secured.initialize(ledger, folder: folder.url.path)
        clerk = try Secured.enroll("clerk", roles: ["counter", "collection"], admin: admin, folder: folder.url.path)
        reader = try Secured.enroll("reader", roles: ["auditor"], admin: admin, folder: folder.url.path)
        let registered = try KokiProcess.run(
            [
                "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
                "1950-03-01", "--sex", "female", "--address", "千葉県松戸市根本387-5",
            ], environment: clerk)
        #expect(registered.status == 0, "\(registered.stderr)")
    }

    /// The same command here and through the server: (here, there).
    func both(_ arguments: [String], as env: [String: String], server url: String) throws -> (
        KokiProcess.Outcome, KokiProcess.Outcome
    ) {
        var remote = env
        remote["KOKI_SERVER"] = url
        return (try KokiProcess.run(arguments, environment: env), try KokiProcess.run(arguments, environment: remote))
    }

    /// Runs a command here and through the server, expecting it to succeed and print the same
    /// lines (and the same errors) both ways; answers the local outcome.
    @discardableResult
    func expectSame(
        _ arguments: [String], as env: [String: String], server url: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> KokiProcess.Outcome {
        let (here, there) = try both(arguments, as: env, server: url)
        #expect(here.status == 0, "\(arguments): \(here.stderr)", sourceLocation: sourceLocation)
        #expect(there == here, "\(arguments): \(here) / \(there)", sourceLocation: sourceLocation)
        return here
    }

    @Test func theRemoteCommandPrintsWhatTheLocalOnePrints() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        let url = server.url
        // A payment (collection): the same lines but the payment's own number.
        let (paidHere, paidThere) = try both(
            ["pay", "record", "1001", "--amount", "5700", "--paid-on", "2026-07-31"], as: clerk, server: url)
        #expect(paidHere.status == 0 && paidThere.status == 0, "\(paidHere.stderr) \(paidThere.stderr)")
        func withoutNumber(_ text: String) -> String {
            text.replacingOccurrences(of: #"収納番号 [^：]+："#, with: "収納番号 N：", options: .regularExpression)
        }
        #expect(withoutNumber(paidThere.stdout) == withoutNumber(paidHere.stdout) && paidThere.stdout.contains("5,700円"))
        // A person's account and their record (collection, register): the same lines.
        for arguments in [
            ["account", "1001"], ["account", "1001", "--json"], ["person", "show", "1001"], ["refund", "list"],
            ["unmatched", "list"], ["card", "show", "1001"], ["application", "pending"], ["benefit", "list", "1001"],
        ] {
            try expectSame(arguments, as: clerk, server: url)
        }
        // The events (the ledger), as the inspecting administrator: the same table and JSON lines.
        for arguments in [["events", "--type", "PaymentReceived"], ["events", "--type", "PaymentReceived", "--format", "json"]] {
            #expect(try expectSame(arguments, as: admin, server: url).stdout.contains("PaymentReceived"), "\(arguments)")
        }
        // The audit trail (access), as the auditor: the clerk's entries, the same lines.
        let (auditHere, auditThere) = try both(["audit", "log", "--operator", "clerk"], as: reader, server: url)
        #expect(auditHere.status == 0 && auditThere == auditHere && auditHere.stdout.contains("1001"), "\(auditHere) / \(auditThere)")
        // A role that may not: 77 and the same message, both refusals recorded.
        let (refusedHere, refusedThere) = try both(
            ["pay", "record", "1001", "--amount", "100", "--paid-on", "2026-07-31"], as: reader, server: url)
        #expect(refusedHere.status == 77 && refusedThere == refusedHere, "\(refusedHere) / \(refusedThere)")
        #expect(refusedThere.stderr.contains("(collection.write) の権限がありません"), "\(refusedThere.stderr)")
        // Input the core refuses: 65 and the same message.
        let (badHere, badThere) = try both(
            ["pay", "record", "1001", "--amount=-5", "--paid-on", "2026-07-31"], as: clerk, server: url)
        #expect(badHere.status == 65 && badThere == badHere, "\(badHere) / \(badThere)")
    }

    @Test func aSessionIsOpenedAndEndedOverHTTPWithThePasswordInTheBodyOnly() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        let remote = server.client(clerk, session: folder.path("remote.session"))
        // A wrong password: refused as at a terminal, no session kept.
        let wrong = try KokiProcess.run(["login", "clerk", "--password-stdin"], environment: remote, input: "wrong\n")
        #expect(wrong.status == 77, "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: remote["KOKI_SESSION"]!))
        let login = try KokiProcess.run(
            ["login", "clerk", "--password-stdin"], environment: remote, input: Secured.password + "\n")
        #expect(login.status == 0 && login.stdout.hasPrefix("clerk としてログインしました（端末 "), "\(login.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: remote["KOKI_SESSION"]!)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let me = try KokiProcess.run(["whoami"], environment: remote)
        #expect(me.status == 0 && me.stdout.hasPrefix("clerk (Test clerk): counter, collection"), "\(me.stderr)")
        let logout = try KokiProcess.run(["logout"], environment: remote)
        #expect(logout.status == 0 && logout.stdout.hasPrefix("clerk はログアウトしました（セッション "), "\(logout.stderr)")
        #expect(!FileManager.default.fileExists(atPath: remote["KOKI_SESSION"]!))
        let again = try KokiProcess.run(["logout"], environment: remote)
        #expect(again.status == 77 && again.stderr.contains("ログインしていません"), "\(again.stderr)")
        // The ended session is refused by the server too.
        let after = try KokiProcess.run(["whoami"], environment: remote)
        #expect(after.status == 77, "\(after.stderr)")
    }

    /// `verify` is a request too: through the server it walks the server's ledger and prints, and
    /// exits, as it does where the ledger is.
    @Test func verifyTravels() throws {
        let server = try KokiProcess.serving(environment: reader)
        defer { server.stop() }
        let url = server.url
        for arguments in [["verify"], ["verify", "--json"], ["verify", "--quick"]] {
            #expect(try expectSame(arguments, as: reader, server: url).stdout.contains("events"), "\(arguments)")
        }
        // The counter may not inspect the ledger: refused alike.
        let (here, there) = try both(["verify"], as: clerk, server: url)
        #expect(here.status == 77 && there.status == 77, "\(here.stderr) \(there.stderr)")
    }

    /// The arrears' queries travel too: a person's arrears, the delinquent list and the plans
    /// print the same through the server.
    @Test func arrearsQueriesTravel() throws {
        let collector = try Secured.enroll("collector", roles: ["arrears"], admin: admin, folder: folder.url.path)
        let adopted = try KokiProcess.run(["arrears", "settings", "adopt"], environment: collector)
        #expect(adopted.status == 0, "\(adopted.stderr)")
        let contact = try KokiProcess.run(
            [
                "contact", "record", "1001", "--on", "2026-07-20", "--method", "phone", "--content", "月末に払う",
                "--promise", "7/31 納付", "--promised-on", "2026-07-31",
            ], environment: collector)
        #expect(contact.status == 0, "\(contact.stderr)")
        let server = try KokiProcess.serving(environment: reader)
        defer { server.stop() }
        let url = server.url
        for arguments in [
            ["arrears", "show", "1001", "--on", "2026-08-01"], ["arrears", "list", "--on", "2026-08-01"],
            ["plan", "show", "1001"], ["history", "1001"], ["contact", "list", "1001"],
        ] {
            try expectSame(arguments, as: reader, server: url)
        }
    }

    /// The documents: the server builds and records them and sends them in its answer; the client
    /// writes the page and the print files on its own machine — the same bytes as where the
    /// ledger is. The server writes no file at all.
    @Test func documentsAreWrittenByTheClient() throws {
        try Secured.adoptNoticeSettings(admin: admin, folder: folder.url.path)
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        let url = server.url
        let remote = server.client(clerk)
        let here = folder.path("here.html")
        let there = folder.path("client/there.html")
        let local = try KokiProcess.run(
            ["certificate", "1001", "--fiscal-year", "2025", "--on", "2026-07-01", "--html", here], environment: clerk)
        let sent = try KokiProcess.run(
            ["certificate", "1001", "--fiscal-year", "2025", "--on", "2026-07-01", "--html", there], environment: remote)
        #expect(local.status == 0 && sent.status == 0, "\(local.stderr) \(sent.stderr)")
        func withoutNumber(_ text: String) -> String {
            text.replacingOccurrences(of: #"C[0-9A-Z-]+"#, with: "N", options: .regularExpression)
        }
        let pageHere = String(decoding: FileManager.default.contents(atPath: here) ?? Data(), as: UTF8.self)
        let pageThere = String(decoding: FileManager.default.contents(atPath: there) ?? Data(), as: UTF8.self)
        #expect(pageThere.contains("<html") && withoutNumber(pageThere) == withoutNumber(pageHere))
        #expect(try FileManager.default.attributesOfItem(atPath: there)[.posixPermissions] as? Int == 0o600)
        #expect(withoutNumber(sent.stdout) == withoutNumber(local.stdout) && sent.stdout.contains("松戸"))
        // Both documents are in the person's history, and the history prints alike.
        let history = try both(["notices", "history", "1001"], as: clerk, server: url)
        #expect(history.0.status == 0 && history.1 == history.0, "\(history)")
        #expect(history.0.stdout.components(separatedBy: "納付済確認書").count - 1 >= 2, "\(history.0.stdout)")
        // A refused operator is refused by the server before the client writes anything.
        let refused = server.client(reader)
        let denied = try KokiProcess.run(
            ["certificate", "1001", "--fiscal-year", "2025", "--html", folder.path("denied.html")], environment: refused)
        #expect(denied.status == 77, "\(denied.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("denied.html")))
    }

    /// The auditor's and the maintainer's answers travel too: the yearly review, the stored read
    /// models, the balances, a what-if — the same lines here and there.
    @Test func reviewsAndReadModelsTravel() throws {
        let server = try KokiProcess.serving(environment: admin)
        defer { server.stop() }
        let url = server.url
        let assessor = try Secured.enroll("assessor", roles: ["assessment"], admin: admin, folder: folder.url.path)
        for (arguments, env) in [
            (["audit", "review", "--from", "2020-01-01"], reader), (["rebuild", "--status"], admin),
            (["balances"], clerk), (["whatif", "--fiscal-year", "2025"], assessor),
        ] {
            try expectSame(arguments, as: env, server: url)
        }
    }

    /// A new operator's password is asked on the client and sent once, in the request's body (as
    /// a login's is); the server keeps only its hash, and the kept request holds no password.
    @Test func anOperatorIsAddedThroughTheServerWithThePasswordAskedHere() throws {
        let server = try KokiProcess.serving(environment: admin)
        defer { server.stop() }
        let remote = server.client(admin)
        let added = try KokiProcess.run(
            ["operator", "add", "newcomer", "--name", "新人", "--role", "counter", "--password-stdin"], environment: remote,
            input: Secured.password + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        // The password works where the ledger is.
        var newcomer = admin
        newcomer["KOKI_SESSION"] = folder.path("newcomer.session")
        let login = try KokiProcess.run(
            ["login", "newcomer", "--password-stdin"], environment: newcomer, input: Secured.password + "\n")
        #expect(login.status == 0, "\(login.stderr)")
        let events = try KokiProcess.run(["events", "--stream", "operator/newcomer"], environment: admin).stdout
        #expect(!events.contains(Secured.password), "the ledger holds no password")
        // No password on standard input: refused here, nothing sent.
        let none = try KokiProcess.run(
            ["operator", "add", "other", "--name", "他", "--role", "counter", "--password-stdin"], environment: remote,
            input: "")
        #expect(none.status == 64 && none.stderr.contains("no password"), "\(none.stderr)")
        let listed = try KokiProcess.run(["operator", "list"], environment: admin).stdout
        #expect(listed.contains("newcomer") && !listed.contains("other"), "\(listed)")
    }

    /// `koki testing load`: concurrent clients sending typed requests; every payment answered as
    /// recorded is in the ledger once, conflicts are reported, the chain verifies.
    @Test func theLoadTestSendsTypedRequestsAndFindsEveryPaymentOnce() throws {
        let loader = try Secured.enroll("loader", admin: admin, folder: folder.url.path)
        let server = try KokiProcess.serving(environment: admin)
        defer { server.stop() }
        let load = try KokiProcess.run(
            [
                "testing", "load", "--server", server.url, "--operator", "loader", "--clients", "4", "--requests", "6",
                "--persons", "2", "--seconds", "60",
            ], environment: loader, input: Secured.password + "\n")
        #expect(load.status == 0, "\(load.stdout) \(load.stderr)")
        #expect(load.stdout.contains("0 lost, 0 duplicated, 0 not answered as recorded, 0 other failures; verify: ok"), "\(load.stdout)")
        let payments = try KokiProcess.run(["events", "--type", "PaymentReceived"], environment: admin).stdout
        #expect(payments.components(separatedBy: "load-").count - 1 >= 2, "\(payments)")
    }

    /// What writes a file where the ledger is runs only there: through the server it is refused
    /// with a message saying so, and nothing is written or recorded.
    @Test func whatWritesWhereTheLedgerIsIsRefusedThroughTheServer() throws {
        let server = try KokiProcess.serving(environment: admin)
        defer { server.stop() }
        let url = server.url
        let added = try KokiProcess.run(
            ["transfer", "destination", "add", "union", "--name", "広域連合", "--kind", "union", "--item", "insured-person"],
            environment: admin)
        #expect(added.status == 0, "\(added.stderr)")
        let remote = server.client(admin)
        let transfer = try KokiProcess.run(
            ["transfer", "union", "--date", "2026-04-01", "--out", folder.path("t.jsonl")], environment: remote)
        #expect(transfer.status == 64 && transfer.stderr.contains("server's host"), "\(transfer.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("t.jsonl")))
        // The typed route refuses both by itself too (a client other than koki's).
        let token = try HTTP.login(url, "admin", password: Secured.adminPassword)
        let head = try KokiProcess.run(["head"], environment: admin).stdout
        for path in ["/v1/requests/transfer", "/v1/requests/replay"] {
            let answer = HTTP.send(
                url, "POST", path, body: Data(#"{"until": {"position": 1}, "into": "/tmp/x"}"#.utf8), token: token)
            #expect(answer.status == 400 && answer.body.contains("server's host"), "\(path): \(answer.body)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/x"))
        #expect(try KokiProcess.run(["head"], environment: admin).stdout == head)
    }
}
