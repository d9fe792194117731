import Crypto
import Foundation
import KokiDomain
import KokiEvents
import LedgerStore

/// Seals and opens persons' identities with a key per person (AES-256-GCM).
///
/// The person's number is the authenticated data, so a sealed identity copied onto another
/// person's event does not open. Erasing a person's key (``erase(_:)``) makes every identity
/// ever sealed for them unreadable while the events and the hash chain stay as they were.
///
/// Each person's key is stored wrapped under the ``MasterKey`` (from a file outside the ledger)
/// when there is one. A vault without a master key — the library used directly, the simulated
/// city — stores keys unwrapped, and opens such keys alongside wrapped ones;
/// ``wrapUnwrappedKeys()`` wraps them later.
public struct IdentityVault: Sendable {
    /// The events' store: its entropy (keys, nonces) and whether it may be written.
    public let store: any EventStore
    /// Where the persons' keys and the lookups that find them are kept.
    public let keyStore: any KeyStore
    public let master: MasterKey?
    /// Keys read once for a replay (``preloaded(_:)``) or a list (``preloaded(_:for:)``); `nil`
    /// reads each key when needed.
    let keys: [String: [UInt8]]?
    /// Whether ``keys`` holds every key stored (a replay's), so a subject missing from it has
    /// none; else a subject missing is read from the store.
    let keysAreAll: Bool

    public init(_ storage: some LedgerStorage, master: MasterKey? = nil) {
        let ports = storage.ports
        self.init(ports.events, ports.keys, master: master, keys: nil)
    }

    public init(_ ledger: KokiLedger) { self.init(ledger.ports, master: ledger.masterKey) }

    /// A vault that opens from keys read up front — for use inside a scan of the ledger, which
    /// cannot query the database from within. It seals nothing.
    public static func preloaded(_ ledger: KokiLedger) throws -> IdentityVault {
        IdentityVault(
            ledger.store, ledger.ports.keys, master: ledger.masterKey, keys: try ledger.ports.keys.allSubjectKeys(),
            keysAreAll: true)
    }

    /// A vault that opens `persons`' sealed values from their keys read up front in one query
    /// (however many other persons the ledger holds keys for); anyone else's key is read when
    /// needed. It seals nothing.
    public static func preloaded(_ ledger: KokiLedger, for persons: some Collection<PersonID>) throws
        -> IdentityVault
    {
        let keys = try ledger.ports.keys.subjectKeys(persons.map { Self.subject($0) })
        return IdentityVault(ledger.store, ledger.ports.keys, master: ledger.masterKey, keys: keys, keysAreAll: false)
    }

    /// A vault to open `persons`' sealed values with: this one (each key read when needed) for a
    /// few, their keys read at once (one query) for a list of many.
    public func opening(_ persons: some Collection<PersonID>, in ledger: KokiLedger) throws -> IdentityVault {
        persons.count > 200 ? try Self.preloaded(ledger, for: persons) : self
    }

    init(
        _ store: any EventStore, _ keyStore: any KeyStore, master: MasterKey?, keys: [String: [UInt8]]?,
        keysAreAll: Bool = true
    ) {
        self.store = store
        self.keyStore = keyStore
        self.master = master
        self.keys = keys
        self.keysAreAll = keysAreAll
    }

    func key(_ person: PersonID, create: Bool) throws -> [UInt8]? {
        let subject = subject(person)
        let blob: [UInt8]?
        if keys != nil, create { throw KokiError(.invalidInput, "a preloaded vault cannot make keys") }
        if let keys, let found = keys[subject] {
            blob = found
        } else if keys != nil, keysAreAll {
            blob = nil
        } else {
            let master = master
            blob = try keyStore.subjectKey(
                subject,
                makeKey: create
                    ? {
                        let fresh = store.randomBytes(32)
                        return try master.map { try $0.wrap(fresh, subject: subject) } ?? fresh
                    } : nil)
        }
        guard let blob else { return nil }
        if blob == Self.tombstone {
            if create { throw KokiError(.invalidInput, "\(person) was erased: nothing can be sealed for them again") }
            return nil
        }
        return try unwrap(blob, subject: subject)
    }

    /// What an erased person's key is replaced with: no key can be made for them again.
    static let tombstone: [UInt8] = [0]

    func unwrap(_ blob: [UInt8], subject: String) throws -> [UInt8] {
        if blob.count == 32 { return blob }  // stored unwrapped (no master key when it was made)
        guard let master else {
            throw KokiError(
                .masterKey, "the key of \(subject) is wrapped under a master key: give its file (--master-key)")
        }
        return try master.unwrap(blob, subject: subject)
    }

