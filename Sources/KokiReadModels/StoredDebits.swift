import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// The stored read model of bank debit (口座振替): for every person who ever had a mandate or
/// applied for one (a "mandate holder" below), what bank debit decides from (``DebitState``:
/// mandates, applications, the 全期前納 choice, the last debit date requested, a death recorded,
/// deferments, the collection method and sums of each period) in the ledger file (`rm_debits`), with the
/// position and logic version it reflects (`rm_models`).
///
/// `debit export` and `debit register` read these rows instead of each mandate holder's whole
/// stream: a fresh process answers in time proportional to the mandate holders, not to their
/// histories.
///
/// - **Caught up, never half a command.** A writable ledger brings the table up to the head in
///   one transaction before answering. Each stored state folds only the events its person's
///   stream gained since (an annual run adds one assessment to each); a person whose first
///   mandate or application arrived since is folded from their whole stream.
/// - **Rebuilt from zero on demand, and whenever its logic changed.** ``rebuild(check:)`` fills
///   a fresh table in position order (``PassScan``, every mandate holder's state held in the
///   pass) and compares the two in SQL; a table of another ``logicVersion`` is never read.
/// - **In a PostgreSQL ledger**, the same states are documents in its schema (`rm_debits`, one a
///   mandate holder: the two parts in base64), caught up the same way before each answer: built
///   the first time from the holders' streams read a few hundred a round trip, then each state
///   folding what its stream gained.
/// - A state that cannot follow its person exactly (``DebitState/isExact``) is kept as such; the
///   request then reads that person's stream, as it reads everyone's for the past.
public struct StoredDebits: Sendable {
    public static let name = "debits"
    /// The version of the logic (and of the stored form) that fills the table.
    public static let logicVersion = 7

    let ports: LedgerPorts

    public init(_ ports: LedgerPorts) { self.ports = ports }

    private var store: any EventStore { ports.events }

    public typealias Rebuild = PersonTableRebuild
    public typealias Status = PersonTableStatus

    /// Every mandate holder's state at the head, and the head, from the table (caught up first)
    /// or a PostgreSQL schema's documents (the same); `nil` where the ledger keeps neither (a
    /// replay copy) or a read-only ledger's table does not reflect its head: the caller folds the
    /// streams instead.
    public func states() throws -> (states: [PersonID: DebitState], position: Int64)? {
        if case .atHead(let documents) = ports.readModels {
            let caught = try catchUp(documents, head: try store.head().position)
            return (caught.states, caught.position)
        }
        guard case .beside(let tables) = ports.readModels else { return nil }
        if !store.isReadOnly { try catchUp() }
        return try tables.readingModel(Self.schema) { tx in
            let head = try tx.head()
            guard let model = try tx.state(), model.logicVersion == Self.logicVersion, model.position == head else {
                return nil
            }
            return (try Self.readTable(tx, .maintained), head)
        }
    }

    public func status() throws -> Status {
        if case .atHead(let documents) = ports.readModels {
            let model = try documents.readModelState(Self.schema)
            return Status(
                position: model?.position, logicVersion: model?.logicVersion,
                rows: try documents.readModelCount(Self.schema))
        }
        guard case .beside(let tables) = ports.readModels else { return Status(rows: 0) }
        return try Self.tables.status(tables)
    }

