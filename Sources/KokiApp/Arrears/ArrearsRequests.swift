import KokiDomain
import KokiEvents
import KokiProjections

// The arrears area's requests (滞納): settings, a person's arrears, the lists, the runs, contacts,
// plans, reductions, seizures, prescription and the fiscal closing. Each query records whose data it shows
// before answering; each run answers the date it ran for.

/// `arrears settings adopt [--file FILE]`: the defaults, or settings from a JSON file (missing
/// keys take the defaults), read only after the operator was checked.
public struct AdoptArrearsSettings: KokiRequest {
    public static let name = "arrears settings adopt"
    public static let function: AccessFunction? = .arrearsWrite

    public var file: String?

    public init(file: String?) { self.file = file }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        let settings = try file.map { try scope.readJSON(ArrearsSettings.self, from: $0) } ?? .standard
        return Recorded(try ArrearsCommands(scope.ledger).adoptSettings(settings, metadata: scope.metadata()))
    }
}

/// `arrears settings show`: the settings in force, or the defaults.
public struct ShowArrearsSettings: KokiRequest {
    public static let name = "arrears settings show"
    public static let function: AccessFunction? = .arrearsRead
    public static let isQuery = true

    public init() {}

    public func handle(_ scope: RequestScope) throws -> ArrearsSettings {
        try scope.ledger.currentArrearsSettings() ?? .standard
    }
}

/// `arrears show PERSON`: a person's periods in arrears on a date (default: the caller's today).
public struct ShowArrears: PersonRequest {
    public static let name = "arrears show"
    public static let function: AccessFunction? = .arrearsRead
    public static let isQuery = true

    public var person: PersonID
    public var on: CivilDate?
    public var knownAt: KnownAt?
    /// Also show each period's late-fee bands and prescription steps (the door's choice).
    public var explain: Bool

    public init(person: PersonID, on: CivilDate?, knownAt: KnownAt?, explain: Bool) {
        (self.person, self.on, self.knownAt, self.explain) = (person, on, knownAt, explain)
    }

    public func handle(_ scope: RequestScope) throws -> OnDate<[ArrearsCommands.PeriodArrears]> {
        try scope.recordRead([person])
        let date = on ?? scope.today
        return OnDate(date, try ArrearsCommands(scope.ledger).arrears(of: person, on: date, knownAt: knownAt))
    }
}

/// `arrears list`: the delinquent persons (滞納者一覧) on a date, in an order, at most `limit`.
public struct ListDelinquents: KokiRequest {
    public static let name = "arrears list"
    public static let function: AccessFunction? = .arrearsRead
    public static let isQuery = true

    public var on: CivilDate?
    public var order: ArrearsCommands.DelinquentOrder
    public var knownAt: KnownAt?
    public var limit: Int?
    /// JSON lines instead of a table (the door's choice).
    public var json: Bool

    public init(on: CivilDate?, order: ArrearsCommands.DelinquentOrder, knownAt: KnownAt?, limit: Int?, json: Bool) {
        (self.on, self.order, self.knownAt, self.limit, self.json) = (on, order, knownAt, limit, json)
    }

    public func handle(_ scope: RequestScope) throws -> [ArrearsCommands.Delinquent] {
        var rows = try ArrearsCommands(scope.ledger).delinquents(on: on ?? scope.today, order: order, knownAt: knownAt)
        if let limit { rows = Array(rows.prefix(max(limit, 0))) }
        try scope.recordRead(rows.map(\.person))
        return rows
    }
}

/// `history PERSON`: a person's collection history, one timeline in effective-date order.
public struct ShowCollectionHistory: PersonRequest {
    public static let name = "history"
    public static let function: AccessFunction? = .collectionRead
    public static let isQuery = true

    public var person: PersonID
    public var knownAt: KnownAt?
    public var asOf: CivilDate?
    /// JSON lines instead of a table (the door's choice).
    public var json: Bool

