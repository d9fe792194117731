import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// The stored read model of the register (被保険者台帳): each person's entry in the ledger file
/// (`rm_register`) — identity (sealed), households, eligibility, address exceptions, incomes,
/// pension facts, the union's decisions, mail recipients — in the event codec's binary form, as
/// two rows (the head the lists read, the tail the decisions read besides), with the position
/// and logic version it reflects (`rm_models`).
///
/// A city-wide question (who is insured on a date, a household's members, whose retention has
/// run out) reads the entries instead of folding every event of the ledger: a fresh process
/// answers in time proportional to the register, not to the ledger's history.
///
/// - **Caught up, never half a command.** A writable ledger brings the table up to the head in one
///   transaction before answering: the persons with register events since (found by type, so a
///   run that touched only money folds nobody) are folded again from their own streams and their
///   rows replaced.
/// - **Rebuilt from zero on demand, and whenever its form changed.** ``rebuild(check:)`` folds
///   every person's stream into a fresh table and compares the two in SQL; a table of another
///   ``InsuredRegister/storedVersion`` is never read.
/// - The past (`--known-at`) and stores without tables beside the events fold the events.
/// - Memory is the register's entries (a few kilobytes a person), never the ledger's events.
public struct StoredRegister: Sendable {
    public static let name = "register"

    let ports: LedgerPorts

    public init(_ ports: LedgerPorts) { self.ports = ports }

    private var store: any EventStore { ports.events }

    /// The register and where it came from.
    public struct Answer: Sendable {
        public var register: InsuredRegister
        /// The position it reflects.
        public var position: Int64
        /// Read from the stored table (else folded from the events).
        public var fromTable: Bool
    }

    public typealias Rebuild = PersonTableRebuild
    public typealias Status = PersonTableStatus

    // MARK: - Queries

    /// The register as the ledger stands now (from the table, caught up first on a writable
    /// ledger) or as it stood at `through` (folded).
    public func register(through: Int64? = nil) throws -> Answer {
        guard case .beside(let tables) = ports.readModels else {
            let head = try store.head().position
            let position = try Self.position(through, head: head)
            if case .atHead(let documents) = ports.readModels, position == head {
                let caught = try caughtUp(documents, head: head)
                return Answer(register: caught.register, position: caught.position, fromTable: true)
            }
            let register = try Self.folded(through: position) { try StoredEvents.forEach(in: store, $0, $1) }
            return Answer(register: register, position: position, fromTable: false)
        }
        // The table serves the head (given or not), so it is caught up for it.
        if try through.map({ $0 == (try store.head().position) }) ?? true { try catchUp() }
        return try tables.readingModel(Self.schema) { tx in
            let head = try tx.head()
            let position = try Self.position(through, head: head)
            if position == head, let model = try tx.state(), model.logicVersion == Self.schema.logicVersion,
                model.position == head
            {
                return Answer(register: try Self.readTable(tx), position: head, fromTable: true)
            }
            let register = try Self.folded(through: position) { try StoredEvents.forEach(in: tx, $0, $1) }
            return Answer(register: register, position: position, fromTable: false)
        }
    }

