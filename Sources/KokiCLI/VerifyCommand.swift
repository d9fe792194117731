import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import LedgerStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the hash chain and its keyed seals and check that nothing was altered.",
        discussion: """
            Recomputes every event's SHA-256 from its stored bytes and the previous hash, and checks \
            that positions, stream versions and commands are dense and in order. Then checks every \
            command's keyed seal (HMAC-SHA-256 under a key derived from the master key): someone who can \
            write the ledger file but not read the key file can recompute the SHA-256 chain after changing a \
            payment or deleting a command, but not the seals. Then reconciles the key table with the \
            events: every person with identity data has a key unless a PersonErased event records their \
            erasure, and an erased key (a tombstone) only with that event. Prints the counts and head hash, or the first position (or \
            person) found wrong and exits 1. A ledger made before the keyed chain is sealed the first time it \
            is opened with its master key (its SHA-256 chain walked first); from then on a command without a \
            seal is refused here.

            Seals cannot show that whole commands were cut off the end. For that, keep a checkpoint \
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
            let access = try options.authorized(.ledgerInspect, .query)
            let store = access.store
            // The checkpoint is read (and refused when malformed) before the long walk.
            let expected = try checkpoint.map(Self.readCheckpoint)
            var report = try store.verify(checkFile: !quick)
            // A replay copy carries today's key table beside an older history (a later erasure's
            // tombstone, say), so only a ledger itself is reconciled.
            if report.isIntact, try store.replayOrigin() == nil,
                let erased = try KeyReconciliation(access.ledger).firstProblem()
            {
                report.problem = .init(position: erased.position, message: erased.message)
            }
            var checkpointLine: String?
            var checkpointStatus: ExitStatus?
            if report.isIntact, let expected {
                (checkpointLine, checkpointStatus) = try check(expected, access: access, head: report.head)
            }
            if json {
                Output.line(
                    JSON.object([
                        ("intact", report.isIntact && checkpointStatus == nil ? "true" : "false"),
                        ("events", String(report.eventsChecked)), ("commands", String(report.commandsChecked)),
                        ("headPosition", String(report.head.position)),
                        ("headHash", JSON.string(report.head.hash.hex)),
                        ("keyedChain", report.keyedChain ? "true" : "false"),
                        ("sealsChecked", report.sealsChecked.map(String.init) ?? "null"),
                        ("problemPosition", report.problem?.position.map(String.init) ?? "null"),
                        ("problem", JSON.optional(report.problem?.message)),
                        ("checkpoint", JSON.optional(checkpointLine)),
                    ]))
            }
            guard let problem = report.problem else {
                if !json {
                    let seals =
                        report.sealsChecked.map { "; \($0) keyed seals" }
                        ?? (report.keyedChain ? "" : "; not sealed yet (open it read-write with its master key)")
                    Output.line(
                        "ok: \(report.eventsChecked) events in \(report.commandsChecked) commands; head \(report.head.position) \(report.head.hash.hex)\(seals)"
                    )
                    if let checkpointLine { Output.line(checkpointLine) }
                }
                if let checkpointStatus { throw ExitCode(checkpointStatus.rawValue) }
                return
            }
            if !json {
                Output.line("ALTERED: \(problem)")
                Output.line("(\(report.eventsChecked) events before it are intact)")
            }
            throw ExitCode(ExitStatus.ledgerAltered.rawValue)
        }
    }

    /// The checkpoint in a file at `given`, or `given` itself.
    static func readCheckpoint(_ given: String) throws -> Checkpoint {
        if given.hasPrefix("koki-checkpoint") { return try Checkpoint(parsing: given) }
        guard let data = FileManager.default.contents(atPath: given) else {
            throw CLIFailure(.invalidInput, "--checkpoint: no file \(given), and not a checkpoint's text")
        }
        guard data.count <= 4_096 else {
            throw CLIFailure(.invalidInput, "--checkpoint: \(given) is \(data.count) bytes, not one checkpoint line")
        }
        do {
            return try Checkpoint(parsing: String(decoding: data, as: UTF8.self))
        } catch let error as LedgerError {
            throw CLIFailure(.invalidInput, "--checkpoint \(given): \(error.message)")
        }
    }

    /// Whether the intact ledger still extends the checkpoint: a line to print, and the status to
    /// exit with when it does not.
    func check(_ expected: Checkpoint, access: Authorized, head: LedgerHead) throws -> (String, ExitStatus?) {
        let store = access.store
        guard let master = access.ledger.masterKey else {
            throw CLIFailure(.masterKey, "a checkpoint is checked under the master key: give its file")
        }
        let taken = "the checkpoint of \(expected.at) (position \(expected.head.position))"
        switch try store.check(expected, key: try master.chainKey(for: store.ledgerID)) {
        case .extends(let appended):
            return ("extends \(taken): \(appended) events appended since", nil)
        case .otherLedger(let id):
            return ("NOT THIS LEDGER'S: \(taken) is of ledger \(id); this is ledger \(store.ledgerID)", .invalidInput)
        case .notSigned:
            return (
                "NOT SIGNED: \(taken) does not carry this ledger's MAC under this master key: it was altered or made without the key",
                .invalidInput
            )
        case .truncated(let end):
            return (
                "TRUNCATED: \(taken) was taken at position \(expected.head.position); the ledger now ends at \(end): positions \(end + 1)–\(expected.head.position) were cut off",
                .ledgerAltered
            )
        case .rewritten:
            return (
                "REWRITTEN: position \(expected.head.position) no longer has the hash of \(taken): the history up to it was rewritten",
                .ledgerAltered
            )
        }
    }
}
