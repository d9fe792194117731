import KokiDomain

/// 延滞金を確定した — a period's principal was paid off late: its late fee is final (確定延滞金)
/// and owed like a period of its own. Recorded by the command whose money paid it off.
public struct LateFeeFinalized: EventPayload {
    public static let eventType = "LateFeeFinalized"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), key: c.field(\.key), fee: c.field(\.fee), paidOffOn: c.field(\.paidOffOn),
            ruleVersion: c.field(\.ruleVersion))
    }

    public var person: PersonID
    public var key: PeriodKey
    public var fee: Yen
    /// The day the principal was paid off (the last day counted).
    public var paidOffOn: CivilDate
    public var ruleVersion: String

    public init(person: PersonID, key: PeriodKey, fee: Yen, paidOffOn: CivilDate, ruleVersion: String) {
        (self.person, self.key, self.fee, self.paidOffOn, self.ruleVersion) = (person, key, fee, paidOffOn, ruleVersion)
    }
}

/// 減免を決定した — the union decided a reduction or exemption (高確法 §111): amounts off named
/// periods, the reason and the months covered; optionally the late fees of those periods are
/// waived. A period already paid becomes overpaid (過納), settled like any overpayment.
public struct ReductionDecided: EventPayload {
    public static let eventType = "ReductionDecided"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), appliedOn: c.field(\.appliedOn),
            decidedOn: c.field(\.decidedOn), reason: c.field(\.reason), coveredFrom: c.field(\.coveredFrom),
            coveredThrough: c.field(\.coveredThrough), parts: c.field(\.parts), waiveLateFees: c.field(\.waiveLateFees))
    }

    public struct Part: Sendable, Hashable, Codable, BinaryRecord {
        public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
            try Self(key: c.field(\.key), amount: c.field(\.amount))
        }

        public var key: PeriodKey
        public var amount: Yen
        public init(key: PeriodKey, amount: Yen) {
            (self.key, self.amount) = (key, amount)
        }
    }

    public var person: PersonID
    public var id: String
    public var appliedOn: CivilDate
    public var decidedOn: CivilDate
    public var reason: String
    public var coveredFrom: CivilDate
    public var coveredThrough: CivilDate
    public var parts: [Part]
    public var waiveLateFees: Bool

    public init(
        person: PersonID, id: String, appliedOn: CivilDate, decidedOn: CivilDate, reason: String,
        coveredFrom: CivilDate, coveredThrough: CivilDate, parts: [Part], waiveLateFees: Bool
    ) {
        (self.person, self.id, self.appliedOn, self.decidedOn, self.reason) = (person, id, appliedOn, decidedOn, reason)
        (self.coveredFrom, self.coveredThrough, self.parts) = (coveredFrom, coveredThrough, parts)
        self.waiveLateFees = waiveLateFees
    }
}

/// 不納欠損 — what a period still owed (premium and late fee) was written off when the right to
/// collect it expired. The receivable's history stays; money later received for it is an
/// overpayment to refund.
public struct WrittenOff: EventPayload {
    public static let eventType = "WrittenOff"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), key: c.field(\.key), premium: c.field(\.premium), lateFee: c.field(\.lateFee),
            reason: c.field(\.reason), lastDay: c.field(\.lastDay), writtenOffOn: c.field(\.writtenOffOn))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// 時効完成.
        case prescription
        /// 執行停止 for three years, or at once where nothing can be collected (地方税法 第15条の7).
        case enforcementStopped
    }

    public var person: PersonID
    public var key: PeriodKey
    public var premium: Yen
    public var lateFee: Yen
    public var reason: Reason
    /// The last day the right existed.
    public var lastDay: CivilDate
    public var writtenOffOn: CivilDate

    public init(
        person: PersonID, key: PeriodKey, premium: Yen, lateFee: Yen, reason: Reason, lastDay: CivilDate,
        writtenOffOn: CivilDate
    ) {
        (self.person, self.key, self.premium, self.lateFee, self.reason) = (person, key, premium, lateFee, reason)
        (self.lastDay, self.writtenOffOn) = (lastDay, writtenOffOn)
    }
}

