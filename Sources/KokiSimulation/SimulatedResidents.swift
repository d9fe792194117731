@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents

/// A simulated resident: who they are (plainly fake), when they become insured and how they
/// leave, and how they pay. The simulation's own knowledge of its world — the ledger learns
/// all of it only through the commands the simulation issues.
struct SimulatedResident: Sendable {
    enum Entry: Sendable { case initial, reaching75, movedIn, disability }
    enum Persona: Sendable { case prompt, late, chronic }

    let index: Int
    let person: PersonID
    let identity: PersonIdentity
    var household: HouseholdID
    var role: HouseholdRole
    let entry: Entry
    /// The day the person is registered, and the day they become insured.
    let registersOn: CivilDate
    let insuredFrom: CivilDate
    var leaves: (on: CivilDate, reason: LossReason)?
    let persona: Persona
    /// Yearly public-pension revenue and other income, in yen.
    let pension: Int64
    let otherIncome: Int64
    /// Their care premium is deducted from their pension (so this one can be too).
    let careDeducted: Bool
    let bankDebit: Bool
}

/// Draws a city's residents from a seed: the insured at the start (ages 75–99, fewer at each
/// older age), those reaching 75, moving in, or certified disabled during the run; deaths by
/// age, moves out; households of one to four; incomes with most pensioners under 2 million
/// yen and a long tail. Names and addresses are made of syllables and are plainly not real.
struct SimulatedResidents {
    var residents: [SimulatedResident] = []
    let settings: SimulationSettings

    static let firstNumber = 300_000_000

    init(_ settings: SimulationSettings) {
        self.settings = settings
        var dice = Dice(settings.seed, "residents")
        let start = settings.start
        let end = settings.end
        let b = settings.behaviour
        var household = 0
        var left = 0
        func add(_ entry: SimulatedResident.Entry, born: CivilDate, registers: CivilDate, insured: CivilDate) {
            let index = residents.count + 1
            var role = HouseholdRole.member
            if left == 0 {
                household += 1
                role = .householder
                // Household sizes of one to four among the insured.
                let roll = dice.perMille()
                left = entry == .initial ? (roll < 520 ? 1 : roll < 900 ? 2 : roll < 975 ? 3 : 4) : 1
            }
            left -= 1
            let person = try! PersonID(String(Self.firstNumber + index))
            let sex: PersonIdentity.Sex = dice.perMille() < 570 ? .female : .male
            let identity = Self.identity(born: born, sex: sex, dice: &dice)
            let persona: SimulatedResident.Persona = {
                let roll = dice.perMille()
                return roll < b.chronicPayers ? .chronic : roll < b.chronicPayers + b.latePayers ? .late : .prompt
            }()
            let (pension, other) = Self.income(&dice)
            residents.append(
                SimulatedResident(
                    index: index, person: person, identity: identity,
                    household: try! HouseholdID(String(700_000 + household)),
                    role: role, entry: entry, registersOn: registers, insuredFrom: insured,
                    leaves: Self.leaving(
                        born: born, from: max(insured, start), until: end, movedOut: b.movedOutPerYear, dice: &dice),
                    persona: persona, pension: pension, otherIncome: other,
                    careDeducted: pension >= 180_000 && dice.perMille() < b.pensionDeduction,
                    bankDebit: dice.perMille() < b.bankDebit))
        }

        // The insured at the start: ages 75–99, weighted toward the younger.
        let weights = (75...99).map { 100 - $0 }
        let totalWeight = weights.reduce(0, +)
        for _ in 0..<settings.insured {
            var roll = dice.int(below: totalWeight)
            var age = 75
            for w in weights {
                if roll < w { break }
                roll -= w
                age += 1
            }
            let born = start.adding(days: -(age * 365 + age / 4) - dice.int(below: 365))
            add(.initial, born: born, registers: start, insured: born.reaching(age: 75))
        }
        // Those who join during the run, in order of the day they join.
        var joining: [(SimulatedResident.Entry, born: CivilDate, registers: CivilDate, insured: CivilDate)] = []
        let days = end.daysSinceEpoch - start.daysSinceEpoch
        for _ in 0..<(settings.insured * b.reaching75PerYear * settings.years / 1000) {
            let birthday = start.adding(days: dice.int(below: days - 60) + 1)
            let born = try! CivilDate(year: birthday.year - 75, month: birthday.month, day: min(birthday.day, 28))
            let insured = born.reaching(age: 75)
            joining.append((.reaching75, born, max(start, insured.adding(days: -30)), insured))
        }
        for _ in 0..<(settings.insured * b.movedInPerYear * settings.years / 1000) {
            let day = start.adding(days: dice.int(below: days - 60) + 1)
            let born = try! CivilDate(
                year: day.year - 75 - dice.int(below: 15), month: day.month, day: min(day.day, 28)
            )
            .adding(days: -dice.int(below: 300))
            joining.append((.movedIn, born, day, day))
        }
        for _ in 0..<(settings.insured * b.disabilityPerYear * settings.years / 1000) {
            let day = start.adding(days: dice.int(below: days - 60) + 1)
            let born = try! CivilDate(year: day.year - 65 - dice.int(below: 9), month: day.month, day: min(day.day, 28))
                .adding(days: -dice.int(below: 300))
            joining.append((.disability, born, day, day))
        }
        for j in joining.sorted(by: { ($0.registers, $0.insured) < ($1.registers, $1.insured) }) {
            add(j.0, born: j.born, registers: j.registers, insured: j.insured)
        }
    }

