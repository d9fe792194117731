/// A value that breaks a rule of the domain, with a message naming the value.
///
/// The code is a struct over a private enum (as in swift-nio) so adding a case never breaks a
/// caller's `switch`; compare against the static members.
public struct DomainError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidDate, invalidFiscalYear, invalidPeriod, invalidPersonID, invalidAmount, invalidValue
            case pastTimeLimit
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let invalidDate = Code(.invalidDate)
        public static let invalidFiscalYear = Code(.invalidFiscalYear)
        public static let invalidPeriod = Code(.invalidPeriod)
        public static let invalidPersonID = Code(.invalidPersonID)
        public static let invalidAmount = Code(.invalidAmount)
        public static let invalidValue = Code(.invalidValue)
        /// A decision the law no longer allows (the time limit on assessing).
        public static let pastTimeLimit = Code(.pastTimeLimit)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
