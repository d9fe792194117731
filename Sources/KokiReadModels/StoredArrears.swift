import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// The stored read model of arrears: for each person the delinquent list (滞納者一覧), a dunning
/// run or a reminder run has decided, their ``ArrearsFacts`` as their stream stands at the
/// model's position, in the ledger file (`rm_arrears`, one row a person: the facts in the event
/// codec's binary form), with the position and logic version it reflects (`rm_models`).
///
/// The list picks its candidates from the stored balances, then decides each from their facts:
/// the late fee to the day asked, the prescription, the periods on the list (the runs pick by
/// them whom to load). Facts kept here are read; the others are folded from the person's stream
/// once and kept, so a fresh process answers the next list in time proportional to the
/// candidates, not to their histories.
///
/// - **Never stale.** Catching up (before every list, and as a batch run finishes) drops the
///   facts of every person whose stream grew since the model's position, in one transaction:
///   a row present reflects its person's whole stream at the model's position. A list at that
///   position folds again only the candidates without a row, and keeps them.
/// - **Only the persons asked about.** Rows are written by the list and the runs for their
///   candidates, not for the whole city: a person who never owed past a due date has none.
/// - **Rebuilt on demand, and whenever its logic changed.** ``rebuild(check:)`` folds every kept
///   person's stream again from position zero and compares; a table of another logic version is
///   dropped at the next catch-up, never read.
/// - **In a PostgreSQL ledger**, the same facts are documents in its schema (`rm_arrears`, one a
///   person: their number and the facts' bytes in base64), kept the same way: a list reads the
///   documents of its candidates with the position they reflect in one snapshot, passes by those
///   whose streams grew since, and writes what it folded with the rows of those persons replaced,
///   in one transaction, unless another process brought the documents that far already.
/// - On a replay copy (no tables), or for a position before the head, the list folds its
///   candidates' streams, as it did before.
public struct StoredArrears: Sendable {
    public static let name = "arrears"
    /// The version of the facts' logic and stored form: a table of another is never read.
    public static var logicVersion: Int { CollectionAccounts.logicVersion * 1_000 + 2 }

    let ports: LedgerPorts

    public init(_ ports: LedgerPorts) { self.ports = ports }

    private var store: any EventStore { ports.events }

    public typealias Rebuild = PersonTableRebuild
    public typealias Status = PersonTableStatus

    /// The tables beside the events, where the ledger keeps them.
    private var tables: (any ReadModelStore)? {
        guard case .beside(let tables) = ports.readModels else { return nil }
        return tables
    }

    /// The documents kept at the head, in a PostgreSQL ledger's schema.
    private var documents: (any HeadReadModelStore)? {
        guard case .atHead(let documents) = ports.readModels else { return nil }
        return documents
    }

    // MARK: - Queries

    /// The facts kept for `persons` as the ledger stands at `position` (its head as the caller
    /// read it), the model brought to that position first; `nil` when the ledger keeps no such
    /// table, or the model stands past `position` (another process caught it up meanwhile) or,
    /// on a read-only ledger, elsewhere. A person missing from the answer has no row: fold them.
    public func kept(_ persons: [PersonID], at position: Int64) throws -> [PersonID: ArrearsFacts]? {
        if let documents { return try kept(documents, persons, at: position) }
        guard let tables else { return nil }
        if !store.isReadOnly {
            let current = try tables.writingModel(Self.schema) { tx in try Self.bring(tx, to: position) != nil }
            guard current else { return nil }
        }
        return try tables.readingModel(Self.schema) { tx -> [PersonID: ArrearsFacts]? in
            guard let model = try tx.state(), model.logicVersion == Self.logicVersion, model.position == position
            else { return nil }
            var facts: [PersonID: ArrearsFacts] = [:]
            try tx.forEachRow(in: .maintained, keys: Set(persons.map(\.value)), part: nil) { row in
                facts[try PersonID(row.key)] = try Self.facts(row)
            }
            return facts
        }
    }

