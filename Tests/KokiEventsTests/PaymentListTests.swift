import KokiDomain
import KokiEvents
@testable import KokiProjections
import KokiTestSupport
import Testing

/// An account's payments kept as the codec's bytes answer as the list of structs they replaced:
/// each payment read back as it went in (amounts the writer refuses among them), cancellations
/// where they were made, and the two questions asked of every payment — a store's record paid
/// before, a pension deduction recorded before — as a scan of every payment answers them.
@Suite struct PaymentListTests {
    static let person = EventSamples.person
    static let fy = EventSamples.fy

    /// A payment drawn at random: a store's, a pension's or a counter's, on one of a few days, of
    /// one of a few amounts (so that questions find some), now and then with figures the codec's
    /// writer refuses.
    static func payment(_ n: Int, _ g: inout SeededGenerator) throws -> PaymentReceived {
        let channel = [PaymentChannel.convenienceStore, .pensionDeduction, .counter, .bankDebit].randomElement(
            using: &g)!
        let day = try CivilDate(iso: "2025-08-29").adding(days: Int.random(in: 0..<4, using: &g))
        let amounts: [Int64] = [5_750, 6_000, 12_300, 1_000_000_000_000_001, Int64.max, Int64.min]
        let amount = Yen(amounts[Int.random(in: 0..<(Int.random(in: 0..<10, using: &g) == 0 ? 6 : 3), using: &g)])
        let year = try FiscalYear(Int.random(in: 2024...2025, using: &g))
        let key = PeriodKey(year, try PeriodNumber(Int.random(in: 1...6, using: &g)))
        let reference =
            switch channel {
            case .convenienceStore: "cvs:\(9_191_234 + Int.random(in: 0..<5, using: &g)):\(day)"
            case .pensionDeduction: "pension:\(n)"
            default: n % 2 == 0 ? "" : "counter-\(n)-長い参照文字列"
            }
        return PaymentReceived(
            id: "p\(n)", person: person, channel: channel, paidOn: day, learnedOn: day.adding(days: 3),
            amount: amount, slip: Int.random(in: 0..<4, using: &g) == 0 ? nil : key,
            parts: [.init(key: key, amount: amount, accountingYear: year)], overpaid: .zero, reference: reference)
    }

    @Test(arguments: [1, 2, 3, 4])
    func thePaymentsAnswerAsTheListOfStructsTheyReplaced(seed: UInt64) throws {
        var g = SeededGenerator(seed: 4_180 + seed)
        var account = CollectionAccounts.Account()
        var model: [(event: PaymentReceived, cancelled: PaymentCancelled?)] = []
        for n in 0..<Int.random(in: 20...120, using: &g) {
            if !model.isEmpty, Int.random(in: 0..<6, using: &g) == 0 {
                // A cancellation of a payment, not cancelled yet, by its number.
                let i = Int.random(in: 0..<model.count, using: &g)
                let cancellation = PaymentCancelled(
                    person: Self.person, payment: model[i].event.id, cancelledOn: model[i].event.learnedOn,
                    reason: "誤り \(n)")
                if model[i].cancelled == nil { model[i].cancelled = cancellation }
                account.apply(.paymentCancelled(cancellation))
            } else {
                let payment = try Self.payment(n, &g)
                model.append((payment, nil))
                account.apply(.paymentReceived(payment))
            }
        }
        let payments = account.payments
        #expect(payments.count == model.count)
        #expect(payments.map(\.event) == model.map(\.event))
        #expect(payments.map(\.cancelled) == model.map(\.cancelled))
        #expect(payments.indices.map(payments.isCancelled(at:)) == model.map { $0.cancelled != nil })
        #expect(payments.cancelledCount == model.count { $0.cancelled != nil })
        #expect(payments.last?.event == model.last?.event)

        // The packed payments take their codec bytes and nothing more; the others are kept aside.
        var packed = 0
        for (event, _) in model {
            var w = BinaryWriter(capacity: 128)
            event.encode(to: &w)
            if w.refusal == nil { packed += w.bytes.count }
        }
        #expect(payments.packedBytes == packed)
        #expect(model.contains { $0.event.amount.amount == Int64.max || $0.event.amount.amount == Int64.min })

        // Both questions, asked of what was paid and of what was not, answer as a scan.
        let days = try (0..<5).map { try CivilDate(iso: "2025-08-29").adding(days: $0) }
        var found = (store: 0, pension: 0)
        for reference in Set(model.map(\.event.reference)).union(["cvs:9191239:2025-08-29", "", "cvs:"]) {
            // Only a store's references are asked after (and tagged).
            let scanned =
                reference.hasPrefix(ConveniencePaymentReported.referencePrefix)
                && model.contains { $0.cancelled == nil && $0.event.reference == reference }
            #expect(account.hasStorePayment(reference) == scanned, "\(reference)")
            if scanned { found.store += 1 }
        }
        for day in days {
            for amount in [5_750, 6_000, 12_300, 7] as [Int64] {
                for year in [2024, 2025, 2026] {
                    let fiscalYear = try FiscalYear(year)
                    let scanned = model.contains {
                        $0.cancelled == nil && $0.event.paidOn == day && $0.event.amount == Yen(amount)
                            && $0.event.channel == .pensionDeduction && $0.event.slip?.fiscalYear == fiscalYear
                    }
                    #expect(
                        payments.hasPensionDeduction(paidOn: day, amount: Yen(amount), fiscalYear: fiscalYear)
                            == scanned)
                    if scanned { found.pension += 1 }
                }
            }
        }

