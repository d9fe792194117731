import ArgumentParser
@testable import KokiCLI
import KokiApp
import Testing

/// Help is what staff read first: its exact text is pinned here, so a change to it is a
/// deliberate one.
@Suite struct HelpTests {
    /// Every command names itself: a command without a name is named from its type's name when
    /// the command line is parsed, and finding those names took half of a short command's time
    /// (about 25 ms of `koki head`'s 60).
    @Test func everyCommandNamesItself() {
        var unnamed: [String] = []
        var count = 0
        func walk(_ command: any ParsableCommand.Type, _ path: String) {
            count += 1
            let name = command.configuration.commandName
            if name == nil { unnamed.append("\(path) \(command)") }
            for sub in command.configuration.subcommands { walk(sub, "\(path) \(name ?? "?")") }
        }
        walk(KokiCommand.self, "")
        #expect(unnamed.isEmpty, "\(unnamed)")
        #expect(count > 200)
    }

    @Test func verifyHelp() {
        #expect(KokiCommand.helpMessage(for: VerifyCommand.self, columns: 80) == Self.verify)
    }

    @Test func eventsHelp() {
        #expect(KokiCommand.helpMessage(for: EventsCommand.self, columns: 80) == Self.events)
    }

    /// A staff command's help as the binary prints it: headings in Japanese, each option labelled
    /// with its form's term; the developers' commands keep ArgumentParser's words (pinned above).
    @Test func aStaffCommandsHelpNamesItsFieldsAsTheFormDoes() throws {
        let pay = try KokiProcess.run(["pay", "record", "--help"])
        #expect(pay.status == 0 && pay.stdout.hasPrefix("概要："), "\(pay.stdout.prefix(200))")
        for text in ["使い方：", "オプション：", "「納付日」The day the money was paid", "「被保険者番号」The person's address number"] {
            #expect(pay.stdout.contains(text), "\(text)")
        }
        // An option whose description wraps to its own line gets the term there.
        #expect(pay.stdout.contains("--fiscal-year <fiscal-year>\n" + String(repeating: " ", count: 26) + "「年度」"))
        let viaHelp = try KokiProcess.run(["help", "pay", "record"])
        #expect(viaHelp.stdout == pay.stdout)
        let top = try KokiProcess.run(["--help"]).stdout
        #expect(top.contains("サブコマンド：") && top.contains("終了コード") && top.contains("詳しくは koki help"))
        // One option name, two fields: an operator's role is 役割, a household member's 続柄, the
        // mail's role which address it is.
        let add = try KokiProcess.run(["operator", "add", "--help"]).stdout
        #expect(add.contains("「役割」A role (repeat)") && !add.contains("続柄"), "\(add)")
        #expect(try KokiProcess.run(["roles", "grant", "--help"]).stdout.contains("「役割」The role."))
        #expect(try KokiProcess.run(["household", "set", "--help"]).stdout.contains("「続柄・役割」householder (世帯主)"))
        #expect(try KokiProcess.run(["mail", "set", "--help"]).stdout.contains("「送付先の区分」mailing-address"))
        let verify = try KokiProcess.run(["verify", "--help"]).stdout
        #expect(verify.hasPrefix("OVERVIEW:") && !verify.contains("「"))
        #expect(try KokiProcess.run(["help", "verify"]).stdout == verify)
    }

    @Test func everyVisibleCommandHasAnAbstractAndTheExitTable() {
        let top = KokiCommand.helpMessage(columns: 80)
        for name in [
            "init", "login", "logout", "whoami", "operator", "roles", "security", "audit", "mynumber", "erase",
            "transfer", "application", "card", "copay", "benefit",
            "simulate", "demo", "person", "household", "eligibility", "income", "insured", "rates", "calendar",
            "assess",
            "premium", "pay", "account", "refund", "debit", "konbini", "pension", "unmatched", "revenue", "union", "arrears",
            "dunning",
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
        OVERVIEW: Walk the hash chain and its keyed seals and check that nothing was
        altered.

        Recomputes every event's SHA-256 from its stored bytes and the previous hash,
        and checks that positions, stream versions and commands are dense and in order,
        and that the chain ends at the head the last append recorded (a ledger file).
        Then checks every command's keyed seal (HMAC-SHA-256 under a key derived from
        the master key): someone who can write the ledger file but not read the key
        file can recompute the SHA-256 chain after changing a payment or deleting a
        command, but not the seals. Then reconciles the key table with the events:
        every person with identity data has a key unless a PersonErased event records
        their erasure, and an erased key (a tombstone) only with that event. Prints the
        counts and head hash, or the first position (or person) found wrong and exits
        1. A ledger made before the keyed chain is sealed the first time it is opened
        with its master key (its SHA-256 chain walked first); from then on a command
        without a seal is refused here.

        Seals cannot show that whole commands were cut off the end, and whoever cuts
        them can rewrite the head the last append recorded. For that, keep a checkpoint
        (`koki head --checkpoint`) elsewhere and give it with --checkpoint FILE or
        TEXT: verify then proves the ledger still extends it — the same hash at its
        position — and names a cut-off tail (the ledger ends before the checkpoint), a
        rewrite (another hash there), or a checkpoint of another ledger or one not
        signed under this master key (exit 65).

        Unless --quick, SQLite's integrity_check runs first: damage to pages and to the
        indexes. --quick does NOT check the indexes. Reading one person's events
        through a damaged index fails loudly (exit 3) when their versions do not come
        back dense, but an index that lost a person's last event, or one of the by-type
        index, can still make a query answer wrongly — a paid period shown as owed —
        and --quick passes. Run verify without --quick after any doubt about the file,
        and before relying on a copy.

        USAGE: koki verify [--ledger <path>] [--master-key <path>] [--session <path>] [--quick] [--checkpoint <file|text>] [--json]

        OPTIONS:
          --ledger <path>         The ledger file. Default: $KOKI_LEDGER, else
                                  ./koki.ledger.
          --master-key <path>     The master key file (outside the ledger). Default:
                                  $KOKI_MASTER_KEY, else the ledger's path + .key.
          --session <path>        The session file `koki login` wrote. Default:
                                  $KOKI_SESSION, else ~/.koki/sessions/LEDGER-ID.
          --quick                 Skip SQLite's integrity_check (pages and indexes):
                                  walk the chain, seals and keys only. Misses index
                                  damage.
          --checkpoint <file|text>
                                  A checkpoint from `koki head --checkpoint` (a file
                                  holding it, or its text) the ledger must still extend.
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
        upcast, never rewritten). "hash" is the chain hash where the row stores it,
        covering the row and all before it: on a command's last event, about one in
        every 32 events (a ledger file), or every command's (PostgreSQL); it is null on
        the others (koki verify computes theirs, koki head the head's).

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
