/// Which events to read, in position order (or stream-version order for one stream, which is
/// the same order).
///
/// ```swift
/// var query = EventQuery()
/// query.throughPosition = 1_000       // the ledger as it stood at position 1000
/// query.types = ["PaymentReceived"]
/// ```
public struct EventQuery: Hashable, Sendable {
    /// The first position to read (inclusive).
    public var fromPosition: Int64 = 1
    /// The last position to read (inclusive); `nil` reads to the head. Reading up to a position
    /// reconstructs what the ledger said when that position was its head.
    public var throughPosition: Int64?
    /// Only this stream's events.
    public var stream: StreamName?
    /// With ``stream``: the first stream version to read.
    public var fromStreamVersion: Int64 = 1
    /// Only streams whose names start with this prefix (`person/`).
    public var streamPrefix: String?
    /// Only these event types.
    public var types: Set<String>?
    /// Only events recorded at or after this moment.
    public var recordedFrom: Timestamp?
    /// Only events recorded before this moment.
    public var recordedBefore: Timestamp?
    /// Whether each view carries its command's envelope (who recorded it, when, under which
    /// ids). A fold that needs none of that sets this to `false`: the views then carry only the
    /// command's sequence (``CommandEnvelope/unread(sequence:)``), and a scan that hops between
    /// commands at every event — one person's stream — runs about a third faster.
    public var readsEnvelopes = true
    /// With ``types`` and no ``stream``: read the whole table in position order and pass over
    /// the other types, rather than go through the index by type (a lookup per event). The
    /// short way when the types are much of the ledger — a rebuild's pass; the index is the
    /// short way for a few. The events selected are the same either way.
    public var scansForTypes = false

    public init() {}

    /// One stream, from a version on.
    public static func stream(_ stream: StreamName, fromVersion: Int64 = 1) -> EventQuery {
        var query = EventQuery()
        query.stream = stream
        query.fromStreamVersion = fromVersion
        return query
    }

    /// Everything from a position on.
    public static func from(position: Int64) -> EventQuery {
        var query = EventQuery()
        query.fromPosition = position
        return query
    }

    /// Everything up to and including a position: the ledger as it stood then.
    public static func through(position: Int64) -> EventQuery {
        var query = EventQuery()
        query.throughPosition = position
        return query
    }
}
