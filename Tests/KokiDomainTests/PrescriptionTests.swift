import KokiDomain
import Testing

/// 時効 (collection-and-arrears.md §4, §1.3): two years from the day after the due date, renewed
/// by the first dunning notice and by acknowledgements, held off once by a reminder.
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
