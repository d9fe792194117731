import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiTestSupport
import LedgerStore
import Testing

/// `koki audit rules` through the command line: an auditor's question, exit 0 without a breach
/// and 1 with one, each breach on a line (or a JSON line), narrowed by person and year; refused
/// (77) to a role that may not audit, and a person the ledger does not have named (65).
@Suite struct RulesCommandLineTests {
    @Test func anAuditorFindsAPlantedBreachAndOthersMayNotAsk() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("city.ledger")
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        let clerk = try Secured.enroll("clerk", roles: ["counter"], admin: admin, folder: folder.url.path)
        let auditor = try Secured.enroll("aud", roles: ["auditor"], admin: admin, folder: folder.url.path)
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        let registered = try KokiProcess.run(
            [
                "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ",
                "--birth-date", "1941-01-31", "--sex", "female", "--address", "千葉県松戸市根本387-5",
            ], environment: op)
        #expect(registered.status == 0, "\(registered.stderr)")

        let clean = try KokiProcess.run(["audit", "rules"], environment: auditor)
        #expect(clean.status == 0 && clean.stdout.isEmpty && clean.stderr.contains("no breach"), "\(clean.stderr)")
        let refused = try KokiProcess.run(["audit", "rules"], environment: clerk)
        #expect(refused.status == 77, "\(refused.stderr)")

        // A document dated on a Saturday, recorded past the commands (as a bug might): found.
        let store = try Ledger.open(at: ledger)
        let keyed = try KokiLedger.keyed(store.ports, keyFile: ledger + ".key", required: true)
        try keyed.record(
            [
                .notice(
                    .documentIssued(
                        DocumentIssued(
                            number: "X1", kind: .payment, reason: "test", person: try PersonID("1001"),
                            subject: "FY2025", builtFrom: 1, issuedOn: try CivilDate(iso: "2025-09-13"),
                            recordHash: [])))
            ], metadata: CommandMetadata(actor: "bug"))
        store.close()

        let found = try KokiProcess.run(["audit", "rules"], environment: auditor)
        #expect(found.status == 1, "\(found.stderr)")
        let lines = found.stdout.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("closed-day") && lines[0].contains("1001"), "\(found.stdout)")
        #expect(found.stderr.contains("1 breaches (closed-day 1)"), "\(found.stderr)")
        let json = try KokiProcess.run(["audit", "rules", "--json", "--person", "1001"], environment: auditor)
        #expect(json.status == 1 && json.stdout.contains(#""rule":"closed-day""#), "\(json.stdout)")
        let otherYear = try KokiProcess.run(["audit", "rules", "--fiscal-year", "2024"], environment: auditor)
        #expect(otherYear.status == 0 && otherYear.stdout.isEmpty, "\(otherYear.stdout)")
        let unknown = try KokiProcess.run(["audit", "rules", "--person", "9999"], environment: auditor)
        #expect(unknown.status == 65 && unknown.stderr.contains("9999"), "\(unknown.stderr)")
    }
}
