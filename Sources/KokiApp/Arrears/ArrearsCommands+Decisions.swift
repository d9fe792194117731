import Foundation
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import LedgerStore

/// Installment plans and pledges, reductions, seizures, write-off at prescription and the
/// fiscal-year closing.
extension ArrearsCommands {
    func person(_ person: PersonID) throws -> CollectionCommands.PersonState {
        let state = try CollectionCommands(ledger).load(person)
        guard state.exists else { throw KokiError.notInLedger(person) }
        return state
    }

    // MARK: - Installment plans (分納・納付誓約)

    /// An even schedule: `count` monthly payments from `first`, the first taking the remainder;
    /// a payment day that falls on a day the office is closed is the next open day (地方自治法
    /// 第4条の2), the months counted from `first` as agreed.
    public static func schedule(
        total: Yen, count: Int, first: CivilDate, calendar: BusinessCalendar = BusinessCalendar()
    ) throws -> [InstallmentPlanRecorded.Scheduled] {
        guard (1...120).contains(count) else { throw KokiError(.invalidInput, "payments \(count) must be 1–120") }
        let each = total.amount / Int64(count)
        return (0..<count).map { i in
            .init(
                on: calendar.onOrAfter(first.adding(months: i)),
                amount: Yen(i == 0 ? total.amount - each * Int64(count - 1) : each))
        }
    }

