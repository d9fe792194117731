import KokiEvents

/// A read model folded from events: `apply` is pure — no I/O, no clock, no randomness — so
/// replaying the same events always yields the same state.
public protocol Projection: Sendable, Equatable {
    /// Bumped whenever the fold's logic changes, so no snapshot of an older logic is reused.
    static var logicVersion: Int { get }
    init()
    mutating func apply(_ event: KokiEvent)
}

extension Projection {
    /// The state after folding `events` from scratch.
    public static func replaying(_ events: some Sequence<KokiEvent>) -> Self {
        var state = Self()
        for event in events { state.apply(event) }
        return state
    }
}
