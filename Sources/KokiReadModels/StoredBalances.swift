import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// The stored read model of balances: one ``YearBalance`` row per person and fiscal year in the
/// ledger file (`rm_balances`), with the position and logic version it reflects (`rm_models`),
/// and LZ4-compressed snapshots of it at earlier positions (`rm_snapshots`) and of what changed
/// between them (`rm_snapshot_deltas`).
///
/// - **Caught up, never half a command.** A writable ledger brings the table up to the head in
///   one transaction before answering: the persons whose streams gained events since are folded
///   again from their own streams and their rows replaced. Appends themselves do not pay for it,
///   so a batch run of 80,000 commands refolds each person it touched once, at the next query.
/// - **Rebuilt from zero on demand, and whenever its logic changed.** ``rebuild(check:)`` reads
///   the ledger in position order into a fresh table (each person's balances kept as compact
///   state, ``CompactBalances``) and compares it with the maintained one; it swaps
///   the new table in unless asked only to check. A table or snapshot of another
///   ``YearBalance/logicVersion`` is never read: the next catch-up rebuilds it.
/// - **Snapshots and deltas for the past.** A snapshot is the whole table at a position; a delta
///   is what changed between two positions (the rows of the persons whose streams grew). What the
///   ledger knew at position P is the newest snapshot at or before P, the deltas after it up to
///   P applied in order, and only the persons whose streams changed since the last of them folded
///   again through P. Every catch-up leaves a delta (its refolded persons' rows, a few kilobytes
///   for a day's work) and takes a snapshot whenever ``snapshotInterval`` events have passed
///   since the last; a rebuild takes one at its head, and with a checkpoint interval writes a
///   delta at every checkpoint and a snapshot every ``snapshotInterval`` events.
/// - Memory is one person's account at a time when catching up, whatever the ledger's length;
///   a fill from zero holds a pass's persons' compact states (``PassScan/personsPerPass``).
public struct StoredBalances: Sendable {
    public static let name = "balances"
    /// Events between automatic snapshots.
    public static let defaultSnapshotInterval: Int64 = 1_000_000

    let ports: LedgerPorts
    public var snapshotInterval: Int64
    /// How many persons' rows a PostgreSQL schema's catch-up reads at once to take a snapshot
    /// (the tests make it small, so that a small city takes several slices).
    public var personsPerSlice = StoredRegister.sliceAtHead

    /// The balances of the ledger behind `ports`: its events, and the tables beside them (or the
    /// PostgreSQL schema's) that hold the rows.
    public init(_ ports: LedgerPorts, snapshotInterval: Int64 = Self.defaultSnapshotInterval) {
        self.ports = ports
        self.snapshotInterval = snapshotInterval
    }

    private var store: any EventStore { ports.events }

    private func forEachEvent(_ query: EventQuery, _ body: (borrowing EventView, KokiEvent) throws -> Void) throws {
        try StoredEvents.forEach(in: store, query, body)
    }

    /// Where the rows of an answer came from.
    public enum Source: Sendable, Hashable {
        /// The maintained table, caught up to the head.
        case table(position: Int64)
        /// A snapshot at `position`, then `deltas` later changes applied, then `refolded` persons
        /// folded again up to the answer's position.
        case snapshot(position: Int64, deltas: Int, refolded: Int)
        /// Every person's stream folded (no table or snapshot could be used).
        case fold
    }

    public struct Answer: Sendable {
        public var rows: [YearBalance]
        /// The position the rows reflect.
        public var position: Int64
        public var source: Source
    }

    /// What catching up did.
    public struct CatchUp: Sendable, Hashable {
        public var from: Int64
        public var to: Int64
        public var refolded: Int
        /// The table was missing or of another logic version, and was built from zero.
        public var rebuilt: Bool
        public var snapshotTaken: Bool
    }

    public typealias Snapshot = ReadModelSnapshot

    public struct Status: Sendable, Codable {
        public var position: Int64?
        public var logicVersion: Int?
        public var rows: Int
        public var snapshots: [Snapshot]
        /// Deltas kept (of this logic version), and their bytes.
        public var deltas = 0
        public var deltaBytes = 0
    }

    /// A row of the rebuilt table that differs from the maintained one (`nil`: missing there).
    public struct Difference: Sendable, Hashable, Codable, CustomStringConvertible {
        public var person: PersonID
        public var fiscalYear: FiscalYear
        public var maintained: YearBalance?
        public var rebuilt: YearBalance?

        public var description: String {
            func show(_ row: YearBalance?) -> String {
                guard let r = row else { return "no row" }
                return
                    "assessed \(r.assessed.amount) credited \(r.credited.amount) outstanding \(r.outstanding.amount) overpaid \(r.overpaid.amount) reduced \(r.reduced.amount) written off \(r.writtenOff.amount) late fees \(r.lateFeeOutstanding.amount) open \(r.openPeriods) dunned \(r.dunnedPeriods) oldest open \(r.oldestOpenDue.map { "\($0)" } ?? "-") oldest late \(r.oldestLateDue.map { "\($0)" } ?? "-")"
            }
            return "\(person) FY\(fiscalYear.year): maintained \(show(maintained)); rebuilt \(show(rebuilt))"
        }
    }

    public struct Rebuild: Sendable, Codable {
        public var position: Int64
        public var persons: Int
        public var events: Int
        public var rows: Int
        /// The maintained table's position before the rebuild (caught up first), or nil when
        /// there was none of this logic version to compare with.
        public var comparedWith: Int64?
        public var differences: [Difference]
        public var swapped: Bool
        /// The positions of the snapshots and deltas taken.
        public var snapshots: [Int64]
        public var deltas: [Int64]
        /// How many times it began (more than once: another process caught the model up while it
        /// was compared, ``Overtaken``).
        public var attempts = 1
    }

    /// A position the rebuild records the table at: whole (a snapshot) or as what changed since
    /// the checkpoint before (a delta).
    struct Checkpoint {
        var position: Int64
        var full: Bool
    }

    // MARK: - Queries

    /// The rows as the ledger stands now, or as it stood at `through`. A writable ledger's table
    /// is caught up first (and kept); a read-only one's is used only if it is at the position.
    public func rows(through: Int64? = nil) throws -> Answer {
        guard case .beside(let tables) = ports.readModels else { return try elsewhere(nil, through: through) }
        if !store.isReadOnly { try catchUp() }
        return try tables.readingModel(Self.schema) { tx in try rows(tx, through: try Self.position(tx, through)) }
    }

    /// One person's rows now (from the table, caught up first on a writable ledger) or as the
    /// ledger knew them at `through` (their own stream folded through it: a few hundred events,
    /// far cheaper than any snapshot of the whole city).
    public func rows(of person: PersonID, through: Int64? = nil) throws -> Answer {
        guard case .beside(let tables) = ports.readModels else {
            return try elsewhere(person, through: through)
        }
        if !store.isReadOnly && through == nil { try catchUp() }
        return try tables.readingModel(Self.schema) { tx in
            let position = try Self.position(tx, through)
            if let model = try tx.state(), model.logicVersion == YearBalance.logicVersion, model.position == position {
                let rows = try Self.readTable(tx, person: person.value)
                return Answer(rows: rows, position: position, source: .table(position: position))
            }
            return Answer(rows: try Self.fold(tx, person, through: position).rows, position: position, source: .fold)
        }
    }

    /// On PostgreSQL: the table in the ledger's schema, caught up first, for the head; for an
    /// earlier position, one person's stream folded, or everyone's rows from the schema's
    /// snapshots and deltas as a file reads its own (``past(_:through:)``). On any other store,
    /// folded from the events.
    private func elsewhere(_ person: PersonID?, through: Int64?) throws -> Answer {
        guard case .atHead(let store) = ports.readModels else { return try folded(person, through: through) }
        let head = try self.store.head().position
        let tables = HeadBalances(store: store)
        if let through, through != head {
            guard person == nil, (0...head).contains(through) else { return try folded(person, through: through) }
            return try past(tables, through: through)
        }
        try catchUp(tables, head: head)
        if let person {
            return Answer(rows: try tables.rows(of: person), position: head, source: .table(position: head))
        }
        // Every row with the position it reflects, read together: another process may have
        // brought the table further meanwhile.
        guard let kept = try tables.kept() else {
            throw KokiError(
                .undecodableEvent,
                "the balances in \(self.store.location) were caught up, then not found: was the table dropped meanwhile?"
            )
        }
        return Answer(rows: kept.rows, position: kept.position, source: .table(position: kept.position))
    }

