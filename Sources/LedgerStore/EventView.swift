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

/// The names a scan's events refer to, held for the length of the scan: its ``EventView``s point
/// here rather than each holding its stream's name and its type, which took a retain and a release
/// of both strings for every event — a fifth of a rebuild's scanning thread on 2026-12-07.
///
/// A name is held once and reached through the ``Slot`` holding it gave. A store that numbers its
/// streams and types (a ledger file) holds each name the first time its scan meets the number;
/// one without (a PostgreSQL ledger) holds each event's names as it delivers the event
/// (``current(stream:type:)``).
public final class EventNames {
    /// Where a held name is. Only holding a name makes one, and the names are never dropped during
    /// a scan, so a slot always finds its name in the ``EventNames`` that made it.
    public struct Slot: Sendable {
        @usableFromInline let index: Int32
        fileprivate init(_ index: Int) { self.index = Int32(truncatingIfNeeded: index) }
    }

    @usableFromInline var streams: [StreamName] = []
    @usableFromInline var types: [String] = []
    /// The envelope of the command whose events are being delivered, where the scan reads
    /// envelopes.
    @usableFromInline var command = CommandEnvelope.unread(sequence: 0)

    package init() {}

    /// Holds a stream's name for the rest of the scan.
    package func hold(stream name: StreamName) -> Slot {
        streams.append(name)
        return Slot(streams.count - 1)
    }

    /// Holds a type's name for the rest of the scan.
    package func hold(type name: String) -> Slot {
        types.append(name)
        return Slot(types.count - 1)
    }

    /// Holds the stream and type of the event about to be delivered, in place of the last event's,
    /// for a store without numbers for them.
    package func current(stream: StreamName, type: String) -> (stream: Slot, type: Slot) {
        if streams.isEmpty { streams.append(stream) } else { streams[0] = stream }
        if types.isEmpty { types.append(type) } else { types[0] = type }
        return (Slot(0), Slot(0))
    }

    /// The envelope of the events about to be delivered, where the scan reads envelopes.
    package func current(command: CommandEnvelope) { self.command = command }
}

/// One event during a scan, without copying its payload or retaining anything.
///
/// ``payload`` points into SQLite's row (or the scan's decompression buffer) and is valid only
/// inside the closure that received the view, as are its stream's name and its type (held by the
/// scan's ``EventNames``); use ``recorded()`` to keep a copy. Only the stores' scans make views.
public struct EventView {
    public let position: Int64
    public let streamVersion: Int64
    public let schemaVersion: Int
    /// The payload as appended (decompressed).
    public let payload: UnsafeRawBufferPointer
    public let hash: UnsafeRawBufferPointer
    /// The scan's names, which outlive every view it delivers (not retained: a view never leaves
    /// the closure it was given to).
    @usableFromInline unowned(unsafe) let names: EventNames
    @usableFromInline let streamKey: Int64
    @usableFromInline let typeKey: Int64
    @usableFromInline let sequence: Int64
    @usableFromInline let streamSlot: EventNames.Slot
    @usableFromInline let typeSlot: EventNames.Slot
    public let compressed: Bool
    @usableFromInline let numbered: Bool
    @usableFromInline let readsEnvelope: Bool

    /// A view of an event whose stream and type `names` holds in `streamSlot` and `typeSlot`, with
    /// the store's numbers for them (both, or neither where the store has none), of command
    /// `sequence` (its envelope in `names` when `readsEnvelope`).
    package init(
        position: Int64, streamVersion: Int64, schemaVersion: Int, compressed: Bool, payload: UnsafeRawBufferPointer,
        hash: UnsafeRawBufferPointer, streamNumber: Int64?, typeNumber: Int64?, names: EventNames,
        streamSlot: EventNames.Slot, typeSlot: EventNames.Slot, sequence: Int64, readsEnvelope: Bool
    ) {
        self.position = position
        self.streamVersion = streamVersion
        self.schemaVersion = schemaVersion
        self.compressed = compressed
        self.payload = payload
        self.hash = hash
        (streamKey, typeKey, numbered) = (streamNumber ?? 0, typeNumber ?? 0, streamNumber != nil && typeNumber != nil)
        self.names = names
        self.streamSlot = streamSlot
        self.typeSlot = typeSlot
        self.sequence = sequence
        self.readsEnvelope = readsEnvelope
    }

    @inlinable public var stream: StreamName { names.streams[Int(streamSlot.index)] }

    @inlinable public var type: String { names.types[Int(typeSlot.index)] }

    /// The store's own number for the stream (a SQLite ledger's stream id), the same for every
    /// event of the stream, or `nil` where the store gives none: for a scan that looks its
    /// streams up by a small integer rather than by name. Never to be kept or compared across
    /// stores.
    @inlinable public var streamNumber: Int64? { numbered ? streamKey : nil }

    /// The store's own number for the type (a SQLite ledger's type id), the same for every event
    /// of the type in every scan of the store, or `nil` where the store gives none: for telling
    /// types apart without comparing their names. Never to be kept or compared across stores.
    @inlinable public var typeNumber: Int64? { numbered ? typeKey : nil }

    /// The command's envelope; without ``EventQuery/readsEnvelopes``, its sequence only
    /// (``CommandEnvelope/unread(sequence:)``).
    @inlinable public var command: CommandEnvelope {
        readsEnvelope ? names.command : .unread(sequence: sequence)
    }

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
