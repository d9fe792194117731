import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiInterchange

extension ZenginDebitFile.LineSeparator: ExpressibleByArgument {}

/// The file and the day it arrived, shared by every import command.
struct ImportArguments: ParsableArguments {
    @Argument(help: "The file.") var file: String
    @Option(help: ArgumentHelp("The day the city received it (default: today in Japan).", valueName: "date"))
    var learnedOn: CivilDate?

    func request<Format>() -> ImportCollectionFile<Format> { ImportCollectionFile(file: file, learnedOn: learnedOn) }
}

/// An import command: its file imported, its summary printed under `what`.
protocol ImportCommand: TypedCommand where Request == ImportCollectionFile<Format> {
    associatedtype Format: CollectionFileFormat
    static var what: String { get }
    var input: ImportArguments { get }
}

extension ImportCommand {
    func request() -> Request { input.request() }

    static func report(_ request: Request, _ result: Request.Result) {
        let s = result.summary
        Output.line(
            "\(what)：\(Staff.count(s.records))件、収納 \(Staff.count(s.payments))件（\(Staff.yen(s.paid))）"
                + (s.other > 0 ? "、その他 \(Staff.count(s.other))件" : "")
                + (s.stopped.isEmpty ? "" : "、中止 \(Staff.count(s.stopped.count))件"))
        for d in s.duplicates { Output.line("  重複のため無視：\(d)") }
        for u in s.unmatched { Output.line("  未確認入金：\(u)") }
        for u in s.superseded { Output.line("  差し替え済み：\(u)") }
        noteReadModels(result.readModelsNote)
    }
}

/// The payer's account as a 口座振替依頼書 gives it (`debit apply`, `debit start`).
struct BankAccountOptions: ParsableArguments {
        @Option(help: "Bank code (統一金融機関番号), 4 digits.") var bank: String
        @Option(help: "Branch code, 3 digits.") var branch: String
        @Option(help: "Account type: 1 普通, 2 当座, 3 納税準備, 9 その他.") var accountType = 1
        @Option(help: "Account number, up to 7 digits.") var account: String
        @Option(help: "The holder's name in kana (預金者名).") var holder: String
}