    /// Wraps every key stored unwrapped under the master key; returns how many.
    @discardableResult
    public func wrapUnwrappedKeys() throws -> Int {
        guard let master else { throw KokiError(.masterKey, "wrapping keys needs the master key") }
        var wrapped: [String: [UInt8]] = [:]
        for (subject, blob) in try keyStore.allSubjectKeys() where blob.count == 32 && subject.hasPrefix("person/") {
            wrapped[subject] = try master.wrap(blob, subject: subject)
        }
        try keyStore.replaceSubjectKeys(wrapped)
        return wrapped.count
    }

    /// Checks that the master key is the one this ledger's keys are wrapped under (a check key
    /// made on first use), so a wrong key file is named before anything is sealed with it.
    public func checkMasterKey() throws {
        guard let master else { return }
        let subject = "koki/master-key-check"
        let master2 = master
        let store = store
        guard
            let blob = try keyStore.subjectKey(
                subject,
                makeKey: store.isReadOnly ? nil : { try master2.wrap(store.randomBytes(32), subject: subject) })
        else { return }
        _ = try master.unwrap(blob, subject: subject)
    }

    /// Seals a My Number with the person's key (scheme 4) and records the keyed digest that
    /// finds them by it. Needs the master key (the digest's key comes from it).
    public func seal(myNumber: MyNumber, for person: PersonID) throws -> SealedIdentity {
        guard let master else { throw KokiError(.masterKey, "recording a My Number needs the master key") }
        let sealed = try sealBytes(Array(myNumber.digits.utf8), for: person, scheme: 4)
        try keyStore.recordLookup(
            kind: "my-number", digest: master.digest(kind: "my-number", value: myNumber.digits),
            subject: subject(person))
        return sealed
    }

    public func openMyNumber(_ sealed: SealedIdentity, for person: PersonID) throws -> MyNumber? {
        guard let plain = try openBytes(sealed, for: person, scheme: 4) else { return nil }
        return try MyNumber(String(decoding: plain, as: UTF8.self))
    }

    /// The person a My Number finds, if any (never erased persons: their digests went with their keys).
    public func person(byMyNumber number: MyNumber) throws -> PersonID? {
        guard let master else { throw KokiError(.masterKey, "looking up a My Number needs the master key") }
        guard
            let subject = try keyStore.lookup(
                kind: "my-number", digest: master.digest(kind: "my-number", value: number.digits))
        else { return nil }
        return PersonID(streamName: subject)
    }

    static let scheme: UInt8 = 1
    /// An identity with a postal code.
    static let schemeWithPostalCode: UInt8 = 7

    /// A fresh 96-bit nonce from the ledger's entropy source.
    func nonce() throws -> AES.GCM.Nonce { try AES.GCM.Nonce(data: store.randomBytes(12)) }

    public func seal(_ identity: PersonIdentity, for person: PersonID) throws -> SealedIdentity {
        guard let key = try key(person, create: true) else {
            throw KokiError(.invalidInput, "no key could be made for person \(person)")
        }
        var writer = BinaryWriter()
        writer.writeString(identity.nameKanji)
        writer.writeString(identity.nameKana)
        writer.write(identity.birthDate)
        writer.writeBool(identity.sex == .female)
        writer.writeString(identity.address)
        writer.writeOptional(identity.phone) { w, p in w.writeString(p) }
        // With a postal code, scheme 7: the same fields and the code after them.
        if let postalCode = identity.postalCode { writer.writeString(postalCode.digits) }
        let box = try AES.GCM.seal(
            writer.bytes, using: SymmetricKey(data: key), nonce: try nonce(), authenticating: Array(person.value.utf8))
        guard let combined = box.combined else { throw KokiError(.invalidInput, "sealing failed for \(person)") }
        return SealedIdentity(
            bytes: [identity.postalCode == nil ? Self.scheme : Self.schemeWithPostalCode] + Array(combined))
    }

