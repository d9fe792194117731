import ArgumentParser
import LedgerStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the hash chain and check that nothing was altered.",
        discussion: """
            Recomputes every event's SHA-256 from its stored bytes and the previous hash, and checks \
            that positions, stream versions and commands are dense and in order. Prints the count \
            and head hash, or the first position whose stored bytes, hash or order are wrong and \
            exits 1. Unless --quick, SQLite's integrity_check runs first (damage to pages and indexes).
            """
    )

    @OptionGroup var options: LedgerOptions

    @Flag(help: "Skip SQLite's integrity_check; walk the chain only.")
    var quick = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reporting {
            let store = try options.authorized(.ledgerInspect, .query).store
            let report = try (store as? Ledger)?.verify(checkFile: !quick) ?? store.verifyChain()
            if json {
                Output.line(
                    JSON.object([
                        ("intact", report.isIntact ? "true" : "false"), ("events", String(report.eventsChecked)),
                        ("commands", String(report.commandsChecked)), ("headPosition", String(report.head.position)),
                        ("headHash", JSON.string(report.head.hash.hex)),
                        ("problemPosition", report.problem?.position.map(String.init) ?? "null"),
                        ("problem", JSON.optional(report.problem?.message)),
                    ]))
            }
            guard let problem = report.problem else {
                if !json {
                    Output.line(
                        "ok: \(report.eventsChecked) events in \(report.commandsChecked) commands; head \(report.head.position) \(report.head.hash.hex)"
                    )
                }
                return
            }
            if !json {
                Output.line("ALTERED: \(problem)")
                Output.line("(\(report.eventsChecked) events before it are intact)")
            }
            throw ExitCode(ExitStatus.ledgerAltered.rawValue)
        }
    }
}
