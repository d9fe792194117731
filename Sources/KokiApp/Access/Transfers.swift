import Crypto
import Foundation
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// Transfers (移転): files of what changed since the last transfer to a registered destination,
/// holding only the items registered for it — which can only be items the law lets its kind
/// receive. Each transfer is recorded with its range, counts and the file's SHA-256.
public struct Transfers: Sendable {
    public let ledger: KokiLedger

    public init(_ ledger: KokiLedger) { self.ledger = ledger }

    public struct Destination: Sendable, Hashable {
        public var registration: TransferDestinationRegistered
        public var transfers: [TransferRecorded] = []
        /// The last position already sent (0 when nothing was).
        public var sentThrough: Int64 { transfers.last?.throughPosition ?? 0 }
    }

    public func destination(_ id: String) throws -> Destination? {
        guard let stream = try? StreamName(TransferDestinationRegistered.stream(id)) else { return nil }
        var destination: Destination?
        try ledger.forEachEvent(.stream(stream)) { _, event in
            switch event {
            case .access(.transferDestinationRegistered(let e)):
                destination = Destination(registration: e, transfers: destination?.transfers ?? [])
            case .access(.transferRecorded(let e)): destination?.transfers.append(e)
            default: break
            }
        }
        return destination
    }

    public func destinations() throws -> [Destination] {
        try ledger.store.streams(prefix: "transfer/").compactMap {
            try destination(String($0.stream.value.dropFirst("transfer/".count)))
        }
    }

    /// Registers (or re-registers) a destination; an item its kind may not receive is refused.
    public func register(
        _ id: String, name: String, kind: DestinationKind, items: [TransferItem], metadata: CommandMetadata
    ) throws {
        try AccessControl.validate(operatorID: id)
        guard !items.isEmpty else { throw KokiError(.invalidInput, "give the items the destination receives (--item)") }
        let forbidden = Set(items).subtracting(kind.lawfulItems)
        guard forbidden.isEmpty else {
            throw KokiError(
                .invalidInput,
                "a \(kind.rawValue) destination may not receive \(forbidden.sorted().map(\.rawValue).joined(separator: ", ")) (lawful: \(kind.lawfulItems.sorted().map(\.rawValue).joined(separator: ", ")))"
            )
        }
        try ledger.record(
            [
                .access(
                    .transferDestinationRegistered(
                        TransferDestinationRegistered(
                            destination: id, name: name, kind: kind, items: Array(Set(items)).sorted())))
            ], metadata: metadata)
    }

    /// What one transfer wrote: what to record, and the persons whose data it holds.
    public struct Batch: Sendable {
        public var record: TransferRecorded
        public var persons: [PersonID]
    }

