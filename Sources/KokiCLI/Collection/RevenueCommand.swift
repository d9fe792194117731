import ArgumentParser
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections

struct RevenueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revenue",
        abstract: "会計年度の保険料の収入（revenue、収納・歳入）：日計、月計、累計と決算の頁。",
        discussion: """
            The accounting year (会計年度) N runs from 1 April N to 31 May N+1: the two months of the \
            出納整理期間 take money for N's periods. Money on a period of N paid by 31 May N+1 is 現年度分 \
            of N; paid later it is 滞納繰越分 of the year it is paid in.

            Lines: 保険料 現年度分 (premiumCurrent), 保険料 滞納繰越分 (premiumCarried) and 延滞金 (lateFee) \
            received, by channel — counter, bankDebit, convenienceStore, smartphone, pensionDeduction; \
            過誤納金 (held: received beyond what was owed, kept for the payer, 歳計外); 充当 (appropriated \
            current / carried / late fee: held money applied to periods, on the decision day); 過納・戻出 \
            (movedOut current / carried: money taken off periods that no longer owe it); 還付金 and \
            還付加算金 (refunded, refundInterest: paid out, on the day paid); 還付請求権の時効 \
            (refundPrescribed: held money the city kept); 不納欠損 (writtenOff premium / late fee: no \
            money moves). A payment cancelled (取消) negates its lines on the day it was cancelled.

            Collection rates (収納率), in hundredths of a per cent, truncated:
              現年度分   = (premiumCurrent + appropriatedCurrent − movedOutCurrent)
                           ÷ (premium assessed on the year's periods − 減免),
                           as the ledger stands;
              滞納繰越分 = (premiumCarried + appropriatedCarried − movedOutCarried)
                           ÷ the arrears carried in at the previous year's
                           closing (koki close-year); none until it is closed.
            Late fees are in neither rate. The 調定 and the money are the ledger's as it stands (or as it \
            stood at --known-at); --at-closing answers as it stood when the year was closed (koki \
            close-year): the figures the city reports for the year, which later corrections do not move.

            Reconciliation: for every fiscal year, the premium the books put on its periods (over all \
            accounting years) is compared with what the stored balances say is credited to them; a \
            difference is printed and the command exits 70.

            --by day prints one row per day, line and channel with the month and year to date (日計); \
            --by month one per month (月計); the default is the year's page (決算). --format csv writes \
            `accounting_year,date,line,channel,amount,month_to_date,year_to_date` (channel empty for \
            lines that are not receipts); --format json prints the whole report as one JSON object.
            """)

    enum By: String, ExpressibleByArgument, CaseIterable {
        case summary, day, month
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, csv, json
    }

    @OptionGroup var options: LedgerOptions
    @Option(help: ArgumentHelp("The accounting year (会計年度): 2025 is 1 April 2025 – 31 May 2026.", valueName: "year"))
    var accountingYear: Int
    @Option(help: "summary (the 決算's page), day (日計) or month (月計).") var by: By = .summary
    @Option(help: "text, csv or json.") var format: Format = .text
    @OptionGroup var knownAt: KnownAtOption
    @Flag(help: "As the ledger stood when the year was closed (出納閉鎖): the figures the city reports.")
    var atClosing = false

    func run() throws {
        try reporting {
            let report = try options.run(
                ShowRevenue(
                    accountingYear: try FiscalYear(accountingYear), knownAt: try knownAt.value(), atClosing: atClosing))
            switch format {
            case .json: Output.line(try jsonLine(report))
            case .csv: Self.csv(report, rows: by == .month ? report.months : report.days).forEach(Output.line)
            case .text:
                switch by {
                case .summary: Self.summary(report).forEach(Output.line)
                case .day: Self.table(report.days).forEach(Output.line)
                case .month: Self.table(report.months).forEach(Output.line)
                }
            }
            if let wrong = report.checks.first(where: { !$0.agrees }) {
                throw CLIFailure(
                    .failure,
                    "the books put \(wrong.books.amount) yen on FY\(wrong.fiscalYear.year)'s periods, the balances \(wrong.balances.amount): rebuild the balances (koki rebuild --check)"
                )
            }
        }
    }

    static func channelName(_ channel: PaymentChannel?) -> String { channel?.rawValue ?? "" }

    static func csv(_ report: RevenueReport, rows: [RevenueReport.Row]) -> [String] {
        ["accounting_year,date,line,channel,amount,month_to_date,year_to_date"]
            + rows.map {
                "\(report.accountingYear.year),\($0.date),\($0.line.rawValue),\(channelName($0.channel)),\($0.amount.amount),\($0.monthToDate.amount),\($0.yearToDate.amount)"
            }
    }

    static func table(_ rows: [RevenueReport.Row]) -> [String] {
        Table.render(
            ["DATE", "LINE", "CHANNEL", "AMOUNT", "MONTH TO DATE", "YEAR TO DATE"],
            rows.map {
                [
                    $0.date, $0.line.label, channelName($0.channel), "\($0.amount.amount)", "\($0.monthToDate.amount)",
                    "\($0.yearToDate.amount)",
                ]
            })
    }

    static func summary(_ report: RevenueReport) -> [String] {
        var out = [
            "歳入 \(StaffText.fiscalYear(report.accountingYear))（\(Staff.date(report.from))〜\(Staff.date(report.through))、出納整理期間を含む）、台帳の位置 \(report.position)時点",
            "",
        ]
        let channels = PaymentChannel.allCases
        out += Table.render(
            ["科目"] + channels.map(\.label) + ["計"],
            RevenueBook.Line.allCases.map { line in
                let totals = report.totals.filter { $0.line == line }
                let total = totals.first { $0.channel == nil }?.amount ?? .zero
                return [line.label]
                    + channels.map { c in
                        line.isReceipt ? Staff.amount(totals.first { $0.channel == c }?.amount ?? .zero) : ""
                    } + [Staff.amount(total)]
            }, right: Set(1...(channels.count + 1)))
        out += [
            "",
            "収納率 現年度分   \(report.current.percent)  収入 \(Staff.yen(report.current.received)) ÷ 調定 \(report.current.charged.map { Staff.yen($0) } ?? "—")（\(report.current.basis)）",
            "収納率 滞納繰越分 \(report.carried.percent)  収入 \(Staff.yen(report.carried.received)) ÷ 調定 \(report.carried.charged.map { Staff.yen($0) } ?? "—")（\(report.carried.basis)）",
            "",
        ]
        out += Table.render(
            ["年度", "期別への収入（歳入簿）", "収納額（残高）", ""],
            report.checks.map {
                [StaffText.fiscalYear($0.fiscalYear), Staff.amount($0.books), Staff.amount($0.balances), $0.agrees ? "一致" : "不一致"]
            }, right: [1, 2])
        return out
    }
}
