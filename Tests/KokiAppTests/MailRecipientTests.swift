import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiNotices
import KokiProjections
import LedgerStore
import Testing

/// Who receives the mail: the person, their agent or mailing address, after a death the heirs'
/// representative — or nobody, the document held for the counter. Postal codes print 〒123-4567.
@Suite struct MailRecipientTests {
    let ledger: KokiLedger
    let register: InsuredRegisterCommands
    let assessment: AssessmentCommands
    let notices: Notices
    let fy = try! FiscalYear(2025)

    init() throws {
        ledger = KokiLedger(try Ledger.inMemory())
        register = InsuredRegisterCommands(ledger)
        assessment = AssessmentCommands(ledger)
        notices = Notices(ledger)
        try assessment.adoptRates(RateTable.chiba(fiscalYear: 2025)!, metadata: meta())
        try assessment.adoptCalendar(InstallmentCalendar.standard(fiscalYear: 2025), metadata: meta())
        try notices.adopt(
            NoticeSettings(
                city: "松戸市", issuer: "松戸市長", department: "後期高齢者医療班", address: "松戸市根本387-5",
                phone: "047-366-1111", barcodeIssuer: "123456"), metadata: meta())
        for (number, name) in [("1", "松戸 一郎"), ("2", "松戸 二郎"), ("3", "松戸 三郎"), ("4", "松戸 四郎")] {
            let who = try PersonIdentity(
                nameKanji: name, nameKana: "マツド", birthDate: d("1945-05-01"), sex: .male, address: "松戸市根本1番",
                postalCode: number == "1" ? try PostalCode("２７１－８５８８") : nil)
            try register.register(id(number), identity: who, metadata: meta())
            try register.acquire(id(number), reason: .reachedAge75, on: d("2020-05-01"), metadata: meta())
        }
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-07-10"), actor: "batch")
    }

    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func id(_ text: String) -> PersonID { try! PersonID(text) }
    func meta() -> CommandMetadata { CommandMetadata(actor: "op") }

    func recipient(_ name: String, _ code: String?, _ address: String, _ role: MailRecipient.Role) throws
        -> MailRecipient
    {
        try MailRecipient(name: name, postalCode: code.map { try PostalCode($0) }, address: address, role: role)
    }

    func addressees() throws -> (notices: [PersonID: [String: String]], held: [Notices.Held]) {
        let built = try notices.paymentBatch(fiscalYear: fy, on: d("2025-07-15"), at: try ledger.store.head().position)
        return (
            Dictionary(
                uniqueKeysWithValues: built.notices.map { ($0.person, Dictionary(uniqueKeysWithValues: $0.fields)) }),
            built.held
        )
    }

    @Test func eachDocumentGoesToWhoReceivesTheMail() throws {
        // 2 has an agent (成年後見人); 3 a mailing address; 4 dies with no heir recorded, 1 dies and
        // their heirs' representative is recorded.
        try register.recordMailRecipient(
            id("2"), role: .agent, try recipient("後見 花子", "270-0001", "柏市1番", .agent), from: d("2025-06-01"),
            metadata: meta())
        try register.recordMailRecipient(
            id("3"), role: .mailingAddress, try recipient("介護施設ひまわり", nil, "流山市2番", .mailingAddress),
            from: d("2025-06-01"), metadata: meta())
        for number in ["1", "4"] {
            try register.lose(id(number), reason: .died, on: d("2025-07-01"), today: d("2025-07-02"), metadata: meta())
        }
        try register.recordMailRecipient(
            id("1"), role: .heirRepresentative, try recipient("松戸 太郎", "1000001", "千代田区1番", .heirRepresentative),
            from: d("2025-07-05"), metadata: meta())

        let (built, held) = try addressees()
        #expect(built[id("1")]?["addresseeName"] == "故 松戸 一郎 様 相続人代表者 松戸 太郎 様")
        #expect(built[id("1")]?["addresseeAddress"] == "〒100-0001 千代田区1番")
        #expect(built[id("2")]?["addresseeName"] == "松戸 二郎 様 代理人 後見 花子 様")
        #expect(built[id("2")]?["addresseeAddress"] == "〒270-0001 柏市1番")
        #expect(built[id("3")]?["addresseeName"] == "松戸 三郎 様")
        #expect(built[id("3")]?["addresseeAddress"] == "流山市2番 介護施設ひまわり 方")
        #expect(built[id("4")] == nil)
        #expect(held.map(\.person) == [id("4")] && held.map(\.diedOn) == [d("2025-07-01")])

        // The agent's role ends: the person's own address again, with its postal code when known.
        try register.recordMailRecipient(id("2"), role: .agent, nil, from: d("2025-07-10"), metadata: meta())
        #expect(try addressees().notices[id("2")]?["addresseeName"] == "松戸 二郎 様")
        // A certificate for 4 at the counter goes to the heirs.
        let certificate = try notices.certificate(
            id("4"), fiscalYear: fy, on: d("2025-08-01"), at: try ledger.store.head().position)
        #expect(Dictionary(uniqueKeysWithValues: certificate.fields)["addresseeName"] == "故 松戸 四郎 様 相続人 様")

        // The rule checker: documents to the heirs' representative are no breach; to nobody they
        // are not issued at all.
        let position = try ledger.store.head().position
        try notices.record(
            try notices.paymentNotices(fiscalYear: fy, on: d("2025-07-15"), at: position), run: nil, metadata: meta())
        var check = RuleCheck()
        try ledger.forEachEvent { view, event in check.apply(event, position: view.position) }
        check.finish()
        #expect(!check.breaches.contains { $0.rule == .deceased }, "\(check.breaches)")
    }

    @Test func aRecipientIsRecordedOnlyWhereItCanReceive() throws {
        func refused(_ body: () throws -> Void) -> String {
            do { try body() } catch let error as KokiError { return error.message } catch { return "\(error)" }
            return ""
        }
        let heir = try recipient("相続 人", nil, "松戸市", .heirRepresentative)
        #expect(
            refused {
                try register.recordMailRecipient(
                    id("1"), role: .heirRepresentative, heir, from: d("2025-06-01"), metadata: meta())
            }.contains("no death is recorded"))
        try register.lose(id("1"), reason: .died, on: d("2025-07-01"), today: d("2025-07-02"), metadata: meta())
        #expect(
            refused {
                try register.recordMailRecipient(
                    id("1"), role: .agent, try recipient("代理 人", nil, "松戸市", .agent), from: d("2025-07-02"),
                    metadata: meta())
            }.contains("heir representative"))
        #expect(
            refused {
                try register.recordMailRecipient(id("2"), role: .agent, nil, from: d("2025-07-02"), metadata: meta())
            }.contains("no 代理人"))
        // Postal codes: seven digits, ASCII or full-width, one hyphen after the third.
        #expect(try PostalCode("271-8588").description == "〒271-8588")
        #expect(try PostalCode("２７１８５８８").description == "〒271-8588")
        for bad in ["271-858", "27-18588", "2718588x", "", "271\u{0}8588", "12345678"] {
            #expect(throws: DomainError.self, "\(bad)") { try PostalCode(bad) }
        }
        #expect(throws: DomainError.self) { try recipient("", nil, "松戸市", .agent) }
        #expect(throws: DomainError.self) { try recipient("名\u{1B}", nil, "松戸市", .agent) }
        // Nothing was appended by a refusal: the recipient is still none.
        #expect(try register.person(id("1"))?.mailRecipients.isEmpty == true)
    }
}
