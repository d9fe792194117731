import KokiDomain
import KokiEvents

extension WhatIf.Status: StaffLabelled {
    public static let labelDomain = "whatIf"
}

extension AuditEntry.Kind: StaffLabelled {
    public static let labelDomain = "auditKind"
    public var labelName: String { self == .loginFailed ? "loginFailed" : rawValue }
}

/// Every labelled domain type with the names of all its values and the raw names it is stored
/// or typed as: what the tests hold to the standard table (every value has a term) and to the
/// screens (no raw name shows).
public enum LabelCatalog {
    public struct Entry: Sendable {
        public let domain: String
        /// Each value's label name and the raw name it is stored or typed as.
        public let values: [(name: String, raw: String)]
    }

    static func entry<T: StaffLabelled & CaseIterable & RawRepresentable>(_ type: T.Type) -> Entry
    where T.RawValue == String {
        Entry(domain: T.labelDomain, values: T.allCases.map { ($0.labelName, $0.rawValue) })
    }

    static func entry<T: StaffLabelled & CaseIterable>(_ type: T.Type) -> Entry {
        Entry(domain: T.labelDomain, values: T.allCases.map { ($0.labelName, $0.labelName) })
    }

    public static let all: [Entry] = [
        entry(PaymentChannel.self), entry(ContactMethod.self), entry(ContactRecorded.Change.self),
        entry(AcquisitionReason.self), entry(LossReason.self), entry(HouseholdRole.self),
        entry(PersonIdentity.Sex.self), entry(MailRecipient.Role.self), entry(CollectionMethod.self),
        entry(Charge.self), entry(PremiumAssessed.Reason.self), entry(PensionDeduction.Selection.self),
        entry(CopayClass.self), entry(PerCapitaReduction.self), entry(WrittenOff.Reason.self),
        entry(InstallmentPlanRecorded.Change.self), entry(SeizureRecorded.Change.self),
        entry(EnforcementStopped.Reason.self), entry(CollectionDeferred.Change.self),
        entry(CollectionDeferred.Reason.self), entry(LateFee.Relief.Share.self), entry(RefundInterest.Cause.self),
        entry(DebitApplicationRecorded.Change.self), entry(DebitPrepaymentChosen.Change.self),
        entry(PensionSwitchRecorded.Change.self), entry(NoticeKind.self), entry(ApplicantKind.self),
        entry(IdentityDocument.self), entry(ApplicationKind.self), entry(CertificateReason.self),
        entry(Delivery.self), entry(ReturnKind.self), entry(BenefitKind.self), entry(AuditEntry.Kind.self),
        entry(Role.self), entry(OperatorState.self), entry(SessionClosed.Reason.self), entry(LoginFailed.Reason.self),
        entry(WhatIf.Status.self), entry(AccessFunction.self), entry(TransferItem.self), entry(DestinationKind.self),
    ]
}
