import Crypto
import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

// MARK: - Benefit applications (給付)

extension Counter {
    /// Records a benefit application received at a counter (療養費, 高額療養費, 葬祭費 …); the payee's
    /// name and account are sealed with the person's key. It goes to the union with the next
    /// transfer that carries `benefit-application`.
    @discardableResult
    public func receiveBenefit(
        _ person: PersonID, kind: BenefitKind, intake: Intake, serviceFrom: CivilDate, serviceThrough: CivilDate,
        claimed: Yen?, payee: String?, account: BankAccount?, metadata: CommandMetadata
    ) throws -> BenefitApplicationReceived {
        guard let entry = try InsuredRegisterCommands(ledger).person(person) else {
            throw KokiError.notInRegister(person)
        }
        guard serviceFrom <= serviceThrough else {
            throw KokiError(
                .invalidInput, "--service-through \(serviceThrough) is before --service-from \(serviceFrom)")
        }
        guard entry.isInsured(on: serviceFrom) else {
            throw KokiError(
                .invalidInput, "\(person) was not insured on \(serviceFrom): the union pays no benefit for it")
        }
        if let claimed, claimed < .zero { throw KokiError(.invalidInput, "--claimed \(claimed.amount) is negative") }
        if let claimed { _ = try Yen.checked(claimed.amount, .amount, field: "--claimed") }
        if kind == .funeral, intake.applicant == .person {
            throw KokiError(
                .invalidInput,
                "a funeral benefit (葬祭費) is applied for by whoever held the funeral: --applicant heir, household or agent"
            )
        }
        guard intake.receivedOn >= serviceFrom else {
            throw KokiError(.invalidInput, "received \(intake.receivedOn), before the care it is for (\(serviceFrom))")
        }
        let (records, version) = try records(person)
        let application = BenefitApplicationReceived(
            number: Self.number("B", intake.receivedOn, person, after: records.received), person: person, kind: kind,
            reception: try reception(intake, person: person, enteredBy: metadata.actor), serviceFrom: serviceFrom,
            serviceThrough: serviceThrough, claimed: claimed,
            payee: try payee.flatMap { $0.isEmpty ? nil : try vault.seal(name: $0, for: person) },
            account: try account.map { try vault.seal($0, for: person) })
        try ledger.record(
            [.counter(.benefitApplicationReceived(application))], metadata: metadata,
            expectingStreams: [CounterEvent.stream(person): .exact(version)])
        return application
    }

    /// The union's decision on one application, as typed or as a line of its monthly file.
    public struct Decision: Sendable, Hashable {
        public var number: String
        public var approved: Bool
        public var amount: Yen
        public var decidedOn: CivilDate
        public var paidOn: CivilDate?
        public var reference: String
        public var reason: String?

        public init(
            number: String, approved: Bool, amount: Yen, decidedOn: CivilDate, paidOn: CivilDate?, reference: String,
            reason: String?
        ) {
            self.number = number
            self.approved = approved
            self.amount = amount
            self.decidedOn = decidedOn
            self.paidOn = paidOn
            self.reference = reference
            self.reason = reason
        }
    }

