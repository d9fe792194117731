import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// The console's person page and the forms on it: every value escaped, every term from the
/// labels table, dates in the office's style.
extension Console {
    /// What a page's section is called, by the request that fills it (for the sections left out).
    static let sectionTitles: [String: String] = [
        ShowAccount.name: "保険料・収納", ShowCollectionHistory.name: "収納履歴", ShowCertificates.name: "資格確認書・申請",
        NoticeHistory.name: "文書", ListContacts.name: "折衝記録", ShowPlans.name: "分納",
    ]

    /// What the page may offer: the forms of a person who can be served now (not erased, not a
    /// past position), with the offices to choose from.
    struct Forms {
        var csrf: String
        var today: CivilDate
        var offices: [String]
        /// The requests the operator may run from the page (``PersonPage/View/offers``).
        var offers: Set<String>
    }

    static func personPage(_ page: PersonPage.View, today: CivilDate, forms: Forms?) -> String {
        let p = page.person
        var html = ""
        if let position = page.knownAt {
            html +=
                "<p class=\"notice\" role=\"status\">位置 \(position) の時点で台帳が記録していた内容です（その後の記録は含みません）。</p>"
        }
        html += "<section aria-label=\"本人\"><h2>本人</h2><dl>"
        html += "<dt>被保険者番号</dt><dd>\(escape(p.number))"
            + (p.formerNumbers.isEmpty ? "" : "（旧番号 \(escape(p.formerNumbers.joined(separator: "、")))）") + "</dd>"
        if p.erased {
            html += "<dt>本人情報</dt><dd>（消去済み）</dd>"
        } else {
            html += "<dt>氏名</dt><dd>\(escape(p.name ?? ""))（\(escape(p.kana ?? ""))）</dd>"
            html += "<dt>生年月日</dt><dd>\(date(p.birthDate)) \(term(PersonIdentity.Sex.self, p.sex))</dd>"
            html += "<dt>住所</dt><dd>\(escape(p.postalCode.map { "\($0) " } ?? ""))\(escape(p.address ?? ""))</dd>"
            if let phone = p.phone, !phone.isEmpty { html += "<dt>電話番号</dt><dd>\(escape(phone))</dd>" }
        }
        for r in p.mailRecipients {
            html += "<dt>\(term(MailRecipient.Role.self, r.role))</dt><dd>\(escape(r.name)) "
                + "\(escape(r.postalCode.map { "\($0) " } ?? ""))\(escape(r.address))（\(date(r.from))から）</dd>"
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
        if let account = page.account { html += money(account) }
        if let history = page.history { html += collectionHistory(history) }
        if let counter = page.counter { html += certificates(counter, today: today) }
        if let notices = page.notices {
            html += documents(notices, csrf: page.knownAt == nil ? forms?.csrf : nil)
        }
        if let contacts = page.contacts { html += contactRecords(contacts) }
        if let plans = page.plans { html += planProgress(plans, today: today) }
        if !page.withheld.isEmpty {
            let names = page.withheld.map { sectionTitles[$0] ?? $0 }
            html += "<p class=\"muted\">表示しない欄：\(escape(names.joined(separator: "、")))"
                + (page.knownAt == nil ? "（この役割では見られません）" : "（過去の時点では台帳が答えられません）") + "</p>"
        }
        if let forms, page.knownAt == nil, !p.erased, let person = try? PersonID(p.number) {
            if forms.offers.contains(RecordPayment.name) {
                html += paymentForm(person, csrf: forms.csrf, today: forms.today)
            }
            if forms.offers.contains(ReceiveApplication.name) { html += applicationForm(person, forms: forms) }
            if forms.offers.contains(IssueCard.name) { html += cardForm(person, forms: forms) }
            if forms.offers.contains(IssueCertificate.name) { html += certificateForm(person, forms: forms) }
            if forms.offers.contains(RecordContact.name) { html += contactForm(person, forms: forms) }
        }
        return html
    }

    static func money(_ account: PersonAccount) -> String {
        var html = "<section aria-label=\"保険料\"><h2>保険料</h2>"
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
        html += "</section><section aria-label=\"収納\"><h2>収納</h2>"
        html += table(
            ["収納番号", "納付日", "収納方法", "金額（円）"],
            account.payments.map {
                [escape($0.id), date($0.paidOn), term(PaymentChannel.self, $0.channel), Staff.amount($0.amount)]
            }, numeric: [3])
        return html + "</section>"
    }

    static func collectionHistory(_ history: [ArrearsCommands.HistoryEntry]) -> String {
        "<section aria-label=\"収納履歴\"><h2>収納履歴</h2>"
            + table(
                ["日付", "種類", "内容", "記録者"],
                history.map {
                    [StaffText.date($0.date), escape(Staff.historyKind($0.kind)), escape($0.text), escape($0.actor)]
                }) + "</section>"
    }

    static func certificates(_ records: CounterRecords.Person, today: CivilDate) -> String {
        var html = "<section aria-label=\"資格確認書\"><h2>資格確認書</h2>"
        html += table(
            ["番号", "交付事由", "交付日", "有効期間の開始", "有効期限", "負担割合", "交付方法", "状態"],
            records.certificates.map { c in
                let i = c.issued
                let state = c.staffState(on: today)
                return [
                    escape(i.number), escape(i.reason.label), StaffText.date(i.issuedOn), StaffText.date(i.validFrom),
                    StaffText.date(i.validUntil), escape(i.copayClass.label), escape(i.delivery.label), escape(state),
                ]
            })
        html += "</section><section aria-label=\"申請・届出\"><h2>申請・届出</h2>"
        html += table(
            ["申請番号", "種類", "受付日", "受付窓口", "入力者", "変更の内容", "状態"],
            records.applications.reversed().map { a in
                let r = a.received
                return [
                    "<a href=\"/console/applications/\(escape(r.number))\">\(escape(r.number))</a>", escape(r.kind.label),
                    StaffText.date(r.reception.receivedOn), escape(r.reception.office), escape(r.reception.enteredBy),
                    escape(r.changeCommand.map(Staff.command) ?? "なし"), escape(applicationState(a.state)),
                ]
            })
        return html + "</section>"
    }

    static func applicationState(_ state: CounterRecords.State) -> String {
        switch state {
        case .pending: "確認待ち"
        case .confirmed(let c): "確認済み（\(c.confirmedBy)、\(StaffText.date(c.confirmedOn))）"
        case .rejected(let r): "却下（\(r.rejectedBy)、\(StaffText.date(r.rejectedOn))：\(r.reason)）"
        case .recorded: "受付済み"
        }
    }

    static func documents(_ notices: [IssuedDocument], csrf: String?) -> String {
        "<section aria-label=\"文書\"><h2>文書（発行履歴）</h2>"
            + table(
                ["文書番号", "種類", "理由", "発行日", "対象", "記録者", ""],
                notices.reversed().map { issued in
                    let d = issued.document
                    return [
                        escape(d.number + (d.reissueOf == nil ? "" : "（再発行）")), escape(d.kind.label), escape(d.reason),
                        StaffText.date(d.issuedOn), escape(d.subject), escape(issued.actor),
                        csrf.map { csrf in
                            """
                            <form method="post" action="/console/notice/\(escape(d.number))/reissue" class="inline">\
                            <input type="hidden" name="csrf" value="\(csrf)">\
                            <input type="hidden" name="action" value="\(Identifier.random())">\
                            <button type="submit">再発行</button></form>
                            """
                        } ?? "",
                    ]
                }) + "</section>"
    }

    static func contactRecords(_ contacts: [ArrearsCommands.Contact]) -> String {
        "<section aria-label=\"折衝記録\"><h2>折衝記録</h2>"
            + table(
                ["記録番号", "折衝日", "方法", "相手方", "内容", "約束事項", "納付予定日"],
                contacts.reversed().compactMap { contact -> [String]? in
                    guard let (event, words) = contact.versions.last else { return nil }
                    return [
                        escape(contact.id + (contact.isRetracted ? Staff.word("retracted") : "")),
                        StaffText.date(event.contactedOn), escape(event.method.label),
                        escape(words?.counterpart ?? Staff.word("erased")), escape(words?.content ?? ""),
                        escape(words?.promise ?? ""), event.promisedOn.map { StaffText.date($0) } ?? "",
                    ]
                }) + "</section>"
    }

    static func planProgress(_ plans: [ArrearsCommands.PlanProgress], today: CivilDate) -> String {
        "<section aria-label=\"分納\"><h2>分納</h2>"
            + table(
                ["分納番号", "状態", "約束日", "約束額（円）", "納付額（円）", "残額（円）", "次回"],
                plans.map { p in
                    let next = p.plan.schedule.first { $0.on >= today }
                    return [
                        escape(p.plan.id), escape(p.plan.change.label), StaffText.date(p.agreedOn), StaffText.amount(p.due),
                        StaffText.amount(p.paid), StaffText.amount(p.remaining),
                        next.map { "\(StaffText.date($0.on)) \(StaffText.yen($0.amount))" } ?? "",
                    ]
                }, numeric: [3, 4, 5]) + "</section>"
    }

    // MARK: - Forms

    static func options<T: StaffLabelled & RawRepresentable>(_ values: [T], selected: T? = nil) -> String
    where T.RawValue == String {
        values.map {
            "<option value=\"\(escape($0.rawValue))\"\($0.rawValue == selected?.rawValue ? " selected" : "")>\(escape(Labels.current.term($0)))</option>"
        }.joined()
    }

    static func hidden(csrf: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\"><input type=\"hidden\" name=\"action\" value=\"\(Identifier.random())\">"
    }

    static func officeField(_ offices: [String]) -> String {
        offices.isEmpty
            ? "<label>受付窓口 <input name=\"office\" required maxlength=\"40\"></label>"
            : "<label>受付窓口 <select name=\"office\">"
                + offices.map { "<option>\(escape($0))</option>" }.joined() + "</select></label>"
    }

    /// The kinds of application the console receives: a change of address, a mailing recipient,
    /// a bank-debit application, an income declaration, and those that change nothing (a
    /// certificate asked for, anything else kept).
    static let consoleKinds: [ApplicationKind] = [.household, .mailing, .debit, .income, .certificate, .other]

    /// The counter's payment form: a new action id each time the page is drawn.
    static func paymentForm(_ person: PersonID, csrf: String, today: CivilDate) -> String {
        """
        <section aria-label="納付の記録"><h2>納付の記録（窓口）</h2>
        <form method="post" action="/console/person/\(person.value)/payment" class="search">
        \(hidden(csrf: csrf))
        <label>金額（円） <input name="amount" inputmode="numeric" required></label>
        <label>納付日 <input name="paidOn" type="date" value="\(today)" required></label>
        <label>収納方法 <select name="channel">\(options([PaymentChannel.counter, .smartphone]))</select></label>
        <label>領収番号 <input name="reference" maxlength="64"></label>
        <button type="submit">記録する</button>
        </form></section>
        """
    }

    static func applicationForm(_ person: PersonID, forms: Forms) -> String {
        """
        <section aria-label="申請・届出の受付"><h2>申請・届出の受付</h2>
        <form method="post" action="/console/person/\(person.value)/application" class="stack">
        \(hidden(csrf: forms.csrf))
        <div class="row">
        <label>申請の種類 <select name="kind">\(options(consoleKinds))</select></label>
        \(officeField(forms.offices))
        <label>受付日 <input name="received" type="date" value="\(forms.today)" required></label>
        <label>申請者の区分 <select name="applicant">\(options(ApplicantKind.allCases))</select></label>
        <label>申請者氏名（本人以外） <input name="applicantName" maxlength="100"></label>
        <label>本人確認書類 <select name="identity">\(options(IdentityDocument.allCases))</select></label>
        <label>添付書類（、区切り） <input name="attached" maxlength="200"></label>
        </div>
        <fieldset><legend>住所の変更（\(escape(ApplicationKind.household.label))）</legend><div class="row">
        <label>郵便番号 <input name="postalCode" maxlength="8" inputmode="numeric"></label>
        <label>住所 <input name="address" maxlength="200" size="40"></label>
        <label>電話番号 <input name="phone" maxlength="20"></label>
        </div></fieldset>
        <fieldset><legend>送付先（\(escape(ApplicationKind.mailing.label))）</legend><div class="row">
        <label>区分 <select name="recipientRole">\(options(MailRecipient.Role.allCases))</select></label>
        <label>送付先氏名 <input name="recipientName" maxlength="100"></label>
        <label>送付先郵便番号 <input name="recipientPostalCode" maxlength="8" inputmode="numeric"></label>
        <label>送付先住所 <input name="recipientAddress" maxlength="200" size="40"></label>
        <label>開始日 <input name="recipientFrom" type="date" value="\(forms.today)"></label>
        </div></fieldset>
        <fieldset><legend>口座振替（\(escape(ApplicationKind.debit.label))）</legend><div class="row">
        <label>金融機関コード <input name="bank" maxlength="4" size="5" inputmode="numeric"></label>
        <label>支店コード <input name="branch" maxlength="3" size="4" inputmode="numeric"></label>
        <label>預金種目 <select name="accountType"><option value="1">普通</option><option value="2">当座</option></select></label>
        <label>口座番号 <input name="account" maxlength="7" size="8" inputmode="numeric"></label>
        <label>口座名義（カナ） <input name="holder" maxlength="30"></label>
        </div></fieldset>
        <fieldset><legend>所得の申告（\(escape(ApplicationKind.income.label))）</legend><div class="row">
        <label>年（西暦） <input name="incomeYear" maxlength="4" size="5" inputmode="numeric"></label>
        <label>年金収入（円） <input name="pension" inputmode="numeric" size="10"></label>
        <label>給与収入（円） <input name="salary" inputmode="numeric" size="10"></label>
        <label>その他の所得（円） <input name="otherIncome" inputmode="numeric" size="10"></label>
        <label>総所得金額等（円） <input name="totalIncome" inputmode="numeric" size="10"></label>
        <label>課税標準額（円、任意） <input name="taxable" inputmode="numeric" size="10"></label>
        </div></fieldset>
        <p class="muted">変更を伴う申請は、入力者以外の職員が「確認待ちの申請」から確認したときに記録されます。</p>
        <button type="submit">受け付ける</button>
        </form></section>
        """
    }

    static func cardForm(_ person: PersonID, forms: Forms) -> String {
        """
        <section aria-label="資格確認書の交付"><h2>資格確認書の交付</h2>
        <form method="post" action="/console/person/\(person.value)/card" class="search">
        \(hidden(csrf: forms.csrf))
        <label>交付事由 <select name="reason">\(options([CertificateReason.request, .lost, .damaged, .changed]))</select></label>
        <label>交付方法 <select name="delivery">\(options(Delivery.allCases))</select></label>
        \(officeField(forms.offices))
        <button type="submit">交付する</button>
        </form></section>
        """
    }

    static func certificateForm(_ person: PersonID, forms: Forms) -> String {
        let year = forms.today.year - 1
        return """
            <section aria-label="納付済確認書"><h2>納付済確認書の発行</h2>
            <form method="post" action="/console/person/\(person.value)/certificate" class="search">
            \(hidden(csrf: forms.csrf))
            <label>対象 <select name="span"><option value="calendar">暦年（確定申告用）</option>\
            <option value="fiscal">年度</option></select></label>
            <label>年 <input name="year" inputmode="numeric" value="\(year)" required maxlength="4"></label>
            <button type="submit">発行する</button>
            </form></section>
            """
    }

    /// A contact with the person (折衝記録), as `koki contact record`.
    static func contactForm(_ person: PersonID, forms: Forms) -> String {
        """
        <section aria-label="折衝の記録"><h2>折衝の記録</h2>
        <form method="post" action="/console/person/\(person.value)/contact" class="stack">
        \(hidden(csrf: forms.csrf))
        <div class="row">
        <label>折衝日 <input name="on" type="date" value="\(forms.today)" required></label>
        <label>折衝方法 <select name="method">\(options(ContactMethod.allCases))</select></label>
        <label>相手方 <input name="counterpart" value="本人" maxlength="200"></label>
        <label>約束事項 <input name="promise" maxlength="1000" size="30"></label>
        <label>納付予定日 <input name="promisedOn" type="date"></label>
        </div>
        <label>折衝内容 <textarea name="content" rows="3" cols="90" maxlength="\(ContactTerms.contentLength)" required></textarea></label>
        <button type="submit">記録する</button>
        </form></section>
        """
    }

    /// Found persons (氏名・カナ検索), each a link to their page.
    static func found(_ view: FindPersons.View, name: String) -> String {
        let more = view.matched > view.found.count ? "（\(StaffText.count(view.matched))件中、近い順に\(StaffText.count(view.found.count))件）" : ""
        return "<p>「\(escape(name))」に該当：\(StaffText.count(view.found.count))件\(more)</p>"
            + table(
                ["被保険者番号", "氏名", "カナ氏名", "生年月日", "住所", "資格"],
                view.found.map {
                    [
                        "<a href=\"/console/person/\(escape($0.number))\">\(escape($0.number))</a>", escape($0.name),
                        escape($0.kana), StaffText.date($0.birthDate), escape($0.address), $0.insured ? "被保険者" : "—",
                    ]
                })
    }
}
