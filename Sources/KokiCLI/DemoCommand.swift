import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiSimulation
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
            for line in try CityReport.demo(ledger, persons: persons) { Output.line(line) }
            let closing = try CivilDate(iso: "2026-05-31")
            for line in try CityReport.arrears(ledger, on: closing, historyLines: 6) { Output.line(line) }
            try VerifiedChain.print(store)
        }
    }
}
