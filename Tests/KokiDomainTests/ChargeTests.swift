import KokiDomain
import KokiTestSupport
import Testing

/// Late fees and refund interest: the worked examples of collection-and-arrears.md §2.5 and §3.3,
/// and the rules' boundaries.
@Suite struct ChargeTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    let rates = ChargeRates.standard
    var threeMonths: ChargeRates { try! ChargeRates(reducedWindowMonths: 3, years: rates.years) }

    @Test func windowEnds() {
        #expect(d("2025-08-01").endOfMonths(1) == d("2025-08-31"))
        #expect(d("2025-02-01").endOfMonths(1) == d("2025-02-28"))
        #expect(d("2024-02-01").endOfMonths(1) == d("2024-02-29"))
        #expect(d("2025-03-31").endOfMonths(1) == d("2025-04-30"))
        #expect(d("2025-08-01").endOfMonths(3) == d("2025-10-31"))
        #expect(d("2025-11-15").endOfMonths(3) == d("2026-02-14"))
        #expect(d("2025-01-31").adding(months: 1) == d("2025-02-28"))
        #expect(d("2024-01-31").adding(months: 1) == d("2024-02-29"))
        #expect(d("2025-11-30").adding(months: 3) == d("2026-02-28"))
        #expect(d("2025-12-15").adding(months: 1) == d("2026-01-15"))
    }

    @Test func exampleA() throws {
        let a1 = try LateFee.calculate(
            principal: Yen(15_000), dueDate: d("2025-07-31"),
            payments: [.init(paidOn: d("2025-12-15"), amount: Yen(15_000))],
            through: d("2026-03-31"), rates: rates)
        #expect(a1.bands.map(\.days) == [31, 106])
        #expect(a1.bands.map(\.amount) == [Yen(30), Yen(378)])
        #expect(a1.sum == Yen(408))
        #expect(a1.fee == .zero)
        #expect(a1.paidOff && a1.through == d("2025-12-15"))
        let a2 = try LateFee.calculate(
            principal: Yen(15_000), dueDate: d("2025-07-31"),
            payments: [.init(paidOn: d("2025-12-15"), amount: Yen(15_000))],
            through: d("2025-12-15"), rates: threeMonths)
        #expect(a2.bands.map(\.days) == [92, 45])
        #expect(a2.fee == .zero)
    }

    /// 徴収猶予 (地方税法 第15条の9 第1項): the deferred days are bands of their own, charged half
    /// (each band cut to the yen, then halved and cut again) or nothing; the days around are not
    /// touched, and a relief outside the days counted changes nothing.
    @Test func aDeferralHalvesOrWaivesTheFeeOfItsDays() throws {
        let paid = [LateFee.Payment(paidOn: d("2025-12-15"), amount: Yen(150_000))]
        func fee(_ relief: [LateFee.Relief]) throws -> LateFee {
            try LateFee.calculate(
                principal: Yen(150_000), dueDate: d("2025-07-31"), payments: paid, through: d("2025-12-15"),
                rates: rates, relief: relief)
        }
        let plain = try fee([])
        #expect(plain.bands.map(\.amount) == [Yen(305), Yen(3_789)])
        #expect(plain.fee == Yen(4_000))
        let deferred = [LateFee.Relief(from: d("2025-08-01"), through: d("2025-09-30"), share: .halved)]
        let halved = try fee(deferred)
        // 150,000 × 2.4% × 31/365 = 305 → 152; × 8.7% × 30/365 = 1,072 → 536; × 8.7% × 76/365 = 2,717.
        #expect(halved.bands.map(\.days) == [31, 30, 76])
        #expect(halved.bands.map(\.relief) == [.halved, .halved, nil])
        #expect(halved.bands.map(\.amount) == [Yen(152), Yen(536), Yen(2_717)])
        #expect(halved.fee == Yen(3_400))
        let waived = try fee(deferred.map { LateFee.Relief(from: $0.from, through: $0.through, share: .waived) })
        #expect(waived.bands.map(\.amount) == [.zero, .zero, Yen(2_717)])
        #expect(waived.fee == Yen(2_700))
        // Overlapping reliefs: the larger wins; a relief after the payoff, or empty, changes nothing.
        let both = try fee(deferred + [LateFee.Relief(from: d("2025-09-01"), through: d("2025-09-30"), share: .waived)])
        #expect(both.bands.map(\.amount) == [Yen(152), .zero, Yen(2_717)])
        let outside = try fee([
            LateFee.Relief(from: d("2026-01-05"), through: d("2026-03-31"), share: .waived),
            LateFee.Relief(from: d("2025-10-10"), through: d("2025-10-09"), share: .waived),
        ])
        #expect(outside.bands == plain.bands && outside.fee == plain.fee)
        // Before the due date a deferral has no days to relieve.
        let early = try fee([LateFee.Relief(from: d("2025-07-01"), through: d("2025-07-31"), share: .waived)])
        #expect(early.fee == plain.fee)
    }

    @Test func exampleBCrossesARateChange() throws {
        let paid = [LateFee.Payment(paidOn: d("2026-03-16"), amount: Yen(50_000))]
        let b = try LateFee.calculate(
            principal: Yen(50_000), dueDate: d("2025-07-31"), payments: paid, through: d("2026-03-16"), rates: rates)
        #expect(b.bands.map(\.days) == [31, 122, 75])
        #expect(b.bands.map(\.rate.description) == ["2.40%", "8.70%", "9.10%"])
        #expect(b.bands.map(\.amount) == [Yen(101), Yen(1_453), Yen(934)])
        #expect(b.fee == Yen(2_400))
        let b3 = try LateFee.calculate(
            principal: Yen(50_000), dueDate: d("2025-07-31"), payments: paid, through: d("2026-03-16"),
            rates: threeMonths)
        #expect(b3.bands.map(\.days) == [92, 61, 75])
        #expect(b3.fee == Yen(1_900))
    }

    @Test func exampleCPartialPaymentsReduceTheBaseFromTheNextDay() throws {
        let c = try LateFee.calculate(
            principal: Yen(50_000), dueDate: d("2025-07-31"),
            payments: [
                .init(paidOn: d("2025-10-15"), amount: Yen(20_000)),
                .init(paidOn: d("2026-01-20"), amount: Yen(30_000)),
            ],
            through: d("2026-12-31"), rates: rates)
        #expect(c.bands.map(\.days) == [31, 45, 77, 20])
        #expect(c.bands.map(\.base) == [Yen(50_000), Yen(50_000), Yen(30_000), Yen(30_000)])
        #expect(c.bands.map(\.amount) == [Yen(101), Yen(536), Yen(550), Yen(149)])
        #expect(c.fee == Yen(1_300))
        #expect(c.through == d("2026-01-20") && c.paidOff)
    }

    @Test func accruedToDateWhileUnpaid() throws {
        let open = try LateFee.calculate(
            principal: Yen(50_000), dueDate: d("2025-07-31"), payments: [], through: d("2025-12-31"), rates: rates)
        #expect(!open.paidOff)
        #expect(open.through == d("2025-12-31"))
        #expect(open.fee == Yen(1_500))  // 101 + 1,453
    }

    @Test func thresholds() throws {
        // Under 2,000 yen nothing accrues; the base is cut to 1,000 yen.
        let small = try LateFee.calculate(
            principal: Yen(1_999), dueDate: d("2024-07-31"), payments: [], through: d("2026-07-31"), rates: rates)
        #expect(small.bands.isEmpty && small.fee == .zero)
        let cut = try LateFee.calculate(
            principal: Yen(100_999), dueDate: d("2025-07-31"), payments: [], through: d("2025-08-31"), rates: rates)
        #expect(cut.bands.map(\.base) == [Yen(100_000)])
        // Integer arithmetic: 100,000 × 14.6% × 31 / 365 is exactly 1,240.
        let exact = try LateFee.calculate(
            principal: Yen(100_000), dueDate: d("2025-07-31"), payments: [], through: d("2025-08-31"),
            rates: try ChargeRates(
                years: [.init(year: 2025, firstWindow: Rate(1_460, per: 10_000), afterWindow: .zero, refund: .zero)]))
        #expect(exact.sum == Yen(1_240) && exact.fee == Yen(1_200))
        // A partial payment leaving under 2,000 yen stops the accrual.
        let stop = try LateFee.calculate(
            principal: Yen(50_000), dueDate: d("2025-07-31"),
            payments: [.init(paidOn: d("2025-08-10"), amount: Yen(48_500))],
            through: d("2025-12-31"), rates: rates)
        #expect(stop.bands.count == 1 && stop.bands[0].through == d("2025-08-10"))
        // Paid by the due date: nothing.
        let onTime = try LateFee.calculate(
            principal: Yen(50_000), dueDate: d("2025-07-31"),
            payments: [.init(paidOn: d("2025-07-31"), amount: Yen(50_000))],
            through: d("2025-12-31"), rates: rates)
        #expect(onTime.bands.isEmpty && onTime.paidOff)
    }

    @Test func aYearOutsideTheTableIsNamed() {
        #expect(throws: DomainError.self) {
            try LateFee.calculate(
                principal: Yen(50_000), dueDate: d("2026-11-30"), payments: [], through: d("2027-02-01"), rates: rates)
        }
    }

    @Test func feeIsMonotoneInDaysAndPrincipal() throws {
        var g = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let principal = Yen(Int64.random(in: 0...300_000, using: &g))
            let due = d("2021-01-31").adding(days: Int.random(in: 0...1_500, using: &g))
            let through = due.adding(days: Int.random(in: 0...700, using: &g))
            guard through.year <= 2026 else { continue }
            let fee = try LateFee.calculate(
                principal: principal, dueDate: due, payments: [], through: through, rates: rates)
            let later = try LateFee.calculate(
                principal: principal, dueDate: due, payments: [],
                through: min(through.adding(days: 30), d("2026-12-31")),
                rates: rates)
            let more = try LateFee.calculate(
                principal: principal + Yen(1_000), dueDate: due, payments: [], through: through, rates: rates)
            #expect(later.sum >= fee.sum && more.sum >= fee.sum)
            #expect(fee.bands.map(\.days).reduce(0, +) == (principal >= Yen(2_000) ? due.days(until: through) : 0))
            #expect(fee.fee.amount % 100 == 0 && (fee.fee == .zero || fee.fee >= Yen(1_000)) && fee.fee <= fee.sum)
        }
    }

    @Test func refundInterestExample() throws {
        // §3.3: 100,000 yen from 2025-08-01 to 2026-06-30 = 153 days at 0.9% + 181 at 1.3% → 1,000 yen.
        let r = try RefundInterest.calculate(
            amount: Yen(100_000), cause: .overpaid, arose: d("2025-07-31"), end: d("2026-06-30"), rates: rates)
        #expect(r.start == d("2025-08-01"))
        #expect(r.bands.map(\.days) == [153, 181])
        #expect(r.bands.map(\.amount) == [Yen(377), Yen(644)])
        #expect(r.interest == Yen(1_000))
        // 12,000 yen over 132 days at 0.9% is 39 yen → nothing.
        let small = try RefundInterest.calculate(
            amount: Yen(12_000), cause: .overpaid, arose: d("2025-03-01"), end: d("2025-07-11"), rates: rates)
        #expect(small.bands.map(\.days) == [132] && small.sum == Yen(39) && small.interest == .zero)
    }

    @Test func erroneousPaymentsStartAMonthLater() throws {
        let r = try RefundInterest.calculate(
            amount: Yen(100_000), cause: .erroneous, arose: d("2025-07-31"), end: d("2026-06-30"), rates: rates)
        // Counted from 08-01, a month elapses on 08-31; interest from 09-01.
        #expect(r.start == d("2025-09-01"))
        #expect(r.bands.map(\.days) == [122, 181])
        let none = try RefundInterest.calculate(
            amount: Yen(100_000), cause: .erroneous, arose: d("2025-07-31"), end: d("2025-08-20"), rates: rates)
        #expect(none.bands.isEmpty && none.interest == .zero)
    }

    @Test func unclaimedDaysAreExcluded() throws {
        let r = try RefundInterest.calculate(
            amount: Yen(500_000), cause: .overpaid, arose: d("2025-01-31"), end: d("2025-12-31"),
            noticeOn: d("2025-03-01"), claimedOn: d("2025-06-30"), rates: rates)
        #expect(r.excluded == d("2025-04-01")...d("2025-06-30"))
        #expect(r.bands.map(\.days) == [59, 184])
        #expect(r.bands.map(\.from) == [d("2025-02-01"), d("2025-07-01")])
    }

    @Test func fiscalClosing() throws {
        let fy = try FiscalYear(2024)
        #expect(FiscalClosing.accountingYear(periodOf: fy, paidOn: d("2025-05-31")) == (fy, false))
        let (year, carried) = FiscalClosing.accountingYear(periodOf: fy, paidOn: d("2025-06-01"))
        #expect(year == (try FiscalYear(2025)) && carried)
        #expect(FiscalClosing.accountingYear(periodOf: fy, paidOn: d("2024-03-20")) == (fy, false))
    }

    @Test func allocation() throws {
        let fy = try FiscalYear(2025)
        func k(_ p: Int) -> PeriodKey { PeriodKey(fy, try! PeriodNumber(p)) }
        let open = [
            PaymentAllocation.Open(key: k(2), dueDate: d("2025-08-31"), outstanding: Yen(5_000)),
            PaymentAllocation.Open(key: k(1), dueDate: d("2025-07-31"), outstanding: Yen(3_000)),
            PaymentAllocation.Open(key: k(3), dueDate: d("2025-09-30"), outstanding: Yen(5_000)),
        ]
        let unspecified = PaymentAllocation.allocate(Yen(9_000), to: nil, open: open)
        #expect(unspecified.parts.map(\.0) == [k(1), k(2), k(3)])
        #expect(unspecified.parts.map(\.2) == [Yen(3_000), Yen(5_000), Yen(1_000)])
        #expect(unspecified.left == .zero)
        let named = PaymentAllocation.allocate(Yen(9_000), to: k(3), open: open)
        #expect(named.parts.map(\.0) == [k(3)] && named.left == Yen(4_000))
        let nothing = PaymentAllocation.allocate(Yen(9_000), to: k(4), open: open)
        // Premiums before late fees, whatever their dates.
        let withFee =
            open + [
                PaymentAllocation.Open(key: k(1), charge: .lateFee, dueDate: d("2025-07-31"), outstanding: Yen(1_000))
            ]
        let both = PaymentAllocation.allocate(Yen(14_000), to: nil, open: withFee)
        #expect(both.parts.map(\.1) == [.premium, .premium, .premium, .lateFee])
        #expect(both.parts.last?.2 == Yen(1_000) && both.left == .zero)
        let fee = PaymentAllocation.allocate(Yen(1_500), to: k(1), charge: .lateFee, open: withFee)
        #expect(fee.parts.map(\.2) == [Yen(1_000)] && fee.left == Yen(500))
        #expect(nothing.parts.isEmpty && nothing.left == Yen(9_000))
    }
}
