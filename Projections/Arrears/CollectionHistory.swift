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
        switch event {
        case .premiumAssessed(let e):
            add(
                e.decidedOn, "assessed",
                "FY\(e.fiscalYear.year) \(e.annualPremium.amount) yen in \(e.installments.count) periods (\(e.reason.rawValue)\(e.cause.isEmpty ? "" : ": \(e.cause)"))"
            )
        case .paymentReceived(let e):
            add(
                e.paidOn, "payment",
                "\(e.amount.amount) yen by \(e.channel.rawValue) \(e.id): "
                    + e.parts.map { "\($0.key)=\($0.amount.amount)" }.joined(separator: " ")
                    + (e.overpaid > .zero ? " overpaid \(e.overpaid.amount)" : ""))
        case .paymentCancelled(let e): add(e.cancelledOn, "cancelled", "payment \(e.payment): \(e.reason)")
        case .dunningNoticeIssued(let e):
            add(
                e.issuedOn, "dunning",
                "督促状 \(e.key) \(e.principal.amount) yen, pay by \(e.payBy?.description ?? "-")"
                    + (e.fee > .zero ? ", fee \(e.fee.amount)" : ""))
        case .reminderIssued(let e):
            add(
                e.issuedOn, "reminder",
                "催告書 \(e.periods.map(\.description).joined(separator: " ")) owing \(e.owed.amount) yen")
        case .contactRecorded(let e):
            let words = contactWords[Self.contactKey(e)] ?? nil
            add(
                e.contactedOn, "contact",
                "\(e.change.rawValue) \(e.id) (\(e.method.rawValue))"
                    + (words.map {
                        ": \($0.counterpart) — \($0.content)\($0.promise.isEmpty ? "" : "; promised: \($0.promise)")\($0.reason.isEmpty ? "" : " [\($0.reason)]")"
                    }
                        ?? ": (erased)")
                    + (e.promisedOn.map { " (pay by \($0))" } ?? ""))
        case .overpaymentRecognized(let e):
            add(e.recognizedOn, "overpayment", "\(e.amount.amount) yen off \(e.key) (\(e.cause.rawValue)) \(e.id)")
        case .overpaymentAppropriated(let e):
            add(
                e.decidedOn, "appropriated",
                "\(e.overpayment): " + e.parts.map { "\($0.key)=\($0.amount.amount)" }.joined(separator: " "))
        case .refundDecided(let e):
            add(e.decidedOn, "refund", "\(e.id) \(e.amount.amount) yen + interest \(e.interest.amount)")
        case .refundPaid(let e): add(e.paidOn, "refund paid", "\(e.refund)\(e.heir == nil ? "" : " to an heir")")
        case .refundPrescribed(let e):
            add(
                e.recordedOn, "refund prescribed",
                "\(e.amount.amount) yen of overpayment \(e.overpayment)\(e.refund.map { " (refund \($0) lapses)" } ?? ""), the right ended \(e.lastDay)"
            )
        case .debitMandateStarted(let e): add(e.startsOn, "debit", "mandate from \(e.startsOn)")
        case .debitPrepaymentChosen(let e):
            add(e.on, "debit", e.change == .chosen ? "全期前納を選択" : "全期前納を取消")
        case .slipReissued(let e):
            add(
                e.issuedOn, "slip",
                "コンビニ納付書 再発行 \(e.count) \(e.key): \(e.amount.amount) yen by \(e.deadline) (\(e.reason))")
        case .debitApplicationRecorded(let e):
            add(
                e.on, "debit",
                "口座振替依頼書 \(e.id) \(e.change.rawValue)" + (e.reason.isEmpty ? "" : " (\(e.reason))"))
        case .debitMandateStopped(let e): add(e.stopsOn, "debit", "mandate stopped: \(e.reason)")
        case .debitRequested(let e): add(e.debitDate, "debit", "requested \(e.key) \(e.amount.amount) yen")
        case .debitFailed(let e):
            add(e.debitDate, "debit failed", "\(e.key) \(e.amount.amount) yen, code \(e.resultCode)")
        case .conveniencePaymentReported(let e):
            add(e.paidOn, "store report", "速報 \(e.key) \(e.amount.amount) yen at store \(e.store)")
        case .pensionDeductionStopped(let e): add(e.stoppedFrom, "pension", e.reason)
        case .lateFeeFinalized(let e):
            add(e.paidOffOn, "late fee", "確定延滞金 \(e.key) \(e.fee.amount) yen")
        case .reductionDecided(let e):
            add(
                e.decidedOn, "reduction",
                "減免 \(e.id) \(e.reason): " + e.parts.map { "\($0.key)=\($0.amount.amount)" }.joined(separator: " ")
                    + (e.waiveLateFees ? ", late fees waived" : ""))
        case .writtenOff(let e):
            add(
                e.writtenOffOn, "written off",
                "不納欠損 \(e.key) \(e.premium.amount) yen\(e.lateFee > .zero ? " + late fee \(e.lateFee.amount)" : "") (\(e.reason.rawValue), expired after \(e.lastDay))"
            )
        case .installmentPlanRecorded(let e):
            add(
                e.on, "plan",
                "分納 \(e.id) \(e.change.rawValue)"
                    + (e.schedule.isEmpty
                        ? "" : ": \(e.schedule.count) payments, \(e.schedule.map(\.amount).sum().amount) yen")
                    + (e.pledge ? ", pledge (誓約)" : "") + (e.reason.isEmpty ? "" : " — \(e.reason)"))
        case .enforcementStopped(let e):
            add(
                e.on, "enforcement stop",
                "執行停止 \(e.id) \(e.change.rawValue)"
                    + (e.change == .started
                        ? " (\(e.reason.rawValue)\(e.atOnce ? ", extinguished at once" : "")): "
                            + e.periods.map(\.description).joined(separator: " ") : ""))
        case .provisionalDeductionDecided(let e):
            add(
                e.decidedOn, "provisional",
                "仮徴収 FY\(e.fiscalYear.year): \(e.amount.amount) yen in April, June and August (\(e.basis))")
        case .pensionSwitchRecorded(let e):
            add(
                e.on, "pension switch",
                e.change == .requested
                    ? "特別徴収から口座振替への切替を申出" : "特別徴収から口座振替への切替を取消")
        case .pensionDeductionNotified(let e):
            add(
                e.notifiedOn, "pension notice",
                "特別徴収 FY\(e.fiscalYear.year) told to the insurer (\(e.reason)): "
                    + e.months.map { "\(PensionDeduction.name(month: $0.dueDate.month)) \($0.amount.amount)" }
                    .joined(separator: ", "))
        case .collectionDeferred(let e):
            add(
                e.on, "deferral",
                "徴収猶予 \(e.id) \(e.change.rawValue) (\(e.reason.rawValue), late fee \(e.relief.rawValue)): "
                    + (e.days.map { "\($0.lowerBound) … \($0.upperBound)" } ?? "none deferred") + ", "
                    + e.periods.map(\.description).joined(separator: " "))
        case .seizureRecorded(let e):
            add(
                e.on, "seizure",
                "差押 \(e.id) \(e.change.rawValue): \(e.periods.map(\.description).joined(separator: " "))")
        case .eligibilityAcquired(let e): add(e.effectiveFrom, "insured", e.reason.rawValue)
        case .eligibilityLost(let e): add(e.effectiveFrom, "lost", e.reason.rawValue)
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
