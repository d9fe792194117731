import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import Testing

@Suite struct InsuredRegisterTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    let p1 = try! PersonID("1001")
    let p2 = try! PersonID("1002")
    let h = try! HouseholdID("555")
    let sealed = SealedIdentity(bytes: [1, 2, 3])

    @Test func aLateRegisteredDeathChangesTheAnswerFromItsDateOnOnly() {
        var register = InsuredRegister()
        register.apply(.personRegistered(PersonRegistered(person: p1, identity: sealed)))
        register.apply(
            .eligibilityAcquired(
                EligibilityAcquired(
                    person: p1, reason: .reachedAge75, eventDate: d("2025-07-15"), effectiveFrom: d("2025-07-15"))))
        #expect(register.person(p1)?.isInsured(on: d("2025-11-30")) == true)
        // Registered in December, the death was on 31 October.
        register.apply(
            .eligibilityLost(
                EligibilityLost(person: p1, reason: .died, eventDate: d("2025-10-31"), effectiveFrom: d("2025-11-01"))))
        let person = register.person(p1)!
        #expect(person.isInsured(on: d("2025-10-31")))
        #expect(!person.isInsured(on: d("2025-11-01")))
        #expect(!person.isInsured(on: d("2025-07-14")))
        #expect(
            person.eligibilityPeriods == [
                EligibilityPeriod(
                    from: d("2025-07-15"), acquisition: .reachedAge75, until: d("2025-11-01"), loss: .died)
            ])
        #expect(register.insured(on: d("2025-10-01")).map(\.id) == [p1])
        #expect(register.insured(on: d("2025-11-01")).isEmpty)
    }

    @Test func householdTimelineTakesCorrectionsByEffectiveDate() {
        var register = InsuredRegister()
        for p in [p1, p2] { register.apply(.personRegistered(PersonRegistered(person: p, identity: sealed))) }
        let other = try! HouseholdID("777")
        register.apply(
            .householdMembershipRecorded(
                .init(person: p1, household: h, role: .householder, effectiveOn: d("2020-01-01"))))
        register.apply(
            .householdMembershipRecorded(.init(person: p2, household: h, role: .member, effectiveOn: d("2020-01-01"))))
        register.apply(
            .householdMembershipRecorded(.init(person: p1, household: nil, role: .member, effectiveOn: d("2025-09-01")))
        )
        // Recorded later: p2 became householder on 2025-09-01, and (a correction) had moved to
        // another household from 2026-01-10.
        register.apply(
            .householdMembershipRecorded(
                .init(person: p2, household: other, role: .householder, effectiveOn: d("2026-01-10"))))
        register.apply(
            .householdMembershipRecorded(
                .init(person: p2, household: h, role: .householder, effectiveOn: d("2025-09-01"))))
        #expect(
            register.household(h, on: d("2024-01-01")).map { "\($0.person.id):\($0.role)" } == [
                "1001:householder", "1002:member",
            ])
        #expect(register.household(h, on: d("2025-09-01")).map { "\($0.person.id):\($0.role)" } == ["1002:householder"])
        #expect(register.household(h, on: d("2026-01-10")).isEmpty)
        #expect(register.household(other, on: d("2026-01-10")).map(\.person.id) == [p2])
        #expect(register.person(p1)?.household(on: d("2025-09-01")) == nil)
        // Same date twice: the later recorded wins.
        register.apply(
            .householdMembershipRecorded(
                .init(person: p1, household: other, role: .member, effectiveOn: d("2025-09-01"))))
        #expect(register.person(p1)?.household(on: d("2025-09-02"))?.household == other)
    }

    @Test func formerNumbersFindThePerson() {
        var register = InsuredRegister()
        register.apply(.personRegistered(PersonRegistered(person: p2, identity: sealed)))
        register.apply(.personNumbersLinked(PersonNumbersLinked(person: p2, formerNumber: p1)))
        #expect(register.person(p1)?.id == p2)
        #expect(register.person(p2)?.formerNumbers == [p1])
    }

    /// Any valid sequence of acquisitions and losses (in any recorded order) folds into
    /// non-overlapping, ordered periods; and asking "as effective on D" of the whole history
    /// gives the same answer as replaying only the events effective by D.
    @Test(arguments: 1...25 as ClosedRange<UInt64>)
    func periodsDoNotOverlapAndEffectiveDatingIsConsistent(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        var events: [KokiEvent] = [.personRegistered(PersonRegistered(person: p1, identity: sealed))]
        var day = d("2024-01-01")
        for _ in 0..<Int.random(in: 1...5, using: &g) {
            day = day.adding(days: Int.random(in: 0...200, using: &g))
            let from = day
            events.append(
                .eligibilityAcquired(
                    EligibilityAcquired(
                        person: p1, reason: AcquisitionReason.allCases.randomElement(using: &g)!, eventDate: from,
                        effectiveFrom: from)))
            day = day.adding(days: Int.random(in: 1...300, using: &g))
            if Int.random(in: 0..<4, using: &g) == 0 { break }  // still insured
            events.append(
                .eligibilityLost(
                    EligibilityLost(
                        person: p1, reason: LossReason.allCases.randomElement(using: &g)!,
                        eventDate: day.adding(days: -1),
                        effectiveFrom: day)))
            for _ in 0..<Int.random(in: 0...2, using: &g) {
                events.append(
                    .householdMembershipRecorded(
                        .init(
                            person: p1, household: Bool.random(using: &g) ? h : nil, role: .member,
                            effectiveOn: d("2024-01-01").adding(days: Int.random(in: 0...1500, using: &g)))))
            }
        }
        // Recorded in a shuffled order (late registrations), keeping registration first.
        let recorded = [events[0]] + events.dropFirst().shuffled(using: &g)
        let register = InsuredRegister.replaying(recorded)
        let periods = register.person(p1)!.eligibilityPeriods
        #expect(periods.count == recorded.filter { if case .eligibilityAcquired = $0 { true } else { false } }.count)
        for (a, b) in zip(periods, periods.dropFirst()) {
            #expect(a.until != nil && a.until! <= b.from, "periods overlap: \(a) and \(b)")
        }
        for offset in stride(from: -10, through: 1600, by: 37) {
            let date = d("2024-01-01").adding(days: offset)
            let asOf = InsuredRegister.replaying(recorded.filter { $0.effectiveDate.map { $0 <= date } ?? true })
            #expect(asOf.person(p1)?.isInsured(on: date) == register.person(p1)?.isInsured(on: date), "\(date)")
            #expect(asOf.person(p1)?.household(on: date) == register.person(p1)?.household(on: date), "\(date)")
        }
    }
}
