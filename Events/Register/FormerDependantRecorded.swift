import KokiDomain

/// 旧被扶養者であることを記録した — on the day before joining, the person was a dependant of an
/// employee's health insurance (被用者保険の被扶養者), which entitles them to the premium
/// reduction for former dependants (premiums-and-eligibility.md §1.4, §3.2).
public struct FormerDependantRecorded: EventPayload {
    public static let eventType = "FormerDependantRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(person: c.field(\.person), insurer: c.field(\.insurer), dependantUntil: c.field(\.dependantUntil))
    }

    public var person: PersonID
    /// The employee insurer (協会けんぽ, a 健康保険組合, a 共済組合, 船員保険), as reported.
    public var insurer: String
    /// The last day the person was a dependant (the day before joining).
    public var dependantUntil: CivilDate

    public init(person: PersonID, insurer: String, dependantUntil: CivilDate) {
        (self.person, self.insurer, self.dependantUntil) = (person, insurer, dependantUntil)
    }
}
