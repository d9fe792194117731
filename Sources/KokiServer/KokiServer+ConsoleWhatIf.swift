import Foundation
import Hummingbird
import KokiApp
import KokiDomain
import KokiEvents
import LedgerStore

/// `/console/whatif`: the auditor's (and the assessment section's) what-if — every recorded
/// assessment of a year decided again with today's calculator and, when pasted, a corrected
/// rate table, compared with what was recorded (`koki whatif`). Nothing is appended but the read
/// of the persons shown. The pasted table reaches the core as a file of the request, through
/// the same port a file on the server's host would (read only after the operator was checked).
extension KokiServer {
    /// The name the pasted rate table goes by in the request.
    static let pastedRates = "(貼り付けた料率表)"

    func addConsoleWhatIf(to router: Router<ClientRequestContext>) {
        router.get("/console/whatif") { request, _ -> Response in
            guard let session = Self.consoleSession(request) else { return Self.redirect("/console/login") }
            return Self.page(
                .ok, title: "賦課の試算（what-if）", session: session,
                body: Console.whatIfForm(csrf: session.csrf, fiscalYear: nil, rates: ""))
        }
        // A POST: the rate table is pasted text, too long for a link (the form's token checked).
        router.post("/console/whatif") { request, context -> Response in
            let posted = await Self.postedForm(request)
            guard case .own(let session, let form) = posted else { return posted.response }
            let rates = (form["rates"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let yearText = (form["fiscalYear"] ?? "").trimmingCharacters(in: .whitespaces)
            let again = Console.whatIfForm(csrf: session.csrf, fiscalYear: yearText, rates: rates)
            let title = "賦課の試算（what-if）"
            guard let year = Int(yearText), let fiscalYear = try? FiscalYear(year) else {
                return Self.page(
                    .unprocessableContent, title: title, session: session,
                    body: again + Console.error("「年度」(--fiscal-year) は西暦の年で入力してください"))
            }
            let asked = WhatIfAssessments(
                fiscalYear: fiscalYear, rates: rates.isEmpty ? nil : Self.pastedRates, latest: true,
                changedOnly: form["all"] == nil)
            let files = PastedFiles([Self.pastedRates: Data(rates.utf8)])
            let outcome = await onCore(session: session, source: context.source, action: nil, files: files) {
                try $0.run(asked, as: $1)
            }
            switch outcome {
            case .success(let answer):
                return Self.page(
                    .ok, title: title, session: session,
                    body: again + Console.whatIf(answer, fiscalYear: fiscalYear, pasted: !rates.isEmpty))
            case .failure(let error):
                let failure = ExitStatus.classify(error)
                if failure.status == .accessDenied { return failurePage(error, session: session, title: title) }
                return Self.page(
                    .unprocessableContent, title: title, session: session,
                    body: again + Console.error(Staff.namingFields(failure.message)))
            }
        }
    }
}

/// Files a form carried (a pasted table), read by the core through its port as any file.
struct PastedFiles: FileSource {
    let files: [String: Data]

    init(_ files: [String: Data]) { self.files = files }

    func contents(of path: String) throws -> Data {
        guard let data = files[path] else { throw KokiError(.invalidInput, "no file \(path)") }
        return data
    }
}

extension Console {
    /// The rows a what-if page shows at most (the totals count every assessment).
    static let whatIfRows = 500

    static func whatIfForm(csrf: String, fiscalYear: String?, rates: String) -> String {
        """
        <form method="post" action="/console/whatif" class="stack">
        <input type="hidden" name="csrf" value="\(csrf)">
        <div class="row">
        <label>年度（西暦） <input name="fiscalYear" inputmode="numeric" maxlength="4" required value="\(escape(fiscalYear ?? ""))"></label>
        <label class="check"><input type="checkbox" name="all" value="1"> 変更のない方も表示する</label>
        </div>
        <label>訂正した料率表（JSON、空なら記録された料率表で今の計算方法により再計算）
        <textarea name="rates" rows="8" cols="90" maxlength="200000">\(escape(rates))</textarea></label>
        <p class="muted">試算は何も記録しません（表示した方の閲覧だけが記録されます）。反映はコマンドラインの <code>koki whatif --apply</code> で行います。</p>
        <button type="submit">試算する</button>
        </form>
        """
    }

    static func whatIf(_ answer: WhatIfAssessments.Answer, fiscalYear: FiscalYear, pasted: Bool) -> String {
        let difference = answer.totalNew - answer.totalOld
        var html = "<section aria-label=\"試算の結果\"><h2>\(escape(StaffText.fiscalYear(fiscalYear)))の試算（\(pasted ? "訂正した料率表" : "記録された料率表")）</h2>"
        html += "<p>賦課 \(StaffText.count(answer.assessments))件："
            + WhatIf.Status.allCases.map { "\(escape($0.label)) \(StaffText.count(answer.count($0)))件" }.joined(separator: "、")
            + "</p>"
        html += "<p>調定額の合計 \(StaffText.yen(answer.totalOld)) → \(StaffText.yen(answer.totalNew))（差 \(StaffText.yen(difference))）</p>"
        let shown = answer.rows.prefix(whatIfRows)
        if answer.rows.count > shown.count {
            html += "<p class=\"muted\">\(StaffText.count(answer.rows.count))件のうち最初の\(StaffText.count(shown.count))件を表示</p>"
        }
        html += table(
            ["被保険者番号", "決定日", "事由", "記録の賦課額（円）", "再計算（円）", "差（円）", "結果", "理由"],
            shown.map { row in
                [
                    "<a href=\"/console/person/\(row.person.value)\">\(row.person.value)</a>", StaffText.date(row.decidedOn),
                    escape(row.reason.label), StaffText.amount(row.old), row.new.map { StaffText.amount($0) } ?? "-",
                    StaffText.amount(row.difference), escape(row.status.label), escape(row.problem ?? ""),
                ]
            }, numeric: [3, 4, 5])
        return html + "</section>"
    }
}