    /// The position asked about (the head when none), refused beyond the head.
    private static func position(_ through: Int64?, head: Int64) throws -> Int64 {
        let position = through ?? head
        guard (0...head).contains(position) else {
            throw KokiError(.invalidInput, "position \(position) is beyond the head (\(head))")
        }
        return position
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

    // MARK: - Maintenance

    /// Brings the table up to the head (building it from zero when missing or of another form),
    /// in one transaction; returns how many persons were folded again. Nothing on a store
    /// without tables beside the events.
    @discardableResult
    public func catchUp() throws -> Int {
        if case .atHead(let documents) = ports.readModels {
            return try bringUp(documents, head: try store.head().position)
        }
        guard case .beside(let tables) = ports.readModels, !store.isReadOnly else { return 0 }
        return try Self.tables.catchUp(tables)
    }

    /// Folds every person's stream from position zero into a fresh table and compares it with
    /// the maintained one (caught up to the same head first); swaps it in unless `check`.
    ///
    /// In a PostgreSQL ledger's schema: the documents caught up, then the register folded from
    /// position zero through the position they reflect, a pass of persons at a time as a file's
    /// table is filled, and compared and written a slice of persons at a time: each slice's
    /// documents read back by their range of keys beside the slice's fold, so neither the
    /// documents nor the new rows are ever held whole. Unless `check`, the new rows replace the
    /// old in one transaction.
    public func rebuild(check: Bool) throws -> Rebuild {
        try rebuild(check: check, personsPerPass: PassScan.personsPerPass, personsPerSlice: Self.sliceAtHead)
    }

    /// ``rebuild(check:)`` with a schema's passes and slices of the sizes given (the tests make
    /// them small, so that a small city takes several); `beforeComparing` runs before each slice
    /// is compared (where a test lets another process overtake the rebuild).
    @_spi(Reference)
    public func rebuild(
        check: Bool, personsPerPass: Int, personsPerSlice: Int, beforeComparing: (() throws -> Void)? = nil
    ) throws -> Rebuild {
        guard case .atHead(let documents) = ports.readModels else {
            return try Self.tables.rebuild(ports, check: check)
        }
        return try Overtaken.retrying {
            let sizes = (pass: personsPerPass, slice: personsPerSlice)
            let before = try documents.readModelState(Self.schema)
            try bringUp(documents, head: try store.head().position)
            guard let caught = try documents.readModelState(Self.schema),
                caught.logicVersion == Self.schema.logicVersion
            else {
                throw KokiError(
                    .invalidInput, "the register's documents changed form while being rebuilt: run it again")
            }
            let position = caught.position
            let comparedWith = before.flatMap { $0.logicVersion == Self.schema.logicVersion ? $0.position : nil }
            let rebuilt = try SlicedRebuild<InsuredRegister.Person>(
                documents: documents, schema: Self.schema, what: "the register's documents", position: position
            ).run(
                check: check, comparing: comparedWith != nil,
                fill: { try foldedInSlices(through: position, sizes, $0) },
                compare: { entries, keys in
                    try beforeComparing?()
                    let stored = try kept(documents, keys)
                    return (stored?.position, Self.differences(stored?.entries ?? [], entries))
                }, document: Self.document)
            return Rebuild(
                position: position, persons: rebuilt.persons, events: rebuilt.events, comparedWith: comparedWith,
                differences: rebuilt.differences, swapped: !check)
        }
    }

    /// The persons whose entries differ between the stored entries and the folded ones, in either
    /// direction; a person whose entry is stored more than once (a document copied under another
    /// key) is among them.
    static func differences(_ stored: [InsuredRegister.Person], _ folded: [InsuredRegister.Person]) -> Set<PersonID> {
        var copies: [PersonID: Int] = [:]
        for entry in stored { copies[entry.id, default: 0] += 1 }
        let kept = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let fresh = Dictionary(folded.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return Set(kept.keys).union(fresh.keys).filter { kept[$0] != fresh[$0] || copies[$0, default: 0] > 1 }
    }

    // MARK: - In a PostgreSQL ledger's schema

    /// How many persons' entries a schema's rebuild compares and writes at once, beside the
    /// pass's fold: one slice's documents decoded, or one slice's new rows encoded.
    static let sliceAtHead = 10_000

    /// The register folded from position zero through `position`, a pass of
    /// ``PassScan/personsPerPass`` persons at a time (the store's events read in position order, as
    /// a file's table is filled), and handed to `body` a slice of at most ``sliceAtHead`` persons
    /// at a time, in the byte order of their keys: the slice's entries and the range of keys it
    /// covers (every key in exactly one slice: the first open below, the last above, so a
    /// document of a person with no stream is still read). Returns how many entries and events.
    private func foldedInSlices(
        through position: Int64,
        _ sizes: (pass: Int, slice: Int) = (PassScan.personsPerPass, StoredRegister.sliceAtHead),
        _ body: (_ entries: [InsuredRegister.Person], _ keys: DocumentFilter) throws -> Void
    ) throws -> (persons: Int, events: Int) {
        let persons = try KeySlices.persons(in: store, prefix: Self.schema.keyStreamPrefix)
        let slices = KeySlices(persons, personsPerPass: sizes.pass, personsPerSlice: sizes.slice)
        var query = EventQuery.through(position: position)
        query.types = InsuredRegister.eventTypes
        query.scansForTypes = true
        query.readsEnvelopes = false
        var (count, events, n) = (0, 0, 0)
        events = try PassScan.fold(
            { try store.forEachEvent($0, $1) }, query, passes: slices.passes.map { Array($0) }, overlapping: true
        ) { _, _ in
            let folded = RegisterPass()
            return (folded, folded)
        } done: { p, folded in
            for slice in slices.slices[p] {
                let entries = slice.compactMap { folded.register.persons[$0] }
                count += entries.count
                try body(entries, slices.keys(n))
                n += 1
            }
            PassScan.release(folded)
        }
        if persons.isEmpty { try body([], .keyRange(from: nil, before: nil)) }
        PassScan.releaseFreedMemory()
        return (count, events)
    }

    /// The register as the documents kept at the head (a PostgreSQL ledger's schema) hold it once
    /// brought up to `head` (``bringUp(_:head:)``), and the position it reflects (a later one when
    /// another process caught the documents up further; the documents and their position are read
    /// in one snapshot).
    private func caughtUp(_ documents: any HeadReadModelStore, head: Int64) throws -> (
        register: InsuredRegister, position: Int64
    ) {
        try bringUp(documents, head: head)
        guard let stored = try kept(documents, .all) else { return (try Self.folded(through: head, read), head) }
        return (InsuredRegister(entries: stored.entries), stored.position)
    }

    /// Some of the documents, caught up first, decoded; with the position they reflect (read with
    /// them in one snapshot). `nil` when the documents are of another form meanwhile.
    private func caughtUp(_ documents: any HeadReadModelStore, _ filter: DocumentFilter) throws -> (
        entries: [InsuredRegister.Person], position: Int64
    )? {
        try bringUp(documents, head: try store.head().position)
        return try kept(documents, filter)
    }

    /// The documents `filter` selects, decoded on every core, by number (so that a register made
    /// of them puts them in alike every time); with the position they reflect (read with them in
    /// one snapshot). `nil` when they are of another form.
    private func kept(_ documents: any HeadReadModelStore, _ filter: DocumentFilter) throws -> (
        entries: [InsuredRegister.Person], position: Int64
    )? {
        // Only each document's entry (base64) comes back: no JSON to decode here.
        let kept = try documents.readModel(Self.schema, filter, field: "entry")
        guard let model = kept.state, model.logicVersion == Self.schema.logicVersion else { return nil }
        let entries = try kept.documents.concurrentMap { text in
            guard let bytes = Data(base64Encoded: Data(text)) else {
                throw KokiError(.undecodableEvent, "a stored register document's entry is not base64")
            }
            return try Self.entry(ReadModelRow(key: "(a document)", part: 0, values: [], document: Array(bytes)))
        }
        return (entries.sorted { $0.id < $1.id }, model.position)
    }

    /// Brings the documents up to `head` without reading them: every entry folded and written a
    /// slice at a time, replacing all, when they are missing or of another form; else the persons
    /// with register events since their position folded again and only their documents replaced.
    /// Returns how many persons were folded.
    @discardableResult
    private func bringUp(_ documents: any HeadReadModelStore, head: Int64) throws -> Int {
        guard let model = try documents.readModelState(Self.schema), model.logicVersion == Self.schema.logicVersion
        else {
            var built = 0
            try documents.replaceReadModel(Self.schema, position: head) { write in
                built = try foldedInSlices(through: head) { entries, _ in try write(try entries.map(Self.document)) }
                    .persons
                return .none
            }
            return built
        }
        guard model.position < head else { return 0 }
        let persons = try Self.touched(after: model.position, through: head, read)
        var changed: [(key: String, part: Int64, json: [UInt8])] = []
        for person in persons {
            if let entry = try Self.fold(read, person, through: head).entry { changed.append(try Self.document(entry)) }
        }
        try documents.storeReadModel(Self.schema, documents: changed, replacing: persons.map(\.value), position: head)
        return persons.count
    }

    /// The store's events, read for a fold.
    private var read: Events { { try StoredEvents.forEach(in: store, $0, $1) } }

    /// An entry as a document: the span columns, the households, and the entry's bytes
    /// (base64), as JSON.
    private struct Document: Codable {
        var insuredFrom: Int64?
        var insuredUntil: Int64?
        /// The households (numbers) the entry was ever recorded in: what a household's members
        /// are found by.
        var households: [String]?
        var entry: Data
    }

    private static func document(_ person: InsuredRegister.Person) throws -> (key: String, part: Int64, json: [UInt8]) {
        let span = person.span
        let document = Document(
            insuredFrom: span[0], insuredUntil: span[1],
            households: Set(person.households.compactMap(\.household?.value)).sorted(), entry: Data(person.stored))
        return (person.id.value, 0, Array(try JSONEncoder().encode(document)))
    }

    // MARK: - Folding

    /// One person's entry from their stream's register events, through a position.
    static func fold(_ events: Events, _ person: PersonID, through: Int64) throws -> (
        entry: InsuredRegister.Person?, events: Int
    ) {
        var query = EventQuery.stream(try StreamName(person.streamName))
        query.throughPosition = through
        query.types = InsuredRegister.eventTypes
        query.readsEnvelopes = false
        var (register, count) = (InsuredRegister(), 0)
        try events(query) { _, event in
            count += 1
            register.apply(event)
        }
        return (register.persons[person], count)
    }

    static func fold(_ tx: any ReadModelTransaction, _ person: PersonID, through: Int64) throws -> (
        entry: InsuredRegister.Person?, events: Int
    ) {
        try fold({ query, body in try StoredEvents.forEach(in: tx, query, body) }, person, through: through)
    }

    /// Every person's rows into `table`: the register's events read once in position order, in
    /// ``PassScan`` passes of persons (a pass's entries held meanwhile), rather than each
    /// person's stream through the index (a lookup per event over the whole file).
    static func fill(
        _ tx: any ReadModelTransaction, _ table: ReadModelTable, through: Int64,
        personsPerPass: Int = PassScan.personsPerPass
    ) throws -> (persons: Int, events: Int) {
        var (persons, events) = (0, 0)
        let keys = try tx.keys()
        var query = EventQuery.through(position: through)
        query.types = InsuredRegister.eventTypes
        query.scansForTypes = true
        query.readsEnvelopes = false
        let passes = try PassScan.passes(keys, size: personsPerPass).map { try $0.map { try PersonID($0) } }
        // Each pass's rows are encoded and inserted while the next pass is folded.
        events = try PassScan.fold(tx, query, passes: passes, overlapping: true) { _, _ in
            let folded = RegisterPass()
            return (folded, folded)
        } done: { p, folded in
            // Each entry's rows encoded on another core while this one inserts them.
            try PassScan.pipelined(passes[p], produce: { folded.register.persons[$0]?.rows }) { rows in
                guard let rows else { return }
                try tx.insert(rows, into: table)
                persons += 1
            }
            PassScan.release(folded)
        }
        return (persons, events)
    }

    /// Every person's row into `table`, one person's stream at a time through the index: what
    /// ``fill(_:_:through:personsPerPass:)`` did before it read in position order, kept as the
    /// reference the tests and benchmarks hold it to.
    static func fillByStreams(_ tx: any ReadModelTransaction, _ table: ReadModelTable, through: Int64) throws -> (
        persons: Int, events: Int
    ) {
        var (persons, events) = (0, 0)
        for key in try tx.keys() {
            let folded = try fold(tx, try PersonID(key), through: through)
            events += folded.events
            guard let entry = folded.entry else { continue }
            try tx.insert(entry.rows, into: table)
            persons += 1
        }
        return (persons, events)
    }

    /// The register filled from zero into the rebuild's scratch table, read back and dropped:
    /// in position order (`byStreams: false`, as ``rebuild(check:)`` fills) or one stream at a
    /// time, as it filled before.
    @_spi(Reference)
    public func filledFromZero(byStreams: Bool, personsPerPass: Int? = nil) throws -> (
        register: InsuredRegister, events: Int
    ) {
        let filled = try Self.tables.filledFromZero(ports, byStreams: byStreams, personsPerPass: personsPerPass) {
            try Self.readTable($0, .rebuilt)
        }
        return (filled.read, filled.events)
    }

    /// Brings the maintained table from `from` to `to`: the persons with register events since
    /// folded again and the position recorded. Returns how many persons.
    @discardableResult
    static func advance(_ tx: any ReadModelTransaction, from: Int64, to: Int64) throws -> Int {
        let touched = try touched(after: from, through: to) { try StoredEvents.forEach(in: tx, $0, $1) }
        for person in touched {
            try tx.deleteRows(of: person.value)
            if let entry = try fold(tx, person, through: to).entry { try tx.insert(entry.rows, into: .maintained) }
        }
        try tx.setPosition(to)
        return touched.count
    }

    /// The persons with register events in `(after, through]`, found through the index by type:
    /// a batch run that touched every person's money (the annual assessment, a dunning run)
    /// folds no entry again.
    static func touched(after: Int64, through: Int64, _ events: Events) throws -> [PersonID] {
        var query = EventQuery.from(position: after + 1)
        query.throughPosition = through
        query.types = InsuredRegister.eventTypes
        query.readsEnvelopes = false
        var touched = Set<PersonID>()
        try events(query) { _, event in if let person = event.person { touched.insert(person) } }
        return touched.sorted()
    }

    /// Reads events: a query, and what to do with each event it selects.
    typealias Events = (EventQuery, (borrowing EventView, KokiEvent) throws -> Void) throws -> Void

    /// The whole city folded from the events (the register's types only) through a position.
    static func folded(through position: Int64, _ events: Events) throws -> InsuredRegister {
        var query = EventQuery()
        query.throughPosition = position
        query.types = InsuredRegister.eventTypes
        query.readsEnvelopes = false
        var register = InsuredRegister()
        try events(query) { _, event in register.apply(event) }
        return register
    }

    // MARK: - The table

    /// Two rows per person and one per household they were ever in: part 0 holds the span of
    /// their eligibility (the first period's start and the last one's end, days since 1970;
    /// NULL: never insured, or still insured), to find who may be insured on a date without
    /// decoding everyone, and the entry's head as its document; part 1 the entry's tail
    /// (incomes, pension, the union's decisions); parts 2… a household's number
    /// (``HouseholdID/indexKey``, indexed) and no document, to find a household's members
    /// without decoding everyone.
    static let schema = ReadModelSchema(
        name: name, logicVersion: InsuredRegister.storedVersion, table: "rm_register", keyColumn: "person",
        partColumn: "part",
        columns: [
            ReadModelSchema.Column("insured_from", nullable: true),
            ReadModelSchema.Column("insured_until", nullable: true),
            ReadModelSchema.Column("household", nullable: true, indexed: true),
        ],
        keyStreamPrefix: "person/", document: true, listedFields: ["households"])

    /// The table's upkeep: filled from zero, brought forward, rebuilt and compared.
    static let tables = PersonTables(
        schema: schema,
        fill: { tx, table, through, perPass in try fill(tx, table, through: through, personsPerPass: perPass) },
        fillByStreams: { tx, table, through in try fillByStreams(tx, table, through: through) },
        advance: { tx, from, to in try advance(tx, from: from, to: to) })

    static func readTable(_ tx: any ReadModelTransaction, _ table: ReadModelTable = .maintained) throws
        -> InsuredRegister
    {
        var register = InsuredRegister()
        try entries({ try tx.forEachRow(in: table, key: nil, part: nil, $0) }) { register.insert($0) }
        return register
    }

    /// Whole entries from rows by key and part: each head (part 0) with the tail after it (part
    /// 1), a household's rows (parts 2…) passed by; damage named.
    static func entries(
        _ rows: ((ReadModelRow) throws -> Void) throws -> Void, _ body: (InsuredRegister.Person) throws -> Void
    ) throws {
        var head: InsuredRegister.Person?
        try withoutActuallyEscaping(body) { body in
            try rows { row in
                if row.part == 0, let head {
                    try damage(head.id.value) { throw KokiError(.undecodableEvent, "its tail is missing") }
                }
                try damage(row.key) {
                    switch row.part {
                    case 0: head = try InsuredRegister.Person(storedHead: row.document ?? [])
                    case 1:
                        guard var person = head, person.id.value == row.key else {
                            throw KokiError(.undecodableEvent, "its head is missing")
                        }
                        try person.decodeTail(stored: try LZ4Block.decompress(row.document ?? [], limit: tailLimit))
                        try body(person)
                        head = nil
                    case 2...: break  // a household the entry names: the index's row, not the entry's
                    default: throw KokiError(.undecodableEvent, "part \(row.part) is not one of an entry's")
                    }
                }
            }
        }
        if let head { try damage(head.id.value) { throw KokiError(.undecodableEvent, "its tail is missing") } }
    }

    /// The most bytes a stored tail may claim (LZ4-compressed, ``InsuredRegister/Person/rows``):
    /// an entry's incomes, pension facts and the union's decisions over decades take a few
    /// kilobytes; a claim of more is damage.
    static let tailLimit = 16 << 20

    /// Names the person whose stored entry `body` finds damaged.
    static func damage<T>(_ key: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw KokiError(.undecodableEvent, "the stored register entry of \(key) is damaged: \(error)")
        }
    }

    /// A whole entry's bytes (a document kept at the head), decoded; damage named.
    static func entry(_ row: ReadModelRow) throws -> InsuredRegister.Person {
        try damage(row.key) { try InsuredRegister.Person(stored: row.document ?? []) }
    }
}

extension StoredRegister {
    /// The register's entries without their tails — number, identity (sealed), households,
    /// eligibility, address exceptions, former dependant and numbers, the pension switch, My
    /// Number (sealed), erasure, mail recipients — as the ledger stands now: what the lists of
    /// persons read, decoded on every core. The incomes, pension facts, provisional deductions,
    /// what the insurer was told, the union's decisions and the network's inquiries are empty
    /// here: a decision reads ``register(through:)``.
    public func heads() throws -> InsuredRegister {
        try current(
            { tx in
                InsuredRegister(entries: try Self.heads { try tx.forEachRow(in: .maintained, key: nil, part: 0, $0) })
            }, else: { $0 })
    }

