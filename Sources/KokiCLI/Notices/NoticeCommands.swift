import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents

extension PrintFormat: ExpressibleByArgument {}
extension PrintEncoding: ExpressibleByArgument {}

extension NoticeKind {
    /// The function that issues (or reissues) this kind of document.
    var function: AccessFunction {
        switch self {
        case .payment: .assessmentWrite
        case .dunning, .reminder: .arrearsWrite
        case .refund, .certificate: .collectionWrite
        }
    }
}

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

/// A batch command: authorized for the kind's function, built from the ledger at its head, issued.
func issueBatch(
    _ kind: NoticeKind, date: CivilDate, options: LedgerOptions, print: PrintOptions,
    build: (Notices, Int64) throws -> [Notice]
) throws {
    try reporting {
        let access = try options.authorized(kind.function)
        let out = try OutputFiles.path(print.out, option: "--out", options: options, directory: true)
        let notices = try build(Notices(access.ledger), try access.store.head().position)
        try issue(notices, kind: kind, date: date, access: access, print: print, out: out, options: options)
    }
}

/// One batch of notices: recorded as read, written, recorded as issued.
func issue(
    _ notices: [Notice], kind: NoticeKind, date: CivilDate, access: Authorized, print: PrintOptions, out: String,
    options: LedgerOptions
) throws {
    guard !notices.isEmpty else {
        Output.line("no \(kind.rawValue) notices to issue for \(date)")
        return
    }
    let started = Date()
    func phase(_ text: String) {
        if notices.count >= 1_000 {
            Output.error(String(format: "  %@ (%.1f s)", text, Date().timeIntervalSince(started)))
        }
    }
    let renderer = print.html ? try NoticeRenderer(templates: print.templates) : nil
    let name = "\(kind.rawValue)-\(date).\(print.format.rawValue)"
    let folder = URL(fileURLWithPath: out)
    let file = folder.appendingPathComponent(name).path
    guard !FileManager.default.fileExists(atPath: file) else {
        throw KokiError(
            .invalidInput, "\(file) already exists: these notices were written already (see the dispatch list)")
    }
    // Everything that can refuse the run (the encoding, the folder) before the read is recorded.
    let bytes = try PrintData.file(notices, kind: kind, format: print.format, encoding: print.encoding)
    let hash = PrintData.sha256(bytes)
    try access.recordRead(notices.map(\.person), purpose: "\(kind.rawValue) notices \(date)")
    phase("\(notices.count) notices built and recorded as read")
    try OutputFiles.save(Data(bytes), to: file, option: "--out", options: options)
    try OutputFiles.save(
        Data(PrintData.dispatchList(notices, kind: kind, date: date, file: name, hash: hash).utf8),
        to: folder.appendingPathComponent("\(kind.rawValue)-\(date).dispatch.txt").path, option: "--out",
        options: options)
    if let renderer {
        let meter = CountMeter(total: notices.count, what: "pages")
        for (i, notice) in notices.enumerated() {
            try OutputFiles.save(
                Data(try renderer.html(notice).utf8),
                to: folder.appendingPathComponent("html/\(notice.number).html").path, option: "--out", options: options)
            meter.show(i + 1)
        }
        meter.finish()
    }
    phase("print data written")
    try Notices(access.ledger).record(notices, run: hash, metadata: access.metadata())
    phase("\(notices.count) documents recorded")
    let total = notices.map(\.amount.amount).reduce(0, +)
    Output.line(
        "issued \(notices.count) \(kind.rawValue) notices dated \(date) (built from position \(notices[0].builtFrom)), total \(total) yen → \(file)"
    )
}

