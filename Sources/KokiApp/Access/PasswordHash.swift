import Crypto
import Foundation
import _CryptoExtras

/// Passwords stored as scrypt hashes (memory-hard, from swift-crypto's BoringSSL), in the form
/// `$scrypt$ln=17,r=8,p=1$SALT$HASH` (base64), so each hash carries the cost it was made with
/// and a city can raise the cost without invalidating old passwords.
public enum PasswordHash {
    static let blockSize = 8
    static let parallelism = 1

    /// A new hash of `password` with a fresh 16-byte salt at cost 2^`cost`.
    public static func make(_ password: String, cost: Int, salt: [UInt8]) throws -> String {
        let derived = try derive(password, salt: salt, cost: cost)
        return
            "$scrypt$ln=\(cost),r=\(blockSize),p=\(parallelism)$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
    }

    /// Whether `password` matches `stored` (compared in constant time).
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count == 4, parts[0] == "scrypt", let salt = Data(base64Encoded: String(parts[2])),
            let expected = Data(base64Encoded: String(parts[3]))
        else { return false }
        var cost = 0
        for field in parts[1].split(separator: ",") {
            let kv = field.split(separator: "=")
            guard kv.count == 2, let value = Int(kv[1]) else { return false }
            switch kv[0] {
            case "ln": cost = value
            case "r": guard value == blockSize else { return false }
            case "p": guard value == parallelism else { return false }
            default: return false
            }
        }
        guard (10...22).contains(cost), let derived = try? derive(password, salt: Array(salt), cost: cost),
            derived.count == expected.count
        else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(derived, expected) { difference |= a ^ b }
        return difference == 0
    }

    /// What is wrong with a new password, or `nil`.
    public static func weakness(_ password: String) -> String? {
        if password.count < 12 { return "a password has at least 12 characters" }
        if Set(password).count < 5 { return "a password uses at least 5 different characters" }
        return nil
    }

    static func derive(_ password: String, salt: [UInt8], cost: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << cost, blockSize: blockSize,
            parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }
}
