import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// `rates adopt`: a fiscal year's rate table adopted into the ledger (Chiba's built-in one for
/// FY2022–2025, or a table file read only after the check); the latest adopted is in force.
public struct AdoptRates: KokiRequest {
    public static let name = "rates adopt"
    public static let function: AccessFunction? = .assessmentWrite

    public var fiscalYear: FiscalYear
    public var file: String?

    public init(fiscalYear: FiscalYear, file: String?) {
        (self.fiscalYear, self.file) = (fiscalYear, file)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        let table: RateTable
        if let file {
            table = try scope.readJSON(RateTable.self, from: file)
        } else if let builtIn = RateTable.chiba(fiscalYear: fiscalYear.year) {
            table = builtIn
        } else {
            throw KokiError(.invalidInput, "no confirmed table for \(fiscalYear) is built in: give one with --file")
        }
        guard table.fiscalYear == fiscalYear.year else {
            throw KokiError(.invalidInput, "the table is for FY\(table.fiscalYear), not \(fiscalYear)")
        }
        try table.validate()
        return Recorded(try AssessmentCommands(scope.ledger).adoptRates(table, metadata: scope.metadata()))
    }
}

/// `rates show`: the rate table in force for a year.
public struct ShowRates: KokiRequest {
    public static let name = "rates show"
    public static let function: AccessFunction? = .assessmentRead
    public static let isQuery = true

    public var fiscalYear: FiscalYear

    public init(fiscalYear: FiscalYear) { self.fiscalYear = fiscalYear }

    public func handle(_ scope: RequestScope) throws -> RateTable {
        guard let table = try scope.ledger.rateTable(fiscalYear: fiscalYear.year) else {
            throw KokiError(.invalidInput, "no rate table adopted for \(fiscalYear)")
        }
        return table
    }
}

/// `calendar adopt`: a fiscal year's installment calendar (the standard one, or a file read only
/// after the check), with the extra days the city is closed; answers the due dates.
public struct AdoptCalendar: KokiRequest {
    public static let name = "calendar adopt"
    public static let function: AccessFunction? = .assessmentWrite

    public var fiscalYear: FiscalYear
    public var file: String?
    public var closed: [CivilDate]

    public init(fiscalYear: FiscalYear, file: String?, closed: [CivilDate]) {
        (self.fiscalYear, self.file, self.closed) = (fiscalYear, file, closed)
    }

    public func handle(_ scope: RequestScope) throws -> [CivilDate] {
        let calendar =
            try file.map { try scope.readJSON(InstallmentCalendar.self, from: $0) }
            ?? InstallmentCalendar.standard(fiscalYear: fiscalYear.year)
        guard calendar.fiscalYear == fiscalYear.year else {
            throw KokiError(.invalidInput, "the calendar is for FY\(calendar.fiscalYear), not \(fiscalYear)")
        }
        try AssessmentCommands(scope.ledger).adoptCalendar(
            calendar, extraClosedDays: closed, metadata: scope.metadata())
        return calendar.dueDates(on: BusinessCalendar(extraClosedDays: Set(closed)))
    }
}

/// `calendar show`: the due date of every period in force for a year.
public struct ShowCalendar: KokiRequest {
    public static let name = "calendar show"
    public static let function: AccessFunction? = .assessmentRead
    public static let isQuery = true

    public var fiscalYear: FiscalYear

    public init(fiscalYear: FiscalYear) { self.fiscalYear = fiscalYear }

    public func handle(_ scope: RequestScope) throws -> [CivilDate] {
        guard let adopted = try scope.ledger.installmentCalendar(fiscalYear: fiscalYear.year) else {
            throw KokiError(.invalidInput, "no installment calendar adopted for \(fiscalYear)")
        }
        return adopted.calendar.dueDates(on: BusinessCalendar(extraClosedDays: Set(adopted.extraClosedDays)))
    }
}

/// `assess`: premiums assessed for a fiscal year, for everyone insured in it (the annual run) or
/// for one person.
public struct AssessPremiums: KokiRequest {
    public static let name = "assess"
    public static let function: AccessFunction? = .assessmentWrite

