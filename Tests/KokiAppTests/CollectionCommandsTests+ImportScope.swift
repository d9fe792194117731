import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

extension CollectionCommandsTests {
    /// A file that names a person on several lines decides each line on what the lines before it
    /// decided for them: a period paid off by its second slip makes its late fee final, as it
    /// would have in a file of its own. The same whether the importing process holds the city
    /// in memory (its persons' states the city's own, never changed by the import) or folds
    /// their streams, and the same figures as each line imported alone.
    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func aFileDecidesEachLineOnTheLinesBeforeItWhateverHoldsThePersons(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let people = ["1", "2", "3"]
        // Three ledgers made alike: the first imported by a process holding the city, the
        // second by a process folding streams, the third a line at a time.
        let ledgers = try (0..<3).map { _ in
            let made = try CollectionCommandsTests()
            try made.city(people, income: Yen(12_000_000))
            try ArrearsCommands(made.ledger).adoptSettings(.standard, metadata: made.meta())
            return made
        }
        // Slips of the first periods (some 90,000 yen each), half a year overdue by February:
        // most paid in two parts on different days, some whole, a few paid twice over.
        var lines: [(person: String, line: String)] = []
        for person in people {
            for period in 1...4 where Bool.random(using: &g) || period == 1 {
                let assessed = try #require(try ledgers[0].account(person).periods[key(period)]?.assessed)
                let first = Yen(Int64.random(in: 1...assessed.amount / 1_000, using: &g) * 1_000 - 1_000)
                var parts = first > .zero ? [first, assessed - first] : [assessed]
                if Int.random(in: 0..<4, using: &g) == 0 { parts.append(Yen(1_000)) }
                for (n, amount) in parts.enumerated() {
                    let barcode = try ConvenienceBarcode(
                        issuer: "912345", slip: try SlipNumber(person: id(person), key: key(period)),
                        deadline: d("2026-03-31"), amount: amount)
                    lines.append((person, "final,2026-02-0\(2 + n),001,\(barcode)"))
                }
            }
        }
        lines.shuffle(using: &g)
        let file = "kind,paid_on,store,barcode\n" + lines.map(\.line).joined(separator: "\n") + "\n"
        let holding = ledgers[0]
        _ = try holding.ledger.currentCity()
        #expect(holding.ledger.hasCurrentCity)
        let folding = ledgers[1]
        #expect(!folding.ledger.hasCurrentCity)
        var appended: [[KokiEvent]] = []
        for made in [holding, folding] {
            let before = try made.ledger.store.head().position
            let summary = try made.collection.importConvenience(
                Array(file.utf8), name: "store.csv", learnedOn: d("2026-02-10"), actor: "b")
            #expect(summary.payments == lines.count)
            var events: [KokiEvent] = []
            try made.ledger.forEachEvent(.from(position: before + 1)) { _, event in events.append(event) }
            appended.append(events)
        }
        #expect(appended[0] == appended[1])
        let finals = appended[0].filter { if case .lateFeeFinalized = $0 { true } else { false } }
        #expect(!finals.isEmpty, "no period was paid off late: the file tests nothing")
        let alone = ledgers[2]
        for (n, line) in lines.enumerated() {
            _ = try alone.collection.importConvenience(
                Array("kind,paid_on,store,barcode\n\(line.line)\n".utf8), name: "store-\(n).csv",
                learnedOn: d("2026-02-10"), actor: "b")
        }
        for person in people {
            let together = try holding.account(person)
            #expect(try folding.account(person) == together)
            let apart = try alone.account(person)
            #expect(apart.periods == together.periods, "person \(person)")
            #expect(apart.lateFees.map(\.fee) == together.lateFees.map(\.fee), "person \(person)")
            #expect(apart.overpayments.map(\.amount) == together.overpayments.map(\.amount), "person \(person)")
        }
        for made in ledgers { #expect(try made.everything().moneyIsConserved) }
    }
}
