import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// The stored read model of the register (被保険者台帳): one row per person in the ledger file
/// (`rm_register`), holding their entry — identity (sealed), households, eligibility, address
/// exceptions, incomes, pension facts, the union's decisions, mail recipients — in the event
/// codec's binary form, with the position and logic version it reflects (`rm_models`).
///
/// A city-wide question (who is insured on a date, a household's members, whose retention has
/// run out) reads the entries instead of folding every event of the ledger: a fresh process
/// answers in time proportional to the register, not to the ledger's history.
///
/// - **Caught up, never half a command.** A writable ledger brings the table up to the head in one
///   transaction before answering: the persons whose streams gained events since are folded again
///   from their own streams (the register's events only) and their rows replaced.
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

    public struct Rebuild: Sendable, Codable {
        public var position: Int64
        public var persons: Int
        public var events: Int
        /// The maintained table's position before the rebuild, or nil when there was none of
        /// this form to compare with.
        public var comparedWith: Int64?
        /// The persons whose stored entry differs from a fold of their stream.
        public var differences: [PersonID]
        public var swapped: Bool
    }

    public struct Status: Sendable, Codable {
        public var position: Int64?
        public var logicVersion: Int?
        public var rows: Int
    }

    // MARK: - Queries

    /// The register as the ledger stands now (from the table, caught up first on a writable
    /// ledger) or as it stood at `through` (folded).
    public func register(through: Int64? = nil) throws -> Answer {
        guard case .beside(let tables) = ports.readModels else {
            let head = try store.head().position
            let position = try Self.position(through, head: head)
            if case .atHead(let documents) = ports.readModels, position == head {
                let at = try catchUp(documents, head: head).position
                return Answer(register: try Self.read(documents), position: at, fromTable: true)
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
        return try tables.readingModel(Self.schema) { tx in
            guard let model = try tx.state() else { return Status(rows: 0) }
            return Status(position: model.position, logicVersion: model.logicVersion, rows: try tx.count())
        }
    }

    // MARK: - Maintenance

    /// Brings the table up to the head (building it from zero when missing or of another form),
    /// in one transaction; returns how many persons were folded again. Nothing on a store
    /// without tables beside the events.
    @discardableResult
    public func catchUp() throws -> Int {
        if case .atHead(let documents) = ports.readModels {
            return try catchUp(documents, head: try store.head().position).refolded
        }
        guard case .beside(let tables) = ports.readModels, !store.isReadOnly else { return 0 }
        return try tables.writingModel(Self.schema) { tx in
            try tx.createTables()
            let head = try tx.head()
            guard let model = try tx.state(), model.logicVersion == Self.schema.logicVersion else {
                try tx.recreate(.maintained)
                let built = try Self.fill(tx, .maintained, through: head)
                try tx.setPosition(head)
                return built.persons
            }
            guard model.position < head else { return 0 }
            return try Self.advance(tx, from: model.position, to: head)
        }
    }

    /// Folds every person's stream from position zero into a fresh table and compares it with
    /// the maintained one (caught up to the same head first); swaps it in unless `check`.
    public func rebuild(check: Bool) throws -> Rebuild {
        guard case .beside(let tables) = ports.readModels else {
            throw KokiError(
                .invalidInput, "the stored read models live in a SQLite ledger file; \(store.location) folds instead")
        }
        return try tables.writingModel(Self.schema) { tx in
            try tx.createTables()
            let head = try tx.head()
            var comparedWith: Int64?
            if let model = try tx.state(), model.logicVersion == Self.schema.logicVersion {
                comparedWith = model.position
                if model.position < head { try Self.advance(tx, from: model.position, to: head) }
            }
            try tx.recreate(.rebuilt)
            let built = try Self.fill(tx, .rebuilt, through: head)
            let differences = comparedWith == nil ? [] : try tx.differences().map { try PersonID($0.key) }
            if check {
                try tx.dropRebuilt()
            } else {
                try tx.swapInRebuilt()
                try tx.setPosition(head)
            }
            return Rebuild(
                position: head, persons: built.persons, events: built.events, comparedWith: comparedWith,
                differences: differences, swapped: !check)
        }
    }

    // MARK: - In a PostgreSQL ledger's schema

    /// Brings the documents kept at the head (a PostgreSQL ledger's schema) up to `head`: every
    /// entry folded from the register's events when missing or of another form, else the persons
    /// with register events since folded again from their own streams. Returns the position and
    /// how many persons were folded.
    @discardableResult
    private func catchUp(_ documents: any HeadReadModelStore, head: Int64) throws -> (position: Int64, refolded: Int) {
        let model = try documents.readModelState(Self.schema)
        let read: Events = { try StoredEvents.forEach(in: store, $0, $1) }
        guard let model, model.logicVersion == Self.schema.logicVersion else {
            let register = try Self.folded(through: head, read)
            try documents.storeReadModel(
                Self.schema, documents: try register.persons.values.map(Self.document), replacing: nil, position: head)
            return (head, register.persons.count)
        }
        guard model.position < head else { return (model.position, 0) }
        var query = EventQuery.from(position: model.position + 1)
        query.throughPosition = head
        query.types = InsuredRegister.eventTypes
        query.readsEnvelopes = false
        var touched = Set<PersonID>()
        try read(query) { _, event in if let person = event.person { touched.insert(person) } }
        let persons = touched.sorted()
        var entries: [(key: String, part: Int64, json: [UInt8])] = []
        for person in persons {
            if let entry = try Self.fold(read, person, through: head).entry { entries.append(try Self.document(entry)) }
        }
        try documents.storeReadModel(Self.schema, documents: entries, replacing: persons.map(\.value), position: head)
        return (head, persons.count)
    }

    /// An entry as a document: the span columns and the entry's bytes (base64), as JSON.
    private struct Document: Codable {
        var insuredFrom: Int64?
        var insuredUntil: Int64?
        var entry: Data
    }

    private static func document(_ person: InsuredRegister.Person) throws -> (key: String, part: Int64, json: [UInt8]) {
        let row = person.row
        let document = Document(insuredFrom: row.values[0], insuredUntil: row.values[1], entry: Data(row.document ?? []))
        return (row.key, row.part, Array(try JSONEncoder().encode(document)))
    }

    private static func read(_ documents: any HeadReadModelStore) throws -> InsuredRegister {
        let decoder = JSONDecoder()
        var register = InsuredRegister()
        for json in try documents.readModelDocuments(schema, key: nil) {
            let document = try decoder.decode(Document.self, from: Data(json))
            register.insert(
                try entry(ReadModelRow(key: "(document)", part: 0, values: [], document: Array(document.entry))))
        }
        return register
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

    /// Every person's row into `table`, one person at a time.
    static func fill(_ tx: any ReadModelTransaction, _ table: ReadModelTable, through: Int64) throws -> (
        persons: Int, events: Int
    ) {
        var (persons, events) = (0, 0)
        for key in try tx.keys() {
            let folded = try fold(tx, try PersonID(key), through: through)
            events += folded.events
            guard let entry = folded.entry else { continue }
            try tx.insert([entry.row], into: table)
            persons += 1
        }
        return (persons, events)
    }

    /// Brings the maintained table from `from` to `to`: the persons whose streams grew folded
    /// again and the position recorded. Returns how many persons.
    @discardableResult
    static func advance(_ tx: any ReadModelTransaction, from: Int64, to: Int64) throws -> Int {
        let touched = try tx.keysChanged(after: from, through: to)
        for key in touched {
            try tx.deleteRows(of: key)
            if let entry = try fold(tx, try PersonID(key), through: to).entry {
                try tx.insert([entry.row], into: .maintained)
            }
        }
        try tx.setPosition(to)
        return touched.count
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

    /// One row per person: the span of their eligibility (the first period's start and the last
    /// one's end, days since 1970; NULL: never insured, or still insured) to find who may be
    /// insured on a date without decoding everyone, and the entry as a document.
    static let schema = ReadModelSchema(
        name: name, logicVersion: InsuredRegister.storedVersion, table: "rm_register", keyColumn: "person",
        partColumn: "part",
        columns: [ReadModelSchema.Column("insured_from", nullable: true), ReadModelSchema.Column("insured_until", nullable: true)],
        keyStreamPrefix: "person/", document: true)

    static func readTable(_ tx: any ReadModelTransaction) throws -> InsuredRegister {
        var register = InsuredRegister()
        try tx.forEachRow(in: .maintained, key: nil, part: nil) { register.insert(try entry($0)) }
        return register
    }

    /// A row's entry; one that does not decode is damage, named.
    static func entry(_ row: ReadModelRow) throws -> InsuredRegister.Person {
        do {
            return try InsuredRegister.Person(stored: row.document ?? [])
        } catch {
            throw KokiError(.undecodableEvent, "the stored register entry of \(row.key) is damaged: \(error)")
        }
    }
}

extension StoredRegister {
    /// Everyone insured on `date`, by number, as the ledger stands now: from the table (caught up
    /// first on a writable ledger), decoding only the entries whose eligibility spans the date;
    /// folded from the register's events on a store without the table.
    public func insured(on date: CivilDate) throws -> [InsuredRegister.Person] {
        guard case .beside(let tables) = ports.readModels else { return try register().register.insured(on: date) }
        try catchUp()
        return try tables.readingModel(Self.schema) { tx in
            let head = try tx.head()
            guard let model = try tx.state(), model.logicVersion == Self.schema.logicVersion, model.position == head
            else {
                return try Self.folded(through: head) { try StoredEvents.forEach(in: tx, $0, $1) }.insured(on: date)
            }
            var insured: [InsuredRegister.Person] = []
            try tx.forEachRow(
                in: .maintained, holding: Int64(date.daysSinceEpoch), from: "insured_from", until: "insured_until"
            ) { row in
                let person = try Self.entry(row)
                if person.isInsured(on: date) { insured.append(person) }
            }
            return insured
        }
    }
}

extension InsuredRegister.Person {
    /// The entry as the store keeps it.
    var row: ReadModelRow {
        let periods = eligibilityPeriods
        let from = periods.first.map { Int64($0.from.daysSinceEpoch) }
        // Open when the last period is, or when there is none (then `from` is NULL: never found).
        let until = periods.last?.until.map { Int64($0.daysSinceEpoch) }
        return ReadModelRow(key: id.value, part: 0, values: [from, until], document: stored)
    }
}
