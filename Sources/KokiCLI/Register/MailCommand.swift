import ArgumentParser
import KokiApp
import KokiDomain

extension MailRecipient.Role: ExpressibleByArgument {}

struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "郵便の受取人（mail）：送付先、代理人、相続人代表者。",
        discussion: """
            Every notice goes to the recipient in force: an agent (成年後見人 and the like) before a mailing \
            address, the person's own address otherwise. After a recorded death nothing is addressed to the \
            dead: documents go to the heirs' representative (相続人代表者) as 「故 ○○ 様 相続人代表者 ○○ 様」, \
            or are held for the counter (送付先未確定). The recipient is sealed with the person's key like their \
            identity. Recorded at a counter through an application (`koki application receive --kind mailing \
            … -- mail set …`): the security settings' second check covers `mail set` and `mail end`.
            """,
        subcommands: [Set.self, End.self]
    )

    struct Set: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "From a date, the person's mail goes to a recipient in a role.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: "mailing-address (送付先), agent (代理人) or heir-representative (相続人代表者).")
        var role: MailRecipient.Role
        @Option(help: "The recipient's name (for a mailing address: 方書, may be left out).") var name = ""
        @Option(help: ArgumentHelp("Postal code (郵便番号, 123-4567).", valueName: "code")) var postalCode: String?
        @Option(help: "The address mail goes to.") var address: String
        @Option(help: ArgumentHelp("Effective from.", valueName: "date")) var from: CivilDate

        func request() -> SetMailRecipient {
            SetMailRecipient(
                number: number, role: role, recipientName: name, postalCode: postalCode, address: address, from: from)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.number) への送付は \(Staff.date(request.from))から\(request.role.label)へ")
        }
    }

    struct End: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "end", abstract: "From a date, a recipient's role ends.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's address number.", valueName: "number")) var number: PersonID
        @Option(help: "mailing-address, agent or heir-representative.") var role: MailRecipient.Role
        @Option(help: ArgumentHelp("Effective from.", valueName: "date")) var from: CivilDate

        func request() -> EndMailRecipient { EndMailRecipient(number: number, role: role, from: from) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("\(request.number) の\(request.role.label)は \(Staff.date(request.from))で終了")
        }
    }
}