    /// After a command that read the states (``states()``, at `position`) appended `appended`:
    /// the states of the persons it appended to, each folding its own `events` (in stream order),
    /// written into the table with the table at the append's last position — what catching up
    /// would write, without reading back rows and events the command holds already (a debit
    /// request's 24,000 payers' requests, which the next request otherwise caught up).
    ///
    /// Written only where that is exactly the catch-up: a ledger file's table still at `position`,
    /// no person's stream changed between it and the append nor after it (a session's access
    /// records may lie around it), every appended person's stream grown from the version their
    /// state holds by their events, and nobody becoming a mandate holder. Otherwise nothing is
    /// written (the next reader catches up as ever). Answers whether it wrote.
    ///
    /// In a PostgreSQL ledger's schema the changed documents are stored the same way, where the
    /// documents still stand at `position` and no person's event lies between it and the append
    /// (an append after it leaves the documents exact at the append's last position).
    @discardableResult
    public func advance(
        _ states: [PersonID: DebitState], readAt position: Int64, appended: AppendResult,
        events: [PersonID: [KokiEvent]]
    ) throws -> Bool {
        guard !store.isReadOnly, !appended.wasDuplicate, let range = appended.positions, range.lowerBound > position
        else { return false }
        let prefix = Self.schema.keyStreamPrefix
        var versions: [PersonID: Int64] = [:]
        for event in appended.events where event.stream.value.hasPrefix(prefix) {
            versions[try PersonID(String(event.stream.value.dropFirst(prefix.count)))] = event.streamVersion
        }
        var changed: [(PersonID, DebitState)] = []
        for (person, version) in versions {
            let own = events[person] ?? []
            guard var state = states[person] else {
                // Not a mandate holder: the table keeps nothing for them unless they become one.
                let becomes = own.contains {
                    $0.typeName == DebitMandateStarted.eventType || $0.typeName == DebitApplicationRecorded.eventType
                }
                if becomes { return false }
                continue
            }
            guard state.version + Int64(own.count) == version else { return false }
            for event in own { try state.apply(event) }
            state.version = version
            changed.append((person, state))
        }
        if case .atHead(let documents) = ports.readModels {
            guard let model = try documents.readModelState(Self.schema), model.logicVersion == Self.logicVersion,
                model.position == position
            else { return false }
            // Between the read and the append, the command's access records and the like, no person's events.
            if range.lowerBound > position + 1 {
                var query = EventQuery.from(position: position + 1)
                query.throughPosition = range.lowerBound - 1
                query.readsEnvelopes = false
                var touched = false
                try store.forEachEvent(query) { view in touched = touched || view.stream.value.hasPrefix(prefix) }
                if touched { return false }
            }
            try documents.storeReadModel(
                Self.schema, documents: try changed.map { try Self.document($0.0, $0.1) },
                replacing: changed.map(\.0.value), position: range.upperBound)
            return true
        }
        guard case .beside(let tables) = ports.readModels else { return false }
        return try tables.writingModel(Self.schema) { tx in
            let head = try tx.head()
            guard let model = try tx.state(), model.logicVersion == Self.logicVersion, model.position == position,
                head >= range.upperBound
            else { return false }
            // Around the append, the command's access records and the like, no person's events.
            if range.lowerBound > position + 1,
                try !tx.keysChanged(after: position, through: range.lowerBound - 1).isEmpty
            {
                return false
            }
            if head > range.upperBound, try !tx.keysChanged(after: range.upperBound, through: head).isEmpty {
                return false
            }
            for (person, state) in changed {
                let rows = Self.rows(person, state)
                try tx.replace(state.sumsChanged ? rows : Array(rows.prefix(1)))
            }
            try tx.setPosition(head)
            return true
        }
    }

    // MARK: - Maintenance

    /// Brings the table (or a PostgreSQL schema's documents) up to the head, building it from zero
    /// when missing or of another logic, in one transaction; returns how many persons' states
    /// changed. Nothing on a store that keeps neither.
    @discardableResult
    public func catchUp() throws -> Int {
        if case .atHead(let documents) = ports.readModels {
            return try bringUp(documents, head: try store.head().position).changed
        }
        guard case .beside(let tables) = ports.readModels, !store.isReadOnly else { return 0 }
        return try Self.tables.catchUp(tables)
    }

    /// Fills a fresh table from zero, in position order, and compares it with the
    /// maintained one (caught up to the same head first); swaps it in unless `check`.
    ///
    /// In a PostgreSQL ledger's schema: the documents caught up, then every mandate holder's state
    /// folded from position zero through the position they reflect (their streams read in
    /// batches, as the first build reads them), compared and written a slice of holders at a time
    /// (each slice's documents read back by their range of keys), so neither the documents nor the
    /// new states are held whole. Unless `check`, the new states replace the old in one
    /// transaction.
    public func rebuild(check: Bool) throws -> Rebuild {
        try rebuild(check: check, personsPerSlice: StoredRegister.sliceAtHead)
    }

