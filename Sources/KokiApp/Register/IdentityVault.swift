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
public struct IdentityVault: Sendable {
    public let store: Ledger
    /// Keys read once for a replay (``preloaded(_:)``); `nil` reads each key when needed.
    let keys: [String: [UInt8]]?

    public init(_ store: Ledger) {
        self.store = store
        keys = nil
    }

    /// A vault that opens from keys read up front — for use inside a scan of the ledger, which
    /// cannot query the database from within. It seals nothing.
    public static func preloaded(_ store: Ledger) throws -> IdentityVault {
        IdentityVault(store, keys: try store.allSubjectKeys())
    }

    init(_ store: Ledger, keys: [String: [UInt8]]) {
        self.store = store
        self.keys = keys
    }

    func key(_ person: PersonID, create: Bool) throws -> [UInt8]? {
        if let keys {
            guard !create else { throw KokiError(.invalidInput, "a preloaded vault cannot make keys") }
            return keys[subject(person)]
        }
        return try store.subjectKey(subject(person), create: create)
    }

    static let scheme: UInt8 = 1

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
        let box = try AES.GCM.seal(
            writer.bytes, using: SymmetricKey(data: key), nonce: try nonce(), authenticating: Array(person.value.utf8))
        guard let combined = box.combined else { throw KokiError(.invalidInput, "sealing failed for \(person)") }
        return SealedIdentity(bytes: [Self.scheme] + Array(combined))
    }

    /// The identity, or `nil` when the person's key was erased.
    public func open(_ sealed: SealedIdentity, for person: PersonID) throws -> PersonIdentity? {
        guard let key = try key(person, create: false) else { return nil }
        guard sealed.bytes.first == Self.scheme else {
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
                phone: try reader.readOptional { r in try r.readString() })
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
        try store.eraseSubjectKey(subject(person))
    }

    private func subject(_ person: PersonID) -> String { "person/\(person.value)" }
}