    public var fiscalYear: FiscalYear
    /// The decision date (default: today).
    public var decidedOn: CivilDate?
    /// Only this person.
    public var person: PersonID?

    public init(fiscalYear: FiscalYear, decidedOn: CivilDate?, person: PersonID?) {
        (self.fiscalYear, self.decidedOn, self.person) = (fiscalYear, decidedOn, person)
    }

    /// What one person's assessment did: `notInsured`, `unchanged`, `assessed` or `reassessed`.
    public struct PersonOutcome: Codable, Sendable {
        public var outcome: String
        public var annualPremium: Yen?
        public var previous: Yen?
    }

    public struct Assessed: Codable, Sendable {
        public var decidedOn: CivilDate
        /// With `person`: what their assessment did.
        public var person: PersonOutcome?
        /// Without: the annual run's counts.
        public var run: AssessmentCommands.RunSummary?
        /// Why the stored read models were not brought up to date after the run (the next query will).
        public var readModelsNote: String?
    }

    public func handle(_ scope: RequestScope) throws -> Assessed {
        let commands = AssessmentCommands(scope.ledger)
        let fy = fiscalYear
        let date = decidedOn ?? scope.today
        var result = Assessed(decidedOn: date)
        if let person {
            result.person =
                switch try commands.assess(person, fiscalYear: fy, decidedOn: date, metadata: scope.metadata()) {
                case .notInsured: PersonOutcome(outcome: "notInsured")
                case .unchanged(let e): PersonOutcome(outcome: "unchanged", annualPremium: e.annualPremium)
                case .assessed(let e): PersonOutcome(outcome: "assessed", annualPremium: e.annualPremium)
                case .reassessed(let e, let previous):
                    PersonOutcome(
                        outcome: "reassessed", annualPremium: e.annualPremium, previous: previous.annualPremium)
                }
            return result
        }
        result.run = try commands.runAnnual(fiscalYear: fy, decidedOn: date, actor: scope.metadata().actor)
        // The run touched many persons: the cost of folding them again lands here, not on the
        // next query someone waits for. The run itself is committed already.
        result.readModelsNote = scope.readModelsBroughtUp()
        return result
    }
}

/// `premium show`: a person's premium account for a fiscal year (the annual amount, each
/// period's amount and due date, the history of assessments), its reading recorded first.
public struct ShowPremium: KokiRequest {
    public static let name = "premium show"
    public static let function: AccessFunction? = .assessmentRead
    public static let isQuery = true

    public var number: PersonID
    public var fiscalYear: FiscalYear

    public init(number: PersonID, fiscalYear: FiscalYear) {
        (self.number, self.fiscalYear) = (number, fiscalYear)
    }

    public struct View: Codable, Sendable {
        public var number: String
        public var fiscalYear: FiscalYear
        public var annualPremium: Int64
        public var collection: String
        public var installments: [Period]
        public var history: [Decision]

        public struct Period: Codable, Sendable {
            public var period: Int
            public var dueDate: String
            public var amount: Int64
            /// `pensionDeduction` (a pension month) or `ordinary`.
            public var collection: String
        }

        public struct Decision: Codable, Sendable {
            public var decidedOn: String
            public var reason: String
            public var cause: String
            public var annualPremium: Int64
            public var calculator: String
        }
    }

    public func handle(_ scope: RequestScope) throws -> View {
        let (id, history) = try scope.ledger.assessments(of: number, fiscalYear: fiscalYear)
        try scope.recordRead([id])
        guard let current = history.last else {
            throw KokiError(.invalidInput, "no \(fiscalYear) assessment for \(number)")
        }
        return View(
            number: id.value, fiscalYear: fiscalYear, annualPremium: current.annualPremium.amount,
            collection: current.collection.rawValue,
            installments: current.installments.map {
                .init(
                    period: $0.period.number, dueDate: $0.dueDate.description, amount: $0.amount.amount,
                    collection: current.method(of: $0.period).rawValue)
            },
            history: history.map {
                .init(
                    decidedOn: $0.decidedOn.description, reason: $0.reason.rawValue, cause: $0.cause,
                    annualPremium: $0.annualPremium.amount, calculator: $0.ruleVersion)
            })
    }
}

