import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// The schedule of a year deducted from the pension (特別徴収), as the pension system lets the
/// city change it: a month's deduction can only be changed while a notice can still reach the
/// insurer (``PensionDeduction/deadline(for:leadMonths:)``); what the insurer was told for a
/// month past that deadline is deducted whatever the city decides later.
extension AssessmentCommands {
    /// A pension-deduction year's periods: the six pension months (periods 1–6, 「4月（仮徴収）」
    /// … 「2月（本徴収）」) and, after them, any period paid ordinarily.
    struct PensionSchedule: Equatable {
        var installments: [Installment]
        var pensionPeriods: [PeriodNumber]
    }

    /// The first assessment of a year decided for pension deduction.
    ///
    /// April, June and August are what the insurer was told before April (`told`, by month).
    /// The year's request goes with the assessment (a lead of one month): while August can still
    /// be changed (decided by 31 July), ``PensionDeduction/amounts(for:previousFebruary:unit:leveling:)``
    /// levels August and splits the rest over October, December and February. Decided later, the
    /// provisional months stay as told, the final months the request can still reach share the
    /// rest (the first of them taking the remainder), and a month it can no longer reach deducts
    /// nothing; what no pension month can take is paid ordinarily, over the calendar's due dates
    /// still to come — or, none being left, a 随時期.
    static func firstPensionSchedule(
        premium: Yen, told: [Int: Yen], previousFebruary: Yen?, fiscalYear fy: FiscalYear, decidedOn: CivilDate,
        calendar: InstallmentCalendar, business: BusinessCalendar
    ) throws -> PensionSchedule {
        let dates = PensionDeduction.paymentDates(fiscalYear: fy.year, calendar: business)
        let periods = try (1...dates.count).map { try PeriodNumber($0) }
        let open = dates.map { decidedOn <= PensionDeduction.deadline(for: $0, leadMonths: 1) }
        let provisional = told[4] ?? previousFebruary
        var amounts: [Yen]
        if open[2] {
            amounts = PensionDeduction.amounts(
                for: premium, previousFebruary: provisional, unit: calendar.roundingUnit,
                leveling: calendar.pensionLevelingThreshold)
        } else {
            amounts = []
            for (index, date) in dates.enumerated() where !open[index] {
                let month = date.month
                let wanted = PensionDeduction.isProvisional(month: month) ? told[month] ?? provisional ?? .zero : .zero
                amounts.append(max(.zero, min(wanted, premium - amounts.sum())))
            }
            let later = dates.indices.filter { open[$0] }.count
            if later > 0 {
                let rest = (premium - amounts.sum()).amount
                let even = rest / Int64(later) / calendar.roundingUnit * calendar.roundingUnit
                amounts += (0..<later).map { Yen($0 == 0 ? rest - even * Int64(later - 1) : even) }
            }
        }
        var installments = zip(periods, zip(dates, amounts)).map {
            Installment(period: $0.0, dueDate: $0.1.0, amount: $0.1.1)
        }
        let rest = premium - amounts.sum()
        if rest > .zero {
            installments += try ordinaryPeriods(
                rest, after: periods.count, decidedOn: decidedOn, calendar: calendar, business: business)
        }
        return PensionSchedule(installments: installments, pensionPeriods: periods)
    }

