import KokiDomain
import KokiEvents

/// Each person's collection account (収納状況): per period what is assessed, credited (paid or
/// appropriated), outstanding and overpaid; the payments with their allocation and any
/// cancellation; the overpayments (過誤納金) and what became of them (充当, 還付); bank-debit
/// mandates and failures; convenience-store payments reported but not yet confirmed. Plus the
/// city-wide list of unmatched money and the interchange files recorded.
///
/// Money is conserved by construction: every yen of an active payment is on a period or on its
/// overpayment; an overpayment's yen are open, appropriated to a period, or refunded; unmatched
/// money is on the list until it is resolved into a payment. ``moneyIsConserved`` checks it.
public struct CollectionAccounts: Projection {
    public static let logicVersion = 1

    /// A period of an account: what is assessed on it, what reached it and what was taken off.
    ///
    /// Kept in 32 bytes, since an account keeps every period it ever had (some sixty at ten
    /// years, 5.5 million in a city of Matsudo's size): its two dates as days since 1970-01-01
    /// in 32 bits each, what is assessed and paid inline, and the rarer sums (appropriated,
    /// moved out, reduced, written off, late fees) in a box shared by copies, which most
    /// periods never have. As plain fields it took 104 bytes. Read and written through the same
    /// properties either way; equality and hashing are the figures'.
    public struct Period: Sendable, Hashable {
        /// The due date's and the last payment's days (``noDay`` for none).
        private var due: Int32
        private var lastPaid = Period.noDay
        public var assessed: Yen = .zero
        /// Payment parts on the period (cancelled payments taken off).
        public var paid: Yen = .zero
        /// The rarer sums, `nil` while all are zero.
        private var box: RareBox?

        private static let noDay = Int32.min

        /// The sums most periods never have (also what the rebuild's ``CompactBalances`` keeps of
        /// the periods that have them).
        struct RareSums: Sendable, Hashable {
            var appropriated = Yen.zero
            var movedOut = Yen.zero
            var reduced = Yen.zero
            var writtenOff = Yen.zero
            var lateFee = Yen.zero
            var lateFeePaid = Yen.zero
            var lateFeeWaived = Yen.zero
            var lateFeeWrittenOff = Yen.zero

            var lateFeeOutstanding: Yen {
                let left = lateFee - lateFeePaid - lateFeeWaived - lateFeeWrittenOff
                return left > .zero ? left : .zero
            }
        }

        /// Never changed once made: a change makes a new box, so a copy of the period keeps its own.
        final class RareBox: Sendable {
            let sums: RareSums
            init(_ sums: RareSums) { self.sums = sums }
        }

        /// The rarer sums (all zero for most periods); the rebuild's compact state sets them whole.
        var rare: RareSums {
            get { box?.sums ?? RareSums() }
            set { box = newValue == RareSums() ? nil : RareBox(newValue) }
        }

        public init(dueDate: CivilDate) { due = Self.day(dueDate) }

        /// A civil date's day count in 32 bits: the years 1…9999 lie within ±3 million days.
        private static func day(_ date: CivilDate) -> Int32 { Int32(truncatingIfNeeded: date.daysSinceEpoch) }

        /// The date of a day count ``day(_:)`` gave (so within the years 1…9999).
        private static func date(_ day: Int32) -> CivilDate { CivilDate.epoch.adding(days: Int(day)) }

        public var dueDate: CivilDate {
            get { Self.date(due) }
            set { due = Self.day(newValue) }
        }
        /// Overpayments appropriated to the period (充当).
        public var appropriated: Yen {
            get { rare.appropriated }
            set { rare.appropriated = newValue }
        }
        /// Excess moved off the period into an overpayment (過納).
        public var movedOut: Yen {
            get { rare.movedOut }
            set { rare.movedOut = newValue }
        }
        /// Taken off by reductions (減免) and written off (不納欠損).
        public var reduced: Yen {
            get { rare.reduced }
            set { rare.reduced = newValue }
        }
        public var writtenOff: Yen {
            get { rare.writtenOff }
            set { rare.writtenOff = newValue }
        }
        /// The late fee finalized on the period (確定延滞金), what was paid or appropriated to it,
        /// waived and written off.
        public var lateFee: Yen {
            get { rare.lateFee }
            set { rare.lateFee = newValue }
        }
        public var lateFeePaid: Yen {
            get { rare.lateFeePaid }
            set { rare.lateFeePaid = newValue }
        }
        public var lateFeeWaived: Yen {
            get { rare.lateFeeWaived }
            set { rare.lateFeeWaived = newValue }
        }
        public var lateFeeWrittenOff: Yen {
            get { rare.lateFeeWrittenOff }
            set { rare.lateFeeWrittenOff = newValue }
        }
        /// The last day money reached the period.
        public var lastPaidOn: CivilDate? {
            get { lastPaid == Self.noDay ? nil : Self.date(lastPaid) }
            set { lastPaid = newValue.map(Self.day) ?? Self.noDay }
        }

