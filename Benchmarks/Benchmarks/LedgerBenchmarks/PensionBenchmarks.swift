import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiReadModels
import LedgerStore

// The pension selection of a year (特徴対象者, `koki pension selection`) in a fresh process: the
// stored premiums' rows of the year, then only those persons' assessments and register heads —
// beside the same list read from the city folded in memory, which every pension run did before.
// On a copy of the city fixture.
func pensionBenchmarks() {
    Benchmark(
        "City: the pension selection of a year from the stored premiums in a fresh process, vs the city folded",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("premiums built from zero ms"),
                Metric.cost("selection from the premiums ms"), Metric.cost("selection from the city fold ms"),
                Metric.cost("persons"),
            ], maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        _ = fixture.copy(into: scratch)
        let path = scratch.path("copy.ledger")
        func fresh() throws -> KokiLedger { KokiLedger(try Ledger.open(at: path, options: .init(synchronous: .normal))) }
        let built = try seconds { try StoredPremiums(try fresh().ports).catchUp() }
        let fy = fixture.lastFiscalYear
        var stored: [ListPensionSelection.Row]?
        let storedTime = try seconds { stored = try ListPensionSelection.stored(try fresh(), fy) }
        var folded: [ListPensionSelection.Row] = []
        let foldedTime = try seconds { folded = try ListPensionSelection.folded(try fresh(), fy) }
        precondition(stored == folded && !folded.isEmpty, "the selection differs")
        benchmark.measurement(Metric.cost("premiums built from zero ms"), Int(built * 1000))
        benchmark.measurement(Metric.cost("selection from the premiums ms"), Int(storedTime * 1000))
        benchmark.measurement(Metric.cost("selection from the city fold ms"), Int(foldedTime * 1000))
        benchmark.measurement(Metric.cost("persons"), folded.count)
    } setup: {
        _ = CityFixture.shared
    }
}
