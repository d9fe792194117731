import Foundation
import Hummingbird
import KokiApp
import KokiDomain
import KokiEvents
import LedgerStore

/// `/console/…`: the staff console in the browser — server-rendered HTML in Japanese, no script,
/// through the same core as every other door. Logging in is the same login (operators, lockout,
/// the session recorded, terminal `console`); the session travels in an HttpOnly, SameSite=Strict
/// cookie; every form carries a token that must equal its cookie (a page of another site cannot
/// post one); every page is sent with a Content-Security-Policy that allows nothing but this
/// server's own style sheet, and every read of a person goes through the core, which checks the
/// role and records the access as the command line's does.
extension KokiServer {
    /// The terminal a console session is recorded with.
    static let consoleTerminal = "console"

    func addConsole(to router: Router<ClientRequestContext>) {
        router.get("/console") { _, _ in Self.redirect("/console/search") }
        router.get("/console/style.css") { _, _ in
            Response(
                status: .ok, headers: Self.securityHeaders(contentType: "text/css; charset=utf-8"),
                body: .init(byteBuffer: ByteBuffer(string: Console.style)))
        }
        router.get("/console/login") { request, _ in Self.loginPage(request: request, message: nil) }
        router.post("/console/login") { request, context -> Response in
            guard let body = await Self.body(of: request) else { return Self.tooLarge }
            return await consoleLogin(request: request, form: Console.form(body), source: context.source)
        }
        router.post("/console/logout") { request, _ -> Response in
            guard let body = await Self.body(of: request) else { return Self.tooLarge }
            return await consoleLogout(request: request, form: Console.form(body))
        }
        router.get("/console/search") { request, context -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            let number = request.uri.queryParameters.get("number")?.trimmingCharacters(in: .whitespaces) ?? ""
            if !number.isEmpty {
                guard let person = try? PersonID(number) else {
                    return Self.page(
                        .badRequest, title: "検索", session: session,
                        body: Console.searchForm(csrf: session.csrf)
                            + "<p class=\"error\" role=\"alert\">「被保険者番号」の値「\(Console.escape(number))」は番号ではありません</p>")
                }
                return Self.redirect("/console/person/\(person.value)")
            }
            _ = context
            return Self.page(.ok, title: "検索", session: session, body: Console.searchForm(csrf: session.csrf))
        }
        router.get("/console/person/:number") { request, context -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            let raw = context.parameters.get("number") ?? ""
            guard let person = try? PersonID(raw) else {
                return Self.page(.notFound, title: "見つかりません", session: session, body: "<p>番号ではありません</p>")
            }
            let notice = request.uri.queryParameters.get("recorded") == "payment" ? "納付を記録しました" : nil
            return await personPage(person, session: session, source: context.source, notice: notice)
        }
        router.get("/console/arrears") { request, context -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            return await listPage(
                title: "滞納者一覧", session: session, source: context.source,
                ListDelinquents(on: nil, order: .amount, knownAt: nil, limit: 200, json: false)
            ) { Console.delinquents($0) }
        }
        router.get("/console/audit") { request, context -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            let person = request.uri.queryParameters.get("person").flatMap { try? PersonID(String($0)) }
            return await listPage(
                title: "監査ログ", session: session, source: context.source,
                ReadAuditLog(operatorID: nil, person: person, from: nil, before: nil, command: nil)
            ) { Console.auditLog($0) }
        }
        router.post("/console/person/:number/payment") { request, context -> Response in
            guard let body = await Self.body(of: request) else { return Self.tooLarge }
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            let form = Console.form(body)
            guard Self.formIsOwn(request, form) else {
                return Self.page(
                    .forbidden, title: "画面が古くなりました", session: session,
                    body: "<p class=\"error\" role=\"alert\">この画面から送られたものではありません。もう一度開いてください</p>")
            }
            guard let person = try? PersonID(context.parameters.get("number") ?? "") else {
                return Self.page(.notFound, title: "見つかりません", session: session, body: "<p>番号ではありません</p>")
            }
            return await recordPayment(person, form: form, session: session, source: context.source)
        }
    }

    // MARK: - Sessions in cookies