    /// ``rebuild(check:)`` with a schema's slices of the size given (the tests make them small,
    /// so that a small city takes several).
    @_spi(Reference)
    public func rebuild(check: Bool, personsPerSlice: Int) throws -> Rebuild {
        guard case .atHead(let documents) = ports.readModels else {
            return try Self.tables.rebuild(ports, check: check)
        }
        return try Overtaken.retrying {
            let before = try documents.readModelState(Self.schema)
            let position = try bringUp(documents, head: try store.head().position).position
            let comparedWith = before.flatMap { $0.logicVersion == Self.logicVersion ? $0.position : nil }
            let rebuilt = try SlicedRebuild<(PersonID, DebitState)>(
                documents: documents, schema: Self.schema, what: "the debit states", position: position
            ).run(
                check: check, comparing: comparedWith != nil,
                fill: { try foldedInSlices(through: position, personsPerSlice: personsPerSlice, $0) },
                compare: { states, keys in
                    let kept = try documents.readModel(Self.schema, keys, field: nil)
                    guard let state = kept.state, state.logicVersion == Self.logicVersion else { return (nil, []) }
                    return (state.position, try Self.differences(kept.documents, states))
                }, document: { try Self.document($0.0, $0.1) })
            return Rebuild(
                position: position, persons: rebuilt.persons, events: rebuilt.events, comparedWith: comparedWith,
                differences: rebuilt.differences, swapped: !check)
        }
    }

    /// The holders whose states differ between the documents kept and the states folded from
    /// zero (each a slice of the same keys), in either direction; a state kept more than once (a
    /// document copied under another key) names its holder.
    private static func differences(_ documents: [[UInt8]], _ folded: [(PersonID, DebitState)]) throws -> Set<
        PersonID
    > {
        let kept = try states(documents)
        let fresh = Dictionary(folded, uniquingKeysWith: { first, _ in first })
        var differences = Set(kept.states.keys).union(fresh.keys).filter { person in
            let (kept, fresh) = (kept.states[person]?.stored, fresh[person]?.stored)
            return kept?.head != fresh?.head || kept?.sums != fresh?.sums
        }
        differences.formUnion(kept.copied)
        return differences
    }

    /// Every mandate holder's state from zero through `position` (``folded(inBatches:holders:through:personsPerBatch:_:)``),
    /// handed to `body` a slice of holders at a time in key order, with the range of keys the
    /// slice covers (``KeySlices``). Returns how many holders and events.
    private func foldedInSlices(
        through position: Int64, personsPerSlice: Int,
        _ body: (_ states: [(PersonID, DebitState)], _ keys: DocumentFilter) throws -> Void
    ) throws -> (persons: Int, events: Int) {
        // Digits only: their order is their bytes', as the ranges of keys compare.
        let holders = try Self.mandated(read, after: 0, through: position)
        let slices = KeySlices(holders, personsPerPass: max(1, holders.count), personsPerSlice: personsPerSlice)
        var (events, n) = (0, 0)
        for slice in slices.slices.joined() {
            var states: [(PersonID, DebitState)] = []
            events += try Self.folded(inBatches: store, holders: Array(slice), through: position) { states += $0 }
            try body(states, slices.keys(n))
            n += 1
        }
        if holders.isEmpty { try body([], .keyRange(from: nil, before: nil)) }
        return (holders.count, events)
    }

    // MARK: - Folding

    /// Reads events: a query, and what to do with each event it selects.
    typealias Events = StoredRegister.Events

    /// Reads a transaction's events.
    static func events(_ tx: any ReadModelTransaction) -> Events {
        { query, body in try StoredEvents.forEach(in: tx, query, body) }
    }

    /// One person's state from their whole stream, through a position, and the events read.
    static func fold(_ tx: any ReadModelTransaction, _ person: PersonID, through: Int64) throws -> (
        state: DebitState, events: Int
    ) {
        try fold(events(tx), person, through: through)
    }

    static func fold(_ events: Events, _ person: PersonID, through: Int64) throws -> (state: DebitState, events: Int) {
        var query = EventQuery.stream(try StreamName(person.streamName))
        query.throughPosition = through
        query.readsEnvelopes = false
        var (state, count) = (DebitState(), 0)
        try events(query) { view, event in
            count += 1
            state.version = view.streamVersion
            try state.apply(event)
        }
        return (state, count)
    }

