import KokiDomain
import KokiEvents

/// Each person's premium per fiscal year: the assessment in force and every earlier one, with
/// the reason for each change (賦課履歴), plus the rate tables and calendars adopted.
public struct PremiumAccounts: Projection {
    public static let logicVersion = 1

    public struct Key: Hashable, Sendable, Comparable {
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

    /// Every assessment of a person and year, oldest first; the last is in force.
    public private(set) var assessments: [Key: [PremiumAssessed]] = [:]
    /// The rate table in force for each fiscal year (the latest adopted).
    public private(set) var rateTables: [Int: RateTable] = [:]
    public private(set) var calendars: [Int: InstallmentCalendarAdopted] = [:]
    public private(set) var runs: [AssessmentRunRecorded] = []

    public init() {}

    public func current(_ person: PersonID, _ fiscalYear: FiscalYear) -> PremiumAssessed? {
        assessments[Key(person: person, fiscalYear: fiscalYear)]?.last
    }

    public mutating func apply(_ event: KokiEvent) {
        switch event {
        case .premiumAssessed(let e):
            assessments[Key(person: e.person, fiscalYear: e.fiscalYear), default: []].append(e)
        case .rateTableAdopted(let e):
            rateTables[e.table.fiscalYear] = e.table
        case .installmentCalendarAdopted(let e):
            calendars[e.calendar.fiscalYear] = e
        case .assessmentRunRecorded(let e):
            runs.append(e)
        case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .eligibilityAcquired,
            .eligibilityLost, .addressExceptionStarted, .addressExceptionEnded, .formerDependantRecorded,
            .incomeRecorded, .incomeInquired, .personNumbersLinked, .pensionFactsRecorded, .provisionalDeductionDecided, .pensionDeductionNotified, .pensionSwitchRecorded, .myNumberRecorded,
            .personErased, .mailRecipientRecorded, .unionDecisionRecorded, .networkInquirySent, .access, .notice, .counter, .paymentReceived,
            .dunningNoticeIssued, .paymentCancelled, .overpaymentRecognized, .overpaymentAppropriated, .refundDecided,
            .refundPaid, .refundPrescribed, .debitMandateStarted, .debitApplicationRecorded, .slipReissued, .debitPrepaymentChosen, .debitMandateStopped, .debitRequested, .debitFailed,
            .conveniencePaymentReported, .pensionDeductionStopped, .unmatchedPaymentRecorded, .unmatchedPaymentResolved,
            .collectionFileRecorded, .arrearsSettingsAdopted, .arrearsRunRecorded, .reminderIssued,
            .contactRecorded, .lateFeeFinalized, .reductionDecided, .writtenOff, .installmentPlanRecorded,
            .seizureRecorded, .enforcementStopped, .collectionDeferred, .fiscalYearClosed:
            break
        }
    }
}
