import Foundation
import KokiDomain

/// 保険料率表を採用した — the rate table for a fiscal year was adopted (or replaced), so every
/// assessment, and every later replay, uses the table that was in force. Recorded on the stream
/// `config/rates/<fiscal year>`; the latest adopted table of a year is the one in force.
public struct RateTableAdopted: EventPayload {
    public static let eventType = "RateTableAdopted"
    public static let schemaVersion = 1

    public var table: RateTable

    public init(table: RateTable) { self.table = table }

    public var streamName: String { "config/rates/\(table.fiscalYear)" }

    /// The table is stored as its canonical JSON (sorted keys): a rare, human-audited fact where
    /// readability beats a few bytes.
    public func encode(to writer: inout BinaryWriter) {
        writer.writeString(Self.canonicalJSON(table))
    }

    public init(from reader: inout BinaryReader) throws {
        let text = try reader.readString()
        table = try JSONDecoder().decode(RateTable.self, from: Data(text.utf8))
    }

    static func canonicalJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}
