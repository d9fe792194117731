import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiNotices

extension PrintFormat: ExpressibleByArgument {}
extension PrintEncoding: ExpressibleByArgument {}

/// Where a batch's files go and in what form.
struct PrintOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The folder for the print file, the dispatch list and HTML pages.", valueName: "dir"))
    var out: String
    @Option(help: "Print data: csv (with a header) or jsonl.") var format: PrintFormat = .csv
    @Option(help: "The print data's encoding, as the contractor asks: utf-8 or shift_jis.") var encoding:
        PrintEncoding =
            .utf8
    @Flag(help: "Also write one HTML page per notice (html/NUMBER.html).") var html = false
    @Option(help: ArgumentHelp("Templates to use instead of koki's own.", valueName: "dir")) var templates: String?
}

/// Progress through a count on standard error: a redrawn bar on a terminal, a line every tenth
/// otherwise; nothing for small counts.
final class CountMeter {
    let total: Int
    let what: String
    let terminal = isatty(2) == 1
    let started = Date()
    var last = -1

    init(total: Int, what: String) {
        self.total = total
        self.what = what
    }

    func show(_ done: Int) {
        guard total >= 1_000 else { return }
        let tenth = done * 10 / total
        if terminal {
            guard done == total || done % 500 == 0 else { return }
            let width = 30
            let filled = width * done / total
            let rate = Int(Double(done) / max(Date().timeIntervalSince(started), 0.001))
            FileHandle.standardError.write(
                Data(
                    "\r\(String(repeating: "█", count: filled))\(String(repeating: "·", count: width - filled)) \(done)/\(total) \(what)  \(rate)/s \u{1B}[K"
                        .utf8))
        } else if tenth != last {
            last = tenth
            Output.error("  \(done)/\(total) \(what)")
        }
    }