        public static func == (a: Period, b: Period) -> Bool {
            a.due == b.due && a.lastPaid == b.lastPaid && a.assessed == b.assessed && a.paid == b.paid
                && (a.box === b.box || a.rare == b.rare)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(due)
            hasher.combine(lastPaid)
            hasher.combine(assessed)
            hasher.combine(paid)
            hasher.combine(rare)
        }

        mutating func schedule(_ installment: Installment) {
            dueDate = installment.dueDate
            assessed = installment.amount
        }

        mutating func receive(_ part: PaymentReceived.Part, paidOn: CivilDate) {
            if part.charge == .lateFee {
                lateFeePaid += part.amount
                return
            }
            paid += part.amount
            if lastPaidOn.map({ $0 < paidOn }) ?? true { lastPaidOn = paidOn }
        }

        public var credited: Yen { paid + appropriated - movedOut }
        /// What the period owes after reductions and write-offs.
        public var owes: Yen { assessed - reduced - writtenOff }
        public var outstanding: Yen { owes > credited ? owes - credited : .zero }
        public var overpaid: Yen { credited > owes ? credited - owes : .zero }
        public var lateFeeOutstanding: Yen { rare.lateFeeOutstanding }
        /// Money reached it after its due date, or by appropriation: it may bear a late fee
        /// though its principal is paid.
        public var paidLate: Bool { (lastPaidOn.map { $0 > dueDate } ?? false) || appropriated > .zero }
        /// It still owes premium or a late fee, or holds money beyond what it owes.
        public var isUnsettled: Bool { outstanding > .zero || overpaid > .zero || lateFeeOutstanding > .zero }
    }

    /// A payment and its cancellation, if any (kept in an account's ``PaymentList``).
    public typealias Payment = PaymentList.Payment

    public struct Overpayment: Sendable, Hashable {
        public var id: String
        public var amount: Yen
        public var cause: RefundInterest.Cause
        public var arose: CivilDate
        /// The period it came off, for 過納; `nil` for money left over from a payment.
        public var from: PeriodKey?
        public var appropriated: Yen = .zero
        public var refunded: Yen = .zero
        /// What the city kept when the right to the refund prescribed (還付請求権の時効).
        public var prescribed: Yen = .zero
        public var withdrawn = false

        public var open: Yen { withdrawn ? .zero : amount - appropriated - refunded - prescribed }

        /// The first day the right to its refund no longer exists: two years counted from the
        /// day after it arose (高確法 第160条 第1項).
        public var refundBarredFrom: CivilDate { AssessmentTimeLimit.firstBarredDay(afterFirstDue: arose) }
    }

    public struct Refund: Sendable, Hashable {
        public var decision: RefundDecided
        public var paid: RefundPaid?
        /// The right to it prescribed before it was paid: it lapsed.
        public var prescribed: RefundPrescribed?
    }

    public struct Mandate: Sendable, Hashable {
        public var startsOn: CivilDate
        public var stopsOn: CivilDate?
        public var account: SealedIdentity

        public func isActive(on date: CivilDate) -> Bool {
            startsOn <= date && (stopsOn.map { date < $0 } ?? true)
        }

        /// Whether the mandate still runs on some day after `day`: open, or stopping after both
        /// `day` and its own start (a mandate stopped where it starts never runs).
        public func runs(after day: CivilDate) -> Bool {
            stopsOn.map { $0 > max(startsOn, day) } ?? true
        }
    }

    public struct Account: Sendable, Hashable {
        /// The account's collections, kept in one box shared by copies until one of them changes
        /// (copy on write): a run that takes every account of the city copies each with one
        /// retain, not one for each of its 23 collections.
        struct Fields: Sendable, Hashable {
            var periods = SortedMap<PeriodKey, Period>()
            /// The keys of the periods unsettled (``Period/isUnsettled``), kept as events are folded.
            var unsettled: Set<PeriodKey> = []
            /// Whether the city holds money for the person (``holdsMoney``), kept as events are folded.
            var holdsMoney = false
            var payments = PaymentList()
            var overpayments: [Overpayment] = []
            var refunds: [Refund] = []
            var appropriations: [OverpaymentAppropriated] = []
            var mandates: [Mandate] = []
            var debitRequests = PackedList<DebitRequested>()
            /// The latest debit date any request was made for (``lastDebitRequested``).
            var lastDebitRequested: CivilDate?
            var debitApplications: [DebitApplicationRecorded] = []
            var slipReissues: [SlipReissued] = []
            var prepayment: CivilDate?
            var debitFailures: [DebitFailed] = []
            var reports: [ConveniencePaymentReported] = []
            var pensionStops: [PensionDeductionStopped] = []
            var dunning = PackedList<DunningNoticeIssued>()
            /// The period of each dunning notice, in the order issued (``CompactBalances/key(_:)``:
            /// four bytes each), so whether a period was dunned is asked without decoding every
            /// notice of years of arrears.
            var dunnedKeys: [Int32] = []
            var reminders = PackedList<ReminderIssued>()
            var contacts: [ContactRecorded] = []
            var lateFees: [LateFeeFinalized] = []
            var reductions: [ReductionDecided] = []
            var writeOffs: [WrittenOff] = []
            var plans: [InstallmentPlanRecorded] = []
            var seizures: [SeizureRecorded] = []
            var enforcementStops: [EnforcementStopped] = []
            var deferrals: [CollectionDeferred] = []
        }

