import Foundation
import KokiDomain

/// 保険料率表を採用した — the rate table for a fiscal year was adopted (or replaced), so every
/// assessment, and every later replay, uses the table that was in force. Recorded on the stream
/// `config/rates/<fiscal year>`; the latest adopted table of a year is the one in force. The table
/// is stored as its canonical JSON (``StoredAsJSON``).
public struct RateTableAdopted: EventPayload {
    public static let eventType = "RateTableAdopted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(table: c.field(\.table))
    }

    public var table: RateTable

    public init(table: RateTable) { self.table = table }

    public var streamName: String { "config/rates/\(table.fiscalYear)" }
}
