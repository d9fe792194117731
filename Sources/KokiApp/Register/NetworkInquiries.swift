import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import LedgerStore

extension InsuredRegisterCommands {
    /// The legal basis koki records when none is given: the medical care for the elderly's row of
    /// the My Number Act's second table (番号法 別表第二 82の項 — 高確法 の保険料の賦課・徴収).
    public static let defaultInquiryBasis = "番号法 別表第二 82の項"
    /// What koki asks the network for: income and tax data (地方税関係情報).
    public static let incomeInquiryItem = "地方税関係情報"

    /// Records an inquiry through the information network (情報照会) about `person`'s income of
    /// `year`, sent on `day`: numbered `Q-PERSON-YYYYMMDD-N`. Refused: a person not in the
    /// register, a year koki takes no incomes for, an empty or over-long purpose or basis.
    public func sendInquiry(
        _ person: PersonID, year: Int, purpose: String, legalBasis: String, on day: CivilDate,
        metadata: CommandMetadata
    ) throws -> NetworkInquirySent {
        try ledger.businessCalendar(around: day).requireOpen(day, for: "an inquiry (情報照会)")
        let (entry, version) = try load(person)
        guard let entry else { throw KokiError.notInRegister(person) }
        let year = try incomeYear(year, today: day)
        let stamp = day.description.replacingOccurrences(of: "-", with: "")
        let sameDay = entry.networkInquiries.filter { $0.sentOn == day }.count
        let inquiry = NetworkInquirySent(
            person: person, id: "Q-\(person.value)-\(stamp)-\(sameDay + 1)", item: Self.incomeInquiryItem, year: year,
            legalBasis: try checkedText(legalBasis, field: "--legal-basis"),
            purpose: try checkedText(purpose, field: "--purpose"), sentOn: day)
        try ledger.record(
            [.networkInquirySent(inquiry)], metadata: metadata,
            expecting: [person: version == 0 ? .noStream : .exact(version)])
        return inquiry
    }

    /// What an answer file did.
    public struct NetworkAnswers: Sendable, Hashable, Codable {
        public var rows = 0
        public var recorded = 0
        /// Answers already recorded with the same figures.
        public var unchanged = 0
    }

    /// Imports the network's answers (``NetworkAnswerFile``) learned of on `day`: each row an
    /// income of the inquiry's person, its source naming the inquiry. All rows or none; refused,
    /// naming the line: what the parser refuses, an inquiry koki never sent, an answer for another
    /// year than asked, an answer dated before its inquiry, an inquiry answered before with other
    /// figures. The same file twice records nothing.
    public func importNetworkAnswers(_ bytes: [UInt8], name: String, on day: CivilDate, metadata: CommandMetadata)
        throws -> NetworkAnswers
    {
        try ledger.businessCalendar(around: day).requireOpen(day, for: "the network's answers' import")
        let file: NetworkAnswerFile
        do { file = try NetworkAnswerFile.parse(bytes) } catch { throw KokiError(.invalidInput, "\(name): \(error)") }
        var sent: [String: NetworkInquirySent] = [:]
        var query = EventQuery()
        query.types = [NetworkInquirySent.eventType]
        query.readsEnvelopes = false
        try ledger.forEachEvent(query) { _, event in
            if case .networkInquirySent(let e) = event { sent[e.id] = e }
        }
        var result = NetworkAnswers()
        result.rows = file.rows.count
        var events: [KokiEvent] = []
        for row in file.rows {
            func refuse(_ message: String) -> KokiError { KokiError(.invalidInput, "\(name): line \(row.line): \(message)") }
            guard let inquiry = sent[row.inquiry] else { throw refuse("inquiry \(row.inquiry) was never sent by koki") }
            let figures = row.figures
            guard figures.year == inquiry.year else {
                throw refuse("inquiry \(row.inquiry) asked for \(inquiry.year), the answer is for \(figures.year)")
            }
            guard inquiry.sentOn <= day else {
                throw refuse("inquiry \(row.inquiry) was sent on \(inquiry.sentOn), after the answer's day \(day)")
            }
            let income = IncomeRecorded(figures, person: inquiry.person, source: "情報照会 \(inquiry.id)")
            let earlier = try load(inquiry.person).0?.incomeHistory.last { $0.source == income.source }
            if let earlier {
                guard Self.sameFigures(earlier, income) else {
                    throw refuse("inquiry \(row.inquiry) was answered before with other figures")
                }
                result.unchanged += 1
                continue
            }
            events.append(.incomeRecorded(income))
            result.recorded += 1
        }
        if !events.isEmpty { try ledger.record(events, metadata: metadata) }
        return result
    }
}

/// `income inquire PERSON`: an inquiry through the information network (情報照会), recorded.
public struct SendNetworkInquiry: KokiRequest {
    public static let name = "income inquire"
    public static let function: AccessFunction? = .registerWrite

    public var person: PersonID
    public var year: Int
    public var purpose: String
    public var legalBasis: String
    public var on: CivilDate?

    public init(person: PersonID, year: Int, purpose: String, legalBasis: String, on: CivilDate?) {
        (self.person, self.year, self.purpose, self.legalBasis, self.on) = (person, year, purpose, legalBasis, on)
    }

    public func handle(_ scope: RequestScope) throws -> NetworkInquirySent {
        let day = try InputLimits.decision(on ?? scope.today, today: scope.today, field: "--on")
        return try InsuredRegisterCommands(scope.ledger).sendInquiry(
            person, year: year, purpose: try checkedText(purpose, field: "--purpose"),
            legalBasis: try checkedText(legalBasis, field: "--legal-basis"), on: day, metadata: scope.metadata())
    }
}

/// `income answers FILE`: the network's answers to the city's inquiries, as incomes.
public struct ImportNetworkAnswers: KokiRequest {
    public static let name = "income answers"
    public static let function: AccessFunction? = .registerWrite

    public var file: String
    public var on: CivilDate?

    public init(file: String, on: CivilDate?) { (self.file, self.on) = (file, on) }

    public func handle(_ scope: RequestScope) throws -> InsuredRegisterCommands.NetworkAnswers {
        let day = try InputLimits.decision(on ?? scope.today, today: scope.today, field: "--on")
        return try InsuredRegisterCommands(scope.ledger).importNetworkAnswers(
            [UInt8](try scope.read(file)), name: file, on: day, metadata: scope.metadata())
    }
}
