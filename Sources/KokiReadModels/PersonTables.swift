import KokiDomain
import LedgerStore

/// Every stored read model of a ledger (balances, register, debit states, premiums, arrears)
/// brought up to its head: what a batch run does as it finishes, and a replay copy as it is
/// written.
public func catchUpStoredModels(_ ports: LedgerPorts) throws {
    try StoredBalances(ports).catchUp()
    try StoredRegister(ports).catchUp()
    try StoredDebits(ports).catchUp()
    try StoredPremiums(ports).catchUp()
    try StoredArrears(ports).catchUp()
}

/// The upkeep a read model of one table keyed by person shares (the register, the debit
/// states): built from zero when missing or of another logic, brought forward otherwise, and
/// rebuilt beside the maintained table to be compared and swapped in. Each model gives how it
/// fills a table from zero and how it brings the maintained one forward.
struct PersonTables: Sendable {
    let schema: ReadModelSchema
    /// Folds every person into a table through a position, in position order with at most so
    /// many persons a pass: how many persons and events.
    let fill: @Sendable (any ReadModelTransaction, ReadModelTable, Int64, Int) throws -> (persons: Int, events: Int)
    /// The same, one person's stream at a time: the reference the tests and benchmarks hold
    /// ``fill`` to.
    let fillByStreams: @Sendable (any ReadModelTransaction, ReadModelTable, Int64) throws -> (persons: Int, events: Int)
    /// Brings the maintained table from one position to another: how many persons changed.
    let advance: @Sendable (any ReadModelTransaction, Int64, Int64) throws -> Int

    /// Brings the maintained table up to the head in one transaction (from zero when missing or
    /// of another logic); returns how many persons were folded.
    func catchUp(_ tables: any ReadModelStore) throws -> Int {
        try tables.writingModel(schema) { tx in
            try tx.createTables()
            let head = try tx.head()
            guard let model = try tx.state(), model.logicVersion == schema.logicVersion else {
                try tx.recreate(.maintained)
                let built = try fill(tx, .maintained, head, PassScan.personsPerPass)
                try tx.setPosition(head)
                return built.persons
            }
            guard model.position < head else { return 0 }
            return try advance(tx, model.position, head)
        }
    }

    /// Fills the rebuild's scratch table from zero, in position order (``fill``) or one stream at
    /// a time (``fillByStreams``), reads it back with `read` and drops it: how the tests and
    /// benchmarks compare the two ways of filling a model.
    func filledFromZero<T>(
        _ ports: LedgerPorts, byStreams: Bool, personsPerPass: Int?, read: (any ReadModelTransaction) throws -> T
    ) throws -> (read: T, events: Int) {
        try Self.tables(of: ports).writingModel(schema) { tx in
            try tx.createTables()
            let head = try tx.head()
            try tx.recreate(.rebuilt)
            let built =
                try byStreams
                ? fillByStreams(tx, .rebuilt, head)
                : fill(tx, .rebuilt, head, personsPerPass ?? PassScan.personsPerPass)
            let filled = try read(tx)
            try tx.dropRebuilt()
            return (filled, built.events)
        }
    }

    /// The tables beside a ledger's events; refused where there are none (a PostgreSQL ledger
    /// folds instead).
    private static func tables(of ports: LedgerPorts) throws -> any ReadModelStore {
        guard case .beside(let tables) = ports.readModels else {
            throw KokiError(
                .invalidInput,
                "the stored read models live in a SQLite ledger file; \(ports.events.location) folds instead")
        }
        return tables
    }

    /// Where the maintained table stands.
    func status(_ tables: any ReadModelStore) throws -> PersonTableStatus {
        try tables.readingModel(schema) { tx in
            guard let model = try tx.state() else { return PersonTableStatus(rows: 0) }
            return PersonTableStatus(position: model.position, logicVersion: model.logicVersion, rows: try tx.count())
        }
    }

    /// Fills a fresh table from zero and compares it with the maintained one (caught up to the
    /// same head first); swaps it in unless `check`.
    func rebuild(_ ports: LedgerPorts, check: Bool) throws -> PersonTableRebuild {
        try Self.tables(of: ports).writingModel(schema) { tx in
            let (head, comparedWith) = try prepareRebuild(tx)
            let built = try fill(tx, .rebuilt, head, PassScan.personsPerPass)
            return try finishRebuild(tx, head: head, comparedWith: comparedWith, built: built, check: check)
        }
    }

    /// A rebuild's first step: the maintained table caught up to the head (where it is of this
    /// logic: the position it was at is what the rebuild compares with) and a fresh table made.
    func prepareRebuild(_ tx: any ReadModelTransaction) throws -> (head: Int64, comparedWith: Int64?) {
        try tx.createTables()
        let head = try tx.head()
        var comparedWith: Int64?
        if let model = try tx.state(), model.logicVersion == schema.logicVersion {
            comparedWith = model.position
            if model.position < head { _ = try advance(tx, model.position, head) }
        }
        try tx.recreate(.rebuilt)
        return (head, comparedWith)
    }

    /// A rebuild's last step, once the fresh table is filled: the rows that differ named, and the
    /// fresh table swapped in (or, with `check`, dropped).
    func finishRebuild(
        _ tx: any ReadModelTransaction, head: Int64, comparedWith: Int64?, built: (persons: Int, events: Int),
        check: Bool
    ) throws -> PersonTableRebuild {
        let differences =
            comparedWith == nil ? [] : try Array(Set(tx.differences().map(\.key))).sorted().map { try PersonID($0) }
        if check {
            try tx.dropRebuilt()
        } else {
            try tx.swapInRebuilt()
            try tx.setPosition(head)
        }
        return PersonTableRebuild(
            position: head, persons: built.persons, events: built.events, comparedWith: comparedWith,
            differences: differences, swapped: !check)
    }
}

/// What `rebuild` of a table keyed by person found and did.
public struct PersonTableRebuild: Sendable, Codable {
    public var position: Int64
    public var persons: Int
    public var events: Int
    /// The maintained table's position before the rebuild, or nil when there was none of this
    /// logic to compare with.
    public var comparedWith: Int64?
    /// The persons whose stored rows differ from a fold of their stream.
    public var differences: [PersonID]
    public var swapped: Bool
    /// How many times it began (more than once: another process caught the model up while it
    /// was compared, ``Overtaken``).
    public var attempts = 1
}

extension PersonTableRebuild: RebuildAttempts {}

/// Where a table keyed by person stands.
public struct PersonTableStatus: Sendable, Codable {
    public var position: Int64?
    public var logicVersion: Int?
    public var rows: Int
}
