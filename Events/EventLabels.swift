import KokiDomain

// The recorded values staff read, each with its key in the labels table (``Labels``).

extension PaymentChannel: StaffLabelled { public static let labelDomain = "channel" }
extension ContactMethod: StaffLabelled { public static let labelDomain = "contactMethod" }
extension ContactRecorded.Change: StaffLabelled { public static let labelDomain = "contactChange" }
extension PremiumAssessed.Reason: StaffLabelled { public static let labelDomain = "assessmentReason" }
extension WrittenOff.Reason: StaffLabelled { public static let labelDomain = "writeOffReason" }
extension InstallmentPlanRecorded.Change: StaffLabelled { public static let labelDomain = "planChange" }
extension SeizureRecorded.Change: StaffLabelled { public static let labelDomain = "seizureChange" }
extension EnforcementStopped.Reason: StaffLabelled { public static let labelDomain = "enforcementReason" }
extension CollectionDeferred.Change: StaffLabelled { public static let labelDomain = "deferralChange" }
extension CollectionDeferred.Reason: StaffLabelled { public static let labelDomain = "deferralReason" }
extension DebitApplicationRecorded.Change: StaffLabelled { public static let labelDomain = "debitApplication" }
extension DebitPrepaymentChosen.Change: StaffLabelled { public static let labelDomain = "prepayment" }
extension PensionSwitchRecorded.Change: StaffLabelled { public static let labelDomain = "pensionSwitch" }
extension NoticeKind: StaffLabelled { public static let labelDomain = "noticeKind" }
extension ApplicantKind: StaffLabelled { public static let labelDomain = "applicantKind" }
extension IdentityDocument: StaffLabelled { public static let labelDomain = "identityDocument" }
extension ApplicationKind: StaffLabelled { public static let labelDomain = "applicationKind" }
extension CertificateReason: StaffLabelled { public static let labelDomain = "certificateReason" }
extension Delivery: StaffLabelled { public static let labelDomain = "delivery" }
extension ReturnKind: StaffLabelled { public static let labelDomain = "returnKind" }
extension BenefitKind: StaffLabelled { public static let labelDomain = "benefitKind" }
extension SessionClosed.Reason: StaffLabelled { public static let labelDomain = "sessionEnd" }
extension LoginFailed.Reason: StaffLabelled { public static let labelDomain = "loginFailure" }
extension TransferItem: StaffLabelled { public static let labelDomain = "transferItem" }
extension DestinationKind: StaffLabelled { public static let labelDomain = "destination" }
