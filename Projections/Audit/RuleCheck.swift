import KokiDomain
import KokiEvents

/// The rule checker an auditor runs (`koki audit rules`): one pass over the ledger in position
/// order, each event checked against what the ledger knew when it was recorded — the office's
/// calendar as adopted then, the deaths recorded before it, the arrears settings in force — and at
/// the end each person's money. A breach names its rule, the position that shows it and why.
///
/// The rules and their sources are in `docs/RULES.md` (background: collection-and-arrears.md §11):
/// - a day the office is closed is no date for a document, a due date, a 指定期限 or a plan
///   installment (地方自治法 第4条の2第4項), nor for what happens at its counter (a payment there,
///   a visit, a plan agreed);
/// - nobody writes to, debits, signs a mandate for or records in a household (as its head or
///   otherwise) a person after their recorded death;
/// - a 督促状 within the days after its due date, with a 指定期限 at least the days after it, never
///   for a period collected from a pension, paid already, or not yet due (地方自治法 第231条の3);
/// - no 督促, 催告 or 差押 on a period whose collection is deferred (徴収猶予, 地方税法 第15条の2の3)
///   or whose enforcement is stopped (執行停止) that day, and no debit of a deferred period;
/// - no charge on a due date already past when it was decided; no assessment after the time
///   limit (期間制限, 高確法 第160条の2); no late fee on a period paid by its due date;
/// - no write-off before prescription completed (高確法 第160条) or before a stop of enforcement
///   extinguished the debt (地方税法 第15条の7); no refund paid after the claim to it prescribed;
/// - each person's money conserved: what was received is what periods hold, late fees paid,
///   overpayments open and refunds decided.
public struct RuleCheck: Sendable {
    public enum Rule: String, Sendable, Hashable, Codable, CaseIterable {
        /// A date on a day the office is closed.
        case closedDay = "closed-day"
        /// A document, debit or mandate for a person after their recorded death.
        case deceased
        /// A 督促状 against the dunning rules.
        case dunning
        /// An amount charged on a due date already past when it was decided.
        case pastDueCharge = "past-due-charge"
        /// An assessment decided after the time limit.
        case timeLimit = "time-limit"
        /// A late fee on a period paid by its due date.
        case lateFee = "late-fee"
        /// A write-off before prescription completed.
        case writeOff = "write-off"
        /// A refund paid after the claim to it prescribed.
        case refundPrescribed = "refund-prescribed"
        /// A person's money not conserved.
        case money
        /// A 督促, 催告 or 差押 on a period deferred (徴収猶予) or whose enforcement is stopped; a
        /// debit of a deferred period.
        case onHold = "on-hold"
        /// A pension deduction raised after the insurer was told it (an increase is paid
        /// ordinarily).
        case raisedDeduction = "raised-deduction"
    }

    public struct Breach: Sendable, Hashable, Codable, CustomStringConvertible {
        public var rule: Rule
        /// The position of the event that shows it (for money, the person's last event).
        public var position: Int64
        public var person: PersonID?
        public var fiscalYear: FiscalYear?
        public var message: String

        public var description: String {
            "position \(position)  \(rule.rawValue)  \(person?.value ?? "-")  \(message)"
        }
    }

    /// What an auditor asks about: a fiscal year, a person, breaches from a position on.
    public struct Scope: Sendable, Hashable, Codable {
        public var fiscalYear: FiscalYear?
        public var person: PersonID?
        public var since: Int64

        public init(fiscalYear: FiscalYear? = nil, person: PersonID? = nil, since: Int64 = 0) {
            (self.fiscalYear, self.person, self.since) = (fiscalYear, person, since)
        }
    }

    public let scope: Scope
    public private(set) var breaches: [Breach] = []
    public private(set) var eventsRead = 0

    private var register = InsuredRegister()
    private var accounts = CollectionAccounts()
    private var assessments: [PersonID: [FiscalYear: PremiumAssessed]] = [:]
    private var calendars: [Int: InstallmentCalendarAdopted] = [:]
    private var closedDays = Set<CivilDate>()
    private var deathKnownAt: [PersonID: Int64] = [:]
    private var lastPosition: [PersonID: Int64] = [:]

    public init(scope: Scope = Scope()) { self.scope = scope }

    /// The office's days as the ledger knows them now: the national rules and every closure the
    /// adopted calendars added.
    var calendar: BusinessCalendar { BusinessCalendar(extraClosedDays: closedDays) }

