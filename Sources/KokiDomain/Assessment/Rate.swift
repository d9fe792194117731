/// An exact rate as a fraction — 9.11% is `Rate(911, per: 10_000)`, a 7割 reduction is
/// `Rate(7, per: 10)` — so no premium ever passes through floating point.
public struct Rate: Hashable, Sendable, Codable, CustomStringConvertible {
    public let numerator: Int64
    public let denominator: Int64

    public init(_ numerator: Int64, per denominator: Int64) {
        precondition(denominator > 0 && numerator >= 0, "a rate is a non-negative fraction")
        self.numerator = numerator
        self.denominator = denominator
    }

    /// A percentage with up to two decimals, written as text ("9.11").
    public init(percent text: String) throws(DomainError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), (0...Self.inputBound).contains(whole),
            parts.count == 1 || (parts[1].count <= 2 && Int64(parts[1]) != nil)
        else {
            throw DomainError(.invalidValue, "'\(text)' is not a percentage like 9.11")
        }
        let decimals = parts.count == 2 ? String(parts[1]) : ""
        let hundredths = Int64(decimals + String(repeating: "0", count: 2 - decimals.count))!
        self.init(whole * 100 + hundredths, per: 10_000)
    }

    public static let zero = Rate(0, per: 1)
    public static let one = Rate(1, per: 1)

    /// The largest numerator or denominator a rate read from a person or a file may have
    /// (10^9): a percentage with two decimals is at most 10,000 over 10,000.
    public static let inputBound: Int64 = 1_000_000_000

    /// `amount × rate`, truncated to the yen (所得割 and reduced amounts are cut to 1 yen).
    /// Computed in 128 bits: it never overflows, and a result past `Int64` saturates.
    public func applied(to amount: Yen) -> Yen {
        amount.scaled(by: numerator, per: denominator)
    }

    /// `1 − rate`: what is left after a reduction of this rate.
    public var complement: Rate { Rate(max(0, denominator - numerator), per: denominator) }

    public var description: String {
        // Show as a percentage when it is one.
        if 10_000 % denominator == 0 {
            let hundredths = numerator * (10_000 / denominator)
            let fraction = hundredths % 100
            return "\(hundredths / 100)\(fraction == 0 ? "" : "." + (fraction < 10 ? "0" : "") + String(fraction))%"
        }
        return "\(numerator)/\(denominator)"
    }

    /// JSON: a percentage as text ("9.11"), or a fraction ("1/3").
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let fraction = text.split(separator: "/")
        if fraction.count == 2, let n = Int64(fraction[0]), let d = Int64(fraction[1]), n >= 0, d > 0 {
            if decoder.userInfo[Yen.inputCheckKey] as? Bool == true, n > Self.inputBound || d > Self.inputBound {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(
                        codingPath: decoder.codingPath,
                        debugDescription: "the rate \(text) has a term above \(Self.inputBound)"))
            }
            self.init(n, per: d)
        } else {
            try self.init(percent: text)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(description.filter { $0 != "%" }))
    }
}

extension Yen {
    /// Truncated down to a multiple of `unit` (100円未満切り捨て for `unit` 100). Premiums are never
    /// negative, so truncation and flooring agree.
    public func truncated(toMultipleOf unit: Int64) -> Yen {
        Yen(amount / unit * unit)
    }
}
