import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import KokiTestSupport
import LedgerStore
import Testing

/// The union's decisions reconciled: a file with planted differences is found exactly — field by
/// field, with the inputs that explain them — the same file twice records nothing, an adopted
/// figure is a reassessment that stands until an input changes; and the information network's
/// inquiries and answers.
extension CollectionCommandsTests {
    /// The union's row that agrees with koki's current assessment of `number`.
    func unionRow(_ number: String, line: Int = 0) throws -> UnionAssessmentFile.Row {
        let state = try collection.load(id(number))
        let assessed = try #require(state.assessments[fy])
        let breakdown = try #require(assessed.breakdown)
        return UnionAssessmentFile.Row(
            line: line, person: id(number), fiscalYear: fy, annualPremium: assessed.annualPremium,
            incomeBase: breakdown.incomeBase, reduction: breakdown.judgment.reduction,
            periods: assessed.installments.sorted { $0.period < $1.period }.map(\.amount),
            insuredFrom: d("2015-01-01"), insuredUntil: nil)
    }

    func importUnion(_ rows: [UnionAssessmentFile.Row], on day: String = "2025-09-01") throws
        -> UnionReconciliation.Import
    {
        try UnionReconciliation(ledger).importDecisions(
            Array(UnionAssessmentFile.text(rows).utf8), name: "/in/union-fy2025.csv", on: d(day), metadata: meta())
    }

    @Test func aUnionFileWithPlantedDifferencesIsFoundExactly() throws {
        try city(["1", "2", "3"])
        // 4 has no income in koki: the union has one.
        try register.register(
            id("4"),
            identity: try PersonIdentity(
                nameKanji: "氏名", nameKana: "シメイ", birthDate: d("1940-01-01"), sex: .male, address: "松戸市"),
            household: (try HouseholdID("4"), .householder, d("2000-04-01")), metadata: meta())
        try register.acquire(id("4"), reason: .reachedAge75, on: d("2015-01-01"), metadata: meta())
        _ = try assessment.assess(id("4"), fiscalYear: fy, decidedOn: d("2025-07-31"), metadata: meta())

        let same = try unionRow("1")
        var higher = try unionRow("2")
        higher.annualPremium = Yen(80_000)
        higher.incomeBase = (higher.incomeBase ?? .zero) + Yen(20_000)
        higher.periods = []
        var moved = try unionRow("3")
        moved.insuredFrom = d("2015-02-01")
        var earner = try unionRow("4")
        let kokiFour = earner.annualPremium
        earner.incomeBase = Yen(500_000)
        earner.annualPremium = earner.annualPremium + Yen(47_000)
        earner.periods = []
        let result = try importUnion([same, higher, moved, earner])
        #expect(result.rows == 4 && result.recorded == 4 && result.unchanged == 0)
        let found = result.differences.map { "\($0.person) \($0.field) \($0.union) \($0.koki)" }
        let base2 = try unionRow("2").incomeBase.map { "\($0.amount)" } ?? "なし"
        #expect(
            found == [
                "2 incomeBase \(higher.incomeBase!.amount) \(base2)", "2 annualPremium 80000 77800",
                "3 insuredFrom 2015-02-01 2015-01-01",
                "4 incomeBase 500000 なし", "4 annualPremium \(earner.annualPremium.amount) \(kokiFour.amount)",
            ])
        let four = try #require(result.differences.first { $0.person == id("4") && $0.field == "incomeBase" })
        #expect(four.inputs.hasPrefix("広域連合にあって市にない所得"))
        #expect(result.differences.first { $0.field == "annualPremium" }?.inputs == "差のある項目：所得割の基礎となる所得")

        // The same file again records nothing; the differences stand.
        let head = try ledger.store.head()
        let again = try importUnion([same, higher, moved, earner])
        #expect(again.recorded == 0 && again.unchanged == 4 && again.differences == result.differences)
        #expect(try ledger.store.head() == head)
        #expect(try UnionReconciliation(ledger).differences(fiscalYear: fy) == result.differences)