    private mutating func breach(
        _ rule: Rule, _ position: Int64, _ person: PersonID?, _ year: FiscalYear?, _ message: String
    ) {
        guard position >= scope.since else { return }
        if let wanted = scope.person, person != wanted { return }
        if let wanted = scope.fiscalYear, year != wanted { return }
        breaches.append(Breach(rule: rule, position: position, person: person, fiscalYear: year, message: message))
    }

    private mutating func closed(_ date: CivilDate, _ what: String, _ position: Int64, _ person: PersonID?) {
        guard let why = calendar.whyClosed(date) else { return }
        breach(.closedDay, position, person, FiscalYear(containing: date), "\(what) \(date) falls on \(why)")
    }

    /// The day of death, when it was recorded before `position`.
    private func died(_ person: PersonID, before position: Int64) -> CivilDate? {
        guard let known = deathKnownAt[person], known < position else { return nil }
        return register.person(person)?.diedOn
    }

    /// The day of death, when recorded before `position` and nobody is recorded to receive the
    /// person's mail (相続人代表者): what is written to them then reaches nobody.
    private func diedUnrepresented(_ person: PersonID, before position: Int64) -> CivilDate? {
        guard let died = died(person, before: position) else { return nil }
        return register.person(person)?.diedUnrepresented(by: died)
    }

    // MARK: - Each event

    public mutating func apply(_ event: KokiEvent, position: Int64) {
        eventsRead += 1
        if let person = event.person { lastPosition[person] = position }
        check(event, position)
        register.apply(event)
        accounts.apply(event)
        switch event {
        case .premiumAssessed(let e): assessments[e.person, default: [:]][e.fiscalYear] = e
        case .installmentCalendarAdopted(let e):
            calendars[e.calendar.fiscalYear] = e
            closedDays = Set(calendars.values.flatMap(\.extraClosedDays))
        case .eligibilityLost(let e) where e.reason == .died: deathKnownAt[e.person] = position
        default: break
        }
    }

