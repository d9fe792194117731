import Crypto
import Foundation
import KokiDomain
import LedgerStore

/// The key that protects every person's key: 256 bits in a file outside the ledger (64 hex
/// digits), whose path is configuration (`--master-key`, `$KOKI_MASTER_KEY`).
///
/// Each person's key is stored in the ledger file wrapped under it (AES-256-GCM, the subject's
/// name as authenticated data), so a copy of the ledger file alone opens no one's identity, bank
/// account or My Number. Lose the master key and the personal data is lost — the events, amounts
/// and hash chain are not: `koki verify` still passes and every figure still adds up. Keep it
/// where the ledger's backups are not, and back it up on its own.
public struct MasterKey: Sendable {
    let key: SymmetricKey

    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw KokiError(.masterKey, "a master key is 32 bytes, not \(bytes.count)") }
        key = SymmetricKey(data: bytes)
    }

    /// Reads the key file.
    public static func load(from path: String) throws -> MasterKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KokiError(
                .masterKey,
                "no master key at \(path): personal data cannot be opened without it (set --master-key or $KOKI_MASTER_KEY)"
            )
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            throw KokiError(
                .masterKey, "\(path) is readable by others: the master key must be its owner's alone (chmod 600)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, let bytes = [UInt8](hex: text) else {
            throw KokiError(.masterKey, "\(path) is not a master key file (64 hex digits)")
        }
        return try MasterKey(bytes: bytes)
    }

    /// Makes a new key file readable by its owner only; refuses to overwrite one.
    public static func create(at path: String) throws -> MasterKey {
        let bytes = SystemEntropy().bytes(32)
        let text = bytes.hex + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw KokiError(
                .masterKey, "cannot create the master key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = text.withCString { write(fd, $0, strlen($0)) }
        guard written == text.utf8.count, fsync(fd) == 0 else {
            throw KokiError(.masterKey, "cannot write the master key file \(path)")
        }
        return try MasterKey(bytes: bytes)
    }

    static let wrapScheme: UInt8 = 0x4B  // "K": a key wrapped under the master key

    /// A person's key wrapped for storage: scheme byte, nonce, ciphertext, tag.
    func wrap(_ raw: [UInt8], subject: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(raw, using: key, authenticating: Array(subject.utf8))
        guard let combined = box.combined else { throw KokiError(.masterKey, "wrapping the key of \(subject) failed") }
        return [Self.wrapScheme] + Array(combined)
    }

    func unwrap(_ blob: [UInt8], subject: String) throws -> [UInt8] {
        guard blob.first == Self.wrapScheme else {
            throw KokiError(.masterKey, "the key of \(subject) is not wrapped under a master key")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: blob.dropFirst())
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(subject.utf8)))
        } catch {
            throw KokiError(
                .masterKey, "the key of \(subject) does not open with this master key: it is not this ledger's")
        }
    }

    /// A keyed digest of a secret value (HMAC-SHA-256 under a key derived from the master key):
    /// finds a person by My Number without storing the number or an index anyone could search
    /// by trying all 10^11 numbers.
    public func digest(kind: String, value: String) -> [UInt8] {
        let lookupKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Array("koki lookup \(kind)".utf8), outputByteCount: 32)
        return Array(HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: lookupKey))
    }
}

extension MasterKey {
    /// The key this ledger's commands are sealed under (HKDF-SHA-256 from the master key, bound
    /// to the ledger's id, so two ledgers under one master key never share seals): the keyed half
    /// of the chain, which someone who can write the ledger file but not read the key file
    /// cannot recompute (see ``ChainKey``).
    public func chainKey(for ledgerID: Identifier) throws -> ChainKey {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Array("koki keyed chain \(ledgerID)".utf8), outputByteCount: 32)
        return try derived.withUnsafeBytes { try ChainKey(bytes: Array($0)) }
    }
}

extension KokiLedger {
    /// Seals the ledger's commands under the master key from now on (and, the first time, what
    /// it holds already); without a master key, nothing changes. See ``EventStore/useChainKey(_:)``.
    public func useMasterKeyForChain() throws {
        guard let masterKey else { return }
        try store.useChainKey(try masterKey.chainKey(for: store.ledgerID))
    }
}