    public init(person: PersonID, knownAt: KnownAt?, asOf: CivilDate?, json: Bool) {
        (self.person, self.knownAt, self.asOf, self.json) = (person, knownAt, asOf, json)
    }

    public func handle(_ scope: RequestScope) throws -> [ArrearsCommands.HistoryEntry] {
        try scope.recordRead([person])
        return try ArrearsCommands(scope.ledger).history(of: person, knownAt: knownAt, asOf: asOf)
    }
}

// MARK: - Runs

/// `dunning run`: a notice for every period unpaid after its due date (督促); again appends nothing.
public struct RunDunning: KokiRequest {
    public static let name = "dunning run"
    public static let function: AccessFunction? = .arrearsWrite

    public var on: CivilDate?

    public init(on: CivilDate?) { self.on = on }

    public func handle(_ scope: RequestScope) throws -> OnDate<ArrearsCommands.DunningSummary> {
        let date = on ?? scope.today
        let summary = try ArrearsCommands(scope.ledger).runDunning(on: date, actor: scope.metadata().actor)
        return .afterRun(date, summary, scope.ledger)
    }
}

/// `reminders run`: reminders (催告) to persons owing at least `minimumOwed` on dunned periods,
/// the oldest at least `monthsOverdue` months overdue.
public struct RunReminders: KokiRequest {
    public static let name = "reminders run"
    public static let function: AccessFunction? = .arrearsWrite

    public var on: CivilDate?
    public var minimumOwed: Int64
    public var monthsOverdue: Int

    public init(on: CivilDate?, minimumOwed: Int64, monthsOverdue: Int) {
        (self.on, self.minimumOwed, self.monthsOverdue) = (on, minimumOwed, monthsOverdue)
    }

    public func handle(_ scope: RequestScope) throws -> OnDate<ArrearsCommands.ReminderSummary> {
        let date = on ?? scope.today
        guard (0...1_200).contains(monthsOverdue) else {
            throw KokiError(.invalidInput, "--months-overdue \(monthsOverdue) is outside 0 to 1,200 months")
        }
        let criteria = ArrearsCommands.ReminderCriteria(
            minimumOwed: try Yen.checked(minimumOwed, .amount, field: "--minimum-owed"), monthsOverdue: monthsOverdue)
        let summary = try ArrearsCommands(scope.ledger).runReminders(
            on: date, criteria: criteria, actor: scope.metadata().actor)
        return .afterRun(date, summary, scope.ledger)
    }
}

/// `prescription run`: what every prescribed period still owes written off (不納欠損), as of a
/// day not after the caller's today (a write-off is never decided ahead of the clock).
public struct RunPrescription: KokiRequest {
    public static let name = "prescription run"
    public static let function: AccessFunction? = .arrearsWrite

    public var on: CivilDate?

    public init(on: CivilDate?) { self.on = on }

    public func handle(_ scope: RequestScope) throws -> OnDate<ArrearsCommands.PrescriptionRun> {
        let date = try on.map { try scope.openDecisionDay($0, for: "a write-off (不納欠損)") } ?? scope.today
        let run = try ArrearsCommands(scope.ledger).prescribe(on: date, actor: scope.metadata().actor)
        return .afterRun(date, run, scope.ledger)
    }
}

/// `close-year --fiscal-year FY`: the fiscal year closed (出納閉鎖); its unpaid periods carried forward.
public struct CloseYear: KokiRequest {
    public static let name = "close-year"
    public static let function: AccessFunction? = .arrearsWrite

    public var fiscalYear: FiscalYear
    public var on: CivilDate?

    public init(fiscalYear: FiscalYear, on: CivilDate?) {
        (self.fiscalYear, self.on) = (fiscalYear, on)
    }

    public func handle(_ scope: RequestScope) throws -> FiscalYearClosed {
        let date = try on.map { try InputLimits.decision($0, today: scope.today, field: "--on") } ?? scope.today
        return try ArrearsCommands(scope.ledger).closeYear(
            fiscalYear, on: date, metadata: scope.metadata())
    }
}

// MARK: - Contacts (折衝記録)

