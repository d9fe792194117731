import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import LedgerStore
import Testing

/// The collection's requests in the application core: its queries are refused before anything
/// is read, and a door's own check of where it writes runs only once the core has checked.
extension ApplicationCoreTests {
    var collectionQueries: [any KokiRequest] {
        [
            ShowAccount(person: person, fiscalYear: try! FiscalYear(2025), knownAt: .time(Timestamp(microseconds: 5)), asOf: today),
            ListOpenRefunds(), ListUnmatched(all: true),
            ConvenienceSlip(person: person, fiscalYear: try! FiscalYear(2025), period: 1, issuer: "123456", reissue: 0, deadline: nil),
            PendingConvenience(olderThan: 10, on: nil),
        ]
    }

    @Test func collectionQueriesWithoutASessionRecordOnlyTheRefusalAndRoundTrip() throws {
        for query in collectionQueries {
            let outcome = try appended { try run(query, as: try caller(nil)) }
            #expect(outcome.error?.code == .accessDenied, "\(type(of: query).name)")
            #expect(outcome.types == [AccessRefused.eventType], "\(type(of: query).name)")
            let kept = try StoredRequest(query)
            #expect(try StoredRequest(try kept.decoded()) == kept)
        }
        // An auditor may read the collection: a person the ledger does not know is refused as
        // input, and no read is recorded for them.
        let tanaka = try caller("tanaka", "tanaka-password-1")
        let outcome = try appended { try run(collectionQueries[0], as: tanaka) }
        #expect(outcome.error?.message == "被保険者番号 1001 の方は台帳にいません")
        #expect(outcome.types.isEmpty)
    }

    @Test func theDoorChecksWhereItWritesOnlyOnceTheCoreHasChecked() throws {
        let export = ExportDebit(date: today, originator: "originator.json", lineSeparator: .crlf)
        var doorChecked = false
        let refused = try appended { _ = try application.run(export, as: try caller(nil)) { doorChecked = true } }
        #expect(!doorChecked && refused.types == [AccessRefused.eventType])
        // A collection clerk passes: the door's check runs, then the handler reads the originator
        // file (missing here: refused as input, nothing appended).
        let admin = try control.authorize(
            try control.login("admin", password: "admin-password-1", terminal: "t1"), function: .securityAdmin,
            command: "operator add", terminal: "t1")
        try control.enroll("sato", name: "佐藤", roles: [.collection], password: "sato-password-12", by: admin)
        let sato = try caller("sato", "sato-password-12")
        let outcome = try appended { _ = try application.run(export, as: sato) { doorChecked = true } }
        #expect(doorChecked)
        #expect(outcome.error?.message == "no file originator.json")
        #expect(outcome.types.isEmpty)
        #expect(files.reads.withLock { $0 } == ["originator.json"])
    }
}
