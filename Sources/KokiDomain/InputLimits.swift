/// Bounds on what people and files hand koki: dates within the system's life and not ahead of
/// the ledger's clock, text without control characters, fields of a sane length. They live in
/// one place so every door checks the same values and the README can state them.
///
///     let window = InputLimits.paymentDates(learnedOn: received, today: today)
///     guard window.contains(paidOn) else { … "paid_on \(paidOn) is outside \(window)" … }
public enum InputLimits {
    /// 2008-04-01: the late-stage elderly medical care system (後期高齢者医療制度, 高齢者の医療の確保に
    /// 関する法律 as amended in 2006, in force 2008-04-01) began. No premium was assessed, paid or
    /// deducted before it, so no payment koki records is dated earlier.
    public static let systemStart = CivilDate(known: 2008, 4, 1)

    /// The earliest birth date accepted (明治元年): nobody insured was born before it.
    public static let earliestBirth = CivilDate(known: 1868, 1, 1)

    /// The last day a calculation looks to (a due date, a day counted to): 2199-12-31.
    public static let latestCalculated = CivilDate(known: 2199, 12, 31)

    /// The last day a `CivilDate` can hold.
    public static let lastDay = CivilDate(known: 9999, 12, 31)

    /// How many days after today (in Japan, by the ledger's clock) a date in an imported file may
    /// lie, by the kind of date. A payment already made is never in the future.
    public enum Lead {
        /// A convenience-store payment (paid_on): it was made before the agent reported it.
        public static let storePayment = 0
        /// A pension deduction (paid_on of a `deducted` line): made on a pension day already past.
        public static let pensionDeduction = 0
        /// The first month a pension insurer stops deducting (paid_on of a `stopped` line): a stop
        /// can be announced before the pension day it takes effect on, up to the next two pension
        /// months (pension days are two months apart).
        public static let pensionStop = 62
        /// A union decision's decided_on: a decision already taken.
        public static let benefitDecision = 0
        /// A union decision's paid_on: the union may announce the payment day (支給予定日) of a
        /// decision up to three months ahead.
        public static let benefitPayment = 92
    }

    /// The longest store code (or store name) a convenience-store file may carry.
    public static let storeLength = 40
    /// The longest free text (a name, a reference, a reason) typed or carried by a line of an
    /// imported file.
    public static let textLength = 200

    /// An inclusive range of days that never traps, even when empty (`through` before `from`).
    public struct Dates: Hashable, Sendable, CustomStringConvertible {
        public var from: CivilDate
        public var through: CivilDate

        public init(from: CivilDate, through: CivilDate) {
            self.from = from
            self.through = through
        }

        public func contains(_ date: CivilDate) -> Bool { from <= date && date <= through }
        public var description: String { "\(from)…\(through)" }
    }

    /// Every day from ``systemStart`` on, for a reader given no later bound.
    public static let sinceSystemStart = Dates(
        from: systemStart, through: lastDay)

    /// The days a payment can bear: from ``systemStart`` to the earlier of the day it was learned
    /// of and today plus `leadDays`.
    public static func paymentDates(learnedOn: CivilDate, today: CivilDate, leadDays: Int = 0) -> Dates {
        Dates(from: systemStart, through: min(learnedOn, latest(today: today, leadDays: leadDays)))
    }

    /// Today plus `leadDays`, never past year 9999.
    public static func latest(today: CivilDate, leadDays: Int) -> CivilDate {
        (try? CivilDate(daysSinceEpoch: today.daysSinceEpoch + leadDays)) ?? today
    }

    /// The civil day in Japan (UTC+9, no daylight saving) at a moment given in microseconds since
    /// 1970-01-01 UTC, as a ledger's clock gives it.
    public static func dayInJapan(microsecondsSinceEpoch micros: Int64) -> CivilDate {
        let seconds = micros / 1_000_000 + 9 * 3600
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (try? CivilDate(daysSinceEpoch: Int(days))) ?? systemStart
    }

    /// The first character koki refuses in text from a file or a person, with its offset in
    /// characters (0-based): C0 controls (NUL, ESC …) except TAB, DEL, C1 controls, and the
    /// bidirectional overrides and isolates, any of which can truncate a C string, rewrite a
    /// clerk's terminal or disguise what a line says.
    public static func controlCharacter(in text: some StringProtocol) -> (offset: Int, scalar: Unicode.Scalar)? {
        // Nearly every text holds none: its bytes (printable ASCII, or a scalar of the rest) are
        // looked at first, and its characters counted only to say where one is.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }) else { return nil }
        guard text.unicodeScalars.contains(where: isRefused) else { return nil }
        for (offset, character) in text.enumerated() {
            for scalar in character.unicodeScalars where isRefused(scalar) { return (offset, scalar) }
        }
        return nil
    }

    public static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// A scalar as staff can read it in a message: `U+0000`.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
