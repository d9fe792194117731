import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiSimulation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Record a synthetic city, day by day, through koki's own commands; then report on it.",
        discussion: """
            Creates a new ledger and lives a city through whole fiscal years (April–March, ending with the \
            last year's closing on 31 May): residents reaching 75 on their birthdays, moving in and out, \
            dying, certified disabled; households of one to four; incomes with most pensioners under 2 \
            million yen and a long tail, imported as the tax system's file each June (corrections in October \
            and May); the union's decisions imported and reconciled each August; rate tables and calendars; the annual assessment in July and \
            reassessments; pension deduction for most, bank debit and convenience-store files for the rest, \
            with failed debits and late and chronic payers; dunning 20 days after each due date, quarterly \
            reminders, contacts and installment plans (kept and broken), reductions, refunds (to heirs), \
            prescription and write-offs, and year closings.

            Every fact enters through the commands staff use (never by writing events), with the simulated \
            day as the ledger's clock and keys drawn from the seed: the same arguments give the same \
            ledger, byte for byte (the same head hash). Names and addresses are made of syllables and \
            marked 模擬; nothing is real personal data. The ledger is written without fsync (a simulated \
            city is made again, never recovered) and must not exist yet; its commands are committed ten \
            thousand at a time, each still all or nothing, so one stopped midway keeps whole commands only. \
            The commands are written on a second thread while the simulation decides the next, so it uses \
            two cores. It starts itself again at once with its memory on huge pages (GLIBC_TUNABLES \
            glibc.malloc.hugetlb=1, where the system gives them on request; a glibc.malloc.hugetlb setting \
            of your own, 0 to turn them off, is kept). \
            While the simulation runs the file is its alone: another koki that opens it waits the busy \
            timeout (30 s), then exits 5 (locked). The simulation holds the city in memory and takes each \
            person it loads from it: Matsudo's size (70,000 insured) holds about 1 GB of memory of its own for \
            two years and 2.6 GB for ten (4.2 GB resident with the file's pages); ten times Matsudo \
            (--insured 700000) took about 11 GB for two years when last measured (38 minutes).

            Progress goes to standard error: a bar with the rate and time left on a terminal, one line \
            per simulated month otherwise. Then the report: the city, each fiscal year's assessed premium \
            and collection rate at its closing, arrears by age and the largest delinquencies at the end, \
            one person's history, and the verification of the hash chain.
            """
    )

    @OptionGroup var options: LedgerOptions

    @Option(help: "Insured persons when the simulation starts.")
    var insured: Int = 3_000

    @Option(help: "Fiscal years to simulate.")
    var years: Int = 3

    @Option(help: "Seed: the same seed and settings give the same ledger.")
    var seed: UInt64 = 75

    @Option(
        name: .customLong("first-year"),
        help: "The first fiscal year (default: so that the last is FY\(SimulationSettings.defaultLastFiscalYear)).")
    var firstYear: Int?

    @Flag(help: "Print no progress.")
    var quiet = false

    func validate() throws {
        guard (1...1_000_000).contains(insured) else { throw ValidationError("--insured \(insured) must be 1…1000000") }
        guard (1...30).contains(years) else { throw ValidationError("--years \(years) must be 1…30") }
        if let firstYear, !(2008...2090).contains(firstYear) {
            throw ValidationError("--first-year \(firstYear) must be 2008…2090 (the system began in FY2008)")
        }
    }

    func run() throws {
        try reporting {
            let settings = SimulationSettings(insured: insured, years: years, seed: seed, firstFiscalYear: firstYear)
            let simulation = try CitySimulation.create(at: options.ledgerPath, settings: settings, exclusive: true)
            Output.error(
                "simulating \(insured) insured over FY\(settings.firstFiscalYear)–FY\(settings.lastFiscalYear) (seed \(seed)) into \(options.ledgerPath)"
            )
            let meter = ProgressMeter(quiet: quiet)
            let report = try simulation.run { meter.show($0) }
            meter.finish()
            let seconds = meter.elapsed
            Output.line(
                "simulated \(report.events) events in \(String(format: "%.1f", seconds)) s (\(Int(Double(report.events) / max(seconds, 0.001))) events/s): \(report.residents) residents, \(report.joined) joined during the run, \(report.deaths) died, \(report.movedOut) moved out"
            )
            Output.line(
                "  \(report.files) files imported, \(report.provisionalDeductions) provisional deductions decided, \(report.pensionNotices) persons told to the pension insurers (\(report.pensionStarts) new starters, \(report.pensionStops) stopped), \(report.switches) switches to bank debit, \(report.mandatesRefused) debit applications refused by the bank, \(report.prepayments) choosing 全期前納, \(report.payments) payments, \(report.reassessments) reassessments, \(report.dunningNotices) dunning notices, \(report.reminders) reminders, \(report.plans) plans, \(report.deferrals) deferments, \(report.reductions) reductions, \(report.refunds) refunds paid, \(report.writeOffs) write-offs, \(report.unionDecisions) decisions of the union reconciled (\(report.unionDifferences) differences)"
            )
            for line in try CityReport.lines(simulation.ledger, closing: settings.end) { Output.line(line) }
            try VerifiedChain.print(simulation.ledger.store)
            simulation.leaveCityToExit()
        }
    }
}

/// Progress on standard error: a redrawn bar on a terminal, plain lines otherwise.
final class ProgressMeter {
    let quiet: Bool
    let terminal = isatty(2) == 1
    let started = Date()
    var drawn = false

    init(quiet: Bool) { self.quiet = quiet }

    var elapsed: Double { Date().timeIntervalSince(started) }

    func show(_ p: CitySimulation.Progress) {
        guard !quiet else { return }
        let seconds = elapsed
        let rate = Int(Double(p.events) / max(seconds, 0.001))
        let left = p.monthsDone == 0 ? 0 : Int(seconds * Double(p.monthsTotal - p.monthsDone) / Double(p.monthsDone))
        let eta = String(format: "%d:%02d", left / 60, left % 60)
        let month = String(String(describing: p.day).prefix(7))
        if terminal {
            let width = 30
            let filled = width * p.monthsDone / max(p.monthsTotal, 1)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(
                Data(
                    "\r\(bar) \(p.monthsDone)/\(p.monthsTotal) months  \(month)  \(p.events) events  \(rate) ev/s  \(p.insured) insured  \(eta) left \u{1B}[K"
                        .utf8))
            drawn = true
        } else {
            Output.error(
                "\(month): \(p.monthsDone)/\(p.monthsTotal) months, \(p.events) events, \(rate) events/s, \(p.insured) insured, about \(eta) left"
            )
        }
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
