import Foundation
import KokiDomain
import KokiEvents
import KokiNotices
import KokiInterchange
import KokiProjections
import LedgerStore

/// Builds the city's notices from the ledger as it stood at a position, issues them (recording a
/// ``DocumentIssued`` per document and a ``NoticeRunRecorded`` per batch), and rebuilds any past
/// document identically from its recorded position.
public struct Notices: Sendable {
    public let ledger: KokiLedger

    @_spi(Batch) public init(_ ledger: KokiLedger) { self.ledger = ledger }

    // MARK: - Settings and history

    public func settings(through position: Int64? = nil) throws -> NoticeSettings? {
        var settings: NoticeSettings?
        var query = EventQuery.stream(try StreamName(NoticeSettingsAdopted.streamName))
        query.throughPosition = position
        try ledger.forEachEvent(query) { _, event in
            if case .notice(.settingsAdopted(let e)) = event { settings = e.settings }
        }
        return settings
    }

    func required(through position: Int64) throws -> NoticeSettings {
        guard let settings = try settings(through: position) else {
            throw KokiError(
                .invalidInput, "通知書の設定がありません：先に `koki notices settings adopt --file F` で設定してください")
        }
        return settings
    }

    public func adopt(_ settings: NoticeSettings, metadata: CommandMetadata) throws {
        guard settings.barcodeIssuer.count == 6, settings.barcodeIssuer.allSatisfy(\.isASCII),
            settings.barcodeIssuer.allSatisfy(\.isNumber)
        else { throw KokiError(.invalidInput, "barcodeIssuer '\(settings.barcodeIssuer)' must be 6 digits") }
        guard (1...60).contains(settings.reminderPayByDays) else {
            throw KokiError(.invalidInput, "reminderPayByDays \(settings.reminderPayByDays) must be 1…60")
        }
        try ledger.record([.notice(.settingsAdopted(NoticeSettingsAdopted(settings: settings)))], metadata: metadata)
    }

    /// A person's documents (文書発行履歴), oldest first.
    public func history(of person: PersonID) throws -> [(
        document: DocumentIssued, recordedAt: Timestamp, actor: String
    )] {
        var documents: [(DocumentIssued, Timestamp, String)] = []
        try ledger.forEachEvent(.stream(try StreamName(DocumentIssued.stream(person)))) { view, event in
            if case .notice(.documentIssued(let d)) = event {
                documents.append((d, view.command.recordedAt, view.command.actor))
            }
        }
        return documents
    }

    /// Every document issued, by number (the first issue of each).
    func issued() throws -> [String: DocumentIssued] {
        var query = EventQuery()
        query.types = [DocumentIssued.eventType]
        var documents: [String: DocumentIssued] = [:]
        try ledger.forEachEvent(query) { _, event in
            if case .notice(.documentIssued(let d)) = event, d.reissueOf == nil { documents[d.number] = d }
        }
        return documents
    }

    // MARK: - Building

    /// What one person's notices need from the register: their name and address (opened), or
    /// `nil` when they were erased.
    struct Addressee: Equatable {
        var name: String
        var address: String
    }

    /// A document koki did not address because the person has died (死亡) and nobody is recorded
    /// to receive their mail: held for the counter (送付先未確定), never addressed to the dead.
    public struct Held: Sendable, Hashable, Codable {
        public var person: PersonID
        public var diedOn: CivilDate
    }

    /// The documents a batch builds, and those it holds for the counter.
    public struct Built: Sendable {
        public var notices: [Notice] = []
        public var held: [Held] = []
    }

    /// How a document is addressed.
    enum Addressing {
        /// Mail: to the agent (代理人) or the mailing address (送付先) recorded, else to the person;
        /// after a death to the heirs' representative (相続人代表者) as 「故 ○○ 様 相続人代表者 ○○ 様」,
        /// or to nobody — the document is held (送付先未確定).
        case mail
        /// Handed over at the counter (a certificate): to the person; after a death to the heirs'
        /// representative, or 「故 ○○ 様 相続人 様」.
        case counter
        /// As koki addressed documents before 2026-12, for reissuing those: the person by name.
        case asBefore
    }

