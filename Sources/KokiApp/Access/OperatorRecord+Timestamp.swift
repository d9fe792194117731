import KokiProjections
import LedgerStore

// The operator fold keeps recorded times as the ledger's clock gives them (microseconds since
// 1970); the application core, which knows the store, shows them as its timestamps.

extension OperatorRecord {
    public var enrolledAt: Timestamp { Timestamp(microseconds: enrolledAtMicroseconds) }
}

extension OperatorRecord.Session {
    public var openedAt: Timestamp { Timestamp(microseconds: openedAtMicroseconds) }
    public var expiresAt: Timestamp { Timestamp(microseconds: expiresAtMicroseconds) }
}

extension OperatorRecord.SourceFailures {
    public var last: Timestamp { Timestamp(microseconds: lastMicroseconds) }
}
