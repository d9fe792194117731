import Foundation
import Hummingbird
import KokiApp
import KokiDomain
import KokiEvents
import LedgerStore

/// `/console/…`: the staff console in the browser — server-rendered HTML in Japanese, working
/// without script, through the same core as every other door. Logging in is the same login (operators, lockout,
/// the session recorded, terminal `console`); the session travels in an HttpOnly, SameSite=Strict
/// cookie; every form carries a token that must equal its cookie (a page of another site cannot
/// post one); every page is sent with a Content-Security-Policy that allows nothing but this
/// server's own style sheet and script, and every read of a person goes through the core, which checks the
/// role and records the access as the command line's does.
extension KokiServer {
    /// The terminal a console session is recorded with.
    static let consoleTerminal = "console"

    func addConsole(to router: Router<ClientRequestContext>) {
        addConsoleCounter(to: router)
        addConsoleWhatIf(to: router)
        router.get("/console") { _, _ in Self.redirect("/console/search") }
        router.get("/console/console.js") { _, _ in
            Response(
                status: .ok, headers: Self.securityHeaders(contentType: "text/javascript; charset=utf-8"),
                body: .init(byteBuffer: ByteBuffer(string: Console.script)))
        }
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
        router.get("/console/search") { request, _ -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            let number = request.uri.queryParameters.get("number")?.trimmingCharacters(in: .whitespaces) ?? ""
            if !number.isEmpty {
                guard let person = try? PersonID(number) else {
                    return Self.page(
                        .badRequest, title: "検索", session: session,
                        body: Console.searchForm(csrf: session.csrf)
                            + Console.error("「被保険者番号」の値「\(number)」は番号ではありません"))
                }
                return Self.redirect("/console/person/\(person.value)")
            }
            return Self.page(.ok, title: "検索", session: session, body: Console.searchForm(csrf: session.csrf))
        }
        router.get("/console/person/:number") { request, context -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            let raw = context.parameters.get("number") ?? ""
            guard let person = try? PersonID(raw) else {
                return Self.page(.notFound, title: "見つかりません", session: session, body: "<p>番号ではありません</p>")
            }
            let known = request.uri.queryParameters.get("known-at").flatMap { Int64(String($0)) }
            let notice = Console.done(
                request.uri.queryParameters.get("done").map { String($0) }, reference: request.uri.queryParameters.get("ref").map { String($0) })
            return await personPage(person, session: session, source: context.source, notice: notice, knownAt: known)
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
            let operatorID = request.uri.queryParameters.get("operator").flatMap { $0.isEmpty ? nil : String($0) }
            let before = request.uri.queryParameters.get("before").flatMap { Int64(String($0)) }.flatMap { $0 >= 1 ? $0 : nil }
            let filter = [
                person.map { "person=\($0.value)" }, operatorID.map { "operator=" + Console.queryValue($0) },
            ].compactMap { $0 }
            let subject = [person.map { "対象者 \($0.value)" }, operatorID.map { "利用者 \($0)" }].compactMap { $0 }
            return await listPage(
                title: "監査ログ", session: session, source: context.source,
                ReadAuditLog(
                    operatorID: operatorID, person: person, from: nil, before: nil, command: nil,
                    limit: Console.auditPage, beforePosition: before),
                before: Console.auditFilter(person: person, operatorID: operatorID)
            ) { Console.auditLog($0, filter: filter, subject: subject.joined(separator: "、"), before: before) }
        }
        // A payment received at the counter (`pay record`): the form's fields checked as the
        // command line checks its options; then back to the person's page (so reloading it sends
        // nothing again).
        router.post("/console/person/:number/payment") { request, context -> Response in
            await personForm(request, context, done: "payment") { person, form in
                guard let amountText = form["amount"]?.replacingOccurrences(of: ",", with: ""),
                    let amount = Int64(amountText)
                else { throw Console.FieldError("「金額」(--amount) は円の整数で入力してください") }
                guard let paidOn = form["paidOn"].flatMap({ try? CivilDate(iso: $0) }) else {
                    throw Console.FieldError("「納付日」(--paid-on) は年月日で入力してください")
                }
                guard let channel = form["channel"].flatMap(PaymentChannel.init(rawValue:)) else {
                    throw Console.FieldError("「収納方法」(--channel) を選んでください")
                }
                return RecordPayment(
                    person: person, amount: amount, paidOn: paidOn, learnedOn: nil, channel: channel, slip: nil,
                    lateFee: false, reference: form["reference"] ?? "")
            } reference: { _ in "" }
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
        title: String, session: ConsoleSession, source: String, _ request: R, before: String = "",
        status invalid: HTTPResponse.Status = .internalServerError,
        render: @escaping @Sendable (R.Result) -> String
    ) async -> Response {
        switch await run(request, session: session, source: source, action: nil) {
        case .success(let result): return Self.page(.ok, title: title, session: session, body: before + render(result))
        case .failure(let error):
            let failure = ExitStatus.classify(error)
            if Console.sessionEnded(error) { return Self.redirect("/console/login") }
            let status: HTTPResponse.Status =
                failure.status == .accessDenied ? .forbidden : failure.status == .invalidInput ? invalid : .internalServerError
            return Self.page(
                status, title: failure.status == .accessDenied ? "権限がありません" : title, session: session,
                body: (failure.status == .accessDenied ? "" : before) + Console.error(Staff.namingFields(failure.message)))
        }
    }

    /// A person's page (`person page`): every section the operator's role may see, the read
    /// recorded once; the forms of what the role may do; as known at a past position, no forms.
    func personPage(
        _ person: PersonID, session: ConsoleSession, source: String, notice: String? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok, knownAt: Int64? = nil
    ) async -> Response {
        let today: CivilDate
        do { today = try todayInJapan() } catch {
            return Self.page(.serviceUnavailable, title: "日付", session: session, body: Console.error("\(error)"))
        }
        let purpose = knownAt == nil ? "窓口（コンソール）" : "監査（過去の時点）"
        let outcome = await run(
            PersonPage(person: person, knownAt: knownAt, purpose: purpose), session: session, source: source, action: nil)
        switch outcome {
        case .success(let view):
            let message =
                (notice.map { "<p class=\"notice\" role=\"status\">\(Console.escape($0))</p>" } ?? "")
                + (error.map(Console.error) ?? "")
            let forms = Console.Forms(csrf: session.csrf, today: today, offices: view.offices, offers: Set(view.offers))
            return Self.page(
                status, title: "\(view.person.number) \(view.person.name ?? "")", session: session,
                body: Console.searchForm(csrf: session.csrf) + message
                    + Console.personPage(view, today: today, forms: forms)
                    + (forms.offers.contains(ReadAuditLog.name) ? Console.knownAtForm(view.person.number) : ""))
        case .failure(let error):
            return failurePage(error, session: session, title: "エラー", before: Console.searchForm(csrf: session.csrf))
        }
    }

    // MARK: - Responses

    static func securityHeaders(contentType: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: contentType]
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
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
                <nav><a href="/console/search">検索</a> <a href="/console/applications">確認待ちの申請</a> \
                <a href="/console/arrears">滞納者一覧</a> <a href="/console/audit">監査ログ</a> \
                <a href="/console/review">年次点検</a> <a href="/console/whatif">試算</a></nav>\
                <span class="who">\(escape($0.credentials.operatorID))</span>\
                <form method="post" action="/console/logout"><input type="hidden" name="csrf" value="\($0.csrf)">\
                <button type="submit">ログアウト</button></form></header>
                """
            } ?? "<header><span class=\"brand\">後期高齢者医療 koki</span></header>"
        return """
            <!DOCTYPE html>
            <html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
            <title>\(escape(title)) — koki</title><link rel="stylesheet" href="/console/style.css">\
            <script src="/console/console.js" defer></script></head>
            <body><a class="skip" href="#main">本文へ移動</a>\(header)<main id="main" tabindex="-1"><h1>\(escape(title))</h1>
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

    static func searchForm(csrf: String, name: String = "") -> String {
        """
        <div class="searches">
        <form method="get" action="/console/search" class="search" role="search" aria-label="番号で探す">
        <label>被保険者番号（旧番号も可） <input name="number" inputmode="numeric" required></label>
        <button type="submit">表示</button>
        </form>
        <form method="post" action="/console/find" class="search" role="search" aria-label="氏名で探す">
        <input type="hidden" name="csrf" value="\(csrf)">
        <label>氏名またはカナ（2文字以上） <input name="name" required minlength="2" maxlength="80" value="\(escape(name))"></label>
        <label>生年月日（任意） <input name="birth" type="date"></label>
        <button type="submit">検索</button>
        </form>
        </div>
        """
    }

    static func error(_ message: String) -> String { "<p class=\"error\" role=\"alert\">\(escape(message))</p>" }

    /// A form's field that does not read, named as the form names it.
    struct FieldError: Error, CustomStringConvertible {
        let description: String
        init(_ message: String) { description = message }
    }

    /// Whether `error` refused for want of a session (ended, expired, idle, forged): the clerk
    /// logs in again rather than reading a refusal.
    static func sessionEnded(_ error: any Error) -> Bool { (error as? KokiError)?.refusesSession == true }

    /// What a refusal says: a field's own words, else the core's.
    static func message(_ error: any Error) -> String {
        (error as? FieldError)?.description ?? Staff.namingFields(ExitStatus.classify(error).message)
    }

    /// A value put in a URL's query or path (letters, digits and `-` as they are).
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-"))) ?? ""
    }

