import ArgumentParser
import KokiApp
import KokiDomain

struct UnionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "union",
        abstract: "広域連合（union）の賦課・資格の決定と、koki の計算との突き合わせ。",
        subcommands: [Import.self, Differences.self, Adopt.self]
    )

    static func render(_ rows: [UnionReconciliation.Difference]) {
        // A figure as staff read it: an amount grouped, a date in the office's style.
        func value(_ text: String) -> String {
            if let date = try? CivilDate(iso: text) { return Staff.date(date) }
            if let amount = Int64(text) { return Staff.amount(amount) }
            return text
        }
        Table.render(
            ["被保険者番号", "年度", "項目", "広域連合", "koki", "koki の算定の基礎"],
            rows.map {
                [
                    "\($0.person)", Staff.fiscalYear($0.fiscalYear.year), Staff.unionField($0.field), value($0.union),
                    value($0.koki), $0.inputs,
                ]
            }
        ).forEach(Output.line)
    }

    struct Import: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import the union's decisions and report every difference from koki's figures.",
            discussion: """
                CSV, UTF-8, the header first:
                  person,fiscal_year,annual_premium,income_base,reduction,periods,insured_from,insured_until
                person: the address number; annual_premium 年額保険料 (0 to 10^11 yen); income_base: the income \
                the union's 所得割 is computed on (総所得金額等 − 基礎控除), or empty; reduction: 均等割軽減 0, 2, \
                5 or 7 (割); periods: each period's amount in order, separated by ';', adding up to the annual \
                premium, or empty; insured_from 資格取得日 and insured_until 資格喪失日 (empty while insured).

                Each row is recorded as the union's decision (a row equal to the union's last for the person \
                and year records nothing: the same file twice records nothing). koki keeps its own figures \
                and prints every difference: the field (annualPremium, periods, incomeBase, reduction, \
                insuredFrom, insuredUntil, assessment), the union's value, koki's, and koki's inputs that \
                explain it — an income the union has and the city does not, the household's judgment \
                income. The city decides which side is right: koki union adopt takes the union's figure.

                Refused whole (exit 65, nothing recorded, naming the line and column): a file that is not \
                UTF-8, a control character, another file's header (the city's own tax file among them), a \
                missing header, a line without its eight fields, a bad number, amount, date or reduction, \
                periods that do not add up, the same person and year twice, a person not in the register, \
                a fiscal year before 2008 or after next year.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The union's file.") var file: String
        @Option(help: ArgumentHelp("The day it was received (default: today in Japan).", valueName: "date"))
        var on: CivilDate?

        func request() -> ImportUnionDecisions { ImportUnionDecisions(file: file, on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                "\(request.file)：広域連合の決定 \(Staff.count(result.rows))件（記録 \(Staff.count(result.recorded))件、記録済み \(Staff.count(result.unchanged))件）、koki との差 \(Staff.count(result.differences.count))件"
            )
            if !result.differences.isEmpty { UnionCommand.render(result.differences) }
        }
    }

    struct Differences: JSONReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "differences",
            abstract: "Every difference between the union's latest decisions and koki's figures as they stand.",
            discussion: """
                One row per person, fiscal year and field, as `koki union import` prints them; --json prints JSON \
                lines. koki's figures come from the stored register and premiums, a slice of persons at a time \
                (caught up to the head first), not from folding each person's stream: at ten years of a city of \
                70,000 insured, one fiscal year takes about 10 seconds.
                """)

        @OptionGroup var options: LedgerOptions
        @Option(help: "Only this fiscal year.") var fiscalYear: Int?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func request() throws -> ShowUnionDifferences {
            ShowUnionDifferences(fiscalYear: try fiscalYear.map { try FiscalYear($0) })
        }

        static func jsonLines(_ request: Request, _ result: Request.Result) throws -> [String] {
            try result.map { try jsonLine($0) }
        }

        static func report(_ request: Request, _ result: Request.Result) {
            if result.isEmpty { return Output.line("広域連合の決定と koki の間に差はありません") }
            UnionCommand.render(result)
        }
    }

    struct Adopt: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "adopt",
            abstract: "Adopt the union's figure for a person and year: the city decided it is right.",
            discussion: """
                A reassessment (更正) to the union's annual premium on --on, rescheduled as any reassessment \
                (periods already due keep their amounts; a decrease is refunded or appropriated; the time \
                limit on raising applies), its cause naming the union's file and line and koki's own figure. \
                The adopted figure stands — koki assess leaves it — until an input of the premium (an income, \
                the household, eligibility) is recorded after it. Its notice states the figure as the \
                union's decision. Refused (exit 65): no decision of the union for the year, no assessment of \
                koki's to reassess, figures that already agree.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: ArgumentHelp("The decision date (default: today in Japan).", valueName: "date"))
        var on: CivilDate?

        func request() throws -> AdoptUnionFigure {
            AdoptUnionFigure(person: person, fiscalYear: try FiscalYear(fiscalYear), on: on)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                "\(result.person) \(Staff.fiscalYear(result.fiscalYear.year))：広域連合の年額 \(Staff.yen(result.to)) を採用しました（これまで \(Staff.yen(result.from))）"
            )
            for i in result.installments {
                Output.line("  \(i.period.number)期 \(Staff.date(i.dueDate)) \(Staff.yen(i.amount))")
            }
        }
    }
}
