import KokiDomain
import KokiEvents
import KokiProjections
import KokiReadModels
import LedgerStore

/// The revenue report of an accounting year (収納・歳入): the books' lines per day (日計), month
/// (月計) and to date (累計), by channel; the year's totals (the 決算's page); the collection
/// rates as the city reports them; and the books reconciled with the stored balances.
public struct RevenueReport: Sendable, Codable, Hashable {
    /// A line's sum over a day or a month, with its month-to-date and year-to-date sums.
    public struct Row: Sendable, Codable, Hashable {
        /// `YYYY-MM-DD` for a day, `YYYY-MM` for a month.
        public var date: String
        public var line: RevenueBook.Line
        /// The channel money was received through; `nil` for lines that are not receipts.
        public var channel: PaymentChannel?
        public var amount: Yen
        public var monthToDate: Yen
        public var yearToDate: Yen
    }

    /// A line's sum over the year, by channel (`nil`: every channel).
    public struct Total: Sendable, Codable, Hashable {
        public var line: RevenueBook.Line
        public var label: String
        public var channel: PaymentChannel?
        public var amount: Yen
    }

    /// A collection rate (収納率): premium received ÷ premium charged (調定額), in hundredths of
    /// a per cent, truncated; `nil` when nothing was charged or the charge is not yet known.
    public struct Rate: Sendable, Codable, Hashable {
        public var received: Yen
        public var charged: Yen?
        public var basisPoints: Int64?
        /// Where the charge comes from.
        public var basis: String

        init(received: Yen, charged: Yen?, basis: String) {
            (self.received, self.charged, self.basis) = (received, charged, basis)
            if let charged, charged > .zero {
                let (product, overflow) = received.amount.multipliedReportingOverflow(by: 10_000)
                basisPoints = overflow ? nil : product / charged.amount
            }
        }

        /// `98.76%`, or `—`.
        public var percent: String {
            guard let b = basisPoints else { return "—" }
            let sign = b < 0 ? "-" : ""
            let magnitude = b.magnitude
            let hundredths = magnitude % 100
            return "\(sign)\(magnitude / 100).\(hundredths < 10 ? "0" : "")\(hundredths)%"
        }
    }

    /// The premium the books put on a fiscal year's periods beside what the stored balances say
    /// is credited to them.
    public struct Check: Sendable, Codable, Hashable {
        public var fiscalYear: FiscalYear
        public var books: Yen
        public var balances: Yen
        public var agrees: Bool { books == balances }
    }

    public var accountingYear: FiscalYear
    /// The accounting year's days: 1 April to 31 May of the next year (出納整理期間).
    public var from: CivilDate
    public var through: CivilDate
    /// The ledger as it stood at this position.
    public var position: Int64
    public var days: [Row]
    public var months: [Row]
    public var totals: [Total]
    /// 現年度分: the year's own premium received (received + appropriated − moved out) ÷ the
    /// premium assessed on the year's periods less reductions (減免), as the ledger stands.
    public var current: Rate
    /// 滞納繰越分: earlier years' premium received in the year ÷ the arrears carried into it at
    /// the previous year's closing (出納閉鎖, `koki close-year`).
    public var carried: Rate
    public var checks: [Check]

    /// The net premium on the periods by the report's own lines.
    public func total(_ line: RevenueBook.Line) -> Yen {
        totals.filter { $0.line == line && $0.channel == nil }.map(\.amount).sum()
    }
}

extension RevenueReport {
    /// The report of `year` from `book`, with the balances' credited sums per fiscal year and the
    /// arrears carried into the year at the last closing (`nil`: not closed).
    public init(
        _ year: FiscalYear, book: RevenueBook, position: Int64, credited: [FiscalYear: Yen], assessed: Yen,
        carriedIn: Yen?
    ) {
        accountingYear = year
        from = year.firstDay
        through = FiscalClosing.closingDay(of: year)
        self.position = position
        let entries = book.amounts.filter { $0.key.accountingYear == year }.sorted { $0.key < $1.key }
        struct Series: Hashable {
            var line: RevenueBook.Line
            var channel: PaymentChannel?
        }
        var month: [Series: (String, Yen)] = [:]
        var toDate: [Series: Yen] = [:]
        var monthRows: [String: [Series: Yen]] = [:]
        days = entries.map { key, amount in
            let series = Series(line: key.line, channel: key.channel)
            let monthName = String(key.day.description.prefix(7))
            let sofar = month[series].flatMap { $0.0 == monthName ? $0.1 : nil } ?? .zero
            month[series] = (monthName, sofar + amount)
            toDate[series, default: .zero] += amount
            monthRows[monthName, default: [:]][series, default: .zero] += amount
            return Row(
                date: key.day.description, line: key.line, channel: key.channel, amount: amount,
                monthToDate: sofar + amount, yearToDate: toDate[series, default: .zero])
        }
        var running: [Series: Yen] = [:]
        months = monthRows.sorted { $0.key < $1.key }.flatMap { name, sums in
            sums.sorted { ($0.key.line, $0.key.channel?.rawValue ?? "") < ($1.key.line, $1.key.channel?.rawValue ?? "") }
                .map { series, amount in
                    running[series, default: .zero] += amount
                    return Row(
                        date: name, line: series.line, channel: series.channel, amount: amount, monthToDate: amount,
                        yearToDate: running[series, default: .zero])
                }
        }
        totals = RevenueBook.Line.allCases.flatMap { line -> [Total] in
            let channels: [PaymentChannel?] = line.isReceipt ? PaymentChannel.allCases.map { $0 } : []
            let byChannel = channels.map { channel in
                Total(
                    line: line, label: line.label, channel: channel,
                    amount: entries.filter { $0.key.line == line && $0.key.channel == channel }.map(\.value).sum())
            }
            return byChannel + [
                Total(line: line, label: line.label, channel: nil, amount: entries.filter { $0.key.line == line }.map(\.value).sum())
            ]
        }
        func sum(_ lines: RevenueBook.Line...) -> Yen {
            entries.filter { lines.contains($0.key.line) }.map(\.value).sum()
        }
        current = Rate(
            received: sum(.premiumCurrent, .appropriatedCurrent) - sum(.movedOutCurrent), charged: assessed,
            basis: "\(StaffText.fiscalYear(year))の期別の調定額から減免を除いた額（台帳の現在）")
        carried = Rate(
            received: sum(.premiumCarried, .appropriatedCarried) - sum(.movedOutCarried), charged: carriedIn,
            basis: carriedIn == nil
                ? "\((try? FiscalYear(year.year - 1)).map { StaffText.fiscalYear($0) } ?? "前年度")の出納閉鎖が未了（koki close-year）：繰越額が確定していない"
                : "\((try? FiscalYear(year.year - 1)).map { StaffText.fiscalYear($0) } ?? "前年度")の出納閉鎖で\(StaffText.fiscalYear(year))へ繰り越した滞納額")
        checks = Set(book.creditedByFiscalYear.keys).union(credited.keys).sorted().map {
            Check(fiscalYear: $0, books: book.creditedByFiscalYear[$0] ?? .zero, balances: credited[$0] ?? .zero)
        }
    }
}

