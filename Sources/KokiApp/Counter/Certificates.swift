import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

// MARK: - The copayment class (一部負担金の割合)

extension Counter {
    /// The copayment tables in force: those adopted (`config/copay`), else the standard ones.
    public func copayTables() throws -> [CopayThresholds] {
        var tables: [CopayThresholds]?
        try ledger.forEachEvent(.stream(try StreamName(CopayThresholdsAdopted.streamName))) { _, event in
            if case .counter(.copayThresholdsAdopted(let e)) = event { tables = e.tables }
        }
        return tables ?? CopayThresholds.standard
    }

    /// Adopts the copayment tables (the whole set, each from its first day).
    public func adopt(copay tables: [CopayThresholds], metadata: CommandMetadata) throws {
        guard !tables.isEmpty else { throw KokiError(.invalidInput, "no copayment table given") }
        for table in tables {
            if let problem = table.problem {
                throw KokiError(.invalidInput, "the table from \(table.effectiveFrom): \(problem)")
            }
        }
        guard Set(tables.map(\.effectiveFrom)).count == tables.count else {
            throw KokiError(.invalidInput, "two tables start on the same day")
        }
        try ledger.record(
            [
                .counter(
                    .copayThresholdsAdopted(
                        CopayThresholdsAdopted(tables: tables.sorted { $0.effectiveFrom < $1.effectiveFrom })))
            ],
            metadata: metadata)
    }

    /// What the rule reads of one insured member: the income of the period's income year.
    static func copayMember(_ person: InsuredRegister.Person, year: Int) -> CopayMember {
        guard let income = person.income(of: year) else {
            return CopayMember(person: person.id, taxableIncome: nil, incomeRecorded: false)
        }
        return CopayMember(
            person: person.id, taxableIncome: income.taxableIncome, publicPensionRevenue: income.publicPensionRevenue,
            salaryRevenue: income.salaryRevenue, otherIncome: income.otherIncome, totalIncome: income.totalIncome,
            incomeRecorded: true)
    }

    /// The day a year's class is decided on for a person: the year's first day, or the day they
    /// became insured within it.
    static func determinationDate(_ person: InsuredRegister.Person, period: CopayPeriod) -> CivilDate {
        let start = person.eligibilityPeriods.first {
            $0.contains(period.start) || ($0.from > period.start && $0.from <= period.end)
        }
        return max(period.start, start?.from ?? period.start)
    }

    /// Who was ever recorded in a household: how the members of a person's household are found.
    /// A process holding the city in memory asks the city. Otherwise one question (a counter's
    /// command for one person) reads the ledger's household records by type, and many questions
    /// at once (an import's follow-ups) read the stored register's heads once — not the ledger's
    /// household records again for every row.
    public struct HouseholdIndex {
        fileprivate let everIn: (HouseholdID) throws -> Set<PersonID>

        /// For one question.
        public static func single(_ ledger: KokiLedger) throws -> HouseholdIndex {
            if ledger.hasCurrentCity { return try many(ledger) }
            // A question asks about one household, its members each again: read once.
            let read = Read()
            return HouseholdIndex { household in
                if let known = read.members[household] { return known }
                var found = Set<PersonID>()
                var query = EventQuery()
                query.types = [HouseholdMembershipRecorded.eventType]
                query.readsEnvelopes = false
                try ledger.forEachEvent(query) { _, event in
                    if case .householdMembershipRecorded(let e) = event, e.household == household {
                        found.insert(e.person)
                    }
                }
                read.members[household] = found
                return found
            }
        }

        /// The households one question has read.
        private final class Read {
            var members: [HouseholdID: Set<PersonID>] = [:]
        }

        /// For many questions while no household changes: read once.
        public static func many(_ ledger: KokiLedger) throws -> HouseholdIndex {
            let register =
                ledger.hasCurrentCity ? try CitySnapshot(ledger).register : try InsuredRegisterCommands(ledger).heads()
            return HouseholdIndex { register.everIn($0) }
        }
    }

    /// The insured members of a person's household on a date (the person included), found by the
    /// household records (`households`; by default, read for this one question), not by folding
    /// the city.
    public func insuredHousehold(
        of person: InsuredRegister.Person, on date: CivilDate, households: HouseholdIndex? = nil
    ) throws -> [InsuredRegister.Person] {
        guard let household = person.household(on: date)?.household else { return [person] }
        let index = try households ?? .single(ledger)
        var others = try index.everIn(household)
        others.remove(person.id)
        let register = InsuredRegisterCommands(ledger)
        var members = [person]
        for id in others.sorted() {
            guard let other = try register.person(id), other.household(on: date)?.household == household,
                other.isInsured(on: date)
            else { continue }
            members.append(other)
        }
        return members
    }

