import KokiDomain
import KokiEvents

/// The register's state in the event codec's binary form, so a stored read model can keep each
/// person's entry and a city-wide question reads the entries instead of folding every event.
///
/// A person's entry is a function of their own stream: every event ``InsuredRegister/apply(_:)``
/// reads is recorded on the stream of the person it names (a former number's link on the current
/// number's). The register's two indexes — former numbers and everyone ever in a household — are
/// derived from the entries again (``InsuredRegister/init(entries:)``).
extension InsuredRegister {
    /// The event types ``apply(_:)`` reads; every other event leaves the register as it is.
    public static let eventTypes: Set<String> = [
        PersonRegistered.eventType, PersonIdentityCorrected.eventType, HouseholdMembershipRecorded.eventType,
        EligibilityAcquired.eventType, EligibilityLost.eventType, AddressExceptionStarted.eventType,
        AddressExceptionEnded.eventType, FormerDependantRecorded.eventType, IncomeRecorded.eventType,
        PersonNumbersLinked.eventType, PensionFactsRecorded.eventType, ProvisionalDeductionDecided.eventType,
        PensionSwitchRecorded.eventType, PensionDeductionNotified.eventType, MyNumberRecorded.eventType,
        PersonErased.eventType, MailRecipientRecorded.eventType, UnionDecisionRecorded.eventType,
        NetworkInquirySent.eventType,
    ]

    /// The version of a stored entry's form: the register's logic, the entry's layout, and the
    /// schema version of every payload an entry keeps. A payload given a new version (whose
    /// layout changes) changes it, so a table of entries written before is never read again.
    public static var storedVersion: Int {
        // FNV-1a over the kept payloads' types and versions: stable across processes and builds.
        let kept: [(String, Int)] = [
            (EligibilityAcquired.eventType, EligibilityAcquired.schemaVersion),
            (EligibilityLost.eventType, EligibilityLost.schemaVersion),
            (FormerDependantRecorded.eventType, FormerDependantRecorded.schemaVersion),
            (IncomeRecorded.eventType, IncomeRecorded.schemaVersion),
            (ProvisionalDeductionDecided.eventType, ProvisionalDeductionDecided.schemaVersion),
            (PersonErased.eventType, PersonErased.schemaVersion),
            (UnionDecisionRecorded.eventType, UnionDecisionRecorded.schemaVersion),
            (NetworkInquirySent.eventType, NetworkInquirySent.schemaVersion),
            (MailRecipientRecorded.eventType, MailRecipientRecorded.schemaVersion),
        ]
        var hash: UInt32 = 2_166_136_261
        for byte in kept.map({ "\($0.0):\($0.1);" }).joined().utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        // The register's logic and the table's layout (5: a row per household an entry names;
        // 6: the tail LZ4-compressed), then the payloads' fingerprint; below 2^31 (a PostgreSQL
        // INTEGER) while the register's logic version is below 21.
        return (logicVersion * 100 + 6) * 1_000_000 + Int(hash % 1_000_000)
    }
}

extension InsuredRegister.Person: BinaryCodable {
    /// The entry: its head, then its tail.
    public func encode(to w: inout BinaryWriter) {
        encodeHead(to: &w)
        encodeTail(to: &w)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(head: &r)
        try decodeTail(from: &r)
    }

    /// What the register's lists read: number, identity (sealed), households, eligibility,
    /// address exceptions, former dependant and numbers, the pension switch, My Number (sealed),
    /// erasure and mail recipients.
    public func encodeHead(to w: inout BinaryWriter) {
        w.write(id)
        identity.encode(to: &w)
        w.writeInt(corrections)
        w.writeArray(households) { $1.encode(to: &$0) }
        w.writeArray(eligibilityFacts) { $1.encode(to: &$0) }
        w.writeArray(addressExceptions) { $1.encode(to: &$0) }
        formerDependant.encode(to: &w)
        w.writeArray(formerNumbers) { $0.write($1) }
        w.writeOptional(debitSwitch) { $0.write($1) }
        myNumber.encode(to: &w)
        erased.encode(to: &w)
        w.writeArray(mailRecipients.sorted { $0.key.rawValue < $1.key.rawValue }) { w, entry in
            w.writeCase(entry.key)
            entry.value.encode(to: &w)
        }
    }

    /// What decisions read besides: incomes, pension facts, provisional deductions, what the
    /// pension insurer was told, the union's decisions and the network's inquiries — the bulk of
    /// an entry, which the lists never decode.
    public func encodeTail(to w: inout BinaryWriter) {
        // The latest of each year is the last of the year's records (always so when folded).
        shared.value.incomeHistory.encodeList(to: &w, keyed: false)
        Self.writeYears(shared.value.pension, &w)
        Self.writeYears(shared.value.provisionalDeduction, &w)
        // By year, then by month: the keys' order.
        let told = shared.value.pensionTold.entries
        let years = told.indices.filter { $0 == 0 || told[$0].key / 100 != told[$0 - 1].key / 100 }
        w.writeArray(Array(years.indices)) { w, n in
            let months = years[n]..<(n + 1 < years.count ? years[n + 1] : told.count)
            w.writeInt(told[months.lowerBound].key / 100)
            w.writeArray(Array(told[months])) { w, month in
                w.writeInt(month.key % 100)
                w.write(month.value)
            }
        }
        shared.value.union.encodeList(to: &w, keyed: true)
        networkInquiries.encode(to: &w)
    }