    /// The console's session: the core's credentials and the form token of this browser.
    struct ConsoleSession: Sendable {
        let credentials: SessionCredentials
        let csrf: String
    }

    static func cookies(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for field in request.headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2 { out[parts[0]] = parts[1] }
            }
        }
        return out
    }

    static func consoleSession(_ request: Request) -> ConsoleSession? {
        let cookies = cookies(request)
        guard let token = cookies[Console.sessionCookie], let credentials = credentials(token),
            let csrf = cookies[Console.csrfCookie], Console.isToken(csrf)
        else { return nil }
        return ConsoleSession(credentials: credentials, csrf: csrf)
    }

    /// Whether a posted form carries the token of its browser's cookie.
    static func formIsOwn(_ request: Request, _ form: [String: String]) -> Bool {
        guard let cookie = cookies(request)[Console.csrfCookie], Console.isToken(cookie), let posted = form["csrf"]
        else { return false }
        return Console.constantTimeEqual(cookie, posted)
    }

    static func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        "\(name)=\(value); Path=/console; HttpOnly; Secure; SameSite=Strict" + (maxAge.map { "; Max-Age=\($0)" } ?? "")
    }

    /// Runs `work` on the server's thread pool with the ledger (its master key required or not)
    /// and hands back its outcome.
    func onLedger<T: Sendable>(keyRequired: Bool, _ work: @escaping @Sendable (KokiLedger) throws -> T) async
        -> Result<T, any Error>
    {
        let lent = lend()
        defer { if let lent { pool.give(lent) } }
        let (ledgerPath, masterKeyPath) = (ledgerPath, masterKeyPath)
        return await Self.onPool {
            Result {
                try work(
                    try KokiLedger.keyed(
                        try lent ?? Self.store(at: ledgerPath, mode: .readWrite), keyFile: masterKeyPath,
                        required: keyRequired))
            }
        }
    }

    // MARK: - Pages

    static func loginPage(request: Request, message: String?, status: HTTPResponse.Status = .ok) -> Response {
        // A new form token for this browser unless it has one.
        let csrf = cookies(request)[Console.csrfCookie].flatMap { Console.isToken($0) ? $0 : nil } ?? Console.newToken()
        var response = page(status, title: "ログイン", session: nil, body: Console.loginForm(csrf: csrf, message: message))
        response.headers[.setCookie] = cookie(Console.csrfCookie, csrf)
        return response
    }

    func consoleLogin(request: Request, form: [String: String], source: String) async -> Response {
        guard Self.formIsOwn(request, form) else {
            return Self.loginPage(request: request, message: "画面が古くなりました。もう一度ログインしてください", status: .forbidden)
        }
        let id = form["operator"] ?? ""
        let password = form["password"] ?? ""
        let outcome = await onLedger(keyRequired: false) { ledger in
            try AccessControl(ledger).login(id, password: password, terminal: Self.consoleTerminal, source: source)
        }
        switch outcome {
        case .success(let credentials):
            var response = Self.redirect("/console/search")
            response.headers[.setCookie] = Self.cookie(Console.sessionCookie, Self.token(credentials))
            return response
        case .failure(let error):
            let failure = ExitStatus.classify(error)
            return Self.loginPage(request: request, message: failure.message, status: .unauthorized)
        }
    }

    func consoleLogout(request: Request, form: [String: String]) async -> Response {
        guard let session = Self.consoleSession(request), Self.formIsOwn(request, form) else {
            return Self.redirect("/console/login")
        }
        _ = await onLedger(keyRequired: false) { ledger in try AccessControl(ledger).logout(session.credentials) }
        var response = Self.redirect("/console/login")
        response.headers[.setCookie] = Self.cookie(Console.sessionCookie, "", maxAge: 0)
        return response
    }

    /// A page of one query's rows: the request run for the session's operator (checked and
    /// recorded by the core), rendered by `render`; a refusal is a page saying so.
    func listPage<R: KokiRequest>(
        title: String, session: ConsoleSession, source: String, _ request: R, render: @escaping @Sendable (R.Result) -> String
    ) async -> Response {
        let today: CivilDate
        do { today = try todayInJapan() } catch {
            return Self.page(.serviceUnavailable, title: title, session: session, body: "")
        }
        let caller = Caller(credentials: session.credentials, terminal: Self.consoleTerminal, source: source, today: today)
        let outcome = await onLedger(keyRequired: true) { ledger in
            render(try KokiApplication(ledger).run(request, as: caller))
        }
        switch outcome {
        case .success(let body): return Self.page(.ok, title: title, session: session, body: body)
        case .failure(let error):
            let failure = ExitStatus.classify(error)
            let status: HTTPResponse.Status = failure.status == .accessDenied ? .forbidden : .internalServerError
            return Self.page(
                status, title: failure.status == .accessDenied ? "権限がありません" : title, session: session,
                body: "<p class=\"error\" role=\"alert\">\(Console.escape(failure.message))</p>")
        }
    }

    /// A payment received at the counter (`pay record`): the form's fields checked as the command
    /// line checks its options, the form's action id making a double click record once; then back
    /// to the person's page (so reloading it sends nothing again).
    func recordPayment(_ person: PersonID, form: [String: String], session: ConsoleSession, source: String) async
        -> Response
    {
        func refuse(_ message: String) async -> Response {
            await personPage(person, session: session, source: source, error: message, status: .unprocessableContent)
        }
        guard let action = form["action"].flatMap(Identifier.init(string:)) else {
            return await refuse("この画面から送られたものではありません。もう一度開いてください")
        }
        guard let amountText = form["amount"]?.replacingOccurrences(of: ",", with: ""), let amount = Int64(amountText)
        else { return await refuse("「金額」(--amount) は円の整数で入力してください") }
        guard let paidOn = form["paidOn"].flatMap({ try? CivilDate(iso: $0) }) else {
            return await refuse("「納付日」(--paid-on) は年月日で入力してください")
        }
        guard let channel = form["channel"].flatMap(PaymentChannel.init(rawValue:)) else {
            return await refuse("「収納方法」(--channel) を選んでください")
        }
        let request = RecordPayment(
            person: person, amount: amount, paidOn: paidOn, learnedOn: nil, channel: channel, slip: nil,
            lateFee: false, reference: form["reference"] ?? "")
        let today: CivilDate
        do { today = try todayInJapan() } catch { return await refuse("\(error)") }
        let caller = Caller(
            credentials: session.credentials, terminal: Self.consoleTerminal, source: source, today: today,
            action: action)
        let outcome = await onLedger(keyRequired: true) { ledger in try KokiApplication(ledger).run(request, as: caller) }
        switch outcome {
        case .success: return Self.redirect("/console/person/\(person.value)?recorded=payment")
        case .failure(let error):
            let failure = ExitStatus.classify(error)
            if failure.status == .accessDenied {
                return Self.page(
                    .forbidden, title: "権限がありません", session: session,
                    body: "<p class=\"error\" role=\"alert\">\(Console.escape(failure.message))</p>")
            }
            return await refuse(failure.message)
        }
    }

    /// A person's page: identity and household, eligibility, each period's money, payments and
    /// the collection history — from the requests `person show`, `account` and `history` run.
    func personPage(
        _ person: PersonID, session: ConsoleSession, source: String, notice: String? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async -> Response {
        let today: CivilDate
        do { today = try todayInJapan() } catch {
            return Self.page(.serviceUnavailable, title: "日付", session: session, body: "<p>\(Console.escape("\(error)"))</p>")
        }
        let caller = Caller(
            credentials: session.credentials, terminal: Self.consoleTerminal, source: source, today: today)
        let outcome = await onLedger(keyRequired: true) { ledger in
            let application = KokiApplication(ledger)
            // A former number (新旧番号) finds the person; their money is under their number now.
            let shown = try application.run(
                ShowPerson(number: person, on: nil, knownAt: nil, purpose: "窓口（コンソール）"), as: caller)
            let current = (try? PersonID(shown.number)) ?? person
            let account = try application.run(
                ShowAccount(person: current, fiscalYear: nil, knownAt: nil, asOf: nil), as: caller)
            let history = try application.run(
                ShowCollectionHistory(person: current, knownAt: nil, asOf: nil, json: false), as: caller)
            return (shown, account, history)
        }
        switch outcome {
        case .success(let (shown, account, history)):
            let message =
                (notice.map { "<p class=\"notice\" role=\"status\">\(Console.escape($0))</p>" } ?? "")
                + (error.map { "<p class=\"error\" role=\"alert\">\(Console.escape($0))</p>" } ?? "")
            return Self.page(
                status, title: "\(person.value) \(shown.name ?? "")", session: session,
                body: Console.searchForm(csrf: session.csrf) + message + Console.person(shown, account, history)
                    + (shown.erased ? "" : Console.paymentForm(person, csrf: session.csrf, today: today)))
        case .failure(let error):
            let failure = ExitStatus.classify(error)
            let (status, title): (HTTPResponse.Status, String) =
                switch failure.status {
                case .accessDenied: (.forbidden, "権限がありません")
                case .invalidInput, .notFound: (.notFound, "見つかりません")
                default: (.internalServerError, "エラー")
                }
            // A session that ended (logged out, expired, its operator suspended) sends the clerk to log
            // in again; a role that may not use the page is shown the refusal. The core words the
            // first kind about the session and the second about the role.
            if failure.status == .accessDenied, failure.message.contains("session") {
                return Self.redirect("/console/login")
            }
            return Self.page(
                status, title: title, session: session,
                body: Console.searchForm(csrf: session.csrf)
                    + "<p class=\"error\" role=\"alert\">\(Console.escape(failure.message))</p>")
        }
    }

    // MARK: - Responses

    static func securityHeaders(contentType: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: contentType]
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        if let referrer = HTTPFields.Element.Name("Referrer-Policy") { headers[referrer] = "no-referrer" }
        headers[.cacheControl] = "no-store"
        return headers
    }

    static func page(_ status: HTTPResponse.Status, title: String, session: ConsoleSession?, body: String) -> Response {
        Response(
            status: status, headers: securityHeaders(contentType: "text/html; charset=utf-8"),
            body: .init(byteBuffer: ByteBuffer(string: Console.page(title: title, session: session, body: body))))
    }

    static func redirect(_ location: String) -> Response {
        var headers = securityHeaders(contentType: "text/html; charset=utf-8")
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }
}

