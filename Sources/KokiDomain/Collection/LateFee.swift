/// 延滞金 — the late fee on one installment (collection-and-arrears.md §2.4).
///
/// Accrues per period from the day after the (business-day adjusted) due date to the day paid,
/// at the reduced rate inside the window and the full rate after it, each calendar year's days
/// at that year's rates, on a 365-day basis even in leap years. A partial payment reduces the
/// base from the day after it is paid (本税優先); the payment day still accrues on the old base.
/// The 2,000 / 1,000-yen rules apply to each band's base, each band's amount is cut to the yen,
/// and the sum is cut to 100 yen and dropped under 1,000 yen.
public struct LateFee: Hashable, Sendable, Codable {
    public static let ruleVersion = "koki-late-fee-1"

    public var principal: Yen
    public var dueDate: CivilDate
    /// The last day counted: the day the principal was paid off, or the day asked about.
    public var through: CivilDate
    /// The last day of the reduced-rate window.
    public var windowEnd: CivilDate
    public var bands: [ChargeBand]
    /// The bands' amounts added up, before the final rounding.
    public var sum: Yen
    /// The fee after rounding.
    public var fee: Yen
    /// Whether the principal was paid off by `through` (the fee is then final: 確定延滞金).
    public var paidOff: Bool

    /// A partial or full payment of the principal.
    public struct Payment: Hashable, Sendable, Codable {
        public var paidOn: CivilDate
        public var amount: Yen
        public init(paidOn: CivilDate, amount: Yen) {
            self.paidOn = paidOn
            self.amount = amount
        }
    }

    /// Days on which the fee is relieved: a deferment (徴収猶予) halves the fee of its days
    /// (地方税法 第15条の9 第1項) or, where the ordinance says so, waives it.
    public struct Relief: Hashable, Sendable, Codable {
        /// Stored by declaration order: add cases at the end.
        public enum Share: String, Hashable, Sendable, Codable, CaseIterable {
            case halved, waived
        }

        public var from: CivilDate
        public var through: CivilDate
        public var share: Share
        public init(from: CivilDate, through: CivilDate, share: Share) {
            (self.from, self.through, self.share) = (from, through, share)
        }
    }

    /// The fee on `principal` due on `dueDate`, with the payments made, counted through `through`
    /// (or through the day the principal was paid off, when earlier). Days under a relief are
    /// bands of their own, charged half or nothing; where reliefs overlap, the larger applies.
    public static func calculate(
        principal: Yen, dueDate: CivilDate, payments: [Payment], through: CivilDate, rates: ChargeRates,
        relief: [Relief] = []
    ) throws(DomainError) -> LateFee {
        guard principal >= .zero else {
            throw DomainError(.invalidAmount, "principal \(principal.amount) must not be negative")
        }
        let relief = relief.filter { $0.from <= $0.through }
        let start = dueDate.adding(days: 1)
        let windowEnd = start.endOfMonths(rates.reducedWindowMonths)
        var remaining = principal
        var bands: [ChargeBand] = []
        var cursor = start
        var paidOffOn: CivilDate? = principal == .zero ? dueDate : nil
        let sorted = payments.sorted { $0.paidOn < $1.paidOn }
        var next = 0
        // Payments on or before the due date reduce the principal before any day accrues.
        while next < sorted.count, sorted[next].paidOn <= dueDate {
            remaining -= sorted[next].amount
            next += 1
        }
        if remaining <= .zero, paidOffOn == nil { paidOffOn = dueDate }
        while cursor <= through, remaining > .zero {
            // The band ends at the first of: the window's end, the year's end, the next payment
            // day, the last day counted.
            var end = through
            if cursor <= windowEnd, windowEnd < end { end = windowEnd }
            let yearEnd = try! CivilDate(year: cursor.year, month: 12, day: 31)
            if yearEnd < end { end = yearEnd }
            if next < sorted.count, sorted[next].paidOn < end { end = sorted[next].paidOn }
            // A relief's first day starts a band, and its last day ends one.
            let relieved = relief.filter { $0.from <= cursor && cursor <= $0.through }
            for r in relieved where r.through < end { end = r.through }
            for r in relief where cursor < r.from && r.from <= end { end = r.from.adding(days: -1) }
            let share: Relief.Share? =
                relieved.contains { $0.share == .waived } ? .waived : relieved.isEmpty ? nil : .halved
            let year = try rates.rates(for: cursor.year)
            let base = ChargeRounding.base(remaining)
            if base > .zero {
                bands.append(
                    ChargeBand(
                        from: cursor, through: end, base: base,
                        rate: cursor <= windowEnd ? year.firstWindow : year.afterWindow, relief: share))
            }
            while next < sorted.count, sorted[next].paidOn == end {
                remaining -= sorted[next].amount
                next += 1
            }
            if remaining <= .zero { paidOffOn = end }
            cursor = end.adding(days: 1)
        }
        let sum = bands.map(\.amount).sum()
        return LateFee(
            principal: principal, dueDate: dueDate, through: paidOffOn.map { min($0, through) } ?? through,
            windowEnd: windowEnd, bands: bands, sum: sum, fee: ChargeRounding.charge(sum), paidOff: paidOffOn != nil)
    }
}

