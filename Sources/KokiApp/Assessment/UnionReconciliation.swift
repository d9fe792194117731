import Foundation
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import KokiReadModels
import LedgerStore

/// The union's (広域連合) assessment and eligibility decisions, reconciled with koki's: imported
/// as recorded decisions, compared field by field with what koki computes from its own inputs,
/// and — where the city decides the union is right — adopted as a reassessment.
public struct UnionReconciliation: Sendable {
    let ledger: KokiLedger

    @_spi(Batch) public init(_ ledger: KokiLedger) { self.ledger = ledger }

    /// One field on which the union and koki differ for a person and fiscal year.
    public struct Difference: Sendable, Hashable, Codable {
        public var person: PersonID
        public var fiscalYear: FiscalYear
        /// `annualPremium`, `periods`, `incomeBase`, `reduction`, `insuredFrom`, `insuredUntil`, or
        /// `assessment` (one side has a premium for the year and the other none).
        public var field: String
        public var union: String
        public var koki: String
        /// koki's inputs behind its figure where they explain the difference (an income the union
        /// has and the city does not, the household's judgment income …).
        public var inputs: String
    }

    /// What an import did, and every difference between the union's decisions in the file and koki.
    public struct Import: Sendable, Hashable, Codable {
        public var rows = 0
        /// Decisions recorded (new, or changed since the union's last for the person and year).
        public var recorded = 0
        /// The union's decision already recorded: nothing appended.
        public var unchanged = 0
        public var differences: [Difference] = []
    }

    /// Imports the union's file (``UnionAssessmentFile``) received on `day`: every row or none.
    /// Refused whole, naming the line: what the parser refuses, a person not in the register, a
    /// fiscal year before the system or after next year. A row equal to the union's last decision
    /// for the person and year records nothing (the same file twice records nothing).
    public func importDecisions(_ bytes: [UInt8], name: String, on day: CivilDate, metadata: CommandMetadata) throws
        -> Import
    {
        try ledger.businessCalendar(around: day).requireOpen(day, for: "the union's decisions' import")
        let file: UnionAssessmentFile
        do { file = try UnionAssessmentFile.parse(bytes) } catch { throw KokiError(.invalidInput, "\(name): \(error)") }
        for row in file.rows {
            _ = try keptFiscalYear(
                row.fiscalYear, today: day, field: "\(name): line \(row.line):", what: "the union decides for")
        }
        let koki = try KokiSide(ledger)
        let registered =
            try koki.whole.map { Set($0.register.persons.keys) } ?? InsuredRegisterCommands(ledger).registeredPersons()
        if let row = file.rows.first(where: { !registered.contains($0.person) }) {
            throw KokiError(.invalidInput, "\(name): line \(row.line): no person \(row.person) in the register")
        }
        let latest = try koki.latestDecisions(of: Set(file.rows.map(\.fiscalYear.year)))
        let label = name.split(separator: "/").last.map(String.init) ?? name
        var result = Import()
        result.rows = file.rows.count
        var events: [KokiEvent] = []
        var decisions: [UnionDecisionRecorded] = []
        for row in file.rows {
            let decision = UnionDecisionRecorded(
                person: row.person, fiscalYear: row.fiscalYear, annualPremium: row.annualPremium,
                incomeBase: row.incomeBase, reduction: row.reduction, periods: row.periods,
                insuredFrom: row.insuredFrom, insuredUntil: row.insuredUntil, receivedOn: day,
                source: "\(label) line \(row.line)")
            decisions.append(decision)
            if let last = latest[UnionKey(person: row.person, year: row.fiscalYear.year)],
                last.sameDecision(as: decision)
            {
                result.unchanged += 1
                continue
            }
            result.recorded += 1
            events.append(.unionDecisionRecorded(decision))
        }
        if !events.isEmpty { try ledger.record(events, metadata: metadata) }
        result.differences = try koki.differences(of: decisions).flatMap { $0 }
        return result
    }

    /// Every difference between the union's latest decisions (of `fiscalYear`, or every year)
    /// and koki as the ledger stands.
    public func differences(fiscalYear: FiscalYear?) throws -> [Difference] {
        let koki = try KokiSide(ledger)
        var byPerson: [PersonID: [UnionDecisionRecorded]] = [:]
        for (key, decision) in try koki.latestDecisions(of: fiscalYear.map { [$0.year] }) {
            byPerson[key.person, default: []].append(decision)
        }
        let decisions = byPerson.keys.sorted().flatMap { person in
            (byPerson[person] ?? []).sorted { $0.fiscalYear < $1.fiscalYear }
        }
        return try koki.differences(of: decisions).flatMap { $0 }
    }

    struct UnionKey: Hashable {
        var person: PersonID
        var year: Int
    }