/// The console's HTML: every value escaped, dates and amounts as the labels table says.
enum Console {
    static let sessionCookie = "koki_session"
    static let csrfCookie = "koki_csrf"

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func isToken(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// An `application/x-www-form-urlencoded` body.
    static func form(_ body: Data) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let key = parts.first { out[key] = parts.count > 1 ? parts[1] : "" }
        }
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where c.properties.generalCategory == .control && c != "\n": out += "\\u{\(String(c.value, radix: 16))}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A view's ISO date as staff read it, escaped (a value that is not a date is shown as it is).
    static func date(_ iso: String?) -> String { escape(Staff.date(iso)) }

    /// A view's raw name as its term, escaped; nothing for none.
    static func term<T: StaffLabelled & RawRepresentable>(_ type: T.Type, _ raw: String?) -> String
    where T.RawValue == String {
        raw.map { escape(Staff.term(type, $0)) } ?? ""
    }

    static func page(title: String, session: KokiServer.ConsoleSession?, body: String) -> String {
        let header =
            session.map {
                """
                <header><span class="brand">後期高齢者医療 koki</span>\
                <nav><a href="/console/search">検索</a> <a href="/console/arrears">滞納者一覧</a> \
                <a href="/console/audit">監査ログ</a></nav>\
                <span class="who">\(escape($0.credentials.operatorID))</span>\
                <form method="post" action="/console/logout"><input type="hidden" name="csrf" value="\($0.csrf)">\
                <button type="submit">ログアウト</button></form></header>
                """
            } ?? "<header><span class=\"brand\">後期高齢者医療 koki</span></header>"
        return """
            <!DOCTYPE html>
            <html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
            <title>\(escape(title)) — koki</title><link rel="stylesheet" href="/console/style.css"></head>
            <body>\(header)<main><h1>\(escape(title))</h1>
            \(body)
            </main></body></html>
            """
    }

