import KokiDomain
import KokiEvents

/// Fixed samples (for golden files) and random events (for properties).
enum EventSamples {
    static let person = try! PersonID("100000001")
    static let fy = try! FiscalYear(2025)

    static let premiumAssessed = PremiumAssessed(
        person: person, fiscalYear: fy, decidedOn: try! CivilDate(iso: "2025-07-10"), annualPremium: Yen(51_900),
        installments: (1...9).map { i in
            Installment(
                period: try! PeriodNumber(i),
                dueDate: try! CivilDate(year: i <= 6 ? 2025 : 2026, month: (i + 5) % 12 + 1, day: 28),
                amount: Yen(i == 1 ? 5_900 : 5_750))
        }, ruleVersion: "chiba-2025.1")

    static let paymentReceived = PaymentReceived(
        person: person, fiscalYear: fy, period: try! PeriodNumber(2), amount: Yen(5_750),
        paidOn: try! CivilDate(iso: "2025-08-29"), channel: .convenienceStore)

    static let dunningNoticeIssued = DunningNoticeIssued(
        person: person, fiscalYear: fy, period: try! PeriodNumber(3), principal: Yen(5_750),
        issuedOn: try! CivilDate(iso: "2025-10-20"), payBy: try! CivilDate(iso: "2025-10-30"))

    static let dunningNoticeIssuedV1 = DunningNoticeIssuedV1(
        person: person, fiscalYear: fy, period: try! PeriodNumber(3), issuedOn: try! CivilDate(iso: "2025-10-20"),
        principal: Yen(5_750))

    /// A random valid event of any type.
    static func random(using g: inout some RandomNumberGenerator) -> KokiEvent {
        let person = try! PersonID(String(Int.random(in: 1...999_999_999_999_999, using: &g)))
        let fy = try! FiscalYear(Int.random(in: 2008...2040, using: &g))
        func date() -> CivilDate { try! CivilDate(daysSinceEpoch: Int.random(in: 10_000...30_000, using: &g)) }
        func yen() -> Yen { Yen(Int64.random(in: -1_000_000...10_000_000, using: &g)) }
        func period() -> PeriodNumber { try! PeriodNumber(Int.random(in: 1...12, using: &g)) }
        switch Int.random(in: 0..<3, using: &g) {
        case 0:
            let installments = (0..<Int.random(in: 0...12, using: &g)).map { _ in
                Installment(period: period(), dueDate: date(), amount: yen())
            }
            let rule = String(
                (0..<Int.random(in: 0...20, using: &g)).map { _ in "abc-é.1令和".randomElement(using: &g)! })
            return .premiumAssessed(
                PremiumAssessed(
                    person: person, fiscalYear: fy, decidedOn: date(), annualPremium: yen(),
                    installments: installments, ruleVersion: rule))
        case 1:
            return .paymentReceived(
                PaymentReceived(
                    person: person, fiscalYear: fy, period: period(), amount: yen(), paidOn: date(),
                    channel: PaymentChannel.allCases.randomElement(using: &g)!))
        default:
            return .dunningNoticeIssued(
                DunningNoticeIssued(
                    person: person, fiscalYear: fy, period: period(), principal: yen(), issuedOn: date(),
                    payBy: Bool.random(using: &g) ? date() : nil))
        }
    }
}

/// A seedable generator so property tests are reproducible (the seed is in the failure).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