    /// koki's side of the comparison, as the ledger stands: the city a long-running process
    /// holds in memory, or — in a fresh process — the stored register's entries and the stored
    /// premiums' assessments in force, a slice of persons at a time (each person's own stream,
    /// read through one head, where the ledger keeps no stored models), and the union's
    /// decisions found by their type; never the whole city.
    struct KokiSide {
        let ledger: KokiLedger
        let whole: CitySnapshot?
        let head: Int64

        init(_ ledger: KokiLedger) throws {
            self.ledger = ledger
            let whole = ledger.hasCurrentCity ? try CitySnapshot(ledger) : nil
            self.whole = whole
            head = try whole?.position ?? ledger.store.head().position
        }

        func city(of person: PersonID) throws -> CitySnapshot {
            if let whole { return whole }
            var events: [AssessmentCommands.Neighbourhoods.Read] = []
            try AssessmentCommands.Neighbourhoods.read(ledger, person.streamName, through: head, into: &events)
            return AssessmentCommands.Neighbourhoods.city(folding: events)
        }

        /// The differences of each decision from koki, in the decisions' order: from the city a
        /// long-running process holds; in a fresh process from the stored models where the
        /// ledger keeps them (``stored(_:)``), else from each person's own stream.
        func differences(of decisions: [UnionDecisionRecorded]) throws -> [[Difference]] {
            if whole == nil, let stored = try stored(decisions) { return stored }
            return try decisions.map { try UnionReconciliation.differences(of: $0, city(of: $0.person)) }
        }

        /// The differences of each decision from the stored models, in the decisions' order: for
        /// each fiscal year, the stored premiums' rows a slice of persons at a time, the
        /// assessment in force of each person with a decision read at its position, and the
        /// register's entries of the slice's persons (their incomes and eligibility); then the
        /// entries of those koki never assessed in the year. Time and memory proportional to a
        /// slice and to the decisions, where folding each person's stream took some 0.7 ms a
        /// person at ten years of Matsudo. `nil` where the ledger keeps no stored premiums or
        /// register at its head: the caller folds the streams.
        func stored(_ decisions: [UnionDecisionRecorded]) throws -> [[Difference]]? {
            guard !decisions.isEmpty else { return [] }
            let register = StoredRegister(ledger.ports)
            guard try register.storedAtHead() else { return nil }
            // The decisions' indices by fiscal year and person.
            var byYear: [Int: [PersonID: [Int]]] = [:]
            for (i, d) in decisions.enumerated() {
                byYear[d.fiscalYear.year, default: [:]][d.person, default: []].append(i)
            }
            var out = [[Difference]](repeating: [], count: decisions.count)
            for year in byYear.keys.sorted() {
                var waiting = byYear[year] ?? [:]
                let read = try StoredPremiums(ledger.ports).forEachSlice(
                    of: try FiscalYear(year), reading: { waiting[$0.person] == nil ? [] : [$0.current] }
                ) { slice, events in
                    let entries = try register.entries(of: Set(slice.lazy.map(\.person).filter { waiting[$0] != nil }))
                    for row in slice {
                        guard let indices = waiting.removeValue(forKey: row.person) else { continue }
                        guard case .premiumAssessed(let assessed) = events[row.current] else {
                            throw KokiError(
                                .undecodableEvent,
                                "the stored premiums of \(row.person) FY\(year) point to event \(row.current), which is not its assessment: run koki rebuild"
                            )
                        }
                        for i in indices {
                            out[i] = try UnionReconciliation.differences(
                                of: decisions[i], entry: entries[row.person], assessed: assessed)
                        }
                    }
                }
                guard read != nil else { return nil }
                // Those koki has no assessment of in the year.
                let rest = waiting.keys.sorted()
                for start in stride(from: 0, to: rest.count, by: 2_000) {
                    let persons = rest[start..<min(rest.count, start + 2_000)]
                    let entries = try register.entries(of: Set(persons))
                    for person in persons {
                        for i in waiting[person] ?? [] {
                            out[i] = try UnionReconciliation.differences(
                                of: decisions[i], entry: entries[person], assessed: nil)
                        }
                    }
                }
            }
            return out
        }

        /// The union's latest decision for each person and year, of the fiscal years `years` (of
        /// every year: `nil`). Only those years' are held: the decisions of every year grow with
        /// the city's history (1.45 million at two years of ten times Matsudo).
        func latestDecisions(of years: Set<Int>?) throws -> [UnionKey: UnionDecisionRecorded] {
            var latest: [UnionKey: UnionDecisionRecorded] = [:]
            if let whole {
                for (person, entry) in whole.register.persons {
                    for (year, decision) in entry.union where years?.contains(year) ?? true {
                        latest[UnionKey(person: person, year: year)] = decision
                    }
                }
                return latest
            }
            var query = EventQuery.through(position: head)
            query.types = [UnionDecisionRecorded.eventType]
            query.readsEnvelopes = false
            try ledger.forEachEvent(query) { _, event in
                if case .unionDecisionRecorded(let e) = event, years?.contains(e.fiscalYear.year) ?? true {
                    latest[UnionKey(person: e.person, year: e.fiscalYear.year)] = e
                }
            }
            return latest
        }
    }

