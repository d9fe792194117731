import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

/// Final late fees owed and paid, installment plans kept and broken, reductions, seizures,
/// write-off at prescription followed by a payment, and the fiscal-year closing.
@Suite struct ArrearsDecisionsTests {
    let base = try! ArrearsCommandsTests()
    var ledger: KokiLedger { base.ledger }
    var collection: CollectionCommands { base.collection }
    var arrears: ArrearsCommands { base.arrears }
    func d(_ text: String) -> CivilDate { base.d(text) }
    func id(_ text: String) -> PersonID { base.id(text) }
    func key(_ period: Int) -> PeriodKey { base.key(period) }
    func meta() -> CommandMetadata { base.meta() }
    func account(_ number: String) throws -> CollectionAccounts.Account { try base.account(number) }

    /// The rate table extended to 2029, so late fees and prescription can be followed for years.
    func settings(planGraceDays: Int = 30) throws -> ArrearsSettings {
        let rates = try ChargeRates(
            years: ChargeRates.standard.years
                + (2027...2029).map {
                    ChargeRates.Year(
                        year: $0, firstWindow: try Rate(percent: "2.8"), afterWindow: try Rate(percent: "9.1"),
                        refund: try Rate(percent: "1.3"))
                })
        return try ArrearsSettings(chargeRates: rates, planGraceDays: planGraceDays)
    }

    func pay(_ number: String, _ amount: Yen, on date: String, slip: PeriodKey? = nil, charge: Charge = .premium) throws
        -> PaymentReceived
    {
        try collection.pay(
            id(number), amount: amount, paidOn: d(date), learnedOn: d(date), channel: .counter, slip: slip,
            slipCharge: charge, metadata: meta())
    }

    @Test func aLatePaymentFinalizesTheLateFeeWhichIsThenOwedAndPaid() throws {
        try base.city([("1", 10_000_000)])
        try arrears.adoptSettings(try settings(), metadata: meta())
        let period = try #require(try account("1").periods[key(1)])
        let expected = try LateFee.calculate(
            principal: period.assessed, dueDate: period.dueDate,
            payments: [.init(paidOn: d("2026-03-16"), amount: period.assessed)],
            through: d("2026-03-16"), rates: try settings().chargeRates)
        #expect(expected.fee > .zero)
        try pay("1", period.assessed, on: "2026-03-16", slip: key(1))
        var a = try account("1")
        #expect(a.lateFees.map(\.fee) == [expected.fee])
        #expect(a.periods[key(1)]?.lateFeeOutstanding == expected.fee)
        // Unspecified money pays premiums first (本税優先), then late fees.
        let owedPremiums = a.outstanding
        let p = try pay("1", owedPremiums + expected.fee, on: "2026-03-20")
        #expect(p.parts.last?.charge == .lateFee && p.parts.last?.amount == expected.fee)
        a = try account("1")
        #expect(a.periods[key(1)]?.lateFeeOutstanding == .zero)
        #expect(try CitySnapshot(ledger).collection.moneyIsConserved)
        // A slip for the late fee pays only it; money beyond is an overpayment.
        let extra = try pay("1", Yen(500), on: "2026-03-21", slip: key(1), charge: .lateFee)
        #expect(extra.parts.isEmpty && extra.overpaid == Yen(500))
    }

