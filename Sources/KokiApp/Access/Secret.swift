import KokiDomain
/// A secret a person gives with a request (a password): asked only when the handler needs it —
/// after the core checked the operator, so a refused operator is never asked — and never kept:
/// encoded, it is `null`.
///
/// A door that asks at a terminal passes how to ask (``init(asking:)``); a request body carries
/// the text itself.
public struct Secret: Codable, Sendable {
    private let ask: @Sendable (String) throws -> String

    /// A secret given as text.
    public init(_ text: String) { ask = { _ in text } }

    /// A secret asked for (a prompt, a line of standard input) only when the handler reveals it;
    /// `ask` is told whose it is (an operator's id, when the handler knows it only then).
    public init(asking ask: @escaping @Sendable (_ whose: String) throws -> String) { self.ask = ask }

    /// The secret's text: asked now, if it is asked, as `whose`.
    public func reveal(whose: String = "") throws -> String { try ask(whose) }

    /// A secret from a request body; a kept one (`null`) is refused when revealed: it must be given again.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self.init(asking: { _ in throw KokiError(.invalidInput, "a secret is never kept: give it again") })
        } else {
            self.init(try container.decode(String.self))
        }
    }

    /// Set to `true` in an encoder's `userInfo` to send the secret (a client's request body to
    /// the server, over its connection): asked for now, and written as text. Everywhere else (a
    /// kept application, a log) it encodes as `null`.
    /// (A constant: `CodingUserInfoKey(rawValue:)` never fails, and no input reaches it — as
    /// `Yen.inputCheckKey`.)
    public static let sendingKey = CodingUserInfoKey(rawValue: "koki.secret.sending")!

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if encoder.userInfo[Self.sendingKey] as? Bool == true {
            try container.encode(try reveal())
        } else {
            try container.encodeNil()
        }
    }
}
