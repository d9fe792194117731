import Foundation
import GRDB
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
@_spi(Reference) import KokiReadModels
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// The stored balances filled in one pass over the ledger in position order (compact state per
/// person) equal those filled one person's stream at a time, and a fold of the city from
/// scratch — the table and every snapshot and delta taken on the way — whatever the history,
/// however many passes the persons are split into, and where the compact state cannot follow a
/// person (a payment cancelled, a due date moved after money reached it, money appropriated to a
/// period not assessed).
@Suite struct PositionOrderRebuildTests {
    /// A small simulated city, then histories the compact state hands over to the stream's fold.
    static func city(seed: UInt64) throws -> (folder: TemporaryFolder, ledger: KokiLedger, odd: Set<PersonID>) {
        let folder = try TemporaryFolder()
        let settings = SimulationSettings(insured: 60, years: 2, seed: seed, firstFiscalYear: 2024)
        let simulation = try CitySimulation.create(at: folder.path("city.ledger"), settings: settings)
        _ = try simulation.run()
        let ledger = simulation.ledger
        let city = try ledger.currentCity()
        var random = SeededGenerator(seed: seed &+ 1)
        let payers = city.collection.accounts.keys.sorted().filter { city.collection.accounts[$0]?.payments.isEmpty == false }
        try #require(payers.count > 12)
        let picked = Array(payers.shuffled(using: &random).prefix(9))
        var events: [KokiEvent] = []
        let day = try CivilDate(iso: "2026-04-01")
        for (index, person) in picked.enumerated() {
            guard let account = city.collection.accounts[person], let payment = account.payments.last?.event else {
                continue
            }
            switch index % 3 {
            case 0:
                events.append(
                    .paymentCancelled(
                        PaymentCancelled(person: person, payment: payment.id, cancelledOn: day, reason: "test")))
            case 1:
                // The year paid into reassessed with every due date ten days later.
                guard let key = payment.parts.first?.key,
                    case .premiumAssessed(var assessed)? = try Self.lastAssessment(ledger, person, key.fiscalYear)
                else { continue }
                assessed.installments = assessed.installments.map { installment in
                    var moved = installment
                    moved.dueDate = installment.dueDate.adding(days: 10)
                    return moved
                }
                events.append(.premiumAssessed(assessed))
            default:
                // An overpayment, then part of it appropriated to a year not assessed.
                let id = "test-overpayment-\(person.value)"
                events.append(
                    .overpaymentRecognized(
                        OverpaymentRecognized(
                            person: person, id: id, key: payment.parts[0].key, amount: Yen(500), cause: .erroneous,
                            arose: day, recognizedOn: day, reason: "test")))
                events.append(
                    .overpaymentAppropriated(
                        OverpaymentAppropriated(
                            person: person, overpayment: id, decidedOn: day,
                            parts: [
                                .init(
                                    key: PeriodKey(try FiscalYear(2031), try PeriodNumber(1)), amount: Yen(200),
                                    effectiveOn: day)
                            ])))
            }
        }
        try ledger.record(events, metadata: CommandMetadata(commandID: Identifier(derivedFrom: Array("test/odd".utf8)), actor: "test"))
        return (folder, ledger, Set(picked))
    }

    static func lastAssessment(_ ledger: KokiLedger, _ person: PersonID, _ year: FiscalYear) throws -> KokiEvent? {
        var last: KokiEvent?
        try ledger.forEachEvent(.stream(try StreamName(person.streamName))) { _, event in
            if case .premiumAssessed(let e) = event, e.fiscalYear == year { last = event }
        }
        return last
    }

    @Test(arguments: [7, 29] as [UInt64])
    func onePassInPositionOrderEqualsEachStreamFolded(seed: UInt64) throws {
        let (folder, ledger, odd) = try Self.city(seed: seed)
        defer { withExtendedLifetime(folder) {} }
        let balances = StoredBalances(ledger, snapshotInterval: 900)
        let head = try ledger.store.head().position
        let accounts = try ledger.replay(CollectionAccounts.self, through: head).accounts
        let expected = accounts.keys.sorted().flatMap { YearBalance.rows(of: $0, accounts[$0]!) }
        // The odd histories changed what some persons' rows say.
        #expect(odd.contains { person in expected.contains { $0.person == person && $0.held > .zero } })

        for every in [nil, 150] as [Int64?] {
            let reference = try balances.filledFromZero(byStreams: true, snapshotEvery: every)
            #expect(reference.rows == expected)
            if every != nil {
                #expect(reference.snapshots.count > 10)
                #expect(reference.snapshots.contains { $0.full } && reference.snapshots.contains { !$0.full })
            }
            // One pass, several, and one person a pass.
            for perPass in [1_000, 13, 1] {
                let filled = try balances.filledFromZero(byStreams: false, personsPerPass: perPass, snapshotEvery: every)
                #expect(filled.rows == expected, "\(perPass) a pass, a checkpoint every \(every ?? 0)")
                #expect(filled.snapshots == reference.snapshots, "\(perPass) a pass, a checkpoint every \(every ?? 0)")
                // Only the balance events are read.
                #expect(filled.events > 0 && filled.events < reference.events)
            }
        }
        // And the rebuild that uses it finds nothing to mend.
        let check = try balances.rebuild(check: true)
        #expect(check.differences.isEmpty)
    }

