import KokiDomain

/// Version 1 of ``LoginFailed``: without the source. Its failures were counted per operator, and
/// the last one allowed locked the operator everywhere (recorded as an ``OperatorStateChanged``).
public struct LoginFailedV1: EventPayload {
    public static let eventType = "LoginFailed"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(operatorID: c.field(\.operatorID), terminal: c.field(\.terminal), reason: c.field(\.reason))
    }

    public var operatorID: String
    public var terminal: String
    public var reason: LoginFailed.Reason

    public init(operatorID: String, terminal: String, reason: LoginFailed.Reason) {
        (self.operatorID, self.terminal, self.reason) = (operatorID, terminal, reason)
    }
}

extension LoginFailedV1 {
    /// The terminal was the only source known; no source was locked by it (a lock then was the
    /// operator's, recorded on its own).
    public func upcast() -> LoginFailed {
        LoginFailed(operatorID: operatorID, terminal: terminal, reason: reason, source: terminal, sourceLocked: false)
    }
}
