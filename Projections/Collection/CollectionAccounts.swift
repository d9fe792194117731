import KokiDomain
import KokiEvents

/// Each person's collection account (収納状況): per period what is assessed, credited (paid or
/// appropriated), outstanding and overpaid; the payments with their allocation and any
/// cancellation; the overpayments (過誤納金) and what became of them (充当, 還付); bank-debit
/// mandates and failures; convenience-store payments reported but not yet confirmed. Plus the
/// city-wide list of unmatched money and the interchange files recorded.
///
/// Money is conserved by construction: every yen of an active payment is on a period or on its
/// overpayment; an overpayment's yen are open, appropriated to a period, or refunded; unmatched
/// money is on the list until it is resolved into a payment. ``moneyIsConserved`` checks it.
public struct CollectionAccounts: Projection {
    public static let logicVersion = 1

    public struct Period: Sendable, Hashable {
        public var dueDate: CivilDate
        public var assessed: Yen = .zero
        /// Payment parts on the period (cancelled payments taken off).
        public var paid: Yen = .zero
        /// Overpayments appropriated to the period (充当).
        public var appropriated: Yen = .zero
        /// Excess moved off the period into an overpayment (過納).
        public var movedOut: Yen = .zero
        /// The last day money reached the period.
        public var lastPaidOn: CivilDate?

        public var credited: Yen { paid + appropriated - movedOut }
        public var outstanding: Yen { assessed > credited ? assessed - credited : .zero }
        public var overpaid: Yen { credited > assessed ? credited - assessed : .zero }
    }

    public struct Payment: Sendable, Hashable {
        public var event: PaymentReceived
        public var cancelled: PaymentCancelled?
    }

    public struct Overpayment: Sendable, Hashable {
        public var id: String
        public var amount: Yen
        public var cause: RefundInterest.Cause
        public var arose: CivilDate
        /// The period it came off, for 過納; `nil` for money left over from a payment.
        public var from: PeriodKey?
        public var appropriated: Yen = .zero
        public var refunded: Yen = .zero
        public var withdrawn = false

        public var open: Yen { withdrawn ? .zero : amount - appropriated - refunded }
    }

    public struct Refund: Sendable, Hashable {
        public var decision: RefundDecided
        public var paid: RefundPaid?
    }

    public struct Mandate: Sendable, Hashable {
        public var startsOn: CivilDate
        public var stopsOn: CivilDate?
        public var account: SealedIdentity

        public func isActive(on date: CivilDate) -> Bool {
            startsOn <= date && (stopsOn.map { date < $0 } ?? true)
        }
    }

    public struct Account: Sendable, Hashable {
        public var periods: [PeriodKey: Period] = [:]
        public var payments: [Payment] = []
        public var overpayments: [Overpayment] = []
        public var refunds: [Refund] = []
        public var appropriations: [OverpaymentAppropriated] = []
        public var mandates: [Mandate] = []
        public var debitRequests: [DebitRequested] = []
        public var debitFailures: [DebitFailed] = []
        public var reports: [ConveniencePaymentReported] = []
        public var pensionStops: [PensionDeductionStopped] = []
        /// Dunning notices (督促状), reminders (催告書) and contacts (折衝記録, every version).
        public var dunning: [DunningNoticeIssued] = []
        public var reminders: [ReminderIssued] = []
        public var contacts: [ContactRecorded] = []

        public init() {}

        /// Whether an event changes an account (the others pass it by).
        public static func folds(_ event: KokiEvent) -> Bool {
            switch event {
            case .premiumAssessed, .paymentReceived, .paymentCancelled, .overpaymentRecognized,
                .overpaymentAppropriated, .refundDecided, .refundPaid, .debitMandateStarted, .debitMandateStopped,
                .debitRequested, .debitFailed, .conveniencePaymentReported, .pensionDeductionStopped,
                .dunningNoticeIssued, .reminderIssued, .contactRecorded:
                true
            case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .eligibilityAcquired,
                .eligibilityLost, .addressExceptionStarted, .addressExceptionEnded, .formerDependantRecorded,
                .incomeRecorded, .incomeInquired, .personNumbersLinked, .pensionFactsRecorded, .rateTableAdopted,
                .installmentCalendarAdopted, .assessmentRunRecorded, .unmatchedPaymentRecorded,
                .unmatchedPaymentResolved, .collectionFileRecorded, .arrearsSettingsAdopted, .arrearsRunRecorded:
                false
            }
        }

