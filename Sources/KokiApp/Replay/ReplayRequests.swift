import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// `whatif`: every recorded assessment of a year decided again with today's calculator (and a rate
/// table, read only after the check), compared with what was recorded; the persons shown are
/// recorded as read first. Nothing is appended.
public struct WhatIfAssessments: KokiRequest {
    public static let name = "whatif"
    public static let function: AccessFunction? = .assessmentRead
    public static let isQuery = true

    public var fiscalYear: FiscalYear
    /// A corrected rate table (JSON) to decide with.
    public var rates: String?
    /// Only the assessment in force for each person.
    public var latest: Bool
    /// Only rows that differ (or fail).
    public var changedOnly: Bool

    public init(fiscalYear: FiscalYear, rates: String?, latest: Bool, changedOnly: Bool) {
        (self.fiscalYear, self.rates, self.latest, self.changedOnly) = (fiscalYear, rates, latest, changedOnly)
    }

    public struct Answer: Sendable, Codable {
        /// The rows shown (with `changedOnly`, those that differ).
        public var rows: [WhatIf.Row]
        /// Over every assessment of the year: how many, per status, and the totals.
        public var assessments: Int
        public var counts: [String: Int]
        public var totalOld: Yen
        public var totalNew: Yen

        public func count(_ status: WhatIf.Status) -> Int { counts[status.rawValue] ?? 0 }
    }

    public func handle(_ scope: RequestScope) throws -> Answer {
        let fy = fiscalYear
        let table = try readRates(rates, scope)
        let report = try WhatIf.run(scope.ledger, fiscalYear: fy, rates: table, latestOnly: latest)
        let rows = changedOnly ? report.rows.filter { $0.status != .unchanged } : report.rows
        try scope.recordRead(rows.map(\.person), purpose: "what-if \(fiscalYear)")
        return Answer(
            rows: rows, assessments: report.rows.count,
            counts: Dictionary(uniqueKeysWithValues: WhatIf.Status.allCases.map { ($0.rawValue, report.count($0)) }),
            totalOld: report.totalOld, totalNew: report.totalNew)
    }
}

/// `whatif --apply`: the corrected rate table adopted and the year reassessed through the ordinary
/// annual run, each reassessment recording the reason (one idempotent run). Named apart from the
/// query, which another function allows.
public struct ApplyWhatIf: KokiRequest {
    public static let name = "whatif apply"
    public static let function: AccessFunction? = .assessmentWrite

    public var fiscalYear: FiscalYear
    public var rates: String?
    public var decidedOn: CivilDate
    public var reason: String

    public init(fiscalYear: FiscalYear, rates: String?, decidedOn: CivilDate, reason: String) {
        (self.fiscalYear, self.rates, self.decidedOn, self.reason) = (fiscalYear, rates, decidedOn, reason)
    }

    /// What the run did.
    public struct Outcome: Sendable, Codable {
        public var reassessed: Int
        public var unchanged: Int
        public var assessedFirstTime: Int
        /// Why the stored read models were not brought up to date after the run, if they were not.
        public var readModelsNote: String?
    }

    public func handle(_ scope: RequestScope) throws -> Outcome {
        let fy = fiscalYear
        let reason = try checkedText(reason, field: "--reason")
        let table = try readRates(rates, scope)
        let commands = AssessmentCommands(scope.ledger)
        let actor = scope.context.operatorID
        if let table {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            try commands.adoptRates(
                table, metadata: CommandMetadata(commandID: Identifier(derivedFrom: Array(try encoder.encode(table))), actor: actor))
        }
        let run = try commands.runAnnual(
            fiscalYear: fy, decidedOn: decidedOn, actor: actor, cause: "rule change: \(reason)",
            runID: Identifier(derivedFrom: Array("whatif-apply/\(fy.year)/\(decidedOn)/\(reason)".utf8)))
        return Outcome(
            reassessed: run.reassessed, unchanged: run.unchanged, assessedFirstTime: run.assessedFirstTime,
            readModelsNote: readModelsBroughtUp(scope.ledger))
    }
}

/// `explain`: how a person's figures for a year came to be — each assessment with its position,
/// operator, reason, calculator version, the rate table and the input events it read, and its
/// breakdown; with `period`, that period's money, notices, late fee bands and prescription on `on`.
/// The person is recorded as read first. Answers the explanation's lines.
public struct ExplainFigures: PersonRequest {
    public static let name = "explain"
    public static let function: AccessFunction? = .assessmentRead
    public static let isQuery = true

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var period: Int?
    /// For `period`: late fee and prescription on this day (default: the caller's today).
    public var on: CivilDate?

