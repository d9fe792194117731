import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// What a counter operator types about every reception: office, day (default: today), who came,
/// how identity was verified, what was attached.
public struct ReceptionFields: Codable, Sendable, Hashable {
    public var office: String
    public var received: CivilDate?
    public var applicant: ApplicantKind
    public var applicantName: String?
    public var identity: IdentityDocument
    public var attached: [String]

    public init(
        office: String, received: CivilDate?, applicant: ApplicantKind, applicantName: String?,
        identity: IdentityDocument, attached: [String]
    ) {
        self.office = office
        self.received = received
        self.applicant = applicant
        self.applicantName = applicantName
        self.identity = identity
        self.attached = attached
    }

    func intake(today: CivilDate) -> Counter.Intake {
        Counter.Intake(
            office: office, receivedOn: received ?? today, applicant: applicant, applicantName: applicantName,
            identityCheck: identity, attached: attached)
    }
}

/// A person's counter records (applications, certificates, benefits), their reading recorded first.
func counterRecords(of person: PersonID, _ scope: RequestScope) throws -> CounterRecords.Person {
    let (records, _) = try Counter(scope.ledger).records(person)
    try scope.recordRead([person])
    return records
}

// MARK: - Applications

/// `application receive`: an application received at a counter, with the change it asks for
/// (kept as a typed request, sealed with the person's key), pending a second operator's check.
public struct ReceiveApplication: KokiRequest {
    public static let name = "application receive"
    public static let function: AccessFunction? = .counterWrite

    public var person: PersonID
    public var kind: ApplicationKind
    public var reception: ReceptionFields
    public var change: StoredRequest?

    public init(person: PersonID, kind: ApplicationKind, reception: ReceptionFields, change: StoredRequest?) {
        (self.person, self.kind, self.reception, self.change) = (person, kind, reception, change)
    }

    public func handle(_ scope: RequestScope) throws -> ApplicationReceived {
        try Counter(scope.ledger).receive(
            person, kind: kind, intake: reception.intake(today: scope.today), change: try change?.decoded(),
            metadata: scope.metadata())
    }
}

/// `application reject`: a pending application rejected (or withdrawn) with the reason.
public struct RejectApplication: KokiRequest {
    public static let name = "application reject"
    public static let function: AccessFunction? = .counterWrite

    public var number: String
    public var reason: String
    public var on: CivilDate?

    public init(number: String, reason: String, on: CivilDate?) {
        (self.number, self.reason, self.on) = (number, reason, on)
    }

    public func handle(_ scope: RequestScope) throws -> ApplicationRejected {
        try Counter(scope.ledger).reject(number, reason: reason, on: on ?? scope.today, metadata: scope.metadata())
    }
}

/// `application show`: one application, the applicant's name opened and the change it carries.
public struct ShowApplication: KokiRequest {
    public static let name = "application show"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public var number: String

    public init(number: String) { self.number = number }

    public struct View: Codable, Sendable {
        public var application: CounterRecords.Application
        public var applicantName: String?
        /// The change as a typed request, or as kept by an older koki: a command line.
        public var change: StoredRequest?
        public var changeArguments: [String]?
    }

    public func handle(_ scope: RequestScope) throws -> View {
        let counter = Counter(scope.ledger)
        let (application, _, _) = try counter.application(number)
        let received = application.received
        try scope.recordRead([received.person])
        var view = View(
            application: application,
            applicantName: try counter.applicantName(of: received.reception, person: received.person))
        switch try counter.change(of: received) {
        case .request(let stored)?: view.change = stored
        case .arguments(let arguments)?: view.changeArguments = arguments
        case nil: break
        }
        return view
    }
}

/// `application list`: a person's applications, oldest first.
public struct ListApplications: PersonRequest {
    public static let name = "application list"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public var person: PersonID

    public init(person: PersonID) { self.person = person }

    public func handle(_ scope: RequestScope) throws -> [CounterRecords.Application] {
        try counterRecords(of: person, scope).applications
    }
}