        /// Folds one of the person's events into their account.
        public mutating func apply(_ event: KokiEvent) {
            switch event {
            case .premiumAssessed(let e):
                for installment in e.installments {
                    let key = PeriodKey(e.fiscalYear, installment.period)
                    periods[key, default: Period(dueDate: installment.dueDate)].dueDate = installment.dueDate
                    periods[key]!.assessed = installment.amount
                }
                // A reassessment that dropped a period leaves it owing nothing.
                if periods.count > e.installments.count {
                    for key in periods.keys
                    where key.fiscalYear == e.fiscalYear && !e.installments.contains(where: { $0.period == key.period })
                    {
                        periods[key]!.assessed = .zero
                    }
                }
            case .paymentReceived(let e):
                for part in e.parts {
                    periods[part.key, default: Period(dueDate: e.paidOn)].paid += part.amount
                    let last = periods[part.key]!.lastPaidOn
                    if last == nil || last! < e.paidOn { periods[part.key]!.lastPaidOn = e.paidOn }
                }
                if e.overpaid > .zero {
                    overpayments.append(
                        Overpayment(id: e.id, amount: e.overpaid, cause: .erroneous, arose: e.paidOn, from: nil))
                }
                payments.append(Payment(event: e, cancelled: nil))
            case .paymentCancelled(let e):
                guard let index = payments.firstIndex(where: { $0.event.id == e.payment && $0.cancelled == nil })
                else { return }
                payments[index].cancelled = e
                for part in payments[index].event.parts { periods[part.key]?.paid -= part.amount }
                if let o = overpayments.firstIndex(where: { $0.id == e.payment }) { overpayments[o].withdrawn = true }
            case .overpaymentRecognized(let e):
                periods[e.key]?.movedOut += e.amount
                overpayments.append(
                    Overpayment(id: e.id, amount: e.amount, cause: e.cause, arose: e.arose, from: e.key))
            case .overpaymentAppropriated(let e):
                guard let o = overpayments.firstIndex(where: { $0.id == e.overpayment }) else { return }
                for part in e.parts {
                    periods[part.key]?.appropriated += part.amount
                    overpayments[o].appropriated += part.amount
                }
                appropriations.append(e)
            case .refundDecided(let e):
                guard let o = overpayments.firstIndex(where: { $0.id == e.overpayment }) else { return }
                overpayments[o].refunded += e.amount
                refunds.append(Refund(decision: e, paid: nil))
            case .refundPaid(let e):
                guard let index = refunds.firstIndex(where: { $0.decision.id == e.refund }) else { return }
                refunds[index].paid = e
            case .debitMandateStarted(let e):
                // A new mandate replaces the one in force from its start.
                for i in mandates.indices where mandates[i].stopsOn.map({ $0 > e.startsOn }) ?? true {
                    mandates[i].stopsOn = max(mandates[i].startsOn, e.startsOn)
                }
                mandates.append(Mandate(startsOn: e.startsOn, stopsOn: nil, account: e.account))
            case .debitMandateStopped(let e):
                for i in mandates.indices where mandates[i].stopsOn.map({ $0 > e.stopsOn }) ?? true {
                    mandates[i].stopsOn = max(mandates[i].startsOn, e.stopsOn)
                }
            case .debitRequested(let e):
                debitRequests.append(e)
            case .debitFailed(let e):
                debitFailures.append(e)
            case .conveniencePaymentReported(let e):
                reports.append(e)
            case .pensionDeductionStopped(let e):
                pensionStops.append(e)
            case .dunningNoticeIssued(let e):
                dunning.append(e)
            case .reminderIssued(let e):
                reminders.append(e)
            case .contactRecorded(let e):
                contacts.append(e)
            case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .eligibilityAcquired,
                .eligibilityLost, .addressExceptionStarted, .addressExceptionEnded, .formerDependantRecorded,
                .incomeRecorded, .incomeInquired, .personNumbersLinked, .pensionFactsRecorded, .rateTableAdopted,
                .installmentCalendarAdopted, .assessmentRunRecorded, .unmatchedPaymentRecorded,
                .unmatchedPaymentResolved, .collectionFileRecorded, .arrearsSettingsAdopted, .arrearsRunRecorded:
                break
            }
        }

