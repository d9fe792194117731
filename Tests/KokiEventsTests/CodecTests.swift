import Foundation
import KokiDomain
import KokiEvents
import KokiTestSupport
import Testing

@Suite struct CodecTests {
    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func everyEventRoundTrips(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            let event = EventSamples.random(using: &g)
            let encoded = EventRegistry.encode(event)
            let decoded = try EventRegistry.decode(
                type: encoded.type, version: encoded.schemaVersion, payload: encoded.payload)
            #expect(decoded == event)
        }
    }

    /// On a person's stream (their account's or their documents'), the payload names that person
    /// in one byte: it reads back with its stream, is refused read without one (naming the
    /// offset), and a payload written without its stream (by an older koki) still reads with it.
    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func aPersonsEventsNameThemInOneByteOnTheirStream(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        var elided = 0
        for _ in 0..<300 {
            let event = EventSamples.random(using: &g)
            let stream = event.streamName
            let plain = EventRegistry.encode(event)
            let short = EventRegistry.encode(event, stream: stream)
            #expect(short.refusal == nil && short.type == plain.type && short.schemaVersion == plain.schemaVersion)
            let decoded = try EventRegistry.decode(
                type: short.type, version: short.schemaVersion, payload: short.payload, stream: stream)
            #expect(decoded == event, "\(short.type)")
            #expect(
                try EventRegistry.decode(
                    type: plain.type, version: plain.schemaVersion, payload: plain.payload, stream: stream) == event)
            guard let person = EventRegistry.streamPerson(stream) else {
                #expect(short.payload == plain.payload, "\(stream)")
                continue
            }
            // Each mention of the person loses its digits; nothing else changes.
            let saved = plain.payload.count - short.payload.count
            #expect(saved > 0 && saved % person.value.utf8.count == 0, "\(short.type) on \(stream)")
            elided += 1
            #expect(throws: CodecError.self) {
                try EventRegistry.decode(type: short.type, version: short.schemaVersion, payload: short.payload)
            }
        }
        #expect(elided > 200)
    }

    @Test func aStreamsPersonIsTheNumberAfterPersonOrDocuments() throws {
        #expect(EventRegistry.streamPerson("person/300000001") == (try PersonID("300000001")))
        #expect(EventRegistry.streamPerson("documents/1") == (try PersonID("1")))
        for other in [
            "person/", "person/abc", "person/1/2", "persons/1", "config/1", "person", "documents/1234567890123456",
            "run/person/1", "",
        ] {
            #expect(EventRegistry.streamPerson(other) == nil, "\(other)")
        }
    }

    /// The writer mirrors the reader's limits: a value the reader would refuse is noted as the
    /// payload's refusal (and never traps, even negative), so it is never stored unreadable.
    @Test func whatTheReaderWouldRefuseIsNotedByTheWriter() throws {
        for year in [-1, 10_000, Int.max, Int.min] {
            let encoded = EventRegistry.encode(IncomeInquired(person: try PersonID("1"), year: year, purpose: "x"))
            #expect(encoded.refusal == "\(year) is outside 0…9999")
        }
        #expect(
            EventRegistry.encode(IncomeInquired(person: try PersonID("1"), year: 2024, purpose: "x")).refusal == nil)
        var g = SeededGenerator(seed: 1)
        for _ in 0..<500 {
            let encoded = EventRegistry.encode(EventSamples.random(using: &g))
            #expect(encoded.refusal == nil, "\(encoded.type)")
        }
    }

    @Test func everyTruncationIsAnErrorNotACrash() throws {
        var g = SeededGenerator(seed: 99)
        for _ in 0..<100 {
            let encoded = EventRegistry.encode(EventSamples.random(using: &g))
            for length in 0..<encoded.payload.count {
                #expect(throws: (any Error).self) {
                    try EventRegistry.decode(
                        type: encoded.type, version: encoded.schemaVersion,
                        payload: Array(encoded.payload.prefix(length)))
                }
            }
            // A trailing byte means the wrong layout or damage.
            #expect(throws: CodecError.self) {
                try EventRegistry.decode(
                    type: encoded.type, version: encoded.schemaVersion, payload: encoded.payload + [0])
            }
        }
    }

    @Test func randomByteFlipsDecodeOrThrowButNeverCrash() throws {
        var g = SeededGenerator(seed: 7)
        for _ in 0..<2_000 {
            let encoded = EventRegistry.encode(EventSamples.random(using: &g))
            var bytes = encoded.payload
            let at = Int.random(in: 0..<bytes.count, using: &g)
            bytes[at] ^= UInt8.random(in: 1...255, using: &g)
            _ = try? EventRegistry.decode(type: encoded.type, version: encoded.schemaVersion, payload: bytes)
        }
    }

    @Test func unknownTypesAndVersionsAreNamed() {
        #expect {
            try EventRegistry.decode(type: "PremiumAssessed", version: 9, payload: [])
        } throws: { error in
            (error as? CodecError)?.message == "unknown event type PremiumAssessed v9"
        }
        #expect(EventRegistry.decoder(type: "NoSuchEvent", version: 1) == nil)
    }

    @Test func dunningNoticeV1IsUpcastWithAnUnknownDeadline() throws {
        let v1 = EventSamples.dunningNoticeIssuedV1
        let stored = EventRegistry.encode(v1)
        #expect(stored.type == "DunningNoticeIssued")
        #expect(stored.schemaVersion == 1)
        let read = try EventRegistry.decode(type: stored.type, version: 1, payload: stored.payload)
        #expect(
            read
                == .dunningNoticeIssued(
                    DunningNoticeIssued(
                        person: v1.person, fiscalYear: v1.fiscalYear, period: v1.period, principal: v1.principal,
                        issuedOn: v1.issuedOn, payBy: nil)))
        // Today's events are written at version 3 and keep their deadline and fee; version 2 is
        // read with no fee.
        let current = EventRegistry.encode(.dunningNoticeIssued(EventSamples.dunningNoticeIssued))
        #expect(current.schemaVersion == 3)
        #expect(
            try EventRegistry.decode(type: current.type, version: 3, payload: current.payload)
                == .dunningNoticeIssued(EventSamples.dunningNoticeIssued))
        let v2 = EventRegistry.encode(EventSamples.dunningNoticeIssuedV2)
        let upcast = try EventRegistry.decode(type: v2.type, version: 2, payload: v2.payload)
        guard case .dunningNoticeIssued(let notice) = upcast else {
            Issue.record("read as \(upcast)")
            return
        }
        #expect(notice.fee == .zero && notice.payBy == EventSamples.dunningNoticeIssuedV2.payBy)
    }

    /// A digest's hex and a number's digits are stored packed and read back as the same text;
    /// any other text is stored as it is, so every value round-trips.
    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func packedTextsReadBackAsWritten(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        func roundTrip<T: BinaryCodable>(_ value: T) throws -> (T, Int) {
            var w = BinaryWriter()
            value.encode(to: &w)
            let bytes = w.bytes
            return try bytes.withUnsafeBytes { buffer in
                var r = BinaryReader(buffer)
                let back = try T(from: &r)
                try r.expectEnd()
                return (back, bytes.count)
            }
        }
        let hex = Array("0123456789abcdef")
        for _ in 0..<200 {
            let digest = String((0..<64).map { _ in hex.randomElement(using: &g)! })
            let (back, size) = try roundTrip(HexDigestText(digest))
            #expect(back.value == digest && size == 33)
            let digits = String(
                (0..<Int.random(in: 1...36, using: &g)).map { _ in "0123456789".randomElement(using: &g)! })
            let (number, packed) = try roundTrip(DigitText(digits))
            #expect(number.value == digits)
            #expect(packed < digits.utf8.count + 1 || digits.utf8.count < 10, "\(digits): \(packed) bytes")
        }
        // The texts that are not packed: uppercase or short hex, a sign, a space, too many digits,
        // the empty text, a full-width digit.
        for text in [
            String(repeating: "AB", count: 32), "ab12", String(repeating: "a", count: 63), "-12", "12 3",
            String(repeating: "9", count: 37), "", "１２",
        ] {
            #expect(try roundTrip(HexDigestText(text)).0.value == text)
            #expect(try roundTrip(DigitText(text)).0.value == text)
        }
        // The largest and the all-zero numbers at every length.
        for count in 1...DigitText.maximumDigits {
            for text in [String(repeating: "9", count: count), String(repeating: "0", count: count)] {
                #expect(try roundTrip(DigitText(text)).0.value == text)
            }
        }
        #expect(try roundTrip(DigitText("00000100000001202503")).1 == 9)
    }

    /// A packed text whose bytes were damaged is an error naming the byte, never a wrong text.
    @Test func aDamagedPackedTextIsRefused() throws {
        func read<T: BinaryCodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
            try bytes.withUnsafeBytes { buffer in
                var r = BinaryReader(buffer)
                return try T(from: &r)
            }
        }
        // Tag 2 is no form; a digest cut short; 37 digits; a value of 3 digits in a text of 2.
        #expect(throws: CodecError.self) { try read(HexDigestText.self, [2]) }
        #expect(throws: CodecError.self) { try read(HexDigestText.self, [1] + [UInt8](repeating: 7, count: 31)) }
        #expect(throws: CodecError.self) { try read(DigitText.self, [37, 0, 0]) }
        #expect(throws: CodecError.self) { try read(DigitText.self, [2, 0, 100]) }
        #expect(throws: CodecError.self) { try read(DigitText.self, [20, 100, 0]) }
        #expect(try read(DigitText.self, [2, 0, 99]).value == "99")
        #expect(try read(DigitText.self, [20, 99, 0]).value == "99" + String(repeating: "0", count: 18))
    }

    /// Version 1 of a debit request reads as the same request; version 2 stores it in fewer bytes.
    @Test func aVersion1DebitRequestReadsAsTheSameRequest() throws {
        let v1 = EventSamples.debitRequestedV1
        let encoded = EventRegistry.encode(v1)
        #expect(encoded.schemaVersion == 1)
        let read = try EventRegistry.decode(type: encoded.type, version: 1, payload: encoded.payload)
        guard case .debitRequested(let request) = read else {
            Issue.record("read as \(read)")
            return
        }
        #expect(request == v1.requested)
        var digest = request
        digest.file = String(repeating: "0f", count: 32)
        let v1Digest = DebitRequestedV1(digest)
        let now = EventRegistry.encode(KokiEvent.debitRequested(digest))
        #expect(now.schemaVersion == 2)
        #expect(now.payload.count + 35 <= EventRegistry.encode(v1Digest).payload.count)
    }

    /// Positions stored as differences read back as written, in their order, whatever the values
    /// (the differences wrap rather than trap).
    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func positionsStoredAsDifferencesReadBackAsWritten(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            let values: [Int64] = (0..<Int.random(in: 0...60, using: &g)).map { _ in
                switch Int.random(in: 0..<4, using: &g) {
                case 0: [Int64.min, Int64.max, 0, -1].randomElement(using: &g)!
                case 1: Int64.random(in: Int64.min...Int64.max, using: &g)
                default: Int64.random(in: 1...20_000_000, using: &g)
                }
            }
            var w = BinaryWriter()
            DeltaPositions(values).encode(to: &w)
            let back = try w.bytes.withUnsafeBytes { buffer in
                var r = BinaryReader(buffer)
                let read = try DeltaPositions(from: &r)
                try r.expectEnd()
                return read.values
            }
            #expect(back == values)
        }
    }

    /// Version 4 of an assessment reads as the same assessment; version 5 stores a long
    /// history's inputs (close together, ten years of a person's records) in fewer bytes.
    @Test func aVersion4AssessmentReadsAsTheSameAssessment() throws {
        var assessed = EventSamples.premiumAssessed
        assessed.inputPositions = (0..<40).map { 9_000_000 + Int64($0) * 250_000 + Int64($0 % 7) }
        let v4 = EventRegistry.encode(PremiumAssessedV4(assessed))
        let v5 = EventRegistry.encode(KokiEvent.premiumAssessed(assessed))
        #expect(v4.schemaVersion == 4 && v5.schemaVersion == 5)
        for encoded in [v4, v5] {
            let read = try EventRegistry.decode(
                type: encoded.type, version: encoded.schemaVersion, payload: encoded.payload)
            #expect(read == .premiumAssessed(assessed))
        }
        // 40 positions near ten million: 4 bytes each whole, 3 as differences.
        #expect(v4.payload.count - v5.payload.count >= 39)
    }

    @Test func theEncodingIsCompact() {
        // The readable JSON of a nine-installment assessment is several times its stored size.
        let stored = EventRegistry.encode(.premiumAssessed(EventSamples.premiumAssessedV1.upcast())).payload.count
        let json =
            (try? KokiEvent.premiumAssessed(EventSamples.premiumAssessedV1.upcast()).jsonPayload())?.utf8.count ?? 0
        #expect(stored < 100)
        #expect(json > 4 * stored)
    }

    /// Version 3 held the breakdown as the JSON koki's encoder wrote; it reads as the same
    /// figures version 4 stores in binary, and a text that is no breakdown reads as none.
    @Test func aVersion3BreakdownTextReadsAsItsFigures() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var old = EventSamples.premiumAssessedV3
        old.breakdown = String(decoding: try encoder.encode(EventSamples.breakdown), as: UTF8.self)
        let stored = EventRegistry.encode(old)
        let read = try EventRegistry.decode(type: stored.type, version: 3, payload: stored.payload)
        #expect(read == .premiumAssessed(EventSamples.premiumAssessed))
        guard case .premiumAssessed(let upcast) = read else { return }
        #expect(upcast.breakdown == EventSamples.breakdown)
        // Written again today, it is today's version and a fraction of the size.
        let now = EventRegistry.encode(read)
        #expect(now.schemaVersion == PremiumAssessed.schemaVersion)
        #expect(now.payload.count * 2 < stored.payload.count, "now \(now.payload.count), v3 \(stored.payload.count)")
        // koki never wrote a partial breakdown; one reads as none, and the JSON says so.
        let partial = EventSamples.premiumAssessedV3.upcast()
        #expect(partial.breakdown == nil)
        #expect(try KokiEvent.premiumAssessed(partial).jsonPayload().contains(#""breakdown":null"#))
        #expect(try KokiEvent.premiumAssessed(upcast).jsonPayload().contains(#""breakdown":{"calculator":"#))
    }

    /// A stored rate is a non-negative fraction, as the calculator requires: other bytes are a
    /// malformed payload, not a trap.
    @Test func aStoredRateMustBeAFraction() throws {
        for (numerator, denominator) in [(1, 0), (-1, 100), (5, -3)] as [(Int64, Int64)] {
            var writer = BinaryWriter()
            writer.writeInt(numerator)
            writer.writeInt(denominator)
            writer.bytes.withUnsafeBytes { buffer in
                var reader = BinaryReader(buffer)
                #expect(throws: CodecError.self) { try Rate(from: &reader) }
            }
        }
        var writer = BinaryWriter()
        Rate(845, per: 10_000).encode(to: &writer)
        let read = try writer.bytes.withUnsafeBytes { buffer in
            var reader = BinaryReader(buffer)
            return try Rate(from: &reader)
        }
        #expect(read == Rate(845, per: 10_000))
    }

    @Test func jsonRenderingIsReadable() throws {
        let json = try KokiEvent.paymentReceived(EventSamples.paymentReceivedV1.upcast()).jsonPayload()
        #expect(
            json
                == #"{"amount":5750,"channel":"convenienceStore","id":"","learnedOn":"2025-08-29","overpaid":0,"paidOn":"2025-08-29","parts":[{"accountingYear":2025,"amount":5750,"charge":"premium","key":{"fiscalYear":2025,"period":2}}],"person":"100000001","reference":"","slip":{"fiscalYear":2025,"period":2},"slipCharge":"premium"}"#
        )
    }
}

/// What follows from each event's one declaration: its type name, stored form and JSON agree.
@Suite struct DeclaredOnceTests {
    @Test func typeNameAndJSONFollowFromThePayload() throws {
        for (encoded, event) in GoldenTests.samples {
            #expect(event.typeName == encoded.type)
            #expect(EventRegistry.encode(event).type == encoded.type)
            let json = try event.jsonPayload()
            #expect(json.hasPrefix("{") && json.hasSuffix("}"), "\(encoded.type)")
        }
    }

    /// A record's fields are read back in the order they were written, nested records included.
    @Test func aRecordReadsWhatItWrote() throws {
        let part = PaymentReceived.Part(
            key: EventSamples.key(3), charge: .lateFee, amount: Yen(1_200), accountingYear: EventSamples.fy)
        var writer = BinaryWriter()
        part.encode(to: &writer)
        let back = try writer.bytes.withUnsafeBytes { bytes in
            var reader = BinaryReader(bytes)
            let value = try PaymentReceived.Part(from: &reader)
            try reader.expectEnd()
            return value
        }
        #expect(back == part)
    }
}
