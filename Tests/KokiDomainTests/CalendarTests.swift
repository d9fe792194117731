import Foundation
import KokiDomain
import KokiTestSupport
import Testing

@Suite struct CalendarTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }

    func holidays(_ year: Int) -> [String] {
        JapaneseHolidays.holidays(in: year).keys.sorted().map { String($0.description.dropFirst(5)) }
    }

    /// Fiscal years by era (§11 of the domain notes): FY2019 began under 平成 and is 令和元年度.
    @Test(arguments: [
        (2025, "令和7年度"), (2020, "令和2年度"), (2019, "令和元年度"), (2018, "平成30年度"), (1989, "平成元年度"),
        (1988, "昭和63年度"), (1926, "昭和元年度"), (1925, "1925年度"),
    ])
    func fiscalYearsByEra(year: Int, named: String) throws {
        #expect(JapaneseEra.format(fiscalYear: try FiscalYear(year)) == named)
    }

    /// 期間制限 at its boundaries: barred from the day two years after the day following the first due date.
    @Test func theTimeLimitOnAssessingAtItsBoundaries() throws {
        let fy = try FiscalYear(2023)
        let due = try CivilDate(iso: "2023-07-31")
        #expect(AssessmentTimeLimit.firstBarredDay(afterFirstDue: due) == (try CivilDate(iso: "2025-08-01")))
        let lastDay = try CivilDate(iso: "2025-07-31")
        let barred = try CivilDate(iso: "2025-08-01")
        let (low, high) = (Yen(100_000), Yen(150_000))
        try AssessmentTimeLimit.check(fiscalYear: fy, firstDue: due, decidedOn: lastDay, previous: low, new: high)
        try AssessmentTimeLimit.check(fiscalYear: fy, firstDue: due, decidedOn: lastDay, previous: nil, new: high)
        #expect(throws: DomainError.self) {
            try AssessmentTimeLimit.check(fiscalYear: fy, firstDue: due, decidedOn: barred, previous: low, new: high)
        }
        #expect(throws: DomainError.self) {
            try AssessmentTimeLimit.check(fiscalYear: fy, firstDue: due, decidedOn: barred, previous: nil, new: high)
        }
        // A decrease (or the same amount) in the person's favour: never barred.
        try AssessmentTimeLimit.check(fiscalYear: fy, firstDue: due, decidedOn: barred, previous: high, new: low)
        try AssessmentTimeLimit.check(
            fiscalYear: fy, firstDue: due, decidedOn: try CivilDate(iso: "2040-01-01"), previous: high, new: high)
        // A first due date on 28 February of a leap year's eve: the day after is 29 February.
        #expect(
            AssessmentTimeLimit.firstBarredDay(afterFirstDue: try CivilDate(iso: "2024-02-28"))
                == (try CivilDate(iso: "2026-03-01")))
    }

    @Test func weekdays() {
        #expect(d("1970-01-01").weekday == .thursday)
        #expect(d("2025-11-28").weekday == .friday)
        #expect(d("2000-02-29").weekday == .tuesday)
        #expect(CivilDate.nth(2, .monday, of: 1, in: 2025) == d("2025-01-13"))
    }

    @Test func holidaysOf2025() {
        #expect(
            holidays(2025) == [
                "01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06",
                "07-21", "08-11", "09-15", "09-23", "10-13", "11-03", "11-23", "11-24",
            ])
        #expect(JapaneseHolidays.holidays(in: 2025)[d("2025-05-06")] == "振替休日")
    }

    @Test func holidaysOf2026WithTheCitizensHoliday() {
        #expect(
            holidays(2026) == [
                "01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06", "07-20",
                "08-11", "09-21", "09-22", "09-23", "10-12", "11-03", "11-23",
            ])
        #expect(JapaneseHolidays.holidays(in: 2026)[d("2026-09-22")] == "国民の休日")
    }

    @Test func theSpecialYears() {
        let y2019 = JapaneseHolidays.holidays(in: 2019)
        for day in ["2019-04-30", "2019-05-01", "2019-05-02", "2019-05-06", "2019-10-22"] {
            #expect(y2019[d(day)] != nil, "\(day)")
        }
        #expect(y2019[d("2019-12-23")] == nil)
        #expect(y2019[d("2019-02-23")] == nil)
        #expect(JapaneseHolidays.holidays(in: 2018)[d("2018-12-23")] == "天皇誕生日")
        let y2020 = JapaneseHolidays.holidays(in: 2020)
        #expect(y2020[d("2020-07-23")] == "海の日")
        #expect(y2020[d("2020-07-24")] == "スポーツの日")
        #expect(y2020[d("2020-08-10")] == "山の日")
        #expect(y2020[d("2020-10-12")] == nil)
        #expect(JapaneseHolidays.holidays(in: 2021)[d("2021-08-09")] == "振替休日")
    }

    @Test(arguments: [
        (2020, 20, 22), (2023, 21, 23), (2024, 20, 22), (2025, 20, 23), (2026, 20, 23), (2030, 20, 23),
    ])
    func equinoxes(year: Int, vernal: Int, autumnal: Int) {
        let days = JapaneseHolidays.holidays(in: year)
        #expect(days[try! CivilDate(year: year, month: 3, day: vernal)] == "春分の日")
        #expect(days[try! CivilDate(year: year, month: 9, day: autumnal)] == "秋分の日")
    }

    @Test func everyYearHasItsHolidaysAndNoSubstituteOnASunday() {
        for year in JapaneseHolidays.supportedYears {
            let days = JapaneseHolidays.holidays(in: year)
            #expect(days.count >= 15 && days.count <= 22, "\(year): \(days.count)")
            for (date, name) in days where name == "振替休日" || name == "国民の休日" {
                #expect(date.weekday != .sunday, "\(date) \(name)")
            }
        }
    }

    @Test func dueDatesMoveToTheNextBusinessDay() {
        // Chigasaki FY2023: 9月期 → 10/2, 12月期 → 1/4, 3月期 → 4/1 (premiums-and-eligibility.md §5.2).
        let dates = InstallmentCalendar.standard(fiscalYear: 2023).dueDates()
        #expect(dates[2] == d("2023-10-02"))
        #expect(dates[5] == d("2024-01-04"))
        #expect(dates[8] == d("2024-04-01"))
        #expect(dates.allSatisfy { BusinessCalendar().isBusinessDay($0) })
        // A December rule and the city's own closure.
        let abiko = try! InstallmentCalendar(fiscalYear: 2025, months: [7, 8, 9, 10, 11, 12, 1, 2], decemberDueDay: 25)
        #expect(abiko.dueDates()[5] == d("2025-12-25"))
        let closed = BusinessCalendar(extraClosedDays: [d("2025-12-25")])
        #expect(abiko.dueDates(on: closed)[5] == d("2025-12-26"))
    }

    @Test func splitsMatchTheWorkedExample() {
        let nine = InstallmentCalendar.standard(fiscalYear: 2025)
        #expect(nine.split(Yen(77_800), into: 9) == [Yen(9_000)] + Array(repeating: Yen(8_600), count: 8))
        #expect(nine.split(Yen(77_800), into: 8) == [Yen(9_900)] + Array(repeating: Yen(9_700), count: 7))
        let thousand = try! InstallmentCalendar(
            fiscalYear: 2025, months: [7, 8, 9, 10, 11, 12, 1, 2, 3], roundingUnit: 1_000)
        #expect(thousand.split(Yen(77_800), into: 9) == [Yen(13_800)] + Array(repeating: Yen(8_000), count: 8))
        let last = try! InstallmentCalendar(
            fiscalYear: 2025, months: [7, 8, 9, 10, 11, 12, 1, 2, 3], remainderPeriod: .last)
        #expect(last.split(Yen(77_800), into: 9) == Array(repeating: Yen(8_600), count: 8) + [Yen(9_000)])
    }

    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func splitsAlwaysSumToTheAmount(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<2_000 {
            let unit: Int64 = [1, 10, 100, 1_000].randomElement(using: &g)!
            let calendar = try! InstallmentCalendar(
                fiscalYear: 2025, months: [7, 8, 9, 10, 11, 12, 1, 2, 3], roundingUnit: unit)
            let amount = Yen(Int64.random(in: 0...900_000, using: &g))
            let count = Int.random(in: 1...12, using: &g)
            let parts = calendar.split(amount, into: count)
            #expect(parts.count == count)
            #expect(parts.sum() == amount)
            let evenParts = calendar.remainderPeriod == .first ? Array(parts.dropFirst()) : Array(parts.dropLast())
            let remainder = calendar.remainderPeriod == .first ? parts.first! : parts.last!
            #expect(evenParts.allSatisfy { $0.amount % unit == 0 && $0 <= remainder })
        }
    }

    /// The leveling threshold in a calendar file: absent is the standard 4,000 yen (so calendars
    /// stored before it read as before), `null` is no leveling, a number is that threshold; the
    /// standard one is not written, so those calendars keep their bytes; a negative one is refused.
    @Test func theLevelingThresholdInACalendarFile() throws {
        func read(_ json: String) throws -> InstallmentCalendar {
            try JSONDecoder().decode(InstallmentCalendar.self, from: Data(json.utf8))
        }
        let head = #"{"fiscalYear": 2025, "months": [7, 8, 9, 10, 11, 12, 1, 2, 3]"#
        #expect(try read(head + "}").pensionLevelingThreshold == Yen(4_000))
        #expect(try read(head + #", "pensionLevelingThreshold": null}"#).pensionLevelingThreshold == nil)
        #expect(try read(head + #", "pensionLevelingThreshold": 6000}"#).pensionLevelingThreshold == Yen(6_000))
        #expect(throws: (any Error).self) { try read(head + #", "pensionLevelingThreshold": -1}"#) }
        func written(_ calendar: InstallmentCalendar) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(calendar), as: UTF8.self)
        }
        var calendar = InstallmentCalendar.standard(fiscalYear: 2025)
        #expect(try !written(calendar).contains("pensionLeveling"))
        calendar.pensionLevelingThreshold = nil
        #expect(try written(calendar).contains(#""pensionLevelingThreshold":null"#))
        #expect(try read(try written(calendar)) == calendar)
    }

    /// The notice lead in a calendar file: absent is the standard 2 months and is not written;
    /// outside 1–6 is refused.
    @Test func theNoticeLeadInACalendarFile() throws {
        func read(_ json: String) throws -> InstallmentCalendar {
            try JSONDecoder().decode(InstallmentCalendar.self, from: Data(json.utf8))
        }
        let head = #"{"fiscalYear": 2025, "months": [7, 8, 9, 10, 11, 12, 1, 2, 3]"#
        #expect(try read(head + "}").pensionNoticeLeadMonths == 2)
        #expect(try read(head + #", "pensionNoticeLeadMonths": 3}"#).pensionNoticeLeadMonths == 3)
        for bad in ["0", "7", "-1"] {
            #expect(throws: (any Error).self) { try read(head + #", "pensionNoticeLeadMonths": "# + bad + "}") }
        }
        let encoder = JSONEncoder()
        var calendar = InstallmentCalendar.standard(fiscalYear: 2025)
        #expect(!String(decoding: try encoder.encode(calendar), as: UTF8.self).contains("pensionNoticeLead"))
        calendar.pensionNoticeLeadMonths = 4
        #expect(try read(String(decoding: try encoder.encode(calendar), as: UTF8.self)) == calendar)
    }

    /// A change reaches a pension month when told by the end of the month `lead` months before
    /// it, across the turn of the year.
    @Test func thePensionNoticeDeadline() {
        #expect(PensionDeduction.deadline(for: d("2025-08-15"), leadMonths: 1) == d("2025-07-31"))
        #expect(PensionDeduction.deadline(for: d("2025-12-15"), leadMonths: 2) == d("2025-10-31"))
        #expect(PensionDeduction.deadline(for: d("2026-02-13"), leadMonths: 2) == d("2025-12-31"))
        #expect(PensionDeduction.deadline(for: d("2026-02-13"), leadMonths: 3) == d("2025-11-30"))
        #expect(PensionDeduction.deadline(for: d("2025-04-15"), leadMonths: 6) == d("2024-10-31"))
        #expect(PensionDeduction.deadline(for: d("2024-04-15"), leadMonths: 2) == d("2024-02-29"))
        // The calendar's first year has no earlier month: its first month, never a trap.
        #expect(PensionDeduction.deadline(for: d("0001-04-15"), leadMonths: 6) == d("0001-01-31"))
        #expect(PensionDeduction.deadline(for: d("9999-12-15"), leadMonths: -3) == d("9999-12-31"))
    }

    @Test func aMidYearDecisionUsesTheRemainingPeriods() {
        let calendar = InstallmentCalendar.standard(fiscalYear: 2025)
        let schedule = calendar.installments(for: Yen(38_900), decidedOn: d("2025-11-10"))
        #expect(schedule.map(\.period.number) == [5, 6, 7, 8, 9])
        #expect(schedule.map(\.amount).sum() == Yen(38_900))
        #expect(calendar.installments(for: Yen(5_000), decidedOn: d("2026-04-15")).map(\.period.number) == [9])
    }
}