    /// Whom each person's documents are addressed to, as the ledger stands at `position` (`living`),
    /// and the persons nobody receives them for (`deceased`, with their day of death).
    func addressed(_ persons: Set<PersonID>, through position: Int64, _ addressing: Addressing = .mail) throws -> (
        living: [PersonID: Addressee], deceased: [PersonID: CivilDate]
    ) {
        var sealed: [PersonID: SealedIdentity] = [:]
        var register = InsuredRegister()
        func take(_ event: KokiEvent) {
            switch event {
            case .personRegistered(let e) where persons.contains(e.person):
                sealed[e.person] = e.identity
                register.apply(event)
            case .personIdentityCorrected(let e) where persons.contains(e.person): sealed[e.person] = e.identity
            case .eligibilityLost(let e) where persons.contains(e.person): register.apply(event)
            case .mailRecipientRecorded(let e) where persons.contains(e.person): register.apply(event)
            default: break
            }
        }
        // A few persons: their own streams; a batch: one pass over the identity events.
        let few = persons.count <= 200
        for query in try few
            ? persons.map({ person -> EventQuery in
                var q = EventQuery.stream(try StreamName(person.streamName))
                q.throughPosition = position
                return q
            })
            : [EventQuery.through(position: position)]
        {
            var query = query
            query.types = [
                PersonRegistered.eventType, PersonIdentityCorrected.eventType, EligibilityLost.eventType,
                MailRecipientRecorded.eventType,
            ]
            query.readsEnvelopes = false
            try ledger.forEachEvent(query) { _, event in take(event) }
        }
        let vault = few ? IdentityVault(ledger) : try IdentityVault.preloaded(ledger, for: persons)
        var out: [PersonID: Addressee] = [:]
        var deceased: [PersonID: CivilDate] = [:]
        func line(_ postalCode: PostalCode?, _ address: String) -> String {
            (postalCode.map { "\($0) " } ?? "") + address
        }
        for (person, identity) in sealed {
            guard let open = try vault.open(identity, for: person) else { continue }
            let entry = register.person(person)
            func recipient(_ role: MailRecipient.Role) throws -> MailRecipient? {
                guard addressing != .asBefore, let sealed = entry?.mailRecipients[role]?.recipient else { return nil }
                return try vault.openRecipient(sealed, role: role, for: person)
            }
            let own = Addressee(name: open.nameKanji + " 様", address: line(open.postalCode, open.address))
            if let died = entry?.diedOn, addressing != .asBefore {
                if let heir = try recipient(.heirRepresentative) {
                    out[person] = Addressee(
                        name: "故 \(open.nameKanji) 様 相続人代表者 \(heir.name) 様",
                        address: line(heir.postalCode, heir.address))
                } else if addressing == .counter {
                    out[person] = Addressee(name: "故 \(open.nameKanji) 様 相続人 様", address: own.address)
                } else {
                    deceased[person] = died
                }
            } else if addressing == .mail, let agent = try recipient(.agent) {
                out[person] = Addressee(
                    name: "\(open.nameKanji) 様 代理人 \(agent.name) 様", address: line(agent.postalCode, agent.address))
            } else if addressing == .mail, let mailing = try recipient(.mailingAddress) {
                out[person] = Addressee(
                    name: own.name,
                    address: line(mailing.postalCode, mailing.address)
                        + (mailing.name.isEmpty ? "" : " \(mailing.name) 方"))
            } else {
                out[person] = own
            }
        }
        return (out, deceased)
    }

    /// A batch's documents, with the held ones of the deceased it was asked to address.
    func built(_ to: (living: [PersonID: Addressee], deceased: [PersonID: CivilDate]), _ notices: [Notice]) -> Built {
        Built(
            notices: notices,
            held: to.deceased.sorted { $0.key < $1.key }.map { Held(person: $0.key, diedOn: $0.value) })
    }

    static func head(_ number: String, _ date: CivilDate, _ to: Addressee) -> [(String, String)] {
        [
            ("documentNumber", number), ("noticeDate", JapaneseEra.format(date)), ("addresseeName", to.name),
            ("addresseeAddress", to.address),
        ]
    }

    static func contact(_ s: NoticeSettings) -> [(String, String)] {
        [
            ("city", s.city), ("issuer", s.issuer), ("department", s.department), ("contactAddress", s.address),
            ("contactPhone", s.phone),
        ]
    }

    static func number(_ kind: NoticeKind, _ date: CivilDate, _ person: PersonID, _ sequence: Int) -> String {
        let d = date.description.replacingOccurrences(of: "-", with: "")
        return "\(kind.numberPrefix)\(d)-\(person.value)-\(sequence)"
    }

    static func barcode(_ settings: NoticeSettings, _ person: PersonID, _ key: PeriodKey, due: CivilDate, _ amount: Yen)
        -> (slip: String, barcode: String)
    {
        guard let slip = try? SlipNumber(person: person, key: key),
            let code = try? ConvenienceBarcode(
                issuer: settings.barcodeIssuer, slip: slip, reissue: 0, deadline: due, amount: amount)
        else { return ("", "") }
        return (slip.description, code.description)
    }

