import KokiDomain
import KokiEvents

/// Each person's premium account per fiscal year: what was assessed, what was paid (or
/// appropriated), what is outstanding, and how many dunning notices went out (収納状況).
///
/// A later assessment of the same year (更正) replaces the earlier figure: the projection folds
/// the recorded decision and never recomputes a premium.
public struct PremiumBalances: Projection {
    public static let logicVersion = 1

    public struct Account: Sendable, Hashable {
        public var assessed: Yen = .zero
        public var paid: Yen = .zero
        public var dunningNotices: Int = 0
        /// Positive when money is owed; negative when overpaid (過誤納).
        public var outstanding: Yen { assessed - paid }

        public init(assessed: Yen = .zero, paid: Yen = .zero, dunningNotices: Int = 0) {
            self.assessed = assessed
            self.paid = paid
            self.dunningNotices = dunningNotices
        }
    }

    public struct Key: Sendable, Hashable, Comparable {
        public var person: PersonID
        public var fiscalYear: FiscalYear

        public init(person: PersonID, fiscalYear: FiscalYear) {
            self.person = person
            self.fiscalYear = fiscalYear
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.person, lhs.fiscalYear) < (rhs.person, rhs.fiscalYear)
        }
    }

    public private(set) var accounts: [Key: Account] = [:]
    /// Each payment's parts, so a cancellation takes them off again.
    private var payments: [String: [PaymentReceived.Part]] = [:]

    public init() {}

    public mutating func apply(_ event: KokiEvent) {
        switch event {
        case .premiumAssessed(let e):
            accounts[Key(person: e.person, fiscalYear: e.fiscalYear), default: Account()].assessed = e.annualPremium
        case .paymentReceived(let e):
            for part in e.parts {
                accounts[Key(person: e.person, fiscalYear: part.key.fiscalYear), default: Account()].paid += part.amount
            }
            if !e.id.isEmpty { payments[e.id] = e.parts }
        case .paymentCancelled(let e):
            for part in payments[e.payment] ?? [] {
                accounts[Key(person: e.person, fiscalYear: part.key.fiscalYear)]?.paid -= part.amount
            }
            payments[e.payment] = nil
        case .overpaymentRecognized(let e):
            accounts[Key(person: e.person, fiscalYear: e.key.fiscalYear)]?.paid -= e.amount
        case .overpaymentAppropriated(let e):
            for part in e.parts {
                accounts[Key(person: e.person, fiscalYear: part.key.fiscalYear), default: Account()].paid += part.amount
            }
        case .dunningNoticeIssued(let e):
            accounts[Key(person: e.person, fiscalYear: e.fiscalYear), default: Account()].dunningNotices += 1
        case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .eligibilityAcquired,
            .eligibilityLost, .addressExceptionStarted, .addressExceptionEnded, .formerDependantRecorded,
            .incomeRecorded, .incomeInquired, .personNumbersLinked, .pensionFactsRecorded, .provisionalDeductionDecided, .pensionDeductionNotified, .pensionSwitchRecorded, .myNumberRecorded,
            .personErased, .mailRecipientRecorded, .unionDecisionRecorded, .networkInquirySent, .access, .notice, .counter, .rateTableAdopted,
            .installmentCalendarAdopted,
            .assessmentRunRecorded, .refundDecided, .refundPaid, .refundPrescribed, .debitMandateStarted, .debitApplicationRecorded, .slipReissued, .debitPrepaymentChosen,
            .debitMandateStopped,
            .debitRequested, .debitFailed, .conveniencePaymentReported, .pensionDeductionStopped,
            .unmatchedPaymentRecorded, .unmatchedPaymentResolved, .collectionFileRecorded, .arrearsSettingsAdopted,
            .arrearsRunRecorded, .reminderIssued,
            .contactRecorded, .lateFeeFinalized, .reductionDecided, .writtenOff, .installmentPlanRecorded,
            .seizureRecorded, .enforcementStopped, .collectionDeferred, .fiscalYearClosed:
            break
        }
    }

    /// Totals over every account.
    public var totals: Account {
        accounts.values.reduce(into: Account()) { sum, account in
            sum.assessed += account.assessed
            sum.paid += account.paid
            sum.dunningNotices += account.dunningNotices
        }
    }
}
