import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import LedgerStore
import Testing

extension CounterCommandLineTests {
    /// An application an older koki received kept its change as a command line. Confirming it
    /// upcasts the command line once into the typed request and runs the same handler; showing it
    /// shows the command line. A new application keeps the typed request.
    @Test func anOldApplicationHoldingACommandLineIsUpcastWhenConfirmed() throws {
        try registerThroughApplications()
        let path = folder.path("counter.ledger")
        // The fixture: the application as an older koki recorded it, sealed command line and all.
        do {
            let ledger = KokiLedger(try Ledger.open(at: path, mode: .readWrite), masterKey: try MasterKey.load(from: path + ".key"))
            try ledger.useMasterKeyForChain()
            let person = try PersonID("1001")
            let change = [
                "income", "record", "--number", "1001", "--year", "2025", "--pension", "2000000", "--total", "900000",
                "--source", "申告書",
            ]
            let sealed = try IdentityVault(ledger).sealText(change.joined(separator: "\u{0}"), for: person)
            let received = ApplicationReceived(
                number: "A20260401-1001-3", person: person, kind: .income,
                reception: Reception(
                    office: "本庁", receivedOn: try CivilDate(iso: "2026-04-01"), applicant: .person, applicantName: nil,
                    identityCheck: .myNumberCard, attached: [], enteredBy: "tanaka"),
                change: sealed, changeCommand: "income record")
            try ledger.record([.counter(.applicationReceived(received))], metadata: CommandMetadata(actor: "tanaka"))
        }
        let shown = try koki(["application", "show", "A20260401-1001-3"], suzuki).stdout
        #expect(shown.contains("change       koki income record --number 1001 --year 2025"))
        let before = try events("person/1001").count
        let confirmed = try koki(["application", "confirm", "A20260401-1001-3"], suzuki).stdout
        #expect(confirmed.contains("recorded 2025 income for 1001"))
        #expect(confirmed.contains("confirmed by suzuki: income record recorded"))
        let person = try events("person/1001")
        #expect(person.count == before + 1 && person.last?["type"] as? String == "IncomeRecorded")
        #expect(person.last?["actor"] as? String == "suzuki")

        // A new application keeps the typed request: shown as its command, confirmed the same way.
        let number = try receive(
            "1001", kind: "income",
            ["income", "record", "--number", "1001", "--year", "2024", "--total", "800000", "--source", "申告書"],
            as: tanaka)
        let typed = try koki(["application", "show", number], suzuki).stdout
        #expect(typed.contains("change       koki income record --number 1001"))
        #expect(typed.contains("--total 800000") && typed.contains("--year 2024"))
        try koki(["application", "confirm", number], suzuki)
        #expect(try events("person/1001").count == before + 2)
    }
}
