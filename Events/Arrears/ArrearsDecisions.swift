import KokiDomain

/// 延滞金を確定した — a period's principal was paid off late: its late fee is final (確定延滞金)
/// and owed like a period of its own. Recorded by the command whose money paid it off.
public struct LateFeeFinalized: EventPayload {
    public static let eventType = "LateFeeFinalized"
    public static let schemaVersion = 1

    public var person: PersonID
    public var key: PeriodKey
    public var fee: Yen
    /// The day the principal was paid off (the last day counted).
    public var paidOffOn: CivilDate
    public var ruleVersion: String

    public init(person: PersonID, key: PeriodKey, fee: Yen, paidOffOn: CivilDate, ruleVersion: String) {
        self.person = person
        self.key = key
        self.fee = fee
        self.paidOffOn = paidOffOn
        self.ruleVersion = ruleVersion
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.write(key)
        writer.write(fee)
        writer.write(paidOffOn)
        writer.writeString(ruleVersion)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        key = try reader.readPeriodKey()
        fee = try reader.readYen()
        paidOffOn = try reader.readDate()
        ruleVersion = try reader.readString()
    }
}

/// 減免を決定した — the union decided a reduction or exemption (高確法 §111): amounts off named
/// periods, the reason and the months covered; optionally the late fees of those periods are
/// waived. A period already paid becomes overpaid (過納), settled like any overpayment.
public struct ReductionDecided: EventPayload {
    public static let eventType = "ReductionDecided"
    public static let schemaVersion = 1

    public struct Part: Sendable, Hashable, Codable {
        public var key: PeriodKey
        public var amount: Yen
        public init(key: PeriodKey, amount: Yen) {
            self.key = key
            self.amount = amount
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
        self.person = person
        self.id = id
        self.appliedOn = appliedOn
        self.decidedOn = decidedOn
        self.reason = reason
        self.coveredFrom = coveredFrom
        self.coveredThrough = coveredThrough
        self.parts = parts
        self.waiveLateFees = waiveLateFees
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeString(id)
        writer.write(appliedOn)
        writer.write(decidedOn)
        writer.writeString(reason)
        writer.write(coveredFrom)
        writer.write(coveredThrough)
        writer.writeArray(parts) { w, p in
            w.write(p.key)
            w.write(p.amount)
        }
        writer.writeBool(waiveLateFees)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        id = try reader.readString()
        appliedOn = try reader.readDate()
        decidedOn = try reader.readDate()
        reason = try reader.readString()
        coveredFrom = try reader.readDate()
        coveredThrough = try reader.readDate()
        parts = try reader.readArray { r in ReductionDecided.Part(key: try r.readPeriodKey(), amount: try r.readYen()) }
        waiveLateFees = try reader.readBool()
    }
}

/// 不納欠損 — what a period still owed (premium and late fee) was written off when the right to
/// collect it expired. The receivable's history stays; money later received for it is an
/// overpayment to refund.
public struct WrittenOff: EventPayload {
    public static let eventType = "WrittenOff"
    public static let schemaVersion = 1

    /// Stored by declaration order: add cases at the end.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// 時効完成.
        case prescription
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
        self.person = person
        self.key = key
        self.premium = premium
        self.lateFee = lateFee
        self.reason = reason
        self.lastDay = lastDay
        self.writtenOffOn = writtenOffOn
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.write(key)
        writer.write(premium)
        writer.write(lateFee)
        writer.writeCase(reason)
        writer.write(lastDay)
        writer.write(writtenOffOn)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        key = try reader.readPeriodKey()
        premium = try reader.readYen()
        lateFee = try reader.readYen()
        reason = try reader.readCase(Reason.self)
        lastDay = try reader.readDate()
        writtenOffOn = try reader.readDate()
    }
}

/// 分納・納付誓約 — an installment plan over chosen periods (and their late fees), with its
/// schedule; or a revision, cancellation, or its breaking (a scheduled payment missed past the
/// grace days). A pledge (納付誓約書) acknowledges the debt, which renews prescription.
public struct InstallmentPlanRecorded: EventPayload {
    public static let eventType = "InstallmentPlanRecorded"
    public static let schemaVersion = 1

