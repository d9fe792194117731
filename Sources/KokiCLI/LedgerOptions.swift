import ArgumentParser
import Foundation
import KokiApp
import LedgerStore

/// The options every command shares: which ledger file, and who is acting.
public struct LedgerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The ledger file. Default: $KOKI_LEDGER, else ./koki.ledger.", valueName: "path"))
    public var ledger: String?

    @Option(
        name: .customLong("operator"),
        help: ArgumentHelp(
            "The operator acting (recorded on every command). Default: $KOKI_OPERATOR.", valueName: "id"))
    public var operatorID: String?

    public init() {}

    /// The ledger path after applying the environment and the default.
    public var ledgerPath: String {
        ledger ?? ProcessInfo.processInfo.environment["KOKI_LEDGER"] ?? "koki.ledger"
    }

    /// The operator, from the option or the environment; commands that append require one.
    public func requireOperator() throws -> String {
        guard let id = operatorID ?? ProcessInfo.processInfo.environment["KOKI_OPERATOR"], !id.isEmpty else {
            throw CLIFailure(.usage, "no operator: pass --operator ID or set KOKI_OPERATOR")
        }
        return id
    }

    func open(_ mode: Ledger.AccessMode) throws -> Ledger {
        try Ledger.open(at: ledgerPath, mode: mode)
    }

    /// For a query that reads the stored read models: read-write when it may, so they can be
    /// caught up (and kept) in the file; read-only for a replay copy or a file this user may not
    /// write, whose answers are folded instead.
    func openForQuery() throws -> Ledger {
        guard FileManager.default.isWritableFile(atPath: ledgerPath) else { return try open(.readOnly) }
        do {
            return try open(.readWrite)
        } catch let error as LedgerError where error.code == .readOnly {
            return try open(.readOnly)
        }
    }
}

/// `--known-at POSITION|TIME`: answer as the ledger knew it then.
struct KnownAtOption: ParsableArguments {
    @Option(
        name: .customLong("known-at"),
        help: ArgumentHelp(
            "Answer as the ledger knew it at a position, or at a recorded time (ISO 8601, or a date = 00:00 JST).",
            valueName: "position|time"))
    var knownAt: String?

    func value() throws -> KnownAt? {
        guard let knownAt else { return nil }
        if let position = Int64(knownAt) {
            guard position >= 0 else { throw ValidationError("--known-at \(knownAt) is not a position") }
            return .position(position)
        }
        return .time(try EventsCommand.parseTime(knownAt, option: "--known-at"))
    }
}

/// After a batch run that touched many persons: bring the stored read models up to date now,
/// so the cost of folding those persons again lands on the batch job, not on the next query
/// someone waits for. The run's own work is committed already; a failure here only leaves the
/// catching up to that query.
func keepReadModelsUp(_ ledger: KokiLedger) {
    do {
        try StoredBalances(ledger).catchUp()
    } catch {
        Output.error("note: the stored balances were not brought up to date (\(error)); the next query will")
    }
}
