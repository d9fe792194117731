import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// The revenue books (収納・歳入): the accounting year's boundaries (31 March, 31 May, 1 June),
/// 日計 / 月計 / 累計, the collection rates, and — over random histories — every line reconciled
/// with the money the collection accounts hold.
extension CollectionCommandsTests {
    func report(_ year: Int, through: Int64? = nil) throws -> RevenueReport {
        try ledger.revenue(try FiscalYear(year), knownAt: through.map { .position($0) })
    }

    func rows(_ r: RevenueReport, _ line: RevenueBook.Line) -> [String] {
        r.days.filter { $0.line == line }.map {
            "\($0.date) \($0.channel?.rawValue ?? "-") \($0.amount.amount) \($0.monthToDate.amount) \($0.yearToDate.amount)"
        }
    }

    @Test func theAccountingYearTakesItsPeriodsMoneyUntil31MayAndLaterMoneyIsCarriedForward() throws {
        try city(["1"])
        func pay(_ amount: Int64, _ day: String, _ channel: PaymentChannel, _ period: Int) throws -> PaymentReceived {
            try collection.pay(
                id("1"), amount: Yen(amount), paidOn: d(day), learnedOn: d(day), channel: channel, slip: key(period),
                metadata: meta())
        }
        let first = try pay(9_000, "2025-07-25", .counter, 1)
        _ = try pay(8_600, "2026-03-31", .convenienceStore, 2)
        _ = try pay(10_000, "2026-04-01", .counter, 3)  // 8,600 on FY2025/3 (出納整理期間), 1,400 held
        _ = try pay(8_600, "2026-05-31", .bankDebit, 4)
        _ = try pay(8_600, "2026-06-01", .smartphone, 5)  // after the closing: FY2026's 滞納繰越分

        let y2025 = try report(2025)
        #expect(y2025.from == d("2025-04-01") && y2025.through == d("2026-05-31"))
        #expect(
            rows(y2025, .premiumCurrent) == [
                "2025-07-25 counter 9000 9000 9000", "2026-03-31 convenienceStore 8600 8600 8600",
                "2026-04-01 counter 8600 8600 17600", "2026-05-31 bankDebit 8600 8600 8600",
            ])
        #expect(rows(y2025, .premiumCarried).isEmpty && rows(y2025, .held).isEmpty)
        #expect(y2025.months.filter { $0.line == .premiumCurrent && $0.channel == .counter }.map(\.yearToDate) == [Yen(9_000), Yen(17_600)])
        // Every part of the year's payments, summed directly, is the report's received premium.
        let parts = try account("1").payments.flatMap(\.event.parts).filter { $0.accountingYear == fy }
        #expect(parts.map(\.amount).sum() == y2025.total(.premiumCurrent) + y2025.total(.premiumCarried))
        #expect(y2025.total(.premiumCurrent) == Yen(34_800))
        // 34,800 of 77,800 assessed: 44.73 %; the carried rate waits for FY2024's closing.
        #expect(y2025.current.percent == "44.73%" && y2025.current.charged == Yen(77_800))
        #expect(y2025.carried.charged == nil && y2025.carried.percent == "—")
        #expect(y2025.checks.allSatisfy { $0.agrees } && !y2025.checks.isEmpty)

        let y2026 = try report(2026)
        #expect(rows(y2026, .premiumCarried) == ["2026-06-01 smartphone 8600 8600 8600"])
        #expect(rows(y2026, .held) == ["2026-04-01 counter 1400 1400 1400"])
        #expect(rows(y2026, .premiumCurrent).isEmpty)
        #expect(y2026.carried.charged == nil)

        // FY2025 closes with 77,800 − 34,800 owed: FY2026's carried rate is 8,600 of 43,000.
        _ = try ArrearsCommands(ledger).closeYear(fy, on: d("2026-06-01"), metadata: meta())
        let closed = try report(2026)
        #expect(closed.carried.charged == Yen(43_000) && closed.carried.percent == "20.00%")

        // A cancellation after the closing is a correction of FY2026, on its own day.
        try collection.cancel(id("1"), payment: first.id, on: d("2026-06-10"), reason: "recorded twice", metadata: meta())
        let corrected = try report(2026)
        #expect(rows(corrected, .premiumCarried).contains("2026-06-10 counter -9000 -9000 -9000"))
        #expect(try report(2025).total(.premiumCurrent) == Yen(34_800))
        #expect(corrected.checks.allSatisfy { $0.agrees })
        // As the ledger stood before the cancellation, nothing was corrected.
        let before = try report(2026, through: try ledger.store.head().position - 1)
        #expect(rows(before, .premiumCarried) == ["2026-06-01 smartphone 8600 8600 8600"])
        // FY2025 as it stood at its closing: the figures the city reported, whatever came after.
        let closing = try #require(try ledger.closingPosition(of: fy))
        #expect(try ledger.revenue(fy, knownAt: .position(closing)).position == closing)
        #expect(try ledger.closingPosition(of: try FiscalYear(2026)) == nil)
    }

    @Test func overpaymentsAppropriationsAndRefundsAreTheirOwnLines() throws {
        try city(["1"])
        // Two periods paid, the second twice over: the excess is held, appropriated to period 3
        // (due by then), the rest refunded and paid out.
        _ = try collection.pay(
            id("1"), amount: Yen(9_000), paidOn: d("2025-07-25"), learnedOn: d("2025-07-25"), channel: .counter,
            slip: key(1), metadata: meta())
        _ = try collection.pay(
            id("1"), amount: Yen(30_000), paidOn: d("2025-08-20"), learnedOn: d("2025-08-20"), channel: .counter,
            slip: key(2), metadata: meta())
        let settled = try collection.settle(id("1"), on: d("2025-10-10"), rates: .standard, metadata: meta())
        let refund = try #require(settled.refunds.first)
        _ = try collection.payRefund(id("1"), refund: refund.id, on: d("2025-10-20"), heir: nil, metadata: meta())
        let r = try report(2025)
        #expect(r.total(.held) == Yen(21_400))
        #expect(r.total(.appropriatedCurrent) == Yen(8_600))
        #expect(r.total(.refunded) == Yen(12_800) && r.total(.refunded) == refund.amount)
        #expect(r.days.first { $0.line == .refunded }?.date == "2025-10-20")
        #expect(r.total(.appropriatedCurrent) + r.total(.premiumCurrent) == Yen(26_200))
        #expect(r.checks.allSatisfy { $0.agrees })
    }
}

