import KokiDomain
import KokiEvents

/// Each person's premium account per fiscal year: what was assessed, what was paid, what is
/// outstanding, and how many dunning notices went out (収納状況).
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

    public init() {}

    public mutating func apply(_ event: KokiEvent) {
        switch event {
        case .premiumAssessed(let e):
            accounts[Key(person: e.person, fiscalYear: e.fiscalYear), default: Account()].assessed = e.annualPremium
        case .paymentReceived(let e):
            accounts[Key(person: e.person, fiscalYear: e.fiscalYear), default: Account()].paid += e.amount
        case .dunningNoticeIssued(let e):
            accounts[Key(person: e.person, fiscalYear: e.fiscalYear), default: Account()].dunningNotices += 1
        case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .eligibilityAcquired,
            .eligibilityLost, .addressExceptionStarted, .addressExceptionEnded, .formerDependantRecorded,
            .incomeRecorded, .incomeInquired, .personNumbersLinked, .pensionFactsRecorded, .rateTableAdopted,
            .installmentCalendarAdopted,
            .assessmentRunRecorded:
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
