import Foundation
import KokiDomain
import KokiEvents
import LedgerStore

// The ledger as it is stored, for those who inspect it (ledger.inspect): its streams, its head and
// its events. Whose events are shown is recorded before any is.

/// A stream's summary as `streams` shows it.
public struct StreamSummary: Sendable, Hashable, Codable {
    public var stream: String
    public var version: Int64
    public var firstPosition: Int64
    public var lastPosition: Int64
}

/// `streams`: the streams whose names start with `prefix`, with their versions and positions.
public struct ListStreams: KokiRequest {
    public static let name = "streams"
    public static let function: AccessFunction? = .ledgerInspect
    public static let isQuery = true

    public var prefix: String

    public init(prefix: String) { self.prefix = prefix }

    public func handle(_ scope: RequestScope) throws -> [StreamSummary] {
        try scope.ledger.store.streams(prefix: prefix).map {
            StreamSummary(
                stream: $0.stream.value, version: $0.version, firstPosition: $0.firstPosition,
                lastPosition: $0.lastPosition)
        }
    }
}

/// `head`: the ledger's last position and hash, and with `checkpoint` the signed line a city keeps
/// elsewhere (under a key derived from the master key).
public struct ShowHead: KokiRequest {
    public static let name = "head"
    public static let function: AccessFunction? = .ledgerInspect
    public static let isQuery = true

    public var checkpoint: Bool

    public init(checkpoint: Bool) { self.checkpoint = checkpoint }

    public struct Head: Sendable, Hashable, Codable {
        public var ledger: String
        public var position: Int64
        public var hash: String
        /// The signed checkpoint line, when asked for.
        public var checkpoint: String?
    }

    public func handle(_ scope: RequestScope) throws -> Head {
        let store = scope.ledger.store
        let head = try store.head()
        var signed: String?
        if checkpoint {
            guard let master = scope.ledger.masterKey else {
                throw KokiError(.masterKey, "a checkpoint is signed under the master key: give its file")
            }
            signed = Checkpoint(
                ledgerID: store.ledgerID, head: head, at: store.now, key: try master.chainKey(for: store.ledgerID)
            ).description
        }
        return Head(ledger: store.ledgerID.description, position: head.position, hash: head.hash.hex, checkpoint: signed)
    }
}

/// `events`: the events a query selects, with their envelopes. The persons whose streams they are
/// were recorded as read before the listing is handed back; the listing reads the ledger only as
/// the door walks it, so a long ledger is never held in memory.
public struct ListEvents: KokiRequest {
    public static let name = "events"
    public static let function: AccessFunction? = .ledgerInspect
    public static let isQuery = true

    public var stream: String?
    public var streamPrefix: String?
    public var types: [String]
    public var from: Int64
    public var through: Int64?
    /// Recorded times as typed (``recordedTime(_:)``).
    public var recordedFrom: String?
    public var recordedBefore: String?

    public init(
        stream: String?, streamPrefix: String?, types: [String], from: Int64, through: Int64?,
        recordedFrom: String?, recordedBefore: String?
    ) {
        self.stream = stream
        self.streamPrefix = streamPrefix
        self.types = types
        self.from = from
        self.through = through
        self.recordedFrom = recordedFrom
        self.recordedBefore = recordedBefore
    }

    public func handle(_ scope: RequestScope) throws -> EventListing {
        var query = EventQuery()
        query.fromPosition = from
        query.throughPosition = through
        do { query.stream = try stream.map { try StreamName($0) } } catch let error as LedgerError {
            throw KokiError(.invalidInput, "--stream: \(error.message)")
        }
        query.streamPrefix = streamPrefix
        query.types = types.isEmpty ? nil : Set(types)
        query.recordedFrom = try checkedTime(recordedFrom, option: "--recorded-from")
        query.recordedBefore = try checkedTime(recordedBefore, option: "--recorded-before")
        let store = scope.ledger.store
        // Whose events will be shown is recorded first (their streams, without decoding).
        var shown = Set<PersonID>()
        try store.forEachEvent(query) { view in
            if let person = PersonID(streamName: view.stream.value) { shown.insert(person) }
        }
        try scope.recordRead(shown.sorted())
        return EventListing(store: store, query: query)
    }
}

