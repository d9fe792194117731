import KokiDomain

/// `OperatorEnrolled` as version 1 stored it, with the operator's scrypt password hash in the
/// event (and so in the chain, every backup and every replay copy). Read only; upcast to the
/// current event with the hash kept aside as ``OperatorEnrolled/recordedPasswordHash``.
public struct OperatorEnrolledV1: EventPayload {
    public static let eventType = "OperatorEnrolled"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            operatorID: c.field(\.operatorID), name: c.field(\.name), roles: c.field(\.roles),
            passwordHash: c.field(\.passwordHash))
    }

    public var operatorID: String
    public var name: String
    public var roles: [Role]
    public var passwordHash: String

    public init(operatorID: String, name: String, roles: [Role], passwordHash: String) {
        (self.operatorID, self.name, self.roles, self.passwordHash) = (operatorID, name, roles, passwordHash)
    }

    enum CodingKeys: String, CodingKey { case operatorID, name, roles }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        operatorID = try c.decode(String.self, forKey: .operatorID)
        name = try c.decode(String.self, forKey: .name)
        roles = try c.decode([Role].self, forKey: .roles)
        passwordHash = ""
    }

    public func upcast() -> OperatorEnrolled {
        OperatorEnrolled(operatorID: operatorID, name: name, roles: roles, recordedPasswordHash: passwordHash)
    }
}

/// `OperatorPasswordSet` as version 1 stored it, with the new password's hash. Read only.
public struct OperatorPasswordSetV1: EventPayload {
    public static let eventType = "OperatorPasswordSet"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(operatorID: c.field(\.operatorID), passwordHash: c.field(\.passwordHash))
    }

    public var operatorID: String
    public var passwordHash: String

    public init(operatorID: String, passwordHash: String) {
        (self.operatorID, self.passwordHash) = (operatorID, passwordHash)
    }

    enum CodingKeys: String, CodingKey { case operatorID }
    public init(from decoder: any Decoder) throws {
        operatorID = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .operatorID)
        passwordHash = ""
    }

    public func upcast() -> OperatorPasswordSet {
        OperatorPasswordSet(operatorID: operatorID, recordedPasswordHash: passwordHash)
    }
}
