import LedgerStore

/// A request that answers as the ledger knew it (`--known-at`) carries the moment as JSON:
/// `{"position": 42}` or `{"time": MICROSECONDS}`.
extension KnownAt: Codable {
    private enum CodingKeys: String, CodingKey { case position, time }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let position = try container.decodeIfPresent(Int64.self, forKey: .position) {
            self = .position(position)
        } else {
            self = .time(Timestamp(microseconds: try container.decode(Int64.self, forKey: .time)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .position(let position): try container.encode(position, forKey: .position)
        case .time(let time): try container.encode(time.microseconds, forKey: .time)
        }
    }
}
