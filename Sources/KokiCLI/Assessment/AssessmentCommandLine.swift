import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

extension LedgerOptions {
    func assessment() throws -> (AssessmentCommands, CommandMetadata) {
        let access = try authorized(.assessmentWrite)
        return (AssessmentCommands(access.ledger), access.metadata())
    }
}

func readJSON<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
    try requireAuthorizedBeforeReading(path)
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
        abstract: "Adopt a fiscal year's premium rate table into the ledger, or show the one in force.",
        subcommands: [Adopt.self, Show.self, Template.self]
    )

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
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

    struct Adopt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adopt Chiba's built-in table for FY2022–2025, or a table file for any year.",
            discussion: "The latest adopted table of a year is in force; every assessment cites its position.")

        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: ArgumentHelp("A rate table as JSON (see `koki calc premium --print-rates`).", valueName: "file"))
        var file: String?

        func run() throws {
            try reporting {
                let (commands, metadata) = try options.assessment()
                let table: RateTable
                if let file {
                    table = try readJSON(RateTable.self, from: file)
                } else if let builtIn = RateTable.chiba(fiscalYear: fiscalYear) {
                    table = builtIn
                } else {
                    throw KokiError(
                        .invalidInput, "no confirmed table for FY\(fiscalYear) is built in: give one with --file")
                }
                guard table.fiscalYear == fiscalYear else {
                    throw KokiError(.invalidInput, "the table is for FY\(table.fiscalYear), not FY\(fiscalYear)")
                }
                try table.validate()
                let result = try commands.adoptRates(table, metadata: metadata)
                Output.line("adopted the FY\(fiscalYear) rate table at position \(result.positions!.lowerBound)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the rate table in force for a year, as JSON.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int

        func run() throws {
            try reporting {
                guard
                    let table = try options.authorized(.assessmentRead, .query).ledger.rateTable(fiscalYear: fiscalYear)
                else {
                    throw KokiError(.invalidInput, "no rate table adopted for FY\(fiscalYear)")
                }
                Output.line(try prettyJSON(table))
            }
        }
    }
}

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Adopt a fiscal year's installment calendar (納期), or show its due dates.",
        subcommands: [Adopt.self, Show.self]
    )

    struct Adopt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adopt the standard calendar (9 installments July–March, month end) or one from a file.",
            discussion: """
                A calendar file is JSON: {"fiscalYear": 2025, "months": [7,8,9,10,11,12,1,2,3], "dueDay": null, \
                "decemberDueDay": 25, "roundingUnit": 100, "remainderPeriod": "first"}. Due dates falling on a weekend, a public holiday, \
                29 December – 3 January or a --closed day move to the next business day.
                """)

        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Option(help: ArgumentHelp("An installment calendar as JSON.", valueName: "file")) var file: String?
        @Option(help: ArgumentHelp("A day the city is closed besides the rules; repeat.", valueName: "date"))
        var closed: [CivilDate] = []

        func run() throws {
            try reporting {
                let (commands, metadata) = try options.assessment()
                let calendar =
                    try file.map { try readJSON(InstallmentCalendar.self, from: $0) }
                    ?? InstallmentCalendar.standard(fiscalYear: fiscalYear)
                guard calendar.fiscalYear == fiscalYear else {
                    throw KokiError(.invalidInput, "the calendar is for FY\(calendar.fiscalYear), not FY\(fiscalYear)")
                }
                try commands.adoptCalendar(calendar, extraClosedDays: closed, metadata: metadata)
                let dates = calendar.dueDates(on: BusinessCalendar(extraClosedDays: Set(closed)))
                Output.line("adopted the FY\(fiscalYear) calendar: \(dates.map(\.description).joined(separator: ", "))")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The due date of every period in force for a year.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "The fiscal year.") var fiscalYear: Int

        func run() throws {
            try reporting {
                guard
                    let adopted = try options.authorized(.assessmentRead, .query).ledger.installmentCalendar(
                        fiscalYear: fiscalYear)
                else {
                    throw KokiError(.invalidInput, "no installment calendar adopted for FY\(fiscalYear)")
                }
                let dates = adopted.calendar.dueDates(
                    on: BusinessCalendar(extraClosedDays: Set(adopted.extraClosedDays)))
                Table.render(
                    ["PERIOD", "DUE"], dates.enumerated().map { ["\($0.offset + 1)", $0.element.description] }
                )
                .forEach(Output.line)
            }
        }
    }
}

