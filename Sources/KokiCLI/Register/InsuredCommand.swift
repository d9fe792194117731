import ArgumentParser
import KokiApp
import KokiDomain

struct InsuredCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insured",
        abstract: "ある日の被保険者、ある月に75歳になる方、住所地特例の方の一覧（insured）。",
        subcommands: [List.self, Turning75.self, AddressExceptions.self]
    )

    struct List: InsuredListCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Everyone insured on a date, as effective on that date.")
        static let detail = "reason"
        static func detailText(_ raw: String) -> String { Staff.term(AcquisitionReason.self, raw) }

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Option(
            name: .customLong("known-at"),
            help: ArgumentHelp("Answer as the ledger knew it when this position was its head.", valueName: "position"))
        var knownAt: Int64?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func request() -> ListInsured { ListInsured(on: on, knownAt: knownAt) }
    }

    struct Turning75: InsuredListCommand {
        static let configuration = CommandConfiguration(
            commandName: "turning-75", abstract: "Registered persons whose 75th birthday falls in a month.")
        static let detail = "status"
        static let fromHeading = "birthday75"
        static func detailText(_ raw: String) -> String {
            switch raw {
            case "insured": "資格取得済み"
            case "not yet insured": "資格取得前"
            default: raw
            }
        }

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The month, YYYY-MM.", valueName: "month")) var month: String
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func validate() throws {
            guard (try? CivilDate(iso: month + "-01")) != nil else {
                throw ValidationError("--month '\(month)' is not a month of the form YYYY-MM")
            }
        }

        func request() -> ListTurning75 { ListTurning75(month: month) }
    }

    struct AddressExceptions: InsuredListCommand {
        static let configuration = CommandConfiguration(
            commandName: "address-exception", abstract: "Persons under an address exception (住所地特例) on a date.")
        static let detail = "facility"
        static let fromHeading = "exceptionFrom"
        static func detailText(_ raw: String) -> String { raw }

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func request() -> ListAddressExceptions { ListAddressExceptions(on: on) }
    }
}

/// An `insured` list: a request answering rows, printed as JSON lines or as a table whose last
/// column is `detail`.
protocol InsuredListCommand: JSONReportingCommand where Request.Result == [InsuredRow] {
    /// The last column's heading key, and its cells as staff read them.
    static var detail: String { get }
    static func detailText(_ raw: String) -> String
    /// The date column's heading key.
    static var fromHeading: String { get }
}

extension InsuredListCommand {
    static var fromHeading: String { "from" }

    static func jsonLines(_ request: Request, _ rows: [InsuredRow]) throws -> [String] { try rows.map(jsonLine) }

    /// Each row's line written as it is encoded: a list of the whole city is not held twice.
    static func writeJSON(_ request: Request, _ rows: [InsuredRow]) throws {
        for row in rows { Output.line(try jsonLine(row)) }
    }

    static func report(_ request: Request, _ rows: [InsuredRow]) {
        Table.write(
            Staff.headings("number", "name", fromHeading, detail),
            rows.lazy.map {
                [$0.number, $0.name ?? Staff.word("erased"), Staff.date($0.from), $0.detail.map(detailText) ?? ""]
            })
    }
}