    /// Every person's rows as the ledger stood at `through`, in a PostgreSQL schema: the newest
    /// snapshot at or before it, the deltas after it, and the persons whose streams changed since
    /// the last of those folded again through `through`. Without a snapshot, every person's rows
    /// filled from the events in position order (a pass's compact sums held, not every account).
    private func past(_ tables: HeadBalances, through: Int64) throws -> Answer {
        guard let kept = try tables.past(through: through) else {
            return Answer(rows: try filled(through: through), position: through, source: .fold)
        }
        var byPerson = kept.rows
        var touched = Set<PersonID>()
        var query = EventQuery.from(position: kept.reached + 1)
        query.throughPosition = through
        query.streamPrefix = Self.schema.keyStreamPrefix
        query.readsEnvelopes = false
        try store.forEachEvent(query) { view in
            if let person = PersonID(streamName: view.stream.value) { touched.insert(person) }
        }
        // Folding a person's whole stream costs about what their share of the ledger does: when
        // most persons changed since, reading the ledger once in position order costs less.
        if touched.count * 3 > max(byPerson.count, 1) {
            return Answer(rows: try filled(through: through), position: through, source: .fold)
        }
        let order = touched.sorted()
        for chunk in PassScan.passes(order, size: 4_096) {
            // Their streams read a few hundred at a time (a round trip each), each folded whole.
            var accounts: [PersonID: CollectionAccounts.Account] = [:]
            let streams = try chunk.map { try StreamName($0.streamName) }
            try StoredEvents.forEach(in: store, inStreams: streams, through: through) { view, event in
                guard CollectionAccounts.Account.folds(event), let owner = PersonID(streamName: view.stream.value)
                else { return }
                accounts[owner, default: CollectionAccounts.Account()].apply(event)
            }
            for person in chunk {
                let rows = accounts[person].map { YearBalance.rows(of: person, $0) } ?? []
                byPerson[person] = rows.isEmpty ? nil : rows
            }
        }
        return Answer(
            rows: Self.inPersonOrder(byPerson), position: through,
            source: .snapshot(position: kept.snapshot, deltas: kept.deltas, refolded: touched.count))
    }

    /// Brings the PostgreSQL table to `head`: built from every event when missing (or of another
    /// logic version), else the persons with money events since its position refolded. As a
    /// file's table, it leaves what changed as a delta and takes a snapshot whenever
    /// ``snapshotInterval`` events have passed since the last.
    @discardableResult
    private func catchUp(_ tables: HeadBalances, head: Int64) throws -> CatchUp {
        let model = try tables.model()
        guard let model, model.logicVersion == YearBalance.logicVersion else {
            // Filled and written a slice at a time; the snapshot, when due, encoded as they go.
            let due = head - (try tables.snapshots().last?.position ?? 0) >= snapshotInterval
            var (events, taken) = (0, Taken())
            try tables.replace(position: head) { write in
                _ = try filled(through: head, events: &events) { rows, _ in
                    try write(rows)
                    taken.add(rows, encoding: due)
                }
                return ReadModelHistory(snapshots: due ? [taken.snapshot(at: head)] : [])
            }
            return CatchUp(from: 0, to: head, refolded: taken.persons, rebuilt: true, snapshotTaken: due)
        }
        guard model.position < head else {
            return CatchUp(from: model.position, to: model.position, refolded: 0, rebuilt: false, snapshotTaken: false)
        }
        var touched = Set<PersonID>()
        var query = EventQuery.from(position: model.position + 1)
        query.throughPosition = head
        query.readsEnvelopes = false
        try forEachEvent(query) { _, event in
            if CollectionAccounts.Account.folds(event), let person = event.person { touched.insert(person) }
        }
        let persons = touched.sorted()
        var rows: [YearBalance] = []
        for person in persons { rows += try folded(person, through: head).rows }
        var history = ReadModelHistory(deltas: [Self.delta(since: model.position, at: head, persons, rows)])
        let due = head - (try tables.snapshots().last?.position ?? 0) >= snapshotInterval
        if due, let taken = try snapshot(tables, replacing: persons, with: rows, at: head) {
            history.snapshots = [taken]
        }
        try tables.store(rows, replacing: persons, position: head, history: history)
        return CatchUp(
            from: model.position, to: head, refolded: persons.count, rebuilt: false,
            snapshotTaken: !history.snapshots.isEmpty)
    }

    /// The table at `head` as a snapshot: the rows kept with those of the persons refolded
    /// replaced by `rows`, read and encoded a slice of ``personsPerSlice`` persons' keys at a time
    /// (never every row at once); `nil` when the rows kept moved on between two slices (another
    /// process caught them up: its catch-up takes the snapshot).
    private func snapshot(
        _ tables: HeadBalances, replacing persons: [PersonID], with rows: [YearBalance], at head: Int64
    ) throws -> (position: Int64, rows: Int, bytes: [UInt8])? {
        let keys = try KeySlices.persons(in: store, prefix: Self.schema.keyStreamPrefix)
        let slices = KeySlices(keys, personsPerPass: max(1, keys.count), personsPerSlice: personsPerSlice)
        let replaced = Set(persons)
        var (taken, position) = (Taken(), Int64?.none)
        for n in 0..<max(1, slices.count) {
            let range = slices.keys(n)
            guard case .keyRange(let from, let before) = range, let kept = try tables.kept(range),
                position.map({ $0 == kept.position }) ?? true
            else { return nil }
            position = kept.position
            let fresh = rows.filter { row in
                (from.map { row.person.value >= $0 } ?? true) && (before.map { row.person.value < $0 } ?? true)
            }
            taken.add(
                (kept.rows.filter { !replaced.contains($0.person) } + fresh).sorted {
                    ($0.person, $0.fiscalYear.year) < ($1.person, $1.fiscalYear.year)
                }, encoding: true)
        }
        return taken.snapshot(at: head)
    }

    /// In a PostgreSQL ledger's schema: the table caught up, then read with its position in one
    /// snapshot and compared row by row with every person's rows filled from position zero
    /// through that position; unless `check`, replaced by those rows, with a snapshot of them
    /// there (the snapshots and deltas of other logic versions dropped).
    ///
    /// With `snapshotEvery`, the same pass records the table every that many events (at the end of
    /// the command there), a fresh history replacing the one kept, as a file's rebuild does.
    private func rebuild(_ tables: HeadBalances, check: Bool, snapshotEvery: Int64?) throws -> Rebuild {
        try rebuild(
            tables, check: check, snapshotEvery: snapshotEvery,
            sizes: (PassScan.personsPerPass, StoredRegister.sliceAtHead))
    }

    private func rebuild(
        _ tables: HeadBalances, check: Bool, snapshotEvery: Int64?, sizes: (pass: Int, slice: Int)
    ) throws -> Rebuild {
        let before = try tables.model()
        try catchUp(tables, head: try store.head().position)
        guard let model = try tables.model(), model.logicVersion == YearBalance.logicVersion else {
            throw KokiError(
                .undecodableEvent,
                "the balances in \(store.location) were caught up, then not found: was the table dropped meanwhile?")
        }
        let position = model.position
        var events = 0
        let ends = try check ? [] : snapshotEvery.map { try commandEnds(every: $0, through: position) } ?? []
        let checkpoints = checkpoints(at: ends)
        let comparedWith = before.flatMap { $0.logicVersion == YearBalance.logicVersion ? $0.position : nil }
        var differences: [Difference] = []
        var taken = Taken()
        // Each slice compared with the rows kept for its range of keys, read back at the position.
        func compare(_ rows: [YearBalance], _ keys: DocumentFilter) throws {
            taken.add(rows, encoding: !check)
            guard comparedWith != nil else { return }
            guard let kept = try tables.kept(keys), kept.position == position,
                kept.logicVersion == YearBalance.logicVersion
            else { throw Overtaken(what: "the balances", position: position) }
            differences += Self.differences(kept.rows, rows)
        }
        if check {
            _ = try filled(through: position, events: &events, sizes: sizes, compare)
        } else {
            try tables.replace(position: position) { write in
                let recorded = try filled(through: position, checkpoints: checkpoints, events: &events, sizes: sizes) {
                    rows, keys in
                    try compare(rows, keys)
                    try write(rows)
                }
                var history = Self.history(checkpoints, recorded)
                history.replacesHistory = !checkpoints.isEmpty
                history.snapshots.append(taken.snapshot(at: position))
                return history
            }
        }
        return Rebuild(
            position: position, persons: taken.persons, events: events, rows: taken.rows,
            comparedWith: comparedWith, differences: differences, swapped: !check,
            snapshots: checkpoints.filter(\.full).map(\.position) + (check ? [] : [position]),
            deltas: checkpoints.filter { !$0.full }.map(\.position))
    }