    /// Every mandate holder's state through a position, and the events read: how a PostgreSQL
    /// schema's states are built from zero and rebuilt. The holders' streams are read a few
    /// hundred a round trip (``EventStore/forEachEvent(inStreams:through:_:)``), not a query a
    /// holder, and only the events of the types a state follows are decoded, as a file's fill
    /// decodes them; each state's version is its stream's last through `through`. (Reading the
    /// schema in position order, as a file's fill does, reads every person's balance events for
    /// the fifth of them who hold a mandate: no faster there.)
    static func folded(
        inBatches store: any EventStore, through: Int64, personsPerBatch: Int = 4_096
    ) throws -> (states: [PersonID: DebitState], events: Int) {
        let holders = try mandated({ try StoredEvents.forEach(in: store, $0, $1) }, after: 0, through: through)
        var states: [PersonID: DebitState] = [:]
        states.reserveCapacity(holders.count)
        let events = try folded(inBatches: store, holders: holders, through: through, personsPerBatch: personsPerBatch)
        {
            for (person, state) in $0 { states[person] = state }
        }
        return (states, events)
    }

    /// ``folded(inBatches:through:personsPerBatch:)`` for the holders given, each batch's states
    /// handed to `body` in the holders' order as it is folded; returns the events read.
    static func folded(
        inBatches store: any EventStore, holders: [PersonID], through: Int64, personsPerBatch: Int = 4_096,
        _ body: ([(PersonID, DebitState)]) throws -> Void
    ) throws -> Int {
        var events = 0
        var decoders = DecoderCache()
        for batch in PassScan.passes(holders, size: personsPerBatch) {
            // Each stream comes whole, one after another: its state is folded, then kept.
            var folded: [String: DebitState] = [:]
            var (stream, state) = ("", DebitState())
            try store.forEachEvent(inStreams: try batch.map { try StreamName($0.streamName) }, through: through) {
                view in
                if view.stream.value != stream {
                    if !stream.isEmpty { folded[stream] = state }
                    (stream, state) = (view.stream.value, DebitState())
                }
                state.version = view.streamVersion
                guard DebitState.eventTypes.contains(view.type) else { return }
                events += 1
                try state.apply(try decoders.decode(view))
            }
            if !stream.isEmpty { folded[stream] = state }
            try body(batch.map { ($0, folded[$0.streamName] ?? DebitState()) })
        }
        return events
    }

    /// Every mandate holder's state through a position, each folded from their whole stream, and
    /// the events read: how a PostgreSQL schema's states were built from zero and rebuilt before
    /// their streams were read in batches, kept as the reference the tests and benchmarks hold
    /// ``folded(inBatches:through:personsPerBatch:)`` to.
    static func folded(_ events: Events, through: Int64) throws -> (states: [PersonID: DebitState], events: Int) {
        var (states, count) = ([PersonID: DebitState](), 0)
        for person in try mandated(events, after: 0, through: through) {
            let folded = try fold(events, person, through: through)
            (states[person], count) = (folded.state, count + folded.events)
        }
        return (states, count)
    }

    /// The persons with a mandate or an application recorded in `(after, through]`, found through
    /// the index by type.
    static func mandated(_ tx: any ReadModelTransaction, after: Int64, through: Int64) throws -> [PersonID] {
        try mandated(events(tx), after: after, through: through)
    }

    static func mandated(_ events: Events, after: Int64, through: Int64) throws -> [PersonID] {
        var query = EventQuery.from(position: after + 1)
        query.throughPosition = through
        query.types = [DebitMandateStarted.eventType, DebitApplicationRecorded.eventType]
        query.readsEnvelopes = false
        var found = Set<PersonID>()
        try events(query) { _, event in if let person = event.person { found.insert(person) } }
        return found.sorted()
    }

