import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiTestSupport
import LedgerStore
import Testing

/// Operators' password hashes are state beside the keys, not history: no event records one, and
/// an operator enrolled by an older koki (whose `OperatorEnrolled` v1 carried the hash) must set a
/// new password at their next login, after which the recorded hash opens nothing.
@Suite struct OperatorCredentialsTests {
    let clock = HandClock()

    func everyPayload(_ store: any EventStore) throws -> [UInt8] {
        var all: [UInt8] = []
        try store.forEachEvent(EventQuery()) { all.append(contentsOf: $0.payload) }
        return all
    }

    @Test func noEventRecordsAPasswordHash() throws {
        let ledger = KokiLedger(try Ledger.inMemory(clock: clock))
        let control = AccessControl(ledger)
        var settings = SecuritySettings()
        settings.passwordCost = 14
        try control.setUp(administrator: "admin", name: "Admin", password: "admin-password-1", settings: settings)
        let admin = try control.authorize(
            try control.login("admin", password: "admin-password-1", terminal: "t1"), function: .securityAdmin,
            command: "test", terminal: "t1")
        try control.enroll("op", name: "Op", roles: [.counter], password: "operator-password-1", by: admin)
        try control.setPassword("op", to: "operator-password-2", by: admin)
        let payloads = try everyPayload(ledger.store)
        #expect(!payloads.isEmpty)
        #expect(Data(payloads).range(of: Data("$scrypt$".utf8)) == nil, "a hash in the events")
        #expect(try ledger.ports.credentials.credential("operator/op")?.hasPrefix("$scrypt$") == true)
        #expect(try control.login("op", password: "operator-password-2", terminal: "t1").operatorID == "op")
        #expect(throws: KokiError.self) { try control.login("op", password: "operator-password-1", terminal: "t1") }
    }

    @Test func anOperatorEnrolledWithARecordedHashMustSetANewPasswordAndTheOldHashThenOpensNothing() throws {
        // A ledger as an older koki left it: the administrator's hash inside OperatorEnrolled v1.
        let store = try Ledger.inMemory(clock: clock)
        let ledger = KokiLedger(store)
        var settings = SecuritySettings()
        settings.passwordCost = 14
        let oldHash = try PasswordHash.make("admin-password-1", cost: 14, salt: Array(repeating: 1, count: 16))
        let v1 = EventRegistry.encode(
            OperatorEnrolledV1(operatorID: "admin", name: "Admin", roles: [.administrator], passwordHash: oldHash))
        let settingsEvents = try KokiLedger.request(
            [
                .access(.securitySettingsAdopted(SecuritySettingsAdopted(settings: settings))),
                .access(.permissionsAdopted(PermissionsAdopted(matrix: .standard))),
            ], metadata: CommandMetadata(actor: "admin"))
        var request = settingsEvents
        request.streams.append(
            StreamAppend(
                stream: try StreamName(OperatorEnrolled.stream("admin")), expectedVersion: .noStream,
                events: [NewEvent(type: v1.type, schemaVersion: v1.schemaVersion, payload: v1.payload)]))
        try store.append(request)
        #expect(try store.credential("operator/admin") == nil)

        let control = AccessControl(ledger)
        let before = try store.head()
        // The right old password opens no session until a new one is set; nothing is recorded.
        let refused = #expect(throws: KokiError.self) {
            try control.login("admin", password: "admin-password-1", terminal: "t1")
        }
        #expect(refused?.code == .accessDenied && refused?.message.contains("must set a new password") == true)
        #expect(try store.head() == before)
        // Nor may the new one be the old one (its hash is in the chain for good).
        #expect(throws: KokiError.self) {
            try control.login("admin", password: "admin-password-1", terminal: "t1", newPassword: "admin-password-1")
        }
        let session = try control.login(
            "admin", password: "admin-password-1", terminal: "t1", newPassword: "admin-password-2")
        #expect(session.operatorID == "admin")
        #expect(try store.credential("operator/admin") != nil)
        // The recorded hash opens nothing now: the old password is a wrong password.
        let old = #expect(throws: KokiError.self) {
            try control.login("admin", password: "admin-password-1", terminal: "t1")
        }
        #expect(old?.message.contains("wrong operator id or password") == true)
        #expect(try control.login("admin", password: "admin-password-2", terminal: "t1").operatorID == "admin")
        // The change is recorded as a fact, without a hash.
        var changes = 0
        try ledger.forEachEvent(.stream(try StreamName(OperatorEnrolled.stream("admin")))) { view, event in
            if case .access(.operatorPasswordSet(let e)) = event {
                changes += 1
                #expect(e.recordedPasswordHash == nil && view.schemaVersion == 2)
            }
        }
        #expect(changes == 1)
    }
}
