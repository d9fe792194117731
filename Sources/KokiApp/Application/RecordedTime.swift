import Foundation
import KokiDomain
import LedgerStore

/// A recorded time as a person types it: ISO 8601 with a zone, or a plain date read as 00:00
/// Japan time (UTC+9). `nil` when `text` is neither.
public func recordedTime(_ text: String) -> Timestamp? {
    let full = ISO8601DateFormatter()
    full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = full.date(from: text) { return Timestamp(date) }
    full.formatOptions = [.withInternetDateTime]
    if let date = full.date(from: text) { return Timestamp(date) }
    let day = ISO8601DateFormatter()
    day.formatOptions = [.withFullDate]
    day.timeZone = TimeZone(secondsFromGMT: 9 * 3600)
    if text.count == 10, let date = day.date(from: text) { return Timestamp(date) }
    return nil
}

/// What a refused recorded time is told: the option and the forms it takes.
public func notARecordedTime(_ text: String, option: String) -> String {
    "\(option) '\(text)' is not a time: use ISO 8601 (2026-11-28T09:00:00+09:00) or a date (2026-11-28)"
}

/// `text` as a recorded time, else a refusal naming `option`.
func checkedTime(_ text: String?, option: String) throws -> Timestamp? {
    guard let text else { return nil }
    guard let time = recordedTime(text) else { throw KokiError(.invalidInput, notARecordedTime(text, option: option)) }
    return time
}
