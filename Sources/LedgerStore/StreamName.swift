/// The name of a stream in the ledger (`person/000123456`, `run/annual-assessment/2025`).
///
/// Names are 1–200 bytes of printable UTF-8 with no spaces or control characters, so they
/// print on one line and sort predictably; `/` separates the parts a prefix query selects on.
public struct StreamName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ value: String) throws(LedgerError) {
        let utf8 = value.utf8
        guard !utf8.isEmpty, utf8.count <= 200 else {
            throw LedgerError(.invalidInput, "stream name '\(value)' must be 1–200 bytes long")
        }
        guard value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw LedgerError(.invalidInput, "stream name '\(value)' contains a space or a control character")
        }
        self.value = value
    }

    public static func < (lhs: StreamName, rhs: StreamName) -> Bool { lhs.value < rhs.value }

    public var description: String { value }
}