    /// Keeps the facts of persons folded through `position`: those whose streams did not grow
    /// since are written (replacing any row), the model brought to the head meanwhile. Nothing on
    /// a ledger that keeps no such table or is read-only.
    public func keep(_ facts: [PersonID: ArrearsFacts], foldedThrough position: Int64) throws {
        if let documents { return try keep(documents, facts, at: position) }
        guard let tables, !store.isReadOnly, !facts.isEmpty else { return }
        try tables.writingModel(Self.schema) { tx in
            // At `position`, then at the head: the persons whose streams grew since are dropped,
            // and their facts, folded before, not kept.
            guard try Self.bring(tx, to: position) != nil, let grown = try Self.bring(tx, to: try tx.head()) else {
                return
            }
            let unchanged = facts.filter { !grown.contains($0.key.value) }.sorted { $0.key < $1.key }
            try tx.replace(unchanged.map { Self.row($0.key, $0.value) })
        }
    }

    /// Brings the table to the head: the rows of every person whose stream grew since dropped
    /// (a missing table, or one of another logic, made empty). Returns how many rows were
    /// dropped. Nothing where the ledger keeps no such table or is read-only.
    @discardableResult
    public func catchUp() throws -> Int {
        if let documents {
            let before = try documents.readModelCount(Self.schema)
            try keep(documents, [:], at: try store.head().position)
            return max(0, before - (try documents.readModelCount(Self.schema)))
        }
        guard let tables, !store.isReadOnly else { return 0 }
        return try tables.writingModel(Self.schema) { tx in
            try tx.createTables()
            let before = try tx.count()
            try Self.bring(tx, to: try tx.head())
            return max(0, before - (try tx.count()))
        }
    }

    public func status() throws -> Status {
        if let documents {
            let model = try documents.readModelState(Self.schema)
            return Status(
                position: model?.position, logicVersion: model?.logicVersion,
                rows: try documents.readModelCount(Self.schema))
        }
        guard let tables else { return Status(rows: 0) }
        return try tables.readingModel(Self.schema) { tx in
            guard let model = try tx.state() else { return Status(rows: 0) }
            return Status(position: model.position, logicVersion: model.logicVersion, rows: try tx.count())
        }
    }

    /// Every kept person's facts folded again from their stream through the head (the table
    /// caught up first) and compared with the kept ones; swapped in unless `check`. Where the
    /// ledger keeps no such table, nothing to compare: an empty report at the head.
    public func rebuild(check: Bool) throws -> Rebuild {
        if let documents { return try rebuild(documents, check: check) }
        guard let tables, !store.isReadOnly else {
            return Rebuild(
                position: try store.head().position, persons: 0, events: 0, comparedWith: nil, differences: [],
                swapped: false)
        }
        return try tables.writingModel(Self.schema) { tx in
            let before = try tx.state()
            let comparedWith = before.flatMap { $0.logicVersion == Self.logicVersion ? $0.position : nil }
            let head = try tx.head()
            try Self.bring(tx, to: head)
            let kept = try Self.keptRows(tx)
            let folded = try Self.folded(tx, kept.map(\.0), through: head)
            var (differences, fresh) = ([PersonID](), [ReadModelRow]())
            for (i, (person, bytes)) in kept.enumerated() {
                let row = Self.row(person, folded.pass.facts(of: i))
                if row.document != bytes { differences.append(person) }
                fresh.append(row)
            }
            if !check { try tx.replace(fresh) }
            return Rebuild(
                position: head, persons: kept.count, events: folded.events, comparedWith: comparedWith,
                differences: comparedWith == nil ? [] : differences, swapped: !check)
        }
    }

    /// Every kept person with their row's bytes, in key order.
    private static func keptRows(_ tx: any ReadModelTransaction) throws -> [(PersonID, [UInt8])] {
        var kept: [(PersonID, [UInt8])] = []
        try tx.forEachRow(in: .maintained, key: nil, part: nil) { row in
            kept.append((try PersonID(row.key), row.document ?? []))
        }
        return kept
    }

