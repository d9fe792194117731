import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the hash chain and its keyed seals and check that nothing was altered.",
        discussion: """
            Recomputes every event's SHA-256 from its stored bytes and the previous hash, and checks \
            that positions, stream versions and commands are dense and in order, and that the chain ends at \
            the head the last append recorded (a ledger file). Then checks every \
            command's keyed seal (HMAC-SHA-256 under a key derived from the master key): someone who can \
            write the ledger file but not read the key file can recompute the SHA-256 chain after changing a \
            payment or deleting a command, but not the seals. Then reconciles the key table with the \
            events: every person with identity data has a key unless a PersonErased event records their \
            erasure, and an erased key (a tombstone) only with that event. Prints the counts and head hash, or the first position (or \
            person) found wrong and exits 1. A ledger made before the keyed chain is sealed the first time it \
            is opened with its master key (its SHA-256 chain walked first); from then on a command without a \
            seal is refused here.

            Seals cannot show that whole commands were cut off the end, and whoever cuts them can rewrite \
            the head the last append recorded. For that, keep a checkpoint \
            (`koki head --checkpoint`) elsewhere and give it with --checkpoint FILE or TEXT: verify then \
            proves the ledger still extends it — the same hash at its position — and names a cut-off tail \
            (the ledger ends before the checkpoint), a rewrite (another hash there), or a checkpoint of \
            another ledger or one not signed under this master key (exit 65).

            Unless --quick, SQLite's integrity_check runs first: damage to pages and to the indexes. \
            --quick does NOT check the indexes. Reading one person's events through a damaged index fails \
            loudly (exit 3) when their versions do not come back dense, but an index that lost a person's \
            last event, or one of the by-type index, can still make a query answer wrongly — a paid period \
            shown as owed — and --quick passes. Run verify without --quick after any doubt about the file, \
            and before relying on a copy.
            """
    )

    @OptionGroup var options: LedgerOptions

    @Flag(
        help:
            "Skip SQLite's integrity_check (pages and indexes): walk the chain, seals and keys only. Misses index damage."
    )
    var quick = false

    @Option(
        help: ArgumentHelp(
            "A checkpoint from `koki head --checkpoint` (a file holding it, or its text) the ledger must still extend.",
            valueName: "file|text"))
    var checkpoint: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reporting {
            let report = try options.run(VerifyLedger(quick: quick, checkpoint: checkpoint))
            Self.print(report, json: json)
            if report.problem != nil { throw ExitCode(ExitStatus.ledgerAltered.rawValue) }
            switch report.checkpoint?.outcome {
            case nil, .extends?: return
            case .otherLedger?, .notSigned?: throw ExitCode(ExitStatus.invalidInput.rawValue)
            case .truncated?, .rewritten?: throw ExitCode(ExitStatus.ledgerAltered.rawValue)
            }
        }
    }

    static func print(_ report: VerifyLedger.Report, json: Bool) {
        if json {
            Output.line(
                JSON.object([
                    ("intact", report.intact ? "true" : "false"),
                    ("events", String(report.events)), ("commands", String(report.commands)),
                    ("headPosition", String(report.headPosition)), ("headHash", JSON.string(report.headHash)),
                    ("keyedChain", report.keyedChain ? "true" : "false"),
                    ("sealsChecked", report.sealsChecked.map(String.init) ?? "null"),
                    ("problemPosition", report.problemPosition.map(String.init) ?? "null"),
                    ("problem", JSON.optional(report.problem)),
                    ("checkpoint", JSON.optional(report.checkpoint?.line)),
                ]))
            return
        }
        guard let problem = report.problem else {
            let seals =
                report.sealsChecked.map { "; \($0) keyed seals" }
                ?? (report.keyedChain ? "" : "; not sealed yet (open it read-write with its master key)")
            Output.line(
                "ok: \(report.events) events in \(report.commands) commands; head \(report.headPosition) \(report.headHash)\(seals)"
            )
            if let line = report.checkpoint?.line { Output.line(line) }
            return
        }
        Output.line("ALTERED: \(report.problemPosition.map { "position \($0): " } ?? "")\(problem)")
        Output.line("(\(report.events) events before it are intact)")
    }
}