    /// A reassessment of a year deducted from the pension. Periods already due, and pension
    /// months whose deadline for a change (`calendar.pensionNoticeLeadMonths`) is past, keep their
    /// amounts. An **increase** never raises a deduction the insurer was told: it is paid
    /// ordinarily, over the ordinary periods still to come or new ones on the calendar's due dates
    /// after the decision (a 随時期 when none is left). A **decrease** first takes back ordinary
    /// periods still to come, then lowers the pension months that can still be changed, the latest
    /// first (a month lowered to 0 is a stop); what is still too much comes off the periods
    /// already fixed, the latest first — money deducted or paid on them is then overpaid
    /// (過誤納) and refunded or applied.
    static func pensionReschedule(
        _ previous: PremiumAssessed, to premium: Yen, decidedOn: CivilDate, calendar: InstallmentCalendar,
        business: BusinessCalendar
    ) throws -> PensionSchedule {
        let lead = calendar.pensionNoticeLeadMonths
        func changeable(_ i: Installment) -> Bool {
            previous.pensionPeriods.contains(i.period)
                ? i.dueDate > decidedOn && decidedOn <= PensionDeduction.deadline(for: i.dueDate, leadMonths: lead)
                : false
        }
        var schedule = previous.installments
        let pensionOpen = schedule.indices.filter { changeable(schedule[$0]) }
        let ordinaryOpen = schedule.indices.filter {
            !previous.pensionPeriods.contains(schedule[$0].period) && schedule[$0].dueDate > decidedOn
        }
        let fixed = schedule.indices.filter { !pensionOpen.contains($0) && !ordinaryOpen.contains($0) }
        let remaining = premium - fixed.map { schedule[$0].amount }.sum()
        let pensionTotal = pensionOpen.map { schedule[$0].amount }.sum()
        if remaining >= pensionTotal {
            let ordinary = remaining - pensionTotal
            if ordinaryOpen.isEmpty {
                if ordinary > .zero {
                    schedule += try ordinaryPeriods(
                        ordinary, after: schedule.map(\.period.number).max() ?? 0, decidedOn: decidedOn,
                        calendar: calendar, business: business)
                }
            } else {
                let count = Int64(ordinaryOpen.count)
                let even = ordinary.amount / count / calendar.roundingUnit * calendar.roundingUnit
                for (n, i) in ordinaryOpen.enumerated() {
                    schedule[i].amount = Yen(n == 0 ? ordinary.amount - even * (count - 1) : even)
                }
            }
        } else {
            for i in ordinaryOpen { schedule[i].amount = .zero }
            var cut = pensionTotal - max(.zero, remaining)
            for i in pensionOpen.reversed() where cut > .zero {
                let part = min(schedule[i].amount, cut)
                schedule[i].amount -= part
                cut -= part
            }
            var over = remaining < .zero ? -remaining : .zero
            for i in fixed.sorted(by: { schedule[$0].dueDate > schedule[$1].dueDate }) where over > .zero {
                let part = min(schedule[i].amount, over)
                schedule[i].amount -= part
                over -= part
            }
        }
        return PensionSchedule(installments: schedule, pensionPeriods: previous.pensionPeriods)
    }

    /// Deduction stops from the pension day `from` (the insurer reported it, or the city told
    /// it to stop): the periods due before it stay as they are — the pension months deducted
    /// keep their names — and the rest of the year's premium is paid ordinarily, over the
    /// calendar's due dates after `decidedOn` (a 随時期 when none is left), numbered after them.
    static func stopPension(
        _ assessed: PremiumAssessed, from: CivilDate, decidedOn: CivilDate, reason: String,
        calendar: InstallmentCalendar, business: BusinessCalendar
    ) throws -> (PensionDeductionStopped, PremiumAssessed) {
        let stop = PensionDeductionStopped(
            person: assessed.person, fiscalYear: assessed.fiscalYear, stoppedFrom: from, reason: reason)
        let kept = assessed.installments.filter { $0.dueDate < from }
        let rest = assessed.annualPremium - kept.map(\.amount).sum()
        let ordinary =
            rest > .zero
            ? try ordinaryPeriods(
                rest, after: kept.map(\.period.number).max() ?? 0, decidedOn: decidedOn, calendar: calendar,
                business: business) : []
        var event = assessed
        event.decidedOn = decidedOn
        event.installments = kept + ordinary
        event.reason = .collectionChanged
        event.cause = reason
        event.collection = .ordinary
        event.pensionPeriods = assessed.pensionPeriods.filter { p in kept.contains { $0.period == p } }
        return (stop, event)
    }

