import KokiDomain

/// An exact rate as its two terms, each a varint. A stored rate is checked as the calculator
/// requires (a non-negative numerator over a positive denominator): bytes that break it are a
/// malformed payload, never a trap.
extension Rate: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.writeInt(numerator)
        writer.writeInt(denominator)
    }

    public init(from reader: inout BinaryReader) throws {
        let at = reader.offset
        let numerator = try reader.readInt64()
        let denominator = try reader.readInt64()
        guard numerator >= 0, denominator > 0 else {
            throw CodecError.malformed("rate \(numerator)/\(denominator) is not a non-negative fraction", at: at)
        }
        self.init(numerator, per: denominator)
    }
}

/// The premium calculation's every figure, field by field (``PremiumAssessed`` version 4 on).
extension PremiumBreakdown: BinaryRecord {
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            calculator: c.field(\.calculator), fiscalYear: c.field(\.fiscalYear),
            rateTableSource: c.field(\.rateTableSource), months: c.field(\.months), firstMonth: c.field(\.firstMonth),
            incomeBase: c.field(\.incomeBase), judgment: c.field(\.judgment),
            formerDependant: c.field(\.formerDependant), components: c.field(\.components),
            totalBeforeRounding: c.field(\.totalBeforeRounding), roundingUnit: c.field(\.roundingUnit),
            premium: c.field(\.premium))
    }
}

extension PremiumBreakdown.Judgment: BinaryRecord {
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            judgmentIncome: c.field(\.judgmentIncome), earners: c.field(\.earners),
            insuredCount: c.field(\.insuredCount), sevenTenthsAtMost: c.field(\.sevenTenthsAtMost),
            fiveTenthsAtMost: c.field(\.fiveTenthsAtMost), twoTenthsAtMost: c.field(\.twoTenthsAtMost),
            reduction: c.field(\.reduction), note: c.field(\.note))
    }
}

extension PremiumBreakdown.FormerDependant: BinaryRecord {
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            joinedOn: c.field(\.joinedOn), reducedUntil: c.field(\.reducedUntil),
            monthsReduced: c.field(\.monthsReduced))
    }
}

extension PremiumBreakdown.Component: BinaryRecord {
    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            name: c.field(\.name), perCapita: c.field(\.perCapita), reduction: c.field(\.reduction),
            perCapitaAfterReduction: c.field(\.perCapitaAfterReduction),
            formerDependantPerCapita: c.field(\.formerDependantPerCapita), incomeRate: c.field(\.incomeRate),
            incomePart: c.field(\.incomePart), cap: c.field(\.cap), capped: c.field(\.capped),
            annual: c.field(\.annual), charged: c.field(\.charged))
    }
}