        #expect(found.store > 0 && found.pension > 0)

        // The same payments, cancelled alike, are the same list; a cancellation more is not.
        var again = CollectionAccounts.Account()
        for (event, _) in model { again.apply(.paymentReceived(event)) }
        for cancelled in model.compactMap(\.cancelled) { again.apply(.paymentCancelled(cancelled)) }
        #expect(again.payments == payments && again.payments.hashValue == payments.hashValue)
        if let open = model.firstIndex(where: { $0.cancelled == nil }) {
            again.apply(
                .paymentCancelled(
                    PaymentCancelled(
                        person: Self.person, payment: model[open].event.id, cancelledOn: model[open].event.paidOn,
                        reason: "後で")))
            #expect(again.payments != payments && again.payments.isCancelled(at: open))
        }
    }

    /// A payment cancelled a second time keeps its first cancellation, as the account did: the
    /// second finds no payment not cancelled under the number.
    @Test func aPaymentCancelledTwiceKeepsItsFirstCancellation() throws {
        var account = CollectionAccounts.Account()
        account.apply(.paymentReceived(EventSamples.paymentReceived))
        let id = EventSamples.paymentReceived.id
        let first = PaymentCancelled(
            person: Self.person, payment: id, cancelledOn: try CivilDate(iso: "2025-09-02"), reason: "一度目")
        account.apply(.paymentCancelled(first))
        account.apply(
            .paymentCancelled(
                PaymentCancelled(
                    person: Self.person, payment: id, cancelledOn: try CivilDate(iso: "2025-09-03"), reason: "二度目")))
        #expect(account.payments.first?.cancelled == first)
        #expect(account.periods.values.map(\.paid).sum() == .zero)
    }

    /// The debit requests, dunning notices and reminders an account keeps as the codec's bytes
    /// read back as they were folded, in order, with amounts the writer refuses among them; the
    /// packed ones take their codec bytes and nothing more.
    @Test(arguments: [5, 6, 7])
    func theRequestsNoticesAndRemindersReadBackAsFolded(seed: UInt64) throws {
        var g = SeededGenerator(seed: 7_310 + seed)
        let amounts: [Int64] = [5_750, 12_300, 1_000_000_000_000_001, Int64.min, Int64.max]
        func amount() -> Yen {
            Yen(amounts[Int.random(in: 0..<(Int.random(in: 0..<8, using: &g) == 0 ? 5 : 2), using: &g)])
        }
        var account = CollectionAccounts.Account()
        var (requests, notices, reminders) = ([DebitRequested](), [DunningNoticeIssued](), [ReminderIssued]())
        for n in 0..<Int.random(in: 30...150, using: &g) {
            let day = try CivilDate(iso: "2025-04-30").adding(days: n * 7)
            let key = PeriodKey(Self.fy, try PeriodNumber(1 + n % 10))
            switch Int.random(in: 0..<3, using: &g) {
            case 0:
                let e = DebitRequested(
                    person: Self.person, key: key, amount: amount(), debitDate: day,
                    customerNumber: String(format: "%020d", n), file: String(repeating: "9f", count: 32))
                requests.append(e)
                account.apply(.debitRequested(e))
            case 1:
                let e = DunningNoticeIssued(
                    person: Self.person, fiscalYear: Self.fy, period: key.period, principal: amount(), issuedOn: day,
                    payBy: n % 3 == 0 ? nil : day.adding(days: 10), fee: Yen(100))
                notices.append(e)
                account.apply(.dunningNoticeIssued(e))
            default:
                let e = ReminderIssued(
                    person: Self.person, issuedOn: day, periods: [key], owed: amount(), criteria: "owing ≥ \(n) yen")
                reminders.append(e)
                account.apply(.reminderIssued(e))
            }
        }
        #expect(Array(account.debitRequests) == requests)
        #expect(Array(account.dunning) == notices && Array(account.reminders) == reminders)
        #expect(account.debitRequests.last { $0.customerNumber == requests.last?.customerNumber } == requests.last)
        #expect(account.lastDebitRequested == requests.map(\.debitDate).max())
        func packed<R: BinaryCodable>(_ records: [R]) -> Int {
            records.reduce(0) { sum, record in
                var w = BinaryWriter(capacity: 128)
                record.encode(to: &w)
                return sum + (w.refusal == nil ? w.bytes.count : 0)
            }
        }
        #expect(account.debitRequests.packedBytes == packed(requests))
        #expect(account.dunning.packedBytes == packed(notices) && account.reminders.packedBytes == packed(reminders))
        #expect(packed(requests) < requests.count * 200)
        // Some of them the writer refused, kept aside and read back all the same.
        let refused = (requests.map(\.amount) + notices.map(\.principal) + reminders.map(\.owed)).filter {
            !Yen.recordable.contains($0.amount)
        }
        #expect(!refused.isEmpty)
        var again = CollectionAccounts.Account()
        for e in requests { again.apply(.debitRequested(e)) }
        for e in notices { again.apply(.dunningNoticeIssued(e)) }
        for e in reminders { again.apply(.reminderIssued(e)) }
        #expect(again.debitRequests == account.debitRequests && again.dunning == account.dunning)
        #expect(again.reminders == account.reminders && again.reminders.hashValue == account.reminders.hashValue)
    }
    /// A record whose bytes do not read back to it: its writer refuses nothing, but its reader
    /// gives another record (here, an odd number read back as the even one below it): a codec
    /// that broke the contract. A list given it must neither answer with the other record nor fail.
    struct Lossy: BinaryCodable, Hashable {
        var value: Int
        func encode(to writer: inout BinaryWriter) { writer.writeInt(value) }
        init(value: Int) { self.value = value }
        init(from reader: inout BinaryReader) throws { value = try reader.readInt() & ~1 }
    }

    /// A record is kept as its bytes only once they read back to it: records whose bytes read
    /// back to another are kept as they are, so both lists read back every record as it went in,
    /// and the packed ones take their bytes and nothing more.
    @Test func aRecordWhoseBytesReadBackToAnotherIsKeptAsItIs() {
        let values = [0, 1, 2, 3, 1_000_000, 1_000_001, -7, Int.max, Int.min]
        var list = PackedList<Lossy>()
        var records = PackedRecords<Lossy>()
        for (key, value) in values.enumerated() {
            list.append(Lossy(value: value))
            records.append(Lossy(value: value), key: key)
        }
        #expect(list.map(\.value) == values)
        #expect(records.last(values.count - 1)?.value == Int.min && records.last(1)?.value == 1)
        #expect((0..<values.count).map { records.last($0)?.value } == values)
        #expect(
            list.packedBytes
                == values.filter { $0 & 1 == 0 }.map { PackedBytes.bytes(of: Lossy(value: $0))!.count }.reduce(0, +))
        #expect(PackedBytes.bytes(of: Lossy(value: 3)) == nil && PackedBytes.bytes(of: Lossy(value: 4)) != nil)
    }
}