    /// Deduction starts from the pension day `from` for a year paid ordinarily so far (a new
    /// starter): the ordinary periods due before it stay as they are, and the rest of the year's
    /// premium is split over the pension months from `from` (the first taking the remainder),
    /// numbered after the ordinary periods. `nil` when an ordinary period due from then already
    /// holds money (it stays ordinary this year) or no pension month is left.
    static func startPension(
        _ assessed: PremiumAssessed, from: CivilDate, decidedOn: CivilDate, reason: String,
        account: CollectionAccounts.Account?, calendar: InstallmentCalendar, business: BusinessCalendar
    ) -> PremiumAssessed? {
        let kept = assessed.installments.filter { $0.dueDate < from }
        let dropped = assessed.installments.filter { $0.dueDate >= from }
        for i in dropped {
            let period = account?.periods[PeriodKey(assessed.fiscalYear, i.period)]
            if let period, period.paid + period.appropriated + period.reduced > .zero { return nil }
        }
        let months = PensionDeduction.paymentDates(fiscalYear: assessed.fiscalYear.year, calendar: business)
            .filter { $0 >= from }
        let rest = assessed.annualPremium - kept.map(\.amount).sum()
        guard !months.isEmpty, rest > .zero else { return nil }
        // Numbered after the year's periods; a year that has no numbers left stays ordinary.
        let last = assessed.installments.map(\.period.number).max() ?? 0
        guard let numbers = try? months.indices.map({ try PeriodNumber(last + $0 + 1) }) else { return nil }
        let count = Int64(months.count)
        let even = rest.amount / count / calendar.roundingUnit * calendar.roundingUnit
        let pension = zip(numbers, months).enumerated().map { n, pair in
            Installment(
                period: pair.0, dueDate: pair.1, amount: Yen(n == 0 ? rest.amount - even * (count - 1) : even))
        }
        var event = assessed
        event.decidedOn = decidedOn
        // The ordinary periods from then on are kept at 0, so their numbers keep their history.
        event.installments =
            kept + dropped.map { Installment(period: $0.period, dueDate: $0.dueDate, amount: .zero) }
            + pension
        event.reason = .collectionStarted
        event.cause = reason
        event.collection = .pensionDeduction
        event.pensionPeriods = pension.map(\.period)
        return event
    }

    /// `amount` paid ordinarily: split over the calendar's due dates after `decidedOn`, numbered
    /// after period `last` — or, none being left, one 随時期.
    static func ordinaryPeriods(
        _ amount: Yen, after last: Int, decidedOn: CivilDate, calendar: InstallmentCalendar,
        business: BusinessCalendar
    ) throws -> [Installment] {
        let dates = calendar.dueDates(on: business).filter { $0 > decidedOn }
        guard !dates.isEmpty else {
            return [try extraPeriod(afterPeriod: last, amount: amount, decidedOn: decidedOn, calendar: business)]
        }
        let numbers: [PeriodNumber]
        do { numbers = try dates.indices.map { try PeriodNumber(last + $0 + 1) } } catch {
            throw DomainError(
                .invalidPeriod,
                "paying \(amount.amount) yen ordinarily from \(decidedOn) needs \(dates.count) periods after period \(last), "
                    + "but a year holds at most 24")
        }
        return zip(numbers, zip(dates, calendar.split(amount, into: dates.count))).map { number, pair in
            Installment(period: number, dueDate: pair.0, amount: pair.1)
        }
    }
}

// MARK: - 特別徴収依頼・異動 (what the insurer is told)

extension AssessmentCommands {
    /// What a notice run told the pension insurers, and its file.
    public struct PensionNoticeRun: Sendable, Hashable, Codable {
        public var notified: [PensionDeductionNotified] = []
        /// Deductions stopped by the city (death, loss of eligibility): the rest of their year is
        /// paid ordinarily.
        public var stopped: [PersonID] = []
        /// New starters: paid ordinarily so far, deducted from the first month the request reaches.
        public var started: [PersonID] = []
        /// Months whose deduction differs from what the insurer was told but whose deadline is
        /// past: the insurer deducts what it was told (what is too much is refunded).
        public var missed: [String] = []
        /// The file (特別徴収依頼・異動) as CSV, `person,fiscal_year,month,amount,kind,reason`; empty when
        /// nothing had to be told.
        public var file: Data = Data()
        public var digest: String = ""
        public var lines: Int { notified.map(\.months.count).reduce(0, +) }
    }

