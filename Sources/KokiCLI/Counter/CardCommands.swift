import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections

extension CertificateReason: ExpressibleByArgument {}
extension Delivery: ExpressibleByArgument {}

struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "資格確認書（card、旧 被保険者証）：交付、再交付、返還、一斉更新。",
        discussion: """
            A certificate is valid from its first day to the end of its copayment year (31 July) or the day before \
            eligibility ends. It prints the copayment class (1割, 2割, 3割), determined when it is issued (see \
            `koki copay`). A reissue (lost, damaged, changed) invalidates the certificate in force.
            """,
        subcommands: [Issue.self, Return.self, Show.self, Unreturned.self, Renew.self]
    )

    struct Issue: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Issue a certificate: on acquisition, on request, or as a reissue of the one in force.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: "acquisition, renewal, request, lost, damaged or changed (the last three reissue).")
        var reason: CertificateReason
        @Option(help: ArgumentHelp("The first day it is valid (default: the day issued).", valueName: "date"))
        var validFrom: CivilDate?
        @Option(help: ArgumentHelp("The day issued (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Option(help: "counter (窓口交付) or mail (郵送).") var delivery: Delivery = .counter
        @Option(help: "The office that issued it.") var office: String?

        func request() -> IssueCard {
            IssueCard(
                person: person, reason: reason, validFrom: validFrom, on: on, delivery: delivery, office: office)
        }

        static func report(_ request: Request, _ issued: Request.Result) {
            Output.line(
                "資格確認書 \(issued.number)（\(request.person)）：有効期間 \(Staff.date(issued.validFrom))〜\(Staff.date(issued.validUntil))、一部負担金の割合 \(issued.copayClass.label)、\(issued.delivery.label)"
                    + (issued.replaces.map { "。\($0) は無効になりました" } ?? ""))
        }
    }

    struct Return: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "return",
            abstract: "Record a certificate returned (返還) or declared lost (滅失), by default the one out.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: "The certificate number (default: the last one out).") var number: String?
        @Option(help: ArgumentHelp("The day (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Flag(help: "It was lost and will not come back (滅失届).") var lost = false
        @Option(help: "The office that took it back.") var office: String?

        func request() -> ReturnCertificate {
            ReturnCertificate(person: person, number: number, on: on, lost: lost, office: office)
        }

        static func report(_ request: Request, _ event: Request.Result) {
            Output.line(
                "\(request.person) の資格確認書 \(event.number)：\(Staff.date(event.returnedOn))に\(request.lost ? "紛失の届出" : "返還")"
            )
        }
    }

    struct Show: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "A person's certificates, the copayment classes determined, and their applications.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("Which are valid on this day (default: today).", valueName: "date")) var on:
            CivilDate?

        func request() -> ShowCertificates { ShowCertificates(person: person, on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            let records = result.records
            let date = result.on
            Table.render(
                ["番号", "交付事由", "交付日", "有効期間の開始", "有効期限", "負担割合", "交付方法", "状態"],
                records.certificates.map { c in
                    let i = c.issued
                    let state = c.staffState(on: date)
                    return [
                        i.number, i.reason.label, Staff.date(i.issuedOn), Staff.date(i.validFrom),
                        Staff.date(i.validUntil), i.copayClass.label, i.delivery.label, state,
                    ]
                }
            ).forEach(Output.line)
            for (start, d) in records.copay.sorted(by: { $0.key < $1.key }) {
                Output.line(
                    "一部負担金の割合 \(Staff.date(start))から：\(d.copayClass.label)（\(d.incomeYear)年の所得、\(d.reason)\(d.missingIncome.isEmpty ? "" : "。所得の記録がない方：" + d.missingIncome.map(\.value).joined(separator: "、"))）"
                )
            }
            let pending = records.applications.filter(\.isPending).map(\.received.number)
            if !pending.isEmpty { Output.line("確認待ちの申請：\(pending.joined(separator: "、"))") }
        }
    }

    struct Unreturned: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "unreturned",
            abstract: "Certificates not returned although their holder's eligibility ended.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Eligibility ended on or before (default: today).", valueName: "date"))
        var on: CivilDate?

        func request() -> ListUnreturned { ListUnreturned(on: on) }

        static func report(_ request: Request, _ list: Request.Result) {
            Table.render(
                ["被保険者番号", "資格確認書", "有効期限", "資格喪失日"],
                list.map {
                    [
                        $0.certificate.person.value, $0.certificate.number, Staff.date($0.certificate.validUntil),
                        Staff.date($0.eligibilityEnded),
                    ]
                }
            ).forEach(Output.line)
            Output.line("未返還 \(Staff.count(list.count))件")
        }
    }

    struct Renew: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "renew",
            abstract: "The yearly renewal (一斉更新): a certificate from 1 August for everyone insured that day.",
            discussion: "Running it again issues only what is missing. The class of each is determined and recorded.")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The first day of the new certificates (1 August).", valueName: "date"))
        var from: CivilDate
        @Option(help: ArgumentHelp("The day issued (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Option(help: "counter or mail.") var delivery: Delivery = .mail

        func validate() throws {
            guard from.month == 8, from.day == 1 else {
                throw ValidationError("--from \(from) is not 1 August: the copayment year starts on 1 August")
            }
        }

        func request() -> RenewCertificates { RenewCertificates(from: from, on: on, delivery: delivery) }

        static func report(_ request: Request, _ run: Request.Result) {
            Output.line(
                "一斉更新 \(Staff.date(run.validFrom))から：資格確認書 \(Staff.count(run.issued))件を交付（\(CopayClass.one.label) \(Staff.count(run.byClass[0]))、\(CopayClass.two.label) \(Staff.count(run.byClass[1]))、\(CopayClass.three.label) \(Staff.count(run.byClass[2]))）、有効期限 \(Staff.date(run.validUntil))"
            )
        }
    }
}

