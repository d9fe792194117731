import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiTestSupport
import LedgerStore
import Synchronization
import Testing

/// A clock the test moves by hand.
final class HandClock: LedgerClock {
    let time = Mutex(Int64(1_790_000_000_000_000))
    func now() -> Timestamp { Timestamp(microseconds: time.withLock { $0 }) }
    func advance(minutes: Int64) { time.withLock { $0 += minutes * 60_000_000 } }
}

/// Access control on the ledger, with a clock the test controls: idle and absolute expiry,
/// revocation, lockout, the matrix, the master key, and erasure's tombstone.
@Suite struct AccessControlTests {
    let clock = HandClock()
    let ledger: KokiLedger
    let control: AccessControl
    let master = try! MasterKey(bytes: Array(repeating: 9, count: 32))

    init() throws {
        ledger = KokiLedger(try Ledger.inMemory(clock: clock), masterKey: master)
        control = AccessControl(ledger)
        var settings = SecuritySettings()
        settings.passwordCost = 14
        try control.setUp(administrator: "admin", name: "Admin", password: "admin-password-1", settings: settings)
    }

    func login(_ id: String, _ password: String = "admin-password-1") throws -> SessionCredentials {
        try control.login(id, password: password, terminal: "t1")
    }

    func admin() throws -> AccessContext {
        try control.authorize(try login("admin"), function: .securityAdmin, command: "test", terminal: "t1")
    }

    func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as KokiError where error.code == .accessDenied {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func sessionsExpireWhenIdleAndAtTheirAbsoluteEnd() throws {
        let session = try login("admin")
        func use() throws {
            _ = try control.authorize(session, function: .ledgerInspect, command: "head", terminal: "t1")
        }
        // Acting every 29 minutes keeps it alive…
        for _ in 0..<5 {
            clock.advance(minutes: 29)
            try use()
        }
        // …31 idle minutes end it.
        clock.advance(minutes: 31)
        #expect(refusal(use)?.contains("操作のないまま30分") == true)
        // The absolute end comes even to a busy session (10 hours).
        let busy = try login("admin")
        for _ in 0..<20 {
            clock.advance(minutes: 29)
            _ = try control.authorize(busy, function: .ledgerInspect, command: "head", terminal: "t1")
        }
        clock.advance(minutes: 29)
        #expect(
            refusal { _ = try control.authorize(busy, function: .ledgerInspect, command: "head", terminal: "t1") }?
                .contains("有効期限") == true)
    }