    /// Every mandate holder's rows into `table`: the events of the types a state follows
    /// (``DebitState/eventTypes``) read once in position order, in ``PassScan`` passes of mandate
    /// holders (a pass's states held meanwhile), rather than each holder's stream through the index
    /// (a lookup per event over the whole file); then each state's version, its stream's at
    /// `through`, from the index by stream (one lookup a holder, where reading every event of
    /// every holder for it cost the scan a third of its time).
    static func fill(
        _ tx: any ReadModelTransaction, _ table: ReadModelTable, through: Int64,
        personsPerPass: Int = PassScan.personsPerPass
    ) throws -> (persons: Int, events: Int) {
        let holders = try mandated(tx, after: 0, through: through)
        var query = EventQuery.through(position: through)
        query.types = DebitState.eventTypes
        query.scansForTypes = true
        query.readsEnvelopes = false
        var events = 0
        let passes = PassScan.passes(holders, size: personsPerPass).map { Array($0) }
        events = try PassScan.fold(tx, query, passes: passes, overlapping: true) { _, persons in
            let pass = DebitPass(count: persons.count)
            return (pass, pass)
        } done: { p, pass in
            try insert(pass, passes[p], into: table, tx, through: through)
        }
        PassScan.releaseFreedMemory()
        return (holders.count, events)
    }

    /// A pass's states into `table` once its scan is done, each with its stream's version at
    /// `through` (``DebitPass`` reads only the types a state follows).
    static func insert(
        _ pass: DebitPass, _ holders: [PersonID], into table: ReadModelTable, _ tx: any ReadModelTransaction,
        through: Int64
    ) throws {
        let versions = try tx.streamVersions(of: holders.map(\.value), through: through)
        for (k, person) in holders.enumerated() {
            pass.states[k].version = versions[k]
            try tx.insert(pass.rows(k, person), into: table)
        }
    }

    /// Every mandate holder's rows into `table`, each folded from their own stream: what
    /// ``fill(_:_:through:personsPerPass:)`` did before it read in position order, kept as the
    /// reference the tests and benchmarks hold it to.
    static func fillByStreams(_ tx: any ReadModelTransaction, _ table: ReadModelTable, through: Int64) throws -> (
        persons: Int, events: Int
    ) {
        var (persons, events) = (0, 0)
        for person in try mandated(tx, after: 0, through: through) {
            let folded = try fold(tx, person, through: through)
            events += folded.events
            try tx.insert(rows(person, folded.state), into: table)
            persons += 1
        }
        return (persons, events)
    }

    /// The states filled from zero into the rebuild's scratch table, read back and dropped: in
    /// position order (`byStreams: false`, as ``rebuild(check:)`` fills) or one stream at a
    /// time, as they were filled before.
    @_spi(Reference)
    public func filledFromZero(byStreams: Bool, personsPerPass: Int? = nil) throws -> (
        states: [PersonID: DebitState], events: Int
    ) {
        let filled = try Self.tables.filledFromZero(ports, byStreams: byStreams, personsPerPass: personsPerPass) {
            try Self.readTable($0, .rebuilt)
        }
        return (filled.read, filled.events)
    }

    /// Every mandate holder's state folded from position zero through `through`, nothing stored:
    /// their streams read in batches, as a PostgreSQL schema's documents are built and rebuilt
    /// (`byStreams: false`), or each holder's stream with a query of its own, as they were built
    /// before.
    @_spi(Reference)
    public func foldedFromZero(through: Int64, byStreams: Bool, personsPerBatch: Int? = nil) throws -> (
        states: [PersonID: DebitState], events: Int
    ) {
        byStreams
            ? try Self.folded({ try StoredEvents.forEach(in: store, $0, $1) }, through: through)
            : try Self.folded(inBatches: store, through: through, personsPerBatch: personsPerBatch ?? 4_096)
    }