    private mutating func check(_ event: KokiEvent, _ position: Int64) {
        switch event {
        case .premiumAssessed(let e): checkAssessment(e, position)
        case .dunningNoticeIssued(let e): checkDunning(e, position)
        case .reminderIssued(let e):
            closed(e.issuedOn, "a 催告 dated", position, e.person)
            for key in e.periods { checkHeld(e.person, key, on: e.issuedOn, "a 催告", position) }
            if let died = diedUnrepresented(e.person, before: position), died <= e.issuedOn {
                breach(
                    .deceased, position, e.person, e.periods.first?.fiscalYear,
                    "a 催告 of \(e.issuedOn) to a person who died on \(died)")
            }
        case .notice(.documentIssued(let d)):
            closed(d.issuedOn, "a \(d.kind.rawValue) document \(d.number) dated", position, d.person)
            // A certificate is handed to an heir at the counter; a reissue is the document as it was.
            if d.kind != .certificate, d.reissueOf == nil,
                let died = diedUnrepresented(d.person, before: d.builtFrom + 1)
            {
                breach(
                    .deceased, position, d.person, FiscalYear(containing: d.issuedOn),
                    "\(d.kind.rawValue) document \(d.number) of \(d.issuedOn) addressed to a person who died on \(died)"
                )
            }
        case .householdMembershipRecorded(let e):
            if e.household != nil, let died = died(e.person, before: position), e.effectiveOn > died {
                breach(
                    .deceased, position, e.person, FiscalYear(containing: e.effectiveOn),
                    "recorded in household \(e.household?.value ?? "") as \(e.role.rawValue) from \(e.effectiveOn), "
                        + "after dying on \(died)")
            }
        case .installmentPlanRecorded(let e):
            if e.change.leavesInForce {
                closed(e.on, "a plan (\(e.id)) agreed at the counter on", position, e.person)
            }
            for part in e.schedule { closed(part.on, "a plan installment (\(e.id)) due", position, e.person) }
        case .paymentReceived(let e) where e.channel == .counter:
            closed(e.paidOn, "a payment at the counter (\(e.id)) on", position, e.person)
        case .contactRecorded(let e) where e.method == .visitToOffice && e.change == .recorded:
            closed(e.contactedOn, "a visit to the office (\(e.id)) on", position, e.person)
        case .debitRequested(let e):
            if let deferral = accounts.account(e.person)?.deferral(e.key, on: e.debitDate) {
                breach(
                    .onHold, position, e.person, e.key.fiscalYear,
                    "a debit of \(e.debitDate) for \(e.key), deferred (徴収猶予 \(deferral.id)) through \(deferral.through)"
                )
            }
            if let died = died(e.person, before: position), died < e.debitDate {
                breach(
                    .deceased, position, e.person, e.key.fiscalYear,
                    "a debit of \(e.debitDate) for \(e.key) from the account of a person who died on \(died)")
            }
        case .debitMandateStarted(let e):
            if let died = died(e.person, before: position), e.startsOn > died {
                breach(
                    .deceased, position, e.person, FiscalYear(containing: e.startsOn),
                    "a mandate starting \(e.startsOn) for a person who died on \(died)")
            }
        case .slipReissued(let e):
            closed(e.deadline, "the deadline of a reissued slip for \(e.key)", position, e.person)
            closed(e.issuedOn, "a slip reissued for \(e.key)", position, e.person)
            if let died = died(e.person, before: position), died < e.issuedOn {
                breach(
                    .deceased, position, e.person, e.key.fiscalYear,
                    "a slip for \(e.key) reissued on \(e.issuedOn) to a person who died on \(died)")
            }
        case .debitApplicationRecorded(let e) where [.received, .sent].contains(e.change):
            closed(e.on, "a bank-debit application \(e.id) \(e.change.rawValue)", position, e.person)
            if e.change == .sent, let died = died(e.person, before: position), died <= e.on {
                breach(
                    .deceased, position, e.person, FiscalYear(containing: e.on),
                    "a bank-debit application \(e.id) sent on \(e.on) for a person who died on \(died)")
            }
        case .lateFeeFinalized(let e):
            if let period = accounts.account(e.person)?.periods[e.key], e.fee > .zero,
                e.paidOffOn <= period.dueDate
            {
                breach(
                    .lateFee, position, e.person, e.key.fiscalYear,
                    "a late fee of \(e.fee.amount) yen on \(e.key), paid off on \(e.paidOffOn), by its due date \(period.dueDate)"
                )
            }
        case .writtenOff(let e):
            closed(e.writtenOffOn, "a write-off (不納欠損) of \(e.key) decided", position, e.person)
            checkWriteOff(e, position)
        case .enforcementStopped(let e):
            closed(e.on, "a stop of enforcement (執行停止 \(e.id), \(e.change.rawValue)) decided", position, e.person)
        case .collectionDeferred(let e):
            closed(e.on, "a deferment (徴収猶予 \(e.id), \(e.change.rawValue)) decided", position, e.person)
            if e.change != .ended {
                closed(e.through, "the last day of a deferment (徴収猶予 \(e.id))", position, e.person)
            }
        case .seizureRecorded(let e) where e.change == .started:
            for key in e.periods { checkHeld(e.person, key, on: e.on, "a seizure (差押 \(e.id))", position) }
        case .refundPaid(let e): checkRefund(e, position)
        default: break
        }
    }

