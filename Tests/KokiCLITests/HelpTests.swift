@testable import KokiCLI
import Testing

/// Help is what staff read first: its exact text is pinned here, so a change to it is a
/// deliberate one.
@Suite struct HelpTests {
    @Test func verifyHelp() {
        #expect(KokiCommand.helpMessage(for: VerifyCommand.self, columns: 80) == Self.verify)
    }

    @Test func eventsHelp() {
        #expect(KokiCommand.helpMessage(for: EventsCommand.self, columns: 80) == Self.events)
    }

    @Test func everyVisibleCommandHasAnAbstractAndTheExitTable() {
        let top = KokiCommand.helpMessage(columns: 80)
        for name in [
            "init", "login", "logout", "whoami", "operator", "roles", "security", "audit", "mynumber", "erase",
            "transfer", "application", "card", "copay", "benefit",
            "simulate", "demo", "person", "household", "eligibility", "income", "insured", "rates", "calendar",
            "assess",
            "premium", "pay", "account", "refund", "debit", "konbini", "pension", "unmatched", "arrears", "dunning",
            "reminders", "contact", "plan", "reduction", "seizure", "prescription", "close-year", "history", "whatif",
            "explain", "replay", "rebuild", "balances", "calc",
            "events",
            "streams", "head", "verify",
        ] {
            #expect(top.contains("  \(name) "), "\(name) is listed")
        }
        #expect(!top.contains("testing"))
        #expect(top.contains(ExitStatus.table))
    }

    static let verify = """
        OVERVIEW: Walk the hash chain and check that nothing was altered.

        Recomputes every event's SHA-256 from its stored bytes and the previous hash,
        and checks that positions, stream versions and commands are dense and in order.
        Prints the count and head hash, or the first position whose stored bytes, hash
        or order are wrong and exits 1. Unless --quick, SQLite's integrity_check runs
        first (damage to pages and indexes).

        USAGE: koki verify [--ledger <path>] [--master-key <path>] [--session <path>] [--quick] [--json]

        OPTIONS:
          --ledger <path>         The ledger file. Default: $KOKI_LEDGER, else
                                  ./koki.ledger.
          --master-key <path>     The master key file (outside the ledger). Default:
                                  $KOKI_MASTER_KEY, else the ledger's path + .key.
          --session <path>        The session file `koki login` wrote. Default:
                                  $KOKI_SESSION, else ~/.koki/sessions/LEDGER-ID.
          --quick                 Skip SQLite's integrity_check; walk the chain only.
          --json                  Print one JSON object instead of text.
          --version               Show the version.
          -h, --help              Show help information.

        """

    static let events = """
        OVERVIEW: Print events with their envelopes, as JSON lines (default) or a
        table.

        Each JSON line holds the envelope (position, stream, version, type,
        schemaVersion, recordedAt, actor, command, correlation, causation, compressed,
        hash) and the payload decoded to today's schema under "data" (old versions are
        upcast, never rewritten).

        --through P shows the ledger as it stood when P was its head. Times for
        --recorded-from/--recorded-before are ISO 8601 (2026-11-28T09:00:00+09:00) or a
        date, read as midnight Japan time.

        USAGE: koki events [--ledger <path>] [--master-key <path>] [--session <path>] [--stream <stream>] [--stream-prefix <prefix>] [--type <type> ...] [--from <position>] [--through <position>] [--recorded-from <time>] [--recorded-before <time>] [--format <format>]

        OPTIONS:
          --ledger <path>         The ledger file. Default: $KOKI_LEDGER, else
                                  ./koki.ledger.
          --master-key <path>     The master key file (outside the ledger). Default:
                                  $KOKI_MASTER_KEY, else the ledger's path + .key.
          --session <path>        The session file `koki login` wrote. Default:
                                  $KOKI_SESSION, else ~/.koki/sessions/LEDGER-ID.
          --stream <stream>       Only this stream (e.g. person/100000001).
          --stream-prefix <prefix>
                                  Only streams whose names start with this.
          --type <type>           Only this event type; repeat for several.
          --from <position>       First position (inclusive). (default: 1)
          --through <position>    Last position (inclusive): the ledger as it stood
                                  then.
          --recorded-from <time>  Only events recorded at or after this time.
          --recorded-before <time>
                                  Only events recorded before this time.
          --format <format>       Output format. (values: json, table; default: json)
          --version               Show the version.
          -h, --help              Show help information.

        """
}
