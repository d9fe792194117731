import KokiDomain

/// Every event koki records, as one closed enum: a `switch` over it has no `default`, so a new
/// event forces a decision in every projection and handler.
public enum KokiEvent: Sendable, Hashable {
    // The register (被保険者台帳): identity, households, eligibility, income.
    case personRegistered(PersonRegistered)
    case personIdentityCorrected(PersonIdentityCorrected)
    case householdMembershipRecorded(HouseholdMembershipRecorded)
    case eligibilityAcquired(EligibilityAcquired)
    case eligibilityLost(EligibilityLost)
    case addressExceptionStarted(AddressExceptionStarted)
    case addressExceptionEnded(AddressExceptionEnded)
    case formerDependantRecorded(FormerDependantRecorded)
    case incomeRecorded(IncomeRecorded)
    case incomeInquired(IncomeInquired)
    case personNumbersLinked(PersonNumbersLinked)
    case pensionFactsRecorded(PensionFactsRecorded)
    case provisionalDeductionDecided(ProvisionalDeductionDecided)
    case pensionDeductionNotified(PensionDeductionNotified)
    case pensionSwitchRecorded(PensionSwitchRecorded)
    case myNumberRecorded(MyNumberRecorded)
    case personErased(PersonErased)
    case mailRecipientRecorded(MailRecipientRecorded)
    // Partners: the union's decisions, inquiries through the information network.
    case unionDecisionRecorded(UnionDecisionRecorded)
    case networkInquirySent(NetworkInquirySent)
    // Configuration and runs (streams of their own, no person).
    case rateTableAdopted(RateTableAdopted)
    case installmentCalendarAdopted(InstallmentCalendarAdopted)
    case assessmentRunRecorded(AssessmentRunRecorded)
    // Assessment, collection, arrears.
    case premiumAssessed(PremiumAssessed)
    case paymentReceived(PaymentReceived)
    case dunningNoticeIssued(DunningNoticeIssued)
    // Collection (収納): payments, overpayments, refunds, interchange files.
    case paymentCancelled(PaymentCancelled)
    case overpaymentRecognized(OverpaymentRecognized)
    case overpaymentAppropriated(OverpaymentAppropriated)
    case refundDecided(RefundDecided)
    case refundPaid(RefundPaid)
    case refundPrescribed(RefundPrescribed)
    case debitMandateStarted(DebitMandateStarted)
    case debitApplicationRecorded(DebitApplicationRecorded)
    case slipReissued(SlipReissued)
    case debitPrepaymentChosen(DebitPrepaymentChosen)
    case debitMandateStopped(DebitMandateStopped)
    case debitRequested(DebitRequested)
    case debitFailed(DebitFailed)
    case conveniencePaymentReported(ConveniencePaymentReported)
    case pensionDeductionStopped(PensionDeductionStopped)
    case unmatchedPaymentRecorded(UnmatchedPaymentRecorded)
    case unmatchedPaymentResolved(UnmatchedPaymentResolved)
    case collectionFileRecorded(CollectionFileRecorded)
    // Arrears (滞納): settings, runs, reminders, contacts.
    case arrearsSettingsAdopted(ArrearsSettingsAdopted)
    case arrearsRunRecorded(ArrearsRunRecorded)
    case reminderIssued(ReminderIssued)
    case contactRecorded(ContactRecorded)
    case lateFeeFinalized(LateFeeFinalized)
    case reductionDecided(ReductionDecided)
    case writtenOff(WrittenOff)
    case installmentPlanRecorded(InstallmentPlanRecorded)
    case seizureRecorded(SeizureRecorded)
    case enforcementStopped(EnforcementStopped)
    case collectionDeferred(CollectionDeferred)
    case fiscalYearClosed(FiscalYearClosed)
    // Access control and the audit trail (operators, sessions, reads): no money, no person's account.
    case access(AccessEvent)
    // Documents issued (notices, certificates) and notice runs: no money.
    case notice(NoticeEvent)
    // Counter work: applications and their second check, certificates, benefits: no money.
    case counter(CounterEvent)