    /// An event the folding thread cannot decode stops the fill with an error naming its
    /// position, in one pass or many: no trap, no hang, no table.
    @Test func anUndecodableEventStopsTheFillNamingItsPosition() throws {
        let (folder, ledger, _) = try Self.city(seed: 31)
        defer { withExtendedLifetime(folder) {} }
        let damaged = try DatabaseQueue(path: folder.path("city.ledger")).write { db -> Int64 in
            let position = try Int64.fetchOne(
                db,
                sql: """
                    SELECT e.position FROM koki_events e JOIN koki_event_types t ON t.id = e.type_id
                    WHERE t.name = 'PaymentReceived' ORDER BY e.position LIMIT 1 OFFSET 40
                    """) ?? 0
            try db.execute(sql: "DROP TRIGGER koki_events_refuse_update")
            try db.execute(sql: "UPDATE koki_events SET payload = x'ff', encoding = 0 WHERE position = ?", arguments: [position])
            return position
        }
        #expect(damaged > 0)
        for perPass in [1_000, 13] {
            do {
                _ = try StoredBalances(ledger).filledFromZero(byStreams: false, personsPerPass: perPass)
                Issue.record("a damaged payment was folded")
            } catch {
                #expect(
                    "\(error)".contains(
                        "event \(damaged) (PaymentReceived v\(PaymentReceived.schemaVersion)): payload ends early"),
                    "\(error)")
            }
        }
    }

    /// The stored register filled in position order equals the one filled stream by stream,
    /// in one pass or many.
    @Test func theRegisterInPositionOrderEqualsEachStreamFolded() throws {
        let (folder, ledger, _) = try Self.city(seed: 23)
        defer { withExtendedLifetime(folder) {} }
        let stored = StoredRegister(ledger.ports)
        let reference = try stored.filledFromZero(byStreams: true)
        #expect(reference.register.persons.count > 60)
        #expect(reference.register.persons.values.contains { !$0.incomeHistory.isEmpty && !$0.households.isEmpty })
        for perPass in [1_000, 13, 1] {
            let filled = try stored.filledFromZero(byStreams: false, personsPerPass: perPass)
            #expect(filled.register.persons == reference.register.persons, "\(perPass) a pass")
            #expect(filled.events == reference.events)
        }
    }

    /// The stored debit states filled in position order equal those folded stream by stream, in
    /// one pass or many: every mandate holder's stream version (from the index by stream: the pass
    /// reads only the types a state follows), mandates, choices and sums, and the holders the
    /// compact sums cannot follow (a payment cancelled) marked alike.
    @Test func theDebitStatesInPositionOrderEqualEachStreamFolded() throws {
        let (folder, ledger, odd) = try Self.city(seed: 7)
        defer { withExtendedLifetime(folder) {} }
        let stored = StoredDebits(ledger.ports)
        let reference = try stored.filledFromZero(byStreams: true)
        try #require(reference.states.count > 10)
        // Some holders' sums cannot be followed, and every holder has events the states ignore.
        #expect(reference.states.contains { odd.contains($0.key) && !$0.value.isExact })
        #expect(reference.states.values.contains { $0.isExact })
        func form(_ state: DebitState?) -> [[UInt8]]? {
            state.map { [$0.stored.head, $0.stored.sums, [$0.isExact ? 1 : 0]] }
        }
        // The events of the holders' streams the states follow: all a pass reads of them.
        var followed = 0
        for person in reference.states.keys {
            var query = EventQuery.stream(try StreamName(person.streamName))
            query.types = DebitState.eventTypes
            try ledger.store.forEachEvent(query) { _ in followed += 1 }
        }
        #expect(followed > 0 && followed < reference.events)
        for perPass in [1_000, 13, 1] {
            let filled = try stored.filledFromZero(byStreams: false, personsPerPass: perPass)
            #expect(Set(filled.states.keys) == Set(reference.states.keys), "\(perPass) a pass")
            let differing = reference.states.keys.sorted().filter { form(filled.states[$0]) != form(reference.states[$0]) }
            #expect(differing.isEmpty, "\(perPass) a pass: the states of \(differing) differ")
            #expect(filled.states.mapValues(\.version) == reference.states.mapValues(\.version), "\(perPass) a pass")
            #expect(filled.events == followed)
        }
        // And the rebuild that uses it finds nothing to mend in the table caught up meanwhile.
        try stored.catchUp()
        #expect(try stored.rebuild(check: true).differences.isEmpty)
    }

    /// Each account's year rows equal the rows summed plainly, period by period, through
    /// dictionaries (how they were summed before the sums were shared with the compact state).
    @Test func anAccountsRowsEqualThePlainSums() throws {
        let (folder, ledger, _) = try Self.city(seed: 41)
        defer { withExtendedLifetime(folder) {} }
        let accounts = try ledger.replay(CollectionAccounts.self, through: try ledger.store.head().position).accounts
        #expect(accounts.count > 60)
        for (person, account) in accounts {
            #expect(YearBalance.rows(of: person, account) == Self.plainRows(person, account), "\(person)")
        }
    }

    static func plainRows(_ person: PersonID, _ account: CollectionAccounts.Account) -> [YearBalance] {
        var credit: [PeriodKey: (total: Int64, yenDays: Int64)] = [:]
        func credited(_ key: PeriodKey, _ amount: Yen, on day: CivilDate) {
            guard let due = account.periods[key]?.dueDate else { return }
            let late = Int64(max(0, due.days(until: day)))
            let (total, yenDays) = credit[key] ?? (0, 0)
            credit[key] = (total + amount.amount, yenDays + amount.amount * late)
        }
        for payment in account.payments where payment.cancelled == nil {
            for part in payment.event.parts { credited(part.key, part.amount, on: payment.event.paidOn) }
        }
        for appropriation in account.appropriations {
            for part in appropriation.parts { credited(part.key, part.amount, on: part.effectiveOn) }
        }
        var byYear: [FiscalYear: YearBalance] = [:]
        for (key, period) in account.periods {
            var row = byYear[key.fiscalYear] ?? YearBalance(person: person, fiscalYear: key.fiscalYear)
            row.assessed += period.assessed
            row.credited += period.credited
            row.reduced += period.reduced
            row.writtenOff += period.writtenOff
            row.outstanding += period.outstanding
            row.overpaid += period.overpaid
            row.lateFeeOutstanding += period.lateFeeOutstanding
            if period.outstanding > .zero {
                row.openPeriods += 1
                if period.assessed > .zero { row.oldestOpenDue = min(row.oldestOpenDue ?? period.dueDate, period.dueDate) }
            }
            let paidLate = (period.lastPaidOn.map { $0 > period.dueDate } ?? false) || period.appropriated > .zero
            if paidLate && period.assessed > .zero && period.outstanding == .zero && period.lateFee == .zero {
                row.oldestLateDue = min(row.oldestLateDue ?? period.dueDate, period.dueDate)
                let money = credit[key] ?? (0, 0)
                let exposure = money.total >= (period.assessed - period.reduced).amount ? money.yenDays : .max
                row.lateExposure = max(row.lateExposure ?? 0, exposure)
            }
            byYear[key.fiscalYear] = row
        }
        for notice in account.dunning { byYear[notice.fiscalYear]?.dunnedPeriods += 1 }
        func hold(_ amount: Yen, on day: CivilDate) {
            let year = FiscalYear(containing: day)
            byYear[year, default: YearBalance(person: person, fiscalYear: year)].held += amount
        }
        for overpayment in account.overpayments where overpayment.open > .zero { hold(overpayment.open, on: overpayment.arose) }
        for refund in account.refunds where refund.paid == nil && refund.prescribed == nil {
            hold(refund.decision.amount, on: refund.decision.decidedOn)
        }
        return byYear.values.sorted { $0.fiscalYear < $1.fiscalYear }
    }

    /// A person's compact state turns inexact exactly on the histories it cannot follow, and
    /// gives the account's rows while it is exact.
    @Test func theCompactStateGivesTheAccountsRowsOrSaysItCannot() throws {
        let (folder, ledger, odd) = try Self.city(seed: 11)
        defer { withExtendedLifetime(folder) {} }
        var states: [PersonID: CompactBalances] = [:]
        var accounts: [PersonID: CollectionAccounts.Account] = [:]
        try ledger.forEachEvent(EventQuery()) { _, event in
            guard let person = event.person else { return }
            if CollectionAccounts.Account.folds(event) { accounts[person, default: .init()].apply(event) }
            states[person, default: CompactBalances()].apply(event)
        }
        var inexact: Set<PersonID> = []
        for (person, state) in states {
            if let rows = state.rows(of: person) {
                #expect(rows == YearBalance.rows(of: person, accounts[person] ?? .init()), "\(person)")
            } else {
                inexact.insert(person)
            }
        }
        #expect(!inexact.isEmpty && inexact.isSubset(of: odd), "\(inexact) not among \(odd)")
    }
}
