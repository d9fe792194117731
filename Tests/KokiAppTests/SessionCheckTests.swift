import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiTestSupport
import LedgerStore
import Testing

/// The check before every command reads an operator's standing and the session's own events,
/// not their whole history: over random histories of logins, failures, logouts, role changes,
/// suspensions and reinstatements, it decides exactly as a fold of the whole stream does — for
/// the session as issued, for one of an older koki (no opening recorded), and for one whose
/// opening was altered.
@Suite struct SessionCheckTests {
    @Test(arguments: [1, 2] as [UInt64])
    func theCheckFromTheSessionsOpeningDecidesAsTheWholeStreamDoes(seed: UInt64) throws {
        let clock = HandClock()
        let ledger = KokiLedger(
            try Ledger.inMemory(clock: clock), masterKey: try MasterKey(bytes: Array(repeating: 9, count: 32)))
        let control = AccessControl(ledger)
        var settings = SecuritySettings()
        settings.passwordCost = 14
        try control.setUp(administrator: "admin", name: "Admin", password: "admin-password-1", settings: settings)
        func admin() throws -> AccessContext {
            try control.authorize(
                try control.login("admin", password: "admin-password-1", terminal: "t1"), function: .securityAdmin,
                command: "test", terminal: "t1")
        }
        try control.enroll("op1", name: "Op", roles: [.counter], password: "operator-password-1", by: try admin())
        var random = SeededGenerator(seed: seed)
        var sessions: [SessionCredentials] = []
        var (fast, fallback, refused) = (0, 0, 0)
        for _ in 0..<90 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0...3:
                if let s = try? control.login("op1", password: "operator-password-1", terminal: "t\(Int.random(in: 1...3, using: &random))") {
                    #expect(s.opened != nil)
                    sessions.append(s)
                }
            case 4: _ = try? control.login("op1", password: "wrong-password-0", terminal: "t9")
            case 5: if let s = sessions.randomElement(using: &random) { try? control.logout(s) }
            case 6:
                try control.setRoles(
                    "op1", roles: [[.counter], [.collection], [.counter, .auditor]].randomElement(using: &random)!,
                    by: try admin())
            case 7:
                let state = try control.operatorRecord("op1")!.state
                try control.setState("op1", to: state == .active ? .suspended : .active, reason: "test", by: try admin())
            case 8: clock.advance(minutes: Int64.random(in: 1...400, using: &random))
            default: break
            }
            let whole = try control.operatorRecord("op1")!
            for s in sessions {
                var older = s
                older.opened = nil
                var altered = s
                altered.opened = (s.opened ?? 1) + Int64.random(in: -3...3, using: &random)
                for variant in [s, older, altered] {
                    let record = try #require(try control.sessionRecord(variant))
                    #expect(record.roles == whole.roles && record.state == whole.state && record.name == whole.name)
                    #expect(record.sessions[s.session] == whole.sessions[s.session])
                    if variant.opened == s.opened { #expect(record.sessions.count == 1) } else { fallback += 1 }
                }
                let outcomes = [s, older, altered].map { variant in
                    outcome { try control.authorize(variant, function: .registerRead, command: "t", terminal: "t1").roles }
                }
                #expect(outcomes[0] == outcomes[1] && outcomes[1] == outcomes[2])
                if outcomes[0].hasPrefix("passed") { fast += 1 } else { refused += 1 }
            }
        }
        // The histories reached every case: sessions that pass, that are refused, and altered openings.
        #expect(fast > 10 && refused > 10 && fallback > 10)
    }
}

/// What a check decided, as text: the roles it passed with, or the refusal's message.
func outcome(_ body: () throws -> [Role]) -> String {
    do { return "passed \(try body())" } catch { return "refused \(error)" }
}
