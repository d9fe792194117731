import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiProjections
import KokiReadModels

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild the stored read models from position zero and prove them equal to the maintained ones.",
        discussion: """
            The read models live in the ledger file beside the events (tables rm_*): the balances, one row per \
            person and fiscal year, which `koki balances`, `koki arrears list`, `koki dunning run` and `koki \
            reminders run` read; and the register, one entry per person (identity sealed, households, \
            eligibility, incomes, pension facts; and each household they were ever in, indexed), which `koki \
            insured list`, `insured turning-75`, `insured address-exception`, `household show`, one person's \
            `assess`, `erase --due` and the certificates' runs read; and the debit \
            states, one per person who ever had a mandate (mandates, choices, a death recorded, each period's \
            sums), which `koki debit export` and `koki debit register` read; and the premiums, one row per \
            person and fiscal year assessed (where its first \
            assessment, the one in force and its last pension stop are), which `koki pension selection`, \
            `pension provisional` and `pension notify` read; and the arrears facts, one row per person the \
            delinquent list decided (each period that may be in arrears: its sums, the money that paid it and the \
            days that move its prescription), which `koki arrears list`, `dunning run` and `reminders run` read \
            and write. Queries keep them up \
            to date by folding again only the persons whose streams grew since (a debit state folds only what its stream gained; the premiums read only the \
            assessments and stops recorded since, through the index by type); this command reads the \
            ledger from position zero in position order into fresh tables — in a ledger file the balances, the \
            debit states and the premiums together, in one pass and one transaction (a payment or an assessment \
            decoded once for the three), then the register, then the arrears facts; with --snapshot-every one \
            model after another — (decoding only the events each model folds, on a folding thread while the scan \
            reads on; a person's balances kept as compact per-period \
            sums, their own stream folded where those cannot follow them exactly; a mandate holder's events of the \
            types their state follows, their stream's version taken from the index by stream; at most 75,000 \
            persons a pass, and a city of more still read once: the later passes' events are copied to a \
            temporary file in $TMPDIR, else /tmp, as the first is folded, then folded from there, each pass while \
            the rows of the one before it are written — up to about \
            half the ledger file's size, 1.5 GB for ten times Matsudo over two years), compares them row by row \
            with the maintained ones (caught up to the same head; both \
            read in key order, side by side), names every row that differs, and swaps the fresh tables in. The arrears facts are kept only for the persons the list asked about: catching up drops \
            those whose streams grew, the next list folds them again; a rebuild folds each kept person's stream \
            from position zero (only the events an account folds: a stream is read while the one before is \
            decoded and folded on a second core) and compares. With --check it only compares and exits 1 when anything differs.

            In a PostgreSQL ledger the four models are documents in its schema (rm_balances, rm_register, \
            rm_debits, rm_premiums), kept at the head: each is caught up, then folded from position zero through \
            the position it reflects (the events read back in position order, as in a file, at most 75,000 \
            persons a pass; the mandate holders' streams a few hundred a round trip), \
            compared a slice of 10,000 persons at a time with the documents of that slice's range of keys, and \
            replaced by it slice by slice in one transaction (--check: compared only): neither the documents nor \
            the new ones are ever held whole. When another process catches a model up meanwhile (the offices \
            recording commands), its rebuild begins again, caught up anew, up to three times in all (the report \
            says how many times it began again), then gives up naming the model, having replaced nothing. The balances' snapshots \
            and deltas are kept there too (rm_snapshots, rm_snapshot_deltas), taken as in a file, \
            --snapshot-every included. The arrears facts are documents there too (rm_arrears), kept the same way.

            For `--known-at` questions about the past, the balances keep snapshots (the whole table at a \
            position) and deltas (what changed between two positions). Every catch-up leaves a delta and takes \
            a snapshot every \(StoredBalances.defaultSnapshotInterval) events; a rebuild drops those of an older \
            logic version and takes a snapshot at the head. With --snapshot-every N the same pass records the \
            table every N events — a snapshot every \(StoredBalances.defaultSnapshotInterval) events and a delta \
            at the checkpoints between — replacing the history kept so far. --status lists them and changes \
            nothing.

            The events are the only source of truth: the rm_ tables can be dropped at any time and are rebuilt \
            at the next query.
            """)

    /// The models a ledger file's rebuild reads together in one pass (without --snapshot-every).
    static let readTogether = SharedRebuild.models

    @OptionGroup var options: LedgerOptions
    @Flag(help: "Compare only: swap nothing, exit 1 when a row differs.") var check = false
    @Flag(help: "List the read models and snapshots; change nothing.") var status = false
    @Option(
        help: ArgumentHelp(
            "Also record the table every N events (at the end of the command there) in the same pass.",
            valueName: "N"))
    var snapshotEvery: Int64?
    @Flag(help: "Print one JSON object per read model (JSON lines) instead of text.") var json = false

    func validate() throws {
        if let snapshotEvery, snapshotEvery < 1 {
            throw ValidationError("--snapshot-every \(snapshotEvery): expected a number of events, at least 1")
        }
        if check && snapshotEvery != nil { throw ValidationError("--check takes no snapshots: drop --snapshot-every") }
        if status && (check || snapshotEvery != nil) { throw ValidationError("--status changes nothing: use it alone") }
    }

    func run() throws {
        try reporting {
            if status {
                let answer = try options.run(ShowReadModels())
                let s = answer.balances
                // The models of one table keyed by person, listed alike.
                let persons: [(name: String, status: PersonTableStatus, current: Int, rows: String)] = [
                    (StoredRegister.name, answer.register, InsuredRegister.storedVersion, "rows"),
                    (StoredDebits.name, answer.debits, StoredDebits.logicVersion, "rows"),
                    (StoredPremiums.name, answer.premiums, StoredPremiums.logicVersion, "rows"),
                    (StoredArrears.name, answer.arrears, StoredArrears.logicVersion, "persons kept"),
                ]
                if json {
                    Output.line(
                        JSON.object([
                            ("model", JSON.string(StoredBalances.name)),
                            ("position", s.position.map { "\($0)" } ?? "null"),
                            ("logicVersion", s.logicVersion.map { "\($0)" } ?? "null"),
                            ("currentLogicVersion", "\(YearBalance.logicVersion)"), ("rows", "\(s.rows)"),
                            ("deltas", "\(s.deltas)"), ("deltaBytes", "\(s.deltaBytes)"),
                            (
                                "snapshots",
                                "["
                                    + s.snapshots.map {
                                        JSON.object([
                                            ("position", "\($0.position)"), ("logicVersion", "\($0.logicVersion)"),
                                            ("rows", "\($0.rows)"), ("bytes", "\($0.bytes)"),
                                        ])
                                    }.joined(separator: ",") + "]"
                            ),
                        ]))
                    for model in persons {
                        Output.line(
                            JSON.object([
                                ("model", JSON.string(model.name)),
                                ("position", model.status.position.map { "\($0)" } ?? "null"),
                                ("logicVersion", model.status.logicVersion.map { "\($0)" } ?? "null"),
                                ("currentLogicVersion", "\(model.current)"), ("rows", "\(model.status.rows)"),
                            ]))
                    }
                    return
                }
                func state(_ position: Int64?, _ version: Int?, current: Int) -> String {
                    position.map {
                        "at position \($0), logic version \(version!)"
                            + (version == current ? "" : " (stale: this koki has \(current))")
                    } ?? "not built yet"
                }
                Output.line(
                    "\(StoredBalances.name): \(state(s.position, s.logicVersion, current: YearBalance.logicVersion)), \(s.rows) rows"
                )
                for snap in s.snapshots {
                    Output.line(
                        "  snapshot at position \(snap.position): \(snap.rows) rows, \(snap.bytes) bytes (LZ4), logic version \(snap.logicVersion)"
                    )
                }
                Output.line("  \(s.deltas) deltas, \(s.deltaBytes) bytes (LZ4)")
                for model in persons {
                    let at = state(model.status.position, model.status.logicVersion, current: model.current)
                    Output.line("\(model.name): \(at), \(model.status.rows) \(model.rows)")
                }
                return
            }
            let outcome = try options.run(RebuildReadModels(check: check, snapshotEvery: snapshotEvery))
            let report = outcome.rebuild
            // The models read together in one pass: their own part only (their fills within the pass).
            func isShared(_ model: String) -> Bool { outcome.sharedSeconds != nil && Self.readTogether.contains(model) }
            func shared(_ model: String) -> String {
                isShared(model) ? outcome.sharedSeconds.map { String(format: "%.3f", $0) } ?? "null" : "null"
            }
            let sharedTotal =
                isShared(StoredBalances.name)
                ? outcome.sharedTotalSeconds.map { String(format: "%.3f", $0) } ?? "null" : "null"
            func timing(_ model: String, events: Int, seconds: Double) -> String {
                isShared(model)
                    ? "(its own part: \(String(format: "%.2f", seconds)) s)"
                    : "in \(String(format: "%.2f", seconds)) s (\(Int(Double(events) / max(seconds, 1e-6))) events/s)"
            }
            let seconds = outcome.seconds
            let (register, debits) = (outcome.register, outcome.debits)
            // The two models of one table keyed by person, reported alike.
            let persons = [
                PersonModel(
                    name: StoredRegister.name, who: "persons", table: "register", equal: "is equal",
                    missing: "there was no maintained register",
                    differs: ("entry differs", "entries differ"), rebuilt: register, seconds: outcome.registerSeconds),
                PersonModel(
                    name: StoredDebits.name, who: "mandate holders", table: "debit states", equal: "are equal",
                    missing: "there were no maintained debit states",
                    differs: ("state differs", "states differ"), rebuilt: debits, seconds: outcome.debitsSeconds),
                PersonModel(
                    name: StoredPremiums.name, who: "persons", table: "premiums", equal: "are equal",
                    missing: "there were no maintained premiums",
                    differs: ("person's years differ", "persons' years differ"), rebuilt: outcome.premiums,
                    seconds: outcome.premiumsSeconds),
                PersonModel(
                    name: StoredArrears.name, who: "persons kept", table: "arrears facts", equal: "are equal",
                    missing: "there were no maintained arrears facts",
                    differs: ("person's facts differ", "persons' facts differ"), rebuilt: outcome.arrears,
                    seconds: outcome.arrearsSeconds),
            ]
            if json {
                Output.line(
                    JSON.object([
                        ("model", JSON.string(StoredBalances.name)), ("position", "\(report.position)"),
                        ("persons", "\(report.persons)"), ("events", "\(report.events)"), ("rows", "\(report.rows)"),
                        ("comparedWith", report.comparedWith.map { "\($0)" } ?? "null"),
                        ("differences", "\(report.differences.count)"), ("swapped", report.swapped ? "true" : "false"),
                        ("snapshots", "[" + report.snapshots.map { "\($0)" }.joined(separator: ",") + "]"),
                        ("seconds", String(format: "%.3f", seconds)), ("sharedSeconds", shared(StoredBalances.name)),
                        ("sharedTotalSeconds", sharedTotal), ("attempts", "\(report.attempts)"),
                    ]))
                for model in persons {
                    Output.line(
                        JSON.object([
                            ("model", JSON.string(model.name)), ("position", "\(model.rebuilt.position)"),
                            ("persons", "\(model.rebuilt.persons)"), ("events", "\(model.rebuilt.events)"),
                            ("comparedWith", model.rebuilt.comparedWith.map { "\($0)" } ?? "null"),
                            ("differences", "\(model.rebuilt.differences.count)"),
                            ("swapped", model.rebuilt.swapped ? "true" : "false"),
                            ("seconds", String(format: "%.3f", model.seconds)), ("sharedSeconds", shared(model.name)),
                            ("attempts", "\(model.rebuilt.attempts)"),
                        ]))
                }
            } else {
                if let together = outcome.sharedSeconds {
                    Output.line(
                        "\(Self.readTogether.joined(separator: ", ")): read together in one pass of the ledger from position 0 to \(report.position) and filled in \(String(format: "%.2f", together)) s (\(Int(Double(report.position) / max(together, 1e-6))) events/s; a pass's rows filled while the next pass is folded), in all (with the maintained tables caught up and compared, and the commit) \(String(format: "%.2f", outcome.sharedTotalSeconds ?? together)) s"
                    )
                }
                Output.line(
                    "\(StoredBalances.name): folded \(report.events) events of \(report.persons) persons from position 0 to \(report.position) into \(report.rows) rows \(timing(StoredBalances.name, events: report.events, seconds: seconds))"
                )
                if let compared = report.comparedWith {
                    Output.line(
                        report.differences.isEmpty
                            ? "the maintained table (at position \(compared), caught up to \(report.position)) is equal"
                            : "\(report.differences.count) rows differ from the maintained table (at position \(compared), caught up to \(report.position)):"
                    )
                    for d in report.differences.prefix(50) { Output.line("  \(d)") }
                    if report.differences.count > 50 { Output.line("  … and \(report.differences.count - 50) more") }
                } else {
                    Output.line("there was no maintained table of this logic version to compare with")
                }
                if let again = Self.begunAgain(report.attempts) { Output.line(again) }
                Output.line(
                    report.swapped && report.snapshots.isEmpty
                        ? "swapped in (no snapshots: \(StoredBalances.name) in this store are kept at the head only)"
                        : report.swapped
                            ? "swapped in; snapshots taken at position\(report.snapshots.count > 1 ? "s" : "") \(report.snapshots.map { "\($0)" }.joined(separator: ", "))"
                                + (report.deltas.isEmpty
                                    ? "" : ", deltas at \(report.deltas.count) checkpoints between")
                            : "checked only: nothing changed")
                for model in persons {
                    Output.line(
                        "\(model.name): folded \(model.rebuilt.events) events of \(model.rebuilt.persons) \(model.who) from position 0 to \(model.rebuilt.position) \(timing(model.name, events: model.rebuilt.events, seconds: model.seconds))"
                    )
                    if let compared = model.rebuilt.comparedWith {
                        let count = model.rebuilt.differences.count
                        Output.line(
                            count == 0
                                ? "the maintained \(model.table) (at position \(compared), caught up to \(model.rebuilt.position)) \(model.equal)"
                                : "\(count) \(count == 1 ? model.differs.one : model.differs.many) from the maintained \(model.table) (at position \(compared), caught up to \(model.rebuilt.position)):"
                        )
                        for person in model.rebuilt.differences.prefix(50) { Output.line("  \(person)") }
                        if count > 50 { Output.line("  … and \(count - 50) more") }
                    } else {
                        Output.line("\(model.missing) of this logic version to compare with")
                    }
                    if let again = Self.begunAgain(model.rebuilt.attempts) { Output.line(again) }
                }
            }
            if check && !(report.differences.isEmpty && persons.allSatisfy { $0.rebuilt.differences.isEmpty }) {
                throw ExitCode(ExitStatus.ledgerAltered.rawValue)
            }
        }
    }
}