    private mutating func checkAssessment(_ e: PremiumAssessed, _ position: Int64) {
        let previous = assessments[e.person]?[e.fiscalYear]
        closed(e.decidedOn, "an assessment of \(e.fiscalYear) decided", position, e.person)
        let before = Dictionary(
            (previous?.installments ?? []).map { ($0.period, $0) }, uniquingKeysWith: { $1 })
        for i in e.installments {
            let old = before[i.period]
            if old?.dueDate != i.dueDate {
                closed(i.dueDate, "the due date of \(e.fiscalYear) \(i.period)", position, e.person)
            }
            // More on a due date already past when decided (a new period due then, or a raise).
            // Not for pension deduction: its April–August months are the provisional deduction
            // (仮徴収) the pension insurer made before the year's decision, as the law has it —
            // where that was decided before April, the year's first assessment keeps April and June at
            // what was decided (as far as the premium goes: what they deducted beyond it is refunded;
            // a later decrease may lower them too).
            // A deduction the insurer was told is never raised by a later decision: an increase
            // is paid ordinarily (高確法 §110; premiums-and-eligibility.md §4.3).
            if previous != nil, e.method(of: i.period) == .pensionDeduction, let old, i.amount > old.amount {
                breach(
                    .raisedDeduction, position, e.person, e.fiscalYear,
                    "\(e.fiscalYear) \(i.period) (\(PensionDeduction.name(month: i.dueDate.month))) raised from "
                        + "\(old.amount.amount) to \(i.amount.amount) yen by a decision of \(e.decidedOn)")
            }
            if previous == nil, e.method(of: i.period) == .pensionDeduction, i.dueDate < e.decidedOn,
                [4, 6].contains(i.dueDate.month),
                let decided = register.person(e.person)?.provisionalDeduction(of: e.fiscalYear.year)
            {
                let april = min(decided.amount, e.annualPremium)
                let expected = i.dueDate.month == 4 ? april : min(decided.amount, e.annualPremium - april)
                if i.amount != expected {
                    breach(
                        .pastDueCharge, position, e.person, e.fiscalYear,
                        "\(e.fiscalYear) \(i.period) (\(i.dueDate.month)月, 仮徴収) charged \(i.amount.amount) yen, not the "
                            + "\(expected.amount) of the \(decided.amount.amount) decided on \(decided.decidedOn) and told "
                            + "to the pension insurer")
                }
            }
            if e.method(of: i.period) == .ordinary, (i.dueDate < e.decidedOn) && (i.amount > (old?.amount ?? .zero)) {
                breach(
                    .pastDueCharge, position, e.person, e.fiscalYear,
                    "\(e.fiscalYear) \(i.period) due \(i.dueDate) charged \(i.amount.amount) yen"
                        + (old.map { " (was \($0.amount.amount))" } ?? "") + " by a decision of \(e.decidedOn)")
            }
        }
        if let adopted = calendars[e.fiscalYear.year],
            let firstDue = adopted.calendar.dueDates(
                on: BusinessCalendar(extraClosedDays: Set(adopted.extraClosedDays))
            )
            .first
        {
            do {
                try AssessmentTimeLimit.check(
                    fiscalYear: e.fiscalYear, firstDue: firstDue, decidedOn: e.decidedOn,
                    previous: previous?.annualPremium, new: e.annualPremium)
            } catch {
                breach(.timeLimit, position, e.person, e.fiscalYear, error.message)
            }
        }
    }

    private mutating func checkDunning(_ e: DunningNoticeIssued, _ position: Int64) {
        let key = e.key
        closed(e.issuedOn, "a 督促状 for \(key) dated", position, e.person)
        checkHeld(e.person, key, on: e.issuedOn, "a 督促状", position)
        if let payBy = e.payBy { closed(payBy, "the 指定期限 of a 督促状 for \(key),", position, e.person) }
        if let died = diedUnrepresented(e.person, before: position), died <= e.issuedOn {
            breach(
                .deceased, position, e.person, key.fiscalYear,
                "a 督促状 of \(e.issuedOn) for \(key) to a person who died on \(died)")
        }
        guard let account = accounts.account(e.person), let period = account.periods[key] else {
            breach(.dunning, position, e.person, key.fiscalYear, "a 督促状 for \(key), a period the person does not have")
            return
        }
        let settings = accounts.arrearsSettings
        // A deferment over the days the notice was due to go out moves them after its end.
        let windowFrom =
            settings.flatMap { settings in
                account.deferredDays(key).compactMap(\.days).filter {
                    $0.upperBound > period.dueDate
                        && $0.lowerBound <= period.dueDate.adding(days: settings.dunningWindowDays)
                }.map(\.upperBound).max()
            } ?? period.dueDate
        if e.issuedOn <= period.dueDate {
            breach(
                .dunning, position, e.person, key.fiscalYear,
                "a 督促状 of \(e.issuedOn) for \(key), not yet past its due date \(period.dueDate)")
        } else if let settings, windowFrom.days(until: e.issuedOn) > settings.dunningWindowDays {
            let after = windowFrom == period.dueDate ? "its due date" : "the end of its deferment (徴収猶予)"
            breach(
                .dunning, position, e.person, key.fiscalYear,
                "a 督促状 of \(e.issuedOn) for \(key), \(windowFrom.days(until: e.issuedOn)) days after \(after) "
                    + "\(windowFrom) (the rule: within \(settings.dunningWindowDays))")
        }
        if let settings, let payBy = e.payBy, e.issuedOn.days(until: payBy) < settings.payByDays {
            breach(
                .dunning, position, e.person, key.fiscalYear,
                "the 指定期限 \(payBy) of a 督促状 of \(e.issuedOn) for \(key) is less than \(settings.payByDays) days after it"
            )
        }
        if account.collectedByPension(key, period, assessed: assessments[e.person]?[key.fiscalYear]) {
            breach(.dunning, position, e.person, key.fiscalYear, "a 督促状 for \(key), collected by pension deduction")
        }
        if period.outstanding == .zero {
            breach(
                .dunning, position, e.person, key.fiscalYear, "a 督促状 for \(key), which was not owing (paid or reduced)")
        }
    }

