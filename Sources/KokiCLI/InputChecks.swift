import Foundation
import KokiApp
import KokiDomain

// The checks every value a person types goes through before it is interpreted: the ranges are
// documented in the README ("Limits on input") and in KokiDomain (`Yen.AmountRange`,
// `InputLimits`). Each refusal names the option and the range: exit 65, nothing appended.

/// `text` when it holds no control character and at most `limit` characters.
///
/// Control characters (C0, DEL, C1: an escape sequence, a NUL) could rewrite a clerk's screen
/// when printed or cut a field in a file koki writes, so they are refused on input (and escaped
/// on output, ``Output/visible(_:)``).
/// A tab or a line break is refused too unless `multiline` (a contact's notes).
func checkedText(_ text: String, field: String, limit: Int = InputLimits.textLength, multiline: Bool = false) throws -> String {
    if let bad = text.unicodeScalars.first(where: { isControl($0) || (!multiline && ($0 == "\t" || $0 == "\n")) }) {
        throw KokiError(.invalidInput, "\(field) holds the control character \(InputLimits.name(bad)): type plain text")
    }
    guard text.count <= limit else {
        throw KokiError(.invalidInput, "\(field) is \(text.count) characters long; at most \(limit) are accepted")
    }
    return text
}

/// Whether a scalar is refused in what a person types: the control characters and
/// bidirectional overrides files may not carry either (``InputLimits/isRefused(_:)``), but a line
/// break (a contact's notes may have several lines).
func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar != "\n" && InputLimits.isRefused(scalar)
}

/// An income's calendar year: from the year before the system began to this year.
func incomeYear(_ year: Int) throws -> Int {
    let range = (InputLimits.systemStart.year - 1)...todayInJapan().year
    guard range.contains(year) else {
        throw KokiError(
            .invalidInput, "--year \(year) is outside the years koki takes incomes for (\(range.lowerBound) to \(range.upperBound))")
    }
    return year
}

/// A payment day from the command line: from 2008-04-01 to today in Japan.
func paidDay(_ date: CivilDate, _ option: String) throws -> CivilDate {
    try InputLimits.paid(date, today: todayInJapan(), field: option)
}

/// The day of an irreversible decision: not after today in Japan (nor before 2008-04-01).
func decisionDay(_ date: CivilDate, _ option: String) throws -> CivilDate {
    try InputLimits.decision(date, today: todayInJapan(), field: option)
}

/// The screen every command line passes before it is parsed, on the command line and in
/// `koki serve` alike: no argument longer than ``longestArgument`` characters, none holding a
/// control character other than tab and line break. Fields narrow this further
/// (``checkedText(_:field:limit:multiline:)``).
enum ArgumentScreen {
    /// The longest argument accepted (a path is at most 4,096 bytes on Linux).
    static let longestArgument = 4_096

    /// Why `arguments` are refused, naming the argument (and the option it belongs to), or `nil`.
    static func refusal(_ arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            let option =
                index > 0 && arguments[index - 1].hasPrefix("--") && !argument.hasPrefix("--")
                ? "the value of \(arguments[index - 1])" : "argument \(index + 1)"
            if argument.count > longestArgument {
                return "\(option) is \(argument.count) characters long; at most \(longestArgument) are accepted"
            }
            if let bad = argument.unicodeScalars.first(where: isControl) {
                return "\(option) holds the control character \(InputLimits.name(bad)): type plain text"
            }
        }
        return nil
    }
}
