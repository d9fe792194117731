import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections

/// The console's pages for the second check (確認待ちの申請) and the auditor's yearly review.
extension Console {
    /// Whether `state` is the decision `operatorID` asked for (their form sent again).
    static func decided(_ state: CounterRecords.State, by operatorID: String, rejecting: Bool) -> Bool {
        switch state {
        case .confirmed(let c): !rejecting && c.confirmedBy == operatorID
        case .rejected(let r): rejecting && r.rejectedBy == operatorID
        case .pending, .recorded: false
        }
    }

    /// Applications awaiting a second operator's check, oldest first.
    static func pending(_ result: PendingApplications.Pending) -> String {
        "<p>\(StaffText.count(result.applications.count))件（受付の古い順）。入力者以外の職員が内容を確かめて確認します。</p>"
            + table(
                ["申請番号", "被保険者番号", "種類", "変更の内容", "受付日", "経過日数", "受付窓口", "入力者"],
                result.applications.map { a in
                    let r = a.received
                    return [
                        "<a href=\"/console/applications/\(escape(r.number))\">\(escape(r.number))</a>",
                        "<a href=\"/console/person/\(r.person.value)\">\(r.person.value)</a>", escape(r.kind.label),
                        escape(r.changeCommand.map(Staff.command) ?? "なし"), StaffText.date(r.reception.receivedOn),
                        StaffText.count(r.reception.receivedOn.days(until: result.on)), escape(r.reception.office),
                        escape(r.reception.enteredBy),
                    ]
                }, numeric: [5])
    }

    /// One application: the reception, the change it carries field by field (what the second
    /// operator checks against the paper), and — while it is pending — confirm and reject; the
    /// operator who entered it is told that another must confirm it.
    static func application(_ view: ShowApplication.View, csrf: String, me: String) -> String {
        let r = view.application.received
        var html = "<section aria-label=\"受付\"><h2>受付</h2><dl>"
        html += "<dt>申請番号</dt><dd>\(escape(r.number))</dd>"
        html += "<dt>被保険者番号</dt><dd><a href=\"/console/person/\(r.person.value)\">\(r.person.value)</a></dd>"
        html += "<dt>種類</dt><dd>\(escape(r.kind.label))</dd>"
        html += "<dt>受付日</dt><dd>\(StaffText.date(r.reception.receivedOn))</dd>"
        html += "<dt>受付窓口</dt><dd>\(escape(r.reception.office))</dd>"
        html += "<dt>申請者</dt><dd>\(escape(r.reception.applicant.label))\(view.applicantName.map { " \(escape($0))" } ?? "")</dd>"
        html += "<dt>本人確認書類</dt><dd>\(escape(r.reception.identityCheck.label))</dd>"
        html += "<dt>添付書類</dt><dd>\(escape(r.reception.attached.isEmpty ? "なし" : r.reception.attached.joined(separator: "、")))</dd>"
        html += "<dt>入力者</dt><dd>\(escape(r.reception.enteredBy))</dd>"
        html += "<dt>状態</dt><dd>\(escape(applicationState(view.application.state)))</dd></dl></section>"
        html += "<section aria-label=\"変更の内容\"><h2>変更の内容</h2>"
        if let stored = view.change {
            html += "<p>\(escape(Staff.command(stored.name)))</p>" + table(["項目", "内容"], changeFields(stored))
        } else if let arguments = view.changeArguments {
            html += "<p><code>\(escape(arguments.joined(separator: " ")))</code></p>"
        } else {
            html += "<p>記録を変更しない届出です。</p>"
        }
        html += "</section>"
        guard view.application.isPending else { return html }
        if r.reception.enteredBy == me {
            html += "<p class=\"muted\">この申請はあなたが入力しました。確認は別の職員が行います（入力者以外の者による確認）。</p>"
        }
        html += """
            <section aria-label="確認"><h2>確認</h2>
            <form method="post" action="/console/applications/\(escape(r.number))/confirm" class="search">
            \(hidden(csrf: csrf))
            <button type="submit">内容を確認し、記録する</button>
            </form>
            <form method="post" action="/console/applications/\(escape(r.number))/reject" class="search">
            \(hidden(csrf: csrf))
            <label>却下・取下げの理由 <input name="reason" required maxlength="200" size="40"></label>
            <button type="submit">却下する</button>
            </form></section>
            """
        return html
    }