    func finish() {
        if terminal && total >= 1_000 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

extension LedgerOptions {
    /// A path this command writes (`--out`, `--html`), checked by ``OutputFiles``; the doors call it
    /// only once the core found the operator allowed (a refused operator learns nothing of it).
    func written(_ given: String?, option: String) throws -> String? {
        try given.map { try OutputFiles.path($0, option: option, options: self) }
    }
}

/// A batch command: the operator checked, the folder checked, the batch built and recorded in the
/// core, then its print file, dispatch list and pages written here.
func issueBatch<R: NoticeBatchRequest>(
    date: CivilDate, options: LedgerOptions, print: PrintOptions, _ request: (_ existingFile: String?) -> R
) throws {
    try reporting {
        let started = Date()
        let ((out, renderer), batch) = try options.run(R.self) {
            let out = URL(fileURLWithPath: try options.written(print.out, option: "--out") ?? print.out)
            return (out, print.html ? try NoticeRenderer(templates: print.templates) : nil)
        } _: { (out: URL, _: NoticeRenderer?) in
            let path = out.appendingPathComponent("\(R.kind.rawValue)-\(date).\(print.format.rawValue)").path
            return request(FileManager.default.fileExists(atPath: path) ? path : nil)
        }
        let notices = batch.notices
        // Nobody mails the dead: the counter's list of what waits for an heir (送付先未確定),
        // after the batch's own line.
        defer {
            for held in batch.held {
                Output.line(
                    "送付先未確定（保留）：\(held.person) は \(Staff.date(held.diedOn))に死亡。\(batch.kind.label)は宛てません"
                )
            }
        }
        guard !notices.isEmpty else {
            Output.line("\(Staff.date(batch.date))付けで発行する\(batch.kind.label)はありません")
            return
        }
        func phase(_ text: String) {
            if notices.count >= 1_000 {
                Output.error(String(format: "  %@ (%.1f s)", text, Date().timeIntervalSince(started)))
            }
        }
        phase("\(notices.count) notices built, recorded as read and as issued")
        let file = out.appendingPathComponent(batch.file).path
        try OutputFiles.save(batch.printData, to: file, option: "--out", options: options)
        try OutputFiles.save(
            Data(batch.dispatchList.utf8),
            to: out.appendingPathComponent("\(batch.kind.rawValue)-\(batch.date).dispatch.txt").path, option: "--out",
            options: options)
        if let renderer {
            let meter = CountMeter(total: notices.count, what: "pages")
            for (i, notice) in notices.enumerated() {
                try OutputFiles.save(
                    Data(try renderer.html(notice).utf8),
                    to: out.appendingPathComponent("html/\(notice.number).html").path, option: "--out",
                    options: options)
                meter.show(i + 1)
            }
            meter.finish()
        }
        phase("print data written")
        let total = notices.map(\.amount.amount).reduce(0, +)
        Output.line(
            "\(batch.kind.label) \(Staff.count(notices.count))通を \(Staff.date(batch.date))付けで発行（位置 \(notices[0].builtFrom)時点）、合計 \(Staff.yen(total)) → \(file)"
        )
    }
}

/// A single document (a reissue, a certificate): built and recorded in the core, its HTML page
/// written here when asked, its print record printed as one JSON line.
func issueDocument<R: KokiRequest>(
    _ request: R, options: LedgerOptions, html: String?, templates: String?
) throws where R.Result == Notice {
    try reporting {
        let ((page, renderer), notice) = try options.run(R.self) {
            let page = try options.written(html, option: "--html")
            return (page, try page.map { _ in try NoticeRenderer(templates: templates) })
        } _: { _ in
            request
        }
        if let page, let renderer {
            try OutputFiles.save(Data(try renderer.html(notice).utf8), to: page, option: "--html", options: options)
        }
        Output.line(notice.jsonLine)
    }
}

struct NoticesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notices",
        abstract: "通知書（notices）：納入通知書、督促状、催告書、還付通知書；再発行；発行履歴。",
        discussion: """
            Each batch is built from the ledger as it stands (its position is recorded), recorded as a read of \
            the persons' data, written as print data for the contractor — one file, CSV or JSON lines, UTF-8 or \
            Shift_JIS, exactly the fields each kind prints (never a My Number; income only on the payment \
            notice) — with a dispatch list (送付票: count, total, the file's SHA-256), optionally one HTML page \
            per notice (A4), and recorded: a DocumentIssued per document (number, kind, reason, the position it \
            was built from) and the run. `reissue` builds a past document again from its position: the same \
            bytes. Settings (the city's name, contact, barcode issuer code) first: `notices settings adopt`.
            """,
        subcommands: [
            Settings.self, Payment.self, Dunning.self, Reminder.self, Refund.self, DebitStart.self, Reissue.self,
            History.self,
        ])

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "settings",
            abstract: "Adopt or show the notice settings (the city's name, issuer, contact, barcode issuer code).",
            subcommands: [Adopt.self, Show.self])

        struct Adopt: TypedCommand {
            static let configuration = CommandConfiguration(
                commandName: "adopt",
                abstract: "Adopt settings from a JSON file.",
                discussion: """
                    {"city": "松戸市", "issuer": "松戸市長", "department": "国民健康保険課 後期高齢者医療班", \
                    "address": "…", "phone": "047-…", "barcodeIssuer": "123456", "reminderPayByDays": 14}
                    """)
            @OptionGroup var options: LedgerOptions
            @Option(help: ArgumentHelp("Settings as JSON.", valueName: "file")) var file: String

            func request() -> AdoptNoticeSettings { AdoptNoticeSettings(file: file) }

            static func report(_ request: Request, _ settings: NoticeSettings) {
                Output.line("adopted the notice settings")
            }
        }

        struct Show: TypedCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "Print the settings in force as JSON.")
            @OptionGroup var options: LedgerOptions

            func request() -> ShowNoticeSettings { ShowNoticeSettings() }

            static func report(_ request: Request, _ settings: NoticeSettings) {
                Output.line(prettyJSONText(settings))
            }
        }
    }

    struct Payment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "payment",
            abstract: "Payment notices (保険料額決定通知書兼納入通知書) for every assessment of a year not yet noticed.",
            discussion: """
                The annual run's notices, and after reassessments the 更正 notices of those whose premium changed: \
                each person's current assessment of the year that has no payment notice yet.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: ArgumentHelp("The notice date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @OptionGroup var print: PrintOptions

        func run() throws {
            let date = try on ?? todayInJapan()
            let fiscalYear = try FiscalYear(fiscalYear)
            try issueBatch(date: date, options: options, print: print) {
                IssuePaymentNotices(
                    fiscalYear: fiscalYear, on: date, format: print.format, encoding: print.encoding, existingFile: $0)
            }
        }
    }

    struct Dunning: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dunning",
            abstract: "Dunning letters (督促状) for the notices a dunning run decided.")
        @OptionGroup var options: LedgerOptions
        @Option(
            name: .customLong("run"),
            help: ArgumentHelp("The dunning run: the day it ran (its notices' date).", valueName: "date"))
        var runDate: CivilDate
        @OptionGroup var print: PrintOptions

        func run() throws {
            try issueBatch(date: runDate, options: options, print: print) {
                IssueDunningLetters(run: runDate, format: print.format, encoding: print.encoding, existingFile: $0)
            }
        }
    }

    struct Reminder: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reminder",
            abstract: "Reminder letters (催告書) for the reminders a reminder run recorded.")
        @OptionGroup var options: LedgerOptions
        @Option(name: .customLong("run"), help: ArgumentHelp("The reminder run: the day it ran.", valueName: "date"))
        var runDate: CivilDate
        @OptionGroup var print: PrintOptions

        func run() throws {
            try issueBatch(date: runDate, options: options, print: print) {
                IssueReminderLetters(run: runDate, format: print.format, encoding: print.encoding, existingFile: $0)
            }
        }
    }

    struct Refund: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "refund",
            abstract: "Refund notices (還付通知書) for the refunds decided in a period.")
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Refunds decided from this day.", valueName: "date")) var from: CivilDate
        @Option(help: ArgumentHelp("… through this day.", valueName: "date")) var through: CivilDate
        @Option(help: ArgumentHelp("The notice date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @OptionGroup var print: PrintOptions

        func run() throws {
            let date = try on ?? todayInJapan()
            try issueBatch(date: date, options: options, print: print) {
                IssueRefundNotices(
                    from: from, through: through, on: date, format: print.format, encoding: print.encoding,
                    existingFile: $0)
            }
        }
    }

    struct DebitStart: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "debit-start",
            abstract: "口座振替開始通知書 for the mandates the bank accepted in a period.",
            discussion: """
                One per application accepted (`koki debit answers`) from --from through --through: the account \
                (its number masked but for the last three digits), the day debits start, and the periods paid \
                ordinarily and still owing from then — the first of them is the first debit. The dead are held \
                for the counter like every notice; a reissue (`koki notices reissue`) builds the same document.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Accepted from this day.", valueName: "date")) var from: CivilDate
        @Option(help: ArgumentHelp("… through this day.", valueName: "date")) var through: CivilDate
        @Option(help: ArgumentHelp("The notice date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @OptionGroup var print: PrintOptions

        func run() throws {
            let date = try on ?? todayInJapan()
            try issueBatch(date: date, options: options, print: print) {
                IssueDebitStartNotices(
                    from: from, through: through, on: date, format: print.format, encoding: print.encoding,
                    existingFile: $0)
            }
        }
    }

    struct Reissue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reissue",
            abstract: "Build a past document again from the ledger at its position (再発行): the same bytes.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The document number.") var number: String
        @Option(help: ArgumentHelp("Write its HTML page here.", valueName: "file")) var html: String?
        @Option(help: ArgumentHelp("Templates to use instead of koki's own.", valueName: "dir")) var templates: String?

        func run() throws {
            try issueDocument(ReissueNotice(number: number), options: options, html: html, templates: templates)
        }
    }

    struct History: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "A person's documents (文書発行履歴).")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func request() -> NoticeHistory { NoticeHistory(person: person) }

        static func report(_ request: Request, _ history: [IssuedDocument]) {
            Table.render(
                ["文書番号", "種類", "理由", "発行日", "対象", "作成時点", "記録日時", "記録者"],
                history.map { issued in
                    let d = issued.document
                    return [
                        d.number + (d.reissueOf == nil ? "" : "（再発行）"), d.kind.label, d.reason,
                        Staff.date(d.issuedOn), d.subject, "\(d.builtFrom)", Staff.moment(issued.recordedAt), issued.actor,
                    ]
                }
            ).forEach(Output.line)
        }
    }
}