struct DebitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debit",
        abstract:
            "口座振替（debit）：依頼書と金融機関への登録、振替の依頼と結果のファイル（全銀 91）。",
        subcommands: [
            Apply.self, Register.self, Answers.self, Prepay.self, Start.self, Stop.self, Export.self, Import.self,
        ]
    )

    struct Apply: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Receive a bank-debit application (口座振替依頼書): registered at the bank before debits start.",
            discussion: """
                The account is sealed with the person's key; the holder's name may be typed in full-width \
                katakana (stored half-width). `koki debit register` sends it to the bank; `koki debit answers` \
                imports the bank's answer: accepted starts the mandate (a change of account replaces the one in \
                force), refused records the bank's reason. Refused (exit 65, nothing recorded): a person not in \
                the register or dead by --on, a bad bank, branch or account number, a holder name longer than 30 \
                half-width characters, the same account while an earlier application is open, --on a day the \
                office is closed. It takes a second operator's confirmation (an application of kind debit).
                """)
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @OptionGroup var bankAccount: BankAccountOptions
        @Option(help: ArgumentHelp("The day received (an open day).", valueName: "date")) var on: CivilDate

        func request() -> ApplyForDebit {
            let a = bankAccount
            return ApplyForDebit(
                person: person, bank: a.bank, branch: a.branch, accountType: a.accountType, account: a.account,
                holder: a.holder, on: on)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("口座振替依頼書 \(result.id) を受け付けました（\(request.person)、\(Staff.date(request.on))）")
        }
    }

    struct Prepay: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "prepay",
            abstract: "A bank-debit payer chooses 全期前納: each year whole on its first due date (or --withdraw).",
            discussion: """
                Where the year's calendar offers it (calendar adopt: "debitPrepayment": true), the debit request \
                of the year's first due date asks for every ordinary period of that year still owed — each a \
                record of its own, recorded as requested — and later due dates ask for what a reassessment \
                added. Needs a mandate in force or applied for. Refused (exit 65, nothing recorded): a person \
                dead by --on, a second choice, a withdrawal with none in force, --on a day the office is closed. \
                It takes a second operator's confirmation (an application of kind debit).
                """)
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("The day received (an open day).", valueName: "date")) var on: CivilDate
        @Flag(help: "Withdraw the choice.") var withdraw = false

        func request() -> ChoosePrepayment { ChoosePrepayment(person: person, on: on, withdraw: withdraw) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                result.change == .chosen
                    ? "\(request.person)：\(Staff.date(request.on))に全期前納を選択"
                    : "\(request.person)：\(Staff.date(request.on))に全期前納を取消")
        }
    }

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Send the applications received to the bank for registration, and write the file.",
            discussion: """
                Every application received and not yet sent goes to --out as CSV, UTF-8, LF: the header \
                application,person,bank,branch,account_type,account,holder and a line per application (holder in \
                half-width kana); each is recorded as sent with the file's SHA-256 (a collection file of kind \
                mandateRequest). The application of a person who died is withdrawn instead, and a mandate in \
                force for a person who died is stopped from the day after the death (once: a mandate the bank \
                started after the death is stopped where it starts). Nothing to send or stop: no file written, \
                nothing recorded. In a ledger file the applicants and mandates are read from the stored debit \
                states (caught up first, rebuilt and checked by `koki rebuild`), elsewhere from each one's stream.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The day sent (an open day, not after today).", valueName: "date")) var on: CivilDate
        @Option(help: ArgumentHelp("Where to write the file for the bank.", valueName: "file")) var out: String

        func run() throws {
            try reporting {
                let (path, result) = try options.runWritingFile(
                    SendDebitApplications.self, out: out, recorded: "the applications are recorded as sent", { SendDebitApplications(on: on) }, file: { ($0.file, $0.digest) })
                Output.line(
                    "口座振替の登録依頼 \(Staff.date(on))：依頼書 \(Staff.count(result.sent.count))件"
                        + (result.withdrawn.isEmpty ? "" : "、死亡により取下げ \(Staff.count(result.withdrawn.count))件")
                        + (result.stopped.isEmpty ? "" : "、死亡により口座振替停止 \(Staff.count(result.stopped.count))件")
                        + (result.file.isEmpty ? "、ファイルは作成していません" : " → \(path)"))
            }
        }
    }

    struct Answers: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "answers",
            abstract: "Import the bank's answer to a registration request: accepted starts the mandate, refused says why.",
            discussion: """
                CSV, UTF-8: application,result,reason — result accepted (the mandate starts on the day the answer \
                was learned of, --learned-on, and debits begin with the first due date from then) or refused \
                with the bank's reason (口座なし, 名義相違 …). An acceptance for a person who died meanwhile \
                withdraws the application. Refused whole (exit 65, nothing appended), naming the line: a \
                malformed line, not UTF-8 or a control character, another file's header (the city's own request \
                sent back among them), an application koki did not send or one answered already, the same \
                application twice, a refusal without its reason, a file imported before, --learned-on after today.
                """)
        @OptionGroup var options: LedgerOptions
        @OptionGroup var input: ImportArguments

        func request() -> ImportMandateAnswers { ImportMandateAnswers(file: input.file, learnedOn: input.learnedOn) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                "口座振替の登録結果：\(Staff.count(result.records))件、登録 \(Staff.count(result.accepted.count))件、不備返戻 \(Staff.count(result.refused.count))件"
                    + (result.withdrawn.isEmpty ? "" : "、死亡により取下げ \(Staff.count(result.withdrawn.count))件"))
            for r in result.refused { Output.line("  不備返戻：\(r.id)（\(r.person)）：\(r.reason)") }
        }
    }

    struct Start: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Record a mandate the bank registered already (口座振替開始); a new one replaces the old.",
            discussion:
                "For mandates registered outside koki (taking over an existing system's): an application is received with `koki debit apply` and started by the bank's answer. The account is sealed with the person's key. The holder's name may be typed in full-width katakana; it is stored as half-width. A mandate starting after the person's recorded death is refused."
        )
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @OptionGroup var bankAccount: BankAccountOptions
        @Option(help: ArgumentHelp("The first day it applies.", valueName: "date")) var from: CivilDate

        func request() -> StartDebit {
            let a = bankAccount
            return StartDebit(
                person: person, bank: a.bank, branch: a.branch, accountType: a.accountType, account: a.account,
                holder: a.holder, from: from)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.person) の口座振替を \(Staff.date(request.from))から開始")
        }
    }

    struct Stop: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop", abstract: "Stop a person's bank-debit mandate from a day.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("The first day it no longer applies.", valueName: "date")) var from: CivilDate
        @Option(help: "Why.") var reason: String

        func request() -> StopDebit { StopDebit(person: person, from: from, reason: reason) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.person) の口座振替を \(Staff.date(request.from))から停止")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the debit request file for a debit date and record what it asks for.",
            discussion: """
                One data record per period due on --date, still owing, of a person with a mandate in force and \
                ordinary collection (not reported paid at a convenience store, and not dead before --date: a \
                deceased person's account is frozen, their heirs pay by slip). --originator is JSON: \
                {"code": "1234567890", "name": "ﾏﾂﾄﾞｼ", "bankCode": "0001", "branchCode": "001", "accountType": 1, \
                "accountNumber": "1234567"} (bankName, branchName optional). A second request for the same date is refused. \
                A period deferred (徴収猶予) on --date waits for the deferment's end. The payers are read from the \
                stored debit states (each mandate holder's mandates, choices, periods and any death recorded; \
                caught up first) in a ledger file (rebuilt and checked by `koki rebuild`) and in a PostgreSQL \
                ledger's schema alike, and only the payers' keys are read to open their accounts; the request \
                writes what it records into the states, so the next request has nothing to catch up. About \
                1.5 s at Matsudo's size (24,000–38,000 records, ten years of history).
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The debit date (口座振替日 = the due date).", valueName: "date")) var date: CivilDate
        @Option(help: ArgumentHelp("The city as originator, JSON.", valueName: "file")) var originator: String
        @Option(help: ArgumentHelp("Where to write the file.", valueName: "file")) var out: String
        @Option(help: "What follows each 120-byte record: crlf, lf or none (as the bank asks).")
        var lineSeparator: ZenginDebitFile.LineSeparator = .crlf

        func request() -> ExportDebit { ExportDebit(date: date, originator: originator, lineSeparator: lineSeparator) }

        func run() throws {
            try reporting {
                // Where it writes is checked once the operator was, before anything is recorded.
                let (path, result) = try options.run(ExportDebit.self) {
                    let path = try OutputFiles.path(out, option: "--out", options: options)
                    guard !FileManager.default.fileExists(atPath: path) else {
                        throw KokiError(.invalidInput, "\(path) already exists: choose another --out")
                    }
                    return path
                } _: { _ in request() }
                do {
                    try OutputFiles.save(result.bytes, to: path, option: "--out", options: options)
                } catch let failure as CLIFailure {
                    throw CLIFailure(
                        failure.status, "\(failure.message) (the request is recorded; write it again with the same data)")
                }
                Output.line("口座振替依頼 \(Staff.date(date))：\(Staff.count(result.records))件、\(Staff.yen(result.total)) → \(path)")
            }
        }
    }

    struct Import: ImportCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a bank's result file: code 0 pays the period on the debit date, 1–9 records the failure.",
            discussion: """
                The file is checked whole — record lengths, order, codes, trailer counts and totals, every customer \
                number against the request for that date, amounts — and refused at the first problem with its line, \
                byte and field (exit 65, nothing appended). It must be a result: the trailer's 振替済 and 振替不能 \
                counts and amounts equal its records, so the city's own request sent back is refused whatever its \
                line endings (CR+LF, LF or none). It must answer the request exactly: every record matches a \
                requested one, and every requested record is there — a result missing one is refused, naming it. \
                A file already imported, a second result for the same debit date, or a result learned of \
                (--learned-on) before its debit date is refused.
                """)
        @OptionGroup var options: LedgerOptions
        @OptionGroup var input: ImportArguments

        typealias Format = DebitResultFile
        static let what = "口座振替結果"
    }
}

