import KokiDomain
import KokiEvents
import LedgerStore

/// A request about one person: an application may carry it only for that person.
public protocol PersonRequest: KokiRequest {
    var person: PersonID { get }
}

/// Requests whose field for the person is `number` (as the register's commands name it).
public protocol NumberedPersonRequest: PersonRequest {
    var number: PersonID { get }
}

extension NumberedPersonRequest {
    public var person: PersonID { number }
}

/// Where a command that appended events put them.
public struct Recorded: Sendable, Hashable, Codable {
    /// The first position of the command's events (`nil` when it appended none).
    public var position: Int64?

    init(_ result: AppendResult) { position = result.positions?.lowerBound }
}

/// An identity as given: every field optional (a correction changes only those given).
public struct IdentityFields: Codable, Sendable, Hashable {
    public var name: String?
    public var kana: String?
    public var birthDate: CivilDate?
    public var sex: PersonIdentity.Sex?
    public var address: String?
    public var phone: String?
    /// 郵便番号 (`123-4567`).
    public var postalCode: String?

    public init(
        name: String? = nil, kana: String? = nil, birthDate: CivilDate? = nil, sex: PersonIdentity.Sex? = nil,
        address: String? = nil, phone: String? = nil, postalCode: String? = nil
    ) {
        self.postalCode = postalCode
        self.name = name
        self.kana = kana
        self.birthDate = birthDate
        self.sex = sex
        self.address = address
        self.phone = phone
    }

    /// Every field given, checked: plain text of at most 200 characters, a birth date from
    /// 1868-01-01 to today (the field named otherwise).
    func checked(today: CivilDate) throws -> IdentityFields {
        for (field, value) in [("--name", name), ("--kana", kana), ("--address", address), ("--phone", phone)] {
            if let value { _ = try checkedText(value, field: field) }
        }
        if let birthDate { _ = try InputLimits.birth(birthDate, today: today, field: "--birth-date") }
        _ = try postal()
        return self
    }

    /// The postal code given, checked (the field named).
    func postal() throws -> PostalCode? {
        guard let postalCode else { return nil }
        do { return try PostalCode(postalCode) } catch {
            throw KokiError(.invalidInput, "--postal-code: \(error.message)")
        }
    }

    /// Applies the fields given to `identity`.
    func apply(to identity: inout PersonIdentity) {
        if let name { identity.nameKanji = name }
        if let kana { identity.nameKana = kana }
        if let birthDate { identity.birthDate = birthDate }
        if let sex { identity.sex = sex }
        if let address { identity.address = address }
        if let phone { identity.phone = phone }
        if let code = try? postal() { identity.postalCode = code }
    }
}

/// `person register`: a person under their address number (宛名番号), never My Number; the
/// identity sealed with a key of their own, and optionally a household at once.
public struct RegisterPerson: NumberedPersonRequest {
    public static let name = "person register"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var identity: IdentityFields
    public var household: HouseholdID?
    public var role: HouseholdRole
    public var householdSince: CivilDate?

    public init(
        number: PersonID, identity: IdentityFields, household: HouseholdID?, role: HouseholdRole,
        householdSince: CivilDate?
    ) {
        self.number = number
        self.identity = identity
        self.household = household
        self.role = role
        self.householdSince = householdSince
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        let given = try identity.checked(today: scope.today)
        guard let name = given.name, let kana = given.kana, let address = given.address else {
            let missing =
                [("--name", given.name), ("--kana", given.kana), ("--address", given.address)]
                .first { $0.1 == nil }?.0 ?? "--name"
            throw KokiError(.invalidInput, "\(missing) is required to register a person")
        }
        guard let birthDate = given.birthDate else {
            throw KokiError(.invalidInput, "--birth-date is required to register a person")
        }
        guard let sex = given.sex else { throw KokiError(.invalidInput, "--sex is required to register a person") }
        var membership: (HouseholdID, HouseholdRole, CivilDate)?
        if let household {
            guard let householdSince else {
                throw KokiError(.invalidInput, "--household-since is required with --household")
            }
            membership = (household, role, householdSince)
        }
        let who = try PersonIdentity(
            nameKanji: name, nameKana: kana, birthDate: birthDate, sex: sex, address: address, phone: given.phone,
            postalCode: try given.postal())
        return Recorded(
            try InsuredRegisterCommands(scope.ledger).register(
                number, identity: who, household: membership, metadata: scope.metadata()))
    }
}

