/// Which functions each role may use: data recorded in the ledger (`config/permissions`),
/// changed only by an administrator. An operator may use a function when any of their roles may.
public struct PermissionMatrix: Sendable, Hashable, Codable {
    public var grants: [Role: Set<AccessFunction>]

    public init(grants: [Role: Set<AccessFunction>]) { self.grants = grants }

    public func allows(_ roles: some Sequence<Role>, _ function: AccessFunction) -> Bool {
        roles.contains { grants[$0]?.contains(function) ?? false }
    }

    /// The matrix `koki init` records; see the README's table.
    public static let standard: PermissionMatrix = {
        let reads: Set<AccessFunction> = [
            .registerRead, .assessmentRead, .collectionRead, .arrearsRead, .counterRead,
        ]
        return PermissionMatrix(grants: [
            .counter: reads.union([.registerWrite, .collectionWrite, .counterWrite]),
            .assessment: reads.union([.assessmentWrite]),
            .collection: reads.union([.collectionWrite]),
            .arrears: reads.union([.arrearsWrite, .collectionWrite]),
            .numberUse: [.registerRead, .numberUse],
            .administrator: [.securityAdmin, .transfer, .erasure, .ledgerInspect, .ledgerMaintain],
            .auditor: reads.union([.ledgerInspect, .auditRead]),
        ])
    }()

    // JSON as {"counter": ["register.read", …], …} with sorted keys.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: [String]].self)
        var grants: [Role: Set<AccessFunction>] = [:]
        for (role, functions) in raw {
            guard let r = Role(rawValue: role) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "no role \(role)"))
            }
            grants[r] = Set(
                try functions.map { name in
                    guard let f = AccessFunction(rawValue: name) else {
                        throw DecodingError.dataCorrupted(
                            .init(codingPath: decoder.codingPath, debugDescription: "no function \(name)"))
                    }
                    return f
                })
        }
        self.grants = grants
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(
            Dictionary(uniqueKeysWithValues: grants.map { ($0.key.rawValue, $0.value.sorted().map(\.rawValue)) }))
    }
}
