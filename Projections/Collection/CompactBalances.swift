import KokiDomain
import KokiEvents

/// One person's year balances (``YearBalance``) folded from their events as a pass over the
/// whole ledger meets them, keeping only what the rows are made of: per period its due date,
/// what is assessed and paid and the yen-days of that money, the rarer sums (appropriated,
/// reduced, written off, late fees) only for the periods that have them, the overpayments and
/// refunds, and how many dunning notices each year had — not the events themselves, as
/// ``CollectionAccounts/Account`` keeps them (every payment, notice and contact). About 40 bytes
/// a period: a rebuild in position order holds one of these for every person at once.
///
/// A few histories this state does not follow exactly, because it keeps no payment's parts:
/// a payment cancelled, a period's due date moved after money reached it (its yen-days were
/// counted against the old date), money appropriated to a period not yet assessed, a sum that
/// overflowed. There ``isExact`` turns `false` and the caller folds that person's stream through
/// their ``CollectionAccounts/Account`` instead; the rows are then the same either way.
public struct CompactBalances: Sendable {
    /// A period: its key and dates as 32-bit numbers (a fiscal year × 32 + the period; days
    /// since 1970-01-01), the common sums inline, the rare ones in `extras` at `extra`.
    struct Slot: Sendable {
        var key: Int32
        var due: Int32
        var lastPaid: Int32 = Slot.none
        var extra: Int32 = -1
        var assessed = Yen.zero
        var paid = Yen.zero
        var credit = YearBalance.Credit()

        static let none = Int32.min
    }

    /// A period's rarer sums, as an account's period keeps them.
    typealias Extra = CollectionAccounts.Period.RareSums

    struct Overpayment: Sendable {
        var id: String
        var amount: Yen
        var arose: CivilDate
        var appropriated = Yen.zero
        var refunded = Yen.zero
        var prescribed = Yen.zero

        var open: Yen { amount - appropriated - refunded - prescribed }
    }

    struct Refund: Sendable {
        var id: String
        var amount: Yen
        var decidedOn: CivilDate
        var settled = false
    }

    private var slots: [Slot] = []
    private var extras: [Extra] = []
    private var overpayments: [Overpayment] = []
    private var refunds: [Refund] = []
    /// Dunning notices per fiscal year.
    private var dunned: [(year: Int32, count: Int32)] = []
    /// Whether the rows this state gives are exactly the account's; once `false`, events are
    /// passed by (the caller folds the stream instead).
    public private(set) var isExact = true
    /// Whether an event changed this state since ``markClean()``.
    public private(set) var isDirty = false

    public init() {}

    /// The event types that change a person's year balances: a pass reads only these.
    public static let eventTypes: Set<String> = [
        PremiumAssessed.eventType, PaymentReceived.eventType, PaymentCancelled.eventType,
        OverpaymentRecognized.eventType, OverpaymentAppropriated.eventType, RefundDecided.eventType,
        RefundPaid.eventType, RefundPrescribed.eventType, DunningNoticeIssued.eventType,
        LateFeeFinalized.eventType, ReductionDecided.eventType, WrittenOff.eventType,
    ]

    public mutating func markClean() { isDirty = false }

