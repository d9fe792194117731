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
        default: return nil
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
        abstract: "Record money received for a person (収納), or cancel a payment recorded in error (取消).",
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
                "payment \(payment.id): \(payment.amount) from \(request.person) on \(payment.paidOn)"
                    + payment.parts.map { p in
                        "\n  FY\(p.key.fiscalYear.year)/\(p.key.period.number)  \(p.amount.amount)"
                            + (p.carriedForward ? "  (carried forward to FY\(p.accountingYear.year))" : "")
                    }.joined()
                    + (payment.overpaid > .zero ? "\n  overpaid \(payment.overpaid.amount) (to settle)" : ""))
        }
    }

    struct Cancel: TypedCommand {
        static let configuration = CommandConfiguration(
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
            Output.line("cancelled payment \(event.payment) of \(request.person) on \(event.cancelledOn)")
        }
    }
}

struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "A person's collection account: each period's assessed, paid, outstanding and overpaid amounts.",
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
                "\(person)  assessed \(view.totals.assessed)  paid \(view.totals.paid)  outstanding \(view.totals.outstanding)"
            )
            Table.render(
                [
                    "FY", "PERIOD", "DUE", "ASSESSED", "PAID", "OUTSTANDING", "OVERPAID", "REDUCED", "WRITTEN OFF",
                    "LATE FEE",
                ],
                view.periods.map {
                    [
                        "\($0.fiscalYear)", "\($0.period)", $0.dueDate, "\($0.assessed)", "\($0.paid)",
                        "\($0.outstanding)", "\($0.overpaid)", "\($0.reduced)", "\($0.writtenOff)",
                        $0.lateFee == 0 ? "0" : "\($0.lateFee) (owed \($0.lateFeeOwed))",
                    ]
                }
            ).forEach { Output.line("  " + $0) }
            if !view.payments.isEmpty {
                Output.line("payments")
                Table.render(
                    ["NUMBER", "PAID ON", "CHANNEL", "AMOUNT", "APPLIED", "NOTE"],
                    view.payments.map {
                        [
                            $0.id.isEmpty ? "-" : $0.id, $0.paidOn, $0.channel, "\($0.amount)",
                            $0.parts.joined(separator: " "),
                            ($0.overpaid > 0 ? "overpaid \($0.overpaid)" : "")
                                + ($0.cancelled.map { " CANCELLED \($0)" } ?? ""),
                        ]
                    }
                ).forEach { Output.line("  " + $0) }
            }
            if !view.overpayments.isEmpty {
                Output.line("overpayments (過誤納金)")
                Table.render(
                    ["NUMBER", "CAUSE", "AROSE", "AMOUNT", "APPROPRIATED", "REFUNDED", "OPEN"],
                    view.overpayments.map {
                        [
                            $0.id, $0.cause, $0.arose, "\($0.amount)", "\($0.appropriated)", "\($0.refunded)",
                            "\($0.open)",
                        ]
                    }
                ).forEach { Output.line("  " + $0) }
            }
            if !view.refunds.isEmpty {
                Output.line("refunds (還付)")
                Table.render(
                    ["NUMBER", "AMOUNT", "INTEREST", "DECIDED", "PAID"],
                    view.refunds.map {
                        [$0.id, "\($0.amount)", "\($0.interest)", $0.decidedOn, $0.paidOn ?? "not yet"]
                    }
                ).forEach { Output.line("  " + $0) }
            }
            for m in view.mandates { Output.line("bank debit from \(m.from)\(m.until.map { " until \($0)" } ?? "")") }
            for f in view.debitFailures {
                Output.line(
                    "debit failed \(f.debitDate) FY\(f.fiscalYear)/\(f.period) \(f.amount): \(f.code) \(f.meaning)")
            }
            for p in view.pendingConvenience {
                Output.line(
                    "convenience store reported (速報, not confirmed) FY\(p.fiscalYear)/\(p.period) \(p.amount) paid \(p.paidOn)"
                )
            }
        }
    }
}