extension KokiLedger {
    /// The revenue books of the ledger as it stood at `through` (the head when `nil`): the
    /// cancellations read first, then every money event once, in position order.
    public func revenueBook(through: Int64?) throws -> RevenueBook {
        var cancellations = EventQuery()
        cancellations.types = [PaymentCancelled.eventType]
        cancellations.throughPosition = through
        cancellations.readsEnvelopes = false
        var cancelled = Set<String>()
        try forEachEvent(cancellations) { _, event in
            if case .paymentCancelled(let e) = event { cancelled.insert(e.payment) }
        }
        var book = RevenueBook(cancelled: cancelled)
        var query = EventQuery()
        query.types = RevenueBook.eventTypes
        query.throughPosition = through
        query.readsEnvelopes = false
        try forEachEvent(query) { _, event in book.apply(event) }
        return book
    }

    /// The position of fiscal year `year`'s closing (出納閉鎖, `koki close-year`), if recorded.
    public func closingPosition(of year: FiscalYear) throws -> Int64? { try closing(of: year)?.position }

    /// Fiscal year `year`'s closing and its position, as recorded by `through` (the head when `nil`).
    func closing(of year: FiscalYear, through: Int64? = nil) throws -> (position: Int64, event: FiscalYearClosed)? {
        var closings = EventQuery.stream(try StreamName(FiscalYearClosed.streamName))
        closings.throughPosition = through
        var found: (Int64, FiscalYearClosed)?
        try forEachEvent(closings) { view, event in
            if case .fiscalYearClosed(let e) = event, e.fiscalYear == year { found = (view.position, e) }
        }
        return found
    }

    /// The revenue report of accounting year `year`, as the ledger stood at `knownAt`.
    public func revenue(_ year: FiscalYear, knownAt: KnownAt? = nil) throws -> RevenueReport {
        let position: Int64 =
            switch knownAt {
            case nil: try store.head().position
            case .position(let p): p
            case .time(let t): try store.position(recordedBy: t)
            }
        // The balances first: they refuse a position beyond the head before the books are read.
        var credited: [FiscalYear: Yen] = [:]
        var assessed = Yen.zero
        for row in try StoredBalances(self).rows(through: position).rows {
            credited[row.fiscalYear, default: .zero] += row.credited
            if row.fiscalYear == year { assessed += row.assessed - row.reduced }
        }
        let book = try revenueBook(through: position)
        let carriedIn = try closing(of: try FiscalYear(year.year - 1), through: position)?.event.carried.map(\.amount).sum()
        return RevenueReport(
            year, book: book, position: position, credited: credited, assessed: assessed, carriedIn: carriedIn)
    }
}

/// `revenue`: an accounting year's revenue — 日計, 月計, 累計 by line and channel, the 決算's
/// totals, the collection rates, the books reconciled with the balances.
public struct ShowRevenue: KokiRequest {
    public static let name = "revenue"
    public static let function: AccessFunction? = .collectionRead
    public static let isQuery = true

    public var accountingYear: FiscalYear
    public var knownAt: KnownAt?
    /// As the ledger stood when the year was closed (出納閉鎖): the figures the city reports.
    public var atClosing: Bool

    public init(accountingYear: FiscalYear, knownAt: KnownAt?, atClosing: Bool = false) {
        (self.accountingYear, self.knownAt, self.atClosing) = (accountingYear, knownAt, atClosing)
    }

    /// Sums only: no person's data is shown, so no read is recorded.
    public func handle(_ scope: RequestScope) throws -> RevenueReport {
        _ = try keptFiscalYear(accountingYear, today: scope.today, field: "--accounting-year", what: "koki keeps books for")
        guard atClosing else { return try scope.ledger.revenue(accountingYear, knownAt: knownAt) }
        guard knownAt == nil else { throw KokiError(.invalidInput, "give --at-closing or --known-at, not both") }
        guard let position = try scope.ledger.closingPosition(of: accountingYear) else {
            throw KokiError(
                .invalidInput,
                "FY\(accountingYear.year) is not closed (koki close-year on or after \(FiscalClosing.closingDay(of: accountingYear)))"
            )
        }
        return try scope.ledger.revenue(accountingYear, knownAt: .position(position))
    }
}