    /// Folds one of the person's events, in position order.
    public mutating func apply(_ event: KokiEvent) {
        guard isExact else { return }
        switch event {
        case .premiumAssessed(let e):
            let year = Int32(truncatingIfNeeded: e.fiscalYear.year)
            for installment in e.installments {
                let key = Self.key(PeriodKey(e.fiscalYear, installment.period))
                let due = Self.day(installment.dueDate)
                if let i = index(key) {
                    if slots[i].due != due && slots[i].credit != YearBalance.Credit() { return inexact() }
                    slots[i].due = due
                    slots[i].assessed = installment.amount
                } else {
                    slots.append(Slot(key: key, due: due, assessed: installment.amount))
                }
            }
            // A reassessment that dropped a period leaves it owing nothing.
            for i in slots.indices where slots[i].key >> 5 == year {
                let period = Int(slots[i].key & 31)
                if !e.installments.contains(where: { $0.period.number == period }) { slots[i].assessed = .zero }
            }
        case .paymentReceived(let e):
            let paidOn = Self.day(e.paidOn)
            for part in e.parts {
                let key = Self.key(part.key)
                let i: Int
                if let found = index(key) {
                    i = found
                } else {
                    slots.append(Slot(key: key, due: paidOn))
                    i = slots.count - 1
                }
                if part.charge == .lateFee {
                    extra(i) { $0.lateFeePaid += part.amount }
                } else {
                    slots[i].paid += part.amount
                    if slots[i].lastPaid == Slot.none || slots[i].lastPaid < paidOn { slots[i].lastPaid = paidOn }
                }
                if slots[i].credit.add(part.amount, late: Int(paidOn) - Int(slots[i].due)) { return inexact() }
            }
            if e.overpaid > .zero { overpayments.append(Overpayment(id: e.id, amount: e.overpaid, arose: e.paidOn)) }
        case .paymentCancelled:
            // Its parts are not kept here: the account folds it.
            return inexact()
        case .overpaymentRecognized(let e):
            if let i = index(Self.key(e.key)) { extra(i) { $0.movedOut += e.amount } }
            overpayments.append(Overpayment(id: e.id, amount: e.amount, arose: e.arose))
        case .overpaymentAppropriated(let e):
            guard let o = overpayments.firstIndex(where: { $0.id == e.overpayment }) else { return }
            for part in e.parts {
                // Money on a period not assessed yet counts for it only if it is assessed later.
                guard let i = index(Self.key(part.key)) else { return inexact() }
                if part.charge == .lateFee {
                    extra(i) { $0.lateFeePaid += part.amount }
                } else {
                    extra(i) { $0.appropriated += part.amount }
                }
                overpayments[o].appropriated += part.amount
                if slots[i].credit.add(part.amount, late: Int(Self.day(part.effectiveOn)) - Int(slots[i].due)) {
                    return inexact()
                }
            }
        case .refundDecided(let e):
            guard let o = overpayments.firstIndex(where: { $0.id == e.overpayment }) else { return }
            overpayments[o].refunded += e.amount
            refunds.append(Refund(id: e.id, amount: e.amount, decidedOn: e.decidedOn))
        case .refundPaid(let e):
            guard let r = refunds.firstIndex(where: { $0.id == e.refund }) else { return }
            refunds[r].settled = true
        case .refundPrescribed(let e):
            guard let o = overpayments.firstIndex(where: { $0.id == e.overpayment }) else { return }
            if let id = e.refund, let r = refunds.firstIndex(where: { $0.id == id }) {
                refunds[r].settled = true
                overpayments[o].refunded -= e.amount
            }
            overpayments[o].prescribed += e.amount
        case .dunningNoticeIssued(let e):
            let year = Int32(truncatingIfNeeded: e.fiscalYear.year)
            if let i = dunned.firstIndex(where: { $0.year == year }) {
                dunned[i].count += 1
            } else {
                dunned.append((year, 1))
            }
        case .lateFeeFinalized(let e):
            if let i = index(Self.key(e.key)) { extra(i) { $0.lateFee = e.fee } }
        case .reductionDecided(let e):
            for part in e.parts {
                if let i = index(Self.key(part.key)) { extra(i) { $0.reduced += part.amount } }
            }
            if e.waiveLateFees {
                for part in e.parts {
                    guard let i = index(Self.key(part.key)) else { continue }
                    extra(i) { $0.lateFeeWaived += $0.lateFeeOutstanding }
                }
            }
        case .writtenOff(let e):
            if let i = index(Self.key(e.key)) {
                extra(i) {
                    $0.writtenOff += e.premium
                    $0.lateFeeWrittenOff += e.lateFee
                }
            }
        default:
            return
        }
        isDirty = true
    }

