import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person",
        abstract: "Register, correct, link and show insured persons (被保険者).",
        subcommands: [Register.self, Correct.self, Show.self, Link.self]
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
            Output.line("registered \(request.number) at position \(recorded.position.map(String.init) ?? "-")")
        }
    }

    struct Correct: TypedCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a person's identity; fields not given keep their value.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The address number.", valueName: "number")) var number: PersonID
        @OptionGroup var identity: IdentityOptions
        @Option(help: "Why (届出, 職権訂正).") var reason: String

        func request() -> CorrectPerson { CorrectPerson(number: number, identity: identity.fields, reason: reason) }

        static func report(_ request: Request, _ result: Request.Result) {
            let recorded = result
            Output.line("corrected \(request.number) at position \(recorded.position.map(String.init) ?? "-")")
        }
    }

    struct Link: TypedCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link a former address number to a person (新旧番号); either number then finds them.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The person's current number.", valueName: "number")) var number: PersonID
        @Option(help: ArgumentHelp("The former number.", valueName: "number")) var former: PersonID

        func request() -> LinkPerson { LinkPerson(number: number, former: former) }

        static func report(_ request: Request, _ result: Request.Result) {
            Output.line("linked \(request.former) to \(request.number)")
        }
    }

    struct Show: JSONReportingCommand {
        static let configuration = CommandConfiguration(
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
                "\(view.number)\(view.formerNumbers.isEmpty ? "" : " (former: \(view.formerNumbers.joined(separator: ", ")))")"
            )
            if view.erased {
                Output.line("  identity   erased")
            } else {
                Output.line("  name       \(view.name ?? "") (\(view.kana ?? ""))")
                Output.line("  born       \(view.birthDate ?? "")  \(view.sex ?? "")")
                Output.line("  address    \(view.postalCode.map { "\($0) " } ?? "")\(view.address ?? "")")
                if let phone = view.phone { Output.line("  phone      \(phone)") }
                for r in view.mailRecipients {
                    Output.line(
                        "  mail to    \(r.role): \(r.name.isEmpty ? "" : "\(r.name), ")\(r.postalCode.map { "\($0) " } ?? "")\(r.address) (from \(r.from))"
                    )
                }
            }
            Output.line(
                "  household  \(view.household.map { "\($0) (\(view.role ?? ""))" } ?? "none") on \(view.on); \(view.insured ? "insured" : "not insured") on \(view.on)"
            )
            Output.line("  eligibility")
            if view.eligibility.isEmpty { Output.line("    none") }
            for p in view.eligibility {
                Output.line(
                    "    \(p.from) – \(p.until.map { "\($0) (exclusive)" } ?? "…")  \(p.acquisition)\(p.loss.map { " → \($0)" } ?? "")"
                )
            }
            for e in view.addressExceptions {
                Output.line("  address exception  \(e.facility)  \(e.from) – \(e.until ?? "…")")
            }
            if let until = view.formerDependantUntil { Output.line("  former dependant until \(until)") }
            Output.line(
                "  income years  \(view.incomeYears.isEmpty ? "none" : view.incomeYears.map(String.init).joined(separator: ", "))"
            )
        }
    }
}
