import KokiDomain

/// 世帯異動を記録した — from `effectiveOn`, the person belongs to a household in a role, or to
/// none (`household == nil`: left the register's households, e.g. moved away).
///
/// Joining, leaving and a change of householder are all this one fact, effective-dated. A fact
/// recorded later with an earlier date (a correction, a late notification) takes its place in
/// the timeline by its effective date; two facts for the same date: the later recorded wins.
public struct HouseholdMembershipRecorded: EventPayload {
    public static let eventType = "HouseholdMembershipRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), household: c.field(\.household), role: c.field(\.role),
            effectiveOn: c.field(\.effectiveOn))
    }

    public var person: PersonID
    public var household: HouseholdID?
    public var role: HouseholdRole
    public var effectiveOn: CivilDate

    public init(person: PersonID, household: HouseholdID?, role: HouseholdRole, effectiveOn: CivilDate) {
        (self.person, self.household, self.role, self.effectiveOn) = (person, household, role, effectiveOn)
    }
}
