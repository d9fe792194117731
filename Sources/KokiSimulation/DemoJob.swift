import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// The demonstration city as the main job runs it, through the ordinary commands: register
/// each person (sealed identity, household) with their 2024 income and qualify them at 75;
/// adopt FY2025's rate table and calendar; run the annual assessment; then record the payments
/// each person made, adopt the arrears settings and run dunning 20 days after each due date
/// (a notice for every installment left unpaid).
///
/// Every command has an id derived from the seed and what it does, so running the job again
/// appends nothing.
public struct DemoJob: Sendable {
    public let ledger: KokiLedger
    public let city: DemoCity
    public let actor: String

    public init(ledger: KokiLedger, persons: Int, seed: UInt64, actor: String) {
        self.ledger = ledger
        city = DemoCity(persons: persons, seed: seed)
        self.actor = actor
    }

    public struct Report: Sendable {
        public var eventsAppended = 0
        public var commandsRepeated = 0
        public var run: AssessmentCommands.RunSummary?
        public var dunningNotices = 0
    }

    static let fiscalYear = try! FiscalYear(2025)
    static let decidedOn = try! CivilDate(iso: "2025-07-10")

    public func run() throws -> Report {
        var report = Report()
        let register = InsuredRegisterCommands(ledger)
        let assessment = AssessmentCommands(ledger)
        let collection = CollectionCommands(ledger)
        func command(_ what: String) -> CommandMetadata {
            CommandMetadata(commandID: Identifier(derivedFrom: Array("demo/\(city.seed)/\(what)".utf8)), actor: actor)
        }
        func count(_ result: AppendResult) {
            if result.wasDuplicate {
                report.commandsRepeated += 1
            } else {
                report.eventsAppended += result.events.count
            }
        }

        for index in 1...city.persons {
            let person = city.person(index)
            guard try register.load(person).entry == nil else {
                report.commandsRepeated += 3
                continue
            }
            let (identity, household, role) = city.registration(forPerson: index)
            count(
                try register.register(
                    person, identity: identity, household: (household, role, try CivilDate(iso: "2000-04-01")),
                    metadata: command("\(index)/register")))
            count(
                try register.acquire(
                    person, reason: .reachedAge75, on: identity.birthDate.reaching(age: EligibilityRules.generalAge),
                    metadata: command("\(index)/acquire")))
            count(try register.recordIncome(city.income(forPerson: index), metadata: command("\(index)/income")))
        }

        let before = try CitySnapshot(ledger)
        if before.accounts.rateTables[Self.fiscalYear.year] == nil {
            count(
                try assessment.adoptRates(
                    RateTable.chiba(fiscalYear: Self.fiscalYear.year)!, metadata: command("rates")))
        }
        if before.accounts.calendars[Self.fiscalYear.year] == nil {
            count(
                try assessment.adoptCalendar(
                    InstallmentCalendar.standard(fiscalYear: Self.fiscalYear.year), metadata: command("calendar")))
        }
        let unassessed = (1...city.persons).contains {
            before.accounts.current(city.person($0), Self.fiscalYear) == nil
        }
        if unassessed {
            let run = try assessment.runAnnual(fiscalYear: Self.fiscalYear, decidedOn: Self.decidedOn, actor: actor)
            report.run = run
            report.eventsAppended += run.assessedFirstTime + run.reassessed + 1
        }

        // Payments and dunning against the installments actually assessed.
        let accounts = try CitySnapshot(ledger).accounts
        for index in 1...city.persons {
            let person = city.person(index)
            guard let assessed = accounts.current(person, Self.fiscalYear) else { continue }
            let paysUntil = city.paysInstallments(forPerson: index, of: assessed.installments.count)
            for (n, installment) in assessed.installments.enumerated() {
                let metadata = command("\(index)/period/\(installment.period.number)")
                if n < paysUntil {
                    let before = try ledger.store.head()
                    try collection.pay(
                        person, amount: installment.amount, paidOn: installment.dueDate.adding(days: -(index + n) % 20),
                        learnedOn: installment.dueDate, channel: PaymentChannel.allCases[(index + n) % 4],
                        slip: PeriodKey(Self.fiscalYear, installment.period), metadata: metadata)
                    if try ledger.store.head() != before {
                        report.eventsAppended += 1
                    } else {
                        report.commandsRepeated += 1
                    }
                }
            }
        }

        // Dunning: the city's settings, then a run 20 days after each due date (督促).
        let arrears = ArrearsCommands(ledger)
        if try CitySnapshot(ledger).collection.arrearsSettings == nil {
            count(try arrears.adoptSettings(.standard, metadata: command("arrears-settings")))
        }
        let dueDates = Set(
            accounts.keys.compactMap { accounts.current($0.person, $0.fiscalYear) }.flatMap {
                $0.installments.map(\.dueDate)
            })
        for due in dueDates.sorted() {
            let before = try ledger.store.head().position
            // The last business day within the 20 days after the due date.
            let run = try arrears.runDunning(on: BusinessCalendar().onOrBefore(due.adding(days: 20)), actor: actor)
            let appended = Int(try ledger.store.head().position - before)
            report.eventsAppended += appended
            report.dunningNotices += run.notices.count
            if appended == 0 { report.commandsRepeated += 1 }
        }
        return report
    }
}
