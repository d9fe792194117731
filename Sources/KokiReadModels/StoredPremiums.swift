import Foundation
import KokiDomain
import KokiEvents
import LedgerStore

/// The stored read model of where each person's premium of each fiscal year is (賦課の所在): for
/// every person and fiscal year assessed, the positions of the year's first assessment, of the
/// one in force, and of the last stop of its pension deduction — rows in the ledger file
/// (`rm_premiums`) or documents in a PostgreSQL schema, with the position and logic version they
/// reflect (`rm_models`).
///
/// The pension runs (`pension selection`, `pension provisional`, `pension notify`) read a year's
/// rows and then only those events, where a fresh process folded the whole city before: time
/// and memory proportional to the year's persons, not to the ledger's history.
///
/// - **Found through the index by event type, never by folding streams.** Only two types make a
///   row (``PremiumAssessed`` and ``PensionDeductionStopped``); catching up reads those recorded
///   since the rows' position, and building from zero reads every one.
/// - **Caught up, never half a command.** A writable ledger brings the rows up to the head in one
///   transaction before answering; a read-only ledger's rows are read only when they reflect its
///   head (else `nil`: the caller folds).
/// - **Rebuilt from zero on demand** (`koki rebuild`), compared with the maintained rows in the
///   store; rows of another ``logicVersion`` are never read.
public struct StoredPremiums: Sendable {
    public static let name = "premiums"
    /// The version of the logic (and of the stored form) that fills the rows.
    public static let logicVersion = 1

    let ports: LedgerPorts

    public init(_ ports: LedgerPorts) { self.ports = ports }

    private var store: any EventStore { ports.events }

    public typealias Rebuild = PersonTableRebuild
    public typealias Status = PersonTableStatus

    /// Where one person's premium of one fiscal year is.
    public struct Year: Sendable, Hashable, Codable {
        public var person: PersonID
        public var fiscalYear: FiscalYear
        /// The year's first assessment (it records why the year is collected as it is).
        public var first: Int64
        /// The assessment in force: the last recorded.
        public var current: Int64
        /// The year's last stop of deduction from the pension, if any.
        public var stop: Int64?
    }

    /// The event types a row follows.
    public static let eventTypes: Set<String> = [PremiumAssessed.eventType, PensionDeductionStopped.eventType]

    // MARK: - Reading

    /// Every person's year `fiscalYear` as the ledger stands now, by person, and the position the
    /// rows reflect (caught up first where the ledger is writable); `nil` where the ledger keeps
    /// no rows or a read-only ledger's rows do not reflect its head: the caller folds instead.
    public func year(_ fiscalYear: FiscalYear) throws -> (years: [Year], position: Int64)? {
        try rows(part: Int64(fiscalYear.year))
    }

    /// The year `fiscalYear` by person, a slice of persons at a time, each slice with the events
    /// at the positions `positions` names of its rows (decoded, by position): what a pension run
    /// reads, in memory proportional to a slice. Returns the position the rows reflect; `nil`
    /// (nothing read) as ``year(_:)`` says.
    public func forEachSlice(
        of fiscalYear: FiscalYear, reading positions: (Year) -> [Int64], slice size: Int = 2_000,
        _ body: (ArraySlice<Year>, [Int64: KokiEvent]) throws -> Void
    ) throws -> Int64? {
        guard let year = try year(fiscalYear) else { return nil }
        let years = year.years.sorted { $0.person < $1.person }
        for start in stride(from: 0, to: years.count, by: size) {
            let slice = years[start..<min(years.count, start + size)]
            var events: [Int64: KokiEvent] = [:]
            try StoredEvents.forEach(in: store, at: slice.flatMap(positions)) { view, event in
                events[view.position] = event
            }
            try body(slice, events)
        }
        return year.position
    }

    /// Every row, by person and fiscal year (for the tests and `rebuild`'s comparisons).
    public func all() throws -> [Year]? { try rows(part: nil)?.years }

