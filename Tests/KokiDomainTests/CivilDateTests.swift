import KokiDomain
import Testing

@Suite struct CivilDateTests {
    /// The dates written in koki's source are built without checks (`CivilDate(known:)`):
    /// each is the day the checked initializer gives.
    @Test func theConstantDatesAreTheDaysTheySay() throws {
        #expect(InputLimits.systemStart == (try CivilDate(year: 2008, month: 4, day: 1)))
        #expect(InputLimits.earliestBirth == (try CivilDate(year: 1868, month: 1, day: 1)))
        #expect(InputLimits.latestCalculated == (try CivilDate(year: 2199, month: 12, day: 31)))
        #expect(InputLimits.lastDay == (try CivilDate(year: 9999, month: 12, day: 31)))
        #expect(InputLimits.lastDay.description == "9999-12-31")
        #expect(CivilDate.epoch == (try CivilDate(year: 1970, month: 1, day: 1)))
    }

    @Test(arguments: [
        (2024, 2, 29, true), (2025, 2, 29, false), (1900, 2, 29, false), (2000, 2, 29, true),
        (2025, 4, 31, false), (2025, 12, 31, true), (2025, 13, 1, false), (2025, 1, 0, false),
    ])
    func existenceOfDates(year: Int, month: Int, day: Int, exists: Bool) {
        #expect(((try? CivilDate(year: year, month: month, day: day)) != nil) == exists)
    }

    /// A date read from its bytes (a `String` of ten ASCII characters) is read exactly as the same
    /// text read as any text: the same date, or the same refusal, for dates and near-dates alike.
    @Test func aDateReadFromItsBytesIsReadAsAnyText() {
        func outcome(_ read: () throws(DomainError) -> CivilDate) -> String {
            do { return "\(try read().daysSinceEpoch)" } catch { return error.message }
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-+ ０x")
        var texts = ["2025-07-31", "2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31", "+202-01-01", "2025-7-31"]
        for _ in 0..<20_000 {
            // Mostly well-formed, so that real dates (and the days that do not exist) are common.
            var text = Array(String(format: "%04d-%02d-%02d", Int.random(in: 0...9999), Int.random(in: 0...13), Int.random(in: 0...32)))
            if Bool.random(using: &generator) {
                text[Int.random(in: 0..<text.count, using: &generator)] = alphabet.randomElement(using: &generator)!
            }
            texts.append(String(text))
        }
        for text in texts {
            let bytes = outcome { () throws(DomainError) in try CivilDate(iso: text) }
            let any = outcome { () throws(DomainError) in try CivilDate(iso: text[...]) }
            #expect(bytes == any, "\(text)")
        }
        #expect((try? CivilDate(iso: "2025-07-31"))?.description == "2025-07-31")
    }

    @Test func refusalNamesTheValue() {
        #expect {
            try CivilDate(year: 2025, month: 2, day: 29)
        } throws: { error in
            (error as? DomainError)?.message == "day 29 does not exist in 2025-02 (it has 28 days)"
        }
        #expect(throws: DomainError.self) { try CivilDate(iso: "2025-7-1") }
    }

    @Test func daysSinceEpochRoundTripsEveryDayOverFourCenturies() throws {
        // 1900-01-01 … 2300-12-31 one by one: the conversion is a bijection and ordered.
        var previous = try CivilDate(year: 1899, month: 12, day: 31)
        for days in try CivilDate(year: 1900, month: 1, day: 1)
            .daysSinceEpoch...(try CivilDate(year: 2300, month: 12, day: 31).daysSinceEpoch)
        {
            let date = try CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(previous < date)
            #expect(previous.adding(days: 1) == date)
            previous = date
        }
    }

    @Test func knownAnchors() throws {
        #expect(try CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(try CivilDate(year: 2025, month: 4, day: 1).daysSinceEpoch == 20179)
        #expect(try CivilDate(iso: "2026-03-31").adding(days: 1) == CivilDate(year: 2026, month: 4, day: 1))
        #expect(try CivilDate(iso: "2024-02-28").days(until: CivilDate(iso: "2024-03-01")) == 2)
        #expect(try CivilDate(iso: "2025-07-31").description == "2025-07-31")
    }

    @Test func fiscalYearRunsAprilToMarch() throws {
        #expect(FiscalYear(containing: try CivilDate(iso: "2026-03-31")) == (try FiscalYear(2025)))
        #expect(FiscalYear(containing: try CivilDate(iso: "2026-04-01")) == (try FiscalYear(2026)))
        #expect(try FiscalYear(2025).firstDay == CivilDate(iso: "2025-04-01"))
        #expect(try FiscalYear(2025).lastDay == CivilDate(iso: "2026-03-31"))
    }

    @Test func personIDsAreDigits() throws {
        #expect((try? PersonID("000123456789")) != nil)
        #expect((try? PersonID("")) == nil)
        #expect((try? PersonID("12a4")) == nil)
        #expect((try? PersonID("1234567890123456")) == nil)
        #expect(try PersonID("42").streamName == "person/42")
    }

    /// Up to 24: a pension year's six months, up to twelve ordinary periods and 随時期.
    @Test func periodsAreOneToTwentyFour() throws {
        #expect((try? PeriodNumber(0)) == nil)
        #expect((try? PeriodNumber(24))?.number == 24)
        #expect((try? PeriodNumber(25)) == nil)
        #expect(try PeriodNumber(9).description == "第9期")
    }

    @Test func yenArithmetic() {
        #expect(Yen(51_900) - Yen(5_700) == Yen(46_200))
        #expect([Yen(1), Yen(2), Yen(3)].sum() == Yen(6))
        #expect(Yen(-5) < .zero)
    }
}
