/// Why a person became insured (資格取得事由, 高確法 §50–§52).
///
/// Stored by declaration order: add new cases at the end, never reorder.
public enum AcquisitionReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Reached 75 while resident in the prefecture: insured from the 75th birthday itself.
    case reachedAge75
    /// Aged 65–74 with a disability certified by the union (障害認定), on application: insured
    /// from the certification date.
    case disabilityCertified
    /// Moved into the prefecture already eligible (県外から転入): insured from the move-in date.
    case movedIntoPrefecture
    /// Stopped receiving public assistance (生活保護廃止, 適用除外の終了): insured from that date.
    case welfareEnded
}

/// Why a person stopped being insured (資格喪失事由, 高確法 §53).
///
/// Stored by declaration order: add new cases at the end, never reorder.
public enum LossReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Death: lost the day after (死亡日の翌日).
    case died
    /// Moved out of the prefecture: lost the day after, or the same day when an address in
    /// another union's area is taken that day (§53 proviso — the ordinary direct move).
    case leftPrefecture
    /// Started receiving public assistance (適用除外に該当): lost that same day.
    case welfareStarted
    /// A 65–74 disability-certified person no longer meets the condition: lost the day after.
    case disabilityConditionEnded
    /// A 65–74 disability-certified person withdrew (撤回): lost on the date withdrawn, which
    /// cannot be earlier than the day the withdrawal is recorded (no retroactive withdrawal).
    case disabilityWithdrawn
}

/// The legal rules of eligibility dates, as pure functions of their facts.
///
/// Sources: `shared/domain/premiums-and-eligibility.md` §1.1–§1.2 (高確法 §50, §53).
public enum EligibilityRules {
    /// The youngest age at which anyone can be insured (disability certification).
    public static let minimumAge = 65
    /// The age from which every resident is insured.
    public static let generalAge = 75

    /// The first day of eligibility for an acquisition reason and its event date.
    ///
    /// Every reason takes effect on its event date: the 75th birthday itself, the
    /// certification date, the move-in date, the day assistance ended.
    public static func acquisitionDate(_ reason: AcquisitionReason, eventDate: CivilDate) -> CivilDate {
        switch reason {
        case .reachedAge75, .disabilityCertified, .movedIntoPrefecture, .welfareEnded: eventDate
        }
    }

    /// The loss date (資格喪失日) — the first day no longer insured — for a reason and the date
    /// of its event (the day of death, of the move, of the start of assistance).
    public static func lossDate(_ reason: LossReason, eventDate: CivilDate, addressElsewhereSameDay: Bool = false)
        -> CivilDate
    {
        switch reason {
        case .died, .disabilityConditionEnded: eventDate.adding(days: 1)
        case .leftPrefecture: addressElsewhereSameDay ? eventDate : eventDate.adding(days: 1)
        case .welfareStarted, .disabilityWithdrawn: eventDate
        }
    }

    /// Checks an acquisition against the person's age; returns why it is refused, or `nil`.
    public static func refusal(
        acquiring reason: AcquisitionReason, on date: CivilDate, birthDate: CivilDate
    ) -> String? {
        let age = birthDate.age(on: date)
        switch reason {
        case .reachedAge75:
            let birthday = birthDate.reaching(age: generalAge)
            guard date == birthday else {
                return "the 75th birthday of a person born \(birthDate) is \(birthday), not \(date)"
            }
            return nil
        case .disabilityCertified:
            guard (minimumAge..<generalAge).contains(age) else {
                return "disability certification applies from 65 to 74; the person is \(age) on \(date)"
            }
            return nil
        case .movedIntoPrefecture, .welfareEnded:
            guard age >= minimumAge else {
                return "a person aged \(age) on \(date) cannot be insured (under 65)"
            }
            if age < generalAge {
                return "a person aged \(age) on \(date) is insured before 75 only by disability certification"
            }
            return nil
        }
    }
}