    /// The notice file's header line.
    public static let pensionNoticeHeader = "person,fiscal_year,month,amount,kind,reason"

    /// Tells the pension insurers, on `date`, every deduction of fiscal year `fy` that differs
    /// from what they were last told, for the months a notice can still reach
    /// (``PensionDeduction/deadline(for:leadMonths:)``: one month for a month never told — the
    /// year's request — and the calendar's `pensionNoticeLeadMonths` for a change):
    /// - **request** (本徴収依頼): a month told for the first time, and August's leveled amount;
    /// - **change** (変更): a month whose amount changed (a reassessment lowered it);
    /// - **stop** (中止): a month now deducting nothing. The deduction of a person who died or is no
    ///   longer insured is stopped from the first month still reachable, and the city records the
    ///   stop itself (``stopPension(_:from:decidedOn:reason:calendar:business:)``): the rest of the
    ///   year is paid ordinarily, by the heirs for the dead.
    ///
    /// Each person's lines are one `PensionDeductionNotified`, recorded with the file (a collection
    /// file of kind `pensionNotice`, its digest) as one command; a second run on the same day finds
    /// nothing left to tell and records nothing.
    public func notifyPension(fiscalYear fy: FiscalYear, on date: CivilDate, actor: String) throws -> PensionNoticeRun {
        let year = try pensionYear(fy)
        let (calendar, business) = year.calendar
        var run = PensionNoticeRun()
        var events: [KokiEvent] = []
        var csv = [Self.pensionNoticeHeader]
        // A notice tells what was decided: never dated before a decision it would tell.
        if let latest = year.latest, latest.decidedOn > date {
            throw KokiError(
                .invalidInput,
                "FY\(fy.year) has decisions after \(date) (the latest on \(latest.decidedOn), \(latest.person)): "
                    + "date the notice on or after it: nothing recorded")
        }
        for (person, first, current) in year.persons {
            var assessed = current
            if assessed.collection == .ordinary, assessed.pensionPeriods.isEmpty,
                let started = try Self.startIfSelected(
                    person, assessed, first: first, account: { try year.account(person.id) }, on: date,
                    calendar: calendar, business: business)
            {
                events.append(.premiumAssessed(started))
                run.started.append(person.id)
                assessed = started
            }
            guard assessed.collection == .pensionDeduction else { continue }
            let told = person.pensionTold(of: fy.year)
            func reachable(_ i: Installment) -> Bool {
                let lead = told[i.dueDate.month] == nil ? 1 : calendar.pensionNoticeLeadMonths
                return i.dueDate > date && date <= PensionDeduction.deadline(for: i.dueDate, leadMonths: lead)
            }
            let gone: String? =
                person.diedOn.map { $0 <= date } == true
                ? "死亡"
                : !person.isInsured(on: date)
                    ? "資格喪失" : person.debitSwitch.map { $0 <= date } == true ? "口座振替への切替" : nil
            if let gone, let first = assessed.pensionInstallments.first(where: reachable) {
                let (stop, rescheduled) = try Self.stopPension(
                    assessed, from: first.dueDate, decidedOn: date, reason: "特別徴収中止（\(gone)）",
                    calendar: calendar, business: business)
                var stopped = assessed.pensionInstallments.filter { $0.dueDate >= first.dueDate }
                for i in stopped.indices { stopped[i].amount = .zero }
                events += [.pensionDeductionStopped(stop), .premiumAssessed(rescheduled)]
                run.stopped.append(person.id)
                assessed.installments = assessed.installments.map { i in
                    stopped.first { $0.period == i.period } ?? i
                }
            }
            var months: [Installment] = []
            for i in assessed.pensionInstallments where told[i.dueDate.month] != i.amount {
                if told[i.dueDate.month] == nil, i.amount == .zero { continue }
                if reachable(i) {
                    months.append(i)
                } else if i.dueDate > date {
                    run.missed.append(
                        "\(person.id) \(PensionDeduction.name(month: i.dueDate.month)) FY\(fy.year): "
                            + "\(i.amount.amount) yen decided, \(told[i.dueDate.month]?.amount ?? 0) told; "
                            + "too late to tell (the insurer deducts what it was told)")
                }
            }
            guard !months.isEmpty else { continue }
            let reason =
                gone.map { "中止（\($0)）" }
                ?? (months.allSatisfy { told[$0.dueDate.month] == nil } ? "特別徴収依頼" : "変更（更正）")
            run.notified.append(
                PensionDeductionNotified(
                    person: person.id, fiscalYear: fy, notifiedOn: date, months: months, reason: reason, file: ""))
            for m in months {
                let kind = told[m.dueDate.month] == nil ? "request" : m.amount == .zero ? "stop" : "change"
                csv.append("\(person.id.value),\(fy.year),\(m.dueDate.month),\(m.amount.amount),\(kind),\(reason)")
            }
        }
        guard !run.notified.isEmpty else {
            guard run.started.isEmpty else {
                throw KokiError(.invalidInput, "a start with nothing to tell the insurer: \(run.started)")
            }
            return run
        }
        let bytes = Array((csv.joined(separator: "\n") + "\n").utf8)
        run.file = Data(bytes)
        run.digest = CollectionCommands.digest(bytes)
        for i in run.notified.indices { run.notified[i].file = run.digest }
        events += run.notified.map { .pensionDeductionNotified($0) }
        events.append(
            .collectionFileRecorded(
                CollectionFileRecorded(
                    kind: .pensionNotice, digest: run.digest, name: "pension-notice-\(fy.year)-\(date)", date: date,
                    records: run.lines, amount: run.notified.flatMap(\.months).map(\.amount).sum(),
                    accepted: run.notified.count, other: run.stopped.count, duplicates: 0, unmatched: run.missed.count))
        )
        try CollectionCommands(ledger).appendImport(
            events, versions: try year.versions(Set(events.compactMap(\.person))), digest: run.digest,
            kind: .pensionNotice, actor: actor)
        return run
    }

