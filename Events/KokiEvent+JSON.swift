import Foundation

extension KokiEvent {
    /// The payload as JSON with sorted keys, for people and scripts (`koki events`).
    ///
    /// This is the readable rendering only; the ledger stores the compact binary encoding.
    public func jsonPayload() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data =
            switch self {
            case .premiumAssessed(let e): try encoder.encode(e)
            case .paymentReceived(let e): try encoder.encode(e)
            case .dunningNoticeIssued(let e): try encoder.encode(e)
            }
        return String(decoding: data, as: UTF8.self)
    }

    public var typeName: String {
        switch self {
        case .premiumAssessed: PremiumAssessed.eventType
        case .paymentReceived: PaymentReceived.eventType
        case .dunningNoticeIssued: DunningNoticeIssued.eventType
        }
    }
}