/// `application pending`: applications awaiting a second operator's check, oldest first.
public struct PendingApplications: KokiRequest {
    public static let name = "application pending"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public var office: String?
    /// Days waiting are counted up to this day (default: today).
    public var on: CivilDate?

    public init(office: String?, on: CivilDate?) {
        (self.office, self.on) = (office, on)
    }

    public struct Pending: Codable, Sendable {
        public var on: CivilDate
        public var applications: [CounterRecords.Application]
    }

    public func handle(_ scope: RequestScope) throws -> Pending {
        let pending = try Counter(scope.ledger).applications()
            .filter { $0.isPending && (office == nil || $0.received.reception.office == office) }
            .sorted {
                ($0.received.reception.receivedOn, $0.received.number) < (
                    $1.received.reception.receivedOn, $1.received.number
                )
            }
        try scope.recordRead(pending.map(\.received.person))
        return Pending(on: on ?? scope.today, applications: pending)
    }
}

/// `application offices`: the offices that receive applications (none adopted: any name is taken).
public struct ShowOffices: KokiRequest {
    public static let name = "application offices"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public init() {}

    public func handle(_ scope: RequestScope) throws -> [String] { try Counter(scope.ledger).settings().offices }
}

/// `application offices --adopt`: the list of offices adopted (an administrator).
public struct AdoptOffices: KokiRequest {
    public static let name = "application offices adopt"
    public static let function: AccessFunction? = .securityAdmin

    public var offices: [String]

    public init(offices: [String]) { self.offices = offices }

    public func handle(_ scope: RequestScope) throws -> [String] {
        try Counter(scope.ledger).adopt(CounterSettings(offices: offices), metadata: scope.metadata())
        return offices
    }
}

// MARK: - Certificates and the copayment class

/// `card issue`: a certificate issued on acquisition, on request, or as a reissue.
public struct IssueCard: PersonRequest {
    public static let name = "card issue"
    public static let function: AccessFunction? = .counterWrite

    public var person: PersonID
    public var reason: CertificateReason
    public var validFrom: CivilDate?
    /// The day issued (default: today).
    public var on: CivilDate?
    public var delivery: Delivery
    public var office: String?

    public init(
        person: PersonID, reason: CertificateReason, validFrom: CivilDate?, on: CivilDate?, delivery: Delivery,
        office: String?
    ) {
        self.person = person
        self.reason = reason
        self.validFrom = validFrom
        self.on = on
        self.delivery = delivery
        self.office = office
    }

    public func handle(_ scope: RequestScope) throws -> CertificateIssued {
        try Counter(scope.ledger).issueCertificate(
            person, reason: reason, issuedOn: on ?? scope.today, validFrom: validFrom, delivery: delivery,
            office: office, metadata: scope.metadata())
    }
}

/// `card return`: a certificate returned (返還) or declared lost (滅失), by default the one out.
public struct ReturnCertificate: PersonRequest {
    public static let name = "card return"
    public static let function: AccessFunction? = .counterWrite

    public var person: PersonID
    public var number: String?
    public var on: CivilDate?
    public var lost: Bool
    public var office: String?

    public init(person: PersonID, number: String?, on: CivilDate?, lost: Bool, office: String?) {
        (self.person, self.number, self.on, self.lost, self.office) = (person, number, on, lost, office)
    }

    public func handle(_ scope: RequestScope) throws -> CertificateReturned {
        try Counter(scope.ledger).returnCertificate(
            person, number: number, on: on ?? scope.today, how: lost ? .lost : .returned, office: office,
            metadata: scope.metadata())
    }
}

/// `card show`: a person's certificates, the classes determined and their applications.
public struct ShowCertificates: PersonRequest {
    public static let name = "card show"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public var person: PersonID
    /// Which are valid on this day (default: today).
    public var on: CivilDate?

    public init(person: PersonID, on: CivilDate?) {
        (self.person, self.on) = (person, on)
    }

    public struct View: Codable, Sendable {
        public var on: CivilDate
        public var records: CounterRecords.Person
    }

    public func handle(_ scope: RequestScope) throws -> View {
        View(on: on ?? scope.today, records: try counterRecords(of: person, scope))
    }
}