    /// The payment notice of one assessment (保険料額決定通知書兼納入通知書). After a 更正
    /// (`previous`: the assessment it replaced) it is the 変更決定通知書: it prints the old annual
    /// amount beside the new and each period's old amount beside the new (0 for a new 随時期).
    /// A year collected by pension deduction names each row by its pension month —
    /// 「4月（仮徴収）」 … 「2月（本徴収）」 — not as 1期–6期. `statingChange: false` is the form koki
    /// printed before 2026-12, and `pensionMonths: false` the form before the pension months were
    /// named, both for reissues.
    static func payment(
        _ assessed: PremiumAssessed, previous: PremiumAssessed?, at assessedPosition: Int64, to: Addressee,
        number: String, on date: CivilDate, builtFrom: Int64, settings: NoticeSettings, statingChange: Bool = true,
        pensionMonths: Bool = true
    ) -> Notice {
        let change = assessed.reason == .annual || assessed.reason == .joinedDuringYear ? nil : previous
        let before = Dictionary(
            (change?.installments ?? []).map { ($0.period, $0.amount) }, uniquingKeysWith: { $1 })
        let breakdown = assessed.breakdown
        // An adopted union figure is not koki's calculation: the notice states the figure, not
        // a breakdown that would add up to another.
        let adopted = assessed.reason == .unionAdopted
        let components = adopted ? [] : breakdown?.components ?? []
        let reduction = breakdown?.judgment.reduction ?? .none
        let reason: String =
            switch assessed.reason {
            case .annual: "当初賦課"
            case .joinedDuringYear: "資格取得による賦課"
            case .reassessment: "賦課の更正"
            case .collectionChanged: "徴収方法の変更"
            case .collectionStarted: "特別徴収の開始"
            case .unionAdopted: "賦課の更正（広域連合の決定による）"
            }
        let rows: [[(String, String)]] = assessed.installments.map { i in
            let key = PeriodKey(assessed.fiscalYear, i.period)
            let ordinary = assessed.method(of: i.period) == .ordinary
            let (slip, code) = ordinary ? barcode(settings, assessed.person, key, due: i.dueDate, i.amount) : ("", "")
            let previousAmount: [(String, String)] =
                statingChange ? [("previousAmount", change == nil ? "" : printed(before[i.period] ?? .zero))] : []
            let label =
                pensionMonths && !ordinary ? PensionDeduction.name(month: i.dueDate.month) : "\(i.period.number)期"
            return [
                ("period", label), ("dueDate", JapaneseEra.format(i.dueDate)),
                ("amount", printed(i.amount)),
            ] + previousAmount + [("slipNumber", slip), ("barcode", code)]
        }
        let previousAnnual: [(String, String)] =
            statingChange ? [("previousAnnualPremium", change.map { printed($0.annualPremium) } ?? "")] : []
        let fields =
            head(number, date, to) + [
                ("fiscalYear", JapaneseEra.format(fiscalYear: assessed.fiscalYear)), ("reason", reason),
                ("annualPremium", printed(assessed.annualPremium)),
            ] + previousAnnual + [
                ("incomeBase", breakdown?.incomeBase.map(printed) ?? "不明"),
                ("perCapita", printed(Yen(components.map(\.perCapitaAfterReduction.amount).reduce(0, +)))),
                ("incomePart", printed(Yen(components.map(\.incomePart.amount).reduce(0, +)))),
                (
                    "reduction",
                    adopted ? "広域連合の決定による" : reduction == .none ? "なし" : "均等割\(reduction.rawValue)割軽減"
                ),
                ("months", "\(breakdown?.months ?? 12)か月"),
                ("collectionMethod", collectionMethod(assessed)),
            ] + contact(settings)
        return Notice(
            kind: .payment, number: number, person: assessed.person,
            subject: "FY\(assessed.fiscalYear.year)@\(assessedPosition)", reason: reason, issuedOn: date,
            builtFrom: builtFrom, fields: fields, rows: rows, amount: assessed.annualPremium)
    }

    /// How the year is paid, as the payment notice states it: by pension deduction, ordinarily,
    /// or both (併用徴収: an increase during a deducted year is paid ordinarily).
    static func collectionMethod(_ assessed: PremiumAssessed) -> String {
        switch (assessed.pensionInstallments.isEmpty, assessed.ordinaryInstallments.isEmpty) {
        case (true, _): "普通徴収（納付書・口座振替）"
        case (false, true): "特別徴収（年金からの天引き）"
        case (false, false): "特別徴収（年金からの天引き）と普通徴収（納付書・口座振替）の併用"
        }
    }

    /// Numbers for new documents of `kind` dated `date`: the next sequence per person.
    func sequences(_ kind: NoticeKind, on date: CivilDate) throws -> [PersonID: Int] {
        var next: [PersonID: Int] = [:]
        for d in try issued().values where d.kind == kind && d.issuedOn == date { next[d.person, default: 1] += 1 }
        return next
    }

    /// The next sequence for one person (their own documents only).
    func sequence(_ kind: NoticeKind, on date: CivilDate, for person: PersonID) throws -> Int {
        try history(of: person).filter {
            $0.document.kind == kind && $0.document.issuedOn == date && $0.document.reissueOf == nil
        }.count + 1
    }

    /// Payment notices for every person whose current assessment of `fiscalYear` (as the ledger
    /// stands at `position`) has none yet: the annual run's, and after a reassessment the 更正.
    public func paymentNotices(fiscalYear: FiscalYear, on date: CivilDate, at position: Int64) throws -> [Notice] {
        try paymentBatch(fiscalYear: fiscalYear, on: date, at: position).notices
    }

    public func paymentBatch(fiscalYear: FiscalYear, on date: CivilDate, at position: Int64) throws -> Built {
        let settings = try required(through: position)
        var latest: [PersonID: (PremiumAssessed, Int64)] = [:]
        var replaced: [PersonID: PremiumAssessed] = [:]
        var query = EventQuery.through(position: position)
        query.types = [PremiumAssessed.eventType, PersonErased.eventType]
        query.readsEnvelopes = false
        var erased = Set<PersonID>()
        try ledger.forEachEvent(query) { view, event in
            switch event {
            case .premiumAssessed(let e) where e.fiscalYear == fiscalYear:
                replaced[e.person] = latest[e.person]?.0
                latest[e.person] = (e, view.position)
            case .personErased(let e): erased.insert(e.person)
            default: break
            }
        }
        let noticed = Set(
            try issued().values.filter { $0.kind == .payment }.map { "\($0.person.value)/\($0.subject)" })
        let due = latest.filter { person, value in
            !erased.contains(person) && !noticed.contains("\(person.value)/FY\(fiscalYear.year)@\(value.1)")
        }
        let to = try addressed(Set(due.keys), through: position)
        let sequences = try sequences(.payment, on: date)
        return built(
            to,
            due.keys.sorted().compactMap { person in
                guard let addressee = to.living[person], let (assessed, at) = due[person] else { return nil }
                return Self.payment(
                    assessed, previous: replaced[person], at: at, to: addressee,
                    number: Self.number(.payment, date, person, sequences[person] ?? 1), on: date, builtFrom: position,
                    settings: settings)
            })
    }