        private var shared = SharedFields(Fields())

        /// Every period the account ever had. Changed only by folding events, which keeps
        /// ``unsettledKeys`` with it.
        public private(set) var periods: SortedMap<PeriodKey, Period> {
            get { shared.value.periods }
            _modify { yield &shared.value.periods }
        }
        /// The keys of the periods that still owe premium or a late fee or hold money beyond what
        /// they owe (``Period/isUnsettled``), kept as each event is folded: a run that picks who
        /// owes or who is owed goes through these, not through every period of years of history.
        public var unsettledKeys: Set<PeriodKey> { shared.value.unsettled }
        /// The unsettled periods (``unsettledKeys``) with their keys, in no order.
        public var unsettledPeriods: some Sequence<(key: PeriodKey, value: Period)> {
            unsettledKeys.lazy.compactMap { key in periods[key].map { (key, $0) } }
        }

        /// Whether the city holds money for the person: an overpayment still open, or a refund
        /// decided and neither paid nor lapsed. Kept as each event is folded, so a run that looks
        /// for money to settle or refund does not go through every overpayment ever recognized.
        public var holdsMoney: Bool { shared.value.holdsMoney }

        /// Whether the account may concern a run that collects or settles: it has an unsettled
        /// period (``unsettledKeys``) or the city holds money for the person (``holdsMoney``).
        public var needsAttention: Bool { shared.value.holdsMoney || !shared.value.unsettled.isEmpty }

        /// Whether a payment not cancelled carries `reference`, a store's
        /// (``ConveniencePaymentReported/reference(barcode:paidOn:)``): see
        /// ``PaymentList/hasStorePayment(_:)``.
        public func hasStorePayment(_ reference: String) -> Bool { payments.hasStorePayment(reference) }

        /// Whether money is held, found by going through every overpayment and refund (what
        /// ``holdsMoney`` keeps without going through them).
        var holdsMoneyByScan: Bool {
            overpayments.contains { $0.open > .zero } || refunds.contains { $0.paid == nil && $0.prescribed == nil }
        }

        /// Brings ``holdsMoney`` up to date after an event that changed an overpayment or a refund.
        private mutating func recountMoneyHeld() { shared.value.holdsMoney = holdsMoneyByScan }

        /// Brings ``unsettledKeys`` up to date for periods an event changed.
        private mutating func resettle(_ keys: some Sequence<PeriodKey>) {
            for key in keys {
                if periods[key]?.isUnsettled == true {
                    shared.value.unsettled.insert(key)
                } else if shared.value.unsettled.contains(key) {
                    shared.value.unsettled.remove(key)
                }
            }
        }
        public private(set) var payments: PaymentList {
            get { shared.value.payments }
            _modify { yield &shared.value.payments }
        }
        public private(set) var overpayments: [Overpayment] {
            get { shared.value.overpayments }
            _modify { yield &shared.value.overpayments }
        }
        public private(set) var refunds: [Refund] {
            get { shared.value.refunds }
            _modify { yield &shared.value.refunds }
        }
        public private(set) var appropriations: [OverpaymentAppropriated] {
            get { shared.value.appropriations }
            _modify { yield &shared.value.appropriations }
        }
        public private(set) var mandates: [Mandate] {
            get { shared.value.mandates }
            _modify { yield &shared.value.mandates }
        }
        public private(set) var debitRequests: PackedList<DebitRequested> {
            get { shared.value.debitRequests }
            _modify { yield &shared.value.debitRequests }
        }
        /// The latest debit date any request was made for, kept as requests are folded (a debit
        /// run asks it of every payer, where reading every request decodes years of them).
        public var lastDebitRequested: CivilDate? { shared.value.lastDebitRequested }
        /// Bank-debit applications (口座振替依頼書), every change in order.
        public private(set) var debitApplications: [DebitApplicationRecorded] {
            get { shared.value.debitApplications }
            _modify { yield &shared.value.debitApplications }
        }
        /// Convenience-store slips reissued (再発行), in order.
        public private(set) var slipReissues: [SlipReissued] {
            get { shared.value.slipReissues }
            _modify { yield &shared.value.slipReissues }
        }
        /// The day the payer chose 全期前納 (the whole year on its first due date), while in force.
        public private(set) var prepayment: CivilDate? {
            get { shared.value.prepayment }
            _modify { yield &shared.value.prepayment }
        }
        public private(set) var debitFailures: [DebitFailed] {
            get { shared.value.debitFailures }
            _modify { yield &shared.value.debitFailures }
        }
        public private(set) var reports: [ConveniencePaymentReported] {
            get { shared.value.reports }
            _modify { yield &shared.value.reports }
        }
        public private(set) var pensionStops: [PensionDeductionStopped] {
            get { shared.value.pensionStops }
            _modify { yield &shared.value.pensionStops }
        }
        /// Dunning notices (督促状), reminders (催告書) and contacts (折衝記録, every version).
        public private(set) var dunning: PackedList<DunningNoticeIssued> {
            get { shared.value.dunning }
            _modify { yield &shared.value.dunning }
        }
        /// Whether a dunning notice (督促状) was ever issued for the period: the same as looking for
        /// one among ``dunning``, without decoding them.
        public func wasDunned(_ key: PeriodKey) -> Bool {
            shared.value.dunnedKeys.contains(CompactBalances.key(key))
        }