struct CertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "納付済確認書（certificate）：申請に応じて、ある方の年度分または暦年分を発行する。",
        discussion: """
            --fiscal-year: the payments credited to that year's periods. --calendar-year: the premiums \
            actually received from 1 January to 31 December, whatever year's periods they paid — the figure \
            of the 社会保険料控除 in the 確定申告. Prints its print record as one JSON line; --html writes the \
            page. Recorded as issued and as a read.
            """)
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The person's address number.") var person: PersonID
    @Option(help: "The fiscal year.") var fiscalYear: Int?
    @Option(help: "The calendar year (1 January – 31 December of money received).") var calendarYear: Int?

    func validate() throws {
        guard (fiscalYear == nil) != (calendarYear == nil) else {
            throw ValidationError("give one of --fiscal-year and --calendar-year")
        }
    }
    @Option(help: ArgumentHelp("The date (default: today in Japan).", valueName: "date")) var on: CivilDate?
    @Option(help: ArgumentHelp("Write its HTML page here.", valueName: "file")) var html: String?
    @Option(help: ArgumentHelp("Templates to use instead of koki's own.", valueName: "dir")) var templates: String?

    func run() throws {
        try issueDocument(
            IssueCertificate(
                person: person, fiscalYear: try fiscalYear.map { try FiscalYear($0) }, calendarYear: calendarYear,
                on: on), options: options,
            html: html,
            templates: templates)
    }
}
