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

/// The names a scan's events refer to, by the store's numbers for them (a SQLite ledger's stream
/// and type ids), held for the length of the scan: its ``EventView``s point here rather than
/// each holding its stream's name and its type, which took a retain and a release of both
/// strings for every event — a fifth of a rebuild's scanning thread on 2026-12-07.
///
/// A store without numbers for its names (a PostgreSQL ledger) names each event's stream and
/// type here as it delivers the event (``current(stream:type:)``).
public final class EventNames {
    @usableFromInline var streams = StreamNumbered<StreamName>()
    @usableFromInline var types = StreamNumbered<String>()
    /// The envelope of the command whose events are being delivered, where the scan reads
    /// envelopes.
    @usableFromInline var command = CommandEnvelope.unread(sequence: 0)

    public init() {}

    /// The stream's name known by `number` in this scan, if named yet.
    @inlinable public func stream(_ number: Int64) -> StreamName? { streams[number] }

    /// The type's name known by `number` in this scan, if named yet.
    @inlinable public func type(_ number: Int64) -> String? { types[number] }

    /// Names stream `number` for the rest of the scan.
    @inlinable public func name(stream number: Int64, _ name: StreamName) { streams[number] = name }

    /// Names type `number` for the rest of the scan.
    @inlinable public func name(type number: Int64, _ name: String) { types[number] = name }

    /// Names the stream and type of the event about to be delivered, for a store without numbers
    /// for them: the view's numbers are then 0 (see ``EventView/streamNumber``).
    public func current(stream: StreamName, type: String) {
        streams[0] = stream
        types[0] = type
    }

    /// The envelope of the events about to be delivered, where the scan reads envelopes.
    public func current(command: CommandEnvelope) { self.command = command }
}

/// One event during a scan, without copying its payload or retaining anything.
///
/// ``payload`` points into SQLite's row (or the scan's decompression buffer) and is valid only
/// inside the closure that received the view, as are its stream's name and its type (held by the
/// scan's ``EventNames``); use ``recorded()`` to keep a copy.
public struct EventView {
    public let position: Int64
    public let streamVersion: Int64
    public let schemaVersion: Int
    public let compressed: Bool
    /// The payload as appended (decompressed).
    public let payload: UnsafeRawBufferPointer
    public let hash: UnsafeRawBufferPointer
    /// The scan's names, which outlive every view it delivers (not retained: a view never leaves
    /// the closure it was given to).
    @usableFromInline unowned(unsafe) let names: EventNames
    @usableFromInline let streamKey: Int64
    @usableFromInline let typeKey: Int64
    @usableFromInline let numbered: Bool
    @usableFromInline let sequence: Int64
    @usableFromInline let readsEnvelope: Bool

    /// A view of an event whose stream and type `names` holds by `streamKey` and `typeKey`
    /// (`numbered`: the store's own numbers, the same for every event of that stream or type in
    /// every scan of the store; else 0 and 0, named by ``EventNames/current(stream:type:)``), of
    /// command `sequence` (its envelope in `names` when `readsEnvelope`).
    public init(
        position: Int64, streamVersion: Int64, schemaVersion: Int, compressed: Bool, payload: UnsafeRawBufferPointer,
        hash: UnsafeRawBufferPointer, names: EventNames, streamKey: Int64, typeKey: Int64, numbered: Bool,
        sequence: Int64, readsEnvelope: Bool
    ) {
        self.position = position
        self.streamVersion = streamVersion
        self.schemaVersion = schemaVersion
        self.compressed = compressed
        self.payload = payload
        self.hash = hash
        self.names = names
        self.streamKey = streamKey
        self.typeKey = typeKey
        self.numbered = numbered
        self.sequence = sequence
        self.readsEnvelope = readsEnvelope
    }

    @inlinable public var stream: StreamName { names.streams[streamKey]! }

    @inlinable public var type: String { names.types[typeKey]! }

    /// The command's envelope; without ``EventQuery/readsEnvelopes``, its sequence only
    /// (``CommandEnvelope/unread(sequence:)``).
    @inlinable public var command: CommandEnvelope {
        readsEnvelope ? names.command : .unread(sequence: sequence)
    }

    /// The store's own number for the stream (a SQLite ledger's stream id), the same for every
    /// event of the stream, or `nil` where the store gives none: for a scan that looks its
    /// streams up by a small integer rather than by name. Never to be kept or compared across
    /// stores.
    @inlinable public var streamNumber: Int64? { numbered ? streamKey : nil }

    /// The store's own number for the type (a SQLite ledger's type id), the same for every event
    /// of the type in every scan of the store, or `nil` where the store gives none: for telling
    /// types apart without comparing their names. Never to be kept or compared across stores.
    @inlinable public var typeNumber: Int64? { numbered ? typeKey : nil }

    /// A copy that outlives the scan.
    public func recorded() -> RecordedEvent {
        let command = self.command
        return RecordedEvent(
            position: position, stream: stream, streamVersion: streamVersion, type: type,
            schemaVersion: schemaVersion, recordedAt: command.recordedAt, actor: command.actor,
            commandID: command.commandID, correlationID: command.correlationID, causationID: command.causationID,
            payload: Array(payload), compressed: compressed, hash: Array(hash))
    }
}