/// `person correct`: a person's identity corrected; fields not given keep their value.
public struct CorrectPerson: NumberedPersonRequest {
    public static let name = "person correct"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var identity: IdentityFields
    public var reason: String

    public init(number: PersonID, identity: IdentityFields, reason: String) {
        (self.number, self.identity, self.reason) = (number, identity, reason)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        let given = try identity.checked(today: scope.today)
        let reason = try checkedText(reason, field: "--reason")
        return Recorded(
            try InsuredRegisterCommands(scope.ledger).correct(number, reason: reason, metadata: scope.metadata()) {
                given.apply(to: &$0)
            })
    }
}

/// `mail set`: who receives a person's mail in a role from a day — a mailing address (送付先), an
/// agent (代理人) or, after a death, the heirs' representative (相続人代表者) — sealed with the
/// person's key. A counter records it through an application (second check).
public struct SetMailRecipient: NumberedPersonRequest {
    public static let name = "mail set"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var role: MailRecipient.Role
    public var recipientName: String
    public var postalCode: String?
    public var address: String
    public var from: CivilDate

    public init(
        number: PersonID, role: MailRecipient.Role, recipientName: String, postalCode: String?, address: String,
        from: CivilDate
    ) {
        (self.number, self.role, self.recipientName, self.postalCode) = (number, role, recipientName, postalCode)
        (self.address, self.from) = (address, from)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        let name = recipientName.isEmpty ? "" : try checkedText(recipientName, field: "--name")
        let address = try checkedText(address, field: "--address")
        let code = try IdentityFields(postalCode: postalCode).postal()
        let recipient = try MailRecipient(name: name, postalCode: code, address: address, role: role)
        return Recorded(
            try InsuredRegisterCommands(scope.ledger).recordMailRecipient(
                number, role: role, recipient, from: from, metadata: scope.metadata()))
    }
}

/// `mail end`: a recipient's role ends from a day; the person's mail goes to them again (or, after
/// a death, is held for the counter).
public struct EndMailRecipient: NumberedPersonRequest {
    public static let name = "mail end"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var role: MailRecipient.Role
    public var from: CivilDate

    public init(number: PersonID, role: MailRecipient.Role, from: CivilDate) {
        (self.number, self.role, self.from) = (number, role, from)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        Recorded(
            try InsuredRegisterCommands(scope.ledger).recordMailRecipient(
                number, role: role, nil, from: from, metadata: scope.metadata()))
    }
}

/// `person link`: a former address number linked to a person (新旧番号).
public struct LinkPerson: NumberedPersonRequest {
    public static let name = "person link"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var former: PersonID

    public init(number: PersonID, former: PersonID) {
        (self.number, self.former) = (number, former)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        Recorded(
            try InsuredRegisterCommands(scope.ledger).link(number, formerNumber: former, metadata: scope.metadata()))
    }
}

/// `household set` (a household and role from a date) and `household leave` (none from a date).
public struct SetHousehold: NumberedPersonRequest {
    public static let name = "household set"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var household: HouseholdID
    public var role: HouseholdRole
    public var from: CivilDate

    public init(number: PersonID, household: HouseholdID, role: HouseholdRole, from: CivilDate) {
        (self.number, self.household, self.role, self.from) = (number, household, role, from)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        Recorded(
            try InsuredRegisterCommands(scope.ledger).recordHousehold(
                number, household: household, role: role, effectiveOn: from, metadata: scope.metadata()))
    }
}

/// `household leave`: from a date, the person belongs to no household.
public struct LeaveHousehold: NumberedPersonRequest {
    public static let name = "household leave"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var from: CivilDate

    public init(number: PersonID, from: CivilDate) {
        (self.number, self.from) = (number, from)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        Recorded(
            try InsuredRegisterCommands(scope.ledger).recordHousehold(
                number, household: nil, role: .member, effectiveOn: from, metadata: scope.metadata()))
    }
}

