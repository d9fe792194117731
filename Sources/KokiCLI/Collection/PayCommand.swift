import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections

extension PaymentChannel: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "counter": self = .counter
        case "bank-debit": self = .bankDebit
        case "convenience-store", "konbini": self = .convenienceStore
        case "smartphone": self = .smartphone
        case "pension": self = .pensionDeduction
        default:
            // The term the screens show (口座振替, 窓口 …), from the labels table in use.
            let labels = Labels.current
            guard let channel = Self.allCases.first(where: { labels.term($0) == argument }) else { return nil }
            self = channel
        }
    }

    public static var allValueStrings: [String] {
        ["counter", "smartphone", "convenience-store", "bank-debit", "pension"]
    }
}

/// A period named on the command line: both --fiscal-year and --period, or neither.
struct PeriodOptions: ParsableArguments {
    @Option(help: "The fiscal year of the period the slip names.") var fiscalYear: Int?
    @Option(help: "The period (期別) the slip names.") var period: Int?

    func key() throws -> PeriodKey? {
        switch (fiscalYear, period) {
        case (nil, nil): return nil
        case (let year?, let number?): return PeriodKey(try FiscalYear(year), try PeriodNumber(number))
        default: throw ValidationError("give both --fiscal-year and --period, or neither (oldest unpaid first)")
        }
    }
}

