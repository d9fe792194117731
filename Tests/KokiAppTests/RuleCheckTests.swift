import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import Testing

/// The auditor's rule checker on a history built event by event: a clean one shows no breach,
/// and each planted breach is found at its own position under its own rule.
@Suite struct RuleCheckTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func id(_ text: String) -> PersonID { try! PersonID(text) }
    func key(_ year: Int, _ period: Int) -> PeriodKey { PeriodKey(try! FiscalYear(year), try! PeriodNumber(period)) }

    var living: PersonID { id("100000001") }
    var dying: PersonID { id("100000002") }

    func schedule(_ year: Int, _ annual: Int64) -> [Installment] {
        InstallmentCalendar.standard(fiscalYear: year).installments(for: Yen(annual)).map {
            Installment(period: $0.period, dueDate: $0.dueDate, amount: $0.amount)
        }
    }

    func assessed(_ person: PersonID, _ year: Int, on decided: String, _ installments: [Installment])
        -> KokiEvent
    {
        .premiumAssessed(
            PremiumAssessed(
                person: person, fiscalYear: try! FiscalYear(year), decidedOn: d(decided),
                annualPremium: installments.map(\.amount).sum(), installments: installments, ruleVersion: "test"))
    }

    func payment(_ person: PersonID, _ key: PeriodKey, _ amount: Int64, on date: String, id: String) -> KokiEvent {
        .paymentReceived(
            PaymentReceived(
                id: id, person: person, channel: .counter, paidOn: d(date), learnedOn: d(date), amount: Yen(amount),
                slip: key, parts: [.init(key: key, amount: Yen(amount), accountingYear: key.fiscalYear)],
                overpaid: .zero, reference: id))
    }

    func document(_ person: PersonID, _ kind: NoticeKind, on date: String, builtFrom: Int64, number: String)
        -> KokiEvent
    {
        .notice(
            .documentIssued(
                DocumentIssued(
                    number: number, kind: kind, reason: "test", person: person, subject: "FY2025", builtFrom: builtFrom,
                    issuedOn: d(date), recordHash: [])))
    }

    /// A year of two persons that breaks no rule.
    var clean: [KokiEvent] {
        let fy = schedule(2025, 90_000)
        return [
            .installmentCalendarAdopted(InstallmentCalendarAdopted(calendar: .standard(fiscalYear: 2025))),
            .arrearsSettingsAdopted(ArrearsSettingsAdopted(settings: .standard)),
            .personRegistered(PersonRegistered(person: living, identity: SealedIdentity(bytes: [1]))),
            .personRegistered(PersonRegistered(person: dying, identity: SealedIdentity(bytes: [2]))),
            assessed(living, 2025, on: "2025-07-10", fy),
            assessed(dying, 2025, on: "2025-07-10", fy),
            document(living, .payment, on: "2025-07-15", builtFrom: 6, number: "P1"),
            payment(living, key(2025, 1), fy[0].amount.amount, on: "2025-07-31", id: "pay-1"),
            // Period 2 is due 2025-09-01 (31 August is a Sunday): dunned on the 10th, 指定期限 the 22nd.
            .dunningNoticeIssued(
                DunningNoticeIssued(
                    person: living, fiscalYear: try! FiscalYear(2025), period: try! PeriodNumber(2),
                    principal: fy[1].amount, issuedOn: d("2025-09-10"), payBy: d("2025-09-22"))),
            .eligibilityLost(
                EligibilityLost(
                    person: dying, reason: .died, eventDate: d("2025-10-01"), effectiveFrom: d("2025-10-02"))),
        ]
    }

    func check(_ events: [KokiEvent], scope: RuleCheck.Scope = RuleCheck.Scope()) -> RuleCheck {
        var check = RuleCheck(scope: scope)
        for (i, event) in events.enumerated() { check.apply(event, position: Int64(i + 1)) }
        check.finish()
        return check
    }

    @Test func aCleanHistoryBreaksNoRule() {
        let result = check(clean)
        #expect(result.breaches == [], "\(result.breaches)")
        #expect(result.eventsRead == clean.count)
    }

    @Test func eachPlantedBreachIsFoundAtItsPosition() {
        let (events, expected) = planted
        let found = check(events).breaches
        for (rule, position) in expected where rule != .money {
            #expect(found.contains { $0.rule == rule && $0.position == position }, "\(rule) at \(position): \(found)")
        }
        // Money: the overpayment passed on more than it held, found at the person's last event.
        #expect(found.contains { $0.rule == .money && $0.person == living && $0.message.contains("o1") })
        #expect(Set(found.map(\.rule)) == Set(RuleCheck.Rule.allCases.filter { $0 != .timeLimit }), "\(found)")
        // Nothing is reported about what broke no rule.
        #expect(found.allSatisfy { $0.position > Int64(clean.count) })
        // Scoped: one person, one year, from a position on.
        #expect(check(events, scope: .init(person: dying)).breaches.allSatisfy { $0.person == dying })
        #expect(check(events, scope: .init(person: dying)).breaches.count == 2)
        #expect(check(events, scope: .init(fiscalYear: try! FiscalYear(2024))).breaches.isEmpty)
        let since = Int64(clean.count + 4)
        #expect(check(events, scope: .init(since: since)).breaches.allSatisfy { $0.position >= since })
    }

    /// The clean history with a breach of every rule but the time limit planted after it, and
    /// each planted breach's rule and position.
    var planted: (events: [KokiEvent], expected: [(RuleCheck.Rule, Int64)]) {
        let fy = schedule(2025, 90_000)
        let planted: [(RuleCheck.Rule, KokiEvent)] = [
            // A Saturday.
            (.closedDay, document(living, .payment, on: "2025-09-13", builtFrom: 10, number: "P2")),
            // Mail to a person whose death was recorded before it was built.
            (.deceased, document(dying, .payment, on: "2025-10-15", builtFrom: 10, number: "P3")),
            (
                .deceased,
                .debitRequested(
                    DebitRequested(
                        person: dying, key: key(2025, 4), amount: fy[3].amount, debitDate: d("2025-10-31"),
                        customerNumber: "1", file: "f"))
            ),
            // Period 3 (due 2025-09-30) dunned 41 days after.
            (
                .dunning,
                .dunningNoticeIssued(
                    DunningNoticeIssued(
                        person: living, fiscalYear: try! FiscalYear(2025), period: try! PeriodNumber(3),
                        principal: fy[2].amount, issuedOn: d("2025-11-10"), payBy: d("2025-11-20")))
            ),
            // Period 1 was paid on its due date.
            (
                .dunning,
                .dunningNoticeIssued(
                    DunningNoticeIssued(
                        person: living, fiscalYear: try! FiscalYear(2025), period: try! PeriodNumber(1),
                        principal: fy[0].amount, issuedOn: d("2025-08-12"), payBy: d("2025-08-22")))
            ),
            // Raised on the last period, due 2026-03-31, by a decision of 2026-05-01.
            (
                .pastDueCharge,
                assessed(
                    living, 2025, on: "2026-05-01",
                    fy.dropLast() + [Installment(period: fy[8].period, dueDate: fy[8].dueDate, amount: Yen(50_000))])
            ),
            // A late fee on period 1, paid off by its due date.
            (
                .lateFee,
                .lateFeeFinalized(
                    LateFeeFinalized(
                        person: living, key: key(2025, 1), fee: Yen(100), paidOffOn: d("2025-07-31"), ruleVersion: "t"))
            ),
            // Written off months after its due date: nowhere near prescription.
            (
                .writeOff,
                .writtenOff(
                    WrittenOff(
                        person: living, key: key(2025, 4), premium: fy[3].amount, lateFee: .zero,
                        reason: .prescription, lastDay: d("2026-01-09"), writtenOffOn: d("2026-01-10")))
            ),
        ]
        // The refund's own history: an overpayment refunded twice over, and paid years later.
        let refund: [(RuleCheck.Rule?, KokiEvent)] = [
            (nil, payment(living, key(2025, 5), 20_000, on: "2025-11-04", id: "pay-5")),
            (
                nil,
                .overpaymentRecognized(
                    OverpaymentRecognized(
                        person: living, id: "o1", key: key(2025, 5), amount: Yen(10_000), cause: .erroneous,
                        arose: d("2025-11-04"), recognizedOn: d("2025-11-05"), reason: "test"))
            ),
            (
                .money,
                .refundDecided(
                    RefundDecided(
                        person: living, id: "r1", overpayment: "o1", amount: Yen(15_000), interest: .zero,
                        interestFrom: d("2025-11-05"), decidedOn: d("2025-11-06"), ruleVersion: "t"))
            ),
            (
                .refundPrescribed,
                .refundPaid(RefundPaid(person: living, refund: "r1", paidOn: d("2027-11-08"), heir: nil))
            ),
        ]
        // A deferment (徴収猶予) of period 6, then a seizure on it while it lasts.
        let held: [(RuleCheck.Rule?, KokiEvent)] = [
            (
                nil,
                .collectionDeferred(
                    CollectionDeferred(
                        person: living, id: "y1", change: .granted, on: d("2025-11-04"), periods: [key(2025, 6)],
                        from: d("2025-11-04"), through: d("2026-01-30"), reason: .illness, relief: .halved))
            ),
            (
                .onHold,
                .seizureRecorded(
                    SeizureRecorded(
                        person: living, id: "z1", change: .started, on: d("2025-12-10"), periods: [key(2025, 6)]))
            ),
        ]
        // A pension year whose February deduction a later decision raised (an increase is paid
        // ordinarily, never added to a deduction the insurer was told).
        let days = PensionDeduction.paymentDates(fiscalYear: 2026)
        func pensionYear(on decided: String, february: Int64) -> KokiEvent {
            let installments = days.enumerated().map { index, day in
                Installment(
                    period: try! PeriodNumber(index + 1), dueDate: day, amount: Yen(index == 5 ? february : 5_000))
            }
            return .premiumAssessed(
                PremiumAssessed(
                    person: living, fiscalYear: try! FiscalYear(2026), decidedOn: d(decided),
                    annualPremium: installments.map(\.amount).sum(), installments: installments, ruleVersion: "test",
                    reason: .annual, collection: .pensionDeduction, pensionPeriods: installments.map(\.period)))
        }
        let raised: [(RuleCheck.Rule?, KokiEvent)] = [
            (nil, pensionYear(on: "2026-07-10", february: 5_000)),
            (.raisedDeduction, pensionYear(on: "2026-09-10", february: 9_000)),
        ]
        var events = clean
        var expected: [(RuleCheck.Rule, Int64)] = []
        for (rule, event) in planted + (refund + held + raised).map({ ($0.0 ?? .money, $0.1) }) {
            events.append(event)
            expected.append((rule, Int64(events.count)))
        }
        return (events, expected)
    }

    /// Each person checked alone (``RuleCheck/check(person:city:scope:)``), the city's calendars
    /// and settings applied between their events, shows what one pass over the whole history
    /// shows, in the same order, under every scope: on the planted history and on random slices
    /// of it, where dropped assessments, payments and settings make breaches of their own.
    @Test func aPersonCheckedAloneShowsWhatTheWholePassShows() {
        let events = planted.events
        var random = SeededGenerator(seed: 25)
        var found = 0
        for round in 0..<300 {
            let slice = round == 0 ? events : events.filter { _ in Int.random(in: 0..<4, using: &random) != 0 }
            for scope: RuleCheck.Scope in [
                .init(), .init(person: living), .init(person: dying), .init(fiscalYear: try! FiscalYear(2025)),
                .init(since: 12),
            ] {
                let whole = check(slice, scope: scope).breaches
                #expect(alone(slice, scope) == whole, "round \(round), \(scope)")
                found += whole.count
            }
        }
        #expect(found > 3_000)
    }

    /// The breaches of `events` checked a person at a time, as `koki audit rules` reads them.
    func alone(_ events: [KokiEvent], _ scope: RuleCheck.Scope) -> [RuleCheck.Breach] {
        var city: [(position: Int64, event: KokiEvent)] = []
        var persons: [PersonID: [(position: Int64, event: KokiEvent)]] = [:]
        for (index, event) in events.enumerated() {
            switch RuleCheck.subject(of: event) {
            case .person(let person): persons[person, default: []].append((Int64(index + 1), event))
            case .city: city.append((Int64(index + 1), event))
            case .none: break
            }
        }
        let wanted = persons.keys.sorted().filter { scope.person == nil || $0 == scope.person }
        return RuleCheck.merged(wanted.map { RuleCheck.check(person: persons[$0]!, city: city, scope: scope) })
    }

    /// A pension year's first assessment keeps April and June at the provisional deduction decided
    /// before April — as far as the premium goes — and anything else there is a breach; without a
    /// decision, the provisional months are the insurer's and no breach.
    @Test func aPensionYearKeepsAprilAndJuneAtTheProvisionalDeductionDecided() {
        let days = PensionDeduction.paymentDates(fiscalYear: 2025)
        func year(_ amounts: [Int64]) -> KokiEvent {
            let installments = zip(days, amounts).enumerated().map { index, pair in
                Installment(period: try! PeriodNumber(index + 1), dueDate: pair.0, amount: Yen(pair.1))
            }
            return .premiumAssessed(
                PremiumAssessed(
                    person: living, fiscalYear: try! FiscalYear(2025), decidedOn: d("2025-07-10"),
                    annualPremium: installments.map(\.amount).sum(), installments: installments, ruleVersion: "test",
                    collection: .pensionDeduction, pensionPeriods: installments.map(\.period)))
        }
        let start: [KokiEvent] = [
            .installmentCalendarAdopted(InstallmentCalendarAdopted(calendar: .standard(fiscalYear: 2025))),
            .personRegistered(PersonRegistered(person: living, identity: SealedIdentity(bytes: [1]))),
        ]
        let decided: KokiEvent = .provisionalDeductionDecided(
            ProvisionalDeductionDecided(
                person: living, fiscalYear: try! FiscalYear(2025), amount: Yen(6_000), decidedOn: d("2025-02-20"),
                basis: "test"))
        func charges(_ events: [KokiEvent]) -> [RuleCheck.Breach] {
            check(events).breaches.filter { $0.rule == .pastDueCharge }
        }
        #expect(charges(start + [decided, year([6_000, 6_000, 9_000, 5_000, 5_000, 5_000])]).isEmpty)
        // A premium of 8,000: April 6,000, June the 2,000 left (the insurer's other 4,000 refunded).
        #expect(charges(start + [decided, year([6_000, 2_000, 0, 0, 0, 0])]).isEmpty)
        let otherwise = charges(start + [decided, year([5_000, 7_000, 9_000, 5_000, 5_000, 5_000])])
        #expect(otherwise.count == 2 && otherwise.allSatisfy { $0.position == 4 && $0.message.contains("仮徴収") })
        #expect(charges(start + [year([5_000, 7_000, 9_000, 5_000, 5_000, 5_000])]).isEmpty)
    }

    @Test func theTimeLimitOnAssessingIsABreachOnlyForRaisesAndFirstAssessments() {
        // FY2022: first due 2022-08-01 (31 July 2022 is a Sunday); barred from 2024-08-02.
        let start: [KokiEvent] = [
            .installmentCalendarAdopted(InstallmentCalendarAdopted(calendar: .standard(fiscalYear: 2022))),
            .personRegistered(PersonRegistered(person: living, identity: SealedIdentity(bytes: [1]))),
        ]
        let fy = schedule(2022, 90_000)
        let inTime = start + [assessed(living, 2022, on: "2024-08-01", fy)]
        #expect(!check(inTime).breaches.contains { $0.rule == .timeLimit })
        let late = start + [assessed(living, 2022, on: "2024-08-02", fy)]
        #expect(check(late).breaches.contains { $0.rule == .timeLimit && $0.position == 3 })
        // A decrease after the limit, in the person's favour, is no breach.
        // (Decided after every due date, the first assessment charges past due dates: its own breach.)
        #expect(check(inTime).breaches.allSatisfy { $0.rule == .pastDueCharge && $0.position == 3 })
        let lower =
            inTime + [
                assessed(
                    living, 2022, on: "2025-01-10",
                    fy.dropLast() + [Installment(period: fy[8].period, dueDate: fy[8].dueDate, amount: .zero)])
            ]
        #expect(!check(lower).breaches.contains { $0.position == 4 }, "\(check(lower).breaches)")
    }
}