    /// Records the union's decisions (one, or a month's file): all or none. Refused, naming the
    /// line, when an application is unknown or decided already, an approval has no amount, a
    /// refusal no reason, or a decision predates the application. A file recorded before is
    /// recognised by its content and records nothing again.
    @discardableResult
    public func recordDecisions(_ decisions: [Decision], source: String?, metadata: CommandMetadata) throws
        -> [BenefitDecided]
    {
        var events: [KokiEvent] = []
        var decided: [BenefitDecided] = []
        var expected: [String: ExpectedVersion] = [:]
        var loaded: [PersonID: CounterRecords.Person] = [:]
        var seen = Set<String>()
        let today = InputLimits.dayInJapan(microsecondsSinceEpoch: ledger.store.now.microseconds)
        // A file recorded before (every decision in it already there, as it says): nothing to do.
        if source != nil {
            var same = true
            for d in decisions where same {
                let existing = try records(try Self.person(inNumber: d.number)).records.benefit(d.number)?.decision
                same =
                    existing.map {
                        ($0.approved, $0.amount, $0.decidedOn, $0.unionReference)
                            == (d.approved, d.amount, d.decidedOn, d.reference)
                    } ?? false
            }
            if same, !decisions.isEmpty { return [] }
        }
        for (index, d) in decisions.enumerated() {
            let at = source.map { "\($0) line \(index + 2): " } ?? ""  // after the file's header line
            let person = try Self.person(inNumber: d.number)
            if loaded[person] == nil {
                let (records, version) = try records(person)
                loaded[person] = records
                expected[CounterEvent.stream(person)] = .exact(version)
            }
            guard let benefit = loaded[person]?.benefit(d.number) else {
                throw KokiError(.invalidInput, "\(at)no benefit application \(d.number)")
            }
            guard benefit.decision == nil, seen.insert(d.number).inserted else {
                throw KokiError(.invalidInput, "\(at)\(d.number) is decided already")
            }
            _ = try Yen.checked(d.amount.amount, .amount, field: "\(at)\(d.number): the amount")
            if d.approved, d.amount <= .zero {
                throw KokiError(.invalidInput, "\(at)\(d.number) is approved with no amount")
            }
            if !d.approved, d.amount != .zero || (d.reason ?? "").isEmpty {
                throw KokiError(.invalidInput, "\(at)\(d.number) is refused: give a reason and no amount")
            }
            let latest = InputLimits.latest(today: today, leadDays: InputLimits.Lead.benefitDecision)
            guard d.decidedOn <= latest else {
                throw KokiError(
                    .invalidInput,
                    "\(at)\(d.number) is decided on \(d.decidedOn), after today (\(today)): a decision already taken is not dated ahead"
                )
            }
            if let paid = d.paidOn,
                paid > InputLimits.latest(today: today, leadDays: InputLimits.Lead.benefitPayment)
            {
                throw KokiError(
                    .invalidInput,
                    "\(at)\(d.number): paid on \(paid) is more than \(InputLimits.Lead.benefitPayment) days after today (\(today))"
                )
            }
            guard d.decidedOn >= benefit.received.reception.receivedOn else {
                throw KokiError(.invalidInput, "\(at)\(d.number) is decided on \(d.decidedOn), before it was received")
            }
            if let paid = d.paidOn, paid < d.decidedOn || !d.approved {
                throw KokiError(.invalidInput, "\(at)\(d.number): paid on \(paid) does not fit the decision")
            }
            let event = BenefitDecided(
                number: d.number, person: person, approved: d.approved, amount: d.amount, decidedOn: d.decidedOn,
                paidOn: d.paidOn, unionReference: d.reference, reason: d.reason)
            decided.append(event)
            events.append(.counter(.benefitDecided(event)))
        }
        guard !events.isEmpty else { throw KokiError(.invalidInput, "no decision given") }
        var metadata = metadata
        if let source {
            let digest = SHA256.hash(
                data: Array(decided.map { "\($0.number),\($0.amount.amount)" }.joined(separator: "\n").utf8))
            metadata.commandID = Identifier(
                derivedFrom: Array("benefit-decisions/\(source.split(separator: "/").last ?? "")/".utf8) + Array(digest)
            )
        }
        try ledger.record(events, metadata: metadata, expectingStreams: expected)
        return decided
    }

    /// The decision file's header.
    public static let decisionsHeader = "number,decision,amount,decided_on,paid_on,reference,reason"

