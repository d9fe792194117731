import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiProjections

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "監査ログ（監査担当）：個人情報の閲覧、ログイン、ログアウト、拒否、変更のすべて。",
        subcommands: [Log.self, Review.self, Rules.self])

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "The audit log, oldest first, with filters.",
            discussion: """
                Reading the log is itself recorded only as the command run; it shows person numbers, not data. A long \
                log is read a page at a time: --limit 500 shows the newest 500; --before-position P with the first \
                position shown gives the page before.
                """
        )
        @OptionGroup var options: LedgerOptions
        @Option(name: .customLong("operator"), help: ArgumentHelp("Only this operator.", valueName: "id"))
        var operatorID: String?
        @Option(help: ArgumentHelp("Only accesses to this person.", valueName: "number")) var person: PersonID?
        @Option(help: ArgumentHelp("Recorded at or after (ISO 8601, or a date = 00:00 JST).", valueName: "time"))
        var from: String?
        @Option(help: ArgumentHelp("Recorded before.", valueName: "time")) var before: String?
        @Option(help: ArgumentHelp("Only commands starting with this (`person show`).", valueName: "command"))
        var command: String?
        @Option(help: ArgumentHelp("A page: only the newest N entries (at most 5000), read back from the end.", valueName: "n"))
        var limit: Int?
        @Option(
            help: ArgumentHelp(
                "With --limit: the page before this position (the first position of the page after it).",
                valueName: "position"))
        var beforePosition: Int64?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func validate() throws { try validateTimes(from: from, before: before) }

        func run() throws {
            try reporting {
                let entries = try options.run(
                    ReadAuditLog(
                        operatorID: operatorID, person: person, from: from, before: before, command: command,
                        limit: limit, beforePosition: beforePosition))
                if json {
                    for e in entries {
                        Output.line(
                            JSON.object([
                                ("position", "\(e.position)"), ("recordedAt", JSON.string(e.recordedAt.description)),
                                ("kind", JSON.string(e.kind.rawValue)), ("operator", JSON.string(e.operatorID)),
                                ("session", e.session.map(JSON.string) ?? "null"),
                                ("terminal", e.terminal.map(JSON.string) ?? "null"),
                                ("command", e.command.map(JSON.string) ?? "null"),
                                ("persons", "[" + e.persons.map { JSON.string($0.value) }.joined(separator: ",") + "]"),
                                ("purpose", e.purpose.map(JSON.string) ?? "null"), ("detail", JSON.string(e.detail)),
                            ]))
                    }
                    return
                }
                Table.render(
                    ["位置", "記録日時", "種類", "利用者", "端末", "コマンド", "対象者", "目的", "内容"],
                    entries.map {
                        [
                            "\($0.position)", StaffText.moment(microseconds: $0.recordedAt.microseconds), $0.kind.label,
                            $0.operatorID, $0.terminal ?? "", $0.command ?? "",
                            $0.persons.count > 3
                                ? "\(Staff.count($0.persons.count))人"
                                : $0.persons.map(\.value).joined(separator: ","),
                            $0.purpose ?? "", $0.detail,
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract:
                "The yearly review: accesses per operator, outside office hours, views with no business, refusals.",
            discussion: """
                Office hours come from the security settings (8:30–17:15 JST, weekdays; public holidays are not \
                known to koki and count as weekdays). A person viewed by an operator who never recorded anything on \
                them is listed for the reviewer to ask about — it is not by itself a wrong.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("From (ISO 8601, or a date = 00:00 JST).", valueName: "time")) var from: String?
        @Option(help: ArgumentHelp("Before.", valueName: "time")) var before: String?

        func validate() throws { try validateTimes(from: from, before: before) }

        func run() throws {
            try reporting {
                let review = try options.run(ReviewAudit(from: from, before: before))
                Output.line("利用者ごとのアクセス")
                Table.render(
                    ["利用者", "閲覧", "対象者", "ログイン", "時間外", "拒否"],
                    review.operators.map {
                        [
                            $0.operatorID, Staff.count($0.reads), Staff.count($0.personsRead), Staff.count($0.logins),
                            Staff.count($0.outsideOfficeHours), Staff.count($0.refused),
                        ]
                    }
                ).forEach { Output.line("  " + $0) }
                Output.line("執務時間外のアクセス：\(Staff.count(review.outsideOfficeHours.count))件")
                for e in review.outsideOfficeHours {
                    Output.line(
                        "  \(StaffText.moment(microseconds: e.recordedAt.microseconds))  \(e.operatorID)  \(e.kind.label)  \(e.command ?? "")  \(e.detail)")
                }
                Output.line(
                    "業務の記録がないまま閲覧された方：\(Staff.count(review.viewedWithoutBusiness.count))件")
                for v in review.viewedWithoutBusiness {
                    Output.line("  \(v.operatorID)  \(v.person)  閲覧 \(Staff.count(v.reads))回")
                }
                Output.line("拒否された操作とログイン失敗：\(Staff.count(review.refused.count))件")
                for e in review.refused {
                    Output.line(
                        "  \(StaffText.moment(microseconds: e.recordedAt.microseconds))  \(e.operatorID.isEmpty ? "-" : e.operatorID)  \(e.kind.label)  \(e.detail)"
                    )
                }
            }
        }
    }
}

struct MyNumberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mynumber",
        abstract: "個人番号（My Number）：個人番号利用事務の役割だけが記録、表示、照会する。",
        discussion: """
            The number is read from standard input (never an argument, which shells and process lists keep), sealed \
            under the person's key and found again through a keyed hash; it is shown only by `mynumber show`, whose \
            purpose is recorded with the access. Everywhere else it is at most "recorded".
            """,
        subcommands: [Record.self, Show.self, Lookup.self])

    static func readNumber() throws -> MyNumber {
        guard let line = inputLine() else {
            throw CLIFailure(.usage, "give the My Number on standard input")
        }
        return try MyNumber(line)
    }

    struct Record: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "record", abstract: "Record a person's My Number (from standard input).")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func request() throws -> RecordMyNumber {
            RecordMyNumber(person: person, number: try MyNumberCommand.readNumber().digits)
        }

        static func report(_ request: RecordMyNumber, _ masked: String) {
            Output.line("\(request.person) の個人番号を記録しました（\(masked)）")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a person's My Number (the purpose is recorded).")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("Why it is needed (recorded with the access).", valueName: "text"))
        var purpose: String

        func run() throws {
            try reporting {
                Output.line(try options.run(ShowMyNumber(person: person, purpose: purpose)))
            }
        }
    }

    struct Lookup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lookup",
            abstract: "The person a My Number belongs to (number from standard input; the purpose is recorded).")
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Why (recorded with the access).", valueName: "text")) var purpose: String

        func run() throws {
            try reporting {
                let number = try MyNumberCommand.readNumber()
                Output.line(try options.run(LookUpMyNumber(number: number.digits, purpose: purpose)).value)
            }
        }
    }
}

struct EraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "保存期間を過ぎた方を、その鍵を消して読めなくする（消去）。",
        discussion: """
            A person is due when their last eligibility ended the retention years ago (security settings, 5 by \
            default, unconfirmed) and nothing is owed, refundable or under a plan. Erasing records PersonErased, \
            then deletes the person's key: their name, address, bank account and My Number can never be read \
            again, every view shows them as erased, and their amounts stay in the city's accounts — `koki verify` \
            and `koki rebuild --check` still pass. `--due` lists; `--due --apply` erases every one due; \
            `koki erase PERSON` erases one (refused, naming why, while money is open).
            """)
    @OptionGroup var options: LedgerOptions
    @Argument(help: "One person to erase.") var person: PersonID?
    @Flag(help: "List the persons whose retention has run out.") var due = false
    @Flag(help: "With --due: erase every one that may be.") var apply = false
    @Option(
        help: ArgumentHelp(
            "The day (default: today in Japan; an erasure may not be dated after today, a --due list may).",
            valueName: "date"))
    var on: CivilDate?

    func validate() throws {
        guard (person == nil) == due else { throw ValidationError("give a PERSON or --due (not both)") }
        if apply && !due { throw ValidationError("--apply goes with --due") }
    }

    func run() throws {
        try reporting {
            let outcome = try options.run(ErasePersons(person: person, due: due, apply: apply, on: on))
            if let person, let erased = outcome.erased {
                Output.line("\(person) を消去しました（資格喪失 \(Staff.date(erased.eligibilityEnded))）")
                return
            }
            for c in outcome.candidates {
                Output.line(
                    "\(c.person)  資格喪失 \(Staff.date(c.eligibilityEnded))  消去可能日 \(Staff.date(c.dueFrom))  \(c.blocker ?? (apply ? "消去済み" : "消去できます"))"
                )
            }
            Output.line(
                "保存期間経過 \(Staff.count(outcome.candidates.count))人、うち消去できる方 \(Staff.count(outcome.candidates.filter { $0.blocker == nil }.count))人\(apply ? "、消去 \(Staff.count(outcome.erasedCount))人" : "")"
            )
            noteReadModels(outcome.readModelsNote)
        }
    }
}

/// `--from` and `--before` as recorded times (refused before anything runs, as a usage error).
func validateTimes(from: String?, before: String?) throws {
    _ = try from.map { try EventsCommand.parseTime($0, option: "--from") }
    _ = try before.map { try EventsCommand.parseTime($0, option: "--before") }
}

extension AuditCommand {
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract: "Did we ever break the rules? Every breach the ledger shows, with its position; exit 1 if any.",
            discussion: """
                Each event checked against what the ledger knew when it was recorded (the office's calendar \
                then, the deaths recorded before it, the arrears settings in force), one person at a time \
                (their account and their documents, the city's calendars and settings between), so memory \
                stays flat however long the ledger:
                  closed-day         a document, due date, 指定期限, plan installment, assessment, write-off, \
                stop of enforcement or deferment decided (or a deferment's last day) on a day the office is \
                closed, or a counter payment, visit or plan agreed there
                  deceased           a document, 督促, 催告, debit, mandate or household membership for a person \
                after their recorded death (not to a recorded heirs' representative)
                  dunning            a 督促状 later than the window after its due date, with a 指定期限 too soon, \
                for a pension-deducted, paid or not-yet-due period (the window counts from the end of a \
                deferment over it)
                  on-hold            a 督促, 催告 or 差押 on a period deferred (徴収猶予) or whose enforcement is \
                stopped (執行停止) that day, or a debit of a deferred period
                  past-due-charge    more charged on a due date already past when decided; April or June of a \
                pension deduction other than the provisional deduction decided before April
                  time-limit         an assessment or raise after the time limit (期間制限)
                  late-fee           a late fee on a period paid by its due date
                  write-off          a write-off before prescription completed, or before a stop of enforcement \
                (執行停止) extinguished the debt
                  refund-prescribed  a refund paid after the claim prescribed (two years from the overpayment)
                  money              a person's money not conserved (received = periods + late fees + \
                overpayments open + refunded + kept when refunds prescribed)
                A certificate is handed to an heir at the counter and a reissue is the document as it was: \
                neither is a document to the dead. docs/RULES.md gives each rule's legal source. Exit status: \
                0 no breach, 1 a breach, 65 a wrong option.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: "Only breaches about this fiscal year.") var fiscalYear: Int?
        @Option(help: ArgumentHelp("Only breaches about this person.", valueName: "number")) var person: PersonID?
        @Option(help: ArgumentHelp("Only breaches shown at or after this position.", valueName: "position"))
        var since: Int64 = 0
        @Flag(help: "Print JSON lines instead of text.") var json = false

        func run() throws {
            var found = false
            try reporting {
                let year = try fiscalYear.map { try FiscalYear($0) }
                let report = try options.run(
                    CheckRules(scope: RuleCheck.Scope(fiscalYear: year, person: person, since: since)))
                found = !report.breaches.isEmpty
                for breach in report.breaches {
                    if json {
                        Output.line(
                            JSON.object([
                                ("rule", JSON.string(breach.rule.rawValue)), ("position", "\(breach.position)"),
                                ("person", breach.person.map { JSON.string($0.value) } ?? "null"),
                                ("fiscalYear", breach.fiscalYear.map { "\($0.year)" } ?? "null"),
                                ("message", JSON.string(breach.message)),
                            ]))
                    } else {
                        Output.line(breach.description)
                    }
                }
                let counts = Dictionary(grouping: report.breaches, by: \.rule).mapValues(\.count)
                Output.error(
                    "\(report.eventsRead) events read through position \(report.throughPosition): "
                        + (found
                            ? "\(report.breaches.count) breaches ("
                                + RuleCheck.Rule.allCases.compactMap { r in counts[r].map { "\(r.rawValue) \($0)" } }
                                .joined(separator: ", ") + ")"
                            : "no breach"))
            }
            if found { throw ExitCode(1) }
        }
    }
}