    /// The rows of one fiscal year (every row: `nil`) and the position they reflect, caught up
    /// first where the ledger is writable; `nil` as ``year(_:)`` says.
    private func rows(part: Int64?) throws -> (years: [Year], position: Int64)? {
        switch ports.readModels {
        case .none: return nil
        case .atHead(let documents):
            try catchUp(documents, head: try store.head().position)
            let read = try documents.readModel(Self.schema, part.map { .part($0) } ?? .all, field: nil)
            guard let state = read.state else { return nil }
            return (try read.documents.map(Self.year(document:)), state.position)
        case .beside(let tables):
            if !store.isReadOnly { try catchUp() }
            return try tables.readingModel(Self.schema) { tx in
                let head = try tx.head()
                guard let model = try tx.state(), model.logicVersion == Self.logicVersion, model.position == head else {
                    return nil
                }
                var years: [Year] = []
                try tx.forEachRow(in: .maintained, key: nil, part: part) { years.append(try Self.year(row: $0)) }
                return (years, head)
            }
        }
    }

    public func status() throws -> Status {
        switch ports.readModels {
        case .none: return Status(rows: 0)
        case .atHead(let documents):
            let model = try documents.readModelState(Self.schema)
            return Status(
                position: model?.position, logicVersion: model?.logicVersion,
                rows: try documents.readModelCount(Self.schema))
        case .beside(let tables): return try Self.tables.status(tables)
        }
    }

    // MARK: - Maintenance

    /// Brings the rows up to the head (built from zero when missing or of another logic), in one
    /// transaction; returns how many persons' rows changed. Nothing on a store that keeps none.
    @discardableResult
    public func catchUp() throws -> Int {
        switch ports.readModels {
        case .none: return 0
        case .atHead(let documents): return try catchUp(documents, head: try store.head().position)
        case .beside(let tables):
            guard !store.isReadOnly else { return 0 }
            return try Self.tables.catchUp(tables)
        }
    }

    /// Fills fresh rows from zero and compares them with the maintained ones (caught up to the
    /// same head first); swaps them in unless `check`.
    ///
    /// In a PostgreSQL ledger's schema: the documents caught up, then every row filled from zero
    /// through the position they reflect, a pass of persons at a time, and compared and written a
    /// slice of persons at a time (each slice's documents read back by their range of keys), so
    /// neither the documents nor the new rows are held whole. Unless `check`, the new rows replace
    /// the old in one transaction.
    public func rebuild(check: Bool) throws -> Rebuild {
        try rebuild(check: check, personsPerPass: Self.personsPerPass, personsPerSlice: StoredRegister.sliceAtHead)
    }

    /// How many persons' rows a schema's fill holds at once. Not ``PassScan/personsPerPass``:
    /// each pass here reads the premiums' events through the index by type again (no temporary
    /// copy, nothing filled beside the next pass), and a person's rows are small (a year in 32
    /// bytes). With the 75,000 of a file's passes, two years of Matsudo (82,600 persons) took two
    /// reads, 5.0–5.1 s where one took 3.5 s.
    static let personsPerPass = 150_000

    /// ``rebuild(check:)`` with a schema's passes and slices of the sizes given (the tests make
    /// them small, so that a small city takes several).
    @_spi(Reference)
    public func rebuild(check: Bool, personsPerPass: Int, personsPerSlice: Int) throws -> Rebuild {
        guard case .atHead(let documents) = ports.readModels else {
            return try Self.tables.rebuild(ports, check: check)
        }
        return try Overtaken.retrying {
            let sizes = (pass: personsPerPass, slice: personsPerSlice)
            let before = try documents.readModelState(Self.schema)
            try catchUp(documents, head: try store.head().position)
            guard let caught = try documents.readModelState(Self.schema), caught.logicVersion == Self.logicVersion
            else {
                throw KokiError(.invalidInput, "the premiums' documents changed form while being rebuilt: run it again")
            }
            let position = caught.position
            let comparedWith = before.flatMap { $0.logicVersion == Self.logicVersion ? $0.position : nil }
            let rebuilt = try SlicedRebuild<Year>(
                documents: documents, schema: Self.schema, what: "the premiums' documents", position: position
            ).run(
                check: check, comparing: comparedWith != nil,
                fill: { try filledInSlices(through: position, sizes, $0) },
                compare: { years, keys in
                    let kept = try documents.readModel(Self.schema, keys, field: nil)
                    guard let state = kept.state, state.logicVersion == Self.logicVersion else { return (nil, []) }
                    return (state.position, Self.differences(try kept.documents.map(Self.year(document:)), years))
                }, document: Self.document)
            return Rebuild(
                position: position, persons: rebuilt.persons, events: rebuilt.events, comparedWith: comparedWith,
                differences: rebuilt.differences, swapped: !check)
        }
    }

