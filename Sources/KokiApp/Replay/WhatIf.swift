import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// What-if replay (issue 8): every recorded assessment of a fiscal year is decided again from
/// its recorded inputs — the ledger as it stood just before it — with today's calculator and,
/// optionally, another rate table, and compared with what was recorded. Nothing is appended.
public struct WhatIf: Sendable {
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        case unchanged, changed, failing, notInsured
    }

    public struct Row: Sendable, Hashable, Codable {
        public var person: PersonID
        /// The position of the recorded assessment.
        public var position: Int64
        public var decidedOn: CivilDate
        public var reason: PremiumAssessed.Reason
        public var recordedRule: String
        public var old: Yen
        public var new: Yen?
        /// Per period: recorded and recomputed amounts (periods in either schedule).
        public var periods: [(period: PeriodNumber, old: Yen, new: Yen)]
        public var status: Status
        public var problem: String?

        public var difference: Yen { (new ?? .zero) - old }

        public static func == (a: Row, b: Row) -> Bool {
            a.position == b.position && a.new == b.new && a.status == b.status
        }
        public func hash(into hasher: inout Hasher) { hasher.combine(position) }

        private enum CodingKeys: String, CodingKey {
            case person, position, decidedOn, reason, recordedRule, old, new, difference, periods, status, problem
        }
        private struct Period: Codable {
            var period: PeriodNumber
            var old: Yen
            var new: Yen
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(person, forKey: .person)
            try c.encode(position, forKey: .position)
            try c.encode(decidedOn, forKey: .decidedOn)
            try c.encode(reason, forKey: .reason)
            try c.encode(recordedRule, forKey: .recordedRule)
            try c.encode(old, forKey: .old)
            try c.encode(new, forKey: .new)
            try c.encode(difference, forKey: .difference)
            try c.encode(periods.map { Period(period: $0.period, old: $0.old, new: $0.new) }, forKey: .periods)
            try c.encode(status, forKey: .status)
            try c.encode(problem, forKey: .problem)
        }
    }

    public struct Report: Sendable {
        public var fiscalYear: FiscalYear
        public var rows: [Row] = []
        public func count(_ status: Status) -> Int { rows.filter { $0.status == status }.count }
        public var totalOld: Yen { rows.map(\.old).sum() }
        public var totalNew: Yen { rows.compactMap(\.new).sum() }
    }

    /// Replays the ledger once, deciding each assessment of `fiscalYear` again just before it.
    /// With `latestOnly`, only the assessment in force for each person is reported. The city is
    /// folded without its collection accounts, which no decision reads.
    public static func run(
        _ ledger: KokiLedger, fiscalYear fy: FiscalYear, rates: RateTable? = nil, latestOnly: Bool = false
    ) throws -> Report {
        try run(ledger, fiscalYear: fy, rates: rates, latestOnly: latestOnly, foldingCollection: false)
    }

    /// The replay, with the collection accounts folded or not (the tests hold the two equal).
    static func run(
        _ ledger: KokiLedger, fiscalYear fy: FiscalYear, rates: RateTable?, latestOnly: Bool, foldingCollection: Bool
    ) throws -> Report {
        if let rates, rates.fiscalYear != fy.year {
            throw KokiError(.invalidInput, "the rate table is for FY\(rates.fiscalYear), not FY\(fy.year)")
        }
        let vault = try IdentityVault.preloaded(ledger)
        var city = CitySnapshot(foldingCollection: foldingCollection)
        var report = Report(fiscalYear: fy)
        var query = EventQuery()
        query.readsEnvelopes = false
        if !foldingCollection {
            // Only what a decision reads: most of a ledger is payments and the collection's
            // other events, passed over undecoded.
            query.types = decisionTypes
            query.scansForTypes = true
        }
        try ledger.forEachEvent(query) { view, event in
            // A change of the collection method (deduction from the pension started or stopped)
            // keeps the amount and moves the periods: no figure of the calculator's to decide.
            if case .premiumAssessed(let recorded) = event, recorded.fiscalYear == fy,
                recorded.reason != .collectionChanged, recorded.reason != .collectionStarted
            {
                report.rows.append(
                    row(recorded, position: view.position, city: city, vault: vault, rates: rates))
            }
            city.apply(event, position: view.position, stream: view.stream.value, version: view.streamVersion)
        }
        if latestOnly {
            var last: [PersonID: Row] = [:]
            for row in report.rows { last[row.person] = row }
            report.rows = last.values.sorted { $0.person < $1.person }
        }
        return report
    }

    /// The event types a decision reads (the register's, the premium accounts' and the year's
    /// tables): what the replay folds when it leaves the collection accounts empty.
    static let decisionTypes: Set<String> = InsuredRegister.eventTypes.union([
        PremiumAssessed.eventType, RateTableAdopted.eventType, InstallmentCalendarAdopted.eventType,
        AssessmentRunRecorded.eventType,
    ])

    static func row(
        _ recorded: PremiumAssessed, position: Int64, city: CitySnapshot, vault: IdentityVault, rates: RateTable?
    ) -> Row {
        var row = Row(
            person: recorded.person, position: position, decidedOn: recorded.decidedOn, reason: recorded.reason,
            recordedRule: recorded.ruleVersion, old: recorded.annualPremium, new: nil, periods: [], status: .failing)
        let decided: [Installment]
        do {
            switch try AssessmentCommands.decide(
                recorded.person, fiscalYear: recorded.fiscalYear, decidedOn: recorded.decidedOn, city: city,
                vault: vault, rates: rates)
            {
            case .notInsured:
                row.status = .notInsured
                return row
            case .unchanged(let previous):
                row.new = previous.annualPremium
                decided = previous.installments
            case .assessed(let e), .reassessed(let e, _):
                row.new = e.annualPremium
                decided = e.installments
            }
        } catch {
            row.problem = "\(error)"
            return row
        }
        let numbers = Set(recorded.installments.map(\.period) + decided.map(\.period)).sorted()
        row.periods = numbers.map { n in
            (
                n, recorded.installments.first { $0.period == n }?.amount ?? .zero,
                decided.first { $0.period == n }?.amount ?? .zero
            )
        }
        row.status =
            row.new == recorded.annualPremium && row.periods.allSatisfy({ $0.old == $0.new }) ? .unchanged : .changed
        return row
    }
}

extension WhatIf.Row {
    /// A row as ``encode(to:)`` wrote it (a client reading a server's answer).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        person = try c.decode(PersonID.self, forKey: .person)
        position = try c.decode(Int64.self, forKey: .position)
        decidedOn = try c.decode(CivilDate.self, forKey: .decidedOn)
        reason = try c.decode(PremiumAssessed.Reason.self, forKey: .reason)
        recordedRule = try c.decode(String.self, forKey: .recordedRule)
        old = try c.decode(Yen.self, forKey: .old)
        new = try c.decodeIfPresent(Yen.self, forKey: .new)
        periods = try c.decode([Period].self, forKey: .periods).map { ($0.period, $0.old, $0.new) }
        status = try c.decode(WhatIf.Status.self, forKey: .status)
        problem = try c.decodeIfPresent(String.self, forKey: .problem)
    }
}
