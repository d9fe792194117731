import ArgumentParser
import LedgerStore

struct HeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Print the ledger's last position and its hash.",
        discussion: """
            Quoting the head (position and hash) pins what the ledger said at that moment: a later \
            `koki verify` that reaches the same hash at that position proves nothing before it changed.
            """
    )

    @OptionGroup var options: LedgerOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reporting {
            let ledger = try options.authorized(.ledgerInspect, .query).store
            let head = try ledger.head()
            if json {
                Output.line(
                    JSON.object([
                        ("ledger", JSON.string(ledger.ledgerID.description)), ("position", String(head.position)),
                        ("hash", JSON.string(head.hash.hex)),
                    ]))
            } else {
                Output.line("position \(head.position)  hash \(head.hash.hex)")
            }
        }
    }
}
