import Foundation
/// A command's envelope as stored once for all its events.
public struct CommandEnvelope: Hashable, Sendable {
    public var sequence: Int64
    public var commandID: Identifier
    public var actor: String
    public var recordedAt: Timestamp
    public var correlationID: Identifier?
    public var causationID: Identifier?
    public var firstPosition: Int64
    public var eventCount: Int64

    public init(
        sequence: Int64, commandID: Identifier, actor: String, recordedAt: Timestamp, correlationID: Identifier?,
        causationID: Identifier?, firstPosition: Int64, eventCount: Int64
    ) {
        self.sequence = sequence
        self.commandID = commandID
        self.actor = actor
        self.recordedAt = recordedAt
        self.correlationID = correlationID
        self.causationID = causationID
        self.firstPosition = firstPosition
        self.eventCount = eventCount
    }

    /// The envelope of a scan that did not read envelopes (``EventQuery/readsEnvelopes``):
    /// the sequence only; the id is all zeros, the actor empty, the time zero.
    public static func unread(sequence: Int64) -> CommandEnvelope {
        CommandEnvelope(
            sequence: sequence, commandID: unreadID, actor: "", recordedAt: Timestamp(microseconds: 0),
            correlationID: nil, causationID: nil, firstPosition: 0, eventCount: 0)
    }

    private static let unreadID = Identifier(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
}

/// One event during a scan, without copying its payload.
///
/// ``payload`` points into SQLite's row (or the scan's decompression buffer) and is valid only
/// inside the closure that received the view; use ``recorded()`` to keep a copy.
public struct EventView {
    public let position: Int64
    public let stream: StreamName
    public let streamVersion: Int64
    public let type: String
    public let schemaVersion: Int
    public let command: CommandEnvelope
    public let compressed: Bool
    /// The payload as appended (decompressed).
    public let payload: UnsafeRawBufferPointer
    public let hash: UnsafeRawBufferPointer
    /// The store's own number for the stream (a SQLite ledger's stream id), the same for every
    /// event of the stream, or `nil` where the store gives none: for a scan that looks its
    /// streams up by a small integer rather than by name. Never to be kept or compared across
    /// stores.
    public let streamNumber: Int64?

    public init(
        position: Int64, stream: StreamName, streamVersion: Int64, type: String, schemaVersion: Int,
        command: CommandEnvelope, compressed: Bool, payload: UnsafeRawBufferPointer, hash: UnsafeRawBufferPointer,
        streamNumber: Int64? = nil
    ) {
        self.streamNumber = streamNumber
        self.position = position
        self.stream = stream
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.command = command
        self.compressed = compressed
        self.payload = payload
        self.hash = hash
    }

    /// A copy that outlives the scan.
    public func recorded() -> RecordedEvent {
        RecordedEvent(
            position: position, stream: stream, streamVersion: streamVersion, type: type,
            schemaVersion: schemaVersion, recordedAt: command.recordedAt, actor: command.actor,
            commandID: command.commandID, correlationID: command.correlationID, causationID: command.causationID,
            payload: Array(payload), compressed: compressed, hash: Array(hash))
    }
}
