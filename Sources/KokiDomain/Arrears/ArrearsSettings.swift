/// The city's arrears settings (collection-and-arrears.md §0, §1, §4): what the law leaves to the
/// city's 条例 and what could not be confirmed for Matsudo. Recorded in the ledger (stream
/// `config/arrears`) so every dunning run, late fee and prescription date can be replayed with
/// the settings in force.
public struct ArrearsSettings: Hashable, Sendable, Codable {
    /// Late-fee and refund-interest rates by calendar year, and the reduced-rate window.
    public var chargeRates: ChargeRates
    /// The dunning notice goes out within this many days after the due date (納期限後20日以内).
    public var dunningWindowDays: Int
    /// The designated deadline (指定期限) is this many days after the notice (UNCONFIRMED: 10 is
    /// the local-tax analogy).
    public var payByDays: Int
    /// 督促手数料 per notice; 0 where abolished.
    public var dunningFee: Yen
    /// Prescription (時効) in years (高確法 §160: 2).
    public var prescriptionYears: Int
    /// The new prescription period after a dunning notice runs from the day after this many days
    /// from the notice (地方税法 §18条の2 by analogy: 10).
    public var dunningRenewalDays: Int
    /// A plan's scheduled payment missed by more than this many days breaks the plan.
    public var planGraceDays: Int
    /// A deferment (徴収猶予) lasts at most this many months (UNCONFIRMED: 6 in the premium
    /// ordinances we hold, 向日市 and 島本町).
    public var deferralMonths: Int
    /// A deferment with its extensions lasts at most this many months in all (UNCONFIRMED; 地方税法
    /// 第15条 第4項 allows two years for local taxes).
    public var deferralTotalMonths: Int
    /// A pension deductee may switch to bank debit (特徴→口座振替) only while owing nothing past
    /// due (UNCONFIRMED for Matsudo; Nagasaki's rule).
    public var switchRequiresNoArrears: Bool

    public init(
        chargeRates: ChargeRates = .standard, dunningWindowDays: Int = 20, payByDays: Int = 10,
        dunningFee: Yen = .zero, prescriptionYears: Int = 2, dunningRenewalDays: Int = 10, planGraceDays: Int = 30,
        deferralMonths: Int = 6, deferralTotalMonths: Int = 12, switchRequiresNoArrears: Bool = true
    ) throws(DomainError) {
        for (name, value, range) in [
            ("dunningWindowDays", dunningWindowDays, 1...60), ("payByDays", payByDays, 1...90),
            ("prescriptionYears", prescriptionYears, 1...10), ("dunningRenewalDays", dunningRenewalDays, 0...60),
            ("planGraceDays", planGraceDays, 0...365), ("deferralMonths", deferralMonths, 1...24),
            ("deferralTotalMonths", deferralTotalMonths, 1...24),
        ] where !range.contains(value) {
            throw DomainError(.invalidValue, "\(name) \(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        guard deferralMonths <= deferralTotalMonths else {
            throw DomainError(
                .invalidValue, "deferralMonths \(deferralMonths) exceeds deferralTotalMonths \(deferralTotalMonths)")
        }
        guard dunningFee >= .zero else {
            throw DomainError(.invalidAmount, "dunningFee \(dunningFee.amount) must not be negative")
        }
        self.chargeRates = chargeRates
        self.dunningWindowDays = dunningWindowDays
        self.payByDays = payByDays
        self.dunningFee = dunningFee
        self.prescriptionYears = prescriptionYears
        self.dunningRenewalDays = dunningRenewalDays
        self.planGraceDays = planGraceDays
        self.deferralMonths = deferralMonths
        self.deferralTotalMonths = deferralTotalMonths
        self.switchRequiresNoArrears = switchRequiresNoArrears
    }

    enum CodingKeys: String, CodingKey {
        case chargeRates, dunningWindowDays, payByDays, dunningFee, prescriptionYears, dunningRenewalDays, planGraceDays
        case deferralMonths, deferralTotalMonths, switchRequiresNoArrears
    }

    /// The deferment limits and the switch rule came later: they are written only when they
    /// differ from the defaults, so settings adopted before them keep their stored bytes.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(chargeRates, forKey: .chargeRates)
        try c.encode(dunningWindowDays, forKey: .dunningWindowDays)
        try c.encode(payByDays, forKey: .payByDays)
        try c.encode(dunningFee, forKey: .dunningFee)
        try c.encode(prescriptionYears, forKey: .prescriptionYears)
        try c.encode(dunningRenewalDays, forKey: .dunningRenewalDays)
        try c.encode(planGraceDays, forKey: .planGraceDays)
        let d = Self.standard
        if deferralMonths != d.deferralMonths || deferralTotalMonths != d.deferralTotalMonths {
            try c.encode(deferralMonths, forKey: .deferralMonths)
            try c.encode(deferralTotalMonths, forKey: .deferralTotalMonths)
        }
        if switchRequiresNoArrears != d.switchRequiresNoArrears {
            try c.encode(switchRequiresNoArrears, forKey: .switchRequiresNoArrears)
        }
    }

