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
    /// appended since): once it has, even an empty ledger's, it holds the city.
    public var hasCurrentCity: Bool { city.holds.load(ordering: .relaxed) }

    /// The whole city as the ledger stands now: the cached fold caught up to the head.
    @_spi(Batch) public func currentCity() throws -> CitySnapshot { try withCurrentCity { $0 } }

    /// Reads the city as the ledger stands now without copying it: `body` runs on the cached
    /// fold, caught up to the head, and must not use this ledger's city itself. Without
    /// `catchingUp`, the fold as this process last caught it up (for reads that follow one that
    /// caught up, with nothing appended between: no query for each).
    @_spi(Batch) public func withCurrentCity<T>(catchingUp: Bool = true, _ body: (CitySnapshot) throws -> T) throws
        -> T
    {
        try city.state.withLock { (held: inout CitySnapshot) throws -> T in
            guard catchingUp else { return try body(held) }
            let from = held.position
            var followed = CityCache.Followed()
            // First what this process's own appends left (``record(_:metadata:expecting:expectingStreams:)``),
            // as far as it follows on without a gap: not read back and decoded again.
            var taken = 0
            taking: for command in city.takeFed() {
                for (event, stored) in zip(command.events, command.stored) where stored.position > held.position {
                    guard stored.position == held.position + 1 else { break taking }
                    city.absorb(
                        event, into: &held, position: stored.position, stream: stored.stream.value,
                        version: stored.streamVersion, followed: &followed)
                    taken += 1
                }
            }
            city.eventsTaken.add(taken, ordering: .relaxed)
            // Then what the store holds beyond, unless it knows its head without a query (a file
            // this process holds alone) and the city is there.
            if store.headWithoutReading != held.position {
                var query = EventQuery()
                query.fromPosition = held.position + 1
                try forEachEvent(query) { view, event in
                    city.absorb(
                        event, into: &held, position: view.position, stream: view.stream.value,
                        version: view.streamVersion, followed: &followed)
                }
            }
            city.caughtUp(from: from, to: held.position, followed: followed)
            city.holds.store(true, ordering: .relaxed)
            return try body(held)
        }
    }

    /// Leaves a command's events, just appended (`stored`: in the order the store gave them
    /// positions), for the city this process holds to take when it next catches up, so they are
    /// not read back and decoded again (``CityCache/feed(_:_:)``). Not applied here: whoever
    /// appends may still hold a copy of the city, which applying would copy whole.
    private func feedCity(_ stored: [KokiEvent], _ result: AppendResult) {
        guard city.holds.load(ordering: .relaxed), !result.wasDuplicate, result.events.count == stored.count else {
            return
        }
        city.feed(stored, result.events)
    }

    /// Hands the city this process holds to the process's exit, which reclaims its memory at
    /// once: for a process about to end (the simulation, after its last line). Freeing the
    /// millions of objects of ten years of Matsudo one by one took 7.5 s. The ledger itself is
    /// let go of as usual; this process holds no city afterwards.
    @_spi(Batch) public func leaveCityToExit() {
        let city = city.state.withLock { held in
            defer {
                held = CitySnapshot()
                self.city.holds.store(false, ordering: .relaxed)
                _ = self.city.takeFed()
            }
            return held
        }
        _ = Unmanaged.passRetained(LeftToExit(city))
    }

    /// How many persons' folds this process keeps between commands (see ``PersonFolds``). Once
    /// a process holds the city, it loads persons from the city instead.
    @_spi(Batch) public var personsKept: Int {
        get { city.persons.capacity }
        nonmutating set { city.persons.capacity = newValue }
    }

    /// The fold of a person's own stream: as it stands now, the fold this process kept, caught
    /// up with what the stream gained since (see ``PersonFolds``); as known at a past moment or
    /// as of a date, folded from the stream's first event.
    func fold(of person: PersonID, knownAt: KnownAt? = nil, asOf: CivilDate? = nil) throws
        -> PersonCollectionState.StreamFold
    {
        let current = knownAt == nil && asOf == nil
        // Taken out of the kept folds while it folds what the stream gained: held once, folding
        // into it copies none of the account's history.
        var fold = (current ? city.persons.take(person) : nil) ?? PersonCollectionState.StreamFold(person, asOf: asOf)
        var query = EventQuery.stream(try StreamName(person.streamName), fromVersion: fold.version + 1)
        query.readsEnvelopes = false
        knownAt?.limit(&query)
        try forEachEvent(query) { view, event in fold.apply(event, streamVersion: view.streamVersion) }
        if current, fold.version > 0 { city.persons.keep(person, fold) }
        return fold
    }

    /// A person's state as it stands now. A process that holds the city in memory (the
    /// simulation, the server) takes it from the city, caught up first, as its runs and imports
    /// do: the city is the fold of every stream, so it is the state their stream folds to, and
    /// taking it costs the same at any length of history. Otherwise their stream's fold (see
    /// ``fold(of:knownAt:asOf:)``). Without `catchingUp`, the city as this process last caught it
    /// up (see ``withCurrentCity(catchingUp:_:)``).
    func currentState(of person: PersonID, catchingUp: Bool = true) throws -> PersonCollectionState {
        if hasCurrentCity {
            return try withCurrentCity(catchingUp: catchingUp) { PersonCollectionState(person, in: $0) }
        }
        return try fold(of: person).state
    }

    /// A person's register entry as it stands now and their stream's version, taken as
    /// ``currentState(of:)`` takes the state.
    func currentEntry(of person: PersonID) throws -> (entry: InsuredRegister.Person?, version: Int64) {
        if hasCurrentCity { return try withCurrentCity { ($0.register.person(person), $0.version(of: person)) } }
        let fold = try fold(of: person)
        return (fold.state.entry, fold.version)
    }

    /// Person loads answered from a kept fold, and not (for benchmarks and tests).
    @_spi(Batch) public var personLoads: (kept: Int, folded: Int) {
        let c = city.persons.counts
        return (c.hits, c.misses)
    }

    /// The arrears settings in force now (the stream `config/arrears`): only what that stream
    /// gained since the last call is read and decoded.
    @_spi(Batch) public func currentArrearsSettings() throws -> ArrearsSettings? {
        // A process that holds the city followed the settings as it caught the city up: no
        // query of their stream for every person loaded.
        try keptBesideCity(city.settings, reading: readSettings) { $0.settings }
    }

    /// What `body` takes from a cache of streams kept beside the city (the arrears settings,
    /// the imports' lists): in a process holding the city, the cache as the city's catch-up
    /// followed it, read from its streams only where it missed some of their events; in any
    /// other, read for what its streams gained since it was last read (`read`).
    func keptBesideCity<C: KeptBesideCity, T>(
        _ cache: borrowing Mutex<C>, reading read: (inout C) throws -> Void, _ body: (C) -> T
    ) throws -> T {
        guard hasCurrentCity else {
            return try cache.withLock { kept in
                try read(&kept)
                return body(kept)
            }
        }
        return try withCurrentCity { held in
            try cache.withLock { kept in
                if kept.cityPosition != held.position {
                    try read(&kept)
                    kept.cityPosition = held.position
                }
                return body(kept)
            }
        }
    }

    /// Reads what `config/arrears` gained since `cache` was last caught up.
    private func readSettings(_ cache: inout SettingsCache) throws {
        let query = EventQuery.stream(try StreamName(ArrearsSettingsAdopted.streamName), fromVersion: cache.version + 1)
        try forEachEvent(query) { view, event in
            cache.version = view.streamVersion
            if case .arrearsSettingsAdopted(let e) = event { cache.settings = e.settings }
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
        let (request, stored) = try Self.requestAndStoredOrder(
            events, metadata: metadata, expecting: expecting, expectingStreams: streams)
        let result = try store.append(request)
        feedCity(stored, result)
        return result
    }

    /// Appends like ``record(_:metadata:expecting:)`` and returns the events as stored: the
    /// given ones, or — when the command id was seen before — the events that command appended
    /// then, so a repeated command answers with its original result.
    @_spi(Batch) public func recordReturningStored(
        _ events: [KokiEvent], metadata: CommandMetadata, expecting: [PersonID: ExpectedVersion] = [:],
        expectingStreams: [String: ExpectedVersion] = [:]
    ) throws -> (events: [KokiEvent], result: AppendResult) {
        let result = try record(events, metadata: metadata, expecting: expecting, expectingStreams: expectingStreams)
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
        try requestAndStoredOrder(events, metadata: metadata, expecting: expecting, expectingStreams: expectingStreams)
            .request
    }

    /// The store request, and the events in the order the store gives them positions: grouped
    /// by stream as the request groups them (the events as given, unless a stream's event
    /// follows another stream's).
    static func requestAndStoredOrder(
        _ events: [KokiEvent], metadata: CommandMetadata, expecting: [PersonID: ExpectedVersion],
        expectingStreams: [String: ExpectedVersion]
    ) throws -> (request: AppendRequest, stored: [KokiEvent]) {
        // Each stream's events, in the order the streams first appear.
        var inOrder = true
        var parts: [(stream: String, events: [NewEvent])] = []
        var partOf: [String: Int] = [:]
        var expected = expectingStreams
        for (person, version) in expecting { expected[person.streamName] = version }
        for event in events {
            let stream = event.streamName
            let encoded = EventRegistry.encode(event, stream: stream)
            // Money arithmetic saturates instead of trapping, and the writer notes any value its
            // reader would refuse: such an event is refused here, before anything is appended,
            // rather than stored in a form no one could read back.
            if let refusal = encoded.refusal {
                throw KokiError(
                    .invalidInput, "\(encoded.type) for \(stream) cannot be recorded: \(refusal); nothing was appended")
            }
            let new = NewEvent(type: encoded.type, schemaVersion: encoded.schemaVersion, payload: encoded.payload)
            if let part = partOf[stream] {
                parts[part].events.append(new)
                inOrder = inOrder && part == parts.count - 1
            } else {
                partOf[stream] = parts.count
                parts.append((stream, [new]))
            }
        }
        let streams = try parts.map { part in
            StreamAppend(
                stream: try StreamName(part.stream), expectedVersion: expected[part.stream] ?? .any, events: part.events
            )
        }
        let request = AppendRequest(
            commandID: metadata.commandID, actor: metadata.actor, correlationID: metadata.correlationID,
            causationID: metadata.causationID, streams: streams)
        guard !inOrder else { return (request, events) }
        var grouped = [[KokiEvent]](repeating: [], count: parts.count)
        for event in events { if let part = partOf[event.streamName] { grouped[part].append(event) } }
        return (request, grouped.flatMap { $0 })
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

/// What a process leaves for its exit to reclaim (``KokiLedger/leaveCityToExit()``).
private final class LeftToExit: Sendable {
    let city: CitySnapshot
    init(_ city: CitySnapshot) { self.city = city }
}

/// One process's incrementally maintained city (see ``KokiLedger/currentCity()``).
final class CityCache: Sendable {
    let state = Mutex(CitySnapshot())
    /// Persons' own streams as last folded, so loading a person again reads only what their
    /// stream gained since (see ``PersonFolds``).
    let persons = PersonFolds(capacity: PersonFolds.defaultCapacity)
    /// The recorded files and unmatched payments an import checks against, caught up stream by
    /// stream like the settings.
    let importLists = Mutex(ImportLists())
    /// The arrears settings in force: loading a person asks for them every time, so they are
    /// decoded once, not per load.
    let settings = Mutex(SettingsCache())
    /// Commands this process appended, each's events with where they were stored, for the city
    /// to take when it next catches up (``KokiLedger/withCurrentCity(catchingUp:_:)``), in the
    /// order appended.
    let fed = Mutex(Fed())
    /// How many events the city took from ``fed`` (for tests).
    let eventsTaken = Atomic<Int>(0)
    /// How many times an import read the two streams of ``importLists`` (for tests).
    let importListReads = Atomic<Int>(0)
    /// Whether this process holds the city: only then are appended events left for it.
    let holds = Atomic<Bool>(false)

    struct Fed: Sendable {
        /// At most this many events wait: a process that appends more without reading the city
        /// reads them back instead.
        static let limit = 100_000
        var commands: [(events: [KokiEvent], stored: [AppendedEvent])] = []
        var events = 0
    }

    /// Leaves a command's appended events for the city (`events` in position order, as `stored`
    /// says).
    func feed(_ events: [KokiEvent], _ stored: [AppendedEvent]) {
        fed.withLock { waiting in
            guard waiting.events + events.count <= Fed.limit else {
                waiting = Fed()
                return
            }
            waiting.commands.append((events, stored))
            waiting.events += events.count
        }
    }

    /// The commands left for the city, taken.
    func takeFed() -> [(events: [KokiEvent], stored: [AppendedEvent])] {
        fed.withLock { waiting in
            defer { waiting = Fed() }
            return waiting.commands
        }
    }

    /// Whether a catch-up of the city followed every event of the streams kept beside it: the
    /// arrears settings (``SettingsCache``) and the imports' lists (``ImportLists``).
    struct Followed {
        var settings = true
        var lists = true
    }

    /// Applies one event to the city, following the arrears settings it adopts (see
    /// ``SettingsCache``) and the imports' two streams (see ``ImportLists``): `followed` turns
    /// `false` for either where the event is past a version of its stream not seen.
    func absorb(
        _ event: KokiEvent, into held: inout CitySnapshot, position: Int64, stream: String, version: Int64,
        followed: inout Followed
    ) {
        if case .arrearsSettingsAdopted(let e) = event, !settings.withLock({ $0.follow(e.settings, version: version) })
        {
            followed.settings = false
        }
        if ImportLists.follows(stream),
            !importLists.withLock({ $0.follow(event, stream: stream, version: version, position: position) })
        {
            followed.lists = false
        }
        held.apply(event, position: position, stream: stream, version: version)
    }

    /// After the city went from one position to another: the settings and the imports' lists
    /// are each still known to be the newest if they were at the first and every event of
    /// their streams between was followed.
    func caughtUp(from: Int64, to: Int64, followed: Followed) {
        settings.withLock { cache in cache.cityPosition = followed.settings && cache.cityPosition == from ? to : 0 }
        importLists.withLock { lists in lists.cityPosition = followed.lists && lists.cityPosition == from ? to : 0 }
    }
}

/// A cache of streams kept beside the city, followed as the city catches up
/// (``CityCache/caughtUp(from:to:followed:)``): `cityPosition` is the city's position through
/// which it is the newest (0: not known).
protocol KeptBesideCity: Sendable {
    var cityPosition: Int64 { get set }
}

/// The arrears settings in force, the version of `config/arrears` they reflect, and how far the
/// city this process holds is known to have no newer ones.
///
/// Catching the city up follows the settings adopted in what it reads (``follow(_:version:)``).
/// The settings are known to be the newest at the city's position (`cityPosition` equals it)
/// when they were when the city was last caught up and nothing the catch-up read was missed:
/// the stream's versions follow on from the cache's. Otherwise the next question reads the
/// stream from the cache's version, as a process without the city does every time.
struct SettingsCache: KeptBesideCity {
    var version: Int64 = 0
    var settings: ArrearsSettings?
    /// The city's position through which `settings` are the newest (0: not known).
    var cityPosition: Int64 = 0

    /// Takes settings adopted at `version` of the stream, read while the city caught up: `false`
    /// when versions between the cache's and it were not seen (read by the next question).
    mutating func follow(_ adopted: ArrearsSettings, version: Int64) -> Bool {
        guard version > self.version else { return true }
        guard version == self.version + 1 else { return false }
        self.version = version
        settings = adopted
        return true
    }
}

/// The two streams every interchange import reads (`collection/files`, `collection/unmatched`)
/// as far as this process has folded them.
///
/// A process holding the city follows them as it catches the city up (``follow(_:stream:version:position:)``),
/// as it follows the arrears settings: the lists are known to be the newest at the city's
/// position (`cityPosition` equals it) when they were when the city was last caught up and
/// every event of the two streams it took was followed. An import then reads neither stream.
/// In the simulation, whose appends are written behind, each such read waited for the writer:
/// a daily convenience-store import read them, and those waits were three quarters of the
/// time its thread spent off the CPU.
struct ImportLists: KeptBesideCity {
    static let streams = [CollectionFileRecorded.streamName, UnmatchedPaymentRecorded.streamName]

    /// Whether a stream is one of the two (asked of every event the city takes: two string
    /// comparisons, not a hash).
    static func follows(_ stream: String) -> Bool { stream == streams[0] || stream == streams[1] }

    var versions: [String: Int64] = [:]
    var lists = CollectionAccounts()
    var positions: [String: Int64] = [:]
    /// The city's position through which the lists are the newest (0: not known, or the empty
    /// ledger's).
    var cityPosition: Int64 = 0

    /// Folds an event of one of the two streams at `version` of it, at `position` in the
    /// ledger: `false` when versions between the lists' and it were not seen (read by the next
    /// import from the stream). One seen already is left.
    mutating func follow(_ event: KokiEvent, stream: String, version: Int64, position: Int64) -> Bool {
        let known = versions[stream] ?? 0
        guard version > known else { return true }
        guard version == known + 1 else { return false }
        fold(event, stream: stream, version: version, position: position)
        return true
    }

    /// Folds the next event of one of the two streams.
    mutating func fold(_ event: KokiEvent, stream: String, version: Int64, position: Int64) {
        versions[stream] = version
        if case .collectionFileRecorded(let file) = event { positions[file.digest] = position }
        lists.apply(event)
    }
}

/// Persons' own streams as last folded (``PersonCollectionState/StreamFold``): loading a person
/// again folds only the events their stream gained since, by this process or any other. A stream
/// only grows, and each event is folded once in stream order, so a caught-up fold is exactly the
/// fold from the stream's first event; identities stay sealed in it, so an erasure still makes
/// them unreadable.
///
/// Bounded: at most `capacity` folds. When full, a fold chosen at random gives way. Random
/// replacement, not least-recently-used: the city's runs go through the same persons in the
/// same order again and again, and a sweep larger than an LRU cache finds nothing in it, where
/// random replacement still finds about the share of the sweep it can hold.
final class PersonFolds: Sendable {
    typealias Fold = PersonCollectionState.StreamFold
    /// More than the persons nine offices' counters see in a day, in a bounded memory (a fold
    /// holds a person's whole account: some 25 KB after five years, so at most about 125 MB
    /// here). A process that holds the city (the simulation, the server) takes its persons from
    /// the city instead (``KokiLedger/currentState(of:)``).
    static let defaultCapacity = 5_000

    struct Slots {
        var capacity: Int
        /// A fold taken out (``take(_:)``) and not yet kept again is `nil` in its slot.
        var folds: [PersonID: (slot: Int, fold: Fold?)] = [:]
        var persons: [PersonID] = []
        /// xorshift64: which fold gives way (it changes only what is read again, never a result).
        var random: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hits = 0
        var misses = 0

        mutating func nextSlot() -> Int {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            return Int(random % UInt64(persons.count))
        }
    }

    let slots: Mutex<Slots>

    init(capacity: Int) { slots = Mutex(Slots(capacity: max(1, capacity))) }

    /// How many folds may be kept (at least one). Setting it drops those kept.
    var capacity: Int {
        get { slots.withLock { $0.capacity } }
        set { slots.withLock { $0 = Slots(capacity: max(1, newValue)) } }
    }

    /// The person's fold as last kept, if any, taken out of its slot: the caller folds into the
    /// only copy, then keeps it again. Another caller meanwhile finds none and folds the stream
    /// itself (the same fold: each kept one is exact), and the longer of the two stays kept.
    func take(_ person: PersonID) -> Fold? {
        slots.withLock { s in
            if let kept = s.folds[person], let fold = kept.fold {
                s.hits += 1
                s.folds[person] = (kept.slot, nil)
                return fold
            }
            s.misses += 1
            return nil
        }
    }

    /// Keeps a fold, unless a newer one (of a longer stream) is kept already.
    func keep(_ person: PersonID, _ fold: Fold) {
        slots.withLock { s in
            if let kept = s.folds[person] {
                if (kept.fold?.version ?? -1) < fold.version { s.folds[person] = (kept.slot, fold) }
                return
            }
            if s.persons.count < s.capacity {
                s.folds[person] = (s.persons.count, fold)
                s.persons.append(person)
                return
            }
            let slot = s.nextSlot()
            s.folds[s.persons[slot]] = nil
            s.persons[slot] = person
            s.folds[person] = (slot, fold)
        }
    }

    /// Lookups answered from a kept fold, and not.
    var counts: (hits: Int, misses: Int) { slots.withLock { ($0.hits, $0.misses) } }
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