        /// Whether the dunned periods kept are exactly those of the notices (a check for the tests).
        var dunnedKeysAreExact: Bool { shared.value.dunnedKeys == dunning.map { CompactBalances.key($0.key) } }
        public private(set) var reminders: PackedList<ReminderIssued> {
            get { shared.value.reminders }
            _modify { yield &shared.value.reminders }
        }
        public private(set) var contacts: [ContactRecorded] {
            get { shared.value.contacts }
            _modify { yield &shared.value.contacts }
        }
        public private(set) var lateFees: [LateFeeFinalized] {
            get { shared.value.lateFees }
            _modify { yield &shared.value.lateFees }
        }
        public private(set) var reductions: [ReductionDecided] {
            get { shared.value.reductions }
            _modify { yield &shared.value.reductions }
        }
        public private(set) var writeOffs: [WrittenOff] {
            get { shared.value.writeOffs }
            _modify { yield &shared.value.writeOffs }
        }
        /// Installment plans, every change in order (the last of a plan's id is its state).
        public private(set) var plans: [InstallmentPlanRecorded] {
            get { shared.value.plans }
            _modify { yield &shared.value.plans }
        }
        public private(set) var seizures: [SeizureRecorded] {
            get { shared.value.seizures }
            _modify { yield &shared.value.seizures }
        }
        /// 執行停止: each stop started, and the end of those ended.
        public private(set) var enforcementStops: [EnforcementStopped] {
            get { shared.value.enforcementStops }
            _modify { yield &shared.value.enforcementStops }
        }
        /// 徴収猶予: every grant, extension and end, in order (the last of an id is its state).
        public private(set) var deferrals: [CollectionDeferred] {
            get { shared.value.deferrals }
            _modify { yield &shared.value.deferrals }
        }

        /// The plans in force: agreed or revised, not cancelled, broken or completed.
        public var activePlans: [InstallmentPlanRecorded] {
            Self.lastOfEach(plans, id: \.id).filter(\.change.leavesInForce)
        }

        /// Of changes recorded in order, the last of each id, in the order the ids first came:
        /// each plan's or deferment's state now.
        static func lastOfEach<Change>(_ changes: [Change], id: (Change) -> String) -> [Change] {
            var last: [String: Change] = [:]
            var order: [String] = []
            for change in changes {
                if last[id(change)] == nil { order.append(id(change)) }
                last[id(change)] = change
            }
            return order.compactMap { last[$0] }
        }

        public init() {}

        /// The types of the events an account folds (``folds(_:)``): a fold that reads a person's
        /// stream asks the store for these alone, and the others (incomes, the union's decisions,
        /// pension facts: a third of a delinquent's stream) are never copied or decoded.
        public static let eventTypes: Set<String> = [
            PremiumAssessed.eventType, PaymentReceived.eventType, PaymentCancelled.eventType,
            OverpaymentRecognized.eventType, OverpaymentAppropriated.eventType, RefundDecided.eventType,
            RefundPaid.eventType, RefundPrescribed.eventType, DebitMandateStarted.eventType,
            DebitApplicationRecorded.eventType, SlipReissued.eventType, DebitPrepaymentChosen.eventType,
            DebitMandateStopped.eventType, DebitRequested.eventType, DebitFailed.eventType,
            ConveniencePaymentReported.eventType, PensionDeductionStopped.eventType, DunningNoticeIssued.eventType,
            ReminderIssued.eventType, ContactRecorded.eventType, LateFeeFinalized.eventType,
            ReductionDecided.eventType, WrittenOff.eventType, InstallmentPlanRecorded.eventType,
            SeizureRecorded.eventType, EnforcementStopped.eventType, CollectionDeferred.eventType,
        ]