/// `pension provisional`: before a fiscal year begins, the provisional deduction (仮徴収) of
/// everyone deducted from the pension last February and still insured.
public struct DecideProvisionalDeductions: KokiRequest {
    public static let name = "pension provisional"
    public static let function: AccessFunction? = .assessmentWrite

    public var fiscalYear: FiscalYear
    public var on: CivilDate

    public init(fiscalYear: FiscalYear, on: CivilDate) { (self.fiscalYear, self.on) = (fiscalYear, on) }

    public func handle(_ scope: RequestScope) throws -> AssessmentCommands.ProvisionalRun {
        let date = try scope.openDecisionDay(on, for: "the provisional deduction's decision")
        return try AssessmentCommands(scope.ledger).decideProvisional(
            fiscalYear: fiscalYear, on: date, actor: scope.metadata().actor)
    }
}

/// `pension notify`: what the pension insurers must be told of a fiscal year's deductions — the
/// year's request, changes and stops — written as their file and recorded.
public struct NotifyPensionDeductions: KokiRequest {
    public static let name = "pension notify"
    public static let function: AccessFunction? = .assessmentWrite

    public var fiscalYear: FiscalYear
    public var on: CivilDate

    public init(fiscalYear: FiscalYear, on: CivilDate) { (self.fiscalYear, self.on) = (fiscalYear, on) }

    public func handle(_ scope: RequestScope) throws -> AssessmentCommands.PensionNoticeRun {
        let date = try scope.openDecisionDay(on, for: "the notice to the pension insurers")
        return try AssessmentCommands(scope.ledger).notifyPension(
            fiscalYear: fiscalYear, on: date, actor: scope.metadata().actor)
    }
}

/// `pension switch PERSON`: a pension deductee asks to pay by bank debit instead (特徴→口座振替),
/// or withdraws it.
public struct RecordPensionSwitch: PersonRequest {
    public static let name = "pension switch"
    public static let function: AccessFunction? = .collectionWrite

    public var person: PersonID
    public var on: CivilDate
    public var withdraw: Bool

    public init(person: PersonID, on: CivilDate, withdraw: Bool) {
        (self.person, self.on, self.withdraw) = (person, on, withdraw)
    }

    public func handle(_ scope: RequestScope) throws -> PensionSwitchRecorded {
        let date = try scope.openDecisionDay(on, for: "a switch to bank debit")
        return try AssessmentCommands(scope.ledger).recordSwitch(
            person, change: withdraw ? .withdrawn : .requested, on: date, metadata: scope.metadata())
    }
}

/// `pension selection`: for a fiscal year, who is deducted from the pension and why, and why the
/// others are not (特徴対象者管理) — each year's first assessment records the reason — with what
/// became of the deduction since (stopped, switched, requested from the insurer).
public struct ListPensionSelection: KokiRequest {
    public static let name = "pension selection"
    public static let function: AccessFunction? = .assessmentRead
    public static let isQuery = true

    public var fiscalYear: FiscalYear

    public init(fiscalYear: FiscalYear) { self.fiscalYear = fiscalYear }

    public struct Row: Codable, Sendable, Hashable {
        public var person: String
        /// `selected`, `noPensionInformation`, `newlyInsured`, `pensionUnder180000`, `careNotDeducted`,
        /// `overHalf`, `switchedToDebit` — or `unknown` for a first assessment recorded without one.
        public var selection: String
        /// The reason as the first assessment recorded it.
        public var reason: String
        /// How the year is collected now: `pensionDeduction` or `ordinary`.
        public var collection: String
        /// The pension months still deducted, and what the year's periods hold by each method.
        public var pensionMonths: [Int]
        public var pension: Int64
        public var ordinary: Int64
        /// The stop (its first pension day and why), when the deduction stopped during the year.
        public var stoppedFrom: String?
        public var stopReason: String?
        /// The day a switch to bank debit was asked for, while in force.
        public var switchRequested: String?
    }

