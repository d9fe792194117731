import KokiDomain
import KokiEvents

/// The city's books of premium revenue (収納・歳入): every movement of money the ledger records,
/// summed per accounting year (会計年度), day, line and channel — what `koki revenue` reports.
///
/// Which accounting year money belongs to follows the fiscal-closing rule (``FiscalClosing``):
/// money on a period of fiscal year N by 31 May of N+1 (出納整理期間) is revenue of N (現年度分),
/// later it is revenue of the year it moves in (滞納繰越分). A payment carries its parts' years as
/// recorded; an appropriation (充当), a recognized overpayment (過納) and a cancellation take the
/// year the same rule gives on their own day. Money that is on no period — received beyond what
/// was owed, refunded, or kept when the right to its refund prescribed — belongs to the fiscal
/// year of its day.
///
/// Every amount is a magnitude (a refund is a positive refund) except a cancellation (取消),
/// which is the cancelled payment's lines negated on the day it was cancelled. So, over all
/// years: the money received is the premium, late-fee and held lines; the money on the periods
/// is received + appropriated − moved out; and what is held for the payer is held + moved out −
/// appropriated − refunded − prescribed.
///
/// Memory is the sums (years × days × lines × channels) and the decided refunds; payments are
/// kept only where `cancelled` names them, so a fold over a city's history stays small.
public struct RevenueBook: Projection {
    public static let logicVersion = 1

    /// A line of the books. Stored nowhere: the order is the report's.
    public enum Line: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// 保険料 現年度分: premium of the accounting year's own periods.
        case premiumCurrent
        /// 保険料 滞納繰越分: premium of earlier years' periods, paid after their closing.
        case premiumCarried
        /// 延滞金: late fees paid.
        case lateFee
        /// 過誤納金 (歳計外): money received beyond what any period owed, held for the payer.
        case held
        /// 充当 現年度分 / 滞納繰越分 / 延滞金: held money applied to periods.
        case appropriatedCurrent
        case appropriatedCarried
        case appropriatedLateFee
        /// 過納 (戻出) 現年度分 / 滞納繰越分: money moved off periods that no longer owe it.
        case movedOutCurrent
        case movedOutCarried
        /// 還付金: refunds paid out, and the refund interest (還付加算金) paid with them.
        case refunded
        case refundInterest
        /// 還付請求権の時効: held money the city kept when the right to its refund prescribed.
        case refundPrescribed
        /// 不納欠損: premium and late fees written off (no money moves; for the 決算).
        case writtenOffPremium
        case writtenOffLateFee

