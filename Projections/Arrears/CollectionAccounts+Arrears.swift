import KokiDomain
import KokiEvents

/// What an account says of a period in arrears: when the right to collect it expires, and its
/// late fee. Both read only the folded account and the arrears settings, so collection (which
/// leaves prescribed periods out of allocation and finalizes late fees as money pays a period
/// off) and the arrears commands ask the same question of the same state — through the
/// period's ``ArrearsFacts``, which the stored arrears keep.
extension CollectionAccounts.Account {
    /// The prescription (時効) of a period from what the account holds: its due date, the first
    /// dunning notice, acknowledgements (payments on it, pledges), the first reminder, seizures,
    /// and the days it was deferred (徴収猶予).
    public func prescription(_ key: PeriodKey, _ settings: ArrearsSettings) -> Prescription.Result {
        arrearsFacts(of: key).prescription(settings)
    }

    /// The prescriptions of several periods (each as ``prescription(_:_:)`` has it), in the order
    /// of `keys`, read in one pass over the account: what a run asks of a person's periods
    /// together, rather than going through years of payments again for each period.
    public func prescriptions(_ keys: [PeriodKey], _ settings: ArrearsSettings) -> [Prescription.Result] {
        let facts = arrearsFacts(of: Set(keys))
        return keys.map { key in (facts[key] ?? arrearsFacts(of: key)).prescription(settings) }
    }

    /// Whether each period of `keys` is prescribed on `date` (as ``prescriptions(_:_:)`` would
    /// say), in the order of `keys`. Only the periods due long enough ago for their right to have
    /// expired (``Prescription/earliestLastDay(dueDate:_:)`` before `date`) are looked into, in
    /// one pass over the account; the others cannot be prescribed yet. Dunning asks this of the
    /// periods just due, and a reminder mostly of periods under two years old: neither reads
    /// years of payments and notices for them.
    public func arePrescribed(_ keys: [PeriodKey], on date: CivilDate, _ settings: ArrearsSettings) -> [Bool] {
        let old = keys.filter { key in
            Prescription.earliestLastDay(dueDate: periods[key]?.dueDate ?? .epoch, settings) < date
        }
        guard !old.isEmpty else { return keys.map { _ in false } }
        var prescribed: [PeriodKey: Bool] = [:]
        for (key, prescription) in zip(old, prescriptions(old, settings)) {
            prescribed[key] = prescription.isPrescribed(on: date)
        }
        return keys.map { prescribed[$0] ?? false }
    }

    /// The late fee of a period to `date` (or to the day it was paid off): money on the period
    /// reduces the base from the day after it was paid — a payment on its day, an appropriation
    /// on the day it became appropriable (充当適状); the days of a deferment (徴収猶予) are charged
    /// half, or nothing where it waives them. `nil` when the period owes nothing after
    /// reductions; an error names the period when the rates do not reach the date.
    public func lateFee(_ key: PeriodKey, on date: CivilDate, _ settings: ArrearsSettings) throws(DomainError)
        -> LateFee?
    {
        guard periods[key] != nil else { return nil }
        return try arrearsFacts(of: key).lateFee(on: date, settings)
    }
}
