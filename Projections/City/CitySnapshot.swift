import KokiDomain
import KokiEvents

/// The register and premium accounts folded in one pass over the ledger's events, with what a
/// decision must cite: the position of each person's input events, the position of each rate
/// table adopted, and each stream's version (for appending with optimistic concurrency).
public struct CitySnapshot: Sendable, Equatable {
    public var register = InsuredRegister()
    public var accounts = PremiumAccounts()
    public var collection = CollectionAccounts()
    /// Positions of the eligibility, household, former-dependant and income events per person.
    public var inputPositions: [PersonID: [Int64]] = [:]
    /// The position of the rate table in force per fiscal year.
    public var rateTablePositions: [Int: Int64] = [:]
    public var streamVersions: [String: Int64] = [:]
    /// The last position folded.
    public var position: Int64 = 0
    /// Whether the collection accounts are folded. A replay that only decides assessments again
    /// (`koki whatif`) leaves them empty: a decision reads the register, the premium accounts and
    /// the year's tables, never an account, and the accounts are most of what a city holds
    /// (about half at ten years of Matsudo).
    public var foldsCollection = true

    /// An empty city, to fold event by event (a replay that stops before chosen events).
    public init() {}

    /// An empty city that folds the collection accounts or leaves them empty.
    public init(foldingCollection: Bool) { foldsCollection = foldingCollection }

    /// Folds one more event.
    public mutating func apply(_ event: KokiEvent, position: Int64, stream: String, version: Int64) {
        do {
            let view = (position: position, stream: stream, streamVersion: version)
            register.apply(event)
            accounts.apply(event)
            if foldsCollection { collection.apply(event) }
            streamVersions[view.stream] = view.streamVersion
            self.position = view.position
            switch event {
            case .eligibilityAcquired, .eligibilityLost, .householdMembershipRecorded, .formerDependantRecorded,
                .incomeRecorded, .pensionFactsRecorded, .provisionalDeductionDecided, .pensionDeductionNotified, .pensionSwitchRecorded:
                if let person = event.person { inputPositions[person, default: []].append(view.position) }
            case .rateTableAdopted(let e):
                rateTablePositions[e.table.fiscalYear] = view.position
            case .personRegistered, .personIdentityCorrected, .addressExceptionStarted, .addressExceptionEnded,
                .incomeInquired, .personNumbersLinked, .myNumberRecorded, .personErased, .mailRecipientRecorded, .unionDecisionRecorded, .networkInquirySent,
                .access, .notice, .counter,
                .installmentCalendarAdopted, .assessmentRunRecorded,
                .premiumAssessed, .paymentReceived, .dunningNoticeIssued, .paymentCancelled, .overpaymentRecognized,
                .overpaymentAppropriated, .refundDecided, .refundPaid, .refundPrescribed, .debitMandateStarted, .debitApplicationRecorded, .slipReissued, .debitPrepaymentChosen,
                .debitMandateStopped,
                .debitRequested, .debitFailed, .conveniencePaymentReported, .pensionDeductionStopped,
                .unmatchedPaymentRecorded, .unmatchedPaymentResolved, .collectionFileRecorded, .arrearsSettingsAdopted,
                .arrearsRunRecorded, .reminderIssued,
                .contactRecorded, .lateFeeFinalized, .reductionDecided, .writtenOff, .installmentPlanRecorded,
                .seizureRecorded, .enforcementStopped, .collectionDeferred, .fiscalYearClosed:
                break
            }
        }
    }

    public func version(of person: PersonID) -> Int64 { streamVersions[person.streamName] ?? 0 }
}
