import LedgerStore

/// Who issues a command and how it relates to other work: stored once per command.
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
