import Benchmark
import Foundation
import KokiDomain
import KokiSimulation

// The simulation's rate, year by year: how fast koki records a city through its own commands,
// and whether that rate holds as histories grow. By default 3,000 insured over ten years
// (KOKI_SIM_INSURED, KOKI_SIM_YEARS change it). The file is held exclusively and its commands
// committed ten thousand at a time (`CitySimulation.commandsPerCommit`), as `koki simulate`
// does. The ceiling is the same rows, as stored, inserted into plain SQLite the same way (a
// savepoint per command, as many commands a transaction, synchronous=OFF), in the same run.

/// Each fiscal year's events and seconds, from the simulation's monthly progress (the months
/// after the last March, up to the last year's closing, are left out: a few days' events).
struct YearRates {
    private(set) var years: [(year: Int, events: Int64, seconds: Double)] = []
    private var last: (events: Int64, at: ContinuousClock.Instant)

    init(started: ContinuousClock.Instant) { last = (0, started) }

    mutating func month(_ progress: CitySimulation.Progress, at now: ContinuousClock.Instant) {
        let year = FiscalYear(containing: progress.day).year
        let elapsed = now - last.at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let events = progress.events - last.events
        last = (progress.events, now)
        if let i = years.firstIndex(where: { $0.year == year }) {
            years[i].events += events
            years[i].seconds += seconds
        } else {
            years.append((year, events, seconds))
        }
    }

    /// The rate of each whole year, in order.
    func rates(whole: Int) -> [Int] {
        years.prefix(whole).map { Int(Double($0.events) / max($0.seconds, 1e-9)) }
    }
}

func simulationBenchmarks() {
    let env = ProcessInfo.processInfo.environment
    let insured = Int(env["KOKI_SIM_INSURED"] ?? "") ?? 3_000
    let years = Int(env["KOKI_SIM_YEARS"] ?? "") ?? 10
    Benchmark(
        "Simulation: \(insured) insured over \(years) years, each year's rate, vs its rows inserted into plain SQLite as many commands a transaction",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("events"), Metric.rate("koki events/s"),
                Metric.rate("first year events/s"), Metric.rate("last year events/s"),
                Metric.cost("last year / first ‰"), Metric.rate("SQLite insert events/s"),
                Metric.cost("koki / insert ‰"),
            ] + (1...max(1, years)).map { Metric.rate("year \($0) events/s") },
            maxIterations: 1)
    ) { benchmark in
        let scratch = Scratch()
        let path = scratch.path("city.ledger")
        let settings = SimulationSettings(insured: insured, years: years, seed: 75)
        let started = ContinuousClock.now
        var rates = YearRates(started: started)
        let events: Int64
        do {
            let simulation = try! CitySimulation.create(at: path, settings: settings, exclusive: true)
            events = try! simulation.run { rates.month($0, at: .now) }.events
        }
        let total = ContinuousClock.now - started
        let kokiSeconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        let yearly = rates.rates(whole: years)

        let commands = PlainSQLite.rowsOf(ledger: path)
        let plain = PlainSQLite(path: scratch.path("plain.sqlite"), synchronous: "OFF")
        let insertSeconds = seconds {
            plain.insert(commands: commands, commandsPerCommit: CitySimulation.commandsPerCommit)
        }
        let rows = commands.map(\.count).reduce(0, +)

        let kokiRate = Double(events) / kokiSeconds
        let insertRate = Double(rows) / insertSeconds
        benchmark.measurement(Metric.cost("events"), Int(events))
        benchmark.measurement(Metric.rate("koki events/s"), Int(kokiRate))
        benchmark.measurement(Metric.rate("first year events/s"), yearly.first ?? 0)
        benchmark.measurement(Metric.rate("last year events/s"), yearly.last ?? 0)
        benchmark.measurement(
            Metric.cost("last year / first ‰"), (yearly.last ?? 0) * 1_000 / max(1, yearly.first ?? 1))
        // Each year's own metric: what a benchmark prints itself does not reach its output.
        for (i, rate) in yearly.enumerated() { benchmark.measurement(Metric.rate("year \(i + 1) events/s"), rate) }
        benchmark.measurement(Metric.rate("SQLite insert events/s"), Int(insertRate))
        benchmark.measurement(Metric.cost("koki / insert ‰"), Int(kokiRate * 1_000 / insertRate))
    }
}
