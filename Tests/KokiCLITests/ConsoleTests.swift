import Foundation
import KokiTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The staff console on `koki serve` (`/console/…`), as a browser uses it: a login form with its
/// token, the session in an HttpOnly SameSite=Strict cookie, a person's page in Japanese from the
/// same requests as the command line, refusals recorded, every page under a strict
/// Content-Security-Policy; and a clerk in headless Chromium, driven through its DevTools protocol.
@Suite(.serialized) struct ConsoleTests {
    let folder: TemporaryFolder
    let ledger: String
    let clerk: [String: String]
    let reader: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        ledger = folder.path("console.ledger")
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        clerk = try Secured.enroll("clerk", admin: admin, folder: folder.url.path)
        reader = try Secured.enroll("reader", roles: ["auditor"], admin: admin, folder: folder.url.path)
        // An administrator manages operators and reads no one's record.
        _ = try Secured.enroll("keeper", roles: ["administrator"], admin: admin, folder: folder.url.path)
        for arguments in [
            [
                "person", "register", "--number", "1", "--name", "松戸 <b>花子</b>", "--kana", "マツド ハナコ",
                "--birth-date", "1940-01-01", "--sex", "female", "--address", "松戸市",
            ],
            ["eligibility", "acquire", "--number", "1", "--reason", "reached-75", "--date", "2015-01-01"],
            [
                "income", "record", "--number", "1", "--year", "2024", "--pension", "2000000", "--total", "900000",
                "--source", "税",
            ],
            ["rates", "adopt", "--fiscal-year", "2025"], ["calendar", "adopt", "--fiscal-year", "2025"],
            ["assess", "--fiscal-year", "2025", "--decided-on", "2025-07-10"],
            ["pay", "record", "1", "--amount", "5000", "--paid-on", "2025-07-31"], ["arrears", "settings", "adopt"],
            ["person", "link", "--number", "1", "--former", "77"],
        ] {
            let outcome = try KokiProcess.run(arguments, environment: clerk)
            #expect(outcome.status == 0, "koki \(arguments.joined(separator: " ")): \(outcome.stderr)")
        }
    }

    /// One HTTP exchange, redirects not followed and cookies handled by hand, as the tests need.
    struct Browser {
        let url: String
        var cookies: [String: String] = [:]

        final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
            func urlSession(
                _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
            ) { completionHandler(nil) }
        }
        final class Box: @unchecked Sendable { var value: (Int, [String: String], String) = (0, [:], "") }

        mutating func send(_ method: String, _ path: String, form: [String: String]? = nil, keep: Bool = true) -> (
            status: Int, headers: [String: String], body: String
        ) {
            var request = URLRequest(url: URL(string: url + path)!, timeoutInterval: 60)
            request.httpMethod = method
            request.httpShouldHandleCookies = false
            if !cookies.isEmpty {
                request.setValue(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie")
            }
            if let form {
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                request.httpBody = Data(
                    form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
                        .joined(separator: "&").utf8)
                request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            }
            let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
            let done = DispatchSemaphore(value: 0)
            let box = Box()
            session.dataTask(with: request) { data, response, _ in
                let http = response as? HTTPURLResponse
                var headers: [String: String] = [:]
                for (key, value) in http?.allHeaderFields ?? [:] {
                    headers[String(describing: key).lowercased()] = String(describing: value)
                }
                box.value = (http?.statusCode ?? 0, headers, String(decoding: data ?? Data(), as: UTF8.self))
                done.signal()
            }.resume()
            done.wait()
            let (status, headers, body) = box.value
            if keep, let set = headers["set-cookie"] {
                for cookie in set.components(separatedBy: ", ") {
                    let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                    if pair.count == 2 { cookies[pair[0]] = pair[1].isEmpty ? nil : pair[1] }
                }
            }
            return (status, headers, body)
        }

        /// The login form's token.
        static func token(_ page: String) -> String? {
            page.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/).map { String($0.1) }
        }
    }

    func head() throws -> String {
        try KokiProcess.run(["head", "--json"], environment: reader).stdout
    }

    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    @Test func aClerkLogsInFindsAPersonAndLogsOut() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var browser = Browser(url: server.url)

        // Not logged in: every page leads to the login form.
        #expect(browser.send("GET", "/console/person/1").status == 303)
        let login = browser.send("GET", "/console/login")
        #expect(login.status == 200)
        #expect(login.headers["content-security-policy"] == Self.policy)
        #expect(login.headers["x-content-type-options"] == "nosniff")
        let setCookie = login.headers["set-cookie"] ?? ""
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Secure"))
        let token = try #require(Browser.token(login.body))
        #expect(browser.cookies["koki_csrf"] == token)
        #expect(login.body.contains("利用者ID") && login.body.contains("パスワード"))
        // One script, this server's own file: nothing inline, nothing from elsewhere.
        #expect(login.body.components(separatedBy: "<script").count == 2)
        #expect(login.body.contains(#"<script src="/console/console.js" defer></script>"#))

        // A form without its browser's token (another site's page posting here): refused, nothing recorded.
        var before = try head()
        var stranger = Browser(url: server.url)
        let forged = stranger.send("POST", "/console/login", form: ["operator": "clerk", "password": Secured.password, "csrf": token])
        #expect(forged.status == 403 && stranger.cookies["koki_session"] == nil)
        #expect(try head() == before)

        // A wrong password: refused and recorded as any failed login is.
        let wrong = browser.send("POST", "/console/login", form: ["operator": "clerk", "password": "nope", "csrf": token])
        #expect(wrong.status == 401 && wrong.body.contains("role=\"alert\""))
        #expect(browser.cookies["koki_session"] == nil)
        #expect(try head() != before)

        // The right one: the session in its cookie, then the search.
        let right = browser.send(
            "POST", "/console/login", form: ["operator": "clerk", "password": Secured.password, "csrf": token])
        #expect(right.status == 303 && right.headers["location"] == "/console/search", "\(right)")
        let session = try #require(browser.cookies["koki_session"])
        #expect((right.headers["set-cookie"] ?? "").contains("HttpOnly"))
        let search = browser.send("GET", "/console/search?number=1")
        #expect(search.status == 303 && search.headers["location"] == "/console/person/1")
        let bad = browser.send("GET", "/console/search?number=abc")
        #expect(bad.status == 400 && bad.body.contains("番号ではありません"))

        // The person's page: Japanese terms, 和暦, grouped amounts, the name escaped; the read recorded.
        before = try head()
        let page = browser.send("GET", "/console/person/1")
        #expect(page.status == 200, "\(page.body)")
        #expect(page.headers["content-security-policy"] == Self.policy)
        for text in ["年齢到達", "平成27年1月1日", "令和7年度 第1期", "納期限", "5,000", "窓口", "松戸 &lt;b&gt;花子&lt;/b&gt;"] {
            #expect(page.body.contains(text), "\(text)")
        }
        #expect(!page.body.contains("<b>花子") && !page.body.contains("reachedAge75"))
        #expect(page.body.components(separatedBy: "<script").count == 2)
        // A former number (新旧番号) finds the same person and their money.
        let former = browser.send("GET", "/console/person/77")
        #expect(former.status == 200 && former.body.contains("5,000") && former.body.contains("（旧番号 77）"))
        #expect(former.body.contains("松戸 &lt;b&gt;花子&lt;/b&gt;"), "\(former.status)")
        #expect(try head() != before, "the read is recorded")
        let log = try KokiProcess.run(["audit", "log", "--person", "1"], environment: reader).stdout
        #expect(log.contains("console"), "\(log)")

        // Logging out needs the form's token; then the old cookie opens nothing.
        var copy = browser
        copy.cookies["koki_csrf"] = nil
        #expect(copy.send("POST", "/console/logout", form: ["csrf": token]).headers["location"] == "/console/login")
        #expect(browser.send("GET", "/console/person/1").status == 200, "a forged logout ended nothing")
        let out = browser.send("POST", "/console/logout", form: ["csrf": token])
        #expect(out.status == 303 && out.headers["location"] == "/console/login")
        var stale = Browser(url: server.url, cookies: ["koki_session": session, "koki_csrf": token])
        let after = stale.send("GET", "/console/person/1")
        #expect(after.status == 303 && after.headers["location"] == "/console/login", "\(after.status) \(after.body)")
    }

    /// A payment at the counter: recorded once however often the form is sent (a double click),
    /// refused with the field named when a value does not read, and only from this console's form.
    @Test func aPaymentRecordedAtTheCounterIsRecordedOnce() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var browser = Browser(url: server.url)
        let token = try #require(Browser.token(browser.send("GET", "/console/login").body))
        #expect(
            browser.send("POST", "/console/login", form: ["operator": "clerk", "password": Secured.password, "csrf": token])
                .status == 303)
        let page = browser.send("GET", "/console/person/1").body
        let action = try #require(page.firstMatch(of: /name="action" value="([0-9A-Fa-f-]{36})"/).map { String($0.1) })
        let form = ["csrf": token, "action": action, "amount": "1,000", "paidOn": "2025-08-01", "channel": "counter"]
        let payments = { try KokiProcess.run(["account", "1", "--json"], environment: self.reader).stdout }

        let before = try head()
        let sent = browser.send("POST", "/console/person/1/payment", form: form)
        #expect(sent.status == 303 && sent.headers["location"] == "/console/person/1?done=payment", "\(sent.body)")
        #expect(try head() != before)
        #expect(try payments().components(separatedBy: #""amount":1000"#).count == 2)
        // The same form again (a double click, a resent page): nothing new. (Reading the account
        // above was recorded: the head is taken after it.)
        var recorded = try head()
        #expect(browser.send("POST", "/console/person/1/payment", form: form).status == 303)
        #expect(try head() == recorded)
        #expect(try payments().components(separatedBy: #""amount":1000"#).count == 2)
        #expect(browser.send("GET", "/console/person/1?done=payment").body.contains("納付を記録しました"))
        // From here the refusals show the person's page again (a read, recorded): count payments.
        let paymentsRecorded = {
            try KokiProcess.run(["events", "--type", "PaymentReceived"], environment: self.reader).lines.count
        }
        let count = try paymentsRecorded()

        // A value that does not read: the field named, nothing appended.
        var fresh = form
        fresh["action"] = UUID().uuidString
        fresh["amount"] = "千円"
        let bad = browser.send("POST", "/console/person/1/payment", form: fresh)
        #expect(bad.status == 422 && bad.body.contains("「金額」"), "\(bad.status)")
        fresh["amount"] = "1000"
        fresh["paidOn"] = "2025-13-01"
        #expect(browser.send("POST", "/console/person/1/payment", form: fresh).body.contains("「納付日」"))
        #expect(try paymentsRecorded() == count)
        // Without this browser's token (another site's page): refused, nothing appended.
        var foreign = fresh
        foreign["csrf"] = String(repeating: "0", count: 64)
        foreign["paidOn"] = "2025-08-01"
        recorded = try head()
        #expect(browser.send("POST", "/console/person/1/payment", form: foreign).status == 403)
        #expect(try head() == recorded)
    }

    /// The delinquent list links each person to their page; the audit log shows the console's
    /// accesses to an auditor; both are refused to a role without their function.
    @Test func theDelinquentListAndTheAuditLog() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        func loggedIn(_ id: String) throws -> Browser {
            var browser = Browser(url: server.url)
            let token = try #require(Browser.token(browser.send("GET", "/console/login").body))
            #expect(
                browser.send("POST", "/console/login", form: ["operator": id, "password": Secured.password, "csrf": token])
                    .status == 303)
            return browser
        }
        var clerkBrowser = try loggedIn("clerk")
        let list = clerkBrowser.send("GET", "/console/arrears")
        #expect(list.status == 200 && list.body.contains("滞納者一覧"))
        #expect(list.body.contains(#"<a href="/console/person/1">1</a>"#), "\(list.body.suffix(800))")
        #expect(list.body.contains("令和") && list.body.firstMatch(of: /\d{4}-\d{2}-\d{2}/) == nil)
        _ = clerkBrowser.send("GET", "/console/person/1")
        var auditor = try loggedIn("reader")
        let log = auditor.send("GET", "/console/audit?person=1")
        #expect(log.status == 200 && log.body.contains("console") && log.body.contains("閲覧"), "\(log.status)")
        #expect(auditor.send("GET", "/console/audit").body.contains("ログイン"))
        var keeper = try loggedIn("keeper")
        #expect(keeper.send("GET", "/console/arrears").status == 403)
        #expect(keeper.send("GET", "/console/audit").status == 403)
    }

    @Test func aRoleThatMayNotSeeRecordsIsRefusedAndRecorded() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        var browser = Browser(url: server.url)
        let token = try #require(Browser.token(browser.send("GET", "/console/login").body))
        let login = browser.send("POST", "/console/login", form: ["operator": "keeper", "password": Secured.password, "csrf": token])
        #expect(login.status == 303)
        let before = try head()
        let page = browser.send("GET", "/console/person/1")
        #expect(page.status == 403 && page.body.contains("権限がありません"), "\(page.status) \(page.body)")
        #expect(!page.body.contains("花子"))
        #expect(try head() != before, "the refusal is recorded")
    }

    /// A clerk in a real browser: logs in, finds a person, records a payment and sees it on the
    /// account; an administrator is refused the page. Screenshots of each page are kept in
    /// `.build/console-screenshots/`.
    @Test(
        .enabled(
            if: chromium != nil,
            "Chromium is not installed (apt-get install chromium fonts-noto-cjk); the console is not driven"))
    func aClerkInChromiumRecordsAPaymentAndAnAdministratorIsRefused() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        let artefacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/console-screenshots").path
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)
        let browser = try ChromiumDriver(binary: Self.chromium!, profile: folder.path("driven"))

        try browser.open(server.url + "/console/login")
        try browser.screenshot(artefacts + "/login.png")
        try browser.submit("form.login", ["operator": "clerk", "password": Secured.password])
        #expect(try browser.evaluate("location.pathname") as? String == "/console/search")
        try browser.submit("form.search", ["number": "1"])
        #expect(try browser.evaluate("location.pathname") as? String == "/console/person/1")
        var page = try browser.text()
        #expect(page.contains("年齢到達") && page.contains("令和7年度 第1期") && page.contains("松戸 <b>花子</b>"), "\(page.prefix(400))")
        // The escaped name is text, never markup: no <b> element was made of it.
        #expect(try browser.evaluate("document.querySelectorAll('main b').length") as? Int == 0)
        try browser.screenshot(artefacts + "/person.png")

        try browser.submit(
            "form[action$='/payment']", ["amount": "2,300", "paidOn": "2025-08-01", "reference": "R-77"])
        page = try browser.text()
        #expect(page.contains("納付を記録しました"), "\(page.prefix(400))")
        #expect(page.contains("2,300"))
        try browser.screenshot(artefacts + "/payment-recorded.png")
        let account = try KokiProcess.run(["account", "1", "--json"], environment: reader).stdout
        #expect(account.contains(#""amount":2300"#))

        try browser.open(server.url + "/console/arrears")
        #expect(try browser.text().contains("滞納者一覧"))
        try browser.screenshot(artefacts + "/arrears.png")

        // Another operator, whose role may not read records: refused, in the browser too.
        try browser.submit("header form", [:])
        #expect(try browser.evaluate("location.pathname") as? String == "/console/login")
        try browser.submit("form.login", ["operator": "keeper", "password": Secured.password])
        try browser.open(server.url + "/console/person/1")
        page = try browser.text()
        #expect(page.contains("権限がありません") && !page.contains("花子"), "\(page.prefix(300))")
        try browser.screenshot(artefacts + "/refused.png")
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}
