import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

extension BenefitKind: ExpressibleByArgument {}

struct BenefitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benefit",
        abstract: "Benefit applications (給付): received at a counter, sent to the union, decided by it.",
        discussion: """
            Applications go to the union with the next `koki transfer` to a destination that receives \
            `benefit-application`; the union's decisions come back monthly (`koki benefit decisions FILE`).
            """,
        subcommands: [Receive.self, Decide.self, Decisions.self, Open.self, List.self]
    )

    struct Receive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a benefit application: the kind, the care it is for, the amount claimed, whom to pay.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The insured person's address number.") var person: PersonID
        @Option(help: "medical-expenses (療養費), high-cost (高額療養費), funeral (葬祭費), combined-high-cost, transport.")
        var kind: BenefitKind
        @OptionGroup var reception: ReceptionOptions
        @Option(help: ArgumentHelp("The first day of the care (for a funeral: the day of death).", valueName: "date"))
        var serviceFrom: CivilDate
        @Option(help: ArgumentHelp("The last day of the care (default: --service-from).", valueName: "date"))
        var serviceThrough: CivilDate?
        @Option(help: ArgumentHelp("The amount claimed, when the applicant states one.", valueName: "yen"))
        var claimed: Int64?
        @Option(help: "Whom to pay, when not the person (an heir, whoever held the funeral); sealed.") var payee:
            String?
        @Option(help: "Bank code of the account to pay into, 4 digits.") var bank: String?
        @Option(help: "Branch code, 3 digits.") var branch: String?
        @Option(help: "Account type: 1 普通, 2 当座.") var accountType = 1
        @Option(help: "Account number, up to 7 digits.") var account: String?
        @Option(help: "The account holder's name in kana.") var holder: String?

        func run() throws {
            try reporting {
                var value: BankAccount?
                if bank != nil || branch != nil || account != nil || holder != nil {
                    guard let bank, let branch, let account, let holder else {
                        throw CLIFailure(.invalidInput, "an account needs --bank, --branch, --account and --holder")
                    }
                    value = try BankAccount(
                        bankCode: bank, branchCode: branch, accountType: accountType, accountNumber: account,
                        holderKana: holder)
                }
                let access = try options.authorized(.counterWrite)
                let application = try Counter(access.ledger).receiveBenefit(
                    person, kind: kind, intake: reception.intake, serviceFrom: serviceFrom,
                    serviceThrough: serviceThrough ?? serviceFrom,
                    claimed: try claimed.map { try Yen.checked($0, .amount, field: "--claimed") },
                    payee: try payee.map { try checkedText($0, field: "--payee") },
                    account: value, metadata: access.metadata())
                Output.line("benefit application \(application.number) received: \(kind.title) for \(person)")
            }
        }
    }

    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the union's decision on one application.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The benefit application number (B20261129-1001-2).") var number: String
        @Flag(help: "Refused (不支給); give --reason.") var refused = false
        @Option(help: ArgumentHelp("The amount decided (支給額).", valueName: "yen")) var amount: Int64 = 0
        @Option(help: ArgumentHelp("The union's decision day.", valueName: "date")) var decidedOn: CivilDate
        @Option(help: ArgumentHelp("The day paid.", valueName: "date")) var paidOn: CivilDate?
        @Option(help: "The union's reference (決定通知番号).") var reference: String
        @Option(help: "Why it was refused.") var reason: String?

        func run() throws {
            try reporting {
                let access = try options.authorized(.counterWrite)
                let decided = try Counter(access.ledger).recordDecisions(
                    [
                        Counter.Decision(
                            number: number, approved: !refused,
                            amount: try Yen.checked(amount, .amount, field: "--amount"), decidedOn: decidedOn,
                            paidOn: try paidOn.map { try paidDay($0, "--paid-on") },
                            reference: try checkedText(reference, field: "--reference", limit: 64),
                            reason: try reason.map { try checkedText($0, field: "--reason") })
                    ], source: nil, metadata: access.metadata())
                for d in decided {
                    Output.line(
                        "\(d.number): \(d.approved ? "approved \(d.amount.amount) yen" : "refused (\(d.reason ?? ""))") on \(d.decidedOn)"
                    )
                }
            }
        }
    }

    struct Decisions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the union's monthly decision file (CSV): all lines or none.",
            discussion: """
                UTF-8 CSV with the header number,decision,amount,decided_on,paid_on,reference,reason; decision is \
                approved or refused. A file recorded before records nothing again (exit 0). Refused whole (exit 65, \
                naming the line): bytes that are not UTF-8, control characters (NUL, ESC …), another header (the \
                JSON of a transfer to the union is named), a file with no decision, a reference or reason over 200 \
                characters, decided_on after today, paid_on more than 92 days after today, and every check of \
                `benefit decide`.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The file.") var file: String

        func run() throws {
            try reporting {
                let access = try options.authorized(.counterWrite)
                try requireAuthorizedBeforeReading(file)
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CLIFailure(.notFound, "cannot read \(file)")
                }
                let decisions = try Counter.parseDecisions(bytes: Array(data), source: file)
                let decided = try Counter(access.ledger).recordDecisions(
                    decisions, source: file, metadata: access.metadata())
                guard !decided.isEmpty else {
                    Output.line("the decisions in \(file) were recorded before: nothing recorded")
                    return
                }
                let approved = decided.filter(\.approved)
                Output.line(
                    "recorded \(decided.count) decisions: \(approved.count) approved (\(approved.map(\.amount).sum().amount) yen), \(decided.count - approved.count) refused"
                )
            }
        }
    }

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Applications the union has not decided, oldest first, with their age and whether they were sent."
        )

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Age counted up to this day (default: today).", valueName: "date")) var on:
            CivilDate?

        func run() throws {
            try reporting {
                let access = try options.authorized(.counterRead, .query)
                let date = on ?? todayInJapan()
                let open = try Counter(access.ledger).openBenefits(on: date)
                try access.recordRead(open.map(\.application.person))
                Table.render(
                    ["NUMBER", "PERSON", "KIND", "RECEIVED", "OFFICE", "DAYS", "SENT TO THE UNION", "CLAIMED"],
                    open.map {
                        [
                            $0.application.number, $0.application.person.value, $0.application.kind.rawValue,
                            $0.application.reception.receivedOn.description, $0.application.reception.office,
                            String($0.daysOpen), $0.forwardedOn?.description ?? "not yet",
                            $0.application.claimed.map { String($0.amount) } ?? "-",
                        ]
                    }
                ).forEach(Output.line)
                let buckets = [(0...30, "up to 30 days"), (31...90, "31–90 days"), (91...Int.max, "over 90 days")]
                for (range, name) in buckets {
                    Output.line("\(name): \(open.filter { range.contains($0.daysOpen) }.count)")
                }
                Output.line("\(open.count) open, \(open.filter { $0.forwardedOn == nil }.count) not yet sent")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A person's benefit applications and decisions.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func run() throws {
            try reporting {
                let records = try options.counterRecords(of: person)
                Table.render(
                    ["NUMBER", "KIND", "RECEIVED", "CARE", "CLAIMED", "DECISION"],
                    records.benefits.map { b in
                        let r = b.received
                        let decision =
                            b.decision.map {
                                $0.approved
                                    ? "approved \($0.amount.amount) on \($0.decidedOn)\($0.paidOn.map { ", paid \($0)" } ?? "")"
                                    : "refused on \($0.decidedOn): \($0.reason ?? "")"
                            } ?? "open"
                        return [
                            r.number, r.kind.rawValue, r.reception.receivedOn.description,
                            "\(r.serviceFrom)–\(r.serviceThrough)", r.claimed.map { String($0.amount) } ?? "-",
                            decision,
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }
}
