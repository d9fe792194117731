import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore
import Testing

/// A person's insured household members are the same however the household records are read:
/// the ledger's records by type (one question in a fresh process), the stored register's heads
/// read once (an import's many questions), or the city a process holds in memory — and each
/// equals the register folded whole.
@Suite struct HouseholdIndexTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func id(_ text: String) -> PersonID { try! PersonID(text) }
    func h(_ text: String) -> HouseholdID { try! HouseholdID(text) }
    var meta: CommandMetadata { CommandMetadata(actor: "op-register") }

    /// Households that change: 3 leaves household 1 for 9, 4 joins 1 later, 5 in household 1 is
    /// never insured, 6 dies, 2 lives alone, 7 in no household at all.
    func city(_ ledger: KokiLedger) throws {
        let register = InsuredRegisterCommands(ledger)
        let joined: [(String, String?, HouseholdRole, String, String?)] = [
            ("1", "1", .householder, "1940-01-01", "2015-01-01"),
            ("2", "2", .householder, "1941-01-01", "2016-01-01"),
            ("3", "1", .member, "1942-01-01", "2017-01-01"),
            ("4", "4", .householder, "1943-01-01", "2018-01-01"),
            ("5", "1", .member, "1990-01-01", nil),
            ("6", "1", .member, "1939-01-01", "2014-01-01"),
            ("7", nil, .householder, "1944-01-01", "2019-01-01"),
        ]
        for (number, household, role, born, insured) in joined {
            let who = try PersonIdentity(
                nameKanji: "氏名", nameKana: "シメイ", birthDate: d(born), sex: .female, address: "松戸市")
            try register.register(
                id(number), identity: who, household: household.map { (h($0), role, d("2000-04-01")) }, metadata: meta)
            if let insured { try register.acquire(id(number), reason: .reachedAge75, on: d(insured), metadata: meta) }
        }
        try register.recordHousehold(
            id("3"), household: h("9"), role: .householder, effectiveOn: d("2024-10-01"), metadata: meta)
        try register.recordHousehold(
            id("4"), household: h("1"), role: .member, effectiveOn: d("2025-02-01"), metadata: meta)
        try register.lose(id("6"), reason: .died, on: d("2025-05-10"), today: d("2025-05-12"), metadata: meta)
    }

    /// What the register folded whole says: everyone in the person's household on the day who
    /// is insured on it, the person first.
    func reference(_ register: InsuredRegister, _ person: PersonID, _ date: CivilDate) -> [PersonID] {
        guard let entry = register.person(person), let home = entry.household(on: date)?.household else {
            return [person]
        }
        let others = register.household(home, on: date).map(\.person)
            .filter { $0.id != person && $0.isInsured(on: date) }.map(\.id).sorted()
        return [person] + others
    }

    @Test func everyWayOfReadingTheHouseholdsFindsTheSameMembers() throws {
        let ledger = KokiLedger(try Ledger.inMemory())
        try city(ledger)
        let counter = Counter(ledger)
        let register = InsuredRegisterCommands(ledger)
        let whole = try register.snapshot()
        let dates = ["2024-04-01", "2024-10-01", "2025-01-31", "2025-02-01", "2025-05-10", "2025-06-01"].map(d)
        let persons = ["1", "2", "3", "4", "5", "6", "7"].map(id)
        func members(_ index: Counter.HouseholdIndex?) throws -> [[PersonID]] {
            try persons.flatMap { person in
                try dates.map { date in
                    try counter.insuredHousehold(of: #require(try register.person(person)), on: date, households: index)
                        .map(\.id)
                }
            }
        }
        let expected = persons.flatMap { person in dates.map { reference(whole, person, $0) } }
        // Not a household of one everywhere: the reference sees 1, 3, 4 and 6 together at times.
        #expect(expected.contains([id("1"), id("3"), id("6")]))
        #expect(expected.contains([id("1"), id("4"), id("6")]))
        #expect(expected.contains([id("4"), id("1")]))

        #expect(!ledger.hasCurrentCity)
        #expect(try members(nil) == expected)
        #expect(try members(.single(ledger)) == expected)
        #expect(try members(.many(ledger)) == expected)

        // A process holding the city asks the city.
        _ = try ledger.currentCity()
        #expect(ledger.hasCurrentCity)
        #expect(try members(.single(ledger)) == expected)
        #expect(try members(.many(ledger)) == expected)
    }
}
