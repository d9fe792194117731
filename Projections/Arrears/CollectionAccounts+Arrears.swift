import KokiDomain
import KokiEvents

/// What an account says of a period in arrears: when the right to collect it expires, and its
/// late fee. Both read only the folded account and the arrears settings, so collection (which
/// leaves prescribed periods out of allocation and finalizes late fees as money pays a period
/// off) and the arrears commands ask the same question of the same state.
extension CollectionAccounts.Account {
    /// The prescription (時効) of a period from what the account holds: its due date, the first
    /// dunning notice, acknowledgements (payments on it, pledges), the first reminder, seizures,
    /// and the days it was deferred (徴収猶予).
    public func prescription(_ key: PeriodKey, _ settings: ArrearsSettings) -> Prescription.Result {
        let due = periods[key]?.dueDate ?? .epoch
        var acknowledged: [CivilDate] = []
        for p in payments where p.cancelled == nil {
            for part in p.event.parts where part.key == key { acknowledged.append(p.event.paidOn) }
        }
        let pledged = plans.filter {
            $0.pledge && $0.periods.contains(key) && ($0.change == .agreed || $0.change == .revised)
        }
        .map(\.on)
        var pending: [String: (CivilDate, CivilDate?)] = [:]
        for s in seizures where s.periods.contains(key) {
            switch s.change {
            case .started: pending[s.id] = (s.on, nil)
            case .ended: pending[s.id]?.1 = s.on
            }
        }
        return Prescription.of(
            dueDate: due, dunnedOn: dunning.filter { $0.key == key }.map(\.issuedOn),
            acknowledgedOn: acknowledged + pledged,
            remindedOn: reminders.filter { $0.periods.contains(key) }.map(\.issuedOn),
            seizures: pending.values.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1) },
            deferred: deferredDays(key).compactMap(\.days), settings: settings)
    }

    /// The late fee of a period to `date` (or to the day it was paid off): money on the period
    /// reduces the base from the day after it was paid — a payment on its day, an appropriation
    /// on the day it became appropriable (充当適状); the days of a deferment (徴収猶予) are charged
    /// half, or nothing where it waives them. `nil` when the period owes nothing after
    /// reductions; an error names the period when the rates do not reach the date.
    public func lateFee(_ key: PeriodKey, on date: CivilDate, _ settings: ArrearsSettings) throws(DomainError)
        -> LateFee?
    {
        guard let period = periods[key], period.assessed > period.reduced else { return nil }
        var paidIn: [LateFee.Payment] = []
        for p in payments where p.cancelled == nil {
            for part in p.event.parts where part.key == key {
                paidIn.append(.init(paidOn: p.event.paidOn, amount: part.amount))
            }
        }
        for a in appropriations {
            for part in a.parts where part.key == key {
                paidIn.append(.init(paidOn: part.effectiveOn, amount: part.amount))
            }
        }
        do {
            return try LateFee.calculate(
                principal: period.assessed - period.reduced, dueDate: period.dueDate,
                payments: paidIn.filter { $0.paidOn <= date },
                through: date, rates: settings.chargeRates,
                relief: deferredDays(key).map { .init(from: $0.from, through: $0.through, share: $0.relief) })
        } catch {
            throw DomainError(error.code, "late fee of \(key): \(error.message)")
        }
    }
}
