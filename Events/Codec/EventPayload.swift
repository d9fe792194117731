/// One kind of event, at one schema version, with its stable type name and binary layout.
///
/// The type name and version are stored with every event; together they pick the decoder in
/// ``EventRegistry``. A payload's layout never changes once events of its version are stored:
/// a change is a new version, and the old version's decoder upcasts to the new one.
public protocol EventPayload: BinaryRecord, Hashable, Codable {
    /// The stable type name stored in the ledger (`PremiumAssessed`).
    static var eventType: String { get }
    /// The schema version of this layout.
    static var schemaVersion: Int { get }
}

/// What is done with an event's payload at its concrete type (``KokiEvent/visit(_:)``): encoding
/// it, rendering it, naming it, with no existential box.
public protocol PayloadVisitor {
    associatedtype Result
    func visit<P: EventPayload>(_ payload: P) -> Result
}
