import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

/// The words of staff screens: which labels table this process uses, and errors that name the
/// field as the form does (「納付日」(--paid-on)).
enum StaffWording {
    /// The labels file for a ledger: `$KOKI_LABELS`, else the ledger's path + `.labels` when that
    /// file exists (a PostgreSQL ledger has no "beside": name the file).
    static func labelsFile(ledgerPath: String?) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["KOKI_LABELS"], !given.isEmpty { return given }
        guard let ledgerPath, !ledgerPath.hasPrefix("postgres://"), !ledgerPath.hasPrefix("postgresql://") else {
            return nil
        }
        let beside = ledgerPath + ".labels"
        return FileManager.default.fileExists(atPath: beside) ? beside : nil
    }

    /// Reads the labels file (if any) over the standard table and makes it this process's table,
    /// with `$KOKI_DATES` (`wareki` or `iso`) over the file's date style. A file that does not
    /// read is an error naming it and the line: no command runs on a half-read table.
    static func use(ledgerPath: String?) throws {
        var labels = Labels.standard
        if let file = labelsFile(ledgerPath: ledgerPath) { labels = try read(file) }
        if let style = ProcessInfo.processInfo.environment["KOKI_DATES"], !style.isEmpty {
            guard let dateStyle = Labels.DateStyle(rawValue: style) else {
                throw CLIFailure(.usage, "KOKI_DATES must be wareki or iso, not `\(style)`")
            }
            labels = labels.with(dateStyle: dateStyle)
        }
        Labels.use(labels)
    }

    /// A labels file read over the standard table.
    static func read(_ path: String) throws -> Labels {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure(.invalidInput, "the labels file \(path) cannot be read")
        }
        guard data.count <= 1_000_000 else {
            throw CLIFailure(.invalidInput, "the labels file \(path) is larger than 1 MB")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw CLIFailure(.invalidInput, "the labels file \(path) is not UTF-8 text")
        }
        do {
            return try Labels(parsing: text, source: "the labels file \(path)", over: .standard)
        } catch {
            throw CLIFailure(.invalidInput, error.message)
        }
    }

    /// `message` with each option it names (`--paid-on`) shown as the form names the field:
    /// 「納付日」(--paid-on). Options without a field term stay as they are.
    static func namingFields(_ message: String) -> String {
        guard message.contains("--"), !isDevelopersCommand else { return message }
        let labels = Labels.current
        var out = ""
        var rest = Substring(message)
        while let range = rest.range(of: "--") {
            out += rest[..<range.lowerBound]
            var end = range.upperBound
            while end < rest.endIndex, rest[end].isASCII, rest[end].isLetter || rest[end] == "-" {
                end = rest.index(after: end)
            }
            let option = String(rest[range.lowerBound..<end])
            let before = out.last
            if let term = labels.terms["field." + camelCase(option.dropFirst(2))], before != "(", before != "'" {
                out += "「\(term)」(\(option))"
            } else {
                out += option
            }
            rest = rest[end...]
        }
        return out + rest
    }

    /// The commands for developers and administrators of the ledger itself (events, positions,
    /// replays, calculators' raw figures): their options are not a form's fields (`events --from`
    /// is a position, not a date), so their errors keep the option names alone.
    static let developersCommands: Set<String> = [
        "events", "streams", "head", "verify", "rebuild", "replay", "balances", "explain", "migrate", "simulate",
        "demo", "testing", "init", "whatif",
    ]

    static var isDevelopersCommand: Bool {
        CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") }.map { developersCommands.contains($0) } ?? false
    }

    /// The terms `labels` changes from the standard table: `  key  standard → city's`.
    static func changes(_ labels: Labels) -> [String] {
        labels.keys.filter { labels.terms[$0] != Labels.standard.terms[$0] }.map {
            "  \($0)  \(Labels.standard[$0]) → \(labels[$0])"
        }
    }

    /// `paid-on` → `paidOn`.
    static func camelCase(_ option: Substring) -> String { Labels.camelCased(option) }

    /// An error of the command line's grammar, worded for staff: the field named as the form
    /// names it, then ArgumentParser's help and usage lines. `nil` for help and version requests.
    static func parseError(_ error: any Error) -> String? {
        let full = KokiCommand.fullMessage(for: error)
        guard KokiCommand.exitCode(for: error) != .success, !full.isEmpty else { return nil }
        var lines = full.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first, first.hasPrefix("Error: ") else { return nil }
        lines[0] = "koki: エラー: " + wording(of: String(first.dropFirst("Error: ".count)))
        return lines.joined(separator: "\n")
    }

    /// ArgumentParser's message, in Japanese for the two a clerk meets most (a value that does not
    /// read, a field left empty), the field named either way.
    static func wording(of message: String) -> String {
        // The value 'X' is invalid for '--paid-on <date>'
        if let match = message.firstMatch(of: /^The value '(.*)' is invalid for '([^' ]+)(?: <[^>]*>)?'(.*)$/) {
            let choices = match.3.replacingOccurrences(of: ". Please provide one of ", with: "。次のいずれかを入力してください：")
            return "\(field(String(match.2))) の値「\(match.1)」は受け付けられません\(choices)"
        }
        // Missing expected argument '--paid-on <date>'
        if let match = message.firstMatch(of: /^Missing expected argument '([^' ]+)(?: <[^>]*>)?'$/) {
            return "\(field(String(match.1))) を入力してください"
        }
        // Unknown option '--limit'
        if let match = message.firstMatch(of: /^Unknown option '([^']+)'(.*)$/) {
            return "このコマンドにないオプションです：'\(match.1)'\(match.2)"
        }
        return namingFields(message)
    }

    /// An option or argument as the form names it: 「納付日」(--paid-on), 「被保険者番号」(<person>).
    static func field(_ name: String) -> String {
        if name.hasPrefix("--") { return namingFields(name) }
        if name.hasPrefix("<"), name.hasSuffix(">"), let term = Labels.current.terms["field." + camelCase(name.dropFirst().dropLast())] {
            return "「\(term)」(\(name))"
        }
        return name
    }
}

