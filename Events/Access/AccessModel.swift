import KokiDomain

/// A role an operator holds (役割). Stored by declaration order: add cases at the end.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable, StoredCase {
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

    public static let storedCases = allCases
    public static func < (a: Role, b: Role) -> Bool {
        storedCases.firstIndex(of: a)! < storedCases.firstIndex(of: b)!
    }
}

/// What a command does, as the permission matrix names it (業務機能). Every `koki` command that
/// opens a ledger names exactly one. Stored by declaration order: add cases at the end.
public enum AccessFunction: String, Sendable, Hashable, Codable, CaseIterable, Comparable, StoredCase {
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

    public static let storedCases = allCases
    public static func < (a: AccessFunction, b: AccessFunction) -> Bool {
        storedCases.firstIndex(of: a)! < storedCases.firstIndex(of: b)!
    }
}

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

/// The city's security settings (`config/security`). The figures are the city's to choose
/// (none of them is set by law); missing JSON keys take the defaults.
public struct SecuritySettings: Sendable, Hashable, Codable {
    /// Consecutive failed logins that lock an operator until an administrator unlocks them.
    public var maxFailedLogins: Int = 5
    /// A session ends after this many minutes without a command.
    public var idleMinutes: Int = 30
    /// … and this many hours after login, whatever happens.
    public var sessionHours: Int = 10
    /// Terminals allowed to log in (empty: any terminal).
    public var terminals: [String] = []
    /// scrypt cost: N = 2^passwordCost (memory 128 × 8 × N bytes: 17 → 128 MiB). At least 14.
    public var passwordCost: Int = 17
    /// Years after a person's last eligibility ended (with nothing owed or refundable) before
    /// their personal data is erased. Unconfirmed: the city's retention rules decide.
    public var retentionYears: Int = 5
    /// Office hours in Japan time, minutes after midnight (8:30–17:15), for the yearly review.
    public var officeOpensMinute: Int = 510
    public var officeClosesMinute: Int = 1035
    /// The commands whose changes take effect only through an application confirmed by a second
    /// operator (入力者以外の者による確認): the command's words, and optionally `--option` when only
    /// its use needs the check (`refund pay --heir`). Empty: no command needs one.
    public var secondCheck: [String] = SecuritySettings.standardSecondCheck

    /// What changes what the city records from a counter's application: eligibility, household,
    /// income declarations, bank-debit mandates, reductions, refunds to an heir.
    public static let standardSecondCheck = [
        "person register", "person correct", "person link", "household set", "household leave",
        "eligibility acquire", "eligibility lose", "eligibility address-exception start",
        "eligibility address-exception end", "eligibility former-dependant", "income record", "debit start",
        "debit stop", "reduction decide", "refund pay --heir",
    ]

    public init() {}

    /// The second-check rule that covers a command (its words, then its arguments), if any.
    public func secondCheckRule(command: String, arguments: [String]) -> String? {
        secondCheck.first { rule in
            var words = rule.split(separator: " ").map(String.init)
            let option = words.last.flatMap { $0.hasPrefix("--") ? $0 : nil }
            if option != nil { words.removeLast() }
            guard words.joined(separator: " ") == command else { return false }
            guard let option else { return true }
            return arguments.contains { $0 == option || $0.hasPrefix(option + "=") }
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SecuritySettings()
        maxFailedLogins = try c.decodeIfPresent(Int.self, forKey: .maxFailedLogins) ?? d.maxFailedLogins
        idleMinutes = try c.decodeIfPresent(Int.self, forKey: .idleMinutes) ?? d.idleMinutes
        sessionHours = try c.decodeIfPresent(Int.self, forKey: .sessionHours) ?? d.sessionHours
        terminals = try c.decodeIfPresent([String].self, forKey: .terminals) ?? d.terminals
        passwordCost = try c.decodeIfPresent(Int.self, forKey: .passwordCost) ?? d.passwordCost
        retentionYears = try c.decodeIfPresent(Int.self, forKey: .retentionYears) ?? d.retentionYears
        officeOpensMinute = try c.decodeIfPresent(Int.self, forKey: .officeOpensMinute) ?? d.officeOpensMinute
        officeClosesMinute = try c.decodeIfPresent(Int.self, forKey: .officeClosesMinute) ?? d.officeClosesMinute
        secondCheck = try c.decodeIfPresent([String].self, forKey: .secondCheck) ?? d.secondCheck
    }

    /// What is wrong with these settings, or `nil`.
    public var problem: String? {
        if !(1...100).contains(maxFailedLogins) { return "maxFailedLogins \(maxFailedLogins) must be 1…100" }
        if !(1...1440).contains(idleMinutes) { return "idleMinutes \(idleMinutes) must be 1…1440" }
        if !(1...168).contains(sessionHours) { return "sessionHours \(sessionHours) must be 1…168" }
        if !(14...22).contains(passwordCost) { return "passwordCost \(passwordCost) must be 14…22" }
        if !(1...100).contains(retentionYears) { return "retentionYears \(retentionYears) must be 1…100" }
        if !(0..<officeClosesMinute).contains(officeOpensMinute) || officeClosesMinute > 1440 {
            return "office hours \(officeOpensMinute)–\(officeClosesMinute) are not minutes of one day"
        }
        if let rule = secondCheck.first(where: { $0.split(separator: " ").isEmpty || $0.hasPrefix("--") }) {
            return "secondCheck rule '\(rule)' names no command"
        }
        return nil
    }
}

/// An operator's state. Only an active operator can log in or act.
public enum OperatorState: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    case active, suspended, revoked
    /// Locked by too many failed logins; an administrator unlocks.
    case locked
    public static let storedCases = allCases
}
