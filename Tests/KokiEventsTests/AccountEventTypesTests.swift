import KokiDomain
import KokiEvents
import KokiProjections
import Testing

/// The types an account declares it folds are exactly those of the events it folds: a fold that
/// reads only those types from the store (the arrears facts') sees every event that changes it.
@Suite struct AccountEventTypesTests {
    @Test func theDeclaredTypesAreExactlyTheEventsAnAccountFolds() throws {
        var folded = Set<String>()
        var passed = Set<String>()
        for event in StoredRegisterEntryTests.samples {
            let type = EventRegistry.encode(event).type
            #expect(
                CollectionAccounts.Account.folds(event) == CollectionAccounts.Account.eventTypes.contains(type),
                "\(type)")
            if CollectionAccounts.Account.folds(event) { folded.insert(type) } else { passed.insert(type) }
        }
        // The samples hold most of each side, and every declared type is a registered one.
        #expect(folded.count >= 20 && passed.count >= 20, "\(folded.count) folded, \(passed.count) passed by")
        let registered = Set(EventRegistry.registrations.map(\.type))
        #expect(CollectionAccounts.Account.eventTypes.subtracting(registered).isEmpty)
    }
}
