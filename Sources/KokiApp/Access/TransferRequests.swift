import KokiDomain
import KokiEvents

/// Where a transfer file is written as it is made, provided by the door (the command line writes
/// a file beside its final name, only its owner's; the server writes inside its output folder).
/// The handler opens it only after the core checked the operator, writes the rows a megabyte at a
/// time, and keeps it only once the persons in it are recorded as read; anything else discards it.
public protocol TransferFileSink: Sendable {
    /// Makes the file ready to write (refused when it exists already); answers its name as shown.
    func open() throws -> String
    func write(_ bytes: [UInt8]) throws
    /// Flushes and closes the file (it is not in place yet).
    func close() throws
    /// Moves the closed file into place.
    func keep() throws
    /// Removes whatever was written (the file is not kept).
    func discard()
}

/// `transfer DESTINATION`: what changed since the last transfer to a registered destination, as a
/// file (written through `sink`), recorded with the persons in it as read. A request body cannot
/// carry a sink: only a door that writes files runs it.
public struct RunTransfer: KokiRequest {
    public static let name = "transfer"
    public static let function: AccessFunction? = .transfer

    public var destination: String
    public var date: CivilDate
    /// Only these items (empty: all registered).
    public var items: [TransferItem]
    /// The file, as the caller named it.
    public var out: String
    public var sink: (any TransferFileSink)? = nil

    private enum CodingKeys: String, CodingKey { case destination, date, items, out }

    public init(
        destination: String, date: CivilDate, items: [TransferItem], out: String, sink: (any TransferFileSink)?
    ) {
        self.destination = destination
        self.date = date
        self.items = items
        self.out = out
        self.sink = sink
    }

    public struct Outcome: Sendable, Codable {
        public var record: TransferRecorded
        /// Where the file went, as the door names it.
        public var file: String
    }

    public func handle(_ scope: RequestScope) throws -> Outcome {
        guard let sink else { throw KokiError(.invalidInput, "a transfer is written to a file: run it where one can be") }
        let file = try sink.open()
        var kept = false
        defer { if !kept { sink.discard() } }
        let transfers = Transfers(scope.ledger)
        let batch = try transfers.write(destination, on: date, items: items.isEmpty ? nil : items, to: { try sink.write($0) })
        try sink.close()
        try scope.recordRead(batch.persons, purpose: "transfer to \(destination)")
        try sink.keep()
        kept = true
        try transfers.record(batch, metadata: scope.metadata())
        return Outcome(record: batch.record, file: file)
    }
}

/// `transfer destination add`: registers (or re-registers) a destination and the items it receives.
public struct RegisterTransferDestination: KokiRequest {
    public static let name = "transfer destination add"
    public static let function: AccessFunction? = .securityAdmin

    public var destination: String
    public var name: String
    public var kind: DestinationKind
    public var items: [TransferItem]

    public init(destination: String, name: String, kind: DestinationKind, items: [TransferItem]) {
        (self.destination, self.name, self.kind, self.items) = (destination, name, kind, items)
    }

    public func handle(_ scope: RequestScope) throws -> [TransferItem] {
        try Transfers(scope.ledger).register(
            destination, name: try checkedText(name, field: "--name"), kind: kind, items: items, metadata: scope.metadata())
        return items
    }
}

/// `transfer destination list`: the registered destinations and their transfers.
public struct ListTransferDestinations: KokiRequest {
    public static let name = "transfer destination list"
    public static let function: AccessFunction? = .transfer
    public static let isQuery = true

    public init() {}

    public func handle(_ scope: RequestScope) throws -> [Transfers.Destination] {
        try Transfers(scope.ledger).destinations()
    }
}

/// `transfer history`: the transfers made to one destination.
public struct ShowTransferHistory: KokiRequest {
    public static let name = "transfer history"
    public static let function: AccessFunction? = .transfer
    public static let isQuery = true

    public var destination: String

    public init(destination: String) { self.destination = destination }

    public func handle(_ scope: RequestScope) throws -> Transfers.Destination {
        guard let found = try Transfers(scope.ledger).destination(destination) else {
            throw KokiError(.invalidInput, "no transfer destination \(destination)")
        }
        return found
    }
}

/// `transfer sent`: the cumulative list of what was sent to a destination (広域送付対象累積).
public struct ListSentToDestination: KokiRequest {
    public static let name = "transfer sent"
    public static let function: AccessFunction? = .transfer
    public static let isQuery = true

    public var destination: String
    public var person: PersonID?

    public init(destination: String, person: PersonID?) { (self.destination, self.person) = (destination, person) }

    public func handle(_ scope: RequestScope) throws -> [Transfers.Sent] {
        let rows = try Transfers(scope.ledger).sent(destination, person: person)
        try scope.recordRead(Array(Set(rows.map(\.person))).sorted())
        return rows
    }
}

extension Transfers.Destination: Codable {
    private enum CodingKeys: String, CodingKey { case registration, transfers, sentThrough }

    /// `sentThrough` is derived from the transfers, so it is not read back.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            registration: try c.decode(TransferDestinationRegistered.self, forKey: .registration),
            transfers: try c.decode([TransferRecorded].self, forKey: .transfers))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(registration, forKey: .registration)
        try c.encode(transfers, forKey: .transfers)
        try c.encode(sentThrough, forKey: .sentThrough)
    }
}