struct KonbiniCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "konbini",
        abstract: "コンビニ収納（konbini）：納付書のバーコード、速報と確報のファイル、その後の確認。",
        subcommands: [Slip.self, Reissue.self, Import.self, Pending.self]
    )

    struct Slip: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "slip",
            abstract: "Print the 44-digit barcode data of a slip for a person's period.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: "The period.") var period: Int
        @Option(help: "The city's 6-digit issuer code (請求書発行企業コード).") var issuer: String
        @Option(help: "A recorded reissue's count (再発行区分, 1–9: `konbini reissue` records them); 0, the original.")
        var reissue = 0
        @Option(help: ArgumentHelp("The payment deadline (default: the due date).", valueName: "date")) var deadline:
            CivilDate?

        func request() throws -> ConvenienceSlip {
            ConvenienceSlip(
                person: person, fiscalYear: try FiscalYear(fiscalYear), period: period, issuer: issuer, reissue: reissue,
                deadline: deadline)
        }

        static func report(_ request: Request, _ result: Request.Result) { Output.line(result) }
    }

    struct Reissue: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "reissue",
            abstract: "Reissue a slip (再発行): the ledger counts it and keeps why, the new deadline and the amount.",
            discussion: """
                The count (the barcode's 再発行区分) is the period's reissues so far + 1, at most 9; the amount is \
                what the period still owes; --deadline is a day the office is open, not before --on. The barcode \
                is printed and recorded (SlipReissued); `konbini slip --reissue N` prints it again. A store \
                payment of an earlier slip of the period is still matched by its slip number and reported as \
                superseded. Refused (exit 65, nothing recorded): a period that owes nothing or is deducted from \
                the pension, a tenth reissue, a person who died, a reason that is empty, longer than 60 \
                characters or holds a control character.
                """)
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: "The period.") var period: Int
        @Option(help: "The city's 6-digit issuer code (請求書発行企業コード).") var issuer: String
        @Option(help: "Why (紛失, 期限切れ …).") var reason: String
        @Option(help: ArgumentHelp("The new payment deadline (an open day).", valueName: "date")) var deadline: CivilDate
        @Option(help: ArgumentHelp("The day reissued (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func request() throws -> ReissueSlip {
            ReissueSlip(
                person: person, fiscalYear: try FiscalYear(fiscalYear), period: period, issuer: issuer, reason: reason,
                deadline: deadline, on: on)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                "\(request.person) のコンビニ納付書 \(Staff.period(result.key)) を再発行（\(result.count)回目）：\(Staff.yen(result.amount))、使用期限 \(Staff.date(result.deadline))")
            Output.line(result.barcode)
        }
    }

    struct Import: ImportCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a convenience-store file: preliminary (速報) and final (確報) records.",
            discussion: """
                CSV: kind,paid_on,store,barcode — kind preliminary|final (or 1|2), paid_on YYYY-MM-DD or YYYYMMDD, the \
                store code, the slip's 44-digit barcode. A preliminary record marks the money expected; a final one \
                records the payment (with or without a preliminary). Records seen before are ignored and reported; a \
                final record whose slip names no assessed period is listed as unmatched money. Reissued slips match \
                by their slip number. Refused whole (exit 65, nothing appended), naming the line and column: a \
                malformed line; bytes that are not UTF-8 or a control character (NUL, ESC …); an empty or \
                header-only file; paid_on before 2008-04-01, after the day the file was received (--learned-on) or \
                after today in Japan; a store code over 40 characters; a barcode amount koki never issued (more than \
                was ever assessed for the slip's period, or no payment of a plan from it for a plan slip).
                """)
        @OptionGroup var options: LedgerOptions
        @OptionGroup var input: ImportArguments

        typealias Format = ConvenienceStoreFile
        static let what = "コンビニ収納"
    }

    struct Pending: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "pending",
            abstract: "Preliminary reports with no final record after N days, for follow-up.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "Days since payment.") var olderThan = 10
        @Option(help: ArgumentHelp("Counting to this day (default: today in Japan).", valueName: "date")) var on:
            CivilDate?

        func request() -> PendingConvenience { PendingConvenience(olderThan: olderThan, on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            Table.render(
                Staff.headings("number", "period", "amount", "paidOn") + ["店舗"],
                result.map {
                    [$0.person.value, Staff.period($0.key), Staff.amount($0.amount), Staff.date($0.paidOn), $0.store]
                }, right: [2]
            ).forEach(Output.line)
        }
    }
}

