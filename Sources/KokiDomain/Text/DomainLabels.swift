// The domain's values staff read, each with its key in the labels table (``Labels``).

extension AcquisitionReason: StaffLabelled { public static let labelDomain = "acquisition" }
extension LossReason: StaffLabelled { public static let labelDomain = "loss" }
extension HouseholdRole: StaffLabelled { public static let labelDomain = "householdRole" }
extension PersonIdentity.Sex: StaffLabelled { public static let labelDomain = "sex" }
extension MailRecipient.Role: StaffLabelled {
    public static let labelDomain = "mailRole"
    public var labelName: String {
        switch self {
        case .mailingAddress: "mailingAddress"
        case .agent: "agent"
        case .heirRepresentative: "heirRepresentative"
        }
    }
}
extension CollectionMethod: StaffLabelled { public static let labelDomain = "collectionMethod" }
extension Charge: StaffLabelled { public static let labelDomain = "charge" }
extension PensionDeduction.Selection: StaffLabelled { public static let labelDomain = "pensionSelection" }
extension CopayClass: StaffLabelled {
    public static let labelDomain = "copayClass"
    public var labelName: String {
        switch self {
        case .one: "one"
        case .two: "two"
        case .three: "three"
        }
    }
}
extension PerCapitaReduction: StaffLabelled {
    public static let labelDomain = "perCapitaReduction"
    public var labelName: String {
        switch self {
        case .none: "none"
        case .twoTenths: "twoTenths"
        case .fiveTenths: "fiveTenths"
        case .sevenTenths: "sevenTenths"
        }
    }
}
extension LateFee.Relief.Share: StaffLabelled { public static let labelDomain = "lateFeeShare" }
extension RefundInterest.Cause: StaffLabelled { public static let labelDomain = "refundCause" }
extension Role: StaffLabelled {
    public static let labelDomain = "role"
    public var labelName: String { self == .numberUse ? "numberUse" : rawValue }
}
extension OperatorState: StaffLabelled { public static let labelDomain = "operatorState" }
extension AccessFunction: StaffLabelled {
    public static let labelDomain = "function"
    /// `register.read` → `registerRead`.
    public var labelName: String { Labels.camelCased(rawValue.split(separator: ".").joined(separator: "-")) }
}
