import Foundation
@_spi(Batch) @testable import KokiApp
import KokiDomain
import KokiEvents
import KokiTestSupport
import LedgerStore
import Testing

/// A person's events are stored without their number, which their stream names already, and
/// read back whole: by the commands, by `koki events`, and from a copy of the rows.
@Suite struct StreamPersonTests {
    @Test func aPersonsEventsAreStoredWithoutTheirNumberAndReadBackWhole() throws {
        let folder = try TemporaryFolder()
        let ledger = KokiLedger(try Ledger.create(at: folder.path("city.ledger")))
        let person = try PersonID("300000001")
        let day = try CivilDate(iso: "2025-04-01")
        let events: [KokiEvent] = [
            .personRegistered(PersonRegistered(person: person, identity: SealedIdentity(bytes: [1, 2, 3]))),
            .eligibilityAcquired(
                EligibilityAcquired(person: person, reason: .reachedAge75, eventDate: day, effectiveFrom: day)),
            .notice(
                .documentIssued(
                    DocumentIssued(
                        number: "N1", kind: .payment, reason: "test", person: person, subject: "FY2025", builtFrom: 2,
                        issuedOn: day, recordHash: []))),
            // Configuration names no person: stored as it was.
            .arrearsSettingsAdopted(ArrearsSettingsAdopted(settings: .standard)),
        ]
        try ledger.record(events, metadata: CommandMetadata(actor: "test"))
        var stored: [(stream: String, payload: [UInt8])] = []
        try ledger.store.forEachEvent(EventQuery()) { view in stored.append((view.stream.value, Array(view.payload))) }
        #expect(stored.map(\.stream) == events.map(\.streamName))
        for (event, row) in zip(events, stored) {
            let plain = EventRegistry.encode(event).payload
            #expect(row.payload == EventRegistry.encode(event, stream: row.stream).payload)
            if EventRegistry.streamPerson(row.stream) == nil {
                #expect(row.payload == plain)
            } else {
                #expect(row.payload.count == plain.count - person.value.utf8.count, "\(row.stream)")
            }
        }
        var read: [KokiEvent] = []
        try ledger.forEachEvent { _, event in read.append(event) }
        #expect(read == events)
        // The events as `koki events` prints them name the person.
        var printed: [String] = []
        try EventListing(store: ledger.store, query: EventQuery()).forEach(decoding: true) { listed in
            printed.append(listed.data ?? "")
        }
        #expect(printed.count == 4 && printed.prefix(3).allSatisfy { $0.contains("\"person\":\"300000001\"") })
    }
}