    /// Every kept person's facts folded again the way a rebuild did before: each whole stream read,
    /// every event decoded and the account's folded, on this thread. The baseline the benchmarks
    /// measure ``rebuild(check:)``'s fold against: how many persons, how many events were decoded,
    /// and whether every row came out as kept. Nothing where the ledger keeps no such table.
    @_spi(Reference)
    public func refoldedWhole() throws -> (persons: Int, events: Int, equal: Bool) {
        guard let tables else { return (0, 0, true) }
        return try tables.readingModel(Self.schema) { tx in
            guard let through = try tx.state()?.position else { return (0, 0, true) }
            let kept = try Self.keptRows(tx)
            var (events, equal) = (0, true)
            for (person, bytes) in kept {
                var account = CollectionAccounts.Account()
                var query = EventQuery.stream(try StreamName(person.streamName))
                query.throughPosition = through
                query.readsEnvelopes = false
                try StoredEvents.forEach(in: tx, query) { _, event in
                    events += 1
                    if CollectionAccounts.Account.folds(event) { account.apply(event) }
                }
                equal = equal && Self.row(person, ArrearsFacts(account)).document == bytes
            }
            return (kept.count, events, equal)
        }
    }

    // MARK: - In a PostgreSQL ledger's schema

    /// The documents of `persons` and the position they reflect, read in one snapshot; those whose
    /// streams grew between it and `position` passed by. `nil` when the documents stand past
    /// `position`; none when there are none of this logic.
    private func kept(_ documents: any HeadReadModelStore, _ persons: [PersonID], at position: Int64) throws
        -> [PersonID: ArrearsFacts]?
    {
        let read = try documents.readModel(Self.schema, .keys(persons.map(\.value)), field: nil)
        guard let model = read.state, model.logicVersion == Self.logicVersion else { return [:] }
        guard model.position <= position else { return nil }
        let grown = model.position < position ? try grownKeys(after: model.position, through: position) : []
        var facts: [PersonID: ArrearsFacts] = [:]
        for (person, kept) in try Self.facts(read.documents) where !grown.contains(person.value) {
            facts[person] = kept
        }
        return facts
    }

    /// Writes the facts folded through `position`, the documents of every person whose stream
    /// grew since the documents' position dropped (all of them when there are none of this
    /// logic), in one transaction; nothing when the documents stand at `position` or past it
    /// already.
    private func keep(_ documents: any HeadReadModelStore, _ facts: [PersonID: ArrearsFacts], at position: Int64)
        throws
    {
        let model = try documents.readModelState(Self.schema)
        let base = model.flatMap { $0.logicVersion == Self.logicVersion ? $0.position : nil }
        if let base, base >= position { return }
        let replacing = try base.map { base in
            Set(try grownKeys(after: base, through: position)).union(facts.keys.map(\.value)).sorted()
        }
        try documents.storeReadModel(
            Self.schema, documents: try facts.sorted { $0.key < $1.key }.map { try Self.document($0.key, $0.value) },
            replacing: replacing, position: position)
    }

    /// In a PostgreSQL ledger's schema: the documents caught up, then each kept person folded
    /// again from their stream through that position and compared; replaced unless `check`.
    private func rebuild(_ documents: any HeadReadModelStore, check: Bool) throws -> Rebuild {
        let before = try documents.readModelState(Self.schema)
        let comparedWith = before.flatMap { $0.logicVersion == Self.logicVersion ? $0.position : nil }
        try keep(documents, [:], at: try store.head().position)
        let read = try documents.readModel(Self.schema)
        let position = try read.state?.position ?? store.head().position
        let kept = try Self.facts(read.documents)
        var (events, differences, fresh) = (0, [PersonID](), [PersonID: ArrearsFacts]())
        for (person, facts) in kept.sorted(by: { $0.key < $1.key }) {
            let folded = try Self.fold({ try StoredEvents.forEach(in: store, $0, $1) }, person, through: position)
            events += folded.events
            if folded.facts != facts { differences.append(person) }
            fresh[person] = folded.facts
        }
        if !check {
            let rows = try fresh.sorted { $0.key < $1.key }.map { try Self.document($0.key, $0.value) }
            try documents.storeReadModel(Self.schema, documents: rows, replacing: nil, position: position)
        }
        return Rebuild(
            position: position, persons: kept.count, events: events, comparedWith: comparedWith,
            differences: comparedWith == nil ? [] : differences, swapped: !check)
    }