    /// Stored by declaration order: add cases at the end.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable {
        case agreed, revised, cancelled, broken, completed
    }

    public struct Scheduled: Sendable, Hashable, Codable {
        public var on: CivilDate
        public var amount: Yen
        public init(on: CivilDate, amount: Yen) {
            self.on = on
            self.amount = amount
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
        self.person = person
        self.id = id
        self.change = change
        self.on = on
        self.periods = periods
        self.includesLateFees = includesLateFees
        self.schedule = schedule
        self.pledge = pledge
        self.reason = reason
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeString(id)
        writer.writeCase(change)
        writer.write(on)
        writer.writeArray(periods) { w, k in w.write(k) }
        writer.writeBool(includesLateFees)
        writer.writeArray(schedule) { w, s in
            w.write(s.on)
            w.write(s.amount)
        }
        writer.writeBool(pledge)
        writer.writeString(reason)
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        id = try reader.readString()
        change = try reader.readCase(Change.self)
        on = try reader.readDate()
        periods = try reader.readArray { r in try r.readPeriodKey() }
        includesLateFees = try reader.readBool()
        schedule = try reader.readArray { r in Scheduled(on: try r.readDate(), amount: try r.readYen()) }
        pledge = try reader.readBool()
        reason = try reader.readString()
    }
}

/// 差押 — a seizure (滞納処分) for named periods began or ended: prescription cannot complete
/// while it is pending, and runs anew from its end (完成猶予 and 更新).
public struct SeizureRecorded: EventPayload {
    public static let eventType = "SeizureRecorded"
    public static let schemaVersion = 1

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
        self.person = person
        self.id = id
        self.change = change
        self.on = on
        self.periods = periods
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.writeString(id)
        writer.writeCase(change)
        writer.write(on)
        writer.writeArray(periods) { w, k in w.write(k) }
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        id = try reader.readString()
        change = try reader.readCase(Change.self)
        on = try reader.readDate()
        periods = try reader.readArray { r in try r.readPeriodKey() }
    }
}

/// 出納閉鎖 — a fiscal year's cash accounts closed (31 May of the next year): its periods still
/// unpaid are carried-forward arrears (滞納繰越) of the new year. Stream `runs/closing`.
public struct FiscalYearClosed: EventPayload {
    public static let eventType = "FiscalYearClosed"
    public static let schemaVersion = 1
    public static let streamName = "runs/closing"

    public var fiscalYear: FiscalYear
    public var closedOn: CivilDate
    /// Per fiscal year of the periods (this year and older arrears): how much is carried forward.
    public var carried: [Carried]

    public struct Carried: Sendable, Hashable, Codable {
        public var fiscalYear: FiscalYear
        public var persons: Int
        public var periods: Int
        public var amount: Yen
        public init(fiscalYear: FiscalYear, persons: Int, periods: Int, amount: Yen) {
            self.fiscalYear = fiscalYear
            self.persons = persons
            self.periods = periods
            self.amount = amount
        }
    }

    public init(fiscalYear: FiscalYear, closedOn: CivilDate, carried: [Carried]) {
        self.fiscalYear = fiscalYear
        self.closedOn = closedOn
        self.carried = carried
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(fiscalYear)
        writer.write(closedOn)
        writer.writeArray(carried) { w, c in
            w.write(c.fiscalYear)
            w.writeInt(c.persons)
            w.writeInt(c.periods)
            w.write(c.amount)
        }
    }

    public init(from reader: inout BinaryReader) throws {
        fiscalYear = try reader.readFiscalYear()
        closedOn = try reader.readDate()
        carried = try reader.readArray { r in
            Carried(
                fiscalYear: try r.readFiscalYear(), persons: try r.readInt(), periods: try r.readInt(),
                amount: try r.readYen())
        }
    }
}
