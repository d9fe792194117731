import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore
import Synchronization

/// koki's events on the generic store: encodes ``KokiEvent`` values into the right streams,
/// and decodes (and upcasts) them on the way back.
///
/// ```swift
/// let ledger = KokiLedger(try Ledger.open(at: "koki.ledger"))
/// try ledger.record([.paymentReceived(payment)], metadata: CommandMetadata(actor: "op-001"))
/// let balances = try ledger.replay(PremiumBalances.self)
/// ```
public struct KokiLedger: Sendable {
    /// The ledger's ports: its events, and the state kept beside them (keys, credentials,
    /// sessions, read models), each asked for by what it is.
    public let ports: LedgerPorts
    /// The events.
    public var store: any EventStore { ports.events }
    /// The city's read models, kept up to date incrementally: each use folds only the events
    /// appended since the last (by this process or any other), never the whole history again.
    let city: CityCache
    /// The key that wraps each person's key (``MasterKey``); `nil` stores keys unwrapped.
    public let masterKey: MasterKey?
    /// The application being confirmed while its change runs (see ``confirming(_:)``).
    let confirmation: ApplicationScope?

    /// A ledger on a store's ports (``Ledger``, `PostgresLedger`, or ``LedgerPorts`` put together).
    public init(_ storage: some LedgerStorage, masterKey: MasterKey? = nil) {
        self.ports = storage.ports
        self.masterKey = masterKey
        city = CityCache()
        confirmation = nil
    }

    private init(_ other: KokiLedger, confirmation: ApplicationScope) {
        ports = other.ports
        masterKey = other.masterKey
        city = other.city
        self.confirmation = confirmation
    }

    /// This ledger while a confirmed application's change runs: the first append of a change
    /// also records the application's confirmation (one command, all or nothing).
    func confirming(_ scope: ApplicationScope) -> KokiLedger { KokiLedger(self, confirmation: scope) }

    /// Whether this process has folded the city already (so catching it up costs only what was
    /// appended since).
    public var hasCurrentCity: Bool { city.state.withLock { $0.position > 0 } }

    /// The whole city as the ledger stands now: the cached fold caught up to the head.
    @_spi(Batch) public func currentCity() throws -> CitySnapshot { try withCurrentCity { $0 } }

    /// Reads the city as the ledger stands now without copying it: `body` runs on the cached
    /// fold, caught up to the head, and must not use this ledger's city itself.
    @_spi(Batch) public func withCurrentCity<T>(_ body: (CitySnapshot) throws -> T) throws -> T {
        try city.state.withLock { (city: inout CitySnapshot) throws -> T in
            var query = EventQuery()
            query.fromPosition = city.position + 1
            try forEachEvent(query) { view, event in
                city.apply(event, position: view.position, stream: view.stream.value, version: view.streamVersion)
            }
            return try body(city)
        }
    }

    /// The arrears settings in force now (the stream `config/arrears`): only what that stream
    /// gained since the last call is read and decoded.
    @_spi(Batch) public func currentArrearsSettings() throws -> ArrearsSettings? {
        try city.settings.withLock {
            (cached: inout (version: Int64, settings: ArrearsSettings?)) throws -> ArrearsSettings? in
            let query = EventQuery.stream(
                try StreamName(ArrearsSettingsAdopted.streamName), fromVersion: cached.version + 1)
            try forEachEvent(query) { view, event in
                cached.version = view.streamVersion
                if case .arrearsSettingsAdopted(let e) = event { cached.settings = e.settings }
            }
            return cached.settings
        }
    }

    /// Appends one command's events atomically, each to its stream — the person's account, or
    /// a configuration or run stream — in the order the streams first appear. `expecting` gives
    /// a person's stream's expected version, `expectingStreams` any other stream's; the rest
    /// take `.any`. On a ledger ``confirming(_:)`` an application, the first append of a change
    /// also records the application's confirmation.
    @discardableResult
    @_spi(Batch) public func record(
        _ events: [KokiEvent], metadata: CommandMetadata, expecting: [PersonID: ExpectedVersion] = [:],
        expectingStreams: [String: ExpectedVersion] = [:]
    ) throws -> AppendResult {
        var (events, metadata, streams) = (events, metadata, expectingStreams)
        confirmation?.attach(&events, &metadata, &streams)
        return try store.append(
            Self.request(events, metadata: metadata, expecting: expecting, expectingStreams: streams))
    }