    /// The breakdown's JSON as version 3 of the event held it (sorted keys, slashes as they are).
    static let breakdownEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public init(person: PersonID, fiscalYear: FiscalYear, period: Int?, on: CivilDate?) {
        (self.person, self.fiscalYear, self.period, self.on) = (person, fiscalYear, period, on)
    }

    public func handle(_ scope: RequestScope) throws -> [String] {
        var lines: [String] = []
        let ledger = scope.ledger
        try scope.recordRead([person])
        let fy = fiscalYear
        var found = false
        var query = EventQuery.stream(try StreamName(person.streamName))
        query.types = [PremiumAssessed.eventType]
        var assessments: [(RecordedEvent, PremiumAssessed)] = []
        try ledger.forEachEvent(query) { view, event in
            if case .premiumAssessed(let e) = event, e.fiscalYear == fy { assessments.append((view.recorded(), e)) }
        }
        for (view, e) in assessments {
            found = true
            lines.append(
                "position \(view.position)  recorded \(view.recordedAt) by \(view.actor)  decided \(e.decidedOn)  \(e.reason.rawValue)"
            )
            lines.append(
                "  premium \(e.annualPremium.amount) yen by \(e.ruleVersion), collection \(e.collection.rawValue)")
            if !e.cause.isEmpty { lines.append("  cause: \(e.cause)") }
            lines.append(
                "  periods: "
                    + e.installments.map { "\($0.period.number) \($0.dueDate) \($0.amount.amount)" }.joined(
                        separator: "; "))
            if e.rateTablePosition > 0 { try describe(ledger, e.rateTablePosition, "rate table", into: &lines) }
            for p in e.inputPositions { try describe(ledger, p, "input", into: &lines) }
            // Printed as the JSON koki recorded before the breakdown was stored in binary: the
            // same text, whichever version of the event holds it.
            if let breakdown = e.breakdown, let json = try? Self.breakdownEncoder.encode(breakdown),
                let object = try? JSONSerialization.jsonObject(with: json),
                let pretty = try? JSONSerialization.data(
                    withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            {
                lines.append("  breakdown:")
                for line in String(decoding: pretty, as: UTF8.self).split(separator: "\n") { lines.append("    \(line)") }
            }
        }
        guard found else { throw KokiError(.invalidInput, "no \(fiscalYear) assessment for \(person)") }
        guard let period else { return lines }
        let key = PeriodKey(fy, try PeriodNumber(period))
        let date = on ?? scope.today
        let account = try CollectionCommands(ledger).load(person).account
        lines.append("period \(key)")
        for p in account.payments {
            for part in p.event.parts where part.key == key {
                lines.append(
                    "  payment \(p.event.id) paid \(p.event.paidOn) \(part.charge.rawValue) \(part.amount.amount) (accounting FY\(part.accountingYear.year))"
                        + (p.cancelled.map { " — cancelled \($0.cancelledOn): \($0.reason)" } ?? ""))
            }
        }
        for a in account.appropriations {
            for part in a.parts where part.key == key {
                lines.append(
                    "  appropriated from \(a.overpayment) \(part.amount.amount), effective \(part.effectiveOn)")
            }
        }
        for n in account.dunning where n.key == key {
            lines.append("  dunning notice \(n.issuedOn), pay by \(n.payBy?.description ?? "-")")
        }
        let rows: [ArrearsCommands.PeriodArrears]
        do { rows = try ArrearsCommands(ledger).arrears(of: person, on: date) } catch let error as KokiError {
            lines.append("  (late fee and prescription: \(error.message))")
            return lines
        }
        if let row = rows.first(where: { $0.key == key }) {
            for band in row.lateFee?.bands ?? [] { lines.append("  late fee  \(band)") }
            if let fee = row.lateFee { lines.append("  late fee  sum \(fee.sum.amount) → \(fee.fee.amount)") }
            for step in row.prescription.steps { lines.append("  時効  \(step)") }
        }
        return lines
    }

    private func describe(_ ledger: KokiLedger, _ position: Int64, _ label: String, into lines: inout [String]) throws {
        var query = EventQuery.from(position: position)
        query.throughPosition = position
        try ledger.forEachEvent(query) { view, event in
            lines.append(
                "  \(label) \(view.position): \(event.typeName) \(event.effectiveDate.map { "effective \($0) " } ?? "")by \(view.command.actor)"
            )
        }
    }
}

/// The rate table a what-if names, read only now that the operator was checked.
private func readRates(_ path: String?, _ scope: RequestScope) throws -> RateTable? {
    let table = try path.map { try scope.readJSON(RateTable.self, from: $0) }
    try table?.validate()
    return table
}
