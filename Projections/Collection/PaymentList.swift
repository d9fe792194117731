import KokiDomain
import KokiEvents

/// An account's payments (収納), in the order received, each kept as the event codec's bytes,
/// back to back in one buffer (a ``PackedList``), and decoded when read: most of what an account
/// held. At ten years of Matsudo an account had some 45 payments, each a struct in an object of
/// its own with its list of parts and its reference (a store's barcode and day) as allocations of
/// their own: about 300 bytes a payment, where its bytes take about 80.
///
/// Beside the bytes, a tag of each payment that two questions ask of every payment of the
/// person, for every line of a file: whether a store's record was paid before, and whether a
/// pension insurer's deduction was recorded before. The payments are decoded only where a
/// payment has the tag the question looks for, which a new record almost never has.
///
/// Beside each payment too, the span of fiscal years its parts pay (two bytes): a question about
/// some periods (their late fees, their prescription) decodes only the payments that may have
/// paid one of them, where it decoded every payment of the person's years.
///
/// A payment the codec's writer refuses anything in is kept as it is (see ``PackedList``).
///
/// Two lists of the same payments, cancelled alike, are the same bytes, so equality and hashing
/// are the payments'.
public struct PaymentList: RandomAccessCollection, Sendable, Hashable {
    /// A payment and its cancellation, if any.
    public struct Payment: Sendable, Hashable {
        public let event: PaymentReceived
        public let cancelled: PaymentCancelled?

        /// Whether it was cancelled.
        public var isCancelled: Bool { cancelled != nil }

        public init(event: PaymentReceived, cancelled: PaymentCancelled?) {
            (self.event, self.cancelled) = (event, cancelled)
        }
    }

    /// The payments as received.
    private var received = PackedList<PaymentReceived>()
    /// The cancellations, by the index of the payment they cancel (cancelling again replaces one).
    private var cancellations = SortedMap<Int, PaymentCancelled>()
    /// A tag of the reference of each payment from a store (``storeTag(_:)``), in the order paid,
    /// cancelled ones included: a few bytes each, so an import asks whether a store's record was
    /// paid before without reading years of payments.
    private var storeTags: [UInt32] = []
    /// A tag of each deduction from the pension (``pensionTag(paidOn:amount:fiscalYear:)``), in
    /// the order paid, cancelled ones included, for the same reason.
    private var pensionTags: [UInt32] = []
    /// The span of fiscal years each payment's parts pay (``yearSpan(of:)``), in the order paid.
    private var yearSpans: [UInt16] = []

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { received.endIndex }

    /// The payment at `index`, decoded from its bytes.
    public subscript(index: Int) -> Payment {
        Payment(event: event(at: index), cancelled: cancellations[index])
    }

    /// Whether the payment at `index` was cancelled, without decoding it.
    public func isCancelled(at index: Int) -> Bool { cancellations[index] != nil }

    /// How many payments were cancelled.
    public var cancelledCount: Int { cancellations.count }

    /// The bytes the payments take in the buffer (the tests and benchmarks weigh them).
    public var packedBytes: Int { received.packedBytes }

    // MARK: - Changes (the account's fold)

    /// Appends a payment received.
    mutating func append(_ payment: PaymentReceived) {
        received.append(payment)
        yearSpans.appendWithoutSpareRoom(Self.yearSpan(of: payment.parts.lazy.map(\.key.fiscalYear.year)))
        if payment.reference.utf8.starts(with: ConveniencePaymentReported.referencePrefix.utf8) {
            storeTags.appendWithoutSpareRoom(Self.storeTag(payment.reference))
        }
        if payment.channel == .pensionDeduction {
            pensionTags.appendWithoutSpareRoom(
                Self.pensionTag(paidOn: payment.paidOn, amount: payment.amount, fiscalYear: payment.slip?.fiscalYear))
        }
    }

    /// Cancels the payment at `index`.
    mutating func cancel(at index: Int, _ cancellation: PaymentCancelled) {
        cancellations[index] = cancellation
    }

    // MARK: - Questions asked of every payment

    /// Whether a payment not cancelled carries `reference`, a store's
    /// (``ConveniencePaymentReported/reference(barcode:paidOn:)``): the payments are read only
    /// when one of them from a store has the reference's tag.
    public func hasStorePayment(_ reference: String) -> Bool {
        guard storeTags.contains(Self.storeTag(reference)) else { return false }
        return indices.contains { !isCancelled(at: $0) && event(at: $0).reference == reference }
    }

    /// Whether a deduction from the pension not cancelled was paid on `paidOn` for `amount`
    /// under the fiscal year `fiscalYear`: the payments are read only when one of them from the
    /// pension has the tag.
    public func hasPensionDeduction(paidOn: CivilDate, amount: Yen, fiscalYear: FiscalYear) -> Bool {
        guard pensionTags.contains(Self.pensionTag(paidOn: paidOn, amount: amount, fiscalYear: fiscalYear)) else {
            return false
        }
        return indices.contains { i in
            guard !isCancelled(at: i) else { return false }
            let e = event(at: i)
            return e.paidOn == paidOn && e.amount == amount && e.channel == .pensionDeduction
                && e.slip?.fiscalYear == fiscalYear
        }
    }

    /// Whether the payment at `index` may have a part for a period of a fiscal year from
    /// `first` through `last`: false only where none of its parts is, so that a question about
    /// those years need not decode it.
    public func mayPay(at index: Int, yearsFrom first: Int, through last: Int) -> Bool {
        let span = yearSpans[index]
        return span >> 8 <= UInt16(Self.yearByte(last)) && span & 0xFF >= UInt16(Self.yearByte(first))
    }

    /// The first and last fiscal year of a payment's parts as one number (the first's
    /// ``yearByte(_:)`` in the high byte, the last's in the low); no parts: a span no years meet.
    static func yearSpan(of years: some Sequence<Int>) -> UInt16 {
        var (first, last) = (Int.max, Int.min)
        for year in years { (first, last) = (Swift.min(first, year), Swift.max(last, year)) }
        guard first <= last else { return 0xFF00 }
        return UInt16(yearByte(first)) << 8 | UInt16(yearByte(last))
    }

    /// A fiscal year in one byte: years since 2000, those before and after the byte's range held
    /// at its ends (which only makes a payment of such a year read more often, never less).
    static func yearByte(_ year: Int) -> UInt8 { UInt8(clamping: year - 2000) }

    /// A reference's tag: its UTF-8 bytes hashed (FNV-1a, 32 bits), the same in every process.
    static func storeTag(_ reference: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in reference.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    /// A pension deduction's tag: its day, amount and fiscal year hashed (FNV-1a, 32 bits).
    static func pensionTag(paidOn: CivilDate, amount: Yen, fiscalYear: FiscalYear?) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for value in [Int64(paidOn.daysSinceEpoch), amount.amount, Int64(fiscalYear?.year ?? -1)] {
            var v = UInt64(bitPattern: value)
            for _ in 0..<8 {
                hash = (hash ^ UInt32(v & 0xFF)) &* 16_777_619
                v >>= 8
            }
        }
        return hash
    }

    /// The payment at `index` as received.
    private func event(at index: Int) -> PaymentReceived { received[index] }
}
