import KokiDomain
import KokiEvents
import KokiProjections

/// What collection decides from a person's state: where money goes and which late fees a payment
/// makes final. Decisions, so they stay with the commands; the state is the projections' fold.
extension CollectionCommands.PersonState {
    /// What still owes money, for allocation: premiums, then late fees. Unspecified money never
    /// goes to a pension-deduction period not yet due (the pension will pay it); money for a
    /// period whose right to collect has expired (時効) is not a payment of it.
    func open(paidOn: CivilDate, includeNotYetDue: Bool = true) -> [PaymentAllocation.Open] {
        var open: [PaymentAllocation.Open] = []
        // Only an unsettled period can owe: the periods of years past that owe nothing are not
        // gone through, nor is their prescription asked (which reads the account's every payment).
        let owing = account.unsettledPeriods.filter { _, period in
            period.lateFeeOutstanding > .zero || period.outstanding > .zero
        }
        // The prescriptions of the periods old enough to have one, asked together: one pass over
        // the account's payments and notices, not one for each period (a chronic payer's years
        // of unpaid periods each read ten years of payments, for every payment they made).
        var prescribed = Set<PeriodKey>()
        if let settings {
            let old = owing.filter { $0.value.dueDate.days(until: paidOn) > 365 * settings.prescriptionYears }.map {
                $0.key
            }
            for (key, prescription) in zip(old, account.prescriptions(old, settings))
            where prescription.isPrescribed(on: paidOn) {
                prescribed.insert(key)
            }
        }
        for (key, period) in owing {
            if prescribed.contains(key) { continue }
            if period.lateFeeOutstanding > .zero {
                open.append(
                    .init(
                        key: key, charge: .lateFee, dueDate: period.dueDate, outstanding: period.lateFeeOutstanding)
                )
            }
            guard period.outstanding > .zero else { continue }
            if period.dueDate > paidOn {
                guard includeNotYetDue else { continue }
                if assessment(key.fiscalYear)?.method(of: key.period) == .pensionDeduction { continue }
            }
            open.append(.init(key: key, dueDate: period.dueDate, outstanding: period.outstanding))
        }
        return open
    }

    /// Applies money received and returns the events to record: the payment, and a final late
    /// fee (確定延滞金) for each period it paid off after its due date.
    mutating func receive(_ payment: PaymentReceived) -> [KokiEvent] {
        apply(.paymentReceived(payment))
        var events: [KokiEvent] = [.paymentReceived(payment)]
        for key in Set(payment.parts.filter { $0.charge == .premium }.map(\.key)).sorted() {
            if let fee = finalization(key, on: payment.paidOn) {
                apply(.lateFeeFinalized(fee))
                events.append(.lateFeeFinalized(fee))
            }
        }
        return events
    }

    /// Whether receiving `payment` can make a late fee final (``finalization(_:on:)``): only
    /// where arrears settings are adopted and it pays a premium of a period due before the day
    /// paid. Otherwise ``receive(_:)`` records the payment alone.
    func mayFinalizeLateFees(_ payment: PaymentReceived) -> Bool {
        settings != nil
            && payment.parts.contains { part in
                part.charge == .premium && (account.periods[part.key].map { $0.dueDate < payment.paidOn } ?? false)
            }
    }

    /// The final late fee of a period just paid off, if it bears one (never unless
    /// ``mayFinalizeLateFees(_:)``).
    func finalization(_ key: PeriodKey, on date: CivilDate) -> LateFeeFinalized? {
        guard let settings, let period = account.periods[key], period.outstanding == .zero,
            period.lateFee == .zero, period.dueDate < date,
            !account.reductions.contains(where: { $0.waiveLateFees && $0.parts.contains { $0.key == key } }),
            let fee = try? account.lateFee(key, on: date, settings), fee.paidOff,
            fee.fee > .zero
        else { return nil }
        return LateFeeFinalized(
            person: person, key: key, fee: fee.fee, paidOffOn: fee.through, ruleVersion: LateFee.ruleVersion)
    }
}
