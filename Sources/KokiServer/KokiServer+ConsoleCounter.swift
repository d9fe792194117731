import Foundation
import Hummingbird
import KokiApp
import KokiDomain
import KokiEvents
import KokiNotices
import LedgerStore

/// The console's counter work beyond a payment: finding a person by name, receiving an
/// application and confirming another operator's, issuing a certificate (資格確認書) or a payment
/// certificate (納付済確認書), reissuing a notice — each a typed request through the core, each
/// form's action id making a double click record once — and the auditor's pages: the audit log a
/// page at a time, the yearly review, and a person as the ledger knew them at a past position.
extension KokiServer {
    func addConsoleCounter(to router: Router<ClientRequestContext>) {
        // A name is personal data: it travels in the body of a POST (with the form's token), never
        // in a link that a proxy's log or the browser's history would keep.
        router.get("/console/find") { _, _ in Self.redirect("/console/search") }
        router.post("/console/find") { request, context -> Response in
            let posted = await Self.postedForm(request)
            guard case .own(let session, let form) = posted else { return posted.response }
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let birth = form["birth"].flatMap { $0.isEmpty ? nil : $0 }
            let birthDate = birth.flatMap { try? CivilDate(iso: $0) }
            if birth != nil, birthDate == nil {
                return Self.page(
                    .badRequest, title: "検索", session: session,
                    body: Console.searchForm(csrf: session.csrf, name: name)
                        + Console.error("「生年月日」(--birth-date) は年月日で入力してください"))
            }
            return await listPage(
                title: "検索", session: session, source: context.source,
                FindPersons(name: name, birthDate: birthDate, limit: 50, purpose: "窓口（氏名検索）"),
                before: Console.searchForm(csrf: session.csrf, name: name), status: .badRequest
            ) { Console.found($0, name: name) }
        }
        router.post("/console/person/:number/application") { request, context -> Response in
            await personForm(request, context, done: "application") { person, form in try Self.application(person, form) }
                reference: { $0.number }
        }
        router.post("/console/person/:number/card") { request, context -> Response in
            await personForm(request, context, done: "card") { person, form in
                guard let reason = form["reason"].flatMap(CertificateReason.init(rawValue:)) else {
                    throw Console.FieldError("「交付事由」(--reason) を選んでください")
                }
                guard let delivery = form["delivery"].flatMap(Delivery.init(rawValue:)) else {
                    throw Console.FieldError("「交付方法」(--delivery) を選んでください")
                }
                return IssueCard(
                    person: person, reason: reason, validFrom: nil, on: nil, delivery: delivery,
                    office: form["office"].flatMap { $0.isEmpty ? nil : $0 })
            } reference: { $0.number }
        }
        router.post("/console/person/:number/contact") { request, context -> Response in
            await personForm(request, context, done: "contact") { person, form in
                guard let on = form["on"].flatMap({ try? CivilDate(iso: $0) }) else {
                    throw Console.FieldError("「折衝日」(--on) は年月日で入力してください")
                }
                guard let method = form["method"].flatMap(ContactMethod.init(rawValue:)) else {
                    throw Console.FieldError("「折衝方法」(--method) を選んでください")
                }
                let promised = (form["promisedOn"] ?? "").trimmingCharacters(in: .whitespaces)
                let promisedOn = promised.isEmpty ? nil : try? CivilDate(iso: promised)
                if !promised.isEmpty, promisedOn == nil {
                    throw Console.FieldError("「納付予定日」(--promised-on) は年月日で入力してください")
                }
                // A browser sends a textarea's line ends as CR LF: kept as the line breaks they are.
                let content = (form["content"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                guard !content.isEmpty else { throw Console.FieldError("「折衝内容」(--content) を入力してください") }
                return RecordContact(
                    person: person,
                    terms: ContactTerms(
                        on: on, method: method,
                        counterpart: (form["counterpart"] ?? "").trimmingCharacters(in: .whitespaces),
                        content: content, promise: (form["promise"] ?? "").trimmingCharacters(in: .whitespaces),
                        promisedOn: promisedOn))
            } reference: { $0.id }
        }
        router.post("/console/person/:number/certificate") { request, context -> Response in
            guard let person = try? PersonID(context.parameters.get("number") ?? "") else {
                return Self.redirect("/console/search")
            }
            return await documentForm(request, context, person: person) { form in
                guard let year = form["year"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
                    (1900...9999).contains(year)
                else { throw Console.FieldError("「年」(--calendar-year) は西暦の年で入力してください") }
                if form["span"] == "fiscal" {
                    return IssueCertificate(person: person, fiscalYear: try FiscalYear(year), on: nil)
                }
                return IssueCertificate(person: person, fiscalYear: nil, calendarYear: year, on: nil)
            }
        }
        router.post("/console/notice/:number/reissue") { request, context -> Response in
            let number = context.parameters.get("number") ?? ""
            return await documentForm(request, context, person: nil) { _ in ReissueNotice(number: number) }
        }
        router.get("/console/applications") { request, context -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            return await listPage(
                title: "確認待ちの申請", session: session, source: context.source, PendingApplications(office: nil, on: nil)
            ) { Console.pending($0) }
        }
        router.get("/console/applications/:number") { request, context -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            let number = context.parameters.get("number") ?? ""
            let notice = Console.done(request.uri.queryParameters.get("done").map { String($0) }, reference: number)
            return await applicationPage(number, session: session, source: context.source, notice: notice)
        }
        router.post("/console/applications/:number/confirm") { request, context -> Response in
            await applicationDecision(request, context, reject: false)
        }
        router.post("/console/applications/:number/reject") { request, context -> Response in
            await applicationDecision(request, context, reject: true)
        }
        router.get("/console/review") { request, context -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            let from = request.uri.queryParameters.get("from").flatMap { $0.isEmpty ? nil : String($0) }
            let before = request.uri.queryParameters.get("before").flatMap { $0.isEmpty ? nil : String($0) }
            return await listPage(
                title: "アクセスの年次点検", session: session, source: context.source,
                ReviewAudit(from: from, before: before),
                before: Console.reviewForm(from: from, before: before), status: .badRequest
            ) { Console.review($0) }
        }
    }

    // MARK: - Forms posted on a person's page

    /// A form posted from a console page, run as a typed request: the session, the browser's
    /// token and the action id checked; the form made into the request (a field that does not
    /// read is named); the request run as the session's operator. `answer` makes the page of
    /// what it did, `refuse` the page that says why not.
    func posted<R: KokiRequest>(
        _ request: Request, _ context: ClientRequestContext,
        refuse: (ConsoleSession, String) async -> Response,
        make: ([String: String]) throws -> R,
        answer: (ConsoleSession, R.Result) async -> Response
    ) async -> Response {
        let posted = await Self.postedForm(request)
        guard case .own(let session, let form) = posted else { return posted.response }
        guard let action = form["action"].flatMap(Identifier.init(string:)) else {
            return await refuse(session, "この画面から送られたものではありません。もう一度開いてください")
        }
        let asked: R
        do { asked = try make(form) } catch { return await refuse(session, Console.message(error)) }
        switch await run(asked, session: session, source: context.source, action: action) {
        case .success(let result): return await answer(session, result)
        case .failure(let error):
            let failure = ExitStatus.classify(error)
            if Console.sessionEnded(error) || failure.status == .accessDenied {
                return failurePage(error, session: session, title: "権限がありません")
            }
            return await refuse(session, Staff.namingFields(failure.message))
        }
    }

    /// A form posted on a person's page: then back to the person's page saying what was done
    /// (with the record's number), or the page again with the refusal.
    func personForm<R: KokiRequest>(
        _ request: Request, _ context: ClientRequestContext, done: String,
        _ make: @escaping @Sendable (PersonID, [String: String]) throws -> R,
        reference: @escaping @Sendable (R.Result) -> String
    ) async -> Response {
        guard let person = try? PersonID(context.parameters.get("number") ?? "") else {
            return Self.redirect("/console/search")
        }
        return await posted(request, context) { session, message in
            await personPage(
                person, session: session, source: context.source, error: message, status: .unprocessableContent)
        } make: { form in
            try make(person, form)
        } answer: { _, result in
            let ref = reference(result)
            return Self.redirect(
                "/console/person/\(person.value)?done=\(done)" + (ref.isEmpty ? "" : "&ref=" + Console.queryValue(ref)))
        }
    }

    /// A form that issues a document (a payment certificate, a reissue): the document's page is
    /// the answer, ready to print — a notice's own A4 page, its inline style allowed by a nonce
    /// and nothing else. The action id makes the form sent again record nothing new.
    /// A refusal shows the person's page again when the form was on it (`person`).
    func documentForm<R: KokiRequest>(
        _ request: Request, _ context: ClientRequestContext, person: PersonID?,
        _ make: @escaping @Sendable ([String: String]) throws -> R
    ) async -> Response where R.Result == Notice {
        func refuse(_ session: ConsoleSession, _ message: String) async -> Response {
            if let person {
                return await personPage(
                    person, session: session, source: context.source, error: message, status: .unprocessableContent)
            }
            return Self.page(.unprocessableContent, title: "文書", session: session, body: Console.error(message))
        }
        return await posted(request, context, refuse: refuse, make: make) { session, notice in
            do {
                return Self.document(try NoticeRenderer().html(notice))
            } catch {
                return await refuse(session, Console.message(error))
            }
        }
    }

    /// A typed request run as the session's operator (today in Japan; the form's action id).
    func run<R: KokiRequest>(_ request: R, session: ConsoleSession, source: String, action: Identifier?) async
        -> Result<R.Result, any Error>
    {
        await onCore(session: session, source: source, action: action) { application, caller in
            try application.run(request, as: caller)
        }
    }

    /// `work` on the application core, as the session's operator: today in Japan, the console's
    /// terminal, the form's action id, and the files a form carried (none unless given).
    func onCore<T: Sendable>(
        session: ConsoleSession, source: String, action: Identifier?, files: any FileSource = LocalFiles(),
        _ work: @escaping @Sendable (KokiApplication, Caller) throws -> T
    ) async -> Result<T, any Error> {
        let today: CivilDate
        do { today = try todayInJapan() } catch { return .failure(error) }
        let caller = Caller(
            credentials: session.credentials, terminal: Self.consoleTerminal, source: source, today: today,
            action: action)
        return await onLedger(keyRequired: true) { ledger in try work(KokiApplication(ledger, files: files), caller) }
    }

    /// What a form posted from a console page carries, once it is this browser's own: its
    /// session and fields — or the answer instead (a body too large, no session, another site's
    /// form).
    enum PostedForm {
        case own(ConsoleSession, [String: String])
        case answer(Response)

        /// The answer to send when the form is not one to act on.
        var response: Response {
            switch self {
            case .answer(let response): response
            case .own(let session, _): KokiServer.stale(session)
            }
        }
    }

    static func postedForm(_ request: Request) async -> PostedForm {
        guard let body = await body(of: request) else { return .answer(tooLarge) }
        guard let session = consoleSession(request) else { return .answer(redirect("/console/login")) }
        let form = Console.form(body)
        guard formIsOwn(request, form) else { return .answer(stale(session)) }
        return .own(session, form)
    }

    /// The application a reception form asks for: the reception's fields, and for a change of
    /// address or a mailing recipient the change itself (confirmed later by a second operator).
    static func application(_ person: PersonID, _ form: [String: String]) throws -> ReceiveApplication {
        func value(_ key: String) -> String? {
            form[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let kind = value("kind").flatMap(ApplicationKind.init(rawValue:)), Console.consoleKinds.contains(kind)
        else { throw Console.FieldError("「種類」(--kind) を選んでください") }
        guard let office = value("office") else { throw Console.FieldError("「受付窓口」(--office) を入力してください") }
        guard let received = value("received").flatMap({ try? CivilDate(iso: $0) }) else {
            throw Console.FieldError("「受付日」(--received) は年月日で入力してください")
        }
        guard let applicant = value("applicant").flatMap(ApplicantKind.init(rawValue:)) else {
            throw Console.FieldError("「申請者の区分」(--applicant) を選んでください")
        }
        guard let identity = value("identity").flatMap(IdentityDocument.init(rawValue:)) else {
            throw Console.FieldError("「本人確認書類」(--identity) を選んでください")
        }
        let applicantName = value("applicantName")
        if applicant != .person, applicantName == nil {
            throw Console.FieldError("「申請者氏名」(--applicant-name) を入力してください（本人以外の申請）")
        }
        let attached = (value("attached") ?? "").split(whereSeparator: { "、,，".contains($0) }).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        let reception = ReceptionFields(
            office: office, received: received, applicant: applicant,
            applicantName: applicant == .person ? nil : applicantName, identity: identity, attached: attached)
        // Each kind's change has its own fields; a field of another kind's filled in is refused
        // rather than dropped (the clerk chose the wrong kind, or the wrong box).
        let sets: [(kind: ApplicationKind, fields: [String])] = [
            (.household, ["address", "postalCode", "phone"]),
            (.mailing, ["recipientName", "recipientAddress", "recipientPostalCode"]),
            (.debit, ["bank", "branch", "account", "holder"]),
            (.income, ["incomeYear", "pension", "salary", "otherIncome", "totalIncome", "taxable"]),
        ]
        if let stray = sets.first(where: { $0.kind != kind && $0.fields.contains { value($0) != nil } }) {
            throw Console.FieldError(
                "「\(stray.kind.label)」の欄に入力があります：「\(kind.label)」として受け付けるなら、その欄は空にしてください")
        }
        /// An amount typed in yen (digits, with or without thousands separators), or the field named.
        func yen(_ key: String, _ term: String, _ option: String, required: Bool = true) throws -> Int64? {
            guard let text = value(key)?.replacingOccurrences(of: ",", with: "") else {
                if required { throw Console.FieldError("「\(term)」(\(option)) を円の整数で入力してください") }
                return nil
            }
            guard let amount = Int64(text) else {
                throw Console.FieldError("「\(term)」(\(option)) は円の整数で入力してください")
            }
            return amount
        }
        let change: StoredRequest?
        switch kind {
        case .debit:
            guard let bank = value("bank"), let branch = value("branch"), let account = value("account"),
                let holder = value("holder")
            else {
                throw Console.FieldError("口座振替依頼書の「金融機関コード」「支店コード」「口座番号」「口座名義」を入力してください")
            }
            guard let accountType = value("accountType").flatMap({ Int($0) }) else {
                throw Console.FieldError("「預金種目」(--account-type) を選んでください")
            }
            change = try StoredRequest(
                ApplyForDebit(
                    person: person, bank: bank, branch: branch, accountType: accountType, account: account,
                    holder: holder, on: received))
        case .income:
            guard let year = value("incomeYear").flatMap({ Int($0) }) else {
                throw Console.FieldError("「年」(--year) は所得の年を西暦で入力してください")
            }
            change = try StoredRequest(
                RecordIncome(
                    number: person, year: year, pension: try yen("pension", "年金収入", "--pension", required: false) ?? 0,
                    salary: try yen("salary", "給与収入", "--salary", required: false) ?? 0,
                    other: try yen("otherIncome", "その他の所得", "--other", required: false) ?? 0,
                    total: try yen("totalIncome", "総所得金額等", "--total") ?? 0,
                    taxable: try yen("taxable", "課税標準額", "--taxable", required: false), undeclared: false,
                    source: "申告書（窓口）"))
        case .household:
            guard value("address") != nil || value("postalCode") != nil || value("phone") != nil else {
                throw Console.FieldError("「住所」(--address) を入力してください（住所の変更）")
            }
            change = try StoredRequest(
                CorrectPerson(
                    number: person,
                    identity: IdentityFields(address: value("address"), phone: value("phone"), postalCode: value("postalCode")),
                    reason: ApplicationKind.household.label))
        case .mailing:
            guard let address = value("recipientAddress") else {
                throw Console.FieldError("「送付先住所」(--address) を入力してください")
            }
            guard let role = value("recipientRole").flatMap(MailRecipient.Role.init(rawValue:)) else {
                throw Console.FieldError("「続柄・役割」(--role) を選んでください")
            }
            guard let from = value("recipientFrom").flatMap({ try? CivilDate(iso: $0) }) else {
                throw Console.FieldError("「開始日」(--from) は年月日で入力してください")
            }
            change = try StoredRequest(
                SetMailRecipient(
                    number: person, role: role, recipientName: value("recipientName") ?? "",
                    postalCode: value("recipientPostalCode"), address: address, from: from))
        default:
            change = nil
        }
        return ReceiveApplication(person: person, kind: kind, reception: reception, change: change)
    }

    // MARK: - Applications: the second check

    func applicationPage(
        _ number: String, session: ConsoleSession, source: String, notice: String? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async -> Response {
        let outcome = await run(ShowApplication(number: number), session: session, source: source, action: nil)
        switch outcome {
        case .success(let view):
            let message =
                (notice.map { "<p class=\"notice\" role=\"status\">\(Console.escape($0))</p>" } ?? "")
                + (error.map(Console.error) ?? "")
            return Self.page(
                status, title: "申請 \(number)", session: session,
                body: message + Console.application(view, csrf: session.csrf, me: session.credentials.operatorID))
        case .failure(let error):
            return failurePage(error, session: session, title: "申請")
        }
    }

    /// Confirms or rejects an application as the session's operator; then its page again.
    func applicationDecision(_ request: Request, _ context: ClientRequestContext, reject: Bool) async -> Response {
        let posted = await Self.postedForm(request)
        guard case .own(let session, let form) = posted else { return posted.response }
        let number = context.parameters.get("number") ?? ""
        let done = Self.redirect(
            "/console/applications/\(Console.queryValue(number))?done=\(reject ? "rejected" : "confirmed")")
        let source = context.source
        guard let action = form["action"].flatMap(Identifier.init(string:)) else {
            return await applicationPage(number, session: session, source: source, error: "もう一度開いてください")
        }
        let outcome: Result<Void, any Error>
        if reject {
            let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty else {
                return await applicationPage(
                    number, session: session, source: source, error: "「理由」(--reason) を入力してください",
                    status: .unprocessableContent)
            }
            outcome = await run(
                RejectApplication(number: number, reason: reason, on: nil), session: session, source: source,
                action: action
            ).map { _ in () }
        } else {
            let upcast = upcast
            outcome = await onCore(session: session, source: source, action: action) { application, caller in
                _ = try application.confirm(number, on: nil, as: caller) { try upcast(number, $0) }
            }
        }
        switch outcome {
        case .success: return done
        case .failure(let error):
            let failure = ExitStatus.classify(error)
            if Console.sessionEnded(error) { return Self.redirect("/console/login") }
            // The same form sent twice (a double click): the first did it; the second is told so.
            if case .success(let view) = await run(
                ShowApplication(number: number), session: session, source: source, action: nil),
                Console.decided(view.application.state, by: session.credentials.operatorID, rejecting: reject)
            {
                return done
            }
            return await applicationPage(
                number, session: session, source: source, error: Staff.namingFields(failure.message),
                status: failure.status == .accessDenied ? .forbidden : .unprocessableContent)
        }
    }

    // MARK: - Responses

    /// A refusal's page, after `before` (the search, say): a session that ended goes to the
    /// login; a role that may not is told so; what is not there is not found.
    func failurePage(_ error: any Error, session: ConsoleSession, title: String, before: String = "") -> Response {
        if Console.sessionEnded(error) { return Self.redirect("/console/login") }
        let failure = ExitStatus.classify(error)
        let message = before + Console.error(Staff.namingFields(failure.message))
        switch failure.status {
        case .accessDenied: return Self.page(.forbidden, title: "権限がありません", session: session, body: message)
        case .invalidInput, .notFound: return Self.page(.notFound, title: "見つかりません", session: session, body: message)
        default: return Self.page(.internalServerError, title: title, session: session, body: message)
        }
    }

    static func stale(_ session: ConsoleSession) -> Response {
        page(
            .forbidden, title: "画面が古くなりました", session: session,
            body: Console.error("この画面から送られたものではありません。もう一度開いてください"))
    }

    /// A notice's own page (A4, ready to print): its inline style allowed by a nonce of this
    /// answer, nothing else — no script, no other origin.
    static func document(_ html: String) -> Response {
        let nonce = Console.newToken()
        var headers = securityHeaders(contentType: "text/html; charset=utf-8")
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'nonce-\(nonce)'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
        let page = html.replacingOccurrences(of: "<style>", with: "<style nonce=\"\(nonce)\">")
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
