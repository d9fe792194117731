import KokiDomain
import KokiEvents
@testable import KokiProjections
import KokiTestSupport
import Testing

/// What a register entry keeps by year, and by year and month, as sorted lists: every question
/// answers as the dictionaries it replaced did, whatever the order events come in, and the stored
/// form is the one written before (years in order, each year's months in order).
@Suite struct RegisterYearsTests {
    @Test func aKeyedMapAnswersAsADictionaryAfterRandomChanges() {
        var g = SeededGenerator(seed: 2_612)
        for _ in 0..<200 {
            var map = IntKeyedMap<Int>()
            var reference: [Int: Int] = [:]
            for _ in 0..<Int.random(in: 0...60, using: &g) {
                let key = Int.random(in: -5...30, using: &g)
                let value: Int? = Int.random(in: 0..<5, using: &g) == 0 ? nil : Int.random(in: 0...1_000, using: &g)
                map[key] = value
                reference[key] = value
            }
            #expect(map.dictionary == reference)
            #expect(map.count == reference.count && map.isEmpty == reference.isEmpty)
            #expect(Array(map.keys) == reference.keys.sorted() && map.map(\.key) == reference.keys.sorted())
            for key in -6...31 { #expect(map[key] == reference[key]) }
            let (low, high) = (Int.random(in: -6...31, using: &g), Int.random(in: -6...31, using: &g))
            let range = min(low, high)..<max(low, high)
            #expect(map.entries(in: range).map(\.key) == reference.keys.filter { range.contains($0) }.sorted())
            // Built from pairs, the later of one key wins; the same keys and values are equal.
            #expect(IntKeyedMap(reference.shuffled(using: &g).map { ($0.key, $0.value) }) == map)
        }
    }

    /// Appended or put, packed or kept aside (amounts the codec's writer refuses: beyond
    /// ``Yen/recordable``, as a what-if's figure could be), the records read back are those that
    /// went in, and the stored form lists them as an array of them does.
    @Test func packedRecordsAreTheRecordsThatWentIn() {
        var g = SeededGenerator(seed: 1_206)
        check(&g) { String(repeating: "年金", count: Int.random(in: 0...90, using: &$0)) }
        let extremes = [Int64.max, Int64.min, Yen.recordable.upperBound + 1, Yen.recordable.lowerBound - 1]
        check(&g) { g in
            Yen(
                Int.random(in: 0..<3, using: &g) == 0
                    ? extremes.randomElement(using: &g)! : Int64.random(in: -9_999...9_999, using: &g))
        }
    }

    private func check<R: BinaryCodable & Hashable>(_ g: inout SeededGenerator, _ make: (inout SeededGenerator) -> R) {
        for _ in 0..<200 {
            var (appended, put) = (PackedRecords<R>(), PackedRecords<R>())
            var (list, byKey): ([(key: Int, record: R)], [Int: R]) = ([], [:])
            for _ in 0..<Int.random(in: 0...30, using: &g) {
                let key = Int.random(in: -3...3_000, using: &g) % 40
                let record = make(&g)
                appended.append(record, key: key)
                list.append((key, record))
                put.put(record, key: key)
                byKey[key] = record
            }
            #expect(
                appended.records.map(\.key) == list.map(\.key) && appended.records.map(\.record) == list.map(\.record))
            #expect(appended.count == list.count && appended.isEmpty == list.isEmpty)
            #expect(put.keys == byKey.keys.sorted() && put.count == byKey.count)
            #expect(put.records.map(\.record) == byKey.sorted { $0.key < $1.key }.map(\.value))
            for key in -3...40 {
                #expect(appended.last(key) == list.last { $0.key == key }?.record)
                #expect(put.last(key) == byKey[key])
            }
            #expect(PackedRecords(list) == appended)
            var (w, expected) = (BinaryWriter(capacity: 64), BinaryWriter(capacity: 64))
            appended.encodeList(to: &w, keyed: false)
            list.map(\.record).encode(to: &expected)
            #expect(w.bytes == expected.bytes)
        }
    }

    /// An income whose year and figures the codec's writer refuses (a what-if's, applied without
    /// being recorded) is answered as it went in, never a crash nor another year.
    @Test func anIncomeTheWriterRefusesIsKeptAsItIs() throws {
        let person = try PersonID("7")
        var register = InsuredRegister()
        register.apply(.personRegistered(PersonRegistered(person: person, identity: SealedIdentity(bytes: [1]))))
        let odd = IncomeRecorded(
            person: person, year: 123_456, publicPensionRevenue: Yen(Int64.max), salaryRevenue: .zero,
            otherIncome: Yen(Int64.min), totalIncome: Yen(Yen.recordable.upperBound + 1), declared: true, source: "試算")
        let plain = IncomeRecorded(
            person: person, year: 2025, publicPensionRevenue: Yen(1_800_000), salaryRevenue: .zero, otherIncome: .zero,
            totalIncome: Yen(1_020_000), declared: true, source: "申告書")
        for income in [plain, odd, plain] { register.apply(.incomeRecorded(income)) }
        let entry = try #require(register.person(person))
        #expect(entry.incomeHistory == [plain, odd, plain])
        #expect(entry.income(of: 123_456) == odd && entry.income(of: 2025) == plain && entry.income(of: 0) == nil)
    }