    /// Determines a person's copayment class for the year (1 August – 31 July) containing `date`.
    public func determineCopay(_ person: PersonID, on date: CivilDate, households: HouseholdIndex? = nil) throws -> (
        determination: CopayDetermination, members: [PersonID], tables: [CopayThresholds]
    ) {
        guard let entry = try InsuredRegisterCommands(ledger).person(person) else {
            throw KokiError.notInRegister(person)
        }
        let period = CopayPeriod(containing: date)
        let day = max(date, Self.determinationDate(entry, period: period))
        let members = try insuredHousehold(of: entry, on: day, households: households)
        let tables = try copayTables()
        guard let table = CopayThresholds.inForce(tables, on: period.start) ?? CopayThresholds.inForce(tables, on: day)
        else { throw KokiError(.invalidInput, "no copayment table is in force on \(period.start)") }
        let determination = CopayRule.determine(
            for: person, members: members.map { Self.copayMember($0, year: period.incomeYear) }, period: period,
            thresholds: table)
        return (determination, members.map(\.id), tables)
    }

    static func determined(
        _ person: PersonID, _ d: CopayDetermination, members: [PersonID], reason: String
    ) -> CopayClassDetermined {
        CopayClassDetermined(
            person: person, periodStart: d.period.start, copayClass: d.copayClass, incomeYear: d.period.incomeYear,
            members: members, missingIncome: d.missingIncome, thresholdsFrom: d.thresholdsFrom, reason: reason)
    }

    /// A change of class after income was corrected: the person and the year.
    public struct CopayChange: Sendable, Hashable, Codable {
        public var person: PersonID
        public var periodStart: CivilDate
        public var from: CopayClass
        public var to: CopayClass
        /// The certificate in force shows the old class: it should be reissued.
        public var certificate: String?
    }

    /// Re-determines the class of the year that reads `year`'s income, for the person and the
    /// insured members of their household who have a class recorded for it, and records each that
    /// changed (再判定). Called after an income record or correction; `households` as
    /// ``insuredHousehold(of:on:households:)`` takes it (an import passes one for all its rows).
    @discardableResult
    public func redetermineCopay(
        afterIncomeOf person: PersonID, year: Int, households: HouseholdIndex? = nil, metadata: CommandMetadata
    ) throws -> [CopayChange] {
        guard let start = try? CivilDate(year: year + 1, month: 8, day: 1),
            let entry = try InsuredRegisterCommands(ledger).person(person)
        else { return [] }
        let period = CopayPeriod(containing: start)
        let day = Self.determinationDate(entry, period: period)
        var changes: [CopayChange] = []
        var events: [KokiEvent] = []
        var expected: [String: ExpectedVersion] = [:]
        let households = try households ?? .single(ledger)
        for member in try insuredHousehold(of: entry, on: day, households: households) {
            let (records, version) = try records(member.id)
            guard let recorded = records.copay[period.start] else { continue }
            let (d, members, _) = try determineCopay(member.id, on: max(day, period.start), households: households)
            guard d.copayClass != recorded.copayClass else { continue }
            events.append(
                .counter(
                    .copayClassDetermined(Self.determined(member.id, d, members: members, reason: "income-corrected"))))
            expected[CounterEvent.stream(member.id)] = .exact(version)
            let shown = records.current.flatMap { $0.issued.copayClass != d.copayClass ? $0.issued.number : nil }
            changes.append(
                CopayChange(
                    person: member.id, periodStart: period.start, from: recorded.copayClass, to: d.copayClass,
                    certificate: shown))
        }
        // A command of its own, caused by the income's.
        var metadata = metadata
        metadata.causationID = metadata.commandID
        // Derived from the income's command: deterministic, and the same again on a retry.
        metadata.commandID = Identifier(derivedFrom: Array("copay/".utf8) + metadata.commandID.bytes)
        if !events.isEmpty { try ledger.record(events, metadata: metadata, expectingStreams: expected) }
        return changes
    }
}

// MARK: - Eligibility certificates (資格確認書)

extension Counter {
    /// The last day a certificate issued from `validFrom` is valid: the end of its copayment year
    /// (31 July), or the day before eligibility ends, whichever comes first.
    static func validUntil(_ validFrom: CivilDate, person: InsuredRegister.Person) -> CivilDate {
        let yearEnd = CopayPeriod(containing: validFrom).end
        guard let period = person.eligibilityPeriods.last(where: { $0.contains(validFrom) }), let until = period.until
        else { return yearEnd }
        return min(yearEnd, until.adding(days: -1))
    }