    /// Agrees (or revises) a plan over periods in arrears: the schedule must cover their
    /// principal; with `includesLateFees`, their final late fees too. A pledge (納付誓約書)
    /// acknowledges the debt, renewing prescription from the day after.
    @discardableResult
    public func recordPlan(
        _ person: PersonID, change: InstallmentPlanRecorded.Change = .agreed, id: String? = nil, on date: CivilDate,
        periods: [PeriodKey]?, includesLateFees: Bool, schedule: [InstallmentPlanRecorded.Scheduled], pledge: Bool,
        reason: String = "", metadata: CommandMetadata
    ) throws -> InstallmentPlanRecorded {
        let reason = try checkedText(reason, field: "--reason")
        let state = try self.person(person)
        let account = state.account
        let number: String
        switch change {
        case .agreed:
            number = CollectionCommands.number("a", metadata.commandID)
        case .revised, .cancelled:
            guard let id, account.activePlans.contains(where: { $0.id == id }) else {
                throw KokiError(.invalidInput, "\(person) has no plan \(id ?? "(none given)") in force")
            }
            guard !reason.isEmpty else { throw KokiError(.invalidInput, "a revision or cancellation needs a reason") }
            number = id
        case .broken, .completed:
            throw KokiError(.invalidInput, "plans are marked broken or completed by `koki plan check`")
        }
        if change == .cancelled {
            let plan = account.activePlans.first { $0.id == number }!
            let event = InstallmentPlanRecorded(
                person: person, id: number, change: .cancelled, on: date, periods: plan.periods,
                includesLateFees: plan.includesLateFees, schedule: [], pledge: false, reason: reason)
            try ledger.record(
                [.installmentPlanRecorded(event)], metadata: metadata, expecting: [person: .exact(state.version)])
            return event
        }
        let covered =
            periods
            ?? account.periods.filter { $0.value.dueDate < date && $0.value.outstanding > .zero }.map(\.key)
        guard !covered.isEmpty else { throw KokiError(.invalidInput, "\(person) has no periods in arrears to plan") }
        for key in covered where (account.periods[key]?.outstanding ?? .zero) == .zero {
            throw KokiError(.invalidInput, "\(person) owes nothing on \(key)")
        }
        let others = account.activePlans.filter { $0.id != number }
        if let clash = others.first(where: { !Set($0.periods).isDisjoint(with: covered) }) {
            throw KokiError(.invalidInput, "plan \(clash.id) already covers some of these periods")
        }
        guard !schedule.isEmpty, schedule.allSatisfy({ $0.amount > .zero }) else {
            throw KokiError(.invalidInput, "a plan needs scheduled payments of positive amounts")
        }
        guard zip(schedule, schedule.dropFirst()).allSatisfy({ $0.on < $1.on }), schedule[0].on >= date else {
            throw KokiError(.invalidInput, "scheduled payments must be in date order, from \(date) on")
        }
        let principal = covered.map { account.periods[$0]!.outstanding }.sum()
        let fees = includesLateFees ? covered.map { account.periods[$0]!.lateFeeOutstanding }.sum() : .zero
        let scheduled = schedule.map(\.amount).sum()
        guard scheduled >= principal + fees else {
            throw KokiError(
                .invalidInput,
                "the schedule (\(scheduled.amount) yen) does not cover what the periods owe (\((principal + fees).amount) yen)"
            )
        }
        let event = InstallmentPlanRecorded(
            person: person, id: number, change: change, on: date, periods: covered, includesLateFees: includesLateFees,
            schedule: schedule, pledge: pledge, reason: reason)
        try ledger.record(
            [.installmentPlanRecorded(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    /// A plan's progress on a date: what was due by then under the schedule, and what was paid
    /// towards the plan's periods (premiums and, if included, late fees) since it was agreed.
    public struct PlanProgress: Sendable, Hashable, Codable {
        public var plan: InstallmentPlanRecorded
        public var agreedOn: CivilDate
        public var due: Yen
        public var paid: Yen
        public var remaining: Yen
    }

    static func progress(
        _ plan: InstallmentPlanRecorded, _ account: CollectionAccounts.Account, through date: CivilDate
    )
        -> PlanProgress
    {
        let agreedOn = account.plans.first { $0.id == plan.id }?.on ?? plan.on
        let keys = Set(plan.periods)
        var paid = Yen.zero
        for p in account.payments where !p.isCancelled && p.event.paidOn >= agreedOn && p.event.paidOn <= date {
            for part in p.event.parts
            where keys.contains(part.key) && (part.charge == .premium || plan.includesLateFees) {
                paid += part.amount
            }
        }
        for a in account.appropriations {
            for part in a.parts
            where keys.contains(part.key) && part.effectiveOn >= agreedOn && part.effectiveOn <= date
                && (part.charge == .premium || plan.includesLateFees)
            {
                paid += part.amount
            }
        }
        let remaining = plan.periods.map {
            (account.periods[$0]?.outstanding ?? .zero)
                + (plan.includesLateFees ? account.periods[$0]?.lateFeeOutstanding ?? .zero : .zero)
        }.sum()
        return PlanProgress(
            plan: plan, agreedOn: agreedOn, due: plan.schedule.filter { $0.on <= date }.map(\.amount).sum(), paid: paid,
            remaining: remaining)
    }

    public func plans(of person: PersonID, on date: CivilDate) throws -> [PlanProgress] {
        let account = try self.person(person).account
        return account.activePlans.map { Self.progress($0, account, through: date) }
    }

    /// Those with a plan in force, each loaded when asked: found by the plans' own records (a
    /// plan's last record says whether it is in force), not everyone who ever had a plan; held in
    /// memory, from the city's set of them (``CollectionAccounts/withActivePlans``).
    func withPlansInForce() throws -> CollectionCommands.Candidates {
        try CollectionCommands(ledger).candidates(
            { !$0.activePlans.isEmpty }, balances: nil, types: [InstallmentPlanRecorded.eventType],
            pickingLast: { event in
                guard case .installmentPlanRecorded(let e) = event else { return nil }
                return ("\(e.person.value)/\(e.id)", e.change.leavesInForce)
            }, among: \.withActivePlans)
    }

    /// The plan check for a date: a plan whose payments are behind its schedule by more than the
    /// grace days is broken; one whose periods are all paid is completed. One command per
    /// person, the run recorded; the same date again appends nothing.
    public func checkPlans(on date: CivilDate, actor: String) throws -> (
        broken: [InstallmentPlanRecorded], completed: [InstallmentPlanRecorded]
    ) {
        let found = try withPlansInForce()
        let settings = try Self.required(found.settings)
        let run = Identifier(derivedFrom: Array("plan-check/\(date)".utf8))
        var broken: [InstallmentPlanRecorded] = []
        var completed: [InstallmentPlanRecorded] = []
        for candidate in found.persons {
            guard let state = try found.state(candidate) else { continue }
            let (person, account) = (state.person, state.account)
            var events: [InstallmentPlanRecorded] = []
            for plan in account.activePlans {
                let now = Self.progress(plan, account, through: date)
                if now.remaining == .zero {
                    events.append(
                        .init(
                            person: person, id: plan.id, change: .completed, on: date, periods: plan.periods,
                            includesLateFees: plan.includesLateFees, schedule: [], pledge: false, reason: "paid"))
                    continue
                }
                let grace = date.adding(days: -settings.planGraceDays)
                let dueByGrace = plan.schedule.filter { $0.on <= grace }.map(\.amount).sum()
                if now.paid < dueByGrace {
                    let missed = plan.schedule.first { s in
                        plan.schedule.filter { $0.on <= s.on }.map(\.amount).sum() > now.paid
                    }!
                    events.append(
                        .init(
                            person: person, id: plan.id, change: .broken, on: date, periods: plan.periods,
                            includesLateFees: plan.includesLateFees, schedule: [], pledge: false,
                            reason:
                                "the payment scheduled for \(missed.on) was not made within \(settings.planGraceDays) days (paid \(now.paid.amount) of \(dueByGrace.amount))"
                        ))
                }
            }
            guard !events.isEmpty else { continue }
            try ledger.record(
                events.map { .installmentPlanRecorded($0) },
                metadata: CommandMetadata(
                    commandID: Identifier(derivedFrom: Array("plan-check/\(date)/\(person.value)".utf8)), actor: actor,
                    correlationID: run),
                expecting: [person: .exact(state.version)])
            broken += events.filter { $0.change == .broken }
            completed += events.filter { $0.change == .completed }
        }
        try ledger.record(
            [
                .arrearsRunRecorded(
                    ArrearsRunRecorded(
                        kind: .plans, runOn: date,
                        criteria: "behind schedule by more than \(settings.planGraceDays) days",
                        persons: Set((broken + completed).map(\.person)).count, notices: broken.count, amount: .zero))
            ], metadata: CommandMetadata(commandID: run, actor: actor, correlationID: run))
        return (broken, completed)
    }

    /// Provisional slips (分納仮納付書) for a plan: one barcode per scheduled payment still to
    /// come, each an installment-plan slip (its money pays the oldest debts first).
    public func planSlips(_ person: PersonID, plan id: String, issuer: String, from date: CivilDate) throws
        -> [(InstallmentPlanRecorded.Scheduled, ConvenienceBarcode)]
    {
        let account = try self.person(person).account
        guard let plan = account.activePlans.first(where: { $0.id == id }) else {
            throw KokiError(.invalidInput, "\(person) has no plan \(id) in force")
        }
        let slip = try SlipNumber(person: person, key: plan.periods[0])
        var slips: [(InstallmentPlanRecorded.Scheduled, ConvenienceBarcode)] = []
        for s in plan.schedule where s.on >= date {
            do {
                slips.append(
                    (
                        s,
                        try ConvenienceBarcode(issuer: issuer, slip: slip, deadline: s.on, amount: s.amount, plan: true)
                    ))
            } catch { throw KokiError(.invalidInput, error.message) }
        }
        return slips
    }

    // MARK: - Reductions (減免)

    /// Records the union's reduction decision: amounts off named periods (or a percentage of
    /// what the periods due in the covered months still owe). A period already paid becomes
    /// overpaid, for `koki refund settle`; with `waiveLateFees`, the late fees of those periods
    /// are waived.
    @discardableResult
    public func decideReduction(
        _ person: PersonID, appliedOn: CivilDate, decidedOn: CivilDate, reason: String, from: CivilDate,
        through: CivilDate, amounts: [PeriodKey: Yen]?, percent: Int?, waiveLateFees: Bool, metadata: CommandMetadata
    ) throws -> ReductionDecided {
        let state = try self.person(person)
        guard !reason.isEmpty else { throw KokiError(.invalidInput, "a reduction needs its reason") }
        guard from <= through, appliedOn <= decidedOn else {
            throw KokiError(.invalidInput, "the covered months or the dates are out of order")
        }
        var parts: [ReductionDecided.Part] = []
        if let amounts {
            for (key, amount) in amounts.sorted(by: { $0.key < $1.key }) {
                guard let period = state.account.periods[key] else {
                    throw KokiError(.invalidInput, "\(person) has no period \(key)")
                }
                guard amount > .zero, amount <= period.owes else {
                    throw KokiError(
                        .invalidInput,
                        "reduction \(amount.amount) on \(key) must be 1–\(period.owes.amount) (what it owes)")
                }
                parts.append(.init(key: key, amount: amount))
            }
        } else if let percent {
            guard (1...100).contains(percent) else {
                throw KokiError(.invalidInput, "percent \(percent) must be 1–100")
            }
            for (key, period) in state.account.periods.sorted(by: { $0.key < $1.key })
            where period.dueDate >= from && period.dueDate <= through && period.owes > .zero {
                parts.append(.init(key: key, amount: Yen(period.owes.amount * Int64(percent) / 100)))
            }
        }
        parts.removeAll { $0.amount == .zero }
        guard !parts.isEmpty else { throw KokiError(.invalidInput, "the reduction takes nothing off any period") }
        let event = ReductionDecided(
            person: person, id: CollectionCommands.number("g", metadata.commandID), appliedOn: appliedOn,
            decidedOn: decidedOn, reason: reason, coveredFrom: from, coveredThrough: through, parts: parts,
            waiveLateFees: waiveLateFees)
        try ledger.record([.reductionDecided(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    // MARK: - Seizures (差押)

    @discardableResult
    public func recordSeizure(
        _ person: PersonID, change: SeizureRecorded.Change, id: String? = nil, on date: CivilDate, periods: [PeriodKey],
        metadata: CommandMetadata
    ) throws -> SeizureRecorded {
        let state = try self.person(person)
        let number: String
        var keys = periods
        switch change {
        case .started:
            guard !periods.isEmpty, periods.allSatisfy({ state.account.periods[$0] != nil }) else {
                throw KokiError(.invalidInput, "a seizure names periods of the person")
            }
            for key in periods {
                if state.account.enforcementStopped(key, on: date) {
                    throw KokiError(.invalidInput, "enforcement on \(key) of \(person) is stopped (執行停止): no seizure")
                }
                if let deferral = state.account.deferral(key, on: date) {
                    throw KokiError(
                        .invalidInput,
                        "\(key) of \(person) is deferred (徴収猶予 \(deferral.id)) through \(deferral.through): no seizure")
                }
            }
            number = CollectionCommands.number("z", metadata.commandID)
        case .ended:
            let started = state.account.seizures.filter { $0.id == id }
            guard let id, let first = started.first, !started.contains(where: { $0.change == .ended }) else {
                throw KokiError(.invalidInput, "\(person) has no pending seizure \(id ?? "(none given)")")
            }
            guard date >= first.on else { throw KokiError(.invalidInput, "a seizure ends after it starts") }
            number = id
            keys = first.periods
        }
        let event = SeizureRecorded(person: person, id: number, change: change, on: date, periods: keys)
        try ledger.record([.seizureRecorded(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    // MARK: - 執行停止 (地方税法 第15条の7)

    /// Stops enforcement on periods the person still owes, for a reason the law names; with
    /// `atOnce` (nothing can ever be collected) what they owe is written off in the same command.
    /// `ended` (with `id`) ends a stop before it extinguished anything. Seizures are refused on
    /// stopped periods, and the dunning and reminder runs leave them out.
    @discardableResult
    public func stopEnforcement(
        _ person: PersonID, change: SeizureRecorded.Change, id: String? = nil, on date: CivilDate,
        periods: [PeriodKey] = [], reason: EnforcementStopped.Reason = .noProperty, atOnce: Bool = false,
        metadata: CommandMetadata
    ) throws -> EnforcementStopped {
        let state = try self.person(person)
        let account = state.account
        var events: [KokiEvent] = []
        let event: EnforcementStopped
        switch change {
        case .started:
            guard !periods.isEmpty else {
                throw KokiError(.invalidInput, "a stop of enforcement names periods (--period)")
            }
            for key in periods {
                guard let period = account.periods[key], period.outstanding > .zero || period.lateFeeOutstanding > .zero
                else { throw KokiError(.invalidInput, "\(person) owes nothing on \(key)") }
                if account.enforcementStopped(key, on: date) {
                    throw KokiError(.invalidInput, "enforcement on \(key) of \(person) is stopped already")
                }
            }
            event = EnforcementStopped(
                person: person, id: CollectionCommands.number("s", metadata.commandID), change: .started, on: date,
                periods: periods, reason: reason, atOnce: atOnce)
            events.append(.enforcementStopped(event))
            if atOnce {
                for key in periods {
                    guard let period = account.periods[key] else { continue }
                    events.append(
                        .writtenOff(
                            WrittenOff(
                                person: person, key: key, premium: period.outstanding,
                                lateFee: period.lateFeeOutstanding,
                                reason: .enforcementStopped, lastDay: date.adding(days: -1), writtenOffOn: date)))
                }
            }
        case .ended:
            guard let id, let stop = account.enforcementStops(on: date).first(where: { $0.id == id }) else {
                throw KokiError(
                    .invalidInput, "\(person) has no stop of enforcement \(id ?? "(none given)") in force on \(date)")
            }
            guard !stop.atOnce, date < stop.extinguishesOn else {
                throw KokiError(
                    .invalidInput,
                    "stop \(id) extinguished what \(person) owed on \(stop.extinguishesOn): it cannot end")
            }
            event = EnforcementStopped(
                person: person, id: id, change: .ended, on: date, periods: stop.periods, reason: stop.reason,
                atOnce: false)
            events.append(.enforcementStopped(event))
        }
        try ledger.record(events, metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    // MARK: - 徴収猶予 (地方税法 第15条)

    /// Defers collection of periods the person still owes (`granted`, over `from`…`through`, at
    /// most the settings' months), extends a deferment in force (`extended`, to a later
    /// `through`, within the months in all), or ends one (`ended`: 取消, the day before `on` the
    /// last deferred). While deferred, the periods are not dunned, reminded or seized; the late
    /// fee of the deferred days is halved or waived (`relief`); prescription does not run.
    @discardableResult
    public func deferCollection(
        _ person: PersonID, change: CollectionDeferred.Change, id: String? = nil, on date: CivilDate,
        periods: [PeriodKey] = [], from: CivilDate? = nil, through: CivilDate? = nil,
        reason: CollectionDeferred.Reason = .illness, relief: LateFee.Relief.Share = .halved,
        metadata: CommandMetadata
    ) throws -> CollectionDeferred {
        let state = try self.person(person)
        let account = state.account
        let settings = try Self.required(state.settings)
        let event: CollectionDeferred
        switch change {
        case .granted:
            guard !periods.isEmpty else { throw KokiError(.invalidInput, "a deferment names periods (--period)") }
            guard let from, let through else {
                throw KokiError(.invalidInput, "a deferment names its first and last days (--from, --through)")
            }
            guard from <= through else {
                throw KokiError(.invalidInput, "the deferment's last day \(through) is before its first \(from)")
            }
            guard abs(date.days(until: from)) <= 366 else {
                throw KokiError(.invalidInput, "the deferment's first day \(from) is more than a year from the decision \(date)")
            }
            let limit = from.endOfMonths(settings.deferralMonths)
            guard through <= limit else {
                throw KokiError(
                    .invalidInput,
                    "a deferment lasts at most \(settings.deferralMonths) months: from \(from), to \(limit) at the latest")
            }
            for key in Set(periods).sorted() {
                guard let period = account.periods[key], period.outstanding > .zero else {
                    throw KokiError(.invalidInput, "\(person) owes no premium on \(key)")
                }
                if let other = account.deferredDays(key).first(where: {
                    $0.days.map { $0.overlaps(from...through) } ?? false
                }) {
                    throw KokiError(
                        .invalidInput, "\(key) of \(person) is deferred already (\(other.id), \(other.from) to \(other.through))")
                }
            }
            event = CollectionDeferred(
                person: person, id: CollectionCommands.number("y", metadata.commandID), change: .granted, on: date,
                periods: Set(periods).sorted(), from: from, through: through, reason: reason, relief: relief)
        case .extended, .ended:
            guard let id, let current = account.currentDeferrals.first(where: { $0.id == id }),
                current.change != .ended, date <= current.through
            else {
                throw KokiError(
                    .invalidInput, "\(person) has no deferment \(id ?? "(none given)") in force on \(date)")
            }
            var next = current
            next.change = change
            next.on = date
            if change == .extended {
                guard let through, through > current.through else {
                    throw KokiError(
                        .invalidInput, "an extension names a last day (--through) after \(current.through)")
                }
                let limit = min(
                    current.through.adding(days: 1).endOfMonths(settings.deferralMonths),
                    current.from.endOfMonths(settings.deferralTotalMonths))
                guard through <= limit else {
                    throw KokiError(
                        .invalidInput,
                        "an extension lasts at most \(settings.deferralMonths) months and the deferment "
                            + "\(settings.deferralTotalMonths) in all: to \(limit) at the latest")
                }
                next.through = through
            } else {
                next.through = date.adding(days: -1)
            }
            event = next
        }
        try ledger.record(
            [.collectionDeferred(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    // MARK: - Prescription run (不納欠損)

    /// What a prescription run recorded: the periods written off (不納欠損) and the refunds whose
    /// right prescribed (還付請求権の時効), the city keeping the money.
    public struct PrescriptionRun: Sendable, Hashable, Codable {
        public var writtenOff: [WrittenOff] = []
        public var refundsPrescribed: [RefundPrescribed] = []
    }

    /// Writes off, as of `date`, what every prescribed period still owes (premium and late fee);
    /// the write-offs of ``prescribe(on:actor:)``.
    public func runPrescription(on date: CivilDate, actor: String) throws -> [WrittenOff] {
        try prescribe(on: date, actor: actor).writtenOff
    }

    /// The prescription run: every prescribed period's debt written off, and every overpayment
    /// whose refund was not paid within two years from the day after it arose (高確法 第160条 第1項)
    /// kept — open, or decided and never paid (the refund lapses). One command per person; the
    /// same date again appends nothing.
    public func prescribe(on date: CivilDate, actor: String) throws -> PrescriptionRun {
        // Who may have a right that lapsed: a period still owing that fell due more than the
        // prescription's years ago (a period's right runs at least that long from its due date;
        // a month's margin), a final late fee unpaid, or money held for them — an overpayment
        // still open (one a payment left over, recognized by no event of its own, included) or a
        // refund decided and neither paid nor lapsed: the stored balances say. Held in memory,
        // the same from the accounts that need attention (an overpayment spent or refunded long
        // ago has nothing left to lapse).
        let years = try Self.required(try ledger.currentArrearsSettings()).prescriptionYears
        let cutoff = date.adding(days: 31 - 365 * years)
        let found = try candidates(
            { account in
                account.holdsMoney
                    || account.unsettledPeriods.contains { _, period in
                        period.outstanding > .zero || period.lateFeeOutstanding > .zero
                    }
            },
            balances: .any(.owing(dueBy: cutoff), .above(zero: .lateFeeOutstanding), .above(zero: .held)),
            among: \.needingAttention)
        let settings = found.settings
        let run = Identifier(derivedFrom: Array("prescription-run/\(date)".utf8))
        var all: [WrittenOff] = []
        var refunds: [RefundPrescribed] = []
        for candidate in found.persons {
            guard let state = try found.state(candidate) else { continue }
            let (person, account) = (state.person, state.account)
            var kept: [RefundPrescribed] = []
            for o in account.overpayments where !o.withdrawn && o.refundBarredFrom <= date {
                let lastDay = o.refundBarredFrom.adding(days: -1)
                for r in account.refunds
                where r.decision.overpayment == o.id && r.paid == nil && r.prescribed == nil {
                    kept.append(
                        RefundPrescribed(
                            person: person, overpayment: o.id, refund: r.decision.id, amount: r.decision.amount,
                            lastDay: lastDay, recordedOn: date))
                }
                if o.open > .zero {
                    kept.append(
                        RefundPrescribed(
                            person: person, overpayment: o.id, refund: nil, amount: o.open, lastDay: lastDay,
                            recordedOn: date))
                }
            }
            var events: [WrittenOff] = []
            // Only an unsettled period can owe premium or a late fee; their prescriptions from
            // one pass over the account's payments and notices.
            let owing = account.unsettledPeriods.filter { _, period in
                period.outstanding > .zero || period.lateFeeOutstanding > .zero
            }.sorted(by: { $0.key < $1.key })
            for ((key, period), prescription) in zip(owing, account.prescriptions(owing.map(\.key), settings)) {
                if prescription.isPrescribed(on: date) {
                    events.append(
                        WrittenOff(
                            person: person, key: key, premium: period.outstanding, lateFee: period.lateFeeOutstanding,
                            reason: .prescription, lastDay: prescription.lastDay, writtenOffOn: date))
                } else if let stop = account.enforcementStops(on: date).first(where: {
                    $0.periods.contains(key) && $0.extinguishesOn <= date
                }) {
                    // Three years of 執行停止 (地方税法 第15条の7 第4項).
                    events.append(
                        WrittenOff(
                            person: person, key: key, premium: period.outstanding, lateFee: period.lateFeeOutstanding,
                            reason: .enforcementStopped, lastDay: stop.extinguishesOn.adding(days: -1),
                            writtenOffOn: date))
                }
            }
            guard !events.isEmpty || !kept.isEmpty else { continue }
            try ledger.record(
                events.map { .writtenOff($0) } + kept.map { .refundPrescribed($0) },
                metadata: CommandMetadata(
                    commandID: Identifier(derivedFrom: Array("prescription/\(date)/\(person.value)".utf8)),
                    actor: actor,
                    correlationID: run),
                expecting: [person: .exact(state.version)])
            all += events
            refunds += kept
        }
        try ledger.record(
            [
                .arrearsRunRecorded(
                    ArrearsRunRecorded(
                        kind: .prescription, runOn: date, criteria: "prescribed (時効完成)",
                        persons: Set(all.map(\.person)).count, notices: all.count,
                        amount: all.map { $0.premium + $0.lateFee }.sum()))
            ], metadata: CommandMetadata(commandID: run, actor: actor, correlationID: run))
        return PrescriptionRun(writtenOff: all, refundsPrescribed: refunds)
    }

    // MARK: - Fiscal closing (出納閉鎖)

    /// Closes fiscal year `fy` on or after 31 May of the next year: the periods of that year and
    /// older still unpaid at the closing day are carried-forward arrears (滞納繰越) of the new
    /// year; the closing is recorded with the counts and amounts per fiscal year.
    ///
    /// A process holding the city in memory reads it. A fresh one folds no city
    /// (``CollectionCommands/candidates(_:balances:types:picking:selection:)``): the persons who
    /// may have owed at the closing day are those the stored balances show owing for the year or
    /// an older one, and those with money dated after the closing day on such a period (a
    /// payment or an appropriation, found by type) — who may owe nothing now; each is decided
    /// from their own stream.
    public func closeYear(_ fy: FiscalYear, on date: CivilDate, metadata: CommandMetadata) throws -> FiscalYearClosed {
        let closing = FiscalClosing.closingDay(of: fy)
        guard date >= closing else {
            throw KokiError(.invalidInput, "FY\(fy.year) closes on \(closing) (出納閉鎖), not before")
        }
        var closings = EventQuery()
        closings.types = [FiscalYearClosed.eventType]
        closings.readsEnvelopes = false
        var earlier: FiscalYearClosed?
        try ledger.forEachEvent(closings) { _, event in
            if case .fiscalYearClosed(let e) = event, e.fiscalYear == fy, earlier == nil { earlier = e }
        }
        if let earlier { throw KokiError(.invalidInput, "FY\(fy.year) was already closed on \(earlier.closedOn)") }

        let event = FiscalYearClosed(fiscalYear: fy, closedOn: closing, carried: try carriedArrears(fy))
        try ledger.record([.fiscalYearClosed(event)], metadata: metadata)
        return event
    }

    /// The arrears carried forward when fiscal year `fy` closes (see ``closeYear(_:on:metadata:)``),
    /// by the fiscal year they are of.
    func carriedArrears(_ fy: FiscalYear) throws -> [FiscalYearClosed.Carried] {
        let closing = FiscalClosing.closingDay(of: fy)
        var carried: [FiscalYear: (persons: Set<PersonID>, periods: Int, amount: Yen)] = [:]
        func add(_ person: PersonID, _ account: CollectionAccounts.Account) {
            for (year, owed) in Self.owedAtClosing(account, fy: fy, closing: closing) {
                carried[year, default: ([], 0, .zero)].persons.insert(person)
                carried[year, default: ([], 0, .zero)].periods += 1
                carried[year, default: ([], 0, .zero)].amount += owed
            }
        }
        // Those who may have owed at the closing day: owing for the year or an older one now, or
        // with money dated after the closing day on such a period (who may owe nothing now).
        let found = try CollectionCommands(ledger).candidates(
            { !Self.owedAtClosing($0, fy: fy, closing: closing).isEmpty },
            balances: .above(zero: .outstanding).and { $0.fiscalYear <= fy },
            types: [PaymentReceived.eventType, OverpaymentAppropriated.eventType],
            picking: { event in
                switch event {
                case .paymentReceived(let e):
                    e.paidOn > closing && e.parts.contains { $0.key.fiscalYear <= fy && $0.charge == .premium }
                case .overpaymentAppropriated(let e):
                    e.parts.contains { $0.key.fiscalYear <= fy && $0.charge == .premium && $0.effectiveOn > closing }
                default: false
                }
            })
        for person in found.persons {
            if let state = try found.state(person) { add(person, state.account) }
        }
        return carried.sorted { $0.key < $1.key }.map {
            .init(fiscalYear: $0.key, persons: $0.value.persons.count, periods: $0.value.periods, amount: $0.value.amount)
        }
    }

    /// What each period of fiscal year `fy` or older owed at the end of the closing day — money
    /// after that day does not count — for the periods that owed anything, by their year.
    static func owedAtClosing(_ account: CollectionAccounts.Account, fy: FiscalYear, closing: CivilDate) -> [(
        FiscalYear, Yen
    )] {
        // What was paid after the closing day, per period: one pass over the money, not one
        // for every period (both grow with the account's years).
        var later: [PeriodKey: Yen] = [:]
        let payments = account.payments
        for i in payments.indices where !payments.isCancelled(at: i) {
            let payment = payments[i].event
            guard payment.paidOn > closing else { continue }
            for part in payment.parts where part.key.fiscalYear <= fy && part.charge == .premium {
                later[part.key, default: .zero] += part.amount
            }
        }
        for a in account.appropriations {
            for part in a.parts
            where part.key.fiscalYear <= fy && part.charge == .premium && part.effectiveOn > closing {
                later[part.key, default: .zero] += part.amount
            }
        }
        var owing: [(FiscalYear, Yen)] = []
        for (key, period) in account.periods where key.fiscalYear <= fy {
            let owed = min(period.owes, period.outstanding + (later[key] ?? .zero))
            if owed > .zero { owing.append((key.fiscalYear, owed)) }
        }
        return owing
    }
}
