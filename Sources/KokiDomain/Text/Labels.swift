/// The terms staff read (用語表): every domain value, column heading and screen word that a
/// table or message for the counter and the auditor shows, in one table keyed by a stable name
/// (`channel.bankDebit = 口座振替`).
///
/// The standard table is ``StandardLabels/text``. A city corrects a term without touching the
/// code: it writes the keys it changes, one `key = term` a line, to a labels file (`koki labels
/// export` prints the whole table to start from), and koki reads that file over the standard one
/// (`$KOKI_LABELS`, else the ledger's path + `.labels` when it exists). A key the standard table
/// does not have, an empty term, a control character or a key given twice is refused, naming the
/// file and line, so a typo never silently leaves the old term in place.
///
/// Machine outputs (`--json`, CSV, JSON lines, transfer files) never use this table: they keep
/// their English keys and ISO dates, which are the interface.
public struct Labels: Sendable, Hashable {
    /// How dates read on staff screens: 和暦 (`令和7年7月31日`, the default) or ISO (`2025-07-31`).
    public enum DateStyle: String, Sendable, Hashable, CaseIterable {
        case wareki, iso
    }

    /// The terms by key.
    public private(set) var terms: [String: String]
    /// The keys in the table's order (for `export`).
    public private(set) var keys: [String]
    public private(set) var dateStyle: DateStyle
    /// Where the terms came from: the standard table, or the file read over it.
    public private(set) var source: String

    /// The standard table (``StandardLabels/text``). A line of it that did not read would be left
    /// out and listed in ``standardProblems`` (a test holds that list empty), never a crash.
    public static let standard: Labels = standardRead.labels

    /// The standard table's lines that did not read: none, as a test holds.
    public static var standardProblems: [DomainError] { standardRead.problems }

    private static let standardRead = read(StandardLabels.text, source: "the standard labels", over: nil)

    /// The key that sets the date style in a labels file.
    public static let dateStyleKey = "date.style"

    /// Parses `text`: over `base` only keys `base` has may be given (a correction); without a
    /// base the text is a whole table. The first line that does not read is the error, naming
    /// `source` and the line.
    public init(parsing text: String, source: String, over base: Labels?) throws(DomainError) {
        let (labels, problems) = Self.read(text, source: source, over: base)
        if let first = problems.first { throw first }
        self = labels
    }

    private init(terms: [String: String], keys: [String], source: String) {
        self.terms = terms
        self.keys = keys
        self.dateStyle = terms[Self.dateStyleKey].flatMap(DateStyle.init(rawValue:)) ?? .wareki
        self.source = source
    }

    /// The table of the lines of `text` that read (over `base`), and a problem for each line that
    /// does not, naming `source` and the line.
    static func read(_ text: String, source: String, over base: Labels?) -> (labels: Labels, problems: [DomainError]) {
        var terms = base?.terms ?? [:]
        var keys = base?.keys ?? []
        var seen: Set<String> = []
        var problems: [DomainError] = []
        var lineNumber = 0
        // Split on every line end, "\r\n" (one Character) and a lone "\r" too.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            var line = Substring(rawLine)
            if lineNumber == 1, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            switch entry(trimmed, over: base, seen: &seen) {
            case .failure(let problem):
                problems.append(DomainError(.invalidValue, "\(source) line \(lineNumber): \(problem.what)"))
            case .success(let (key, term)):
                if base == nil { keys.append(key) }
                terms[key] = term
            }
        }
        let named = base.map { "\(source) over \($0.source)" } ?? source
        return (Labels(terms: terms, keys: keys, source: named), problems)
    }

    struct Problem: Error { let what: String }

    /// One `key = term` line (trimmed), or what is wrong with it.
    private static func entry(_ line: Substring, over base: Labels?, seen: inout Set<String>) -> Result<
        (key: String, term: String), Problem
    > {
        func fail(_ what: String) -> Result<(key: String, term: String), Problem> { .failure(Problem(what: what)) }
        if let bad = line.unicodeScalars.first(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
            return fail("control character U+\(String(bad.value, radix: 16, uppercase: true)) in `\(line.visiblePrefix)`")
        }
        guard let equals = line.firstIndex(of: "=") else {
            return fail("expected `key = term`, found `\(line.visiblePrefix)`")
        }
        let key = String(line[..<equals].trimmingSpaces)
        let term = String(line[line.index(after: equals)...].trimmingSpaces)
        guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") })
        else { return fail("the key `\(key.visiblePrefix)` is not a label key (letters, digits and dots)") }
        guard !term.isEmpty else { return fail("the term of `\(key)` is empty") }
        guard !term.contains("\t") else { return fail("the term of `\(key)` holds a tab") }
        guard term.count <= 80 else { return fail("the term of `\(key)` is longer than 80 characters") }
        guard seen.insert(key).inserted else { return fail("`\(key)` is given twice") }
        if let base, base.terms[key] == nil {
            return fail("`\(key)` is not a term koki shows (see `koki labels export`)")
        }
        if key == Self.dateStyleKey, DateStyle(rawValue: term) == nil {
            return fail("`\(key)` must be \(DateStyle.allCases.map(\.rawValue).joined(separator: " or ")), not `\(term)`")
        }
        return .success((key, term))
    }

    /// The term for `key`; the key itself in brackets when the table lacks it (a test holds every
    /// key koki asks for to the standard table, so staff never see one).
    public subscript(_ key: String) -> String { terms[key] ?? "[\(key)]" }

    /// The term for a domain value.
    public func term(_ value: some StaffLabelled) -> String { self[value.labelKey] }

    /// The same table with another date style (`$KOKI_DATES`).
    public func with(dateStyle: DateStyle) -> Labels {
        var copy = self
        copy.dateStyle = dateStyle
        return copy
    }

    /// A key's part from a stored or typed name: `no-property`, `paid-on` and `refund paid`
    /// become `noProperty`, `paidOn` and `refundPaid` (a name without a separator is its own).
    public static func camelCased(_ name: some StringProtocol) -> String {
        guard name.utf8.contains(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: " ") })
        else { return String(name) }
        var out = ""
        var upper = false
        for c in name {
            if c == "-" || c == "_" || c == " " {
                upper = true
            } else {
                out += upper ? c.uppercased() : String(c)
                upper = false
            }
        }
        return out
    }

    /// The whole table as a labels file: what a city copies and corrects.
    public var fileText: String {
        (StandardLabels.header + keys.map { "\($0) = \(self[$0])" }).joined(separator: "\n") + "\n"
    }

    // MARK: - The table this process uses

    /// Set once, at the process's start, before any other thread runs; read-only after (so the
    /// pure core needs no lock, and reading it is a plain load).
    nonisolated(unsafe) private static var inUse: Labels = .standard

    /// The table this process shows staff: the standard one until ``use(_:)`` sets another.
    public static var current: Labels { inUse }

    /// Makes `labels` the table this process shows: once, at the start of a process, when the
    /// ledger (and so its labels file) is known and before any other thread reads a term.
    public static func use(_ labels: Labels) { inUse = labels }
}