    /// Dunning letters (督促状) for the notices the dunning run of `date` decided.
    public func dunningLetters(on date: CivilDate, at position: Int64) throws -> [Notice] {
        try dunningBatch(on: date, at: position).notices
    }

    public func dunningBatch(on date: CivilDate, at position: Int64) throws -> Built {
        let settings = try required(through: position)
        var decided: [DunningNoticeIssued] = []
        var query = EventQuery.through(position: position)
        query.types = [DunningNoticeIssued.eventType]
        query.readsEnvelopes = false
        try ledger.forEachEvent(query) { _, event in
            if case .dunningNoticeIssued(let e) = event, e.issuedOn == date { decided.append(e) }
        }
        let to = try addressed(Set(decided.map(\.person)), through: position)
        let arrears = ArrearsCommands(ledger)
        var perPerson: [PersonID: Int] = try sequences(.dunning, on: date)
        var notices: [Notice] = []
        for d in decided.sorted(by: { ($0.person, $0.key) < ($1.person, $1.key) }) {
            guard let addressee = to.living[d.person] else { continue }
            let periods = try arrears.arrears(of: d.person, on: date, knownAt: .position(position))
            let period = periods.first { $0.key == d.key }
            guard let due = try dueDate(of: d, period: period, at: position) else {
                throw KokiError(.invalidInput, "dunning notice for \(d.person) \(d.key): the person has no such period")
            }
            let sequence = perPerson[d.person] ?? 1
            perPerson[d.person] = sequence + 1
            notices.append(
                Self.dunning(
                    d, period: period, due: due, to: addressee, number: Self.number(.dunning, date, d.person, sequence),
                    on: date, builtFrom: position, settings: settings))
        }
        return built(to, notices)
    }

    /// The 納期限 a dunning letter prints: the period's own, also when it was paid since the run
    /// (and so is no longer among the person's arrears).
    func dueDate(of d: DunningNoticeIssued, period: ArrearsCommands.PeriodArrears?, at position: Int64) throws
        -> CivilDate?
    {
        if let period { return period.dueDate }
        return try CollectionCommands(ledger).load(d.person, knownAt: .position(position)).account.periods[d.key]?
            .dueDate
    }

    static func dunning(
        _ d: DunningNoticeIssued, period: ArrearsCommands.PeriodArrears?, due: CivilDate, to: Addressee,
        number: String, on date: CivilDate, builtFrom: Int64, settings: NoticeSettings
    ) -> Notice {
        let owed = period?.outstanding ?? d.principal
        let (slip, code) = barcode(settings, d.person, d.key, due: d.payBy ?? due, owed)
        let fields =
            head(number, date, to) + [
                ("fiscalYear", JapaneseEra.format(fiscalYear: d.fiscalYear)), ("period", "\(d.period.number)期"),
                ("dueDate", JapaneseEra.format(due)), ("principal", printed(owed)),
                ("lateFeeToDate", printed(period?.lateFeeOwed ?? .zero)), ("dunningFee", printed(d.fee)),
                ("payBy", d.payBy.map(JapaneseEra.format) ?? ""), ("slipNumber", slip), ("barcode", code),
            ] + contact(settings)
        return Notice(
            kind: .dunning, number: number, person: d.person, subject: "\(d.key)", reason: "督促", issuedOn: date,
            builtFrom: builtFrom, fields: fields, rows: [], amount: owed + d.fee)
    }

    /// Reminder letters (催告書) for the reminders recorded on `date`.
    public func reminderLetters(on date: CivilDate, at position: Int64) throws -> [Notice] {
        try reminderBatch(on: date, at: position).notices
    }

    public func reminderBatch(on date: CivilDate, at position: Int64) throws -> Built {
        let settings = try required(through: position)
        var decided: [ReminderIssued] = []
        var query = EventQuery.through(position: position)
        query.types = [ReminderIssued.eventType]
        query.readsEnvelopes = false
        try ledger.forEachEvent(query) { _, event in
            if case .reminderIssued(let e) = event, e.issuedOn == date { decided.append(e) }
        }
        let to = try addressed(Set(decided.map(\.person)), through: position)
        let arrears = ArrearsCommands(ledger)
        let sequences = try sequences(.reminder, on: date)
        // The date to pay by: the days of the settings, moved off a day the office is closed.
        let payBy = try ledger.businessCalendar(around: date, through: position)
            .onOrAfter(date.adding(days: settings.reminderPayByDays))
        return built(
            to,
            try decided.sorted(by: { $0.person < $1.person }).compactMap { r in
                guard let addressee = to.living[r.person] else { return nil }
                let periods = try arrears.arrears(of: r.person, on: date, knownAt: .position(position))
                return Self.reminder(
                    r, periods: periods, to: addressee,
                    number: Self.number(.reminder, date, r.person, sequences[r.person] ?? 1),
                    on: date, payBy: payBy, builtFrom: position, settings: settings)
            })
    }

