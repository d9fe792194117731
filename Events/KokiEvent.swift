import KokiDomain

/// Every event koki records, as one closed enum: a `switch` over it has no `default`, so a new
/// event forces a decision in every projection and handler.
public enum KokiEvent: Sendable, Hashable {
    case premiumAssessed(PremiumAssessed)
    case paymentReceived(PaymentReceived)
    case dunningNoticeIssued(DunningNoticeIssued)

    /// The person whose account the event belongs to.
    public var person: PersonID {
        switch self {
        case .premiumAssessed(let e): e.person
        case .paymentReceived(let e): e.person
        case .dunningNoticeIssued(let e): e.person
        }
    }
}
