import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore
import Testing

/// The incomes in force that an import compares its rows to are the same read from each named
/// person's stream (a small file), from every income recorded (a large one) or from the city a
/// process holds — after corrections, for persons with several years and with none.
@Suite struct LatestIncomesTests {
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }
    func id(_ text: String) -> PersonID { try! PersonID(text) }
    var meta: CommandMetadata { CommandMetadata(actor: "op-register") }

    @Test func everyWayOfReadingTheIncomesInForceAgrees() throws {
        let ledger = KokiLedger(try Ledger.inMemory())
        let register = InsuredRegisterCommands(ledger)
        for n in 1...6 {
            let who = try PersonIdentity(
                nameKanji: "氏名", nameKana: "シメイ", birthDate: d("1940-01-01"), sex: .male, address: "松戸市")
            try register.register(id("\(n)"), identity: who, metadata: meta)
        }
        // Person n has years 2022… with n records in all; each later record of a year corrects it.
        var recorded: [InsuredRegisterCommands.Key: IncomeRecorded] = [:]
        for n in 1...5 {
            for k in 0..<n {
                let year = 2022 + k % 3
                let income = IncomeRecorded(
                    person: id("\(n)"), year: year, publicPensionRevenue: Yen(Int64(1_000_000 + 10_000 * (n * 10 + k))),
                    salaryRevenue: .zero, otherIncome: .zero, totalIncome: Yen(Int64(100_000 * k)), declared: true,
                    source: "税 \(k)")
                try register.recordIncome(income, metadata: meta)
                recorded[.init(person: id("\(n)"), year: year)] = income
            }
        }
        let asked: Set<PersonID> = [id("1"), id("3"), id("5"), id("6")]
        let expected = recorded.filter { asked.contains($0.key.person) }
        #expect(expected.count == 1 + 3 + 3)
        #expect(expected.values.contains { $0.source == "税 4" })  // a correction, not the first record

        #expect(try register.latestIncomes(of: asked) == expected)
        #expect(try register.latestIncomes(of: asked, readApartAtMost: 0) == expected)
        _ = try ledger.currentCity()
        #expect(try register.latestIncomes(of: asked) == expected)
        #expect(try register.latestIncomes(of: []) == [:])
    }
}
