/// An operator's state. Only an active operator can log in or act.
public enum OperatorState: String, Sendable, Hashable, Codable, CaseIterable {
    case active, suspended, revoked
    /// Locked by too many failed logins; an administrator unlocks.
    case locked
}
