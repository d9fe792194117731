import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections

extension ApplicationKind: ExpressibleByArgument {}
extension ApplicantKind: ExpressibleByArgument {}
extension IdentityDocument: ExpressibleByArgument {}

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

    var fields: ReceptionFields {
        ReceptionFields(
            office: office, received: received, applicant: applicant, applicantName: applicantName,
            identity: identity, attached: attached)
    }
}

struct ApplicationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "application",
        abstract: "窓口で受け付けた申請・届出（application）と、入力者以外による確認。",
        discussion: """
            An application that changes what the city records carries the `koki` command that makes the change, \
            after `--`. It is pending until a second operator — not the one who entered it — confirms it \
            (入力者以外の者による確認): the change then runs as that operator and is recorded together with the \
            confirmation; a rejection records the reason and nothing else. The commands in the security \
            settings' `secondCheck` list (`koki security show`) are refused unless they run this way.
            """,
        subcommands: [Receive.self, Confirm.self, Reject.self, Show.self, List.self, Pending.self, Offices.self]
    )

    struct Receive: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "receive",
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

        /// The door's checks of the change after `--` first (it parses, this kind may carry it, it
        /// chooses no ledger of its own), then the receive as a request holding the change.
        func request() throws -> ReceiveApplication {
            let change = try self.change.isEmpty ? nil : StoredRequest(Self.request(self.change, kind: kind))
            return ReceiveApplication(person: person, kind: kind, reception: reception.fields, change: change)
        }

        static func report(_ request: Request, _ application: Request.Result) {
            if let command = application.changeCommand {
                Output.line(
                    "申請 \(application.number) を受け付けました（\(request.person)、\(request.kind.title)）：\(Staff.command(command))。別の職員の確認待ちです"
                )
            } else {
                Output.line("申請 \(application.number) を受け付けました（\(request.person)、\(request.kind.title)）")
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
                    .invalidInput,
                    "the change may not choose \(own): it runs on this ledger, as the confirming operator")
            }
            return try TypedCommands.request(from: change)
        }
    }

    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "confirm",
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
                let confirmed: ConfirmedChange
                if let remote = RemoteClient.current {
                    confirmed = try remote.confirm(ConfirmApplication(number: number, on: on))
                } else {
                    let (application, caller) = try options.application()
                    confirmed = try application.confirm(number, on: on, as: caller, upcast: TypedCommands.upcast(number))
                }
                TypedCommands.report(confirmed.request, confirmed.result)
                Output.line("申請 \(number) を \(confirmed.operatorID) が確認し、記録しました：\(Staff.command(confirmed.command))")
            }
        }
    }

    struct Reject: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "reject",
            abstract: "Reject (or withdraw) a pending application, with the reason; its change never happens.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The application number.") var number: String
        @Option(help: "Why (書類不備, 取下げ …).") var reason: String
        @Option(help: ArgumentHelp("The day (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func request() -> RejectApplication { RejectApplication(number: number, reason: reason, on: on) }

        static func report(_ request: Request, _ rejection: Request.Result) {
            Output.line("申請 \(request.number) を \(rejection.rejectedBy) が却下しました：\(rejection.reason)")
        }
    }

    struct Show: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "One application: the reception, the change it carries, and where it stands.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The application number.") var number: String

        func request() -> ShowApplication { ShowApplication(number: number) }

        static func report(_ request: Request, _ view: Request.Result) {
            let received = view.application.received
            let r = received.reception
            Output.line(
                "\(received.number)  \(received.kind.title)  被保険者番号 \(received.person)")
            Output.line("  受付        \(Staff.date(r.receivedOn))  \(r.office)（入力 \(r.enteredBy)）")
            Output.line("  申請者      \(r.applicant.label)\(view.applicantName.map { " \($0)" } ?? "")")
            Output.line("  本人確認    \(r.identityCheck.label)")
            if !r.attached.isEmpty { Output.line("  添付書類    \(r.attached.joined(separator: "、"))") }
            if let stored = view.change {
                Output.line("  変更内容    " + TypedCommands.commandLine(stored))
            } else if let change = view.changeArguments {
                Output.line(
                    "  変更内容    koki "
                        + change.map { $0.contains(" ") || $0.isEmpty ? "\"\($0)\"" : $0 }.joined(separator: " "))
            }
            Output.line("  状態        \(Self.describe(view.application.state))")
        }

        static func describe(_ state: CounterRecords.State) -> String {
            switch state {
            case .pending: "確認待ち"
            case .confirmed(let c): "確認済み（\(c.confirmedBy)、\(Staff.date(c.confirmedOn))）"
            case .rejected(let r): "却下（\(r.rejectedBy)、\(Staff.date(r.rejectedOn))）：\(r.reason)"
            case .recorded: "受付のみ（変更なし）"
            }
        }
    }

    struct List: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "A person's applications, oldest first.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func request() -> ListApplications { ListApplications(person: person) }

        static func report(_ request: Request, _ applications: Request.Result) {
            Table.render(
                ["申請番号", "種類", "受付日", "受付窓口", "入力者", "変更内容", "状態"],
                applications.map { a in
                    let r = a.received
                    return [
                        r.number, r.kind.title, Staff.date(r.reception.receivedOn), r.reception.office,
                        r.reception.enteredBy, r.changeCommand.map(Staff.command) ?? "-", Show.describe(a.state),
                    ]
                }
            ).forEach(Output.line)
        }
    }

    struct Pending: JSONReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "pending",
            abstract: "Applications awaiting a second operator's check, per office, oldest first.")

        @OptionGroup var options: LedgerOptions
        @Option(help: "Only this office.") var office: String?
        @Option(help: ArgumentHelp("Count days waiting up to this day (default: today).", valueName: "date"))
        var on: CivilDate?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func request() -> PendingApplications { PendingApplications(office: office, on: on) }

        static func jsonLines(_ request: Request, _ result: Request.Result) -> [String] {
            rows(result).map { row in
                JSON.object(
                    zip(["office", "number", "person", "kind", "change", "receivedOn"], row).map {
                        ($0.0, JSON.string($0.1))
                    } + [("daysWaiting", row[6]), ("enteredBy", JSON.string(row[7]))])
            }
        }

        static func rows(_ result: PendingApplications.Pending) -> [[String]] {
            result.applications.map { a -> [String] in
                let r = a.received
                return [
                    r.reception.office, r.number, r.person.value, r.kind.rawValue, r.changeCommand ?? "-",
                    r.reception.receivedOn.description, String(r.reception.receivedOn.days(until: result.on)),
                    r.reception.enteredBy,
                ]
            }
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Table.render(
                ["受付窓口", "申請番号", "被保険者番号", "種類", "変更内容", "受付日", "経過日数", "入力者"],
                result.applications.map { a -> [String] in
                    let r = a.received
                    return [
                        r.reception.office, r.number, r.person.value, r.kind.title, r.changeCommand.map(Staff.command) ?? "-",
                        Staff.date(r.reception.receivedOn), Staff.count(r.reception.receivedOn.days(until: result.on)),
                        r.reception.enteredBy,
                    ]
                }, right: [6]
            )
            .forEach(Output.line)
            let perOffice = Dictionary(grouping: result.applications, by: \.received.reception.office)
            for (name, items) in perOffice.sorted(by: { $0.key < $1.key }) {
                Output.line("\(name)：確認待ち \(Staff.count(items.count))件")
            }
            Output.line("確認待ち 計 \(Staff.count(result.applications.count))件")
        }
    }

    struct Offices: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "offices",
            abstract: "The offices that receive applications: show them, or adopt the list (an administrator).",
            discussion: "With no office adopted, any office name is taken as typed.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Adopt this list of offices; repeat (本庁, 常盤平 …).", valueName: "office"))
        var adopt: [String] = []

        func run() throws {
            try reporting {
                if adopt.isEmpty {
                    let offices = try options.run(ShowOffices())
                    Output.line(
                        offices.isEmpty ? "（窓口の一覧は未設定：入力した名前をそのまま受け付けます）" : offices.joined(separator: "\n"))
                    return
                }
                let adopted = try options.run(AdoptOffices(offices: adopt))
                Output.line("窓口 \(adopted.count)か所を設定しました")
            }
        }
    }
}
