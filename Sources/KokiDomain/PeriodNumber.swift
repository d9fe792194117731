/// An installment period (期別) within a fiscal year's assessment: 1 for the first installment.
///
/// Ordinary collection (普通徴収) has 8 to 10 installments a year depending on the city's
/// calendar, which is configuration; a period number is never mixed with an amount or a month.
/// A year holds at most 24: a pension-deduction year's six pension months, up to twelve
/// ordinary periods for an increase decided during it, and 随時期 after them.
public struct PeriodNumber: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let number: Int

    public init(_ number: Int) throws(DomainError) {
        guard (1...24).contains(number) else {
            throw DomainError(.invalidPeriod, "installment period \(number) is outside 1…24")
        }
        self.number = number
    }

    public static func < (lhs: PeriodNumber, rhs: PeriodNumber) -> Bool { lhs.number < rhs.number }

    public var description: String { "第\(number)期" }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(Int.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(number)
    }
}