    static func reminder(
        _ r: ReminderIssued, periods: [ArrearsCommands.PeriodArrears], to: Addressee, number: String,
        on date: CivilDate, payBy: CivilDate, builtFrom: Int64, settings: NoticeSettings
    ) -> Notice {
        let named = periods.filter { r.periods.contains($0.key) }
        let owed = Yen(named.map(\.outstanding.amount).reduce(0, +))
        let fields =
            head(number, date, to) + [
                ("totalOwed", printed(owed)),
                ("lateFeeToDate", printed(Yen(named.map(\.lateFeeOwed.amount).reduce(0, +)))),
                ("payBy", JapaneseEra.format(payBy)),
            ] + contact(settings)
        let rows = named.map {
            [
                ("period", "\(JapaneseEra.format(fiscalYear: $0.key.fiscalYear)) \($0.key.period.number)期"),
                ("dueDate", JapaneseEra.format($0.dueDate)), ("owed", printed($0.outstanding)),
            ]
        }
        return Notice(
            kind: .reminder, number: number, person: r.person,
            subject: r.periods.map(\.description).joined(separator: ","), reason: "催告", issuedOn: date,
            builtFrom: builtFrom, fields: fields, rows: rows, amount: owed)
    }

    /// Refund notices (還付通知書) for the refunds decided from `from` through `through`.
    public func refundNotices(decidedFrom from: CivilDate, through: CivilDate, on date: CivilDate, at position: Int64)
        throws -> [Notice]
    {
        try refundBatch(decidedFrom: from, through: through, on: date, at: position).notices
    }

    public func refundBatch(decidedFrom from: CivilDate, through: CivilDate, on date: CivilDate, at position: Int64)
        throws -> Built
    {
        let settings = try required(through: position)
        var decided: [RefundDecided] = []
        var query = EventQuery.through(position: position)
        query.types = [RefundDecided.eventType]
        query.readsEnvelopes = false
        try ledger.forEachEvent(query) { _, event in
            if case .refundDecided(let e) = event, from <= e.decidedOn, e.decidedOn <= through { decided.append(e) }
        }
        let to = try addressed(Set(decided.map(\.person)), through: position)
        var perPerson = try sequences(.refund, on: date)
        var notices: [Notice] = []
        for r in decided.sorted(by: { ($0.person, $0.id) < ($1.person, $1.id) }) {
            guard let addressee = to.living[r.person] else { continue }
            let sequence = perPerson[r.person] ?? 1
            perPerson[r.person] = sequence + 1
            notices.append(
                Self.refund(
                    r, to: addressee, number: Self.number(.refund, date, r.person, sequence), on: date,
                    builtFrom: position, settings: settings))
        }
        return built(to, notices)
    }

    static func refund(
        _ r: RefundDecided, to: Addressee, number: String, on date: CivilDate, builtFrom: Int64,
        settings: NoticeSettings
    ) -> Notice {
        let fields =
            head(number, date, to) + [
                ("refundNumber", r.id), ("refundAmount", printed(r.amount)), ("interest", printed(r.interest)),
                ("total", printed(r.amount + r.interest)), ("decidedOn", JapaneseEra.format(r.decidedOn)),
                ("reason", "保険料の過誤納（\(r.overpayment)）"),
            ] + contact(settings)
        return Notice(
            kind: .refund, number: number, person: r.person, subject: r.id, reason: "還付決定", issuedOn: date,
            builtFrom: builtFrom, fields: fields, rows: [], amount: r.amount + r.interest)
    }

    /// 口座振替開始通知書 for the mandates the bank accepted from `from` through `through`: the
    /// account (its number masked but for the last three digits), the day debits start and the
    /// periods to be debited from then — the first of them is the first debit.
    public func debitStartBatch(
        acceptedFrom from: CivilDate, through: CivilDate, on date: CivilDate, at position: Int64
    )
        throws -> Built
    {
        let settings = try required(through: position)
        var accepted: [DebitApplicationRecorded] = []
        var query = EventQuery.through(position: position)
        query.types = [DebitApplicationRecorded.eventType]
        query.readsEnvelopes = false
        try ledger.forEachEvent(query) { _, event in
            if case .debitApplicationRecorded(let e) = event, e.change == .accepted, from <= e.on, e.on <= through {
                accepted.append(e)
            }
        }
        let to = try addressed(Set(accepted.map(\.person)), through: position)
        var perPerson = try sequences(.debitStart, on: date)
        var notices: [Notice] = []
        let collection = CollectionCommands(ledger)
        for a in accepted.sorted(by: { ($0.person, $0.id) < ($1.person, $1.id) }) {
            guard let addressee = to.living[a.person] else { continue }
            let sequence = perPerson[a.person] ?? 1
            perPerson[a.person] = sequence + 1
            let state = try collection.load(a.person, knownAt: .position(position))
            guard
                let notice = try debitStart(
                    a, state: state, vault: collection.vault, to: addressee,
                    number: Self.number(.debitStart, date, a.person, sequence), on: date,
                    builtFrom: position, settings: settings)
            else { continue }  // erased after retention
            notices.append(notice)
        }
        return built(to, notices)
    }

