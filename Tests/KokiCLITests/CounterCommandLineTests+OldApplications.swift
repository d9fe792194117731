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
        try recordOldApplication("A20260401-1001-3")
        let shown = try koki(["application", "show", "A20260401-1001-3"], suzuki).stdout
        #expect(shown.contains("変更内容    koki income record --number 1001 --year 2025"))
        let before = try events("person/1001").count
        let confirmed = try koki(["application", "confirm", "A20260401-1001-3"], suzuki).stdout
        #expect(confirmed.contains("1001 の2025年の所得を記録しました"))
        #expect(confirmed.contains("申請 A20260401-1001-3 を suzuki が確認し、記録しました：所得の申告"), "\(confirmed)")
        let person = try events("person/1001")
        #expect(person.count == before + 1 && person.last?["type"] as? String == "IncomeRecorded")
        #expect(person.last?["actor"] as? String == "suzuki")

        // A new application keeps the typed request: shown as its command, confirmed the same way.
        let number = try receive(
            "1001", kind: "income",
            ["income", "record", "--number", "1001", "--year", "2024", "--total", "800000", "--source", "申告書"],
            as: tanaka)
        let typed = try koki(["application", "show", number], suzuki).stdout
        #expect(typed.contains("変更内容    koki income record --number 1001"))
        #expect(typed.contains("--total 800000") && typed.contains("--year 2024"))
        try koki(["application", "confirm", number], suzuki)
        #expect(try events("person/1001").count == before + 2)
    }

    /// The fixture: an application as an older koki recorded it, its change a sealed command line
    /// (an income of 2025 for 1001).
    func recordOldApplication(_ number: String) throws {
        let path = folder.path("counter.ledger")
        let ledger = KokiLedger(try Ledger.open(at: path, mode: .readWrite), masterKey: try MasterKey.load(from: path + ".key"))
        try ledger.useMasterKeyForChain()
        let person = try PersonID("1001")
        let change = [
            "income", "record", "--number", "1001", "--year", "2025", "--pension", "2000000", "--total", "900000",
            "--source", "申告書",
        ]
        let sealed = try IdentityVault(ledger).sealText(change.joined(separator: "\u{0}"), for: person)
        let received = ApplicationReceived(
            number: number, person: person, kind: .income,
            reception: Reception(
                office: "本庁", receivedOn: try CivilDate(iso: "2026-04-01"), applicant: .person, applicantName: nil,
                identityCheck: .myNumberCard, attached: [], enteredBy: "tanaka"),
            change: sealed, changeCommand: "income record")
        try ledger.record([.counter(.applicationReceived(received))], metadata: CommandMetadata(actor: "tanaka"))
    }

    /// Through the server the second check is the same: the confirming operator's client sends the
    /// application's number, the server runs its change (upcasting an old one with the command
    /// line's grammar) and the client prints what the command prints where the ledger is.
    @Test func anApplicationIsConfirmedThroughTheServer() throws {
        try registerThroughApplications()
        try recordOldApplication("A20260401-1001-3")
        let typed = try receive(
            "1001", kind: "income",
            ["income", "record", "--number", "1001", "--year", "2024", "--total", "800000", "--source", "申告書"],
            as: tanaka)
        let server = try KokiProcess.serving(environment: admin)
        defer { server.stop() }
        let remoteSuzuki = server.client(suzuki)
        let remoteTanaka = server.client(tanaka)
        // The operator who entered it may not confirm it: refused by the server, recorded, nothing run.
        let before = try events("person/1001").count
        let own = try koki(["application", "confirm", typed], remoteTanaka, status: 77)
        #expect(own.stderr.contains("入力者以外の職員が確認します"), "\(own.stderr)")
        #expect(try events("person/1001").count == before)
        let old = try koki(["application", "confirm", "A20260401-1001-3"], remoteSuzuki).stdout
        #expect(old.contains("1001 の2025年の所得を記録しました"), "\(old)")
        #expect(old.contains("を suzuki が確認し、記録しました：所得の申告"), "\(old)")
        let new = try koki(["application", "confirm", typed], remoteSuzuki).stdout
        #expect(new.contains("1001 の2024年の所得を記録しました") && new.contains("suzuki が確認し"), "\(new)")
        let person = try events("person/1001")
        #expect(person.count == before + 2 && person.last?["actor"] as? String == "suzuki")
        // Confirmed once: a second confirmation is refused.
        let again = try koki(["application", "confirm", typed], remoteSuzuki, status: 65)
        #expect(!again.stderr.isEmpty)
    }
}