    @Test func anEntrysYearsAnswerAsTheirDictionariesWhateverTheOrder() throws {
        var g = SeededGenerator(seed: 75)
        let person = try PersonID("7")
        for _ in 0..<100 {
            var register = InsuredRegister()
            register.apply(.personRegistered(PersonRegistered(person: person, identity: SealedIdentity(bytes: [1]))))
            var told: [Int: [Int: Yen]] = [:]
            var facts: [Int: PensionFacts] = [:]
            var provisional: [Int: Yen] = [:]
            var union: [Int: Yen] = [:]
            for _ in 0..<Int.random(in: 0...40, using: &g) {
                let year = Int.random(in: 2020...2031, using: &g)
                let fy = try FiscalYear(year)
                let amount = Yen(Int64.random(in: 0...30_000, using: &g))
                switch Int.random(in: 0..<4, using: &g) {
                case 0:
                    let months = Array(
                        [4, 6, 8, 10, 12, 2].shuffled(using: &g).prefix(Int.random(in: 1...6, using: &g)))
                    let lines = try months.map { month in
                        Installment(
                            period: try PeriodNumber(1),
                            dueDate: try CivilDate(year: month < 4 ? year + 1 : year, month: month, day: 15),
                            amount: Yen(Int64(month) * 100) + amount)
                    }
                    register.apply(
                        .pensionDeductionNotified(
                            PensionDeductionNotified(
                                person: person, fiscalYear: fy, notifiedOn: try CivilDate(year: year, month: 7, day: 1),
                                months: lines, reason: "本徴収依頼", file: String(repeating: "0", count: 64))))
                    for line in lines { told[year, default: [:]][line.dueDate.month] = line.amount }
                case 1:
                    register.apply(
                        .provisionalDeductionDecided(
                            ProvisionalDeductionDecided(
                                person: person, fiscalYear: fy, amount: amount,
                                decidedOn: try CivilDate(year: year, month: 2, day: 20), basis: "前年度2月の特別徴収額")))
                    provisional[year] = amount
                    for month in [4, 6, 8] { told[year, default: [:]][month] = amount }
                case 2:
                    let recorded = PensionFacts(
                        annualPension: amount + Yen(180_000), careInsurancePremium: amount,
                        careDeductedFromPension: true)
                    register.apply(
                        .pensionFactsRecorded(PensionFactsRecorded(person: person, fiscalYear: fy, facts: recorded)))
                    facts[year] = recorded
                default:
                    register.apply(
                        .unionDecisionRecorded(
                            UnionDecisionRecorded(
                                person: person, fiscalYear: fy, annualPremium: amount, incomeBase: nil,
                                reduction: .none, periods: [amount],
                                insuredFrom: try CivilDate(year: 2015, month: 1, day: 1),
                                insuredUntil: nil, receivedOn: try CivilDate(year: year, month: 8, day: 1),
                                source: "union-\(year).csv line \(Int.random(in: 1...9, using: &g))")))
                    union[year] = amount
                }
            }
            let entry = try #require(register.person(person))
            #expect(entry.pensionTold == told && entry.pension == facts)
            #expect(entry.provisionalDeduction.mapValues(\.amount) == provisional)
            #expect(entry.union.mapValues(\.annualPremium) == union)
            for year in 2019...2032 {
                #expect(entry.pensionTold(of: year) == told[year] ?? [:])
                for month in 1...12 { #expect(entry.pensionTold(of: year, month: month) == told[year]?[month]) }
                #expect(entry.pension(of: year) == facts[year])
                #expect(entry.provisionalDeduction(of: year)?.amount == provisional[year])
                #expect(entry.provisionalDeductionDecided(since: year) == provisional.keys.contains { $0 >= year })
                #expect(entry.union(of: year)?.annualPremium == union[year])
            }
            // A year or month no one is told about, however far out, finds nothing.
            for year in [Int.min, -1, 0, 9_999, Int.max] {
                #expect(entry.pensionTold(of: year).isEmpty && entry.pensionTold(of: year, month: 4) == nil)
            }
            for (year, months) in told {
                for month in [Int.min, 0, 13, 104, Int.max] {
                    #expect(entry.pensionTold(of: year, month: month) == nil, "\(year) \(month) of \(months)")
                }
            }
            #expect(try InsuredRegister.Person(stored: entry.stored) == entry)
        }
    }

    /// The tail is stored as before: the incomes in the order recorded; what was told by year,
    /// then month; the union's latest decision of each year, in order of the years.
    @Test func theTailIsStoredAsBefore() throws {
        let person = try PersonID("7")
        var register = InsuredRegister()
        register.apply(.personRegistered(PersonRegistered(person: person, identity: SealedIdentity(bytes: [1]))))
        let told: [(year: Int, month: Int, amount: Int64)] = [
            (2027, 2, 900), (2025, 12, 500), (2027, 10, 800), (2025, 4, 400), (2026, 6, 600), (2025, 2, 300),
        ]
        for line in told {
            register.apply(
                .pensionDeductionNotified(
                    PensionDeductionNotified(
                        person: person, fiscalYear: try FiscalYear(line.year),
                        notifiedOn: try CivilDate(year: line.year, month: 7, day: 1),
                        months: [
                            Installment(
                                period: try PeriodNumber(1),
                                dueDate: try CivilDate(year: line.year, month: line.month, day: 15),
                                amount: Yen(line.amount))
                        ], reason: "本徴収依頼", file: String(repeating: "0", count: 64))))
        }
        func income(_ year: Int, _ total: Int64, _ source: String) -> IncomeRecorded {
            IncomeRecorded(
                person: person, year: year, publicPensionRevenue: Yen(total * 2), salaryRevenue: .zero,
                otherIncome: .zero, totalIncome: Yen(total), declared: true, source: source,
                taxableIncome: Yen(total / 2))
        }
        func union(_ year: Int, _ premium: Int64) throws -> UnionDecisionRecorded {
            UnionDecisionRecorded(
                person: person, fiscalYear: try FiscalYear(year), annualPremium: Yen(premium), incomeBase: nil,
                reduction: .none, periods: [Yen(premium / 2), Yen(premium - premium / 2)],
                insuredFrom: try CivilDate(year: 2015, month: 1, day: 1), insuredUntil: nil,
                receivedOn: try CivilDate(year: year, month: 8, day: 1), source: "union-\(year).csv line \(premium)")
        }
        let incomes = [
            income(2024, 900_000, "連携税マスタ tax.csv line 3"), income(2023, 800_000, "申告書"),
            income(2024, 950_000, "修正申告"),
        ]
        for record in incomes { register.apply(.incomeRecorded(record)) }
        let decisions = [
            try union(2027, 70_000), try union(2025, 50_000), try union(2026, 60_000), try union(2025, 55_000),
        ]
        for decision in decisions { register.apply(.unionDecisionRecorded(decision)) }
        var w = BinaryWriter(capacity: 64)
        incomes.encode(to: &w)
        w.writeUInt(0)  // pension facts
        w.writeUInt(0)  // provisional deductions
        w.writeUInt(3)
        for (year, months) in [
            (2025, [(2, 300), (4, 400), (12, 500)]), (2026, [(6, 600)]), (2027, [(2, 900), (10, 800)]),
        ] {
            w.writeInt(year)
            w.writeUInt(UInt64(months.count))
            for (month, amount) in months {
                w.writeInt(month)
                w.write(Yen(Int64(amount)))
            }
        }
        w.writeUInt(3)  // the union's latest decision of each year, in order of the years
        for decision in [decisions[3], decisions[2], decisions[0]] {
            w.writeInt(decision.fiscalYear.year)
            decision.encode(to: &w)
        }
        [NetworkInquirySent]().encode(to: &w)
        let entry = try #require(register.person(person))
        #expect(entry.storedTail == w.bytes)
        #expect(entry.incomeHistory == incomes && entry.income(of: 2024) == incomes[2] && entry.income(of: 2022) == nil)
        #expect(entry.union(of: 2025) == decisions[3] && entry.union.count == 3)
        #expect(try InsuredRegister.Person(stored: entry.stored) == entry)
    }

    /// Texts many entries repeat are kept once, and keeping them changes no value: the entries of
    /// two registers folded from the same events are equal, past the most texts kept as well.
    @Test func keptTextsChangeNoEntry() throws {
        var texts = SharedTexts()
        let first = texts.kept(String(repeating: "連携税マスタ", count: 2))
        #expect(texts.kept(String(repeating: "連携税マスタ", count: 2)) == first)
        var (register, other) = (InsuredRegister(), InsuredRegister())
        var events: [KokiEvent] = []
        for n in 0..<(SharedTexts.most + 50) {
            let person = try PersonID("\(n + 1)")
            events.append(.personRegistered(PersonRegistered(person: person, identity: SealedIdentity(bytes: [1]))))
            events.append(
                .provisionalDeductionDecided(
                    ProvisionalDeductionDecided(
                        person: person, fiscalYear: try FiscalYear(2026), amount: Yen(13_300),
                        decidedOn: try CivilDate(iso: "2026-02-20"), basis: "令和7年度2月の特別徴収額 第\(n)号")))
        }
        for event in events { register.apply(event) }
        for event in events.reversed() where EventRegistry.encode(event).type == PersonRegistered.eventType {
            other.apply(event)
        }
        for event in events where EventRegistry.encode(event).type == ProvisionalDeductionDecided.eventType {
            other.apply(event)
        }
        #expect(register == other)
        for n in [0, SharedTexts.most - 1, SharedTexts.most, SharedTexts.most + 49] {
            #expect(
                register.person(try PersonID("\(n + 1)"))?.provisionalDeduction(of: 2026)?.basis
                    == "令和7年度2月の特別徴収額 第\(n)号")
        }
    }
}