    /// A 督促, 催告 or 差押 on a period deferred or whose enforcement is stopped that day.
    private mutating func checkHeld(
        _ person: PersonID, _ key: PeriodKey, on date: CivilDate, _ what: String, _ position: Int64
    ) {
        guard let account = accounts.account(person) else { return }
        if let deferral = account.deferral(key, on: date) {
            breach(
                .onHold, position, person, key.fiscalYear,
                "\(what) of \(date) on \(key), deferred (徴収猶予 \(deferral.id)) through \(deferral.through)")
        } else if account.enforcementStopped(key, on: date) {
            breach(
                .onHold, position, person, key.fiscalYear,
                "\(what) of \(date) on \(key), whose enforcement is stopped (執行停止)")
        }
    }

    private mutating func checkWriteOff(_ e: WrittenOff, _ position: Int64) {
        guard let account = accounts.account(e.person) else { return }
        if e.reason == .enforcementStopped {
            // Extinguished by a stop of enforcement: three years of it, or at once (第15条の7).
            let extinguishing = account.enforcementStops(on: e.writtenOffOn).first {
                $0.periods.contains(e.key) && $0.extinguishesOn <= e.writtenOffOn
            }
            if extinguishing == nil {
                breach(
                    .writeOff, position, e.person, e.key.fiscalYear,
                    "\(e.key) written off on \(e.writtenOffOn) as extinguished by a stop of enforcement, with no stop "
                        + "in force for three years (or at once) then")
            }
            return
        }
        guard let settings = accounts.arrearsSettings else { return }
        let prescription = account.prescription(e.key, settings)
        if !prescription.isPrescribed(on: e.writtenOffOn) {
            breach(
                .writeOff, position, e.person, e.key.fiscalYear,
                "\(e.key) written off on \(e.writtenOffOn) before prescription completed (the right runs to \(prescription.lastDay))"
            )
        }
    }

    private mutating func checkRefund(_ e: RefundPaid, _ position: Int64) {
        let account = accounts.account(e.person)
        guard let refund = account?.refunds.first(where: { $0.decision.id == e.refund }) else {
            breach(.money, position, e.person, nil, "refund \(e.refund) paid but never decided")
            return
        }
        guard let overpayment = account?.overpayments.first(where: { $0.id == refund.decision.overpayment }) else {
            return
        }
        if e.paidOn >= overpayment.refundBarredFrom {
            breach(
                .refundPrescribed, position, e.person, FiscalYear(containing: e.paidOn),
                "refund \(e.refund) of an overpayment of \(overpayment.arose) paid on \(e.paidOn), after the claim "
                    + "prescribed (two years, on \(overpayment.refundBarredFrom))")
        }
    }

    // MARK: - At the end: money

    /// Checks each person's money as the ledger stands after the last event read: received =
    /// held by the periods + late fees paid + overpayments open + refunds decided. A payment whose
    /// parts do not add up, an appropriation or refund from nothing, or a cancellation of money
    /// already passed on breaks it.
    public mutating func finish() {
        for (person, account) in accounts.accounts.sorted(by: { $0.key < $1.key }) {
            let received = account.payments.filter { !$0.isCancelled }.map(\.event.amount).sum()
            let held = account.periods.values.map(\.credited).sum()
            let lateFees = account.periods.values.map(\.lateFeePaid).sum()
            let open = account.overpayments.filter { !$0.withdrawn }.map(\.open).sum()
            let refunded = account.overpayments.filter { !$0.withdrawn }.map(\.refunded).sum()
            let prescribed = account.overpayments.filter { !$0.withdrawn }.map(\.prescribed).sum()
            let accounted = held + lateFees + open + refunded + prescribed
            if received != accounted {
                breach(
                    .money, lastPosition[person] ?? 0, person, nil,
                    "received \(received.amount) yen, accounted \(accounted.amount) (periods \(held.amount), late fees "
                        + "\(lateFees.amount), overpayments open \(open.amount), refunded \(refunded.amount), kept when "
                        + "the refund prescribed \(prescribed.amount))")
            }
            for o in account.overpayments where o.open < .zero {
                breach(
                    .money, lastPosition[person] ?? 0, person, o.from?.fiscalYear,
                    "overpayment \(o.id) of \(o.amount.amount) yen passed on \((o.appropriated + o.refunded + o.prescribed).amount)"
                )
            }
        }
    }
}