/// Each selection's recorded reason reads back as that selection (特徴対象者管理).
@Suite struct PensionSelectionTests {
    @Test func everyReasonReadsBackAsItsSelection() throws {
        let facts = PensionFacts(
            annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true)
        func selection(_ facts: PensionFacts?, newly: Bool = false, switched: Bool = false, premium: Int64 = 77_800)
            -> PensionDeduction.Selection?
        {
            let (_, why) = PensionDeduction.method(
                for: Yen(premium), facts: facts, newlyInsured: newly,
                switchedToDebit: switched ? try! CivilDate(iso: "2025-01-09") : nil)
            return PensionDeduction.Selection(recorded: why)
        }
        #expect(selection(facts) == .selected)
        #expect(selection(nil) == .noPensionInformation)
        #expect(selection(facts, newly: true) == .newlyInsured)
        #expect(selection(facts, switched: true) == .switchedToDebit)
        var low = facts
        low.annualPension = Yen(179_999)
        #expect(selection(low) == .pensionUnder180000)
        var care = facts
        care.careDeductedFromPension = false
        #expect(selection(care) == .careNotDeducted)
        #expect(selection(facts, premium: 940_001) == .overHalf)
        #expect(PensionDeduction.Selection(recorded: "12600 → 9000") == nil)
    }
}