    /// Missing keys take the defaults, and decoding checks the same rules as the initializer.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = try ArrearsSettings()
        try self.init(
            chargeRates: try c.decodeIfPresent(ChargeRates.self, forKey: .chargeRates) ?? d.chargeRates,
            dunningWindowDays: try c.decodeIfPresent(Int.self, forKey: .dunningWindowDays) ?? d.dunningWindowDays,
            payByDays: try c.decodeIfPresent(Int.self, forKey: .payByDays) ?? d.payByDays,
            dunningFee: try c.decodeIfPresent(Yen.self, forKey: .dunningFee) ?? d.dunningFee,
            prescriptionYears: try c.decodeIfPresent(Int.self, forKey: .prescriptionYears) ?? d.prescriptionYears,
            dunningRenewalDays: try c.decodeIfPresent(Int.self, forKey: .dunningRenewalDays) ?? d.dunningRenewalDays,
            planGraceDays: try c.decodeIfPresent(Int.self, forKey: .planGraceDays) ?? d.planGraceDays,
            deferralMonths: try c.decodeIfPresent(Int.self, forKey: .deferralMonths) ?? d.deferralMonths,
            deferralTotalMonths: try c.decodeIfPresent(Int.self, forKey: .deferralTotalMonths) ?? d.deferralTotalMonths,
            switchRequiresNoArrears: try c.decodeIfPresent(Bool.self, forKey: .switchRequiresNoArrears)
                ?? d.switchRequiresNoArrears)
    }

    public static let standard = try! ArrearsSettings()
}

/// 時効 — when the city's right to collect a period expires (collection-and-arrears.md §4), and
/// why: two years from the day after the due date; the first dunning notice renews it (the new
/// period runs from the day after `dunningRenewalDays` days from the notice); an acknowledgement
/// of the debt (a partial payment, a pledge) renews it from the next day; a reminder (催告) before
/// completion holds completion off for six months from it (民法 第150条第1項) — but a reminder made
/// while an earlier one's six months still run has no effect (同条第2項). A renewal ends the hold, so
/// a reminder after the earlier hold ended holds completion again.
public enum Prescription {
    public struct Step: Hashable, Sendable, Codable, CustomStringConvertible {
        public var on: CivilDate
        public var what: String
        /// The last day the right can be exercised after this step.
        public var lastDay: CivilDate
        /// `令和5年9月20日 督促状の発付により更新 → 令和7年9月30日まで` (the dates by the labels in use).
        public var description: String { "\(StaffText.date(on)) \(what) → \(StaffText.date(lastDay))まで" }
    }

    public struct Result: Hashable, Sendable, Codable {
        /// The last day the right to collect exists; prescribed from the next day.
        public var lastDay: CivilDate
        public var steps: [Step]

        public func isPrescribed(on date: CivilDate) -> Bool { date > lastDay }
    }