    /// The persons whose streams gained events in `(after, through]`.
    private func grownKeys(after: Int64, through: Int64) throws -> Set<String> {
        var query = EventQuery.from(position: after + 1)
        query.throughPosition = through
        query.readsEnvelopes = false
        let prefix = Self.schema.keyStreamPrefix
        var grown = Set<String>()
        try store.forEachEvent(query) { view in
            let stream = view.stream.value
            if stream.hasPrefix(prefix) { grown.insert(String(stream.dropFirst(prefix.count))) }
        }
        return grown
    }

    /// A person's facts as a document: their number and the facts' bytes (base64), as JSON.
    private struct Document: Codable {
        var person: String
        var facts: Data
    }

    private static func document(_ person: PersonID, _ facts: ArrearsFacts) throws -> (
        key: String, part: Int64, json: [UInt8]
    ) {
        let bytes = row(person, facts).document ?? []
        return (person.value, 0, Array(try JSONEncoder().encode(Document(person: person.value, facts: Data(bytes)))))
    }

    /// The facts the documents hold, by person; damage named.
    private static func facts(_ documents: [[UInt8]]) throws -> [PersonID: ArrearsFacts] {
        let decoder = JSONDecoder()
        var facts: [PersonID: ArrearsFacts] = [:]
        for (i, json) in documents.enumerated() {
            guard let document = try? decoder.decode(Document.self, from: Data(json)) else {
                throw KokiError(.undecodableEvent, "the stored arrears in document \(i + 1) are not ones koki wrote")
            }
            let person = try PersonID(document.person)
            facts[person] = try Self.facts(
                ReadModelRow(key: document.person, part: 0, values: [], document: Array(document.facts)))
        }
        return facts
    }

    // MARK: - Folding

    /// One person's facts from their whole stream through a position, and the events read.
    static func fold(_ tx: any ReadModelTransaction, _ person: PersonID, through: Int64) throws -> (
        facts: ArrearsFacts, events: Int
    ) {
        try fold({ try StoredEvents.forEach(in: tx, $0, $1) }, person, through: through)
    }

    /// Every one of `persons`' facts folded from their streams through `through`, read one
    /// after another on this thread while a folding thread decodes and folds them (the two
    /// overlap on two cores, where one thread did both): a rebuild's kept persons.
    static func folded(_ tx: any ReadModelTransaction, _ persons: [PersonID], through: Int64) throws -> (
        pass: ArrearsPass, events: Int
    ) {
        let pass = ArrearsPass(persons: persons.count)
        let events = try PassScan.fold(persons: persons, into: pass) { take in
            for (i, person) in persons.enumerated() {
                try tx.forEachEvent(try Self.query(person, through: through)) { try take(Int32(i), $0) }
            }
        }
        pass.finish()
        return (pass, events)
    }

    /// A person's events an account folds, through a position.
    private static func query(_ person: PersonID, through: Int64) throws -> EventQuery {
        var query = EventQuery.stream(try StreamName(person.streamName))
        query.throughPosition = through
        query.readsEnvelopes = false
        // The others (incomes, the union's decisions, pension facts) never change an account.
        query.types = CollectionAccounts.Account.eventTypes
        return query
    }

    /// The same from any store's events (`events` reads a query's, decoded).
    static func fold(
        _ events: (EventQuery, (borrowing EventView, KokiEvent) throws -> Void) throws -> Void, _ person: PersonID,
        through: Int64
    ) throws -> (facts: ArrearsFacts, events: Int) {
        var account = CollectionAccounts.Account()
        let query = try Self.query(person, through: through)
        var count = 0
        try events(query) { _, event in
            count += 1
            if CollectionAccounts.Account.folds(event) { account.apply(event) }
        }
        return (ArrearsFacts(account), count)
    }