    /// Adopts the union's latest figure for a person and year (the city decided it is right): a
    /// reassessment to the union's annual premium on `day`, rescheduled as any reassessment, with
    /// the union's decision named in its cause. Refused: no decision of the union for the year, no
    /// assessment of koki's to reassess, figures that already agree, the time limit on raising.
    public func adopt(_ person: PersonID, fiscalYear fy: FiscalYear, on day: CivilDate, metadata: CommandMetadata)
        throws -> (PremiumAssessed, previous: PremiumAssessed)
    {
        try ledger.businessCalendar(around: day).requireOpen(day, for: "a reassessment (更正)")
        // The decision reads the person's neighbourhood (their household's streams and the
        // year's tables) in a fresh process, the city in one that holds it.
        let city =
            ledger.hasCurrentCity
            ? try CitySnapshot(ledger)
            : try AssessmentCommands.Neighbourhoods(ledger, fiscalYear: fy, around: person).city(of: person)
        guard let entry = city.register.person(person) else {
            throw KokiError.notInRegister(person)
        }
        guard let decision = entry.union(of: fy.year) else {
            throw KokiError(
                .invalidInput, "the union has sent no decision for \(person) FY\(fy.year) (koki union import)")
        }
        guard let current = city.accounts.current(person, fy) else {
            throw KokiError(
                .invalidInput,
                "koki has no assessment of \(person) FY\(fy.year) to reassess: check the eligibility (koki union differences)"
            )
        }
        guard current.annualPremium != decision.annualPremium else {
            throw KokiError(
                .invalidInput,
                "\(person) FY\(fy.year) is already assessed at the union's \(decision.annualPremium.amount) yen: nothing to adopt"
            )
        }
        let outcome = try AssessmentCommands.decide(
            person, fiscalYear: fy, decidedOn: day, city: city, vault: IdentityVault(ledger), adopting: decision)
        guard case .reassessed(let event, let previous) = outcome else {
            throw KokiError(.invalidInput, "\(person) was not insured in FY\(fy.year) as koki has it: nothing adopted")
        }
        let version = city.version(of: person)
        try ledger.record([.premiumAssessed(event)], metadata: metadata, expecting: [person: .exact(version)])
        return (event, previous)
    }

    /// The differences of one decision from koki's state on `city`.
    static func differences(of d: UnionDecisionRecorded, _ city: CitySnapshot) throws -> [Difference] {
        try differences(
            of: d, entry: city.register.person(d.person), assessed: city.accounts.current(d.person, d.fiscalYear))
    }

