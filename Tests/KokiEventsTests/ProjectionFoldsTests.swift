import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import Testing

/// The folds the application core loads from a ledger — a person's collection state, an
/// operator's record, a person's collection history — folded here from a few events, no store.
@Suite struct ProjectionFoldsTests {
    let person = EventSamples.person
    let fy = EventSamples.fy

    /// The sample assessment, decided before the sample payment.
    var assessed: PremiumAssessed {
        var e = EventSamples.premiumAssessed
        e.decidedOn = try! CivilDate(iso: "2025-07-10")
        return e
    }

    @Test func aPersonsStreamFoldsIntoTheirCollectionStateAsOfADay() throws {
        let events: [KokiEvent] = [
            .personRegistered(PersonRegistered(person: person, identity: EventSamples.sealed)),
            .premiumAssessed(assessed), .paymentReceived(EventSamples.paymentReceived),
        ]
        var now = PersonCollectionState.StreamFold(person)
        var dayBefore = PersonCollectionState.StreamFold(person, asOf: try CivilDate(iso: "2025-08-28"))
        for (i, event) in events.enumerated() {
            now.apply(event, streamVersion: Int64(i + 1))
            dayBefore.apply(event, streamVersion: Int64(i + 1))
        }
        let state = now.state
        #expect(state.person == person && state.entry?.id == person && state.exists)
        #expect(state.version == 3)
        #expect(state.assessments == [fy: assessed])
        #expect(state.largestAssessed[EventSamples.key(1)] == Yen(5_900))
        #expect(state.account.payments.map(\.event) == [EventSamples.paymentReceived])
        #expect(state.account.periods[EventSamples.key(2)]?.outstanding == .zero)
        #expect(state.account.overpayments.map(\.open) == [Yen(250)])
        #expect(state.settings == nil)

        // The day before the payment: assessed, nothing paid; the version still follows every event.
        let earlier = dayBefore.state
        #expect(earlier.version == 3 && earlier.entry?.id == person)
        #expect(earlier.assessments == [fy: assessed])
        #expect(earlier.account.payments.isEmpty && earlier.account.overpayments.isEmpty)
        #expect(earlier.account.periods[EventSamples.key(2)]?.outstanding == Yen(5_750))
    }

    /// The most ever assessed for a period is the same for a state folded from the stream and
    /// for one taken from the city (which knows only each period's current assessment), before
    /// and after a lower reassessment is applied to it.
    @Test func theLargestAssessedIsTheSameFromTheStreamAndFromTheCity() throws {
        var lower = assessed
        lower.decidedOn = try CivilDate(iso: "2025-11-10")
        lower.installments = lower.installments.map {
            var i = $0; i.amount = Yen(4_000); return i
        }
        let events: [KokiEvent] = [
            .personRegistered(PersonRegistered(person: person, identity: EventSamples.sealed)),
            .premiumAssessed(assessed),
        ]
        var fold = PersonCollectionState.StreamFold(person)
        var city = CitySnapshot()
        for (i, event) in events.enumerated() {
            fold.apply(event, streamVersion: Int64(i + 1))
            city.apply(event, position: Int64(i + 1), stream: person.streamName, version: Int64(i + 1))
        }
        var fromStream = fold.state
        var fromCity = PersonCollectionState(person, in: city)
        let keys =
            assessed.installments.map { PeriodKey(fy, $0.period) } + [
                PeriodKey(try FiscalYear(2026), try PeriodNumber(1))
            ]
        #expect(fromCity.largestAssessed.isEmpty)
        #expect(keys.map { fromCity.largestAssessed($0) } == keys.map { fromStream.largestAssessed($0) })
        #expect(fromCity.largestAssessed(EventSamples.key(1)) == Yen(5_900))
        #expect(fromCity.largestAssessed(PeriodKey(try FiscalYear(2026), try PeriodNumber(1))) == nil)
        // The year's assessment, asked of the city when needed, is the stream's.
        #expect(fromCity.assessment(fy) == assessed && fromStream.assessment(fy) == assessed)
        #expect(fromCity.assessments == fromStream.assessments)
        #expect(fromCity.assessment(try FiscalYear(2026)) == nil)
        // Lent to a reader, the same assessment, and none for a year without one.
        #expect(fromCity.assessment(fy, { copy $0 }) == assessed && fromStream.assessment(fy, { copy $0 }) == assessed)
        #expect(fromCity.assessment(try FiscalYear(2026), { $0.cause }) == nil)
        fromStream.apply(.premiumAssessed(lower))
        fromCity.apply(.premiumAssessed(lower))
        // One the state folds itself is in force over the city's.
        #expect(fromCity.assessment(fy) == lower && fromCity.assessments == fromStream.assessments)
        #expect(fromCity.assessment(fy, { copy $0 }) == lower)
        #expect(fromCity.account.periods[EventSamples.key(1)]?.assessed == Yen(4_000))
        #expect(keys.map { fromCity.largestAssessed($0) } == keys.map { fromStream.largestAssessed($0) })
        #expect(fromCity.largestAssessed(EventSamples.key(1)) == Yen(5_900))
    }