    /// The facts of `persons`, each folded from their own stream through `position` (the streams
    /// read together: one round trip on PostgreSQL). A person without events has no periods.
    public static func folded(in store: any EventStore, _ persons: [PersonID], through position: Int64) throws
        -> [PersonID: ArrearsFacts]
    {
        var byStream: [String: PersonID] = [:]
        for person in persons { byStream[person.streamName] = person }
        var accounts: [PersonID: CollectionAccounts.Account] = [:]
        let streams = try persons.map { try StreamName($0.streamName) }
        try StoredEvents.forEach(
            in: store, inStreams: streams, through: position, types: CollectionAccounts.Account.eventTypes
        ) { view, event in
            guard CollectionAccounts.Account.folds(event), let person = byStream[view.stream.value] else { return }
            accounts[person, default: CollectionAccounts.Account()].apply(event)
        }
        var facts: [PersonID: ArrearsFacts] = [:]
        for person in persons { facts[person] = accounts[person].map { ArrearsFacts($0) } ?? ArrearsFacts(periods: []) }
        return facts
    }

    // MARK: - The table

    /// Brings the maintained table to `position`: made (empty) when missing or of another logic;
    /// the rows of the persons whose streams grew in between dropped. Returns those persons'
    /// keys (none for a table made anew); `nil` when it stands past `position` already.
    @discardableResult
    private static func bring(_ tx: any ReadModelTransaction, to position: Int64) throws -> Set<String>? {
        try tx.createTables()
        guard let model = try tx.state(), model.logicVersion == logicVersion else {
            try tx.recreate(.maintained)
            try tx.setPosition(position)
            return []
        }
        guard model.position <= position else { return nil }
        guard model.position < position else { return [] }
        let grown = try tx.keysChanged(after: model.position, through: position)
        for key in grown { try tx.deleteRows(of: key) }
        try tx.setPosition(position)
        return Set(grown)
    }

    /// One row a person: their facts in the event codec's binary form.
    static let schema = ReadModelSchema(
        name: name, logicVersion: logicVersion, table: "rm_arrears", keyColumn: "person", partColumn: "part",
        columns: [], keyStreamPrefix: "person/", document: true)

    static func row(_ person: PersonID, _ facts: ArrearsFacts) -> ReadModelRow {
        var writer = BinaryWriter(capacity: 64 * max(1, facts.periods.count))
        writer.write(facts)
        return ReadModelRow(key: person.value, part: 0, values: [], document: writer.bytes)
    }

    /// The facts a row keeps; damage names the person.
    static func facts(_ row: ReadModelRow) throws -> ArrearsFacts {
        do {
            return try (row.document ?? []).withUnsafeBytes { buffer in
                var reader = BinaryReader(buffer)
                let facts = try ArrearsFacts(from: &reader)
                try reader.expectEnd()
                return facts
            }
        } catch {
            throw KokiError(.undecodableEvent, "the stored arrears of \(row.key) are damaged: \(error)")
        }
    }
}

/// The arrears facts of persons whose streams are read one after another (a person's events
/// arrive together, in order), folded on a pass's folding thread: each person's account is
/// folded, made their facts and let go when the next person's events begin, so only one account
/// is held at a time.
final class ArrearsPass: PassFolder, @unchecked Sendable {
    private var facts: [ArrearsFacts?]
    private var current = -1
    private var account = CollectionAccounts.Account()

    init(persons: Int) { facts = Array(repeating: nil, count: persons) }

    func wants(_ i: Int, at position: Int64, version: Int64) -> Bool { true }

    func decodes(_ type: String) -> Bool { CollectionAccounts.Account.eventTypes.contains(type) }

    func fold(_ i: Int, _ event: KokiEvent) {
        if i != current {
            finish()
            current = i
        }
        if CollectionAccounts.Account.folds(event) { account.apply(event) }
    }

    /// The person being folded made their facts: at the next person, and once the pass is done.
    func finish() {
        if current >= 0 { facts[current] = ArrearsFacts(account) }
        account = CollectionAccounts.Account()
        current = -1
    }

    /// Person `i`'s facts (no periods for a person without an event an account folds).
    func facts(of i: Int) -> ArrearsFacts { facts[i] ?? ArrearsFacts(CollectionAccounts.Account()) }
}