    /// Brings the maintained table from `from` to `to`: each stored state whose stream grew folds
    /// what it gained, read in one pass over the positions since (a stored state reflects its
    /// stream exactly at `from`); a person with a first mandate or application since is folded whole. Returns
    /// how many states changed.
    @discardableResult
    static func advance(_ tx: any ReadModelTransaction, from: Int64, to: Int64) throws -> Int {
        let keys = Set(try tx.keysChanged(after: from, through: to))
        var stored: [String: (head: [UInt8], sums: [UInt8])] = [:]
        // Each part's rows lie together (the table is kept in part order): read part by part.
        for part: Int64 in [0, 1] {
            try tx.forEachRow(in: .maintained, keys: keys, part: part) { row in
                if part == 0 { stored[row.key, default: ([], [])].head = row.document ?? [] }
                if part == 1 { stored[row.key, default: ([], [])].sums = row.document ?? [] }
            }
        }
        let states = try advanced(after: from, through: to, { try tx.forEachEvent($0, $1) }) { key in
            try stored[key].map { parts in try damage(key) { try DebitState(head: parts.head, sums: parts.sums) } }
        }
        for (key, state) in states {
            // The head always; the period sums only when they changed (they are most of the bytes).
            let rows = rows(try PersonID(key), state)
            try tx.replace(state.sumsChanged ? rows : Array(rows.prefix(1)))
        }
        var changed = states.count
        for person in try mandated(tx, after: from, through: to) where stored[person.value] == nil {
            try tx.insert(rows(person, try fold(tx, person, through: to).state), into: .maintained)
            changed += 1
        }
        try tx.setPosition(to)
        return changed
    }

    /// The stored states whose streams grew in `(after, through]`, each having folded what its
    /// stream gained (read in one pass over those positions): `stored` gives a person's state as
    /// it was kept (exact at `after`), `nil` for a person who holds none. An event a state's
    /// version already covers is passed by, so a state kept later than `after` is not folded twice.
    static func advanced(
        after: Int64, through: Int64,
        _ forEachEvent: (EventQuery, (borrowing EventView) throws -> Void) throws -> Void,
        stored: (String) throws -> DebitState?
    ) throws -> [String: DebitState] {
        var states: [String: DebitState] = [:]
        var query = EventQuery.from(position: after + 1)
        query.throughPosition = through
        query.readsEnvelopes = false
        let prefix = schema.keyStreamPrefix
        var decoders = DecoderCache()
        try withoutActuallyEscaping(stored) { stored in
            try forEachEvent(query) { view in
                let stream = view.stream.value
                guard stream.hasPrefix(prefix) else { return }
                let key = String(stream.dropFirst(prefix.count))
                let (version, follows) = (view.streamVersion, DebitState.eventTypes.contains(view.type))
                // A state already folding is changed where it lies in the dictionary: taken out and
                // put back, it was copied whole for every event.
                if let index = states.index(forKey: key) {
                    guard version > states.values[index].version else { return }
                    states.values[index].version = version
                    if follows { try states.values[index].apply(try decoders.decode(view)) }
                } else {
                    guard var kept = try stored(key), version > kept.version else { return }
                    kept.version = version
                    if follows { try kept.apply(try decoders.decode(view)) }
                    states[key] = kept
                }
            }
        }
        return states
    }

    // MARK: - In a PostgreSQL ledger's schema

    /// Brings the documents kept at the head (a PostgreSQL ledger's schema) up to `head` and
    /// answers every mandate holder's state and the position they reflect (a later one when
    /// another process caught them up further; the documents and their position are read in one
    /// snapshot), and how many changed.
    private func catchUp(_ documents: any HeadReadModelStore, head: Int64) throws -> (
        states: [PersonID: DebitState], position: Int64, changed: Int
    ) {
        let changed = try bringUp(documents, head: head).changed
        let kept = try documents.readModel(Self.schema)
        guard let model = kept.state, model.logicVersion == Self.logicVersion else {
            let states = try Self.folded(inBatches: store, through: head).states
            return (states, head, changed)
        }
        return (try Self.states(kept.documents).states, model.position, changed)
    }

