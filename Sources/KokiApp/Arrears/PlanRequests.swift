import KokiDomain
import KokiEvents

// The installment plans' requests (分納・納付誓約): agree, revise, cancel, show, check, slips.

/// A plan's terms as given: the periods it covers (default: every period in arrears on the day
/// agreed), whether it covers their final late fees, the monthly schedule and the total (default:
/// what the periods owe), and whether a pledge was signed.
public struct PlanTerms: Codable, Sendable, Hashable {
    public var on: CivilDate
    public var periods: [PeriodKey]?
    public var includeLateFees: Bool
    public var payments: Int
    public var first: CivilDate
    public var total: Int64?
    public var pledge: Bool

    public init(
        on: CivilDate, periods: [PeriodKey]?, includeLateFees: Bool, payments: Int, first: CivilDate, total: Int64?,
        pledge: Bool
    ) {
        self.on = on
        self.periods = periods
        self.includeLateFees = includeLateFees
        self.payments = payments
        self.first = first
        self.total = total
        self.pledge = pledge
    }

    func record(
        _ scope: RequestScope, _ person: PersonID, change: InstallmentPlanRecorded.Change, id: String?, reason: String
    ) throws -> InstallmentPlanRecorded {
        let commands = ArrearsCommands(scope.ledger)
        let state = try CollectionCommands(scope.ledger).load(person)
        let periods = self.periods.flatMap { $0.isEmpty ? nil : $0 }
        let covered =
            periods
            ?? state.account.periods.filter { $0.value.dueDate < on && $0.value.outstanding > .zero }.map(\.key)
        let owed = covered.map {
            (state.account.periods[$0]?.outstanding ?? .zero)
                + (includeLateFees ? state.account.periods[$0]?.lateFeeOutstanding ?? .zero : .zero)
        }.sum()
        let schedule = try ArrearsCommands.schedule(
            total: try total.map { try Yen.checked($0, .amount, field: "--total") } ?? owed, count: payments,
            first: first, calendar: try scope.ledger.businessCalendar(around: first))
        return try commands.recordPlan(
            person, change: change, id: id, on: on, periods: periods, includesLateFees: includeLateFees,
            schedule: schedule, pledge: pledge, reason: reason, metadata: scope.metadata())
    }
}

/// `plan agree PERSON`: a plan over periods in arrears with a monthly schedule that covers them.
public struct AgreePlan: PersonRequest {
    public static let name = "plan agree"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var terms: PlanTerms

    public init(person: PersonID, terms: PlanTerms) {
        (self.person, self.terms) = (person, terms)
    }

    public func handle(_ scope: RequestScope) throws -> InstallmentPlanRecorded {
        try terms.record(scope, person, change: .agreed, id: nil, reason: "")
    }
}

/// `plan revise PERSON PLAN`: new terms for a plan in force, with the reason.
public struct RevisePlan: PersonRequest {
    public static let name = "plan revise"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var plan: String
    public var terms: PlanTerms
    public var reason: String

    public init(person: PersonID, plan: String, terms: PlanTerms, reason: String) {
        (self.person, self.plan, self.terms, self.reason) = (person, plan, terms, reason)
    }

    public func handle(_ scope: RequestScope) throws -> InstallmentPlanRecorded {
        try terms.record(scope, person, change: .revised, id: plan, reason: reason)
    }
}

/// `plan cancel PERSON PLAN`: a plan in force cancelled (default: on the caller's today).
public struct CancelPlan: PersonRequest {
    public static let name = "plan cancel"
    public static let function: AccessFunction? = .arrearsWrite

    public var person: PersonID
    public var plan: String
    public var on: CivilDate?
    public var reason: String

    public init(person: PersonID, plan: String, on: CivilDate?, reason: String) {
        (self.person, self.plan, self.on, self.reason) = (person, plan, on, reason)
    }

    public func handle(_ scope: RequestScope) throws -> InstallmentPlanRecorded {
        try ArrearsCommands(scope.ledger).recordPlan(
            person, change: .cancelled, id: plan, on: on ?? scope.today, periods: nil, includesLateFees: false,
            schedule: [], pledge: false, reason: reason, metadata: scope.metadata())
    }
}

/// `plan show PERSON`: a person's plans in force and their progress on a date.
public struct ShowPlans: PersonRequest {
    public static let name = "plan show"
    public static let function: AccessFunction? = .arrearsRead
    public static let isQuery = true

    public var person: PersonID
    public var on: CivilDate?

    public init(person: PersonID, on: CivilDate?) {
        (self.person, self.on) = (person, on)
    }

    public func handle(_ scope: RequestScope) throws -> [ArrearsCommands.PlanProgress] {
        try scope.recordRead([person])
        return try ArrearsCommands(scope.ledger).plans(of: person, on: on ?? scope.today)
    }
}

/// The plans a plan check marked.
public struct PlanCheck: Codable, Sendable {
    public var broken: [InstallmentPlanRecorded]
    public var completed: [InstallmentPlanRecorded]
}

/// `plan check`: plans behind schedule past the grace days marked broken, paid ones completed.
public struct CheckPlans: KokiRequest {
    public static let name = "plan check"
    public static let function: AccessFunction? = .arrearsWrite

    public var on: CivilDate?

    public init(on: CivilDate?) { self.on = on }

    public func handle(_ scope: RequestScope) throws -> OnDate<PlanCheck> {
        let date = on ?? scope.today
        let (broken, completed) = try ArrearsCommands(scope.ledger).checkPlans(on: date, actor: scope.metadata().actor)
        return .afterRun(date, PlanCheck(broken: broken, completed: completed), scope.ledger)
    }
}

/// One provisional slip (分納仮納付書): a scheduled payment and its barcode.
public struct PlanSlip: Codable, Sendable {
    public var on: CivilDate
    public var amount: Yen
    public var barcode: String
}

/// `plan slips PERSON PLAN --issuer CODE`: a barcode per scheduled payment still to come.
public struct PlanSlips: PersonRequest {
    public static let name = "plan slips"
    public static let function: AccessFunction? = .arrearsRead
    public static let isQuery = true

    public var person: PersonID
    public var plan: String
    public var issuer: String
    public var from: CivilDate?

    public init(person: PersonID, plan: String, issuer: String, from: CivilDate?) {
        (self.person, self.plan, self.issuer, self.from) = (person, plan, issuer, from)
    }

    public func handle(_ scope: RequestScope) throws -> [PlanSlip] {
        try scope.recordRead([person])
        return try ArrearsCommands(scope.ledger).planSlips(
            person, plan: plan, issuer: issuer, from: from ?? scope.today
        )
        .map { PlanSlip(on: $0.0.on, amount: $0.0.amount, barcode: "\($0.1)") }
    }
}
