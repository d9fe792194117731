import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents

extension ContactMethod: ExpressibleByArgument {}
extension ArrearsCommands.DelinquentOrder: ExpressibleByArgument {}

struct ArrearsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arrears",
        abstract: "滞納（arrears）：市の設定、ある方の滞納の期別、滞納者一覧。",
        subcommands: [Settings.self, Show.self, List.self]
    )

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "settings",
            abstract:
                "Adopt or show the arrears settings (late-fee rates and window, dunning deadline and fee, prescription).",
            subcommands: [Adopt.self, ShowSettings.self])

        struct Adopt: TypedCommand {
            static let configuration = CommandConfiguration(
                commandName: "adopt",
                abstract: "Adopt the defaults, or settings from a JSON file (missing keys take the defaults).",
                discussion: """
                    Defaults: chargeRates = the 2020–2026 special rates with a one-month reduced-rate window; \
                    dunningWindowDays 20; payByDays 10 (指定期限, unconfirmed); dunningFee 0; prescriptionYears 2; \
                    dunningRenewalDays 10 (a notice renews prescription from the day after the 10th day); \
                    planGraceDays 30; deferralMonths 6 and deferralTotalMonths 12 (徴収猶予); \
                    switchRequiresNoArrears true (a pension deductee switches to bank debit only while owing \
                    nothing past due). `koki arrears settings show` prints the JSON to edit.
                    """)
            @OptionGroup var options: LedgerOptions
            @Option(help: ArgumentHelp("Settings as JSON.", valueName: "file")) var file: String?

            func request() -> AdoptArrearsSettings { AdoptArrearsSettings(file: file) }

            static func report(_ request: Request, _ result: Recorded) {
                Output.line("adopted the arrears settings at position \(result.position.map(String.init) ?? "-")")
            }
        }

        struct ShowSettings: TypedCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "Print the settings in force (or the defaults) as JSON.")
            @OptionGroup var options: LedgerOptions

            func request() -> ShowArrearsSettings { ShowArrearsSettings() }

            static func report(_ request: Request, _ settings: ArrearsSettings) {
                Output.line(prettyJSONText(settings))
            }
        }
    }

    struct Show: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "A person's periods in arrears on a date: owed, days overdue, late fee to date, prescription.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(
            help: ArgumentHelp(
                "The day asked about: the world as it stood then (default: today in Japan).", valueName: "date"))
        var on: CivilDate?
        @OptionGroup var knownAt: KnownAtOption
        @Flag(help: "Also print each period's late-fee bands and prescription steps.") var explain = false

        func request() throws -> ShowArrears {
            ShowArrears(person: person, on: on, knownAt: try knownAt.value(), explain: explain)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            let (person, date, periods) = (request.person, result.on, result.value)
            Output.line(
                "\(person) \(Staff.date(date))現在：滞納 \(periods.count)期 \(Staff.yen(periods.map(\.outstanding).sum()))、延滞金 \(Staff.yen(periods.map(\.lateFeeOwed).sum()))"
            )
            Table.render(
                Staff.headings(
                    "period", "dueDate", "owed", "daysOverdue", "lateFee", "dunned", "reminded", "prescribedAfter",
                    "note"),
                periods.map {
                    [
                        Staff.period($0.key), Staff.date($0.dueDate), Staff.amount($0.outstanding),
                        // Days overdue count only while something is owed (a late fee alone is not overdue).
                        $0.outstanding > .zero ? Staff.count($0.daysOverdue) : "-",
                        Staff.amount($0.lateFeeOwed) + ($0.lateFee?.paidOff == true ? "（\(Staff.word("final"))）" : ""),
                        Staff.date($0.dunnedOn),
                        Staff.date($0.remindedOn),
                        Staff.date($0.prescription.lastDay)
                            + ($0.prescription.isPrescribed(on: date) ? "（\(Staff.word("prescribed"))）" : ""),
                        $0.deferredThrough.map { "\(Staff.word("deferredThrough")) \(Staff.date($0))" } ?? "",
                    ]
                }, right: [2, 3, 4]
            ).forEach { Output.line("  " + $0) }
            guard request.explain else { return }
            for p in periods {
                Output.line(Staff.period(p.key))
                for band in p.lateFee?.bands ?? [] { Output.line("  延滞金  \(band.staffDescription)") }
                if let fee = p.lateFee {
                    Output.line(
                        "  延滞金  計 \(Staff.yen(fee.sum)) → \(Staff.yen(fee.fee))（100円未満切捨て、1,000円未満は徴収しない）"
                    )
                }
                for step in p.prescription.steps { Output.line("  時効  \(step)") }
            }
        }
    }

    struct List: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "The list of delinquent persons (滞納者一覧) on a date.",
            discussion: """
                Everyone with a period past its due date on --date that still owes principal, or a late fee \
                (延滞金) of at least the smallest charged, and is not prescribed (時効): how many periods, what \
                they owe, the late fees to that day, the oldest due date and the day the next period prescribes. \
                The stored balances pick out who may owe; each of them is decided from their arrears facts (each \
                period's sums, the money that paid it with its days, the notices, pledges, seizures and \
                deferments that move its prescription), which the ledger file keeps for the persons a list has \
                decided (`koki rebuild --status`: arrears). A person whose stream grew since is folded again \
                from their stream and kept, so a list after a day's work reads almost every candidate's facts \
                and folds only those whose accounts changed. A PostgreSQL ledger keeps them as documents in its \
                schema the same way; --known-at and a replay copy fold each candidate's stream.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The day asked about (default: today in Japan).", valueName: "date")) var on:
            CivilDate?
        @Option(help: "Order: amount (largest first), age (oldest first) or prescription (nearest first).")
        var order: ArrearsCommands.DelinquentOrder = .amount
        @OptionGroup var knownAt: KnownAtOption
        @Option(help: "At most this many rows.") var limit: Int?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func request() throws -> ListDelinquents {
            ListDelinquents(on: on, order: order, knownAt: try knownAt.value(), limit: limit, json: json)
        }

        static func report(_ request: Request, _ rows: [ArrearsCommands.Delinquent]) {
            if request.json {
                for r in rows {
                    Output.line(
                        JSON.object([
                            ("person", JSON.string(r.person.value)), ("periods", "\(r.periods)"),
                            ("owed", "\(r.owed.amount)"), ("lateFees", "\(r.lateFees.amount)"),
                            ("oldestDue", JSON.string(r.oldestDue.description)),
                            ("daysOverdue", "\(r.daysOverdue)"),
                            ("prescribedAfter", JSON.string(r.nextPrescription.description)),
                        ]))
                }
                return
            }
            Table.render(
                Staff.headings("number", "periods", "owed", "lateFees", "oldestDue", "daysOverdue", "prescribedAfter"),
                rows.map {
                    [
                        $0.person.value, Staff.count($0.periods), Staff.amount($0.owed), Staff.amount($0.lateFees),
                        Staff.date($0.oldestDue), Staff.count($0.daysOverdue), Staff.date($0.nextPrescription),
                    ]
                }, right: [1, 2, 3, 5]
            ).forEach(Output.line)
        }
    }
}

struct DunningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dunning",
        abstract: "督促（dunning）：納期限を過ぎて未納の期別ごとに督促状を出す。",
        subcommands: [Run.self]
    )

    struct Run: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "The dunning run for a date; running it again issues nothing new.",
            discussion: """
                One notice per period past its due date, still unpaid, not dunned before, not reported paid at a \
                convenience store and not prescribed, with the designated deadline (指定期限) and fee of the \
                settings in force. Notices issued more than the legal window (20 days) after the due date are \
                listed as late. The run records itself with its counts.

                The run is dated on a day the office is open (地方自治法 第4条の2): a Saturday, a Sunday, a public \
                holiday, 29 December – 3 January or a day the city recorded as closed (`calendar adopt \
                --closed`) is refused, naming the next open day. The 指定期限 is the settings' days after the \
                run (payByDays, default 10), moved to the next open day when it falls on a closed one. The \
                letter prints the period's own 納期限. The heirs inherit what is owed: after a recorded death \
                the 督促 goes to the heirs' representative (`koki mail set --role heir-representative`), and \
                without one nobody is dunned and the person is listed for the counter.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The issue date (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func request() -> RunDunning { RunDunning(on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            let (date, summary) = (result.on, result.value)
            defer { noteReadModels(result.readModelsNote) }
            Output.line(
                "督促 \(Staff.date(date))：督促状 \(Staff.count(summary.notices.count))件（\(Staff.count(Set(summary.notices.map(\.person)).count))人）、\(Staff.yen(summary.principal))"
            )
            if !summary.late.isEmpty {
                Output.line(
                    "  納期限後20日を過ぎて発したもの \(Staff.count(summary.late.count))件："
                        + summary.late.prefix(20).map { "\($0.person) \(Staff.period($0.key))" }.joined(separator: "、")
                        + (summary.late.count > 20 ? " ほか\(Staff.count(summary.late.count - 20))件" : ""))
            }
            noteDeceased(summary.deceased, "督促")
            if !summary.conflicts.isEmpty {
                Output.line(
                    "処理中に変更があった方（再実行してください）：\(summary.conflicts.map(\.value).joined(separator: "、"))")
            }
        }
    }
}