    /// The rows written so far, slice after slice: how many, of how many persons, and (when
    /// asked) encoded as a snapshot's body.
    struct Taken {
        var rows = 0
        var persons = 0
        var body: [UInt8] = []

        mutating func add(_ slice: [YearBalance], encoding: Bool) {
            rows += slice.count
            persons += Set(slice.map(\.person)).count
            if encoding { SnapshotCodec.append(slice, to: &body) }
        }

        func snapshot(at position: Int64) -> (position: Int64, rows: Int, bytes: [UInt8]) {
            (position, rows, SnapshotCodec.assemble(count: rows, body: body))
        }
    }

    /// Where each command that holds the event every `interval` events ends, below `head`: a
    /// file's ``ReadModelTransaction/commandEnds(every:through:)`` over any store's events (one
    /// event's envelope read for each).
    private func commandEnds(every interval: Int64, through head: Int64) throws -> [Int64] {
        var ends: [Int64] = []
        var target = interval
        while target < head {
            var query = EventQuery.from(position: target)
            query.throughPosition = target
            var end = target
            try store.forEachEvent(query) { view in end = view.command.firstPosition + view.command.eventCount - 1 }
            if end < head, ends.last.map({ $0 < end }) ?? true { ends.append(end) }
            target += interval
        }
        return ends
    }

    /// Every person's rows through a position, as a PostgreSQL schema's table is built from zero
    /// and rebuilt: the store's events read back in position order into each person's compact
    /// per-period sums, in passes of at most ``PassScan/personsPerPass`` persons, as a file's
    /// table is filled; a person the sums cannot follow exactly is folded from their own stream.
    /// The rows are handed to `body` a slice of at most ``StoredRegister/sliceAtHead`` persons at a
    /// time, in person order, with the range of keys the slice covers (every key in exactly one
    /// slice: the first open below, the last above). Memory is one pass's sums and one slice's
    /// rows, not every account nor every row.
    /// With `checkpoints`, the same pass also records the rows as they stood at each (a snapshot
    /// or a delta, as a file's rebuild records them): returned.
    private func filled(
        through: Int64, checkpoints: [Checkpoint] = [], events: inout Int,
        sizes: (pass: Int, slice: Int) = (PassScan.personsPerPass, StoredRegister.sliceAtHead),
        _ body: (_ rows: [YearBalance], _ keys: DocumentFilter) throws -> Void
    ) throws -> [(count: Int, persons: [PersonID], body: [UInt8])] {
        // Every person with a stream, found by probing the index by stream (not every event's row):
        // one whose stream began after `through` folds nothing there and has no row.
        let persons = try KeySlices.persons(in: store, prefix: Self.schema.keyStreamPrefix)
        var query = EventQuery.through(position: through)
        query.types = CompactBalances.eventTypes
        query.scansForTypes = true
        query.readsEnvelopes = false
        let slices = KeySlices(persons, personsPerPass: sizes.pass, personsPerSlice: sizes.slice)
        var n = 0
        var snapshots = checkpoints.map { _ in (count: 0, persons: [PersonID](), body: [UInt8]()) }
        // A pass's snapshots at the checkpoints begin from the last one's: only without them is
        // a pass's `done` run beside the next pass's fold.
        events += try PassScan.fold(
            { try store.forEachEvent($0, $1) }, query, passes: slices.passes.map { Array($0) },
            overlapping: checkpoints.isEmpty
        ) { _, persons in
            let pass = BalancePass(persons: persons, checkpoints: checkpoints, snapshots: snapshots)
            return (pass, pass)
        } done: { p, pass in
            // Each person's rows come in order: a slice is handed on after its last person's.
            var counts = slices.slices[p].map(\.count).makeIterator()
            var (rows, left) = ([YearBalance](), counts.next() ?? 0)
            try Self.rows(of: pass, through: through, { try StoredEvents.forEach(in: store, $0, $1) }) { personRows in
                rows += personRows
                left -= 1
                guard left == 0 else { return }
                try body(rows, slices.keys(n))
                (rows, n, left) = ([], n + 1, counts.next() ?? 0)
            }
            snapshots = pass.snapshots
        }
        if persons.isEmpty { try body([], .keyRange(from: nil, before: nil)) }
        PassScan.releaseFreedMemory()
        return snapshots
    }

    /// Every person's rows through a position, filled as ``filled(through:checkpoints:events:sizes:_:)``
    /// fills them, in one list (for an answer, which holds them all anyway).
    private func filled(through: Int64) throws -> [YearBalance] {
        var (rows, events) = ([YearBalance](), 0)
        _ = try filled(through: through, events: &events) { slice, _ in rows += slice }
        return rows
    }

    /// The rows that differ between those kept and those filled from zero (each a slice of the
    /// same keys), in person and year order; a row kept more than once (a document copied under
    /// another key) is among them.
    static func differences(_ kept: [YearBalance], _ filled: [YearBalance]) -> [Difference] {
        struct Key: Hashable {
            var person: PersonID
            var year: Int
        }
        var copies: [Key: Int] = [:]
        for row in kept { copies[Key(person: row.person, year: row.fiscalYear.year), default: 0] += 1 }
        func byKey(_ rows: [YearBalance]) -> [Key: YearBalance] {
            Dictionary(
                rows.map { (Key(person: $0.person, year: $0.fiscalYear.year), $0) }, uniquingKeysWith: { a, _ in a })
        }
        let (maintained, fresh) = (byKey(kept), byKey(filled))
        var differences: [Difference] = []
        for key in Set(maintained.keys).union(fresh.keys).sorted(by: { ($0.person, $0.year) < ($1.person, $1.year) })
        where maintained[key] != fresh[key] || copies[key, default: 0] > 1 {
            guard let row = maintained[key] ?? fresh[key] else { continue }
            differences.append(
                Difference(
                    person: row.person, fiscalYear: row.fiscalYear, maintained: maintained[key], rebuilt: fresh[key]))
        }
        return differences
    }

    /// The stored tables live in the SQLite file or the PostgreSQL schema; on any other store
    /// every answer is folded from the events: the whole city's, or one person's stream.
    private func folded(_ person: PersonID?, through: Int64?) throws -> Answer {
        let head = try store.head().position
        let position = through ?? head
        guard (0...head).contains(position) else {
            throw KokiError(.invalidInput, "position \(position) is beyond the head (\(head))")
        }
        var query = person.map { EventQuery.stream(try! StreamName($0.streamName)) } ?? EventQuery()
        query.throughPosition = position
        query.readsEnvelopes = false
        var accounts: [PersonID: CollectionAccounts.Account] = [:]
        try forEachEvent(query) { _, event in
            guard CollectionAccounts.Account.folds(event), let owner = event.person else { return }
            accounts[owner, default: CollectionAccounts.Account()].apply(event)
        }
        let rows = accounts.keys.sorted().flatMap { YearBalance.rows(of: $0, accounts[$0]!) }
        return Answer(rows: rows, position: position, source: .fold)
    }

    /// The tables beside the events that hold the read model (refused on another store).
    private var file: any ReadModelStore {
        get throws {
            guard case .beside(let tables) = ports.readModels else {
                throw KokiError(
                    .invalidInput,
                    "the stored read models live in a SQLite ledger file; \(store.location) folds instead")
            }
            return tables
        }
    }

