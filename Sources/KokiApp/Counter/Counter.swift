import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore
import Synchronization

/// The counters' work (窓口業務): applications received with a second operator's check, eligibility
/// certificates and the copayment class, benefit applications. Each person's counter records are
/// one short stream (`counter/PERSON`), so a person's applications and certificates read only it.
public struct Counter: Sendable {
    public let ledger: KokiLedger
    let vault: IdentityVault

    @_spi(Batch) public init(_ ledger: KokiLedger) {
        self.ledger = ledger
        vault = IdentityVault(ledger)
    }

    /// A person's counter records and their stream's version.
    public func records(_ person: PersonID) throws -> (records: CounterRecords.Person, version: Int64) {
        var records = CounterRecords()
        var version: Int64 = 0
        try ledger.forEachEvent(.stream(try StreamName(CounterEvent.stream(person)))) { view, event in
            records.apply(event)
            version = view.streamVersion
        }
        return (records.persons[person] ?? CounterRecords.Person(), version)
    }

    /// The counter settings in force (`config/counter`), or none adopted.
    public func settings() throws -> CounterSettings {
        var settings = CounterSettings()
        try ledger.forEachEvent(.stream(try StreamName(CounterSettingsAdopted.streamName))) { _, event in
            if case .counter(.settingsAdopted(let e)) = event { settings = e.settings }
        }
        return settings
    }

    public func adopt(_ settings: CounterSettings, metadata: CommandMetadata) throws {
        if let problem = settings.problem { throw KokiError(.invalidInput, "counter settings: \(problem)") }
        try ledger.record([.counter(.settingsAdopted(CounterSettingsAdopted(settings: settings)))], metadata: metadata)
    }

    /// The office as typed: plain text, checked against the offices adopted (when there are any).
    func checkOffice(_ office: String) throws {
        _ = try checkedText(office, field: "--office", limit: 40)
        guard !office.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw KokiError(.invalidInput, "--office が空です：受け付けた窓口を入力してください")
        }
        let offices = try settings().offices
        guard offices.isEmpty || offices.contains(office) else {
            throw KokiError(
                .invalidInput,
                "--office \(office) is not one of the city's offices (\(offices.joined(separator: ", ")))")
        }
    }

    /// What a counter operator types about a reception.
    public struct Intake: Sendable {
        public var office: String
        public var receivedOn: CivilDate
        public var applicant: ApplicantKind
        public var applicantName: String?
        public var identityCheck: IdentityDocument
        public var attached: [String]

        public init(
            office: String, receivedOn: CivilDate, applicant: ApplicantKind, applicantName: String?,
            identityCheck: IdentityDocument, attached: [String]
        ) {
            self.office = office
            self.receivedOn = receivedOn
            self.applicant = applicant
            self.applicantName = applicantName
            self.identityCheck = identityCheck
            self.attached = attached
        }
    }

    /// The reception as recorded: the office checked, the applicant's name sealed.
    func reception(_ intake: Intake, person: PersonID, enteredBy: String) throws -> Reception {
        try checkOffice(intake.office)
        let name = intake.applicantName?.trimmingCharacters(in: .whitespaces)
        switch (intake.applicant, name?.isEmpty ?? true) {
        case (.person, false):
            throw KokiError(.invalidInput, "--applicant-name は本人以外の申請者のときだけ入力します")
        case (.household, true), (.agent, true), (.heir, true):
            throw KokiError(.invalidInput, "申請者が\(intake.applicant.label)のときは --applicant-name が必要です")
        default: break
        }
        if let blank = intake.attached.first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw KokiError(.invalidInput, "--attached「\(blank)」は書類の名前ではありません")
        }
        return Reception(
            office: intake.office, receivedOn: intake.receivedOn, applicant: intake.applicant,
            applicantName: try name.flatMap { $0.isEmpty ? nil : try vault.seal(name: $0, for: person) },
            identityCheck: intake.identityCheck, attached: intake.attached, enteredBy: enteredBy)
    }

    /// The next number for something received for `person` on `date`: prefix, date, person, and
    /// how many were received for them before, plus one.
    static func number(_ prefix: String, _ date: CivilDate, _ person: PersonID, after received: Int) -> String {
        let digits = date.description.replacingOccurrences(of: "-", with: "")
        return "\(prefix)\(digits)-\(person.value)-\(received + 1)"
    }

    /// The person an application or benefit number belongs to (`A20261129-1001-1` → 1001).
    public static func person(inNumber number: String) throws -> PersonID {
        let parts = number.split(separator: "-")
        guard parts.count == 3, let first = parts[0].first, "AB".contains(first), parts[0].count == 9,
            let person = try? PersonID(String(parts[1])), Int(parts[2]) != nil
        else {
            throw KokiError(.invalidInput, "「\(number)」は申請番号（A20261129-1001-1 の形）ではありません")
        }
        return person
    }
}