/// The books over random histories: small simulated cities, read as they stood at random
/// positions, against a fold of the collection accounts through the same position.
@Suite struct RevenueReconciliationTests {
    @Test(arguments: [5, 29] as [UInt64])
    func everyLineReconcilesWithTheMoneyTheAccountsHold(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 60, years: 2, seed: seed, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run { _ in }
        let ledger = simulation.ledger
        // On top of the city: a few persons who owe pay twice over on a paid period (held, then
        // appropriated and refunded by the settlement), and some payments are cancelled.
        let collection = CollectionCommands(ledger)
        var dice = SeededGenerator(seed: seed &+ 1)
        let owing = try ledger.replay(CollectionAccounts.self).accounts.filter { $0.value.outstanding > .zero }.keys.sorted()
        let day = try CivilDate(iso: "2026-04-13")
        for (n, person) in owing.shuffled(using: &dice).prefix(8).enumerated() {
            let meta = CommandMetadata(actor: "op-test")
            let paid = try collection.pay(
                person, amount: Yen(Int64.random(in: 1_000...60_000, using: &dice)), paidOn: day, learnedOn: day,
                channel: PaymentChannel.allCases.randomElement(using: &dice)!,
                slip: try collection.load(person).account.periods.keys.min(), metadata: meta)
            if n % 3 == 0 {
                try collection.cancel(person, payment: paid.id, on: day, reason: "recorded in error", metadata: meta)
            }
            _ = try collection.settle(person, on: day, rates: .standard, metadata: CommandMetadata(actor: "op-test"))
        }
        let head = try ledger.store.head().position
        var random = SeededGenerator(seed: seed)
        var sawRefund = false
        var sawAppropriation = false
        for position in (0..<5).map({ _ in Int64.random(in: head / 3...head, using: &random) }) + [head] {
            let book = try ledger.revenueBook(through: position)
            let accounts = try ledger.replay(CollectionAccounts.self, through: position)
            let t = accounts.totals
            func all(_ lines: RevenueBook.Line...) -> Yen { lines.map { book.total($0) }.sum() }
            #expect(all(.premiumCurrent, .premiumCarried, .lateFee, .held) == t.received)
            #expect(
                all(.premiumCurrent, .premiumCarried, .appropriatedCurrent, .appropriatedCarried)
                    - all(.movedOutCurrent, .movedOutCarried) == t.credited)
            #expect(all(.lateFee, .appropriatedLateFee) == t.lateFeesPaid)
            let unpaid = accounts.accounts.values.flatMap(\.refunds).filter { $0.paid == nil && $0.prescribed == nil }
            #expect(
                all(.held, .movedOutCurrent, .movedOutCarried)
                    - all(.appropriatedCurrent, .appropriatedCarried, .appropriatedLateFee, .refunded, .refundPrescribed)
                    == t.openOverpayments + unpaid.map(\.decision.amount).sum())
            #expect(book.refundsDecidedUnpaid == unpaid.map(\.decision.amount).sum())
            var credited: [FiscalYear: Yen] = [:]
            for account in accounts.accounts.values {
                for (key, period) in account.periods { credited[key.fiscalYear, default: .zero] += period.credited }
            }
            #expect(book.creditedByFiscalYear.filter { $0.value != .zero } == credited.filter { $0.value != .zero })
            for year in book.accountingYears {
                let report = try ledger.revenue(year, knownAt: .position(position))
                #expect(report.checks.allSatisfy { $0.agrees }, "FY\(year.year) at \(position)")
                // The days add up to the months, and the months to the year.
                for line in RevenueBook.Line.allCases {
                    let days = report.days.filter { $0.line == line }.map(\.amount).sum()
                    #expect(days == report.months.filter { $0.line == line }.map(\.amount).sum())
                    #expect(days == report.total(line))
                }
            }
            sawRefund = sawRefund || book.total(.refunded) > .zero
            sawAppropriation = sawAppropriation || [.appropriatedCurrent, .appropriatedCarried, .appropriatedLateFee].contains { book.total($0) > .zero }
        }
        #expect(sawRefund && sawAppropriation)
    }
}