    /// The position asked about (the head when none), refused beyond the head.
    private static func position(_ tx: any ReadModelTransaction, _ through: Int64?) throws -> Int64 {
        let head = try tx.head()
        let position = through ?? head
        guard (0...head).contains(position) else {
            throw KokiError(.invalidInput, "position \(position) is beyond the head (\(head))")
        }
        return position
    }

    /// Which rows a caller reads, said twice over the same sums: as conditions the store picks
    /// the rows by (by SQLite in the file, by their fields in a PostgreSQL schema's documents,
    /// rather than every row decoded in Swift), and as the test that keeps a row. The conditions
    /// meet every row the test keeps (and perhaps others); the builders give both at once, so
    /// they cannot part.
    public struct Pick: Sendable {
        let file: [ReadModelCondition]
        let documents: [DocumentCondition]
        let keeps: @Sendable (YearBalance) -> Bool

        /// One of a row's sums, by its column in the file and its field in a document.
        public enum Sum: String, Sendable, CaseIterable {
            case outstanding, overpaid, held
            case lateFeeOutstanding = "late_fee_outstanding"

            var field: String { String(describing: self) }
            var value: any KeyPath<YearBalance, Yen> & Sendable {
                switch self {
                case .outstanding: \.outstanding
                case .overpaid: \.overpaid
                case .held: \.held
                case .lateFeeOutstanding: \.lateFeeOutstanding
                }
            }
        }

        /// The rows any of `picks` keeps.
        public static func any(_ picks: Pick...) -> Pick {
            Pick(file: picks.flatMap(\.file), documents: picks.flatMap(\.documents)) { row in
                picks.contains { $0.keeps(row) }
            }
        }

        /// A period due on or before `date` still owing principal (``YearBalance/oldestOpenDue``).
        public static func owing(dueBy date: CivilDate) -> Pick {
            Pick(
                file: [.below("oldest_open_due", Int64(date.daysSinceEpoch) + 1)],
                documents: [.before("oldestOpenDue", date.adding(days: 1).description)]
            ) { $0.oldestOpenDue.map { $0 <= date } ?? false }
        }

        /// A period due on or before `date` paid off late, its late fee never made final
        /// (``YearBalance/oldestLateDue``).
        public static func paidLate(dueBy date: CivilDate) -> Pick {
            Pick(
                file: [.below("oldest_late_due", Int64(date.daysSinceEpoch) + 1)],
                documents: [.before("oldestLateDue", date.adding(days: 1).description)]
            ) { $0.oldestLateDue.map { $0 <= date } ?? false }
        }

        /// One of the sums above zero.
        public static func above(zero sum: Sum) -> Pick {
            let value = sum.value
            return Pick(file: [.above(sum.rawValue, 0)], documents: [.above(sum.field, 0)]) {
                $0[keyPath: value] > .zero
            }
        }

        /// The rows this picks that `test` keeps too: the store picks as before.
        public func and(_ test: @escaping @Sendable (YearBalance) -> Bool) -> Pick {
            let keeps = self.keeps
            return Pick(file: file, documents: documents) { keeps($0) && test($0) }
        }
    }

    /// The persons who may be in arrears on `date` with late fees at `rates` (see
    /// ``YearBalance/mayBeInArrears(on:rates:)``), and the rows that say so: a past due date
    /// still owing, a final late fee unpaid, or a period paid off late (``persons(_:through:)``).
    public func mayBeInArrears(on date: CivilDate, rates: ChargeRates?, through: Int64? = nil) throws -> (
        persons: [PersonID], answer: Answer
    ) {
        let before = date.adding(days: -1)
        let pick = Pick.any(.owing(dueBy: before), .above(zero: .lateFeeOutstanding), .paidLate(dueBy: before))
        return try persons(pick.and { $0.mayBeInArrears(on: date, rates: rates) }, through: through)
    }

    /// The rows `pick` keeps as the ledger stands at `through` (the head when `nil`), picked out
    /// by the store where its table stands at that position (the file's, or a PostgreSQL
    /// schema's at the head) and only those held; and the persons they point to (with, when the
    /// rows were read further on than asked, anyone whose account changed since). Where the
    /// store cannot pick (a replay copy, a position the table is not at), every row is read.
    public func persons(_ pick: Pick, through: Int64? = nil) throws -> (persons: [PersonID], answer: Answer) {
        var answer = try rowsMeeting(file: pick.file, documents: pick.documents, through: through, keeping: pick.keeps)
        answer.rows.removeAll { !pick.keeps($0) }
        return (try persons(answer, asked: through), answer)
    }

    /// The persons of an answer's rows; when the rows were read further on than asked (another
    /// process brought a PostgreSQL table on meanwhile), also anyone whose account changed
    /// since, who may have been picked then.
    private func persons(_ answer: Answer, asked through: Int64?) throws -> [PersonID] {
        var persons = Set(answer.rows.map(\.person))
        if let through, answer.position > through {
            var query = EventQuery.from(position: through + 1)
            query.throughPosition = answer.position
            query.readsEnvelopes = false
            try forEachEvent(query) { _, event in
                if CollectionAccounts.Account.folds(event), let person = event.person { persons.insert(person) }
            }
        }
        return persons.sorted()
    }

    /// The rows meeting any of the conditions (the file's columns, or a PostgreSQL schema's
    /// fields), picked out by the store where its table stands at the position asked; else every
    /// row. From the file's table only the rows `keeping` keeps are held.
    private func rowsMeeting(
        file owing: [ReadModelCondition], documents: [DocumentCondition], through: Int64?,
        keeping: (YearBalance) -> Bool
    ) throws -> Answer {
        if case .atHead(let store) = ports.readModels {
            let head = try self.store.head().position
            guard through == nil || through == head else { return try rows(through: through) }
            let tables = HeadBalances(store: store)
            try catchUp(tables, head: head)
            guard let kept = try tables.kept(.meetingAny(documents)) else { return try rows(through: through) }
            return Answer(rows: kept.rows, position: kept.position, source: .table(position: kept.position))
        }
        guard case .beside(let tables) = ports.readModels else { return try rows(through: through) }
        if !store.isReadOnly { try catchUp() }
        return try tables.readingModel(Self.schema) { tx in
            let position = try Self.position(tx, through)
            guard let model = try tx.state(), model.logicVersion == YearBalance.logicVersion,
                model.position == position
            else { return try rows(tx, through: position) }
            var rows: [YearBalance] = []
            try tx.forEachRow(in: .maintained, meetingAny: owing) { stored in
                let row = try YearBalance(stored: stored)
                if keeping(row) { rows.append(row) }
            }
            return Answer(rows: rows, position: position, source: .table(position: position))
        }
    }

    public func status() throws -> Status {
        switch ports.readModels {
        case .atHead(let store):
            let tables = HeadBalances(store: store)
            let model = try tables.model()
            var status = Status(
                position: model?.position, logicVersion: model?.logicVersion, rows: try tables.count(),
                snapshots: try store.readModelSnapshots(Self.schema))
            (status.deltas, status.deltaBytes) = try tables.deltaTotals()
            return status
        case .none:
            return Status(rows: 0, snapshots: [])
        case .beside(let tables):
            return try tables.readingModel(Self.schema) { tx in
                // The model's row and its tables are made together: without one, there are none.
                guard let model = try tx.state() else { return Status(rows: 0, snapshots: []) }
                var status = Status(
                    position: model.position, logicVersion: model.logicVersion, rows: try tx.count(),
                    snapshots: try tx.snapshots())
                let deltas = try tx.deltaTotals()
                status.deltas = deltas.count
                status.deltaBytes = deltas.bytes
                return status
            }
        }
    }

    // MARK: - Maintenance

