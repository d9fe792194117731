import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents

extension LedgerOptions {
    func arrears() throws -> (ArrearsCommands, CommandMetadata) {
        let access = try authorized(.arrearsWrite)
        return (ArrearsCommands(access.ledger), access.metadata())
    }
}

extension ContactMethod: ExpressibleByArgument {}
extension ArrearsCommands.DelinquentOrder: ExpressibleByArgument {}

struct ArrearsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arrears",
        abstract: "Arrears (滞納): the city's settings, a person's periods in arrears, the list of delinquent persons.",
        subcommands: [Settings.self, Show.self, List.self]
    )

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Adopt or show the arrears settings (late-fee rates and window, dunning deadline and fee, prescription).",
            subcommands: [Adopt.self, ShowSettings.self])

        struct Adopt: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Adopt the defaults, or settings from a JSON file (missing keys take the defaults).",
                discussion: """
                    Defaults: chargeRates = the 2020–2026 special rates with a one-month reduced-rate window; \
                    dunningWindowDays 20; payByDays 10 (指定期限, unconfirmed); dunningFee 0; prescriptionYears 2; \
                    dunningRenewalDays 10 (a notice renews prescription from the day after the 10th day); \
                    planGraceDays 30. `koki arrears settings show` prints the JSON to edit.
                    """)
            @OptionGroup var options: LedgerOptions
            @Option(help: ArgumentHelp("Settings as JSON.", valueName: "file")) var file: String?

            func run() throws {
                try reporting {
                    let (commands, metadata) = try options.arrears()
                    let settings = try file.map { try readJSON(ArrearsSettings.self, from: $0) } ?? .standard
                    let result = try commands.adoptSettings(settings, metadata: metadata)
                    Output.line("adopted the arrears settings at position \(result.positions!.lowerBound)")
                }
            }
        }

        struct ShowSettings: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "Print the settings in force (or the defaults) as JSON.")
            @OptionGroup var options: LedgerOptions

            func run() throws {
                try reporting {
                    let settings = try options.authorized(.arrearsRead, .query).ledger.currentArrearsSettings()
                    Output.line(try prettyJSON(settings ?? .standard))
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A person's periods in arrears on a date: owed, days overdue, late fee to date, prescription.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(
            help: ArgumentHelp(
                "The day asked about: the world as it stood then (default: today in Japan).", valueName: "date"))
        var on: CivilDate?
        @OptionGroup var knownAt: KnownAtOption
        @Flag(help: "Also print each period's late-fee bands and prescription steps.") var explain = false

        func run() throws {
            try reporting {
                let access = try options.authorized(.arrearsRead, .query)
                let commands = ArrearsCommands(access.ledger)
                try access.recordRead([person])
                let date = on ?? todayInJapan()
                let periods = try commands.arrears(of: person, on: date, knownAt: try knownAt.value())
                Output.line(
                    "\(person) on \(date): \(periods.count) period(s) in arrears, \(periods.map(\.outstanding).sum().amount) yen, late fees \(periods.map(\.lateFeeOwed).sum().amount) yen"
                )
                Table.render(
                    ["PERIOD", "DUE", "OWED", "DAYS", "LATE FEE", "DUNNED", "REMINDED", "PRESCRIBED AFTER", "NOTE"],
                    periods.map {
                        [
                            $0.key.description, $0.dueDate.description, "\($0.outstanding.amount)", "\($0.daysOverdue)",
                            "\($0.lateFeeOwed.amount)\($0.lateFee?.paidOff == true ? " final" : "")",
                            $0.dunnedOn?.description ?? "-",
                            $0.remindedOn?.description ?? "-",
                            $0.prescription.lastDay.description
                                + ($0.prescription.isPrescribed(on: date) ? " (prescribed)" : ""),
                        ]
                    }
                ).forEach { Output.line("  " + $0) }
                guard explain else { return }
                for p in periods {
                    Output.line("\(p.key)")
                    for band in p.lateFee?.bands ?? [] { Output.line("  late fee  \(band)") }
                    if let fee = p.lateFee {
                        Output.line(
                            "  late fee  sum \(fee.sum.amount) → \(fee.fee.amount) (cut to 100 yen, nothing under 1,000)"
                        )
                    }
                    for step in p.prescription.steps { Output.line("  時効  \(step)") }
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The list of delinquent persons (滞納者一覧) on a date.")
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The day asked about (default: today in Japan).", valueName: "date")) var on:
            CivilDate?
        @Option(help: "Order: amount (largest first), age (oldest first) or prescription (nearest first).")
        var order: ArrearsCommands.DelinquentOrder = .amount
        @OptionGroup var knownAt: KnownAtOption
        @Option(help: "At most this many rows.") var limit: Int?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func run() throws {
            try reporting {
                let access = try options.authorized(.arrearsRead, .query)
                let commands = ArrearsCommands(access.ledger)
                var rows = try commands.delinquents(
                    on: on ?? todayInJapan(), order: order, knownAt: try knownAt.value())
                if let limit { rows = Array(rows.prefix(limit)) }
                try access.recordRead(rows.map(\.person))
                if json {
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
                    ["PERSON", "PERIODS", "OWED", "LATE FEES", "OLDEST DUE", "DAYS", "PRESCRIBED AFTER"],
                    rows.map {
                        [
                            $0.person.value, "\($0.periods)", "\($0.owed.amount)", "\($0.lateFees.amount)",
                            $0.oldestDue.description, "\($0.daysOverdue)", $0.nextPrescription.description,
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }
}

struct DunningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dunning",
        abstract: "Dunning (督促): issue a notice for every period unpaid after its due date.",
        subcommands: [Run.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The dunning run for a date; running it again issues nothing new.",
            discussion: """
                One notice per period past its due date, still unpaid, not dunned before, not reported paid at a \
                convenience store and not prescribed, with the designated deadline (指定期限) and fee of the \
                settings in force. Notices issued more than the legal window (20 days) after the due date are \
                listed as late. The run records itself with its counts.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The issue date (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func run() throws {
            try reporting {
                let (commands, metadata) = try options.arrears()
                let date = on ?? todayInJapan()
                let summary = try commands.runDunning(on: date, actor: metadata.actor)
                defer { keepReadModelsUp(commands.ledger) }
                Output.line(
                    "dunning run \(date): \(summary.notices.count) notices to \(Set(summary.notices.map(\.person)).count) persons, \(summary.principal.amount) yen"
                )
                for late in summary.late {
                    Output.line("  late (over the window after the due date): \(late.person) \(late.key)")
                }
                if !summary.conflicts.isEmpty {
                    Output.line(
                        "changed during the run (run again): \(summary.conflicts.map(\.value).joined(separator: ", "))")
                }
            }
        }
    }
}

struct RemindersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminders",
        abstract: "Reminders (催告): write to persons still owing after dunning.",
        subcommands: [Run.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The reminder run for a date, by amount owed and months overdue; each reminder is recorded.")
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The issue date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Option(help: "Only persons owing at least this much on dunned periods.") var minimumOwed: Int64 = 1
        @Option(help: "Only persons whose oldest dunned period is at least this many months overdue.")
        var monthsOverdue = 1

        func run() throws {
            try reporting {
                let (commands, metadata) = try options.arrears()
                let date = on ?? todayInJapan()
                guard (0...1_200).contains(monthsOverdue) else {
                    throw KokiError(.invalidInput, "--months-overdue \(monthsOverdue) is outside 0 to 1,200 months")
                }
                let summary = try commands.runReminders(
                    on: date,
                    criteria: .init(
                        minimumOwed: try Yen.checked(minimumOwed, .amount, field: "--minimum-owed"),
                        monthsOverdue: monthsOverdue), actor: metadata.actor)
                defer { keepReadModelsUp(commands.ledger) }
                Output.line(
                    "reminder run \(date): \(summary.reminders.count) reminders, \(summary.reminders.map(\.owed).sum().amount) yen owed"
                )
            }
        }
    }
}

struct ContactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Negotiation records (折衝記録): record, amend, retract, list — every version is kept.",
        subcommands: [Record.self, Amend.self, Retract.self, List.self]
    )

    struct Words: ParsableArguments {
        @Option(help: ArgumentHelp("The day of the contact.", valueName: "date")) var on: CivilDate
        @Option(help: "phone, visitToOffice, homeVisit, letter or other.") var method: ContactMethod
        @Option(help: "Who was spoken to (本人, 家族 …).") var counterpart = "本人"
        @Option(help: "What was said.") var content: String
        @Option(help: "What the person promised.") var promise = ""
        @Option(help: ArgumentHelp("A promised payment date.", valueName: "date")) var promisedOn: CivilDate?
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a contact.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @OptionGroup var words: Words

        func run() throws {
            try reporting {
                let (commands, metadata) = try options.arrears()
                let event = try commands.recordContact(
                    person, on: words.on, method: words.method,
                    words: .init(counterpart: words.counterpart, content: words.content, promise: words.promise),
                    promisedOn: words.promisedOn, metadata: metadata)
                Output.line("contact \(event.id) recorded for \(person)")
            }
        }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a new version of a contact record.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The record's number.") var id: String
        @OptionGroup var words: Words
        @Option(help: "Why it is amended.") var reason: String

        func run() throws {
            try reporting {
                let (commands, metadata) = try options.arrears()
                try commands.recordContact(
                    person, change: .amended, id: id, on: words.on, method: words.method,
                    words: .init(
                        counterpart: words.counterpart, content: words.content, promise: words.promise, reason: reason),
                    promisedOn: words.promisedOn, metadata: metadata)
                Output.line("contact \(id) of \(person) amended")
            }
        }
    }

    struct Retract: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retract a contact record (it stays in the history).")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The record's number.") var id: String
        @Option(help: "Why it is retracted.") var reason: String
        @Option(help: ArgumentHelp("The day (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func run() throws {
            try reporting {
                let (commands, metadata) = try options.arrears()
                try commands.recordContact(
                    person, change: .retracted, id: id, on: on ?? todayInJapan(), method: .other,
                    words: .init(counterpart: "", content: "", reason: reason), metadata: metadata)
                Output.line("contact \(id) of \(person) retracted")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A person's contact records with every version.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func run() throws {
            try reporting {
                let access = try options.authorized(.arrearsRead, .query)
                let commands = ArrearsCommands(access.ledger)
                try access.recordRead([person])
                for contact in try commands.contacts(of: person) {
                    Output.line("\(contact.id)\(contact.isRetracted ? " (retracted)" : "")")
                    for (event, words) in contact.versions {
                        Output.line(
                            "  \(event.change.rawValue)  \(event.contactedOn)  \(event.method.rawValue)  "
                                + (words.map {
                                    "\($0.counterpart): \($0.content)"
                                        + ($0.promise.isEmpty ? "" : " — promised: \($0.promise)")
                                        + ($0.reason.isEmpty ? "" : " [\($0.reason)]")
                                } ?? "(erased)")
                                + (event.promisedOn.map { "  pay by \($0)" } ?? ""))
                    }
                }
            }
        }
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "A person's collection history: one timeline of assessments, payments, notices, contacts, refunds.",
        discussion: "In effective-date order; each line gives the ledger position and the operator who recorded it.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The person's address number.") var person: PersonID
    @OptionGroup var knownAt: KnownAtOption
    @Option(help: ArgumentHelp("Only what took effect by this date.", valueName: "date")) var asOf: CivilDate?
    @Flag(help: "Print JSON lines instead of a table.") var json = false

    func run() throws {
        try reporting {
            let access = try options.authorized(.collectionRead, .query)
            let commands = ArrearsCommands(access.ledger)
            try access.recordRead([person])
            let entries = try commands.history(of: person, knownAt: try knownAt.value(), asOf: asOf)
            if json {
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
                ["DATE", "POSITION", "BY", "WHAT", "DETAIL"],
                entries.map { [$0.date.description, "\($0.position)", $0.actor, $0.kind, $0.text] }
            ).forEach(Output.line)
        }
    }
}
