import Foundation

extension KokiEvent {
    /// The payload as JSON with sorted keys, for people and scripts (`koki events`).
    ///
    /// This is the readable rendering only; the ledger stores the compact binary encoding.
    public func jsonPayload() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data =
            switch self {
            case .personRegistered(let e): try encoder.encode(e)
            case .personIdentityCorrected(let e): try encoder.encode(e)
            case .householdMembershipRecorded(let e): try encoder.encode(e)
            case .eligibilityAcquired(let e): try encoder.encode(e)
            case .eligibilityLost(let e): try encoder.encode(e)
            case .addressExceptionStarted(let e): try encoder.encode(e)
            case .addressExceptionEnded(let e): try encoder.encode(e)
            case .formerDependantRecorded(let e): try encoder.encode(e)
            case .incomeRecorded(let e): try encoder.encode(e)
            case .incomeInquired(let e): try encoder.encode(e)
            case .personNumbersLinked(let e): try encoder.encode(e)
            case .pensionFactsRecorded(let e): try encoder.encode(e)
            case .premiumAssessed(let e): try encoder.encode(e)
            case .rateTableAdopted(let e): try encoder.encode(e)
            case .installmentCalendarAdopted(let e): try encoder.encode(e)
            case .assessmentRunRecorded(let e): try encoder.encode(e)
            case .paymentReceived(let e): try encoder.encode(e)
            case .dunningNoticeIssued(let e): try encoder.encode(e)
            case .paymentCancelled(let e): try encoder.encode(e)
            case .overpaymentRecognized(let e): try encoder.encode(e)
            case .overpaymentAppropriated(let e): try encoder.encode(e)
            case .refundDecided(let e): try encoder.encode(e)
            case .refundPaid(let e): try encoder.encode(e)
            case .debitMandateStarted(let e): try encoder.encode(e)
            case .debitMandateStopped(let e): try encoder.encode(e)
            case .debitRequested(let e): try encoder.encode(e)
            case .debitFailed(let e): try encoder.encode(e)
            case .conveniencePaymentReported(let e): try encoder.encode(e)
            case .pensionDeductionStopped(let e): try encoder.encode(e)
            case .unmatchedPaymentRecorded(let e): try encoder.encode(e)
            case .unmatchedPaymentResolved(let e): try encoder.encode(e)
            case .collectionFileRecorded(let e): try encoder.encode(e)
            case .arrearsSettingsAdopted(let e): try encoder.encode(e)
            case .arrearsRunRecorded(let e): try encoder.encode(e)
            case .reminderIssued(let e): try encoder.encode(e)
            case .contactRecorded(let e): try encoder.encode(e)
            case .lateFeeFinalized(let e): try encoder.encode(e)
            case .reductionDecided(let e): try encoder.encode(e)
            case .writtenOff(let e): try encoder.encode(e)
            case .installmentPlanRecorded(let e): try encoder.encode(e)
            case .seizureRecorded(let e): try encoder.encode(e)
            case .fiscalYearClosed(let e): try encoder.encode(e)
            case .myNumberRecorded(let e): try encoder.encode(e)
            case .notice(.settingsAdopted(let e)): try encoder.encode(e)
            case .notice(.documentIssued(let e)): try encoder.encode(e)
            case .notice(.runRecorded(let e)): try encoder.encode(e)
            case .counter(.settingsAdopted(let e)): try encoder.encode(e)
            case .counter(.applicationReceived(let e)): try encoder.encode(e)
            case .counter(.applicationConfirmed(let e)): try encoder.encode(e)
            case .counter(.applicationRejected(let e)): try encoder.encode(e)
            case .counter(.copayThresholdsAdopted(let e)): try encoder.encode(e)
            case .counter(.copayClassDetermined(let e)): try encoder.encode(e)
            case .counter(.certificateIssued(let e)): try encoder.encode(e)
            case .counter(.certificateReturned(let e)): try encoder.encode(e)
            case .counter(.certificateRunRecorded(let e)): try encoder.encode(e)
            case .counter(.benefitApplicationReceived(let e)): try encoder.encode(e)
            case .counter(.benefitDecided(let e)): try encoder.encode(e)
            case .personErased(let e): try encoder.encode(e)
            case .access(let access):
                switch access {
                case .operatorEnrolled(let e): try encoder.encode(e)
                case .operatorRolesChanged(let e): try encoder.encode(e)
                case .operatorStateChanged(let e): try encoder.encode(e)
                case .operatorPasswordSet(let e): try encoder.encode(e)
                case .permissionsAdopted(let e): try encoder.encode(e)
                case .securitySettingsAdopted(let e): try encoder.encode(e)
                case .sessionOpened(let e): try encoder.encode(e)
                case .sessionClosed(let e): try encoder.encode(e)
                case .loginFailed(let e): try encoder.encode(e)
                case .accessRefused(let e): try encoder.encode(e)
                case .personalDataAccessed(let e): try encoder.encode(e)
                case .transferDestinationRegistered(let e): try encoder.encode(e)
                case .transferRecorded(let e): try encoder.encode(e)
                }
            }
        return String(decoding: data, as: UTF8.self)
    }

    public var typeName: String {
        switch self {
        case .personRegistered: PersonRegistered.eventType
        case .personIdentityCorrected: PersonIdentityCorrected.eventType
        case .householdMembershipRecorded: HouseholdMembershipRecorded.eventType
        case .eligibilityAcquired: EligibilityAcquired.eventType
        case .eligibilityLost: EligibilityLost.eventType
        case .addressExceptionStarted: AddressExceptionStarted.eventType
        case .addressExceptionEnded: AddressExceptionEnded.eventType
        case .formerDependantRecorded: FormerDependantRecorded.eventType
        case .incomeRecorded: IncomeRecorded.eventType
        case .incomeInquired: IncomeInquired.eventType
        case .personNumbersLinked: PersonNumbersLinked.eventType
        case .pensionFactsRecorded: PensionFactsRecorded.eventType
        case .premiumAssessed: PremiumAssessed.eventType
        case .rateTableAdopted: RateTableAdopted.eventType
        case .installmentCalendarAdopted: InstallmentCalendarAdopted.eventType
        case .assessmentRunRecorded: AssessmentRunRecorded.eventType
        case .paymentReceived: PaymentReceived.eventType
        case .dunningNoticeIssued: DunningNoticeIssued.eventType
        case .paymentCancelled: PaymentCancelled.eventType
        case .overpaymentRecognized: OverpaymentRecognized.eventType
        case .overpaymentAppropriated: OverpaymentAppropriated.eventType
        case .refundDecided: RefundDecided.eventType
        case .refundPaid: RefundPaid.eventType
        case .debitMandateStarted: DebitMandateStarted.eventType
        case .debitMandateStopped: DebitMandateStopped.eventType
        case .debitRequested: DebitRequested.eventType
        case .debitFailed: DebitFailed.eventType
        case .conveniencePaymentReported: ConveniencePaymentReported.eventType
        case .pensionDeductionStopped: PensionDeductionStopped.eventType
        case .unmatchedPaymentRecorded: UnmatchedPaymentRecorded.eventType
        case .unmatchedPaymentResolved: UnmatchedPaymentResolved.eventType
        case .collectionFileRecorded: CollectionFileRecorded.eventType
        case .arrearsSettingsAdopted: ArrearsSettingsAdopted.eventType
        case .arrearsRunRecorded: ArrearsRunRecorded.eventType
        case .reminderIssued: ReminderIssued.eventType
        case .contactRecorded: ContactRecorded.eventType
        case .lateFeeFinalized: LateFeeFinalized.eventType
        case .reductionDecided: ReductionDecided.eventType
        case .writtenOff: WrittenOff.eventType
        case .installmentPlanRecorded: InstallmentPlanRecorded.eventType
        case .seizureRecorded: SeizureRecorded.eventType
        case .fiscalYearClosed: FiscalYearClosed.eventType
        case .myNumberRecorded: MyNumberRecorded.eventType
        case .notice(.settingsAdopted): NoticeSettingsAdopted.eventType
        case .notice(.documentIssued): DocumentIssued.eventType
        case .notice(.runRecorded): NoticeRunRecorded.eventType
        case .counter(.settingsAdopted): CounterSettingsAdopted.eventType
        case .counter(.applicationReceived): ApplicationReceived.eventType
        case .counter(.applicationConfirmed): ApplicationConfirmed.eventType
        case .counter(.applicationRejected): ApplicationRejected.eventType
        case .counter(.copayThresholdsAdopted): CopayThresholdsAdopted.eventType
        case .counter(.copayClassDetermined): CopayClassDetermined.eventType
        case .counter(.certificateIssued): CertificateIssued.eventType
        case .counter(.certificateReturned): CertificateReturned.eventType
        case .counter(.certificateRunRecorded): CertificateRunRecorded.eventType
        case .counter(.benefitApplicationReceived): BenefitApplicationReceived.eventType
        case .counter(.benefitDecided): BenefitDecided.eventType
        case .personErased: PersonErased.eventType
        case .access(let access):
            switch access {
            case .operatorEnrolled: OperatorEnrolled.eventType
            case .operatorRolesChanged: OperatorRolesChanged.eventType
            case .operatorStateChanged: OperatorStateChanged.eventType
            case .operatorPasswordSet: OperatorPasswordSet.eventType
            case .permissionsAdopted: PermissionsAdopted.eventType
            case .securitySettingsAdopted: SecuritySettingsAdopted.eventType
            case .sessionOpened: SessionOpened.eventType
            case .sessionClosed: SessionClosed.eventType
            case .loginFailed: LoginFailed.eventType
            case .accessRefused: AccessRefused.eventType
            case .personalDataAccessed: PersonalDataAccessed.eventType
            case .transferDestinationRegistered: TransferDestinationRegistered.eventType
            case .transferRecorded: TransferRecorded.eventType
            }
        }
    }
}