    /// Brings the table up to the head (building it from zero when missing or of another logic
    /// version), in one transaction.
    @discardableResult
    public func catchUp() throws -> CatchUp {
        let tables: any ReadModelStore
        switch ports.readModels {
        case .atHead(let store): return try catchUp(HeadBalances(store: store), head: try self.store.head().position)
        case .none:
            let head = try store.head().position
            return CatchUp(from: head, to: head, refolded: 0, rebuilt: false, snapshotTaken: false)
        case .beside(let beside): tables = beside
        }
        return try tables.writingModel(Self.schema) { tx in
            try tx.createTables()
            let head = try tx.head()
            let model = try tx.state()
            guard let model, model.logicVersion == YearBalance.logicVersion else {
                // Missing or of another logic (whose columns may differ too): built afresh.
                try tx.recreate(.maintained)
                try tx.dropOtherLogic()
                let built = try Self.fill(tx, table: .maintained, through: head)
                try tx.setPosition(head)
                let snap = try takeSnapshotIfDue(tx, position: head)
                return CatchUp(from: 0, to: head, refolded: built.persons, rebuilt: true, snapshotTaken: snap)
            }
            guard model.position < head else {
                return CatchUp(from: model.position, to: head, refolded: 0, rebuilt: false, snapshotTaken: false)
            }
            let refolded = try Self.advance(tx, from: model.position, to: head)
            let snap = try takeSnapshotIfDue(tx, position: head)
            return CatchUp(from: model.position, to: head, refolded: refolded, rebuilt: false, snapshotTaken: snap)
        }
    }

    /// Folds every person's stream from position zero into a fresh table and compares it with
    /// the maintained one (caught up to the same head first, as a query would); swaps it in
    /// unless `check`.
    /// Snapshots of other logic versions are dropped and one is taken at the head.
    ///
    /// With `snapshotEvery`, the same pass also takes a snapshot every that many events (at the
    /// end of the command there): the past an auditor asks about, each a snapshot away.
    public func rebuild(check: Bool, snapshotEvery: Int64? = nil) throws -> Rebuild {
        if let snapshotEvery, snapshotEvery < 1 {
            throw KokiError(.invalidInput, "a snapshot every \(snapshotEvery) events: expected at least 1")
        }
        if case .atHead(let store) = ports.readModels {
            return try Overtaken.retrying {
                try rebuild(HeadBalances(store: store), check: check, snapshotEvery: snapshotEvery)
            }
        }
        return try file.writingModel(Self.schema) { tx in
            let prepared = try prepareRebuild(tx, check: check, snapshotEvery: snapshotEvery)
            let built = try Self.fill(tx, table: .rebuilt, through: prepared.head, checkpoints: prepared.checkpoints)
            return try Self.finishRebuild(tx, prepared, built: built, check: check)
        }
    }

    /// ``rebuild(check:snapshotEvery:)`` in a PostgreSQL schema with passes and slices of the sizes
    /// given (the tests make them small, so that a small city takes several).
    @_spi(Reference)
    public func rebuild(check: Bool, snapshotEvery: Int64? = nil, personsPerPass: Int, personsPerSlice: Int) throws
        -> Rebuild
    {
        guard case .atHead(let store) = ports.readModels else {
            return try rebuild(check: check, snapshotEvery: snapshotEvery)
        }
        return try Overtaken.retrying {
            try rebuild(
                HeadBalances(store: store), check: check, snapshotEvery: snapshotEvery,
                sizes: (personsPerPass, personsPerSlice))
        }
    }

    /// What a rebuild prepared before its fill: the head, the checkpoints its pass records (none
    /// with `check`), and the position of the maintained table it compares with.
    struct PreparedRebuild {
        var head: Int64
        var checkpoints: [Checkpoint]
        var comparedWith: Int64?
    }

    /// A rebuild's first step: the maintained table caught up to the head (where it is of this
    /// logic) and a fresh table made.
    func prepareRebuild(_ tx: any ReadModelTransaction, check: Bool, snapshotEvery: Int64?) throws -> PreparedRebuild {
        try tx.createTables()
        let head = try tx.head()
        let checkpoints = try check ? [] : self.checkpoints(tx, every: snapshotEvery, through: head)
        var comparedWith: Int64?
        if let model = try tx.state(), model.logicVersion == YearBalance.logicVersion {
            comparedWith = model.position
            // The maintained table caught up to this head, as any query would have it.
            if model.position < head { try Self.advance(tx, from: model.position, to: head) }
        }
        try tx.recreate(.rebuilt)
        return PreparedRebuild(head: head, checkpoints: checkpoints, comparedWith: comparedWith)
    }

    /// A rebuild's last step, once the fresh table is filled: the rows that differ named, and the
    /// fresh table swapped in with its snapshots (or, with `check`, dropped).
    static func finishRebuild(
        _ tx: any ReadModelTransaction, _ prepared: PreparedRebuild,
        built: (persons: Int, events: Int, rows: Int, snapshots: [(count: Int, persons: [PersonID], body: [UInt8])]),
        check: Bool
    ) throws -> Rebuild {
        let (head, checkpoints, comparedWith) = (prepared.head, prepared.checkpoints, prepared.comparedWith)
        var differences: [Difference] = []
        if comparedWith != nil {
            for (person, year) in try tx.differences() {
                func row(_ table: ReadModelTable) throws -> YearBalance? {
                    try readTable(tx, table, person: person, fiscalYear: year).first
                }
                differences.append(
                    Difference(
                        person: try PersonID(person), fiscalYear: try FiscalYear(Int(year)),
                        maintained: try row(.maintained), rebuilt: try row(.rebuilt)))
            }
        }
        if check {
            try tx.dropRebuilt()
        } else {
            try tx.swapInRebuilt()
            try tx.setPosition(head)
            try tx.dropOtherLogic()
            // A fresh history from this pass replaces the one kept so far.
            if !checkpoints.isEmpty { try tx.dropHistory() }
            try writeSnapshot(tx, position: head)
            let history = history(checkpoints, built.snapshots)
            for taken in history.snapshots {
                try tx.writeSnapshot(position: taken.position, rows: taken.rows, bytes: taken.bytes)
            }
            for taken in history.deltas {
                try tx.writeDelta(since: taken.since, position: taken.position, keys: taken.keys, bytes: taken.bytes)
            }
        }
        return Rebuild(
            position: head, persons: built.persons, events: built.events, rows: built.rows,
            comparedWith: comparedWith, differences: differences, swapped: !check,
            snapshots: checkpoints.filter(\.full).map(\.position) + (check ? [] : [head]),
            deltas: checkpoints.filter { !$0.full }.map(\.position))
    }

    /// A table filled from zero into the rebuild's scratch table and dropped again, with the
    /// snapshots and deltas it would record every `snapshotEvery` events, each decoded (rows
    /// and persons sorted); either in position order (`byStreams: false`, as ``rebuild(check:snapshotEvery:)``
    /// fills) or one person's stream at a time through the index, as it filled before — the
    /// reference the tests and the benchmarks hold it to.
    @_spi(Reference)
    public func filledFromZero(byStreams: Bool, personsPerPass: Int? = nil, snapshotEvery: Int64? = nil) throws
        -> ReferenceFill
    {
        try file.writingModel(Self.schema) { tx in
            try tx.createTables()
            let head = try tx.head()
            let checkpoints = try self.checkpoints(tx, every: snapshotEvery, through: head)
            try tx.recreate(.rebuilt)
            let built =
                try byStreams
                ? Self.fillByStreams(tx, table: .rebuilt, through: head, checkpoints: checkpoints)
                : Self.fill(
                    tx, table: .rebuilt, through: head, checkpoints: checkpoints,
                    personsPerPass: personsPerPass ?? PassScan.personsPerPass)
            let rows = try Self.readTable(tx, .rebuilt)
            try tx.dropRebuilt()
            var snapshots: [ReferenceFill.Taken] = []
            for (checkpoint, taken) in zip(checkpoints, built.snapshots) {
                let decoded = try SnapshotCodec.decode(
                    SnapshotCodec.assemble(count: taken.count, body: taken.body), position: checkpoint.position)
                snapshots.append(
                    ReferenceFill.Taken(
                        position: checkpoint.position, full: checkpoint.full, persons: taken.persons.sorted(),
                        rows: decoded.sorted { ($0.person, $0.fiscalYear) < ($1.person, $1.fiscalYear) }))
            }
            return ReferenceFill(events: built.events, rows: rows, snapshots: snapshots)
        }
    }

    @_spi(Reference)
    public struct ReferenceFill: Sendable {
        public struct Taken: Sendable, Equatable {
            public var position: Int64
            public var full: Bool
            public var persons: [PersonID]
            public var rows: [YearBalance]
        }
        /// The events read.
        public var events: Int
        public var rows: [YearBalance]
        public var snapshots: [Taken]
    }

