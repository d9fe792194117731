/// A role an operator holds (役割). Stored by declaration order: add cases at the end.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// 窓口: applications and payments at a counter.
    case counter
    /// 賦課: rate tables, calendars, assessments.
    case assessment
    /// 収納: payments, refunds, bank and convenience-store files.
    case collection
    /// 滞納整理: dunning, reminders, plans, negotiations, write-offs.
    case arrears
    /// 個人番号利用事務: the only role that may record or see My Number.
    case numberUse = "number-use"
    /// Operators, roles, security settings, transfers, erasure; no personal data by default.
    case administrator
    /// Read-only, plus the audit log.
    case auditor

    /// Declaration order, kept once (a synthesized `allCases` builds a new array on every call).
    private static let order = allCases
    public static func < (a: Role, b: Role) -> Bool {
        (order.firstIndex(of: a) ?? 0) < (order.firstIndex(of: b) ?? 0)
    }
}
