import KokiDomain

/// The number that names a person's period on a payment slip (納付書番号) and in a bank's
/// customer-number field (顧客番号): the address number in 14 digits, the fiscal year in 4 and
/// the period in 2 — 20 digits that match back to the period without a lookup table.
public struct SlipNumber: Hashable, Sendable, CustomStringConvertible {
    public var person: PersonID
    public var key: PeriodKey

    public init(person: PersonID, key: PeriodKey) throws(DomainError) {
        guard person.value.count <= 14 else {
            throw DomainError(
                .invalidPersonID, "address number \(person) has more than 14 digits and does not fit a slip number")
        }
        self.person = person
        self.key = key
    }

    public var description: String {
        pad(Int(person.value)!, 14) + pad(key.fiscalYear.year, 4) + pad(key.period.number, 2)
    }

    /// Reads a 20-digit slip number; `nil` when it names no valid person, year or period.
    public init?(_ text: some StringProtocol) {
        guard text.count == 20, text.allSatisfy(\.isASCIIDigit) else { return nil }
        let digits = Array(text)
        let person = String(String(digits[0..<14]).drop { $0 == "0" })
        guard let id = try? PersonID(person.isEmpty ? "0" : person),
            let year = Int(String(digits[14..<18])), let fy = try? FiscalYear(year),
            let number = Int(String(digits[18..<20])), let period = try? PeriodNumber(number)
        else { return nil }
        self.person = id
        key = PeriodKey(fy, period)
    }
}