struct PayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay",
        abstract: "収納（pay）を記録する、または誤って記録した収納を取り消す。",
        subcommands: [Record.self, Cancel.self],
        defaultSubcommand: Record.self
    )

    struct Record: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record a payment: the period its slip names, or unspecified money (oldest unpaid period first).",
            discussion: """
                The money pays the named period up to what it owes; unspecified money pays the person's oldest \
                unpaid periods first (never a pension-deduction period not yet due). What is left over is an \
                overpayment (誤納) under the payment's number, appropriated or refunded by `koki refund settle`. \
                Money paid 1 April – 31 May for a period of the year before counts to that year; from 1 June it is \
                carried-forward arrears (滞納繰越) of the new year.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: "The amount in yen.") var amount: Int64
        @Option(help: ArgumentHelp("The day the money was paid (領収日).", valueName: "date")) var paidOn: CivilDate
        @Option(help: ArgumentHelp("The day the city learned of it (default: the day paid).", valueName: "date"))
        var learnedOn: CivilDate?
        @Option(help: "How it was paid.") var channel: PaymentChannel = .counter
        @OptionGroup var slip: PeriodOptions
        @Option(help: "A receipt or slip number to keep with the payment.") var reference = ""
        @Flag(help: "The slip is for the period's late fee (延滞金), not its premium.") var lateFee = false

        func request() throws -> RecordPayment {
            RecordPayment(
                person: person, amount: amount, paidOn: paidOn, learnedOn: learnedOn, channel: channel,
                slip: try slip.key(), lateFee: lateFee, reference: reference)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            let payment = result
            Output.line(
                "収納番号 \(payment.id)：\(request.person) から \(Staff.yen(payment.amount))（納付日 \(Staff.date(payment.paidOn))、\(payment.channel.label)）"
                    + payment.parts.map { p in
                        "\n  \(Staff.period(p.key))  \(Staff.yen(p.amount))"
                            + (p.charge == .lateFee ? "（\(Charge.lateFee.label)）" : "")
                            + (p.carriedForward ? "（\(StaffText.fiscalYear(p.accountingYear))の収入）" : "")
                    }.joined()
                    + (payment.overpaid > .zero ? "\n  過誤納 \(Staff.yen(payment.overpaid))（還付または充当へ）" : ""))
        }
    }

    struct Cancel: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Cancel a payment recorded in error; the periods it paid reopen.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The payment number (from `koki account`).") var payment: String
        @Option(help: "Why it is cancelled.") var reason: String
        @Option(help: ArgumentHelp("The day of the cancellation (default: today in Japan).", valueName: "date"))
        var on: CivilDate?

        func request() -> CancelPayment { CancelPayment(person: person, payment: payment, reason: reason, on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            let event = result
            Output.line("\(request.person) の収納 \(event.payment) を \(Staff.date(event.cancelledOn))付けで取り消しました")
        }
    }
}

struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "ある方の収納の口座（account）：期別ごとの調定額、収納額、未納額、過納額。",
        discussion: """
            Also the payments with how they were applied, overpayments and what became of them (appropriated, \
            refunded), refunds, bank-debit mandates and failures, and convenience-store payments reported but \
            not yet confirmed.
            """)

    @OptionGroup var options: LedgerOptions
    @Argument(help: "The person's address number.") var person: PersonID
    @Option(help: "Only this fiscal year.") var fiscalYear: Int?
    @OptionGroup var knownAt: KnownAtOption
    @Option(
        help: ArgumentHelp("The account as it stood on this date (only what took effect by then).", valueName: "date"))
    var asOf: CivilDate?
    @Flag(help: "Print JSON instead of text.") var json = false

    func request() throws -> ShowAccount {
        ShowAccount(person: person, fiscalYear: try fiscalYear.map { try FiscalYear($0) }, knownAt: try knownAt.value(), asOf: asOf)
    }

    func run() throws {
        try reporting {
            let view = try options.run(try request())
            if json {
                Output.line(try jsonLine(view))
                return
            }
            Output.line(
                "\(person)  調定額 \(Staff.yen(view.totals.assessed))  収納額 \(Staff.yen(view.totals.paid))  未納額 \(Staff.yen(view.totals.outstanding))"
            )
            Table.render(
                Staff.headings(
                    "period", "dueDate", "assessed", "paid", "outstanding", "overpaid", "reduced", "writtenOff",
                    "lateFee"),
                view.periods.map {
                    [
                        Staff.period(fiscalYear: $0.fiscalYear, period: $0.period), Staff.date($0.dueDate),
                        Staff.amount($0.assessed), Staff.amount($0.paid), Staff.amount($0.outstanding),
                        Staff.amount($0.overpaid), Staff.amount($0.reduced), Staff.amount($0.writtenOff),
                        $0.lateFee == 0 ? "0" : "\(Staff.amount($0.lateFee))（未納 \(Staff.amount($0.lateFeeOwed))）",
                    ]
                }, right: [2, 3, 4, 5, 6, 7, 8]
            ).forEach { Output.line("  " + $0) }
            if !view.payments.isEmpty {
                Output.line("収納")
                Table.render(
                    Staff.headings("paymentNumber", "paidOn", "channel", "amount", "applied", "note"),
                    view.payments.map {
                        [
                            $0.id.isEmpty ? "-" : $0.id, Staff.date($0.paidOn), Staff.term(PaymentChannel.self, $0.channel),
                            Staff.amount($0.amount), $0.parts.map(Staff.part).joined(separator: "、"),
                            ($0.overpaid > 0 ? "過誤納 \(Staff.yen($0.overpaid))" : "")
                                + ($0.cancelled.map { " 取消済み（\(Staff.cancellation($0))）" } ?? ""),
                        ]
                    }, right: [3]
                ).forEach { Output.line("  " + $0) }
            }
            if !view.overpayments.isEmpty {
                Output.line("過誤納金")
                Table.render(
                    ["番号", "区分", "発生日", "金額（円）", "充当（円）", "還付（円）", "残額（円）"],
                    view.overpayments.map {
                        [
                            $0.id, Staff.term(RefundInterest.Cause.self, $0.cause), Staff.date($0.arose),
                            Staff.amount($0.amount), Staff.amount($0.appropriated), Staff.amount($0.refunded),
                            Staff.amount($0.open),
                        ]
                    }, right: [3, 4, 5, 6]
                ).forEach { Output.line("  " + $0) }
            }
            if !view.refunds.isEmpty {
                Output.line("還付")
                Table.render(
                    ["番号", "還付金（円）", "還付加算金（円）", "決定日", "支払日"],
                    view.refunds.map {
                        [$0.id, Staff.amount($0.amount), Staff.amount($0.interest), Staff.date($0.decidedOn),
                         $0.paidOn.map { Staff.date($0) } ?? "未払"]
                    }, right: [1, 2]
                ).forEach { Output.line("  " + $0) }
            }
            for m in view.mandates {
                Output.line("口座振替 \(Staff.date(m.from))から\(m.until.map { "\(Staff.date($0))まで" } ?? "")")
            }
            for f in view.debitFailures {
                Output.line(
                    "振替不能 \(Staff.date(f.debitDate)) \(Staff.period(fiscalYear: f.fiscalYear, period: f.period)) \(Staff.yen(f.amount))：結果コード\(f.code) \(f.meaning)")
            }
            for p in view.pendingConvenience {
                Output.line(
                    "コンビニ速報（未確定） \(Staff.period(fiscalYear: p.fiscalYear, period: p.period)) \(Staff.yen(p.amount)) 納付日 \(Staff.date(p.paidOn))"
                )
            }
        }
    }
}
