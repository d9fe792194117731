import KokiDomain
import KokiEvents

/// The counters' records (窓口): applications and their second check, eligibility certificates and
/// the copayment class determined, and benefit applications with the union's decisions — for one
/// person (their `counter/PERSON` stream) or, folded over those streams, for the city.
public struct CounterRecords: Projection {
    public static let logicVersion = 1

    /// Where an application stands.
    public enum State: Sendable, Hashable, Codable {
        /// Waiting for a second operator to confirm (or reject) its change.
        case pending
        /// Confirmed: its change is recorded.
        case confirmed(ApplicationConfirmed)
        case rejected(ApplicationRejected)
        /// A notification that asked for no change: received and kept.
        case recorded
    }

    public struct Application: Sendable, Hashable, Codable {
        public var received: ApplicationReceived
        public var state: State

        public var isPending: Bool { state == .pending }
    }

    public struct Certificate: Sendable, Hashable, Codable {
        public var issued: CertificateIssued
        /// The certificate that replaced this one (a reissue), which made it invalid.
        public var replacedBy: String?
        public var returned: CertificateReturned?

        /// Valid on a date: within its validity, not replaced and not returned.
        public func isValid(on date: CivilDate) -> Bool {
            replacedBy == nil && returned == nil && issued.validFrom <= date && date <= issued.validUntil
        }
    }

    public struct Benefit: Sendable, Hashable, Codable {
        public var received: BenefitApplicationReceived
        public var decision: BenefitDecided?
    }

    public struct Person: Sendable, Hashable, Codable {
        /// In the order received.
        public var applications: [Application] = []
        /// In the order issued.
        public var certificates: [Certificate] = []
        /// The latest determination of each year's class, by the year's first day (1 August).
        public var copay: [CivilDate: CopayClassDetermined] = [:]
        public var benefits: [Benefit] = []
        /// Applications and benefit applications received (numbers each).
        public var received = 0

        public init() {}

        public func application(_ number: String) -> Application? {
            applications.first { $0.received.number == number }
        }

        public func certificate(_ number: String) -> Certificate? {
            certificates.first { $0.issued.number == number }
        }

        public func benefit(_ number: String) -> Benefit? {
            benefits.first { $0.received.number == number }
        }

        /// The certificate in force now: the last issued that was not replaced or returned.
        public var current: Certificate? {
            certificates.last { $0.replacedBy == nil && $0.returned == nil }
        }

        mutating func apply(_ event: CounterEvent) {
            switch event {
            case .settingsAdopted, .copayThresholdsAdopted, .certificateRunRecorded: break
            case .applicationReceived(let e):
                received += 1
                applications.append(Application(received: e, state: e.change == nil ? .recorded : .pending))
            case .applicationConfirmed(let e):
                if let i = applications.firstIndex(where: { $0.received.number == e.number }) {
                    applications[i].state = .confirmed(e)
                }
            case .applicationRejected(let e):
                if let i = applications.firstIndex(where: { $0.received.number == e.number }) {
                    applications[i].state = .rejected(e)
                }
            case .copayClassDetermined(let e): copay[e.periodStart] = e
            case .certificateIssued(let e):
                if let replaced = e.replaces, let i = certificates.firstIndex(where: { $0.issued.number == replaced }) {
                    certificates[i].replacedBy = e.number
                }
                certificates.append(Certificate(issued: e))
            case .certificateReturned(let e):
                if let i = certificates.firstIndex(where: { $0.issued.number == e.number }) {
                    certificates[i].returned = e
                }
            case .benefitApplicationReceived(let e):
                received += 1
                benefits.append(Benefit(received: e))
            case .benefitDecided(let e):
                if let i = benefits.firstIndex(where: { $0.received.number == e.number }) {
                    benefits[i].decision = e
                }
            }
        }
    }

    public private(set) var persons: [PersonID: Person] = [:]
    public private(set) var settings = CounterSettings()
    /// The copayment tables adopted (`nil`: none, so the standard ones apply).
    public private(set) var copayTables: [CopayThresholds]?

    public init() {}

    public mutating func apply(_ event: KokiEvent) {
        guard case .counter(let counter) = event else { return }
        switch counter {
        case .settingsAdopted(let e): settings = e.settings
        case .copayThresholdsAdopted(let e): copayTables = e.tables
        case .certificateRunRecorded: break
        case .applicationReceived(let e): persons[e.person, default: Person()].apply(counter)
        case .applicationConfirmed(let e): persons[e.person, default: Person()].apply(counter)
        case .applicationRejected(let e): persons[e.person, default: Person()].apply(counter)
        case .copayClassDetermined(let e): persons[e.person, default: Person()].apply(counter)
        case .certificateIssued(let e): persons[e.person, default: Person()].apply(counter)
        case .certificateReturned(let e): persons[e.person, default: Person()].apply(counter)
        case .benefitApplicationReceived(let e): persons[e.person, default: Person()].apply(counter)
        case .benefitDecided(let e): persons[e.person, default: Person()].apply(counter)
        }
    }
}
