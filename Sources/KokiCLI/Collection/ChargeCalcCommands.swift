import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

extension RefundInterest.Cause: ExpressibleByArgument {}

/// A payment on the command line: `DATE:AMOUNT` (the amount checked when the command runs, so an
/// amount out of range is refused like any other: exit 65, naming the range).
struct PaymentArgument: ExpressibleByArgument {
    var paidOn: CivilDate
    var raw: Int64
    init?(argument: String) {
        let parts = argument.split(separator: ":")
        guard parts.count == 2, let date = try? CivilDate(iso: parts[0]), let amount = Int64(parts[1]) else {
            return nil
        }
        paidOn = date
        raw = amount
    }

    func checked() throws -> LateFee.Payment {
        let amount = try Yen.checked(raw, .amount, field: "--payment \(paidOn):\(raw)")
        guard amount > .zero else { throw KokiError(.invalidInput, "--payment \(paidOn):\(raw): the amount must be above 0") }
        return LateFee.Payment(paidOn: try InputLimits.calculated(paidOn, field: "--payment"), amount: amount)
    }
}

func printBands(_ bands: [ChargeBand]) {
    if bands.isEmpty { Output.line("  no day bears a charge") }
    for band in bands { Output.line("  \(band)") }
}

struct LateFeeCalc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "late-fee",
        abstract: "Compute the late fee (延滞金) on one period and print every figure.",
        discussion: """
            From the day after the due date to the day paid (or --through while unpaid): the reduced rate inside \
            the window, the full rate after, each calendar year at its rates, 365-day basis. Partial payments reduce \
            the base from the next day. Each band's base under 2,000 yen bears nothing and is cut to 1,000 yen; each \
            band is cut to the yen; the sum is cut to 100 yen and dropped under 1,000 yen.
            """)

    @Option(help: "The period's principal in yen.") var principal: Int64
    @Option(help: ArgumentHelp("The (business-day adjusted) due date.", valueName: "date")) var due: CivilDate
    @Option(help: ArgumentHelp("A payment, DATE:AMOUNT; repeat for partial payments.", valueName: "date:yen"))
    var payment: [PaymentArgument] = []
    @Option(help: ArgumentHelp("Count to this day while unpaid (default: today in Japan).", valueName: "date"))
    var through: CivilDate?
    @OptionGroup var rates: ChargeRateOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        try reporting {
            let payments = try payment.map { try $0.checked() }
            let through = try through.map { try InputLimits.calculated($0, field: "--through") }
            let fee = try LateFee.calculate(
                principal: try Yen.checked(principal, .amount, field: "--principal"),
                dueDate: try InputLimits.calculated(due, field: "--due"), payments: payments,
                through: through ?? payments.map(\.paidOn).max() ?? todayInJapan(), rates: try rates.load())
            if json {
                Output.line(try jsonLine(fee))
                return
            }
            Output.line("principal \(principal), due \(due), reduced-rate window to \(fee.windowEnd)")
            printBands(fee.bands)
            Output.line("  sum \(fee.sum.amount) → cut to 100 yen, nothing under 1,000 → \(fee.fee.amount)")
            Output.line(
                "late fee \(fee.fee.amount)円 "
                    + (fee.paidOff
                        ? "(final: paid off on \(fee.through))" : "(accrued to \(fee.through), still unpaid)"))
        }
    }
}

struct RefundInterestCalc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund-interest",
        abstract: "Compute the refund interest (還付加算金) on one refund and print every figure.",
        discussion: """
            overpaid (過納: the assessment was lowered after payment) runs from the day after --arose, the payment \
            day; erroneous (誤納: paid twice or without ground) from the day after one month has passed, counted \
            from the day after --arose. It runs to --end, the refund decision or appropriation day; with --notice-on \
            and --claimed-on the days from the 31st day after the notice to the claim are left out. Rounding as for \
            late fees.
            """)

    @Option(help: "The refund in yen.") var amount: Int64
    @Option(help: "overpaid (過納) or erroneous (誤納).") var cause: RefundInterest.Cause
    @Option(help: ArgumentHelp("The payment day (overpaid) or the day it arose (erroneous).", valueName: "date"))
    var arose: CivilDate
    @Option(help: ArgumentHelp("The refund decision or appropriation day.", valueName: "date")) var end: CivilDate
    @Option(help: ArgumentHelp("The day the refund notice was sent.", valueName: "date")) var noticeOn: CivilDate?
    @Option(help: ArgumentHelp("The day the payer claimed it.", valueName: "date")) var claimedOn: CivilDate?
    @OptionGroup var rates: ChargeRateOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        try reporting {
            func day(_ date: CivilDate, _ option: String) throws -> CivilDate {
                try InputLimits.calculated(date, field: option)
            }
            let r = try RefundInterest.calculate(
                amount: try Yen.checked(amount, .amount, field: "--amount"), cause: cause,
                arose: try day(arose, "--arose"), end: try day(end, "--end"),
                noticeOn: try noticeOn.map { try day($0, "--notice-on") },
                claimedOn: try claimedOn.map { try day($0, "--claimed-on") }, rates: try rates.load())
            if json {
                Output.line(try jsonLine(r))
                return
            }
            Output.line("refund \(amount) (\(cause.rawValue)), interest from \(r.start) to \(r.end)")
            if let excluded = r.excluded {
                Output.line("  excluded \(excluded.lowerBound) … \(excluded.upperBound) (not claimed)")
            }
            printBands(r.bands)
            Output.line("  sum \(r.sum.amount) → cut to 100 yen, nothing under 1,000 → \(r.interest.amount)")
            Output.line("refund interest \(r.interest.amount)円")
        }
    }
}