    /// Where a pass records the table every `every` events (at the end of the command there): a
    /// snapshot at the first checkpoint and then every ``snapshotInterval`` events, deltas between.
    private func checkpoints(_ tx: any ReadModelTransaction, every: Int64?, through head: Int64) throws -> [Checkpoint]
    {
        checkpoints(at: try every.map { try tx.commandEnds(every: $0, through: head) } ?? [])
    }

    /// The checkpoints at these command ends: a snapshot at the first and then every
    /// ``snapshotInterval`` events, deltas between.
    private func checkpoints(at ends: [Int64]) -> [Checkpoint] {
        var checkpoints: [Checkpoint] = []
        var lastFull: Int64?
        for position in ends {
            let full = lastFull.map { position - $0 >= snapshotInterval } ?? true
            if full { lastFull = position }
            checkpoints.append(Checkpoint(position: position, full: full))
        }
        return checkpoints
    }

    private func takeSnapshotIfDue(_ tx: any ReadModelTransaction, position: Int64) throws -> Bool {
        let last = try tx.snapshots().last { $0.logicVersion == YearBalance.logicVersion }?.position ?? 0
        guard position - last >= snapshotInterval else { return false }
        try Self.writeSnapshot(tx, position: position)
        return true
    }

    // MARK: - Reading at a position

    private func rows(_ tx: any ReadModelTransaction, through: Int64) throws -> Answer {
        if let model = try tx.state(), model.logicVersion == YearBalance.logicVersion, model.position == through {
            return Answer(rows: try Self.readTable(tx), position: through, source: .table(position: through))
        }
        if let snap = try tx.snapshots().last(where: {
            $0.logicVersion == YearBalance.logicVersion && $0.position <= through
        }) {
            var kept = try Self.history(
                snapshot: try tx.snapshot(at: snap.position), at: snap.position,
                deltas: try tx.deltas(after: snap.position, through: through), delta: { try tx.delta(at: $0) })
            let touched = try Self.personsTouched(tx, after: kept.reached, through: through)
            for person in touched {
                let rows = try Self.fold(tx, person, through: through).rows
                kept.rows[person] = rows.isEmpty ? nil : rows
            }
            return Answer(
                rows: Self.inPersonOrder(kept.rows), position: through,
                source: .snapshot(position: snap.position, deltas: kept.applied, refolded: touched.count))
        }
        var rows: [YearBalance] = []
        for person in try Self.persons(tx) { rows += try Self.fold(tx, person, through: through).rows }
        return Answer(rows: rows, position: through, source: .fold)
    }

    // MARK: - Folding

    /// One person's rows from their stream, through a position.
    /// With `checkpoints` (ascending positions), `emit` also gets the rows as they stood at each,
    /// and whether they changed since the checkpoint before (rows are summed again only then).
    static func fold(
        _ tx: any ReadModelTransaction, _ person: PersonID, through: Int64, checkpoints: [Int64] = [],
        emit: (_ index: Int, _ rows: [YearBalance], _ changed: Bool) -> Void = { _, _, _ in }
    ) throws -> (rows: [YearBalance], events: Int) {
        try fold(
            { try StoredEvents.forEach(in: tx, $0, $1) }, person, through: through, checkpoints: checkpoints, emit: emit
        )
    }

    /// The same, the stream read by `read` (a file's transaction, or any store's events).
    static func fold(
        _ read: StoredRegister.Events, _ person: PersonID, through: Int64, checkpoints: [Int64] = [],
        emit: (_ index: Int, _ rows: [YearBalance], _ changed: Bool) -> Void = { _, _, _ in }
    ) throws -> (rows: [YearBalance], events: Int) {
        var account = CollectionAccounts.Account()
        var query = EventQuery.stream(try StreamName(person.streamName))
        query.throughPosition = through
        query.readsEnvelopes = false
        var events = 0
        var next = 0
        var rows: [YearBalance] = []
        var dirty = false
        try withoutActuallyEscaping(emit) { emit in
            func emitThrough(_ position: Int64) {
                while next < checkpoints.count, checkpoints[next] < position {
                    if dirty { rows = YearBalance.rows(of: person, account) }
                    emit(next, rows, dirty)
                    dirty = false
                    next += 1
                }
            }
            try read(query) { view, event in
                emitThrough(view.position)
                events += 1
                if CollectionAccounts.Account.folds(event) {
                    account.apply(event)
                    dirty = true
                }
            }
            emitThrough(.max)
        }
        return (dirty ? YearBalance.rows(of: person, account) : rows, events)
    }

    /// Every person's rows into `table` — and, on the way, the snapshots at `checkpoints` (the
    /// rows as they stood at each), encoded as they come.
    ///
    /// The ledger is read once in position order, in passes of ``PassScan/personsPerPass`` persons
    /// (the later passes' events from a temporary copy, ``PassScan/fold(_:_:passes:reading:overlapping:make:done:)``),
    /// and only the events that change a balance (``CompactBalances/eventTypes``) are decoded: the table's
    /// pages are read one after another rather than each person's stream through the index (a
    /// lookup per event over the whole file). A person whose history the compact state cannot
    /// follow exactly (a payment cancelled, say) is folded from their own stream instead,
    /// exactly as a catch-up folds them.
    static func fill(
        _ tx: any ReadModelTransaction, table: ReadModelTable, through: Int64, checkpoints: [Checkpoint] = [],
        personsPerPass: Int = PassScan.personsPerPass
    ) throws -> (persons: Int, events: Int, rows: Int, snapshots: [(count: Int, persons: [PersonID], body: [UInt8])]) {
        var (events, rows) = (0, 0)
        var snapshots = checkpoints.map { _ in (count: 0, persons: [PersonID](), body: [UInt8]()) }
        let all = try Self.persons(tx)
        var query = EventQuery.through(position: through)
        query.types = CompactBalances.eventTypes
        query.scansForTypes = true
        query.readsEnvelopes = false
        // A pass's snapshots at the checkpoints begin from the last one's: only without them is
        // a pass's rows' insert run beside the next pass's fold.
        events = try PassScan.fold(
            tx, query, passes: PassScan.passes(all, size: personsPerPass).map { Array($0) },
            overlapping: checkpoints.isEmpty
        ) { _, persons in
            let pass = BalancePass(persons: persons, checkpoints: checkpoints, snapshots: snapshots)
            return (pass, pass)
        } done: { _, pass in
            rows += try insert(pass, into: table, tx, through: through)
            snapshots = pass.snapshots
        }
        PassScan.releaseFreedMemory()
        return (all.count, events, rows, snapshots)
    }

    /// A pass's rows into `table` once its scan is done: each person's from their compact state,
    /// or folded from their stream where the state could not follow them (with their rows at the
    /// checkpoints not yet recorded). Returns how many rows.
    static func insert(
        _ pass: BalancePass, into table: ReadModelTable, _ tx: any ReadModelTransaction, through: Int64
    ) throws -> Int {
        var rows = 0
        try self.rows(of: pass, through: through, { try StoredEvents.forEach(in: tx, $0, $1) }) { personRows in
            try tx.insert(personRows.map(\.stored), into: table)
            rows += personRows.count
        }
        return rows
    }

    /// Each of a pass's persons' rows, in order, once its scan is done (the file's table or a
    /// PostgreSQL schema's documents take them): from their compact state, or folded from their
    /// stream (read by `events`) where the state could not follow them, with their rows at the
    /// checkpoints not yet recorded.
    static func rows(
        of pass: BalancePass, through: Int64, _ events: StoredRegister.Events, _ body: ([YearBalance]) throws -> Void
    ) throws {
        if !pass.checkpoints.isEmpty { pass.checkpointsBefore(.max) }
        let positions = pass.checkpoints.map(\.position)
        for i in pass.persons.indices {
            if let compact = pass.states[i].rows(of: pass.persons[i]) {
                try body(compact)
                continue
            }
            // Folded from the stream: its rows at the checkpoints not yet recorded too.
            let from = pass.unrecordedFrom[i]
            let folded = try fold(events, pass.persons[i], through: through, checkpoints: positions) {
                index, rows, changed in
                guard index >= from else { return }
                pass.record(i, rows, at: index, changed: changed)
            }
            try body(folded.rows)
        }
    }

