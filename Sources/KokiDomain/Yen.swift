/// An amount of money in whole yen (円).
///
/// Premiums, payments and fees are integers in law and in koki: there is no fractional yen and no
/// floating point anywhere near money. Rounding rules (to 100 yen, to 1,000 yen) are named
/// functions that cite their legal source where they are defined.
///
/// ## The ranges koki accepts
/// Amounts come from people (a payment at the counter, a claimed benefit) and files (a bank's
/// result, a store's report, the tax system's incomes). Each is checked at the edge against a
/// documented range before anything is recorded (``Yen/checked(_:_:field:)``):
/// - ``AmountRange/amount``: a payment, deduction, refund, claim or plan total, 0 to 10^11 yen;
/// - ``AmountRange/income``: an income or revenue, −10^12 to 10^12 yen (a total income can be a
///   loss);
/// - ``AmountRange/setting``: an amount in a rate table or the city's settings, 0 to 10^12 yen.
///
/// Inside, arithmetic on money never traps: `+`, `-` and ``Rate/applied(to:)`` saturate at
/// `Int64`'s bounds, far outside every range above, and every event is checked against
/// ``Yen/recordable`` before it is appended, so a saturated figure is reported (the command is
/// refused, nothing appended) instead of being stored or crashing the process.
///
/// ```swift
/// let annual = Yen(51_900)
/// let paid = Yen(5_700) + Yen(5_700)
/// print(annual - paid)  // 40500円
/// ```
public struct Yen: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var amount: Int64

    public init(_ amount: Int64) { self.amount = amount }

    public static let zero = Yen(0)

    /// What an event may carry: ±10^15 yen, a thousand times a prefecture's yearly premiums and
    /// a thousand times below `Int64`'s bound, so a figure that saturated is always outside it.
    public static let recordable: ClosedRange<Int64> = -1_000_000_000_000_000...1_000_000_000_000_000

    /// A documented range of amounts accepted from people and files.
    public struct AmountRange: Sendable, Hashable, CustomStringConvertible {
        public let bounds: ClosedRange<Int64>
        public let name: String

        /// A payment, deduction, refund, benefit, claim or plan total: 0 to 100,000,000,000 yen.
        public static let amount = AmountRange(bounds: 0...100_000_000_000, name: "金額")
        /// An income, revenue or pension: −1,000,000,000,000 to 1,000,000,000,000 yen.
        public static let income = AmountRange(
            bounds: -1_000_000_000_000...1_000_000_000_000, name: "所得")
        /// A non-negative income or revenue (a pension, a salary): 0 to 1,000,000,000,000 yen.
        public static let revenue = AmountRange(bounds: 0...1_000_000_000_000, name: "収入")
        /// An amount in a rate table or the city's settings: 0 to 1,000,000,000,000 yen.
        public static let setting = AmountRange(bounds: 0...1_000_000_000_000, name: "設定値")

        public var description: String { "\(name)（\(span)）" }

        /// The bounds as staff read them: `0〜100,000,000,000円`.
        public var span: String { "\(Yen.grouped(bounds.lowerBound))〜\(Yen.grouped(bounds.upperBound))円" }
    }

    /// `raw` as yen when it lies in `range`; otherwise an error naming the field, the value and
    /// the range allowed.
    public static func checked(_ raw: Int64, _ range: AmountRange, field: String) throws(DomainError) -> Yen {
        guard range.bounds.contains(raw) else {
            throw DomainError(
                .invalidAmount, "\(field) \(raw) は\(range.name)の範囲（\(range.span)）の外です")
        }
        return Yen(raw)
    }

    /// Whether an event may carry this amount (see ``recordable``).
    public var isRecordable: Bool { Self.recordable.contains(amount) }

    /// Digits grouped by thousands (1,000,000).
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    public static func + (lhs: Yen, rhs: Yen) -> Yen { Yen(saturating: lhs.amount.addingReportingOverflow(rhs.amount), rhs.amount > 0) }
    public static func - (lhs: Yen, rhs: Yen) -> Yen {
        Yen(saturating: lhs.amount.subtractingReportingOverflow(rhs.amount), rhs.amount < 0)
    }
    public static func += (lhs: inout Yen, rhs: Yen) { lhs = lhs + rhs }
    public static func -= (lhs: inout Yen, rhs: Yen) { lhs = lhs - rhs }
    public static prefix func - (value: Yen) -> Yen { Yen.zero - value }
    public static func < (lhs: Yen, rhs: Yen) -> Bool { lhs.amount < rhs.amount }

    /// `amount × count`, saturating.
    public func times(_ count: Int64) -> Yen {
        let (value, overflow) = amount.multipliedReportingOverflow(by: count)
        return overflow ? Yen((amount < 0) == (count < 0) ? .max : .min) : Yen(value)
    }

    /// `amount × numerator ÷ denominator`, truncated toward zero as Swift's `/` is, computed
    /// in 128 bits so the product never overflows; a quotient past `Int64` saturates.
    public func scaled(by numerator: Int64, per denominator: Int64) -> Yen {
        Yen(Self.multiplyDivide(amount, numerator, denominator))
    }

    /// `a × b ÷ d` exactly (truncated toward zero), saturating at `Int64`'s bounds; `d` ≠ 0.
    public static func multiplyDivide(_ a: Int64, _ b: Int64, _ d: Int64) -> Int64 {
        guard d != 0 else { return 0 }
        let negative = (a < 0) != (b < 0) && a != 0 && b != 0
        let product = a.magnitude.multipliedFullWidth(by: b.magnitude)
        let divisor = d.magnitude
        let resultNegative = negative != (d < 0)
        // The quotient fits in 64 bits only when the high word is below the divisor.
        guard product.high < divisor else { return resultNegative ? .min : .max }
        let (quotient, _) = divisor.dividingFullWidth(product)
        if resultNegative {
            return quotient > UInt64(Int64.max) + 1 ? .min : Int64(truncatingIfNeeded: 0 &- quotient)
        }
        return quotient > UInt64(Int64.max) ? .max : Int64(quotient)
    }

    private init(saturating result: (partialValue: Int64, overflow: Bool), _ upward: Bool) {
        amount = result.overflow ? (upward ? .max : .min) : result.partialValue
    }

    public var description: String { "\(amount)円" }

    /// Set to `true` in a decoder's `userInfo` when the JSON comes from a person or a file
    /// (a rate table, a settings file, a case to calculate): amounts then must lie within
    /// ``AmountRange/income`` and rates within ``Rate/inputBound``. Settings already recorded
    /// in events decode as they were stored.
    public static let inputCheckKey = CodingUserInfoKey(rawValue: "koki.checkedInput")!

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(Int64.self)
        if decoder.userInfo[Self.inputCheckKey] as? Bool == true, !AmountRange.income.bounds.contains(raw) {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "\(raw)円は\(AmountRange.income.name)の範囲（\(AmountRange.income.span)）の外です"))
        }
        amount = raw
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(amount)
    }
}

extension Sequence where Element == Yen {
    /// The sum of the amounts.
    public func sum() -> Yen { reduce(.zero, +) }
}