    /// The heads of some persons' entries (as ``heads()`` has them), by number: only theirs are
    /// decoded. A person not in the register is missing from the answer.
    public func heads(of persons: Set<PersonID>) throws -> [PersonID: InsuredRegister.Person] {
        try entries(of: persons, tails: false)
    }

    /// Some persons' whole entries, tails included (what a decision reads of them), by number:
    /// only theirs are decoded. A person not in the register is missing from the answer.
    public func entries(of persons: Set<PersonID>) throws -> [PersonID: InsuredRegister.Person] {
        try entries(of: persons, tails: true)
    }

    /// Whether ``entries(of:)`` and ``heads(of:)`` answer from stored entries at the head, not
    /// from a fold of the whole register: a schema's documents (brought up as they are read), or
    /// a file's table caught up to the head first (a read-only file's only where it reflects the
    /// head already). A caller reading many persons a slice at a time asks this first.
    public func storedAtHead() throws -> Bool {
        switch ports.readModels {
        case .none: return false
        case .atHead: return true
        case .beside(let tables):
            try catchUp()
            return try tables.readingModel(Self.schema) { tx in
                guard let model = try tx.state() else { return false }
                return try model.logicVersion == Self.schema.logicVersion && model.position == tx.head()
            }
        }
    }

    /// Some persons' entries, with their tails or without (a PostgreSQL schema's documents hold
    /// the whole entry either way), by number.
    private func entries(of persons: Set<PersonID>, tails: Bool) throws -> [PersonID: InsuredRegister.Person] {
        let keys = Set(persons.map(\.value))
        if case .atHead(let documents) = ports.readModels, let found = try caughtUp(documents, .keys(keys.sorted())) {
            return Dictionary(found.entries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let entries = try current(
            { tx in
                guard tails else {
                    return try Self.heads { try tx.forEachRow(in: .maintained, keys: keys, part: 0, $0) }
                }
                var entries: [InsuredRegister.Person] = []
                try Self.entries({ try tx.forEachRow(in: .maintained, keys: keys, part: nil, $0) }) {
                    entries.append($0)
                }
                return entries
            }, else: { register in persons.compactMap { register.person($0) } })
        return Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The heads of everyone ever recorded in `household` (as ``heads()`` has them), as the
    /// ledger stands now: found through the household's rows of the table (or the documents'
    /// lists of households), only theirs decoded — a household's members, or one person's
    /// neighbourhood, in time proportional to the household, not to the city.
    public func everIn(_ household: HouseholdID) throws -> InsuredRegister {
        if case .atHead(let documents) = ports.readModels,
            let found = try caughtUp(documents, .listing(household.value, in: "households"))
        {
            return InsuredRegister(entries: found.entries)
        }
        return try current(
            { tx in
                var keys = Set<String>()
                try tx.forEachRow(in: .maintained, where: "household", equals: household.indexKey) {
                    keys.insert($0.key)
                }
                return InsuredRegister(
                    entries: try Self.heads { try tx.forEachRow(in: .maintained, keys: keys, part: 0, $0) })
            },
            else: { register in
                InsuredRegister(entries: register.everIn(household).sorted().compactMap { register.persons[$0] })
            })
    }

    /// The numbers of everyone ever recorded in each of `households`, as the ledger stands now:
    /// ``everIn(_:)`` for many households in one read of the table, no entry decoded (a schema's
    /// documents are read household by household).
    public func numbersEverIn(_ households: Set<HouseholdID>) throws -> [HouseholdID: Set<PersonID>] {
        guard !households.isEmpty else { return [:] }
        if case .atHead = ports.readModels {
            var numbers: [HouseholdID: Set<PersonID>] = [:]
            for household in households { numbers[household] = Set(try everIn(household).persons.keys) }
            return numbers
        }
        return try current(
            { tx in
                var numbers: [HouseholdID: Set<PersonID>] = [:]
                for household in households.sorted() {
                    var members = Set<PersonID>()
                    try tx.forEachRow(in: .maintained, where: "household", equals: household.indexKey) { row in
                        members.insert(try Self.damage(row.key) { try PersonID(row.key) })
                    }
                    numbers[household] = members
                }
                return numbers
            },
            else: { register in Dictionary(uniqueKeysWithValues: households.map { ($0, register.everIn($0)) }) })
    }

    /// The heads of the rows `select` reads, read in one pass and decoded on every core.
    private static func heads(_ select: ((ReadModelRow) throws -> Void) throws -> Void) throws
        -> [InsuredRegister.Person]
    {
        try heads(select) { $0 }
    }

    /// How many heads are decoded at once by ``heads(_:atOnce:keeping:)``.
    static let headsAtOnce = 16_384

    /// What `keep` makes of each head `select` reads (`nil`: nothing), the heads decoded on every
    /// core ``headsAtOnce`` at a time as they are read: only what is kept of every head is held,
    /// never every head's bytes and entry at once (at ten times Matsudo, 706,000 insured on a day:
    /// their heads' bytes and entries took most of `insured list`'s 0.72 GB).
    private static func heads<T: Sendable>(
        _ select: ((ReadModelRow) throws -> Void) throws -> Void, atOnce: Int = headsAtOnce,
        keeping keep: @escaping @Sendable (InsuredRegister.Person) -> T?
    ) throws -> [T] {
        var kept: [T] = []
        var chunk: [(key: String, bytes: [UInt8])] = []
        func decode() throws {
            let decoded = try chunk.concurrentMap { head in
                try damage(head.key) { keep(try InsuredRegister.Person(storedHead: head.bytes)) }
            }
            kept.append(contentsOf: decoded.lazy.compactMap { $0 })
            chunk.removeAll(keepingCapacity: true)
        }
        try select { row in
            chunk.append((row.key, row.document ?? []))
            if chunk.count >= max(1, atOnce) { try decode() }
        }
        try decode()
        return kept
    }

    /// `read` on the table, caught up first, when it reflects the head in this form; else `fold`
    /// given the register folded from the events (or read from a PostgreSQL schema's documents).
    private func current<T>(
        _ read: (any ReadModelTransaction) throws -> T, else fold: (InsuredRegister) throws -> T
    ) throws -> T {
        guard case .beside(let tables) = ports.readModels else { return try fold(try register().register) }
        try catchUp()
        return try tables.readingModel(Self.schema) { tx in
            let head = try tx.head()
            guard let model = try tx.state(), model.logicVersion == Self.schema.logicVersion, model.position == head
            else { return try fold(try Self.folded(through: head) { try StoredEvents.forEach(in: tx, $0, $1) }) }
            return try read(tx)
        }
    }

    /// One line of who is insured on a day: the person, their identity (sealed) and the period
    /// that holds the day — what the lists show, decoded from an entry's head alone.
    public struct Insured: Sendable, Hashable {
        public var person: PersonID
        public var identity: SealedIdentity
        public var period: EligibilityPeriod

        /// The line of `entry` on `date`, when they are insured then.
        public init?(_ entry: InsuredRegister.Person, on date: CivilDate) {
            guard let period = entry.eligibilityPeriods.first(where: { $0.contains(date) }) else { return nil }
            (person, identity, self.period) = (entry.id, entry.identity, period)
        }
    }

    /// Everyone insured on `date`, by number, as the ledger stands now: from the table (caught up
    /// first on a writable ledger), decoding only the heads of the entries whose eligibility
    /// spans the date; from the register's events or documents elsewhere.
    public func insured(on date: CivilDate) throws -> [Insured] { try insured(on: date, headsAtOnce: Self.headsAtOnce) }

    /// The same, the heads decoded `headsAtOnce` at a time (a test's few).
    func insured(on date: CivilDate, headsAtOnce: Int) throws -> [Insured] {
        if case .atHead(let documents) = ports.readModels,
            let found = try caughtUp(
                documents, .holding(Int64(date.daysSinceEpoch), from: "insuredFrom", until: "insuredUntil"))
        {
            return found.entries.compactMap { Insured($0, on: date) }
        }
        return try current(
            { tx in
                try Self.heads(
                    {
                        try tx.forEachRow(
                            in: .maintained, holding: Int64(date.daysSinceEpoch), from: "insured_from",
                            until: "insured_until", $0)
                    }, atOnce: headsAtOnce, keeping: { Insured($0, on: date) })
            }, else: { $0.insured(on: date).compactMap { Insured($0, on: date) } })
    }
}

extension InsuredRegister.Person {
    /// The span of the entry's eligibility: the first period's start and the last one's end, as
    /// days (`until` NULL when the last period is open, or when there is none — then `from` is
    /// NULL too, and no day finds it).
    var span: [Int64?] {
        let periods = eligibilityPeriods
        return [
            periods.first.map { Int64($0.from.daysSinceEpoch) }, periods.last?.until.map { Int64($0.daysSinceEpoch) },
        ]
    }

    /// The entry as the table keeps it: its head with the span (part 0), its tail LZ4-compressed
    /// (part 1), and each household it was ever recorded in (parts 2…, in the order of their
    /// numbers). A tail grows with every year's incomes, deductions and the union's decisions:
    /// past a kilobyte, SQLite put its rest on a page of its own, and at ten years of Matsudo the
    /// table took 393 MB for 188 MB of entries.
    var rows: [ReadModelRow] {
        [
            ReadModelRow(key: id.value, part: 0, values: span + [nil], document: storedHead),
            ReadModelRow(key: id.value, part: 1, values: [nil, nil, nil], document: LZ4Block.compress(storedTail)),
        ]
            + Set(households.compactMap(\.household)).sorted().enumerated().map { i, household in
                ReadModelRow(key: id.value, part: Int64(2 + i), values: [nil, nil, household.indexKey], document: [])
            }
    }
}

/// One pass of the register's fill: its persons' entries, folded on the pass's folding thread.
final class RegisterPass: PassFolder, @unchecked Sendable {
    var register = InsuredRegister()

    func wants(_ i: Int, at position: Int64, version: Int64) -> Bool { true }

    func fold(_ i: Int, _ event: KokiEvent) { register.apply(event) }
}