    /// An entry from its head alone: the tail's fields empty.
    public init(head r: inout BinaryReader) throws {
        self.init(id: try r.readPersonID(), identity: try SealedIdentity(from: &r))
        corrections = try r.readInt()
        households = try r.readArray { try InsuredRegister.HouseholdEntry(from: &$0) }
        eligibilityFacts = try r.readArray { try InsuredRegister.EligibilityFact(from: &$0) }
        addressExceptions = try r.readArray { try InsuredRegister.AddressException(from: &$0) }
        formerDependant = try FormerDependantRecorded?(from: &r)
        formerNumbers = try r.readArray { try $0.readPersonID() }
        debitSwitch = try r.readOptional { try $0.readDate() }
        myNumber = try SealedIdentity?(from: &r)
        erased = try PersonErased?(from: &r)
        for (role, recorded) in try r.readArray({ r in
            (try r.readCase(MailRecipient.Role.self), try MailRecipientRecorded(from: &r))
        }) {
            mailRecipients[role] = recorded
        }
    }

    /// Fills the tail's fields.
    public mutating func decodeTail(from r: inout BinaryReader) throws {
        shared.value.incomeHistory = PackedRecords(try [IncomeRecorded](from: &r).map { ($0.year, $0) })
        shared.value.pension = try Self.readYears(&r)
        shared.value.provisionalDeduction = try Self.readYears(&r)
        var told = IntKeyedMap<Yen>()
        for year in try r.readArray({ r in
            (try r.readInt(), try r.readArray { r in (try r.readInt(), try r.readYen()) })
        }) {
            for (month, amount) in year.1 {
                // A fiscal year as ``FiscalYear`` takes it, a month of the calendar.
                guard (1...9998).contains(year.0), (1...12).contains(month) else {
                    throw CodecError.malformed("pension month \(month) of fiscal year \(year.0)", at: r.offset)
                }
                told[Self.toldKey(year.0, month)] = amount
            }
        }
        shared.value.pensionTold = told
        let union: IntKeyedMap<UnionDecisionRecorded> = try Self.readYears(&r)
        shared.value.union = PackedRecords(union.entries.map { ($0.key, $0.value) })
        networkInquiries = try [NetworkInquirySent](from: &r)
    }

    private static func writeYears<T: BinaryCodable>(_ years: IntKeyedMap<T>, _ w: inout BinaryWriter) {
        w.writeArray(years.entries) { w, entry in
            w.writeInt(entry.key)
            entry.value.encode(to: &w)
        }
    }

    private static func readYears<T: BinaryCodable>(_ r: inout BinaryReader) throws -> IntKeyedMap<T> {
        IntKeyedMap(try r.readArray { r in (try r.readInt(), try T(from: &r)) })
    }

    /// The entry as bytes: its head, then its tail.
    public var stored: [UInt8] { storedHead + storedTail }

    public var storedHead: [UInt8] {
        var w = BinaryWriter(capacity: 256)
        encodeHead(to: &w)
        return w.bytes
    }

    public var storedTail: [UInt8] {
        var w = BinaryWriter(capacity: 512)
        encodeTail(to: &w)
        return w.bytes
    }

    /// An entry from its bytes; bytes of another form, or with anything after the entry, are an error.
    public init(stored bytes: [UInt8]) throws {
        self = try Self.reading(bytes) { try Self(from: &$0) }
    }

    /// An entry from its head's bytes alone (the tail's fields empty).
    public init(storedHead bytes: [UInt8]) throws {
        self = try Self.reading(bytes) { try Self(head: &$0) }
    }

    /// Fills the tail's fields from their bytes.
    public mutating func decodeTail(stored bytes: [UInt8]) throws {
        var person = self
        try Self.reading(bytes) { try person.decodeTail(from: &$0) }
        self = person
    }

    private static func reading<T>(_ bytes: [UInt8], _ body: (inout BinaryReader) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { buffer in
            var r = BinaryReader(buffer)
            let value = try body(&r)
            try r.expectEnd()
            return value
        }
    }
}

extension InsuredRegister.HouseholdEntry: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(effectiveOn)
        household.encode(to: &w)
        role.encode(to: &w)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(
            effectiveOn: try r.readDate(), household: try HouseholdID?(from: &r), role: try HouseholdRole(from: &r))
    }
}

extension InsuredRegister.EligibilityFact: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        switch self {
        case .acquired(let e):
            w.writeRawByte(0)
            e.encode(to: &w)
        case .lost(let e):
            w.writeRawByte(1)
            e.encode(to: &w)
        }
    }

    public init(from r: inout BinaryReader) throws {
        let offset = r.offset
        switch try r.readRawByte() {
        case 0: self = .acquired(try EligibilityAcquired(from: &r))
        case 1: self = .lost(try EligibilityLost(from: &r))
        case let tag: throw CodecError.malformed("eligibility fact tag \(tag)", at: offset)
        }
    }
}

extension InsuredRegister.AddressException: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.writeString(facility)
        w.write(from)
        w.writeOptional(until) { $0.write($1) }
    }

    public init(from r: inout BinaryReader) throws {
        self.init(facility: try r.readString(), from: try r.readDate(), until: try r.readOptional { try $0.readDate() })
    }
}
