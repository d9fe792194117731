import Benchmark
import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import LedgerStore

/// A city of `persons` with FY2025 assessed on the standard calendar (nine periods, none paid)
/// and a bank-debit mandate each — written as events directly, since only the debit run is timed.
func debitCity(persons: Int, at path: String) throws -> KokiLedger {
    let ledger = KokiLedger(try Ledger.create(at: path, options: .init(synchronous: .normal)))
    let vault = IdentityVault(ledger)
    let fy = try FiscalYear(2025)
    let calendar = InstallmentCalendar.standard(fiscalYear: 2025)
    try ledger.record(
        [.installmentCalendarAdopted(InstallmentCalendarAdopted(calendar: calendar, extraClosedDays: []))],
        metadata: CommandMetadata(actor: "bench"))
    for n in 1...persons {
        let person = try PersonID(String(100_000 + n))
        let annual = Yen(Int64(30_000 + (n * 7_919) % 120_000) / 100 * 100)
        let installments = calendar.installments(for: annual).map {
            Installment(period: $0.period, dueDate: $0.dueDate, amount: $0.amount)
        }
        let account = try BankAccount(
            bankCode: "0005", branchCode: "123", accountType: 1, accountNumber: String(1_000_000 + n),
            holderKana: "ﾏﾂﾄﾞ ﾊﾅｺ")
        try ledger.record(
            [
                .premiumAssessed(
                    PremiumAssessed(
                        person: person, fiscalYear: fy, decidedOn: try CivilDate(iso: "2025-07-10"),
                        annualPremium: annual,
                        installments: installments, ruleVersion: "bench")),
                .debitMandateStarted(
                    DebitMandateStarted(
                        person: person, startsOn: try CivilDate(iso: "2025-07-01"),
                        account: try vault.seal(account, for: person))),
            ], metadata: CommandMetadata(actor: "bench"))
    }
    return ledger
}

let collectionBenchmarks: @Sendable () -> Void = {
    let originator = CollectionCommands.Originator(
        code: "1234567890", name: "ﾏﾂﾄﾞｼ", bankCode: "0001", branchCode: "001", accountType: 1, accountNumber: "1234567")
    let exportRate = Metric.rate("export records/s")
    let importRate = Metric.rate("import records/s")
    let plainRate = Metric.rate("SQLite insert events/s")
    Benchmark(
        "Bank debit for 10,000 payers: write the 全銀 request, import the result (5% failed), vs inserting the same rows in plain SQLite",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, exportRate, importRate, plainRate, Metric.rate("import/SQLite ‰"),
            ],
            maxIterations: 3)
    ) { benchmark in
        benchmark.stopMeasurement()
        let scratch = Scratch()
        let persons = 10_000
        let ledger = try debitCity(persons: persons, at: scratch.path("debit.ledger"))
        let commands = CollectionCommands(ledger)
        let date = try CivilDate(iso: "2025-09-30")
        benchmark.startMeasurement()
        var request: [UInt8] = []
        let exportTime = try seconds {
            request = try commands.exportDebit(on: date, originator: originator, separator: .crlf, actor: "bench").bytes
        }
        var file = try ZenginDebitFile.parse(request)
        precondition(file.records.count == persons)
        for i in file.records.indices where i % 20 == 0 { file.records[i].resultCode = 1 }
        let result = try file.encoded(separator: .crlf, isResult: true)
        let before = try ledger.store.head().position
        let importTime = try seconds {
            _ = try commands.importDebitResult(result, name: "result", learnedOn: date.adding(days: 3), actor: "bench")
        }
        benchmark.stopMeasurement()
        // The same rows, inserted in one plain SQLite transaction.
        var rows: [StreamName: [Workload.Row]] = [:]
        var order: [StreamName] = []
        var query = EventQuery.from(position: before + 1)
        query.throughPosition = nil
        try ledger.store.forEachEvent(query) { view in
            if rows[view.stream] == nil { order.append(view.stream) }
            rows[view.stream, default: []].append(
                Workload.Row(type: view.type, schemaVersion: view.schemaVersion, payload: Array(view.payload)))
        }
        let workload = Workload(name: "debit", streams: order.map { ($0, rows[$0]!) })
        let plain = PlainSQLite(path: scratch.path("plain.sqlite"), synchronous: "NORMAL")
        let plainTime = seconds { plain.insert(workload, oneTransaction: true) }
        benchmark.measurement(exportRate, Int(Double(persons) / exportTime))
        benchmark.measurement(importRate, Int(Double(persons) / importTime))
        benchmark.measurement(plainRate, Int(Double(workload.eventCount) / plainTime))
        benchmark.measurement(Metric.rate("import/SQLite ‰"), Int(1000 * plainTime / importTime))
    }
}
