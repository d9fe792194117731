import KokiDomain
import LedgerStore

/// A model's persons (in key order) in passes, each folded on its own (from one read of the ledger,
/// ``PassScan/fold(_:_:passes:spillingIn:reading:overlapping:make:done:)``), and each pass in
/// slices, each compared and written at once; with the range of keys each slice covers. Every key
/// is in exactly one slice's range (the first open below, the last above), so a document kept
/// under a key with no stream is still read by the slice whose range holds it.
struct KeySlices {
    let passes: [ArraySlice<PersonID>]
    /// Each pass's slices, in order.
    let slices: [[ArraySlice<PersonID>]]
    /// Each slice's first key, over every pass.
    private let firsts: [String]

    init(_ persons: [PersonID], personsPerPass: Int, personsPerSlice: Int) {
        passes = PassScan.passes(persons, size: personsPerPass)
        slices = passes.map { PassScan.passes(Array($0), size: personsPerSlice) }
        firsts = slices.flatMap { $0.compactMap { $0.first?.value } }
    }

    /// Every person with a stream in `store` (named with `prefix`), in the order of their keys'
    /// bytes, which the ranges of keys compare by (a person's number is digits only: its order is
    /// theirs).
    static func persons(in store: any EventStore, prefix: String) throws -> [PersonID] {
        try store.streamNames(prefix: prefix).map { try PersonID(String($0.value.dropFirst(prefix.count))) }.sorted()
    }

    /// How many slices, over every pass.
    var count: Int { firsts.count }

    /// The keys of the `n`th slice over every pass (a filter of documents by range of keys); with
    /// no persons at all, every key.
    func keys(_ n: Int) -> DocumentFilter {
        .keyRange(
            from: n == 0 || firsts.isEmpty ? nil : firsts[min(n, firsts.count - 1)],
            before: n + 1 < firsts.count ? firsts[n + 1] : nil)
    }
}

/// A model kept at the head (a PostgreSQL ledger's schema) rebuilt from zero a slice of persons at
/// a time, as the register, the debit states and the premiums are: `fill` folds every person
/// through `position` and hands each slice's new items to its body with the range of keys the
/// slice covers; each slice is compared with the documents of that range (`compare` reads them and
/// answers the position they reflect and the persons who differ) when there is something to
/// compare with, and, unless `check`, written (each item as `document` makes it), replacing every
/// document at `position` in one transaction. Neither the documents nor the new items are held
/// whole. Documents that moved on from `position` meanwhile (another process caught them up)
/// stop it, and nothing is replaced.
struct SlicedRebuild<Item> {
    let documents: any HeadReadModelStore
    let schema: ReadModelSchema
    /// What the model is called in a message ("the register's documents").
    let what: String
    let position: Int64

    func run(
        check: Bool, comparing: Bool,
        fill: (_ body: (_ items: [Item], _ keys: DocumentFilter) throws -> Void) throws -> (persons: Int, events: Int),
        compare:
            @escaping (_ items: [Item], _ keys: DocumentFilter) throws -> (position: Int64?, differ: Set<PersonID>),
        document: @escaping (Item) throws -> (key: String, part: Int64, json: [UInt8])
    ) throws -> (persons: Int, events: Int, differences: [PersonID]) {
        var differences = Set<PersonID>()
        func compared(_ items: [Item], _ keys: DocumentFilter) throws {
            guard comparing else { return }
            let kept = try compare(items, keys)
            guard kept.position == position else { throw Overtaken(what: what, position: position) }
            differences.formUnion(kept.differ)
        }
        var built = (persons: 0, events: 0)
        if check {
            built = try fill(compared)
        } else {
            try documents.replaceReadModel(schema, position: position) { write in
                try withoutActuallyEscaping(write) { write in
                    built = try fill { items, keys in
                        try compared(items, keys)
                        try write(try items.map(document))
                    }
                }
                return .none
            }
        }
        return (built.persons, built.events, differences.sorted())
    }
}

/// A model's documents another process caught up while a rebuild compared them with its fold
/// (``SlicedRebuild``, a schema's balances): the rebuild stops and replaces nothing.
struct Overtaken: Error, CustomStringConvertible {
    /// What the model is called in a message ("the register's documents").
    let what: String
    let position: Int64

    var description: String {
        "\(what) moved on from position \(position) while being compared: nothing was replaced; run the rebuild again"
    }

    /// How many times a rebuild begins again, caught up anew, before it gives up.
    static let attempts = 3

    /// `rebuild` run again, from its catch-up, each time another process overtakes it, up to
    /// ``attempts`` times in all: on a server, the offices' commands catch the models up while an
    /// auditor's check runs, and the check need not be run again by hand for each. Then it gives
    /// up with an error naming the model and the position.
    static func retrying<T: RebuildAttempts>(_ rebuild: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                var done = try rebuild()
                done.attempts = attempt
                return done
            } catch let overtaken as Overtaken {
                guard attempt < attempts else {
                    throw KokiError(
                        .invalidInput,
                        "\(overtaken.what) moved on from position \(overtaken.position) while being compared, \(attempts) times: nothing was replaced; run the rebuild again when fewer commands are being recorded"
                    )
                }
                attempt += 1
            }
        }
    }
}

/// A rebuild's report, which says how many times it began.
protocol RebuildAttempts {
    var attempts: Int { get set }
}

extension StoredBalances.Rebuild: RebuildAttempts {}