// MARK: - Applications and the second check

/// A change whose typed values can be checked without the ledger: an application received with
/// it is refused at the counter (naming the field) when they do not read, rather than when a
/// second operator confirms it. The handler checks them again when it runs.
public protocol CheckedAtReception {
    func checkInput(today: CivilDate) throws
}

extension CorrectPerson: CheckedAtReception {
    public func checkInput(today: CivilDate) throws {
        _ = try identity.checked(today: today)
        _ = try checkedText(reason, field: "--reason")
    }
}

extension SetMailRecipient: CheckedAtReception {
    public func checkInput(today: CivilDate) throws {
        if !recipientName.isEmpty { _ = try checkedText(recipientName, field: "--name") }
        _ = try checkedText(address, field: "--address")
        _ = try IdentityFields(postalCode: postalCode).postal()
    }
}

extension ApplyForDebit: CheckedAtReception {
    public func checkInput(today: CivilDate) throws {
        _ = try BankAccount(
            bankCode: bank, branchCode: branch, accountType: accountType, accountNumber: account, holderKana: holder)
    }
}

extension RecordIncome: CheckedAtReception {
    public func checkInput(today: CivilDate) throws {
        _ = try incomeYear(year, today: today)
        _ = try Yen.checked(pension, .revenue, field: "--pension")
        _ = try Yen.checked(salary, .revenue, field: "--salary")
        _ = try Yen.checked(other, .income, field: "--other")
        _ = try Yen.checked(total, .income, field: "--total")
        _ = try taxable.map { try Yen.checked($0, .revenue, field: "--taxable") }
        _ = try checkedText(source, field: "--source")
    }
}

extension ApplicationKind {
    /// The `koki` commands an application of this kind may carry as its change.
    public var commands: [String] {
        switch self {
        case .eligibility:
            [
                "person register", "person link", "eligibility acquire", "eligibility lose",
                "eligibility address-exception start", "eligibility address-exception end",
                "eligibility former-dependant",
            ]
        case .household: ["person correct", "household set", "household leave"]
        case .income: ["income record"]
        case .debit: ["debit apply", "debit prepay", "debit start", "debit stop", "pension switch"]
        case .reduction: ["reduction decide"]
        case .refundToHeir: ["refund pay"]
        case .mailing: ["mail set", "mail end"]
        case .deferral: ["deferral grant", "deferral extend"]
        case .certificate, .other: []
        }
    }
}

extension Counter {
    /// The leading words of a command line that name the command (`eligibility acquire`).
    public static func commandWords(_ arguments: some Sequence<String>) -> String {
        var words: [String] = []
        for argument in arguments {
            guard argument.first.map({ ("a"..."z").contains($0) }) == true,
                argument.allSatisfy({ ("a"..."z").contains($0) || $0 == "-" }), words.count < 4
            else { break }
            words.append(argument)
        }
        return words.joined(separator: " ")
    }

    /// Refuses a change an application of `kind` may not carry (`words`: the command's words).
    public static func check(_ kind: ApplicationKind, carries words: String) throws {
        guard !kind.commands.isEmpty else {
            throw KokiError(.invalidInput, "a \(kind.rawValue) application changes nothing: give no command after --")
        }
        guard kind.commands.contains(words) else {
            throw KokiError(
                .invalidInput,
                "a \(kind.rawValue) application's change is one of: \(kind.commands.joined(separator: ", ")); not '\(words)'"
            )
        }
    }

