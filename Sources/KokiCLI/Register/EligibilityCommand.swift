import ArgumentParser
import KokiApp
import KokiDomain

struct EligibilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eligibility",
        abstract: "資格（eligibility）：取得、喪失、毎日の75歳到達処理、住所地特例。",
        subcommands: [Acquire.self, Lose.self, Daily.self, AddressException.self, FormerDependant.self]
    )

    struct Acquire: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "acquire",
            abstract: "Record that a person became insured.",
            discussion: """
                Reasons: reached-75 (from the 75th birthday itself), disability (65–74, from the certification \
                date), moved-in (from the move-in date), welfare-ended (from the day assistance ended). Refused, \
                with nothing recorded, when the age does not fit the reason or the period would overlap another.
                """
        )

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: "reached-75, disability, moved-in or welfare-ended.") var reason: AcquisitionArgument
        @Option(help: ArgumentHelp("The date of the fact (birthday, certification, move-in).", valueName: "date"))
        var date: CivilDate

        func request() -> AcquireEligibility { AcquireEligibility(number: number, reason: reason.reason, date: date) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.number) は \(Staff.date(result))から被保険者です")
        }
    }

    struct Lose: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "lose",
            abstract: "Record that a person stopped being insured.",
            discussion: """
                The loss date follows the law: died → the day after; moved-out → the day after, or the same day \
                with --address-elsewhere-same-day (the ordinary move to another prefecture); welfare → that day; \
                disability-ended → the day after; disability-withdrawn → that day, never before today.
                """
        )

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: "died, moved-out, welfare, disability-ended or disability-withdrawn.") var reason: LossArgument
        @Option(help: ArgumentHelp("The date of the fact (death, move).", valueName: "date")) var date: CivilDate
        @Flag(help: "With moved-out: an address in another prefecture was taken the same day.")
        var addressElsewhereSameDay = false
        @Option(
            help: ArgumentHelp(
                "Today, for the no-retroactive-withdrawal rule (default: today in Japan).", valueName: "date"))
        var today: CivilDate?

        func request() -> LoseEligibility {
            LoseEligibility(
                number: number, reason: reason.reason, date: date, addressElsewhereSameDay: addressElsewhereSameDay,
                today: today)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.number) は \(Staff.date(result.from))に資格を喪失しました")
            if let household = result.headlessHousehold {
                Output.line(
                    "世帯 \(household) は \(Staff.date(request.date.adding(days: 1)))から世帯主がいません。次の世帯主を記録してください: "
                        + "`koki household set --number N --household \(household) --role householder --from DATE`")
            }
        }
    }

    struct Daily: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "daily",
            abstract: "Qualify everyone whose 75th birthday falls in a range and who was never insured.",
            discussion: "Run daily; running it again over the same days records nothing new."
        )

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Last birthday to include (default: today in Japan).", valueName: "date"))
        var through: CivilDate?
        @Option(help: ArgumentHelp("First birthday to include (default: --through).", valueName: "date"))
        var from: CivilDate?

        func request() -> QualifyReaching75 { QualifyReaching75(through: through, from: from) }

        static func report(_ request: Request, _ result: Request.Result) {
            for person in result.persons { Output.line("資格取得 \(person)") }
            Output.line(
                "75歳到達 \(Staff.date(result.from))〜\(Staff.date(result.through))：\(Staff.count(result.persons.count))人が資格を取得")
        }
    }

    struct AddressException: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "address-exception",
            abstract: "Start or end an address exception (住所地特例): in a facility elsewhere, insured here.",
            subcommands: [Start.self, End.self]
        )

        struct Start: TypedCommand {
            static let configuration = CommandConfiguration(commandName: "start")
            @OptionGroup var options: LedgerOptions
            @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
            @Option(help: "The hospital or facility.") var facility: String
            @Option(help: ArgumentHelp("From.", valueName: "date")) var from: CivilDate

            func request() -> StartAddressException {
                StartAddressException(number: number, facility: facility, from: from)
            }

            static func report(_ request: Request, _ result: Request.Result) {
                Output.line("\(request.number) の住所地特例を \(Staff.date(request.from))から記録しました")
            }
        }

        struct End: TypedCommand {
            static let configuration = CommandConfiguration(commandName: "end")
            @OptionGroup var options: LedgerOptions
            @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
            @Option(help: ArgumentHelp("No longer applies from.", valueName: "date")) var from: CivilDate

            func request() -> EndAddressException { EndAddressException(number: number, from: from) }

            static func report(_ request: Request, _ result: Request.Result) {
                Output.line("\(request.number) の住所地特例は \(Staff.date(request.from))で終了します")
            }
        }
    }

    struct FormerDependant: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "former-dependant",
            abstract: "Record that the person was a dependant of employee insurance until joining (旧被扶養者).")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: "The employee insurer (協会けんぽ, a 健保組合, a 共済組合, 船員保険).") var insurer: String
        @Option(help: ArgumentHelp("The last day as a dependant.", valueName: "date")) var until: CivilDate

        func request() -> RecordFormerDependant {
            RecordFormerDependant(number: number, insurer: insurer, until: until)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.number) は \(Staff.date(request.until))まで \(request.insurer) の被扶養者でした")
        }
    }
}
