@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore
import Testing

@Suite struct InsuredRegisterCommandsTests {
    let ledger: KokiLedger
    let register: InsuredRegisterCommands

    init() throws {
        ledger = KokiLedger(
            try Ledger.inMemory(clock: ManualClock(start: Timestamp(microseconds: 1_795_000_000_000_000))))
        register = InsuredRegisterCommands(ledger)
    }

    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func id(_ text: String) -> PersonID { try! PersonID(text) }
    func meta() -> CommandMetadata { CommandMetadata(actor: "op-001") }

    func identity(born: String, name: String = "松戸 花子") throws -> PersonIdentity {
        try PersonIdentity(
            nameKanji: name, nameKana: "マツド ハナコ", birthDate: d(born), sex: .female, address: "千葉県松戸市根本387-5",
            phone: "047-366-1111")
    }

    /// Runs a command that must be refused, and checks nothing was appended.
    func expectRefused(_ words: String, _ body: () throws -> Void) throws {
        let before = try ledger.store.head()
        #expect {
            try body()
        } throws: { error in
            if let error = error as? DomainError { return error.message.contains(words) }
            guard let error = error as? KokiError, error.code == .invalidInput else { return false }
            return error.message.contains(words)
        }
        #expect(try ledger.store.head() == before, "a refused command appended something")
    }

    @Test func registeringSealsTheIdentityAndRefusesDuplicates() throws {
        let person = id("100")
        let who = try identity(born: "1950-07-15")
        try register.register(
            person, identity: who, household: (try HouseholdID("9"), .householder, d("2000-01-01")), metadata: meta())
        let entry = try #require(try register.load(person).entry)
        #expect(try register.identity(of: entry) == who)
        // The events hold no personal data in the clear.
        for event in try ledger.store.events() {
            #expect(!String(decoding: event.payload, as: UTF8.self).contains("松戸"))
            #expect(!event.payload.contains(Array("047-366".utf8)))
        }
        #expect(entry.household(on: d("2025-01-01"))?.household == (try HouseholdID("9")))
        try expectRefused("already registered") { try register.register(person, identity: who, metadata: meta()) }
    }

    @Test func correctingKeepsUnchangedFieldsAndReseals() throws {
        let person = id("101")
        try register.register(person, identity: try identity(born: "1950-07-15"), metadata: meta())
        try register.correct(person, reason: "転居届", metadata: meta()) { $0.address = "千葉県松戸市小金1" }
        let entry = try #require(try register.load(person).entry)
        let now = try #require(try register.identity(of: entry))
        #expect(now.address == "千葉県松戸市小金1")
        #expect(now.nameKanji == "松戸 花子")
        #expect(entry.corrections == 1)
        try expectRefused("name must be 1–200 characters") {
            try register.correct(person, reason: "x", metadata: meta()) { $0.nameKanji = "  " }
        }
    }

    @Test func eligibilityFollowsTheRules() throws {
        let person = id("200")
        try register.register(person, identity: try identity(born: "1950-08-01"), metadata: meta())
        try expectRefused("the 75th birthday of a person born 1950-08-01 is 2025-08-01, not 2025-08-02") {
            try register.acquire(person, reason: .reachedAge75, on: d("2025-08-02"), metadata: meta())
        }
        try expectRefused("insured before 75 only by disability certification") {
            try register.acquire(person, reason: .movedIntoPrefecture, on: d("2020-01-01"), metadata: meta())
        }
        try expectRefused("not insured") {
            try register.lose(person, reason: .died, on: d("2025-09-01"), today: d("2025-12-01"), metadata: meta())
        }
        try register.acquire(person, reason: .reachedAge75, on: d("2025-08-01"), metadata: meta())
        try expectRefused("overlaps the period from 2025-08-01 (still insured)") {
            try register.acquire(person, reason: .movedIntoPrefecture, on: d("2026-01-01"), metadata: meta())
        }
        try expectRefused("is not after the acquisition on 2025-08-01") {
            try register.lose(
                person, reason: .welfareStarted, on: d("2025-07-01"), today: d("2025-12-01"), metadata: meta())
        }
        try expectRefused("applies only to disability-certified persons") {
            try register.lose(
                person, reason: .disabilityWithdrawn, on: d("2025-12-01"), today: d("2025-12-01"), metadata: meta())
        }
        // Moved straight to another prefecture on 2026-01-10: lost that same day.
        try register.lose(
            person, reason: .leftPrefecture, on: d("2026-01-10"), addressElsewhereSameDay: true, today: d("2026-01-15"),
            metadata: meta())
        let entry = try #require(try register.load(person).entry)
        #expect(
            entry.eligibilityPeriods == [
                EligibilityPeriod(
                    from: d("2025-08-01"), acquisition: .reachedAge75, until: d("2026-01-10"), loss: .leftPrefecture)
            ])
        // Moving back in later opens a new period; one overlapping the old one is refused.
        try expectRefused("overlaps the period from 2025-08-01 to 2026-01-10") {
            try register.acquire(person, reason: .movedIntoPrefecture, on: d("2026-01-09"), metadata: meta())
        }
        try register.acquire(person, reason: .movedIntoPrefecture, on: d("2026-04-01"), metadata: meta())
        #expect(try register.load(person).entry?.eligibilityPeriods.count == 2)
    }

    @Test func disabilityCertificationFrom65AndNoRetroactiveWithdrawal() throws {
        let person = id("300")
        try register.register(person, identity: try identity(born: "1955-05-20"), metadata: meta())
        try expectRefused("from 65 to 74; the person is 64") {
            try register.acquire(person, reason: .disabilityCertified, on: d("2020-01-10"), metadata: meta())
        }
        try register.acquire(person, reason: .disabilityCertified, on: d("2025-06-01"), metadata: meta())
        try expectRefused("cannot be retroactive: 2025-10-01 is before today (2025-11-01)") {
            try register.lose(
                person, reason: .disabilityWithdrawn, on: d("2025-10-01"), today: d("2025-11-01"), metadata: meta())
        }
        try register.lose(
            person, reason: .disabilityWithdrawn, on: d("2025-11-01"), today: d("2025-11-01"), metadata: meta())
        #expect(try register.load(person).entry?.isInsured(on: d("2025-10-31")) == true)
        #expect(try register.load(person).entry?.isInsured(on: d("2025-11-01")) == false)
    }

    @Test func theDailyBatchQualifiesThoseTurning75AndIsIdempotent() throws {
        let born = [
            "401": "1951-01-01", "402": "1951-01-31", "403": "1951-02-01", "404": "1960-01-15", "405": "1950-06-01",
        ]
        for (number, date) in born.sorted(by: { $0.key < $1.key }) {
            try register.register(id(number), identity: try identity(born: date), metadata: meta())
        }
        // 405 was insured already (moved in earlier): not touched by the batch.
        try register.acquire(id("405"), reason: .movedIntoPrefecture, on: d("2026-01-10"), metadata: meta())
        let qualified = try register.qualifyReaching75(from: d("2026-01-01"), through: d("2026-01-31"), actor: "batch")
        #expect(qualified == [id("401"), id("402")])
        let again = try register.qualifyReaching75(from: d("2026-01-01"), through: d("2026-01-31"), actor: "batch")
        #expect(again.isEmpty)
        let snapshot = try register.snapshot()
        #expect(snapshot.insured(on: d("2026-01-31")).map(\.id) == [id("401"), id("402"), id("405")])
        #expect(snapshot.person(id("402"))?.eligibilityPeriods.first?.from == d("2026-01-31"))
        #expect(snapshot.person(id("403"))?.isInsured(on: d("2026-01-31")) == false)
    }

    @Test func erasingAPersonMakesThemUnreadableAndKeepsTheLedgerIntact() throws {
        let person = id("500")
        try register.register(person, identity: try identity(born: "1940-03-03"), metadata: meta())
        try register.acquire(person, reason: .movedIntoPrefecture, on: d("2024-04-01"), metadata: meta())
        let before = try ledger.store.events()
        #expect(try register.vault.erase(person))
        let entry = try #require(try register.load(person).entry)
        #expect(try register.identity(of: entry) == nil)
        #expect(try ledger.store.events() == before)
        #expect(try ledger.store.verify().isIntact)
        // Eligibility, which is not personal data, is still answered.
        #expect(entry.isInsured(on: d("2025-01-01")))
        try expectRefused("was erased") {
            try register.correct(person, reason: "x", metadata: meta()) { $0.address = "y" }
        }
    }

    @Test func incomeRecordsCorrectionsAndEveryInquiry() throws {
        let person = id("600")
        try register.register(person, identity: try identity(born: "1945-01-01"), metadata: meta())
        func income(_ total: Int64, _ source: String) -> IncomeRecorded {
            IncomeRecorded(
                person: person, year: 2024, publicPensionRevenue: Yen(2_000_000), salaryRevenue: .zero,
                otherIncome: .zero,
                totalIncome: Yen(total), declared: true, source: source)
        }
        try register.recordIncome(income(900_000, "連携税マスタ"), metadata: meta())
        try register.recordIncome(income(950_000, "修正申告"), metadata: meta())
        let seen = try register.inquireIncome(
            person, year: 2024, purpose: "賦課計算", metadata: CommandMetadata(actor: "op-777"))
        #expect(seen?.totalIncome == Yen(950_000))
        #expect(try register.load(person).entry?.incomeHistory.count == 2)
        var query = EventQuery.stream(try StreamName(person.streamName))
        query.types = [IncomeInquired.eventType]
        let inquiries = try ledger.store.events(query)
        #expect(inquiries.map(\.actor) == ["op-777"])
        try expectRefused("--purpose must be 1–200 characters") {
            _ = try register.inquireIncome(person, year: 2024, purpose: "", metadata: meta())
        }
        try expectRefused("被保険者番号 601 の方は被保険者台帳にいません") {
            try register.recordIncome(
                IncomeRecorded(
                    person: id("601"), year: 2024, publicPensionRevenue: .zero, salaryRevenue: .zero,
                    otherIncome: .zero,
                    totalIncome: .zero, declared: false, source: "x"), metadata: meta())
        }
    }

    @Test func formerNumbersAndAddressExceptions() throws {
        let person = id("700")
        try register.register(person, identity: try identity(born: "1940-01-01"), metadata: meta())
        try register.link(person, formerNumber: id("70"), metadata: meta())
        #expect(try register.snapshot().person(id("70"))?.id == person)
        try expectRefused("already linked") { try register.link(person, formerNumber: id("70"), metadata: meta()) }
        try register.startAddressException(person, facility: "東京都 ○○病院", from: d("2025-05-01"), metadata: meta())
        try expectRefused("already has an address exception") {
            try register.startAddressException(person, facility: "x", from: d("2025-06-01"), metadata: meta())
        }
        #expect(try register.snapshot().addressExceptionPersons(on: d("2025-06-01")).map(\.id) == [person])
        try register.endAddressException(person, from: d("2026-01-01"), metadata: meta())
        #expect(try register.snapshot().addressExceptionPersons(on: d("2026-01-01")).isEmpty)
    }
}
