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
        isDevelopersCommand ? message : Staff.namingFields(message)
    }

    /// The commands for developers and administrators of the ledger itself (events, positions,
    /// replays, calculators' raw figures): their options are not a form's fields (`events --from`
    /// is a position, not a date), so their errors keep the option names alone.
    static let developersCommands: Set<String> = [
        "events", "streams", "head", "verify", "rebuild", "replay", "balances", "explain", "migrate", "simulate",
        "demo", "testing", "init", "whatif",
    ]

    static var isDevelopersCommand: Bool {
        // `koki help verify` asks for a developers' command's help as `koki verify --help` does.
        let words = CommandLine.arguments.dropFirst().filter { !$0.hasPrefix("-") }
        let command = words.first == "help" ? words.dropFirst().first : words.first
        return command.map { developersCommands.contains($0) } ?? false
    }

    /// The terms `labels` changes from the standard table: `  key  standard → city's`.
    static func changes(_ labels: Labels) -> [String] {
        labels.keys.filter { labels.terms[$0] != Labels.standard.terms[$0] }.map {
            "  \($0)  \(Labels.standard[$0]) → \(labels[$0])"
        }
    }

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

    /// A staff command's help as staff read it: the section headings in Japanese, and each option
    /// and argument the form has a field for labelled with the field's term from the labels table
    /// (`--paid-on <date>  「納付日」The day the money was paid`) — the command's own term first
    /// where one name means different fields (`field.operator.role`, an operator's 役割, before
    /// `field.role`, a household's 続柄). The developers' commands keep ArgumentParser's words.
    static func help(_ text: String) -> String {
        // The command, from the usage line: `USAGE: koki operator add …` is `operator`.
        let command = text.firstMatch(of: /USAGE: koki ([a-z][a-z0-9-]*)/).map { String($0.1) }
        func term(_ key: String) -> String? {
            command.flatMap { Labels.current.terms["field.\($0).\(key)"] } ?? Labels.current.terms["field." + key]
        }
        let headings = [
            "OVERVIEW:": "概要：", "USAGE:": "使い方：", "ARGUMENTS:": "引数：", "OPTIONS:": "オプション：",
            "SUBCOMMANDS:": "サブコマンド：", "EXIT STATUS": "終了コード",
        ]
        var out: [String] = []
        var pending: String?  // a term waiting for its option's description on the next line
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let heading = headings.first(where: { line.hasPrefix($0.key) }) {
                out.append(heading.value + line.dropFirst(heading.key.count))
                continue
            }
            if let term = pending, line.hasPrefix(String(repeating: " ", count: 26)) {
                out.append(String(repeating: " ", count: 26) + "「\(term)」" + line.dropFirst(26))
                pending = nil
                continue
            }
            pending = nil
            // An option's or argument's line: its name, its value's name, then (after the column's
            // spaces) the description — or nothing, the description on the next line.
            guard let match = line.firstMatch(of: /^  (--[a-z][a-z-]*|<[a-z][a-z-]*>)(?: <[^>]*>)?(?: +([^< ].*))?$/)
            else {
                out.append(line.hasPrefix("  See 'koki help") ? "  詳しくは koki help <サブコマンド> を見てください。" : line)
                continue
            }
            let name = String(match.1)
            let key = Labels.camelCased(name.hasPrefix("--") ? name.dropFirst(2) : name.dropFirst().dropLast())
            guard let term = term(key) else {
                out.append(line)
                continue
            }
            if let description = match.2 {
                out.append(String(line.dropLast(description.count)) + "「\(term)」" + description)
            } else {
                out.append(line)
                pending = term
            }
        }
        return out.joined(separator: "\n")
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
        if name.hasPrefix("<"), name.hasSuffix(">"), let term = Labels.current.terms["field." + Labels.camelCased(name.dropFirst().dropLast())] {
            return "「\(term)」(\(name))"
        }
        return name
    }
}

/// `koki labels`: the terms staff screens show, and how a city corrects one.
struct LabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "画面の用語（labels、用語表）：表の出力、市の訂正の点検、適用中の表の表示。",
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
            commandName: "export",
            abstract: "Print the whole standard table as a labels file, to copy and correct.")

        func run() throws {
            Output.line(Labels.standard.fileText.trimmingTrailingNewline)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
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
            commandName: "show",
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