    /// The person's rows, as ``YearBalance/rows(of:_:)`` gives them from the account; `nil`
    /// when this state cannot give them exactly (``isExact`` is `false`).
    public func rows(of person: PersonID) -> [YearBalance]? {
        guard isExact else { return nil }
        var periods: [(PeriodKey, CollectionAccounts.Period, YearBalance.Credit?)] = []
        periods.reserveCapacity(slots.count)
        for i in slots.indices {
            guard let key = Self.periodKey(slots[i].key), let period = period(i) else { return nil }
            periods.append((key, period, slots[i].credit))
        }
        var held: [(Yen, CivilDate)] = []
        for overpayment in overpayments where overpayment.open > .zero {
            held.append((overpayment.open, overpayment.arose))
        }
        for refund in refunds where !refund.settled { held.append((refund.amount, refund.decidedOn)) }
        var dunnedYears: [FiscalYear] = []
        for (year, count) in dunned {
            guard let fy = try? FiscalYear(Int(year)) else { return nil }
            dunnedYears += repeatElement(fy, count: Int(count))
        }
        return YearBalance.rows(of: person, periods: periods, dunned: dunnedYears, held: held)
    }

    // MARK: - Inside

    private mutating func inexact() {
        isExact = false
        isDirty = true
        (slots, extras, overpayments, refunds, dunned) = ([], [], [], [], [])
    }

    /// The slot of a period: searched from the end, where this year's periods are.
    private func index(_ key: Int32) -> Int? {
        var i = slots.count - 1
        while i >= 0 {
            if slots[i].key == key { return i }
            i -= 1
        }
        return nil
    }

    private mutating func extra(_ i: Int, _ change: (inout Extra) -> Void) {
        if slots[i].extra < 0 {
            slots[i].extra = Int32(extras.count)
            extras.append(Extra())
        }
        change(&extras[Int(slots[i].extra)])
    }

    /// The slot as the account's period (`nil` only for a day out of range, which a slot
    /// never holds: its days came from dates).
    private func period(_ i: Int) -> CollectionAccounts.Period? {
        let slot = slots[i]
        guard let due = try? CivilDate(daysSinceEpoch: Int(slot.due)) else { return nil }
        var period = CollectionAccounts.Period(dueDate: due)
        period.assessed = slot.assessed
        period.paid = slot.paid
        if slot.lastPaid != Slot.none {
            guard let day = try? CivilDate(daysSinceEpoch: Int(slot.lastPaid)) else { return nil }
            period.lastPaidOn = day
        }
        if slot.extra >= 0 { period.rare = extras[Int(slot.extra)] }
        return period
    }

    static func key(_ key: PeriodKey) -> Int32 {
        Int32(truncatingIfNeeded: key.fiscalYear.year << 5 | key.period.number)
    }

    static func periodKey(_ key: Int32) -> PeriodKey? {
        guard let year = try? FiscalYear(Int(key >> 5)), let period = try? PeriodNumber(Int(key & 31)) else {
            return nil
        }
        return PeriodKey(year, period)
    }

    static func day(_ date: CivilDate) -> Int32 { Int32(truncatingIfNeeded: date.daysSinceEpoch) }
}

// MARK: - Stored form

extension CompactBalances {
    /// Each period as the account has it (its key, due date and sums); `nil` when this state
    /// cannot give them exactly (``isExact`` is `false`).
    public func periods() -> [(key: PeriodKey, period: CollectionAccounts.Period)]? { periods(owingOnly: false) }

    /// The periods with premium still owing (``CollectionAccounts/Period/outstanding`` above
    /// zero), as the account has them; `nil` when not ``isExact``. A period whose sums are all
    /// inline is judged without building it.
    public func owing() -> [(key: PeriodKey, period: CollectionAccounts.Period)]? { periods(owingOnly: true) }

    private func periods(owingOnly: Bool) -> [(key: PeriodKey, period: CollectionAccounts.Period)]? {
        guard isExact else { return nil }
        var out: [(key: PeriodKey, period: CollectionAccounts.Period)] = []
        for i in slots.indices {
            // Without rarer sums a period owes what is assessed less what was paid.
            if owingOnly && slots[i].extra < 0 && slots[i].assessed <= slots[i].paid { continue }
            guard let key = Self.periodKey(slots[i].key), let period = period(i) else { return nil }
            if !owingOnly || period.outstanding > .zero { out.append((key, period)) }
        }
        return out
    }

