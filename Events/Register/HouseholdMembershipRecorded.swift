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

    public var person: PersonID
    public var household: HouseholdID?
    public var role: HouseholdRole
    public var effectiveOn: CivilDate

    public init(person: PersonID, household: HouseholdID?, role: HouseholdRole, effectiveOn: CivilDate) {
        self.person = person
        self.household = household
        self.role = role
        self.effectiveOn = effectiveOn
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeOptional(household) { w, h in w.writeString(h.value) }
        writer.writeBool(role == .householder)
        writer.write(effectiveOn)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        let at = reader.offset
        household = try reader.readOptional { r in
            do { return try HouseholdID(try r.readString()) } catch { throw CodecError.malformed("\(error)", at: at) }
        }
        role = try reader.readBool() ? .householder : .member
        effectiveOn = try reader.readDate()
    }
}
