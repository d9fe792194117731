import KokiDomain

/// Version 1 of ``LoginFailed``: without the source. Its failures were counted per operator, and
/// the last one allowed locked the operator everywhere (recorded as an ``OperatorStateChanged``).
public struct LoginFailedV1: EventPayload {
    public static let eventType = "LoginFailed"
    public static let schemaVersion = 1

    public var operatorID: String
    public var terminal: String
    public var reason: LoginFailed.Reason

    public init(operatorID: String, terminal: String, reason: LoginFailed.Reason) {
        self.operatorID = operatorID
        self.terminal = terminal
        self.reason = reason
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.writeString(operatorID)
        writer.writeString(terminal)
        writer.writeCase(reason)
    }

    public init(from reader: inout BinaryReader) throws {
        operatorID = try reader.readString()
        terminal = try reader.readString()
        reason = try reader.readCase(LoginFailed.Reason.self)
    }
}

extension LoginFailedV1 {
    /// The terminal was the only source known; no source was locked by it (a lock then was the
    /// operator's, recorded on its own).
    public func upcast() -> LoginFailed {
        LoginFailed(operatorID: operatorID, terminal: terminal, reason: reason, source: terminal, sourceLocked: false)
    }
}