/// 分納・納付誓約 — an installment plan over chosen periods (and their late fees), with its
/// schedule; or a revision, cancellation, or its breaking (a scheduled payment missed past the
/// grace days). A pledge (納付誓約書) acknowledges the debt, which renews prescription.
public struct InstallmentPlanRecorded: EventPayload {
    public static let eventType = "InstallmentPlanRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), change: c.field(\.change), on: c.field(\.on),
            periods: c.field(\.periods), includesLateFees: c.field(\.includesLateFees), schedule: c.field(\.schedule),
            pledge: c.field(\.pledge), reason: c.field(\.reason))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable {
        case agreed, revised, cancelled, broken, completed

        /// Whether a plan whose last record is this one is in force (agreed or revised).
        public var leavesInForce: Bool { self == .agreed || self == .revised }
    }

    public struct Scheduled: Sendable, Hashable, Codable, BinaryRecord {
        public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
            try Self(on: c.field(\.on), amount: c.field(\.amount))
        }

        public var on: CivilDate
        public var amount: Yen
        public init(on: CivilDate, amount: Yen) {
            (self.on, self.amount) = (on, amount)
        }
    }

    public var person: PersonID
    public var id: String
    public var change: Change
    public var on: CivilDate
    public var periods: [PeriodKey]
    public var includesLateFees: Bool
    public var schedule: [Scheduled]
    public var pledge: Bool
    public var reason: String

    public init(
        person: PersonID, id: String, change: Change, on: CivilDate, periods: [PeriodKey], includesLateFees: Bool,
        schedule: [Scheduled], pledge: Bool, reason: String
    ) {
        (self.person, self.id, self.change, self.on, self.periods) = (person, id, change, on, periods)
        (self.includesLateFees, self.schedule, self.pledge, self.reason) = (includesLateFees, schedule, pledge, reason)
    }
}

/// 差押 — a seizure (滞納処分) for named periods began or ended: prescription cannot complete
/// while it is pending, and runs anew from its end (完成猶予 and 更新).
public struct SeizureRecorded: EventPayload {
    public static let eventType = "SeizureRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), change: c.field(\.change), on: c.field(\.on),
            periods: c.field(\.periods))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable {
        case started, ended
    }

    public var person: PersonID
    public var id: String
    public var change: Change
    public var on: CivilDate
    public var periods: [PeriodKey]

    public init(person: PersonID, id: String, change: Change, on: CivilDate, periods: [PeriodKey]) {
        (self.person, self.id, self.change, self.on, self.periods) = (person, id, change, on, periods)
    }
}

/// 滞納処分の執行停止 (地方税法 第15条の7, applied to premiums by 地方自治法 第231条の3 第3項) — the
/// city stops enforcement on periods for a reason the law names (no property to seize; seizing
/// would endanger the person's livelihood; neither address nor property known), or ends a stop
/// (`ended`: property found, 取消). A stop that lasts three years extinguishes what the periods
/// owe (第4項); with `atOnce`, where nothing can clearly ever be collected, it is extinguished at
/// once (第5項). The prescription run records the write-off (`WrittenOff`, reason
/// `enforcementStopped`).
public struct EnforcementStopped: EventPayload {
    public static let eventType = "EnforcementStopped"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), change: c.field(\.change), on: c.field(\.on),
            periods: c.field(\.periods), reason: c.field(\.reason), atOnce: c.field(\.atOnce))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
        /// 第1項第1号: no property to seize.
        case noProperty = "no-property"
        /// 第1項第2号: seizing would endanger the person's livelihood.
        case hardship
        /// 第1項第3号: neither address nor property known.
        case unknownWhereabouts = "unknown-whereabouts"
        public static let storedCases = allCases
    }

    public var person: PersonID
    public var id: String
    public var change: SeizureRecorded.Change
    public var on: CivilDate
    public var periods: [PeriodKey]
    public var reason: Reason
    /// Extinguished at once (第5項): nothing can ever be collected.
    public var atOnce: Bool

    public init(
        person: PersonID, id: String, change: SeizureRecorded.Change, on: CivilDate, periods: [PeriodKey],
        reason: Reason, atOnce: Bool
    ) {
        (self.person, self.id, self.change, self.on, self.periods) = (person, id, change, on, periods)
        (self.reason, self.atOnce) = (reason, atOnce)
    }

    /// The day the stop extinguishes what its periods owe, unless it ends before.
    public var extinguishesOn: CivilDate {
        if atOnce { return on }
        // Three years on (a stop from 29 February runs to 1 March).
        return (try? CivilDate(year: on.year + 3, month: on.month, day: on.day))
            ?? (try? CivilDate(year: on.year + 3, month: 3, day: 1)) ?? on.adding(days: 1096)
    }
}