    /// The identity, or `nil` when the person's key was erased.
    public func open(_ sealed: SealedIdentity, for person: PersonID) throws -> PersonIdentity? {
        guard let key = try key(person, create: false) else { return nil }
        let scheme = sealed.bytes.first
        guard scheme == Self.scheme || scheme == Self.schemeWithPostalCode else {
            throw KokiError(
                .undecodableEvent, "identity of \(person) is sealed with unknown scheme \(sealed.bytes.first ?? 0)")
        }
        let plain: Data
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.bytes.dropFirst())
            plain = try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Array(person.value.utf8))
        } catch {
            throw KokiError(.undecodableEvent, "identity of \(person) does not open with their key: \(error)")
        }
        return try plain.withUnsafeBytes { raw in
            var reader = BinaryReader(raw)
            let identity = try PersonIdentity(
                nameKanji: try reader.readString(), nameKana: try reader.readString(), birthDate: try reader.readDate(),
                sex: try reader.readBool() ? .female : .male, address: try reader.readString(),
                phone: try reader.readOptional { r in try r.readString() },
                postalCode: scheme == Self.schemeWithPostalCode ? try PostalCode(try reader.readString()) : nil)
            try reader.expectEnd()
            return identity
        }
    }

    /// Seals a bank account with the person's key (scheme 2).
    public func seal(_ account: BankAccount, for person: PersonID) throws -> SealedIdentity {
        var writer = BinaryWriter()
        writer.writeString(account.bankCode)
        writer.writeString(account.branchCode)
        writer.writeUInt(UInt64(account.accountType))
        writer.writeString(account.accountNumber)
        writer.writeString(account.holderKana)
        return try sealBytes(writer.bytes, for: person, scheme: 2)
    }

    /// The bank account, or `nil` when the person's key was erased.
    public func openAccount(_ sealed: SealedIdentity, for person: PersonID) throws -> BankAccount? {
        guard let plain = try openBytes(sealed, for: person, scheme: 2) else { return nil }
        return try plain.withUnsafeBytes { raw in
            var reader = BinaryReader(raw)
            let account = try BankAccount(
                bankCode: try reader.readString(), branchCode: try reader.readString(),
                accountType: try reader.readCount(limit: 9), accountNumber: try reader.readString(),
                holderKana: try reader.readString())
            try reader.expectEnd()
            return account
        }
    }

    /// Seals a name (an heir's) with the person's key (scheme 3).
    public func seal(name: String, for person: PersonID) throws -> SealedIdentity {
        try sealBytes(Array(name.utf8), for: person, scheme: 3)
    }

    public func openName(_ sealed: SealedIdentity, for person: PersonID) throws -> String? {
        try openBytes(sealed, for: person, scheme: 3).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Seals who receives a person's mail with the person's key (scheme 6).
    public func seal(_ recipient: MailRecipient, for person: PersonID) throws -> SealedIdentity {
        var writer = BinaryWriter()
        writer.writeString(recipient.name)
        writer.writeOptional(recipient.postalCode) { w, p in w.writeString(p.digits) }
        writer.writeString(recipient.address)
        return try sealBytes(writer.bytes, for: person, scheme: 6)
    }

    /// The recipient, or `nil` when the person's key was erased.
    public func openRecipient(_ sealed: SealedIdentity, role: MailRecipient.Role, for person: PersonID) throws
        -> MailRecipient?
    {
        guard let plain = try openBytes(sealed, for: person, scheme: 6) else { return nil }
        return try plain.withUnsafeBytes { raw in
            var reader = BinaryReader(raw)
            let recipient = try MailRecipient(
                name: try reader.readString(),
                postalCode: try reader.readOptional { r in try PostalCode(try r.readString()) },
                address: try reader.readString(), role: role)
            try reader.expectEnd()
            return recipient
        }
    }

    /// Seals a text (a counter application's command line) with the person's key (scheme 5).
    public func sealText(_ text: String, for person: PersonID) throws -> SealedIdentity {
        try sealBytes(Array(text.utf8), for: person, scheme: 5)
    }

    public func openText(_ sealed: SealedIdentity, for person: PersonID) throws -> String? {
        try openBytes(sealed, for: person, scheme: 5).map { String(decoding: $0, as: UTF8.self) }
    }

    func sealBytes(_ plain: [UInt8], for person: PersonID, scheme: UInt8) throws -> SealedIdentity {
        guard let key = try key(person, create: true) else {
            throw KokiError(.invalidInput, "no key could be made for person \(person)")
        }
        let box = try AES.GCM.seal(
            plain, using: SymmetricKey(data: key), nonce: try nonce(), authenticating: Array(person.value.utf8))
        guard let combined = box.combined else { throw KokiError(.invalidInput, "sealing failed for \(person)") }
        return SealedIdentity(bytes: [scheme] + Array(combined))
    }

    func openBytes(_ sealed: SealedIdentity, for person: PersonID, scheme: UInt8) throws -> Data? {
        guard let key = try key(person, create: false) else { return nil }
        guard sealed.bytes.first == scheme else {
            throw KokiError(
                .undecodableEvent, "data of \(person) is sealed with scheme \(sealed.bytes.first ?? 0), not \(scheme)")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.bytes.dropFirst())
            return try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Array(person.value.utf8))
        } catch {
            throw KokiError(.undecodableEvent, "data of \(person) does not open with their key: \(error)")
        }
    }

    /// Erases the person's key: their identity can never be read again.
    @discardableResult
    public func erase(_ person: PersonID) throws -> Bool {
        let subject = subject(person)
        if let blob = try keyStore.subjectKey(subject, makeKey: nil), blob == Self.tombstone { return false }
        let had = try keyStore.eraseSubjectKey(subject)
        _ = try keyStore.subjectKey(subject, makeKey: { Self.tombstone })
        return had
    }

    private func subject(_ person: PersonID) -> String { Self.subject(person) }
    private static func subject(_ person: PersonID) -> String { "person/\(person.value)" }
}