    /// Parses the union's monthly decision file as bytes: refused unless it is UTF-8 text (see
    /// ``parseDecisions(_:source:)`` for the rest).
    public static func parseDecisions(bytes: [UInt8], source: String) throws -> [Decision] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let line = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).firstIndex {
                String(validating: $0, as: UTF8.self) == nil
            }
            throw KokiError(.invalidInput, "\(source) line \((line ?? 0) + 1): not UTF-8 text: nothing recorded")
        }
        return try parseDecisions(text, source: source)
    }

    /// Parses the union's monthly decision file (CSV, UTF-8, a header line first):
    /// `number,decision,amount,decided_on,paid_on,reference,reason` with decision `approved` or
    /// `refused`; paid_on and reason may be empty. Refused, naming the line (and column): a
    /// header that is not exactly this one (another file's, such as the JSON lines of a transfer
    /// to the union, is named), control characters (NUL, ESC …) anywhere, a file with its header
    /// and no decision, a reference or reason longer than ``InputLimits/textLength``.
    public static func parseDecisions(_ text: String, source: String) throws -> [Decision] {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        for (index, line) in lines.enumerated() {
            if let (offset, scalar) = InputLimits.controlCharacter(in: line) {
                throw KokiError(
                    .invalidInput,
                    "\(source) line \(index + 1), column \(offset + 1): control character \(InputLimits.name(scalar)): refused, nothing recorded"
                )
            }
        }
        let header = lines.first.map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                .joined(separator: ",")
        }
        guard let header, header == decisionsHeader else {
            let what =
                lines.first?.hasPrefix("{") == true
                ? " (this is JSON, such as a transfer koki writes to the union, not the union's decisions)"
                : lines.isEmpty ? " (the file is empty)" : ""
            throw KokiError(.invalidInput, "\(source) line 1: expected the header \(decisionsHeader)\(what)")
        }
        guard lines.dropFirst().contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw KokiError(.invalidInput, "\(source) line 2: the file has its header and no decision: nothing recorded")
        }
        return try lines.dropFirst().enumerated().map { offset, line in
            let at = "\(source) line \(offset + 2)"
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard f.count == 7 else { throw KokiError(.invalidInput, "\(at): \(f.count) fields, expected 7") }
            for (index, name) in [(5, "reference"), (6, "reason")] where f[index].count > InputLimits.textLength {
                throw KokiError(
                    .invalidInput,
                    "\(at): \(name) is \(f[index].count) characters, more than \(InputLimits.textLength)")
            }
            guard ["approved", "refused"].contains(f[1]) else {
                throw KokiError(.invalidInput, "\(at): decision '\(f[1])' is neither approved nor refused")
            }
            guard let amount = Int64(f[2]), Yen.AmountRange.amount.bounds.contains(amount) else {
                throw KokiError(
                    .invalidInput, "\(at): amount '\(f[2])' is not whole yen within \(Yen.AmountRange.amount)")
            }
            func date(_ text: String, _ name: String) throws -> CivilDate {
                do { return try CivilDate(iso: text) } catch {
                    throw KokiError(.invalidInput, "\(at): \(name) '\(text)' is not a date (YYYY-MM-DD)")
                }
            }
            return Decision(
                number: f[0], approved: f[1] == "approved", amount: Yen(amount),
                decidedOn: try date(f[3], "decided_on"),
                paidOn: f[4].isEmpty ? nil : try date(f[4], "paid_on"), reference: f[5],
                reason: f[6].isEmpty ? nil : f[6])
        }
    }

    /// A benefit application not yet decided, with whether it went to the union and when.
    public struct OpenBenefit: Sendable, Hashable, Codable {
        public var application: BenefitApplicationReceived
        /// The day of the transfer that carried it, if one did.
        public var forwardedOn: CivilDate?
        public var daysOpen: Int
    }

    /// Applications the union has not decided, oldest first, with their age on `date`.
    public func openBenefits(on date: CivilDate) throws -> [OpenBenefit] {
        var received: [(BenefitApplicationReceived, Int64)] = []
        var decided = Set<String>()
        var transfers: [TransferRecorded] = []
        var query = EventQuery()
        query.types = [
            BenefitApplicationReceived.eventType, BenefitDecided.eventType, TransferRecorded.eventType,
        ]
        try ledger.forEachEvent(query) { view, event in
            switch event {
            case .counter(.benefitApplicationReceived(let e)): received.append((e, view.position))
            case .counter(.benefitDecided(let e)): decided.insert(e.number)
            case .access(.transferRecorded(let e))
            where e.counts.contains(where: { $0.item == .benefitApplication }):
                transfers.append(e)
            default: break
            }
        }
        return received.filter { !decided.contains($0.0.number) }.map { application, position in
            let carried = transfers.first { $0.fromPosition <= position && position <= $0.throughPosition }
            return OpenBenefit(
                application: application, forwardedOn: carried?.transferredOn,
                daysOpen: application.reception.receivedOn.days(until: date))
        }.sorted {
            ($0.application.reception.receivedOn, $0.application.number) < (
                $1.application.reception.receivedOn, $1.application.number
            )
        }
    }
}
