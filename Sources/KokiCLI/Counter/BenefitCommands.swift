import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections

extension BenefitKind: ExpressibleByArgument {}

struct BenefitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benefit",
        abstract: "給付の申請（benefit）：窓口で受け付け、広域連合へ送り、その決定を記録する。",
        discussion: """
            Applications go to the union with the next `koki transfer` to a destination that receives \
            `benefit-application`; the union's decisions come back monthly (`koki benefit decisions FILE`).
            """,
        subcommands: [Receive.self, Decide.self, Decisions.self, Open.self, List.self]
    )

    struct Receive: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "receive",
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

        func request() -> ReceiveBenefit {
            ReceiveBenefit(
                person: person, kind: kind, reception: reception.fields, serviceFrom: serviceFrom,
                serviceThrough: serviceThrough, claimed: claimed, payee: payee, bank: bank, branch: branch,
                accountType: accountType, account: account, holder: holder)
        }

        static func report(_ request: Request, _ application: Request.Result) {
            Output.line(
                "給付申請 \(application.number) を受け付けました（\(request.person)、\(request.kind.title)）")
        }
    }

    struct Decide: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "decide", abstract: "Record the union's decision on one application.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The benefit application number (B20261129-1001-2).") var number: String
        @Flag(help: "Refused (不支給); give --reason.") var refused = false
        @Option(help: ArgumentHelp("The amount decided (支給額).", valueName: "yen")) var amount: Int64 = 0
        @Option(help: ArgumentHelp("The union's decision day.", valueName: "date")) var decidedOn: CivilDate
        @Option(help: ArgumentHelp("The day paid.", valueName: "date")) var paidOn: CivilDate?
        @Option(help: "The union's reference (決定通知番号).") var reference: String
        @Option(help: "Why it was refused.") var reason: String?

        func request() -> DecideBenefit {
            DecideBenefit(
                number: number, refused: refused, amount: amount, decidedOn: decidedOn, paidOn: paidOn,
                reference: reference, reason: reason)
        }

        static func report(_ request: Request, _ decided: Request.Result) {
            for d in decided {
                Output.line(
                    "\(d.number)：\(d.approved ? "支給決定 \(Staff.yen(d.amount))" : "不支給（\(d.reason ?? "")）")（\(Staff.date(d.decidedOn))）"
                )
            }
        }
    }

    struct Decisions: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "decisions",
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

        func request() -> RecordBenefitDecisions { RecordBenefitDecisions(file: file) }

        static func report(_ request: Request, _ decided: Request.Result) {
            guard !decided.isEmpty else {
                Output.line("\(request.file) の決定は記録済みです：何も記録していません")
                return
            }
            let approved = decided.filter(\.approved)
            Output.line(
                "決定 \(Staff.count(decided.count))件を記録：支給 \(Staff.count(approved.count))件（\(Staff.yen(approved.map(\.amount).sum()))）、不支給 \(Staff.count(decided.count - approved.count))件"
            )
        }
    }

    struct Open: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "open",
            abstract: "Applications the union has not decided, oldest first, with their age and whether they were sent."
        )

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Age counted up to this day (default: today).", valueName: "date")) var on:
            CivilDate?

        func request() -> OpenBenefits { OpenBenefits(on: on) }

        static func report(_ request: Request, _ open: Request.Result) {
            Table.render(
                ["申請番号", "被保険者番号", "種類", "受付日", "受付窓口", "経過日数", "広域連合へ送付", "請求額（円）"],
                open.map {
                    [
                        $0.application.number, $0.application.person.value, $0.application.kind.title,
                        Staff.date($0.application.reception.receivedOn), $0.application.reception.office,
                        Staff.count($0.daysOpen), $0.forwardedOn.map { Staff.date($0) } ?? "未送付",
                        $0.application.claimed.map { Staff.amount($0) } ?? "-",
                    ]
                }, right: [5, 7]
            ).forEach(Output.line)
            let buckets = [(0...30, "30日以内"), (31...90, "31〜90日"), (91...Int.max, "90日超")]
            for (range, name) in buckets {
                Output.line("\(name)：\(Staff.count(open.filter { range.contains($0.daysOpen) }.count))件")
            }
            Output.line(
                "審査中 \(Staff.count(open.count))件、うち未送付 \(Staff.count(open.filter { $0.forwardedOn == nil }.count))件")
        }
    }

    struct List: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "A person's benefit applications and decisions.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID

        func request() -> ListBenefits { ListBenefits(person: person) }

        static func report(_ request: Request, _ benefits: Request.Result) {
            Table.render(
                ["申請番号", "種類", "受付日", "診療期間", "請求額（円）", "決定"],
                benefits.map { b in
                    let r = b.received
                    let decision =
                        b.decision.map {
                            $0.approved
                                ? "支給決定 \(Staff.yen($0.amount))（\(Staff.date($0.decidedOn))）\($0.paidOn.map { "、\(Staff.date($0))支払" } ?? "")"
                                : "不支給（\(Staff.date($0.decidedOn))）：\($0.reason ?? "")"
                        } ?? "審査中"
                    return [
                        r.number, r.kind.title, Staff.date(r.reception.receivedOn),
                        "\(Staff.date(r.serviceFrom))〜\(Staff.date(r.serviceThrough))", r.claimed.map { Staff.amount($0) } ?? "-",
                        decision,
                    ]
                }
            ).forEach(Output.line)
        }
    }
}