struct NoticesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notices",
        abstract: "Notices (通知書): payment notices, dunning letters, reminders, refund notices; reissue; history.",
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
            Settings.self, Payment.self, Dunning.self, Reminder.self, Refund.self, Reissue.self, History.self,
        ])

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adopt or show the notice settings (the city's name, issuer, contact, barcode issuer code).",
            subcommands: [Adopt.self, Show.self])

        struct Adopt: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Adopt settings from a JSON file.",
                discussion: """
                    {"city": "松戸市", "issuer": "松戸市長", "department": "国民健康保険課 後期高齢者医療班", \
                    "address": "…", "phone": "047-…", "barcodeIssuer": "123456", "reminderPayByDays": 14}
                    """)
            @OptionGroup var options: LedgerOptions
            @Option(help: ArgumentHelp("Settings as JSON.", valueName: "file")) var file: String

            func run() throws {
                try reporting {
                    let access = try options.authorized(.securityAdmin)
                    let settings = try readJSON(NoticeSettings.self, from: file)
                    try Notices(access.ledger).adopt(settings, metadata: access.metadata())
                    Output.line("adopted the notice settings")
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the settings in force as JSON.")
            @OptionGroup var options: LedgerOptions

            func run() throws {
                try reporting {
                    let access = try options.authorized(nil, .query)
                    guard let settings = try Notices(access.ledger).settings() else {
                        throw KokiError(.invalidInput, "no notice settings adopted")
                    }
                    Output.line(try prettyJSON(settings))
                }
            }
        }
    }

    struct Payment: ParsableCommand {
        static let configuration = CommandConfiguration(
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
            let date = on ?? todayInJapan()
            try issueBatch(.payment, date: date, options: options, print: print) { notices, head in
                try notices.paymentNotices(fiscalYear: try FiscalYear(fiscalYear), on: date, at: head)
            }
        }
    }

    struct Dunning: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dunning letters (督促状) for the notices a dunning run decided.")
        @OptionGroup var options: LedgerOptions
        @Option(
            name: .customLong("run"),
            help: ArgumentHelp("The dunning run: the day it ran (its notices' date).", valueName: "date"))
        var runDate: CivilDate
        @OptionGroup var print: PrintOptions

        func run() throws {
            try issueBatch(.dunning, date: runDate, options: options, print: print) { notices, head in
                try notices.dunningLetters(on: runDate, at: head)
            }
        }
    }

    struct Reminder: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reminder letters (催告書) for the reminders a reminder run recorded.")
        @OptionGroup var options: LedgerOptions
        @Option(name: .customLong("run"), help: ArgumentHelp("The reminder run: the day it ran.", valueName: "date"))
        var runDate: CivilDate
        @OptionGroup var print: PrintOptions

        func run() throws {
            try issueBatch(.reminder, date: runDate, options: options, print: print) { notices, head in
                try notices.reminderLetters(on: runDate, at: head)
            }
        }
    }

    struct Refund: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refund notices (還付通知書) for the refunds decided in a period.")
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Refunds decided from this day.", valueName: "date")) var from: CivilDate
        @Option(help: ArgumentHelp("… through this day.", valueName: "date")) var through: CivilDate
        @Option(help: ArgumentHelp("The notice date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @OptionGroup var print: PrintOptions

        func run() throws {
            let date = on ?? todayInJapan()
            try issueBatch(.refund, date: date, options: options, print: print) { notices, head in
                try notices.refundNotices(decidedFrom: from, through: through, on: date, at: head)
            }
        }
    }

    struct Reissue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a past document again from the ledger at its position (再発行): the same bytes.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The document number.") var number: String
        @Option(help: ArgumentHelp("Write its HTML page here.", valueName: "file")) var html: String?
        @Option(help: ArgumentHelp("Templates to use instead of koki's own.", valueName: "dir")) var templates: String?

        func run() throws {
            try reporting {
                let access = try options.authorized(nil)
                let notices = Notices(access.ledger)
                let notice = try notices.rebuild(number)
                try access.control.check(access.context, notice.kind.function)
                let page = try html.map { try OutputFiles.path($0, option: "--html", options: options) }
                try access.recordRead([notice.person], purpose: "reissue \(number)")
                if let page {
                    try OutputFiles.save(
                        Data(try NoticeRenderer(templates: templates).html(notice).utf8), to: page, option: "--html",
                        options: options)
                }
                try access.ledger.record(
                    [.notice(.documentIssued(notice.issued(reissueOf: number)))], metadata: access.metadata())
                Output.line(notice.jsonLine)
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A person's documents (文書発行履歴).")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func run() throws {
            try reporting {
                let access = try options.authorized(.registerRead, .query)
                let history = try Notices(access.ledger).history(of: person)
                Table.render(
                    ["NUMBER", "KIND", "REASON", "DATED", "SUBJECT", "BUILT FROM", "RECORDED AT", "OPERATOR"],
                    history.map { d, at, actor in
                        [
                            d.number + (d.reissueOf == nil ? "" : " (reissue)"), d.kind.rawValue, d.reason,
                            d.issuedOn.description, d.subject, "\(d.builtFrom)", at.description, actor,
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }
}

struct CertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "A payment certificate (納付済確認書) for a person and fiscal year, on request.",
        discussion:
            "Prints its print record as one JSON line; --html writes the page. Recorded as issued and as a read.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The person's address number.") var person: PersonID
    @Option(help: "The fiscal year.") var fiscalYear: Int
    @Option(help: ArgumentHelp("The date (default: today in Japan).", valueName: "date")) var on: CivilDate?
    @Option(help: ArgumentHelp("Write its HTML page here.", valueName: "file")) var html: String?
    @Option(help: ArgumentHelp("Templates to use instead of koki's own.", valueName: "dir")) var templates: String?

    func run() throws {
        try reporting {
            let access = try options.authorized(NoticeKind.certificate.function)
            let page = try html.map { try OutputFiles.path($0, option: "--html", options: options) }
            let notices = Notices(access.ledger)
            let notice = try notices.certificate(
                person, fiscalYear: try FiscalYear(fiscalYear), on: on ?? todayInJapan(),
                at: try access.store.head().position)
            try access.recordRead([person], purpose: "certificate FY\(fiscalYear)")
            if let page {
                try OutputFiles.save(
                    Data(try NoticeRenderer(templates: templates).html(notice).utf8), to: page, option: "--html",
                    options: options)
            }
            try notices.record([notice], run: nil, metadata: access.metadata())
            Output.line(notice.jsonLine)
        }
    }
}