extension RebuildCommand {
    /// What a rebuild that began more than once says (`nil` for one that began once).
    static func begunAgain(_ attempts: Int) -> String? {
        guard attempts > 1 else { return nil }
        let times = attempts == 2 ? "once" : "\(attempts - 1) times"
        return "begun again \(times): another process caught the model up while it was compared"
    }
}

struct BalancesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balances",
        abstract: "年度ごとの収納状況（balances）：調定額、収納額、未納額、収納率。",
        discussion: """
            Read from the stored balances (one row per person and fiscal year, kept in the ledger file or its \
            PostgreSQL schema and caught up before answering). With --known-at, as the ledger knew it then: \
            from the newest snapshot at or before that position and the deltas after it, with only the persons whose streams changed since the \
            last of them folded again (with --person: that person's stream folded to the position). The collection \
            rate is what was collected over what is owed (assessed less reductions and write-offs; \
            each period counted up to what it owes), truncated to 0.01%. --person shows \
            one person's rows.
            """)

    @OptionGroup var options: LedgerOptions
    @Option(help: "Only this fiscal year.") var fiscalYear: Int?
    @Option(help: "Only this person (their rows).") var person: PersonID?
    @OptionGroup var knownAt: KnownAtOption
    @Flag(help: "Print JSON lines instead of a table.") var json = false

    func validate() throws { _ = try knownAt.value() }

    func run() throws {
        try reporting {
            let answer = try options.run(
                ShowBalances(
                    fiscalYear: try fiscalYear.map { try FiscalYear($0) }, person: person, knownAt: knownAt.knownAt))
            let rows = answer.rows
            let source = answer.source
            if let person {
                printRows(rows)
                if rows.isEmpty { Output.error("\(person): no assessed periods") }
                Output.error("(\(source))")
                return
            }
            var years: [Int: (persons: Int, owing: Int, sum: YearBalance)] = [:]
            for row in rows {
                var entry =
                    years[row.fiscalYear.year] ?? (0, 0, YearBalance(person: row.person, fiscalYear: row.fiscalYear))
                if row.assessed > .zero { entry.persons += 1 }
                if row.outstanding > .zero { entry.owing += 1 }
                entry.sum.assessed += row.assessed
                entry.sum.credited += row.credited
                entry.sum.reduced += row.reduced
                entry.sum.writtenOff += row.writtenOff
                entry.sum.outstanding += row.outstanding
                entry.sum.overpaid += row.overpaid
                entry.sum.lateFeeOutstanding += row.lateFeeOutstanding
                years[row.fiscalYear.year] = entry
            }
            // Collected over what is owed (assessed less reductions and write-offs), each period
            // counted up to what it owes — the simulation's report's "now: collected".
            func rate(_ s: YearBalance) -> String {
                let owed = (s.assessed - s.reduced - s.writtenOff).amount
                guard owed > 0 else { return "-" }
                let basisPoints = (owed - s.outstanding.amount) * 10_000 / owed
                return "\(basisPoints / 100).\(String(format: "%02d", basisPoints % 100))%"
            }
            let ordered = years.keys.sorted()
            if json {
                for year in ordered {
                    let (persons, owing, s) = years[year]!
                    Output.line(
                        JSON.object([
                            ("fiscalYear", "\(year)"), ("persons", "\(persons)"), ("personsOwing", "\(owing)"),
                            ("assessed", "\(s.assessed.amount)"), ("collected", "\(s.credited.amount)"),
                            ("reduced", "\(s.reduced.amount)"), ("writtenOff", "\(s.writtenOff.amount)"),
                            ("outstanding", "\(s.outstanding.amount)"), ("overpaid", "\(s.overpaid.amount)"),
                            ("lateFeesOutstanding", "\(s.lateFeeOutstanding.amount)"),
                            ("collectionRate", JSON.string(rate(s))), ("position", "\(answer.position)"),
                        ]))
                }
                return
            }
            Table.render(
                [
                    "FY", "PERSONS", "OWING", "ASSESSED", "COLLECTED", "REDUCED", "WRITTEN OFF", "OUTSTANDING",
                    "OVERPAID", "LATE FEES", "RATE",
                ],
                ordered.map { year in
                    let (persons, owing, s) = years[year]!
                    return [
                        "\(year)", "\(persons)", "\(owing)", "\(s.assessed.amount)", "\(s.credited.amount)",
                        "\(s.reduced.amount)", "\(s.writtenOff.amount)", "\(s.outstanding.amount)",
                        "\(s.overpaid.amount)", "\(s.lateFeeOutstanding.amount)", rate(s),
                    ]
                }
            ).forEach(Output.line)
            Output.error("(\(source))")
        }
    }

    private func printRows(_ rows: [YearBalance]) {
        if json {
            for r in rows {
                Output.line(
                    JSON.object([
                        ("person", JSON.string(r.person.value)), ("fiscalYear", "\(r.fiscalYear.year)"),
                        ("assessed", "\(r.assessed.amount)"), ("collected", "\(r.credited.amount)"),
                        ("reduced", "\(r.reduced.amount)"), ("writtenOff", "\(r.writtenOff.amount)"),
                        ("outstanding", "\(r.outstanding.amount)"), ("overpaid", "\(r.overpaid.amount)"),
                        ("lateFeesOutstanding", "\(r.lateFeeOutstanding.amount)"), ("openPeriods", "\(r.openPeriods)"),
                        ("dunnedPeriods", "\(r.dunnedPeriods)"),
                        ("oldestOpenDue", r.oldestOpenDue.map { JSON.string($0.description) } ?? "null"),
                    ]))
            }
            return
        }
        Table.render(
            [
                "FY", "ASSESSED", "COLLECTED", "REDUCED", "WRITTEN OFF", "OUTSTANDING", "OVERPAID", "LATE FEES", "OPEN",
                "DUNNED", "OLDEST OPEN DUE",
            ],
            rows.map { r in
                [
                    "\(r.fiscalYear.year)", "\(r.assessed.amount)", "\(r.credited.amount)", "\(r.reduced.amount)",
                    "\(r.writtenOff.amount)", "\(r.outstanding.amount)", "\(r.overpaid.amount)",
                    "\(r.lateFeeOutstanding.amount)", "\(r.openPeriods)", "\(r.dunnedPeriods)",
                    r.oldestOpenDue?.description ?? "-",
                ]
            }
        ).forEach(Output.line)
    }
}

/// A read model of one table keyed by person as `koki rebuild` reports it.
private struct PersonModel {
    var name: String
    /// Whom it folds ("persons", "mandate holders").
    var who: String
    /// What its maintained table is called in a sentence, and how it is said to be equal.
    var table: String
    var equal: String
    /// How its missing table is said.
    var missing: String
    /// How one and many persons' differences are said.
    var differs: (one: String, many: String)
    var rebuilt: PersonTableRebuild
    var seconds: Double
}
