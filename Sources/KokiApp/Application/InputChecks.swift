import Foundation
import KokiDomain

// The checks every value a person gives goes through, at every door (the command line, the
// server, a stored application): the ranges are documented in the README ("Limits on input") and
// in KokiDomain (`Yen.AmountRange`, `InputLimits`). Each refusal names the option and the range:
// exit 65, nothing appended.

/// `text` when it holds no control character and at most `limit` characters.
///
/// Control characters (C0, DEL, C1: an escape sequence, a NUL) could rewrite a clerk's screen
/// when printed or cut a field in a file koki writes, so they are refused on input (and escaped
/// on output, ``Output/visible(_:)``).
/// A tab or a line break is refused too unless `multiline` (a contact's notes).
public func checkedText(_ text: String, field: String, limit: Int = InputLimits.textLength, multiline: Bool = false) throws -> String {
    if let bad = text.unicodeScalars.first(where: { isControl($0) || (!multiline && ($0 == "\t" || $0 == "\n")) }) {
        throw KokiError(.invalidInput, "\(field) に制御文字 \(InputLimits.name(bad)) が含まれています：文字だけを入力してください")
    }
    guard text.count <= limit else {
        throw KokiError(.invalidInput, "\(field) は\(text.count)文字あります：\(limit)文字までです")
    }
    return text
}

/// Whether a scalar is refused in what a person types: the control characters and
/// bidirectional overrides files may not carry either (``InputLimits/isRefused(_:)``), but a line
/// break (a contact's notes may have several lines).
public func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar != "\n" && InputLimits.isRefused(scalar)
}

/// An income's calendar year: from the year before the system began to `today`'s year.
public func incomeYear(_ year: Int, today: CivilDate, field: String = "--year") throws -> Int {
    let range = (InputLimits.systemStart.year - 1)...today.year
    guard range.contains(year) else {
        throw KokiError(
            .invalidInput,
            "\(field) \(year) is outside the years koki takes incomes for (\(range.lowerBound) to \(range.upperBound))")
    }
    return year
}

/// A fiscal year koki keeps figures for, as typed or in a file: from the system's first (FY2008)
/// to the year after today's; `what` names whose years they are in the refusal.
public func keptFiscalYear(_ year: FiscalYear, today: CivilDate, field: String, what: String) throws -> FiscalYear {
    let range = FiscalYear(containing: InputLimits.systemStart).year...FiscalYear(containing: today).year + 1
    guard range.contains(year.year) else {
        throw KokiError(
            .invalidInput,
            "\(field) FY\(year.year) is outside the years \(what) (FY\(range.lowerBound) to FY\(range.upperBound))")
    }
    return year
}

/// JSON a person gave (a file, a request body), decoded with amounts and rates bounded like those
/// typed (`Yen.AmountRange`, `Rate.inputBound`); a refusal names `source` and the place in it.
public func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, source: String) throws -> T {
    do {
        let decoder = JSONDecoder()
        decoder.userInfo[Yen.inputCheckKey] = true
        return try decoder.decode(T.self, from: data)
    } catch let error as DecodingError {
        throw KokiError(.invalidInput, "\(source): \(describe(error))")
    }
}

/// A decoding error as a person can act on it: where in the file, and what is wrong there.
public func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch error {
    case .keyNotFound(let key, let context): return "missing \(path(context.codingPath + [key]))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        let underlying = context.underlyingError.map { " (\($0))" } ?? ""
        let at = path(context.codingPath)
        return "\(at.isEmpty ? "the file" : at): \(context.debugDescription)\(underlying)"
    @unknown default: return "\(error)"
    }
}
