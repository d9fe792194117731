import Foundation

// The state a ledger keeps beside its events, outside the hash chain, each behind its own port:
// the application asks for the port it needs (``LedgerPorts``), never for the store behind it.
// ``Ledger`` (SQLite) and `PostgresLedger` implement every one; a test may hand the application
// other implementations of any of them.

/// The keys that seal each subject's personal data, and the keyed digests that find a subject by
/// a secret value without storing the value. Both live in one port because erasure deletes a
/// subject's key and its lookups together, in one transaction.
public protocol KeyStore: Sendable {
    /// The key that seals a subject's personal data; with `makeKey`, created when missing.
    func subjectKey(_ subject: String, makeKey: (() throws -> [UInt8])?) throws -> [UInt8]?
    /// Deletes a subject's key and lookups (erasure); whether there was one.
    @discardableResult func eraseSubjectKey(_ subject: String) throws -> Bool
    /// Replaces stored key blobs (wrapping them under a master key).
    func replaceSubjectKeys(_ blobs: [String: [UInt8]]) throws
    func allSubjectKeys() throws -> [String: [UInt8]]
    /// The stored key blobs of some subjects, by subject (a subject without a key is missing
    /// from the answer): in time proportional to the subjects asked, not to every key stored.
    func subjectKeys(_ subjects: [String]) throws -> [String: [UInt8]]
    /// Records that `digest` of a `kind` of secret value finds `subject` (one subject per digest).
    func recordLookup(kind: String, digest: [UInt8], subject: String) throws
    func lookup(kind: String, digest: [UInt8]) throws -> String?
    /// Every lookup (its kind, digest and subject), by kind and digest.
    func allLookups() throws -> [SubjectLookup]
    /// Makes this store's keys and lookups exactly `keys` and `lookups`, in one transaction: a
    /// subject not among them loses its key and lookups (erased where they came from), every
    /// other takes the blob given. What a copy of the same ledger's events takes from its source.
    func mirrorSubjectKeys(_ keys: [String: [UInt8]], lookups: [SubjectLookup]) throws
}

/// That a keyed digest of a kind of secret value (a My Number) finds a subject.
public struct SubjectLookup: Sendable, Hashable {
    public var kind: String
    public var digest: [UInt8]
    public var subject: String

    public init(kind: String, digest: [UInt8], subject: String) {
        (self.kind, self.digest, self.subject) = (kind, digest, subject)
    }
}

/// A principal's credential (an operator's password hash): state beside the keys, never in the
/// events, so no backup or replay copy of the chain carries it.
public protocol CredentialStore: Sendable {
    /// `nil` when none is stored.
    func credential(_ principal: String) throws -> String?
    /// Stores (or replaces) a principal's credential.
    func setCredential(_ principal: String, _ secret: String) throws
    /// Every principal's credential.
    func allCredentials() throws -> [String: String]
}

/// When each session last acted (idle expiry).
public protocol SessionStore: Sendable {
    func sessionLastSeen(_ session: String) throws -> Timestamp?
    /// Records that the session acted now (the store's clock).
    func touchSession(_ session: String) throws
}

/// Writes the ledger as it stood at a position into a new file of its own (a replay copy).
public protocol ReplayCopyStore: Sendable {
    /// The copy holds the events through `position` and is marked as a replay; `prepare` gets the
    /// copy's ports, writable, before it is marked (to build its read models as they stood then).
    func writeReplayCopy(through position: Int64, to destination: String, prepare: (LedgerPorts) throws -> Void)
        throws
    /// The copy at `destination` opened read-only and its hash chain walked on its own.
    func verifyReplayCopy(at destination: String) throws -> VerifyReport
}

/// Something that hands out a ledger's ports: a store (``Ledger``, `PostgresLedger`) or the
/// ports themselves.
public protocol LedgerStorage: Sendable {
    var ports: LedgerPorts { get }
}

/// A ledger's ports, as the application gets them.
///
/// ```swift
/// let ports = try Ledger.open(at: "koki.ledger").ports
/// try ports.sessions.touchSession(id)
/// ```
public struct LedgerPorts: LedgerStorage {
    public var events: any EventStore
    public var keys: any KeyStore
    public var credentials: any CredentialStore
    public var sessions: any SessionStore
    public var readModels: ReadModelTables
    /// `nil` where the store cannot write a replay copy (a PostgreSQL ledger).
    public var replayCopies: (any ReplayCopyStore)?

    public init(
        events: any EventStore, keys: any KeyStore, credentials: any CredentialStore, sessions: any SessionStore,
        readModels: ReadModelTables = .none, replayCopies: (any ReplayCopyStore)? = nil
    ) {
        self.events = events
        self.keys = keys
        self.credentials = credentials
        self.sessions = sessions
        self.readModels = readModels
        self.replayCopies = replayCopies
    }

    public var ports: LedgerPorts { self }
}

/// Where a ledger keeps its read models' tables, and so what they can answer.
public enum ReadModelTables: Sendable {
    /// Beside the events, read and written in one transaction with them, with snapshots and
    /// deltas of their past (a SQLite ledger file).
    case beside(any ReadModelStore)
    /// One table of documents kept at the head (a PostgreSQL ledger's schema).
    case atHead(any HeadReadModelStore)
    /// No stored tables: every answer is folded from the events.
    case none
}
