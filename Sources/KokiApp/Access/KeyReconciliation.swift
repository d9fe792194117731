import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// Reconciles the key table with the events. The key table is state beside the chain, so a row
/// deleted with a bare `DELETE FROM koki_subject_keys …` leaves every hash intact while the person
/// silently reads as "identity erased". Here the events decide what the table must hold:
///
/// - a person with identity data (a `PersonRegistered` event) has a key, unless a `PersonErased`
///   event records their erasure;
/// - a key erased to its tombstone belongs to a person whose `PersonErased` event exists.
///
/// A key left beside a `PersonErased` event is an erasure a crash interrupted (the event is
/// recorded first); `erase` finishes it, so it is not reported here.
public struct KeyReconciliation: Sendable {
    public let ledger: KokiLedger

    public init(_ ledger: KokiLedger) { self.ledger = ledger }

    public struct Problem: Sendable, Hashable {
        public var person: PersonID
        public var position: Int64?
        public var message: String
    }

    /// Every person whose key disagrees with the events, in person order.
    public func problems() throws -> [Problem] {
        // The register's events themselves (not its stored read model): this check audits the store.
        var query = EventQuery()
        query.types = InsuredRegister.eventTypes
        var register = InsuredRegister()
        try ledger.forEachEvent(query) { _, event in register.apply(event) }
        let keys = try ledger.ports.keys.allSubjectKeys()
        var found: [Problem] = []
        for (person, entry) in register.persons.sorted(by: { $0.key < $1.key }) {
            let key = keys["person/\(person.value)"]
            if entry.erased == nil {
                if key == nil {
                    found.append(
                        Problem(
                            person: person, position: nil,
                            message:
                                "person \(person) has identity data but no key, and no PersonErased event records an erasure: their key row was deleted outside koki (restore it from a backup of the key table)"
                        ))
                } else if key == IdentityVault.tombstone {
                    found.append(
                        Problem(
                            person: person, position: nil,
                            message:
                                "person \(person)'s key is erased (a tombstone), but no PersonErased event records an erasure: it was erased outside koki"
                        ))
                }
            }
        }
        return found
    }

    /// The first disagreement, or `nil` when the table and the events agree.
    public func firstProblem() throws -> Problem? { try problems().first }
}
