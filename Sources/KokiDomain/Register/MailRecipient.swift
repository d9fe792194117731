/// A 郵便番号: seven digits, printed `〒123-4567`. Typed as `1234567` or `123-4567`, in ASCII or
/// full-width digits (as a clerk copies it from a form).
public struct PostalCode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The seven digits.
    public let digits: String

    public init(_ text: String) throws(DomainError) {
        var digits = ""
        var hyphen = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.unicodeScalars.append(scalar)
            case 0xFF10...0xFF19:
                digits.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: scalar.value - 0xFF10 + 0x30)))
            case 0x2D, 0xFF0D, 0x2212, 0x30FC:
                // One hyphen, after the third digit.
                guard digits.count == 3, !hyphen else { fallthrough }
                hyphen = true
            default:
                throw DomainError(.invalidValue, "postal code '\(text)' must be seven digits (123-4567)")
            }
        }
        guard digits.count == 7 else {
            throw DomainError(.invalidValue, "postal code '\(text)' must be seven digits (123-4567)")
        }
        self.digits = digits
    }

    /// `〒123-4567`.
    public var description: String { "〒\(digits.prefix(3))-\(digits.suffix(4))" }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }
}

/// Who receives a person's mail instead of them, recorded at the counter with a second check and
/// sealed with the person's key: a mailing address (送付先), an agent (代理人: 成年後見人 and the
/// like) or, after a death, the heirs' representative (相続人代表者).
public struct MailRecipient: Sendable, Hashable, Codable {
    /// Stored by declaration order: add cases at the end.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// 送付先: the person's mail goes to another address (`name`: 方書, may be empty).
        case mailingAddress = "mailing-address"
        /// 代理人: an agent receives the person's mail while the person lives.
        case agent
        /// 相続人代表者: receives the mail about a person who has died.
        case heirRepresentative = "heir-representative"

        public var title: String {
            switch self {
            case .mailingAddress: "送付先"
            case .agent: "代理人"
            case .heirRepresentative: "相続人代表者"
            }
        }
    }

    public var name: String
    public var postalCode: PostalCode?
    public var address: String

    public init(name: String, postalCode: PostalCode?, address: String, role: Role) throws(DomainError) {
        let name = name.trimmingWhitespace
        let address = address.trimmingWhitespace
        guard role == .mailingAddress || !name.isEmpty else {
            throw DomainError(.invalidValue, "the \(role.title)'s name must be given")
        }
        guard name.unicodeScalars.count <= 200 else {
            throw DomainError(.invalidValue, "the \(role.title)'s name must be at most 200 characters")
        }
        guard !address.isEmpty, address.unicodeScalars.count <= 200 else {
            throw DomainError(.invalidValue, "the \(role.title)'s address must be 1–200 characters, got '\(address)'")
        }
        for (field, value) in [("name", name), ("address", address)] {
            if let (offset, scalar) = InputLimits.controlCharacter(in: value) {
                throw DomainError(
                    .invalidValue,
                    "the \(role.title)'s \(field) holds a control character (U+\(String(scalar.value, radix: 16, uppercase: true))) at \(offset)"
                )
            }
        }
        (self.name, self.postalCode, self.address) = (name, postalCode, address)
    }
}
