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

extension LedgerOptions {
    func collection() throws -> (CollectionCommands, CommandMetadata) {
        let access = try authorized(.collectionWrite)
        return (CollectionCommands(access.ledger), access.metadata())
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

    struct View: Encodable {
        var person: String
        var periods: [Period]
        var payments: [Payment]
        var overpayments: [Overpayment]
        var refunds: [Refund]
        var mandates: [Mandate]
        var debitFailures: [Failure]
        var pendingConvenience: [Pending]
        var totals: Totals

        struct Period: Encodable {
            var fiscalYear: Int
            var period: Int
            var dueDate: String
            var assessed: Int64
            var paid: Int64
            var outstanding: Int64
            var overpaid: Int64
            var reduced: Int64
            var writtenOff: Int64
            var lateFee: Int64
            var lateFeeOwed: Int64
        }
        struct Payment: Encodable {
            var id: String
            var paidOn: String
            var learnedOn: String
            var channel: String
            var amount: Int64
            var parts: [String]
            var overpaid: Int64
            var cancelled: String?
        }
        struct Overpayment: Encodable {
            var id: String
            var cause: String
            var arose: String
            var amount: Int64
            var appropriated: Int64
            var refunded: Int64
            var open: Int64
        }
        struct Refund: Encodable {
            var id: String
            var overpayment: String
            var amount: Int64
            var interest: Int64
            var decidedOn: String
            var paidOn: String?
        }
        struct Mandate: Encodable {
            var from: String
            var until: String?
        }
        struct Failure: Encodable {
            var debitDate: String
            var fiscalYear: Int
            var period: Int
            var amount: Int64
            var code: Int
            var meaning: String
        }
        struct Pending: Encodable {
            var fiscalYear: Int
            var period: Int
            var amount: Int64
            var paidOn: String
            var store: String
        }
        struct Totals: Encodable {
            var assessed: Int64
            var paid: Int64
            var outstanding: Int64
            var overpaid: Int64
        }
    }

    func run() throws {
        try reporting {
            let access = try options.authorized(.collectionRead, .query)
            let commands = CollectionCommands(access.ledger)
            let state = try commands.load(person, knownAt: try knownAt.value(), asOf: asOf)
            guard state.exists else { throw KokiError(.invalidInput, "no person \(person) in the ledger") }
            try access.recordRead([person])
            let account = state.account
            let fy = try fiscalYear.map { try FiscalYear($0) }
            func keep(_ key: PeriodKey) -> Bool { fy == nil || key.fiscalYear == fy }
            let periods = account.periods.sorted { $0.key < $1.key }.filter { keep($0.key) }.map { key, p in
                View.Period(
                    fiscalYear: key.fiscalYear.year, period: key.period.number, dueDate: p.dueDate.description,
                    assessed: p.assessed.amount, paid: p.credited.amount, outstanding: p.outstanding.amount,
                    overpaid: p.overpaid.amount, reduced: p.reduced.amount, writtenOff: p.writtenOff.amount,
                    lateFee: p.lateFee.amount, lateFeeOwed: p.lateFeeOutstanding.amount)
            }
            let view = View(
                person: person.value, periods: periods,
                payments: account.payments.filter { p in
                    fy == nil || p.event.parts.contains { keep($0.key) } || p.event.parts.isEmpty
                }.map { p in
                    View.Payment(
                        id: p.event.id, paidOn: p.event.paidOn.description, learnedOn: p.event.learnedOn.description,
                        channel: p.event.channel.rawValue, amount: p.event.amount.amount,
                        parts: p.event.parts.map {
                            "\($0.key)=\($0.amount.amount)" + ($0.carriedForward ? "(FY\($0.accountingYear.year))" : "")
                        },
                        overpaid: p.event.overpaid.amount,
                        cancelled: p.cancelled.map { "\($0.cancelledOn) \($0.reason)" })
                },
                overpayments: account.overpayments.map { o in
                    View.Overpayment(
                        id: o.id, cause: o.cause.rawValue, arose: o.arose.description, amount: o.amount.amount,
                        appropriated: o.appropriated.amount, refunded: o.refunded.amount, open: o.open.amount)
                },
                refunds: account.refunds.map { r in
                    View.Refund(
                        id: r.decision.id, overpayment: r.decision.overpayment, amount: r.decision.amount.amount,
                        interest: r.decision.interest.amount, decidedOn: r.decision.decidedOn.description,
                        paidOn: r.paid?.paidOn.description)
                },
                mandates: account.mandates.map {
                    View.Mandate(from: $0.startsOn.description, until: $0.stopsOn?.description)
                },
                debitFailures: account.debitFailures.filter { keep($0.key) }.map { f in
                    View.Failure(
                        debitDate: f.debitDate.description, fiscalYear: f.key.fiscalYear.year,
                        period: f.key.period.number,
                        amount: f.amount.amount, code: f.resultCode,
                        meaning: ZenginDebitFile.resultCodes[f.resultCode] ?? "?")
                },
                pendingConvenience: account.pendingReports.filter { keep($0.key) }.map { r in
                    View.Pending(
                        fiscalYear: r.key.fiscalYear.year, period: r.key.period.number, amount: r.amount.amount,
                        paidOn: r.paidOn.description, store: r.store)
                },
                totals: View.Totals(
                    assessed: periods.map(\.assessed).reduce(0, +), paid: periods.map(\.paid).reduce(0, +),
                    outstanding: periods.map(\.outstanding).reduce(0, +), overpaid: periods.map(\.overpaid).reduce(0, +)
                ))
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