    /// Issues an eligibility certificate: on acquisition, at renewal, on request, or as a reissue
    /// (lost, damaged, changed) that invalidates the one in force. The copayment class printed is
    /// determined now; when it differs from the class recorded for the year, the new determination
    /// is recorded in the same append.
    @discardableResult
    public func issueCertificate(
        _ person: PersonID, reason: CertificateReason, issuedOn: CivilDate, validFrom: CivilDate?, delivery: Delivery,
        office: String?, metadata: CommandMetadata
    ) throws -> CertificateIssued {
        if let office { try checkOffice(office) }
        guard let entry = try InsuredRegisterCommands(ledger).person(person) else {
            throw KokiError.notInRegister(person)
        }
        let from = validFrom ?? issuedOn
        guard entry.isInsured(on: from) else {
            throw KokiError(.invalidInput, "\(person) の方は\(StaffText.date(from))に被保険者でないため、資格確認書を交付できません")
        }
        let (records, version) = try records(person)
        let current = records.certificates.last {
            $0.replacedBy == nil && $0.returned == nil && $0.issued.validUntil >= from
        }
        if reason.isReissue {
            guard current != nil else {
                throw KokiError(
                    .invalidInput, "\(person) の方には再交付できる有効な資格確認書がありません：交付事由「申請」(--reason request) で交付してください")
            }
        } else if let current, current.issued.validFrom <= from {
            throw KokiError(
                .invalidInput,
                "certificate \(current.issued.number) of \(person) is valid until \(current.issued.validUntil): a new one is a reissue (--reason lost, damaged or changed)"
            )
        }
        let (d, members, _) = try determineCopay(person, on: from)
        var events: [KokiEvent] = []
        if records.copay[d.period.start]?.copayClass != d.copayClass {
            events.append(
                .counter(
                    .copayClassDetermined(
                        Self.determined(
                            person, d, members: members, reason: reason == .renewal ? "renewal" : "certificate"))))
        }
        let issued = CertificateIssued(
            person: person, number: "Q\(person.value)-\(records.certificates.count + 1)", reason: reason,
            issuedOn: issuedOn, validFrom: from, validUntil: Self.validUntil(from, person: entry),
            copayClass: d.copayClass, delivery: delivery, office: office,
            replaces: reason.isReissue ? current?.issued.number : nil)
        events.append(.counter(.certificateIssued(issued)))
        // The same command again (a form sent twice) answers with the certificate it issued then.
        let stored = try ledger.recordReturningStored(
            events, metadata: metadata, expectingStreams: [CounterEvent.stream(person): .exact(version)])
        for case .counter(.certificateIssued(let original)) in stored.events { return original }
        return issued
    }

    /// Records a certificate's return (or its loss declared), by default the one in force.
    @discardableResult
    public func returnCertificate(
        _ person: PersonID, number: String?, on date: CivilDate, how: ReturnKind, office: String?,
        metadata: CommandMetadata
    ) throws -> CertificateReturned {
        if let office { try checkOffice(office) }
        let (records, version) = try records(person)
        let certificate: CounterRecords.Certificate
        if let number {
            guard let found = records.certificate(number) else {
                throw KokiError(.invalidInput, "\(person) の方に資格確認書 \(number) はありません")
            }
            certificate = found
        } else {
            guard let found = records.certificates.last(where: { $0.returned == nil }) else {
                throw KokiError(.invalidInput, "\(person) の方には返還を受ける資格確認書がありません")
            }
            certificate = found
        }
        if let returned = certificate.returned {
            throw KokiError(
                .invalidInput, "certificate \(certificate.issued.number) came back already on \(returned.returnedOn)")
        }
        let event = CertificateReturned(
            person: person, number: certificate.issued.number, returnedOn: date, how: how, office: office)
        try ledger.record(
            [.counter(.certificateReturned(event))], metadata: metadata,
            expectingStreams: [CounterEvent.stream(person): .exact(version)])
        return event
    }

    /// Every person's counter records, folded from the counter streams, with each stream's version.
    public func city() throws -> (records: CounterRecords, versions: [String: Int64]) {
        var records = CounterRecords()
        var versions: [String: Int64] = [:]
        var query = EventQuery()
        query.streamPrefix = CounterEvent.streamPrefix
        try ledger.forEachEvent(query) { view, event in
            records.apply(event)
            versions[view.stream.value] = view.streamVersion
        }
        return (records, versions)
    }

    /// A certificate still out although its holder's eligibility ended.
    public struct Unreturned: Sendable, Hashable, Codable {
        public var certificate: CertificateIssued
        public var eligibilityEnded: CivilDate
    }

