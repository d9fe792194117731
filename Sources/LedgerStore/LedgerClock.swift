import Foundation

/// A moment of transaction time: microseconds since 1970-01-01T00:00:00Z.
///
/// `recordedAt` says when the ledger learned a fact; it is never used inside a calculation.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(_ date: Date) {
        microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// ISO 8601 in UTC with microseconds: `2026-11-28T09:30:00.000000Z`.
    public var description: String {
        let (secs, micros) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        let (s, us) = micros < 0 ? (secs - 1, micros + 1_000_000) : (secs, micros)
        let (days, secOfDay) = s.quotientAndRemainder(dividingBy: 86_400)
        let (d, sod) = secOfDay < 0 ? (days - 1, secOfDay + 86_400) : (days, secOfDay)
        // civil_from_days (Howard Hinnant)
        let z = d + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func p(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return
            "\(p(year, 4))-\(p(month, 2))-\(p(day, 2))T\(p(sod / 3600, 2)):\(p(sod / 60 % 60, 2)):\(p(sod % 60, 2)).\(p(us, 6))Z"
    }
}

/// Where the ledger reads transaction time. Injected, so tests control it and nothing in a
/// calculation ever reads the wall clock.
public protocol LedgerClock: Sendable {
    func now() -> Timestamp
}

/// The system's real-time clock.
public struct SystemClock: LedgerClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
}

/// A clock that returns a fixed moment, advancing by a step at every reading (for tests).
public final class ManualClock: LedgerClock, @unchecked Sendable {
    // @unchecked: the state is guarded by `lock`.
    private let lock = NSLock()
    private var current: Timestamp
    private let step: Int64

    public init(start: Timestamp, stepMicroseconds: Int64 = 1_000) {
        current = start
        step = stepMicroseconds
    }

    public func now() -> Timestamp {
        lock.lock()
        defer { lock.unlock() }
        let value = current
        current = Timestamp(microseconds: current.microseconds + step)
        return value
    }

    public func set(_ time: Timestamp) {
        lock.lock()
        current = time
        lock.unlock()
    }
}