struct AssessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Assess premiums (賦課) for a fiscal year: everyone insured in it, or one person.",
        discussion: """
            Uses the rate table and calendar adopted for the year. Each assessment records its inputs and \
            every figure; a person whose figure changed since the last assessment is reassessed (更正), keeping \
            the periods already due. Running it again changes nothing that is still right; every run is recorded.
            """
    )

    @OptionGroup var options: LedgerOptions
    @Option(help: "The fiscal year.") var fiscalYear: Int
    @Option(help: ArgumentHelp("The decision date (default: today in Japan).", valueName: "date")) var decidedOn:
        CivilDate?
    @Option(help: ArgumentHelp("Only this person.", valueName: "number")) var person: PersonID?

    func run() throws {
        try reporting {
            let (commands, metadata) = try options.assessment()
            let fy = try FiscalYear(fiscalYear)
            let date = decidedOn ?? todayInJapan()
            if let person {
                switch try commands.assess(person, fiscalYear: fy, decidedOn: date, metadata: metadata) {
                case .notInsured: Output.line("\(person) was not insured in FY\(fiscalYear): nothing assessed")
                case .unchanged(let e): Output.line("\(person) FY\(fiscalYear): unchanged at \(e.annualPremium)")
                case .assessed(let e): Output.line("\(person) FY\(fiscalYear): assessed \(e.annualPremium)")
                case .reassessed(let e, let previous):
                    Output.line("\(person) FY\(fiscalYear): reassessed \(previous.annualPremium) → \(e.annualPremium)")
                }
                return
            }
            let run = try commands.runAnnual(fiscalYear: fy, decidedOn: date, actor: metadata.actor)
            defer { keepReadModelsUp(commands.ledger) }
            Output.line(
                "FY\(fiscalYear) run on \(date): \(run.considered) persons, \(run.assessedFirstTime) assessed, \(run.reassessed) reassessed, \(run.unchanged) unchanged"
            )
            if !run.conflicts.isEmpty {
                Output.line(
                    "changed by others during the run (run again): \(run.conflicts.map(\.value).joined(separator: ", "))"
                )
            }
        }
    }
}

struct PremiumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "premium",
        abstract: "A person's premium account for a fiscal year.",
        subcommands: [Show.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The annual amount, each period's amount and due date, and the history of assessments.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var number: PersonID
        @Option(help: "The fiscal year.") var fiscalYear: Int
        @Flag(help: "Print JSON instead of text.") var json = false

        struct View: Encodable {
            var number: String
            var fiscalYear: Int
            var annualPremium: Int64
            var collection: String
            var installments: [Period]
            var history: [Decision]

            struct Period: Encodable {
                var period: Int
                var dueDate: String
                var amount: Int64
            }

            struct Decision: Encodable {
                var decidedOn: String
                var reason: String
                var cause: String
                var annualPremium: Int64
                var calculator: String
            }
        }

        func run() throws {
            try reporting {
                let fy = try FiscalYear(fiscalYear)
                let access = try options.authorized(.assessmentRead, .query)
                let (id, history) = try access.ledger.assessments(of: number, fiscalYear: fy)
                try access.recordRead([id])
                guard let current = history.last else {
                    throw KokiError(.invalidInput, "no FY\(fiscalYear) assessment for \(number)")
                }
                let view = View(
                    number: id.value, fiscalYear: fiscalYear, annualPremium: current.annualPremium.amount,
                    collection: current.collection.rawValue,
                    installments: current.installments.map {
                        .init(period: $0.period.number, dueDate: $0.dueDate.description, amount: $0.amount.amount)
                    },
                    history: history.map {
                        .init(
                            decidedOn: $0.decidedOn.description, reason: $0.reason.rawValue, cause: $0.cause,
                            annualPremium: $0.annualPremium.amount, calculator: $0.ruleVersion)
                    })
                if json {
                    Output.line(try jsonLine(view))
                    return
                }
                Output.line(
                    "\(view.number) FY\(fiscalYear): \(current.annualPremium), \(current.collection == .pensionDeduction ? "deducted from the pension (特別徴収)" : "ordinary collection (普通徴収)")"
                )
                Table.render(
                    ["PERIOD", "DUE", "AMOUNT"], view.installments.map { ["\($0.period)", $0.dueDate, "\($0.amount)"] }
                )
                .forEach { Output.line("  " + $0) }
                Output.line("  history")
                for d in view.history {
                    Output.line(
                        "    \(d.decidedOn)  \(d.reason)  \(d.annualPremium)円\(d.cause.isEmpty ? "" : "  (\(d.cause))")"
                    )
                }
            }
        }
    }
}