    /// Deaths by age (per thousand a year, rising from 75) and moves out of the prefecture.
    static func leaving(born: CivilDate, from: CivilDate, until: CivilDate, movedOut: Int, dice: inout Dice)
        -> (on: CivilDate, reason: LossReason)?
    {
        var day = from
        while day < until {
            let age = day.year - born.year
            let mortality = age < 75 ? 12 : min(400, 15 + (age - 75) * (age - 75) / 3 + (age - 75) * 2)
            let roll = dice.perMille()
            let when = day.adding(days: dice.int(below: 365) + 1)
            guard when < until else { return nil }
            if roll < mortality { return (when, .died) }
            if roll < mortality + movedOut { return (when, .leftPrefecture) }
            day = day.adding(days: 365)
        }
        return nil
    }

    /// A year's pension and other income: most pensioners under 2 million yen, a long tail.
    static func income(_ dice: inout Dice) -> (pension: Int64, other: Int64) {
        let roll = dice.perMille()
        let (low, high): (Int, Int) =
            roll < 150
            ? (100, 780)
            : roll < 600
                ? (780, 1_500)
                : roll < 850
                    ? (1_500, 2_000)
                    : roll < 960 ? (2_000, 3_000) : roll < 993 ? (3_000, 5_000) : (5_000, 12_000)
        let pension = Int64(low + dice.int(below: high - low)) * 1_000
        let other = dice.perMille() < 80 ? Int64(dice.int(below: 3_000)) * 1_000 : 0
        return (pension, other)
    }

    // MARK: - Plainly fake names and addresses

    static let syllables = [
        "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ", "チ", "ツ", "テ", "ト",
        "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ", "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ",
        "ル", "レ", "ロ", "ワ",
    ]

    static func word(_ count: Int, _ dice: inout Dice) -> String {
        (0..<count).map { _ in syllables[dice.int(below: syllables.count)] }.joined()
    }

    static func identity(born: CivilDate, sex: PersonIdentity.Sex, dice: inout Dice) -> PersonIdentity {
        let family = word(2 + dice.int(below: 2), &dice)
        let given = word(2, &dice) + (sex == .female ? "コ" : "オ")
        let town = word(3, &dice)
        // A synthetic 郵便番号 in Matsudo's range (270-0000 to 271-9999), one per town, from its
        // name (no draw of its own: the dice of every later resident stay as they were).
        let code = town.unicodeScalars.reduce(0) { ($0 * 31 + Int($1.value)) % 20_000 }
        return try! PersonIdentity(
            nameKanji: "\(family) \(given)（模擬）", nameKana: "\(family) \(given)", birthDate: born, sex: sex,
            address: "千葉県松戸市\(town)町\(1 + dice.int(below: 9))丁目\(1 + dice.int(below: 30))番（模擬）",
            phone: nil, postalCode: try? PostalCode(String(2_700_000 + code)))
    }
}

/// Seeded dice: one SplitMix64 stream per purpose, so adding a draw in one place does not
/// change every other.
struct Dice {
    private var generator: SplitMix64

    init(_ seed: UInt64, _ purpose: String) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in purpose.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        generator = SplitMix64(seed: seed ^ h)
    }

    mutating func int(below bound: Int) -> Int { Int(generator.next(below: UInt64(max(bound, 1)))) }
    mutating func perMille() -> Int { int(below: 1000) }
    mutating func chance(_ perMille: Int) -> Bool { self.perMille() < perMille }
}