extension CollectionAccounts.Account {
    /// Whether a period is collected by pension deduction (特別徴収): the pension insurer deducts
    /// and remits it, so it is never dunned — unless the deduction stopped before it, when the
    /// period was rescheduled as ordinary collection.
    public func collectedByPension(_ key: PeriodKey, _ period: CollectionAccounts.Period, assessed: PremiumAssessed?)
        -> Bool
    {
        guard let assessed else { return false }
        return collectedByPension(
            key, period, deducting: assessed.pensionPeriods.contains(key.period), collection: assessed.collection)
    }

    /// ``collectedByPension(_:_:assessed:)`` from the two facts of the assessment in force it
    /// reads: whether it deducts the period from the pension, and how it collects now (so a
    /// caller can read them from an assessment lent, not copied).
    public func collectedByPension(
        _ key: PeriodKey, _ period: CollectionAccounts.Period, deducting: Bool, collection: CollectionMethod
    ) -> Bool {
        guard deducting else { return false }
        if collection == .pensionDeduction { return true }
        guard let stop = pensionStops.last(where: { $0.fiscalYear == key.fiscalYear }) else { return false }
        return period.dueDate < stop.stoppedFrom
    }
}

// MARK: - A person at a time

extension RuleCheck {
    /// The city's events the checks read beside a person's own: the office's calendars (its
    /// closed days and due dates) and the arrears settings. Every other event without a person
    /// changes nothing a check reads.
    public static let cityEventTypes: Set<String> = [
        InstallmentCalendarAdopted.eventType, ArrearsSettingsAdopted.eventType,
    ]

    /// Whose checks read an event.
    public enum Subject: Hashable, Sendable {
        /// The person's: their account's events and the documents addressed to them.
        case person(PersonID)
        /// Every person's (``cityEventTypes``).
        case city
        /// Nobody's.
        case none
    }

    public static func subject(of event: KokiEvent) -> Subject {
        if let person = event.person { return .person(person) }
        switch event {
        case .notice(.documentIssued(let d)): return .person(d.person)
        case .installmentCalendarAdopted, .arrearsSettingsAdopted: return .city
        default: return .none
        }
    }

    /// What the checks found for one person.
    public struct PersonFindings: Sendable, Hashable {
        /// The breaches the person's events show, in position order.
        public var shown: [Breach]
        /// The breaches of the person's money at the end.
        public var money: [Breach]
        /// The person's events read.
        public var eventsRead: Int
    }

    /// Checks one person as the whole pass does: `events` are the person's (``subject(of:)``),
    /// `city` the city's, each in position order, and the city's are applied between the
    /// person's by position. Every check reads only the person's own state and the city's, so a
    /// person checked alone shows what the whole pass shows of them, in bounded memory.
    public static func check(
        person events: [(position: Int64, event: KokiEvent)], city: [(position: Int64, event: KokiEvent)],
        scope: Scope
    ) -> PersonFindings {
        var check = RuleCheck(scope: scope)
        var next = city.startIndex
        for (position, event) in events {
            while next < city.endIndex, city[next].position < position {
                check.apply(city[next].event, position: city[next].position)
                next += 1
            }
            check.apply(event, position: position)
        }
        let shown = check.breaches
        check.finish()
        return PersonFindings(shown: shown, money: Array(check.breaches[shown.count...]), eventsRead: events.count)
    }

    /// The breaches of every person's findings, given in the persons' order, in the whole
    /// pass's order: those the events show by position, then each person's money.
    public static func merged(_ findings: [PersonFindings]) -> [Breach] {
        let shown = findings.flatMap(\.shown).enumerated().sorted {
            ($0.element.position, $0.offset) < ($1.element.position, $1.offset)
        }
        return shown.map(\.element) + findings.flatMap(\.money)
    }
}