/// 徴収猶予 (地方税法 第15条, applied to premiums by 高確法 第111条 and the union's ordinance) — the
/// city defers collection of periods for a reason the law names, over days `from`…`through`:
/// no new 督促 or 滞納処分 on them meanwhile (第15条の2の3), the late fee of those days halved
/// (第15条の9 第1項) or, where the ordinance says so, waived, and prescription not running. An
/// extension (`extended`) moves `through` later; an end (`ended`: 取消, the person can pay) makes
/// the day before it the last deferred day. Each event states the deferment as it then stands.
public struct CollectionDeferred: EventPayload {
    public static let eventType = "CollectionDeferred"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            person: c.field(\.person), id: c.field(\.id), change: c.field(\.change), on: c.field(\.on),
            periods: c.field(\.periods), from: c.field(\.from), through: c.field(\.through),
            reason: c.field(\.reason), relief: c.field(\.relief))
    }

    /// Stored by declaration order: add cases at the end.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
        case granted, extended, ended
        public static let storedCases = allCases
    }

    /// 地方税法 第15条 第1項 第1号–第5号 and 第2項. Stored by declaration order: add cases at the end.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
        /// 第1号: earthquake, storm, flood, fire or another disaster, or theft.
        case disaster
        /// 第2号: illness or injury of the person or a relative living on the same means.
        case illness
        /// 第3号: the person's business closed or suspended.
        case businessClosed = "business-closed"
        /// 第4号: the person's business suffered a heavy loss.
        case businessLoss = "business-loss"
        /// 第5号: a fact like those above.
        case similar
        /// 第2項: assessed more than a year after it could have been, and cannot be paid at once.
        case lateAssessment = "late-assessment"
        public static let storedCases = allCases
    }

    public var person: PersonID
    public var id: String
    public var change: Change
    /// The day decided.
    public var on: CivilDate
    public var periods: [PeriodKey]
    /// The first and last days deferred (after an `ended`, the day before it; none when it ended
    /// on its first day).
    public var from: CivilDate
    public var through: CivilDate
    public var reason: Reason
    public var relief: LateFee.Relief.Share

    public init(
        person: PersonID, id: String, change: Change, on: CivilDate, periods: [PeriodKey], from: CivilDate,
        through: CivilDate, reason: Reason, relief: LateFee.Relief.Share
    ) {
        (self.person, self.id, self.change, self.on, self.periods) = (person, id, change, on, periods)
        (self.from, self.through, self.reason, self.relief) = (from, through, reason, relief)
    }

    /// The days deferred, if any.
    public var days: ClosedRange<CivilDate>? { from <= through ? from...through : nil }
}

/// 出納閉鎖 — a fiscal year's cash accounts closed (31 May of the next year): its periods still
/// unpaid are carried-forward arrears (滞納繰越) of the new year. Stream `runs/closing`.
public struct FiscalYearClosed: EventPayload {
    public static let eventType = "FiscalYearClosed"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(fiscalYear: c.field(\.fiscalYear), closedOn: c.field(\.closedOn), carried: c.field(\.carried))
    }

    public static let streamName = "runs/closing"

    public var fiscalYear: FiscalYear
    public var closedOn: CivilDate
    /// Per fiscal year of the periods (this year and older arrears): how much is carried forward.
    public var carried: [Carried]

    public struct Carried: Sendable, Hashable, Codable, BinaryRecord {
        public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
            try Self(
                fiscalYear: c.field(\.fiscalYear), persons: c.field(\.persons), periods: c.field(\.periods),
                amount: c.field(\.amount))
        }

        public var fiscalYear: FiscalYear
        public var persons: Int
        public var periods: Int
        public var amount: Yen
        public init(fiscalYear: FiscalYear, persons: Int, periods: Int, amount: Yen) {
            (self.fiscalYear, self.persons, self.periods, self.amount) = (fiscalYear, persons, periods, amount)
        }
    }

    public init(fiscalYear: FiscalYear, closedOn: CivilDate, carried: [Carried]) {
        (self.fiscalYear, self.closedOn, self.carried) = (fiscalYear, closedOn, carried)
    }
}
