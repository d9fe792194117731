import ArgumentParser
import KokiApp
import KokiDomain
import KokiEvents

struct IncomeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "income",
        abstract: "所得（income）を年ごとに記録し照会する。照会はすべて記録される（所得照会履歴）。",
        subcommands: [Record.self, Import.self, Show.self, Inquiries.self, Inquire.self, Answers.self, Pension.self]
    )

    struct Record: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record a calendar year's income; a later record of the year (修正申告) replaces it.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: "The calendar year of the income.") var year: Int
        @Option(help: ArgumentHelp("Public pension revenue (公的年金等収入), yen.", valueName: "yen")) var pension: Int64 = 0
        @Option(help: ArgumentHelp("Salary revenue (給与収入), yen.", valueName: "yen")) var salary: Int64 = 0
        @Option(help: ArgumentHelp("Other income: business, real estate, separate gains, yen.", valueName: "yen"))
        var other: Int64 = 0
        @Option(help: ArgumentHelp("Total income (合計所得金額), yen.", valueName: "yen")) var total: Int64
        @Option(
            help: ArgumentHelp(
                "Taxable income for resident tax (課税所得, 課税標準額), yen: decides the copayment class.",
                valueName: "yen"))
        var taxable: Int64?
        @Flag(help: "No declaration was made (未申告).") var undeclared = false
        @Option(help: "Where the figures come from (連携税マスタ, 申告書, 修正申告).") var source: String

        func request() -> RecordIncome {
            RecordIncome(
                number: number, year: year, pension: pension, salary: salary, other: other, total: total,
                taxable: taxable, undeclared: undeclared, source: source)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            let changes = result
            Output.line("\(request.number) の\(request.year)年の所得を記録しました")
            for change in changes {
                Output.line(
                    "一部負担金の割合 \(change.person) \(Staff.date(change.periodStart))から：\(change.from.label) → \(change.to.label)"
                        + (change.certificate.map {
                            "（資格確認書 \($0) は旧割合のまま：koki card issue \(change.person) --reason changed で再交付）"
                        } ?? ""))
            }
        }
    }

    struct Import: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import the tax system's yearly file of incomes (連携税マスタ): every row or none.",
            discussion: """
                The file is CSV, UTF-8, its header first:
                  person,year,pension_revenue,salary_revenue,other_income,total_income,taxable_income,declared
                person: the address number (宛名番号); year: the calendar year of the income; pension_revenue \
                公的年金等収入 and salary_revenue 給与収入, 0 to 10^12 yen; other_income and total_income \
                総所得金額等, −10^12 to 10^12 yen; taxable_income 課税所得, 0 to 10^12 yen or empty when not \
                known; declared 1, or 0 for 未申告.

                Refused whole, naming the line and column, with exit 65 and nothing recorded: a file that is \
                not UTF-8, a control character, another file's header, a missing header, a line without its \
                eight fields, a bad number or amount, the same person and year twice, a person not in the \
                register, a year koki takes no incomes for. A row with the figures already recorded records \
                nothing (the same file twice records nothing); any other row is recorded, replacing the \
                year's earlier figures (a correction), with an income inquiry in the log (koki income \
                inquiries: who, when, purpose 連携税マスタ取込 FILE).

                Then, as `income record` and `koki assess` would: a copayment year already begun is \
                determined again, and where the fiscal year's annual run is recorded every insured member of \
                the households the new figures touch is reassessed (cause: income corrected by the tax \
                master); a reassessment that cannot be decided (the time limit on raising) is listed for \
                the operator.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The tax system's file.") var file: String
        @Option(help: ArgumentHelp("The day the file was received (default: today in Japan).", valueName: "date"))
        var on: CivilDate?

        func request() -> ImportIncomes { ImportIncomes(file: file, on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                "\(request.file)：\(Staff.count(result.rows))行、記録 \(Staff.count(result.recorded))件、更正 \(Staff.count(result.corrected))件、変更なし \(Staff.count(result.unchanged))件"
            )
            for change in result.copayChanges {
                Output.line("一部負担金の割合 \(change.person) \(Staff.date(change.periodStart))から：\(change.from.label) → \(change.to.label)")
            }
            for r in result.reassessed {
                Output.line("更正 \(r.person) \(StaffText.fiscalYear(r.fiscalYear))：\(Staff.yen(r.from)) → \(Staff.yen(r.to))")
            }
            for r in result.notReassessed {
                Output.line("未更正 \(r.person) \(StaffText.fiscalYear(r.fiscalYear))：\(r.reason)（koki assess --person で更正）")
            }
        }
    }

    struct Show: JSONReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a year's income, recording who asked, when, for whom and why.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: "The calendar year.") var year: Int
        @Option(help: "Why it is looked up (賦課計算, 軽減判定, 窓口照会).") var purpose: String
        @Flag(help: "Print JSON instead of text.") var json = false

        func request() -> ShowIncome { ShowIncome(number: number, year: year, purpose: purpose) }

        static func jsonLines(_ request: ShowIncome, _ income: IncomeRecorded?) throws -> [String] {
            guard let income else { return [nothing(request)] }
            return [try jsonLine(income)]
        }

        static func nothing(_ request: ShowIncome) -> String {
            "\(request.number) の\(request.year)年の所得は記録がありません（照会は記録しました）"
        }

        static func report(_ request: ShowIncome, _ income: IncomeRecorded?) {
            guard let income else { return Output.line(nothing(request)) }
            Output.line(
                "\(request.number) \(request.year)年の所得  \(income.declared ? "申告あり" : "未申告")  出典 \(income.source)"
            )
            Output.line("  公的年金等収入      \(Staff.yen(income.publicPensionRevenue))")
            Output.line("  給与収入            \(Staff.yen(income.salaryRevenue))")
            Output.line("  その他の所得        \(Staff.yen(income.otherIncome))")
            Output.line("  総所得金額等        \(Staff.yen(income.totalIncome))")
            Output.line("  課税所得            \(income.taxableIncome.map { Staff.yen($0) } ?? "記録なし")")
        }
    }

    struct Inquire: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "inquire",
            abstract: "Record an inquiry through the information network (情報照会) for a person's income.",
            discussion: """
                For what the city may not know — a newcomer's income from the former municipality. Only \
                inquiries (情報照会), never provision (情報提供). koki records the person (address number), \
                the item (地方税関係情報), the year, the legal basis, the purpose, the operator and the day, \
                and prints the inquiry's number (Q-PERSON-YYYYMMDD-N), which the answer file names. No My \
                Number or network code (符号) is stored.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: "The calendar year of the income asked for.") var year: Int
        @Option(help: "Why (保険料の賦課, 軽減判定).") var purpose: String
        @Option(help: "The legal basis.") var legalBasis = InsuredRegisterCommands.defaultInquiryBasis
        @Option(help: ArgumentHelp("The day it is sent (default: today in Japan).", valueName: "date"))
        var on: CivilDate?

        func request() -> SendNetworkInquiry {
            SendNetworkInquiry(person: person, year: year, purpose: purpose, legalBasis: legalBasis, on: on)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("照会 \(result.id)：\(result.person) の\(result.year)年 \(result.item)（\(result.legalBasis)）、\(Staff.date(result.sentOn))送信")
        }
    }

    struct Answers: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "answers",
            abstract: "Import the information network's answers to the city's inquiries, as incomes.",
            discussion: """
                CSV, UTF-8, the header first:
                  inquiry,year,pension_revenue,salary_revenue,other_income,total_income,taxable_income,declared
                inquiry: the number koki gave the inquiry; the figures as in koki income import. Each row is \
                recorded as the inquiry's person's income, its source 情報照会 NUMBER. All rows or none: \
                refused (exit 65, nothing recorded, naming the line) for what the tax file refuses, an \
                inquiry koki never sent, an answer for another year than asked, an inquiry answered before \
                with other figures. The same file twice records nothing.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The answer file.") var file: String
        @Option(help: ArgumentHelp("The day the answers came (default: today in Japan).", valueName: "date"))
        var on: CivilDate?

        func request() -> ImportNetworkAnswers { ImportNetworkAnswers(file: file, on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.file)：回答 \(Staff.count(result.rows))件、記録 \(Staff.count(result.recorded))件、記録済み \(Staff.count(result.unchanged))件")
        }
    }

    struct Pension: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "pension",
            abstract: "Record a fiscal year's pension facts, which decide pension deduction (特別徴収).",
            discussion: """
                Deduction from the pension applies when that pension is at least 180,000 yen a year, the \
                long-term-care premium is deducted from it, and both premiums together are at most half of it. \
                The provisional months (April, June, August) repeat last February's deduction.
                """)

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: ArgumentHelp("The pension the care premium is deducted from, per year.", valueName: "yen"))
        var annualPension: Int64
        @Option(help: ArgumentHelp("The long-term-care premium (介護保険料), per year.", valueName: "yen"))
        var carePremium: Int64
        @Flag(help: "The care premium is not deducted from the pension.") var careNotDeducted = false
        @Option(help: ArgumentHelp("Last fiscal year's February deduction.", valueName: "yen")) var previousFebruary:
            Int64?

        func request() throws -> RecordPension {
            RecordPension(
                number: number, fiscalYear: try FiscalYear(fiscalYear), annualPension: annualPension, carePremium: carePremium,
                careNotDeducted: careNotDeducted, previousFebruary: previousFebruary)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.number) の\(request.fiscalYear)年度の年金情報を記録しました")
        }
    }

    struct Inquiries: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "inquiries",
            abstract: "List who looked up a person's income, when, for which year and why (所得照会履歴).",
            discussion: """
                Every look-up (koki income show), every import that recorded a year (purpose \
                連携税マスタ取込 FILE), every inquiry through the information network (koki income inquire) \
                and every answer to one (koki income answers), in the order recorded.
                """)

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID

        func request() -> ListIncomeInquiries { ListIncomeInquiries(number: number) }

        static func report(_ request: Request, _ result: Request.Result) {
            Table.render(
                ["記録日時", "利用者", "年", "種類", "目的", "内容"],
                result.map {
                    [Staff.moment($0.recordedAt), $0.operatorID, "\($0.year)年", Labels.current.terms["incomeInquiry." + $0.kind] ?? $0.kind, $0.purpose, $0.detail]
                }
            ).forEach(Output.line)
        }
    }
}