        /// Whether an event changes an account (the others pass it by).
        public static func folds(_ event: KokiEvent) -> Bool {
            switch event {
            case .premiumAssessed, .paymentReceived, .paymentCancelled, .overpaymentRecognized,
                .overpaymentAppropriated, .refundDecided, .refundPaid, .refundPrescribed, .debitMandateStarted,
                .debitApplicationRecorded, .slipReissued, .debitPrepaymentChosen,
                .debitMandateStopped,
                .debitRequested, .debitFailed, .conveniencePaymentReported, .pensionDeductionStopped,
                .dunningNoticeIssued, .reminderIssued, .contactRecorded, .lateFeeFinalized, .reductionDecided,
                .writtenOff, .installmentPlanRecorded, .seizureRecorded, .enforcementStopped, .collectionDeferred:
                true
            case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .eligibilityAcquired,
                .eligibilityLost, .addressExceptionStarted, .addressExceptionEnded, .formerDependantRecorded,
                .incomeRecorded, .incomeInquired, .personNumbersLinked, .pensionFactsRecorded,
                .provisionalDeductionDecided, .pensionDeductionNotified, .pensionSwitchRecorded, .myNumberRecorded,
                .personErased, .mailRecipientRecorded, .unionDecisionRecorded, .networkInquirySent, .access, .notice,
                .counter, .rateTableAdopted,
                .installmentCalendarAdopted, .assessmentRunRecorded, .unmatchedPaymentRecorded,
                .unmatchedPaymentResolved, .collectionFileRecorded, .arrearsSettingsAdopted, .arrearsRunRecorded,
                .fiscalYearClosed:
                false
            }
        }