    static func loginForm(csrf: String, message: String?) -> String {
        (message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
            + """
            <form method="post" action="/console/login" class="login">
            <input type="hidden" name="csrf" value="\(csrf)">
            <label>利用者ID <input name="operator" autocomplete="username" required autofocus></label>
            <label>パスワード <input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit">ログイン</button>
            </form>
            """
    }

    static func searchForm(csrf: String) -> String {
        """
        <form method="get" action="/console/search" class="search" role="search">
        <label>被保険者番号 <input name="number" inputmode="numeric" required></label>
        <button type="submit">表示</button>
        </form>
        """
    }

    static func table(_ headings: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        "<table><thead><tr>" + headings.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            + rows.map { row in
                "<tr>"
                    + row.enumerated().map { i, cell in
                        numeric.contains(i) ? "<td class=\"num\">\(cell)</td>" : "<td>\(cell)</td>"
                    }.joined() + "</tr>"
            }.joined() + "</tbody></table>"
    }

    static func person(
        _ p: ShowPerson.View, _ account: PersonAccount, _ history: [ArrearsCommands.HistoryEntry]
    ) -> String {
        var html = "<section aria-label=\"本人\"><h2>本人</h2><dl>"
        html += "<dt>被保険者番号</dt><dd>\(escape(p.number))"
            + (p.formerNumbers.isEmpty ? "" : "（旧番号 \(escape(p.formerNumbers.joined(separator: "、")))）") + "</dd>"
        if p.erased {
            html += "<dt>本人情報</dt><dd>（消去済み）</dd>"
        } else {
            html += "<dt>氏名</dt><dd>\(escape(p.name ?? ""))（\(escape(p.kana ?? ""))）</dd>"
            html += "<dt>生年月日</dt><dd>\(date(p.birthDate)) \(term(PersonIdentity.Sex.self, p.sex))</dd>"
            html += "<dt>住所</dt><dd>\(escape(p.postalCode.map { "\($0) " } ?? ""))\(escape(p.address ?? ""))</dd>"
        }
        html +=
            "<dt>世帯</dt><dd>\(escape(p.household ?? "なし"))\(p.role.map { "（\(term(HouseholdRole.self, $0))）" } ?? "")</dd>"
        html += "<dt>資格</dt><dd>\(p.insured ? "被保険者" : "被保険者でない")（\(date(p.on))現在）</dd></dl>"
        html += table(
            ["資格取得日", "事由", "資格喪失日", "事由"],
            p.eligibility.map {
                [date($0.from), term(AcquisitionReason.self, $0.acquisition), date($0.until), term(LossReason.self, $0.loss)]
            })
        html += "</section>"
        html += "<section aria-label=\"保険料\"><h2>保険料</h2>"
        html +=
            "<p>調定額 \(Staff.yen(account.totals.assessed))　収納額 \(Staff.yen(account.totals.paid))　未納額 \(Staff.yen(account.totals.outstanding))</p>"
        html += table(
            ["期別", "納期限", "調定額（円）", "収納額（円）", "未納額（円）", "減免（円）", "不納欠損（円）", "延滞金（円）"],
            account.periods.map {
                [
                    escape(Staff.period(fiscalYear: $0.fiscalYear, period: $0.period)), date($0.dueDate),
                    Staff.amount($0.assessed), Staff.amount($0.paid), Staff.amount($0.outstanding),
                    Staff.amount($0.reduced), Staff.amount($0.writtenOff), Staff.amount($0.lateFeeOwed),
                ]
            }, numeric: [2, 3, 4, 5, 6, 7])
        html += "</section>"
        html += "<section aria-label=\"収納\"><h2>収納</h2>"
        html += table(
            ["収納番号", "納付日", "収納方法", "金額（円）"],
            account.payments.map {
                [escape($0.id), date($0.paidOn), term(PaymentChannel.self, $0.channel), Staff.amount($0.amount)]
            }, numeric: [3])
        html += "</section>"
        html += "<section aria-label=\"収納履歴\"><h2>収納履歴</h2>"
        html += table(
            ["日付", "種類", "内容", "記録者"],
            history.map {
                [
                    StaffText.date($0.date), escape(Staff.historyKind($0.kind)), escape($0.text), escape($0.actor),
                ]
            })
        html += "</section>"
        return html
    }

    /// The counter's payment form: a new action id each time the page is drawn.
    static func paymentForm(_ person: PersonID, csrf: String, today: CivilDate) -> String {
        let labels = Labels.current
        let channels = [PaymentChannel.counter, .smartphone].map {
            "<option value=\"\($0.rawValue)\">\(escape(labels.term($0)))</option>"
        }.joined()
        return """
            <section aria-label="納付の記録"><h2>納付の記録（窓口）</h2>
            <form method="post" action="/console/person/\(person.value)/payment" class="search">
            <input type="hidden" name="csrf" value="\(csrf)">
            <input type="hidden" name="action" value="\(Identifier.random())">
            <label>金額（円） <input name="amount" inputmode="numeric" required></label>
            <label>納付日 <input name="paidOn" type="date" value="\(today)" required></label>
            <label>収納方法 <select name="channel">\(channels)</select></label>
            <label>領収番号 <input name="reference" maxlength="64"></label>
            <button type="submit">記録する</button>
            </form></section>
            """
    }

    /// The delinquent list (滞納者一覧), largest first, each number a link to the person's page.
    static func delinquents(_ rows: [ArrearsCommands.Delinquent]) -> String {
        "<p>\(StaffText.count(rows.count))人（滞納額の多い順、最大200人）</p>"
            + table(
                ["被保険者番号", "滞納期数", "滞納額（円）", "延滞金（円）", "最古の納期限", "経過日数", "時効完成日"],
                rows.map {
                    [
                        "<a href=\"/console/person/\($0.person.value)\">\($0.person.value)</a>", StaffText.count($0.periods),
                        StaffText.amount($0.owed), StaffText.amount($0.lateFees), StaffText.date($0.oldestDue),
                        StaffText.count($0.daysOverdue), StaffText.date($0.nextPrescription),
                    ]
                }, numeric: [1, 2, 3, 5])
    }

    /// The audit log (auditors): who read or did what, when, from where, and why.
    static func auditLog(_ entries: [AuditEntry]) -> String {
        let shown = entries.suffix(500)
        return "<p>\(StaffText.count(entries.count))件（新しい\(StaffText.count(shown.count))件を表示）</p>"
            + table(
                ["位置", "記録日時", "種類", "利用者", "端末", "コマンド", "対象者", "目的", "内容"],
                shown.reversed().map {
                    [
                        "\($0.position)", StaffText.moment(microseconds: $0.recordedAt.microseconds), escape($0.kind.label),
                        escape($0.operatorID), escape($0.terminal ?? ""), escape($0.command ?? ""),
                        $0.persons.count > 3
                            ? "\(StaffText.count($0.persons.count))人"
                            : $0.persons.map { "<a href=\"/console/audit?person=\($0.value)\">\($0.value)</a>" }
                                .joined(separator: " "),
                        escape($0.purpose ?? ""), escape($0.detail),
                    ]
                }, numeric: [0])
    }

    /// Readable on a 1366×768 office screen, at the browser's own font size; no script.
    static let style = """
        body { font-family: "Noto Sans CJK JP", "Hiragino Sans", sans-serif; margin: 0; color: #1a1a1a; }
        header { display: flex; gap: 1rem; align-items: center; background: #234; color: #fff; padding: .5rem 1rem; }
        header .brand { font-weight: bold; }
        header nav { flex: 1; display: flex; gap: 1rem; } header a { color: #fff; }
        header form { margin: 0; }
        main { max-width: 1300px; margin: 0 auto; padding: 0 1rem 2rem; }
        h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; border-bottom: 2px solid #234; }
        table { border-collapse: collapse; margin: .5rem 0 1rem; }
        th, td { border: 1px solid #bbb; padding: .2rem .5rem; text-align: left; }
        th { background: #eef; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        dl { display: grid; grid-template-columns: 8rem auto; gap: .2rem 1rem; } dt { font-weight: bold; }
        form.login, form.search { display: flex; gap: 1rem; align-items: end; margin: 1rem 0; flex-wrap: wrap; }
        label { display: flex; flex-direction: column; font-size: .9rem; }
        input, button { font-size: 1rem; padding: .3rem .5rem; }
        :focus { outline: 3px solid #f90; outline-offset: 1px; }
        .error { color: #a00; font-weight: bold; }
        .notice { color: #060; font-weight: bold; }
        """
}