        public var outstanding: Yen { periods.values.map(\.outstanding).sum() }
        public var openOverpayments: [Overpayment] { overpayments.filter { $0.open > .zero } }

        /// The mandate in force on a day.
        public func mandate(on date: CivilDate) -> Mandate? { mandates.last { $0.isActive(on: date) } }

        /// Preliminary convenience-store reports with no final record yet.
        public var pendingReports: [ConveniencePaymentReported] {
            let confirmed = Set(payments.filter { $0.cancelled == nil }.map(\.event.reference))
            return reports.filter { !confirmed.contains($0.reference) }
        }
    }

    public struct Unmatched: Sendable, Hashable {
        public var event: UnmatchedPaymentRecorded
        public var resolved: UnmatchedPaymentResolved?
    }

    public private(set) var accounts: [PersonID: Account] = [:]
    public private(set) var unmatched: [Unmatched] = []
    public private(set) var files: [CollectionFileRecorded] = []
    /// The arrears settings in force (the latest adopted), and the arrears runs.
    public private(set) var arrearsSettings: ArrearsSettings?
    public private(set) var arrearsRuns: [ArrearsRunRecorded] = []

    public init() {}

    public func account(_ person: PersonID) -> Account? { accounts[person] }

    public mutating func apply(_ event: KokiEvent) {
        switch event {
        case .unmatchedPaymentRecorded(let e):
            unmatched.append(Unmatched(event: e, resolved: nil))
        case .unmatchedPaymentResolved(let e):
            if let index = unmatched.firstIndex(where: { $0.event.id == e.id }) { unmatched[index].resolved = e }
        case .collectionFileRecorded(let e):
            files.append(e)
        case .arrearsSettingsAdopted(let e):
            arrearsSettings = e.settings
        case .arrearsRunRecorded(let e):
            arrearsRuns.append(e)
        default:
            // In place: the account's collections are not copied per event.
            if let person = event.person, Account.folds(event) { accounts[person, default: Account()].apply(event) }
        }
    }

    /// The money figures of the whole city.
    public struct Totals: Sendable, Hashable {
        /// Active (not cancelled) payments.
        public var received = Yen.zero
        /// Money on periods (paid + appropriated − moved out).
        public var credited = Yen.zero
        public var assessed = Yen.zero
        public var outstanding = Yen.zero
        /// Credited beyond what periods owe (not yet recognised as an overpayment).
        public var overpaidOnPeriods = Yen.zero
        public var openOverpayments = Yen.zero
        public var refunded = Yen.zero
        public var refundInterest = Yen.zero
        public var unmatchedOpen = Yen.zero
    }

    public var totals: Totals {
        var t = Totals()
        for account in accounts.values {
            for p in account.payments where p.cancelled == nil { t.received += p.event.amount }
            for period in account.periods.values {
                t.credited += period.credited
                t.assessed += period.assessed
                t.outstanding += period.outstanding
                t.overpaidOnPeriods += period.overpaid
            }
            for o in account.overpayments { t.openOverpayments += o.open }
            for r in account.refunds {
                t.refunded += r.decision.amount
                t.refundInterest += r.decision.interest
            }
        }
        for u in unmatched where u.resolved == nil { t.unmatchedOpen += u.event.amount }
        return t
    }

    /// Every yen received is on exactly one period, an open overpayment or a refund; and each
    /// period's assessed amount is what is credited to it (up to the amount) plus what is still
    /// outstanding.
    public var moneyIsConserved: Bool {
        let t = totals
        guard t.received == t.credited + t.openOverpayments + t.refunded else { return false }
        for account in accounts.values {
            for period in account.periods.values
            where period.assessed != min(period.credited, period.assessed) + period.outstanding {
                return false
            }
            for o in account.overpayments where o.open < .zero { return false }
        }
        return true
    }
}

extension ConveniencePaymentReported {
    /// The reference a convenience-store record carries — its barcode and the day paid — shared
    /// by the preliminary report and the final payment, so the one confirms the other.
    public static func reference(barcode: String, paidOn: CivilDate) -> String { "cvs:\(barcode):\(paidOn)" }
    public var reference: String { Self.reference(barcode: barcode, paidOn: paidOn) }
}
