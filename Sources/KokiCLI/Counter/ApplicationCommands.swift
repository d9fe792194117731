import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

extension ApplicationKind: ExpressibleByArgument {}
extension ApplicantKind: ExpressibleByArgument {}
extension IdentityDocument: ExpressibleByArgument {}

extension LedgerOptions {
    /// A person's counter records (applications, certificates, benefits), their reading
    /// recorded before they are shown.
    func counterRecords(of person: PersonID) throws -> CounterRecords.Person {
        let access = try authorized(.counterRead, .query)
        let (records, _) = try Counter(access.ledger).records(person)
        try access.recordRead([person])
        return records
    }
}

/// What a counter operator types about every reception: office, day, who came, how identity was
/// verified, what was attached.
struct ReceptionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The office that received it (本庁, a branch).", valueName: "office"))
    var office: String
    @Option(help: ArgumentHelp("The day received (default: today in Japan).", valueName: "date"))
    var received: CivilDate?
    @Option(help: "Who came: person (本人), household (世帯員), agent (代理人) or heir (相続人).")
    var applicant: ApplicantKind = .person
    @Option(help: "The applicant's name, when not the person (sealed with the person's key).")
    var applicantName: String?
    @Option(
        help: ArgumentHelp(
            "How identity was verified (本人確認), the kind of document only: \(IdentityDocument.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "kind"))
    var identity: IdentityDocument
    @Option(help: ArgumentHelp("A document attached (添付書類); repeat.", valueName: "document"))
    var attached: [String] = []

    var intake: Counter.Intake {
        Counter.Intake(
            office: office, receivedOn: received ?? todayInJapan(), applicant: applicant,
            applicantName: applicantName, identityCheck: identity, attached: attached)
    }
}

struct ApplicationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "application",
        abstract: "Applications and notifications received at a counter (申請・届出), and their second check.",
        discussion: """
            An application that changes what the city records carries the `koki` command that makes the change, \
            after `--`. It is pending until a second operator — not the one who entered it — confirms it \
            (入力者以外の者による確認): the change then runs as that operator and is recorded together with the \
            confirmation; a rejection records the reason and nothing else. The commands in the security \
            settings' `secondCheck` list (`koki security show`) are refused unless they run this way.
            """,
        subcommands: [Receive.self, Confirm.self, Reject.self, Show.self, List.self, Pending.self, Offices.self]
    )

    struct Receive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an application received at a counter, with the change it asks for after --.",
            discussion: """
                Kinds and the changes they may carry: \
                \(ApplicationKind.allCases.map { "\($0.rawValue) (\($0.title))\($0.commands.isEmpty ? "" : ": " + $0.commands.joined(separator: ", "))" }.joined(separator: "; ")). \
                Example: koki application receive --person 1002 --kind eligibility --office 本庁 --identity \
                my-number-card --attached 転入届 -- eligibility acquire --number 1002 --reason moved-in --date 2026-01-10
                """)

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var person: PersonID
        @Option(help: "The kind of application.") var kind: ApplicationKind
        @OptionGroup var reception: ReceptionOptions
        @Argument(parsing: .postTerminator, help: "After --: the koki command that makes the change.")
        var change: [String] = []

        func run() throws {
            try reporting {
                let request = try change.isEmpty ? nil : Self.request(change, kind: kind)
                let access = try options.authorized(.counterWrite)
                let application = try Counter(access.ledger).receive(
                    person, kind: kind, intake: reception.intake, change: request, metadata: access.metadata())
                if let command = application.changeCommand {
                    Output.line(
                        "application \(application.number) received: \(command) for \(person), pending a second operator's check"
                    )
                } else {
                    Output.line("application \(application.number) received for \(person) (\(kind.title))")
                }
            }
        }

        /// The change after `--` as the request it asks for: a koki command that parses, one this
        /// kind of application may carry, on this ledger (it may not choose its own).
        static func request(_ change: [String], kind: ApplicationKind) throws -> any KokiRequest {
            do {
                _ = try KokiCommand.parseAsRoot(change)
            } catch {
                throw CLIFailure(
                    .invalidInput,
                    "the change after -- is not a valid koki command: \(KokiCommand.message(for: error))")
            }
            try Counter.check(kind, carries: Counter.commandWords(change))
            if let own = change.first(where: { arg in
                ["--ledger", "--master-key", "--session"].contains { arg == $0 || arg.hasPrefix($0 + "=") }
            }) {
                throw CLIFailure(
                    .invalidInput, "the change may not choose \(own): it runs on this ledger, as the confirming operator")
            }
            return try TypedCommands.request(from: change)
        }
    }

    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Confirm a pending application (as a second operator): its change is recorded.",
            discussion: """
                Refused (exit 77, recorded) for the operator who entered it. The change runs under your session and \
                needs your roles; if it is refused or fails, nothing is recorded and the application stays pending.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The application number (A20261129-1001-1).") var number: String
        @Option(help: ArgumentHelp("The day of the check (default: today in Japan).", valueName: "date"))
        var on: CivilDate?

        func run() throws {
            try reporting {
                let (application, caller) = try options.application()
                let confirmed = try application.confirm(number, on: on, as: caller) { arguments in
                    do {
                        return try TypedCommands.request(from: arguments)
                    } catch let failure as CLIFailure {
                        throw CLIFailure(failure.status, "application \(number)'s change no longer parses: \(failure.message)")
                    }
                }
                TypedCommands.report(confirmed.request, confirmed.result)
                Output.line("application \(number) confirmed by \(confirmed.operatorID): \(confirmed.command) recorded")
            }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject (or withdraw) a pending application, with the reason; its change never happens.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The application number.") var number: String
        @Option(help: "Why (書類不備, 取下げ …).") var reason: String
        @Option(help: ArgumentHelp("The day (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func run() throws {
            try reporting {
                let access = try options.authorized(.counterWrite)
                let rejection = try Counter(access.ledger).reject(
                    number, reason: reason, on: on ?? todayInJapan(), metadata: access.metadata())
                Output.line("application \(number) rejected by \(rejection.rejectedBy): \(rejection.reason)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One application: the reception, the change it carries, and where it stands.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The application number.") var number: String

        func run() throws {
            try reporting {
                let access = try options.authorized(.counterRead, .query)
                let counter = Counter(access.ledger)
                let (application, _, _) = try counter.application(number)
                let received = application.received
                try access.recordRead([received.person])
                let r = received.reception
                Output.line(
                    "\(received.number)  \(received.kind.title) (\(received.kind.rawValue))  person \(received.person)")
                Output.line("  received     \(r.receivedOn) at \(r.office), entered by \(r.enteredBy)")
                let name = try counter.applicantName(of: r, person: received.person)
                Output.line("  applicant    \(r.applicant.rawValue)\(name.map { " \($0)" } ?? "")")
                Output.line("  identity     \(r.identityCheck.rawValue)")
                if !r.attached.isEmpty { Output.line("  attached     \(r.attached.joined(separator: ", "))") }
                switch try counter.change(of: received) {
                case .request(let stored)?: Output.line("  change       " + TypedCommands.commandLine(stored))
                case .arguments(let change)?:
                    Output.line(
                        "  change       koki "
                            + change.map { $0.contains(" ") || $0.isEmpty ? "\"\($0)\"" : $0 }.joined(separator: " "))
                case nil: break
                }
                Output.line("  state        \(Self.describe(application.state))")
            }
        }

        static func describe(_ state: CounterRecords.State) -> String {
            switch state {
            case .pending: "pending a second operator's check"
            case .confirmed(let c): "confirmed by \(c.confirmedBy) on \(c.confirmedOn)"
            case .rejected(let r): "rejected by \(r.rejectedBy) on \(r.rejectedOn): \(r.reason)"
            case .recorded: "recorded (no change asked)"
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A person's applications, oldest first.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func run() throws {
            try reporting {
                let records = try options.counterRecords(of: person)
                Table.render(
                    ["NUMBER", "KIND", "RECEIVED", "OFFICE", "ENTERED BY", "CHANGE", "STATE"],
                    records.applications.map { a in
                        let r = a.received
                        return [
                            r.number, r.kind.rawValue, r.reception.receivedOn.description, r.reception.office,
                            r.reception.enteredBy, r.changeCommand ?? "-", Show.describe(a.state),
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }

    struct Pending: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Applications awaiting a second operator's check, per office, oldest first.")

        @OptionGroup var options: LedgerOptions
        @Option(help: "Only this office.") var office: String?
        @Option(help: ArgumentHelp("Count days waiting up to this day (default: today).", valueName: "date"))
        var on: CivilDate?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func run() throws {
            try reporting {
                let access = try options.authorized(.counterRead, .query)
                let date = on ?? todayInJapan()
                let pending = try Counter(access.ledger).applications()
                    .filter { $0.isPending && (office == nil || $0.received.reception.office == office) }
                    .sorted {
                        ($0.received.reception.receivedOn, $0.received.number) < (
                            $1.received.reception.receivedOn, $1.received.number
                        )
                    }
                try access.recordRead(pending.map(\.received.person))
                let rows = pending.map { a -> [String] in
                    let r = a.received
                    return [
                        r.reception.office, r.number, r.person.value, r.kind.rawValue, r.changeCommand ?? "-",
                        r.reception.receivedOn.description,
                        String(r.reception.receivedOn.days(until: date)), r.reception.enteredBy,
                    ]
                }
                if json {
                    for row in rows {
                        Output.line(
                            JSON.object(
                                zip(["office", "number", "person", "kind", "change", "receivedOn"], row).map {
                                    ($0.0, JSON.string($0.1))
                                } + [("daysWaiting", row[6]), ("enteredBy", JSON.string(row[7]))]))
                    }
                    return
                }
                Table.render(["OFFICE", "NUMBER", "PERSON", "KIND", "CHANGE", "RECEIVED", "DAYS", "ENTERED BY"], rows)
                    .forEach(Output.line)
                let perOffice = Dictionary(grouping: pending, by: \.received.reception.office)
                for (name, items) in perOffice.sorted(by: { $0.key < $1.key }) {
                    Output.line("\(name): \(items.count) pending")
                }
                Output.line("\(pending.count) pending")
            }
        }
    }

    struct Offices: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The offices that receive applications: show them, or adopt the list (an administrator).",
            discussion: "With no office adopted, any office name is taken as typed.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Adopt this list of offices; repeat (本庁, 常盤平 …).", valueName: "office"))
        var adopt: [String] = []

        func run() throws {
            try reporting {
                if adopt.isEmpty {
                    let access = try options.authorized(.counterRead, .query)
                    let offices = try Counter(access.ledger).settings().offices
                    Output.line(
                        offices.isEmpty ? "(no offices adopted: any name is taken)" : offices.joined(separator: "\n"))
                    return
                }
                let access = try options.authorized(.securityAdmin)
                try Counter(access.ledger).adopt(CounterSettings(offices: adopt), metadata: access.metadata())
                Output.line("adopted \(adopt.count) offices")
            }
        }
    }
}