    func debitStart(
        _ a: DebitApplicationRecorded, state: PersonCollectionState, vault: IdentityVault, to: Addressee,
        number: String, on date: CivilDate, builtFrom: Int64, settings: NoticeSettings
    ) throws -> Notice? {
        guard let sealed = state.account.applicationAccount(a.id),
            let bank = try vault.openAccount(sealed, for: a.person)
        else { return nil }
        // The periods paid ordinarily and still owing, due from the day the mandate starts.
        var debited: [(key: PeriodKey, value: CollectionAccounts.Period)] = []
        for (key, period) in state.account.periods.sorted(by: { $0.key < $1.key }) {
            guard period.dueDate >= a.on, period.outstanding > .zero else { continue }
            guard state.assessment(key.fiscalYear, { $0.method(of: key.period) }) == .ordinary else { continue }
            debited.append((key, period))
        }
        let accountType = [1: "普通", 2: "当座", 3: "納税準備"][bank.accountType] ?? "その他"
        let first = debited.first.map {
            "\(JapaneseEra.format($0.value.dueDate))（\(JapaneseEra.format(fiscalYear: $0.key.fiscalYear)) \($0.key.period.number)期 \(printed($0.value.outstanding))円）"
        }
        let fields =
            Self.head(number, date, to) + [
                ("application", a.id), ("bank", bank.bankCode), ("branch", bank.branchCode),
                ("accountType", accountType),
                (
                    "account",
                    String(repeating: "*", count: max(0, bank.accountNumber.count - 3)) + bank.accountNumber.suffix(3)
                ),
                ("holder", bank.holderKana), ("startsOn", JapaneseEra.format(a.on)),
                ("firstDebit", first ?? "次の納期限から（現在、振替の対象となる保険料はありません）"),
            ] + Self.contact(settings)
        let rows = debited.map { key, period in
            [
                ("period", "\(JapaneseEra.format(fiscalYear: key.fiscalYear)) \(key.period.number)期"),
                ("dueDate", JapaneseEra.format(period.dueDate)), ("amount", printed(period.outstanding)),
            ]
        }
        return Notice(
            kind: .debitStart, number: number, person: a.person, subject: a.id, reason: "口座振替開始", issuedOn: date,
            builtFrom: builtFrom, fields: fields, rows: rows, amount: debited.map(\.value.outstanding).sum())
    }

    /// A payment certificate (納付済確認書): the payments credited to `fiscalYear`'s periods.
    public func certificate(_ person: PersonID, fiscalYear: FiscalYear, on date: CivilDate, at position: Int64) throws
        -> Notice
    {
        try certificate(person, covering: .fiscalYear(fiscalYear), on: date, at: position)
    }

    /// A payment certificate for a fiscal year's periods, or for the money received in a calendar
    /// year (1 January – 31 December, whatever year's periods it paid: the 社会保険料控除 of the
    /// 確定申告).
    public func certificate(_ person: PersonID, covering span: CertificateSpan, on date: CivilDate, at position: Int64)
        throws -> Notice
    {
        let settings = try required(through: position)
        guard let addressee = try addressed([person], through: position, .counter).living[person]
        else {
            throw KokiError(.invalidInput, "被保険者番号 \(person) の方は被保険者台帳にいないか、消去されています")
        }
        let state = try CollectionCommands(ledger).load(person, knownAt: .position(position))
        let sequence = try self.sequence(.certificate, on: date, for: person)
        return Self.certificate(
            state.account, person: person, covering: span, to: addressee,
            number: Self.number(.certificate, date, person, sequence), on: date, builtFrom: position, settings: settings
        )
    }

    /// A payment deducted from the pension is named by its pension month (「8月（仮徴収）」);
    /// `pensionMonths: false` is the form before, for reissues.
    static func certificate(
        _ account: CollectionAccounts.Account, person: PersonID, covering span: CertificateSpan, to: Addressee,
        number: String, on date: CivilDate, builtFrom: Int64, settings: NoticeSettings, pensionMonths: Bool = true
    ) -> Notice {
        var rows: [[(String, String)]] = []
        var total = Yen.zero
        for payment in account.payments where !payment.isCancelled {
            for part in payment.event.parts
            where part.charge == .premium && span.covers(part.key, paidOn: payment.event.paidOn) {
                total = total + part.amount
                let number = part.key.period.number
                // A deduction is made on the pension day of its month (a new starter's pension
                // months are numbered after the ordinary periods, so the month is the day's).
                let name =
                    pensionMonths && payment.event.channel == .pensionDeduction
                    ? PensionDeduction.name(month: payment.event.paidOn.month) : "\(number)期"
                let period =
                    switch span {
                    case .fiscalYear: name
                    case .calendarYear: "\(JapaneseEra.format(fiscalYear: part.key.fiscalYear)) \(name)"
                    }
                rows.append([
                    ("paidOn", JapaneseEra.format(payment.event.paidOn)), ("period", period),
                    ("amount", printed(part.amount)), ("channel", printedChannel(payment.event.channel)),
                ])
            }
        }
        let fields =
            head(number, date, to) + [("fiscalYear", span.printed), ("totalPaid", printed(total))] + contact(settings)
        return Notice(
            kind: .certificate, number: number, person: person, subject: span.subject, reason: "申請による発行",
            issuedOn: date, builtFrom: builtFrom, fields: fields, rows: rows, amount: total)
    }

    // MARK: - Issuing and reissuing

