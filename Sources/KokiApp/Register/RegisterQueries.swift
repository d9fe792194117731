import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// `person show`: a person's identity, household, eligibility, address exceptions and income
/// years (never the figures), their reading recorded first.
public struct ShowPerson: KokiRequest {
    public static let name = "person show"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true

    public var number: PersonID
    /// The date to show the household for (default: today).
    public var on: CivilDate?
    /// Answer as the ledger knew it when this position was its head.
    public var knownAt: Int64?
    public var purpose: String?

    public init(number: PersonID, on: CivilDate?, knownAt: Int64?, purpose: String?) {
        (self.number, self.on, self.knownAt, self.purpose) = (number, on, knownAt, purpose)
    }

    public struct View: Codable, Sendable {
        public var number: String
        public var formerNumbers: [String]
        public var erased: Bool
        public var name: String?
        public var kana: String?
        public var birthDate: String?
        public var sex: String?
        public var address: String?
        public var phone: String?
        public var postalCode: String?
        /// Who receives their mail instead of them (送付先, 代理人, 相続人代表者).
        public var mailRecipients: [Recipient] = []
        public var on: String
        public var household: String?
        public var role: String?
        public var insured: Bool
        public var eligibility: [Period]
        public var addressExceptions: [Exception]
        public var formerDependantUntil: String?
        public var incomeYears: [Int]

        public struct Period: Codable, Sendable {
            public var from: String
            public var acquisition: String
            public var until: String?
            public var loss: String?
        }

        public struct Recipient: Codable, Sendable {
            public var role: String
            public var name: String
            public var postalCode: String?
            public var address: String
            public var from: String
        }

        public struct Exception: Codable, Sendable {
            public var facility: String
            public var from: String
            public var until: String?
        }
    }

    public func handle(_ scope: RequestScope) throws -> View {
        let register = InsuredRegisterCommands(scope.ledger)
        guard let entry = try register.person(number, through: knownAt) else {
            throw KokiError.notInRegister(number)
        }
        try scope.recordRead([entry.id], purpose: purpose)
        let identity = try register.identity(of: entry)
        let date = on ?? scope.today
        let household = entry.household(on: date)
        var recipients: [View.Recipient] = []
        for role in MailRecipient.Role.allCases {
            guard let recorded = entry.mailRecipients[role], let sealed = recorded.recipient,
                let recipient = try register.vault.openRecipient(sealed, role: role, for: entry.id)
            else { continue }
            recipients.append(
                .init(
                    role: role.rawValue, name: recipient.name, postalCode: recipient.postalCode?.description,
                    address: recipient.address, from: recorded.from.description))
        }
        return View(
            number: entry.id.value, formerNumbers: entry.formerNumbers.map(\.value), erased: identity == nil,
            name: identity?.nameKanji, kana: identity?.nameKana, birthDate: identity?.birthDate.description,
            sex: identity?.sex.rawValue, address: identity?.address, phone: identity?.phone,
            postalCode: identity?.postalCode?.description, mailRecipients: recipients, on: date.description,
            household: household?.household?.value, role: household?.role.rawValue, insured: entry.isInsured(on: date),
            eligibility: entry.eligibilityPeriods.map {
                .init(
                    from: $0.from.description, acquisition: $0.acquisition.rawValue, until: $0.until?.description,
                    loss: $0.loss?.rawValue)
            },
            addressExceptions: entry.addressExceptions.map {
                .init(facility: $0.facility, from: $0.from.description, until: $0.until?.description)
            },
            formerDependantUntil: entry.formerDependant?.dependantUntil.description,
            incomeYears: entry.income.keys.sorted())
    }
}

/// `household show`: the members of a household on a date, and which are insured.
public struct ShowHousehold: KokiRequest {
    public static let name = "household show"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true

    public var household: HouseholdID
    public var on: CivilDate?

    public init(household: HouseholdID, on: CivilDate?) {
        (self.household, self.on) = (household, on)
    }

    public struct Member: Codable, Sendable {
        public var number: String
        public var role: String
        public var insured: Bool
    }

    public func handle(_ scope: RequestScope) throws -> [Member] {
        let date = on ?? scope.today
        let found = try InsuredRegisterCommands(scope.ledger).everIn(household).household(household, on: date)
        try scope.recordRead(found.map(\.person.id))
        return found.map {
            Member(number: $0.person.id.value, role: $0.role.rawValue, insured: $0.person.isInsured(on: date))
        }
    }
}

/// One line of the `insured` lists: a person, their name (nil when erased), a date and a detail.
public struct InsuredRow: Codable, Sendable {
    public var number: String
    public var name: String?
    public var from: String?
    public var detail: String?
}