/// `card unreturned`: certificates not returned although their holder's eligibility ended.
public struct ListUnreturned: KokiRequest {
    public static let name = "card unreturned"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public var on: CivilDate?

    public init(on: CivilDate?) { self.on = on }

    public func handle(_ scope: RequestScope) throws -> [Counter.Unreturned] {
        let list = try Counter(scope.ledger).unreturned(on: on ?? scope.today)
        try scope.recordRead(list.map(\.certificate.person))
        return list
    }
}

/// `card renew`: the yearly renewal (一斉更新) from 1 August; running it again issues only what is missing.
public struct RenewCertificates: KokiRequest {
    public static let name = "card renew"
    public static let function: AccessFunction? = .counterWrite

    public var from: CivilDate
    public var on: CivilDate?
    public var delivery: Delivery

    public init(from: CivilDate, on: CivilDate?, delivery: Delivery) {
        (self.from, self.on, self.delivery) = (from, on, delivery)
    }

    public func handle(_ scope: RequestScope) throws -> CertificateRunRecorded {
        guard from.month == 8, from.day == 1 else {
            throw KokiError(.invalidInput, "--from \(from) is not 1 August: the copayment year starts on 1 August")
        }
        return try Counter(scope.ledger).renew(
            validFrom: from, issuedOn: on ?? scope.today, delivery: delivery, actor: scope.context.operatorID)
    }
}

/// `copay show`: a person's class for the year containing a day, explained (recorded as a read of
/// the household's insured members).
public struct ShowCopay: PersonRequest {
    public static let name = "copay show"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public var person: PersonID
    public var on: CivilDate?

    public init(person: PersonID, on: CivilDate?) {
        (self.person, self.on) = (person, on)
    }

    public struct Determined: Codable, Sendable {
        public var determination: CopayDetermination
        public var members: [PersonID]
    }

    public func handle(_ scope: RequestScope) throws -> Determined {
        let (d, members, _) = try Counter(scope.ledger).determineCopay(person, on: on ?? scope.today)
        try scope.recordRead(members, purpose: "負担割合判定")
        return Determined(determination: d, members: members)
    }
}

/// `copay tables`: the thresholds in force.
public struct ShowCopayTables: KokiRequest {
    public static let name = "copay tables"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public init() {}

    public func handle(_ scope: RequestScope) throws -> [CopayThresholds] { try Counter(scope.ledger).copayTables() }
}

/// `copay tables --adopt FILE`: a set of thresholds adopted (the file read only after the check).
public struct AdoptCopayTables: KokiRequest {
    public static let name = "copay tables adopt"
    public static let function: AccessFunction? = .assessmentWrite

    public var file: String

    public init(file: String) { self.file = file }

    public func handle(_ scope: RequestScope) throws -> [CopayThresholds] {
        let tables = try scope.readJSON([CopayThresholds].self, from: file)
        try Counter(scope.ledger).adopt(copay: tables, metadata: scope.metadata())
        return tables
    }
}

// MARK: - Benefits

/// `benefit receive`: a benefit application — the kind, the care it is for, the amount claimed,
/// whom to pay and into which account.
public struct ReceiveBenefit: PersonRequest {
    public static let name = "benefit receive"
    public static let function: AccessFunction? = .counterWrite

    public var person: PersonID
    public var kind: BenefitKind
    public var reception: ReceptionFields
    public var serviceFrom: CivilDate
    /// Default: `serviceFrom`.
    public var serviceThrough: CivilDate?
    public var claimed: Int64?
    public var payee: String?
    public var bank: String?
    public var branch: String?
    public var accountType: Int
    public var account: String?
    public var holder: String?

    public init(
        person: PersonID, kind: BenefitKind, reception: ReceptionFields, serviceFrom: CivilDate,
        serviceThrough: CivilDate?, claimed: Int64?, payee: String?, bank: String?, branch: String?,
        accountType: Int, account: String?, holder: String?
    ) {
        self.person = person
        self.kind = kind
        self.reception = reception
        self.serviceFrom = serviceFrom
        self.serviceThrough = serviceThrough
        self.claimed = claimed
        self.payee = payee
        self.bank = bank
        self.branch = branch
        self.accountType = accountType
        self.account = account
        self.holder = holder
    }

