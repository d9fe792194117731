import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Record a small demonstration city, then replay its balances and verify the chain.",
        discussion: """
            Creates the ledger if it does not exist, then for each demo person: registers them \
            (sealed identity, household) and qualifies them on their 75th birthday, then records a \
            fiscal year's assessment (nine installments), their payments, and dunning notices for \
            what they left unpaid — one command each. Command ids are derived from the seed and the \
            person, so running the demo again appends nothing (idempotent commands).
            """
    )

    @OptionGroup var options: LedgerOptions

    @Option(help: "How many insured persons to record.")
    var persons: Int = 1_000

    @Option(help: "Seed for the deterministic demo data.")
    var seed: UInt64 = 75

    func validate() throws {
        guard (1...1_000_000).contains(persons) else { throw ValidationError("--persons \(persons) must be 1…1000000") }
    }

    func run() throws {
        try reporting {
            let path = options.ledgerPath
            let store =
                FileManager.default.fileExists(atPath: path)
                ? try Ledger.open(at: path) : try Ledger.create(at: path)
            let ledger = KokiLedger(store)
            let actor = (try? options.requireOperator()) ?? "demo"
            let city = DemoCity(persons: persons, seed: seed)
            let started = Date()
            var appended = 0
            var repeated = 0
            let register = InsuredRegisterCommands(ledger)
            for index in 1...persons {
                let person = city.person(index)
                if try register.load(person).entry == nil {
                    let (identity, household, role) = city.registration(forPerson: index)
                    func command(_ step: String) -> CommandMetadata {
                        CommandMetadata(
                            commandID: Identifier(derivedFrom: Array("demo/\(seed)/\(index)/\(step)".utf8)),
                            actor: actor)
                    }
                    appended += try register.register(
                        person, identity: identity, household: (household, role, try CivilDate(iso: "2000-04-01")),
                        metadata: command("register")
                    ).events.count
                    appended += try register.acquire(
                        person, reason: .reachedAge75,
                        on: identity.birthDate.reaching(age: EligibilityRules.generalAge),
                        metadata: command("acquire")
                    ).events.count
                } else {
                    repeated += 2
                }
                for (n, events) in city.commands(forPerson: index).enumerated() {
                    let id = Identifier(derivedFrom: Array("demo/\(seed)/\(index)/\(n)".utf8))
                    let result = try ledger.record(events, metadata: CommandMetadata(commandID: id, actor: actor))
                    if result.wasDuplicate { repeated += 1 } else { appended += result.events.count }
                }
            }
            let elapsed = Date().timeIntervalSince(started)
            Output.line(
                "recorded \(appended) new events for \(persons) persons in \(String(format: "%.2f", elapsed)) s (\(repeated) commands were already in the ledger)"
            )

            let balances = try ledger.replay(PremiumBalances.self)
            let totals = balances.totals
            let inArrears = balances.accounts.values.filter { $0.outstanding > .zero }.count
            Output.line(
                "balances: assessed \(totals.assessed), paid \(totals.paid), outstanding \(totals.outstanding); \(inArrears) accounts in arrears, \(totals.dunningNotices) dunning notices"
            )
            let assessedOn = try CivilDate(iso: "2025-07-10")
            let insured = try register.snapshot().insured(on: assessedOn).count
            Output.line("register: \(insured) of \(persons) persons insured on \(assessedOn)")
            let report = try store.verify()
            if let problem = report.problem {
                Output.line("verify: ALTERED: \(problem)")
                throw ExitCode(ExitStatus.ledgerAltered.rawValue)
            }
            Output.line(
                "verify: ok, \(report.eventsChecked) events; head \(report.head.position) \(report.head.hash.hex)")
        }
    }
}
