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
            Creates the ledger if it does not exist, registers each demo person (sealed identity, \
            household, 2024 pension income) and qualifies them on their 75th birthday, adopts FY2025's \
            rate table and calendar, runs the annual assessment, records the payments each person made \
            through the collection commands, adopts the arrears settings and runs dunning 20 days after each \
            due date. Then it prints the collection rate, arrears by age and the largest delinquencies on \
            31 May 2026 (the year's closing day), and one person's history. Command ids are derived from the \
            seed, so running the demo again appends nothing (idempotent commands).
            """
    )

    @OptionGroup var options: LedgerOptions
    @OptionGroup var admin: AdministratorOptions

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
            let ledger: KokiLedger
            if FileManager.default.fileExists(atPath: path) {
                // Recording into an existing ledger is maintenance work by a logged-in operator.
                ledger = try options.authorized(.ledgerMaintain).ledger
            } else {
                // A new demo ledger is set up like `koki init`: its first administrator and master key.
                let password = try admin.password()
                let store = try Ledger.create(at: path)
                try admin.setUp(store, options: options, password: password)
                ledger = KokiLedger(store, masterKey: try MasterKey.load(from: options.masterKeyFile))
            }
            let store = ledger.store
            let actor = "demo"
            let started = Date()
            let report = try DemoJob(ledger: ledger, persons: persons, seed: seed, actor: actor).run()
            let elapsed = Date().timeIntervalSince(started)
            Output.line(
                "recorded \(report.eventsAppended) new events for \(persons) persons in \(String(format: "%.2f", elapsed)) s (\(report.commandsRepeated) commands were already in the ledger)"
            )
            if let run = report.run {
                Output.line(
                    "assessment: FY2025 run over \(run.considered) insured persons, \(run.assessedFirstTime) assessed, \(run.reassessed) reassessed"
                )
            }
            let register = InsuredRegisterCommands(ledger)
            let balances = try ledger.replay(PremiumBalances.self)
            let totals = balances.totals
            let inArrears = balances.accounts.values.filter { $0.outstanding > .zero }.count
            Output.line(
                "balances: assessed \(totals.assessed), paid \(totals.paid), outstanding \(totals.outstanding); \(inArrears) accounts in arrears, \(totals.dunningNotices) dunning notices"
            )
            let collectionAccounts = try ledger.replay(CollectionAccounts.self)
            let collection = collectionAccounts.totals
            Output.line(
                "collection: received \(collection.received), on periods \(collection.credited), open overpayments \(collection.openOverpayments), refunded \(collection.refunded), unmatched \(collection.unmatchedOpen); every yen accounted for: \(collectionAccounts.moneyIsConserved ? "yes" : "NO")"
            )
            let assessedOn = try CivilDate(iso: "2025-07-10")
            let insured = try register.snapshot().insured(on: assessedOn).count
            Output.line("register: \(insured) of \(persons) persons insured on \(assessedOn)")
            let closing = try CivilDate(iso: "2026-05-31")
            let rate = totals.assessed.amount == 0 ? 0 : totals.paid.amount * 1000 / totals.assessed.amount
            Output.line(
                "FY2025 collected \(totals.paid.amount) of \(totals.assessed.amount) yen: \(rate / 10).\(rate % 10)% by \(closing)"
            )
            try CityReport.arrears(ledger, on: closing, historyLines: 6)
            try CityReport.verify(store)
        }
    }
}