    /// What a year's notice to the pension insurers reads: everyone with an assessment of the
    /// year in force, by number, with their register entry and the year's first assessment; the
    /// latest of those decisions; the year's calendars; a person's collection account when a
    /// start needs it; and the versions of the streams the notice appends to, as read.
    struct PensionYear {
        var persons: [(InsuredRegister.Person, first: PremiumAssessed, current: PremiumAssessed)]
        var latest: PremiumAssessed?
        var calendar: (InstallmentCalendar, BusinessCalendar)
        var account: (PersonID) throws -> CollectionAccounts.Account?
        var versions: (Set<PersonID>) throws -> [PersonID: Int64]
    }

    /// The year as the city a process holds says; in a fresh process from the stored premiums
    /// (the year's rows, then only those assessments) and those persons' register entries, a
    /// few thousand at a time, a person's account read from their stream only for a start.
    func pensionYear(_ fy: FiscalYear) throws -> PensionYear {
        var persons: [(InsuredRegister.Person, first: PremiumAssessed, current: PremiumAssessed)] = []
        var latest: PremiumAssessed?
        if !ledger.hasCurrentCity,
            let read = try StoredPremiums(ledger.ports).forEachSlice(
                of: fy, reading: { [$0.first, $0.current] },
                { slice, events in
                    let entries = try StoredRegister(ledger.ports).entries(of: Set(slice.map(\.person)))
                    for y in slice {
                        guard case .premiumAssessed(let first) = events[y.first],
                            case .premiumAssessed(let current) = events[y.current]
                        else {
                            throw KokiError(
                                .undecodableEvent,
                                "the stored premiums of \(y.person) FY\(fy.year) point to events \(y.first) and \(y.current), which are not its assessments: run koki rebuild"
                            )
                        }
                        guard let entry = entries[y.person] else { continue }
                        if latest.map({ $0.decidedOn < current.decidedOn }) ?? true { latest = current }
                        persons.append((entry, first, current))
                    }
                })
        {
            guard let adopted = try ledger.installmentCalendar(fiscalYear: fy.year) else {
                throw KokiError(
                    .invalidInput,
                    "no installment calendar adopted for FY\(fy.year): adopt one with `koki calendar adopt --fiscal-year \(fy.year)`"
                )
            }
            let ledger = self.ledger
            return PensionYear(
                persons: persons, latest: latest,
                calendar: (adopted.calendar, BusinessCalendar(extraClosedDays: Set(adopted.extraClosedDays))),
                account: { person in try CollectionCommands(ledger).load(person, knownAt: .position(read)).account },
                versions: { touched in try Self.versions(of: touched, readAt: read, ledger) })
        }
        let city = try CitySnapshot(ledger)
        // The year's assessed persons with their first and current assessments, in order. Their
        // numbers are put in order, not the entries and assessments: a sort moves what it sorts,
        // and moving two assessments and an entry copied each field of them (a sort of the
        // built list took 8 % of two years of Matsudo).
        persons = city.register.persons.keys.sorted().compactMap { id in
            guard let ends = city.accounts.firstAndCurrent(PremiumAccounts.Key(person: id, fiscalYear: fy)),
                let person = city.register.persons[id]
            else { return nil }
            return (person, ends.first, ends.current)
        }
        return PensionYear(
            persons: persons, latest: persons.max(by: { $0.current.decidedOn < $1.current.decidedOn })?.current,
            calendar: try Self.calendarInForce(fy, city), account: { city.collection.account($0) },
            versions: { touched in Dictionary(uniqueKeysWithValues: touched.map { ($0, city.version(of: $0)) }) })
    }

