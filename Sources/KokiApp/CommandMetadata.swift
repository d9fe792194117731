import LedgerStore

/// Who issues a command and how it relates to other work: stored once per command.
///
/// The command id is what makes a command idempotent: make one value per command. Appending
/// again with the same value returns the first result and appends nothing — which is the point
/// when a file is re-imported, and a bug when two different commands share it.
public struct CommandMetadata: Sendable, Hashable {
    public var commandID: Identifier
    public var actor: String
    public var correlationID: Identifier?
    public var causationID: Identifier?

    public init(
        commandID: Identifier = .random(), actor: String, correlationID: Identifier? = nil,
        causationID: Identifier? = nil
    ) {
        self.commandID = commandID
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
    }
}
