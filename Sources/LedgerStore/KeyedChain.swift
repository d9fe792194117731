import Crypto
import Foundation

/// The secret a store seals every command under: the keyed half of the hash chain.
///
/// The SHA-256 chain proves that no row changed *unless the whole chain after it was recomputed*,
/// and anyone who can write the file can recompute it. A seal is HMAC-SHA-256 under this key
/// over the previous command's seal and the command's place and last hash:
///
///     seal(n) = HMAC(key, "koki seal v1" | seal(n-1) | seq n (8) | first position (8) |
///                    event count (8) | hash of the command's last event (32))
///
/// with 32 zero bytes before the first command. The last event's hash covers every row before
/// it, so altering any event, deleting a command and renumbering, or shortening a command needs
/// the key to re-seal. Cutting whole commands off the end leaves valid seals behind; that is
/// what a ``Checkpoint`` kept elsewhere catches.
///
/// The store never sees where the key comes from (koki derives it from its master key); it only
/// needs the same key for the same ledger every time. `Sendable`: an immutable key.
public struct ChainKey: Sendable {
    let key: SymmetricKey
    /// The HMAC with the key's inner and outer pads already hashed: each seal copies it, rather
    /// than hashing them again for every command.
    private let prepared: HMAC<SHA256>

    /// A key of at least 32 bytes (shorter keys are refused).
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 32 else {
            throw LedgerError(.invalidInput, "a chain key is at least 32 bytes, not \(bytes.count)")
        }
        key = SymmetricKey(data: bytes)
        prepared = HMAC<SHA256>(key: key)
    }

    /// What stands before the first command's seal.
    static let genesisSeal = [UInt8](repeating: 0, count: 32)

    /// The seal of command `seq` (see the type's notes for the layout).
    public func seal(
        previous: [UInt8], seq: Int64, firstPosition: Int64, eventCount: Int64, lastHash: some Collection<UInt8>
    ) -> [UInt8] {
        var message: [UInt8] = Array("koki seal v1".utf8)
        message.reserveCapacity(12 + 32 + 24 + 32)
        message.append(contentsOf: previous)
        for value in [seq, firstPosition, eventCount] {
            withUnsafeBytes(of: value.bigEndian) { message.append(contentsOf: $0) }
        }
        message.append(contentsOf: lastHash)
        var mac = prepared
        mac.update(data: message)
        return Array(mac.finalize())
    }

    /// A MAC over a checkpoint's fields (domain-separated from the seals).
    func mac(_ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("koki checkpoint v1 ".utf8) + Array(text.utf8), using: key))
    }

    /// Whether `mac` is `text`'s, compared in constant time.
    func isValid(mac: [UInt8], for text: String) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array("koki checkpoint v1 ".utf8) + Array(text.utf8), using: key)
    }
}

/// Checks command seals one after another as a walk completes each command (both stores' verify).
public struct SealCheck: Sendable {
    let key: ChainKey
    private(set) var previous = ChainKey.genesisSeal
    /// How many seals matched so far.
    public private(set) var checked: Int64 = 0

    public init(key: ChainKey) { self.key = key }

    /// What is wrong with command `seq`'s seal, or `nil` (and it becomes the previous seal).
    /// `chainChecked` says whether a stored SHA-256 hash has been checked through the command (a
    /// ledger file stores one only every 32 positions or so): if so, a seal that does not match
    /// means the SHA-256 chain was recomputed.
    public mutating func check(
        seq: Int64, firstPosition: Int64, eventCount: Int64, lastHash: [UInt8], stored: [UInt8]?,
        chainChecked: Bool = true
    ) -> VerifyReport.Problem? {
        let last = firstPosition + eventCount - 1
        guard let stored else {
            return .init(
                position: firstPosition,
                message:
                    "command \(seq) (positions \(firstPosition)–\(last)) has no keyed seal: it was added or replaced by someone without the master key"
            )
        }
        let expected = key.seal(
            previous: previous, seq: seq, firstPosition: firstPosition, eventCount: eventCount, lastHash: lastHash)
        guard expected == stored else {
            return .init(
                position: firstPosition,
                message:
                    chainChecked
                    ? "command \(seq) (positions \(firstPosition)–\(last)) does not match its keyed seal: it, or a command before it, was rewritten without the master key (the SHA-256 chain was recomputed)"
                    : "command \(seq) (positions \(firstPosition)–\(last)) does not match its keyed seal: its stored bytes were altered, or it or a command before it rewritten, without the master key"
            )
        }
        previous = stored
        checked += 1
        return nil
    }
}

/// A short, signed statement of a ledger's head — its id, a position, the hash there, when —
/// that a city keeps apart from the ledger (in its daily report, on a second machine). A later
/// `verify` against it proves the ledger still extends it: the same hash at that position, and
/// nothing cut off before it.
///
///     koki-checkpoint v1 ledger=… position=123 hash=… at=2026-12-02T03:00:00.000000Z mac=…
///
/// The MAC is HMAC-SHA-256 under the ledger's ``ChainKey`` over everything before ` mac=`, so a
/// checkpoint can be neither made up nor moved to another ledger without the key.
public struct Checkpoint: Hashable, Sendable, CustomStringConvertible {
    public var ledgerID: Identifier
    public var head: LedgerHead
    public var at: Timestamp
    public var mac: [UInt8]

