import Foundation
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections

/// Bank debit's whole life (口座振替): an application (口座振替依頼書) received at the counter, sent
/// to the bank for registration, accepted — the mandate starts — or refused with the bank's reason.
extension CollectionCommands {
    /// Records an application received on `date`, the account sealed with the person's key. The
    /// holder's name may be typed in full-width katakana; it is stored as half-width. Refused: a
    /// person not in the register or dead by then, a holder name longer than 30 half-width
    /// characters, the same account applied for while an earlier application is still open.
    public func applyForDebit(
        _ person: PersonID, account: BankAccount, on date: CivilDate, metadata: CommandMetadata
    ) throws -> DebitApplicationRecorded {
        let state = try load(person)
        guard let entry = state.entry else { throw KokiError.notInRegister(person) }
        if let died = entry.diedOn, died <= date {
            throw KokiError(
                .invalidInput,
                "\(person) died on \(died): no bank-debit application after a death (the heirs pay by slip)")
        }
        let account = try Self.banked(account)
        for open in state.account.currentApplications where [.received, .sent].contains(open.change) {
            if let sealed = state.account.applicationAccount(open.id),
                try vault.openAccount(sealed, for: person) == account
            {
                throw KokiError(
                    .invalidInput, "\(person) applied for this account already (\(open.id), \(open.change.rawValue))")
            }
        }
        let sameDay = state.account.currentApplications.filter {
            $0.id.hasPrefix("\(person.value)-\(date.description.filter { $0 != "-" })-")
        }
        let event = DebitApplicationRecorded(
            person: person, id: "\(person.value)-\(date.description.filter { $0 != "-" })-\(sameDay.count + 1)",
            change: .received, on: date,
            account: try vault.seal(account, for: person))
        try ledger.record(
            [.debitApplicationRecorded(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }

    /// What a registration run sent, and its file.
    public struct MandateRequestRun: Sendable, Hashable, Codable {
        public var sent: [DebitApplicationRecorded] = []
        /// Mandates stopped because the payer died (from the day after the death).
        public var stopped: [DebitMandateStopped] = []
        /// Applications of persons who died before the run: withdrawn, not sent.
        public var withdrawn: [DebitApplicationRecorded] = []
        /// The request (``MandateRequestFile``) as CSV; empty when nothing was sent.
        public var file: Data = Data()
        public var digest: String = ""

        public init() {}
    }

    /// Sends every application received and not yet sent to the bank for registration, on `date`:
    /// the file (``MandateRequestFile``), each application marked sent with the file's digest, and
    /// the file recorded (kind `mandateRequest`) — one command. The application of a person who
    /// died is withdrawn instead, and a mandate still in force for a person who died is stopped
    /// from the day after the death (the bank freezes the account). Nothing to send or stop:
    /// nothing written, nothing recorded. A fresh process reads the stored debit states of the
    /// persons with an application or a mandate (their streams, where there is no table).
    public func sendDebitApplications(on date: CivilDate, actor: String) throws -> MandateRequestRun {
        var versions: [PersonID: Int64] = [:]
        var run = MandateRequestRun()
        var lines = [MandateRequestFile.header.joined(separator: ",")]
        for payer in try mandateFacts(actingOn: date) {
            let person = payer.person
            versions[person] = payer.version
            // A mandate still running after the day after the death. One the bank started later
            // is stopped where it starts and then no longer runs: a second run leaves it.
            if let died = payer.died, died <= date,
                payer.mandates.contains(where: { $0.runs(after: died.adding(days: 1)) })
            {
                run.stopped.append(
                    DebitMandateStopped(person: person, stopsOn: died.adding(days: 1), reason: "死亡（\(died)）"))
            }
            for application in payer.applications where application.change == .received {
                guard application.on <= date else { continue }
                if let died = payer.died, died <= date {
                    run.withdrawn.append(
                        DebitApplicationRecorded(
                            person: person, id: application.id, change: .withdrawn, on: date, reason: "死亡（\(died)）"))
                    continue
                }
                guard let sealed = application.account, let bank = try vault.openAccount(sealed, for: person)
                else { continue }  // erased after retention
                lines.append(
                    [
                        application.id, person.value, bank.bankCode, bank.branchCode, "\(bank.accountType)",
                        bank.accountNumber, bank.holderKana,
                    ].joined(separator: ","))
                run.sent.append(
                    DebitApplicationRecorded(person: person, id: application.id, change: .sent, on: date))
            }
        }
        guard !run.sent.isEmpty || !run.withdrawn.isEmpty || !run.stopped.isEmpty else { return run }
        var events: [KokiEvent] =
            run.withdrawn.map { .debitApplicationRecorded($0) } + run.stopped.map { .debitMandateStopped($0) }
        var digest =
            "withdrawn/\(date)/" + run.withdrawn.map(\.id).joined(separator: ",") + "/stopped/"
            + run.stopped.map(\.person.value).joined(separator: ",")
        if !run.sent.isEmpty {
            let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
            run.file = Data(bytes)
            run.digest = Self.digest(bytes)
            digest = run.digest
            for i in run.sent.indices { run.sent[i].file = run.digest }
            events += run.sent.map { .debitApplicationRecorded($0) }
            events.append(
                .collectionFileRecorded(
                    CollectionFileRecorded(
                        kind: .mandateRequest, digest: run.digest, name: "mandate-request-\(date)", date: date,
                        records: run.sent.count, amount: .zero, accepted: run.sent.count, other: run.withdrawn.count,
                        duplicates: 0, unmatched: 0)))
        }
        try appendImport(events, versions: versions, digest: digest, kind: .mandateRequest, actor: actor)
        return run
    }

    /// What an answer import recorded.
    public struct MandateAnswerSummary: Sendable, Hashable, Codable {
        public var digest = ""
        public var records = 0
        /// Mandates started (accepted).
        public var accepted: [DebitApplicationRecorded] = []
        public var refused: [DebitApplicationRecorded] = []
        /// Accepted for a person who died in the meantime: withdrawn, no mandate.
        public var withdrawn: [DebitApplicationRecorded] = []
    }

    /// Imports the bank's answer (``MandateAnswerFile``) learned of on `learnedOn`: an acceptance
    /// starts the mandate from that day (`DebitMandateStarted`, replacing one in force: a change of
    /// account) — debits begin with the first due date from then, as the 口座振替開始通知 tells the
    /// payer; a refusal records the bank's reason. Refused whole (nothing appended), naming the
    /// line: what the parser refuses, an application koki does not know or did not send, one
    /// answered already, and a file imported before (or the city's own request sent back).
    public func importMandateAnswers(_ bytes: [UInt8], name: String, learnedOn: CivilDate, actor: String) throws
        -> MandateAnswerSummary
    {
        let file: MandateAnswerFile
        do { file = try MandateAnswerFile.parse(bytes) } catch {
            throw KokiError(.invalidInput, "\(name): \(error): nothing appended")
        }
        var scope = try importScope()
        let digest = Self.digest(bytes)
        try refuseIfImported(digest, scope, name: name)
        guard learnedOn <= today else {
            throw KokiError(
                .invalidInput, "\(name): learned of on \(learnedOn), after today (\(today)): nothing appended")
        }
        var summary = MandateAnswerSummary(digest: digest, records: file.records.count)
        var events: [KokiEvent] = []
        for r in file.records {
            func refuse(_ why: String) -> KokiError {
                KokiError(
                    .invalidInput, "\(name): line \(r.line): application \(r.application) \(why): nothing appended")
            }
            guard let number = r.application.split(separator: "-").first, let person = try? PersonID(String(number))
            else { throw refuse("names no person") }
            let state = try state(person, in: &scope)
            guard let application = state.account.currentApplications.first(where: { $0.id == r.application }) else {
                throw refuse("is not one koki received")
            }
            guard application.change == .sent, let sentOn = Optional(application.on), sentOn <= learnedOn else {
                throw refuse(
                    application.change == .received
                        ? "was never sent to the bank" : "was answered already (\(application.change.rawValue))")
            }
            if r.result == .accepted, let died = state.entry?.diedOn, died <= learnedOn {
                let withdrawn = DebitApplicationRecorded(
                    person: person, id: r.application, change: .withdrawn, on: learnedOn, file: digest,
                    reason: "死亡（\(died)）")
                events.append(.debitApplicationRecorded(withdrawn))
                summary.withdrawn.append(withdrawn)
            } else if r.result == .accepted {
                guard let sealed = state.account.applicationAccount(r.application) else {
                    throw refuse("has no account recorded")
                }
                let accepted = DebitApplicationRecorded(
                    person: person, id: r.application, change: .accepted, on: learnedOn, file: digest)
                events += [
                    .debitApplicationRecorded(accepted),
                    .debitMandateStarted(DebitMandateStarted(person: person, startsOn: learnedOn, account: sealed)),
                ]
                summary.accepted.append(accepted)
            } else {
                let refused = DebitApplicationRecorded(
                    person: person, id: r.application, change: .refused, on: learnedOn, file: digest, reason: r.reason)
                events.append(.debitApplicationRecorded(refused))
                summary.refused.append(refused)
            }
        }
        events.append(
            .collectionFileRecorded(
                CollectionFileRecorded(
                    kind: .mandateAnswer, digest: digest, name: name, date: learnedOn, records: file.records.count,
                    amount: .zero, accepted: summary.accepted.count, other: summary.refused.count,
                    duplicates: 0, unmatched: summary.withdrawn.count)))
        try appendImport(events, versions: scope.loaded, digest: digest, kind: .mandateAnswer, actor: actor)
        return summary
    }
}

// MARK: - コンビニ納付書の再発行

extension CollectionCommands {
    /// Reissues a convenience-store slip for a period paid ordinarily (再発行), on `date`: the
    /// ledger counts it (the barcode's 再発行区分: the period's reissues so far + 1, at most 9) and
    /// records why, the new deadline, the amount still owed and the barcode printed. Refused: a
    /// period that owes nothing, one deducted from the pension, a deadline before `date`, a tenth
    /// reissue (the barcode holds one digit), and a person who died (the heirs pay by a slip
    /// addressed to them).
    public func reissueSlip(
        _ person: PersonID, key: PeriodKey, issuer: String, reason: String, deadline: CivilDate, on date: CivilDate,
        metadata: CommandMetadata
    ) throws -> SlipReissued {
        let state = try load(person)
        guard let period = state.account.periods[key] else {
            throw KokiError(.invalidInput, "\(person) has no period \(key.period.number) in FY\(key.fiscalYear.year)")
        }
        guard state.assessment(key.fiscalYear, { $0.method(of: key.period) }) != .pensionDeduction else {
            throw KokiError(.invalidInput, "\(person)'s \(key) is deducted from the pension: no slip")
        }
        guard period.outstanding > .zero else { throw KokiError(.invalidInput, "\(person) owes nothing on \(key)") }
        if let died = state.entry?.diedOn, died < date {
            throw KokiError(
                .invalidInput, "\(person) died on \(died): the heirs pay by a slip addressed to them (koki mail)")
        }
        guard deadline >= date else {
            throw KokiError(.invalidInput, "deadline \(deadline) is before the day reissued (\(date))")
        }
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty, reason.count <= 60, InputLimits.controlCharacter(in: reason) == nil else {
            throw KokiError(.invalidInput, "--reason must be 1–60 characters of text")
        }
        let count = (state.account.slipReissues.filter { $0.key == key }.map(\.count).max() ?? 0) + 1
        guard count <= 9 else {
            throw KokiError(
                .invalidInput,
                "\(person)'s slip for \(key) was reissued 9 times already: the barcode's 再発行区分 holds one digit")
        }
        let barcode: ConvenienceBarcode
        do {
            barcode = try ConvenienceBarcode(
                issuer: issuer, slip: try SlipNumber(person: person, key: key), reissue: count, deadline: deadline,
                amount: period.outstanding)
        } catch { throw KokiError(.invalidInput, error.message) }
        let event = SlipReissued(
            person: person, key: key, count: count, reason: reason, deadline: deadline, amount: period.outstanding,
            issuedOn: date, barcode: barcode.description)
        try ledger.record([.slipReissued(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }
}

// MARK: - 全期前納

extension CollectionCommands {
    /// Records a bank-debit payer's choice of 全期前納 — each year's premium whole on its first due
    /// date, where the year's calendar offers it — or its withdrawal. Refused: a person not in the
    /// register or dead by then, no mandate in force or applied for, choosing twice, withdrawing
    /// nothing.
    public func choosePrepayment(
        _ person: PersonID, change: DebitPrepaymentChosen.Change, on date: CivilDate, metadata: CommandMetadata
    ) throws -> DebitPrepaymentChosen {
        let state = try load(person)
        guard let entry = state.entry else { throw KokiError.notInRegister(person) }
        switch change {
        case .chosen:
            if let died = entry.diedOn, died <= date {
                throw KokiError(.invalidInput, "\(person) died on \(died): no choice after a death")
            }
            if let earlier = state.account.prepayment {
                throw KokiError(.invalidInput, "\(person) chose 全期前納 on \(earlier) already")
            }
            guard state.account.debitsOrApplied(on: date) else {
                throw KokiError(
                    .invalidInput,
                    "\(person) has no bank-debit mandate in force or applied for: 全期前納 is paid by debit")
            }
        case .withdrawn:
            guard state.account.prepayment != nil else {
                throw KokiError(.invalidInput, "\(person) has no 全期前納 to withdraw")
            }
        }
        let event = DebitPrepaymentChosen(person: person, change: change, on: date)
        try ledger.record(
            [.debitPrepaymentChosen(event)], metadata: metadata, expecting: [person: .exact(state.version)])
        return event
    }
}