        /// Folds one of the person's events into their account.
        public mutating func apply(_ event: KokiEvent) {
            switch event {
            case .premiumAssessed(let e):
                // Room for the new periods at once, not one at a time.
                let new = e.installments.count { periods[PeriodKey(e.fiscalYear, $0.period)] == nil }
                periods.reserveCapacity(periods.count + new)
                for installment in e.installments {
                    periods[PeriodKey(e.fiscalYear, installment.period), default: Period(dueDate: installment.dueDate)]
                        .schedule(installment)
                }
                // A reassessment that dropped a period leaves it owing nothing.
                if periods.count > e.installments.count {
                    for key in periods.keys
                    where key.fiscalYear == e.fiscalYear && !e.installments.contains(where: { $0.period == key.period })
                    {
                        periods[key]!.assessed = .zero
                    }
                }
                resettle(periods.keys.filter { $0.fiscalYear == e.fiscalYear })
            case .paymentReceived(let e):
                for part in e.parts {
                    periods[part.key, default: Period(dueDate: e.paidOn)].receive(part, paidOn: e.paidOn)
                }
                resettle(e.parts.lazy.map(\.key))
                if e.overpaid > .zero {
                    overpayments.append(
                        Overpayment(id: e.id, amount: e.overpaid, cause: .erroneous, arose: e.paidOn, from: nil))
                }
                payments.append(e)
                if e.overpaid > .zero { recountMoneyHeld() }
            case .paymentCancelled(let e):
                guard
                    let index = payments.indices.first(where: {
                        !payments.isCancelled(at: $0) && payments[$0].event.id == e.payment
                    })
                else { return }
                let cancelled = payments[index].event
                payments.cancel(at: index, e)
                for part in cancelled.parts {
                    if part.charge == .lateFee {
                        periods[part.key]?.lateFeePaid -= part.amount
                    } else {
                        periods[part.key]?.paid -= part.amount
                    }
                }
                resettle(cancelled.parts.lazy.map(\.key))
                if let o = overpayments.firstIndex(where: { $0.id == e.payment }) {
                    overpayments[o].withdrawn = true
                    recountMoneyHeld()
                }
            case .overpaymentRecognized(let e):
                periods[e.key]?.movedOut += e.amount
                resettle(CollectionOfOne(e.key))
                overpayments.append(
                    Overpayment(id: e.id, amount: e.amount, cause: e.cause, arose: e.arose, from: e.key))
                recountMoneyHeld()
            case .overpaymentAppropriated(let e):
                guard let o = overpayments.firstIndex(where: { $0.id == e.overpayment }) else { return }
                for part in e.parts {
                    if part.charge == .lateFee {
                        periods[part.key]?.lateFeePaid += part.amount
                    } else {
                        periods[part.key]?.appropriated += part.amount
                    }
                    overpayments[o].appropriated += part.amount
                }
                resettle(e.parts.lazy.map(\.key))
                appropriations.append(e)
                recountMoneyHeld()
            case .refundDecided(let e):
                guard let o = overpayments.firstIndex(where: { $0.id == e.overpayment }) else { return }
                overpayments[o].refunded += e.amount
                refunds.append(Refund(decision: e, paid: nil))
                recountMoneyHeld()
            case .refundPaid(let e):
                guard let index = refunds.firstIndex(where: { $0.decision.id == e.refund }) else { return }
                refunds[index].paid = e
                recountMoneyHeld()
            case .refundPrescribed(let e):
                guard let o = overpayments.firstIndex(where: { $0.id == e.overpayment }) else { return }
                // A refund decided and never paid lapses: its money is the city's, not refunded.
                if let id = e.refund, let r = refunds.firstIndex(where: { $0.decision.id == id }) {
                    refunds[r].prescribed = e
                    overpayments[o].refunded -= e.amount
                }
                overpayments[o].prescribed += e.amount
                recountMoneyHeld()
            case .debitMandateStarted(let e):
                // A new mandate replaces the one in force from its start.
                for i in mandates.indices where mandates[i].stopsOn.map({ $0 > e.startsOn }) ?? true {
                    mandates[i].stopsOn = max(mandates[i].startsOn, e.startsOn)
                }
                mandates.append(Mandate(startsOn: e.startsOn, stopsOn: nil, account: e.account))
            case .debitApplicationRecorded(let e):
                debitApplications.append(e)
            case .slipReissued(let e):
                slipReissues.append(e)
            case .debitPrepaymentChosen(let e):
                prepayment = e.change == .chosen ? e.on : nil
            case .debitMandateStopped(let e):
                for i in mandates.indices where mandates[i].stopsOn.map({ $0 > e.stopsOn }) ?? true {
                    mandates[i].stopsOn = max(mandates[i].startsOn, e.stopsOn)
                }
            case .debitRequested(let e):
                debitRequests.append(e)
                shared.value.lastDebitRequested = max(shared.value.lastDebitRequested ?? e.debitDate, e.debitDate)
            case .debitFailed(let e):
                debitFailures.append(e)
            case .conveniencePaymentReported(let e):
                reports.append(e)
            case .pensionDeductionStopped(let e):
                pensionStops.append(e)
            case .dunningNoticeIssued(let e):
                dunning.append(e)
                shared.value.dunnedKeys.appendWithoutSpareRoom(CompactBalances.key(e.key))
            case .reminderIssued(let e):
                reminders.append(e)
            case .contactRecorded(let e):
                contacts.append(e)
            case .lateFeeFinalized(let e):
                periods[e.key]?.lateFee = e.fee
                resettle(CollectionOfOne(e.key))
                lateFees.append(e)
            case .reductionDecided(let e):
                for part in e.parts { periods[part.key]?.reduced += part.amount }
                if e.waiveLateFees {
                    for part in e.parts {
                        if let period = periods[part.key] {
                            periods[part.key]!.lateFeeWaived += period.lateFeeOutstanding
                        }
                    }
                }
                resettle(e.parts.lazy.map(\.key))
                reductions.append(e)
            case .writtenOff(let e):
                periods[e.key]?.writtenOff += e.premium
                periods[e.key]?.lateFeeWrittenOff += e.lateFee
                resettle(CollectionOfOne(e.key))
                writeOffs.append(e)
            case .installmentPlanRecorded(let e):
                plans.append(e)
            case .seizureRecorded(let e):
                seizures.append(e)
            case .enforcementStopped(let e):
                enforcementStops.append(e)
            case .collectionDeferred(let e):
                deferrals.append(e)
            case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .eligibilityAcquired,
                .eligibilityLost, .addressExceptionStarted, .addressExceptionEnded, .formerDependantRecorded,
                .incomeRecorded, .incomeInquired, .personNumbersLinked, .pensionFactsRecorded,
                .provisionalDeductionDecided, .pensionDeductionNotified, .pensionSwitchRecorded, .myNumberRecorded,
                .personErased, .mailRecipientRecorded, .unionDecisionRecorded, .networkInquirySent, .access, .notice,
                .counter, .rateTableAdopted,
                .installmentCalendarAdopted, .assessmentRunRecorded, .unmatchedPaymentRecorded,
                .unmatchedPaymentResolved, .collectionFileRecorded, .arrearsSettingsAdopted, .arrearsRunRecorded,
                .fiscalYearClosed:
                break
            }
        }

        public var outstanding: Yen { periods.values.map(\.outstanding).sum() }
        public var openOverpayments: [Overpayment] { overpayments.filter { $0.open > .zero } }

        /// The mandate in force on a day.
        public func mandate(on date: CivilDate) -> Mandate? { mandates.last { $0.isActive(on: date) } }

        /// Preliminary convenience-store reports with no final record yet.
        public var pendingReports: [ConveniencePaymentReported] {
            // Most accounts never had a preliminary report: nothing to match their payments to.
            guard !reports.isEmpty else { return [] }
            let confirmed = Set(payments.filter { !$0.isCancelled }.map(\.event.reference))
            return reports.filter { !confirmed.contains($0.reference) }
        }
    }

