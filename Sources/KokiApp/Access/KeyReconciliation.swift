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
        // Only who was registered and who was erased matter, so only those two types are read, and
        // what is held is one flag a person, however long the history (as the register's fold
        // does, a new registration starts the person again).
        var query = EventQuery()
        query.types = [PersonRegistered.eventType, PersonErased.eventType]
        var erased: [PersonID: Bool] = [:]
        try ledger.forEachEvent(query) { _, event in
            switch event {
            case .personRegistered(let e): erased[e.person] = false
            case .personErased(let e): if erased[e.person] != nil { erased[e.person] = true }
            default: break
            }
        }
        let keys = try ledger.ports.keys.allSubjectKeys()
        var found: [Problem] = []
        for (person, isErased) in erased.sorted(by: { $0.key < $1.key }) {
            let key = keys["person/\(person.value)"]
            if !isErased {
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