        // The city decides the union is right about 2: a reassessment to 80,000 that stands.
        let (adopted, previous) = try UnionReconciliation(ledger).adopt(
            id("2"), fiscalYear: fy, on: d("2025-09-10"), metadata: meta())
        #expect(adopted.reason == .unionAdopted && adopted.annualPremium == Yen(80_000))
        #expect(previous.annualPremium == Yen(77_800))
        #expect(adopted.installments.map(\.amount).sum() == Yen(80_000))
        #expect(adopted.cause.contains("union-fy2025.csv line 3") && adopted.cause.contains("koki computes 77800"))
        #expect(try UnionReconciliation(ledger).differences(fiscalYear: fy).allSatisfy { $0.person != id("2") })
        let unchanged = try assessment.assess(id("2"), fiscalYear: fy, decidedOn: d("2025-09-11"), metadata: meta())
        guard case .unchanged = unchanged else { Issue.record("the adopted figure was replaced: \(unchanged)"); return }
        _ = try assessment.runAnnual(fiscalYear: fy, decidedOn: d("2025-09-12"), actor: "batch")
        #expect(try collection.load(id("2")).assessments[fy]?.annualPremium == Yen(80_000))
        // Adopting again is refused; a later input makes koki's own figure the assessment again.
        #expect(throws: KokiError.self) {
            try UnionReconciliation(ledger).adopt(id("2"), fiscalYear: fy, on: d("2025-09-12"), metadata: meta())
        }
        try register.recordIncome(
            IncomeRecorded(
                person: id("2"), year: 2024, publicPensionRevenue: Yen(2_000_001), salaryRevenue: .zero,
                otherIncome: .zero, totalIncome: TaxableIncome.pensionIncome(revenue: Yen(2_000_001)), declared: true,
                source: "修正申告"), metadata: meta())
        let recomputed = try assessment.assess(id("2"), fiscalYear: fy, decidedOn: d("2025-09-20"), metadata: meta())
        guard case .reassessed(let e, _) = recomputed else { Issue.record("not recomputed: \(recomputed)"); return }
        #expect(e.reason == .reassessment && e.annualPremium != Yen(80_000))
    }

    @Test func aHostileUnionFileIsRefusedWholeNamingTheLine() throws {
        try city(["1"])
        let header = UnionAssessmentFile.header.joined(separator: ",")
        let good = "1,2025,77800,,0,,2015-01-01,"
        let cases: [(String, String, String)] = [
            ("the tax file", TaxMasterFile.header.joined(separator: ",") + "\n1,2024,0,0,0,0,,1\n", "tax master"),
            ("no header", "\(good)\n", "does not start with its header"),
            ("seven fields", "\(header)\n1,2025,77800,,0,,2015-01-01\n", "expected 8 fields"),
            ("a bad reduction", "\(header)\n1,2025,77800,,3,,2015-01-01,\n", "reduction '3'"),
            ("periods that do not add up", "\(header)\n1,2025,77800,,0,9000;8600,2015-01-01,\n", "add up to 17600"),
            ("a bad date", "\(header)\n1,2025,77800,,0,,2015-02-30,\n", "not a date"),
            ("an end before the start", "\(header)\n1,2025,77800,,0,,2015-01-01,2014-01-01\n", "not after"),
            ("a date far past", "\(header)\n1,2025,77800,,0,,1801-01-01,\n", "is not between 1868-01-01"),
            ("a start after the year", "\(header)\n1,2025,77800,,0,,2026-04-01,\n", "FY2025's end"),
            ("a negative premium", "\(header)\n1,2025,-5,,0,,2015-01-01,\n", "annual_premium"),
            ("a far year", "\(header)\n1,2999,77800,,0,,2015-01-01,\n", "FY2999"),
            ("twice", "\(header)\n\(good)\n\(good)\n", "twice (line 2 too)"),
            ("a stranger", "\(header)\n\(good)\n7,2025,77800,,0,,2015-01-01,\n", "line 3: no person 7"),
            ("a control character", "\(header)\n1,2025,77800,,0,,2015-01-01,\u{7}\n", "control character"),
        ]
        let head = try ledger.store.head()
        for (what, text, expected) in cases {
            do {
                _ = try UnionReconciliation(ledger).importDecisions(
                    Array(text.utf8), name: "union.csv", on: d("2025-09-01"), metadata: meta())
                Issue.record("\(what) was accepted")
            } catch let error as KokiError {
                #expect(error.message.contains(expected), "\(what): \(error.message)")
            }
        }
        #expect(try ledger.store.head() == head)
    }

    @Test func anInquiryThroughTheNetworkAndItsAnswerAreBothInTheIncomeLog() throws {
        try city(["1"])
        let inquiry = try register.sendInquiry(
            id("1"), year: 2023, purpose: "保険料の賦課", legalBasis: InsuredRegisterCommands.defaultInquiryBasis,
            on: d("2025-08-05"), metadata: meta())
        #expect(inquiry.id == "Q-1-20250805-1")
        let second = try register.sendInquiry(
            id("1"), year: 2022, purpose: "軽減判定", legalBasis: InsuredRegisterCommands.defaultInquiryBasis,
            on: d("2025-08-05"), metadata: meta())
        #expect(second.id == "Q-1-20250805-2")
        let header = NetworkAnswerFile.header.joined(separator: ",")
        let file = Array("\(header)\n\(inquiry.id),2023,1500000,0,0,400000,0,1\n".utf8)
        let answered = try register.importNetworkAnswers(file, name: "answers.csv", on: d("2025-08-20"), metadata: meta())
        #expect(answered.recorded == 1)
        let income = try #require(try register.person(id("1"))?.income[2023])
        #expect(income.source == "情報照会 \(inquiry.id)" && income.totalIncome == Yen(400_000))
        // Again: nothing; other figures for the same inquiry, another year, an unknown inquiry: refused.
        let head = try ledger.store.head()
        #expect(try register.importNetworkAnswers(file, name: "answers.csv", on: d("2025-08-21"), metadata: meta()).unchanged == 1)
        for (text, expected) in [
            ("\(header)\n\(inquiry.id),2023,1500000,0,0,500000,0,1\n", "answered before with other figures"),
            ("\(header)\n\(second.id),2023,0,0,0,0,,1\n", "asked for 2022"),
            ("\(header)\nQ-1-20990101-1,2023,0,0,0,0,,1\n", "never sent"),
            ("\(header)\n\(second.id),2022,-1,0,0,0,,1\n", "pension_revenue"),
        ] {
            #expect {
                try register.importNetworkAnswers(Array(text.utf8), name: "a.csv", on: d("2025-08-21"), metadata: meta())
            } throws: { ($0 as? KokiError)?.message.contains(expected) ?? false }
        }
        #expect(try ledger.store.head() == head)
    }
}

