import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// The simulated city: recorded through the commands, it exercises every part of the domain,
/// keeps every yen accounted for, and its incrementally maintained read models equal a fold
/// from scratch.
@Suite struct CitySimulationTests {
    static let settings = SimulationSettings(insured: 150, years: 2, seed: 11, firstFiscalYear: 2024)

    /// One simulated city shared by the tests below (recorded once: a debug build takes a few seconds).
    nonisolated(unsafe) static let city:
        (folder: TemporaryFolder, simulation: CitySimulation, report: CitySimulation.Report) = {
            let folder = try! TemporaryFolder()
            let simulation = try! CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
            var months: [Int] = []
            let report = try! simulation.run { months.append($0.monthsDone) }
            #expect(months == Array(1...26))
            return (folder, simulation, report)
        }()

    /// At its end `koki simulate` leaves the city it held to the process's exit: the ledger then
    /// holds no city, and folds the same city again from the events when asked.
    @Test func aSimulationLeavesTheCityItHeldToTheExit() throws {
        let folder = try TemporaryFolder()
        let simulation = try CitySimulation.create(
            at: folder.path("small.ledger"),
            settings: SimulationSettings(insured: 20, years: 1, seed: 5, firstFiscalYear: 2024))
        _ = try simulation.run()
        #expect(simulation.ledger.hasCurrentCity)
        let held = try simulation.ledger.currentCity()
        #expect(!held.register.persons.isEmpty)
        simulation.leaveCityToExit()
        #expect(!simulation.ledger.hasCurrentCity)
        #expect(try simulation.ledger.currentCity() == held)
    }