/// What a contact record says, as given.
public struct ContactTerms: Codable, Sendable, Hashable {
    public var on: CivilDate
    public var method: ContactMethod
    public var counterpart: String
    public var content: String
    public var promise: String
    public var promisedOn: CivilDate?

    public init(
        on: CivilDate, method: ContactMethod, counterpart: String, content: String, promise: String,
        promisedOn: CivilDate?
    ) {
        self.on = on
        self.method = method
        self.counterpart = counterpart
        self.content = content
        self.promise = promise
        self.promisedOn = promisedOn
    }

    /// The most characters a contact's content holds (several lines of notes).
    public static let contentLength = 2_000

    func record(
        _ scope: RequestScope, _ person: PersonID, change: ContactRecorded.Change, id: String?, reason: String
    ) throws -> ContactRecorded {
        // What a clerk typed, checked at the edge: plain text of bounded length (the content and the
        // promise may have several lines), the day of the contact not after today, a promised day
        // within the days koki calculates for.
        let words = ContactWords(
            counterpart: try checkedText(counterpart, field: "--counterpart"),
            content: try checkedText(content, field: "--content", limit: Self.contentLength, multiline: true),
            promise: try checkedText(promise, field: "--promise", limit: InputLimits.textLength * 5, multiline: true),
            reason: try checkedText(reason, field: "--reason"))
        let day = try InputLimits.decision(on, today: scope.today, field: "--on")
        let promised = try promisedOn.map { try InputLimits.calculated($0, field: "--promised-on") }
        return try ArrearsCommands(scope.ledger).recordContact(
            person, change: change, id: id, on: day, method: method, words: words, promisedOn: promised,
            metadata: scope.metadata())
    }
}

/// `contact record PERSON`: a contact with a person in arrears recorded.
public struct RecordContact: PersonRequest {
    public static let name = "contact record"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var terms: ContactTerms

    public init(person: PersonID, terms: ContactTerms) {
        (self.person, self.terms) = (person, terms)
    }

    public func handle(_ scope: RequestScope) throws -> ContactRecorded {
        try terms.record(scope, person, change: .recorded, id: nil, reason: "")
    }
}

/// `contact amend PERSON ID`: a new version of a contact record, with the reason.
public struct AmendContact: PersonRequest {
    public static let name = "contact amend"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var id: String
    public var terms: ContactTerms
    public var reason: String

    public init(person: PersonID, id: String, terms: ContactTerms, reason: String) {
        (self.person, self.id, self.terms, self.reason) = (person, id, terms, reason)
    }

    public func handle(_ scope: RequestScope) throws -> ContactRecorded {
        try terms.record(scope, person, change: .amended, id: id, reason: reason)
    }
}

/// `contact retract PERSON ID`: a contact record retracted (it stays in the history).
public struct RetractContact: PersonRequest {
    public static let name = "contact retract"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var id: String
    public var reason: String
    public var on: CivilDate?

    public init(person: PersonID, id: String, reason: String, on: CivilDate?) {
        (self.person, self.id, self.reason, self.on) = (person, id, reason, on)
    }

    public func handle(_ scope: RequestScope) throws -> ContactRecorded {
        let terms = ContactTerms(
            on: on ?? scope.today, method: .other, counterpart: "", content: "", promise: "", promisedOn: nil)
        return try terms.record(scope, person, change: .retracted, id: id, reason: reason)
    }
}

/// `contact list PERSON`: a person's contact records with every version.
public struct ListContacts: PersonRequest {
    public static let name = "contact list"
    public static let function: AccessFunction? = .arrearsRead
    public static let isQuery = true

    public var person: PersonID

    public init(person: PersonID) { self.person = person }

    public func handle(_ scope: RequestScope) throws -> [ArrearsCommands.Contact] {
        try scope.recordRead([person])
        return try ArrearsCommands(scope.ledger).contacts(of: person)
    }
}

// MARK: - Reductions (減免)