    /// The versions of `persons`' streams, for an append decided on what was read at position
    /// `read`: refused (nothing appended) when any of them gained an event since, as a command
    /// decided on a city that moved on is.
    static func versions(of persons: Set<PersonID>, readAt read: Int64, _ ledger: KokiLedger) throws
        -> [PersonID: Int64]
    {
        var query = EventQuery.from(position: read + 1)
        query.readsEnvelopes = false
        var moved: PersonID?
        try ledger.store.forEachEvent(query) { view in
            let stream = view.stream.value
            if moved == nil, stream.hasPrefix("person/"),
                let person = try? PersonID(String(stream.dropFirst("person/".count))), persons.contains(person)
            {
                moved = person
            }
        }
        if let moved {
            throw LedgerError(
                .wrongExpectedVersion,
                "\(moved)'s account changed while the run read the city: nothing appended; run it again")
        }
        return Dictionary(
            uniqueKeysWithValues: try persons.map { ($0, try ledger.store.version(of: try StreamName($0.streamName))) })
    }
}

extension AssessmentCommands {
    /// A new starter (特徴対象者 during the year): a year paid ordinarily because the person was
    /// newly insured or the insurer's pension data had not come, whose pension facts now select
    /// them; deducted from the first pension month the request reaches (`pensionNoticeLeadMonths`),
    /// the periods due before it staying ordinary. `nil` when not selected, dead, no longer insured,
    /// switched to debit, or nothing is left to deduct.
    static func startIfSelected(
        _ person: InsuredRegister.Person, _ assessed: PremiumAssessed, first: PremiumAssessed,
        account: () throws -> CollectionAccounts.Account?, on date: CivilDate, calendar: InstallmentCalendar,
        business: BusinessCalendar
    ) throws -> PremiumAssessed? {
        let fy = assessed.fiscalYear
        guard let selection = PensionDeduction.Selection(recorded: first.cause),
            [.newlyInsured, .noPensionInformation].contains(selection),
            person.diedOn == nil, person.isInsured(on: date), person.debitSwitch == nil,
            let facts = person.pension(of: fy.year),
            PensionDeduction.method(for: assessed.annualPremium, facts: facts, newlyInsured: false).0
                == .pensionDeduction
        else { return nil }
        let reachable = PensionDeduction.paymentDates(fiscalYear: fy.year, calendar: business).first {
            $0 > date && date <= PensionDeduction.deadline(for: $0, leadMonths: calendar.pensionNoticeLeadMonths)
        }
        guard let from = reachable else { return nil }
        return startPension(
            assessed, from: from, decidedOn: date,
            reason:
                "特別徴収の開始（\(PensionDeduction.name(month: from.month))から）: the 180000-yen and one-half conditions hold",
            account: try account(), calendar: calendar, business: business)
    }
}