extension CollectionCommandsTests {
    @Test func theUnionReceivesIncomesAndTheCumulativeListAddsUpToTheTransfers() throws {
        try city(["1", "2"])
        let transfers = Transfers(ledger)
        try transfers.register(
            "union", name: "広域連合", kind: .union, items: [.insuredPerson, .premium, .collection, .income],
            metadata: meta())
        func send(_ day: String) throws -> (TransferRecorded, [String]) {
            var bytes: [UInt8] = []
            let batch = try transfers.write("union", on: d(day)) { bytes += $0 }
            try transfers.record(batch, metadata: meta())
            return (batch.record, String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
        }
        let (first, lines) = try send("2025-08-01")
        #expect(lines.contains { $0.contains(#""item":"income""#) && $0.contains(#""publicPensionRevenue":2000000"#) })
        _ = try collection.pay(
            id("1"), amount: Yen(9_000), paidOn: d("2025-07-25"), learnedOn: d("2025-08-02"), channel: .counter,
            slip: key(1), metadata: meta())
        try register.recordIncome(
            IncomeRecorded(
                person: id("2"), year: 2024, publicPensionRevenue: Yen(1_000_000), salaryRevenue: .zero,
                otherIncome: .zero, totalIncome: .zero, declared: true, source: "修正申告", taxableIncome: .zero),
            metadata: meta())
        let (second, _) = try send("2025-09-01")
        let sent = try transfers.sent("union")
        for item in [TransferItem.insuredPerson, .premium, .collection, .income] {
            let recorded = [first, second].flatMap(\.counts).filter { $0.item == item }.map(\.rows).reduce(0, +)
            #expect(sent.filter { $0.item == item }.map(\.rows).reduce(0, +) == recorded, "\(item)")
        }
        let income2 = try #require(sent.first { $0.person == id("2") && $0.item == .income })
        #expect(income2.rows == 2 && income2.transfers == 2)
        #expect(income2.firstSentOn == d("2025-08-01") && income2.lastSentOn == d("2025-09-01"))
        #expect(try transfers.sent("union", person: id("1")).allSatisfy { $0.person == id("1") })
        #expect(throws: KokiError.self) { try transfers.sent("nobody") }
    }
}