    /// The person whose account the event belongs to; `nil` for configuration and runs.
    public var person: PersonID? {
        switch self {
        case .rateTableAdopted, .installmentCalendarAdopted, .assessmentRunRecorded, .unmatchedPaymentRecorded,
            .unmatchedPaymentResolved, .collectionFileRecorded, .arrearsSettingsAdopted, .arrearsRunRecorded,
            .fiscalYearClosed, .access, .notice, .counter:
            nil
        case .personRegistered(let e): e.person
        case .personIdentityCorrected(let e): e.person
        case .householdMembershipRecorded(let e): e.person
        case .eligibilityAcquired(let e): e.person
        case .eligibilityLost(let e): e.person
        case .addressExceptionStarted(let e): e.person
        case .addressExceptionEnded(let e): e.person
        case .formerDependantRecorded(let e): e.person
        case .incomeRecorded(let e): e.person
        case .incomeInquired(let e): e.person
        case .personNumbersLinked(let e): e.person
        case .pensionFactsRecorded(let e): e.person
        case .provisionalDeductionDecided(let e): e.person
        case .pensionDeductionNotified(let e): e.person
        case .pensionSwitchRecorded(let e): e.person
        case .myNumberRecorded(let e): e.person
        case .personErased(let e): e.person
        case .mailRecipientRecorded(let e): e.person
        case .unionDecisionRecorded(let e): e.person
        case .networkInquirySent(let e): e.person
        case .premiumAssessed(let e): e.person
        case .paymentReceived(let e): e.person
        case .dunningNoticeIssued(let e): e.person
        case .paymentCancelled(let e): e.person
        case .overpaymentRecognized(let e): e.person
        case .overpaymentAppropriated(let e): e.person
        case .refundDecided(let e): e.person
        case .refundPaid(let e): e.person
        case .refundPrescribed(let e): e.person
        case .debitMandateStarted(let e): e.person
        case .debitApplicationRecorded(let e): e.person
        case .slipReissued(let e): e.person
        case .debitPrepaymentChosen(let e): e.person
        case .debitMandateStopped(let e): e.person
        case .debitRequested(let e): e.person
        case .debitFailed(let e): e.person
        case .conveniencePaymentReported(let e): e.person
        case .pensionDeductionStopped(let e): e.person
        case .reminderIssued(let e): e.person
        case .contactRecorded(let e): e.person
        case .lateFeeFinalized(let e): e.person
        case .reductionDecided(let e): e.person
        case .writtenOff(let e): e.person
        case .installmentPlanRecorded(let e): e.person
        case .seizureRecorded(let e): e.person
        case .enforcementStopped(let e): e.person
        case .collectionDeferred(let e): e.person
        }
    }

    /// The ledger stream the event belongs to: the person's account, or the configuration's or
    /// run's own stream.
    public var streamName: String {
        switch self {
        case .rateTableAdopted(let e): e.streamName
        case .installmentCalendarAdopted(let e): e.streamName
        case .assessmentRunRecorded(let e): e.streamName
        case .unmatchedPaymentRecorded, .unmatchedPaymentResolved: UnmatchedPaymentRecorded.streamName
        case .collectionFileRecorded: CollectionFileRecorded.streamName
        case .arrearsSettingsAdopted: ArrearsSettingsAdopted.streamName
        case .arrearsRunRecorded: ArrearsRunRecorded.streamName
        case .fiscalYearClosed: FiscalYearClosed.streamName
        case .access(let e): e.streamName
        case .notice(let e): e.streamName
        case .counter(let e): e.streamName
        default: person!.streamName  // every other event belongs to a person
        }
    }