/// `eligibility acquire`: the person became insured; answers the first day insured.
public struct AcquireEligibility: NumberedPersonRequest {
    public static let name = "eligibility acquire"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var reason: AcquisitionReason
    public var date: CivilDate

    public init(number: PersonID, reason: AcquisitionReason, date: CivilDate) {
        (self.number, self.reason, self.date) = (number, reason, date)
    }

    public func handle(_ scope: RequestScope) throws -> CivilDate {
        try InsuredRegisterCommands(scope.ledger).acquire(number, reason: reason, on: date, metadata: scope.metadata())
        return EligibilityRules.acquisitionDate(reason, eventDate: date)
    }
}

/// `eligibility lose`: the person stopped being insured; answers the loss date.
public struct LoseEligibility: NumberedPersonRequest {
    public static let name = "eligibility lose"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var reason: LossReason
    public var date: CivilDate
    public var addressElsewhereSameDay: Bool
    /// Today, for the no-retroactive-withdrawal rule (default: the caller's today).
    public var today: CivilDate?

    public init(
        number: PersonID, reason: LossReason, date: CivilDate, addressElsewhereSameDay: Bool, today: CivilDate?
    ) {
        self.number = number
        self.reason = reason
        self.date = date
        self.addressElsewhereSameDay = addressElsewhereSameDay
        self.today = today
    }

    /// The loss date and, for a householder who died, the household left without a head: the
    /// counter records the next (`household set --role householder`).
    public struct Lost: Sendable, Hashable, Codable {
        public var from: CivilDate
        public var headlessHousehold: HouseholdID?
    }

    public func handle(_ scope: RequestScope) throws -> Lost {
        let register = InsuredRegisterCommands(scope.ledger)
        try register.lose(
            number, reason: reason, on: date, addressElsewhereSameDay: addressElsewhereSameDay,
            today: today ?? scope.today, metadata: scope.metadata())
        var headless: HouseholdID?
        if reason == .died, let membership = try register.person(number)?.household(on: date),
            membership.role == .householder
        {
            headless = membership.household
        }
        return Lost(
            from: EligibilityRules.lossDate(reason, eventDate: date, addressElsewhereSameDay: addressElsewhereSameDay),
            headlessHousehold: headless)
    }
}

/// `eligibility address-exception start` (住所地特例): in a facility elsewhere, insured here.
public struct StartAddressException: NumberedPersonRequest {
    public static let name = "eligibility address-exception start"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var facility: String
    public var from: CivilDate

    public init(number: PersonID, facility: String, from: CivilDate) {
        (self.number, self.facility, self.from) = (number, facility, from)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        Recorded(
            try InsuredRegisterCommands(scope.ledger).startAddressException(
                number, facility: try checkedText(facility, field: "--facility"), from: from,
                metadata: scope.metadata()))
    }
}

/// `eligibility address-exception end`.
public struct EndAddressException: NumberedPersonRequest {
    public static let name = "eligibility address-exception end"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var from: CivilDate

    public init(number: PersonID, from: CivilDate) {
        (self.number, self.from) = (number, from)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        Recorded(
            try InsuredRegisterCommands(scope.ledger).endAddressException(
                number, from: from, metadata: scope.metadata()))
    }
}

/// `eligibility former-dependant` (旧被扶養者): a dependant of employee insurance until joining.
public struct RecordFormerDependant: NumberedPersonRequest {
    public static let name = "eligibility former-dependant"
    public static let function: AccessFunction? = .registerWrite

    public var number: PersonID
    public var insurer: String
    public var until: CivilDate

    public init(number: PersonID, insurer: String, until: CivilDate) {
        (self.number, self.insurer, self.until) = (number, insurer, until)
    }

    public func handle(_ scope: RequestScope) throws -> Recorded {
        Recorded(
            try InsuredRegisterCommands(scope.ledger).recordFormerDependant(
                number, insurer: try checkedText(insurer, field: "--insurer"), dependantUntil: until,
                metadata: scope.metadata()))
    }
}