/// `insured list`: everyone insured on a date, as effective on that date.
public struct ListInsured: KokiRequest {
    public static let name = "insured list"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true

    public var on: CivilDate?
    public var knownAt: Int64?

    public init(on: CivilDate?, knownAt: Int64?) {
        (self.on, self.knownAt) = (on, knownAt)
    }

    public func handle(_ scope: RequestScope) throws -> [InsuredRow] {
        let date = on ?? scope.today
        let register = InsuredRegisterCommands(scope.ledger)
        let insured = try register.insured(on: date, through: knownAt)
        try scope.recordRead(insured.map(\.person))
        return try Self.rows(insured, register, namesAtOnce: Self.namesAtOnce)
    }

    /// How many persons' keys `insured list` reads and opens names with at once.
    static let namesAtOnce = 20_000

    /// The list's rows, the names opened a slice of it at a time, each slice's keys read in one
    /// query: the keys of a whole city's list (706,000 at ten times Matsudo) are never held at once.
    static func rows(
        _ insured: [StoredRegister.Insured], _ register: InsuredRegisterCommands, namesAtOnce: Int
    ) throws -> [InsuredRow] {
        var rows: [InsuredRow] = []
        rows.reserveCapacity(insured.count)
        for start in stride(from: 0, to: insured.count, by: max(1, namesAtOnce)) {
            let slice = insured[start..<min(insured.count, start + max(1, namesAtOnce))]
            let vault = try register.vault(opening: slice.map(\.person))
            // Each name opened on its own (a key unwrapped, an identity opened): on every core.
            rows += try Array(slice).concurrentMap { line in
                InsuredRow(
                    number: line.person.value, name: try vault.open(line.identity, for: line.person)?.nameKanji,
                    from: line.period.from.description, detail: line.period.acquisition.rawValue)
            }
        }
        return rows
    }
}

/// `insured turning-75`: registered persons whose 75th birthday falls in a month (`YYYY-MM`).
public struct ListTurning75: KokiRequest {
    public static let name = "insured turning-75"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true

    public var month: String

    public init(month: String) { self.month = month }

    public func handle(_ scope: RequestScope) throws -> [InsuredRow] {
        guard let first = try? CivilDate(iso: month + "-01") else {
            throw KokiError(.invalidInput, "--month '\(month)' is not a month of the form YYYY-MM")
        }
        let register = InsuredRegisterCommands(scope.ledger)
        var rows: [InsuredRow] = []
        var persons: [PersonID] = []
        let everyone = try register.heads().persons.values.sorted(by: { $0.id < $1.id })
        let vault = try register.vault(opening: everyone.map(\.id))
        for person in everyone {
            guard let identity = try vault.open(person.identity, for: person.id) else { continue }
            let birthday = identity.birthDate.reaching(age: EligibilityRules.generalAge)
            guard birthday.year == first.year, birthday.month == first.month else { continue }
            persons.append(person.id)
            rows.append(
                InsuredRow(
                    number: person.id.value, name: identity.nameKanji, from: birthday.description,
                    detail: person.isInsured(on: birthday) ? "insured" : "not yet insured"))
        }
        try scope.recordRead(persons)
        return rows
    }
}

/// `insured address-exception`: persons under an address exception (住所地特例) on a date.
public struct ListAddressExceptions: KokiRequest {
    public static let name = "insured address-exception"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true

    public var on: CivilDate?

    public init(on: CivilDate?) { self.on = on }

    public func handle(_ scope: RequestScope) throws -> [InsuredRow] {
        let date = on ?? scope.today
        let register = InsuredRegisterCommands(scope.ledger)
        let persons = try register.heads().addressExceptionPersons(on: date)
        try scope.recordRead(persons.map(\.id))
        let vault = try register.vault(opening: persons.map(\.id))
        return try persons.map { person in
            let exception = person.addressException(on: date)
            return InsuredRow(
                number: person.id.value, name: try vault.open(person.identity, for: person.id)?.nameKanji,
                from: exception?.from.description, detail: exception?.facility)
        }
    }
}

/// `eligibility daily`: qualifies everyone whose 75th birthday falls in a range and who was never
/// insured; running it again over the same days records nothing new.
public struct QualifyReaching75: KokiRequest {
    public static let name = "eligibility daily"
    public static let function: AccessFunction? = .registerWrite

    /// The last birthday to include (default: today).
    public var through: CivilDate?
    /// The first birthday to include (default: `through`).
    public var from: CivilDate?

