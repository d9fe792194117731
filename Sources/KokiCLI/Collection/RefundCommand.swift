import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections

/// Late-fee and refund-interest rates: the built-in table, or a JSON file the city keeps.
struct ChargeRateOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Late-fee / refund-interest rates as JSON (default: the built-in 2020–2026 table, one-month window).",
            valueName: "file"))
    var chargeRates: String?
    @Option(help: ArgumentHelp("The reduced-rate window in months (overrides the table's).", valueName: "months"))
    var windowMonths: Int?

    func load() throws -> ChargeRates {
        try ChargeRates.named(chargeRates, windowMonths: windowMonths) { try readJSON(ChargeRates.self, from: $0) }
    }
}

struct RefundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund",
        abstract: "過誤納金（refund）：未納の期別への充当、還付の決定と支払。",
        subcommands: [Settle.self, Pay.self, List.self]
    )

    struct Settle: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "settle",
            abstract: "Settle overpayments: recognise, appropriate to unpaid periods, decide refunds with interest.",
            discussion: """
                For each person (or --person): money on a period beyond what it owes becomes an overpayment (過納); \
                every open overpayment goes first to the person's unpaid periods already due, oldest first (充当, \
                effective from the later of the period's due date and the day the overpayment arose); the rest is \
                decided as a refund with refund interest (還付加算金) to the decision day. Each step is an event; a \
                person with nothing to settle gets none.
                """)

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Only this person.", valueName: "number")) var person: PersonID?
        @Option(help: ArgumentHelp("The decision day (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Flag(help: "Also appropriate to periods not yet due (only with the payer's consent).")
        var includeNotYetDue = false
        @OptionGroup var rates: ChargeRateOptions

        func request() -> SettleOverpayments {
            SettleOverpayments(
                person: person, on: on, includeNotYetDue: includeNotYetDue, chargeRates: rates.chargeRates,
                windowMonths: rates.windowMonths)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            for (id, s) in result.persons.map({ ($0.person, $0.settlement) }) {
                for r in s.recognized {
                    Output.line("\(id) 過納 \(r.id)：\(Staff.period(r.key)) \(Staff.yen(r.amount))")
                }
                for a in s.appropriated {
                    Output.line(
                        "\(id) 充当 \(a.overpayment)："
                            + a.parts.map { "\(Staff.period($0.key)) \(Staff.yen($0.amount))（\(Staff.date($0.effectiveOn))）" }.joined(separator: "、"))
                }
                for r in s.refunds {
                    Output.line(
                        "\(id) 還付 \(r.id)：\(Staff.yen(r.amount))、還付加算金 \(Staff.yen(r.interest))（\(Staff.date(r.interestFrom))から）")
                }
            }
            Output.line("\(Staff.date(result.on))：\(Staff.count(result.persons.count))人の過誤納を整理しました")
            noteReadModels(result.readModelsNote)
        }
    }

    struct Pay: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "pay",
            abstract: "Record a decided refund as paid, to the person or an heir (相続人).")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The refund number (from `koki refund list` or `koki account`).") var refund: String
        @Option(help: ArgumentHelp("The day paid (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Option(help: "The heir's name, when paid to an heir (required for a person who has died).") var heir: String?

        func request() -> PayRefund { PayRefund(person: person, refund: refund, on: on, heir: heir) }

        static func report(_ request: Request, _ result: Request.Result) {
            let event = result
            Output.line(
                "\(request.person) の還付金 \(event.refund) を \(Staff.date(event.paidOn))に支払いました\(request.heir == nil ? "" : "（相続人へ）")")
        }
    }

    struct List: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Open overpayments and refunds decided but neither paid nor lapsed, for everyone.")
        @OptionGroup var options: LedgerOptions

        func request() -> ListOpenRefunds { ListOpenRefunds() }

        static func report(_ request: Request, _ result: Request.Result) {
            let rows = result.map {
                [
                    $0.person.value, $0.kind == "refund" ? "還付決定" : "過誤納金", $0.number, Staff.amount($0.amount),
                    $0.interest.map { Staff.amount($0) } ?? "", Staff.date($0.date),
                ]
            }
            Table.render(["被保険者番号", "区分", "番号", "金額（円）", "還付加算金（円）", "日付"], rows, right: [3, 4]).forEach(Output.line)
        }
    }
}

struct UnmatchedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmatched",
        abstract: "未確認入金（unmatched）：だれのどの期別か分からない入金の一覧、記録、解消。",
        subcommands: [List.self, Record.self, Resolve.self]
    )

    struct List: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Unmatched money not yet resolved.")
        @OptionGroup var options: LedgerOptions
        @Flag(help: "Also list resolved entries.") var all = false

        func request() -> ListUnmatched { ListUnmatched(all: all) }

        static func report(_ request: Request, _ result: Request.Result) {
            let rows = result.map { u in
                [
                    u.recorded.id, Staff.date(u.recorded.paidOn), u.recorded.channel.label,
                    Staff.amount(u.recorded.amount), u.resolved.map { "→ \($0.person)（\($0.payment)）" } ?? u.recorded.reason,
                ]
            }
            Table.render(["番号"] + Staff.headings("paidOn", "channel", "amount", "note"), rows, right: [3]).forEach(Output.line)
        }
    }

    struct Record: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "record", abstract: "Record money that matches no one yet.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "The amount in yen.") var amount: Int64
        @Option(help: ArgumentHelp("The day paid.", valueName: "date")) var paidOn: CivilDate
        @Option(help: "How it was paid.") var channel: PaymentChannel = .counter
        @Option(help: "What came with it (a reference, a name).") var reference = ""
        @Option(help: "Why it matches no one.") var reason: String

        func request() -> RecordUnmatched {
            RecordUnmatched(amount: amount, paidOn: paidOn, channel: channel, reference: reference, reason: reason)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("未確認入金 \(result.id)：\(Staff.yen(result.amount))")
        }
    }

    struct Resolve: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Assign unmatched money to a person: it becomes their payment.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The unmatched entry's number.") var id: String
        @Argument(help: "The person's address number.") var person: PersonID
        @OptionGroup var slip: PeriodOptions
        @Option(help: ArgumentHelp("The day resolved (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func request() throws -> ResolveUnmatched {
            ResolveUnmatched(id: id, person: person, slip: try slip.key(), on: on)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.id) → \(request.person)：収納番号 \(result.id) \(Staff.yen(result.amount))")
        }
    }
}