    /// A kept request's fields as the form names them (`address` → 住所), dates as staff read
    /// them; a field with no term keeps its name.
    static func changeFields(_ stored: StoredRequest) -> [[String]] {
        guard let object = try? JSONSerialization.jsonObject(with: stored.body) as? [String: Any] else { return [] }
        var rows: [[String]] = []
        func add(_ key: String, _ value: Any) {
            switch value {
            case let nested as [String: Any]:
                for (k, v) in nested.sorted(by: { $0.key < $1.key }) { add(k, v) }
            case let list as [Any]:
                add(key, list.map { "\($0)" }.joined(separator: "、"))
            case is NSNull:
                break
            default:
                let text = "\(value)"
                let shown = (try? CivilDate(iso: text)).map { StaffText.date($0) } ?? escape(text)
                let term = Labels.current.terms["field." + key] ?? key
                rows.append([escape(term), shown])
            }
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) { add(key, value) }
        return rows
    }

    static func reviewForm(from: String?, before: String?) -> String {
        """
        <form method="get" action="/console/review" class="search">
        <label>開始（年月日） <input name="from" type="date" value="\(escape(from ?? ""))"></label>
        <label>終了（この日の前まで） <input name="before" type="date" value="\(escape(before ?? ""))"></label>
        <button type="submit">点検する</button>
        </form>
        """
    }

    /// The yearly review of access (運用状況の点検).
    static func review(_ review: AuditReview) -> String {
        var html = "<section aria-label=\"利用者ごと\"><h2>利用者ごとのアクセス</h2>"
        html += table(
            ["利用者", "閲覧", "対象者", "ログイン", "時間外", "拒否"],
            review.operators.map {
                [
                    "<a href=\"/console/audit?operator=\(queryValue($0.operatorID))\">\(escape($0.operatorID))</a>",
                    StaffText.count($0.reads), StaffText.count($0.personsRead), StaffText.count($0.logins),
                    StaffText.count($0.outsideOfficeHours), StaffText.count($0.refused),
                ]
            }, numeric: [1, 2, 3, 4, 5])
        html += "</section><section aria-label=\"時間外\"><h2>執務時間外のアクセス（\(StaffText.count(review.outsideOfficeHours.count))件）</h2>"
        html += entries(review.outsideOfficeHours.suffix(500))
        html += "</section><section aria-label=\"業務の記録がない閲覧\"><h2>業務の記録がないまま閲覧された方（\(StaffText.count(review.viewedWithoutBusiness.count))件）</h2>"
        html += "<p class=\"muted\">それだけで不正ではありません。点検者が利用者に理由を尋ねるための一覧です。</p>"
        html += table(
            ["利用者", "被保険者番号", "閲覧回数"],
            review.viewedWithoutBusiness.prefix(500).map {
                [
                    escape($0.operatorID), "<a href=\"/console/audit?person=\($0.person.value)\">\($0.person.value)</a>",
                    StaffText.count($0.reads),
                ]
            }, numeric: [2])
        html += "</section><section aria-label=\"拒否\"><h2>拒否された操作とログイン失敗（\(StaffText.count(review.refused.count))件）</h2>"
        html += entries(review.refused.suffix(500)) + "</section>"
        return html
    }

    static func entries(_ list: ArraySlice<AuditEntry>) -> String {
        table(
            ["位置", "記録日時", "利用者", "種類", "コマンド", "内容"],
            list.reversed().map {
                [
                    "\($0.position)", StaffText.moment(microseconds: $0.recordedAt.microseconds),
                    escape($0.operatorID.isEmpty ? "-" : $0.operatorID), escape($0.kind.label), escape($0.command ?? ""),
                    escape($0.detail),
                ]
            }, numeric: [0])
    }
}