    /// The account to pay into: all four fields, or none.
    func bankAccount() throws -> BankAccount? {
        guard bank != nil || branch != nil || account != nil || holder != nil else { return nil }
        guard let bank, let branch, let account, let holder else {
            throw KokiError(.invalidInput, "an account needs --bank, --branch, --account and --holder")
        }
        return try BankAccount(
            bankCode: bank, branchCode: branch, accountType: accountType, accountNumber: account, holderKana: holder)
    }

    public func handle(_ scope: RequestScope) throws -> BenefitApplicationReceived {
        let account = try bankAccount()
        return try Counter(scope.ledger).receiveBenefit(
            person, kind: kind, intake: reception.intake(today: scope.today), serviceFrom: serviceFrom,
            serviceThrough: serviceThrough ?? serviceFrom,
            claimed: try claimed.map { try Yen.checked($0, .amount, field: "--claimed") },
            payee: try payee.map { try checkedText($0, field: "--payee") }, account: account,
            metadata: scope.metadata())
    }
}

/// `benefit decide`: the union's decision on one application.
public struct DecideBenefit: KokiRequest {
    public static let name = "benefit decide"
    public static let function: AccessFunction? = .counterWrite

    public var number: String
    public var refused: Bool
    public var amount: Int64
    public var decidedOn: CivilDate
    public var paidOn: CivilDate?
    public var reference: String
    public var reason: String?

    public init(
        number: String, refused: Bool, amount: Int64, decidedOn: CivilDate, paidOn: CivilDate?, reference: String,
        reason: String?
    ) {
        self.number = number
        self.refused = refused
        self.amount = amount
        self.decidedOn = decidedOn
        self.paidOn = paidOn
        self.reference = reference
        self.reason = reason
    }

    public func handle(_ scope: RequestScope) throws -> [BenefitDecided] {
        let decision = Counter.Decision(
            number: number, approved: !refused, amount: try Yen.checked(amount, .amount, field: "--amount"),
            decidedOn: decidedOn,
            paidOn: try paidOn.map { try InputLimits.paid($0, today: scope.today, field: "--paid-on") },
            reference: try checkedText(reference, field: "--reference", limit: 64),
            reason: try reason.map { try checkedText($0, field: "--reason") })
        return try Counter(scope.ledger).recordDecisions([decision], source: nil, metadata: scope.metadata())
    }
}

/// `benefit decisions FILE`: the union's monthly decision file (CSV), all lines or none; a file
/// recorded before records nothing again.
public struct RecordBenefitDecisions: KokiRequest {
    public static let name = "benefit decisions"
    public static let function: AccessFunction? = .counterWrite

    public var file: String

    public init(file: String) { self.file = file }

    public func handle(_ scope: RequestScope) throws -> [BenefitDecided] {
        let decisions = try Counter.parseDecisions(bytes: Array(try scope.read(file)), source: file)
        return try Counter(scope.ledger).recordDecisions(decisions, source: file, metadata: scope.metadata())
    }
}

/// `benefit open`: applications the union has not decided, oldest first, with their age.
public struct OpenBenefits: KokiRequest {
    public static let name = "benefit open"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    /// Age counted up to this day (default: today).
    public var on: CivilDate?

    public init(on: CivilDate?) { self.on = on }

    public func handle(_ scope: RequestScope) throws -> [Counter.OpenBenefit] {
        let open = try Counter(scope.ledger).openBenefits(on: on ?? scope.today)
        try scope.recordRead(open.map(\.application.person))
        return open
    }
}

/// `benefit list`: a person's benefit applications and decisions.
public struct ListBenefits: PersonRequest {
    public static let name = "benefit list"
    public static let function: AccessFunction? = .counterRead
    public static let isQuery = true

    public var person: PersonID

    public init(person: PersonID) { self.person = person }

    public func handle(_ scope: RequestScope) throws -> [CounterRecords.Benefit] {
        try counterRecords(of: person, scope).benefits
    }
}