/// `reduction decide`: a reduction or exemption (減免) decided by the union: amounts off named
/// periods, or a percentage of the covered months' periods.
public struct DecideReduction: PersonRequest {
    public static let name = "reduction decide"
    public static let function: AccessFunction? = .arrearsWrite

    public struct PeriodAmount: Codable, Sendable, Hashable {
        public var period: PeriodKey
        public var amount: Int64

        public init(period: PeriodKey, amount: Int64) {
            (self.period, self.amount) = (period, amount)
        }
    }

    public var person: PersonID
    public var appliedOn: CivilDate
    public var decidedOn: CivilDate
    public var reason: String
    public var from: CivilDate
    public var through: CivilDate
    /// Amounts off named periods (or `nil`, with `percent`).
    public var periods: [PeriodAmount]?
    public var percent: Int?
    public var waiveLateFees: Bool

    public init(
        person: PersonID, appliedOn: CivilDate, decidedOn: CivilDate, reason: String, from: CivilDate,
        through: CivilDate, periods: [PeriodAmount]?, percent: Int?, waiveLateFees: Bool
    ) {
        self.person = person
        self.appliedOn = appliedOn
        self.decidedOn = decidedOn
        self.reason = reason
        self.from = from
        self.through = through
        self.periods = periods
        self.percent = percent
        self.waiveLateFees = waiveLateFees
    }

    public func handle(_ scope: RequestScope) throws -> ReductionDecided {
        guard (periods?.isEmpty ?? true) != (percent == nil) else {
            throw KokiError(.invalidInput, "give --period FY/N=YEN (repeatable) or --percent, not both")
        }
        var amounts: [PeriodKey: Yen]?
        if let periods, !periods.isEmpty {
            amounts = try Dictionary(
                periods.map { ($0.period, try Yen.checked($0.amount, .amount, field: "--period \($0.period)")) },
                uniquingKeysWith: { _, _ in throw KokiError(.invalidInput, "--period names a period twice") })
        }
        return try ArrearsCommands(scope.ledger).decideReduction(
            person, appliedOn: appliedOn, decidedOn: decidedOn, reason: try checkedText(reason, field: "--reason"),
            from: from, through: through, amounts: amounts, percent: percent, waiveLateFees: waiveLateFees,
            metadata: scope.metadata())
    }
}

// MARK: - Seizures (差押)

/// `seizure start PERSON`: a seizure for periods, from a day.
public struct StartSeizure: PersonRequest {
    public static let name = "seizure start"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var on: CivilDate
    public var periods: [PeriodKey]

    public init(person: PersonID, on: CivilDate, periods: [PeriodKey]) {
        (self.person, self.on, self.periods) = (person, on, periods)
    }

    public func handle(_ scope: RequestScope) throws -> SeizureRecorded {
        try ArrearsCommands(scope.ledger).recordSeizure(
            person, change: .started, on: on, periods: periods, metadata: scope.metadata())
    }
}

/// `enforcement stop PERSON`: enforcement stopped on periods (執行停止, 地方税法 第15条の7), for a
/// reason; `--at-once` writes off what they owe in the same command.
public struct StopEnforcement: PersonRequest {
    public static let name = "enforcement stop"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var on: CivilDate
    public var periods: [PeriodKey]
    public var reason: EnforcementStopped.Reason
    public var atOnce: Bool

    public init(person: PersonID, on: CivilDate, periods: [PeriodKey], reason: EnforcementStopped.Reason, atOnce: Bool)
    {
        (self.person, self.on, self.periods, self.reason, self.atOnce) = (person, on, periods, reason, atOnce)
    }

    public func handle(_ scope: RequestScope) throws -> EnforcementStopped {
        let date = try scope.openDecisionDay(on, for: "a stop of enforcement (執行停止)")
        return try ArrearsCommands(scope.ledger).stopEnforcement(
            person, change: .started, on: date, periods: periods, reason: reason, atOnce: atOnce,
            metadata: scope.metadata())
    }
}