    /// Brings the documents up to `head` without reading them all. Missing or of another logic:
    /// every holder's state folded from position zero (their streams read in batches) and written
    /// a slice at a time, replacing all. Otherwise the documents of the persons with events since
    /// are read, each kept state folds what its stream gained, and a holder whose first mandate
    /// or application arrived since is folded whole; only the changed documents are written, in
    /// one transaction. Returns the position the documents reflect and how many changed.
    @discardableResult
    private func bringUp(_ documents: any HeadReadModelStore, head: Int64) throws -> (position: Int64, changed: Int) {
        guard let model = try documents.readModelState(Self.schema), model.logicVersion == Self.logicVersion else {
            var built = 0
            try documents.replaceReadModel(Self.schema, position: head) { write in
                built = try foldedInSlices(through: head, personsPerSlice: StoredRegister.sliceAtHead) { states, _ in
                    try write(try states.map { try Self.document($0.0, $0.1) })
                }.persons
                return .none
            }
            return (head, built)
        }
        guard model.position < head else { return (model.position, 0) }
        // The persons whose streams grew: their kept states read (a debit request's payers, the
        // annual run's every person), not every holder's.
        let prefix = Self.schema.keyStreamPrefix
        var query = EventQuery.from(position: model.position + 1)
        query.throughPosition = head
        query.readsEnvelopes = false
        var grown = Set<String>()
        try store.forEachEvent(query) { view in
            if view.stream.value.hasPrefix(prefix) { grown.insert(String(view.stream.value.dropFirst(prefix.count))) }
        }
        let kept = try documents.readModel(Self.schema, .keys(grown.sorted()), field: nil)
        guard let state = kept.state, state.logicVersion == Self.logicVersion else {
            throw KokiError(.invalidInput, "the debit states changed form while being caught up: run it again")
        }
        guard state.position == model.position else { return (state.position, 0) }
        let states = try Self.states(kept.documents).states
        var changed = try Self.advanced(after: model.position, through: head, { try store.forEachEvent($0, $1) }) {
            key in states[try PersonID(key)]
        }.map { (try PersonID($0.key), $0.value) }
        for person in try Self.mandated(read, after: model.position, through: head) where states[person] == nil {
            changed.append((person, try Self.fold(read, person, through: head).state))
        }
        try documents.storeReadModel(
            Self.schema, documents: try changed.map { try Self.document($0.0, $0.1) },
            replacing: changed.map(\.0.value), position: head)
        return (head, changed.count)
    }

    /// The store's events, read for a fold.
    private var read: Events { { try StoredEvents.forEach(in: store, $0, $1) } }

    /// A state as a document: the person's number and the state's two parts' bytes (base64), as
    /// JSON.
    private struct Document: Codable {
        var person: String
        var head: Data
        var sums: Data
    }

    private static func document(_ person: PersonID, _ state: DebitState) throws -> (
        key: String, part: Int64, json: [UInt8]
    ) {
        let stored = state.stored
        return (
            person.value, 0,
            Array(
                try JSONEncoder().encode(
                    Document(person: person.value, head: Data(stored.head), sums: Data(stored.sums))))
        )
    }

    /// The states the documents hold, by person; damage named.
    /// The states the documents hold, by holder, and the holders whose state more than one
    /// document holds (a document copied under another key).
    private static func states(_ documents: [[UInt8]]) throws -> (states: [PersonID: DebitState], copied: Set<PersonID>)
    {
        let decoder = JSONDecoder()
        var states: [PersonID: DebitState] = [:]
        var copied = Set<PersonID>()
        states.reserveCapacity(documents.count)
        for (i, json) in documents.enumerated() {
            guard let document = try? decoder.decode(Document.self, from: Data(json)) else {
                throw KokiError(.undecodableEvent, "the stored debit state in document \(i + 1) is not one koki wrote")
            }
            let person = try damage(document.person) { try PersonID(document.person) }
            if states[person] != nil { copied.insert(person) }
            states[person] = try damage(document.person) {
                try DebitState(head: Array(document.head), sums: Array(document.sums))
            }
        }
        return (states, copied)
    }

    // MARK: - The table

    /// Two rows per mandate holder: the state's head (part 0) and its period sums (part 1), each
    /// with whether the state follows them exactly (1) or the request reads their stream (0).
    /// Kept in part order: a debit request rewrites the head of each of its 24,000 payers, and
    /// the heads (a fifth of the bytes) then lie on a few thousand pages together, not on every
    /// page among the sums.
    static let schema = ReadModelSchema(
        name: name, logicVersion: logicVersion, table: "rm_debits", keyColumn: "person", partColumn: "part",
        columns: [ReadModelSchema.Column("exact")], keyStreamPrefix: "person/", document: true, partFirst: true)