    /// `koki simulate` holds its file alone, commits in groups and writes its appends behind: the
    /// city it holds is fed each command's events as they are appended, not read back, and so
    /// fed it equals a fold from scratch (the settings it follows as it goes are the stream's).
    /// The file is the one the same city recorded command by command makes, byte for byte.
    @Test func aCityFedByItsOwnAppendsEqualsAFoldFromScratch() throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 40, years: 1, seed: 7, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("alone.ledger"), settings: settings, exclusive: true)
        _ = try simulation.run()
        let head = try simulation.ledger.store.head()
        #expect(simulation.ledger.city.eventsTaken.load(ordering: .relaxed) > head.position / 2, "of \(head)")
        let fresh = KokiLedger(simulation.ledger.ports)
        #expect(try simulation.ledger.currentCity() == fresh.currentCity())
        #expect(try simulation.ledger.currentArrearsSettings() == fresh.currentArrearsSettings())
        #expect(try simulation.ledger.store.verifyChain().problem == nil)
        let oneByOne = try CitySimulation.create(at: folder.path("one-by-one.ledger"), settings: settings)
        _ = try oneByOne.run()
        #expect(try oneByOne.ledger.store.head() == head)
    }

    /// The imports' two streams (the files recorded and the unmatched payments) are followed as
    /// the held city catches up, from its own appends or from the file: an import in a process
    /// holding the city reads neither stream (its fold of the city followed them from their first
    /// event), and finds what a fresh process reads from the streams, a file another process
    /// recorded among them.
    @Test func aProcessHoldingTheCityFollowsTheImportsListsAsItCatchesUp() throws {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 40, years: 1, seed: 7, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("alone.ledger"), settings: settings, exclusive: true)
        let report = try simulation.run()
        #expect(report.files > 1)
        func lists(_ ledger: KokiLedger) throws -> [String] {
            let scope = try CollectionCommands(ledger).importScope()
            return scope.files.map { "\($0.digest) \($0.kind) \($0.records)" } + scope.unmatched.map { "\($0)" }
                + scope.positions.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }
        }
        let ports = simulation.ledger.ports
        #expect(try lists(simulation.ledger) == lists(KokiLedger(ports)))
        #expect(simulation.ledger.city.importListReads.load(ordering: .relaxed) == 0)
        // A process that begins holding the city of a ledger with files: its fold followed them.
        let late = KokiLedger(ports)
        _ = try late.currentCity()
        #expect(try lists(late) == lists(simulation.ledger))
        #expect(late.city.importListReads.load(ordering: .relaxed) == 0)
        // Another process records a file: the holders read it from the file as they catch up, and
        // their lists follow it there.
        let file = CollectionFileRecorded(
            kind: .convenienceStore, digest: String(repeating: "ab", count: 32), name: "other-process.csv",
            date: try CivilDate(year: 2025, month: 3, day: 31), records: 0, amount: .zero, accepted: 0, other: 0,
            duplicates: 0, unmatched: 0)
        let recorded = try KokiLedger(ports).record(
            [.collectionFileRecorded(file)], metadata: CommandMetadata(actor: "op-1"))
        for holder in [simulation.ledger, late] {
            let after = try lists(holder)
            #expect(after.contains("\(file.digest)@\(recorded.events[0].position)"))
            #expect(after == (try lists(KokiLedger(ports))))
        }
        #expect(simulation.ledger.city.importListReads.load(ordering: .relaxed) == 0)
        #expect(late.city.importListReads.load(ordering: .relaxed) == 0)
        // A process that does not hold the city reads what the streams gained, each import.
        let reader = KokiLedger(ports)
        _ = try lists(reader)
        _ = try lists(reader)
        #expect(reader.city.importListReads.load(ordering: .relaxed) == 2)
    }

    /// A command's events on several streams, one stream's following another's, are stored
    /// stream by stream: the events the held city is fed are in that order, the store's.
    @Test func eventsInterleavedAcrossStreamsFeedTheCityInTheStoresOrder() throws {
        let (a, b) = (try PersonID("1001"), try PersonID("1002"))
        let events: [KokiEvent] = [
            .incomeInquired(IncomeInquired(person: a, year: 2024, purpose: "one")),
            .incomeInquired(IncomeInquired(person: b, year: 2024, purpose: "two")),
            .incomeInquired(IncomeInquired(person: a, year: 2024, purpose: "three")),
        ]
        let (request, stored) = try KokiLedger.requestAndStoredOrder(
            events, metadata: CommandMetadata(actor: "op-1"), expecting: [:], expectingStreams: [:])
        #expect(request.streams.map(\.stream.value) == [a.streamName, b.streamName])
        #expect(stored == [events[0], events[2], events[1]])
        let inOrder = try KokiLedger.requestAndStoredOrder(
            Array(events.prefix(2)), metadata: CommandMetadata(actor: "op-1"), expecting: [:], expectingStreams: [:])
        #expect(inOrder.stored == Array(events.prefix(2)))
    }

    @Test func everyPartOfTheDomainIsExercisedThroughTheCommands() throws {
        let (_, simulation, report) = Self.city
        var types: [String: Int] = [:]
        var kinds: Set<String> = []
        var channels: Set<PaymentChannel> = []
        try simulation.ledger.forEachEvent { view, event in
            types[view.type, default: 0] += 1
            switch event {
            case .premiumAssessed(let e): kinds.insert("\(e.reason)/\(e.collection)")
            case .paymentReceived(let e): channels.insert(e.channel)
            case .eligibilityLost(let e): kinds.insert("lost/\(e.reason)")
            case .eligibilityAcquired(let e): kinds.insert("acquired/\(e.reason)")
            default: break
            }
        }
        for type in [
            "PersonRegistered", "EligibilityAcquired", "EligibilityLost", "IncomeRecorded", "PensionFactsRecorded",
            "RateTableAdopted", "InstallmentCalendarAdopted", "AssessmentRunRecorded", "PremiumAssessed",
            "PaymentReceived", "DebitMandateStarted", "DebitRequested", "DebitFailed", "CollectionFileRecorded",
            "DunningNoticeIssued", "ReminderIssued", "ContactRecorded", "InstallmentPlanRecorded",
            "OverpaymentRecognized", "RefundDecided", "RefundPaid", "FiscalYearClosed", "ArrearsRunRecorded",
            "IncomeInquired", "UnionDecisionRecorded",
        ] {
            #expect(types[type, default: 0] > 0, "no \(type) in the simulated city")
        }
        #expect(channels == [.pensionDeduction, .bankDebit, .convenienceStore, .counter])
        for kind in [
            "annual/pensionDeduction", "annual/ordinary", "joinedDuringYear/ordinary", "acquired/reachedAge75",
            "acquired/movedIntoPrefecture", "lost/died",
        ] {
            #expect(kinds.contains(kind), "no \(kind)")
        }
        #expect(report.deaths > 0 && report.joined > 0 && report.plans > 0 && report.refunds > 0)
        #expect(report.events == (try simulation.ledger.store.head().position))
        // Incomes come by the tax system's file (a newcomer's alone, at registration), with
        // 課税所得: not every copayment class is 1割. Each imported row is an inquiry in the log.
        let register = try simulation.ledger.replay(InsuredRegister.self)
        let imported = register.persons.values.flatMap(\.incomeHistory).filter { $0.source.hasPrefix("連携税マスタ tax-") }
        #expect(imported.count > 100 && imported.count == types["IncomeInquired", default: 0])
        #expect(register.persons.values.allSatisfy { $0.income.values.allSatisfy { $0.taxableIncome != nil } })
        #expect(
            register.persons.values.contains {
                $0.income.values.contains { ($0.taxableIncome ?? .zero) >= Yen(280_000) }
            })
        // The union decides from the city's own inputs: its decisions reconcile with no difference.
        #expect(report.unionDecisions > 150 && report.unionDifferences == 0)
        // Differences as the ledger stands are what koki decided after the union's August file
        // (a reassessment, a loss of eligibility), which the union has not yet decided again.
        let city = try CitySnapshot(simulation.ledger)
        for difference in try UnionReconciliation(simulation.ledger).differences(fiscalYear: nil) {
            let entry = try #require(city.register.person(difference.person))
            let union = try #require(entry.union[difference.fiscalYear.year])
            let decidedLater =
                city.accounts.current(difference.person, difference.fiscalYear).map { $0.decidedOn > union.receivedOn }
                ?? false
            let lostLater = entry.eligibilityPeriods.contains { ($0.until.map { $0 > union.receivedOn } ?? false) }
            #expect(decidedLater || lostLater, "\(difference)")
        }
    }

    @Test func everyYenIsAccountedForAndTheChainVerifies() throws {
        let ledger = Self.city.simulation.ledger
        let accounts = try ledger.replay(CollectionAccounts.self)
        #expect(accounts.moneyIsConserved)
        #expect(accounts.unsettledKeysAreExact)
        let totals = accounts.totals
        #expect(totals.received > .zero)
        #expect(totals.received == totals.credited + totals.lateFeesPaid + totals.openOverpayments + totals.refunded)
        #expect(try ledger.store.verify().problem == nil)
    }

    /// The auditor's rule checker over the simulated city, year by year and as a whole: no date
    /// on a day the office is closed, nothing to the dead, no 督促 out of its rules, no charge on a
    /// past due date, no write-off before prescription, every person's money conserved.
    @Test func theRuleCheckerFindsNoBreachInAnySimulatedYear() throws {
        let ledger = Self.city.simulation.ledger
        func breaches(_ scope: RuleCheck.Scope) throws -> [RuleCheck.Breach] {
            var check = RuleCheck(scope: scope)
            try ledger.forEachEvent { view, event in check.apply(event, position: view.position) }
            check.finish()
            return check.breaches
        }
        let all = try breaches(RuleCheck.Scope())
        #expect(all.isEmpty, "\(all.prefix(20).map(\.description).joined(separator: "\n"))")
        for year in Self.settings.firstFiscalYear...Self.settings.lastFiscalYear {
            #expect(try breaches(RuleCheck.Scope(fiscalYear: try FiscalYear(year))).isEmpty, "FY\(year)")
        }
    }

    /// The incrementally maintained city (caught up command by command during the run)
    /// equals one folded from position zero, and one folded to a past position equals the
    /// fold of exactly the events up to it.
    @Test func theIncrementalCityEqualsAFoldFromScratch() throws {
        let ledger = Self.city.simulation.ledger
        let incremental = try ledger.currentCity()
        let fresh = try KokiLedger(ledger.ports).currentCity()
        #expect(incremental == fresh)
        let head = try ledger.store.head().position
        let middle = head / 2
        var byHand = CitySnapshot()
        var query = EventQuery()
        query.throughPosition = middle
        try ledger.forEachEvent(query) { view, event in
            byHand.apply(event, position: view.position, stream: view.stream.value, version: view.streamVersion)
        }
        #expect(try CitySnapshot(ledger, through: middle) == byHand)
        #expect(byHand != incremental)
    }

    /// For random persons and positions of the simulated city's history: what the ledger knew
    /// at position P is the fold of exactly the person's events up to P, and the world as of a
    /// date is the fold of only the events effective by then.
    @Test func knownAtAndAsOfAreExactlyTheirPrefixOfTheHistory() throws {
        let ledger = Self.city.simulation.ledger
        let collection = CollectionCommands(ledger)
        let city = try ledger.currentCity()
        let persons = city.register.persons.keys.sorted()
        let head = try ledger.store.head().position
        var random = SeededGenerator(seed: 21)
        for _ in 0..<40 {
            let person = persons.randomElement(using: &random)!
            let position = Int64.random(in: 1...head, using: &random)
            let date = try CivilDate(daysSinceEpoch: Int.random(in: 19_800...20_600, using: &random))
            var events: [(position: Int64, event: KokiEvent)] = []
            try ledger.forEachEvent(.stream(try StreamName(person.streamName))) { view, event in
                events.append((view.position, event))
            }
            var known = CollectionCommands.PersonState(person)
            var register = InsuredRegister()
            for (p, event) in events where p <= position {
                register.apply(event)
                known.apply(event)
            }
            let loaded = try collection.load(person, knownAt: .position(position))
            #expect(loaded.account == known.account, "\(person) known at \(position)")
            #expect(loaded.assessments == known.assessments)
            #expect(loaded.entry == register.person(person))

            var effective = CollectionCommands.PersonState(person)
            for (_, event) in events where (event.effectiveDate.map { $0 <= date } ?? true) {
                effective.apply(event)
            }
            let asOf = try collection.load(person, asOf: date)
            #expect(asOf.account == effective.account, "\(person) as of \(date)")
        }
    }

    @Test func namesAndAddressesArePlainlySynthetic() throws {
        let ledger = Self.city.simulation.ledger
        let register = InsuredRegisterCommands(ledger)
        let city = try ledger.currentCity()
        for entry in city.register.persons.values.prefix(20) {
            let identity = try #require(try register.identity(of: entry))
            #expect(identity.nameKanji.hasSuffix("（模擬）"))
            #expect(identity.address.hasSuffix("（模擬）"))
        }
    }

    /// Within one process the same settings give the same file, byte for byte (across
    /// processes: `SimulateCommandLineTests`).
    @Test func theSameSeedGivesTheSameLedger() throws {
        let folder = try TemporaryFolder()
        let small = SimulationSettings(insured: 30, years: 1, seed: 3, firstFiscalYear: 2025)
        var heads: [[UInt8]] = []
        for name in ["a", "b"] {
            let simulation = try CitySimulation.create(at: folder.path("\(name).ledger"), settings: small)
            _ = try simulation.run()
            heads.append(try simulation.ledger.store.head().hash)
        }
        #expect(heads[0] == heads[1])
        let other = try CitySimulation.create(
            at: folder.path("c.ledger"),
            settings: SimulationSettings(insured: 30, years: 1, seed: 4, firstFiscalYear: 2025))
        _ = try other.run()
        #expect(try other.ledger.store.head().hash != heads[0])
    }
}