    /// A store's file decides each payment on what the lines before it paid: a payment on time
    /// is recorded as it is (and folded only when the file names the person again), a late one
    /// that pays its period off makes the late fee final, and a second slip for a period the
    /// file already paid is an overpayment, not a second payment of the period.
    @Test func aStoreFileDecidesEachPaymentOnWhatItsLinesBeforePaid() throws {
        try base.city([("1", 10_000_000)])
        try arrears.adoptSettings(try settings(), metadata: meta())
        let before = try account("1")
        let (early, late) = (try #require(before.periods[key(1)]), try #require(before.periods[key(6)]))
        let paidOn = d("2025-12-20")
        #expect(early.dueDate < paidOn && paidOn <= late.dueDate)
        let slip6 = try collection.slipBarcode(id("1"), key: key(6), issuer: "912345").description
        let again6 = try collection.slipBarcode(id("1"), key: key(6), issuer: "912345", reissue: 1).description
        let slip1 = try collection.slipBarcode(id("1"), key: key(1), issuer: "912345").description
        let file = """
            kind,paid_on,store,barcode
            final,\(paidOn),001,\(slip6)
            final,\(paidOn),002,\(slip1)
            final,\(paidOn),003,\(again6)
            """
        let summary = try collection.importConvenience(
            Array(file.utf8), name: "cvs.csv", learnedOn: d("2025-12-23"), actor: "b")
        #expect(summary.payments == 3 && summary.duplicates.isEmpty)
        let after = try account("1")
        #expect(after.periods[key(6)]?.paid == late.assessed && after.periods[key(6)]?.outstanding == .zero)
        #expect(after.periods[key(1)]?.outstanding == .zero)
        #expect(after.payments.last?.event.overpaid == late.assessed)
        let expected = try LateFee.calculate(
            principal: early.assessed, dueDate: early.dueDate,
            payments: [.init(paidOn: paidOn, amount: early.assessed)], through: paidOn, rates: try settings().chargeRates)
        #expect(expected.fee > .zero)
        #expect(after.lateFees.map(\.key) == [key(1)] && after.lateFees.map(\.fee) == [expected.fee])
        #expect(try CitySnapshot(ledger).collection.moneyIsConserved)
    }

    /// A plan's payment days are the office's days: one on a closed day moves to the next open one.
    @Test func aPlansPaymentDaysFallOnBusinessDays() throws {
        let schedule = try ArrearsCommands.schedule(total: Yen(60_000), count: 6, first: d("2025-11-30"))
        // 11-30 Sunday → 12-01; 12-30 closure → 2026-01-05; 01-30 Friday; 03-02 (02-28 is a Saturday)…
        #expect(
            schedule.map(\.on)
                == ["2025-12-01", "2026-01-05", "2026-01-30", "2026-03-02", "2026-03-30", "2026-04-30"].map(d))
        #expect(schedule.map(\.amount).sum() == Yen(60_000))
        let calendar = BusinessCalendar()
        #expect(schedule.allSatisfy { calendar.isBusinessDay($0.on) })
    }