    /// What was done, said after the redirect: from a fixed list of codes, with a record's number
    /// (letters, digits, `-`, at most 40) — a link cannot put words of its own on the page.
    static func done(_ code: String?, reference: String?) -> String? {
        let ref = reference.flatMap {
            $0.count <= 40 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } ? $0 : nil
        } ?? ""
        switch code {
        case "payment": return "納付を記録しました"
        case "application": return "申請 \(ref) を受け付けました。変更を伴う申請は、別の職員が確認したときに記録されます"
        case "card": return "資格確認書 \(ref) を交付しました"
        case "contact": return "折衝記録 \(ref) を記録しました"
        case "confirmed": return "申請 \(ref) を確認し、変更を記録しました"
        case "rejected": return "申請 \(ref) を却下しました"
        default: return nil
        }
    }

    /// An auditor's question on a person's page: what did the ledger say at a past position?
    static func knownAtForm(_ number: String) -> String {
        """
        <section aria-label="過去の時点"><h2>過去の時点の記録（監査）</h2>
        <form method="get" action="/console/person/\(escape(number))" class="search">
        <label>台帳の位置 <input name="known-at" inputmode="numeric" required></label>
        <button type="submit">その時点で表示</button>
        </form></section>
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

    /// The audit log's filters: one person's accesses, one operator's.
    static func auditFilter(person: PersonID?, operatorID: String?) -> String {
        """
        <form method="get" action="/console/audit" class="search">
        <label>対象者（被保険者番号） <input name="person" inputmode="numeric" value="\(escape(person?.value ?? ""))"></label>
        <label>利用者ID <input name="operator" maxlength="32" value="\(escape(operatorID ?? ""))"></label>
        <button type="submit">絞り込む</button>
        </form>
        """
    }

    /// Entries on one page of the audit log.
    static let auditPage = 200

    /// A page of the audit log (auditors), newest first: who read or did what, when, from where,
    /// and why; a link to the page before.
    static func auditLog(_ entries: [AuditEntry], filter: [String], subject: String, before: Int64?) -> String {
        let older =
            entries.count == auditPage
            ? entries.first.map {
                "<a href=\"/console/audit?\((["before=\($0.position)"] + filter).joined(separator: "&amp;"))\">前の\(auditPage)件</a>"
            } ?? ""
            : ""
        let newest =
            before == nil ? "" : "<a href=\"/console/audit\(filter.isEmpty ? "" : "?" + filter.joined(separator: "&amp;"))\">最新</a>"
        let range =
            entries.isEmpty
            ? "記録はありません"
            : "位置 \(entries.first?.position ?? 0)〜\(entries.last?.position ?? 0) の\(StaffText.count(entries.count))件（新しい順）"
        return "<p>\(subject.isEmpty ? "" : escape(subject) + " の記録：")\(range)</p><p class=\"pager\">\(newest) \(older)</p>"
            + table(
                ["位置", "記録日時", "種類", "利用者", "端末", "コマンド", "対象者", "目的", "内容"],
                entries.reversed().map {
                    [
                        "\($0.position)", StaffText.moment(microseconds: $0.recordedAt.microseconds), escape($0.kind.label),
                        escape($0.operatorID), escape($0.terminal ?? ""), escape($0.command ?? ""),
                        $0.persons.count > 3
                            ? "\(StaffText.count($0.persons.count))人"
                            : $0.persons.map { "<a href=\"/console/audit?person=\($0.value)\">\($0.value)</a>" }
                                .joined(separator: " "),
                        escape($0.purpose ?? ""), escape($0.detail),
                    ]
                }, numeric: [0]) + "<p class=\"pager\">\(older)</p>"
    }

    /// The console's one script, from this server only (the pages work without it): a form sent is
    /// not sent again by a second click while the next page loads. The server records a form once
    /// however often it comes; this spares the clerk a second answer (such as "no certificate in
    /// force to reissue" for the one the first click just issued). A page shown again from the
    /// browser's history may be sent again.
    static let script = """
        "use strict";
        document.addEventListener("submit", function (event) {
          var form = event.target;
          if (form.hasAttribute("data-sent")) { event.preventDefault(); return; }
          form.setAttribute("data-sent", "");
        });
        window.addEventListener("pageshow", function () {
          document.querySelectorAll("form[data-sent]").forEach(function (form) { form.removeAttribute("data-sent"); });
        });
        """

    /// Readable on a 1366×768 office screen, at the browser's own font size.
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
        .muted { color: #555; font-size: .9rem; }
        .skip { position: absolute; left: -9999px; }
        .skip:focus { left: 1rem; top: .5rem; background: #fff; color: #000; padding: .3rem .6rem; z-index: 1; }
        .searches { display: flex; gap: 2rem; flex-wrap: wrap; }
        form.stack .row { display: flex; gap: 1rem; flex-wrap: wrap; align-items: end; margin: .5rem 0; }
        fieldset { border: 1px solid #bbb; margin: .5rem 0; }
        form.inline { margin: 0; } form.inline button { font-size: .85rem; padding: .1rem .4rem; }
        .pager a { margin-right: 1rem; }
        textarea { font-family: monospace; font-size: .9rem; }
        label.check { flex-direction: row; gap: .3rem; align-items: center; }
        """
}