/// One event as `events` lists it: its envelope, and its payload as JSON in today's schema (old
/// versions upcast), or — a type this build does not know — its bytes.
public struct ListedEvent: Sendable, Hashable, Codable {
    public var position: Int64
    public var stream: String
    public var version: Int64
    public var type: String
    public var schemaVersion: Int
    public var recordedAt: String
    public var actor: String
    public var command: String
    public var correlation: String?
    public var causation: String?
    public var compressed: Bool
    /// The chain hash stored with the event, in hex: on each command's last event (which covers the
    /// command and everything before it); `nil` on the command's other events, whose hashes
    /// `verify` computes on the way to it.
    public var hash: String?
    /// The payload as a JSON text (`nil` when not decoded, or of a type this build does not know).
    public var data: String?
    /// The payload's bytes when its type is unknown here.
    public var payloadBase64: String?
}

/// The events a ``ListEvents`` selected, read as they are walked (encoded, an array of
/// ``ListedEvent``); decoded (a client reading a server's answer), the events of that array.
public struct EventListing: Sendable, Codable {
    private enum Source: Sendable {
        case store(any EventStore, EventQuery)
        case listed([ListedEvent])
    }
    private let source: Source

    init(store: any EventStore, query: EventQuery) { source = .store(store, query) }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var events: [ListedEvent] = []
        while !container.isAtEnd { events.append(try container.decode(ListedEvent.self)) }
        source = .listed(events)
    }

    /// Walks the events in position order; with `decoding`, each payload is decoded to JSON.
    public func forEach(decoding: Bool, _ body: (ListedEvent) throws -> Void) throws {
        switch source {
        case .listed(let events):
            for var event in events {
                if !decoding { (event.data, event.payloadBase64) = (nil, nil) }
                try body(event)
            }
        case .store(let store, let query):
            try walk(store, query, decoding: decoding, body)
        }
    }

    private func walk(
        _ store: any EventStore, _ query: EventQuery, decoding: Bool, _ body: (ListedEvent) throws -> Void
    ) throws {
        // Each decoder is stored once and only read after: a closure taken out of a dictionary
        // and put back is wrapped in one more reabstraction thunk each time, and after some
        // 50,000 events the nested thunks overflowed the stack.
        var decoders: [String: EventRegistry.Decoder?] = [:]
        try store.forEachEvent(query) { view in
            var data: String?
            var raw: String?
            if decoding {
                let key = "\(view.type)/\(view.schemaVersion)"
                let decode: EventRegistry.Decoder?
                if let known = decoders[key] {
                    decode = known
                } else {
                    decode = EventRegistry.decoder(type: view.type, version: view.schemaVersion)
                    decoders[key] = .some(decode)
                }
                if let decode {
                    do {
                        data = try decode(view.payload, EventRegistry.streamPerson(view.stream.value)).jsonPayload()
                    } catch {
                        throw KokiError(
                            .undecodableEvent,
                            "event \(view.position) (\(view.type) v\(view.schemaVersion)) cannot be decoded: \(error)")
                    }
                } else {
                    // A type this build does not know: show the bytes rather than hide the event.
                    raw = Data(view.payload).base64EncodedString()
                }
            }
            try body(
                ListedEvent(
                    position: view.position, stream: view.stream.value, version: view.streamVersion, type: view.type,
                    schemaVersion: view.schemaVersion, recordedAt: view.command.recordedAt.description,
                    actor: view.command.actor, command: view.command.commandID.description,
                    correlation: view.command.correlationID?.description,
                    causation: view.command.causationID?.description, compressed: view.compressed,
                    hash: view.hash.isEmpty ? nil : view.hash.hex, data: data, payloadBase64: raw))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try forEach(decoding: true) { try container.encode($0) }
    }
}