struct PensionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pension",
        abstract:
            "特別徴収（pension）：4月前の仮徴収、年度の依頼、変更と中止、その結果。",
        subcommands: [Provisional.self, Notify.self, Import.self, Selection.self, Switch.self]
    )

    struct Selection: JSONReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "selection",
            abstract: "Who is deducted from the pension in a fiscal year, and why the others are not (特徴対象者).",
            discussion: """
                One line per person assessed for --fiscal-year: the selection its first assessment recorded — \
                selected (the pension is at least 180,000 yen, the long-term-care premium is deducted from it, \
                and both premiums are at most half of it), noPensionInformation, newlyInsured (insured from \
                this year: ordinary at first), pensionUnder180000, careNotDeducted, overHalf, switchedToDebit \
                (asked to pay by bank debit) — with the recorded reason, how the year is collected now, the \
                pension months still deducted, what the year's periods hold by each method, a stop during the \
                year and a switch asked for. Then the count of each selection. --json prints one JSON object.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Flag(help: "Print JSON instead of text.") var json = false

        func request() throws -> ListPensionSelection { ListPensionSelection(fiscalYear: try FiscalYear(fiscalYear)) }

        static func report(_ request: ListPensionSelection, _ view: ListPensionSelection.View) {
            Table.render(
                ["PERSON", "SELECTION", "NOW", "MONTHS", "PENSION", "ORDINARY", "NOTE"],
                view.rows.map { row in
                    [
                        row.person, row.selection, row.collection == "pensionDeduction" ? "pension" : "ordinary",
                        row.pensionMonths.map(String.init).joined(separator: ","), "\(row.pension)", "\(row.ordinary)",
                        [
                            row.stoppedFrom.map { "stopped from \($0)" + (row.stopReason.map { ": \($0)" } ?? "") },
                            row.switchRequested.map { "switch to debit asked \($0)" },
                            row.selection == "selected" ? nil : row.reason,
                        ].compactMap { $0 }.joined(separator: "; "),
                    ]
                }
            ).forEach(Output.line)
            Output.line(
                "FY\(view.fiscalYear.year): \(view.rows.count) persons: "
                    + view.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
    }

    struct Switch: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "switch",
            abstract: "A pension deductee asks to pay by bank debit instead (特別徴収から口座振替への切替), or withdraws it.",
            discussion: """
                Needs a bank-debit mandate in force or to come (koki debit start: the 口座振替依頼書 goes with the \
                納付方法変更申出) and, while the arrears settings' switchRequiresNoArrears holds (the default), \
                nothing owed past due. `koki pension notify` then stops the deduction from the first pension \
                month a notice can still reach and the rest of that year is debited; every later year is \
                assessed for ordinary collection (reason: asked to pay by bank debit) until --withdraw, which \
                takes effect from the next year's assessment. Refused (exit 65, nothing recorded): a person not \
                insured or dead on --on, not deducted from the pension this year or the next, a second request, \
                a withdrawal with none in force, --on a day the office is closed. It takes a second operator's \
                confirmation (an application of kind debit).
                """)
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("The day the request was received (an open day).", valueName: "date"))
        var on: CivilDate
        @Flag(help: "Withdraw the request (取消).") var withdraw = false

        func request() -> RecordPensionSwitch { RecordPensionSwitch(person: person, on: on, withdraw: withdraw) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                result.change == .requested
                    ? "\(request.person)：\(Staff.date(request.on))に特別徴収から口座振替への切替を申出"
                    : "\(request.person)：\(Staff.date(request.on))に口座振替への切替を取消（翌年度の賦課から）")
        }
    }

    struct Notify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notify",
            abstract: "Tell the pension insurers what changed (特別徴収依頼・異動): the year's request, changes, stops.",
            discussion: """
                Compares each deduction of --fiscal-year with what the insurer was last told (the provisional \
                months decided before April, then every notice) and tells what differs, for the months a notice \
                can still reach: a month never told (the year's request, with August's leveled amount) by the end \
                of the month before it — 31 July for August, 30 September for October; a change or stop by the \
                end of the month pensionNoticeLeadMonths before it (the calendar's setting, default 2: a change \
                for December by 31 October). Kinds: request (told for the first time), change (a new amount: a \
                reassessment lowered it; an increase during the year is never added to a deduction, it is paid \
                ordinarily), stop (0 from that month). A person who died or is no longer insured is stopped from \
                the first month still reachable and the rest of their year is rescheduled for ordinary payment \
                (by the heirs for the dead). A new starter — a year paid ordinarily because the person was \
                newly insured or had no pension data, whose pension facts now select them — is deducted from \
                the first pension month a request reaches (pensionNoticeLeadMonths), the periods due before it \
                staying ordinary. A month that differs but can no longer be reached is listed as \
                missed: the insurer deducts what it was told, and what is too much is refunded. \
                The file goes to --out as CSV, UTF-8, LF: the header person,fiscal_year,month,amount,kind,reason \
                and a line for each month told; its SHA-256 is recorded with a PensionDeductionNotified event for \
                each person (a collection file of kind pensionNotice). Run it after each month's decisions, on a \
                day the office is open; when nothing is to be told, no file is written and nothing recorded.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year of the deductions.") var fiscalYear: Int
        @Option(help: ArgumentHelp("The day the notice is made (an open day, not after today).", valueName: "date"))
        var on: CivilDate
        @Option(help: ArgumentHelp("Where to write the file for the pension insurers.", valueName: "file"))
        var out: String

        func request() throws -> NotifyPensionDeductions {
            NotifyPensionDeductions(fiscalYear: try FiscalYear(fiscalYear), on: on)
        }

        func run() throws {
            try reporting {
                let (path, result) = try options.runWritingFile(
                    NotifyPensionDeductions.self, out: out, recorded: "the notice is", { try request() }, file: { ($0.file, $0.digest) })
                Output.line(
                    "特別徴収の通知 \(Staff.fiscalYear(fiscalYear)) \(Staff.date(on))：\(Staff.count(result.notified.count))人、\(Staff.count(result.lines))月分"
                        + (result.started.isEmpty ? "" : "、新規開始 \(Staff.count(result.started.count))人")
                        + (result.stopped.isEmpty ? "" : "、中止 \(Staff.count(result.stopped.count))人（残りは普通徴収）")
                        + (result.file.isEmpty ? "、通知することはなく、ファイルは作成していません" : " → \(path)"))
                for m in result.missed { Output.line("  間に合わなかった方：\(m)") }
            }
        }
    }

    struct Provisional: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "provisional",
            abstract: "Decide, before April, each provisional deduction (仮徴収) of a fiscal year, and write the request.",
            discussion: """
                For everyone deducted from the pension last February and still insured (and alive) on the day \
                decided: April, June and August deduct last February's amount — what the pension insurer is \
                told. The July assessment keeps April and June at it (August may be leveled: see calendar \
                adopt). Decided before 1 April of the year, on a day the office is open; a second run decides \
                only persons not decided yet. The request for the insurers (特別徴収依頼, through the 経由機関) \
                goes to --out as CSV, UTF-8, LF: the header person,fiscal_year,month,amount, then a line for \
                each provisional month (4, 6, 8) of each person decided; its SHA-256 is recorded with the \
                decisions (a collection file of kind pensionRequest). When nobody is decided no file is written.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year the deductions are for.") var fiscalYear: Int
        @Option(help: ArgumentHelp("The day decided (before 1 April of the year, not after today).", valueName: "date"))
        var on: CivilDate
        @Option(help: ArgumentHelp("Where to write the request for the pension insurers.", valueName: "file"))
        var out: String

        func request() throws -> DecideProvisionalDeductions {
            DecideProvisionalDeductions(fiscalYear: try FiscalYear(fiscalYear), on: on)
        }

        func run() throws {
            try reporting {
                let (path, result) = try options.runWritingFile(
                    DecideProvisionalDeductions.self, out: out, recorded: "the decisions are", { try request() }, file: { ($0.file, $0.digest) })
                Output.line(
                    "仮徴収 \(Staff.fiscalYear(fiscalYear)) \(Staff.date(on))決定："
                        + "\(Staff.count(result.decided.count))人、月額 計\(Staff.yen(result.total))"
                        + (result.leftOut.isEmpty ? "" : "、資格喪失 \(Staff.count(result.leftOut.count))人")
                        + (result.switched.isEmpty ? "" : "、口座振替へ切替 \(Staff.count(result.switched.count))人")
                        + (result.file.isEmpty ? "、ファイルは作成していません" : " → \(path)"))
            }
        }
    }

    struct Import: ImportCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import deductions per pension month; a stop moves the rest of the year to ordinary collection.",
            discussion: """
                CSV: person,fiscal_year,month,paid_on,amount,status — status deducted (the amount was deducted on \
                paid_on) or stopped (no deduction from that month on: the rest of the year is rescheduled over the \
                ordinary calendar's periods after the import day, same annual amount). A deduction is identified by \
                person, fiscal year, pension day (paid_on) and amount, a stop by person, fiscal year and month: one \
                recorded already — earlier in the file or by an earlier file — is ignored and reported as a \
                duplicate, as the store import does. Refused whole (exit 65, nothing appended), naming the line and \
                column: a malformed line; bytes that are not UTF-8 or a control character; an empty or header-only \
                file; paid_on outside its month of the fiscal year, before 2008-04-01, or (for a deduction) after \
                the day the file was received or today in Japan, (for a stop) more than 62 days after today; a \
                deduction of more than was ever assessed for its period; a stop with an amount.
                """)
        @OptionGroup var options: LedgerOptions
        @OptionGroup var input: ImportArguments

        typealias Format = PensionDeductionsFile
        static let what = "特別徴収結果"
    }
}
