import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person",
        abstract: "被保険者（person）の登録、訂正、旧番号の紐付け、表示、氏名・カナ検索。",
        subcommands: [Register.self, Correct.self, Show.self, Find.self, Link.self]
    )

    struct IdentityOptions: ParsableArguments {
        @Option(help: "Name in kanji (氏名).") var name: String?
        @Option(help: "Name in kana (カナ氏名).") var kana: String?
        @Option(help: ArgumentHelp("Birth date (生年月日).", valueName: "date")) var birthDate: CivilDate?
        @Option(help: "Sex: male or female.") var sex: PersonIdentity.Sex?
        @Option(help: "Address (住所).") var address: String?
        @Option(help: "Phone number (digits and hyphens).") var phone: String?
        @Option(help: ArgumentHelp("Postal code of the address (郵便番号, 123-4567).", valueName: "code"))
        var postalCode: String?

        /// The fields given (the core checks them: plain text of at most 200 characters, a birth
        /// date from 1868-01-01 to today, seven digits of postal code; exit 65 naming the field
        /// otherwise).
        var fields: IdentityFields {
            IdentityFields(
                name: name, kana: kana, birthDate: birthDate, sex: sex, address: address, phone: phone,
                postalCode: postalCode)
        }
    }

    struct Register: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Register a person under their address number (宛名番号), never My Number.",
            discussion: "The identity is sealed with a key of the person's own before it is recorded."
        )

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The address number (宛名番号).", valueName: "number")) var number: PersonID
        @OptionGroup var identity: IdentityOptions
        @Option(help: ArgumentHelp("Household number (世帯番号) to record at once.", valueName: "number"))
        var household: HouseholdID?
        @Option(help: "Role in that household.") var role: HouseholdRole = .member
        @Option(help: ArgumentHelp("Since when the household membership holds.", valueName: "date"))
        var householdSince: CivilDate?

        func validate() throws {
            for (flag, value) in [
                ("--name", identity.name), ("--kana", identity.kana), ("--address", identity.address),
            ]
            where value == nil {
                throw ValidationError("\(flag) is required to register a person")
            }
            if identity.birthDate == nil { throw ValidationError("--birth-date is required to register a person") }
            if identity.sex == nil { throw ValidationError("--sex is required to register a person") }
            if household != nil, householdSince == nil {
                throw ValidationError("--household-since is required with --household")
            }
        }

        func request() -> RegisterPerson {
            RegisterPerson(
                number: number, identity: identity.fields, household: household, role: role,
                householdSince: householdSince)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            let recorded = result
            Output.line("\(request.number) を登録しました（位置 \(recorded.position.map(String.init) ?? "-")）")
        }
    }

    struct Correct: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Correct a person's identity; fields not given keep their value.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The address number.", valueName: "number")) var number: PersonID
        @OptionGroup var identity: IdentityOptions
        @Option(help: "Why (届出, 職権訂正).") var reason: String

        func request() -> CorrectPerson { CorrectPerson(number: number, identity: identity.fields, reason: reason) }

        static func report(_ request: Request, _ result: Request.Result) {
            let recorded = result
            Output.line("\(request.number) を訂正しました（位置 \(recorded.position.map(String.init) ?? "-")）")
        }
    }

    struct Link: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "link",
            abstract: "Link a former address number to a person (新旧番号); either number then finds them.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's current number.", valueName: "number")) var number: PersonID
        @Option(help: ArgumentHelp("The former number.", valueName: "number")) var former: PersonID

        func request() -> LinkPerson { LinkPerson(number: number, former: former) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("旧番号 \(request.former) を \(request.number) に結び付けました")
        }
    }

    struct Find: JSONReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "find",
            abstract: "Find persons by name or kana (氏名・カナ検索), the closest first.",
            discussion: """
                Width, spaces, hiragana or katakana and case do not matter (やまだ finds ヤマダ タロウ); exact names \
                come first, then names beginning with it, then names containing it. Every name in the register is \
                opened to compare; only the persons shown are recorded as read, with --purpose.
                """)

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Two or more characters of the name or its kana.", valueName: "text")) var name: String
        @Option(help: ArgumentHelp("Only persons born on this day.", valueName: "date")) var birthDate: CivilDate?
        @Option(help: ArgumentHelp("At most this many (1–200).", valueName: "n")) var limit = 50
        @Option(help: ArgumentHelp("Why you look (recorded with the access).", valueName: "text")) var purpose: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func request() -> FindPersons { FindPersons(name: name, birthDate: birthDate, limit: limit, purpose: purpose) }

        static func report(_ request: FindPersons, _ view: FindPersons.View) {
            Table.render(
                ["被保険者番号", "氏名", "カナ氏名", "生年月日", "住所", "資格"],
                view.found.map {
                    [$0.number, $0.name, $0.kana, Staff.date($0.birthDate), $0.address, $0.insured ? "被保険者" : "-"]
                }
            ).forEach(Output.line)
            Output.line(
                view.matched > view.found.count
                    ? "\(Staff.count(view.matched))件中 \(Staff.count(view.found.count))件（--limit で増やせます）"
                    : "\(Staff.count(view.found.count))件")
        }
    }

    struct Show: JSONReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a person: identity, household, eligibility history, address exceptions, income years.",
            discussion: "Income figures are not shown here: `koki income show` records who looked and why."
        )

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The address number (or a former number).") var number: PersonID
        @Option(help: ArgumentHelp("The date to show the household for (default: today).", valueName: "date"))
        var on: CivilDate?
        @Option(
            name: .customLong("known-at"),
            help: ArgumentHelp("Answer as the ledger knew it when this position was its head.", valueName: "position"))
        var knownAt: Int64?
        @Option(help: ArgumentHelp("Why you look (recorded with the access).", valueName: "text")) var purpose: String?
        @Flag(help: "Print JSON instead of text.") var json = false

        func request() -> ShowPerson { ShowPerson(number: number, on: on, knownAt: knownAt, purpose: purpose) }

        static func report(_ request: ShowPerson, _ view: ShowPerson.View) {
            Output.line(
                "\(view.number)\(view.formerNumbers.isEmpty ? "" : "（旧番号 \(view.formerNumbers.joined(separator: "、"))）")"
            )
            if view.erased {
                Output.line("  本人情報    \(Staff.word("erased"))")
            } else {
                Output.line("  氏名        \(view.name ?? "")（\(view.kana ?? "")）")
                Output.line(
                    "  生年月日    \(Staff.date(view.birthDate))  \(view.sex.map { Staff.term(PersonIdentity.Sex.self, $0) } ?? "")")
                Output.line("  住所        \(view.postalCode.map { "\($0) " } ?? "")\(view.address ?? "")")
                if let phone = view.phone { Output.line("  電話番号    \(phone)") }
                for r in view.mailRecipients {
                    Output.line(
                        "  \(Staff.term(MailRecipient.Role.self, r.role))  \(r.name.isEmpty ? "" : "\(r.name)、")\(r.postalCode.map { "\($0) " } ?? "")\(r.address)（\(Staff.date(r.from))から）"
                    )
                }
            }
            Output.line(
                "  世帯        \(view.household.map { "\($0)（\(view.role.map { Staff.term(HouseholdRole.self, $0) } ?? "")）" } ?? Staff.word("none"))"
                    + "  \(Staff.date(view.on))現在 \(view.insured ? "被保険者" : "被保険者でない")"
            )
            Output.line("  資格")
            if view.eligibility.isEmpty { Output.line("    \(Staff.word("none"))") }
            for p in view.eligibility {
                Output.line(
                    "    \(Staff.date(p.from))取得（\(Staff.term(AcquisitionReason.self, p.acquisition))）"
                        + (p.until.map { " 〜 \(Staff.date($0))喪失" } ?? " 〜")
                        + (p.loss.map { "（\(Staff.term(LossReason.self, $0))）" } ?? "")
                )
            }
            for e in view.addressExceptions {
                Output.line("  住所地特例  \(e.facility)  \(Staff.date(e.from)) 〜 \(e.until.map { Staff.date($0) } ?? "")")
            }
            if let until = view.formerDependantUntil { Output.line("  旧被扶養者（\(Staff.date(until))まで）") }
            Output.line(
                "  所得の年    \(view.incomeYears.isEmpty ? Staff.word("none") : view.incomeYears.map { "\($0)年" }.joined(separator: "、"))"
            )
        }
    }
}
