import Foundation
import KokiDomain
import LedgerStore

/// `verify`: walks the hash chain (and the file's own integrity check unless `quick`), reconciles
/// the key table with the erasures, and with `checkpoint` says whether the ledger still extends
/// a checkpoint taken from it. It shows no one's data, so no read is recorded.
public struct VerifyLedger: KokiRequest {
    public static let name = "verify"
    public static let function: AccessFunction? = .ledgerInspect
    public static let isQuery = true

    /// Skips SQLite's integrity check (the index check among it).
    public var quick: Bool
    /// A checkpoint's line, or a file holding one (`koki head --checkpoint`).
    public var checkpoint: String?

    public init(quick: Bool, checkpoint: String?) {
        self.quick = quick
        self.checkpoint = checkpoint
    }

    /// What the walk found.
    public struct Report: Sendable, Hashable, Codable {
        public var events: Int64
        public var commands: Int64
        public var headPosition: Int64
        public var headHash: String
        public var keyedChain: Bool
        public var sealsChecked: Int64?
        /// The first thing found wrong (`nil` when intact), and its position when tied to one event.
        public var problem: String?
        public var problemPosition: Int64?
        /// The checkpoint's answer, when one was given and the ledger is intact.
        public var checkpoint: CheckpointAnswer?

        /// Whether nothing was found wrong (the checkpoint included).
        public var intact: Bool { problem == nil && (checkpoint?.outcome ?? .extends) == .extends }
    }

    /// What the ledger says about a checkpoint: the line to print and its outcome.
    public struct CheckpointAnswer: Sendable, Hashable, Codable {
        public enum Outcome: String, Sendable, Hashable, Codable {
            case extends, otherLedger, notSigned, truncated, rewritten
        }
        public var outcome: Outcome
        public var line: String
    }

    public func handle(_ scope: RequestScope) throws -> Report {
        let store = scope.ledger.store
        // The checkpoint is read (and refused when malformed) before the long walk.
        let expected = try checkpoint.map { try Self.readCheckpoint($0, scope) }
        var report = try store.verify(checkFile: !quick)
        // A replay copy carries today's key table beside an older history (a later erasure's
        // tombstone, say), so only a ledger itself is reconciled.
        if report.isIntact, try store.replayOrigin() == nil,
            let erased = try KeyReconciliation(scope.ledger).firstProblem()
        {
            report.problem = .init(position: erased.position, message: erased.message)
        }
        var answer = Report(
            events: report.eventsChecked, commands: report.commandsChecked, headPosition: report.head.position,
            headHash: report.head.hash.hex, keyedChain: report.keyedChain, sealsChecked: report.sealsChecked,
            problem: report.problem?.message, problemPosition: report.problem?.position)
        if report.isIntact, let expected { answer.checkpoint = try check(expected, scope.ledger) }
        return answer
    }

    /// The checkpoint in a file at `given`, or `given` itself.
    static func readCheckpoint(_ given: String, _ scope: RequestScope) throws -> Checkpoint {
        if given.hasPrefix("koki-checkpoint") { return try checkpoint(given, "--checkpoint") }
        let data: Data
        do {
            data = try scope.read(given)
        } catch {
            throw KokiError(.invalidInput, "--checkpoint: no file \(given), and not a checkpoint's text")
        }
        guard data.count <= 4_096 else {
            throw KokiError(.invalidInput, "--checkpoint: \(given) is \(data.count) bytes, not one checkpoint line")
        }
        return try checkpoint(String(decoding: data, as: UTF8.self), "--checkpoint \(given)")
    }

    static func checkpoint(_ text: String, _ source: String) throws -> Checkpoint {
        do {
            return try Checkpoint(parsing: text)
        } catch let error as LedgerError {
            throw KokiError(.invalidInput, "\(source): \(error.message)")
        }
    }

    /// Whether the intact ledger still extends the checkpoint, with the line that says so.
    func check(_ expected: Checkpoint, _ ledger: KokiLedger) throws -> CheckpointAnswer {
        let store = ledger.store
        guard let master = ledger.masterKey else {
            throw KokiError(.masterKey, "a checkpoint is checked under the master key: give its file")
        }
        let taken = "the checkpoint of \(expected.at) (position \(expected.head.position))"
        switch try store.check(expected, key: try master.chainKey(for: store.ledgerID)) {
        case .extends(let appended):
            return .init(outcome: .extends, line: "extends \(taken): \(appended) events appended since")
        case .otherLedger(let id):
            return .init(
                outcome: .otherLedger,
                line: "NOT THIS LEDGER'S: \(taken) is of ledger \(id); this is ledger \(store.ledgerID)")
        case .notSigned:
            return .init(
                outcome: .notSigned,
                line:
                    "NOT SIGNED: \(taken) does not carry this ledger's MAC under this master key: it was altered or made without the key"
            )
        case .truncated(let end):
            return .init(
                outcome: .truncated,
                line:
                    "TRUNCATED: \(taken) was taken at position \(expected.head.position); the ledger now ends at \(end): positions \(end + 1)–\(expected.head.position) were cut off"
            )
        case .rewritten:
            return .init(
                outcome: .rewritten,
                line:
                    "REWRITTEN: position \(expected.head.position) no longer has the hash of \(taken): the history up to it was rewritten"
            )
        }
    }
}
