import Foundation
import KokiApp
import KokiDomain

// The checks every value a person types goes through before it is interpreted: the ranges are
// documented in the README ("Limits on input") and in KokiDomain (`Yen.AmountRange`,
// `InputLimits`). Each refusal names the option and the range: exit 65, nothing appended.

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
                ? "\(arguments[index - 1]) の値" : "\(index + 1)番目の引数"
            if argument.count > longestArgument {
                return "\(option)は\(argument.count)文字あります：\(longestArgument)文字までです"
            }
            if let bad = argument.unicodeScalars.first(where: isControl) {
                return "\(option)に制御文字 \(InputLimits.name(bad)) が含まれています：文字だけを入力してください"
            }
        }
        return nil
    }
}
