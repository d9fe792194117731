import ArgumentParser
import KokiApp

struct HeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Print the ledger's last position and its hash, or a signed checkpoint of them.",
        discussion: """
            Quoting the head (position and hash) pins what the ledger said at that moment: a later \
            `koki verify` that reaches the same hash at that position proves nothing before it changed.

            With --checkpoint it prints one line a city keeps somewhere the ledger's writers cannot reach \
            (its daily report, a second machine, a mail to the auditor):

              koki-checkpoint v1 ledger=ID position=P hash=H at=TIME mac=M

            The MAC is HMAC-SHA-256 under a key derived from the master key, so a checkpoint cannot be \
            made up or moved to another ledger without the key file. `koki verify --checkpoint` later \
            proves the ledger still extends it: a cut-off tail or a rewritten history is named. The \
            checkpoint says nothing secret (no personal data, no key).
            """
    )

    @OptionGroup var options: LedgerOptions

    @Flag(help: "Print a signed checkpoint line (see above) instead of the head.")
    var checkpoint = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reporting {
            let head = try options.run(ShowHead(checkpoint: checkpoint))
            if let signed = head.checkpoint {
                if json {
                    Output.line(
                        JSON.object([
                            ("ledger", JSON.string(head.ledger)), ("position", String(head.position)),
                            ("hash", JSON.string(head.hash)), ("checkpoint", JSON.string(signed)),
                        ]))
                } else {
                    Output.line(signed)
                }
                return
            }
            if json {
                Output.line(
                    JSON.object([
                        ("ledger", JSON.string(head.ledger)), ("position", String(head.position)),
                        ("hash", JSON.string(head.hash)),
                    ]))
            } else {
                Output.line("position \(head.position)  hash \(head.hash)")
            }
        }
    }
}
