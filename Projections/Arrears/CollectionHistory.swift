import KokiDomain
import KokiEvents

/// A person's collection history (収納履歴): one timeline of assessments, payments and
/// cancellations, dunning, reminders, contacts, overpayments, refunds, debits and
/// convenience-store reports, in effective-date order (then as recorded), each with who recorded
/// it and when. Folded from the person's stream; the words of their contact records are sealed
/// in the events, so the loader opens them and hands them in (``contactWords``).
public struct CollectionHistory: Sendable, Hashable {
    /// One line of the history.
    public struct Entry: Sendable, Hashable {
        /// The effective date the entry is about (paid on, issued on, decided on …).
        public var date: CivilDate
        public var position: Int64
        /// The event's recorded time, in microseconds since 1970 (UTC) as the ledger's clock gives it.
        public var recordedAtMicroseconds: Int64
        public var actor: String
        public var kind: String
        public var text: String

        public init(
            date: CivilDate, position: Int64, recordedAtMicroseconds: Int64, actor: String, kind: String, text: String
        ) {
            (self.date, self.position, self.recordedAtMicroseconds) = (date, position, recordedAtMicroseconds)
            (self.actor, self.kind, self.text) = (actor, kind, text)
        }
    }

    /// Only what took effect by this day (`nil`: everything recorded).
    public let asOf: CivilDate?
    /// The words of each version of the person's contact records, by ``contactKey(_:)``; `nil`
    /// once the person's key was erased.
    public let contactWords: [String: ContactWords?]
    /// The entries in the order folded (as recorded).
    public private(set) var entries: [Entry] = []

    public init(asOf: CivilDate? = nil, contactWords: [String: ContactWords?] = [:]) {
        self.asOf = asOf
        self.contactWords = contactWords
    }

    /// Which version of a contact record an event is: its id, its change and its day.
    public static func contactKey(_ e: ContactRecorded) -> String { "\(e.id)#\(e.change.rawValue)#\(e.contactedOn)" }

    /// An assessment's recorded cause as staff read it: a pension-deduction selection (recorded in
    /// English words, which ``PensionDeduction/Selection/init(recorded:)`` reads back) by its term.
    static func causeText(_ cause: String) -> String {
        PensionDeduction.Selection(recorded: cause)?.label ?? cause
    }

    /// The timeline: in effective-date order, then as recorded.
    public var timeline: [Entry] { entries.sorted { ($0.date, $0.position) < ($1.date, $1.position) } }

