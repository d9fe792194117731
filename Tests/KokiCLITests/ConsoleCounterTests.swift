import Foundation
import KokiTestSupport
import Testing

/// The console's counter work and the auditor's pages: finding a person by name or kana (only
/// those shown recorded as read), the person's page as one read with the sections a role may
/// see, an application received by one operator and confirmed only by another, a certificate
/// and a payment certificate issued once however often the form is sent, a notice reissued, and
/// the audit log a page at a time.
@Suite(.serialized) struct ConsoleCounterTests {
    typealias Browser = ConsoleTests.Browser
    let folder: TemporaryFolder
    let ledger: String
    let clerk: [String: String]
    let reader: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        ledger = folder.path("counter.ledger")
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        clerk = try Secured.enroll("clerk", admin: admin, folder: folder.url.path)
        _ = try Secured.enroll("second", roles: ["counter"], admin: admin, folder: folder.url.path)
        reader = try Secured.enroll("reader", roles: ["auditor"], admin: admin, folder: folder.url.path)
        // My Number work reads the register only: the money and the counter's records are not its.
        _ = try Secured.enroll("numbers", roles: ["number-use"], admin: admin, folder: folder.url.path)
        let settings = folder.path("notices.json")
        try Data(
            #"{"city":"松戸市","issuer":"松戸市長","department":"後期高齢者医療班","address":"松戸市根本387-5","phone":"047-366-7344","barcodeIssuer":"123456"}"#
                .utf8
        ).write(to: URL(fileURLWithPath: settings))
        for arguments in [
            [
                "person", "register", "--number", "1", "--name", "松戸 花子", "--kana", "マツド ハナコ",
                "--birth-date", "1940-01-01", "--sex", "female", "--address", "松戸市小金1番",
            ],
            [
                "person", "register", "--number", "2", "--name", "山田 太郎", "--kana", "ヤマダ タロウ",
                "--birth-date", "1941-02-03", "--sex", "male", "--address", "松戸市新松戸2番",
            ],
            ["eligibility", "acquire", "--number", "1", "--reason", "reached-75", "--date", "2015-01-01"],
            ["eligibility", "acquire", "--number", "2", "--reason", "reached-75", "--date", "2016-02-03"],
            ["rates", "adopt", "--fiscal-year", "2025"], ["calendar", "adopt", "--fiscal-year", "2025"],
            ["assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10"],
            ["pay", "record", "1", "--amount", "5000", "--paid-on", "2025-07-31"],
            ["notices", "settings", "adopt", "--file", settings],
        ] {
            let outcome = try KokiProcess.run(arguments, environment: clerk)
            #expect(outcome.status == 0, "koki \(arguments.joined(separator: " ")): \(outcome.stderr)")
        }
    }

    func loggedIn(_ id: String, _ server: KokiProcess.Serving) throws -> (Browser, String) {
        var browser = Browser(url: server.url)
        let token = try #require(Browser.token(browser.send("GET", "/console/login").body))
        let login = browser.send("POST", "/console/login", form: ["operator": id, "password": Secured.password, "csrf": token])
        #expect(login.status == 303, "login \(id): \(login.status)")
        return (browser, token)
    }

    /// How many events of a type the ledger holds.
    func count(_ type: String) throws -> Int {
        try KokiProcess.run(["events", "--type", type], environment: reader).lines.count
    }

    static func action(_ page: String, form: String) -> String? {
        guard let start = page.range(of: "action=\"\(form)\"") else { return nil }
        return page[start.upperBound...].firstMatch(of: /name="action" value="([0-9A-Fa-f-]{36})"/).map { String($0.1) }
    }

    @Test func aPersonIsFoundByNameOrKanaAndOnlyThoseShownAreRecorded() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var (browser, token) = try loggedIn("clerk", server)
        func find(_ name: String, birth: String = "") -> (status: Int, headers: [String: String], body: String) {
            browser.send("POST", "/console/find", form: ["csrf": token, "name": name, "birth": birth])
        }
        // Hiragana finds katakana; full-width and spaces do not matter.
        let found = find("やまだ　たろう")
        #expect(found.status == 200, "\(found.body)")
        #expect(found.body.contains(#"<a href="/console/person/2">2</a>"#) && found.body.contains("山田 太郎"))
        #expect(!found.body.contains("花子") && found.body.contains("昭和16年2月3日"))
        let byKanji = find("松戸")
        #expect(byKanji.body.contains("松戸 花子") && !byKanji.body.contains("山田"))
        // The read is recorded for the person shown, not for everyone whose name was compared.
        let finds = { (person: String) in
            try KokiProcess.run(
                ["audit", "log", "--person", person, "--command", "person find", "--json"], environment: self.reader
            ).lines.count
        }
        #expect(try finds("2") == 1 && finds("1") == 1, "each search recorded for the persons it showed")
        // Too short a name, a birth date that does not read: refused, the field named.
        let short = find("や")
        #expect(short.status == 400 && short.body.contains("「氏名」(--name)"), "\(short.status) \(short.body.suffix(300))")
        let badDate = find("yamada", birth: "1941-02-30")
        #expect(badDate.status == 400 && badDate.body.contains("「生年月日」"))
        // Never in a link: a name asked in the address is not searched.
        let linked = browser.send("GET", "/console/find?name=yamada")
        #expect(linked.status == 303 && linked.headers["location"] == "/console/search")
        // Without the browser's token (another site's page): refused, nothing read.
        let reads = try count("PersonalDataAccessed")
        #expect(browser.send("POST", "/console/find", form: ["csrf": String(repeating: "0", count: 64), "name": "山田"]).status == 403)
        #expect(try count("PersonalDataAccessed") == reads)
        // The command line finds the same, with the birth date as a second key.
        let line = try KokiProcess.run(
            ["person", "find", "--name", "ﾔﾏﾀﾞ", "--birth-date", "1941-02-03", "--purpose", "窓口"], environment: clerk)
        #expect(line.status == 0 && line.stdout.contains("山田 太郎") && line.stdout.contains("1件"), "\(line.stdout) \(line.stderr)")
        let none = try KokiProcess.run(["person", "find", "--name", "ヤマダ", "--birth-date", "1950-01-01"], environment: clerk)
        #expect(none.status == 0 && !none.stdout.contains("山田"))
    }

    @Test func thePersonsPageIsOneReadWithTheSectionsTheRoleMaySee() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var (browser, _) = try loggedIn("clerk", server)
        let reads = try count("PersonalDataAccessed")
        let page = browser.send("GET", "/console/person/1")
        #expect(page.status == 200)
        #expect(try count("PersonalDataAccessed") == reads + 1, "one view, one read recorded")
        for heading in ["本人", "保険料", "収納履歴", "資格確認書", "申請・届出", "文書（発行履歴）", "折衝記録", "分納"] {
            #expect(page.body.contains("<h2>\(heading)</h2>"), "\(heading)")
        }
        for form in ["/payment", "/application", "/card", "/certificate"] {
            #expect(page.body.contains("action=\"/console/person/1\(form)\""), "\(form)")
        }
        // A role that reads the register only: the rest is left out and named, no form offered.
        var (numbers, _) = try loggedIn("numbers", server)
        let limited = numbers.send("GET", "/console/person/1")
        #expect(limited.status == 200 && limited.body.contains("松戸 花子"))
        #expect(limited.body.contains("表示しない欄") && limited.body.contains("保険料・収納"))
        #expect(!limited.body.contains("未納額") && !limited.body.contains("action=\"/console/person/1/payment\""))
        // An auditor may look at the page as the ledger knew it at a past position: the money
        // before the payment was recorded.
        var (auditor, _) = try loggedIn("reader", server)
        let now = auditor.send("GET", "/console/person/1")
        #expect(now.body.contains("過去の時点の記録") && !now.body.contains("action=\"/console/person/1/payment\""))
        let paid = try KokiProcess.run(["events", "--type", "PaymentReceived"], environment: reader).stdout
        let position = try #require(paid.firstMatch(of: /"position":(\d+)/).map { String($0.1) })
        let past = auditor.send("GET", "/console/person/1?known-at=\(Int(position)! - 1)")
        #expect(past.status == 200 && past.body.contains("の時点で台帳が記録していた内容です"))
        #expect(!past.body.contains("5,000") && now.body.contains("5,000"))
    }

    @Test func anApplicationIsConfirmedByAnotherOperatorOnly() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var (browser, token) = try loggedIn("clerk", server)
        let page = browser.send("GET", "/console/person/2").body
        let action = try #require(Self.action(page, form: "/console/person/2/application"))
        var form = [
            "csrf": token, "action": action, "kind": "household", "office": "本庁", "received": "2025-08-01",
            "applicant": "person", "identity": "my-number-card", "attached": "転居届", "postalCode": "270-0034",
            "address": "松戸市新松戸9番",
        ]
        let address = { try KokiProcess.run(["person", "show", "2", "--json"], environment: self.clerk).stdout }
        // A field missing: named, nothing received.
        var missing = form
        missing["address"] = ""
        missing["postalCode"] = ""
        let received = try count("ApplicationReceived")
        let refused = browser.send("POST", "/console/person/2/application", form: missing)
        #expect(refused.status == 422 && refused.body.contains("「住所」"), "\(refused.status)")
        #expect(try count("ApplicationReceived") == received)

        let sent = browser.send("POST", "/console/person/2/application", form: form)
        let location = try #require(sent.headers["location"])
        #expect(sent.status == 303 && location.hasPrefix("/console/person/2?done=application&ref=A20250801-2-"), "\(location)")
        let number = String(location.split(separator: "=").last ?? "")
        // Sent again (a double click): the same application, not a second one.
        #expect(browser.send("POST", "/console/person/2/application", form: form).headers["location"] == location)
        #expect(try count("ApplicationReceived") == received + 1)
        #expect(try !address().contains("新松戸9番"), "nothing changes before the second check")

        // The operator who entered it may not confirm it: refused, recorded, nothing changed.
        let shown = browser.send("GET", "/console/applications/\(number)")
        #expect(shown.body.contains("松戸市新松戸9番") && shown.body.contains("本人情報の変更") && shown.body.contains("あなたが入力しました"))
        let own = browser.send(
            "POST", "/console/applications/\(number)/confirm",
            form: ["csrf": token, "action": try #require(Self.action(shown.body, form: "/console/applications/\(number)/confirm"))])
        #expect(own.status == 403, "\(own.status)")
        #expect(try !address().contains("新松戸9番"))

        // Another operator sees it waiting and confirms it: the change is recorded with it, once.
        var (second, secondToken) = try loggedIn("second", server)
        let pending = second.send("GET", "/console/applications")
        #expect(pending.body.contains(number) && pending.body.contains("本人情報の変更"))
        let check = second.send("GET", "/console/applications/\(number)").body
        let confirm = [
            "csrf": secondToken, "action": try #require(Self.action(check, form: "/console/applications/\(number)/confirm")),
        ]
        let confirmed = second.send("POST", "/console/applications/\(number)/confirm", form: confirm)
        #expect(confirmed.status == 303 && confirmed.headers["location"] == "/console/applications/\(number)?done=confirmed")
        #expect(try address().contains("新松戸9番"))
        #expect(second.send("POST", "/console/applications/\(number)/confirm", form: confirm).status == 303)
        #expect(try count("ApplicationConfirmed") == 1)
        let after = second.send("GET", "/console/applications/\(number)?done=confirmed").body
        #expect(after.contains("確認し、変更を記録しました") && after.contains("確認済み（second"))

        // A kind that changes nothing refuses change fields rather than dropping them.
        form["action"] = UUID().uuidString
        form["kind"] = "other"
        let other = browser.send("POST", "/console/person/2/application", form: form)
        #expect(other.status == 422 && other.body.contains("空にしてください"))
    }

    @Test func anIncomeDeclarationAndABankDebitAreReceivedCheckedAndConfirmed() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var (browser, token) = try loggedIn("clerk", server)
        let base = [
            "csrf": token, "office": "本庁", "received": "2025-08-01", "applicant": "person", "identity": "my-number-card",
        ]
        func receive(_ fields: [String: String]) -> (status: Int, headers: [String: String], body: String) {
            browser.send(
                "POST", "/console/person/1/application",
                form: base.merging(fields) { $1 }.merging(["action": UUID().uuidString]) { $1 })
        }
        let received = try count("ApplicationReceived")
        // Values that do not read are refused at the counter, naming the field; nothing received.
        let badBank = receive([
            "kind": "debit", "bank": "12", "branch": "001", "accountType": "1", "account": "1234567", "holder": "ﾏﾂﾄﾞ ﾊﾅｺ",
        ])
        #expect(badBank.status == 422 && badBank.body.contains("金融機関コード「12」"), "\(badBank.body.suffix(300))")
        let badIncome = receive(["kind": "income", "incomeYear": "2024", "totalIncome": "百万"])
        #expect(badIncome.status == 422 && badIncome.body.contains("「総所得金額等」(--total)"))
        let huge = receive(["kind": "income", "incomeYear": "2024", "totalIncome": "9223372036854775807"])
        #expect(huge.status == 422 && huge.body.contains("--total"), "\(huge.body.suffix(300))")
        let stray = receive(["kind": "income", "incomeYear": "2024", "totalIncome": "1000000", "bank": "0001"])
        #expect(stray.status == 422 && stray.body.contains("口座振替"), "\(stray.body.suffix(300))")
        #expect(try count("ApplicationReceived") == received)

        // A declaration that reads: received, then confirmed by another operator — recorded then.
        let income = receive([
            "kind": "income", "incomeYear": "2024", "pension": "1,800,000", "totalIncome": "1,000,000",
        ])
        let location = try #require(income.headers["location"], "\(income.status) \(income.body.suffix(300))")
        let number = String(location.split(separator: "=").last ?? "")
        let incomes = try count("IncomeRecorded")
        var (second, secondToken) = try loggedIn("second", server)
        let shown = second.send("GET", "/console/applications/\(number)").body
        #expect(shown.contains("所得の申告") && shown.contains("1800000"), "\(shown.suffix(600))")
        let confirm = ["csrf": secondToken, "action": try #require(Self.action(shown, form: "/console/applications/\(number)/confirm"))]
        #expect(second.send("POST", "/console/applications/\(number)/confirm", form: confirm).status == 303)
        #expect(try count("IncomeRecorded") == incomes + 1)
    }

    @Test func certificatesAndDocumentsAreIssuedOnceAndReissued() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var (browser, token) = try loggedIn("clerk", server)
        let page = browser.send("GET", "/console/person/1").body
        let card = [
            "csrf": token, "action": try #require(Self.action(page, form: "/console/person/1/card")), "reason": "request",
            "delivery": "counter", "office": "本庁",
        ]
        let issued = browser.send("POST", "/console/person/1/card", form: card)
        #expect(issued.status == 303 && issued.headers["location"] == "/console/person/1?done=card&ref=Q1-1", "\(issued.body.suffix(300))")
        #expect(browser.send("POST", "/console/person/1/card", form: card).status != 500)
        #expect(try count("CertificateIssued") == 1)
        #expect(browser.send("GET", "/console/person/1?done=card&ref=Q1-1").body.contains("資格確認書 Q1-1 を交付しました"))
        // The words after the redirect come from a fixed list: a link cannot put its own on the page.
        let forged = browser.send("GET", "/console/person/1?done=card&ref=%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89")
        #expect(!forged.body.contains("パスワード") && forged.body.contains("資格確認書  を交付しました"))

        // A payment certificate: the document's own page, its style allowed by a nonce only.
        let certificate = [
            "csrf": token, "action": try #require(Self.action(page, form: "/console/person/1/certificate")),
            "span": "fiscal", "year": "2025",
        ]
        let document = browser.send("POST", "/console/person/1/certificate", form: certificate)
        #expect(document.status == 200 && document.body.contains("納付済確認書"), "\(document.body.suffix(300))")
        let policy = document.headers["content-security-policy"] ?? ""
        let nonce = try #require(policy.firstMatch(of: /style-src 'nonce-([0-9a-f]{64})'/).map { String($0.1) })
        #expect(policy.hasPrefix("default-src 'none'") && document.body.contains("<style nonce=\"\(nonce)\">"))
        let numberIssued = try #require(document.body.firstMatch(of: /C\d{8}-1-\d+/).map { String($0.0) })
        let again = browser.send("POST", "/console/person/1/certificate", form: certificate)
        #expect(again.body.contains(numberIssued) && again.headers["content-security-policy"] != policy)
        #expect(try count("DocumentIssued") == 1)
        // A year that does not read: the field named.
        var bad = certificate
        bad["action"] = UUID().uuidString
        bad["year"] = "二〇二五"
        #expect(browser.send("POST", "/console/person/1/certificate", form: bad).body.contains("「年」"))

        // Reissued from the page's list of documents: the same document, recorded as a reissue.
        let listed = browser.send("GET", "/console/person/1").body
        #expect(listed.contains(numberIssued))
        let reissue = browser.send(
            "POST", "/console/notice/\(numberIssued)/reissue",
            form: ["csrf": token, "action": try #require(Self.action(listed, form: "/console/notice/\(numberIssued)/reissue"))])
        #expect(reissue.status == 200 && reissue.body.contains(numberIssued))
        #expect(try count("DocumentIssued") == 2)
    }

    @Test func theAuditLogIsReadAPageAtATime() throws {
        // Enough events between the accesses that a page reaches back over several windows.
        let appended = try KokiProcess.run(
            ["testing", "append", "--person", "9", "--batches", "3", "--batch-size", "3000"], environment: clerk)
        #expect(appended.status == 0, "\(appended.stderr)")
        for _ in 0..<3 { _ = try KokiProcess.run(["person", "show", "1"], environment: clerk) }
        let whole = try KokiProcess.run(["audit", "log", "--json"], environment: reader).lines
        let positions = whole.compactMap { $0.firstMatch(of: /"position":(\d+)/).map { Int64($0.1)! } }
        #expect(positions.count > 12)
        // Pages of five, each before the first position of the one after it, make the log again.
        var pages: [Int64] = []
        var before: Int64? = nil
        repeat {
            let page = try KokiProcess.run(
                ["audit", "log", "--json", "--limit", "5"] + (before.map { ["--before-position", "\($0)"] } ?? []),
                environment: reader
            ).lines.compactMap { $0.firstMatch(of: /"position":(\d+)/).map { Int64($0.1)! } }
            #expect(page.count <= 5 && page == page.sorted())
            pages = page + pages
            before = page.count == 5 ? page.first : nil
        } while before != nil
        // The log read whole and in pages: the same entries (each run of the command is itself a
        // page view, recorded after it ran, so the paged log may be a little longer at its end).
        #expect(Array(pages.prefix(positions.count)) == positions, "\(pages.prefix(20)) \(positions.prefix(20))")
        let wrong = try KokiProcess.run(["audit", "log", "--before-position", "10"], environment: reader)
        #expect(wrong.status == 65 && wrong.stderr.contains("--limit"))
        let huge = try KokiProcess.run(["audit", "log", "--limit", "5001"], environment: reader)
        #expect(huge.status == 65)

        // The console's audit page: the newest first, only before the position asked for.
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var (auditor, _) = try loggedIn("reader", server)
        let cut = positions[positions.count / 2]
        let page = auditor.send("GET", "/console/audit?before=\(cut)")
        #expect(page.status == 200 && page.body.contains("最新"))
        let shown = page.body.matches(of: /<tr><td class="num">(\d+)<\/td>/).map { Int64($0.1)! }
        #expect(!shown.isEmpty && shown.allSatisfy { $0 < cut } && shown == shown.sorted(by: >), "\(shown.prefix(5))")
    }

    @Test func aContactIsRecordedOnceWithItsWordsChecked() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var (browser, token) = try loggedIn("clerk", server)
        let page = browser.send("GET", "/console/person/1").body
        var form = [
            "csrf": token, "action": try #require(Self.action(page, form: "/console/person/1/contact")),
            "on": "2025-09-01", "method": "phone", "counterpart": "長男", "content": "督促状の件で電話。\r\n来月払うとのこと",
            "promise": "10月末に全額", "promisedOn": "2025-10-31",
        ]
        let contacts = try count("ContactRecorded")
        let sent = browser.send("POST", "/console/person/1/contact", form: form)
        let location = try #require(sent.headers["location"], "\(sent.status) \(sent.body.suffix(300))")
        #expect(sent.status == 303 && location.hasPrefix("/console/person/1?done=contact&ref="))
        #expect(browser.send("POST", "/console/person/1/contact", form: form).headers["location"] == location)
        #expect(try count("ContactRecorded") == contacts + 1)
        let shown = browser.send("GET", location).body
        #expect(shown.contains("を記録しました") && shown.contains("長男") && shown.contains("10月末に全額"))
        // Words that do not read: a control character, a day after today; nothing recorded.
        form["action"] = UUID().uuidString
        form["content"] = "電話\u{07}"
        let bell = browser.send("POST", "/console/person/1/contact", form: form)
        #expect(bell.status == 422 && bell.body.contains("「折衝内容」(--content)"), "\(bell.body.suffix(300))")
        form["content"] = "電話"
        form["on"] = "2099-01-01"
        let future = browser.send("POST", "/console/person/1/contact", form: form)
        #expect(future.status == 422 && future.body.contains("(--on) 2099-01-01"), "\(future.body.suffix(300))")
        #expect(try count("ContactRecorded") == contacts + 1)
        // The command line is held to the same checks by the core.
        let line = try KokiProcess.run(
            ["contact", "record", "1", "--on", "2025-09-02", "--method", "phone", "--content", "x\u{1B}[2J"],
            environment: clerk)
        #expect(line.status == 65 && line.stderr.contains("--content"), "\(line.stderr)")
    }

    @Test func theWhatIfOfAPastedRateTableChangesNothing() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var (auditor, token) = try loggedIn("reader", server)
        #expect(auditor.send("GET", "/console/whatif").body.contains("訂正した料率表"))
        let table = try KokiProcess.run(["rates", "show", "--fiscal-year", "2025"], environment: clerk).stdout
        let corrected = table.replacingOccurrences(of: #""perCapita" : 43800"#, with: #""perCapita" : 44000"#)
        #expect(corrected != table)
        let assessed = try count("PremiumAssessed")
        let answer = auditor.send("POST", "/console/whatif", form: ["csrf": token, "fiscalYear": "2025", "rates": corrected])
        #expect(answer.status == 200, "\(answer.body.suffix(400))")
        #expect(answer.body.contains("変更あり 2件") && answer.body.contains(#"<a href="/console/person/2">2</a>"#))
        #expect(answer.body.contains("令和7年度の試算（訂正した料率表）"), "\(answer.body.suffix(600))")
        #expect(try count("PremiumAssessed") == assessed, "a what-if records no assessment")
        // The recorded table with today's calculator: nothing differs.
        let same = auditor.send("POST", "/console/whatif", form: ["csrf": token, "fiscalYear": "2025", "rates": ""])
        #expect(same.body.contains("変更なし 2件") && same.body.contains("変更あり 0件"), "\(same.body.suffix(600))")
        // A table that does not read, a year that does not: refused, naming what.
        let broken = auditor.send("POST", "/console/whatif", form: ["csrf": token, "fiscalYear": "2025", "rates": "{"])
        #expect(broken.status == 422 && broken.body.contains("貼り付けた料率表"), "\(broken.body.suffix(400))")
        let year = auditor.send("POST", "/console/whatif", form: ["csrf": token, "fiscalYear": "令和7", "rates": ""])
        #expect(year.status == 422 && year.body.contains("「年度」"))
        // Without the browser's token: refused.
        #expect(auditor.send("POST", "/console/whatif", form: ["csrf": String(repeating: "0", count: 64), "fiscalYear": "2025"]).status == 403)
    }

    /// In a real browser: a clerk finds a person by kana and receives a change of address; a
    /// second operator finds it waiting and confirms it. Screenshots are kept beside the others.
    @Test(
        .enabled(
            if: ConsoleTests.chromium != nil,
            "Chromium is not installed (apt-get install chromium fonts-noto-cjk); the console is not driven"))
    func aClerkReceivesAnApplicationAndAnotherConfirmsItInChromium() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        let artefacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/console-screenshots").path
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)
        let browser = try ChromiumDriver(binary: ConsoleTests.chromium!, profile: folder.path("driven"))

        try browser.open(server.url + "/console/login")
        try browser.submit("form.login", ["operator": "clerk", "password": Secured.password])
        try browser.submit("form[action='/console/find']", ["name": "やまだ"])
        var page = try browser.text()
        #expect(page.contains("山田 太郎") && !page.contains("花子"), "\(page.prefix(400))")
        try browser.screenshot(artefacts + "/find.png")
        try browser.open(server.url + "/console/person/2")
        // Usable from the keyboard and by a screen reader: every control has its label, every
        // button says what it does, and the first stop is a link past the header to the page.
        let unlabelled = try browser.evaluate(
            "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(e => e.labels.length === 0).length"
        ) as? Int
        #expect(unlabelled == 0)
        #expect(try browser.evaluate("[...document.querySelectorAll('button')].filter(b => !b.textContent.trim()).length") as? Int == 0)
        #expect(try browser.evaluate("document.querySelector('a.skip').getAttribute('href')") as? String == "#main")
        // The console's script: a form's second send while the first is on its way is held back.
        let held = try browser.evaluate(
            "(() => { const f = document.querySelector(\"form[action$='/card']\"); const send = () => { const e = new Event('submit', {bubbles: true, cancelable: true}); f.dispatchEvent(e); return e.defaultPrevented }; const first = send(); const second = send(); f.removeAttribute('data-sent'); return [first, second].join(',') })()"
        ) as? String
        #expect(held == "false,true", "\(String(describing: held))")
        try browser.submit(
            "form[action$='/application']",
            ["kind": "household", "office": "本庁", "postalCode": "270-0034", "address": "松戸市新松戸7番", "attached": "転居届"])
        page = try browser.text()
        #expect(page.contains("を受け付けました"), "\(page.prefix(400))")
        let number = try #require(page.firstMatch(of: /A\d{8}-2-\d+/).map { String($0.0) })
        try browser.screenshot(artefacts + "/application-received.png")

        try browser.submit("header form", [:])
        try browser.submit("form.login", ["operator": "second", "password": Secured.password])
        try browser.open(server.url + "/console/applications")
        #expect(try browser.text().contains(number))
        try browser.screenshot(artefacts + "/applications.png")
        try browser.open(server.url + "/console/applications/\(number)")
        #expect(try browser.text().contains("松戸市新松戸7番"))
        try browser.screenshot(artefacts + "/application.png")
        try browser.submit("form[action$='/confirm']", [:])
        page = try browser.text()
        #expect(page.contains("確認し、変更を記録しました") && page.contains("確認済み"), "\(page.prefix(400))")
        let shown = try KokiProcess.run(["person", "show", "2", "--json"], environment: clerk).stdout
        #expect(shown.contains("松戸市新松戸7番"))

        // The auditor's pages, kept as pictures too: the log filtered to the person, the yearly
        // review, the what-if of the recorded table.
        try browser.submit("header form", [:])
        try browser.submit("form.login", ["operator": "reader", "password": Secured.password])
        try browser.open(server.url + "/console/audit")
        try browser.submit("form[action='/console/audit']", ["person": "2"])
        page = try browser.text()
        #expect(page.contains("対象者 2 の記録") && page.contains("person page"), "\(page.prefix(400))")
        try browser.screenshot(artefacts + "/audit.png")
        try browser.open(server.url + "/console/review")
        #expect(try browser.text().contains("利用者ごとのアクセス"))
        try browser.screenshot(artefacts + "/review.png")
        try browser.open(server.url + "/console/whatif")
        try browser.submit("form[action='/console/whatif']", ["fiscalYear": "2025"])
        page = try browser.text()
        #expect(page.contains("令和7年度の試算") && page.contains("変更なし 2件"), "\(page.prefix(400))")
        try browser.screenshot(artefacts + "/whatif.png")
    }
}
