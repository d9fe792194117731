/// One event as a command hands it to the store: type name, schema version and payload bytes.
/// The store never looks inside the payload.
public struct NewEvent: Hashable, Sendable {
    public var type: String
    public var schemaVersion: Int
    public var payload: [UInt8]

    public init(type: String, schemaVersion: Int, payload: [UInt8]) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
    }
}

/// The events one command appends to one stream, with the version it expects the stream at.
public struct StreamAppend: Hashable, Sendable {
    public var stream: StreamName
    public var expectedVersion: ExpectedVersion
    public var events: [NewEvent]

    public init(stream: StreamName, expectedVersion: ExpectedVersion, events: [NewEvent]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
    }
}

/// Everything one command appends: all of it lands in one transaction, or none of it.
public struct AppendRequest: Hashable, Sendable {
    /// Identifies the command; a repeated id returns the first result and appends nothing.
    public var commandID: Identifier
    /// The operator (or batch job) on whose authority the command runs.
    public var actor: String
    /// Groups the commands of one piece of work (a file import, a dunning run).
    public var correlationID: Identifier?
    /// The command or event that caused this one, if any.
    public var causationID: Identifier?
    /// Streams in the order their events take positions.
    public var streams: [StreamAppend]

    public init(
        commandID: Identifier, actor: String, correlationID: Identifier? = nil, causationID: Identifier? = nil,
        streams: [StreamAppend]
    ) {
        self.commandID = commandID
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.streams = streams
    }

    /// A request that appends to a single stream.
    public init(
        commandID: Identifier, actor: String, stream: StreamName, expectedVersion: ExpectedVersion,
        events: [NewEvent], correlationID: Identifier? = nil, causationID: Identifier? = nil
    ) {
        self.init(
            commandID: commandID, actor: actor, correlationID: correlationID, causationID: causationID,
            streams: [StreamAppend(stream: stream, expectedVersion: expectedVersion, events: events)])
    }

    public var eventCount: Int { streams.reduce(0) { $0 + $1.events.count } }
}

/// Where one appended event landed.
public struct AppendedEvent: Hashable, Sendable {
    public var position: Int64
    public var stream: StreamName
    public var streamVersion: Int64

    public init(position: Int64, stream: StreamName, streamVersion: Int64) {
        self.position = position
        self.stream = stream
        self.streamVersion = streamVersion
    }
}

/// What an append produced. For a repeated command id this is the original result, with
/// ``wasDuplicate`` set and nothing appended.
public struct AppendResult: Hashable, Sendable {
    public var commandID: Identifier
    public var recordedAt: Timestamp
    public var events: [AppendedEvent]
    public var wasDuplicate: Bool

    public init(commandID: Identifier, recordedAt: Timestamp, events: [AppendedEvent], wasDuplicate: Bool) {
        self.commandID = commandID
        self.recordedAt = recordedAt
        self.events = events
        self.wasDuplicate = wasDuplicate
    }

    public var positions: ClosedRange<Int64>? {
        guard let first = events.first, let last = events.last else { return nil }
        return first.position...last.position
    }
}

/// A stored event with its envelope, as read back.
public struct RecordedEvent: Hashable, Sendable {
    public var position: Int64
    public var stream: StreamName
    public var streamVersion: Int64
    public var type: String
    public var schemaVersion: Int
    public var recordedAt: Timestamp
    public var actor: String
    public var commandID: Identifier
    public var correlationID: Identifier?
    public var causationID: Identifier?
    /// The payload as the command gave it (decompressed).
    public var payload: [UInt8]
    /// Whether the stored bytes are LZ4-compressed.
    public var compressed: Bool
    /// SHA-256 over the previous event's hash and this row's stored bytes.
    public var hash: [UInt8]
}

/// The last event of the ledger: its position and hash (position 0 and the genesis hash when
/// the ledger is empty). Quoting a head pins what the ledger said at that moment.
public struct LedgerHead: Hashable, Sendable {
    public var position: Int64
    public var hash: [UInt8]

    public init(position: Int64, hash: [UInt8]) {
        self.position = position
        self.hash = hash
    }
}

/// A stream's summary.
public struct StreamInfo: Hashable, Sendable {
    public var stream: StreamName
    public var version: Int64
    public var firstPosition: Int64
    public var lastPosition: Int64

    public init(stream: StreamName, version: Int64, firstPosition: Int64, lastPosition: Int64) {
        self.stream = stream
        self.version = version
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
    }
}