    @Test func stoppingAnOperatorEndsTheirSessionsAndRecordsWhy() throws {
        let admin = try admin()
        try control.enroll("tanaka", name: "田中", roles: [.counter], password: "tanaka-password-1", by: admin)
        let a = try login("tanaka", "tanaka-password-1")
        let b = try login("tanaka", "tanaka-password-1")
        #expect(try control.operatorRecord("tanaka")?.openSessions.count == 2)
        try control.setState("tanaka", to: .suspended, reason: "on leave", by: admin)
        #expect(try control.operatorRecord("tanaka")?.openSessions.isEmpty == true)
        for s in [a, b] {
            #expect(
                refusal { _ = try control.authorize(s, function: .registerRead, command: "x", terminal: "t1") }?
                    .contains("operator-suspended") == true)
        }
        #expect(refusal { _ = try login("tanaka", "tanaka-password-1") }?.contains("suspended") == true)
        try control.setState("tanaka", to: .active, reason: "back", by: admin)
        _ = try login("tanaka", "tanaka-password-1")
        try control.setState("tanaka", to: .revoked, reason: "left", by: admin)
        #expect(refusal { try control.setState("tanaka", to: .active, reason: "oops", by: admin) } != nil)
        // An administrator cannot lock themselves out.
        #expect(refusal { try control.setState("admin", to: .suspended, reason: "x", by: admin) } != nil)
        // Every refusal was recorded.
        let refused = try control.auditLog().filter { $0.kind == .refused }
        #expect(refused.count == 2)
    }

    @Test func theMatrixDecidesAndOnlyAnAdministratorChangesIt() throws {
        let admin = try admin()
        // Every role against every function: allowed exactly where the standard matrix says.
        for role in Role.allCases {
            let id = "r-\(role.rawValue)"
            try control.enroll(id, name: id, roles: [role], password: "role-password-1", by: admin)
            let session = try login(id, "role-password-1")
            for function in AccessFunction.allCases {
                let allowed = PermissionMatrix.standard.allows([role], function)
                let outcome = refusal {
                    _ = try control.authorize(session, function: function, command: "x", terminal: "t1")
                }
                #expect((outcome == nil) == allowed, "\(role) \(function)")
            }
        }
        #expect(PermissionMatrix.standard.allows([.numberUse], .numberUse))
        #expect(!PermissionMatrix.standard.allows(Role.allCases.filter { $0 != .numberUse }, .numberUse))
        #expect(!PermissionMatrix.standard.allows([.administrator], .registerRead))
        try control.enroll("aud", name: "監査", roles: [.auditor], password: "auditor-password-1", by: admin)
        let auditor = try login("aud", "auditor-password-1")
        var matrix = try control.permissions()
        matrix.grants[.administrator]?.remove(.securityAdmin)
        #expect(refusal { try control.adopt(matrix, by: admin) } != nil, "the administrator keeps security.admin")
        matrix = try control.permissions()
        matrix.grants[.auditor]?.insert(.numberUse)
        try control.adopt(matrix, by: admin)
        _ = try control.authorize(auditor, function: .numberUse, command: "x", terminal: "t1")
    }

    @Test func ownPasswordNeedsTheCurrentOneAnAdministratorResetsAnyone() throws {
        let admin = try admin()
        try control.enroll("kato", name: "加藤", roles: [.counter], password: "kato-password-12", by: admin)
        let kato = try control.authorize(
            try login("kato", "kato-password-12"), function: nil, command: "x", terminal: "t1")
        #expect(refusal { try control.setPassword("kato", to: "kato-password-34", current: "guess", by: kato) } != nil)
        try control.setPassword("kato", to: "kato-password-34", current: "kato-password-12", by: kato)
        #expect(refusal { _ = try login("kato", "kato-password-12") } != nil)
        _ = try login("kato", "kato-password-34")
        try control.setPassword("kato", to: "kato-password-56", by: admin)
        _ = try login("kato", "kato-password-56")
        #expect(refusal { try control.setPassword("kato", to: "short", by: admin) } != nil)
    }

    @Test func aPasswordTypedAsTheIdIsNotRecorded() throws {
        #expect(refusal { _ = try control.login("Secret-Pa55!", password: "x", terminal: "t1") } != nil)
        let failed = try #require(control.auditLog().last)
        #expect(failed.kind == .loginFailed && failed.operatorID == "(not an operator id)")
        #expect(try !control.auditLog().contains { $0.operatorID.contains("Secret") })
    }

    @Test func registeredTerminalsOnly() throws {
        let admin = try admin()
        var settings = try control.settings()
        settings.terminals = ["honcho-01"]
        try control.adopt(settings, by: admin)
        #expect(refusal { _ = try login("admin") }?.contains("terminal t1 is not registered") == true)
        _ = try control.login("admin", password: "admin-password-1", terminal: "honcho-01")
    }

    @Test func personalDataReadsAreRecordedBeforeAndNeverOnAReadOnlyFile() throws {
        let folder = try TemporaryFolder()
        defer { withExtendedLifetime(folder) {} }
        let path = folder.path("l.ledger")
        let store = try Ledger.create(at: path)
        let file = AccessControl(KokiLedger(store, masterKey: master))
        var settings = SecuritySettings()
        settings.passwordCost = 14
        try file.setUp(administrator: "admin", name: "A", password: "admin-password-1", settings: settings)
        let session = try file.login("admin", password: "admin-password-1", terminal: "t")
        let context = try file.authorize(session, function: .ledgerInspect, command: "x", terminal: "t")
        try file.recordRead(context, persons: [try PersonID("1001"), try PersonID("1001")], purpose: "窓口")
        let read = try #require(file.auditLog(AuditFilter(person: try PersonID("1001"))).first)
        #expect(read.persons == [try PersonID("1001")] && read.purpose == "窓口" && read.operatorID == "admin")
        let readOnly = AccessControl(KokiLedger(try Ledger.open(at: path, mode: .readOnly), masterKey: master))
        #expect(
            refusal { try readOnly.recordRead(context, persons: [try PersonID("1001")], purpose: nil) }?
                .contains("read-only") == true)
    }

    @Test func aWrongMasterKeyIsNamedAndErasureLeavesATombstone() throws {
        let register = InsuredRegisterCommands(ledger)
        let person = try PersonID("1001")
        let identity = try PersonIdentity(
            nameKanji: "松戸 花子", nameKana: "マツド ハナコ", birthDate: try CivilDate(iso: "1941-01-31"), sex: .female,
            address: "千葉県松戸市根本387-5", phone: nil)
        try register.register(person, identity: identity, metadata: CommandMetadata(actor: "admin"))
        let vault = IdentityVault(ledger)
        try vault.checkMasterKey()
        let wrong = IdentityVault(ledger.ports, master: try MasterKey(bytes: Array(repeating: 1, count: 32)))
        #expect(throws: KokiError.self) { try wrong.checkMasterKey() }
        let number = try MyNumber("123456789018")
        try register.recordMyNumber(number, for: person, metadata: CommandMetadata(actor: "admin"))
        #expect(try vault.person(byMyNumber: number) == person)
        #expect(try register.myNumber(of: person) == number)
        // The key is stored wrapped: not the 32 raw bytes.
        #expect(try ledger.ports.keys.subjectKey("person/1001", makeKey: nil)?.count != 32)
        #expect(try vault.erase(person))
        #expect(try register.myNumber(of: person) == nil)
        #expect(try vault.person(byMyNumber: number) == nil)
        #expect(try register.identity(of: try #require(register.snapshot().person(person))) == nil)
        #expect(throws: KokiError.self) { try vault.seal(identity, for: person) }
        #expect(try ledger.store.verify().isIntact)
    }

    /// A list opens its persons' identities from their keys alone, read in one query (looked up
    /// one by one for a few of the ledger's keys, read in one pass for most): the same keys as the
    /// whole set gives them; a person missing from the list is read when asked; the erased open
    /// nothing.
    @Test func aListReadsItsOwnPersonsKeysAndNoOthers() throws {
        let register = InsuredRegisterCommands(ledger)
        let persons = try (1001...1012).map { try PersonID(String($0)) }
        for person in persons {
            let identity = try PersonIdentity(
                nameKanji: "松戸 \(person.value)", nameKana: "マツド", birthDate: try CivilDate(iso: "1941-01-31"),
                sex: .female, address: "千葉県松戸市根本387-5", phone: nil)
            try register.register(person, identity: identity, metadata: CommandMetadata(actor: "admin"))
        }
        #expect(try IdentityVault(ledger).erase(persons[2]))
        let keys = ledger.ports.keys
        let all = try keys.allSubjectKeys()
        #expect(all.count == 12)
        for asked in [["person/1001", "person/1003"], persons.dropLast(2).map { "person/\($0.value)" }] {
            let found = try keys.subjectKeys(asked + ["person/9999"])
            #expect(found == all.filter { asked.contains($0.key) } && found["person/9999"] == nil, "\(asked)")
            // The table counted first, then read whole for most of it, through the index for a few.
            let counted = try #require(ledger.store as? Ledger).subjectKeys(asked + ["person/9999"], lookedUpAtMost: 0)
            #expect(counted == found, "\(asked), counted")
        }
        #expect(try keys.subjectKeys([]).isEmpty)

        let city = try register.snapshot()
        let vault = try IdentityVault.preloaded(ledger, for: persons.prefix(2))
        for person in persons {
            let sealed = try #require(city.person(person)).identity
            let opened = try vault.open(sealed, for: person)
            #expect((opened?.nameKanji == "松戸 \(person.value)") == (person != persons[2]), "\(person)")
        }
    }

    @Test func myNumberCheckDigitAndMasking() throws {
        #expect(try MyNumber("1234-5678-9018").digits == "123456789018")
        #expect(throws: DomainError.self) { try MyNumber("123456789012") }
        #expect(throws: DomainError.self) { try MyNumber("12345678901") }
        #expect("\(try MyNumber("123456789018"))" == "********9018")
        // Every check digit 0–9 occurs, and exactly one last digit fits each first eleven.
        var seen = Set<Int>()
        for n in 0..<200 {
            let first = String(format: "%011d", n * 4_999_999 % 99_999_999_999)
            let valid = (0...9).filter { (try? MyNumber(first + String($0))) != nil }
            #expect(valid.count == 1)
            seen.formUnion(valid)
        }
        #expect(seen.count >= 9)
    }

    @Test func theYearlyReviewFindsLateHoursAndViewsWithoutBusiness() throws {
        let admin = try admin()
        try control.enroll("sato", name: "佐藤", roles: [.counter], password: "sato-password-12", by: admin)
        let a = try PersonID("1001")
        let b = try PersonID("1002")
        // The hand clock starts on a Monday at 23:13 in Japan: outside office hours.
        let late = try control.authorize(
            try login("sato", "sato-password-12"), function: .registerRead, command: "person show", terminal: "t1")
        try control.recordRead(late, persons: [a], purpose: nil)
        clock.advance(minutes: 10 * 60)  // Tuesday 09:13
        let day = try control.authorize(
            try login("sato", "sato-password-12"), function: .registerRead, command: "person show", terminal: "t1")
        try control.recordRead(day, persons: [b], purpose: "窓口")
        // Sato registers b: business with b, none with a.
        let identity = try PersonIdentity(
            nameKanji: "松戸 太郎", nameKana: "マツド タロウ", birthDate: try CivilDate(iso: "1941-01-31"), sex: .male,
            address: "千葉県松戸市", phone: nil)
        try InsuredRegisterCommands(ledger).register(b, identity: identity, metadata: day.metadata())
        let review = try control.review(from: nil, before: nil)
        let sato = try #require(review.operators.first { $0.operatorID == "sato" })
        #expect(sato.reads == 2 && sato.personsRead == 2 && sato.logins == 2)
        #expect(sato.outsideOfficeHours == 2, "the late login and the late read")
        #expect(review.outsideOfficeHours.filter { $0.operatorID == "sato" }.map(\.kind) == [.login, .read])
        #expect(review.viewedWithoutBusiness.map(\.person) == [a])
        #expect(review.refused.isEmpty)
    }
}