    /// Writes the rows — everything recorded since the last transfer to `id`, restricted to
    /// `items` (default: all its registered items) — as JSON lines to `sink`, a megabyte at a
    /// time, hashing as it goes: memory stays flat however long the history. Nothing is
    /// recorded until ``record(_:metadata:)``.
    public func write(
        _ id: String, on date: CivilDate, items requested: [TransferItem]? = nil, to sink: ([UInt8]) throws -> Void
    ) throws -> Batch {
        guard let destination = try destination(id) else {
            throw KokiError(
                .invalidInput, "no transfer destination \(id) is registered (koki transfer destination add)")
        }
        let registered = Set(destination.registration.items)
        let items = Set(requested ?? destination.registration.items)
        let refused = items.subtracting(registered)
        guard refused.isEmpty else {
            throw KokiError(
                .invalidInput,
                "\(id) is not registered to receive \(refused.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        let from = destination.sentThrough + 1
        let through = try ledger.store.head().position
        var hasher = SHA256()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var counts: [TransferItem: Int] = [:]
        var persons: [PersonID] = []
        var sent = Set<PersonID>()
        func emit(_ item: TransferItem, _ person: PersonID, _ fields: [(String, String)]) throws {
            let line = JSONLine.object(
                [("item", JSONLine.string(item.rawValue)), ("person", JSONLine.string(person.value))] + fields)
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
            counts[item, default: 0] += 1
            if sent.insert(person).inserted { persons.append(person) }
            if buffer.count >= 1 << 20 { try flush() }
        }
        func flush() throws {
            hasher.update(data: buffer)
            try sink(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        var identityChanged: [PersonID] = []
        var changed = Set<PersonID>()
        var query = EventQuery.from(position: from)
        query.throughPosition = through
        // (No stream prefix: with one, SQLite walks every person's stream in the stream index
        // instead of the few positions asked for; events of no person fall through the switch.)
        // Benefit applications, whose payee and account are opened after the scan (the key
        // table is not read while the events are).
        var benefits: [(BenefitApplicationReceived, Int64)] = []
        try ledger.forEachEvent(query) { view, event in
            func add(_ item: TransferItem, _ person: PersonID, _ fields: [(String, String)]) throws {
                guard items.contains(item) else { return }
                try emit(item, person, [("position", "\(view.position)")] + fields)
            }
            func identity(_ person: PersonID) {
                if changed.insert(person).inserted { identityChanged.append(person) }
            }
            func q(_ s: String) -> String { JSONLine.string(s) }
            func eligibility(_ person: PersonID, _ change: String, _ reason: String, _ from: CivilDate) throws {
                identity(person)
                try add(
                    .eligibilityChange, person,
                    [("change", q(change)), ("reason", q(reason)), ("effectiveFrom", q(from.description))])
            }
            switch event {
            case .personRegistered(let e): identity(e.person)
            case .personIdentityCorrected(let e): identity(e.person)
            case .eligibilityAcquired(let e):
                try eligibility(e.person, "acquired", e.reason.rawValue, e.effectiveFrom)
            case .eligibilityLost(let e):
                try eligibility(e.person, "lost", e.reason.rawValue, e.effectiveFrom)
            case .addressExceptionStarted(let e):
                try add(
                    .addressException, e.person,
                    [("change", q("started")), ("facility", q(e.facility)), ("from", q(e.from.description))])
            case .addressExceptionEnded(let e):
                try add(.addressException, e.person, [("change", q("ended")), ("from", q(e.from.description))])
            case .premiumAssessed(let e):
                try add(
                    .premium, e.person,
                    [
                        ("fiscalYear", "\(e.fiscalYear.year)"), ("decidedOn", q(e.decidedOn.description)),
                        ("reason", q(e.reason.rawValue)), ("annualPremium", "\(e.annualPremium.amount)"),
                        (
                            "installments",
                            "["
                                + e.installments.map {
                                    JSONLine.object([
                                        ("period", "\($0.period.number)"), ("dueDate", q($0.dueDate.description)),
                                        ("amount", "\($0.amount.amount)"),
                                    ])
                                }.joined(separator: ",") + "]"
                        ),
                    ])
            case .paymentReceived(let e):
                try add(
                    .collection, e.person,
                    [
                        ("change", q("paid")), ("payment", q(e.id)), ("paidOn", q(e.paidOn.description)),
                        ("amount", "\(e.amount.amount)"),
                        (
                            "periods",
                            "["
                                + e.parts.map {
                                    JSONLine.object([
                                        ("period", q($0.key.description)), ("amount", "\($0.amount.amount)"),
                                    ])
                                }.joined(separator: ",") + "]"
                        ),
                    ])
            case .paymentCancelled(let e):
                try add(
                    .collection, e.person,
                    [
                        ("change", q("cancelled")), ("payment", q(e.payment)),
                        ("cancelledOn", q(e.cancelledOn.description)),
                    ])
            case .incomeRecorded(let e):
                try add(
                    .income, e.person,
                    [
                        ("year", "\(e.year)"), ("publicPensionRevenue", "\(e.publicPensionRevenue.amount)"),
                        ("salaryRevenue", "\(e.salaryRevenue.amount)"), ("otherIncome", "\(e.otherIncome.amount)"),
                        ("totalIncome", "\(e.totalIncome.amount)"),
                        ("taxableIncome", e.taxableIncome.map { "\($0.amount)" } ?? "null"),
                        ("declared", e.declared ? "true" : "false"), ("source", q(e.source)),
                    ])
            case .counter(.benefitApplicationReceived(let e)) where items.contains(.benefitApplication):
                benefits.append((e, view.position))
            default: break
            }
        }
        // What the union needs to decide and pay a benefit: the payee and account opened to send.
        let benefitVault = IdentityVault(ledger)
        for (e, position) in benefits {
            func q(_ s: String) -> String { JSONLine.string(s) }
            let payee = try e.payee.flatMap { try benefitVault.openName($0, for: e.person) }
            let account = try e.account.flatMap { try benefitVault.openAccount($0, for: e.person) }
            try emit(
                .benefitApplication, e.person,
                [
                    ("position", "\(position)"), ("number", q(e.number)), ("kind", q(e.kind.rawValue)),
                    ("receivedOn", q(e.reception.receivedOn.description)), ("office", q(e.reception.office)),
                    ("serviceFrom", q(e.serviceFrom.description)), ("serviceThrough", q(e.serviceThrough.description)),
                    ("claimed", e.claimed.map { "\($0.amount)" } ?? "null"), ("payee", payee.map(q) ?? "null"),
                    (
                        "account",
                        account.map {
                            JSONLine.object([
                                ("bank", q($0.bankCode)), ("branch", q($0.branchCode)), ("type", "\($0.accountType)"),
                                ("number", q($0.accountNumber)), ("holder", q($0.holderKana)),
                            ])
                        } ?? "null"
                    ),
                ])
        }
        // Insured-person rows: the person as the register has them now, identity opened to send.
        if items.contains(.insuredPerson) {
            let commands = CollectionCommands(ledger)
            let vault = IdentityVault(ledger)
            for person in identityChanged {
                guard let entry = try commands.load(person).entry else { continue }
                let identity = try vault.open(entry.identity, for: person)
                let period = entry.eligibilityPeriods.last
                func q(_ s: String) -> String { JSONLine.string(s) }
                try emit(
                    .insuredPerson, person,
                    [
                        ("name", identity.map { q($0.nameKanji) } ?? "null"),
                        ("kana", identity.map { q($0.nameKana) } ?? "null"),
                        ("birthDate", identity.map { q($0.birthDate.description) } ?? "null"),
                        ("sex", identity.map { q($0.sex.rawValue) } ?? "null"),
                        ("address", identity.map { q($0.address) } ?? "null"),
                        ("insuredFrom", period.map { q($0.from.description) } ?? "null"),
                        ("insuredUntil", period?.until.map { q($0.description) } ?? "null"),
                        ("erased", entry.erased == nil ? "false" : "true"),
                    ])
            }
        }
        try flush()
        return Batch(
            record: TransferRecorded(
                destination: id, transferredOn: date, fromPosition: from, throughPosition: through,
                counts: items.sorted().map { TransferRecorded.Count(item: $0, rows: counts[$0] ?? 0) },
                persons: persons.count, fileHash: Array(hasher.finalize())),
            persons: persons)
    }

    /// One person's item in the cumulative list of what was sent to a destination (広域送付対象累積).
    public struct Sent: Sendable, Hashable, Codable {
        public var person: PersonID
        public var item: TransferItem
        /// Rows of the item sent for the person, over every transfer.
        public var rows: Int
        public var transfers: Int
        public var firstSentOn: CivilDate
        public var lastSentOn: CivilDate
    }

    /// The items a recorded event puts in a transfer file, and for whom — as ``write(_:on:items:to:)``
    /// writes them (an identity or eligibility change makes one insured-person row per transfer).
    static func sentItems(of event: KokiEvent) -> [(TransferItem, PersonID)] {
        switch event {
        case .personRegistered(let e): [(.insuredPerson, e.person)]
        case .personIdentityCorrected(let e): [(.insuredPerson, e.person)]
        case .eligibilityAcquired(let e): [(.insuredPerson, e.person), (.eligibilityChange, e.person)]
        case .eligibilityLost(let e): [(.insuredPerson, e.person), (.eligibilityChange, e.person)]
        case .addressExceptionStarted(let e): [(.addressException, e.person)]
        case .addressExceptionEnded(let e): [(.addressException, e.person)]
        case .premiumAssessed(let e): [(.premium, e.person)]
        case .paymentReceived(let e): [(.collection, e.person)]
        case .paymentCancelled(let e): [(.collection, e.person)]
        case .incomeRecorded(let e): [(.income, e.person)]
        case .counter(.benefitApplicationReceived(let e)): [(.benefitApplication, e.person)]
        default: []
        }
    }

    /// The cumulative list of what was sent to destination `id` (広域送付対象累積): for every person
    /// and item, the rows sent, in how many transfers, the first and the last day — read again from
    /// the ranges the recorded transfers name, as each transfer held its own items. Only `person`'s
    /// when given.
    public func sent(_ id: String, person: PersonID? = nil) throws -> [Sent] {
        guard let destination = try destination(id) else {
            throw KokiError(.invalidInput, "no transfer destination \(id) is registered")
        }
        struct Key: Hashable {
            var person: PersonID
            var item: TransferItem
        }
        var out: [Key: Sent] = [:]
        for transfer in destination.transfers where transfer.throughPosition >= transfer.fromPosition {
            let items = Set(transfer.counts.map(\.item))
            var query = EventQuery.from(position: transfer.fromPosition)
            query.throughPosition = transfer.throughPosition
            query.readsEnvelopes = false
            var seen = Set<Key>()
            var identities = Set<PersonID>()
            try ledger.forEachEvent(query) { _, event in
                for (item, who) in Self.sentItems(of: event) where items.contains(item) {
                    if let person, who != person { continue }
                    // One insured-person row per person and transfer.
                    if item == .insuredPerson, !identities.insert(who).inserted { continue }
                    let key = Key(person: who, item: item)
                    let first = seen.insert(key).inserted
                    var row =
                        out[key]
                        ?? Sent(
                            person: who, item: item, rows: 0, transfers: 0, firstSentOn: transfer.transferredOn,
                            lastSentOn: transfer.transferredOn)
                    row.rows += 1
                    if first { row.transfers += 1 }
                    row.lastSentOn = transfer.transferredOn
                    out[key] = row
                }
            }
        }
        return out.values.sorted { ($0.person, $0.item) < ($1.person, $1.item) }
    }

    /// Records a written transfer (once its file is in place). Its command id is derived from
    /// the destination and the first position, so recording the same range twice — two
    /// operators at once, or a retry — records it once.
    @discardableResult
    public func record(_ batch: Batch, metadata: CommandMetadata) throws -> AppendResult {
        var metadata = metadata
        metadata.commandID = Identifier(
            derivedFrom: Array("transfer/\(batch.record.destination)/\(batch.record.fromPosition)".utf8))
        return try ledger.record([.access(.transferRecorded(batch.record))], metadata: metadata)
    }
}