    /// Records the documents (and, for a batch, the run with its print file's hash) in one command.
    /// Records the documents (and the run, with a file); answers the numbers as recorded — for
    /// a command sent again, those of the documents it recorded then.
    @discardableResult
    public func record(
        _ notices: [Notice], run fileHash: [UInt8]?, metadata: CommandMetadata
    ) throws -> [String] {
        guard let first = notices.first else { return [] }
        var events: [KokiEvent] = notices.map { .notice(.documentIssued($0.issued())) }
        if let fileHash {
            events.append(
                .notice(
                    .runRecorded(
                        NoticeRunRecorded(
                            kind: first.kind, issuedOn: first.issuedOn, builtFrom: first.builtFrom,
                            documents: notices.count, total: Yen(notices.map(\.amount.amount).reduce(0, +)),
                            fileHash: fileHash))))
        }
        return try ledger.recordReturningStored(events, metadata: metadata).events.compactMap {
            if case .notice(.documentIssued(let issued)) = $0 { issued.number } else { nil }
        }
    }

    /// The document `number` built again from the ledger at the position it was first built from:
    /// byte for byte the same print record (checked against the recorded hash).
    public func rebuild(_ number: String) throws -> Notice {
        // The number names the person (KIND+DATE-PERSON-N): only their documents are read.
        let parts = number.split(separator: "-")
        guard parts.count == 3, let person = try? PersonID(String(parts[1])),
            let original = try history(of: person).map(\.document).first(where: {
                $0.number == number && $0.reissueOf == nil
            })
        else {
            throw KokiError(.invalidInput, "文書 \(number) は発行されていません")
        }
        let position = original.builtFrom
        let settings = try required(through: position)
        // Built again as it was addressed: by today's rule (to the recipient recorded then), or as
        // koki addressed documents before 2026-12 (by name).
        let whom: Set = [original.person]
        guard let named = try addressed(whom, through: position, .asBefore).living[original.person] else {
            throw KokiError(.invalidInput, "\(original.person) の方は消去されているため、文書を再び印刷できません")
        }
        let today = try addressed(whom, through: position, original.kind == .certificate ? .counter : .mail)
            .living[original.person]
        func build(to: Addressee) throws -> Notice {
            let notice: Notice
            switch original.kind {
            case .payment:
                guard let at = Int64(original.subject.split(separator: "@").last ?? ""),
                    case .premiumAssessed(let assessed)? = try event(at: at)
                else { throw KokiError(.undecodableEvent, "document \(number): its assessment is not at its position") }
                var previous: PremiumAssessed?
                var query = EventQuery.stream(try StreamName(original.person.streamName))
                query.throughPosition = at - 1
                query.types = [PremiumAssessed.eventType]
                try ledger.forEachEvent(query) { _, event in
                    if case .premiumAssessed(let e) = event, e.fiscalYear == assessed.fiscalYear { previous = e }
                }
                func payment(statingChange: Bool, pensionMonths: Bool) -> Notice {
                    Self.payment(
                        assessed, previous: previous, at: at, to: to, number: number, on: original.issuedOn,
                        builtFrom: position, settings: settings, statingChange: statingChange,
                        pensionMonths: pensionMonths)
                }
                // A payment notice koki built before 2026-12 did not state a 更正's old amounts, and
                // one built before the pension months were named printed them as 1期–6期.
                notice = Self.asIssued(
                    original, payment(statingChange: true, pensionMonths: true),
                    before: payment(statingChange: true, pensionMonths: false),
                    payment(statingChange: false, pensionMonths: false))
            case .dunning:
                var found: DunningNoticeIssued?
                var query = EventQuery.stream(try StreamName(original.person.streamName))
                query.throughPosition = position
                try ledger.forEachEvent(query) { _, event in
                    if case .dunningNoticeIssued(let e) = event, e.issuedOn == original.issuedOn,
                        "\(e.key)" == original.subject
                    {
                        found = e
                    }
                }
                guard let found else {
                    throw KokiError(.undecodableEvent, "document \(number): its dunning notice is gone")
                }
                let periods = try ArrearsCommands(ledger).arrears(
                    of: original.person, on: original.issuedOn, knownAt: .position(position))
                let period = periods.first { $0.key == found.key }
                func letter(due: CivilDate) -> Notice {
                    Self.dunning(
                        found, period: period, due: due, to: to, number: number, on: original.issuedOn,
                        builtFrom: position, settings: settings)
                }
                // A letter koki built before 2026-12 printed the issue date as 納期限 for a period paid
                // since the run: built again, it is the document that was issued.
                notice = Self.asIssued(
                    original, letter(due: try dueDate(of: found, period: period, at: position) ?? original.issuedOn),
                    before: letter(due: original.issuedOn))
            case .reminder:
                var found: ReminderIssued?
                var query = EventQuery.stream(try StreamName(original.person.streamName))
                query.throughPosition = position
                try ledger.forEachEvent(query) { _, event in
                    if case .reminderIssued(let e) = event, e.issuedOn == original.issuedOn { found = e }
                }
                guard let found else { throw KokiError(.undecodableEvent, "document \(number): its reminder is gone") }
                let periods = try ArrearsCommands(ledger).arrears(
                    of: original.person, on: original.issuedOn, knownAt: .position(position))
                let calendar = try ledger.businessCalendar(around: original.issuedOn, through: position)
                let unmoved = original.issuedOn.adding(days: settings.reminderPayByDays)
                // A reminder koki built before 2026-12 named a date to pay by that could fall on a day
                // the office is closed: built again, it is the document that was issued.
                func letter(payBy: CivilDate) -> Notice {
                    Self.reminder(
                        found, periods: periods, to: to, number: number, on: original.issuedOn, payBy: payBy,
                        builtFrom: position, settings: settings)
                }
                notice = Self.asIssued(
                    original, letter(payBy: calendar.onOrAfter(unmoved)), before: letter(payBy: unmoved))
            case .refund:
                let state = try CollectionCommands(ledger).load(original.person, knownAt: .position(position))
                guard let refund = state.account.refunds.first(where: { $0.decision.id == original.subject }) else {
                    throw KokiError(.undecodableEvent, "document \(number): its refund is gone")
                }
                notice = Self.refund(
                    refund.decision, to: to, number: number, on: original.issuedOn, builtFrom: position,
                    settings: settings)
            case .debitStart:
                let collection = CollectionCommands(ledger)
                let state = try collection.load(original.person, knownAt: .position(position))
                guard
                    let application = state.account.debitApplications.first(where: {
                        $0.id == original.subject && $0.change == .accepted
                    }),
                    let built = try debitStart(
                        application, state: state, vault: collection.vault, to: to, number: number,
                        on: original.issuedOn, builtFrom: position,
                        settings: settings)
                else {
                    throw KokiError(.undecodableEvent, "document \(number): its accepted application is gone")
                }
                notice = built
            case .certificate:
                let state = try CollectionCommands(ledger).load(original.person, knownAt: .position(position))
                guard let span = CertificateSpan(subject: original.subject) else {
                    throw KokiError(
                        .undecodableEvent, "document \(number): its subject \(original.subject) names no year")
                }
                func certificate(pensionMonths: Bool) -> Notice {
                    Self.certificate(
                        state.account, person: original.person, covering: span, to: to, number: number,
                        on: original.issuedOn, builtFrom: position, settings: settings, pensionMonths: pensionMonths)
                }
                // One built before the pension months were named printed them as 1期–6期.
                notice = Self.asIssued(
                    original, certificate(pensionMonths: true), before: certificate(pensionMonths: false))
            }
            return notice
        }
        var notice = try build(to: today ?? named)
        if notice.recordHash != original.recordHash, let today, today != named {
            notice = Self.asIssued(original, notice, before: try build(to: named))
        }
        guard notice.recordHash == original.recordHash else {
            throw KokiError(
                .undecodableEvent,
                "document \(number) built again differs from what was issued: the notice code changed since (logic or template)"
            )
        }
        return notice
    }