    /// The differences of one decision from koki's register entry of the person and the
    /// assessment of the year in force (`nil`: none).
    static func differences(of d: UnionDecisionRecorded, entry: InsuredRegister.Person?, assessed: PremiumAssessed?)
        throws -> [Difference]
    {
        let person = d.person
        let fy = d.fiscalYear
        var out: [Difference] = []
        func differ(_ field: String, _ union: String, _ koki: String, _ inputs: String = "") {
            out.append(
                Difference(person: person, fiscalYear: fy, field: field, union: union, koki: koki, inputs: inputs))
        }
        let income = entry?.income(of: fy.year - 1)
        let incomeText =
            income.map {
                "koki の\(fy.year - 1)年の所得：総所得金額等 \(StaffText.yen($0.totalIncome))、公的年金収入 \(StaffText.yen($0.publicPensionRevenue))（\($0.source)）"
            } ?? "koki に\(fy.year - 1)年の所得の記録がありません"
        // Eligibility: the period of koki's that overlaps the year.
        let period = entry?.eligibilityPeriods.last { $0.overlaps(fy) }
        if let period {
            if period.from != d.insuredFrom {
                differ(
                    "insuredFrom", d.insuredFrom.description, period.from.description,
                    "資格取得事由：\(period.acquisition.label)")
            }
            if period.until != d.insuredUntil {
                differ(
                    "insuredUntil", d.insuredUntil?.description ?? "資格継続中", period.until?.description ?? "資格継続中",
                    period.loss.map { "資格喪失事由：\($0.label)" } ?? "")
            }
        } else {
            differ("insuredFrom", d.insuredFrom.description, "\(StaffText.fiscalYear(fy))は被保険者でない")
        }
        guard let assessed else {
            differ("assessment", "\(d.annualPremium.amount)", "賦課なし", incomeText)
            return out
        }
        // A figure adopted from this very decision is the city's decision: nothing to report.
        if assessed.reason == .unionAdopted, assessed.annualPremium == d.annualPremium { return [] }
        let breakdown = assessed.breakdown
        // The fields found so far (eligibility) and below explain a different premium.
        var why = out.map(\.field)
        if let breakdown {
            if breakdown.incomeBase != d.incomeBase {
                let inputs =
                    d.incomeBase != nil && income == nil
                    ? "広域連合にあって市にない所得：\(incomeText)" : incomeText
                differ(
                    "incomeBase", d.incomeBase.map { "\($0.amount)" } ?? "なし",
                    breakdown.incomeBase.map { "\($0.amount)" } ?? "なし", inputs)
                why.append("incomeBase")
            }
            if breakdown.judgment.reduction != d.reduction {
                differ(
                    "reduction", d.reduction.description, breakdown.judgment.reduction.description,
                    "koki の世帯：軽減判定所得 \(breakdown.judgment.judgmentIncome.map { StaffText.yen($0) } ?? "不明")、被保険者 \(breakdown.judgment.insuredCount)人、うち所得のある方 \(breakdown.judgment.earners)人"
                )
                why.append("reduction")
            }
        }
        if assessed.annualPremium != d.annualPremium {
            differ(
                "annualPremium", "\(d.annualPremium.amount)", "\(assessed.annualPremium.amount)",
                why.isEmpty
                    ? "koki の算定の基礎は広域連合と同じ：\(incomeText)"
                    : "差のある項目：\(why.map { Staff.unionField($0) }.joined(separator: "、"))")
        }
        let periods = assessed.installments.sorted { $0.period < $1.period }.map(\.amount)
        if !d.periods.isEmpty, d.periods != periods, assessed.annualPremium == d.annualPremium {
            differ(
                "periods", d.periods.map { "\($0.amount)" }.joined(separator: ";"),
                periods.map { "\($0.amount)" }.joined(separator: ";"), "年額は同じで期別の割り振りが異なる")
        }
        return out
    }
}

/// `union import FILE`: the union's assessment and eligibility decisions, recorded, with every
/// difference from koki's own figures.
public struct ImportUnionDecisions: KokiRequest {
    public static let name = "union import"
    public static let function: AccessFunction? = .assessmentWrite

    public var file: String
    public var on: CivilDate?

    public init(file: String, on: CivilDate?) { (self.file, self.on) = (file, on) }

    public func handle(_ scope: RequestScope) throws -> UnionReconciliation.Import {
        let day = try InputLimits.decision(on ?? scope.today, today: scope.today, field: "--on")
        let result = try UnionReconciliation(scope.ledger).importDecisions(
            [UInt8](try scope.read(file)), name: file, on: day, metadata: scope.metadata())
        try scope.recordRead(Array(Set(result.differences.map(\.person))).sorted())
        return result
    }
}

/// `union differences`: every difference between the union's latest decisions and koki.
public struct ShowUnionDifferences: KokiRequest {
    public static let name = "union differences"
    public static let function: AccessFunction? = .assessmentRead
    public static let isQuery = true

    public var fiscalYear: FiscalYear?

    public init(fiscalYear: FiscalYear?) { self.fiscalYear = fiscalYear }

    public func handle(_ scope: RequestScope) throws -> [UnionReconciliation.Difference] {
        if let fiscalYear {
            _ = try keptFiscalYear(
                fiscalYear, today: scope.today, field: "--fiscal-year", what: "the union decides for")
        }
        let rows = try UnionReconciliation(scope.ledger).differences(fiscalYear: fiscalYear)
        try scope.recordRead(Array(Set(rows.map(\.person))).sorted())
        return rows
    }
}

/// `union adopt PERSON`: the city decides the union's figure is right — a reassessment to it.
public struct AdoptUnionFigure: KokiRequest {
    public static let name = "union adopt"
    public static let function: AccessFunction? = .assessmentWrite

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var on: CivilDate?

    public init(person: PersonID, fiscalYear: FiscalYear, on: CivilDate?) {
        (self.person, self.fiscalYear, self.on) = (person, fiscalYear, on)
    }

    public struct Adopted: Sendable, Codable {
        public var person: PersonID
        public var fiscalYear: FiscalYear
        public var from: Yen
        public var to: Yen
        public var installments: [Installment]
    }

    public func handle(_ scope: RequestScope) throws -> Adopted {
        let day = try InputLimits.decision(on ?? scope.today, today: scope.today, field: "--on")
        let (event, previous) = try UnionReconciliation(scope.ledger).adopt(
            person, fiscalYear: fiscalYear, on: day, metadata: scope.metadata())
        return Adopted(
            person: person, fiscalYear: fiscalYear, from: previous.annualPremium, to: event.annualPremium,
            installments: event.installments)
    }
}