    @Test func aPlanKeptThenBroken() throws {
        try base.city([("1", 2_000_000)])
        try arrears.adoptSettings(try settings(planGraceDays: 10), metadata: meta())
        let owed = try account("1").periods.filter { $0.value.dueDate < d("2025-11-01") }.map(\.value.outstanding)
            .sum()
        let schedule = try ArrearsCommands.schedule(total: owed, count: 3, first: d("2025-11-15"))
        let plan = try arrears.recordPlan(
            id("1"), on: d("2025-11-01"), periods: nil, includesLateFees: false, schedule: schedule, pledge: true,
            metadata: meta())
        #expect(plan.periods == [key(1), key(2), key(3), key(4)])
        // The pledge acknowledges the debt: prescription runs from the next day.
        let p1 = try #require(try arrears.arrears(of: id("1"), on: d("2025-11-02")).first { $0.key == key(1) })
        #expect(p1.prescription.lastDay == d("2027-11-01") && p1.plan == plan.id)
        // A plan cannot double-cover periods, and a schedule must cover what they owe.
        #expect(throws: KokiError.self) {
            try arrears.recordPlan(
                id("1"), on: d("2025-11-01"), periods: [key(1)], includesLateFees: false, schedule: schedule,
                pledge: false, metadata: meta())
        }
        try pay("1", schedule[0].amount, on: "2025-11-15")
        var check = try arrears.checkPlans(on: d("2025-12-20"), actor: "b")
        #expect(check.broken.isEmpty)
        // The second payment (12-15) is missed past the ten grace days.
        check = try arrears.checkPlans(on: d("2025-12-26"), actor: "b")
        #expect(check.broken.map(\.id) == [plan.id])
        #expect(try account("1").activePlans.isEmpty)
        let head = try ledger.store.head()
        _ = try arrears.checkPlans(on: d("2025-12-26"), actor: "b")
        #expect(try ledger.store.head() == head)
        // Provisional slips carry the plan kind: their money pays the oldest debts first.
        let revised = try arrears.recordPlan(
            id("1"), on: d("2026-01-05"), periods: nil, includesLateFees: false,
            schedule: try ArrearsCommands.schedule(
                total: try account("1").periods.filter { $0.value.dueDate < d("2026-01-05") }.map(\.value.outstanding)
                    .sum(),
                count: 2, first: d("2026-01-31")), pledge: false, metadata: meta())
        let slips = try arrears.planSlips(id("1"), plan: revised.id, issuer: "912345", from: d("2026-01-05"))
        #expect(slips.count == 2 && slips.allSatisfy { $0.1.plan })
        let csv = "final,2026-01-30,001,\(slips[0].1)\n"
        _ = try collection.importConvenience(Array(csv.utf8), name: "plan.csv", learnedOn: d("2026-02-02"), actor: "b")
        let paid = try #require(try account("1").payments.last?.event)
        #expect(paid.slip == nil && paid.parts.first?.key == key(2))  // the oldest still owing
    }

    @Test func aReductionMakesAPaidPeriodOverpaidAndWaivesItsLateFee() throws {
        try base.city([("1", 2_000_000)])
        try arrears.adoptSettings(try settings(), metadata: meta())
        try pay("1", Yen(9_000), on: "2025-07-31", slip: key(1))
        let r = try arrears.decideReduction(
            id("1"), appliedOn: d("2025-08-05"), decidedOn: d("2025-08-25"), reason: "災害 (床上浸水)",
            from: d("2025-07-01"), through: d("2025-09-30"), amounts: nil, percent: 50, waiveLateFees: true,
            metadata: meta())
        #expect(r.parts.map(\.key) == [key(1), key(2), key(3)])
        #expect(r.parts.map(\.amount) == [Yen(4_500), Yen(4_300), Yen(4_300)])
        let a = try account("1")
        #expect(a.periods[key(1)]?.overpaid == Yen(4_500))
        #expect(a.periods[key(2)]?.outstanding == Yen(4_300))
        let s = try collection.settle(id("1"), on: d("2025-09-05"), rates: .standard, metadata: meta())
        #expect(s.recognized.map(\.amount) == [Yen(4_500)])
        #expect(s.appropriated.first?.parts.map(\.key) == [key(2)])  // overdue since 09-01
        #expect(try CitySnapshot(ledger).collection.moneyIsConserved)
        #expect(throws: KokiError.self) {
            try arrears.decideReduction(
                id("1"), appliedOn: d("2025-08-05"), decidedOn: d("2025-08-25"), reason: "x", from: d("2025-07-01"),
                through: d("2025-07-31"), amounts: [key(1): Yen(9_000)], percent: nil, waiveLateFees: false,
                metadata: meta())
        }
    }

    @Test func aWriteOffAtPrescriptionThenAPaymentIsRefunded() throws {
        try base.city([("1", 2_000_000)])
        try arrears.adoptSettings(try settings(), metadata: meta())
        // Nothing paid, nothing dunned: period 1 expires after 2027-07-31.
        #expect(try arrears.runPrescription(on: d("2027-07-31"), actor: "b").isEmpty)
        let written = try arrears.runPrescription(on: d("2027-08-01"), actor: "b")
        #expect(written.map(\.key) == [key(1)] && written[0].premium == Yen(9_000))
        let head = try ledger.store.head()
        #expect(try arrears.runPrescription(on: d("2027-08-01"), actor: "b").isEmpty)
        #expect(try ledger.store.head().position == head.position)  // the run record is not repeated either
        let a = try account("1")
        #expect(a.periods[key(1)]?.outstanding == .zero && a.periods[key(1)]?.writtenOff == Yen(9_000))
        // Money for the written-off period is not a payment of it: it is refunded.
        let late = try pay("1", Yen(9_000), on: "2027-08-10", slip: key(1))
        #expect(late.parts.isEmpty && late.overpaid == Yen(9_000))
        let s = try collection.settle(id("1"), on: d("2027-08-20"), rates: try settings().chargeRates, metadata: meta())
        // Appropriated first to what is still owed (period 2 is overdue and not prescribed).
        #expect(s.appropriated.first?.parts.first?.key == key(2))
        let totals = try CitySnapshot(ledger).collection.totals
        #expect(totals.writtenOff == Yen(9_000))
        #expect(try CitySnapshot(ledger).collection.moneyIsConserved)
    }

    /// The right to a refund prescribes two years from the day after the overpayment arose (高確法
    /// 第160条): a refund decided and never paid lapses, an open overpayment is kept; neither can be
    /// paid afterwards, and every yen is still accounted for.
    @Test func aRefundNotPaidWithinTwoYearsPrescribes() throws {
        try base.city([("1", 2_000_000)])
        try arrears.adoptSettings(try settings(), metadata: meta())
        let owed = try account("1").outstanding
        let first = try pay("1", owed + Yen(7_000), on: "2025-08-01")
        #expect(first.overpaid == Yen(7_000))
        let settled = try collection.settle(
            id("1"), on: d("2025-08-20"), rates: try settings().chargeRates, metadata: meta())
        let refund = try #require(settled.refunds.first)
        // A second overpayment, never settled: it stays open.
        let second = try pay("1", Yen(3_000), on: "2025-09-01")
        #expect(second.overpaid == Yen(3_000))
        // 2025-08-01 + 1 day + two years: the right to the first ends on 2027-08-01.
        #expect(try arrears.prescribe(on: d("2027-08-01"), actor: "b").refundsPrescribed.isEmpty)
        let run = try arrears.prescribe(on: d("2027-09-02"), actor: "b")
        #expect(run.refundsPrescribed.map(\.refund) == [refund.id, nil])
        #expect(run.refundsPrescribed.map(\.amount) == [refund.amount, Yen(3_000)])
        #expect(run.refundsPrescribed.map(\.lastDay) == [d("2027-08-01"), d("2027-09-01")])
        #expect(try arrears.prescribe(on: d("2027-09-02"), actor: "b").refundsPrescribed.isEmpty)
        let a = try account("1")
        #expect(a.openOverpayments.isEmpty && a.refunds.first?.prescribed != nil)
        let head = try ledger.store.head().position
        #expect {
            try collection.payRefund(id("1"), refund: refund.id, on: d("2027-09-03"), heir: nil, metadata: meta())
        } throws: { ($0 as? KokiError)?.message.contains("lapsed") == true }
        #expect(try ledger.store.head().position == head)
        let totals = try CitySnapshot(ledger).collection.totals
        #expect(totals.refundsPrescribed == refund.amount + Yen(3_000) && totals.refunded == .zero)
        #expect(try CitySnapshot(ledger).collection.moneyIsConserved)
        var check = RuleCheck()
        try ledger.forEachEvent { view, event in check.apply(event, position: view.position) }
        check.finish()
        #expect(!check.breaches.contains { $0.rule == .money }, "\(check.breaches)")
    }

    /// 執行停止 (地方税法 第15条の7): no seizure, 督促 or 催告 on stopped periods; three years of stop
    /// extinguish what they owe (the prescription run writes it off, before prescription would);
    /// a stop ended before then extinguishes nothing; `atOnce` writes off at once. The rule checker
    /// accepts each of these write-offs, and finds one recorded with no stop behind it.
    @Test func aStopOfEnforcementExtinguishesAfterThreeYearsOrAtOnce() throws {
        try base.city([("1", 2_000_000), ("2", 2_000_000)])
        try arrears.adoptSettings(try settings(), metadata: meta())
        // Person 1's period 1 (due 2025-07-31) is dunned on 2025-08-20 (which renews prescription).
        _ = try arrears.runDunning(on: d("2025-08-20"), actor: "b")
        let stop = try arrears.stopEnforcement(
            id("1"), change: .started, on: d("2025-09-01"), periods: [key(1), key(2)], reason: .noProperty,
            metadata: meta())
        #expect(stop.extinguishesOn == d("2028-09-01"))
        #expect {
            try arrears.recordSeizure(
                id("1"), change: .started, on: d("2025-10-01"), periods: [key(1)], metadata: meta())
        } throws: { ($0 as? KokiError)?.message.contains("執行停止") == true }
        #expect {
            try arrears.stopEnforcement(
                id("1"), change: .started, on: d("2025-09-02"), periods: [key(2)], reason: .hardship, metadata: meta())
        } throws: { ($0 as? KokiError)?.message.contains("stopped already") == true }
        // Period 2 (due 2025-09-01) is past due by the next dunning run, but stopped: not dunned.
        let dunning = try arrears.runDunning(on: d("2025-09-19"), actor: "b")
        #expect(!dunning.notices.contains { $0.person == id("1") && $0.key == key(2) })
        // Person 2: a stop ended before three years extinguishes nothing; a stop at once writes off now.
        let ended = try arrears.stopEnforcement(
            id("2"), change: .started, on: d("2025-09-01"), periods: [key(3)], reason: .hardship, metadata: meta())
        try arrears.stopEnforcement(id("2"), change: .ended, id: ended.id, on: d("2026-01-10"), metadata: meta())
        #expect {
            try arrears.stopEnforcement(id("2"), change: .ended, id: ended.id, on: d("2026-01-11"), metadata: meta())
        } throws: { $0 is KokiError }
        let owedOn4 = try #require(try account("2").periods[key(4)]?.outstanding)
        try arrears.stopEnforcement(
            id("2"), change: .started, on: d("2026-02-02"), periods: [key(4)], reason: .unknownWhereabouts,
            atOnce: true,
            metadata: meta())
        let two = try account("2")
        #expect(two.periods[key(4)]?.writtenOff == owedOn4 && two.periods[key(3)]?.writtenOff == .zero)
        // Prescription runs on during a stop; a part payment on period 2 (承認) renews it past the
        // stop's three years, so period 2 is extinguished by the stop, period 1 by prescription.
        _ = try pay("1", Yen(100), on: "2027-06-01", slip: key(2))
        let stopped = [key(1), key(2)]
        let before = try arrears.prescribe(on: d("2028-08-31"), actor: "b").writtenOff.filter {
            $0.person == id("1") && stopped.contains($0.key)
        }
        #expect(before.map(\.key) == [key(1)] && before.allSatisfy { $0.reason == .prescription })
        let after = try arrears.prescribe(on: d("2028-09-01"), actor: "b").writtenOff.filter {
            $0.person == id("1") && stopped.contains($0.key)
        }
        #expect(after.map(\.key) == [key(2)] && after.first?.reason == .enforcementStopped)
        #expect(after.first?.lastDay == d("2028-08-31"))
        #expect(try account("1").periods[key(2)]?.outstanding == .zero)
        #expect(try CitySnapshot(ledger).collection.moneyIsConserved)
        func writeOffBreaches() throws -> [RuleCheck.Breach] {
            var check = RuleCheck()
            try ledger.forEachEvent { view, event in check.apply(event, position: view.position) }
            check.finish()
            return check.breaches.filter { $0.rule == .writeOff }
        }
        #expect(try writeOffBreaches().isEmpty)
        // A write-off recorded as extinguished by a stop that is not there is a breach.
        try ledger.record(
            [
                .writtenOff(
                    WrittenOff(
                        person: id("2"), key: key(5), premium: Yen(1), lateFee: .zero, reason: .enforcementStopped,
                        lastDay: d("2026-02-02"), writtenOffOn: d("2026-02-03")))
            ], metadata: meta())
        #expect(try writeOffBreaches().map(\.person) == [id("2")])
    }

    /// 徴収猶予 (地方税法 第15条): while a period is deferred it is not dunned, reminded, seized or
    /// debited; the late fee of its days is halved; prescription does not run. It is refused
    /// twice over the same days or longer than the settings allow; it is extended within the
    /// months in all, and ended early (取消). Dunned after its end, within the days counted from
    /// it, the notice breaks no rule; a seizure during it does.
    @Test func aDeferralHoldsCollectionHalvesTheLateFeeAndStopsPrescription() throws {
        try base.city([("1", 2_000_000), ("2", 2_000_000)])
        let settings = try settings()
        try arrears.adoptSettings(settings, metadata: meta())
        func grant(_ person: String, _ keys: [PeriodKey], from: String, through: String) throws -> CollectionDeferred {
            try arrears.deferCollection(
                id(person), change: .granted, on: d(from), periods: keys, from: d(from), through: d(through),
                reason: .illness, relief: .halved, metadata: meta())
        }
        func refused(_ words: String, _ body: () throws -> Void) {
            #expect(throws: KokiError.self) { try body() }
            do { try body() } catch { #expect("\(error)".contains(words), "\(error)") }
        }
        let deferral = try grant("1", [key(1)], from: "2025-08-01", through: "2025-10-31")
        refused("deferred already") { _ = try grant("1", [key(1)], from: "2025-09-01", through: "2025-09-30") }
        refused("at most 6 months") { _ = try grant("1", [key(2)], from: "2025-08-01", through: "2026-02-02") }
        refused("before its first") { _ = try grant("1", [key(2)], from: "2025-09-01", through: "2025-08-29") }
        refused("徴収猶予") {
            _ = try arrears.recordSeizure(
                id("1"), change: .started, on: d("2025-09-01"), periods: [key(1)], metadata: meta())
        }
        // Due 2025-07-31: person 2's period 1 is dunned, person 1's is not.
        let dunning = try arrears.runDunning(on: d("2025-08-20"), actor: "b")
        #expect(!dunning.notices.contains { $0.person == id("1") && $0.key == key(1) })
        #expect(dunning.notices.contains { $0.person == id("2") && $0.key == key(1) })
        let shown = try #require(try arrears.arrears(of: id("1"), on: d("2025-09-10")).first { $0.key == key(1) })
        #expect(shown.deferredThrough == d("2025-10-31"))
        #expect(shown.lateFee?.bands.first?.relief == .halved)
        // 92 deferred days: two years from 2025-08-01, and 92 days more.
        #expect(shown.prescription.lastDay == d("2027-10-31"))
        // Extended within six months more and twelve in all; then ended on 1 December.
        let extended = try arrears.deferCollection(
            id("1"), change: .extended, id: deferral.id, on: d("2025-10-01"), through: d("2026-01-30"),
            metadata: meta())
        #expect(extended.from == deferral.from && extended.through == d("2026-01-30"))
        refused("at most") {
            _ = try arrears.deferCollection(
                id("1"), change: .extended, id: deferral.id, on: d("2025-10-02"), through: d("2026-08-31"),
                metadata: meta())
        }
        let ended = try arrears.deferCollection(
            id("1"), change: .ended, id: deferral.id, on: d("2025-12-01"), metadata: meta())
        #expect(ended.through == d("2025-11-30") && ended.days == d("2025-08-01")...d("2025-11-30"))
        refused("no deferment") {
            _ = try arrears.deferCollection(
                id("1"), change: .ended, id: deferral.id, on: d("2025-12-02"), metadata: meta())
        }
        // After its end the period is dunned, ten days after the end: within the rule.
        let after = try arrears.runDunning(on: d("2025-12-10"), actor: "b")
        #expect(after.notices.contains { $0.person == id("1") && $0.key == key(1) })
        // The late fee to 15 December: the 122 deferred days halved, the rest in full.
        let account = try self.account("1")
        let period = try #require(account.periods[key(1)])
        let fee = try #require(try account.lateFee(key(1), on: d("2025-12-15"), settings))
        let plain = try LateFee.calculate(
            principal: period.assessed - period.reduced, dueDate: period.dueDate, payments: [],
            through: d("2025-12-15"), rates: settings.chargeRates)
        #expect(fee.bands.filter { $0.relief == .halved }.map(\.days).reduce(0, +) == 122)
        #expect(fee.bands.filter { $0.relief == nil }.map(\.days).reduce(0, +) == 15)
        #expect(fee.sum < plain.sum && fee.sum > .zero)
        // A deferment on person 2's period 3, and a seizure planted on it while it lasts.
        let two = try grant("2", [key(3)], from: "2025-10-01", through: "2025-12-26")
        func breaches() throws -> [RuleCheck.Breach] {
            var check = RuleCheck()
            try ledger.forEachEvent { view, event in check.apply(event, position: view.position) }
            check.finish()
            return check.breaches
        }
        let clean = try breaches()
        #expect(!clean.contains { $0.rule == .onHold }, "\(clean)")
        #expect(
            !clean.contains { $0.rule == .dunning && $0.person == id("1") && $0.message.contains("for \(key(1)),") },
            "\(clean)")
        try ledger.record(
            [
                .seizureRecorded(
                    SeizureRecorded(person: id("2"), id: "z9", change: .started, on: d("2025-11-05"), periods: [key(3)]))
            ], metadata: meta())
        #expect(try breaches().filter { $0.rule == .onHold }.map(\.person) == [two.person])
    }

    @Test func aSeizureHoldsPrescriptionAndRenewsIt() throws {
        try base.city([("1", 2_000_000)])
        try arrears.adoptSettings(try settings(), metadata: meta())
        let seizure = try arrears.recordSeizure(
            id("1"), change: .started, on: d("2027-06-01"), periods: [key(1)], metadata: meta())
        #expect(try arrears.runPrescription(on: d("2027-09-01"), actor: "b").map(\.key).contains(key(1)) == false)
        try arrears.recordSeizure(
            id("1"), change: .ended, id: seizure.id, on: d("2027-10-10"), periods: [], metadata: meta())
        let p = try #require(try arrears.arrears(of: id("1"), on: d("2027-10-11")).first { $0.key == key(1) })
        #expect(p.prescription.lastDay == d("2029-10-10"))
    }

    @Test func closingTheYearCarriesTheUnpaidPeriodsForward() throws {
        try base.city([("1", 2_000_000), ("2", 2_000_000)])
        try arrears.adoptSettings(try settings(), metadata: meta())
        try pay("1", Yen(77_800), on: "2025-07-20")
        try pay("2", Yen(60_000), on: "2026-05-20")  // in the closing period: counts to FY2025
        try pay("2", Yen(10_000), on: "2026-06-05")  // after: carried-forward arrears paid in FY2026
        #expect(throws: KokiError.self) {
            try arrears.closeYear(try FiscalYear(2025), on: d("2026-05-30"), metadata: meta())
        }
        let closed = try arrears.closeYear(try FiscalYear(2025), on: d("2026-06-10"), metadata: meta())
        #expect(closed.closedOn == d("2026-05-31"))
        #expect(closed.carried.map(\.persons) == [1])
        #expect(closed.carried.map(\.amount) == [Yen(17_800)])  // 77,800 − 60,000 owed on 31 May
        #expect(throws: KokiError.self) {
            try arrears.closeYear(try FiscalYear(2025), on: d("2026-06-11"), metadata: meta())
        }
        #expect(try arrears.arrears(of: id("2"), on: d("2026-06-12")).allSatisfy(\.carriedForward))
    }
}
