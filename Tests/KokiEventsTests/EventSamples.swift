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

    static let premiumAssessedV2 = PremiumAssessedV2(
        person: person, fiscalYear: fy, decidedOn: try! CivilDate(iso: "2025-11-10"), annualPremium: Yen(51_900),
        installments: premiumAssessedV1.installments, ruleVersion: "koki-premium-1", reason: .reassessment,
        cause: "income 2024 corrected", rateTablePosition: 3, inputPositions: [7, 12, 40],
        breakdown: #"{"premium":51900}"#, collection: .pensionDeduction)

    /// A year of both: periods 1–6 deducted from the pension, 7–9 paid ordinarily (the breakdown
    /// as JSON text).
    static let premiumAssessedV3 = PremiumAssessedV3(
        person: person, fiscalYear: fy, decidedOn: try! CivilDate(iso: "2025-11-10"), annualPremium: Yen(51_900),
        installments: premiumAssessedV1.installments, ruleVersion: "koki-premium-1", reason: .reassessment,
        cause: "income 2024 corrected", rateTablePosition: 3, inputPositions: [7, 12, 40],
        breakdown: #"{"premium":51900}"#, collection: .pensionDeduction, pensionPeriods: (1...6).map { try! PeriodNumber($0) })

    /// Every field of a breakdown filled: a former dependant in the reduction window, a
    /// judgment with a note, two components, one capped.
    static let breakdown = PremiumBreakdown(
        calculator: "koki-premium-1", fiscalYear: 2025, rateTableSource: "千葉県後期高齢者医療広域連合 令和7年度",
        months: 11, firstMonth: "2025-05-01", incomeBase: Yen(470_000),
        judgment: .init(
            judgmentIncome: Yen(1_020_000), earners: 2, insuredCount: 2, sevenTenthsAtMost: Yen(430_000),
            fiveTenthsAtMost: Yen(1_040_000), twoTenthsAtMost: Yen(1_530_000), reduction: .twoTenths,
            note: "世帯主の所得を含む"),
        formerDependant: .init(
            joinedOn: try! CivilDate(iso: "2025-05-15"), reducedUntil: try! CivilDate(iso: "2027-05-14"),
            monthsReduced: 11),
        components: [
            .init(
                name: "medical", perCapita: Yen(43_800), reduction: .twoTenths, perCapitaAfterReduction: Yen(35_040),
                formerDependantPerCapita: Yen(21_900), incomeRate: Rate(845, per: 10_000), incomePart: .zero,
                cap: Yen(800_000), capped: false, annual: Yen(35_040), charged: Yen(20_075)),
            .init(
                name: "support", perCapita: Yen(1_000), reduction: .twoTenths, perCapitaAfterReduction: Yen(800),
                formerDependantPerCapita: nil, incomeRate: Rate(1, per: 3), incomePart: Yen(156_666),
                cap: Yen(1_000), capped: true, annual: Yen(1_000), charged: Yen(916)),
        ],
        totalBeforeRounding: Yen(20_991), roundingUnit: 100, premium: Yen(20_900))

    /// Version 4: the same year with its breakdown in binary.
    static let premiumAssessed = PremiumAssessed(
        person: person, fiscalYear: fy, decidedOn: try! CivilDate(iso: "2025-11-10"), annualPremium: Yen(51_900),
        installments: premiumAssessedV1.installments, ruleVersion: "koki-premium-1", reason: .reassessment,
        cause: "income 2024 corrected", rateTablePosition: 3, inputPositions: [7, 12, 40],
        breakdown: breakdown, collection: .pensionDeduction, pensionPeriods: (1...6).map { try! PeriodNumber($0) })

    static let premiumAssessedV4 = PremiumAssessedV4(premiumAssessed)

    static let paymentReceivedV1 = PaymentReceivedV1(
        person: person, fiscalYear: fy, period: try! PeriodNumber(2), amount: Yen(5_750),
        paidOn: try! CivilDate(iso: "2025-08-29"), channel: .convenienceStore)

    static func key(_ period: Int) -> PeriodKey { PeriodKey(fy, try! PeriodNumber(period)) }

    static let pensionDeductionNotified = PensionDeductionNotified(
        person: person, fiscalYear: fy, notifiedOn: try! CivilDate(iso: "2025-09-30"),
        months: [
            Installment(period: try! PeriodNumber(5), dueDate: try! CivilDate(iso: "2025-12-15"), amount: Yen(8_900)),
            Installment(period: try! PeriodNumber(6), dueDate: try! CivilDate(iso: "2026-02-13"), amount: .zero),
        ], reason: "変更（更正）", file: String(repeating: "ab", count: 32))

    static let pensionDeductionNotifiedV1 = PensionDeductionNotifiedV1(pensionDeductionNotified)

    static let debitRequestedV1 = DebitRequestedV1(
        DebitRequested(
            person: person, key: key(3), amount: Yen(5_750), debitDate: try! CivilDate(iso: "2025-09-30"),
            customerNumber: "00000100000001202503", file: "ab12"))

    static let paymentReceived = PaymentReceived(
        id: "p0123456789abcdef", person: person, channel: .convenienceStore, paidOn: try! CivilDate(iso: "2025-08-29"),
        learnedOn: try! CivilDate(iso: "2025-09-01"), amount: Yen(6_000), slip: key(2),
        parts: [.init(key: key(2), amount: Yen(5_750), accountingYear: fy)], overpaid: Yen(250),
        reference: "cvs:91912345:2025-08-29")

    /// One sample of each collection event other than the payment, at its current version.
    static let collection: [KokiEvent] = [
        .paymentCancelled(
            PaymentCancelled(
                person: person, payment: "p0123456789abcdef", cancelledOn: try! CivilDate(iso: "2025-09-02"),
                reason: "二重計上")),
        .overpaymentRecognized(
            OverpaymentRecognized(
                person: person, id: "o1", key: key(4), amount: Yen(5_750), cause: .overpaid,
                arose: try! CivilDate(iso: "2025-10-31"), recognizedOn: try! CivilDate(iso: "2025-12-01"),
                reason: "更正")),
        .overpaymentAppropriated(
            OverpaymentAppropriated(
                person: person, overpayment: "o1", decidedOn: try! CivilDate(iso: "2025-12-01"),
                parts: [.init(key: key(3), amount: Yen(5_000), effectiveOn: try! CivilDate(iso: "2025-10-31"))])),
        .refundDecided(
            RefundDecided(
                person: person, id: "r1", overpayment: "o1", amount: Yen(750), interest: .zero,
                interestFrom: try! CivilDate(iso: "2025-11-01"), decidedOn: try! CivilDate(iso: "2025-12-01"),
                ruleVersion: "koki-refund-interest-1")),
        .refundPaid(RefundPaid(person: person, refund: "r1", paidOn: try! CivilDate(iso: "2025-12-20"), heir: sealed)),
        .refundPrescribed(
            RefundPrescribed(
                person: person, overpayment: "o1", refund: "r1", amount: Yen(5_000),
                lastDay: try! CivilDate(iso: "2027-10-31"), recordedOn: try! CivilDate(iso: "2028-05-31"))),
        .debitMandateStarted(
            DebitMandateStarted(person: person, startsOn: try! CivilDate(iso: "2025-07-01"), account: sealed)),
        .debitMandateStopped(
            DebitMandateStopped(person: person, stopsOn: try! CivilDate(iso: "2026-04-01"), reason: "解約")),
        .debitPrepaymentChosen(
            DebitPrepaymentChosen(person: person, change: .chosen, on: try! CivilDate(iso: "2025-07-01"))),
        .slipReissued(
            SlipReissued(
                person: person, key: key(5), count: 2, reason: "紛失", deadline: try! CivilDate(iso: "2025-12-15"),
                amount: Yen(5_750), issuedOn: try! CivilDate(iso: "2025-12-01"),
                barcode: "9191234500000001000000012025050012512150057506")),
        .debitApplicationRecorded(
            DebitApplicationRecorded(
                person: person, id: "100000001-20250801-1", change: .refused, on: try! CivilDate(iso: "2025-08-15"),
                account: sealed, file: String(repeating: "cd", count: 32), reason: "口座なし")),
        .debitRequested(
            DebitRequested(
                person: person, key: key(3), amount: Yen(5_750), debitDate: try! CivilDate(iso: "2025-09-30"),
                customerNumber: "00000100000001202503",
                file: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")),
        .debitFailed(
            DebitFailed(
                person: person, key: key(3), amount: Yen(5_750), debitDate: try! CivilDate(iso: "2025-09-30"),
                resultCode: 1, file: "cd34")),
        .conveniencePaymentReported(
            ConveniencePaymentReported(
                person: person, key: key(5), amount: Yen(5_750), paidOn: try! CivilDate(iso: "2025-11-28"),
                reportedOn: try! CivilDate(iso: "2025-11-29"), store: "0012345", barcode: "9191234500")),
        .pensionDeductionStopped(
            PensionDeductionStopped(
                person: person, fiscalYear: fy, stoppedFrom: try! CivilDate(iso: "2025-10-15"), reason: "年金停止")),
        .unmatchedPaymentRecorded(
            UnmatchedPaymentRecorded(
                id: "u1", channel: .convenienceStore, amount: Yen(5_000), paidOn: try! CivilDate(iso: "2025-11-28"),
                learnedOn: try! CivilDate(iso: "2025-12-01"), reference: "cvs:…", reason: "slip names no period")),
        .unmatchedPaymentResolved(
            UnmatchedPaymentResolved(
                id: "u1", person: person, payment: "p1", resolvedOn: try! CivilDate(iso: "2025-12-05"))),
        .collectionFileRecorded(
            CollectionFileRecorded(
                kind: .debitResult, digest: "ef56", name: "result.txt", date: try! CivilDate(iso: "2025-09-30"),
                records: 70_000, amount: Yen(420_000_000), accepted: 69_000, other: 1_000, duplicates: 0, unmatched: 0)),
    ]

    static let dunningNoticeIssued = DunningNoticeIssued(
        person: person, fiscalYear: fy, period: try! PeriodNumber(3), principal: Yen(5_750),
        issuedOn: try! CivilDate(iso: "2025-10-20"), payBy: try! CivilDate(iso: "2025-10-30"), fee: Yen(100))

    static let dunningNoticeIssuedV2 = DunningNoticeIssuedV2(
        person: person, fiscalYear: fy, period: try! PeriodNumber(3), principal: Yen(5_750),
        issuedOn: try! CivilDate(iso: "2025-10-20"), payBy: try! CivilDate(iso: "2025-10-30"))

    /// One sample of each arrears event other than the dunning notice.
    static let arrears: [KokiEvent] = [
        .arrearsSettingsAdopted(ArrearsSettingsAdopted(settings: .standard)),
        .arrearsRunRecorded(
            ArrearsRunRecorded(
                kind: .dunning, runOn: try! CivilDate(iso: "2025-08-20"), criteria: "unpaid", persons: 1_200,
                notices: 1_500, amount: Yen(9_000_000))),
        .reminderIssued(
            ReminderIssued(
                person: person, issuedOn: try! CivilDate(iso: "2026-01-15"), periods: [key(3), key(4)],
                owed: Yen(11_500),
                criteria: "owing ≥ 1 yen")),
        .contactRecorded(
            ContactRecorded(
                person: person, id: "k1", change: .amended, contactedOn: try! CivilDate(iso: "2026-01-20"),
                method: .phone, words: sealed, promisedOn: try! CivilDate(iso: "2026-02-10"))),
        .lateFeeFinalized(
            LateFeeFinalized(
                person: person, key: key(1), fee: Yen(2_400), paidOffOn: try! CivilDate(iso: "2026-03-16"),
                ruleVersion: "koki-late-fee-1")),
        .reductionDecided(
            ReductionDecided(
                person: person, id: "g1", appliedOn: try! CivilDate(iso: "2025-08-05"),
                decidedOn: try! CivilDate(iso: "2025-08-25"), reason: "災害",
                coveredFrom: try! CivilDate(iso: "2025-07-01"),
                coveredThrough: try! CivilDate(iso: "2025-09-30"), parts: [.init(key: key(1), amount: Yen(2_875))],
                waiveLateFees: true)),
        .writtenOff(
            WrittenOff(
                person: person, key: key(2), premium: Yen(5_750), lateFee: .zero, reason: .prescription,
                lastDay: try! CivilDate(iso: "2027-08-30"), writtenOffOn: try! CivilDate(iso: "2027-09-01"))),
        .installmentPlanRecorded(
            InstallmentPlanRecorded(
                person: person, id: "a1", change: .agreed, on: try! CivilDate(iso: "2025-11-01"),
                periods: [key(3), key(4)],
                includesLateFees: true,
                schedule: [.init(on: try! CivilDate(iso: "2025-11-30"), amount: Yen(6_000))], pledge: true, reason: "")),
        .seizureRecorded(
            SeizureRecorded(
                person: person, id: "z1", change: .started, on: try! CivilDate(iso: "2027-06-01"), periods: [key(5)])),
        .enforcementStopped(
            EnforcementStopped(
                person: person, id: "s1", change: .started, on: try! CivilDate(iso: "2027-07-01"), periods: [key(6)],
                reason: .hardship, atOnce: false)),
        .collectionDeferred(
            CollectionDeferred(
                person: person, id: "y1", change: .extended, on: try! CivilDate(iso: "2027-08-02"), periods: [key(7)],
                from: try! CivilDate(iso: "2027-05-06"), through: try! CivilDate(iso: "2027-12-28"),
                reason: .businessLoss, relief: .waived)),
        .fiscalYearClosed(
            FiscalYearClosed(
                fiscalYear: fy, closedOn: try! CivilDate(iso: "2026-05-31"),
                carried: [.init(fiscalYear: fy, persons: 1_200, periods: 4_000, amount: Yen(40_000_000))])),
    ]

    static let dunningNoticeIssuedV1 = DunningNoticeIssuedV1(
        person: person, fiscalYear: fy, period: try! PeriodNumber(3), issuedOn: try! CivilDate(iso: "2025-10-20"),
        principal: Yen(5_750))

    static let household = try! HouseholdID("7001")
    static let sealed = SealedIdentity(bytes: [1] + Array(0..<40))

    /// The access events as version 1 stored them, with the password hashes.
    static let operatorEnrolledV1 = OperatorEnrolledV1(
        operatorID: "tanaka", name: "田中", roles: [.counter, .numberUse],
        passwordHash: "$scrypt$ln=17,r=8,p=1$c2FsdA==$aGFzaA==")
    static let operatorPasswordSetV1 = OperatorPasswordSetV1(
        operatorID: "tanaka", passwordHash: "$scrypt$ln=17,r=8,p=1$eA==$eQ==")

    /// Security settings as the sample was recorded (the second-check list of 2026-11: the
    /// sample is a fixed value, not today's default).
    static var securitySettings: SecuritySettings {
        var settings = SecuritySettings()
        settings.secondCheck = [
            "person register", "person correct", "person link", "household set", "household leave",
            "eligibility acquire", "eligibility lose", "eligibility address-exception start",
            "eligibility address-exception end", "eligibility former-dependant", "income record", "debit start",
            "debit stop", "reduction decide", "refund pay --heir",
        ]
        return settings
    }

    /// One sample of each access-control event and of the My Number and erasure events.
    static let access: [KokiEvent] = [
        .myNumberRecorded(MyNumberRecorded(person: person, sealed: SealedIdentity(bytes: [4] + Array(0..<40)))),
        .personErased(
            PersonErased(
                person: person, eligibilityEnded: try! CivilDate(iso: "2019-03-31"), retentionYears: 5,
                decidedOn: try! CivilDate(iso: "2026-04-01"))),
        .mailRecipientRecorded(
            MailRecipientRecorded(
                person: person, role: .heirRepresentative, recipient: SealedIdentity(bytes: [6] + Array(0..<40)),
                from: try! CivilDate(iso: "2026-05-01"))),
        .access(
            .operatorEnrolled(
                OperatorEnrolled(operatorID: "tanaka", name: "田中", roles: [.counter, .numberUse]))),
        .access(.operatorRolesChanged(OperatorRolesChanged(operatorID: "tanaka", roles: [.arrears]))),
        .access(
            .operatorStateChanged(OperatorStateChanged(operatorID: "tanaka", state: .locked, reason: "5 failed logins"))
        ),
        .access(
            .operatorPasswordSet(
                OperatorPasswordSet(operatorID: "tanaka"))),
        .access(
            .permissionsAdopted(
                PermissionsAdopted(
                    matrix: PermissionMatrix(grants: [
                        .auditor: [.auditRead, .ledgerInspect], .counter: [.registerRead],
                    ])))),
        .access(.securitySettingsAdopted(SecuritySettingsAdopted(settings: securitySettings))),
        .access(
            .sessionOpened(
                SessionOpened(
                    operatorID: "tanaka", session: "5f0e8c5a-3c1d-4a55-9d3c-1f2e3d4c5b6a",
                    terminal: "matsudo-honcho-12",
                    tokenDigest: Array(0..<32), expiresAt: 1_790_000_000_000_000))),
        .access(
            .sessionClosed(
                SessionClosed(operatorID: "tanaka", session: "5f0e8c5a-3c1d-4a55-9d3c-1f2e3d4c5b6a", reason: .logout))),
        .access(
            .loginFailed(
                LoginFailed(
                    operatorID: "tanaka", terminal: "matsudo-honcho-12", reason: .wrongPassword, source: "192.0.2.10",
                    sourceLocked: true))),
        .access(
            .accessRefused(
                AccessRefused(
                    operatorID: "tanaka", session: nil, terminal: "matsudo-honcho-12", command: "mynumber show",
                    function: .numberUse, reason: "may not"))),
        .access(
            .personalDataAccessed(
                PersonalDataAccessed(
                    operatorID: "tanaka", session: "5f0e8c5a-3c1d-4a55-9d3c-1f2e3d4c5b6a",
                    terminal: "matsudo-honcho-12",
                    command: "person show", purpose: "窓口照会", persons: [person]))),
        .access(
            .transferDestinationRegistered(
                TransferDestinationRegistered(
                    destination: "kouiki", name: "千葉県後期高齢者医療広域連合", kind: .union, items: [.insuredPerson, .premium]))),
        .access(
            .transferRecorded(
                TransferRecorded(
                    destination: "kouiki", transferredOn: try! CivilDate(iso: "2026-04-01"), fromPosition: 1,
                    throughPosition: 900, counts: [.init(item: .insuredPerson, rows: 12)], persons: 12,
                    fileHash: Array(0..<32)))),
    ]

    /// One sample of each notice event.
    static let notices: [KokiEvent] = [
        .notice(
            .settingsAdopted(
                NoticeSettingsAdopted(
                    settings: NoticeSettings(
                        city: "松戸市", issuer: "松戸市長", department: "国民健康保険課", address: "千葉県松戸市根本387-5",
                        phone: "047-366-1111", barcodeIssuer: "912345")))),
        .notice(
            .documentIssued(
                DocumentIssued(
                    number: "N20250715-100000001-1", kind: .payment, reason: "当初賦課", person: person,
                    subject: "FY2025@356", builtFrom: 1011, issuedOn: try! CivilDate(iso: "2025-07-15"),
                    recordHash: Array(0..<32), reissueOf: nil))),
        .notice(
            .runRecorded(
                NoticeRunRecorded(
                    kind: .dunning, issuedOn: try! CivilDate(iso: "2025-08-20"), builtFrom: 1078, documents: 3,
                    total: Yen(12_100), fileHash: Array(0..<32)))),
    ]

    static let loginFailedV1 = LoginFailedV1(
        operatorID: "tanaka", terminal: "matsudo-honcho-12", reason: .wrongPassword)

    static let incomeRecordedV1 = IncomeRecordedV1(
        person: person, year: 2024, publicPensionRevenue: Yen(1_800_000), salaryRevenue: .zero,
        otherIncome: Yen(120_000), totalIncome: Yen(1_020_000), declared: true, source: "連携税マスタ")

    static let reception = Reception(
        office: "本庁", receivedOn: try! CivilDate(iso: "2026-04-01"), applicant: .agent, applicantName: sealed,
        identityCheck: .myNumberCard, attached: ["転入届", "委任状"], enteredBy: "tanaka")

    /// One sample of each counter event.
    static let counter: [KokiEvent] = [
        .counter(.settingsAdopted(CounterSettingsAdopted(settings: CounterSettings(offices: ["本庁", "常盤平"])))),
        .counter(
            .applicationReceived(
                ApplicationReceived(
                    number: "A20260401-100000001-1", person: person, kind: .eligibility, reception: reception,
                    change: sealed, changeCommand: "eligibility acquire"))),
        .counter(
            .applicationConfirmed(
                ApplicationConfirmed(
                    number: "A20260401-100000001-1", person: person, confirmedBy: "suzuki",
                    confirmedOn: try! CivilDate(iso: "2026-04-02")))),
        .counter(
            .applicationRejected(
                ApplicationRejected(
                    number: "A20260401-100000001-2", person: person, rejectedBy: "suzuki",
                    rejectedOn: try! CivilDate(iso: "2026-04-02"), reason: "書類不備"))),
        .counter(.copayThresholdsAdopted(CopayThresholdsAdopted(tables: CopayThresholds.standard))),
        .counter(
            .copayClassDetermined(
                CopayClassDetermined(
                    person: person, periodStart: try! CivilDate(iso: "2026-08-01"), copayClass: .two, incomeYear: 2025,
                    members: [person, try! PersonID("100000002")], missingIncome: [try! PersonID("100000002")],
                    thresholdsFrom: try! CivilDate(iso: "2022-10-01"), reason: "renewal"))),
        .counter(
            .certificateIssued(
                CertificateIssued(
                    person: person, number: "Q100000001-2", reason: .lost, issuedOn: try! CivilDate(iso: "2026-09-10"),
                    validFrom: try! CivilDate(iso: "2026-09-10"), validUntil: try! CivilDate(iso: "2027-07-31"),
                    copayClass: .two, delivery: .counter, office: "常盤平", replaces: "Q100000001-1"))),
        .counter(
            .certificateReturned(
                CertificateReturned(
                    person: person, number: "Q100000001-2", returnedOn: try! CivilDate(iso: "2027-01-05"),
                    how: .returned, office: nil))),
        .counter(
            .certificateRunRecorded(
                CertificateRunRecorded(
                    validFrom: try! CivilDate(iso: "2026-08-01"), validUntil: try! CivilDate(iso: "2027-07-31"),
                    issuedOn: try! CivilDate(iso: "2026-07-15"), builtFrom: 90_000, issued: 70_000,
                    byClass: [55_000, 10_000, 5_000]))),
        .counter(
            .benefitApplicationReceived(
                BenefitApplicationReceived(
                    number: "B20261005-100000001-3", person: person, kind: .funeral, reception: reception,
                    serviceFrom: try! CivilDate(iso: "2026-10-01"), serviceThrough: try! CivilDate(iso: "2026-10-01"),
                    claimed: Yen(50_000), payee: sealed, account: sealed))),
        .counter(
            .benefitDecided(
                BenefitDecided(
                    number: "B20261005-100000001-3", person: person, approved: true, amount: Yen(50_000),
                    decidedOn: try! CivilDate(iso: "2026-11-20"), paidOn: try! CivilDate(iso: "2026-11-25"),
                    unionReference: "R-1", reason: nil))),
    ]

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
                otherIncome: Yen(120_000), totalIncome: Yen(1_020_000), declared: true, source: "連携税マスタ",
                taxableIncome: Yen(310_000))),
        .incomeInquired(IncomeInquired(person: person, year: 2024, purpose: "賦課計算")),
        .personNumbersLinked(PersonNumbersLinked(person: person, formerNumber: try! PersonID("99"))),
        .pensionFactsRecorded(
            PensionFactsRecorded(
                person: person, fiscalYear: fy,
                facts: PensionFacts(
                    annualPension: Yen(2_000_000), careInsurancePremium: Yen(60_000), careDeductedFromPension: true,
                    previousFebruaryDeduction: Yen(12_600)))),
        .provisionalDeductionDecided(
            ProvisionalDeductionDecided(
                person: person, fiscalYear: fy, amount: Yen(13_300), decidedOn: try! CivilDate(iso: "2025-02-20"),
                basis: "令和6年度2月の特別徴収額")),
        .pensionDeductionNotified(pensionDeductionNotified),
        .pensionSwitchRecorded(
            PensionSwitchRecorded(person: person, change: .requested, on: try! CivilDate(iso: "2025-08-01"))),
        .unionDecisionRecorded(
            UnionDecisionRecorded(
                person: person, fiscalYear: fy, annualPremium: Yen(80_000), incomeBase: Yen(470_000),
                reduction: .twoTenths, periods: [Yen(9_000)] + Array(repeating: Yen(8_875), count: 8),
                insuredFrom: try! CivilDate(iso: "2015-01-01"), insuredUntil: try! CivilDate(iso: "2026-02-11"),
                receivedOn: try! CivilDate(iso: "2025-08-20"), source: "union-2025.csv line 2")),
        .networkInquirySent(
            NetworkInquirySent(
                person: person, id: "Q-1001-20250805-1", item: "地方税関係情報", year: 2024,
                legalBasis: "番号法 別表第二 82の項", purpose: "保険料の賦課", sentOn: try! CivilDate(iso: "2025-08-05"))),
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
                    breakdown: Bool.random(using: &g)
                        ? nil
                        : PremiumBreakdown(
                            calculator: rule, fiscalYear: fy.year, rateTableSource: text(),
                            months: Int.random(in: 0...12, using: &g), firstMonth: Bool.random(using: &g) ? nil : text(),
                            incomeBase: Bool.random(using: &g) ? nil : yen(),
                            judgment: .init(
                                judgmentIncome: Bool.random(using: &g) ? nil : yen(),
                                earners: Int.random(in: 0...9, using: &g), insuredCount: Int.random(in: 1...9, using: &g),
                                sevenTenthsAtMost: yen(), fiveTenthsAtMost: nil, twoTenthsAtMost: yen(),
                                reduction: PerCapitaReduction.allCases.randomElement(using: &g)!,
                                note: Bool.random(using: &g) ? nil : text()),
                            formerDependant: Bool.random(using: &g)
                                ? nil : .init(joinedOn: date(), reducedUntil: date(), monthsReduced: Int.random(in: 0...12, using: &g)),
                            components: (0..<Int.random(in: 0...3, using: &g)).map { _ in
                                .init(
                                    name: text(), perCapita: yen(), reduction: PerCapitaReduction.allCases.randomElement(using: &g)!,
                                    perCapitaAfterReduction: yen(), formerDependantPerCapita: Bool.random(using: &g) ? nil : yen(),
                                    incomeRate: Rate(Int64.random(in: 0...1_000_000_000, using: &g), per: Int64.random(in: 1...1_000_000_000, using: &g)),
                                    incomePart: yen(), cap: yen(), capped: Bool.random(using: &g), annual: yen(), charged: yen())
                            },
                            totalBeforeRounding: yen(), roundingUnit: Int64.random(in: 1...1_000, using: &g), premium: yen()),
                    collection: Bool.random(using: &g) ? .pensionDeduction : .ordinary,
                    pensionPeriods: installments.map(\.period).filter { _ in Bool.random(using: &g) }))
        case 1:
            let parts = (0..<Int.random(in: 0...3, using: &g)).map { _ in
                PaymentReceived.Part(key: PeriodKey(fy, period()), amount: yen(), accountingYear: fy)
            }
            let id = String(Int.random(in: 0...40, using: &g))
            return [
                KokiEvent.paymentReceived(
                    PaymentReceived(
                        id: id, person: person, channel: PaymentChannel.allCases.randomElement(using: &g)!,
                        paidOn: date(), learnedOn: date(), amount: yen(),
                        slip: Bool.random(using: &g) ? PeriodKey(fy, period()) : nil, parts: parts, overpaid: yen(),
                        reference: text())),
                .paymentCancelled(PaymentCancelled(person: person, payment: id, cancelledOn: date(), reason: text())),
                .overpaymentRecognized(
                    OverpaymentRecognized(
                        person: person, id: id, key: PeriodKey(fy, period()), amount: yen(),
                        cause: RefundInterest.Cause.allCases.randomElement(using: &g)!, arose: date(),
                        recognizedOn: date(), reason: text())),
                .overpaymentAppropriated(
                    OverpaymentAppropriated(
                        person: person, overpayment: id, decidedOn: date(),
                        parts: [.init(key: PeriodKey(fy, period()), amount: yen(), effectiveOn: date())])),
            ].randomElement(using: &g)!
        default:
            return .dunningNoticeIssued(
                DunningNoticeIssued(
                    person: person, fiscalYear: fy, period: period(), principal: yen(), issuedOn: date(),
                    payBy: Bool.random(using: &g) ? date() : nil))
        }
    }
}
