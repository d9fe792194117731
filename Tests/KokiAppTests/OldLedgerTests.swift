import Foundation
import GRDB
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

/// A ledger written by koki before collection existed (commit d875893: `koki demo --persons 8`,
/// `PaymentReceived` v1, `DunningNoticeIssued` v2; kept as its SQL dump) is read by today's koki without rewriting a
/// byte: its chain verifies, its payments are upcast to v2 with their one period and accounting
/// year, its notices to v3 with no fee, and new commands append after it.
@Suite struct OldLedgerTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/before-collection.sql")

    @Test func aLedgerFromBeforeCollectionReadsAndGrows() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("old.ledger")
        // The fixture is the old file's SQL (no database file is committed): load it into one.
        let original = try Data(contentsOf: Self.fixture)
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: String(decoding: original, as: UTF8.self))
        }
        let ledger = KokiLedger(try Ledger.open(at: path))
        let verified = try ledger.store.verify()
        #expect(verified.problem == nil && verified.eventsChecked == 115)

        var versions: [String: Set<Int>] = [:]
        var counts: [String: Int] = [:]
        try ledger.store.forEachEvent(EventQuery()) { view in
            versions[view.type, default: []].insert(view.schemaVersion)
            counts[view.type, default: 0] += 1
        }
        #expect(versions["PaymentReceived"] == [1] && versions["DunningNoticeIssued"] == [2])

        let city = try CitySnapshot(ledger)
        #expect(city.collection.moneyIsConserved)
        let payments = city.collection.accounts.values.flatMap(\.payments).map(\.event)
        #expect(payments.count == counts["PaymentReceived"] && payments.count > 50)
        #expect(payments.allSatisfy { $0.id.isEmpty && $0.parts.count == 1 && $0.parts[0].amount == $0.amount })
        #expect(payments.allSatisfy { $0.parts[0].accountingYear == $0.parts[0].key.fiscalYear })
        let notices = city.collection.accounts.values.flatMap(\.dunning)
        #expect(
            notices.count == counts["DunningNoticeIssued"] && notices.count > 0
                && notices.allSatisfy { $0.fee == .zero && $0.payBy != nil })
        // The balances agree with the old fold: assessed − paid.
        let balances = try ledger.replay(PremiumBalances.self).totals
        #expect(balances.paid == city.collection.totals.credited)

        // New work appends after the old events; the old ones are untouched.
        let arrears = ArrearsCommands(ledger)
        try arrears.adoptSettings(.standard, metadata: CommandMetadata(actor: "op-new"))
        #expect(try arrears.runDunning(on: try CivilDate(iso: "2026-04-20"), actor: "op-new").notices.isEmpty)
        let person = try #require(city.collection.accounts.first { !$0.value.dunning.isEmpty }?.key)
        let owed = try #require(city.collection.account(person)?.outstanding)
        try CollectionCommands(ledger).pay(
            person, amount: owed, paidOn: try CivilDate(iso: "2026-05-10"), learnedOn: try CivilDate(iso: "2026-05-10"),
            channel: .counter, slip: nil, metadata: CommandMetadata(actor: "op-new"))
        #expect(try CollectionCommands(ledger).load(person).account.outstanding == .zero)
        #expect(try ledger.store.verify().problem == nil)
        #expect(try Data(contentsOf: Self.fixture) == original)
    }

    /// The same old file, opened with a master key: sealed in place once (schema upgraded, every
    /// command sealed, its SHA-256 chain and head unchanged), and then an append without the key is
    /// refused.
    @Test func anOldLedgerIsSealedInPlaceByItsFirstOpeningWithTheMasterKey() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("old.ledger")
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: String(decoding: try Data(contentsOf: Self.fixture), as: UTF8.self))
        }
        let before = try Ledger.open(at: path).head()
        let ledger = KokiLedger(try Ledger.open(at: path), masterKey: try MasterKey(bytes: Array(repeating: 3, count: 32)))
        try ledger.useMasterKeyForChain()
        #expect(try ledger.store.isKeyed())
        let report = try ledger.store.verify()
        #expect(report.isIntact && report.head == before && report.eventsChecked == 115)
        #expect(report.sealsChecked == report.commandsChecked && report.commandsChecked > 0)
        let keyless = KokiLedger(try Ledger.open(at: path))
        #expect(throws: LedgerError.self) {
            try ArrearsCommands(keyless).adoptSettings(.standard, metadata: CommandMetadata(actor: "op-new"))
        }
        #expect(try keyless.store.head() == before)
    }
}