    /// Every person's rows into `table`, one person's stream at a time through the index: what
    /// ``fill(_:table:through:checkpoints:personsPerPass:)`` did before it read the ledger in
    /// position order, kept as the reference the tests and benchmarks compare it with.
    static func fillByStreams(
        _ tx: any ReadModelTransaction, table: ReadModelTable, through: Int64, checkpoints: [Checkpoint] = []
    ) throws -> (persons: Int, events: Int, rows: Int, snapshots: [(count: Int, persons: [PersonID], body: [UInt8])]) {
        var (persons, events, rows) = (0, 0, 0)
        var snapshots = checkpoints.map { _ in (count: 0, persons: [PersonID](), body: [UInt8]()) }
        let positions = checkpoints.map(\.position)
        for person in try Self.persons(tx) {
            var last: [YearBalance] = []
            let folded = try fold(tx, person, through: through, checkpoints: positions) { index, rows, changed in
                guard checkpoints[index].full || (changed && rows != last) else { return }
                last = rows
                snapshots[index].count += rows.count
                if !checkpoints[index].full { snapshots[index].persons.append(person) }
                SnapshotCodec.append(rows, to: &snapshots[index].body)
            }
            try tx.insert(folded.rows.map(\.stored), into: table)
            persons += 1
            events += folded.events
            rows += folded.rows.count
        }
        return (persons, events, rows, snapshots)
    }

    /// Brings the maintained table from `from` to `to`: the persons whose streams grew folded
    /// again, what changed kept as a delta, the new position recorded. Returns how many persons.
    @discardableResult
    static func advance(_ tx: any ReadModelTransaction, from: Int64, to: Int64) throws -> Int {
        let touched = try personsTouched(tx, after: from, through: to)
        let rows = try refold(tx, touched, through: to)
        try writeDelta(tx, since: from, position: to, persons: touched, rows: rows)
        try tx.setPosition(to)
        return touched.count
    }

    /// Replaces the rows of `persons` in the maintained table with their streams' fold, and
    /// returns the new rows.
    @discardableResult
    static func refold(_ tx: any ReadModelTransaction, _ persons: [PersonID], through: Int64) throws -> [YearBalance] {
        var all: [YearBalance] = []
        for person in persons {
            try tx.deleteRows(of: person.value)
            let rows = try fold(tx, person, through: through).rows
            try tx.insert(rows.map(\.stored), into: .maintained)
            all += rows
        }
        return all
    }

    /// Every person with a stream, in order.
    static func persons(_ tx: any ReadModelTransaction) throws -> [PersonID] {
        try tx.keys().map { try PersonID($0) }
    }

    /// The persons whose streams gained events in `(after, through]`.
    static func personsTouched(_ tx: any ReadModelTransaction, after: Int64, through: Int64) throws -> [PersonID] {
        try tx.keysChanged(after: after, through: through).map { try PersonID($0) }
    }

    // MARK: - Tables

    /// The table's shape in the store: a row per person and fiscal year, money in yen, dates as
    /// days since 1970-01-01 (NULL: none).
    static let schema = ReadModelSchema(
        name: name, logicVersion: YearBalance.logicVersion, table: "rm_balances", keyColumn: "person",
        partColumn: "fiscal_year",
        columns: [
            "assessed", "credited", "reduced", "written_off", "outstanding", "overpaid", "late_fee_outstanding",
            "open_periods", "dunned_periods",
        ].map { ReadModelSchema.Column($0) }
            + ["oldest_open_due", "oldest_late_due", "late_exposure"].map {
                ReadModelSchema.Column($0, nullable: true)
            } + [ReadModelSchema.Column("held")],
        keyStreamPrefix: "person/")

    static func readTable(
        _ tx: any ReadModelTransaction, _ table: ReadModelTable = .maintained, person: String? = nil,
        fiscalYear: Int64? = nil
    ) throws -> [YearBalance] {
        var rows: [YearBalance] = []
        try tx.forEachRow(in: table, key: person, part: fiscalYear) { rows.append(try YearBalance(stored: $0)) }
        return rows
    }

    // MARK: - Snapshots

    /// The table as a snapshot at `position`, in a file.
    static func writeSnapshot(_ tx: any ReadModelTransaction, position: Int64) throws {
        let taken = snapshot(try readTable(tx), at: position)
        try tx.writeSnapshot(position: taken.position, rows: taken.rows, bytes: taken.bytes)
    }

    /// What changed between two positions as a delta, in a file. Written even when empty: the
    /// chain of deltas stays unbroken, so nothing is folded again.
    static func writeDelta(
        _ tx: any ReadModelTransaction, since: Int64, position: Int64, persons: [PersonID], rows: [YearBalance]
    ) throws {
        let taken = delta(since: since, at: position, persons, rows)
        try tx.writeDelta(since: taken.since, position: taken.position, keys: taken.keys, bytes: taken.bytes)
    }

    /// Rows as a snapshot's bytes, in the order given (a table's: by person and fiscal year).
    static func snapshot(_ rows: [YearBalance], at position: Int64) -> (position: Int64, rows: Int, bytes: [UInt8]) {
        var body: [UInt8] = []
        SnapshotCodec.append(rows, to: &body)
        return (position, rows.count, SnapshotCodec.assemble(count: rows.count, body: body))
    }

    /// The rows of `persons` at `position`, changed since `since`, as a delta's bytes.
    static func delta(since: Int64, at position: Int64, _ persons: [PersonID], _ rows: [YearBalance]) -> (
        since: Int64, position: Int64, keys: Int, bytes: [UInt8]
    ) {
        var body: [UInt8] = []
        SnapshotCodec.append(rows, to: &body)
        return (
            since, position, persons.count, SnapshotCodec.assembleDelta(persons: persons, count: rows.count, body: body)
        )
    }

    /// What a rebuild's pass recorded at its checkpoints, as the bytes a store keeps: a snapshot at
    /// each full checkpoint, else a delta since the checkpoint before (a file's rebuild and a
    /// PostgreSQL schema's keep the same).
    static func history(
        _ checkpoints: [Checkpoint], _ taken: [(count: Int, persons: [PersonID], body: [UInt8])]
    ) -> ReadModelHistory {
        var history = ReadModelHistory()
        var previous: Int64 = 0
        for (checkpoint, taken) in zip(checkpoints, taken) {
            if checkpoint.full {
                history.snapshots.append(
                    (checkpoint.position, taken.count, SnapshotCodec.assemble(count: taken.count, body: taken.body)))
            } else {
                history.deltas.append(
                    (
                        previous, checkpoint.position, taken.persons.count,
                        SnapshotCodec.assembleDelta(persons: taken.persons, count: taken.count, body: taken.body)
                    ))
            }
            previous = checkpoint.position
        }
        return history
    }

    /// The rows a snapshot held, by person, with the deltas after it applied while each starts
    /// where the rows stand (no gap between); where the deltas reached, and how many were
    /// applied. A file and a PostgreSQL schema read their history alike; the persons whose
    /// streams changed after `reached` are the caller's to fold again.
    static func history(
        snapshot bytes: [UInt8], at position: Int64, deltas: [(position: Int64, since: Int64)],
        delta: (Int64) throws -> [UInt8]
    ) throws -> (rows: [PersonID: [YearBalance]], reached: Int64, applied: Int) {
        var byPerson: [PersonID: [YearBalance]] = [:]
        for row in try SnapshotCodec.decode(bytes, position: position) { byPerson[row.person, default: []].append(row) }
        var (reached, applied) = (position, 0)
        for next in deltas {
            guard next.since <= reached else { break }
            let (persons, rows) = try SnapshotCodec.decodeDelta(try delta(next.position), position: next.position)
            for person in persons { byPerson[person] = nil }
            for row in rows { byPerson[row.person, default: []].append(row) }
            (reached, applied) = (next.position, applied + 1)
        }
        return (byPerson, reached, applied)
    }

