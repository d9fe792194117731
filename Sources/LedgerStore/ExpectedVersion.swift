/// What a command expects of a stream's version when it appends (optimistic concurrency).
///
/// A command reads a stream, decides, and appends with the version it read; if another
/// command appended in between, the append fails with ``LedgerError/Code/wrongExpectedVersion``
/// and nothing is written, so the command can re-read and decide again.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must be exactly at this version (its last event's version; 0 = no stream).
    case exact(Int64)

    package func accepts(_ actual: Int64) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == 0
        case .exact(let v): actual == v
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exact(let v): "\(v)"
        }
    }
}