/// `enforcement end PERSON ID`: a stop of enforcement ended (property found: 取消).
public struct EndEnforcementStop: PersonRequest {
    public static let name = "enforcement end"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var id: String
    public var on: CivilDate

    public init(person: PersonID, id: String, on: CivilDate) {
        (self.person, self.id, self.on) = (person, id, on)
    }

    public func handle(_ scope: RequestScope) throws -> EnforcementStopped {
        let date = try scope.openDecisionDay(on, for: "a stop of enforcement (執行停止)")
        return try ArrearsCommands(scope.ledger).stopEnforcement(
            person, change: .ended, id: id, on: date, metadata: scope.metadata())
    }
}

/// `deferral grant PERSON`: collection of periods deferred (徴収猶予, 地方税法 第15条) over days
/// `from`…`through`, for a reason the law names, the late fee of those days halved or waived.
public struct GrantDeferral: PersonRequest {
    public static let name = "deferral grant"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var on: CivilDate
    public var periods: [PeriodKey]
    public var from: CivilDate
    public var through: CivilDate
    public var reason: CollectionDeferred.Reason
    public var relief: LateFee.Relief.Share

    public init(
        person: PersonID, on: CivilDate, periods: [PeriodKey], from: CivilDate, through: CivilDate,
        reason: CollectionDeferred.Reason, relief: LateFee.Relief.Share
    ) {
        (self.person, self.on, self.periods, self.from, self.through) = (person, on, periods, from, through)
        (self.reason, self.relief) = (reason, relief)
    }

    public func handle(_ scope: RequestScope) throws -> CollectionDeferred {
        let date = try scope.openDecisionDay(on, for: "a deferment (徴収猶予)")
        let from = try InputLimits.calculated(self.from, field: "--from")
        let through = try scope.openDeadline(self.through, for: "the last day of a deferment", field: "--through")
        return try ArrearsCommands(scope.ledger).deferCollection(
            person, change: .granted, on: date, periods: periods, from: from, through: through, reason: reason,
            relief: relief, metadata: scope.metadata())
    }
}

/// `deferral extend PERSON ID`: a deferment in force extended to a later last day.
public struct ExtendDeferral: PersonRequest {
    public static let name = "deferral extend"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var id: String
    public var on: CivilDate
    public var through: CivilDate

    public init(person: PersonID, id: String, on: CivilDate, through: CivilDate) {
        (self.person, self.id, self.on, self.through) = (person, id, on, through)
    }

    public func handle(_ scope: RequestScope) throws -> CollectionDeferred {
        let date = try scope.openDecisionDay(on, for: "a deferment (徴収猶予)")
        let through = try scope.openDeadline(self.through, for: "the last day of a deferment", field: "--through")
        return try ArrearsCommands(scope.ledger).deferCollection(
            person, change: .extended, id: id, on: date, through: through, metadata: scope.metadata())
    }
}

/// `deferral end PERSON ID`: a deferment ended before its last day (取消: the person can pay).
public struct EndDeferral: PersonRequest {
    public static let name = "deferral end"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var id: String
    public var on: CivilDate

    public init(person: PersonID, id: String, on: CivilDate) {
        (self.person, self.id, self.on) = (person, id, on)
    }

    public func handle(_ scope: RequestScope) throws -> CollectionDeferred {
        let date = try scope.openDecisionDay(on, for: "a deferment (徴収猶予)")
        return try ArrearsCommands(scope.ledger).deferCollection(
            person, change: .ended, id: id, on: date, metadata: scope.metadata())
    }
}

/// `seizure end PERSON ID`: the end of a seizure.
public struct EndSeizure: PersonRequest {
    public static let name = "seizure end"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var id: String
    public var on: CivilDate

    public init(person: PersonID, id: String, on: CivilDate) {
        (self.person, self.id, self.on) = (person, id, on)
    }

    public func handle(_ scope: RequestScope) throws -> SeizureRecorded {
        try ArrearsCommands(scope.ledger).recordSeizure(
            person, change: .ended, id: id, on: on, periods: [], metadata: scope.metadata())
    }
}