/// 還付加算金 — interest on a refund (collection-and-arrears.md §3.3, 地方税法 §17条の4 by analogy).
public struct RefundInterest: Hashable, Sendable, Codable {
    public static let ruleVersion = "koki-refund-interest-1"

    /// Why the money is refundable, which decides when interest starts.
    public enum Cause: String, Hashable, Sendable, Codable, CaseIterable {
        /// 過納: paid when due, the assessment later lowered (更正, loss of eligibility, 減免) —
        /// interest from the day after the payment.
        case overpaid
        /// 誤納: paid without ground (twice, too much) — interest from the day after one month
        /// has passed, counted from the day after the overpayment arose.
        case erroneous
    }

    public var amount: Yen
    public var cause: Cause
    /// The first day that bears interest.
    public var start: CivilDate
    /// The refund decision (支出決定) or appropriation day: the last day counted.
    public var end: CivilDate
    /// Days excluded because the payer did not claim within 30 days of the notice.
    public var excluded: ClosedRange<CivilDate>?
    public var bands: [ChargeBand]
    public var sum: Yen
    public var interest: Yen

    /// The interest on `amount`. `arose` is the payment day for `.overpaid`, the day the
    /// overpayment arose for `.erroneous`. With `noticeOn` and `claimedOn`, the days from the
    /// 31st day after the notice to the claim are left out (第2項第1号).
    public static func calculate(
        amount: Yen, cause: Cause, arose: CivilDate, end: CivilDate, noticeOn: CivilDate? = nil,
        claimedOn: CivilDate? = nil, rates: ChargeRates
    ) throws(DomainError) -> RefundInterest {
        guard amount >= .zero else {
            throw DomainError(.invalidAmount, "refund \(amount.amount) must not be negative")
        }
        let start: CivilDate =
            switch cause {
            case .overpaid: arose.adding(days: 1)
            case .erroneous: arose.adding(days: 1).endOfMonths(1).adding(days: 1)
            }
        var excluded: ClosedRange<CivilDate>?
        if let noticeOn, let claimedOn {
            let first = noticeOn.adding(days: 31)
            if claimedOn >= first { excluded = first...claimedOn }
        }
        let base = ChargeRounding.base(amount)
        var bands: [ChargeBand] = []
        var cursor = start
        while base > .zero, cursor <= end {
            if let excluded, excluded.contains(cursor) {
                cursor = excluded.upperBound.adding(days: 1)
                continue
            }
            var last = min(end, try! CivilDate(year: cursor.year, month: 12, day: 31))
            if let excluded, cursor < excluded.lowerBound, excluded.lowerBound <= last {
                last = excluded.lowerBound.adding(days: -1)
            }
            bands.append(
                ChargeBand(from: cursor, through: last, base: base, rate: try rates.rates(for: cursor.year).refund))
            cursor = last.adding(days: 1)
        }
        let sum = bands.map(\.amount).sum()
        return RefundInterest(
            amount: amount, cause: cause, start: start, end: end, excluded: excluded, bands: bands, sum: sum,
            interest: ChargeRounding.charge(sum))
    }
}
