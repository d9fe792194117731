import KokiDomain
import Testing

@Suite struct EligibilityRulesTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }

    @Test(arguments: [
        ("1950-07-15", "2025-07-15"),  // the 75th birthday itself
        ("1950-08-01", "2025-08-01"),  // born on the 1st: insured from the 1st, that month is owed
        ("1952-02-29", "2027-03-01"),  // 29 February in a common year: 1 March (民法 §143(2))
        ("1948-02-29", "2023-03-01"),
        ("1949-02-28", "2024-02-28"),
        ("1951-12-31", "2026-12-31"),
    ])
    func seventyFifthBirthday(born: String, insured: String) {
        #expect(d(born).reaching(age: 75) == d(insured))
        #expect(d(born).age(on: d(insured)) == 75)
        #expect(d(born).age(on: d(insured).adding(days: -1)) == 74)
    }

    @Test func lossDates() {
        // Death: the day after, so a death on the last day of a month keeps that month charged.
        #expect(EligibilityRules.lossDate(.died, eventDate: d("2025-08-31")) == d("2025-09-01"))
        #expect(EligibilityRules.lossDate(.died, eventDate: d("2025-12-31")) == d("2026-01-01"))
        // Leaving the prefecture: the same day when an address elsewhere is taken that day,
        // otherwise the day after (emigration).
        #expect(
            EligibilityRules.lossDate(.leftPrefecture, eventDate: d("2025-10-10"), addressElsewhereSameDay: true)
                == d("2025-10-10"))
        #expect(EligibilityRules.lossDate(.leftPrefecture, eventDate: d("2025-10-10")) == d("2025-10-11"))
        #expect(EligibilityRules.lossDate(.welfareStarted, eventDate: d("2025-06-01")) == d("2025-06-01"))
        #expect(EligibilityRules.lossDate(.disabilityConditionEnded, eventDate: d("2025-06-01")) == d("2025-06-02"))
    }

    @Test func acquisitionAgeChecks() {
        let born = d("1955-05-20")  // 70 in 2025
        #expect(EligibilityRules.refusal(acquiring: .disabilityCertified, on: d("2025-06-01"), birthDate: born) == nil)
        #expect(EligibilityRules.refusal(acquiring: .disabilityCertified, on: d("2019-06-01"), birthDate: born) != nil)  // 64
        #expect(
            EligibilityRules.refusal(acquiring: .movedIntoPrefecture, on: d("2025-06-01"), birthDate: born)
                == "a person aged 70 on 2025-06-01 is insured before 75 only by disability certification")
        #expect(
            EligibilityRules.refusal(acquiring: .reachedAge75, on: d("2030-05-21"), birthDate: born)
                == "the 75th birthday of a person born 1955-05-20 is 2030-05-20, not 2030-05-21")
        #expect(EligibilityRules.refusal(acquiring: .reachedAge75, on: d("2030-05-20"), birthDate: born) == nil)
        #expect(EligibilityRules.refusal(acquiring: .movedIntoPrefecture, on: d("2031-01-01"), birthDate: born) == nil)
        #expect(EligibilityRules.refusal(acquiring: .welfareEnded, on: d("2015-01-01"), birthDate: born) != nil)
    }

    @Test func periodsContainTheirDaysButNotTheLossDate() {
        let period = EligibilityPeriod(
            from: d("2025-07-15"), acquisition: .reachedAge75, until: d("2025-09-01"), loss: .died)
        #expect(!period.contains(d("2025-07-14")))
        #expect(period.contains(d("2025-07-15")))
        #expect(period.contains(d("2025-08-31")))
        #expect(!period.contains(d("2025-09-01")))
    }
}