    /// A year assessed with nothing to pay (no installments, so no period in the account) is
    /// among the assessments of a state taken from the city, as of one folded from the stream.
    @Test func aYearAssessedWithNothingToPayIsAmongTheCitysAssessments() throws {
        var nothing = assessed
        nothing.installments = []
        let events: [KokiEvent] = [
            .rateTableAdopted(RateTableAdopted(table: RateTable.chiba(fiscalYear: 2025)!)),
            .personRegistered(PersonRegistered(person: person, identity: EventSamples.sealed)),
            .premiumAssessed(nothing),
        ]
        var fold = PersonCollectionState.StreamFold(person)
        var city = CitySnapshot()
        for (i, event) in events.enumerated() {
            if i > 0 { fold.apply(event, streamVersion: Int64(i)) }
            city.apply(event, position: Int64(i + 1), stream: i > 0 ? person.streamName : "config/rates", version: 1)
        }
        let fromCity = PersonCollectionState(person, in: city)
        #expect(fromCity.account.periods.isEmpty)
        #expect(fromCity.assessments == [fy: nothing])
        #expect(fromCity.assessments == fold.state.assessments)
    }

    /// The keys of an account's unsettled periods are kept exact by every event that changes a
    /// period's sums (an assessment, a payment and its cancellation, an overpayment and its
    /// appropriation, a late fee, a reduction, a write-off), in any order; so are whether money
    /// is held for the person and whether the account needs attention, and the city's set of
    /// those who need it; the prescriptions of its periods asked together are those asked one at
    /// a time.
    @Test(arguments: 0...30 as ClosedRange<UInt64>)
    func theUnsettledKeysFollowEveryEvent(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        var paidOff = EventSamples.paymentReceived
        paidOff.id = "p2"
        paidOff.parts = [.init(key: EventSamples.key(1), amount: Yen(5_900), accountingYear: fy)]
        paidOff.overpaid = .zero
        // Period 8 paid 1,250 yen over its 5,750, then the excess moved off it.
        var overpaid = paidOff
        overpaid.id = "p3"
        overpaid.parts = [.init(key: EventSamples.key(8), amount: Yen(7_000), accountingYear: fy)]
        let movedOff = OverpaymentRecognized(
            person: person, id: "o8", key: EventSamples.key(8), amount: Yen(1_250), cause: .overpaid,
            arose: paidOff.paidOn, recognizedOn: paidOff.learnedOn, reason: "過納")
        // The sample plan, completed (before it is agreed, in some orders: then it stays in force).
        let completed = InstallmentPlanRecorded(
            person: person, id: "a1", change: .completed, on: try CivilDate(iso: "2026-01-05"),
            periods: [EventSamples.key(3), EventSamples.key(4)], includesLateFees: true, schedule: [], pledge: false,
            reason: "paid")
        var events: [KokiEvent] =
            [.premiumAssessed(assessed), .paymentReceived(EventSamples.paymentReceived), .paymentReceived(paidOff)]
            + EventSamples.collection + EventSamples.arrears
            + [.paymentReceived(overpaid), .overpaymentRecognized(movedOff), .installmentPlanRecorded(completed)]
        if seed > 0 { events = [events[0]] + events.dropFirst().shuffled(using: &g) }
        var account = CollectionAccounts.Account()
        var accounts = CollectionAccounts()
        var held = (ever: false, never: false)
        var planned = (ever: false, never: false)
        var prescribed = (some: false, not: false)
        var planEnded = false
        for event in events where CollectionAccounts.Account.folds(event) {
            let plannedBefore = !accounts.withActivePlans.isEmpty
            account.apply(event)
            accounts.apply(event)
            planEnded = planEnded || (plannedBefore && accounts.withActivePlans.isEmpty)
            let exact = Set(account.periods.filter { $0.value.isUnsettled }.map(\.key))
            #expect(account.unsettledKeys == exact, "after \(event.typeName), seed \(seed)")
            let holds =
                account.overpayments.contains { $0.open > .zero }
                || account.refunds.contains { $0.paid == nil && $0.prescribed == nil }
            #expect(account.holdsMoney == holds, "after \(event.typeName), seed \(seed)")
            #expect(account.needsAttention == (holds || !exact.isEmpty), "after \(event.typeName), seed \(seed)")
            #expect(accounts.needingAttention == (account.needsAttention ? [person] : []), "after \(event.typeName)")
            #expect(accounts.withActivePlans == (account.activePlans.isEmpty ? [] : [person]), "\(event.typeName)")
            planned = (planned.ever || !account.activePlans.isEmpty, planned.never || account.activePlans.isEmpty)
            held = (held.ever || holds, held.never || !holds)
            // The prescriptions asked together are those asked one period at a time.
            let keys = account.periods.keys.sorted() + [PeriodKey(fy, try PeriodNumber(12))]
            let together = account.prescriptions(keys, .standard)
            #expect(together.count == keys.count, "after \(event.typeName), seed \(seed)")
            for (key, prescription) in zip(keys, together) {
                #expect(prescription == account.prescription(key, .standard), "\(key) after \(event.typeName)")
            }
            // Whether they are prescribed, asked on days before, about and long after the first
            // years end: what the prescriptions say, looked into only where they could be.
            for date in ["2025-06-01", "2027-08-01", "2028-03-01", "2031-01-01"] {
                let day = try CivilDate(iso: date)
                let asked = account.arePrescribed(keys, on: day, .standard)
                #expect(asked == together.map { $0.isPrescribed(on: day) }, "\(date) after \(event.typeName)")
                prescribed = (prescribed.some || asked.contains(true), prescribed.not || asked.contains(false))
            }
        }
        #expect(!account.periods.isEmpty)
        // Money was held at some moment and not at another: the flag was followed both ways.
        #expect(held.ever && held.never, "seed \(seed)")
        #expect(planned.ever && planned.never, "seed \(seed)")
        if seed == 0 { #expect(planEnded, "the plan agreed, then completed, leaves the set") }
        #expect(prescribed.some && prescribed.not, "seed \(seed)")
    }

    /// An account paid in full, owing nothing and holding nothing, leaves the city's set of those
    /// that need attention; an assessment brings it back.
    @Test func anAccountPaidInFullLeavesThoseThatNeedAttention() throws {
        var one = assessed
        one.installments = [assessed.installments[0]]
        one.annualPremium = one.installments[0].amount
        var accounts = CollectionAccounts()
        accounts.apply(.premiumAssessed(one))
        #expect(accounts.needingAttention == [person])
        var payment = EventSamples.paymentReceived
        payment.amount = one.annualPremium
        let key = PeriodKey(fy, one.installments[0].period)
        payment.parts = [.init(key: key, amount: payment.amount, accountingYear: fy)]
        payment.overpaid = .zero
        accounts.apply(.paymentReceived(payment))
        #expect(accounts.needingAttention.isEmpty && accounts.account(person)?.needsAttention == false)
        accounts.apply(.premiumAssessed(assessed))
        #expect(accounts.needingAttention == [person] && accounts.unsettledKeysAreExact)
    }

    /// Whether a store's record was paid before is told by the payments' tags, and exactly: a
    /// reference paid and not cancelled is found, one never paid, or paid and cancelled, is not;
    /// whatever the channel that carried it (a clerk may type a store's reference at the counter),
    /// in random orders of payments and cancellations.
    /// Whether a period was dunned, and whether an application stands as received, are what the
    /// notices and the applications' last changes say, asked without decoding the one or
    /// gathering the other: any order of notices (the same period twice, years apart, every
    /// period number) and of changes (applications interleaved, one received again).
    @Test(arguments: 0...20 as ClosedRange<UInt64>)
    func whatWasDunnedAndWhatStandsReceivedAreAskedOfTheRecordsAsKept(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        var account = CollectionAccounts.Account()
        let keys = try [2008, 2025, 2026, 2199].flatMap { year in
            try [1, 2, 12, 24].map { PeriodKey(try FiscalYear(year), try PeriodNumber($0)) }
        }
        var anyReceived = false
        for step in 0..<40 {
            if Bool.random(using: &g) {
                var notice = EventSamples.dunningNoticeIssued
                let key = keys.randomElement(using: &g)!
                (notice.fiscalYear, notice.period) = (key.fiscalYear, key.period)
                account.apply(.dunningNoticeIssued(notice))
            } else {
                let change =
                    Int.random(in: 0..<3, using: &g) == 0
                    ? .received : DebitApplicationRecorded.Change.allCases.randomElement(using: &g)!
                account.apply(
                    .debitApplicationRecorded(
                        DebitApplicationRecorded(
                            person: person, id: "a\(Int.random(in: 0..<3, using: &g))", change: change,
                            on: try CivilDate(iso: "2025-08-01").adding(days: step))))
            }
            for key in keys {
                #expect(account.wasDunned(key) == account.dunning.contains { $0.key == key }, "\(key)")
            }
            let received = account.currentApplications.contains { $0.change == .received }
            #expect(account.hasApplicationReceivedOnly == received, "seed \(seed), step \(step)")
            anyReceived = anyReceived || received
        }
        #expect(anyReceived, "seed \(seed)")
        // Every application sent on: none stands received.
        for id in ["a0", "a1", "a2"] {
            account.apply(
                .debitApplicationRecorded(
                    DebitApplicationRecorded(
                        person: person, id: id, change: .sent, on: try CivilDate(iso: "2025-10-01"))))
        }
        #expect(!account.hasApplicationReceivedOnly && !account.currentApplications.contains { $0.change == .received })
        #expect(CollectionAccounts.replaying(account.dunning.map { .dunningNoticeIssued($0) }).unsettledKeysAreExact)
    }

    @Test(arguments: 0...20 as ClosedRange<UInt64>)
    func aStorePaymentIsFoundByItsReference(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let references = (0..<6).map { "cvs:9191234\($0):2025-08-2\($0)" } + ["pension:ab12:3", "", "cvs:"]
        var account = CollectionAccounts.Account()
        account.apply(.premiumAssessed(assessed))
        var ids: [String] = []
        var answers = (found: false, notFound: false)
        for step in 0..<24 {
            if !ids.isEmpty, Int.random(in: 0..<4, using: &g) == 0 {
                let id = ids.randomElement(using: &g)!
                account.apply(
                    .paymentCancelled(
                        PaymentCancelled(
                            person: person, payment: id, cancelledOn: try CivilDate(iso: "2025-09-02"), reason: "誤り")))
            } else {
                var payment = EventSamples.paymentReceived
                payment.id = "p\(seed)-\(step)"
                payment.reference = references.randomElement(using: &g)!
                payment.channel = Bool.random(using: &g) ? .convenienceStore : .counter
                account.apply(.paymentReceived(payment))
                ids.append(payment.id)
            }
            for reference in references + ["cvs:never"] {
                let scanned = account.payments.contains { !$0.isCancelled && $0.event.reference == reference }
                #expect(account.hasStorePayment(reference) == scanned || !reference.hasPrefix("cvs:"), "\(reference)")
                guard reference.hasPrefix("cvs:") else { continue }
                answers = (answers.found || scanned, answers.notFound || !scanned)
            }
        }
        #expect(answers.found && answers.notFound, "seed \(seed)")
        // Paid, then cancelled: its tag stays, and the payments say it is not paid.
        var once = EventSamples.paymentReceived
        (once.id, once.reference) = ("p-once", "cvs:once:2025-08-29")
        account.apply(.paymentReceived(once))
        #expect(account.hasStorePayment(once.reference))
        account.apply(
            .paymentCancelled(
                PaymentCancelled(person: person, payment: "p-once", cancelledOn: once.learnedOn, reason: "誤り")))
        #expect(!account.hasStorePayment(once.reference))
        // Only a store's references are tagged: another's is never found, paid or not.
        #expect(!account.hasStorePayment("pension:ab12:3") && !account.hasStorePayment(""))
    }

    /// Whether a payment may have paid a period of some fiscal years is told by the span of its
    /// parts' years, and never wrongly no: a payment with a part in the years asked always may,
    /// whatever its parts (none, one, several, years before 2000 or after 2255, where the span
    /// holds them at its ends); and the span lets a question pass by payments of other years.
    @Test(arguments: 0...20 as ClosedRange<UInt64>)
    func aPaymentIsPassedByOnlyWhenNoneOfItsPartsIsOfTheYearsAsked(seed: UInt64) throws {
        var g = SeededGenerator(seed: 700 + seed)
        let years = [1995, 2000, 2008, 2016, 2017, 2020, 2024, 2025, 2254, 2255, 2300]
        var account = CollectionAccounts.Account()
        var partsOf: [[Int]] = []
        for n in 0..<30 {
            var payment = EventSamples.paymentReceived
            payment.id = "p\(seed)-\(n)"
            let count = Int.random(in: 0...3, using: &g)
            payment.parts = try (0..<count).map { _ in
                let year = try FiscalYear(years.randomElement(using: &g)!)
                return .init(
                    key: PeriodKey(year, try PeriodNumber(Int.random(in: 1...10, using: &g))), amount: Yen(100),
                    accountingYear: year)
            }
            account.apply(.paymentReceived(payment))
            partsOf.append(payment.parts.map(\.key.fiscalYear.year))
        }
        try #require(account.payments.count == partsOf.count)
        var passedBy = 0
        for _ in 0..<200 {
            let a = years.randomElement(using: &g)!
            let b = years.randomElement(using: &g)!
            let (first, last) = (min(a, b), max(a, b))
            for (i, parts) in partsOf.enumerated() {
                let pays = parts.contains { first <= $0 && $0 <= last }
                let may = account.payments.mayPay(at: i, yearsFrom: first, through: last)
                #expect(may || !pays, "payment \(i) of \(parts), years \(first)–\(last)")
                if !may { passedBy += 1 }
                // Within the span's range, a payment of none of the years asked is passed by.
                if parts.allSatisfy({ (2000...2255).contains($0) }), (2000...2255).contains(first),
                    (2000...2255).contains(last), !parts.isEmpty,
                    parts.allSatisfy({ $0 < first }) || parts.allSatisfy({ $0 > last })
                {
                    #expect(!may, "payment \(i) of \(parts), years \(first)–\(last)")
                }
            }
        }
        #expect(passedBy > 0)
    }

    /// What a city keeps for every payment and every assessment of years of history stays small:
    /// a payment is its codec's bytes in its account's buffer, and an assessment's figures are
    /// boxed, not held inline (about 240 bytes of each, which ten years of Matsudo hold millions of).
    @Test func aPaymentAndAnAssessmentKeptByTheCityStaySmall() {
        var account = CollectionAccounts.Account()
        var w = BinaryWriter(capacity: 128)
        EventSamples.paymentReceived.encode(to: &w)
        for n in 0..<100 {
            var payment = EventSamples.paymentReceived
            payment.id = "p\(1_000 + n)"
            account.apply(.paymentReceived(payment))
        }
        #expect(account.payments.count == 100 && account.payments.packedBytes <= 100 * w.bytes.count)
        #expect(MemoryLayout<PremiumAssessed>.stride <= 160, "\(MemoryLayout<PremiumAssessed>.stride) bytes")
    }

    /// An account is a value: its collections are shared by copies until one changes, and a
    /// change to a copy leaves the original as it was; equal accounts built apart are equal and
    /// hash alike.
    @Test func anAccountCopiedAndChangedLeavesTheOriginal() throws {
        var original = CollectionAccounts.Account()
        original.apply(.premiumAssessed(assessed))
        let before = original
        var copy = original
        copy.apply(.paymentReceived(EventSamples.paymentReceived))
        #expect(original == before && copy != original)
        #expect(original.payments.isEmpty && copy.payments.count == 1)
        #expect(copy.periods[EventSamples.key(2)]?.outstanding != original.periods[EventSamples.key(2)]?.outstanding)
        original.apply(.dunningNoticeIssued(EventSamples.dunningNoticeIssued))
        #expect(before.dunning.isEmpty && copy.dunning.isEmpty && original.dunning.count == 1)

        var apart = CollectionAccounts.Account()
        apart.apply(.premiumAssessed(assessed))
        apart.apply(.paymentReceived(EventSamples.paymentReceived))
        #expect(apart == copy && apart.hashValue == copy.hashValue)
        #expect(Set([apart, copy, before]).count == 2)
    }

    @Test func anOperatorsStreamFoldsIntoTheirRecord() throws {
        let source = "192.0.2.10"
        func failed(locks: Bool) -> AccessEvent {
            .loginFailed(
                LoginFailed(
                    operatorID: "tanaka", terminal: "t1", reason: .wrongPassword, source: source, sourceLocked: locks))
        }
        var record: OperatorRecord?
        OperatorRecord.fold(&record, failed(locks: false), recordedAt: 50)
        #expect(record == nil)

        let enrolled = OperatorEnrolled(operatorID: "tanaka", name: "田中", roles: [.counter])
        OperatorRecord.fold(&record, .operatorEnrolled(enrolled), recordedAt: 100)
        var r = try #require(record)
        #expect(r.id == "tanaka" && r.name == "田中" && r.roles == [.counter] && r.state == .active)
        #expect(r.enrolledAtMicroseconds == 100 && r.sessions.isEmpty && r.consecutiveFailures == 0)

        OperatorRecord.fold(&record, failed(locks: false), recordedAt: 200)
        OperatorRecord.fold(&record, failed(locks: true), recordedAt: 300)
        r = try #require(record)
        #expect(r.consecutiveFailures == 2 && r.lockedSources == [source])
        #expect(r.failuresBySource[source]?.count == 2 && r.failuresBySource[source]?.lastMicroseconds == 300)

        // An unlock (made active) starts the counts again.
        let unlocked = OperatorStateChanged(operatorID: "tanaka", state: .active, reason: "unlock")
        OperatorRecord.fold(&record, .operatorStateChanged(unlocked), recordedAt: 400)
        r = try #require(record)
        #expect(r.consecutiveFailures == 0 && r.failuresBySource.isEmpty && r.lockedSources.isEmpty)

        let opened = SessionOpened(
            operatorID: "tanaka", session: "s1", terminal: "t1", tokenDigest: [1, 2], expiresAt: 9_000)
        OperatorRecord.fold(&record, .sessionOpened(opened), recordedAt: 500)
        OperatorRecord.fold(
            &record, .operatorRolesChanged(OperatorRolesChanged(operatorID: "tanaka", roles: [.arrears])),
            recordedAt: 600)
        r = try #require(record)
        #expect(r.roles == [.arrears])
        #expect(r.openSessions.map(\.id) == ["s1"])
        #expect(r.sessions["s1"]?.openedAtMicroseconds == 500 && r.sessions["s1"]?.expiresAtMicroseconds == 9_000)

        let closed = SessionClosed(operatorID: "tanaka", session: "s1", reason: .logout)
        OperatorRecord.fold(&record, .sessionClosed(closed), recordedAt: 700)
        r = try #require(record)
        #expect(r.openSessions.isEmpty && r.sessions["s1"]?.closed == .logout)
    }

    @Test func aPersonsHistoryIsOneTimelineInEffectiveDateOrder() throws {
        let contact = ContactRecorded(
            person: person, id: "k1", change: .recorded, contactedOn: try CivilDate(iso: "2026-01-20"),
            method: .phone, words: EventSamples.sealed, promisedOn: try CivilDate(iso: "2026-02-10"))
        let words = ContactWords(counterpart: "本人", content: "電話", promise: "2月に払う")
        let events: [KokiEvent] = [
            .premiumAssessed(EventSamples.premiumAssessed),  // decided 2025-11-10
            .contactRecorded(contact),
            .paymentReceived(EventSamples.paymentReceived),  // paid 2025-08-29
            .access(.operatorRolesChanged(OperatorRolesChanged(operatorID: "x", roles: []))),
        ]
        func fold(_ history: CollectionHistory) -> CollectionHistory {
            var history = history
            for (i, event) in events.enumerated() {
                history.apply(event, position: Int64(10 + i), recordedAt: Int64(1_000 * i), actor: "op\(i)")
            }
            return history
        }
        let all = fold(CollectionHistory(contactWords: [CollectionHistory.contactKey(contact): words]))
        #expect(all.timeline.map(\.kind) == ["payment", "assessed", "contact"])
        #expect(all.timeline.map(\.position) == [12, 10, 11])
        #expect(all.timeline.map(\.actor) == ["op2", "op0", "op1"])
        #expect(all.timeline.map(\.recordedAtMicroseconds) == [2_000, 0, 1_000])
        #expect(all.timeline[2].date == contact.contactedOn)
        #expect(all.timeline[2].text == "記録 k1（電話）：本人 — 電話／約束：2月に払う（納付予定日 令和8年2月10日）")

        // Words not handed in (the person's key was erased) show as erased; `asOf` keeps earlier days only.
        let erased = fold(CollectionHistory())
        #expect(erased.timeline[2].text == "記録 k1（電話）：（消去済み）（納付予定日 令和8年2月10日）")
        let early = fold(CollectionHistory(asOf: try CivilDate(iso: "2025-12-31")))
        #expect(early.timeline.map(\.kind) == ["payment", "assessed"])
    }
}