struct RemindersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminders",
        abstract: "催告（reminders）：督促の後も未納の方へ催告書を出す。",
        subcommands: [Run.self]
    )

    struct Run: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "The reminder run for a date, by amount owed and months overdue; each reminder is recorded.",
            discussion: """
                The run is dated on a day the office is open (a closed day is refused, naming the next open \
                one); the reminder's date to pay by (the notice settings' reminderPayByDays after it) moves \
                to the next open day when it falls on a closed one. After a recorded death the 催告 \
                goes to the heirs' representative; without one nobody is written to and the person is listed.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The issue date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Option(help: "Only persons owing at least this much on dunned periods.") var minimumOwed: Int64 = 1
        @Option(help: "Only persons whose oldest dunned period is at least this many months overdue.")
        var monthsOverdue = 1

        func request() -> RunReminders {
            RunReminders(on: on, minimumOwed: minimumOwed, monthsOverdue: monthsOverdue)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            let (date, summary) = (result.on, result.value)
            defer { noteReadModels(result.readModelsNote) }
            Output.line(
                "催告 \(Staff.date(date))：催告書 \(Staff.count(summary.reminders.count))件、滞納額 \(Staff.yen(summary.reminders.map(\.owed).sum()))"
            )
            noteDeceased(summary.deceased, "催告")
        }
    }
}

struct ContactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "折衝記録（contact）：記録、訂正、取消、一覧（すべての版を残す）。",
        subcommands: [Record.self, Amend.self, Retract.self, List.self]
    )

    struct Words: ParsableArguments {
        @Option(help: ArgumentHelp("The day of the contact.", valueName: "date")) var on: CivilDate
        @Option(help: "phone（電話）, visitToOffice（来庁）, homeVisit（臨戸）, letter（文書） or other（その他）.")
        var method: ContactMethod
        @Option(help: "Who was spoken to (本人, 家族 …).") var counterpart = "本人"
        @Option(help: "What was said.") var content: String
        @Option(help: "What the person promised.") var promise = ""
        @Option(help: ArgumentHelp("A promised payment date.", valueName: "date")) var promisedOn: CivilDate?

        var terms: ContactTerms {
            ContactTerms(
                on: on, method: method, counterpart: counterpart, content: content, promise: promise,
                promisedOn: promisedOn)
        }
    }

    struct Record: TypedCommand {
        static let configuration = CommandConfiguration(commandName: "record", abstract: "Record a contact.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @OptionGroup var words: Words

        func request() -> RecordContact { RecordContact(person: person, terms: words.terms) }

        static func report(_ request: Request, _ event: ContactRecorded) {
            Output.line("\(request.person) の折衝記録 \(event.id) を記録しました")
        }
    }

    struct Amend: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "amend", abstract: "Record a new version of a contact record.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The record's number.") var id: String
        @OptionGroup var words: Words
        @Option(help: "Why it is amended.") var reason: String

        func request() -> AmendContact { AmendContact(person: person, id: id, terms: words.terms, reason: reason) }

        static func report(_ request: Request, _ event: ContactRecorded) {
            Output.line("\(request.person) の折衝記録 \(request.id) を訂正しました")
        }
    }

    struct Retract: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "retract", abstract: "Retract a contact record (it stays in the history).")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The record's number.") var id: String
        @Option(help: "Why it is retracted.") var reason: String
        @Option(help: ArgumentHelp("The day (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func request() -> RetractContact { RetractContact(person: person, id: id, reason: reason, on: on) }

        static func report(_ request: Request, _ event: ContactRecorded) {
            Output.line("\(request.person) の折衝記録 \(request.id) を取り消しました")
        }
    }

    struct List: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "A person's contact records with every version.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func request() -> ListContacts { ListContacts(person: person) }

        static func report(_ request: Request, _ contacts: [ArrearsCommands.Contact]) {
            for contact in contacts {
                Output.line("\(contact.id)\(contact.isRetracted ? Staff.word("retracted") : "")")
                for (event, words) in contact.versions {
                    Output.line(
                        "  \(event.change.label)  \(Staff.date(event.contactedOn))  \(event.method.label)  "
                            + (words.map {
                                "\($0.counterpart)：\($0.content)"
                                    + ($0.promise.isEmpty ? "" : " — 約束：\($0.promise)")
                                    + ($0.reason.isEmpty ? "" : "［\($0.reason)］")
                            } ?? Staff.word("erased"))
                            + (event.promisedOn.map { "  納付予定日 \(Staff.date($0))" } ?? ""))
                }
            }
        }
    }
}

struct HistoryCommand: TypedCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "ある方の収納履歴（history）：賦課、収納、通知、折衝、還付を一つの時系列で。",
        discussion: "In effective-date order; each line gives the ledger position and the operator who recorded it.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The person's address number.") var person: PersonID
    @OptionGroup var knownAt: KnownAtOption
    @Option(help: ArgumentHelp("Only what took effect by this date.", valueName: "date")) var asOf: CivilDate?
    @Flag(help: "Print JSON lines instead of a table.") var json = false

    func request() throws -> ShowCollectionHistory {
        ShowCollectionHistory(person: person, knownAt: try knownAt.value(), asOf: asOf, json: json)
    }

    static func report(_ request: Request, _ entries: [ArrearsCommands.HistoryEntry]) {
        if request.json {
            for e in entries {
                Output.line(
                    JSON.object([
                        ("date", JSON.string(e.date.description)), ("position", "\(e.position)"),
                        ("actor", JSON.string(e.actor)), ("kind", JSON.string(e.kind)),
                        ("text", JSON.string(e.text)),
                    ]))
            }
            return
        }
        Table.render(
            Staff.headings("date", "what", "by", "position", "detail"),
            entries.map {
                [Staff.date($0.date), Staff.historyKind($0.kind), $0.actor, "\($0.position)", $0.text]
            }
        ).forEach(Output.line)
    }
}

/// `value` as indented JSON with sorted keys, for a report (which cannot fail on a settings value).
func prettyJSONText(_ value: some Encodable) -> String {
    (try? prettyJSON(value)) ?? "{}"
}

/// The persons a run left out because their death is recorded: the counter asks their heirs.
private func noteDeceased(_ persons: [PersonID], _ what: String) {
    if let line = deceasedLine(persons, what) { Output.line(line) }
}

/// The run's line for the dead with no heirs' representative: how many, and the first 20 of them
/// (a city keeps more every year: at ten years of Matsudo over 2,000, one line a clerk could not
/// read). `nil` when there are none.
func deceasedLine(_ persons: [PersonID], _ what: String) -> String? {
    guard !persons.isEmpty else { return nil }
    return "  死亡者への\(what)なし（\(Staff.count(persons.count))人、相続人は窓口へ）："
        + persons.prefix(20).map(\.value).joined(separator: "、")
        + (persons.count > 20 ? " ほか\(Staff.count(persons.count - 20))人" : "")
}
