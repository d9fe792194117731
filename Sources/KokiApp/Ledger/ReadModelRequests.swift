import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// `rebuild --status`: the stored read models and their snapshots listed; nothing changes (a query,
/// so it runs on a replay copy too).
public struct ShowReadModels: KokiRequest {
    public static let name = "rebuild status"
    public static let function: AccessFunction? = .ledgerInspect
    public static let isQuery = true

    public init() {}

    public struct Answer: Sendable, Codable {
        public var balances: StoredBalances.Status
        public var register: StoredRegister.Status
        public var debits: StoredDebits.Status
        public var premiums: StoredPremiums.Status
        public var arrears: StoredArrears.Status
    }

    public func handle(_ scope: RequestScope) throws -> Answer {
        Answer(
            balances: try StoredBalances(scope.ledger).status(),
            register: try StoredRegister(scope.ledger.ports).status(),
            debits: try StoredDebits(scope.ledger.ports).status(),
            premiums: try StoredPremiums(scope.ledger.ports).status(),
            arrears: try StoredArrears(scope.ledger.ports).status())
    }
}

/// `rebuild`: the stored read models rebuilt from position zero and compared with the maintained
/// ones (a ledger's maintenance); with `check` only compared.
public struct RebuildReadModels: KokiRequest {
    public static let name = "rebuild"
    public static let function: AccessFunction? = .ledgerMaintain

    /// Compare only: swap nothing.
    public var check: Bool
    public var snapshotEvery: Int64?

    public init(check: Bool, snapshotEvery: Int64?) {
        (self.check, self.snapshotEvery) = (check, snapshotEvery)
    }

    public struct Outcome: Sendable, Codable {
        public var rebuild: StoredBalances.Rebuild
        /// How long the balances' rebuild took.
        public var seconds: Double
        public var register: StoredRegister.Rebuild
        public var registerSeconds: Double
        public var debits: StoredDebits.Rebuild
        public var debitsSeconds: Double
        public var premiums: StoredPremiums.Rebuild
        public var premiumsSeconds: Double
        public var arrears: StoredArrears.Rebuild
        public var arrearsSeconds: Double
        /// In a ledger file without `snapshotEvery`: the balances, the debit states and the
        /// premiums were read together in one pass of the ledger, which took this long with their
        /// fills (each pass's rows filled while the next pass is folded); their seconds are then
        /// each one's own part (catching up, filling, comparing), the fills within the pass.
        public var sharedSeconds: Double?
        /// The three read together in all: their pass, the maintained tables caught up and
        /// compared, and the transaction's commit.
        public var sharedTotalSeconds: Double?
    }

    public func handle(_ scope: RequestScope) throws -> Outcome {
        func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let started = ContinuousClock.now
            let value = try body()
            let elapsed = ContinuousClock.now - started
            return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let (shared, sharedTotal) = try timed {
            snapshotEvery == nil ? try SharedRebuild.rebuild(scope.ledger.ports, check: check) : nil
        }
        if let together = shared {
            let (register, registerSeconds) = try timed { try StoredRegister(scope.ledger.ports).rebuild(check: check) }
            let (arrears, arrearsSeconds) = try timed { try StoredArrears(scope.ledger.ports).rebuild(check: check) }
            return Outcome(
                rebuild: together.balances, seconds: together.balancesSeconds, register: register,
                registerSeconds: registerSeconds, debits: together.debits,
                debitsSeconds: together.debitsSeconds, premiums: together.premiums,
                premiumsSeconds: together.premiumsSeconds, arrears: arrears, arrearsSeconds: arrearsSeconds,
                sharedSeconds: together.scanSeconds, sharedTotalSeconds: sharedTotal)
        }
        let (report, seconds) = try timed {
            try StoredBalances(scope.ledger).rebuild(check: check, snapshotEvery: snapshotEvery)
        }
        let (register, registerSeconds) = try timed { try StoredRegister(scope.ledger.ports).rebuild(check: check) }
        let (debits, debitsSeconds) = try timed { try StoredDebits(scope.ledger.ports).rebuild(check: check) }
        let (premiums, premiumsSeconds) = try timed { try StoredPremiums(scope.ledger.ports).rebuild(check: check) }
        let (arrears, arrearsSeconds) = try timed { try StoredArrears(scope.ledger.ports).rebuild(check: check) }
        return Outcome(
            rebuild: report, seconds: seconds, register: register, registerSeconds: registerSeconds, debits: debits,
            debitsSeconds: debitsSeconds, premiums: premiums, premiumsSeconds: premiumsSeconds, arrears: arrears,
            arrearsSeconds: arrearsSeconds, sharedSeconds: nil, sharedTotalSeconds: nil)
    }
}

/// `balances`: premium balances by fiscal year from the stored read model, or one person's rows
/// (their read recorded first); with `knownAt`, as the ledger knew it at a position or a recorded
/// time.
public struct ShowBalances: KokiRequest {
    public static let name = "balances"
    public static let function: AccessFunction? = .collectionRead
    public static let isQuery = true

    public var fiscalYear: FiscalYear?
    public var person: PersonID?
    /// A position, or a recorded time as typed (``recordedTime(_:)``).
    public var knownAt: String?

    public init(fiscalYear: FiscalYear?, person: PersonID?, knownAt: String?) {
        (self.fiscalYear, self.person, self.knownAt) = (fiscalYear, person, knownAt)
    }

    public struct Answer: Sendable, Codable {
        public var rows: [YearBalance]
        /// The position the rows reflect.
        public var position: Int64
        /// Where they came from, as a person reads it.
        public var source: String
    }

    public func handle(_ scope: RequestScope) throws -> Answer {
        if let person { try scope.recordRead([person]) }
        let through: Int64? =
            switch try KnownAt(parsing: knownAt) {
            case nil: nil
            case .position(let p): p
            case .time(let t): try scope.ledger.store.position(recordedBy: t)
            }
        let balances = StoredBalances(scope.ledger)
        let answer = try person.map { try balances.rows(of: $0, through: through) } ?? balances.rows(through: through)
        var rows = answer.rows
        if let fiscalYear { rows = rows.filter { $0.fiscalYear == fiscalYear } }
        if let person { rows = rows.filter { $0.person == person } }
        let source =
            switch answer.source {
            case .table(let p): "stored table at position \(p)"
            case .snapshot(let s, let d, let n):
                "snapshot at position \(s), \(d) deltas after it, \(n) persons folded again to \(answer.position)"
            case .fold:
                person == nil
                    ? "every person's balances folded from the events to position \(answer.position)"
                    : "their stream folded to position \(answer.position)"
            }
        return Answer(rows: rows, position: answer.position, source: source)
    }
}

extension KnownAt {
    /// `--known-at` as typed: a position, or a recorded time (``recordedTime(_:)``); `nil` for none.
    public init?(parsing text: String?) throws {
        guard let text else { return nil }
        if let position = Int64(text) {
            guard position >= 0 else { throw KokiError(.invalidInput, "--known-at \(text) is not a position") }
            self = .position(position)
            return
        }
        guard let time = recordedTime(text) else {
            throw KokiError(.invalidInput, notARecordedTime(text, option: "--known-at"))
        }
        self = .time(time)
    }
}
