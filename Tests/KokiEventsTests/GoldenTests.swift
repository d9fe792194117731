import Foundation
import KokiDomain
import KokiEvents
import Testing

/// Pins the stored bytes of every `(event type, schema version)`: a change to a layout that
/// is already in ledgers fails here. To add a new version, add its sample and run the tests
/// once with `KOKI_RECORD_GOLDEN=1` to write its file; existing files are never rewritten.
@Suite struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// One sample per registered `(type, version)`, with the event it must read back as.
    static let samples: [(encoded: EncodedEvent, readsAs: KokiEvent)] =
        (EventSamples.register + EventSamples.collection + EventSamples.arrears + EventSamples.access
        + EventSamples.notices + EventSamples.counter).map {
            (EventRegistry.encode($0), $0)
        } + [
            (EventRegistry.encode(EventSamples.premiumAssessed), .premiumAssessed(EventSamples.premiumAssessed)),
            (
                EventRegistry.encode(EventSamples.premiumAssessedV4),
                .premiumAssessed(EventSamples.premiumAssessedV4.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.premiumAssessedV3),
                .premiumAssessed(EventSamples.premiumAssessedV3.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.premiumAssessedV2),
                .premiumAssessed(EventSamples.premiumAssessedV2.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.premiumAssessedV1),
                .premiumAssessed(EventSamples.premiumAssessedV1.upcast())
            ),
            (EventRegistry.encode(EventSamples.paymentReceived), .paymentReceived(EventSamples.paymentReceived)),
            (
                EventRegistry.encode(EventSamples.paymentReceivedV1),
                .paymentReceived(EventSamples.paymentReceivedV1.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.debitRequestedV1),
                .debitRequested(EventSamples.debitRequestedV1.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.pensionDeductionNotifiedV1),
                .pensionDeductionNotified(EventSamples.pensionDeductionNotifiedV1.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.dunningNoticeIssued),
                .dunningNoticeIssued(EventSamples.dunningNoticeIssued)
            ),
            (
                EventRegistry.encode(EventSamples.dunningNoticeIssuedV2),
                .dunningNoticeIssued(EventSamples.dunningNoticeIssuedV2.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.dunningNoticeIssuedV1),
                .dunningNoticeIssued(EventSamples.dunningNoticeIssuedV1.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.incomeRecordedV1),
                .incomeRecorded(EventSamples.incomeRecordedV1.upcast())
            ),
            (
                EventRegistry.encode(EventSamples.operatorEnrolledV1),
                .access(.operatorEnrolled(EventSamples.operatorEnrolledV1.upcast()))
            ),
            (
                EventRegistry.encode(EventSamples.operatorPasswordSetV1),
                .access(.operatorPasswordSet(EventSamples.operatorPasswordSetV1.upcast()))
            ),
            (
                EventRegistry.encode(EventSamples.loginFailedV1),
                .access(.loginFailed(EventSamples.loginFailedV1.upcast()))
            ),
        ]

    @Test func everyRegisteredVersionHasASample() {
        let registered = Set(EventRegistry.registrations.map { "\($0.type).v\($0.version)" })
        let sampled = Set(Self.samples.map { "\($0.encoded.type).v\($0.encoded.schemaVersion)" })
        #expect(registered == sampled)
        #expect(Self.samples.count == 96, "the golden test's arguments cover every sample")
    }

    @Test(arguments: 0..<96)
    func storedBytesMatchTheGoldenFile(index: Int) throws {
        let (encoded, readsAs) = Self.samples[index]
        let file = Self.directory.appendingPathComponent("\(encoded.type).v\(encoded.schemaVersion).hex")
        if !FileManager.default.fileExists(atPath: file.path),
            ProcessInfo.processInfo.environment["KOKI_RECORD_GOLDEN"] == "1"
        {
            try (encoded.payload.map { String(format: "%02x", $0) }.joined() + "\n").write(
                to: file, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let golden = try #require(Self.bytes(hex: text))
        #expect(encoded.payload == golden, "the stored layout of \(encoded.type) v\(encoded.schemaVersion) changed")
        #expect(
            try EventRegistry.decode(type: encoded.type, version: encoded.schemaVersion, payload: golden) == readsAs)
    }

    /// Security settings stored before `secondCheck` existed read with the standard rules.
    @Test func securitySettingsFromBeforeTheSecondCheckReadWithTheStandardRules() throws {
        let file = Self.directory.appendingPathComponent("SecuritySettingsAdopted.v1.before-second-check.hex")
        let text = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let event = try EventRegistry.decode(
            type: SecuritySettingsAdopted.eventType, version: 1, payload: try #require(Self.bytes(hex: text)))
        guard case .access(.securitySettingsAdopted(let adopted)) = event else {
            Issue.record("read as \(event)")
            return
        }
        #expect(!String(decoding: try #require(Self.bytes(hex: text)), as: UTF8.self).contains("secondCheck"))
        #expect(adopted.settings.secondCheck == SecuritySettings.standardSecondCheck)
        #expect(adopted.settings.passwordCost == 17)
    }

    static func bytes(hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}
