import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// Answers that live in one stream, read from that stream alone — never by folding the city,
/// which at a city's scale costs a minute for what a few rows answer.
extension KokiLedger {
    /// The rate table in force for a fiscal year (the last adopted), from `config/rates/<year>`.
    public func rateTable(fiscalYear: Int) throws -> RateTable? {
        var table: RateTable?
        try forEachEvent(.stream(try StreamName("config/rates/\(fiscalYear)"))) { _, event in
            if case .rateTableAdopted(let e) = event { table = e.table }
        }
        return table
    }

    /// The installment calendar in force for a fiscal year, from `config/calendar/<year>`.
    public func installmentCalendar(fiscalYear: Int) throws -> InstallmentCalendarAdopted? {
        var calendar: InstallmentCalendarAdopted?
        try forEachEvent(.stream(try StreamName("config/calendar/\(fiscalYear)"))) { _, event in
            if case .installmentCalendarAdopted(let e) = event { calendar = e }
        }
        return calendar
    }

    /// The city's business days around `date` (地方自治法 第4条の2): Saturdays, Sundays, public
    /// holidays and 29 December – 3 January are closed, and so is every day the installment
    /// calendars of `date`'s fiscal year and the next recorded as closed — as the ledger stood at
    /// `position` (default: its head).
    func businessCalendar(around date: CivilDate, through position: Int64? = nil) throws -> BusinessCalendar {
        var closed: Set<CivilDate> = []
        let year = FiscalYear(containing: date).year
        for fiscalYear in [year, year + 1] {
            var query = EventQuery.stream(try StreamName("config/calendar/\(fiscalYear)"))
            query.throughPosition = position
            var latest: [CivilDate] = []
            try forEachEvent(query) { _, event in
                if case .installmentCalendarAdopted(let adopted) = event { latest = adopted.extraClosedDays }
            }
            closed.formUnion(latest)
        }
        return BusinessCalendar(extraClosedDays: closed)
    }

    /// Unmatched money (未確認入金) and what became of it, from `collection/unmatched`.
    public func unmatchedPayments() throws -> [CollectionAccounts.Unmatched] {
        var accounts = CollectionAccounts()
        try forEachEvent(.stream(try StreamName(UnmatchedPaymentRecorded.streamName))) { _, event in
            accounts.apply(event)
        }
        return accounts.unmatched
    }

    /// A person's assessments of a fiscal year, oldest first, from their own stream — or, for a
    /// former address number linked to a new one (番号統合), from the new one's.
    public func assessments(of number: PersonID, fiscalYear: FiscalYear) throws -> (
        person: PersonID, history: [PremiumAssessed]
    ) {
        func read(_ person: PersonID) throws -> (exists: Bool, history: [PremiumAssessed]) {
            var exists = false
            var history: [PremiumAssessed] = []
            var query = EventQuery.stream(try StreamName(person.streamName))
            query.readsEnvelopes = false
            try forEachEvent(query) { _, event in
                exists = true
                if case .premiumAssessed(let e) = event, e.fiscalYear == fiscalYear { history.append(e) }
            }
            return (exists, history)
        }
        let own = try read(number)
        if own.exists { return (number, own.history) }
        var query = EventQuery()
        query.types = [PersonNumbersLinked.eventType]
        var linked: PersonID?
        try forEachEvent(query) { _, event in
            if case .personNumbersLinked(let e) = event, e.formerNumber == number { linked = e.person }
        }
        guard let linked else { return (number, []) }
        return (linked, try read(linked).history)
    }
}