struct CopayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copay",
        abstract: "一部負担金の割合（copay）：ある方の割合とその理由、適用中の基準。",
        discussion: """
            The class of a year (1 August – 31 July) is decided from the previous calendar year's income of the \
            household's insured members: 3割 when one has 課税所得 of at least 1,450,000 yen unless their revenue is \
            under 3,830,000 (one insured) / 5,200,000 (two or more); 2割 when one has at least 280,000 and their \
            pension revenue plus other income is at least 2,000,000 / 3,200,000; else 1割. The figures are data \
            (`koki copay tables`), unconfirmed defaults the union may change. Recording or correcting an income \
            re-determines the class of the year it decides.
            """,
        subcommands: [Show.self, Tables.self]
    )

    struct Show: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Determine and explain a person's class for the year containing a day (recorded as a read).")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("A day of the year asked about (default: today).", valueName: "date"))
        var on: CivilDate?

        func request() -> ShowCopay { ShowCopay(person: person, on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            let d = result.determination
            Output.line("\(request.person)：\(d.copayClass.label)（\(d.period)）")
            Output.line("  世帯の被保険者：\(result.members.map(\.value).joined(separator: "、"))")
            d.explanation.forEach { Output.line("  " + $0) }
        }
    }

    struct Tables: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tables",
            abstract: "Print the thresholds in force as JSON, or adopt a set from a JSON file (assessment role).")

        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Adopt these tables (a JSON array, as printed).", valueName: "file"))
        var adopt: String?

        func run() throws {
            try reporting {
                if let adopt {
                    let tables = try options.run(AdoptCopayTables(file: adopt))
                    Output.line("adopted \(tables.count) copayment tables")
                    return
                }
                Output.line(try prettyJSON(try options.run(ShowCopayTables())))
            }
        }
    }
}

/// `koki calc copay`: one household's class from figures typed, without a ledger.
struct CopayCalc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copay",
        abstract: "Determine the copayment class (1割/2割/3割) of a household from figures, and explain it.",
        discussion: """
            Give each insured member of the household (the person first) as \
            --member NUMBER:taxable=YEN,pension=YEN,salary=YEN,other=YEN,total=YEN (fields left out are 0; without \
            taxable, the 課税所得 is unknown and counted as 0). The thresholds are the standard tables, or --tables FILE \
            (a JSON array as `koki copay tables` prints).
            Example: koki calc copay --on 2026-09-01 --member 1001:taxable=300000,pension=2100000,total=1000000
            """)

    @Option(help: ArgumentHelp("A day of the copayment year (1 August – 31 July).", valueName: "date")) var on:
        CivilDate
    @Option(help: ArgumentHelp("An insured member and their income; repeat.", valueName: "number:field=yen,…"))
    var member: [String]
    @Option(help: ArgumentHelp("The thresholds as JSON (default: the standard tables).", valueName: "file"))
    var tables: String?

    static func parse(_ text: String) throws -> CopayMember {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, let person = try? PersonID(first) else {
            throw ValidationError("--member '\(text)' does not start with a person's number (1001:taxable=…)")
        }
        var figures: [String: Yen] = [:]
        for field in parts.count > 1 ? parts[1].split(separator: ",") : [] {
            let pair = field.split(separator: "=")
            guard pair.count == 2, ["taxable", "pension", "salary", "other", "total"].contains(String(pair[0])),
                let yen = Int64(pair[1]), Yen.AmountRange.revenue.bounds.contains(yen)
            else {
                throw KokiError(
                    .invalidInput,
                    "--member \(person): '\(field)' is not FIELD=YEN with FIELD taxable, pension, salary, other or total, or YEN is outside the range of \(Yen.AmountRange.revenue)"
                )
            }
            figures[String(pair[0])] = Yen(yen)
        }
        return CopayMember(
            person: person, taxableIncome: figures["taxable"], publicPensionRevenue: figures["pension"] ?? .zero,
            salaryRevenue: figures["salary"] ?? .zero, otherIncome: figures["other"] ?? .zero,
            totalIncome: figures["total"] ?? .zero, incomeRecorded: true)
    }

    func run() throws {
        try reporting {
            let members = try member.map(Self.parse)
            guard let person = members.first?.person else { throw ValidationError("give at least one --member") }
            let all = try tables.map { try readJSON([CopayThresholds].self, from: $0) } ?? CopayThresholds.standard
            let period = CopayPeriod(containing: on)
            guard let table = CopayThresholds.inForce(all, on: period.start) ?? CopayThresholds.inForce(all, on: on)
            else { throw CLIFailure(.invalidInput, "no copayment table is in force on \(on)") }
            let d = CopayRule.determine(for: person, members: members, period: period, thresholds: table)
            Output.line("\(person)：\(d.copayClass.label)（\(d.period)、判定基準 \(Staff.date(d.thresholdsFrom))から）")
            d.explanation.forEach { Output.line("  " + $0) }
        }
    }
}
