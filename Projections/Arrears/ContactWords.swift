/// The words of a contact record (折衝記録), sealed with the person's key in its event.
public struct ContactWords: Sendable, Hashable, Codable {
    public var counterpart: String
    public var content: String
    public var promise: String
    /// Why a record was amended or retracted.
    public var reason: String

    public init(counterpart: String, content: String, promise: String = "", reason: String = "") {
        self.counterpart = counterpart
        self.content = content
        self.promise = promise
        self.reason = reason
    }
}
