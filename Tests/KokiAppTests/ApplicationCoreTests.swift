import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiTestSupport
import LedgerStore
import Synchronization
import Testing

/// Files that remember every read (the port the application reads files through).
final class RecordingFiles: FileSource {
    let reads = Mutex<[String]>([])
    let contents: [String: Data]

    init(_ contents: [String: Data]) { self.contents = contents }

    func contents(of path: String) throws -> Data {
        reads.withLock { $0.append(path) }
        guard let data = contents[path] else { throw KokiError(.invalidInput, "no file \(path)") }
        return data
    }
}

/// A transfer file no refused request may open.
struct UntouchedFile: TransferFileSink {
    func open() throws -> String {
        Issue.record("a refused request opened its file")
        return ""
    }
    func write(_ bytes: [UInt8]) throws {}
    func close() throws {}
    func keep() throws {}
    func discard() {}
}

/// The application core checks before it touches anything: a request without a session, or from
/// an operator whose role may not, reads no file and appends nothing but the recorded refusal; a
/// request the second check covers runs only as a confirmed application's change.
@Suite struct ApplicationCoreTests {
    let clock = HandClock()
    let ledger: KokiLedger
    let control: AccessControl
    let files = RecordingFiles(["settings.json": Data(#"{"idleMinutes": 20}"#.utf8)])
    let application: KokiApplication
    let today: CivilDate
    let person: PersonID

    init() throws {
        today = try CivilDate(iso: "2026-12-01")
        person = try PersonID("1001")
        ledger = KokiLedger(try Ledger.inMemory(clock: clock), masterKey: try MasterKey(bytes: Array(repeating: 7, count: 32)))
        control = AccessControl(ledger)
        var settings = SecuritySettings()
        settings.passwordCost = 14
        try control.setUp(administrator: "admin", name: "Admin", password: "admin-password-1", settings: settings)
        let admin = try control.authorize(
            try control.login("admin", password: "admin-password-1", terminal: "t1"), function: .securityAdmin,
            command: "operator add", terminal: "t1")
        try control.enroll("tanaka", name: "田中", roles: [.auditor], password: "tanaka-password-1", by: admin)
        application = KokiApplication(ledger, files: files)
    }

    func caller(_ id: String?, _ password: String = "") throws -> Caller {
        Caller(
            credentials: try id.map { try control.login($0, password: password, terminal: "t1") }, terminal: "t1",
            today: today)
    }

    /// The events appended by `body`, by type, and the error it threw.
    func appended(_ body: () throws -> Void) throws -> (types: [String], error: KokiError?) {
        let before = try ledger.store.head().position
        var failure: KokiError?
        do { try body() } catch let error as KokiError { failure = error }
        var types: [String] = []
        try ledger.store.forEachEvent(.from(position: before + 1)) { types.append($0.type) }
        return (types, failure)
    }

    /// A request of each area, each needing a function the auditor role lacks.
    var requests: [any KokiRequest] {
        [
            AdoptSecuritySettings(file: "settings.json"),
            RecordPayment(
                person: person, amount: 1000, paidOn: today, learnedOn: nil, channel: .counter, slip: nil,
                lateFee: false, reference: ""),
            DecideReduction(
                person: person, appliedOn: today, decidedOn: today, reason: "災害", from: today,
                through: today, periods: nil, percent: 50, waiveLateFees: false),
            RecordIncome(
                number: person, year: 2025, pension: 0, salary: 0, other: 0, total: 0, taxable: nil,
                undeclared: false, source: "申告書"),
            // Arrears, notices
            AdoptArrearsSettings(file: "settings.json"), AdoptNoticeSettings(file: "settings.json"),
            RunDunning(on: nil), CloseYear(fiscalYear: try! FiscalYear(2025), on: nil),
            IssuePaymentNotices(fiscalYear: try! FiscalYear(2025), on: nil, format: .csv, encoding: .utf8, existingFile: nil),
            // Collection: each names a file, read only after the check.
            SettleOverpayments(person: nil, on: nil, includeNotYetDue: false, chargeRates: "rates.json", windowMonths: nil),
            ImportCollectionFile<PensionDeductionsFile>(file: "pension.csv", learnedOn: nil),
            ExportDebit(date: today, originator: "originator.json", lineSeparator: .crlf),
            // Access, ledger: a refused operator is never asked for a password, no file is opened.
            EnrollOperator(
                operatorID: "sato", name: "佐藤", roles: [.counter],
                password: Secret { _ in
                    Issue.record("a refused request asked for a password")
                    return ""
                }),
            ListOperators(), ShowMyNumber(person: person, purpose: "照会"),
            RunTransfer(destination: "union", date: today, items: [], out: "union.jsonl", sink: UntouchedFile()),
            ErasePersons(person: nil, due: true, apply: true, on: nil),
            // Register, assessment, counter
            RecordPension(
                number: person, fiscalYear: try! FiscalYear(2026), annualPension: 1_800_000, carePremium: 60_000, careNotDeducted: false,
                previousFebruary: nil),
            AdoptRates(fiscalYear: try! FiscalYear(2026), file: "rates.json"),
            AssessPremiums(fiscalYear: try! FiscalYear(2025), decidedOn: nil, person: nil),
            ReceiveApplication(
                person: person, kind: .eligibility,
                reception: ReceptionFields(
                    office: "本庁", received: nil, applicant: .person, applicantName: nil, identity: .myNumberCard,
                    attached: []),
                change: try? StoredRequest(
                    AcquireEligibility(number: person, reason: .movedIntoPrefecture, date: today))),
            AdoptCopayTables(file: "copay.json"),
            RecordBenefitDecisions(file: "decisions.csv"),
        ]
    }

    func run(_ request: some KokiRequest, as caller: Caller) throws {
        _ = try application.run(request, as: caller)
    }

    /// What an operator types into a free-text field (a reason, a purpose, a name, an office) is
    /// plain text: a control character that could rewrite a clerk's screen, or a line break in a
    /// one-line field, is refused naming the field, before anything is read or recorded.
    @Test func freeTextWithAControlCharacterIsRefusedNamingItsField() throws {
        let admin = try control.authorize(
            try control.login("admin", password: "admin-password-1", terminal: "t1"), function: .securityAdmin,
            command: "operator add", terminal: "t1")
        try control.enroll(
            "clerk", name: "窓口", roles: [.counter, .collection, .arrears, .assessment, .administrator],
            password: "clerk-password-1", by: admin)
        let clerk = try caller("clerk", "clerk-password-1")
        let bad = "画面\u{1B}[2J消去"
        let cases: [(any KokiRequest, String)] = [
            (CancelPlan(person: person, plan: "p1", on: nil, reason: bad), "--reason"),
            (RejectApplication(number: "A20261201-1001-1", reason: bad, on: nil), "--reason"),
            (SendNetworkInquiry(person: person, year: 2025, purpose: bad, legalBasis: "番号法", on: nil), "--purpose"),
            (SendNetworkInquiry(person: person, year: 2025, purpose: "賦課", legalBasis: "a\nb", on: nil), "--legal-basis"),
            (
                EnrollOperator(
                    operatorID: "sato", name: bad, roles: [.counter],
                    password: Secret { _ in
                        Issue.record("a refused request asked for a password")
                        return ""
                    }), "--name"
            ),
            (RegisterTransferDestination(destination: "union", name: bad, kind: .union, items: []), "--name"),
            (
                IssueCard(person: person, reason: .request, validFrom: nil, on: nil, delivery: .counter, office: bad),
                "--office"
            ),
            (FindPersons(name: "ヤマダ", birthDate: nil, purpose: bad), "--purpose"),
            (ApplyWhatIf(fiscalYear: try FiscalYear(2025), rates: nil, decidedOn: today, reason: bad), "--reason"),
        ]
        for (request, field) in cases {
            func run<R: KokiRequest>(_ request: R) throws { _ = try application.run(request, as: clerk) }
            let outcome = try appended { try run(request) }
            #expect(outcome.error?.code == .invalidInput, "\(type(of: request).name): \(String(describing: outcome.error))")
            #expect(outcome.error?.message.contains(field) == true, "\(type(of: request).name): \(String(describing: outcome.error))")
            #expect(outcome.types.isEmpty, "\(type(of: request).name) appended \(outcome.types)")
        }
    }

    @Test func withoutASessionNothingIsReadAndOnlyTheRefusalIsRecorded() throws {
        for request in requests {
            let outcome = try appended { try run(request, as: try caller(nil)) }
            #expect(outcome.error?.code == .accessDenied, "\(type(of: request).name)")
            #expect(outcome.types == [AccessRefused.eventType], "\(type(of: request).name)")
        }
        #expect(files.reads.withLock { $0 }.isEmpty)
    }

    @Test func aRoleThatMayNotReadsNothingAndOnlyTheRefusalIsRecorded() throws {
        let tanaka = try caller("tanaka", "tanaka-password-1")
        for request in requests {
            let outcome = try appended { try run(request, as: tanaka) }
            #expect(outcome.error?.message.contains("の権限がありません") == true, "\(type(of: request).name)")
            #expect(outcome.types == [AccessRefused.eventType], "\(type(of: request).name)")
        }
        #expect(files.reads.withLock { $0 }.isEmpty)
        // A forged token is refused the same way.
        var forged = try caller("tanaka", "tanaka-password-1")
        forged.credentials?.token = Data(repeating: 1, count: 32).base64EncodedString()
        let outcome = try appended { try run(AdoptSecuritySettings(file: "settings.json"), as: forged) }
        #expect(outcome.error?.code == .accessDenied && outcome.types == [AccessRefused.eventType])
        #expect(files.reads.withLock { $0 }.isEmpty)
    }

    @Test func anOperatorWhoMayReadsTheFileOnlyThenAndRecordsTheChange() throws {
        let admin = try caller("admin", "admin-password-1")
        let outcome = try appended { try run(AdoptSecuritySettings(file: "settings.json"), as: admin) }
        #expect(outcome.error == nil)
        #expect(outcome.types == [SecuritySettingsAdopted.eventType])
        #expect(files.reads.withLock { $0 } == ["settings.json"])
        #expect(try control.settings().idleMinutes == 20)
    }

    /// A door's action (a form's id) sent twice records once: its commands take ids derived from
    /// it, so the second run's append is the first's duplicate; another action records again.
    @Test func anActionSentTwiceRecordsOnce() throws {
        var admin = try caller("admin", "admin-password-1")
        admin.action = Identifier.random()
        let first = try appended { try run(AdoptSecuritySettings(file: "settings.json"), as: admin) }
        #expect(first.error == nil && first.types == [SecuritySettingsAdopted.eventType])
        let again = try appended { try run(AdoptSecuritySettings(file: "settings.json"), as: admin) }
        #expect(again.error == nil && again.types.isEmpty, "\(again.types)")
        admin.action = Identifier.random()
        let other = try appended { try run(AdoptSecuritySettings(file: "settings.json"), as: admin) }
        #expect(other.types == [SecuritySettingsAdopted.eventType])
        admin.action = nil
        let plain = try appended { try run(AdoptSecuritySettings(file: "settings.json"), as: admin) }
        #expect(plain.types == [SecuritySettingsAdopted.eventType])
    }

    @Test func aChangeTheSecondCheckCoversRunsOnlyFromAnApplication() throws {
        let admin = try caller("admin", "admin-password-1")
        // The administrator may use register.write, but `income record` is a change the standard
        // second-check rules cover: refused and recorded, nothing else.
        let grant = try control.authorize(
            admin.credentials, function: .securityAdmin, command: "roles grant", terminal: "t1")
        var matrix = try control.permissions()
        matrix.grants[.administrator, default: []].insert(.registerWrite)
        try control.adopt(matrix, by: grant)
        let outcome = try appended { try run(requests[3], as: admin) }
        #expect(outcome.error?.message.contains("second operator") == true)
        #expect(outcome.types == [AccessRefused.eventType])
    }

    /// Queries of the register, assessment and counter: without a session only the refusal is
    /// recorded; an operator who may read gets the answer, and the read is recorded first.
    @Test func aQueryRecordsItsReadInTheCore() throws {
        let identity = try PersonIdentity(
            nameKanji: "松戸 花子", nameKana: "マツド ハナコ", birthDate: try CivilDate(iso: "1941-01-31"), sex: .female,
            address: "千葉県松戸市根本387-5", phone: nil)
        try InsuredRegisterCommands(ledger).register(
            person, identity: identity, metadata: CommandMetadata(actor: "admin"))
        let queries: [any KokiRequest] = [
            ShowPerson(number: person, on: nil, knownAt: nil, purpose: "窓口照会"), ListInsured(on: nil, knownAt: nil),
            ShowPremium(number: person, fiscalYear: try! FiscalYear(2026)), PendingApplications(office: nil, on: nil),
            ShowCopay(person: person, on: nil), ListIncomeInquiries(number: person), ListApplications(person: person),
        ]
        for query in queries {
            let outcome = try appended { try run(query, as: try caller(nil)) }
            #expect(outcome.error?.code == .accessDenied, "\(type(of: query).name)")
            #expect(outcome.types == [AccessRefused.eventType], "\(type(of: query).name)")
        }
        let tanaka = try caller("tanaka", "tanaka-password-1")
        var view: ShowPerson.View?
        let outcome = try appended {
            view = try application.run(ShowPerson(number: person, on: nil, knownAt: nil, purpose: "窓口照会"), as: tanaka)
        }
        #expect(outcome.error == nil)
        #expect(outcome.types == [PersonalDataAccessed.eventType])
        #expect(view?.name == "松戸 花子" && view?.on == today.description)
        #expect(files.reads.withLock { $0 }.isEmpty)
    }

    @Test func everyRequestRoundTripsAsItIsKeptAndIsListedOnce() throws {
        for request in requests {
            let kept = try StoredRequest(request)
            let back = try kept.decoded()
            #expect(type(of: back) == type(of: request))
            #expect(try StoredRequest(back) == kept)
        }
        let names = RequestCatalog.types.map { $0.name }
        #expect(Set(names).count == names.count)
        // A request of a version this koki does not read is refused, naming it.
        var future = try StoredRequest(requests[0])
        future.version = 9
        #expect(throws: KokiError.self) { try future.decoded() }
    }
}
