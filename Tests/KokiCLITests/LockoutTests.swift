import Foundation
import KokiTestSupport
import Testing

/// Failed logins counted per operator and source with a growing delay, so guessing over the network
/// cannot lock the only administrator out (issue 20); the break-glass for whoever holds the master
/// key file; session files anyone could replace are refused, and the refusal recorded.
@Suite(.serialized) struct LockoutTests {
    let folder: TemporaryFolder
    let ledger: String
    let admin: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        ledger = folder.path("city.ledger")
        admin = try Secured.initialize(ledger, folder: folder.url.path)
    }

    func koki(_ arguments: [String], _ env: [String: String], input: String? = nil) throws -> KokiProcess.Outcome {
        try KokiProcess.run(arguments, environment: env, input: input)
    }

    /// `koki login` from a terminal; its outcome.
    func login(_ id: String, _ password: String, terminal: String = "test-terminal") throws -> KokiProcess.Outcome {
        var env = admin
        env["KOKI_TERMINAL"] = terminal
        env["KOKI_SESSION"] = folder.path("\(id)-\(terminal).session")
        return try koki(["login", id, "--password-stdin"], env, input: password + "\n")
    }

    /// Fails `count` logins in a row, waiting out each delay.
    func fail(_ count: Int, _ attempt: () throws -> (status: Int, text: String)) rethrows -> [String] {
        var answers: [String] = []
        for n in 1...count {
            // After two failures each attempt waits 1, 2, 4 … seconds.
            if n > 3 { usleep(UInt32(1 << (n - 4)) * 1_000_000 + 200_000) }
            let (status, text) = try attempt()
            #expect(status != 0 && status != 200, "\(n): \(text)")
            answers.append(text)
        }
        return answers
    }

    @Test func guessingOverTheNetworkLocksOutOnlyThatAddressNotTheAdministrator() throws {
        let server = try KokiProcess.serving(environment: admin)
        defer { server.stop() }
        let url = server.url
        func overHTTP(_ password: String) -> (status: Int, body: String) {
            HTTP.send(
                url, "POST", "/v1/session/login",
                body: Data(#"{"operator": "admin", "password": "\#(password)"}"#.utf8))
        }
        let answers = fail(5) {
            let outcome = overHTTP("guess-password-1")
            return (outcome.status, outcome.body)
        }
        #expect(answers.last?.contains("locked out from 127.0.0.1") == true, "\(answers.last ?? "")")
        // From that address even the right password is refused now …
        let fromThere = overHTTP(Secured.adminPassword)
        #expect(fromThere.status == 403 && fromThere.body.contains("locked out"), "\(fromThere.body)")
        // … but the administrator is not locked: their terminal logs in, their session still works.
        #expect(try koki(["head"], admin).status == 0)
        let terminal = try login("admin", Secured.adminPassword)
        #expect(terminal.status == 0, "\(terminal.stderr)")
        let listed = try koki(["operator", "list", "--json"], admin).stdout
        #expect(listed.contains(#""state":"active""#), "\(listed)")
        // The failures are recorded with their source, the last one as locking it out.
        let auditor = try Secured.enroll("aud", roles: ["auditor"], admin: admin, folder: folder.url.path)
        let log = try koki(["audit", "log", "--operator", "admin"], auditor).stdout
        #expect(log.contains("（接続元 127.0.0.1）。この接続元からの admin のログインをロックしました"), "\(log)")
        let events = try koki(["events", "--stream", "operator/admin"], admin).stdout
        #expect(events.contains(#""source":"127.0.0.1""#) && events.contains(#""sourceLocked":true"#), "\(events)")
        // An administrator unlocks the address (recorded).
        let unlocked = try koki(["operator", "unlock", "admin", "--reason", "guessing stopped"], admin)
        #expect(unlocked.status == 0, "\(unlocked.stderr)")
        _ = try HTTP.login(url, "admin", password: Secured.adminPassword)
    }

    @Test func theDelayGrowsAndAnAttemptInsideItIsNotEvenChecked() throws {
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        _ = op
        for n in 1...3 {
            let outcome = try login("op", "wrong-password-\(n)")
            #expect(outcome.status == 77 && outcome.stderr.contains("wrong operator id or password"), "\(outcome.stderr)")
        }
        // Three in a row: the next attempt from this terminal waits a second, right password or not.
        let early = try login("op", Secured.password)
        #expect(early.status == 77 && early.stderr.contains("try again in"), "\(early.stderr)")
        // Another terminal is not held back.
        #expect(try login("op", Secured.password, terminal: "desk-2").status == 0)
        // A success resets the counts: after the delay this terminal logs in as well.
        usleep(1_200_000)
        #expect(try login("op", Secured.password).status == 0)
    }

    @Test func theCommandLineLocksOutTheTerminalUntilUnlocked() throws {
        _ = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        let answers = try fail(5) {
            let outcome = try login("op", "wrong-password-x")
            return (Int(outcome.status), outcome.stderr)
        }
        #expect(answers.last?.contains("now locked out from test-terminal") == true, "\(answers)")
        #expect(try login("op", Secured.password).status == 77)
        #expect(try login("op", Secured.password, terminal: "desk-2").status == 0)
        #expect(try koki(["operator", "unlock", "op", "--reason", "identity checked"], admin).status == 0)
        #expect(try login("op", Secured.password).status == 0)
        // Nothing to unlock now.
        #expect(try koki(["operator", "unlock", "op", "--reason", "again"], admin).status == 65)
    }

    @Test func whoeverHoldsTheMasterKeyFileUnlocksOrResetsTheAdministrator() throws {
        // The only administrator locked out of their terminal, and no session anywhere.
        _ = try fail(5) {
            let outcome = try login("admin", "forgotten-password")
            return (Int(outcome.status), outcome.stderr)
        }
        #expect(try login("admin", Secured.adminPassword).status == 77)
        var host = admin
        host["KOKI_SESSION"] = folder.path("nobody.session")
        // A key file that is not this ledger's: refused (78) before anything is appended (a sealed
        // ledger's appends need its own key, so the attempt cannot be recorded in it).
        let other = folder.path("other.key")
        try (String(repeating: "ab", count: 32) + "\n").write(toFile: other, atomically: true, encoding: .utf8)
        chmod(other, 0o600)
        let forged = try koki(
            ["operator", "unlock", "admin", "--reason", "x", "--break-glass", "--master-key", other], host)
        #expect(forged.status == 78 && forged.stderr.contains("not this ledger's"), "\(forged.stderr)")
        #expect(try login("admin", Secured.adminPassword).status == 77)
        // Without --break-glass there is no way in without a session.
        #expect(try koki(["operator", "unlock", "admin", "--reason", "x"], host).status == 77)
        // With the ledger's key (beside the ledger): unlocked, recorded with the actor "(master key)".
        let unlocked = try koki(
            ["operator", "unlock", "admin", "--reason", "the administrator forgot their password", "--break-glass"],
            host)
        #expect(unlocked.status == 0, "\(unlocked.stderr)")
        // … and a new password set the same way.
        let reset = try koki(
            ["operator", "password", "admin", "--break-glass", "--password-stdin"], host,
            input: "a-new-admin-password-2\n")
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(try login("admin", Secured.adminPassword).status == 77)
        #expect(try login("admin", "a-new-admin-password-2").status == 0)
        var session = admin
        session["KOKI_SESSION"] = folder.path("admin-test-terminal.session")
        let events = try koki(["events", "--stream", "operator/admin"], session).stdout
        #expect(events.contains("(master key)") && events.contains("break-glass"), "\(events)")
        // Never over HTTP, even for an administrator.
        let server = try KokiProcess.serving(environment: session)
        defer { server.stop() }
        let client = server.client(session, session: folder.path("admin-remote.session"))
        let loggedIn = try koki(["login", "admin", "--password-stdin"], client, input: "a-new-admin-password-2\n")
        #expect(loggedIn.status == 0, "\(loggedIn.stderr)")
        let head = try koki(["head"], session).stdout
        let remote = try koki(["operator", "unlock", "admin", "--reason", "x", "--break-glass"], client)
        #expect(remote.status == 77 && remote.stderr.contains("never over HTTP"), "\(remote.stderr)")
        #expect(try koki(["head"], session).stdout == head)
    }

    @Test func theHelpSaysHowToUnlockAndWhereTheServerWrites() throws {
        // Words, not line breaks: the help is wrapped to the terminal's width.
        let unlock = try KokiProcess.run(["operator", "unlock", "--help"]).stdout
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for phrase in ["--break-glass", "master key file", "(master key)", "Never over HTTP", "source"] {
            #expect(unlock.contains(phrase), "operator unlock --help: \(phrase)")
        }
        let login = try KokiProcess.run(["login", "--help"]).stdout
        #expect(login.contains("locks that source out"))
        let serve = try KokiProcess.run(["serve", "--help"]).stdout
        for phrase in ["writes no file for a client", "401", "1 MiB"] {
            #expect(serve.contains(phrase), "serve --help: \(phrase)")
        }
    }

    @Test func aSessionFileAnyoneCouldReplaceIsRefusedAndTheRefusalRecorded() throws {
        let open = folder.path("shared")
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o1777)
        // Logging in into such a folder is refused before the password is asked …
        var env = admin
        env["KOKI_SESSION"] = open + "/admin.session"
        let login = try koki(["login", "admin", "--password-stdin"], env, input: Secured.adminPassword + "\n")
        #expect(login.status == 77 && login.stderr.contains("anyone can write"), "\(login.stderr)")
        #expect(!FileManager.default.fileExists(atPath: open + "/admin.session"))
        // … and a session file moved there is refused.
        let session = try #require(admin["KOKI_SESSION"])
        try FileManager.default.copyItem(atPath: session, toPath: open + "/copy.session")
        chmod(open + "/copy.session", 0o600)
        env["KOKI_SESSION"] = open + "/copy.session"
        let moved = try koki(["head"], env)
        #expect(moved.status == 77 && moved.stderr.contains("anyone can write"), "\(moved.stderr)")
        // A session file others can write is refused.
        let loose = folder.path("loose.session")
        try FileManager.default.copyItem(atPath: session, toPath: loose)
        chmod(loose, 0o620)
        env["KOKI_SESSION"] = loose
        let writable = try koki(["head"], env)
        #expect(writable.status == 77 && writable.stderr.contains("writable by others"), "\(writable.stderr)")
        // Every refusal is in audit/refused.
        let refused = try koki(["events", "--stream", "audit/refused"], admin).stdout
        #expect(refused.components(separatedBy: "anyone can write").count - 1 == 2, "\(refused)")
        #expect(refused.contains("writable by others"))
    }
}
