import KokiDomain

/// What may be sent to others (移転), item by item (`../shared/domain/system-functions.md` §4).
/// Stored by declaration order: add cases at the end.
public enum TransferItem: String, Sendable, Hashable, Codable, CaseIterable, Comparable, StoredCase {
    /// 被保険者情報: number, name, kana, birth date, sex, address, eligibility from/until.
    case insuredPerson = "insured-person"
    /// 住所地特例者情報: the facility and the dates.
    case addressException = "address-exception"
    /// 保険料情報: each assessment's fiscal year, decision date, annual premium and installments.
    case premium
    /// 収納情報: payments and their cancellations, by period.
    case collection
    /// 資格異動情報 for the resident register: acquisitions and losses with their dates and reasons.
    case eligibilityChange = "eligibility-change"
    /// 給付申請: benefit applications received at a counter, for the union to decide and pay.
    case benefitApplication = "benefit-application"
    /// 税情報: each income recorded (year, the figures the premium and the copayment use, source).
    case income

    public static let storedCases = allCases
    public static func < (a: TransferItem, b: TransferItem) -> Bool {
        storedCases.firstIndex(of: a)! < storedCases.firstIndex(of: b)!
    }
}

/// Who receives, and so which items the law lets them have. Stored by declaration order.
public enum DestinationKind: String, Sendable, Hashable, Codable, CaseIterable, StoredCase {
    /// 後期高齢者医療広域連合: the prefecture-wide union.
    case union
    /// 市民課 (住民記録): the city's residents division.
    case residents

    public static let storedCases = allCases

    /// The items the law lets this kind of destination receive.
    public var lawfulItems: Set<TransferItem> {
        switch self {
        case .union: [.insuredPerson, .addressException, .premium, .collection, .benefitApplication, .income]
        case .residents: [.eligibilityChange]
        }
    }
}

/// 移転先を登録した — a destination and the items it receives (a subset of what the law allows its
/// kind); registering again replaces the items. Stream `transfer/ID`.
public struct TransferDestinationRegistered: EventPayload {
    public static let eventType = "TransferDestinationRegistered"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            destination: c.field(\.destination), name: c.field(\.name), kind: c.field(\.kind), items: c.field(\.items))
    }

    public static func stream(_ id: String) -> String { "transfer/\(id)" }

    public var destination: String
    public var name: String
    public var kind: DestinationKind
    public var items: [TransferItem]

    public init(destination: String, name: String, kind: DestinationKind, items: [TransferItem]) {
        (self.destination, self.name, self.kind, self.items) = (destination, name, kind, items)
    }
}

/// 移転した — a transfer file was written: the changes recorded in positions
/// `fromPosition…throughPosition`, how many rows of each item, how many persons, and the
/// file's SHA-256. Stream `transfer/ID`.
public struct TransferRecorded: EventPayload {
    public static let eventType = "TransferRecorded"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(
            destination: c.field(\.destination), transferredOn: c.field(\.transferredOn),
            fromPosition: c.field(\.fromPosition), throughPosition: c.field(\.throughPosition),
            counts: c.field(\.counts), persons: c.field(\.persons), fileHash: c.field(\.fileHash))
    }

    public struct Count: Sendable, Hashable, Codable, BinaryRecord {
        public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
            try Self(item: c.field(\.item), rows: c.field(\.rows))
        }

        public var item: TransferItem
        public var rows: Int

        public init(item: TransferItem, rows: Int) {
            (self.item, self.rows) = (item, rows)
        }
    }

    public var destination: String
    public var transferredOn: CivilDate
    public var fromPosition: Int64
    public var throughPosition: Int64
    public var counts: [Count]
    public var persons: Int
    public var fileHash: [UInt8]

    public init(
        destination: String, transferredOn: CivilDate, fromPosition: Int64, throughPosition: Int64, counts: [Count],
        persons: Int, fileHash: [UInt8]
    ) {
        (self.destination, self.transferredOn, self.fromPosition) = (destination, transferredOn, fromPosition)
        (self.throughPosition, self.counts, self.persons, self.fileHash) = (throughPosition, counts, persons, fileHash)
    }
}
