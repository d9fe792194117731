import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// What a request about a date answers: the date it ran for (the caller's today when none was
/// given) and what it found or did. After a batch run, `readModelsNote` says why the stored
/// balances were not brought up to date (the next query will).
public struct OnDate<Value: Codable & Sendable>: Codable, Sendable {
    public var on: CivilDate
    public var value: Value
    public var readModelsNote: String?

    init(_ on: CivilDate, _ value: Value, readModelsNote: String? = nil) {
        (self.on, self.value, self.readModelsNote) = (on, value, readModelsNote)
    }

    /// After a batch run that touched many persons: the stored read models brought up to date
    /// now, so the cost of folding those persons again lands on the batch job, not on the next
    /// query. The run's own work is committed already; a failure only leaves it to that query.
    static func afterRun(_ on: CivilDate, _ value: Value, _ ledger: KokiLedger) -> OnDate {
        OnDate(on, value, readModelsNote: readModelsBroughtUp(ledger))
    }
}

/// A contact record as a server sends it: each version's plain fields and its words opened (or
/// `null` once erased). The sealed words stay in the ledger: a version read back holds no sealed
/// bytes, only the opened words it was sent with.
extension ArrearsCommands.Contact: Codable {
    private enum CodingKeys: String, CodingKey { case id, versions }

    private struct Version: Codable {
        var person: PersonID
        var change: ContactRecorded.Change
        var contactedOn: CivilDate
        var method: ContactMethod
        var promisedOn: CivilDate?
        var words: ContactWords?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .id)
        let versions = try c.decode([Version].self, forKey: .versions)
        self.init(
            id: id,
            versions: versions.map {
                (
                    event: ContactRecorded(
                        person: $0.person, id: id, change: $0.change, contactedOn: $0.contactedOn, method: $0.method,
                        words: SealedIdentity(bytes: []), promisedOn: $0.promisedOn),
                    words: $0.words
                )
            })
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(
            versions.map {
                Version(
                    person: $0.event.person, change: $0.event.change, contactedOn: $0.event.contactedOn,
                    method: $0.event.method, promisedOn: $0.event.promisedOn, words: $0.words)
            }, forKey: .versions)
    }
}

extension ArrearsCommands.HistoryEntry {
    /// When the entry's event was recorded, as the store's timestamp.
    public var recordedAt: Timestamp { Timestamp(microseconds: recordedAtMicroseconds) }
}

extension ArrearsCommands.HistoryEntry: Codable {
    private enum CodingKeys: String, CodingKey { case date, position, recordedAt, actor, kind, text }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(date, forKey: .date)
        try container.encode(position, forKey: .position)
        try container.encode(recordedAt.description, forKey: .recordedAt)
        try container.encode(actor, forKey: .actor)
        try container.encode(kind, forKey: .kind)
        try container.encode(text, forKey: .text)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let recorded = try container.decode(String.self, forKey: .recordedAt)
        guard let recordedAt = Timestamp(iso: recorded) else {
            throw DecodingError.dataCorruptedError(
                forKey: .recordedAt, in: container, debugDescription: "not a recorded time: \(recorded)")
        }
        self.init(
            date: try container.decode(CivilDate.self, forKey: .date),
            position: try container.decode(Int64.self, forKey: .position),
            recordedAtMicroseconds: recordedAt.microseconds, actor: try container.decode(String.self, forKey: .actor),
            kind: try container.decode(String.self, forKey: .kind), text: try container.decode(String.self, forKey: .text))
    }
}
