/// A file that cannot be accepted, with where: the line (1-based record number) and the byte or
/// column within it (1-based), so staff can open the file at the problem.
public struct InterchangeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var position: Int
    public var message: String

    public init(line: Int, position: Int, _ message: String) {
        self.line = line
        self.position = position
        self.message = message
    }

    public var description: String { "line \(line), byte \(position): \(message)" }
}
