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
    /// income declarations, bank-debit mandates, reductions, refunds to an heir, who receives the
    /// mail, deferments (徴収猶予).
    public static let standardSecondCheck = [
        "person register", "person correct", "person link", "household set", "household leave",
        "eligibility acquire", "eligibility lose", "eligibility address-exception start",
        "eligibility address-exception end", "eligibility former-dependant", "income record", "debit apply", "debit prepay", "debit start",
        "debit stop", "reduction decide", "refund pay --heir", "mail set", "mail end", "deferral grant",
        "deferral extend", "pension switch",
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
