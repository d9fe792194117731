import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// Three read models filled in position order — the balances, the debit states and the
/// premiums — rebuilt together from one read of the ledger file, in one transaction.
///
/// Each model rebuilt on its own scans the whole file, and the three read the same events
/// (payments and assessments above all). Here one scan feeds one folding thread that decodes each
/// event once for the three. Every model is then filled, compared and swapped in (or, with
/// `check`, dropped) exactly as its own rebuild does: each model's pass is given the same events
/// in the same order as a scan of its own.
///
/// The register is not among them: its entries are the largest state a pass holds (about 1 GB
/// at ten years of Matsudo), and held beside the other three they took the rebuild's peak from
/// 1.1 to 1.9 GB, where rebuilding it on its own after them costs a second scan of the file.
public enum SharedRebuild {
    /// The names of the models read together, in the order their rebuilds are reported.
    public static let models = [StoredBalances.name, StoredDebits.name, StoredPremiums.name]

    public struct Outcome: Sendable {
        public var balances: StoredBalances.Rebuild
        public var debits: PersonTableRebuild
        public var premiums: PersonTableRebuild
        /// The shared read of the ledger, its folds included, and the fills of its passes (each
        /// pass's rows are filled in while the next pass is folded).
        public var scanSeconds: Double
        /// Each model's own part: catching the maintained table up, filling the fresh one from its
        /// folded state (within ``scanSeconds``, beside the next pass's fold), comparing and
        /// swapping.
        public var balancesSeconds: Double
        public var debitsSeconds: Double
        public var premiumsSeconds: Double
    }

    /// Rebuilds the three together in a ledger file; `nil` for a store that keeps its read models
    /// elsewhere (a PostgreSQL schema), whose models rebuild one by one.
    /// `reading`: how the passes of persons read the ledger (once, unless a benchmark's baseline);
    /// `overlapping`: whether each pass's rows are filled while the next pass is folded (unless a
    /// benchmark's baseline, which fills each pass before folding the next).
    public static func rebuild(
        _ ports: LedgerPorts, check: Bool, personsPerPass: Int? = nil, reading: PassReading = .once,
        overlapping: Bool = true
    ) throws -> Outcome? {
        let personsPerPass = personsPerPass ?? PassScan.personsPerPass
        guard case .beside(let tables) = ports.readModels else { return nil }
        let balancesModel = StoredBalances(ports)
        return try tables.writingModel(StoredBalances.schema) { balancesTx in
            let debitsTx = balancesTx.sibling(StoredDebits.schema)
            let premiumsTx = balancesTx.sibling(StoredPremiums.schema)
            var clock = Stopwatch()
            let balances = try balancesModel.prepareRebuild(balancesTx, check: check, snapshotEvery: nil)
            var balancesSeconds = clock.lap()
            let debits = try StoredDebits.tables.prepareRebuild(debitsTx)
            var debitsSeconds = clock.lap()
            let premiums = try StoredPremiums.tables.prepareRebuild(premiumsTx)
            var premiumsSeconds = clock.lap()
            let head = balances.head
            guard debits.head == head, premiums.head == head else {
                throw KokiError(.invalidInput, "the ledger's head moved inside one transaction: nothing rebuilt")
            }

            // Every person's stream, and the mandate holders among them (found by the index by type).
            let persons = try StoredBalances.persons(balancesTx)
            let holders = Set(try StoredDebits.mandated(debitsTx, after: 0, through: head))
            let everyone = Set(persons).union(holders).sorted()
            var query = EventQuery.through(position: head)
            query.types = CompactBalances.eventTypes.union(DebitState.eventTypes).union(StoredPremiums.eventTypes)
            query.scansForTypes = true
            query.readsEnvelopes = false

            var read = (balances: 0, debits: 0, premiums: 0)
            var filled = (balancesRows: 0, premiums: 0)
            var scanSeconds = 0.0
            // The ledger is read once, however many passes: the passes after the first are folded
            // from a temporary copy of their events, each while the pass before it is filled in
            // (see ``PassScan/fold(_:_:passes:reading:overlapping:make:done:)``).
            let passes = PassScan.passes(everyone, size: personsPerPass).map { Array($0) }
            let scanStarted = ContinuousClock.now
            _ = try PassScan.fold(
                balancesTx, query, passes: passes, reading: reading, overlapping: overlapping
            ) { _, slice in
                let balancePass = BalancePass(persons: slice, checkpoints: [], snapshots: [])
                let premiumPass = PremiumPass(persons: slice)
                var sliceHolders: [PersonID] = []
                var holderPositions: [Int] = []
                let holderIndex = slice.enumerated().map { i, person -> Int32 in
                    guard holders.contains(person) else { return -1 }
                    sliceHolders.append(person)
                    holderPositions.append(i)
                    return Int32(sliceHolders.count - 1)
                }
                // The debit states' period sums are the balance pass's: the same events folded
                // the same way for every one of the slice's persons.
                let debitPass = DebitPass(sumsIn: balancePass, at: holderPositions)
                let group = FolderGroup([
                    .init(folder: balancePass, map: nil, types: CompactBalances.eventTypes),
                    .init(folder: debitPass, map: holderIndex, types: DebitState.eventTypes),
                    .init(folder: premiumPass, map: nil, types: StoredPremiums.eventTypes),
                ])
                return (group, (group, balancePass, debitPass, premiumPass, sliceHolders))
            } done: { _, pass in
                let (group, balancePass, debitPass, premiumPass, sliceHolders) = pass
                _ = clock.lap()
                read.balances += group.read[0]
                read.debits += group.read[1]
                read.premiums += group.read[2]
                filled.balancesRows += try StoredBalances.insert(balancePass, into: .rebuilt, balancesTx, through: head)
                balancesSeconds += clock.lap()
                try StoredDebits.insert(debitPass, sliceHolders, into: .rebuilt, debitsTx, through: head)
                debitsSeconds += clock.lap()
                filled.premiums += try StoredPremiums.insert(premiumPass, into: .rebuilt, premiumsTx)
                premiumsSeconds += clock.lap()
            }
            scanSeconds = Stopwatch.seconds(ContinuousClock.now - scanStarted)
            PassScan.releaseFreedMemory()
            _ = clock.lap()

            let balancesDone = try StoredBalances.finishRebuild(
                balancesTx, balances, built: (persons.count, read.balances, filled.balancesRows, []), check: check)
            balancesSeconds += clock.lap()
            let debitsDone = try StoredDebits.tables.finishRebuild(
                debitsTx, head: head, comparedWith: debits.comparedWith, built: (holders.count, read.debits),
                check: check)
            debitsSeconds += clock.lap()
            let premiumsDone = try StoredPremiums.tables.finishRebuild(
                premiumsTx, head: head, comparedWith: premiums.comparedWith, built: (filled.premiums, read.premiums),
                check: check)
            premiumsSeconds += clock.lap()
            return Outcome(
                balances: balancesDone, debits: debitsDone, premiums: premiumsDone, scanSeconds: scanSeconds,
                balancesSeconds: balancesSeconds, debitsSeconds: debitsSeconds, premiumsSeconds: premiumsSeconds)
        }
    }

    /// How long each step took, lap after lap.
    private struct Stopwatch {
        private var last = ContinuousClock.now

        mutating func lap() -> Double {
            let now = ContinuousClock.now
            defer { last = now }
            return Self.seconds(now - last)
        }

        static func seconds(_ elapsed: Duration) -> Double {
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }
}
