import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents

/// `FY/N`, e.g. `2025/3`, or `FY/N=AMOUNT` for reductions.
func parsePeriod(_ text: some StringProtocol) throws -> PeriodKey {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]) else {
        throw ValidationError("'\(text)' is not a period like 2025/3")
    }
    return PeriodKey(try FiscalYear(year), try PeriodNumber(number))
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "分納・納付誓約（plan）：約束、変更、取消、表示、点検、仮納付書。",
        subcommands: [Agree.self, Revise.self, Cancel.self, Show.self, Check.self, Slips.self]
    )

    struct Terms: ParsableArguments {
        @Option(help: ArgumentHelp("The day agreed.", valueName: "date")) var on: CivilDate
        @Option(
            help: ArgumentHelp(
                "A period the plan covers, like 2025/3; repeat (default: every period in arrears).", valueName: "fy/n"))
        var period: [String] = []
        @Flag(help: "The plan also covers the periods' final late fees.") var includeLateFees = false
        @Option(help: "The number of monthly payments.") var payments: Int
        @Option(
            help: ArgumentHelp("The first payment date (later ones on the same day each month).", valueName: "date"))
        var first: CivilDate
        @Option(help: "The total to pay (default: what the periods owe).") var total: Int64?
        @Flag(help: "A pledge (納付誓約書) was signed: it acknowledges the debt.") var pledge = false

        func value() throws -> PlanTerms {
            PlanTerms(
                on: on, periods: try period.isEmpty ? nil : period.map(parsePeriod), includeLateFees: includeLateFees,
                payments: payments, first: first, total: total, pledge: pledge)
        }
    }

    static func print(_ plan: InstallmentPlanRecorded) {
        Output.line(
            "分納 \(plan.id) \(plan.change.label) \(plan.person)：\(StaffText.periods(plan.periods))"
                + (plan.pledge ? "（誓約書あり）" : ""))
        for s in plan.schedule { Output.line("  \(Staff.date(s.on))  \(Staff.yen(s.amount))") }
    }

    struct Agree: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "agree",
            abstract: "Agree a plan over periods in arrears with a monthly schedule that covers them.",
            discussion: """
                The payments fall monthly from --first; a payment day on a day the office is closed (a \
                weekend, a public holiday, 29 December – 3 January, a recorded closure) is the next open day.
                """)
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @OptionGroup var terms: Terms

        func request() throws -> AgreePlan { AgreePlan(person: person, terms: try terms.value()) }

        static func report(_ request: Request, _ plan: InstallmentPlanRecorded) { PlanCommand.print(plan) }
    }

    struct Revise: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "revise", abstract: "Record new terms for a plan in force.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The plan's number.") var plan: String
        @OptionGroup var terms: Terms
        @Option(help: "Why it is revised.") var reason: String

        func request() throws -> RevisePlan {
            RevisePlan(person: person, plan: plan, terms: try terms.value(), reason: reason)
        }

        static func report(_ request: Request, _ plan: InstallmentPlanRecorded) { PlanCommand.print(plan) }
    }

    struct Cancel: TypedCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a plan in force.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The plan's number.") var plan: String
        @Option(help: ArgumentHelp("The day (default: today in Japan).", valueName: "date")) var on: CivilDate?
        @Option(help: "Why it is cancelled.") var reason: String

        func request() -> CancelPlan { CancelPlan(person: person, plan: plan, on: on, reason: reason) }

        static func report(_ request: Request, _ plan: InstallmentPlanRecorded) {
            Output.line("\(request.person) の分納 \(request.plan) を取り消しました")
        }
    }

    struct Show: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "A person's plans in force and their progress on a date.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("The day (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func request() -> ShowPlans { ShowPlans(person: person, on: on) }

        static func report(_ request: Request, _ plans: [ArrearsCommands.PlanProgress]) {
            for p in plans {
                PlanCommand.print(p.plan)
                Output.line(
                    "  これまでの約束額 \(Staff.yen(p.due))、\(Staff.date(p.agreedOn))以降の納付 \(Staff.yen(p.paid))、残額 \(Staff.yen(p.remaining))"
                )
            }
        }
    }

    struct Check: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Mark plans broken (behind schedule past the grace days) or completed; idempotent per date.",
            discussion: """
                Only the persons with a plan in force are read: the plans' own records say whose plan is still \
                agreed or revised (a plan broken, completed or cancelled leaves its person out), and each of them \
                is loaded from their own stream.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The day (default: today in Japan).", valueName: "date")) var on: CivilDate?

        func request() -> CheckPlans { CheckPlans(on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            let (broken, completed) = (result.value.broken, result.value.completed)
            defer { noteReadModels(result.readModelsNote) }
            Output.line("分納の点検：不履行 \(Staff.count(broken.count))件、完了 \(Staff.count(completed.count))件")
            for b in broken { Output.line("  不履行 \(b.person) \(b.id)：\(b.reason)") }
        }
    }

    struct Slips: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "slips",
            abstract: "Provisional slips (分納仮納付書): a barcode per scheduled payment still to come.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The plan's number.") var plan: String
        @Option(help: "The city's 6-digit issuer code.") var issuer: String
        @Option(help: ArgumentHelp("From this day (default: today in Japan).", valueName: "date")) var from: CivilDate?

        func request() -> PlanSlips { PlanSlips(person: person, plan: plan, issuer: issuer, from: from) }

        static func report(_ request: Request, _ slips: [PlanSlip]) {
            for s in slips { Output.line("\(Staff.date(s.on))  \(Staff.yen(s.amount))  \(s.barcode)") }
        }
    }
}

struct ReductionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduction",
        abstract: "広域連合が決定した減免（reduction）。",
        subcommands: [Decide.self]
    )

    struct Decide: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "decide",
            abstract: "Record a reduction: amounts off named periods, or a percentage of the covered months' periods.",
            discussion: """
                Give --period 2025/4=5000 (repeat) or --percent 50 (of what each period due from --from through \
                --through still owes). A paid period becomes overpaid: settle it with `koki refund settle`. \
                --waive-late-fees waives the final late fees of the periods.
                """)
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("The day applied for.", valueName: "date")) var appliedOn: CivilDate
        @Option(help: ArgumentHelp("The union's decision day.", valueName: "date")) var decidedOn: CivilDate
        @Option(help: "The reason (災害, 所得激減, 拘禁 …).") var reason: String
        @Option(help: ArgumentHelp("The first day covered.", valueName: "date")) var from: CivilDate
        @Option(help: ArgumentHelp("The last day covered.", valueName: "date")) var through: CivilDate
        @Option(help: ArgumentHelp("An amount off a period; repeat.", valueName: "fy/n=yen")) var period: [String] = []
        @Option(help: "A percentage off each covered period.") var percent: Int?
        @Flag(help: "Waive the late fees of the reduced periods.") var waiveLateFees = false

        func validate() throws {
            guard period.isEmpty != (percent == nil) else {
                throw ValidationError("give --period FY/N=YEN (repeatable) or --percent, not both")
            }
        }

        func request() throws -> DecideReduction {
            let periods = try period.map { item in
                let pair = item.split(separator: "=")
                guard pair.count == 2, let yen = Int64(pair[1]) else {
                    throw ValidationError("'\(item)' is not FY/N=YEN")
                }
                return DecideReduction.PeriodAmount(period: try parsePeriod(pair[0]), amount: yen)
            }
            return DecideReduction(
                person: person, appliedOn: appliedOn, decidedOn: decidedOn, reason: reason, from: from,
                through: through, periods: periods.isEmpty ? nil : periods, percent: percent,
                waiveLateFees: waiveLateFees)
        }

        static func report(_ request: Request, _ result: Request.Result) {
            let event = result
            Output.line(
                "減免 \(event.id) \(request.person)："
                    + event.parts.map { "\(Staff.period($0.key)) \(Staff.yen($0.amount))" }.joined(separator: "、"))
        }
    }
}

struct SeizureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seizure",
        abstract: "差押（seizure）：開始と終了（時効の中断・更新に関わる）。",
        subcommands: [Start.self, End.self]
    )

    struct Start: TypedCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Record a seizure for periods.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("The day.", valueName: "date")) var on: CivilDate
        @Option(help: ArgumentHelp("A period it is for, like 2025/3; repeat.", valueName: "fy/n")) var period: [String]

        func request() throws -> StartSeizure {
            StartSeizure(person: person, on: on, periods: try period.map(parsePeriod))
        }

        static func report(_ request: Request, _ event: SeizureRecorded) {
            Output.line("差押 \(event.id) \(request.person)：\(Staff.date(request.on))から")
        }
    }

    struct End: TypedCommand {
        static let configuration = CommandConfiguration(commandName: "end", abstract: "Record the end of a seizure.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The seizure's number.") var id: String
        @Option(help: ArgumentHelp("The day.", valueName: "date")) var on: CivilDate

        func request() -> EndSeizure { EndSeizure(person: person, id: id, on: on) }

        static func report(_ request: Request, _ event: SeizureRecorded) {
            Output.line("差押 \(request.id) \(request.person)：\(Staff.date(request.on))に解除")
        }
    }
}

extension EnforcementStopped.Reason: ExpressibleByArgument {}

struct EnforcementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enforcement",
        abstract: "滞納処分の執行停止（enforcement、地方税法 第15条の7）：開始と終了。",
        discussion: """
            A stop names the periods and the law's reason: no-property (no property to seize), hardship (seizing \
            would endanger the person's livelihood) or unknown-whereabouts. While it lasts, the periods are not \
            seized, dunned or reminded; after three years the prescription run writes off what they owe \
            (不納欠損, reason enforcementStopped), and with --at-once (nothing can ever be collected, 第5項) it \
            is written off in the same command. Property found ends the stop (`enforcement end`). Prescription \
            runs on meanwhile: what prescribes first is written off as prescribed.
            """,
        subcommands: [Stop.self, End.self]
    )

    struct Stop: TypedCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop enforcement on periods.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("The day decided (not after today).", valueName: "date")) var on: CivilDate
        @Option(help: ArgumentHelp("A period it covers, like 2025/3; repeat.", valueName: "fy/n")) var period: [String]
        @Option(help: "no-property, hardship or unknown-whereabouts.") var reason: EnforcementStopped.Reason
        @Flag(help: "Nothing can ever be collected: extinguish what the periods owe at once (第5項).") var atOnce = false

        func request() throws -> StopEnforcement {
            StopEnforcement(
                person: person, on: on, periods: try period.map(parsePeriod), reason: reason, atOnce: atOnce)
        }

        static func report(_ request: Request, _ event: EnforcementStopped) {
            Output.line(
                "執行停止 \(event.id) \(request.person)：\(Staff.date(request.on))から"
                    + (event.atOnce
                        ? "、即時に不納欠損" : "、取り消されなければ \(Staff.date(event.extinguishesOn))に消滅"))
        }
    }

    struct End: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "end", abstract: "End a stop of enforcement (property found).")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The stop's number.") var id: String
        @Option(help: ArgumentHelp("The day (not after today).", valueName: "date")) var on: CivilDate

        func request() -> EndEnforcementStop { EndEnforcementStop(person: person, id: id, on: on) }

        static func report(_ request: Request, _ event: EnforcementStopped) {
            Output.line("執行停止 \(request.id) \(request.person)：\(Staff.date(request.on))に取消")
        }
    }
}

extension CollectionDeferred.Reason: ExpressibleByArgument {}
extension LateFee.Relief.Share: ExpressibleByArgument {}

struct DeferralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deferral",
        abstract: "徴収猶予（deferral、地方税法 第15条）：許可、延長、終了。",
        discussion: """
            A deferment names the periods, its first and last days and the law's reason: disaster (災害・盗難, \
            第1号), illness (病気・負傷, 第2号), business-closed (事業の廃止・休止, 第3号), business-loss (事業の著しい\
            損失, 第4号), similar (第5号) or late-assessment (第2項). It lasts at most the arrears settings' \
            deferralMonths (6 unless adopted otherwise); `deferral extend` moves its last day on, within \
            deferralTotalMonths in all (12). While it lasts the periods are not dunned, reminded or seized \
            (第15条の2の3), and prescription does not run. The late fee of the deferred days is halved \
            (--relief halved, 第15条の9 第1項) or, where the ordinance says so, waived (--relief waived). \
            `deferral end` ends it before its last day (取消: the person can pay): the day before is the last \
            deferred. The decision day and the last day are days the office is open. At a counter, grant and \
            extend are applications (kind deferral) a second operator confirms.
            """,
        subcommands: [Grant.self, Extend.self, End.self]
    )

    struct Grant: TypedCommand {
        static let configuration = CommandConfiguration(commandName: "grant", abstract: "Defer collection of periods.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Option(help: ArgumentHelp("The day decided (not after today).", valueName: "date")) var on: CivilDate
        @Option(help: ArgumentHelp("A period it covers, like 2025/3; repeat.", valueName: "fy/n")) var period: [String]
        @Option(help: ArgumentHelp("The first day deferred.", valueName: "date")) var from: CivilDate
        @Option(help: ArgumentHelp("The last day deferred (a day the office is open).", valueName: "date"))
        var through: CivilDate
        @Option(help: "disaster, illness, business-closed, business-loss, similar or late-assessment.")
        var reason: CollectionDeferred.Reason
        @Option(help: "The late fee of the deferred days: halved or waived.") var relief: LateFee.Relief.Share = .halved

        func request() throws -> GrantDeferral {
            GrantDeferral(
                person: person, on: on, periods: try period.map(parsePeriod), from: from, through: through,
                reason: reason, relief: relief)
        }

        static func report(_ request: Request, _ event: CollectionDeferred) {
            Output.line(
                "徴収猶予 \(event.id) \(request.person)：\(Staff.date(event.from))〜\(Staff.date(event.through))、"
                    + StaffText.periods(event.periods) + "、延滞金は\(event.relief.label)")
        }
    }

    struct Extend: TypedCommand {
        static let configuration = CommandConfiguration(commandName: "extend", abstract: "Extend a deferment in force.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The deferment's number.") var id: String
        @Option(help: ArgumentHelp("The day decided (not after today).", valueName: "date")) var on: CivilDate
        @Option(help: ArgumentHelp("The new last day (a day the office is open).", valueName: "date"))
        var through: CivilDate

        func request() -> ExtendDeferral { ExtendDeferral(person: person, id: id, on: on, through: through) }

        static func report(_ request: Request, _ event: CollectionDeferred) {
            Output.line("徴収猶予 \(request.id) \(request.person)：\(Staff.date(event.through))まで延長")
        }
    }

    struct End: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "end", abstract: "End a deferment before its last day (取消).")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The person's address number.") var person: PersonID
        @Argument(help: "The deferment's number.") var id: String
        @Option(help: ArgumentHelp("The day (not after today).", valueName: "date")) var on: CivilDate

        func request() -> EndDeferral { EndDeferral(person: person, id: id, on: on) }

        static func report(_ request: Request, _ event: CollectionDeferred) {
            Output.line(
                "徴収猶予 \(request.id) \(request.person)：\(Staff.date(request.on))に終了"
                    + (event.days.map { "、猶予期間 \(Staff.date($0.lowerBound))〜\(Staff.date($0.upperBound))" } ?? "、猶予期間なし"))
        }
    }
}

struct PrescriptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prescription",
        abstract: "時効（prescription）と不納欠損。",
        subcommands: [Run.self]
    )

    struct Run: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract:
                "Write off what every prescribed period still owes, and keep the refunds whose right prescribed; idempotent per date.",
            discussion: """
                Money received later for a written-off period is not a payment of it: it is an overpayment to refund. \
                A refund not paid within two years from the day after the overpayment arose (高確法 第160条) is \
                recorded as prescribed — the open overpayment, or a refund decided and never paid, which lapses and \
                can no longer be paid.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("The day (default: today in Japan; not after today).", valueName: "date"))
        var on: CivilDate?

        func request() -> RunPrescription { RunPrescription(on: on) }

        static func report(_ request: Request, _ result: Request.Result) {
            let (date, written, kept) = (result.on, result.value.writtenOff, result.value.refundsPrescribed)
            defer { noteReadModels(result.readModelsNote) }
            Output.line(
                "時効 \(Staff.date(date))：不納欠損 \(Staff.count(written.count))期（\(Staff.count(Set(written.map(\.person)).count))人）、\(Staff.yen(written.map { $0.premium + $0.lateFee }.sum()))"
            )
            if !kept.isEmpty {
                Output.line(
                    "  時効により消滅した還付金（歳入へ）：\(Staff.count(kept.count))件（\(Staff.count(Set(kept.map(\.person)).count))人）、\(Staff.yen(kept.map(\.amount).sum()))"
                )
            }
        }
    }
}

struct CloseYearCommand: TypedCommand {
    static let configuration = CommandConfiguration(
        commandName: "close-year",
        abstract: "年度の出納閉鎖（close-year、5月31日）：未納の期別を滞納繰越にする。")
    @OptionGroup var options: LedgerOptions
    @Option(help: "The fiscal year to close.") var fiscalYear: Int
    @Option(
        help: ArgumentHelp(
            "The day (default: today in Japan; not before 31 May of the next year, not after today).", valueName: "date"
        ))
    var on: CivilDate?

    func request() throws -> CloseYear { CloseYear(fiscalYear: try FiscalYear(fiscalYear), on: on) }

    static func report(_ request: Request, _ event: FiscalYearClosed) {
        Output.line("\(StaffText.fiscalYear(request.fiscalYear))の出納閉鎖 \(Staff.date(event.closedOn))：滞納繰越")
        Table.render(
            ["年度", "人数", "期数", "金額（円）"],
            event.carried.map {
                [StaffText.fiscalYear($0.fiscalYear), Staff.count($0.persons), Staff.count($0.periods), Staff.amount($0.amount)]
            }
        ).forEach { Output.line("  " + $0) }
    }
}