    /// The table's upkeep: filled from zero, brought forward, rebuilt and compared.
    static let tables = PersonTables(
        schema: schema,
        fill: { tx, table, through, perPass in try fill(tx, table, through: through, personsPerPass: perPass) },
        fillByStreams: { tx, table, through in try fillByStreams(tx, table, through: through) },
        advance: { tx, from, to in try advance(tx, from: from, to: to) })

    static func rows(_ person: PersonID, _ state: DebitState) -> [ReadModelRow] {
        let stored = state.stored
        return rows(person, head: stored.head, sums: stored.sums, exact: state.isExact)
    }

    /// A state's two rows: its head and its period sums, each marked exact or not.
    static func rows(_ person: PersonID, head: [UInt8], sums: [UInt8], exact isExact: Bool) -> [ReadModelRow] {
        let exact: Int64 = isExact ? 1 : 0
        return [
            ReadModelRow(key: person.value, part: 0, values: [exact], document: head),
            ReadModelRow(key: person.value, part: 1, values: [exact], document: sums),
        ]
    }

    static func readTable(_ tx: any ReadModelTransaction, _ table: ReadModelTable) throws -> [PersonID: DebitState] {
        // The heads, then the sums, each part's rows read in one pass where they lie together,
        // both in key order: paired as they come.
        var heads: [(key: String, bytes: [UInt8])] = []
        try tx.forEachRow(in: table, key: nil, part: 0) { heads.append(($0.key, $0.document ?? [])) }
        var states: [PersonID: DebitState] = [:]
        states.reserveCapacity(heads.count)
        var next = 0
        try tx.forEachRow(in: table, key: nil, part: 1) { row in
            if next < heads.count, heads[next].key < row.key {
                try damage(heads[next].key) { throw KokiError(.undecodableEvent, "its period sums are missing") }
            }
            guard next < heads.count, heads[next].key == row.key else {
                try damage(row.key) { throw KokiError(.undecodableEvent, "its head is missing") }
                return
            }
            let head = heads[next].bytes
            next += 1
            states[try PersonID(row.key)] = try damage(row.key) { try DebitState(head: head, sums: row.document ?? []) }
        }
        if next < heads.count {
            try damage(heads[next].key) { throw KokiError(.undecodableEvent, "its period sums are missing") }
        }
        return states
    }

    /// Names the person whose stored state `body` finds damaged.
    public static func damage<T>(_ key: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw KokiError(.undecodableEvent, "the stored debit state of \(key) is damaged: \(error)")
        }
    }
}

/// One pass of the debit states' fill: its mandate holders' states, folded on the pass's folding
/// thread from the events of the types a state follows (the fill then sets each state's version).
///
/// Read together with the balances (``SharedRebuild``), the states leave their period sums to
/// the balance pass, which folds the same events into the same sums for every person: held twice,
/// they took 3.3 KB a holder, about 120 MB of a ten-year file's rebuild.
final class DebitPass: PassFolder, @unchecked Sendable {
    var states: [DebitState]
    /// Where each state's period sums are, when not in the state: the balance pass read with this
    /// one, and its index of each holder.
    let sums: (pass: BalancePass, index: [Int])?

    init(count: Int) {
        states = Array(repeating: DebitState(), count: count)
        sums = nil
    }

    /// States whose sums are `balances`' of holder `k`'s person `index[k]`.
    init(sumsIn balances: BalancePass, at index: [Int]) {
        states = Array(repeating: DebitState(), count: index.count)
        sums = (balances, index)
    }

    func wants(_ i: Int, at position: Int64, version: Int64) -> Bool { true }

    func decodes(_ type: String) -> Bool { DebitState.eventTypes.contains(type) }

    func fold(_ i: Int, _ event: KokiEvent) throws {
        if sums == nil { try states[i].apply(event) } else { try states[i].applyLeavingSums(event) }
    }

    /// Holder `k`'s rows once the scan is done.
    func rows(_ k: Int, _ person: PersonID) -> [ReadModelRow] {
        guard let sums else { return StoredDebits.rows(person, states[k]) }
        let stored = states[k].stored(sums: sums.pass.states[sums.index[k]])
        return StoredDebits.rows(person, head: stored.head, sums: stored.sums, exact: stored.isExact)
    }
}
