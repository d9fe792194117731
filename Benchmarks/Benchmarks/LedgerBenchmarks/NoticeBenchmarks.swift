import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiNotices
import KokiSimulation
import LedgerStore

// The year's payment notices for the whole city: built from the ledger (assessments and
// identities), written as print data, rendered to HTML for a thousand of them, recorded as
// documents; beside it, in the same run, a plain SQLite scan of every row of the ledger.
func noticeBenchmarks() {
    Benchmark(
        "City: the year's payment notices — build, print data, 1,000 pages, record — vs a plain scan of the ledger",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, Metric.cost("notices"), Metric.cost("build ms"),
                Metric.cost("print data ms"), Metric.cost("print data bytes"), Metric.cost("1,000 pages ms"),
                Metric.cost("record ms"), Metric.cost("SQLite scan ms"), Metric.rate("build+print+record/scan ‰"),
                Metric.cost("reissue one p50 µs"),
            ],
            maxIterations: 1)
    ) { benchmark in
        let fixture = CityFixture.shared
        let scratch = Scratch()
        let koki = fixture.copy(into: scratch)
        let notices = Notices(koki)
        try notices.adopt(
            NoticeSettings(
                city: "松戸市", issuer: "松戸市長", department: "国民健康保険課", address: "千葉県松戸市根本387-5",
                phone: "047-366-1111", barcodeIssuer: "912345"),
            metadata: CommandMetadata(actor: "bench"))
        let position = try koki.store.head().position
        let date = try CivilDate(year: fixture.lastFiscalYear.year, month: 7, day: 15)
        var built: [Notice] = []
        let build = try nanoseconds {
            built = try notices.paymentNotices(fiscalYear: fixture.lastFiscalYear, on: date, at: position)
        }
        precondition(!built.isEmpty)
        var bytes: [UInt8] = []
        let print = try nanoseconds {
            bytes = try PrintData.file(built, kind: .payment, format: .csv, encoding: .utf8)
        }
        let renderer = try NoticeRenderer()
        let pages = try nanoseconds { for notice in built.prefix(1_000) { blackHole(try renderer.html(notice)) } }
        let record = try nanoseconds {
            try notices.record(built, run: PrintData.sha256(bytes), metadata: CommandMetadata(actor: "bench"))
        }
        var g = SplitMix64(seed: 5)
        let reissues = try (0..<200).map { _ in
            let number = built[Int(g.next(below: UInt64(built.count)))].number
            return try nanoseconds { blackHole(try notices.rebuild(number)) }
        }
        let scan = Int(fixture.scanSeconds() * 1e9)
        func ms(_ ns: Int) -> Int { ns / 1_000_000 }
        benchmark.measurement(.custom("notices"), built.count)
        benchmark.measurement(.custom("build ms"), ms(build))
        benchmark.measurement(.custom("print data ms"), ms(print))
        benchmark.measurement(.custom("print data bytes"), bytes.count)
        benchmark.measurement(.custom("1,000 pages ms"), ms(pages))
        benchmark.measurement(.custom("record ms"), ms(record))
        benchmark.measurement(.custom("SQLite scan ms"), ms(scan))
        benchmark.measurement(.custom("build+print+record/scan ‰"), (build + print + record) * 1_000 / max(scan, 1))
        benchmark.measurement(.custom("reissue one p50 µs"), percentile(reissues, 50) / 1_000)
    }
}