    public struct View: Codable, Sendable {
        public var fiscalYear: FiscalYear
        public var rows: [Row]
        /// Persons by selection.
        public var counts: [String: Int]
    }

    public func handle(_ scope: RequestScope) throws -> View {
        let ledger = scope.ledger
        let stored = ledger.hasCurrentCity ? nil : try Self.stored(ledger, fiscalYear)
        let rows = try stored ?? Self.folded(ledger, fiscalYear)
        try scope.recordRead(rows.compactMap { try? PersonID($0.person) })
        return View(
            fiscalYear: fiscalYear, rows: rows,
            counts: Dictionary(rows.map { ($0.selection, 1) }, uniquingKeysWith: +))
    }

    /// A person's row from their year's first assessment, the one in force and its last stop.
    static func row(
        _ person: InsuredRegister.Person, first: PremiumAssessed, now: PremiumAssessed, stop: PensionDeductionStopped?
    ) -> Row {
        Row(
            person: person.id.value,
            selection: PensionDeduction.Selection(recorded: first.cause)?.rawValue ?? "unknown",
            reason: first.cause, collection: now.collection.rawValue,
            pensionMonths: now.pensionInstallments.filter { $0.amount > .zero }.map(\.dueDate.month),
            pension: now.pensionInstallments.map(\.amount).sum().amount,
            ordinary: now.ordinaryInstallments.map(\.amount).sum().amount,
            stoppedFrom: stop?.stoppedFrom.description, stopReason: stop?.reason,
            switchRequested: person.debitSwitch?.description)
    }

    /// The rows from the city a process holds (folded first in a fresh process that has no
    /// stored premiums to read).
    @_spi(Batch) public static func folded(_ ledger: KokiLedger, _ fiscalYear: FiscalYear) throws -> [Row] {
        let city = try ledger.currentCity()
        var rows: [Row] = []
        for person in city.register.persons.values.sorted(by: { $0.id < $1.id }) {
            let key = PremiumAccounts.Key(person: person.id, fiscalYear: fiscalYear)
            guard let history = city.accounts.history(key), let first = history.first, let now = history.last
            else { continue }
            let stop = city.collection.account(person.id)?.pensionStops.last { $0.fiscalYear == fiscalYear }
            rows.append(row(person, first: first, now: now, stop: stop))
        }
        return rows
    }

    /// The rows from the stored premiums: the year's rows, then only their events and the
    /// register's heads of their persons, a few thousand persons at a time; `nil` where the
    /// ledger keeps no stored premiums.
    @_spi(Batch) public static func stored(_ ledger: KokiLedger, _ fiscalYear: FiscalYear) throws -> [Row]? {
        var rows: [Row] = []
        let read = try StoredPremiums(ledger.ports).forEachSlice(
            of: fiscalYear, reading: { [$0.first, $0.current] + ($0.stop.map { [$0] } ?? []) }
        ) { slice, events in
            let heads = try StoredRegister(ledger.ports).heads(of: Set(slice.map(\.person)))
            for y in slice {
                guard let person = heads[y.person] else { continue }
                guard case .premiumAssessed(let first) = events[y.first],
                    case .premiumAssessed(let now) = events[y.current]
                else {
                    throw KokiError(
                        .undecodableEvent,
                        "the stored premiums of \(y.person) FY\(y.fiscalYear.year) point to events \(y.first) and \(y.current), which are not its assessments: run koki rebuild"
                    )
                }
                var stop: PensionDeductionStopped?
                if let at = y.stop {
                    guard case .pensionDeductionStopped(let e) = events[at] else {
                        throw KokiError(
                            .undecodableEvent,
                            "the stored premiums of \(y.person) FY\(y.fiscalYear.year) point to event \(at), which is not a stop: run koki rebuild"
                        )
                    }
                    stop = e
                }
                rows.append(row(person, first: first, now: now, stop: stop))
            }
        }
        guard read != nil else { return nil }
        return rows
    }
}
