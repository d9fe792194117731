import KokiDomain

/// 年金情報を記録した — for a fiscal year, the pension the long-term-care premium is deducted
/// from, that premium, and last February's deduction: what decides whether the premium is
/// deducted from the pension (特別徴収) and the provisional amounts. A later record for the
/// same year replaces it.
public struct PensionFactsRecorded: EventPayload {
    public static let eventType = "PensionFactsRecorded"
    public static let schemaVersion = 1

    public var person: PersonID
    public var fiscalYear: FiscalYear
    public var facts: PensionFacts

    public init(person: PersonID, fiscalYear: FiscalYear, facts: PensionFacts) {
        self.person = person
        self.fiscalYear = fiscalYear
        self.facts = facts
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.write(person)
        writer.write(fiscalYear)
        writer.write(facts.annualPension)
        writer.write(facts.careInsurancePremium)
        writer.writeBool(facts.careDeductedFromPension)
        writer.writeOptional(facts.previousFebruaryDeduction) { w, y in w.write(y) }
    }

    public init(from reader: inout BinaryReader) throws {
        person = try reader.readPersonID()
        fiscalYear = try reader.readFiscalYear()
        facts = PensionFacts(
            annualPension: try reader.readYen(), careInsurancePremium: try reader.readYen(),
            careDeductedFromPension: try reader.readBool(),
            previousFebruaryDeduction: try reader.readOptional { r in try r.readYen() })
    }
}