    /// The earliest last day the right to collect a period due on `dueDate` can have: the end of
    /// its first period of years, from the day after the due date. Every later step (a renewal, a
    /// hold, deferred days) only moves the last day later, so on or before this day no period due
    /// then is prescribed, whatever the account holds: a run need not read its history to know.
    public static func earliestLastDay(dueDate: CivilDate, _ settings: ArrearsSettings) -> CivilDate {
        dueDate.adding(days: 1).endOfMonths(settings.prescriptionYears * 12)
    }

    /// The prescription of one period. Events after the right expired change nothing. A seizure
    /// (差押) holds completion off while pending and renews the period from the day after it
    /// ends; one still pending keeps the right alive (`lastDay` far in the future). On the days of
    /// a deferment (徴収猶予) prescription does not run (地方税法 第18条の2 第4項, by analogy): each
    /// period of two years is longer by the deferred days inside it.
    public static func of(
        dueDate: CivilDate, dunnedOn: [CivilDate], acknowledgedOn: [CivilDate], remindedOn: [CivilDate],
        seizures: [(from: CivilDate, until: CivilDate?)] = [], deferred: [ClosedRange<CivilDate>] = [],
        settings: ArrearsSettings
    ) -> Result {
        let months = settings.prescriptionYears * 12
        /// The last day of a period running from `start`, the deferred days inside it not counted.
        func runs(from start: CivilDate) -> CivilDate {
            let plain = start.endOfMonths(months)
            var last = plain
            while true {
                let days = deferred.reduce(0) { sum, range in
                    let (from, through) = (max(range.lowerBound, start), min(range.upperBound, last))
                    return from <= through ? sum + from.days(until: through) + 1 : sum
                }
                let next = plain.adding(days: days)
                if next == last { return last }
                last = next
            }
        }
        var last = runs(from: dueDate.adding(days: 1))
        var steps = [Step(on: dueDate, what: "納期限。翌日から2年", lastDay: last)]
        // 0 dunning (first only), 1 acknowledgement, 2 reminder (first only), 3 seizure, 4 deferment
        var events: [(CivilDate, Int)] = []
        if let first = dunnedOn.min() { events.append((first, 0)) }
        events += acknowledgedOn.map { ($0, 1) }
        events += remindedOn.map { ($0, 2) }
        events += seizures.map { ($0.from, 3) }
        events += deferred.map { ($0.lowerBound, 4) }
        // The last day of the six months an effective reminder holds completion off, while they run.
        var holdEnds: CivilDate?
        for (date, kind) in events.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) where date <= last {
            // A renewal starts a new period: completion is no longer being held off.
            if kind != 2 && kind != 4 { holdEnds = nil }
            switch kind {
            case 0:
                last = max(last, runs(from: date.adding(days: settings.dunningRenewalDays + 1)))
                steps.append(Step(on: date, what: "督促状の発付により更新", lastDay: last))
            case 1:
                last = max(last, runs(from: date.adding(days: 1)))
                steps.append(Step(on: date, what: "債務の承認により更新", lastDay: last))
            case 4:
                guard let range = deferred.first(where: { $0.lowerBound == date }) else { continue }
                steps.append(
                    Step(
                        on: date, what: "徴収猶予（\(StaffText.date(range.upperBound))まで）：その間は進行しない",
                        lastDay: last))
            case 3:
                guard let seizure = seizures.first(where: { $0.from == date }) else { continue }
                guard let end = seizure.until else {
                    last = try! CivilDate(year: 9999, month: 12, day: 31)
                    steps.append(Step(on: date, what: "差押中：完成しない", lastDay: last))
                    continue
                }
                last = max(last, runs(from: end.adding(days: 1)))
                steps.append(Step(on: date, what: "差押（\(StaffText.date(end))まで）により更新", lastDay: last))
            default:
                if let ends = holdEnds, date <= ends {
                    steps.append(
                        Step(
                            on: date, what: "先の催告による完成猶予中の催告：効力なし（民法 第150条第2項）",
                            lastDay: last))
                    continue
                }
                let hold = date.adding(days: 1).endOfMonths(6)
                holdEnds = hold
                if hold > last {
                    last = hold
                    steps.append(Step(on: date, what: "催告により6か月完成猶予", lastDay: last))
                }
            }
        }
        return Result(lastDay: last, steps: steps)
    }
}
