import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import Testing

/// A register entry in its stored form: every field survives the round trip, damaged bytes are an
/// error, and the register reads exactly the event types it declares.
@Suite struct StoredRegisterEntryTests {
    static let samples =
        EventSamples.register + EventSamples.collection + EventSamples.arrears + EventSamples.access
        + EventSamples.notices + EventSamples.counter + [.premiumAssessed(EventSamples.premiumAssessed)]

    @Test func everyFieldOfAFoldedEntrySurvivesTheRoundTrip() throws {
        var register = InsuredRegister()
        for event in Self.samples { register.apply(event) }
        let entry = try #require(register.person(EventSamples.person))
        // The samples fill every field a stored entry keeps (a field left at its default would
        // pass the round trip without being written).
        #expect(entry.corrections > 0 && !entry.households.isEmpty && entry.eligibilityFacts.count >= 2)
        #expect(!entry.addressExceptions.isEmpty && entry.formerDependant != nil && !entry.incomeHistory.isEmpty)
        #expect(!entry.formerNumbers.isEmpty && !entry.pension.isEmpty && !entry.provisionalDeduction.isEmpty)
        #expect(!entry.pensionTold.isEmpty && entry.myNumber != nil && entry.erased != nil)
        #expect(!entry.union.isEmpty && !entry.networkInquiries.isEmpty && !entry.mailRecipients.isEmpty)
        let decoded = try InsuredRegister.Person(stored: entry.stored)
        #expect(decoded == entry)
        // The indexes come back with the entries.
        let rebuilt = InsuredRegister(entries: [decoded])
        #expect(rebuilt.person(try PersonID("99"))?.id == entry.id)
        let household = try #require(entry.households.first?.household)
        #expect(
            rebuilt.household(household, on: try CivilDate(iso: "2020-04-02")).map(\.person.id)
                == register.household(household, on: try CivilDate(iso: "2020-04-02")).map(\.person.id))
    }

    @Test func randomFoldsSurviveTheRoundTrip() throws {
        var g = SeededGenerator(seed: 25)
        for _ in 0..<300 {
            var register = InsuredRegister()
            register.apply(.personRegistered(PersonRegistered(person: EventSamples.person, identity: EventSamples.sealed)))
            for _ in 0..<Int.random(in: 0...40, using: &g) {
                register.apply(Self.samples.randomElement(using: &g)!)
            }
            let entry = try #require(register.person(EventSamples.person))
            #expect(try InsuredRegister.Person(stored: entry.stored) == entry)
        }
    }

    @Test func damagedBytesAreAnErrorNeverACrash() throws {
        var register = InsuredRegister()
        for event in EventSamples.register { register.apply(event) }
        let bytes = try #require(register.person(EventSamples.person)).stored
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: (any Error).self) { try InsuredRegister.Person(stored: Array(bytes.prefix(cut))) }
        }
        #expect(throws: (any Error).self) { try InsuredRegister.Person(stored: bytes + [0]) }
    }

    @Test func theEventsOutsideItsTypesNeverChangeTheRegister() throws {
        var register = InsuredRegister()
        for event in EventSamples.register { register.apply(event) }
        var outside = 0
        for event in Self.samples where !InsuredRegister.eventTypes.contains(EventRegistry.encode(event).type) {
            var after = register
            after.apply(event)
            #expect(after == register, "\(EventRegistry.encode(event).type)")
            outside += 1
        }
        #expect(outside > 40)
        // And every declared type is a real event type.
        let known = Set(Self.samples.map { EventRegistry.encode($0).type })
        #expect(InsuredRegister.eventTypes.subtracting(known).isEmpty)
    }
}
