import Foundation
import KokiApp
import KokiCLI
import KokiTestSupport
import Testing

/// The screens staff read, on a simulated city: Japanese terms from the labels table, 和暦 dates
/// and grouped amounts — never an enum's raw name or an ISO date — while machine outputs keep
/// English keys and ISO dates. A city's correction file changes a term; a broken one stops every
/// command, naming its line, before anything is appended.
@Suite(.serialized) struct StaffScreensTests {
    struct City {
        let folder: TemporaryFolder
        let ledger: String
        let env: [String: String]
        /// Persons in arrears (the delinquent list's first rows) and persons simply insured.
        let delinquent: [String]
        let insured: [String]
    }

    /// One city for the suite (serialized): simulating it is most of the suite's time.
    nonisolated(unsafe) static var built: City?

    static func city() throws -> City {
        if let built { return built }
        let city = try simulate()
        built = city
        return city
    }

    static func simulate() throws -> City {
        let folder = try TemporaryFolder()
        let ledger = folder.path("city.ledger")
        let simulated = try KokiProcess.run([
            "simulate", "--ledger", ledger, "--insured", "240", "--years", "3", "--seed", "5",
        ])
        try #require(simulated.status == 0, "\(simulated.stderr)")
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        let env = try Secured.enroll("clerk", admin: admin, folder: folder.url.path)
        let list = try KokiProcess.run(["arrears", "list", "--json"], environment: env)
        let delinquent = list.lines.prefix(3).compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["person"] as? String
        }
        let insuredList = try KokiProcess.run(["insured", "list", "--json"], environment: env)
        let insured = insuredList.lines.prefix(2).compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["number"] as? String
        }
        try #require(delinquent.count == 3 && insured.count == 2, "\(list.stdout.prefix(300))")
        return City(folder: folder, ledger: ledger, env: env, delinquent: delinquent, insured: insured)
    }

    /// The screens a counter clerk and an auditor read most, for `persons`.
    static func screens(_ persons: [String]) -> [[String]] {
        [
            ["insured", "list"], ["arrears", "list"], ["refund", "list"], ["unmatched", "list"], ["konbini", "pending"],
            ["audit", "log"], ["audit", "review"], ["operator", "list"], ["revenue", "--accounting-year", "2025"],
            ["application", "pending"], ["benefit", "open"], ["card", "unreturned"], ["erase", "--due"],
        ]
            + persons.flatMap { p in
                [
                    ["history", p], ["account", p], ["arrears", "show", p, "--explain"], ["person", "show", p],
                    ["contact", "list", p], ["plan", "show", p], ["notices", "history", p], ["card", "show", p],
                    ["copay", "show", p], ["application", "list", p], ["premium", "show", p, "--fiscal-year", "2025"],
                    ["benefit", "list", p],
                ]
            }
    }

    /// The raw names of every labelled value: none may show on a staff screen.
    static let rawNames: Set<String> = Set(
        LabelCatalog.all.flatMap { entry in entry.values.map(\.raw) }.filter { $0.count >= 3 })

    @Test func staffScreensSpeakTheOfficesLanguage() throws {
        let city = try Self.city()
        var shown = 0
        // The audit log's command column shows koki's commands as typed (`arrears show`): words of the
        // command line, not domain values. So does the review's list of reads out of hours, which
        // has lines only when the test runs after the office closes.
        let commandWords = Set(KokiCommand.configuration.subcommands.compactMap { $0.configuration.commandName })
        for command in Self.screens(city.delinquent + city.insured) {
            let outcome = try KokiProcess.run(command, environment: city.env)
            let line = "koki \(command.joined(separator: " "))"
            #expect(outcome.status == 0, "\(line): \(outcome.stderr)")
            let text = outcome.stdout
            shown += text.count
            // Words: runs of ASCII letters and hyphens (operator ids and payment numbers are split apart).
            let words = Set(text.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0 == "-")) }).map(String.init))
            let raw = words.intersection(Self.rawNames).subtracting(command.first == "audit" ? commandWords : [])
            #expect(raw.isEmpty, "\(line) shows raw names \(raw.sorted())")
            #expect(text.firstMatch(of: /\b\d{4}-\d{2}-\d{2}\b/) == nil, "\(line) shows an ISO date")
            #expect(text.firstMatch(of: /\[[a-z][A-Za-z]*\.[A-Za-z]+\]/) == nil, "\(line) shows a missing term")
        }
        #expect(shown > 10_000, "the screens printed \(shown) characters")
        // Amounts are grouped and dates are 和暦 where a clerk reads them.
        let account = try KokiProcess.run(["account", city.delinquent[0]], environment: city.env)
        #expect(account.stdout.contains("令和"), "\(account.stdout.prefix(400))")
        #expect(account.stdout.firstMatch(of: /\d{1,3},\d{3}円/) != nil)
        // The period with nothing owed has no days overdue.
        let arrears = try KokiProcess.run(["arrears", "show", city.delinquent[0]], environment: city.env)
        for row in arrears.lines.dropFirst(2) where row.contains(" 0  ") {
            #expect(!row.contains(/\s0\s+\d/), "days counted on a period owing nothing: \(row)")
        }
    }

    @Test func machineOutputsKeepEnglishKeysAndIsoDatesAndTheIsoSettingShowsThem() throws {
        let city = try Self.city()
        let person = city.delinquent[0]
        let json = try KokiProcess.run(["history", person, "--json"], environment: city.env)
        #expect(json.stdout.contains(#""kind":"payment""#) || json.stdout.contains(#""kind":"assessed""#))
        #expect(json.stdout.firstMatch(of: /"date":"\d{4}-\d{2}-\d{2}"/) != nil)
        let account = try KokiProcess.run(["account", person, "--json"], environment: city.env)
        #expect(account.stdout.contains(#""dueDate":"20"#))
        var iso = city.env
        iso["KOKI_DATES"] = "iso"
        let table = try KokiProcess.run(["history", person], environment: iso)
        #expect(table.status == 0)
        // Every row's date is ISO (a recorded basis such as 「令和6年度2月の特別徴収額」 is the event's own words).
        #expect(table.lines.count > 2)
        for row in table.lines.dropFirst() {
            #expect(row.prefixMatch(of: /\d{4}-\d{2}-\d{2}\s/) != nil, "\(row)")
        }
        iso["KOKI_DATES"] = "heisei"
        let wrong = try KokiProcess.run(["history", person], environment: iso)
        #expect(wrong.status == 64 && wrong.stderr.contains("KOKI_DATES"), "\(wrong.stderr)")
    }

    @Test func aCitysCorrectionChangesATermAndABrokenFileStopsEveryCommandNamingItsLine() throws {
        let city = try Self.city()
        let person = city.delinquent[0]
        let labels = city.ledger + ".labels"
        // `labels export` is a whole table that reads back unchanged.
        let exported = try KokiProcess.run(["labels", "export"], environment: city.env)
        #expect(exported.status == 0)
        try Data(exported.stdout.utf8).write(to: URL(fileURLWithPath: city.folder.path("all.labels")))
        let check = try KokiProcess.run(["labels", "check", city.folder.path("all.labels")], environment: city.env)
        #expect(check.status == 0 && check.stdout.contains("0 件"), "\(check.stdout) \(check.stderr)")

        // The city's own term for a deduction from the pension, beside the ledger.
        try Data("# 松戸市\ncolumn.dueDate = 納付期限\n".utf8).write(to: URL(fileURLWithPath: labels))
        let account = try KokiProcess.run(["account", person], environment: city.env)
        #expect(account.status == 0)
        #expect(account.lines.dropFirst().first?.contains("納付期限") == true, "\(account.stdout.prefix(600))")
        let shown = try KokiProcess.run(["labels", "show", "--ledger", city.ledger], environment: city.env)
        #expect(shown.stdout.contains("column.dueDate  納期限 → 納付期限"), "\(shown.stdout)")

        // A misspelt key: every command stops, naming the file and line; nothing is appended.
        let head = try KokiProcess.run(["head", "--json"], environment: city.env).stdout
        try Data("channel.counter = 窓口納付\nchanel.bankDebit = 口座\n".utf8).write(to: URL(fileURLWithPath: labels))
        let refused = try KokiProcess.run(
            ["pay", "record", person, "--amount", "1000", "--paid-on", "2026-03-02", "--channel", "counter"],
            environment: city.env)
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("\(labels) line 2"), "\(refused.stderr)")
        #expect(refused.stderr.contains("chanel.bankDebit"))
        try FileManager.default.removeItem(atPath: labels)
        #expect(try KokiProcess.run(["head", "--json"], environment: city.env).stdout == head)
        // Not UTF-8: refused as such.
        try Data([0x63, 0x68, 0x3D, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: labels))
        let notText = try KokiProcess.run(["account", person], environment: city.env)
        #expect(notText.status == 65 && notText.stderr.contains("not UTF-8"), "\(notText.stderr)")
        try FileManager.default.removeItem(atPath: labels)
    }

    @Test func anErrorNamesTheFieldAsTheFormDoes() throws {
        let city = try Self.city()
        let person = city.delinquent[0]
        let badDate = try KokiProcess.run(
            ["pay", "record", person, "--amount", "1000", "--paid-on", "2025-13-01"], environment: city.env)
        #expect(badDate.status == 64)
        #expect(badDate.stderr.contains("「納付日」(--paid-on)"), "\(badDate.stderr)")
        #expect(badDate.stderr.contains("2025-13-01"))
        let missing = try KokiProcess.run(["pay", "record", person, "--amount", "1000"], environment: city.env)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("「納付日」(--paid-on) を入力してください"), "\(missing.stderr)")
        // A clerk may type the term the screen shows: 来庁 is visitToOffice; a term of another domain is no method.
        let typed = try KokiProcess.run(
            ["contact", "record", person, "--on", "2026-03-02", "--method", "来庁", "--content", "窓口で相談"],
            environment: city.env)
        #expect(typed.status == 0, "\(typed.stderr)")
        let listed = try KokiProcess.run(["contact", "list", person], environment: city.env).stdout
        #expect(listed.contains("令和8年3月2日  来庁"), "\(listed)")
        let events = try KokiProcess.run(["events", "--stream", "person/\(person)"], environment: city.env).stdout
        #expect(events.contains(#""method":"visitToOffice""#), "\(events.suffix(600))")
        let head = try KokiProcess.run(["head", "--json"], environment: city.env).stdout
        let counter = try KokiProcess.run(
            ["pay", "record", person, "--amount", "1000", "--paid-on", "2026-03-02", "--channel", "窓口"],
            environment: city.env)
        #expect(counter.status == 0 && counter.stdout.contains("（納付日 令和8年3月2日、窓口）"), "\(counter.stdout) \(counter.stderr)")
        #expect(try KokiProcess.run(["head", "--json"], environment: city.env).stdout != head)
        let wrongDomain = try KokiProcess.run(
            ["contact", "record", person, "--on", "2026-03-02", "--method", "窓口", "--content", "x"],
            environment: city.env)
        #expect(wrongDomain.status == 64 && wrongDomain.stderr.contains("「折衝方法」(--method)"), "\(wrongDomain.stderr)")
        let tooMuch = try KokiProcess.run(
            ["pay", "record", person, "--amount", "100000000000000", "--paid-on", "2026-03-02"], environment: city.env)
        #expect(tooMuch.status == 65)
        #expect(tooMuch.stderr.contains("「金額」(--amount)"), "\(tooMuch.stderr)")
    }
}