        public static func < (a: Line, b: Line) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }

        /// The line's name as the city's books write it.
        public var label: String {
            switch self {
            case .premiumCurrent: "保険料 現年度分"
            case .premiumCarried: "保険料 滞納繰越分"
            case .lateFee: "延滞金"
            case .held: "過誤納金（歳計外）"
            case .appropriatedCurrent: "充当 現年度分"
            case .appropriatedCarried: "充当 滞納繰越分"
            case .appropriatedLateFee: "充当 延滞金"
            case .movedOutCurrent: "過納（戻出）現年度分"
            case .movedOutCarried: "過納（戻出）滞納繰越分"
            case .refunded: "還付金"
            case .refundInterest: "還付加算金"
            case .refundPrescribed: "還付請求権の時効"
            case .writtenOffPremium: "不納欠損 保険料"
            case .writtenOffLateFee: "不納欠損 延滞金"
            }
        }

        /// Lines of money received, by the channel it came through.
        public var isReceipt: Bool { [.premiumCurrent, .premiumCarried, .lateFee, .held].contains(self) }
    }

    /// Where a sum is kept: the accounting year, the day, the line and (for money received) the
    /// channel it came through.
    public struct Key: Sendable, Hashable, Comparable {
        public var accountingYear: FiscalYear
        public var day: CivilDate
        public var line: Line
        public var channel: PaymentChannel?

        public init(accountingYear: FiscalYear, day: CivilDate, line: Line, channel: PaymentChannel?) {
            (self.accountingYear, self.day, self.line, self.channel) = (accountingYear, day, line, channel)
        }

        public static func < (a: Key, b: Key) -> Bool {
            (a.accountingYear, a.day, a.line, a.channel?.rawValue ?? "") < (b.accountingYear, b.day, b.line, b.channel?.rawValue ?? "")
        }
    }

    public private(set) var amounts: [Key: Yen] = [:]
    /// Premium on the periods of each fiscal year (received + appropriated − moved out, net of
    /// cancellations), whatever accounting year it fell in: what the balances call credited.
    public private(set) var creditedByFiscalYear: [FiscalYear: Yen] = [:]
    /// Payments a later cancellation names (all of them when `nil`).
    let cancelled: Set<String>?
    private var payments: [String: PaymentReceived] = [:]
    private var refunds: [String: RefundDecided] = [:]

    /// A book that keeps every payment (for a fold over a short history).
    public init() { cancelled = nil }

    /// A book that keeps only the payments `cancelled` names: the ledger's cancellations, read first.
    public init(cancelled: Set<String>) { self.cancelled = cancelled }

    /// The event types the book reads.
    public static let eventTypes: Set<String> = [
        PaymentReceived.eventType, PaymentCancelled.eventType, OverpaymentRecognized.eventType,
        OverpaymentAppropriated.eventType, RefundDecided.eventType, RefundPaid.eventType,
        RefundPrescribed.eventType, WrittenOff.eventType,
    ]

    private mutating func add(_ year: FiscalYear, _ day: CivilDate, _ line: Line, _ channel: PaymentChannel?, _ amount: Yen) {
        guard amount != .zero else { return }
        amounts[Key(accountingYear: year, day: day, line: line, channel: channel), default: .zero] += amount
    }

    private mutating func credit(_ key: PeriodKey, _ amount: Yen) {
        creditedByFiscalYear[key.fiscalYear, default: .zero] += amount
    }

    /// A payment's lines, or (`sign` −1, on the cancellation's day) their reversal.
    private mutating func receipt(_ p: PaymentReceived, negated: Bool, on day: CivilDate) {
        func signed(_ amount: Yen) -> Yen { negated ? .zero - amount : amount }
        for part in p.parts {
            let year =
                negated ? FiscalClosing.accountingYear(periodOf: part.key.fiscalYear, paidOn: day).0 : part.accountingYear
            let carried = year != part.key.fiscalYear
            let line: Line = part.charge == .lateFee ? .lateFee : carried ? .premiumCarried : .premiumCurrent
            add(year, day, line, p.channel, signed(part.amount))
            if part.charge == .premium { credit(part.key, signed(part.amount)) }
        }
        add(FiscalYear(containing: day), day, .held, p.channel, signed(p.overpaid))
    }

    public mutating func apply(_ event: KokiEvent) {
        switch event {
        case .paymentReceived(let e):
            receipt(e, negated: false, on: e.paidOn)
            if cancelled?.contains(e.id) ?? true { payments[e.id] = e }
        case .paymentCancelled(let e):
            guard let p = payments.removeValue(forKey: e.payment) else { return }
            receipt(p, negated: true, on: e.cancelledOn)
        case .overpaymentRecognized(let e):
            let (year, carried) = FiscalClosing.accountingYear(periodOf: e.key.fiscalYear, paidOn: e.recognizedOn)
            add(year, e.recognizedOn, carried ? .movedOutCarried : .movedOutCurrent, nil, e.amount)
            credit(e.key, .zero - e.amount)
        case .overpaymentAppropriated(let e):
            for part in e.parts {
                let (year, carried) = FiscalClosing.accountingYear(periodOf: part.key.fiscalYear, paidOn: e.decidedOn)
                let line: Line =
                    part.charge == .lateFee ? .appropriatedLateFee : carried ? .appropriatedCarried : .appropriatedCurrent
                add(year, e.decidedOn, line, nil, part.amount)
                if part.charge == .premium { credit(part.key, part.amount) }
            }
        case .refundDecided(let e):
            refunds[e.id] = e
        case .refundPaid(let e):
            guard let decided = refunds.removeValue(forKey: e.refund) else { return }
            let year = FiscalYear(containing: e.paidOn)
            add(year, e.paidOn, .refunded, nil, decided.amount)
            add(year, e.paidOn, .refundInterest, nil, decided.interest)
        case .refundPrescribed(let e):
            if let id = e.refund { refunds[id] = nil }
            add(FiscalYear(containing: e.recordedOn), e.recordedOn, .refundPrescribed, nil, e.amount)
        case .writtenOff(let e):
            let year = FiscalYear(containing: e.writtenOffOn)
            add(year, e.writtenOffOn, .writtenOffPremium, nil, e.premium)
            add(year, e.writtenOffOn, .writtenOffLateFee, nil, e.lateFee)
        default:
            break
        }
    }

    /// Refunds decided and neither paid nor lapsed: held money no longer open to appropriation.
    public var refundsDecidedUnpaid: Yen { refunds.values.map(\.amount).sum() }

    /// The sum of `line` over every year and day (and channel).
    public func total(_ line: Line, accountingYear: FiscalYear? = nil) -> Yen {
        amounts.lazy.filter { entry in
            entry.key.line == line && (accountingYear.map { entry.key.accountingYear == $0 } ?? true)
        }.map(\.value).reduce(.zero, +)
    }

    /// The accounting years with any movement.
    public var accountingYears: [FiscalYear] { Set(amounts.keys.map(\.accountingYear)).sorted() }
}
