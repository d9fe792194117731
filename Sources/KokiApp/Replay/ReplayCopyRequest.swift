import KokiDomain
import KokiReadModels
import LedgerStore

/// `replay`: the ledger as it stood at a position or a recorded time, written into a file every
/// query can open read-only, with its read models built as they stood then. Nothing is appended
/// to the ledger; the copy is verified on its own once written.
public struct WriteReplayCopy: KokiRequest {
    public static let name = "replay"
    public static let function: AccessFunction? = .ledgerMaintain
    public static let isQuery = true

    /// The last position, or the moment whose recorded events the copy holds.
    public var until: KnownAt
    /// The new file (checked by the door).
    public var into: String

    public init(until: KnownAt, into: String) {
        self.until = until
        self.into = into
    }

    public struct Written: Sendable, Hashable, Codable {
        public var position: Int64
        public var into: String
        public var events: Int64
        public var verified: Bool
    }

    public func handle(_ scope: RequestScope) throws -> Written {
        let store = scope.ledger.store
        let position: Int64
        switch until {
        case .position(let p): position = p
        case .time(let t): position = try store.position(recordedBy: t)
        }
        guard let copies = scope.ledger.ports.replayCopies else {
            throw KokiError(
                .invalidInput,
                "replay copies are made from a ledger file; copy \(store.location) with `koki migrate --from … --into FILE` first"
            )
        }
        try copies.writeReplayCopy(through: position, to: into) { try catchUpStoredModels($0) }
        let verified = try copies.verifyReplayCopy(at: into)
        return Written(position: position, into: into, events: verified.eventsChecked, verified: verified.isIntact)
    }
}
