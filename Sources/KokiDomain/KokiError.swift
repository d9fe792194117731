/// An error koki reports to whoever asked (a command, a request, a read model), with a code each
/// door maps to its answer (the command line to an exit status, the server to an HTTP status).
public struct KokiError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case undecodableEvent, invalidInput, accessDenied, masterKey
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A stored event that this build cannot decode.
        public static let undecodableEvent = Code(.undecodableEvent)
        /// A command's input is wrong; the message names the field and the value.
        public static let invalidInput = Code(.invalidInput)
        /// No session, an expired or forged one, a stopped operator, or a role that may not do this.
        public static let accessDenied = Code(.accessDenied)
        /// The master key file is missing, unreadable, or not the one this ledger's keys were made with.
        public static let masterKey = Code(.masterKey)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// An access refused for want of a session that opens this ledger (none, ended, expired,
    /// idle, forged, another ledger's, its operator stopped): a door asks for a login again.
    public let refusesSession: Bool

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        refusesSession = false
    }

    /// A refusal for want of a valid session (``refusesSession``).
    public static func session(_ message: String) -> KokiError { KokiError(message) }

    private init(_ message: String) {
        code = .accessDenied
        self.message = message
        refusesSession = true
    }

    public var description: String { message }
}

extension KokiError {
    /// A person the register has no entry for (a number typed, or named by a request).
    public static func notInRegister(_ person: PersonID) -> KokiError {
        KokiError(.invalidInput, "被保険者番号 \(person) の方は被保険者台帳にいません")
    }

    /// A person the ledger has no event for (no register entry and no money).
    public static func notInLedger(_ person: PersonID) -> KokiError {
        KokiError(.invalidInput, "被保険者番号 \(person) の方は台帳にいません")
    }
}