    /// Appends like ``record(_:metadata:expecting:)`` and returns the events as stored: the
    /// given ones, or — when the command id was seen before — the events that command appended
    /// then, so a repeated command answers with its original result.
    @_spi(Batch) public func recordReturningStored(
        _ events: [KokiEvent], metadata: CommandMetadata, expecting: [PersonID: ExpectedVersion] = [:]
    ) throws -> (events: [KokiEvent], result: AppendResult) {
        let result = try record(events, metadata: metadata, expecting: expecting)
        guard result.wasDuplicate, let range = result.positions else { return (events, result) }
        var stored: [KokiEvent] = []
        var query = EventQuery.from(position: range.lowerBound)
        query.throughPosition = range.upperBound
        try forEachEvent(query) { _, event in stored.append(event) }
        return (stored, result)
    }

    /// The store request for a command's events (exposed for benchmarks and batch imports).
    @_spi(Batch) public static func request(
        _ events: [KokiEvent], metadata: CommandMetadata, expecting: [PersonID: ExpectedVersion] = [:],
        expectingStreams: [String: ExpectedVersion] = [:]
    ) throws -> AppendRequest {
        var order: [String] = []
        var grouped: [String: [NewEvent]] = [:]
        var expected = expectingStreams
        for (person, version) in expecting { expected[person.streamName] = version }
        for event in events {
            let stream = event.streamName
            let encoded = EventRegistry.encode(event)
            // Money arithmetic saturates instead of trapping, and the writer notes any value its
            // reader would refuse: such an event is refused here, before anything is appended,
            // rather than stored in a form no one could read back.
            if let refusal = encoded.refusal {
                throw KokiError(.invalidInput, "\(encoded.type) for \(stream) cannot be recorded: \(refusal); nothing was appended")
            }
            if grouped[stream] == nil { order.append(stream) }
            grouped[stream, default: []].append(
                NewEvent(type: encoded.type, schemaVersion: encoded.schemaVersion, payload: encoded.payload))
        }
        let streams = try order.map { stream in
            StreamAppend(
                stream: try StreamName(stream), expectedVersion: expected[stream] ?? .any, events: grouped[stream]!)
        }
        return AppendRequest(
            commandID: metadata.commandID, actor: metadata.actor, correlationID: metadata.correlationID,
            causationID: metadata.causationID, streams: streams)
    }

    /// Calls `body` with each selected event decoded to today's schema. Events of types koki
    /// does not know (another domain's, in a shared store) are an error naming the position.
    @_spi(Batch) public func forEachEvent(
        _ query: EventQuery = EventQuery(), _ body: (borrowing EventView, KokiEvent) throws -> Void
    ) throws {
        try StoredEvents.forEach(in: store, query, body)
    }

    /// ``forEachEvent(_:_:)`` inside a transaction on the derived tables.
    @_spi(Batch) public static func forEachEvent(
        in transaction: any ReadModelTransaction, _ query: EventQuery,
        _ body: (borrowing EventView, KokiEvent) throws -> Void
    ) throws {
        try StoredEvents.forEach(in: transaction, query, body)
    }

    /// Folds a projection from the ledger: from scratch, or as the ledger stood at a position.
    @_spi(Batch) public func replay<P: Projection>(_ projection: P.Type, through position: Int64? = nil) throws -> P {
        var state = P()
        var query = EventQuery()
        query.throughPosition = position
        try forEachEvent(query) { _, event in state.apply(event) }
        return state
    }
}

/// One process's incrementally maintained city (see ``KokiLedger/currentCity()``).
final class CityCache: Sendable {
    let state = Mutex(CitySnapshot())
    /// The arrears settings in force and the version of `config/arrears` they reflect: loading
    /// a person asks for them every time, so they are decoded once, not per load.
    let settings = Mutex((version: Int64(0), settings: ArrearsSettings?.none))
}

/// "What the ledger knew": up to a position, or up to a moment of recorded time.
public enum KnownAt: Sendable, Hashable, CustomStringConvertible {
    case position(Int64)
    case time(Timestamp)

    /// Limits a query to what was recorded by then.
    public func limit(_ query: inout EventQuery) {
        switch self {
        case .position(let p): query.throughPosition = min(query.throughPosition ?? p, p)
        case .time(let t): query.recordedBefore = Timestamp(microseconds: t.microseconds + 1)
        }
    }

    public var description: String {
        switch self {
        case .position(let p): "position \(p)"
        case .time(let t): "\(t)"
        }
    }
}

extension StoredBalances {
    /// The stored balances of a ledger.
    public init(_ ledger: KokiLedger, snapshotInterval: Int64 = Self.defaultSnapshotInterval) {
        self.init(ledger.ports, snapshotInterval: snapshotInterval)
    }
}