/// `koki labels`: the terms staff screens show, and how a city corrects one.
struct LabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "The terms staff screens show (用語表): print the table, check a city's corrections, show what is in force.",
        discussion: """
            Tables and messages for staff are in Japanese: domain terms (資格取得事由「年齢到達」, 収納方法「口座振替」 \
            …), dates in 和暦 (令和7年7月31日) and amounts with thousands separators. Every term comes from one \
            table. To correct a term, write the lines you change (`key = term`, UTF-8) to a labels file: \
            $KOKI_LABELS, else the ledger's path + .labels. koki reads it over the standard table on every \
            command; an unknown key, an empty term, a control character or a key given twice is refused with \
            the file and line (exit 65), so a typo never passes silently. `date.style = iso` (or KOKI_DATES=iso) \
            prints ISO dates instead of 和暦.

            Machine outputs — --json, CSV, JSON lines, transfer and bank files — never use the table: their \
            English keys and ISO dates are the interface.
            """,
        subcommands: [Export.self, Check.self, Show.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the whole standard table as a labels file, to copy and correct.")

        func run() throws {
            Output.line(Labels.standard.fileText.trimmingTrailingNewline)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a labels file and print the terms it changes; exit 65 naming the line if it does not read.")
        @Argument(help: "The labels file.") var file: String

        func run() throws {
            try reporting {
                let labels = try StaffWording.read(file)
                let changed = StaffWording.changes(labels)
                Output.line("\(file): 標準と異なる語 \(changed.count) 件")
                changed.forEach(Output.line)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which labels file is in force for a ledger and the terms it changes.")
        @Option(
            help: ArgumentHelp(
                "The ledger file. Default: $KOKI_LEDGER, else ./koki.ledger.", valueName: "path"))
        var ledger: String?

        func run() throws {
            try reporting {
                let path = ledger ?? ProcessInfo.processInfo.environment["KOKI_LEDGER"] ?? "koki.ledger"
                try StaffWording.use(ledgerPath: path)
                let labels = Labels.current
                let file = StaffWording.labelsFile(ledgerPath: path)
                Output.line("用語表: \(file ?? "標準")")
                Output.line("日付: \(labels.dateStyle == .iso ? "ISO（2025-07-31）" : "和暦（令和7年7月31日）")")
                StaffWording.changes(labels).forEach(Output.line)
            }
        }
    }
}

extension String {
    var trimmingTrailingNewline: String {
        var s = Substring(self)
        while s.last == "\n" { s.removeLast() }
        return String(s)
    }
}

/// Staff's forms of the values a view carries as machine text (ISO dates, raw names, `FY2025/3`).
enum Staff {
    /// An ISO date as staff read it; anything else as it is.
    static func date(_ iso: String) -> String {
        (try? CivilDate(iso: iso)).map { StaffText.date($0) } ?? iso
    }

    static func date(_ iso: String?) -> String { iso.map { date($0) } ?? "-" }

    static func date(_ date: CivilDate?) -> String { StaffText.date(date) }

    /// `13,100` (in a column whose heading says 円).
    static func amount(_ yen: Int64) -> String { StaffText.amount(Yen(yen)) }

    static func amount(_ yen: Yen) -> String { StaffText.amount(yen) }

    /// `13,100円`.
    static func yen(_ yen: Int64) -> String { StaffText.yen(Yen(yen)) }

    static func yen(_ yen: Yen) -> String { StaffText.yen(yen) }

    static func count(_ n: Int) -> String { StaffText.count(n) }

    /// `FY2025/3` as `令和7年度 第3期`.
    static func period(_ key: PeriodKey) -> String { StaffText.period(key) }

    static func period(fiscalYear: Int, period: Int) -> String {
        guard let fy = try? FiscalYear(fiscalYear), let number = try? PeriodNumber(period) else {
            return "FY\(fiscalYear)/\(period)"
        }
        return StaffText.period(PeriodKey(fy, number))
    }

    static func fiscalYear(_ year: Int) -> String {
        (try? FiscalYear(year)).map { StaffText.fiscalYear($0) } ?? "\(year)年度"
    }

    /// `FY2023/3=6500` (or `FY2023/3=6500(FY2024)`, carried into a later accounting year) as
    /// `令和5年度 第3期 6,500円（令和6年度の収入）`.
    static func part(_ text: String) -> String {
        guard let match = text.wholeMatch(of: /FY(\d{4})\/(\d{1,2})=(-?\d+)(?:\(FY(\d{4})\))?/),
            let year = Int(match.1), let number = Int(match.2), let amount = Int64(match.3)
        else { return text }
        return "\(period(fiscalYear: year, period: number)) \(yen(amount))"
            + (match.4.flatMap { Int($0) }.map { "（\(fiscalYear($0))の収入）" } ?? "")
    }

    /// A raw name as its term, when `T` has it.
    static func term<T: StaffLabelled & RawRepresentable>(_ type: T.Type, _ raw: String) -> String
    where T.RawValue == String {
        T(rawValue: raw)?.label ?? raw
    }

    /// A column heading from the table.
    static func heading(_ key: String) -> String { Labels.current["column." + key] }

    static func headings(_ keys: String...) -> [String] { keys.map(heading) }

    /// A screen word from the table.
    static func word(_ key: String) -> String { Labels.current["word." + key] }
}

extension Staff {
    /// A cancellation as a view carries it (`2025-08-01 reason`): its date as staff read it.
    static func cancellation(_ text: String) -> String {
        guard let space = text.firstIndex(of: " ") else { return date(text) }
        return date(String(text[..<space])) + text[space...]
    }
}

extension Staff {
    /// A history entry's kind (`refund paid`) as its term (`history.refundPaid`).
    static func historyKind(_ kind: String) -> String { Labels.current["history." + Labels.camelCased(kind)] }
}

extension Staff {
    /// A recorded time as a view carries it (`2026-12-04T00:57:08.560663Z`, UTC) in Japan time, as
    /// staff read it; anything else as it is.
    static func moment(_ iso: String) -> String {
        guard
            let m = iso.wholeMatch(of: /(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z/),
            let date = try? CivilDate(iso: m.1), let h = Int64(m.2), let min = Int64(m.3), let s = Int64(m.4)
        else { return iso }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + h * 3_600 + min * 60 + s
        return StaffText.moment(microseconds: seconds * 1_000_000)
    }
}

/// A domain value typed as its raw name (`visitToOffice`) or as its term in the labels table in
/// use (`来庁`): a clerk may type the word the screen shows.
extension ExpressibleByArgument where Self: StaffLabelled & CaseIterable & RawRepresentable, RawValue == String {
    public init?(argument: String) {
        if let value = Self(rawValue: argument) {
            self = value
            return
        }
        let labels = Labels.current
        guard let value = Self.allCases.first(where: { labels.term($0) == argument }) else { return nil }
        self = value
    }
}
