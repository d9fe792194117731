import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

/// Amounts past every range, as a ledger written before koki checked them may hold: the
/// commands refuse to record them now, and what an old ledger holds never traps a fold, an
/// annual run or a settlement — a figure that overflowed is refused at the append, naming it.
@Suite struct MoneyOverflowTests {
    let ledger = KokiLedger(try! Ledger.inMemory())
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    let person = try! PersonID("1")
    func meta() -> CommandMetadata { CommandMetadata(actor: "op") }

    /// Appends an event as an older koki did: straight to the store, with no check.
    func appendUnchecked(_ event: KokiEvent) throws {
        let encoded = EventRegistry.encode(event)
        try ledger.store.append(
            AppendRequest(
                commandID: Identifier.random(), actor: "old-koki", stream: try StreamName(event.streamName),
                expectedVersion: .any,
                events: [NewEvent(type: encoded.type, schemaVersion: encoded.schemaVersion, payload: encoded.payload)]))
    }

    func insured() throws {
        let assessment = AssessmentCommands(ledger)
        try assessment.adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta())
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2025), metadata: meta())
        let register = InsuredRegisterCommands(ledger)
        try register.register(
            person,
            identity: try PersonIdentity(
                nameKanji: "氏名", nameKana: "シメイ", birthDate: d("1940-01-01"), sex: .male, address: "松戸市"),
            household: nil, metadata: meta())
        try register.acquire(person, reason: .reachedAge75, on: d("2015-01-01"), metadata: meta())
    }

    @Test func theCommandsRefuseAmountsOutOfRangeAndAppendNothing() throws {
        try insured()
        let register = InsuredRegisterCommands(ledger)
        let head = try ledger.store.head()
        let income = IncomeRecorded(
            person: person, year: 2024, publicPensionRevenue: Yen(.max), salaryRevenue: .zero, otherIncome: .zero,
            totalIncome: Yen(.max), declared: true, source: "税")
        #expect(throws: DomainError.self) { try register.recordIncome(income, metadata: meta()) }
        #expect(throws: DomainError.self) {
            try CollectionCommands(ledger).pay(
                person, amount: Yen(.max), paidOn: d("2025-07-25"), learnedOn: d("2025-07-25"), channel: .counter,
                slip: nil, metadata: meta())
        }
        #expect(try ledger.store.head() == head)
    }

    @Test func anOldLedgersHugeIncomeAndPaymentNeverTrap() throws {
        try insured()
        try appendUnchecked(
            .incomeRecorded(
                IncomeRecorded(
                    person: person, year: 2024, publicPensionRevenue: Yen(.max), salaryRevenue: .zero,
                    otherIncome: Yen(.max), totalIncome: Yen(.max), declared: true, source: "old")))
        // The annual run assesses the capped premium: the income part saturates, the cap holds.
        let run = try AssessmentCommands(ledger).runAnnual(
            fiscalYear: try FiscalYear(2025), decidedOn: d("2025-07-10"), actor: "batch")
        #expect(run.assessedFirstTime == 1)
        let periods = try CollectionCommands(ledger).load(person).account.periods
        let assessed = periods.values.map(\.assessed).sum()
        #expect(assessed > .zero && assessed <= RateTable.chiba(fiscalYear: 2025)!.components.map(\.cap).sum())
        // Its breakdown keeps the saturated figures as the calculator computed them (they
        // explain the decision and enter no fold), readable back.
        let recorded = try #require(try CollectionCommands(ledger).load(person).assessments[try FiscalYear(2025)])
        #expect(recorded.breakdown?.premium == recorded.annualPremium)
        #expect((recorded.breakdown?.incomeBase?.amount ?? 0) > 1_000_000_000_000_000)

        // A payment of Int64.max that an older koki recorded: folds saturate, and settling it —
        // which would record an overpayment past every range — is refused, naming the amount.
        let key = try #require(periods.keys.min())
        try appendUnchecked(
            .paymentReceived(
                PaymentReceived(
                    id: "pold", person: person, channel: .counter, paidOn: d("2025-07-25"), learnedOn: d("2025-07-25"),
                    amount: Yen(.max), slip: nil,
                    parts: [.init(key: key, amount: Yen(.max), accountingYear: key.fiscalYear)], overpaid: .zero,
                    reference: "")))
        _ = try ledger.replay(CollectionAccounts.self)
        let head = try ledger.store.head()
        let error = #expect(throws: KokiError.self) {
            try CollectionCommands(ledger).settle(person, on: d("2025-08-01"), rates: .standard, metadata: meta())
        }
        #expect(error?.message.contains("outside the range a ledger holds") == true, "\(String(describing: error))")
        #expect(try ledger.store.head() == head)
    }
}