    /// Folds one event of the person's stream, at its position, recorded at `recordedAt` by `actor`.
    public mutating func apply(_ event: KokiEvent, position: Int64, recordedAt: Int64, actor: String) {
        if let asOf, let effective = event.effectiveDate, effective > asOf { return }
        func add(_ date: CivilDate, _ kind: String, _ text: String) {
            entries.append(
                Entry(
                    date: date, position: position, recordedAtMicroseconds: recordedAt, actor: actor, kind: kind,
                    text: text))
        }
        // The words are Japanese for the counter, from the labels table (``Labels``); `kind` stays the
        // stable English key (`--json`).
        func y(_ yen: Yen) -> String { StaffText.yen(yen) }
        func p(_ key: PeriodKey) -> String { StaffText.period(key) }
        func d(_ date: CivilDate) -> String { StaffText.date(date) }
        func parts(_ parts: [(key: PeriodKey, amount: Yen)]) -> String {
            parts.map { "\(p($0.key)) \(y($0.amount))" }.joined(separator: "、")
        }
        switch event {
        case .premiumAssessed(let e):
            add(
                e.decidedOn, "assessed",
                "\(StaffText.fiscalYear(e.fiscalYear)) 年額\(y(e.annualPremium))（\(e.installments.count)期）"
                    + "・\(e.reason.label)\(e.cause.isEmpty ? "" : "：\(Self.causeText(e.cause))")")
        case .paymentReceived(let e):
            add(
                e.paidOn, "payment",
                "\(y(e.amount)) \(e.channel.label) 収納番号\(e.id)：" + parts(e.parts.map { ($0.key, $0.amount) })
                    + (e.overpaid > .zero ? "、過誤納\(y(e.overpaid))" : ""))
        case .paymentCancelled(let e): add(e.cancelledOn, "cancelled", "収納番号\(e.payment)を取消：\(e.reason)")
        case .dunningNoticeIssued(let e):
            add(
                e.issuedOn, "dunning",
                "督促状 \(p(e.key)) \(y(e.principal))、指定期限\(StaffText.date(e.payBy))"
                    + (e.fee > .zero ? "、督促手数料\(y(e.fee))" : ""))
        case .reminderIssued(let e):
            add(
                e.issuedOn, "reminder",
                "催告書 \(StaffText.periods(e.periods)) 滞納額\(y(e.owed))")
        case .contactRecorded(let e):
            let words = contactWords[Self.contactKey(e)] ?? nil
            add(
                e.contactedOn, "contact",
                "\(e.change.label) \(e.id)（\(e.method.label)）"
                    + (words.map {
                        "：\($0.counterpart) — \($0.content)\($0.promise.isEmpty ? "" : "／約束：\($0.promise)")\($0.reason.isEmpty ? "" : "［\($0.reason)］")"
                    }
                        ?? "：（消去済み）")
                    + (e.promisedOn.map { "（納付予定日 \(d($0))）" } ?? ""))
        case .overpaymentRecognized(let e):
            add(
                e.recognizedOn, "overpayment",
                "\(e.cause.label) \(y(e.amount))（\(p(e.key))）\(e.id)")
        case .overpaymentAppropriated(let e):
            add(e.decidedOn, "appropriated", "過誤納\(e.overpayment)を充当：" + parts(e.parts.map { ($0.key, $0.amount) }))
        case .refundDecided(let e):
            add(e.decidedOn, "refund", "還付決定 \(e.id) \(y(e.amount))、還付加算金\(y(e.interest))")
        case .refundPaid(let e):
            add(e.paidOn, "refund paid", "還付金\(e.refund)を支払\(e.heir == nil ? "" : "（相続人へ）")")
        case .refundPrescribed(let e):
            add(
                e.recordedOn, "refund prescribed",
                "過誤納\(e.overpayment)の\(y(e.amount))\(e.refund.map { "（還付\($0)）" } ?? "")：還付請求権は\(d(e.lastDay))で消滅"
            )
        case .debitMandateStarted(let e): add(e.startsOn, "debit", "口座振替を開始（\(d(e.startsOn))から）")
        case .debitPrepaymentChosen(let e): add(e.on, "debit", e.change.label)
        case .slipReissued(let e):
            add(
                e.issuedOn, "slip",
                "コンビニ納付書 再発行\(e.count)回目 \(p(e.key))：\(y(e.amount))、使用期限\(d(e.deadline))（\(e.reason)）")
        case .debitApplicationRecorded(let e):
            add(
                e.on, "debit",
                "口座振替依頼書 \(e.id) \(e.change.label)" + (e.reason.isEmpty ? "" : "（\(e.reason)）"))
        case .debitMandateStopped(let e): add(e.stopsOn, "debit", "口座振替を停止：\(e.reason)")
        case .debitRequested(let e): add(e.debitDate, "debit", "口座振替を依頼 \(p(e.key)) \(y(e.amount))")
        case .debitFailed(let e):
            add(e.debitDate, "debit failed", "振替不能 \(p(e.key)) \(y(e.amount))（結果コード\(e.resultCode)）")
        case .conveniencePaymentReported(let e):
            add(e.paidOn, "store report", "速報 \(p(e.key)) \(y(e.amount))（店舗\(e.store)）")
        case .pensionDeductionStopped(let e): add(e.stoppedFrom, "pension", "特別徴収の中止：\(e.reason)")
        case .lateFeeFinalized(let e):
            add(e.paidOffOn, "late fee", "確定延滞金 \(p(e.key)) \(y(e.fee))")
        case .reductionDecided(let e):
            add(
                e.decidedOn, "reduction",
                "減免 \(e.id)（\(e.reason)）：" + parts(e.parts.map { ($0.key, $0.amount) }) + (e.waiveLateFees ? "、延滞金も免除" : ""))
        case .writtenOff(let e):
            add(
                e.writtenOffOn, "written off",
                "不納欠損 \(p(e.key)) \(y(e.premium))\(e.lateFee > .zero ? "、延滞金\(y(e.lateFee))" : "")（\(e.reason.label)、\(d(e.lastDay))で消滅）"
            )
        case .installmentPlanRecorded(let e):
            add(
                e.on, "plan",
                "分納 \(e.id) \(e.change.label)"
                    + (e.schedule.isEmpty
                        ? "" : "：\(e.schedule.count)回、計\(y(e.schedule.map(\.amount).sum()))")
                    + (e.pledge ? "（誓約）" : "") + (e.reason.isEmpty ? "" : " — \(e.reason)"))
        case .enforcementStopped(let e):
            add(
                e.on, "enforcement stop",
                "執行停止 \(e.id) \(e.change == .started ? "開始" : "取消")"
                    + (e.change == .started
                        ? "（\(e.reason.label)\(e.atOnce ? "、即時消滅" : "")）：" + StaffText.periods(e.periods) : ""))
        case .provisionalDeductionDecided(let e):
            add(
                e.decidedOn, "provisional",
                "仮徴収 \(StaffText.fiscalYear(e.fiscalYear))：4月・6月・8月に各\(y(e.amount))（\(e.basis)）")
        case .pensionSwitchRecorded(let e): add(e.on, "pension switch", e.change.label)
        case .pensionDeductionNotified(let e):
            add(
                e.notifiedOn, "pension notice",
                "特別徴収 \(StaffText.fiscalYear(e.fiscalYear)) を年金保険者へ通知（\(e.reason)）："
                    + e.months.map { "\(PensionDeduction.name(month: $0.dueDate.month)) \(y($0.amount))" }
                    .joined(separator: "、"))
        case .collectionDeferred(let e):
            add(
                e.on, "deferral",
                "徴収猶予 \(e.id) \(e.change.label)（\(e.reason.label)、延滞金\(e.relief.label)）："
                    + (e.days.map { "\(d($0.lowerBound))〜\(d($0.upperBound))" } ?? "猶予期間なし") + "、"
                    + StaffText.periods(e.periods))
        case .seizureRecorded(let e):
            add(e.on, "seizure", "差押 \(e.id) \(e.change.label)：\(StaffText.periods(e.periods))")
        case .eligibilityAcquired(let e): add(e.effectiveFrom, "insured", e.reason.label)
        case .eligibilityLost(let e): add(e.effectiveFrom, "lost", e.reason.label)
        case .personRegistered, .personIdentityCorrected, .householdMembershipRecorded, .addressExceptionStarted,
            .addressExceptionEnded, .formerDependantRecorded, .incomeRecorded, .incomeInquired,
            .personNumbersLinked, .pensionFactsRecorded, .myNumberRecorded, .personErased, .mailRecipientRecorded, .unionDecisionRecorded, .networkInquirySent,
            .access, .notice,
            .counter,
            .rateTableAdopted, .installmentCalendarAdopted,
            .assessmentRunRecorded, .unmatchedPaymentRecorded, .unmatchedPaymentResolved,
            .collectionFileRecorded, .arrearsSettingsAdopted, .arrearsRunRecorded, .fiscalYearClosed:
            break
        }
    }
}