    /// Certificates not returned (nor declared lost, nor replaced) whose holder stopped being
    /// insured on or before `date`, oldest loss first.
    public func unreturned(on date: CivilDate) throws -> [Unreturned] {
        let (records, _) = try city()
        var lost: [PersonID: CivilDate] = [:]
        var acquired: [PersonID: CivilDate] = [:]
        var query = EventQuery()
        query.types = [EligibilityLost.eventType, EligibilityAcquired.eventType]
        query.readsEnvelopes = false
        try ledger.forEachEvent(query) { _, event in
            switch event {
            case .eligibilityLost(let e): lost[e.person] = max(lost[e.person] ?? e.effectiveFrom, e.effectiveFrom)
            case .eligibilityAcquired(let e):
                acquired[e.person] = max(acquired[e.person] ?? e.effectiveFrom, e.effectiveFrom)
            default: break
            }
        }
        var out: [Unreturned] = []
        for (person, counter) in records.persons {
            guard let ended = lost[person], ended <= date, (acquired[person] ?? ended) <= ended else { continue }
            // Those that were valid when eligibility ended (an expired one is not asked back).
            for c in counter.certificates
            where c.returned == nil && c.replacedBy == nil && c.issued.validFrom < ended
                && c.issued.validUntil >= ended.adding(days: -1)
            {
                out.append(Unreturned(certificate: c.issued, eligibilityEnded: ended))
            }
        }
        return out.sorted {
            ($0.eligibilityEnded, $0.certificate.number) < ($1.eligibilityEnded, $1.certificate.number)
        }
    }

    /// The yearly renewal (一斉更新): a certificate from `validFrom` (1 August) for everyone insured
    /// that day who has none yet for it, each with the class determined for the year. Appends a
    /// command per `chunk` persons and the run's record last; running it again issues only what is
    /// missing.
    public func renew(
        validFrom: CivilDate, issuedOn: CivilDate, delivery: Delivery, actor: String, chunk: Int = 500,
        progress: (Int) -> Void = { _ in }
    ) throws -> CertificateRunRecorded {
        let period = CopayPeriod(containing: validFrom)
        let tables = try copayTables()
        guard let table = CopayThresholds.inForce(tables, on: validFrom) else {
            throw KokiError(.invalidInput, "no copayment table is in force on \(validFrom)")
        }
        let (counter, versions) = try city()
        // The register alone (its events only), not the whole city's accounts.
        let builtFrom = try ledger.store.head().position
        let register = try InsuredRegisterCommands(ledger).snapshot(through: builtFrom)
        do {
            let insured = register.insured(on: validFrom)
            var byClass = [0, 0, 0]
            var issued = 0
            var batch: [KokiEvent] = []
            var expected: [String: ExpectedVersion] = [:]
            func flush() throws {
                guard !batch.isEmpty else { return }
                try ledger.record(batch, metadata: CommandMetadata(actor: actor), expectingStreams: expected)
                batch.removeAll()
                expected.removeAll()
            }
            for person in insured {
                let records = counter.persons[person.id] ?? CounterRecords.Person()
                if records.certificates.contains(where: {
                    $0.issued.validFrom == validFrom && $0.issued.reason == .renewal
                }) {
                    continue
                }
                var members = [person]
                if let household = person.household(on: validFrom)?.household {
                    members = register.household(household, on: validFrom).map(\.person)
                        .filter { $0.isInsured(on: validFrom) }
                    if !members.contains(where: { $0.id == person.id }) { members.append(person) }
                }
                let d = CopayRule.determine(
                    for: person.id, members: members.map { Self.copayMember($0, year: period.incomeYear) },
                    period: period,
                    thresholds: table)
                if records.copay[period.start]?.copayClass != d.copayClass {
                    batch.append(
                        .counter(
                            .copayClassDetermined(
                                Self.determined(person.id, d, members: members.map(\.id), reason: "renewal"))))
                }
                batch.append(
                    .counter(
                        .certificateIssued(
                            CertificateIssued(
                                person: person.id, number: "Q\(person.id.value)-\(records.certificates.count + 1)",
                                reason: .renewal, issuedOn: issuedOn, validFrom: validFrom,
                                validUntil: Self.validUntil(validFrom, person: person), copayClass: d.copayClass,
                                delivery: delivery, office: nil, replaces: nil))))
                let stream = CounterEvent.stream(person.id)
                expected[stream] = .exact(versions[stream] ?? 0)
                byClass[d.copayClass.rawValue - 1] += 1
                issued += 1
                if issued % chunk == 0 {
                    try flush()
                    progress(issued)
                }
            }
            try flush()
            let run = CertificateRunRecorded(
                validFrom: validFrom, validUntil: period.end, issuedOn: issuedOn, builtFrom: builtFrom, issued: issued,
                byClass: byClass)
            try ledger.record([.counter(.certificateRunRecorded(run))], metadata: CommandMetadata(actor: actor))
            return run
        }
    }
}