    /// Records an application received at a counter. With a change (the request that makes it),
    /// the application is pending until another operator confirms it; the request is sealed with
    /// the person's key. Refused, with nothing recorded, when the change is not one this kind of
    /// application may carry or names another person.
    @discardableResult
    public func receive(
        _ person: PersonID, kind: ApplicationKind, intake: Intake, change: (any KokiRequest)?,
        metadata: CommandMetadata
    ) throws -> ApplicationReceived {
        var command: String?
        var kept: String?
        if let change {
            let words = type(of: change).name
            try Self.check(kind, carries: words)
            // What the change's values are checked against without the ledger, now: a value that
            // does not read is refused at the counter, not when a second operator confirms it.
            try (change as? any CheckedAtReception)?.checkInput(today: intake.receivedOn)
            guard let named = change as? any PersonRequest, named.person == person else {
                throw KokiError(
                    .invalidInput,
                    "the change '\(words)' does not name person \(person): an application is for one person")
            }
            command = words
            kept = try StoredRequest(change).text()
        }
        let (records, version) = try records(person)
        let reception = try reception(intake, person: person, enteredBy: metadata.actor)
        let sealed = try kept.map { try vault.sealText($0, for: person) }
        let application = ApplicationReceived(
            number: Self.number("A", intake.receivedOn, person, after: records.received), person: person, kind: kind,
            reception: reception, change: sealed, changeCommand: command)
        // The same command again (a form sent twice) answers with the application received then.
        let stored = try ledger.recordReturningStored(
            [.counter(.applicationReceived(application))], metadata: metadata,
            expectingStreams: [CounterEvent.stream(person): .exact(version)])
        for case .counter(.applicationReceived(let original)) in stored.events { return original }
        return application
    }

    /// An application by number, with the person's records and their stream's version.
    public func application(_ number: String) throws -> (
        application: CounterRecords.Application, records: CounterRecords.Person, version: Int64
    ) {
        let person = try Self.person(inNumber: number)
        let (records, version) = try records(person)
        guard let application = records.application(number) else {
            throw KokiError(.invalidInput, "申請 \(number) はありません")
        }
        return (application, records, version)
    }

