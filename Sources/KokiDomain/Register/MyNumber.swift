/// 個人番号 (My Number): twelve digits, the last a check digit (番号法施行令 第8条).
///
/// A value of this type is the plain number: it exists only between the counter and the
/// seal, and is never written anywhere in the clear. Its description is masked, so a number
/// that reaches a log, an error or a print by mistake shows only its last four digits.
public struct MyNumber: Sendable, Hashable, CustomStringConvertible {
    public let digits: String

    public init(_ text: String) throws(DomainError) {
        let digits = text.filter { $0 != "-" && $0 != " " }
        guard digits.count == 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError(.invalidValue, "a My Number is 12 digits")
        }
        let values = digits.map { Int($0.asciiValue! - 48) }
        guard values[11] == Self.checkDigit(values[0..<11]) else {
            throw DomainError(.invalidValue, "the My Number's check digit does not match (a digit was mistyped)")
        }
        self.digits = digits
    }

    /// The check digit of the first eleven digits: Σ P(n)·Q(n) over n = 1…11 counted from the
    /// right, Q(n) = n + 1 for n ≤ 6 and n − 5 after; 11 − (Σ mod 11), or 0 when that remainder is 0 or 1.
    public static func checkDigit(_ first11: ArraySlice<Int>) -> Int {
        var sum = 0
        for (offset, digit) in first11.reversed().enumerated() {
            let n = offset + 1
            sum += digit * (n <= 6 ? n + 1 : n - 5)
        }
        let remainder = sum % 11
        return remainder <= 1 ? 0 : 11 - remainder
    }

    /// `********1234`: what every screen but the number-use role's shows.
    public var masked: String { String(repeating: "*", count: 8) + digits.suffix(4) }

    public var description: String { masked }
}
