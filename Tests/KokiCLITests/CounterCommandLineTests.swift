import Foundation
import KokiTestSupport
import Testing

/// Issue 12 end to end: applications with a second operator's check, eligibility certificates and
/// the copayment class, benefit applications sent to the union and decided.
@Suite struct CounterCommandLineTests {
    let folder: TemporaryFolder
    let admin: [String: String]
    /// Two counter operators: one enters, the other checks.
    let tanaka: [String: String]
    let suzuki: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        admin = try Secured.initialize(folder.path("counter.ledger"), folder: folder.url.path, secondCheck: true)
        tanaka = try Secured.enroll("tanaka", roles: ["counter"], admin: admin, folder: folder.url.path)
        suzuki = try Secured.enroll("suzuki", roles: ["counter"], admin: admin, folder: folder.url.path)
    }

    @discardableResult
    func koki(
        _ arguments: [String], _ env: [String: String], status: Int32 = 0, input: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> KokiProcess.Outcome {
        let outcome = try KokiProcess.run(arguments, environment: env, input: input)
        #expect(
            outcome.status == status, "koki \(arguments.joined(separator: " ")): \(outcome.stderr)",
            sourceLocation: sourceLocation)
        return outcome
    }

    /// The JSON lines of a stream's events.
    func events(_ stream: String) throws -> [[String: Any]] {
        try koki(["events", "--stream", stream], admin).stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    static let register1001 = [
        "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
        "1950-03-01", "--sex", "female", "--address", "千葉県松戸市根本387-5", "--household", "555", "--role",
        "householder", "--household-since", "2000-04-01",
    ]

    func receive(_ person: String, kind: String, _ change: [String], as env: [String: String]) throws -> String {
        let out = try koki(
            [
                "application", "receive", "--person", person, "--kind", kind, "--office", "本庁", "--received",
                "2026-04-01", "--identity", "my-number-card", "--attached", "届出書", "--",
            ] + change, env)
        return String(out.stdout.split(separator: " ")[1])
    }

    /// Registers 1001 (and makes them insured) through confirmed applications.
    func registerThroughApplications() throws {
        let number = try receive("1001", kind: "eligibility", Self.register1001, as: tanaka)
        try koki(["application", "confirm", number], suzuki)
        let acquire = try receive(
            "1001", kind: "eligibility",
            ["eligibility", "acquire", "--number", "1001", "--reason", "reached-75", "--date", "2025-03-01"], as: tanaka
        )
        try koki(["application", "confirm", acquire], suzuki)
    }

    @Test func aChangeTakesEffectOnlyWhenASecondOperatorConfirmsIt() throws {
        // Directly, the change is refused (77) and the person's stream never starts.
        let direct = try koki(Self.register1001, tanaka, status: 77)
        #expect(direct.stderr.contains("second operator"))
        #expect(try events("person/1001").isEmpty)

        // Received: pending, with no effect on the register.
        let number = try receive("1001", kind: "eligibility", Self.register1001, as: tanaka)
        #expect(number.hasPrefix("A20260401-1001-"))
        #expect(try events("person/1001").isEmpty)
        let pending = try koki(["application", "pending", "--office", "本庁", "--on", "2026-04-11"], suzuki).stdout
        #expect(pending.contains(number) && pending.contains("本人の登録") && pending.contains(" 10 "), "\(pending)")
        #expect(pending.contains("本庁：確認待ち 1件"))

        // The operator who entered it may not confirm it; the refusal is recorded.
        let own = try koki(["application", "confirm", number], tanaka, status: 77)
        #expect(own.stderr.contains("入力者以外の職員が確認します"))
        #expect(try events("person/1001").isEmpty)
        #expect(try events("audit/refused").contains { ($0["actor"] as? String) == "tanaka" })

        // A second operator confirms: the change and the confirmation are one command.
        try koki(["application", "confirm", number], suzuki)
        let person = try events("person/1001")
        let counter = try events("counter/1001")
        #expect(person.map { $0["type"] as? String } == ["PersonRegistered", "HouseholdMembershipRecorded"])
        let confirmation = try #require(counter.first { ($0["type"] as? String) == "ApplicationConfirmed" })
        #expect(confirmation["command"] as? String == person[0]["command"] as? String)
        #expect(confirmation["actor"] as? String == "suzuki" && person[0]["actor"] as? String == "suzuki")
        #expect(try koki(["person", "show", "1001"], suzuki).stdout.contains("松戸 花子"))

        // Confirming again records nothing and says who did.
        let again = try koki(["application", "confirm", number], suzuki, status: 65)
        #expect(again.stderr.contains("confirmed by suzuki"))
        #expect(try events("person/1001").count == 2)
        #expect(!(try koki(["application", "pending"], suzuki).stdout.contains(number)))
    }

    @Test func aRejectedApplicationLeavesNothing() throws {
        try registerThroughApplications()
        let before = try events("person/1001").count
        let number = try receive(
            "1001", kind: "income",
            [
                "income", "record", "--number", "1001", "--year", "2025", "--pension", "2000000", "--total", "900000",
                "--source", "申告書",
            ], as: tanaka)
        try koki(["application", "reject", number, "--reason", "書類不備"], suzuki)
        #expect(try events("person/1001").count == before)
        let shown = try koki(["application", "show", number], suzuki).stdout
        #expect(shown.contains("却下（suzuki、") && shown.contains("書類不備"), "\(shown)")
        #expect(shown.contains("koki income record --number 1001"))
        try koki(["application", "confirm", number], suzuki, status: 65)
        #expect(try events("person/1001").count == before)
        let listed = try koki(["application", "list", "1001"], tanaka).stdout
        #expect(listed.contains("確認済み（suzuki、") && listed.contains("却下（suzuki、"), "\(listed)")
    }

    @Test func aWrongApplicationIsRefusedWithNothingRecorded() throws {
        try registerThroughApplications()
        let head = try koki(["head"], admin).stdout
        let acquire = ["eligibility", "acquire", "--number", "1001", "--reason", "reached-75", "--date", "2025-03-01"]
        let cases: [([String], String, String)] = [
            (["--kind", "income", "--"] + acquire, "income application's change is one of", "kind"),
            (
                [
                    "--kind", "eligibility", "--", "eligibility", "acquire", "--number", "1002", "--reason",
                    "reached-75",
                    "--date", "2025-03-01",
                ], "does not name person 1001", "other person"
            ),
            (
                ["--kind", "eligibility", "--"] + acquire + ["--ledger", "/tmp/x.ledger"], "may not choose --ledger",
                "ledger"
            ),
            (
                ["--kind", "eligibility", "--", "eligibility", "acquire", "--number", "1001", "--date", "someday"],
                "not a valid koki command", "unparsable"
            ),
            (["--kind", "certificate", "--"] + acquire, "changes nothing", "no-change kind"),
            (["--kind", "eligibility", "--applicant", "agent"] + ["--"] + acquire, "「申請者氏名」(--applicant-name) が必要です", "agent"),
        ]
        for (arguments, message, name) in cases {
            let out = try koki(
                ["application", "receive", "--person", "1001", "--office", "本庁", "--identity", "passport"] + arguments,
                tanaka, status: 65)
            #expect(out.stderr.contains(message), "\(name): \(out.stderr)")
        }
        #expect(try koki(["head"], admin).stdout == head)
        // A failing change leaves the application pending and records nothing.
        let overlapping = try receive("1001", kind: "eligibility", acquire, as: tanaka)
        let headBefore = try koki(["head"], admin).stdout
        try koki(["application", "confirm", overlapping], suzuki, status: 65)
        #expect(try koki(["head"], admin).stdout == headBefore)
        #expect(try koki(["application", "pending"], suzuki).stdout.contains(overlapping))
    }

    @Test func certificatesAreIssuedReissuedAndTakenBack() throws {
        try registerThroughApplications()
        let first = try koki(
            ["card", "issue", "1001", "--reason", "acquisition", "--valid-from", "2025-03-01", "--on", "2025-03-01"],
            tanaka
        ).stdout
        #expect(first.contains("Q1001-1") && first.contains("令和7年3月1日〜令和7年7月31日") && first.contains("1割"), "\(first)")
        let renewed = try koki(["card", "renew", "--from", "2025-08-01", "--on", "2025-07-15"], tanaka).stdout
        #expect(renewed.contains("資格確認書 1件を交付"), "\(renewed)")
        #expect(
            try koki(["card", "renew", "--from", "2025-08-01", "--on", "2025-07-15"], tanaka).stdout.contains(
                "資格確認書 0件を交付"))
        // One is valid: a new one is a reissue, which invalidates it.
        let request = try koki(
            ["card", "issue", "1001", "--reason", "request", "--valid-from", "2025-09-01"], tanaka, status: 65)
        #expect(request.stderr.contains("is a reissue"))
        let lost = try koki(["card", "issue", "1001", "--reason", "lost", "--on", "2025-10-01"], tanaka).stdout
        #expect(lost.contains("Q1001-3") && lost.contains("Q1001-2 は無効になりました"), "\(lost)")
        let shown = try koki(["card", "show", "1001", "--on", "2025-10-02"], tanaka).stdout
        #expect(shown.contains("Q1001-3 に更新"), "\(shown)")
        #expect(
            shown.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasSuffix(" 有効") }.count
                == 1)

        // Eligibility ends (a death, recorded through an application): the certificate is owed back.
        let died = try receive(
            "1001", kind: "eligibility",
            [
                "eligibility", "lose", "--number", "1001", "--reason", "died", "--date", "2025-12-10", "--today",
                "2025-12-20",
            ], as: tanaka)
        try koki(["application", "confirm", died], suzuki)
        let unreturned = try koki(["card", "unreturned", "--on", "2026-01-01"], tanaka).stdout
        #expect(
            unreturned.contains("Q1001-3") && unreturned.contains("令和7年12月11日") && unreturned.contains("未返還 1件"),
            "\(unreturned)")
        try koki(["card", "return", "1001", "--on", "2026-01-05"], tanaka)
        #expect(try koki(["card", "unreturned", "--on", "2026-01-06"], tanaka).stdout.contains("未返還 0件"))
        try koki(["card", "return", "1001", "--number", "Q1001-3"], tanaka, status: 65)
    }

    @Test func correctingIncomeRedeterminesTheCopaymentClass() throws {
        try registerThroughApplications()
        let income = [
            "income", "record", "--number", "1001", "--year", "2024", "--pension", "2100000", "--total", "1000000",
            "--taxable", "279999", "--source", "連携税マスタ",
        ]
        try koki(["application", "confirm", try receive("1001", kind: "income", income, as: tanaka)], suzuki)
        let card = try koki(["card", "issue", "1001", "--reason", "request", "--valid-from", "2025-08-01"], tanaka)
        #expect(card.stdout.contains("1割"))
        // 課税所得 280,000 reaches the 2割 line: the correction re-determines the year's class.
        var corrected = income
        corrected[corrected.firstIndex(of: "279999")!] = "280000"
        corrected[corrected.firstIndex(of: "連携税マスタ")!] = "修正申告"
        let confirmed = try koki(
            ["application", "confirm", try receive("1001", kind: "income", corrected, as: tanaka)], suzuki
        ).stdout
        #expect(confirmed.contains("一部負担金の割合 1001 令和7年8月1日から：1割 → 2割"), "\(confirmed)")
        #expect(confirmed.contains("資格確認書 Q1001-1 は旧割合のまま"))
        let determinations = try events("counter/1001").filter { ($0["type"] as? String) == "CopayClassDetermined" }
        #expect(determinations.count == 2)
        let explained = try koki(["copay", "show", "1001", "--on", "2025-09-01"], tanaka).stdout
        #expect(explained.contains("2割") && explained.contains("280,000 ≥ 280,000"))
    }

    @Test(arguments: [
        ("taxable=1449999,pension=4000000,total=2000000", "2割"),
        ("taxable=1450000,pension=4000000,total=2000000", "3割"),
        ("taxable=1450000,pension=3829999,total=2000000", "2割"),
        ("taxable=279999,pension=2500000,total=1000000", "1割"),
        ("taxable=280000,pension=1999999", "1割"),
        ("taxable=280000,pension=2000000", "2割"),
    ])
    func copayBoundaries(figures: String, expected: String) throws {
        let out = try koki(["calc", "copay", "--on", "2026-09-01", "--member", "1001:" + figures], [:])
        #expect(out.stdout.hasPrefix("1001：\(expected)"), "\(figures): \(out.stdout)")
    }

    @Test func benefitApplicationsGoToTheUnionAndComeBackDecided() throws {
        try registerThroughApplications()
        let received = try koki(
            [
                "benefit", "receive", "1001", "--kind", "medical-expenses", "--office", "本庁", "--identity",
                "my-number-card", "--received", "2025-06-01", "--service-from", "2025-05-10", "--claimed", "12000",
                "--bank", "0001", "--branch", "001", "--account", "1234567", "--holder", "ﾏﾂﾄﾞ ﾊﾅｺ",
            ], tanaka
        ).stdout
        // 「給付申請 NUMBER を受け付けました（…）」
        let number = String(received.split(separator: " ")[1])
        #expect(number == "B20250601-1001-3")
        var open = try koki(["benefit", "open", "--on", "2025-09-01"], tanaka).stdout
        #expect(open.contains(number) && open.contains("92") && open.contains("未送付"), "\(open)")
        #expect(open.contains("90日超：1件"))

        // Sent with the next transfer to the union, with the account the union pays into.
        try koki(
            [
                "transfer", "destination", "add", "union", "--name", "広域連合", "--kind", "union", "--item",
                "benefit-application",
            ], admin)
        let file = folder.path("union.jsonl")
        try koki(["transfer", "union", "--date", "2025-06-02", "--out", file], admin)
        let sent = try String(contentsOfFile: file, encoding: .utf8)
        #expect(sent.contains(number) && sent.contains("\"account\":{\"bank\":\"0001\""))
        open = try koki(["benefit", "open", "--on", "2025-09-01"], tanaka).stdout
        #expect(open.contains("令和7年6月2日"), "\(open)")

        // The month's decisions: one bad line and nothing is recorded.
        let csv = folder.path("decisions.csv")
        let header = "number,decision,amount,decided_on,paid_on,reference,reason\n"
        try
            (header
            + "\(number),approved,11000,2025-07-20,2025-07-25,R-1,\nB20250601-1001-9,approved,1,2025-07-20,,R-2,\n")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let bad = try koki(["benefit", "decisions", csv], tanaka, status: 65)
        #expect(bad.stderr.contains("line 3") && bad.stderr.contains("B20250601-1001-9"))
        #expect(try koki(["benefit", "open", "--on", "2025-09-01"], tanaka).stdout.contains(number))
        try (header + "\(number),approved,11000,2025-07-20,2025-07-25,R-1,\n")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try koki(["benefit", "decisions", csv], tanaka).stdout.contains("支給 1件（11,000円）"))
        #expect(try koki(["benefit", "decisions", csv], tanaka).stdout.contains("記録済み"))
        #expect(try koki(["benefit", "open", "--on", "2025-09-01"], tanaka).stdout.contains("審査中 0件"))
        #expect(try koki(["benefit", "list", "1001"], tanaka).stdout.contains("支給決定 11,000円（令和7年7月20日）"))
    }
}