    public struct Unmatched: Sendable, Hashable {
        public var event: UnmatchedPaymentRecorded
        public var resolved: UnmatchedPaymentResolved?
    }

    public private(set) var accounts: [PersonID: Account] = [:]
    /// The persons whose account needs attention (``Account/needsAttention``): an unsettled
    /// period, or money held for them. Kept as events are folded, so a run that collects or
    /// settles goes through these — about the persons insured now and those in arrears — not
    /// through every account ever opened, which grows with the years.
    public private(set) var needingAttention: Set<PersonID> = []
    /// The persons with an installment plan in force (``Account/activePlans``), kept as plans
    /// are recorded: the month's check of plans goes through these, not every account ever.
    public private(set) var withActivePlans: Set<PersonID> = []
    public private(set) var unmatched: [Unmatched] = []
    public private(set) var files: [CollectionFileRecorded] = []
    /// The arrears settings in force (the latest adopted), and the arrears runs.
    public private(set) var arrearsSettings: ArrearsSettings?
    public private(set) var arrearsRuns: [ArrearsRunRecorded] = []
    public private(set) var closings: [FiscalYearClosed] = []

    public init() {}

    public func account(_ person: PersonID) -> Account? { accounts[person] }

    public mutating func apply(_ event: KokiEvent) {
        switch event {
        case .unmatchedPaymentRecorded(let e):
            unmatched.append(Unmatched(event: e, resolved: nil))
        case .unmatchedPaymentResolved(let e):
            if let index = unmatched.firstIndex(where: { $0.event.id == e.id }) { unmatched[index].resolved = e }
        case .collectionFileRecorded(let e):
            files.append(e)
        case .arrearsSettingsAdopted(let e):
            arrearsSettings = e.settings
        case .arrearsRunRecorded(let e):
            arrearsRuns.append(e)
        case .fiscalYearClosed(let e):
            closings.append(e)
        default:
            guard let person = event.person, Account.folds(event) else { return }
            // In place: the account's collections are not copied per event.
            let (before, after) = Self.apply(event, to: &accounts[person, default: Account()])
            if after != before {
                if after { needingAttention.insert(person) } else { needingAttention.remove(person) }
            }
            // Only a plan's own record puts a plan in force or ends it.
            if case .installmentPlanRecorded = event {
                if accounts[person]?.activePlans.isEmpty == false {
                    withActivePlans.insert(person)
                } else {
                    withActivePlans.remove(person)
                }
            }
        }
    }

    /// Folds an event into an account, saying whether it needed attention before and after.
    private static func apply(_ event: KokiEvent, to account: inout Account) -> (before: Bool, after: Bool) {
        let before = account.needsAttention
        account.apply(event)
        return (before, account.needsAttention)
    }

    /// The money figures of the whole city.
    public struct Totals: Sendable, Hashable {
        /// Active (not cancelled) payments.
        public var received = Yen.zero
        /// Money on periods (paid + appropriated − moved out).
        public var credited = Yen.zero
        public var assessed = Yen.zero
        public var outstanding = Yen.zero
        /// Credited beyond what periods owe (not yet recognised as an overpayment).
        public var overpaidOnPeriods = Yen.zero
        public var openOverpayments = Yen.zero
        public var refunded = Yen.zero
        /// Overpayments the city kept when the right to their refund prescribed.
        public var refundsPrescribed = Yen.zero
        public var refundInterest = Yen.zero
        public var unmatchedOpen = Yen.zero
        public var reduced = Yen.zero
        public var writtenOff = Yen.zero
        public var lateFees = Yen.zero
        public var lateFeesPaid = Yen.zero
    }

    public var totals: Totals {
        var t = Totals()
        for account in accounts.values {
            for p in account.payments where !p.isCancelled { t.received += p.event.amount }
            for period in account.periods.values {
                t.credited += period.credited
                t.assessed += period.assessed
                t.outstanding += period.outstanding
                t.overpaidOnPeriods += period.overpaid
                t.reduced += period.reduced
                t.writtenOff += period.writtenOff
                t.lateFees += period.lateFee
                t.lateFeesPaid += period.lateFeePaid
            }
            for o in account.overpayments {
                t.openOverpayments += o.open
                if !o.withdrawn { t.refundsPrescribed += o.prescribed }
            }
            for r in account.refunds where r.prescribed == nil {
                t.refunded += r.decision.amount
                t.refundInterest += r.decision.interest
            }
        }
        for u in unmatched where u.resolved == nil { t.unmatchedOpen += u.event.amount }
        return t
    }