    /// The persons whose rows differ between those kept and those filled from zero (each a slice
    /// of the same keys), in either direction; a row kept more than once (a document copied under
    /// another key) names its person.
    static func differences(_ kept: [Year], _ filled: [Year]) -> Set<PersonID> {
        var copies: [Year: Int] = [:]
        for year in kept { copies[year, default: 0] += 1 }
        return Set(Set(kept).symmetricDifference(Set(filled)).map(\.person))
            .union(copies.filter { $0.value > 1 }.map(\.key.person))
    }

    /// Every row from zero through `position`, a pass of ``personsPerPass`` persons at a
    /// time (the two types' events read through the index by type, the pass's persons' folded),
    /// handed to `body` a slice of persons at a time in key order, with the range of keys the
    /// slice covers (``KeySlices``). Returns how many persons have a row, and how many events were
    /// folded.
    private func filledInSlices(
        through position: Int64, _ sizes: (pass: Int, slice: Int),
        _ body: (_ years: [Year], _ keys: DocumentFilter) throws -> Void
    ) throws -> (persons: Int, events: Int) {
        let persons = try KeySlices.persons(in: store, prefix: Self.schema.keyStreamPrefix)
        let slices = KeySlices(persons, personsPerPass: sizes.pass, personsPerSlice: sizes.slice)
        var (count, events, n) = (0, 0, 0)
        for (pass, slicesOfPass) in zip(slices.passes, slices.slices) {
            let years = try Self.scanned(
                read, after: 0, through: position, counting: &events, only: Set(pass.map(\.value))
            ) { _ in nil }
            var byPerson: [String: [Year]] = [:]
            for year in years.values { byPerson[year.person.value, default: []].append(year) }
            for slice in slicesOfPass {
                let rows = slice.flatMap { person in
                    (byPerson[person.value] ?? []).sorted { $0.fiscalYear < $1.fiscalYear }
                }
                count += slice.filter { byPerson[$0.value] != nil }.count
                try body(rows, slices.keys(n))
                n += 1
            }
        }
        if persons.isEmpty { try body([], .keyRange(from: nil, before: nil)) }
        return (count, events)
    }

    /// The store's events, read for a fold.
    private var read: (EventQuery, (borrowing EventView, KokiEvent) throws -> Void) throws -> Void {
        { try StoredEvents.forEach(in: store, $0, $1) }
    }

    // MARK: - Folding

    struct Key: Hashable {
        var person: String
        var year: Int
    }

    /// The rows the events of ``eventTypes`` in `(after, through]` make or change, read through
    /// the index by type: `stored` gives a row as it was kept (`nil`: none yet).
    static func scanned(
        _ events: (EventQuery, (borrowing EventView, KokiEvent) throws -> Void) throws -> Void, after: Int64,
        through: Int64, counting: inout Int, only persons: Set<String>? = nil, stored: (Key) throws -> Year?
    ) throws -> [Key: Year] {
        var years: [Key: Year] = [:]
        var query = EventQuery.from(position: after + 1)
        query.throughPosition = through
        query.types = eventTypes
        query.readsEnvelopes = false
        var count = 0
        let prefix = schema.keyStreamPrefix.count
        try withoutActuallyEscaping(stored) { stored in
            try events(query) { view, event in
                // Each event is on its person's own stream: a pass's persons are told by it.
                if let persons, !persons.contains(String(view.stream.value.dropFirst(prefix))) { return }
                count += 1
                try apply(event, at: view.position, to: &years, stored: stored)
            }
        }
        counting += count
        return years
    }

    /// What one event of ``eventTypes`` at `position` makes of the rows: `stored` gives a row as
    /// it was kept when the event's year is not among `years` yet.
    static func apply(
        _ event: KokiEvent, at position: Int64, to years: inout [Key: Year], stored: (Key) throws -> Year?
    ) throws {
        switch event {
        case .premiumAssessed(let e):
            let key = Key(person: e.person.value, year: e.fiscalYear.year)
            if var year = try years[key] ?? stored(key) {
                year.current = position
                years[key] = year
            } else {
                years[key] = Year(person: e.person, fiscalYear: e.fiscalYear, first: position, current: position)
            }
        case .pensionDeductionStopped(let e):
            // A stop follows the year's assessment; one with none is nothing a run reads.
            let key = Key(person: e.person.value, year: e.fiscalYear.year)
            if var year = try years[key] ?? stored(key) {
                year.stop = position
                years[key] = year
            }
        default: break
        }
    }