    /// The document as it was issued: built by today's rule, or — when only the rule before
    /// matches the recorded print record — by that one (when neither does, today's: the check
    /// after it names the difference).
    static func asIssued(_ original: DocumentIssued, _ current: Notice, before earlier: Notice...) -> Notice {
        guard current.recordHash != original.recordHash else { return current }
        return earlier.first { $0.recordHash == original.recordHash } ?? current
    }

    func event(at position: Int64) throws -> KokiEvent? {
        var query = EventQuery.from(position: position)
        query.throughPosition = position
        var found: KokiEvent?
        try ledger.forEachEvent(query) { _, event in found = event }
        return found
    }
}

/// How a payment came, as a certificate prints it.
func printedChannel(_ channel: PaymentChannel) -> String {
    switch channel {
    case .counter: "窓口"
    case .bankDebit: "口座振替"
    case .convenienceStore: "コンビニエンスストア"
    case .smartphone: "スマートフォン決済"
    case .pensionDeduction: "年金からの天引き"
    }
}

/// What a payment certificate (納付済確認書) covers: a fiscal year's periods, or the money
/// received in a calendar year (for the 社会保険料控除 of the 確定申告).
public enum CertificateSpan: Sendable, Hashable, Codable {
    case fiscalYear(FiscalYear)
    case calendarYear(Int)

    /// The calendar years a certificate may cover.
    public static let calendarYears = 1900...9999

    /// A calendar year, checked (the option named otherwise).
    public static func calendarYear(checked year: Int) throws -> CertificateSpan {
        guard calendarYears.contains(year) else {
            throw KokiError(
                .invalidInput,
                "--calendar-year \(year) is outside \(calendarYears.lowerBound)…\(calendarYears.upperBound)")
        }
        return .calendarYear(year)
    }

    /// `FY2025` or `CY2025`: the document's recorded subject.
    public var subject: String {
        switch self {
        case .fiscalYear(let year): "FY\(year.year)"
        case .calendarYear(let year): "CY\(year)"
        }
    }

    init?(subject: String) {
        guard let year = Int(subject.dropFirst(2)) else { return nil }
        switch subject.prefix(2) {
        case "FY":
            guard let fiscal = try? FiscalYear(year) else { return nil }
            self = .fiscalYear(fiscal)
        case "CY" where Self.calendarYears.contains(year): self = .calendarYear(year)
        default: return nil
        }
    }

    func covers(_ key: PeriodKey, paidOn: CivilDate) -> Bool {
        switch self {
        case .fiscalYear(let year): key.fiscalYear == year
        case .calendarYear(let year): paidOn.year == year
        }
    }

    /// As the certificate prints it: 令和7年度, or 令和7年1月1日から令和7年12月31日までの納付分.
    var printed: String {
        switch self {
        case .fiscalYear(let year): JapaneseEra.format(fiscalYear: year)
        case .calendarYear(let year):
            if let first = try? CivilDate(year: year, month: 1, day: 1),
                let last = try? CivilDate(year: year, month: 12, day: 31)
            {
                "\(JapaneseEra.format(first))から\(JapaneseEra.format(last))までの納付分"
            } else {
                "\(year)年中の納付分"
            }
        }
    }
}