    /// Hands the payload inside, whatever its case, to `visitor` with its concrete type: the one
    /// switch that unwraps an event. Its stored form, its JSON and its type name follow from it.
    public func visit<V: PayloadVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .personRegistered(let e): visitor.visit(e)
        case .personIdentityCorrected(let e): visitor.visit(e)
        case .householdMembershipRecorded(let e): visitor.visit(e)
        case .eligibilityAcquired(let e): visitor.visit(e)
        case .eligibilityLost(let e): visitor.visit(e)
        case .addressExceptionStarted(let e): visitor.visit(e)
        case .addressExceptionEnded(let e): visitor.visit(e)
        case .formerDependantRecorded(let e): visitor.visit(e)
        case .incomeRecorded(let e): visitor.visit(e)
        case .incomeInquired(let e): visitor.visit(e)
        case .personNumbersLinked(let e): visitor.visit(e)
        case .pensionFactsRecorded(let e): visitor.visit(e)
        case .provisionalDeductionDecided(let e): visitor.visit(e)
        case .pensionDeductionNotified(let e): visitor.visit(e)
        case .pensionSwitchRecorded(let e): visitor.visit(e)
        case .myNumberRecorded(let e): visitor.visit(e)
        case .personErased(let e): visitor.visit(e)
        case .mailRecipientRecorded(let e): visitor.visit(e)
        case .unionDecisionRecorded(let e): visitor.visit(e)
        case .networkInquirySent(let e): visitor.visit(e)
        case .rateTableAdopted(let e): visitor.visit(e)
        case .installmentCalendarAdopted(let e): visitor.visit(e)
        case .assessmentRunRecorded(let e): visitor.visit(e)
        case .premiumAssessed(let e): visitor.visit(e)
        case .paymentReceived(let e): visitor.visit(e)
        case .dunningNoticeIssued(let e): visitor.visit(e)
        case .paymentCancelled(let e): visitor.visit(e)
        case .overpaymentRecognized(let e): visitor.visit(e)
        case .overpaymentAppropriated(let e): visitor.visit(e)
        case .refundDecided(let e): visitor.visit(e)
        case .refundPaid(let e): visitor.visit(e)
        case .refundPrescribed(let e): visitor.visit(e)
        case .debitMandateStarted(let e): visitor.visit(e)
        case .debitApplicationRecorded(let e): visitor.visit(e)
        case .slipReissued(let e): visitor.visit(e)
        case .debitPrepaymentChosen(let e): visitor.visit(e)
        case .debitMandateStopped(let e): visitor.visit(e)
        case .debitRequested(let e): visitor.visit(e)
        case .debitFailed(let e): visitor.visit(e)
        case .conveniencePaymentReported(let e): visitor.visit(e)
        case .pensionDeductionStopped(let e): visitor.visit(e)
        case .unmatchedPaymentRecorded(let e): visitor.visit(e)
        case .unmatchedPaymentResolved(let e): visitor.visit(e)
        case .collectionFileRecorded(let e): visitor.visit(e)
        case .arrearsSettingsAdopted(let e): visitor.visit(e)
        case .arrearsRunRecorded(let e): visitor.visit(e)
        case .reminderIssued(let e): visitor.visit(e)
        case .contactRecorded(let e): visitor.visit(e)
        case .lateFeeFinalized(let e): visitor.visit(e)
        case .reductionDecided(let e): visitor.visit(e)
        case .writtenOff(let e): visitor.visit(e)
        case .installmentPlanRecorded(let e): visitor.visit(e)
        case .seizureRecorded(let e): visitor.visit(e)
        case .enforcementStopped(let e): visitor.visit(e)
        case .collectionDeferred(let e): visitor.visit(e)
        case .fiscalYearClosed(let e): visitor.visit(e)
        case .access(let e): e.visit(visitor)
        case .notice(let e): e.visit(visitor)
        case .counter(let e): e.visit(visitor)
        }
    }

    /// The payload inside, whatever its case.
    public var payload: any EventPayload { visit(Unwrap()) }

    private struct Unwrap: PayloadVisitor {
        func visit<P: EventPayload>(_ payload: P) -> any EventPayload { payload }
    }
}