    // MARK: - The table

    /// A row per person and fiscal year: the three positions.
    static let schema = ReadModelSchema(
        name: name, logicVersion: logicVersion, table: "rm_premiums", keyColumn: "person", partColumn: "fiscal_year",
        columns: [
            ReadModelSchema.Column("first_position"), ReadModelSchema.Column("current_position"),
            ReadModelSchema.Column("stop_position", nullable: true),
        ], keyStreamPrefix: "person/")

    static let tables = PersonTables(
        schema: schema,
        fill: { tx, table, through, _ in try fill(tx, table, through: through) },
        fillByStreams: { tx, table, through in try fill(tx, table, through: through) },
        advance: { tx, from, to in try advance(tx, from: from, to: to) })

    /// Every person's rows into `table` from zero: the two types' events read in position order
    /// through the index by type, decoded and folded on a second core (``PassScan``) while the
    /// scan reads on. Every one of them is on its person's own stream, whose payloads name the
    /// person by the stream.
    static func fill(_ tx: any ReadModelTransaction, _ table: ReadModelTable, through: Int64) throws -> (
        persons: Int, events: Int
    ) {
        var query = EventQuery.through(position: through)
        query.types = eventTypes
        query.readsEnvelopes = false
        let persons = try tx.keys().map { try PersonID($0) }
        let pass = PremiumPass(persons: persons)
        let events = try PassScan.fold(tx, query, persons: persons, into: pass)
        return (try insert(pass, into: table, tx), events)
    }

    /// A pass's rows into `table`, in key order: how many persons have one.
    static func insert(_ pass: PremiumPass, into table: ReadModelTable, _ tx: any ReadModelTransaction) throws -> Int {
        var rows: [ReadModelRow] = []
        rows.reserveCapacity(10_000)
        try pass.forEachRow { year in
            rows.append(year.row)
            if rows.count == 10_000 {
                try tx.insert(rows, into: table)
                rows.removeAll(keepingCapacity: true)
            }
        }
        if !rows.isEmpty { try tx.insert(rows, into: table) }
        return pass.personsWithRows
    }

    static func advance(_ tx: any ReadModelTransaction, from: Int64, to: Int64) throws -> Int {
        var events = 0
        let years = try scanned(
            { try StoredEvents.forEach(in: tx, $0, $1) }, after: from, through: to, counting: &events
        ) { key in
            var kept: Year?
            try tx.forEachRow(in: .maintained, key: key.person, part: Int64(key.year)) { kept = try year(row: $0) }
            return kept
        }
        try tx.replace(years.values.map(\.row))
        try tx.setPosition(to)
        return Set(years.keys.map(\.person)).count
    }

    static func year(row: ReadModelRow) throws -> Year {
        guard row.values.count == 3, let first = row.values[0], let current = row.values[1] else {
            throw KokiError(.undecodableEvent, "the stored premium of \(row.key) FY\(row.part) is damaged")
        }
        return Year(
            person: try PersonID(row.key), fiscalYear: try FiscalYear(Int(row.part)), first: first, current: current,
            stop: row.values[2])
    }

    // MARK: - In a PostgreSQL ledger's schema