    /// Whether every account's ``Account/unsettledKeys`` are exactly the keys of its unsettled
    /// periods, its ``Account/holdsMoney`` exactly whether an overpayment is open or a refund
    /// pending, ``needingAttention`` exactly the persons whose account then needs it, and
    /// ``withActivePlans`` exactly those with a plan in force, and each account's dunned periods
    /// (``Account/wasDunned(_:)``) exactly those of its notices, as folding keeps them (a check
    /// for the tests).
    public var unsettledKeysAreExact: Bool {
        needingAttention.allSatisfy { accounts[$0] != nil }
            && accounts.values.allSatisfy { $0.dunnedKeysAreExact }
            && withActivePlans == Set(accounts.lazy.filter { !$0.value.activePlans.isEmpty }.map(\.key))
            && accounts.allSatisfy { person, account in
                let unsettled = Set(account.periods.lazy.filter { $0.value.isUnsettled }.map(\.key))
                let held = account.holdsMoneyByScan
                return account.unsettledKeys == unsettled && account.holdsMoney == held
                    && needingAttention.contains(person) == (held || !unsettled.isEmpty)
            }
    }

    /// Every yen received is on exactly one period (its premium or its late fee), an open
    /// overpayment or a refund; and each period's assessed amount is what is credited to it (up to
    /// what it owes) plus what is still outstanding, reduced and written off.
    public var moneyIsConserved: Bool {
        let t = totals
        guard t.received == t.credited + t.lateFeesPaid + t.openOverpayments + t.refunded + t.refundsPrescribed else {
            return false
        }
        for account in accounts.values {
            // assessed = paid (up to what it owes) + outstanding + reduced + written off.
            for period in account.periods.values
            where period.assessed
                != min(period.credited, period.owes) + period.outstanding + period.reduced + period.writtenOff
            {
                return false
            }
            for o in account.overpayments where o.open < .zero { return false }
        }
        return true
    }
}

extension ConveniencePaymentReported {
    /// The reference a convenience-store record carries — its barcode and the day paid — shared
    /// by the preliminary report and the final payment, so the one confirms the other.
    public static func reference(barcode: String, paidOn: CivilDate) -> String {
        "\(referencePrefix)\(barcode):\(paidOn)"
    }
    /// How every such reference begins.
    public static let referencePrefix = "cvs:"
    public var reference: String { Self.reference(barcode: barcode, paidOn: paidOn) }
}

extension CollectionAccounts.Account {
    /// The enforcement stops (執行停止) in force on `date` — started on or before it, not ended by
    /// then — each with the periods it covers.
    public func enforcementStops(on date: CivilDate) -> [EnforcementStopped] {
        enforcementStops.filter { stop in
            stop.change == .started && stop.on <= date
                && !enforcementStops.contains { $0.change == .ended && $0.id == stop.id && $0.on <= date }
        }
    }

    /// Whether enforcement on a period is stopped on `date`.
    public func enforcementStopped(_ key: PeriodKey, on date: CivilDate) -> Bool {
        enforcementStops(on: date).contains { $0.periods.contains(key) }
    }

    /// Each deferment (徴収猶予) as it stands now: the last event of its id.
    public var currentDeferrals: [CollectionDeferred] { Self.lastOfEach(deferrals, id: \.id) }

    /// Each bank-debit application as it stands (its last change), in the order received.
    public var currentApplications: [DebitApplicationRecorded] { Self.lastOfEach(debitApplications, id: \.id) }

    /// Whether an application stands as received (its last change), not yet sent to the bank:
    /// the same as asking ``currentApplications``, from the changes as recorded, without
    /// gathering the last change of each.
    public var hasApplicationReceivedOnly: Bool {
        let changes = debitApplications
        return changes.indices.contains { i in
            changes[i].change == .received && !changes[(i + 1)...].contains { $0.id == changes[i].id }
        }
    }

    /// Whether the payer is debited from `date` on: a mandate in force or to come, or an
    /// application received or sent to the bank and not yet answered.
    public func debitsOrApplied(on date: CivilDate) -> Bool {
        mandates.last.map { $0.stopsOn.map { $0 > date } ?? true } == true
            || currentApplications.contains { [.received, .sent].contains($0.change) }
    }

    /// The application's account, sealed, as received.
    public func applicationAccount(_ id: String) -> SealedIdentity? {
        debitApplications.first { $0.id == id && $0.change == .received }?.account
    }

    /// Whether collection of a period is held on `date` — its enforcement stopped (執行停止) or
    /// the period deferred (徴収猶予): no 督促, 催告 or 差押 then.
    public func collectionHeld(_ key: PeriodKey, on date: CivilDate) -> Bool {
        enforcementStopped(key, on: date) || deferral(key, on: date) != nil
    }

    /// The deferment of a period whose days include `date`, if any.
    public func deferral(_ key: PeriodKey, on date: CivilDate) -> CollectionDeferred? {
        currentDeferrals.first { $0.periods.contains(key) && $0.days?.contains(date) == true }
    }

    /// The days a period is deferred, each deferment's as it stands now.
    public func deferredDays(_ key: PeriodKey) -> [CollectionDeferred] {
        currentDeferrals.filter { $0.periods.contains(key) && $0.days != nil }
    }
}