extension CitySimulationTests {
    /// What each account owed at a fiscal year's closing (carried forward, 滞納繰越), found in one
    /// pass over its money, equals the plain sum for each period of what was paid after the
    /// closing day — on every account of the simulated city, for each year and several
    /// closing days (before, on and after the money of the closing months).
    @Test func owedAtClosingEqualsThePlainPerPeriodSums() throws {
        let (_, simulation, _) = Self.city
        let accounts = try simulation.ledger.currentCity().collection.accounts
        func plain(_ account: CollectionAccounts.Account, fy: FiscalYear, closing: CivilDate) -> [FiscalYear: Yen] {
            var owing: [FiscalYear: Yen] = [:]
            for (key, period) in account.periods where key.fiscalYear <= fy {
                var later = Yen.zero
                for p in account.payments where p.cancelled == nil && p.event.paidOn > closing {
                    for part in p.event.parts where part.key == key && part.charge == .premium { later += part.amount }
                }
                for a in account.appropriations {
                    for part in a.parts where part.key == key && part.charge == .premium && part.effectiveOn > closing {
                        later += part.amount
                    }
                }
                let owed = min(period.owes, period.outstanding + later)
                if owed > .zero { owing[key.fiscalYear, default: .zero] += owed }
            }
            return owing
        }
        var compared = 0
        var withLater = 0
        for year in [2023, 2024, 2025] {
            let fy = try FiscalYear(year)
            for closing in ["\(year + 1)-04-30", "\(year + 1)-05-31", "\(year + 1)-09-30", "\(year + 2)-03-31"] {
                let day = try CivilDate(iso: closing)
                for (_, account) in accounts {
                    var found: [FiscalYear: Yen] = [:]
                    for (year, owed) in ArrearsCommands.owedAtClosing(account, fy: fy, closing: day) {
                        found[year, default: .zero] += owed
                    }
                    let expected = plain(account, fy: fy, closing: day)
                    #expect(found == expected)
                    compared += 1
                    if expected.values.reduce(Yen.zero, +)
                        > account.periods.filter({ $0.key.fiscalYear <= fy })
                        .map(\.value.outstanding).reduce(Yen.zero, +)
                    {
                        withLater += 1
                    }
                }
            }
        }
        // Not only accounts paid up before every closing: money after the closing day counts.
        #expect(compared > 1_000 && withLater >= 10, "\(compared) compared, \(withLater) with money after the closing")
    }
}