    /// Brings the documents up to `head`: built from every event of the two types when missing
    /// (or of another logic), else the rows those recorded since change, written in one
    /// transaction. Returns how many persons' rows changed.
    @discardableResult
    private func catchUp(_ documents: any HeadReadModelStore, head: Int64) throws -> Int {
        var events = 0
        guard let model = try documents.readModelState(Self.schema), model.logicVersion == Self.logicVersion else {
            var built = 0
            try documents.replaceReadModel(Self.schema, position: head) { write in
                built = try filledInSlices(through: head, (Self.personsPerPass, StoredRegister.sliceAtHead)) {
                    years, _ in try write(try years.map(Self.document))
                }.persons
                return .none
            }
            return built
        }
        guard model.position < head else { return 0 }
        // The persons the new events name, their kept rows read once.
        var persons = Set<String>()
        var query = EventQuery.from(position: model.position + 1)
        query.throughPosition = head
        query.types = Self.eventTypes
        query.readsEnvelopes = false
        try store.forEachEvent(query) { view in
            persons.insert(String(view.stream.value.dropFirst(Self.schema.keyStreamPrefix.count)))
        }
        guard !persons.isEmpty else {
            try documents.storeReadModel(Self.schema, documents: [], replacing: [], position: head)
            return 0
        }
        var kept: [Key: Year] = [:]
        for document in try documents.readModel(Self.schema, .keys(persons.sorted()), field: nil).documents {
            let year = try Self.year(document: document)
            kept[Key(person: year.person.value, year: year.fiscalYear.year)] = year
        }
        let changed = try Self.scanned(read, after: model.position, through: head, counting: &events) { kept[$0] }
        for (key, year) in changed { kept[key] = year }
        try documents.storeReadModel(
            Self.schema, documents: try kept.values.map(Self.document), replacing: persons.sorted(), position: head)
        return Set(changed.keys.map(\.person)).count
    }

    private static func document(_ year: Year) throws -> (key: String, part: Int64, json: [UInt8]) {
        (year.person.value, Int64(year.fiscalYear.year), Array(try JSONEncoder().encode(year)))
    }

    private static func year(document: [UInt8]) throws -> Year {
        do {
            return try JSONDecoder().decode(Year.self, from: Data(document))
        } catch {
            throw KokiError(.undecodableEvent, "a stored premium document is not one koki wrote: \(error)")
        }
    }
}

extension StoredPremiums.Year {
    var row: ReadModelRow {
        ReadModelRow(key: person.value, part: Int64(fiscalYear.year), values: [first, current, stop])
    }
}

/// The premiums' fill as a pass: each event's rows changed at its position, which the scan gives
/// just before the event.
///
/// Each person's years are kept in a list of their own, of the three positions and the year: 32
/// bytes a year, where a dictionary by person and year held each under its person's text twice
/// and in a table of spare buckets (about 1 KB a person at ten years).
final class PremiumPass: PassFolder, @unchecked Sendable {
    struct Entry {
        var year: FiscalYear
        var first: Int64
        var current: Int64
        /// The year's last stop; 0 for none (positions begin at 1).
        var stop: Int64 = 0
    }

    let persons: [PersonID]
    /// Per person, their years in the order first assessed.
    private(set) var years: [[Entry]]
    private var position: Int64 = 0

    init(persons: [PersonID]) {
        self.persons = persons
        years = Array(repeating: [], count: persons.count)
    }

    func wants(_ i: Int, at position: Int64, version: Int64) -> Bool {
        self.position = position
        return true
    }

    func fold(_ i: Int, _ event: KokiEvent) throws {
        // As ``StoredPremiums/apply(_:at:to:stored:)``: a year's first assessment makes its row,
        // a later one moves its current position, a stop is kept on the year's row (a stop of a
        // year never assessed makes none).
        switch event {
        case .premiumAssessed(let e):
            if let k = index(i, e.fiscalYear) {
                years[i][k].current = position
            } else {
                years[i].append(Entry(year: e.fiscalYear, first: position, current: position))
            }
        case .pensionDeductionStopped(let e):
            if let k = index(i, e.fiscalYear) { years[i][k].stop = position }
        default: break
        }
    }

    private func index(_ i: Int, _ year: FiscalYear) -> Int? {
        years[i].lastIndex { $0.year == year }
    }

    /// Every row, by person then fiscal year.
    func forEachRow(_ body: (StoredPremiums.Year) throws -> Void) rethrows {
        for i in persons.indices.sorted(by: { persons[$0] < persons[$1] }) {
            for entry in years[i].sorted(by: { $0.year < $1.year }) {
                try body(
                    StoredPremiums.Year(
                        person: persons[i], fiscalYear: entry.year, first: entry.first,
                        current: entry.current, stop: entry.stop == 0 ? nil : entry.stop))
            }
        }
    }

    /// How many persons have a row.
    var personsWithRows: Int { years.count { !$0.isEmpty } }
}