    /// Writes the state as a stored read model keeps it, to be read back by ``init(reading:)``
    /// and folded on from there. An inexact state is written as that alone.
    public func write(to w: inout BinaryWriter) {
        w.writeBool(isExact)
        guard isExact else { return }
        w.writeUInt(UInt64(slots.count))
        for slot in slots {
            for value in [slot.key, slot.due, slot.lastPaid, slot.extra] { w.writeInt(Int64(value)) }
            w.write(slot.assessed)
            w.write(slot.paid)
            w.writeInt(slot.credit.total)
            w.writeInt(slot.credit.yenDays)
        }
        w.writeUInt(UInt64(extras.count))
        for e in extras {
            for yen in [
                e.appropriated, e.movedOut, e.reduced, e.writtenOff, e.lateFee, e.lateFeePaid, e.lateFeeWaived,
                e.lateFeeWrittenOff,
            ] {
                w.write(yen)
            }
        }
        w.writeUInt(UInt64(overpayments.count))
        for o in overpayments {
            w.writeString(o.id)
            w.write(o.amount)
            w.write(o.arose)
            w.write(o.appropriated)
            w.write(o.refunded)
            w.write(o.prescribed)
        }
        w.writeUInt(UInt64(refunds.count))
        for r in refunds {
            w.writeString(r.id)
            w.write(r.amount)
            w.write(r.decidedOn)
            w.writeBool(r.settled)
        }
        w.writeUInt(UInt64(dunned.count))
        for d in dunned {
            w.writeInt(Int64(d.year))
            w.writeInt(Int64(d.count))
        }
    }

    /// A state as ``write(to:)`` wrote it; a count, key or index that could not have been written
    /// is refused as damage, never trusted.
    public init(reading r: inout BinaryReader) throws {
        self.init()
        isExact = try r.readBool()
        guard isExact else { return }
        func int32(_ r: inout BinaryReader) throws -> Int32 {
            let value = try r.readInt64()
            guard let narrow = Int32(exactly: value) else { throw CodecError("\(value) is not a 32-bit figure") }
            return narrow
        }
        let limit = 1 << 20
        for _ in 0..<(try r.readCount(limit: limit)) {
            var slot = Slot(key: try int32(&r), due: try int32(&r))
            slot.lastPaid = try int32(&r)
            slot.extra = try int32(&r)
            slot.assessed = try r.readYen()
            slot.paid = try r.readYen()
            slot.credit.total = try r.readInt64()
            slot.credit.yenDays = try r.readInt64()
            slots.append(slot)
        }
        for _ in 0..<(try r.readCount(limit: limit)) {
            var e = Extra()
            e.appropriated = try r.readYen()
            e.movedOut = try r.readYen()
            e.reduced = try r.readYen()
            e.writtenOff = try r.readYen()
            e.lateFee = try r.readYen()
            e.lateFeePaid = try r.readYen()
            e.lateFeeWaived = try r.readYen()
            e.lateFeeWrittenOff = try r.readYen()
            extras.append(e)
        }
        guard slots.allSatisfy({ $0.extra < extras.count && $0.extra >= -1 }) else {
            throw CodecError("a period's extra sums are missing")
        }
        for _ in 0..<(try r.readCount(limit: limit)) {
            var o = Overpayment(id: try r.readString(), amount: try r.readYen(), arose: try r.readDate())
            o.appropriated = try r.readYen()
            o.refunded = try r.readYen()
            o.prescribed = try r.readYen()
            overpayments.append(o)
        }
        for _ in 0..<(try r.readCount(limit: limit)) {
            var refund = Refund(id: try r.readString(), amount: try r.readYen(), decidedOn: try r.readDate())
            refund.settled = try r.readBool()
            refunds.append(refund)
        }
        for _ in 0..<(try r.readCount(limit: limit)) {
            dunned.append((try int32(&r), try int32(&r)))
        }
    }
}