// MARK: - 特別徴収から口座振替への切替

extension AssessmentCommands {
    /// Records a pension deductee's request to pay by bank debit instead (納付方法変更申出), or its
    /// withdrawal (取消). The request needs a bank-debit mandate in force or to come (the 口座振替
    /// 依頼書 goes with it) and, where the arrears settings say so (`switchRequiresNoArrears`),
    /// nothing owed past due. It is honoured by `pension notify` from the first deduction a notice
    /// can still stop — the rest of that year is debited — and by every later year's first
    /// assessment (ordinary collection, the reason recorded) until withdrawn; a withdrawal takes
    /// effect from the next year's assessment (a year's deduction never restarts once stopped).
    /// Refused: a person not in the register, dead or not insured that day, not deducted from the
    /// pension this year or the next, a second request, a withdrawal with none in force.
    public func recordSwitch(
        _ person: PersonID, change: PensionSwitchRecorded.Change, on date: CivilDate, metadata: CommandMetadata
    ) throws -> PensionSwitchRecorded {
        let state = try CollectionCommands(ledger).load(person)
        guard let entry = state.entry else { throw KokiError.notInRegister(person) }
        switch change {
        case .requested:
            if let earlier = entry.debitSwitch {
                throw KokiError(.invalidInput, "\(person) asked to switch to bank debit on \(earlier) already")
            }
            if let died = entry.diedOn, died <= date {
                throw KokiError(.invalidInput, "\(person) died on \(died): no switch after a death")
            }
            guard entry.isInsured(on: date) else {
                throw KokiError(.invalidInput, "\(person) is not insured on \(date)")
            }
            let year = FiscalYear(containing: date).year
            guard
                state.assessments.values.contains(where: {
                    $0.fiscalYear.year >= year && $0.collection == .pensionDeduction
                }) || entry.provisionalDeductionDecided(since: year)
            else {
                throw KokiError(
                    .invalidInput,
                    "\(person) is not deducted from the pension in FY\(year) or later: nothing to switch "
                        + "(a bank-debit mandate alone pays ordinary periods)")
            }
            guard state.account.debitsOrApplied(on: date) else {
                throw KokiError(
                    .invalidInput,
                    "\(person) has no bank-debit mandate in force or applied for: receive the 口座振替依頼書 first "
                        + "(`koki debit apply`)")
            }
            if state.settings?.switchRequiresNoArrears ?? true {
                // Pension months are the insurer's to pay: only ordinary periods are arrears.
                let overdue = state.account.periods.filter { key, period in
                    period.dueDate < date && period.outstanding > .zero
                        && state.assessment(key.fiscalYear, { $0.method(of: key.period) }) != .pensionDeduction
                }.map(\.key)
                if !overdue.isEmpty {
                    throw KokiError(
                        .invalidInput,
                        "\(person) owes past due on \(overdue.prefix(5).map(\.description).joined(separator: ", "))"
                            + (overdue.count > 5 ? " and \(overdue.count - 5) more" : "")
                            + ": the city switches to bank debit only with no arrears (switchRequiresNoArrears)")
                }
            }
        case .withdrawn:
            guard entry.debitSwitch != nil else {
                throw KokiError(.invalidInput, "\(person) has no switch to bank debit to withdraw")
            }
        }
        let event = PensionSwitchRecorded(person: person, change: change, on: date)
        try ledger.record(
            [.pensionSwitchRecorded(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }
}