    /// The change an application carries, opened (`nil` when it carries none or the person was erased).
    public func change(of application: ApplicationReceived) throws -> ApplicationChange? {
        guard let sealed = application.change else { return nil }
        guard let text = try vault.openText(sealed, for: application.person) else { return nil }
        if let stored = StoredRequest.parse(text) { return .request(stored) }
        return .arguments(text.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init))
    }

    /// The applicant's name, opened, when it was not the person.
    public func applicantName(of reception: Reception, person: PersonID) throws -> String? {
        try reception.applicantName.flatMap { try vault.openName($0, for: person) }
    }

    /// Why `operatorID` may not decide `application` now, or `nil`.
    static func problem(deciding application: CounterRecords.Application, by operatorID: String) -> String? {
        switch application.state {
        case .pending: break
        case .confirmed(let c):
            return "application \(application.received.number) was confirmed by \(c.confirmedBy) on \(c.confirmedOn)"
        case .rejected(let r):
            return "application \(application.received.number) was rejected by \(r.rejectedBy) on \(r.rejectedOn)"
        case .recorded:
            return "application \(application.received.number) asks for no change: there is nothing to confirm"
        }
        return nil
    }

    /// Starts confirming an application: checks it is pending and that `context`'s operator did
    /// not enter it (refused and recorded otherwise), and returns the scope its change runs in.
    public func confirmation(
        _ number: String, on date: CivilDate, by context: AccessContext, control: AccessControl
    ) throws -> ApplicationScope {
        let (application, _, version) = try self.application(number)
        if let problem = Self.problem(deciding: application, by: context.operatorID) {
            throw KokiError(.invalidInput, problem)
        }
        if application.received.reception.enteredBy == context.operatorID {
            try control.refuse(
                context,
                reason:
                    "申請 \(number) は \(context.operatorID) が入力したため、確認できません：入力者以外の職員が確認します（入力者以外の者による確認）"
            )
        }
        guard let change = try change(of: application.received), let command = application.received.changeCommand
        else {
            throw KokiError(
                .invalidInput, "application \(number)'s change can no longer be read (the person was erased)")
        }
        return ApplicationScope(
            confirmation: ApplicationConfirmed(
                number: number, person: application.received.person, confirmedBy: context.operatorID,
                confirmedOn: date),
            command: command, change: change, counterVersion: version)
    }

    /// Records the confirmation when the change itself appended nothing (it was there already).
    public func finish(_ scope: ApplicationScope, metadata: CommandMetadata) throws {
        guard let confirmation = scope.take() else { return }
        var metadata = metadata
        metadata.commandID = scope.commandID
        metadata.causationID = scope.causationID
        try ledger.record(
            [.counter(.applicationConfirmed(confirmation))], metadata: metadata,
            expectingStreams: [CounterEvent.stream(confirmation.person): .exact(scope.counterVersion)])
    }

    /// Rejects a pending application with the reason; its change never happens. The operator who
    /// entered it may reject it too (an applicant withdrawing).
    @discardableResult
    public func reject(_ number: String, reason: String, on date: CivilDate, metadata: CommandMetadata) throws
        -> ApplicationRejected
    {
        let reason = try checkedText(reason, field: "--reason")
        let (application, _, version) = try self.application(number)
        if let problem = Self.problem(deciding: application, by: metadata.actor) {
            throw KokiError(.invalidInput, problem)
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw KokiError(.invalidInput, "--reason が空です：却下の理由を入力してください")
        }
        let rejection = ApplicationRejected(
            number: number, person: application.received.person, rejectedBy: metadata.actor, rejectedOn: date,
            reason: reason)
        try ledger.record(
            [.counter(.applicationRejected(rejection))], metadata: metadata,
            expectingStreams: [CounterEvent.stream(application.received.person): .exact(version)])
        return rejection
    }

    /// Every application of the city, folded from the counter streams' application events.
    public func applications() throws -> [CounterRecords.Application] {
        var records = CounterRecords()
        var query = EventQuery()
        query.types = [
            ApplicationReceived.eventType, ApplicationConfirmed.eventType, ApplicationRejected.eventType,
        ]
        try ledger.forEachEvent(query) { _, event in records.apply(event) }
        return records.persons.values.flatMap(\.applications)
    }
}

/// A confirmation in progress: while a confirmed application's change runs (the request it
/// carries, under the confirming operator's session and roles, on the ledger
/// ``KokiLedger/confirming(_:)`` it), the first append that records a change also records the
/// confirmation — one command, all or nothing — under a command id derived from the
/// application, so two operators confirming at once record it once.
public final class ApplicationScope: Sendable {
    public let confirmation: ApplicationConfirmed
    /// The command's words, as received.
    public let command: String
    /// The change, as received.
    public let change: ApplicationChange
    let counterVersion: Int64
    private let pending = Mutex(true)

    init(confirmation: ApplicationConfirmed, command: String, change: ApplicationChange, counterVersion: Int64) {
        self.confirmation = confirmation
        self.command = command
        self.change = change
        self.counterVersion = counterVersion
    }

    var commandID: Identifier { Identifier(derivedFrom: Array("application/\(confirmation.number)/confirm".utf8)) }
    var causationID: Identifier { Identifier(derivedFrom: Array("application/\(confirmation.number)".utf8)) }

    /// The confirmation, the first time it is asked for.
    func take() -> ApplicationConfirmed? {
        pending.withLock { pending in
            defer { pending = false }
            return pending ? confirmation : nil
        }
    }

    /// Adds the confirmation to the first append that records a change (anything but access
    /// records: a read recorded on the way is not the change).
    func attach(
        _ events: inout [KokiEvent], _ metadata: inout CommandMetadata, _ streams: inout [String: ExpectedVersion]
    ) {
        guard events.contains(where: { if case .access = $0 { false } else { true } }), let confirmation = take()
        else { return }
        events.append(.counter(.applicationConfirmed(confirmation)))
        metadata.commandID = commandID
        metadata.causationID = causationID
        streams[CounterEvent.stream(confirmation.person)] = .exact(counterVersion)
    }
}
