import ArgumentParser
import KokiApp
import KokiDomain

struct HouseholdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "household",
        abstract: "世帯（household）の構成を適用日ごとに記録し、ある日の世帯を表示する。",
        discussion: "A change recorded late with its true date takes its place in the history by that date.",
        subcommands: [Set.self, Leave.self, Show.self]
    )

    struct Set: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "From a date, the person belongs to a household in a role (join, move, change of head).")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: ArgumentHelp("The household number (世帯番号).", valueName: "number")) var household: HouseholdID
        @Option(help: "householder (世帯主) or member (世帯員).") var role: HouseholdRole
        @Option(help: ArgumentHelp("Effective from.", valueName: "date")) var from: CivilDate

        func request() -> SetHousehold { SetHousehold(number: number, household: household, role: role, from: from) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line(
                "\(request.number) は \(Staff.date(request.from))から世帯 \(request.household) の\(request.role.label)です"
            )
        }
    }

    struct Leave: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "leave", abstract: "From a date, the person belongs to no household.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: ArgumentHelp("Effective from.", valueName: "date")) var from: CivilDate

        func request() -> LeaveHousehold { LeaveHousehold(number: number, from: from) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.number) は \(Staff.date(request.from))から世帯に属しません")
        }
    }

    struct Show: JSONReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "The members of a household on a date, and which of them are insured.",
            discussion: """
                Read from the stored register: everyone ever recorded in the household is found by its number \
                (an index), and only their entries are decoded.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The household number.") var household: HouseholdID
        @Option(help: ArgumentHelp("The date (default: today).", valueName: "date")) var on: CivilDate?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func request() -> ShowHousehold { ShowHousehold(household: household, on: on) }

        static func jsonLines(_ request: ShowHousehold, _ members: [ShowHousehold.Member]) throws -> [String] {
            try members.map(jsonLine)
        }

        static func report(_ request: ShowHousehold, _ members: [ShowHousehold.Member]) {
            Table.render(
                Staff.headings("number", "householdRole", "insured"),
                members.map { [$0.number, Staff.term(HouseholdRole.self, $0.role), $0.insured ? "被保険者" : "－"] }
            )
            .forEach(Output.line)
            if !members.isEmpty, !members.contains(where: { $0.role == HouseholdRole.householder.rawValue }) {
                Output.line(
                    "この日の世帯主がいません（死亡した世帯主は数えません）。次の世帯主を記録してください: "
                        + "`koki household set --number N --household \(request.household) --role householder --from DATE`"
                )
            }
        }
    }
}
