import Foundation
import KokiTestSupport
import Testing

/// Issue 9 end to end: roles against commands, sessions (none, forged, revoked, logged out),
/// lockout, My Number only for the number-use role, erasure by deleting the key, and a scan
/// of the ledger file and every output for a known name and My Number in plain text.
@Suite struct SecurityCommandLineTests {
    let folder: TemporaryFolder
    let ledger: String
    let admin: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        ledger = folder.path("secure.ledger")
        admin = try Secured.initialize(ledger, folder: folder.url.path)
    }

    func koki(_ arguments: [String], _ env: [String: String], input: String? = nil) throws -> KokiProcess.Outcome {
        try KokiProcess.run(arguments, environment: env, input: input)
    }

    func register(_ number: String, as env: [String: String]) throws {
        let outcome = try koki(
            [
                "person", "register", "--number", number, "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
                "1941-01-31", "--sex", "female", "--address", "千葉県松戸市根本387-5",
            ], env)
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }

    /// A person insured from their 75th birthday, with a My Number.
    func registerInsured(_ number: String, as env: [String: String]) throws {
        try register(number, as: env)
        let acquired = try koki(
            ["eligibility", "acquire", "--number", number, "--reason", "reached-75", "--date", "2016-01-31"], env)
        #expect(acquired.status == 0, "\(acquired.stderr)")
        #expect(try koki(["mynumber", "record", number], env, input: "123456789018\n").status == 0)
    }

    func head() throws -> Int {
        Int(try koki(["head"], admin).stdout.split(separator: " ")[1])!
    }

    @Test func eachRoleMayRunOnlyItsFunctions() throws {
        let counter = try Secured.enroll("counter1", roles: ["counter"], admin: admin, folder: folder.url.path)
        let auditor = try Secured.enroll("auditor1", roles: ["auditor"], admin: admin, folder: folder.url.path)
        let assessor = try Secured.enroll("assess1", roles: ["assessment"], admin: admin, folder: folder.url.path)
        try register("1001", as: counter)
        // (operator, command, allowed)
        let cases: [([String: String], [String], Bool)] = [
            (counter, ["person", "show", "1001"], true),
            (auditor, ["person", "show", "1001"], true),
            (auditor, ["rates", "adopt", "--fiscal-year", "2025"], false),
            (counter, ["rates", "adopt", "--fiscal-year", "2025"], false),
            (assessor, ["rates", "show", "--fiscal-year", "2025"], true),
            (counter, ["audit", "log"], false),
            (auditor, ["audit", "log"], true),
            (counter, ["operator", "list"], false),
            (admin, ["operator", "list"], true),
            (admin, ["person", "show", "1001"], false),  // administrators see no personal data by default
            (counter, ["mynumber", "show", "1001", "--purpose", "x"], false),
            (auditor, ["verify"], true),
            (counter, ["verify"], false),
            (counter, ["erase", "--due"], false),
        ]
        for (env, arguments, allowed) in cases {
            let before = try head()
            let outcome = try koki(arguments, env)
            if allowed {
                #expect(outcome.status != 77, "\(arguments): \(outcome.stderr)")
            } else {
                #expect(outcome.status == 77, "\(arguments) must be refused: \(outcome.stderr)")
                #expect(outcome.stderr.contains("の権限がありません"), "\(outcome.stderr)")
                // The refusal, and nothing else, was recorded.
                let after = try koki(["events", "--from", String(before + 1), "--format", "table"], auditor).lines
                #expect(after.dropFirst().first?.contains("AccessRefused") == true, "\(after)")
            }
        }
        // The administrator changes the matrix; the counter may then adopt rates.
        #expect(try koki(["roles", "grant", "counter", "assessment.write"], admin).status == 0)
        #expect(try koki(["rates", "adopt", "--fiscal-year", "2025"], counter).status != 77)
    }

    @Test func missingForgedEndedAndRevokedSessionsAreRefused() throws {
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        #expect(try koki(["whoami"], op).stdout.hasPrefix("op (Test op):"))
        // Forged: the same file with another token.
        let file = op["KOKI_SESSION"]!
        var session =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [String: Any]
        let real = session["token"] as! String
        session["token"] = Data(repeating: 7, count: 32).base64EncodedString()
        var forged = op
        forged["KOKI_SESSION"] = folder.path("forged.session")
        let forgedData = try JSONSerialization.data(withJSONObject: session)
        FileManager.default.createFile(
            atPath: forged["KOKI_SESSION"]!, contents: forgedData, attributes: [.posixPermissions: 0o600])
        let refused = try koki(["head"], forged)
        #expect(refused.status == 77 && refused.stderr.contains("この台帳が発行したセッションではありません"))
        // A session file others can read is refused.
        session["token"] = real
        let loose = folder.path("loose.session")
        FileManager.default.createFile(
            atPath: loose, contents: try JSONSerialization.data(withJSONObject: session),
            attributes: [.posixPermissions: 0o644])
        var looseEnv = op
        looseEnv["KOKI_SESSION"] = loose
        #expect(try koki(["head"], looseEnv).stderr.contains("readable by others"))
        // Revoking ends the session at once.
        #expect(try koki(["head"], op).status == 0)
        #expect(try koki(["operator", "revoke", "op", "--reason", "left the division"], admin).status == 0)
        let revoked = try koki(["head"], op)
        #expect(revoked.status == 77 && revoked.stderr.contains("終了しています（利用者の失効、operator-revoked）"), "\(revoked.stderr)")
        #expect(try koki(["login", "op", "--password-stdin"], op, input: Secured.password + "\n").status == 77)
        // Logout ends a session.
        let other = try Secured.enroll("op2", admin: admin, folder: folder.url.path)
        #expect(try koki(["logout"], other).status == 0)
        #expect(try koki(["head"], other).status == 77)
        // The auditor sees it all.
        let auditor = try Secured.enroll("aud", roles: ["auditor"], admin: admin, folder: folder.url.path)
        let log = try koki(["audit", "log", "--operator", "op"], auditor).stdout
        #expect(log.contains("ログイン") && log.contains("利用者の失効"), "\(log)")
        let review = try koki(["audit", "review"], auditor).stdout
        #expect(review.contains("拒否された操作とログイン失敗："))
    }

    @Test func failedLoginsLockTheOperatorOutFromThatTerminalUntilUnlocked() throws {
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        for attempt in 1...5 {
            // After two failures in a row each attempt waits 1, 2 … seconds (see LockoutTests).
            if attempt > 3 { usleep(UInt32(1 << (attempt - 4)) * 1_000_000 + 200_000) }
            let outcome = try koki(["login", "op", "--password-stdin"], op, input: "wrong-password-\(attempt)\n")
            #expect(outcome.status == 77)
            #expect(outcome.stderr.contains("now locked out") == (attempt == 5), "\(attempt): \(outcome.stderr)")
        }
        // Locked out from this terminal: the right password fails too; the open session goes on.
        #expect(try koki(["login", "op", "--password-stdin"], op, input: Secured.password + "\n").status == 77)
        #expect(try koki(["head"], op).status == 0)
        #expect(try koki(["operator", "unlock", "op", "--reason", "identity checked"], admin).status == 0)
        try Secured.login("op", password: Secured.password, env: op)
        #expect(try koki(["head"], op).status == 0)
        // Their own password: the current one first, then the new one.
        let wrong = try koki(["operator", "password", "--password-stdin"], op, input: "not-it\nnew-password-123\n")
        #expect(wrong.status == 77 && wrong.stderr.contains("current password is wrong"))
        let changed = try koki(
            ["operator", "password", "--password-stdin"], op, input: Secured.password + "\nnew-password-123\n")
        #expect(changed.status == 0, "\(changed.stderr)")
        try Secured.login("op", password: "new-password-123", env: op)
    }

    @Test func myNumberOnlyForNumberUseAndNowhereInPlainText() throws {
        let counter = try Secured.enroll("counter1", roles: ["counter"], admin: admin, folder: folder.url.path)
        let numbers = try Secured.enroll("num1", roles: ["number-use"], admin: admin, folder: folder.url.path)
        let auditor = try Secured.enroll("aud", roles: ["auditor"], admin: admin, folder: folder.url.path)
        try register("1001", as: counter)
        let myNumber = "123456789018"  // a valid check digit
        #expect(try koki(["mynumber", "record", "1001"], counter, input: myNumber + "\n").status == 77)
        let wrong = try koki(["mynumber", "record", "1001"], numbers, input: "123456789012\n")
        #expect(wrong.status == 65 && wrong.stderr.contains("check digit") && !wrong.stderr.contains("123456789012"))
        let recorded = try koki(["mynumber", "record", "1001"], numbers, input: myNumber + "\n")
        #expect(recorded.status == 0 && recorded.stdout.contains("********9018"), "\(recorded.stderr)")
        let shown = try koki(["mynumber", "show", "1001", "--purpose", "番号法第9条 賦課の照会"], numbers)
        #expect(shown.stdout == myNumber + "\n")
        let found = try koki(["mynumber", "lookup", "--purpose", "本人確認"], numbers, input: myNumber + "\n")
        #expect(found.stdout == "1001\n")
        // Every other output: no number. The log names the purpose and the person, never the number.
        var outputs: [KokiProcess.Outcome] = [recorded, wrong]
        outputs.append(try koki(["person", "show", "1001"], counter))
        outputs.append(try koki(["events"], auditor))
        outputs.append(try koki(["audit", "log"], auditor))
        outputs.append(try koki(["audit", "review"], auditor))
        for o in outputs { #expect(!(o.stdout + o.stderr).contains(myNumber)) }
        let log = outputs[4].stdout
        #expect(log.contains("番号法第9条 賦課の照会") && log.contains("mynumber show") && log.contains("1001"))
        // The ledger file (and its write-ahead log): neither the name nor the number in plain text.
        _ = try koki(["rebuild"], admin)
        for file in [ledger, ledger + "-wal"] {
            guard let bytes = FileManager.default.contents(atPath: file) else { continue }
            for secret in ["松戸 花子", "マツド ハナコ", myNumber, "根本387-5"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) in \(file)")
            }
        }
    }

    @Test func erasureDeletesTheKeyAndKeepsTheLedgerWhole() throws {
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        try registerInsured("1001", as: op)
        #expect(
            try koki(["eligibility", "lose", "--number", "1001", "--reason", "moved-out", "--date", "2019-03-31"], op)
                .status == 0)
        // Too early: refused, naming why; nothing appended.
        let before = try head()
        let early = try koki(["erase", "1001", "--on", "2023-01-01"], op)
        #expect(early.status == 65 && early.stderr.contains("retention runs until 2024-04-01"), "\(early.stderr)")
        #expect(try head() == before, "a refused erasure appends nothing")
        let due = try koki(["erase", "--due", "--on", "2026-04-01"], op)
        #expect(due.stdout.contains("1001") && due.stdout.contains("うち消去できる方 1人"), "\(due.stdout)")
        #expect(try koki(["erase", "--due", "--apply", "--on", "2026-04-01"], op).stdout.contains("消去 1人"))
        let shown = try koki(["person", "show", "1001"], op)
        #expect(shown.status == 0 && shown.stdout.contains("本人情報    （消去済み）"))
        #expect(try koki(["mynumber", "lookup", "--purpose", "x"], op, input: "123456789018\n").status == 65)
        #expect(try koki(["verify"], op).status == 0)
        #expect(try koki(["rebuild", "--check"], op).status == 0)
        #expect(try koki(["balances"], op).status == 0)
        #expect(try koki(["erase", "1001", "--on", "2026-04-01"], op).stderr.contains("erased already"))
    }

    @Test func transfersSendOnlyLawfulRegisteredItemsOfWhatChanged() throws {
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        try registerInsured("1001", as: op)
        // The residents division may not receive premiums: refused, nothing appended.
        let before = try head()
        let forbidden = try koki(
            ["transfer", "destination", "add", "shimin", "--name", "市民課", "--kind", "residents", "--item", "premium"],
            op)
        #expect(forbidden.status == 65 && forbidden.stderr.contains("may not receive premium"), "\(forbidden.stderr)")
        #expect(try head() == before)
        #expect(
            try koki(
                [
                    "transfer", "destination", "add", "shimin", "--name", "市民課", "--kind", "residents", "--item",
                    "eligibility-change",
                ], op
            ).status == 0)
        #expect(
            try koki(
                [
                    "transfer", "destination", "add", "kouiki", "--name", "千葉県後期高齢者医療広域連合", "--kind", "union",
                    "--item", "insured-person",
                ], op
            ).status == 0)
        // Unregistered destination, an item not registered: refused, no file.
        let out = folder.path("t1.jsonl")
        #expect(try koki(["transfer", "nowhere", "--date", "2026-04-01", "--out", out], op).status == 65)
        let notRegistered = try koki(
            ["transfer", "kouiki", "--date", "2026-04-01", "--out", out, "--item", "premium"], op)
        #expect(notRegistered.status == 65 && notRegistered.stderr.contains("not registered to receive premium"))
        #expect(!FileManager.default.fileExists(atPath: out))
        // The union gets the insured person (name included, My Number never); the residents division
        // only the eligibility change.
        let sent = try koki(["transfer", "kouiki", "--date", "2026-04-01", "--out", out], op)
        #expect(sent.status == 0 && sent.stdout.contains("1人（被保険者情報 1件）"), "\(sent.stdout) \(sent.stderr)")
        let file = try String(contentsOfFile: out, encoding: .utf8)
        #expect(file.contains(#""item":"insured-person","person":"1001""#) && file.contains("松戸 花子"))
        #expect(!file.contains("123456789018") && !file.contains("premium"))
        let residents = folder.path("t2.jsonl")
        #expect(try koki(["transfer", "shimin", "--date", "2026-04-01", "--out", residents], op).status == 0)
        let rows = try String(contentsOfFile: residents, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 1 && rows[0].contains(#""item":"eligibility-change""#) && !rows[0].contains("松戸"))
        // Only what changed since: a second transfer to the union is empty.
        let again = folder.path("t3.jsonl")
        #expect(
            try koki(["transfer", "kouiki", "--date", "2026-04-02", "--out", again], op).stdout.contains("、0人（"))
        // Recorded with the file's hash; the reads are in the audit log with their purpose.
        let history = try koki(["transfer", "history", "kouiki"], op).stdout
        let sha = Process()
        sha.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha.arguments = [out]
        let pipe = Pipe()
        sha.standardOutput = pipe
        try sha.run()
        let digest = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        sha.waitUntilExit()
        #expect(digest.count == 64 && history.contains(String(digest)), "\(history)")
        #expect(history.contains("令和8年4月1日") && history.contains("令和8年4月2日"))
        let log = try koki(["audit", "log", "--person", "1001"], op).stdout
        #expect(log.contains("transfer to kouiki") && log.contains("transfer to shimin"), "\(log)")
    }
}
