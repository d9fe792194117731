import KokiDomain
import KokiEvents
import LedgerStore

/// koki's events as a store holds them, decoded (and upcast) to today's schema on the way back.
/// Events of types koki does not know (another domain's, in a shared store) are an error naming
/// the position.
public enum StoredEvents {
    /// Calls `body` with each selected event of `store`, decoded.
    public static func forEach(
        in store: any EventStore, _ query: EventQuery, _ body: (borrowing EventView, KokiEvent) throws -> Void
    ) throws {
        var decoders = DecoderCache()
        try store.forEachEvent(query) { view in try body(view, try decoders.decode(view)) }
    }

    /// Calls `body` with the events of `store` at `positions`, decoded, in position order.
    public static func forEach(
        in store: any EventStore, at positions: [Int64], _ body: (borrowing EventView, KokiEvent) throws -> Void
    ) throws {
        var decoders = DecoderCache()
        try store.forEachEvent(at: positions, readsEnvelopes: false) { view in
            try body(view, try decoders.decode(view))
        }
    }

    /// Calls `body` with the events of several streams of `store` through a position, decoded,
    /// stream after stream (``EventStore/forEachEvent(inStreams:through:_:)``). With `types`,
    /// only events of those types: the others are passed over undecoded.
    public static func forEach(
        in store: any EventStore, inStreams streams: [StreamName], through: Int64, types: Set<String>? = nil,
        _ body: (borrowing EventView, KokiEvent) throws -> Void
    ) throws {
        var decoders = DecoderCache()
        try store.forEachEvent(inStreams: streams, through: through) { view in
            if let types, !types.contains(view.type) { return }
            try body(view, try decoders.decode(view))
        }
    }

    /// The same inside a transaction on the derived tables.
    public static func forEach(
        in transaction: any ReadModelTransaction, _ query: EventQuery,
        _ body: (borrowing EventView, KokiEvent) throws -> Void
    ) throws {
        var decoders = DecoderCache()
        try transaction.forEachEvent(query) { view in try body(view, try decoders.decode(view)) }
    }
}

/// Looks up a decoder once per `(type, version)` rather than once per event.
struct DecoderCache {
    private var last: (type: String, version: Int, decode: EventRegistry.Decoder)?
    private var all: [String: [Int: EventRegistry.Decoder]] = [:]
    /// The last stream's person (``EventRegistry/streamPerson(_:)``): a stream's events are
    /// often read together.
    private var stream: (name: String, person: PersonID?) = ("", nil)

    /// The last decoder by the store's numbers for the type and the stream (where it gives them):
    /// found again without comparing or retaining a name.
    private var lastByNumber: (type: Int64, version: Int, decode: EventRegistry.Decoder)?
    private var streamNumber: Int64?

    /// The event a row holds, decoded (and upcast) to today's schema.
    mutating func decode(_ view: borrowing EventView) throws -> KokiEvent {
        let decode: EventRegistry.Decoder
        if let number = view.typeNumber, let last = lastByNumber, last.type == number,
            last.version == view.schemaVersion
        {
            decode = last.decode
        } else {
            decode = try decoder(type: view.type, version: view.schemaVersion, position: view.position)
            let version = view.schemaVersion
            lastByNumber = view.typeNumber.map { ($0, version, decode) }
        }
        if let number = view.streamNumber {
            if number != streamNumber {
                let name = view.stream.value
                stream = (name, EventRegistry.streamPerson(name))
                streamNumber = number
            }
        } else if view.stream.value != stream.name {
            stream = (view.stream.value, EventRegistry.streamPerson(view.stream.value))
            streamNumber = nil
        }
        do {
            return try decode(view.payload, stream.person)
        } catch {
            throw KokiError(.undecodableEvent, "event \(view.position) (\(view.type) v\(view.schemaVersion)): \(error)")
        }
    }

    mutating func decoder(type: String, version: Int, position: Int64) throws -> EventRegistry.Decoder {
        if let last, last.version == version, last.type == type { return last.decode }
        if let known = all[type]?[version] {
            last = (type, version, known)
            return known
        }
        guard let decode = EventRegistry.decoder(type: type, version: version) else {
            throw KokiError(
                .undecodableEvent, "event \(position) has type \(type) v\(version), which this koki does not know")
        }
        all[type, default: [:]][version] = decode
        last = (type, version, decode)
        return decode
    }
}
