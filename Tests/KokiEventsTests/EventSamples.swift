import KokiTestSupport
import KokiDomain
import KokiEvents

/// Fixed samples (for golden files) and random events (for properties).
enum EventSamples {
    static let person = try! PersonID("100000001")
    static let fy = try! FiscalYear(2025)

    static let premiumAssessedV1 = PremiumAssessedV1(
        person: person, fiscalYear: fy, decidedOn: try! CivilDate(iso: "2025-07-10"), annualPremium: Yen(51_900),
        installments: (1...9).map { i in
            Installment(
                period: try! PeriodNumber(i),
                dueDate: try! CivilDate(year: i <= 6 ? 2025 : 2026, month: (i + 5) % 12 + 1, day: 28),
                amount: Yen(i == 1 ? 5_900 : 5_750))
        }, ruleVersion: "chiba-2025.1")

    static let premiumAssessed = PremiumAssessed(
        person: person, fiscalYear: fy, decidedOn: try! CivilDate(iso: "2025-11-10"), annualPremium: Yen(51_900),
        installments: premiumAssessedV1.installments, ruleVersion: "koki-premium-1", reason: .reassessment,
        cause: "income 2024 corrected", rateTablePosition: 3, inputPositions: [7, 12, 40],
        breakdown: #"{"premium":51900}"#, collection: .pensionDeduction)

    static let paymentReceived = PaymentReceived(
        person: person, fiscalYear: fy, period: try! PeriodNumber(2), amount: Yen(5_750),
        paidOn: try! CivilDate(iso: "2025-08-29"), channel: .convenienceStore)

    static let dunningNoticeIssued = DunningNoticeIssued(
        person: person, fiscalYear: fy, period: try! PeriodNumber(3), principal: Yen(5_750),
        issuedOn: try! CivilDate(iso: "2025-10-20"), payBy: try! CivilDate(iso: "2025-10-30"))

    static let dunningNoticeIssuedV1 = DunningNoticeIssuedV1(
        person: person, fiscalYear: fy, period: try! PeriodNumber(3), issuedOn: try! CivilDate(iso: "2025-10-20"),
        principal: Yen(5_750))

    static let household = try! HouseholdID("7001")
    static let sealed = SealedIdentity(bytes: [1] + Array(0..<40))

    /// One sample of each register event, at its current version.
    static let register: [KokiEvent] = [
        .personRegistered(PersonRegistered(person: person, identity: sealed)),
        .personIdentityCorrected(PersonIdentityCorrected(person: person, identity: sealed, reason: "転居届")),
        .householdMembershipRecorded(
            HouseholdMembershipRecorded(
                person: person, household: household, role: .householder, effectiveOn: try! CivilDate(iso: "2020-04-01")
            )),
        .eligibilityAcquired(
            EligibilityAcquired(
                person: person, reason: .reachedAge75, eventDate: try! CivilDate(iso: "2025-07-15"),
                effectiveFrom: try! CivilDate(iso: "2025-07-15"))),
        .eligibilityLost(
            EligibilityLost(
                person: person, reason: .leftPrefecture, eventDate: try! CivilDate(iso: "2026-01-10"),
                effectiveFrom: try! CivilDate(iso: "2026-01-10"))),
        .addressExceptionStarted(
            AddressExceptionStarted(person: person, facility: "東京都 ○○ホーム", from: try! CivilDate(iso: "2026-01-10"))),
        .addressExceptionEnded(AddressExceptionEnded(person: person, from: try! CivilDate(iso: "2027-03-01"))),
        .formerDependantRecorded(
            FormerDependantRecorded(person: person, insurer: "協会けんぽ", dependantUntil: try! CivilDate(iso: "2025-07-14"))
        ),
        .incomeRecorded(
            IncomeRecorded(
                person: person, year: 2024, publicPensionRevenue: Yen(1_800_000), salaryRevenue: .zero,
                otherIncome: Yen(120_000),
                totalIncome: Yen(1_020_000), declared: true, source: "連携税マスタ")),
        .incomeInquired(IncomeInquired(person: person, year: 2024, purpose: "賦課計算")),
        .personNumbersLinked(PersonNumbersLinked(person: person, formerNumber: try! PersonID("99"))),
        .pensionFactsRecorded(
            PensionFactsRecorded(
                person: person, fiscalYear: fy,
                facts: PensionFacts(
                    annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true,
                    previousFebruaryDeduction: Yen(12_600)))),
        .rateTableAdopted(RateTableAdopted(table: RateTable.chiba(fiscalYear: 2025)!)),
        .installmentCalendarAdopted(
            InstallmentCalendarAdopted(
                calendar: InstallmentCalendar.standard(fiscalYear: 2025),
                extraClosedDays: [try! CivilDate(iso: "2025-12-26")])),
        .assessmentRunRecorded(
            AssessmentRunRecorded(
                fiscalYear: fy, decidedOn: try! CivilDate(iso: "2025-07-10"), personsConsidered: 80_000,
                assessedFirstTime: 79_000, reassessed: 12, unchanged: 988)),
    ]

    /// A random valid event of any type.
    static func random(using g: inout some RandomNumberGenerator) -> KokiEvent {
        let person = try! PersonID(String(Int.random(in: 1...999_999_999_999_999, using: &g)))
        let fy = try! FiscalYear(Int.random(in: 2008...2040, using: &g))
        func date() -> CivilDate { try! CivilDate(daysSinceEpoch: Int.random(in: 10_000...30_000, using: &g)) }
        func yen() -> Yen { Yen(Int64.random(in: -1_000_000...10_000_000, using: &g)) }
        func period() -> PeriodNumber { try! PeriodNumber(Int.random(in: 1...12, using: &g)) }
        func text() -> String {
            String((0..<Int.random(in: 0...12, using: &g)).map { _ in "aé市町村-1 ".randomElement(using: &g)! })
        }
        switch Int.random(in: 0..<8, using: &g) {
        case 3:
            return .personRegistered(
                PersonRegistered(
                    person: person,
                    identity: SealedIdentity(
                        bytes: (0..<Int.random(in: 0...90, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
                    )))
        case 4:
            return .householdMembershipRecorded(
                HouseholdMembershipRecorded(
                    person: person,
                    household: Bool.random(using: &g)
                        ? try! HouseholdID(String(Int.random(in: 1...99999, using: &g))) : nil,
                    role: HouseholdRole.allCases.randomElement(using: &g)!, effectiveOn: date()))
        case 5:
            return Bool.random(using: &g)
                ? .eligibilityAcquired(
                    EligibilityAcquired(
                        person: person, reason: AcquisitionReason.allCases.randomElement(using: &g)!, eventDate: date(),
                        effectiveFrom: date()))
                : .eligibilityLost(
                    EligibilityLost(
                        person: person, reason: LossReason.allCases.randomElement(using: &g)!, eventDate: date(),
                        effectiveFrom: date()))
        case 6:
            return .incomeRecorded(
                IncomeRecorded(
                    person: person, year: Int.random(in: 1990...2040, using: &g), publicPensionRevenue: yen(),
                    salaryRevenue: yen(),
                    otherIncome: yen(), totalIncome: yen(), declared: Bool.random(using: &g), source: text()))
        case 7:
            return [
                KokiEvent.addressExceptionStarted(
                    AddressExceptionStarted(person: person, facility: text(), from: date())),
                .addressExceptionEnded(AddressExceptionEnded(person: person, from: date())),
                .formerDependantRecorded(
                    FormerDependantRecorded(person: person, insurer: text(), dependantUntil: date())),
                .incomeInquired(
                    IncomeInquired(person: person, year: Int.random(in: 1990...2040, using: &g), purpose: text())),
                .personNumbersLinked(
                    PersonNumbersLinked(
                        person: person, formerNumber: try! PersonID(String(Int.random(in: 1...999, using: &g))))),
                .personIdentityCorrected(
                    PersonIdentityCorrected(person: person, identity: SealedIdentity(bytes: [1, 2]), reason: text())),
            ].randomElement(using: &g)!
        case 0:
            let installments = (0..<Int.random(in: 0...12, using: &g)).map { _ in
                Installment(period: period(), dueDate: date(), amount: yen())
            }
            let rule = String(
                (0..<Int.random(in: 0...20, using: &g)).map { _ in "abc-é.1令和".randomElement(using: &g)! })
            return .premiumAssessed(
                PremiumAssessed(
                    person: person, fiscalYear: fy, decidedOn: date(), annualPremium: yen(),
                    installments: installments, ruleVersion: rule,
                    reason: PremiumAssessed.Reason.allCases.randomElement(using: &g)!, cause: rule,
                    rateTablePosition: Int64.random(in: 0...1_000_000, using: &g),
                    inputPositions: (0..<Int.random(in: 0...5, using: &g)).map { _ in
                        Int64.random(in: 1...1_000_000, using: &g)
                    },
                    breakdown: rule))
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
