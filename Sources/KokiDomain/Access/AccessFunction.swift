/// What a command does, as the permission matrix names it (業務機能). Every `koki` command that
/// opens a ledger names exactly one. Stored by declaration order: add cases at the end.
public enum AccessFunction: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case registerRead = "register.read"
    case registerWrite = "register.write"
    case assessmentRead = "assessment.read"
    case assessmentWrite = "assessment.write"
    case collectionRead = "collection.read"
    case collectionWrite = "collection.write"
    case arrearsRead = "arrears.read"
    case arrearsWrite = "arrears.write"
    /// Record, show or look up a My Number (個人番号利用事務).
    case numberUse = "number.use"
    /// Events, streams, head, verify, replay, balances of the whole city.
    case ledgerInspect = "ledger.inspect"
    /// Rebuilding read models, replay copies, test commands.
    case ledgerMaintain = "ledger.maintain"
    /// The audit log and the yearly review.
    case auditRead = "audit.read"
    /// Operators, the permission matrix, the security settings.
    case securityAdmin = "security.admin"
    /// Registering transfer destinations and writing transfer files (移転).
    case transfer = "transfer"
    /// Erasing persons after retention.
    case erasure = "erasure"
    /// Applications, certificates and benefit applications: lists and a person's (窓口照会).
    case counterRead = "counter.read"
    /// Receiving applications, the second check, issuing and taking back certificates, benefit
    /// applications and the union's decisions (窓口).
    case counterWrite = "counter.write"

    /// Declaration order, kept once (a synthesized `allCases` builds a new array on every call).
    private static let order = allCases
    public static func < (a: AccessFunction, b: AccessFunction) -> Bool {
        (order.firstIndex(of: a) ?? 0) < (order.firstIndex(of: b) ?? 0)
    }
}