    /// Rows by person as one list, in person order.
    static func inPersonOrder(_ byPerson: [PersonID: [YearBalance]]) -> [YearBalance] {
        byPerson.sorted { $0.key < $1.key }.flatMap(\.value)
    }
}

extension YearBalance {
    /// The row as the store keeps it, in ``StoredBalances/schema``'s columns.
    var stored: ReadModelRow {
        ReadModelRow(
            key: person.value, part: Int64(fiscalYear.year),
            values: [
                assessed.amount, credited.amount, reduced.amount, writtenOff.amount, outstanding.amount,
                overpaid.amount, lateFeeOutstanding.amount, Int64(openPeriods), Int64(dunnedPeriods),
                oldestOpenDue.map { Int64($0.daysSinceEpoch) }, oldestLateDue.map { Int64($0.daysSinceEpoch) },
                lateExposure, held.amount,
            ])
    }

    /// A row the store kept; one of another shape is damage.
    init(stored r: ReadModelRow) throws {
        let v = r.values
        guard v.count == 13, let openPeriods = v[7], let dunnedPeriods = v[8], let held = v[12] else {
            throw KokiError(.undecodableEvent, "the stored balance of \(r.key) FY\(r.part) is damaged")
        }
        self.init(person: try PersonID(r.key), fiscalYear: try FiscalYear(Int(r.part)))
        (assessed, credited, reduced) = (Yen(v[0] ?? 0), Yen(v[1] ?? 0), Yen(v[2] ?? 0))
        (writtenOff, outstanding, overpaid) = (Yen(v[3] ?? 0), Yen(v[4] ?? 0), Yen(v[5] ?? 0))
        lateFeeOutstanding = Yen(v[6] ?? 0)
        self.openPeriods = Int(openPeriods)
        self.dunnedPeriods = Int(dunnedPeriods)
        oldestOpenDue = try v[9].map { try CivilDate(daysSinceEpoch: Int($0)) }
        oldestLateDue = try v[10].map { try CivilDate(daysSinceEpoch: Int($0)) }
        lateExposure = v[11]
        self.held = Yen(held)
    }
}

/// The rows of a snapshot as bytes, in the event codec's encoding (varints, zig-zag money,
/// dates as days since 1970): a count, then each row's fields in order.
enum SnapshotCodec {
    /// A count, then the rows' bytes (from ``append(_:to:)``).
    static func assemble(count: Int, body: [UInt8]) -> [UInt8] {
        var header = BinaryWriter(capacity: 10)
        header.writeUInt(UInt64(count))
        return header.bytes + body
    }

    /// A delta: the persons it replaces, then their rows (a count, then the rows' bytes).
    static func assembleDelta(persons: [PersonID], count: Int, body: [UInt8]) -> [UInt8] {
        var header = BinaryWriter(capacity: persons.count * 10 + 10)
        header.writeArray(persons) { $0.write($1) }
        return header.bytes + assemble(count: count, body: body)
    }

    static func append(_ rows: [YearBalance], to out: inout [UInt8]) {
        var w = BinaryWriter(capacity: rows.count * 24)
        for r in rows { write(r, &w) }
        out += w.bytes
    }

    static func decode(_ bytes: [UInt8], position: Int64) throws -> [YearBalance] {
        try reading(bytes, position) { reader in try reader.readArray(read) }
    }

    static func decodeDelta(_ bytes: [UInt8], position: Int64) throws -> (persons: [PersonID], rows: [YearBalance]) {
        try reading(bytes, position) { reader in
            (try reader.readArray { try $0.readPersonID() }, try reader.readArray(read))
        }
    }

    private static func reading<T>(_ bytes: [UInt8], _ position: Int64, _ body: (inout BinaryReader) throws -> T)
        throws -> T
    {
        do {
            return try bytes.withUnsafeBytes { buffer in
                var reader = BinaryReader(buffer)
                let value = try body(&reader)
                try reader.expectEnd()
                return value
            }
        } catch {
            throw KokiError(.undecodableEvent, "the snapshot or delta at position \(position) is damaged: \(error)")
        }
    }

    private static func write(_ r: YearBalance, _ w: inout BinaryWriter) {
        w.write(r.person)
        w.write(r.fiscalYear)
        for yen in [r.assessed, r.credited, r.reduced, r.writtenOff, r.outstanding, r.overpaid, r.lateFeeOutstanding] {
            w.write(yen)
        }
        w.writeInt(r.openPeriods)
        w.writeInt(r.dunnedPeriods)
        w.writeOptional(r.oldestOpenDue) { $0.write($1) }
        w.writeOptional(r.oldestLateDue) { $0.write($1) }
        w.writeOptional(r.lateExposure) { $0.writeInt($1) }
        w.write(r.held)
    }

    private static func read(_ r: inout BinaryReader) throws -> YearBalance {
        var row = YearBalance(person: try r.readPersonID(), fiscalYear: try r.readFiscalYear())
        row.assessed = try r.readYen()
        row.credited = try r.readYen()
        row.reduced = try r.readYen()
        row.writtenOff = try r.readYen()
        row.outstanding = try r.readYen()
        row.overpaid = try r.readYen()
        row.lateFeeOutstanding = try r.readYen()
        row.openPeriods = try r.readInt()
        row.dunnedPeriods = try r.readInt()
        row.oldestOpenDue = try r.readOptional { try $0.readDate() }
        row.oldestLateDue = try r.readOptional { try $0.readDate() }
        row.lateExposure = try r.readOptional { try $0.readInt64() }
        row.held = try r.readYen()
        return row
    }
}

/// One pass of the balances' fill: its persons' compact states and the snapshots and deltas
/// recorded on the way. Folded by one thread at a time — the folding thread during the scan,
/// then the fill's own once that thread has finished.
final class BalancePass: PassFolder, @unchecked Sendable {
    let persons: [PersonID]
    let checkpoints: [StoredBalances.Checkpoint]
    var snapshots: [(count: Int, persons: [PersonID], body: [UInt8])]
    var states: [CompactBalances]
    /// Per person: the rows last recorded at a checkpoint (encoded), and the first checkpoint
    /// not recorded from the compact state (a person it could not follow).
    var last: [[UInt8]]
    var unrecordedFrom: [Int]
    var dirty: [Int] = []
    var next = 0

    init(
        persons: [PersonID], checkpoints: [StoredBalances.Checkpoint],
        snapshots: [(count: Int, persons: [PersonID], body: [UInt8])]
    ) {
        self.persons = persons
        self.checkpoints = checkpoints
        self.snapshots = snapshots
        states = [CompactBalances](repeating: CompactBalances(), count: persons.count)
        last = [[UInt8]](repeating: [], count: checkpoints.isEmpty ? 0 : persons.count)
        unrecordedFrom = [Int](repeating: checkpoints.count, count: persons.count)
    }

    func wants(_ i: Int, at position: Int64, version: Int64) -> Bool {
        if !checkpoints.isEmpty { checkpointsBefore(position) }
        return states[i].isExact
    }

    func fold(_ i: Int, _ event: KokiEvent) {
        let wasDirty = states[i].isDirty
        states[i].apply(event)
        if !states[i].isExact { unrecordedFrom[i] = next }
        if !wasDirty && states[i].isDirty { dirty.append(i) }
    }

    func record(_ i: Int, _ rows: [YearBalance], at index: Int, changed: Bool) {
        let full = checkpoints[index].full
        guard full || changed else { return }
        var bytes: [UInt8] = []
        SnapshotCodec.append(rows, to: &bytes)
        guard full || bytes != last[i] else { return }
        last[i] = bytes
        snapshots[index].count += rows.count
        if !full { snapshots[index].persons.append(persons[i]) }
        snapshots[index].body += bytes
    }

    /// Records the checkpoints before `position`, as the states stand.
    func checkpointsBefore(_ position: Int64) {
        while next < checkpoints.count, checkpoints[next].position < position {
            let changed = Set(dirty)
            for i in checkpoints[next].full ? Array(states.indices) : dirty.sorted() {
                guard let rows = states[i].rows(of: persons[i]) else { continue }
                record(i, rows, at: next, changed: changed.contains(i))
            }
            for i in dirty { states[i].markClean() }
            dirty.removeAll(keepingCapacity: true)
            next += 1
        }
    }
}
