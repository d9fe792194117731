import KokiDomain
import LedgerStore

/// koki's documented exit statuses (also listed in `koki --help` and the README).
public enum ExitStatus: Int32, CaseIterable, Sendable {
    case success = 0
    /// `verify` found the ledger altered or damaged; `rebuild --check` found a read model differing.
    case ledgerAltered = 1
    /// A stream was not at the version the command expected: re-read and retry.
    case conflict = 2
    /// The file is not a koki ledger, was written by a newer koki, or is damaged.
    case notALedger = 3
    /// No ledger at the path (or `init` found one already there).
    case notFound = 4
    /// Another process held the ledger's write lock past the busy timeout: retry.
    case busy = 5
    /// Bad options or arguments.
    case usage = 64
    /// Input data is wrong; the message names the field or file and line. Nothing was appended.
    case invalidInput = 65
    /// Any other failure (disk full, I/O error).
    case failure = 70
    /// Not logged in, the session expired or ended, or the operator's roles may not run this
    /// command. The refusal is recorded; nothing else changed.
    case accessDenied = 77
    /// The master key file is missing or is not this ledger's: personal data cannot be opened.
    case masterKey = 78

    public static let table = """
        EXIT STATUS
          0   success
          1   verify found the ledger altered or damaged (names the first position);
              rebuild --check found a read model differing from a rebuild
          2   conflict: a stream was not at the expected version; retry
          3   not a koki ledger, written by a newer koki, or damaged; unchanged
          4   no ledger at the path (or init found a file already there)
          5   locked by another process past the busy timeout; retry
          64  usage: bad option or argument
          65  invalid input; nothing appended
          70  other failure (I/O, disk full)
          77  access denied: no session, it ended, or the role may not; recorded
          78  the master key file is missing or not this ledger's
        """
}

extension ExitStatus {
    /// The exit status and the one-line message of an error from the core or the stores: what
    /// the command line exits with, and what the server answers (as `exitStatus`) for it.
    public static func classify(_ error: any Error) -> (status: ExitStatus, message: String) {
        switch error {
        case let error as LedgerError
        where error.code == .storage && (error.underlying is KokiError || error.underlying is DomainError):
            // A command's own refusal thrown inside a ledger transaction: classified as itself.
            return classify(error.underlying!)
        case let error as LedgerError:
            let status: ExitStatus =
                switch error.code {
                case .wrongExpectedVersion: .conflict
                case .notALedger, .newerSchema, .damaged: .notALedger
                case .notFound, .alreadyExists: .notFound
                case .busy: .busy
                case .invalidInput: .invalidInput
                case .readOnly: .invalidInput
                case .keyRequired: .masterKey
                default: .failure
                }
            return (status, error.message)
        case let error as KokiError:
            let status: ExitStatus =
                switch error.code {
                case .invalidInput: .invalidInput
                case .accessDenied: .accessDenied
                case .masterKey: .masterKey
                default: .notALedger
                }
            return (status, error.message)
        case let error as DomainError:
            return (.invalidInput, error.message)
        default:
            return (.failure, "\(error)")
        }
    }
}
