import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

struct CalcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calc",
        abstract: "Compute figures without touching any ledger: the tool for checking one case.",
        subcommands: [Premium.self, LateFeeCalc.self, RefundInterestCalc.self, CopayCalc.self]
    )

    struct Premium: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "premium",
            abstract: "Compute one person's premium for a fiscal year and print every figure behind it.",
            discussion: """
                Give a single person with options (--pension-revenue, --total-income, dates), or a household \
                as a JSON case file with --case (its format is in the README). Chiba's tables for FY2022–2025 \
                are built in; for other years, or another union's rates, give a table with --rates FILE. \
                --print-rates prints a built-in table as JSON, a template for such a file.
                """
        )

        @Option(help: "The fiscal year (年度), e.g. 2025 for 令和7年度.") var fiscalYear: Int
        @Option(help: ArgumentHelp("A JSON case: the person and their household.", valueName: "file")) var `case`:
            String?
        @Option(help: ArgumentHelp("A JSON rate table to use instead of the built-in one.", valueName: "file"))
        var rates: String?
        @Flag(help: "Print the rate table (built in or from --rates) as JSON, and stop.") var printRates = false

        @Option(help: ArgumentHelp("Public pension revenue of the previous year (公的年金等収入).", valueName: "yen"))
        var pensionRevenue: Int64 = 0
        @Option(help: ArgumentHelp("Other income (business, real estate, separate gains).", valueName: "yen"))
        var otherIncome: Int64 = 0
        @Option(help: ArgumentHelp("Total income (総所得金額等), instead of deriving it from the pension.", valueName: "yen"))
        var totalIncome: Int64?
        @Flag(help: "The income is unknown (未申告): per-capita only, no reduction.") var incomeUnknown = false
        @Flag(help: "Under 65 on 31 December of the income year.") var under65 = false
        @Option(help: ArgumentHelp("Became insured during the year on this date.", valueName: "date")) var acquiredOn:
            CivilDate?
        @Option(help: ArgumentHelp("Lost eligibility during the year from this date.", valueName: "date")) var lostOn:
            CivilDate?
        @Option(help: ArgumentHelp("First insured on (for FY2024's lower cap).", valueName: "date")) var firstInsuredOn:
            CivilDate?
        @Option(help: ArgumentHelp("A former dependant who joined on this date.", valueName: "date"))
        var formerDependantJoinedOn: CivilDate?
        @Flag(help: "Print JSON instead of text.") var json = false

        func validate() throws {
            guard (2008...2100).contains(fiscalYear) else {
                throw ValidationError("--fiscal-year \(fiscalYear) is out of range")
            }
        }

        func run() throws {
            try reporting {
                let table = try loadTable()
                if printRates {
                    Output.line(try prettyJSON(table))
                    return
                }
                let input = try loadCase()
                let breakdown = try PremiumCalculator.calculate(input, rates: table)
                if json {
                    Output.line(try jsonLine(breakdown))
                } else {
                    print(breakdown)
                }
            }
        }

        func loadTable() throws -> RateTable {
            if let rates {
                let table = try readJSON(RateTable.self, from: rates)
                guard table.fiscalYear == fiscalYear else {
                    throw KokiError(
                        .invalidInput, "\(rates): the table is for FY\(table.fiscalYear), not FY\(fiscalYear)")
                }
                return table
            }
            guard let table = RateTable.chiba(fiscalYear: fiscalYear) else {
                throw KokiError(
                    .invalidInput,
                    "no confirmed rate table for FY\(fiscalYear) is built in: give one with --rates FILE (--fiscal-year 2025 --print-rates shows the format)"
                )
            }
            return table
        }

        func loadCase() throws -> PremiumCase {
            if let file = `case` {
                let input = try readJSON(PremiumCase.self, from: file)
                guard input.fiscalYear == fiscalYear else {
                    throw KokiError(
                        .invalidInput, "\(file): the case is for FY\(input.fiscalYear), not FY\(fiscalYear)")
                }
                return input
            }
            // Amounts are checked here, when the command runs, so any figure out of range is the
            // same refusal (exit 65, the range named) as in every other command.
            let pension = try Yen.checked(pensionRevenue, .revenue, field: "--pension-revenue")
            let other = try Yen.checked(otherIncome, .revenue, field: "--other-income")
            let total = try totalIncome.map { try Yen.checked($0, .revenue, field: "--total-income") }
            func day(_ date: CivilDate?, _ option: String) throws -> CivilDate? {
                try date.map { try InputLimits.calculated($0, field: option) }
            }
            _ = try day(acquiredOn, "--acquired-on")
            _ = try day(lostOn, "--lost-on")
            _ = try day(formerDependantJoinedOn, "--former-dependant-joined-on")
            _ = try day(firstInsuredOn, "--first-insured-on")
            let income: PremiumCase.Income? =
                incomeUnknown
                ? nil
                : total.map { PremiumCase.Income(totalIncome: $0, publicPensionRevenue: pension) }
                    ?? .pension(revenue: pension, otherIncome: other)
            return PremiumCase(
                fiscalYear: fiscalYear,
                person: .init(householder: true, insured: true, aged65OrOver: !under65, income: income),
                acquiredOn: acquiredOn, lostOn: lostOn, firstInsuredOn: firstInsuredOn,
                formerDependantJoinedOn: formerDependantJoinedOn)
        }

        func print(_ b: PremiumBreakdown) {
            func yen(_ v: Yen?) -> String { v.map { "\($0.amount)円" } ?? "unknown" }
            var lines: [(String, String)] = [
                ("fiscal year", "FY\(b.fiscalYear)  (\(b.calculator); rates: \(b.rateTableSource))"),
                ("months charged", "\(b.months)\(b.firstMonth.map { " from \($0)" } ?? "")"),
                ("income base (旧ただし書き所得)", yen(b.incomeBase)),
                ("judgment income (軽減判定所得)", yen(b.judgment.judgmentIncome)),
                ("earners / insured", "\(b.judgment.earners) / \(b.judgment.insuredCount)"),
                (
                    "7割 / 5割 / 2割 at most",
                    "\(yen(b.judgment.sevenTenthsAtMost)) / \(yen(b.judgment.fiveTenthsAtMost)) / \(yen(b.judgment.twoTenthsAtMost))"
                ),
                ("reduction", b.judgment.reduction.description + (b.judgment.note.map { "  (\($0))" } ?? "")),
            ]
            if let fd = b.formerDependant {
                lines.append(
                    (
                        "former dependant",
                        "joined \(fd.joinedOn), reduced until \(fd.reducedUntil): \(fd.monthsReduced) months here"
                    ))
            }
            for c in b.components {
                lines += [
                    (
                        "[\(c.name)] per-capita",
                        "\(yen(c.perCapita)) → \(yen(c.perCapitaAfterReduction))\(c.formerDependantPerCapita.map { " (former dependant: \(yen($0)))" } ?? "")"
                    ),
                    ("[\(c.name)] income part", "\(yen(c.incomePart)) at \(c.incomeRate)"),
                    (
                        "[\(c.name)] annual",
                        "\(yen(c.annual))\(c.capped ? " (capped at \(yen(c.cap)))" : " (cap \(yen(c.cap)))")"
                    ),
                    ("[\(c.name)] for the months", yen(c.charged)),
                ]
            }
            lines += [
                ("total before rounding", yen(b.totalBeforeRounding)),
                ("premium", "\(yen(b.premium))  (truncated to \(b.roundingUnit) yen)"),
            ]
            let width = lines.map { Table.width($0.0) }.max() ?? 0
            for (label, value) in lines {
                Output.line(label + String(repeating: " ", count: width - Table.width(label)) + "  " + value)
            }
        }
    }
}
