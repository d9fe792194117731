import ArgumentParser
import KokiApp
import KokiDomain
import KokiProjections
import LedgerStore

struct InsuredCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insured",
        abstract: "Who is insured on a date, who turns 75 in a month, who is under an address exception.",
        subcommands: [List.self, Turning75.self, AddressExceptions.self]
    )

    struct Row: Encodable {
        var number: String
        var name: String?
        var from: String?
        var detail: String?
    }

    static func print(_ rows: [Row], json: Bool, detail: String) throws {
        if json {
            try rows.forEach { Output.line(try jsonLine($0)) }
        } else {
            Table.render(
                ["NUMBER", "NAME", "FROM", detail],
                rows.map { [$0.number, $0.name ?? "(erased)", $0.from ?? "", $0.detail ?? ""] }
            ).forEach(Output.line)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Everyone insured on a date, as effective on that date.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Option(
            name: .customLong("known-at"),
            help: ArgumentHelp("Answer as the ledger knew it when this position was its head.", valueName: "position"))
        var knownAt: Int64?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func run() throws {
            try reporting {
                let date = on ?? todayInJapan()
                let (register, access) = try options.readRegister()
                let insured = try register.snapshot(through: knownAt).insured(on: date)
                try access.recordRead(insured.map(\.id))
                let rows = try insured.map { person in
                    let period = person.eligibilityPeriods.first { $0.contains(date) }
                    return Row(
                        number: person.id.value, name: try register.identity(of: person)?.nameKanji,
                        from: period?.from.description, detail: period?.acquisition.rawValue)
                }
                try InsuredCommand.print(rows, json: json, detail: "REASON")
            }
        }
    }

    struct Turning75: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "turning-75", abstract: "Registered persons whose 75th birthday falls in a month.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The month, YYYY-MM.", valueName: "month")) var month: String
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func validate() throws {
            guard (try? CivilDate(iso: month + "-01")) != nil else {
                throw ValidationError("--month '\(month)' is not a month of the form YYYY-MM")
            }
        }

        func run() throws {
            try reporting {
                let first = try CivilDate(iso: month + "-01")
                let (register, access) = try options.readRegister()
                var rows: [Row] = []
                for person in try register.snapshot().persons.values.sorted(by: { $0.id < $1.id }) {
                    guard let identity = try register.identity(of: person) else { continue }
                    let birthday = identity.birthDate.reaching(age: EligibilityRules.generalAge)
                    guard birthday.year == first.year, birthday.month == first.month else { continue }
                    rows.append(
                        Row(
                            number: person.id.value, name: identity.nameKanji, from: birthday.description,
                            detail: person.isInsured(on: birthday) ? "insured" : "not yet insured"))
                }
                try access.recordRead(rows.map { try PersonID($0.number) })
                try InsuredCommand.print(rows, json: json, detail: "STATUS")
            }
        }
    }

    struct AddressExceptions: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "address-exception", abstract: "Persons under an address exception (住所地特例) on a date.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The date (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func run() throws {
            try reporting {
                let date = on ?? todayInJapan()
                let (register, access) = try options.readRegister()
                let persons = try register.snapshot().addressExceptionPersons(on: date)
                try access.recordRead(persons.map(\.id))
                let rows = try persons.map { person in
                    let exception = person.addressException(on: date)
                    return Row(
                        number: person.id.value, name: try register.identity(of: person)?.nameKanji,
                        from: exception?.from.description, detail: exception?.facility)
                }
                try InsuredCommand.print(rows, json: json, detail: "FACILITY")
            }
        }
    }
}
