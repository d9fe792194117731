import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents

func readJSON<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw KokiError(.invalidInput, "cannot read \(path)")
    }
    return try decodeJSON(type, from: data, source: path)
}

func prettyJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

struct RatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rates",
        abstract: "年度の保険料率表（rates）を台帳に採用する、または適用中のものを表示する。",
        subcommands: [Adopt.self, Show.self, Template.self]
    )

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "template",
            abstract: "Print a table to fill in: the built-in one, or for FY2026 on blanks beside the confirmed caps.")
        @Option(help: "The fiscal year.") var fiscalYear: Int

        func run() throws {
            try reporting {
                Output.line(
                    try prettyJSON(
                        RateTable.chiba(fiscalYear: fiscalYear) ?? RateTable.template(fiscalYear: fiscalYear)))
            }
        }
    }

    struct Adopt: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "adopt",
            abstract: "Adopt Chiba's built-in table for FY2022–2025, or a table file for any year.",
            discussion: "The latest adopted table of a year is in force; every assessment cites its position.")

        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: ArgumentHelp("A rate table as JSON (see `koki calc premium --print-rates`).", valueName: "file"))
        var file: String?

        func request() throws -> AdoptRates { AdoptRates(fiscalYear: try FiscalYear(fiscalYear), file: file) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                "adopted the \(request.fiscalYear) rate table at position \(result.position.map(String.init) ?? "-")")
        }
    }

    struct Show: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print the rate table in force for a year, as JSON.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int

        func request() throws -> ShowRates { ShowRates(fiscalYear: try FiscalYear(fiscalYear)) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line((try? prettyJSON(result)) ?? "")
        }
    }
}

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "年度の納期（calendar）を採用する、またはその納期限を表示する。",
        subcommands: [Adopt.self, Show.self]
    )

    struct Adopt: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "adopt",
            abstract: "Adopt the standard calendar (9 installments July–March, month end) or one from a file.",
            discussion: """
                A calendar file is JSON: {"fiscalYear": 2025, "months": [7,8,9,10,11,12,1,2,3], "dueDay": null, \
                "decemberDueDay": 25, "roundingUnit": 100, "remainderPeriod": "first", \
                "pensionLevelingThreshold": 4000, "pensionNoticeLeadMonths": 2, "debitPrepayment": false}. Due dates falling on a weekend, a public holiday, \
                29 December – 3 January or a --closed day move to the next business day. \
                pensionLevelingThreshold (平準化, default 4000 yen; null for none): when a pension-deduction \
                year's six deductions would differ by more, August's is set to bring the provisional months \
                to half the annual premium. pensionNoticeLeadMonths (1–6, default 2): a change of a pension \
                deduction during the year (a decrease, a stop) reaches the insurer for the months whose pension \
                day falls at least this many months after the end of the month it is told in (a change told in \
                September reaches December); the months before stay as told. debitPrepayment (default false): \
                whether the city offers 全期前納 — a payer who chose it (koki debit prepay) is debited the whole \
                year's ordinary periods on the year's first due date.
                """)

        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: ArgumentHelp("An installment calendar as JSON.", valueName: "file")) var file: String?
        @Option(help: ArgumentHelp("A day the city is closed besides the rules; repeat.", valueName: "date"))
        var closed: [CivilDate] = []

        func request() throws -> AdoptCalendar { AdoptCalendar(fiscalYear: try FiscalYear(fiscalYear), file: file, closed: closed) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                "adopted the \(request.fiscalYear) calendar: \(result.map(\.description).joined(separator: ", "))")
        }
    }

    struct Show: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "The due date of every period in force for a year.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int

        func request() throws -> ShowCalendar { ShowCalendar(fiscalYear: try FiscalYear(fiscalYear)) }

        static func report(_ request: Request, _ result: Request.Result) {
            Table.render(Staff.headings("period", "dueDate"), result.enumerated().map { ["第\($0.offset + 1)期", Staff.date($0.element)] })
                .forEach(Output.line)
        }
    }
}