    /// A checkpoint of `head`, signed now.
    public init(ledgerID: Identifier, head: LedgerHead, at: Timestamp, key: ChainKey) {
        self.ledgerID = ledgerID
        self.head = head
        self.at = at
        mac = []
        mac = key.mac(signedText)
    }

    var signedText: String {
        "koki-checkpoint v1 ledger=\(ledgerID) position=\(head.position) hash=\(head.hash.hexString) at=\(at)"
    }

    public var description: String { signedText + " mac=\(mac.hexString)" }

    /// Reads a checkpoint's text (surrounding white space and line breaks ignored).
    public init(parsing text: String) throws {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        func refuse(_ why: String) -> LedgerError {
            LedgerError(.invalidInput, "not a koki checkpoint: \(why) (expected `koki-checkpoint v1 ledger=… position=… hash=… at=… mac=…`)")
        }
        guard words.count == 7, words[0] == "koki-checkpoint", words[1] == "v1" else {
            throw refuse("\(words.count) words, starting '\(words.first.map { String($0.prefix(40)) } ?? "")'")
        }
        var fields: [String: String] = [:]
        for word in words[2...] {
            guard let eq = word.firstIndex(of: "=") else { throw refuse("'\(word.prefix(40))' is not name=value") }
            fields[String(word[..<eq])] = String(word[word.index(after: eq)...])
        }
        guard let id = fields["ledger"].flatMap(Identifier.init(string:)) else { throw refuse("no ledger id") }
        guard let position = fields["position"].flatMap({ Int64($0) }), position >= 0 else {
            throw refuse("no position")
        }
        guard let hash = fields["hash"].flatMap(hexDecoded), hash.count == 32 else { throw refuse("no 32-byte hash") }
        guard let atText = fields["at"], let at = Timestamp(iso: atText) else { throw refuse("no time") }
        guard let mac = fields["mac"].flatMap(hexDecoded), mac.count == 32 else { throw refuse("no 32-byte mac") }
        ledgerID = id
        head = LedgerHead(position: position, hash: hash)
        self.at = at
        self.mac = mac
        guard signedText == words[0...5].joined(separator: " ") else { throw refuse("its fields are not in order") }
    }

    /// Whether the MAC is this ledger key's.
    public func isSigned(by key: ChainKey) -> Bool { key.isValid(mac: mac, for: signedText) }
}

/// What a ledger says about a checkpoint taken from it.
public enum CheckpointOutcome: Hashable, Sendable {
    /// The same hash at the checkpoint's position; this many events were appended since.
    case extends(appendedSince: Int64)
    /// The ledger now ends before the checkpoint's position.
    case truncated(endsAt: Int64)
    /// The checkpoint's position holds another hash: history up to it was rewritten.
    case rewritten
    /// The checkpoint is of another ledger (its id).
    case otherLedger(Identifier)
    /// The checkpoint's MAC is not this key's: altered, or made without the key.
    case notSigned
}

extension EventStore {
    /// Whether this ledger still extends `checkpoint` (run ``verifyChain()`` too: the answer is
    /// about the stored hashes, which only a verified chain vouches for).
    public func check(_ checkpoint: Checkpoint, key: ChainKey) throws -> CheckpointOutcome {
        guard checkpoint.ledgerID == ledgerID else { return .otherLedger(checkpoint.ledgerID) }
        guard checkpoint.isSigned(by: key) else { return .notSigned }
        let head = try head()
        guard head.position >= checkpoint.head.position else { return .truncated(endsAt: head.position) }
        let stored = checkpoint.head.position == 0 ? ChainCheck(ledgerID: ledgerID).head.hash : try hash(at: checkpoint.head.position)
        guard stored == checkpoint.head.hash else { return .rewritten }
        return .extends(appendedSince: head.position - checkpoint.head.position)
    }
}

extension Timestamp {
    /// Parses what ``description`` prints (`2026-11-28T09:30:00.000000Z`).
    public init?(iso text: String) {
        let u = Array(text.utf8)
        guard u.count == 27, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54, u[13] == 0x3A, u[16] == 0x3A, u[19] == 0x2E,
            u[26] == 0x5A
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range {
                guard (0x30...0x39).contains(u[i]) else { return nil }
                v = v * 10 + Int64(u[i] - 0x30)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let mi = number(14..<16), let s = number(17..<19), let us = number(20..<26), (1...12).contains(m),
            (1...31).contains(d), h < 24, mi < 60, s < 60
        else { return nil }
        // days_from_civil (Howard Hinnant), the inverse of the printing.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        self.init(microseconds: ((days * 86_400 + h * 3_600 + mi * 60 + s) * 1_000_000) + us)
        guard description == text else { return nil }
    }
}

extension Collection<UInt8> {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

func hexDecoded(_ text: String) -> [UInt8]? {
    let u = Array(text.utf8)
    guard u.count % 2 == 0 else { return nil }
    func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(u.count / 2)
    for i in stride(from: 0, to: u.count, by: 2) {
        guard let h = value(u[i]), let l = value(u[i + 1]) else { return nil }
        out.append(h << 4 | l)
    }
    return out
}
