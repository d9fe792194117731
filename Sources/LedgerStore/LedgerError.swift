/// Why the ledger refused or failed an operation.
///
/// An open struct with a code (a struct over a private enum, as in swift-nio, so new codes never
/// break a caller's `switch`) and a message that names the offending value and where it came
/// from. `catch let error as LedgerError where error.code == .wrongExpectedVersion` matches.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notFound, alreadyExists, notALedger, newerSchema, damaged, readOnly
            case wrongExpectedVersion, invalidInput, busy, storage, keyRequired
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No ledger file at the path.
        public static let notFound = Code(.notFound)
        /// `create` found a file already there.
        public static let alreadyExists = Code(.alreadyExists)
        /// The file is not a SQLite database, or is one that koki did not create.
        public static let notALedger = Code(.notALedger)
        /// The ledger was written by a newer koki; this one leaves it untouched.
        public static let newerSchema = Code(.newerSchema)
        /// SQLite reports the file as corrupt.
        public static let damaged = Code(.damaged)
        /// A write was attempted on a ledger opened read-only.
        public static let readOnly = Code(.readOnly)
        /// Optimistic concurrency: a stream was not at the version the command expected.
        public static let wrongExpectedVersion = Code(.wrongExpectedVersion)
        /// The append request itself is malformed (empty, bad stream name, ...).
        public static let invalidInput = Code(.invalidInput)
        /// Another process held the write lock for longer than the busy timeout.
        public static let busy = Code(.busy)
        /// Any other storage failure (disk full, I/O error).
        public static let storage = Code(.storage)
        /// The ledger seals its commands under a chain key, and none was given.
        public static let keyRequired = Code(.keyRequired)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// The error underneath (a GRDB `DatabaseError`, say), when there is one.
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
