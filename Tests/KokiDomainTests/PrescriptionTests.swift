import KokiDomain
import KokiTestSupport
import Testing

/// 時効 (collection-and-arrears.md §4, §1.3): two years from the day after the due date, renewed
/// by the first dunning notice and by acknowledgements, held off by a reminder unless an earlier
/// one's hold still runs.
@Suite struct PrescriptionTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    let settings = ArrearsSettings.standard

    @Test func twoYearsFromTheDayAfterTheDueDate() {
        let p = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [], remindedOn: [], settings: settings)
        #expect(p.lastDay == d("2027-07-31"))
        #expect(!p.isPrescribed(on: d("2027-07-31")) && p.isPrescribed(on: d("2027-08-01")))
        // A due date at the end of February: from 1 March, two years end on the last day of February.
        #expect(
            Prescription.of(
                dueDate: d("2026-02-28"), dunnedOn: [], acknowledgedOn: [], remindedOn: [], settings: settings
            )
            .lastDay == d("2028-02-29"))
    }

    @Test func theFirstDunningNoticeRenewsFromTheDayAfterItsTenthDay() {
        let p = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [d("2025-08-20"), d("2026-01-10")], acknowledgedOn: [], remindedOn: [],
            settings: settings)
        // New period from 2025-08-31: ends 2027-08-30. A second notice does not renew again.
        #expect(p.lastDay == d("2027-08-30"))
        #expect(p.steps.count == 2)
    }

    @Test func acknowledgementsRenewAndRemindersHoldOffOnce() {
        let paid = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [d("2025-08-20")], acknowledgedOn: [d("2026-05-15")], remindedOn: [],
            settings: settings)
        #expect(paid.lastDay == d("2028-05-15"))
        // A reminder a month before completion holds it six months from the reminder, once.
        let held = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [], remindedOn: [d("2027-07-01"), d("2027-12-01")],
            settings: settings)
        #expect(held.lastDay == d("2028-01-01"))
        // Events after completion change nothing.
        let late = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [d("2027-08-02")], remindedOn: [],
            settings: settings)
        #expect(late.lastDay == d("2027-07-31"))
    }

    /// 民法 第150条: a reminder holds completion six months; a second one while that hold runs
    /// has no effect, one after it ended (or after a renewal) holds completion again.
    @Test func aReminderAfterAnEarlierHoldEndedHoldsAgain() {
        // No renewal between: the first reminder's six months end 2027-07-10; a reminder on the
        // 10th has no effect, one on the 11th holds completion to 2028-01-11.
        let during = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [],
            remindedOn: [d("2027-01-10"), d("2027-07-10")], settings: settings)
        #expect(during.lastDay == d("2027-07-31"))
        #expect(during.steps.last?.what.contains("効力なし") == true)
        let after = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [],
            remindedOn: [d("2027-01-10"), d("2027-07-11")], settings: settings)
        #expect(after.lastDay == d("2028-01-11"))
        // An early reminder, then a renewal (a payment), then a reminder before the new
        // completion: it holds completion off (the early one did not block it).
        let renewed = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [d("2026-05-15")],
            remindedOn: [d("2025-10-01"), d("2028-04-01")], settings: settings)
        #expect(renewed.lastDay == d("2028-10-01"))
    }

    /// 徴収猶予: prescription does not run on deferred days (地方税法 第18条の2 第4項, by analogy), so
    /// the two years are longer by the days deferred inside them — also the days an extension
    /// brings in; days after completion or before a renewal's new start add nothing.
    @Test func deferredDaysDoNotCount() {
        let deferred = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [], remindedOn: [],
            deferred: [d("2025-08-01")...d("2025-10-31")], settings: settings)
        #expect(deferred.lastDay == d("2027-07-31").adding(days: 92))
        #expect(deferred.steps.contains { $0.what.contains("徴収猶予") })
        // Deferred days straddling the plain end add their days, and those pushed past it too.
        let late = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [], remindedOn: [],
            deferred: [d("2027-07-01")...d("2027-09-30")], settings: settings)
        #expect(late.lastDay == d("2027-07-31").adding(days: 92))
        let after = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [], remindedOn: [],
            deferred: [d("2027-08-01")...d("2027-09-30")], settings: settings)
        #expect(after.lastDay == d("2027-07-31"))
        // A renewal (an acknowledgement) after the deferment starts a full two years anew.
        let renewed = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [d("2026-01-15")], remindedOn: [],
            deferred: [d("2025-08-01")...d("2025-10-31")], settings: settings)
        #expect(renewed.lastDay == d("2028-01-15"))
        // A deferment is no renewal: a reminder during an earlier reminder's hold still has no effect.
        let held = Prescription.of(
            dueDate: d("2025-07-31"), dunnedOn: [], acknowledgedOn: [], remindedOn: [d("2027-07-01"), d("2027-12-01")],
            deferred: [d("2027-08-01")...d("2027-08-10")], settings: settings)
        #expect(held.lastDay == d("2028-01-01"))
    }

    /// No step moves the last day before the end of the first years from the day after the due
    /// date (``Prescription/earliestLastDay(dueDate:_:)``), whatever happened and when — notices,
    /// acknowledgements, reminders, seizures and deferments before or after the due date — and
    /// a period nothing happened to ends there exactly.
    @Test(arguments: 0...40 as ClosedRange<UInt64>)
    func theLastDayIsNeverBeforeTheFirstYearsEnd(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let settings = try ArrearsSettings(prescriptionYears: 2 + Int(seed % 3), dunningRenewalDays: Int(seed % 11))
        let due = d("2020-01-31").adding(days: Int.random(in: 0...900, using: &g))
        func days(_ n: Int) -> [CivilDate] {
            (0..<Int.random(in: 0...n, using: &g)).map { _ in due.adding(days: Int.random(in: -60...1_500, using: &g)) }
        }
        let seizures = days(2).map { from in
            (from: from, until: Bool.random(using: &g) ? from.adding(days: Int.random(in: 0...400, using: &g)) : nil)
        }
        let deferred = days(2).map { from in from...from.adding(days: Int.random(in: 0...200, using: &g)) }
        let earliest = Prescription.earliestLastDay(dueDate: due, settings)
        let p = Prescription.of(
            dueDate: due, dunnedOn: days(3), acknowledgedOn: days(4), remindedOn: days(3), seizures: seizures,
            deferred: deferred, settings: settings)
        #expect(p.lastDay >= earliest && !p.isPrescribed(on: earliest), "seed \(seed)")
        let plain = Prescription.of(dueDate: due, dunnedOn: [], acknowledgedOn: [], remindedOn: [], settings: settings)
        #expect(plain.lastDay == earliest && plain.isPrescribed(on: earliest.adding(days: 1)))
    }

    @Test func settingsAreChecked() throws {
        #expect(throws: DomainError.self) { try ArrearsSettings(payByDays: 0) }
        #expect(throws: DomainError.self) { try ArrearsSettings(dunningFee: Yen(-1)) }
        let three = try ArrearsSettings(prescriptionYears: 3, dunningRenewalDays: 0)
        #expect(
            Prescription.of(
                dueDate: d("2025-07-31"), dunnedOn: [d("2025-08-20")], acknowledgedOn: [], remindedOn: [],
                settings: three
            )
            .lastDay == d("2028-08-20"))
    }
}