/// A domain value with a term in the labels table: its key is `domain.name`
/// (`channel.bankDebit`).
public protocol StaffLabelled {
    /// The key's first part, shared by the type's values (`channel`).
    static var labelDomain: String { get }
    /// The key's second part, this value's stable name (`bankDebit`).
    var labelName: String { get }
}

extension StaffLabelled {
    public var labelKey: String { "\(Self.labelDomain).\(labelName)" }
    /// The value's term in the table in use.
    public var label: String { Labels.current.term(self) }
}

extension StaffLabelled where Self: RawRepresentable, RawValue == String {
    /// The raw value in camel case (`no-property` → `noProperty`), so keys read alike.
    public var labelName: String { Labels.camelCased(rawValue) }
}

/// How staff screens write dates, amounts, fiscal years and periods: by the table in use
/// (``Labels/current``), or the one given.
public enum StaffText {
    /// `令和7年7月31日` (or `2025-07-31` with the ISO style).
    public static func date(_ date: CivilDate, labels: Labels = .current) -> String {
        labels.dateStyle == .iso ? date.description : JapaneseEra.format(date)
    }

    /// A date, or `-` for none.
    public static func date(_ date: CivilDate?, labels: Labels = .current) -> String {
        date.map { Self.date($0, labels: labels) } ?? "-"
    }

    /// `13,100円`.
    public static func yen(_ yen: Yen) -> String { Yen.grouped(yen.amount) + "円" }

    /// `13,100`: an amount in a column whose heading says 円.
    public static func amount(_ yen: Yen) -> String { Yen.grouped(yen.amount) }

    /// `1,234`: a count.
    public static func count(_ n: Int) -> String { Yen.grouped(Int64(n)) }

    /// `令和7年度` (or `2025年度`).
    public static func fiscalYear(_ year: FiscalYear, labels: Labels = .current) -> String {
        labels.dateStyle == .iso ? "\(year.year)年度" : JapaneseEra.format(fiscalYear: year)
    }

    /// `令和7年度 第3期`.
    public static func period(_ key: PeriodKey, labels: Labels = .current) -> String {
        "\(fiscalYear(key.fiscalYear, labels: labels)) \(key.period)"
    }

    /// A moment recorded by the ledger (microseconds since 1970 UTC) in Japan time, as staff read
    /// it: `令和8年12月4日 09:57:08`.
    public static func moment(microseconds: Int64, labels: Labels = .current) -> String {
        let seconds = microseconds.quotientAndRemainder(dividingBy: 1_000_000).quotient + 9 * 3_600
        let (days, second) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (d, s) = second < 0 ? (days - 1, second + 86_400) : (days, second)
        guard let date = try? CivilDate(daysSinceEpoch: Int(d)) else { return "\(microseconds)" }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(Self.date(date, labels: labels)) \(two(s / 3_600)):\(two(s / 60 % 60)):\(two(s % 60))"
    }

    /// Periods, separated as a clerk writes a list (`、`).
    public static func periods(_ keys: [PeriodKey]) -> String {
        let labels = Labels.current
        return keys.map { period($0, labels: labels) }.joined(separator: "、")
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: Substring {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" || first == "\u{3000}" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" || last == "\u{3000}" { s.removeLast() }
        return s
    }

    /// The first 40 characters, control characters shown as `\u{…}`, for an error message.
    fileprivate var visiblePrefix: String {
        var out = ""
        for scalar in prefix(40).unicodeScalars {
            if scalar.properties.generalCategory == .control {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