struct AssessCommand: TypedCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "年度の保険料を賦課する（assess）：その年度の被保険者全員、または一人。",
        discussion: """
            Uses the rate table and calendar adopted for the year. Each assessment records its inputs and \
            every figure; a person whose figure changed since the last assessment is reassessed (更正), keeping \
            the periods already due. Running it again changes nothing that is still right; every run is recorded.

            The time limit on assessing (期間制限, 高確法 第160条の2): from the day two years after the day \
            following the year's first ordinary due date (FY2025: from 2027-08-01), a year is not assessed for \
            the first time nor raised — one person is refused (exit 65, naming the limit), the run lists them \
            and records nothing for them. A decrease in the person's favour is still decided.
            """
    )

    @OptionGroup var options: LedgerOptions
    @Option(help: "The fiscal year.") var fiscalYear: Int
    @Option(help: ArgumentHelp("The decision date (default: today in Japan).", valueName: "date")) var decidedOn:
        CivilDate?
    @Option(help: ArgumentHelp("Only this person.", valueName: "number")) var person: PersonID?

    func request() throws -> AssessPremiums { AssessPremiums(fiscalYear: try FiscalYear(fiscalYear), decidedOn: decidedOn, person: person) }

    static func report(_ request: Request, _ result: Request.Result) {
        let fy = request.fiscalYear.year
        if let person = request.person, let outcome = result.person {
            let premium = outcome.annualPremium.map { Staff.yen($0) } ?? ""
            switch outcome.outcome {
            case "notInsured": Output.line("\(person) は\(Staff.fiscalYear(fy))の被保険者ではありません：賦課なし")
            case "reassessed":
                Output.line(
                    "\(person) \(Staff.fiscalYear(fy))：更正 \(outcome.previous.map { Staff.yen($0) } ?? "") → \(premium)")
            case "unchanged": Output.line("\(person) \(Staff.fiscalYear(fy))：変更なし \(premium)")
            default: Output.line("\(person) \(Staff.fiscalYear(fy))：賦課 \(premium)")
            }
            return
        }
        noteReadModels(result.readModelsNote)
        guard let run = result.run else { return }
        Output.line(
            "\(Staff.fiscalYear(fy))の賦課 \(Staff.date(result.decidedOn))：対象 \(Staff.count(run.considered))人、当初賦課 \(Staff.count(run.assessedFirstTime))人、更正 \(Staff.count(run.reassessed))人、変更なし \(Staff.count(run.unchanged))人"
        )
        if !run.conflicts.isEmpty {
            Output.line(
                "処理中に他の職員が変更した方（再実行してください）：\(run.conflicts.map(\.value).joined(separator: "、"))")
        }
        if !run.pastTimeLimit.isEmpty {
            Output.line(
                "賦課の期間制限（高確法 第160条の2）を過ぎたため賦課・増額しなかった方：\(run.pastTimeLimit.map(\.value).joined(separator: "、"))")
        }
    }
}

struct PremiumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "premium",
        abstract: "ある方の年度の保険料（premium）。",
        subcommands: [Show.self]
    )

    struct Show: JSONReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "The annual amount, each period's amount and due date, and the history of assessments.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var number: PersonID
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Flag(help: "Print JSON instead of text.") var json = false

        func request() throws -> ShowPremium { ShowPremium(number: number, fiscalYear: try FiscalYear(fiscalYear)) }

        static func report(_ request: ShowPremium, _ view: ShowPremium.View) {
            let method = Staff.term(CollectionMethod.self, view.collection)
            Output.line(
                "\(view.number) \(StaffText.fiscalYear(request.fiscalYear))：年額 \(Staff.yen(view.annualPremium))、\(method)")
            Table.render(
                Staff.headings("period", "dueDate", "amount", "collectionMethod"),
                view.installments.map {
                    [
                        "第\($0.period)期", Staff.date($0.dueDate), Staff.amount($0.amount),
                        $0.collection == CollectionMethod.pensionDeduction.rawValue
                            ? "\(CollectionMethod.pensionDeduction.label) \(PensionDeduction.name(month: Int($0.dueDate.dropFirst(5).prefix(2)) ?? 0))"
                            : Staff.term(CollectionMethod.self, $0.collection),
                    ]
                }, right: [2]
            )
            .forEach { Output.line("  " + $0) }
            Output.line("  賦課の履歴")
            for d in view.history {
                Output.line(
                    "    \(Staff.date(d.decidedOn))  \(Staff.term(PremiumAssessed.Reason.self, d.reason))  \(Staff.yen(d.annualPremium))"
                        + (d.cause.isEmpty ? "" : "（\(PensionDeduction.Selection(recorded: d.cause)?.label ?? d.cause)）"))
            }
        }
    }
}