    public init(through: CivilDate?, from: CivilDate?) {
        (self.through, self.from) = (through, from)
    }

    public struct Qualified: Codable, Sendable {
        public var from: CivilDate
        public var through: CivilDate
        public var persons: [PersonID]
    }

    public func handle(_ scope: RequestScope) throws -> Qualified {
        let last = through ?? scope.today
        let first = from ?? last
        let persons = try InsuredRegisterCommands(scope.ledger).qualifyReaching75(
            from: first, through: last, actor: scope.metadata().actor)
        return Qualified(from: first, through: last, persons: persons)
    }
}

/// `income show`: a year's income; the inquiry (who, when, for whom, why) is recorded even when
/// none is found (所得照会履歴).
public struct ShowIncome: NumberedPersonRequest {
    public static let name = "income show"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var year: Int
    public var purpose: String

    public init(number: PersonID, year: Int, purpose: String) {
        (self.number, self.year, self.purpose) = (number, year, purpose)
    }

    public func handle(_ scope: RequestScope) throws -> IncomeRecorded? {
        try InsuredRegisterCommands(scope.ledger).inquireIncome(
            number, year: year, purpose: purpose, metadata: scope.metadata())
    }
}

/// `income inquiries`: who looked up a person's income, when, for which year and why.
public struct ListIncomeInquiries: NumberedPersonRequest {
    public static let name = "income inquiries"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true

    public var number: PersonID

    public init(number: PersonID) { self.number = number }

    public struct Inquiry: Codable, Sendable {
        public var recordedAt: String
        public var operatorID: String
        public var year: Int
        public var purpose: String
        /// `lookup` (an operator looked the income up, or an import recorded it), `network` (an
        /// inquiry sent through the information network), `answer` (its answer, recorded as income).
        public var kind: String
        /// For the network: the inquiry's number, item and legal basis, or the figures answered.
        public var detail: String
    }

    public func handle(_ scope: RequestScope) throws -> [Inquiry] {
        try scope.recordRead([number])
        var query = EventQuery.stream(try StreamName(number.streamName))
        query.types = [IncomeInquired.eventType, NetworkInquirySent.eventType, IncomeRecorded.eventType]
        var inquiries: [Inquiry] = []
        try scope.ledger.forEachEvent(query) { view, event in
            let (at, by) = (view.command.recordedAt.description, view.command.actor)
            switch event {
            case .incomeInquired(let e):
                inquiries.append(
                    Inquiry(
                        recordedAt: at, operatorID: by, year: e.year, purpose: e.purpose, kind: "lookup", detail: ""))
            case .networkInquirySent(let e):
                inquiries.append(
                    Inquiry(
                        recordedAt: at, operatorID: by, year: e.year, purpose: e.purpose, kind: "network",
                        detail: "\(e.id) \(e.item)（\(e.legalBasis)）\(StaffText.date(e.sentOn))送信"))
            case .incomeRecorded(let e) where e.source.hasPrefix("情報照会 "):
                inquiries.append(
                    Inquiry(
                        recordedAt: at, operatorID: by, year: e.year, purpose: "回答", kind: "answer",
                        detail: "\(e.source.dropFirst(5))：総所得金額等 \(StaffText.yen(e.totalIncome))"))
            default: break
            }
        }
        return inquiries
    }
}

/// `income pension`: a fiscal year's pension facts, which decide pension deduction (特別徴収).
public struct RecordPension: NumberedPersonRequest {
    public static let name = "income pension"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var fiscalYear: FiscalYear
    public var annualPension: Int64
    public var carePremium: Int64
    public var careNotDeducted: Bool
    public var previousFebruary: Int64?

    public init(
        number: PersonID, fiscalYear: FiscalYear, annualPension: Int64, carePremium: Int64, careNotDeducted: Bool,
        previousFebruary: Int64?
    ) {
        self.number = number
        self.fiscalYear = fiscalYear
        self.annualPension = annualPension
        self.carePremium = carePremium
        self.careNotDeducted = careNotDeducted
        self.previousFebruary = previousFebruary
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        Recorded(
            try InsuredRegisterCommands(scope.ledger).recordPension(
                number, fiscalYear: fiscalYear,
                facts: PensionFacts(
                    annualPension: try Yen.checked(annualPension, .revenue, field: "--annual-pension"),
                    careInsurancePremium: try Yen.checked(carePremium, .amount, field: "--care-premium"),
                    careDeductedFromPension: !careNotDeducted,
                    previousFebruaryDeduction: try previousFebruary.map {
                        try Yen.checked($0, .amount, field: "--previous-february")
                    }),
                metadata: scope.metadata()))
    }
}
