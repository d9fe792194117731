import ArgumentParser
import LedgerStore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new, empty ledger file.",
        discussion: "Refuses to touch an existing file (exit 4)."
    )

    @OptionGroup var options: LedgerOptions

    func run() throws {
        try reporting {
            let ledger = try Ledger.create(at: options.ledgerPath)
            Output.line("created ledger \(ledger.ledgerID) at \(options.ledgerPath)")
        }
    }
}
