import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

struct WhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract:
            "Decide every recorded assessment of a year again with today's calculator (and a rate table), and diff.",
        discussion: """
            Each assessment is recomputed from its recorded inputs — the ledger as it stood just before it — and \
            compared with what was recorded: per person and period the old and new figure and the difference, totals, \
            and counts of unchanged / changed / newly failing / no longer insured. A change of the collection \
            method (deduction from the pension started or stopped: the same amount, the periods moved) is no figure \
            to decide and is not listed. The replay reads only the events a decision reads (the register's, the \
            assessments and the year's tables), not the payments and the rest of the collection; on a ledger of \
            more than a million events with its stored register and premiums, only the streams \
            of the year's assessed persons and of their households, 2,000 persons at a time, in memory of a slice \
            whatever the city's size. Nothing is appended, unless --apply: then the table given with --rates is adopted and the year is reassessed \
            through the ordinary annual run, each reassessment recording the --reason (one idempotent run; history \
            is never rewritten).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @OptionGroup var options: LedgerOptions
    @Option(help: "The fiscal year.") var fiscalYear: Int
    @Option(help: ArgumentHelp("A corrected rate table (JSON) to decide with.", valueName: "file")) var rates: String?
    @Option(help: "table, json (JSON lines) or csv.") var format: Format = .table
    @Flag(help: "Only the assessment in force for each person.") var latest = false
    @Flag(help: "Only rows that differ (or fail).") var changedOnly = false
    @Flag(help: "Adopt --rates and reassess the year with the ordinary commands.") var apply = false
    @Option(help: ArgumentHelp("With --apply: the decision date.", valueName: "date")) var decidedOn: CivilDate?
    @Option(help: "With --apply: why (the rule change), recorded on every reassessment.") var reason: String?

    func validate() throws {
        if apply, reason == nil || decidedOn == nil {
            throw ValidationError("--apply needs --decided-on and --reason")
        }
    }

    func run() throws {
        try reporting {
            if apply, let reason, let decidedOn {
                let run = try options.run(
                    ApplyWhatIf(
                        fiscalYear: try FiscalYear(fiscalYear), rates: rates, decidedOn: decidedOn, reason: reason))
                Output.line(
                    "applied: FY\(fiscalYear) \(run.reassessed) reassessed, \(run.unchanged) unchanged, \(run.assessedFirstTime) assessed"
                )
                noteReadModels(run.readModelsNote)
                return
            }
            let report = try options.run(
                WhatIfAssessments(
                    fiscalYear: try FiscalYear(fiscalYear), rates: rates, latest: latest, changedOnly: changedOnly))
            let rows = report.rows
            switch format {
            case .json:
                for r in rows {
                    Output.line(
                        JSON.object([
                            ("person", JSON.string(r.person.value)), ("position", "\(r.position)"),
                            ("decidedOn", JSON.string(r.decidedOn.description)),
                            ("reason", JSON.string(r.reason.rawValue)),
                            ("status", JSON.string(r.status.rawValue)), ("old", "\(r.old.amount)"),
                            ("new", r.new.map { "\($0.amount)" } ?? "null"), ("difference", "\(r.difference.amount)"),
                            (
                                "periods",
                                "["
                                    + r.periods.map {
                                        JSON.object([
                                            ("period", "\($0.period.number)"), ("old", "\($0.old.amount)"),
                                            ("new", "\($0.new.amount)"),
                                        ])
                                    }.joined(separator: ",") + "]"
                            ),
                            ("problem", JSON.optional(r.problem)),
                        ]))
                }
            case .csv:
                Output.line("person,position,decided_on,reason,status,period,old,new,difference")
                for r in rows {
                    Output.line(
                        "\(r.person),\(r.position),\(r.decidedOn),\(r.reason.rawValue),\(r.status.rawValue),,\(r.old.amount),\(r.new.map { "\($0.amount)" } ?? ""),\(r.difference.amount)"
                    )
                    for p in r.periods where p.old != p.new {
                        Output.line(
                            "\(r.person),\(r.position),\(r.decidedOn),\(r.reason.rawValue),\(r.status.rawValue),\(p.period.number),\(p.old.amount),\(p.new.amount),\((p.new - p.old).amount)"
                        )
                    }
                }
            case .table:
                Table.write(
                    ["PERSON", "POSITION", "DECIDED", "REASON", "STATUS", "OLD", "NEW", "DIFF", "PERIODS CHANGED"],
                    rows.lazy.map { r in
                        [
                            r.person.value, "\(r.position)", r.decidedOn.description, r.reason.rawValue,
                            r.status.rawValue,
                            "\(r.old.amount)", r.new.map { "\($0.amount)" } ?? (r.problem ?? "-"),
                            "\(r.difference.amount)",
                            r.periods.filter { $0.old != $0.new }.map {
                                "\($0.period.number): \($0.old.amount)→\($0.new.amount)"
                            }
                            .joined(separator: " "),
                        ]
                    })
            }
            if format != .json {
                Output.error(
                    "FY\(fiscalYear): \(report.assessments) assessments; unchanged \(report.count(.unchanged)), changed \(report.count(.changed)), failing \(report.count(.failing)), not insured \(report.count(.notInsured)); recorded \(report.totalOld.amount), recomputed \(report.totalNew.amount)"
                )
            }
        }
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "How a person's figures for a year came to be: the events, rule versions and every figure.",
        discussion: """
            Each assessment with its position, recording operator and time, reason, calculator version, the rate \
            table's position and the input events it read (type, effective date, operator), and its breakdown. \
            With --period, that period's money: payments and appropriations (positions), notices, late fee bands \
            and prescription steps on --on.
            """)
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The person's address number.") var person: PersonID
    @Option(help: "The fiscal year.") var fiscalYear: Int
    @Option(help: "One period.") var period: Int?
    @Option(
        help: ArgumentHelp("For --period: late fee and prescription on this day (default: today).", valueName: "date"))
    var on: CivilDate?

    func run() throws {
        try reporting {
            try options.run(
                ExplainFigures(person: person, fiscalYear: try FiscalYear(fiscalYear), period: period, on: on)
            ).forEach(
                Output.line)
        }
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Write the ledger as it stood at a position or time into a file every query can open read-only.",
        discussion: """
            The file holds the same events, envelopes and hashes up to that point (it verifies on its own) and is \
            marked as a replay, so commands that append refuse it. It carries the city's read models as they \
            stood then (the stored balances, built for it), so queries on it read rows rather than fold. Point \
            any query at it with --ledger: `koki arrears list --ledger then.ledger --on 2026-03-31`. Sealed identities read as in the ledger \
            (the keys are copied): erasing a person must also cover such files.
            """)
    @OptionGroup var options: LedgerOptions
    @Option(
        help: ArgumentHelp(
            "The last position, or a recorded time (ISO 8601, or a date = 00:00 JST).", valueName: "position|time"))
    var until: String
    @Option(help: ArgumentHelp("The new file.", valueName: "file")) var into: String

    func run() throws {
        try reporting {
            let until: KnownAt =
                try Int64(self.until).map { .position($0) }
                ?? .time(try EventsCommand.parseTime(self.until, option: "--until"))
            // Where the copy goes is the door's to check, after the core checked the operator.
            let written = try options.run(
                WriteReplayCopy.self, preparing: { try OutputFiles.path(into, option: "--into", options: options) },
                { WriteReplayCopy(until: until, into: $0) }
            ).result
            Output.line(
                "replayed through position \(written.position) into \(written.into): \(written.events) events, verify \(written.verified ? "ok" : "FAILED")"
            )
        }
    }
}
