import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// What a person wants to see of a recorded city: who is insured, each fiscal year's premium
/// and how much of it was collected by the year's closing, arrears by age and the largest
/// delinquencies, one person's history, and whether the hash chain verifies.
public enum CityReport {
    /// The report of a simulated city on its last day: the register, each fiscal year's premium
    /// and collection, money accounted for, and arrears.
    public static func lines(_ ledger: KokiLedger, closing: CivilDate) throws -> [String] {
        var out: [String] = []
        let city = try ledger.currentCity()
        let insured = city.register.insured(on: closing).count
        out.append("register: \(city.register.persons.count) persons registered, \(insured) insured on \(closing)")
        let accounts = city.collection
        var owes: [Int: Yen] = [:]
        var credited: [Int: Yen] = [:]
        var persons: [Int: Set<PersonID>] = [:]
        var writtenOff: [Int: Yen] = [:]
        var reduced: [Int: Yen] = [:]
        for (person, account) in accounts.accounts {
            for (key, period) in account.periods {
                let year = key.fiscalYear.year
                owes[year, default: .zero] += period.owes
                credited[year, default: .zero] += min(period.credited, period.owes)
                writtenOff[year, default: .zero] += period.writtenOff
                reduced[year, default: .zero] += period.reduced
                if period.assessed > .zero { persons[year, default: []].insert(person) }
            }
        }
        let closings = Dictionary(accounts.closings.map { ($0.fiscalYear.year, $0) }, uniquingKeysWith: { $1 })
        out.append("fiscal year  persons  premium (yen)  collected by closing  now: collected  reduced  written off")
        for year in owes.keys.sorted() {
            let owed = owes[year]!
            var atClosing = "(not closed)"
            if let closed = closings[year], let carried = closed.carried.first(where: { $0.fiscalYear.year == year }) {
                atClosing = percent(owed - carried.amount, of: owed)
            } else if let closed = closings[year], !closed.carried.contains(where: { $0.fiscalYear.year == year }) {
                atClosing = percent(owed, of: owed)
            }
            out.append(
                "FY\(year)       \(pad(persons[year]?.count ?? 0, 7))  \(pad(owed.amount, 13))  \(pad(atClosing, 20))  \(pad(percent(credited[year]!, of: owed), 14))  \(pad(reduced[year]!.amount, 7))  \(pad(writtenOff[year]!.amount, 11))"
            )
        }
        let totals = accounts.totals
        out.append(
            "money: received \(totals.received) = on periods \(totals.credited) + late fees \(totals.lateFeesPaid) + open overpayments \(totals.openOverpayments) + refunded \(totals.refunded)\(totals.refundsPrescribed > .zero ? " + kept when refunds prescribed \(totals.refundsPrescribed)" : "") (unmatched \(totals.unmatchedOpen) aside); every yen accounted for: \(accounts.moneyIsConserved ? "yes" : "NO")"
        )
        out += try arrears(ledger, on: closing)
        return out
    }

    /// Arrears by the age of the oldest unpaid period, the three largest delinquencies, and the
    /// largest one's history.
    public static func arrears(_ ledger: KokiLedger, on closing: CivilDate, historyLines: Int = 8) throws -> [String] {
        var out: [String] = []
        let arrears = ArrearsCommands(ledger)
        let rows = try arrears.delinquents(on: closing)
        let buckets: [(String, ClosedRange<Int>)] = [
            ("≤ 90 days", 0...90), ("91–180", 91...180), ("181–365", 181...365), ("> 1 year", 366...100_000),
        ]
        out.append(
            "arrears on \(closing) by the oldest unpaid period: "
                + buckets.map { name, range in
                    let group = rows.filter { range.contains($0.daysOverdue) }
                    return "\(name) \(group.count) persons \(group.map(\.owed).sum().amount) yen"
                }.joined(separator: "; "))
        for row in rows.prefix(3) {
            out.append(
                "  largest: \(row.person) owes \(row.owed.amount) yen on \(row.periods) periods since \(row.oldestDue), late fees \(row.lateFees.amount)"
            )
        }
        if let example = rows.first {
            out.append("history of \(example.person) (koki history \(example.person)):")
            let entries = try arrears.history(of: example.person)
            for entry in entries.prefix(historyLines) {
                out.append("  \(entry.date)  \(entry.kind)  \(entry.text)")
            }
            if entries.count > historyLines { out.append("  … \(entries.count - historyLines) more") }
        }
        return out
    }

    /// The demonstration city's figures after the job: balances, money accounted for, the
    /// register and FY2025's collection rate by its closing day.
    public static func demo(_ ledger: KokiLedger, persons: Int) throws -> [String] {
        var out: [String] = []
        let register = InsuredRegisterCommands(ledger)
        let balances = try ledger.replay(PremiumBalances.self)
        let totals = balances.totals
        let inArrears = balances.accounts.values.filter { $0.outstanding > .zero }.count
        out.append(
            "balances: assessed \(totals.assessed), paid \(totals.paid), outstanding \(totals.outstanding); \(inArrears) accounts in arrears, \(totals.dunningNotices) dunning notices"
        )
        let collectionAccounts = try ledger.replay(CollectionAccounts.self)
        let collection = collectionAccounts.totals
        out.append(
            "collection: received \(collection.received), on periods \(collection.credited), open overpayments \(collection.openOverpayments), refunded \(collection.refunded), unmatched \(collection.unmatchedOpen); every yen accounted for: \(collectionAccounts.moneyIsConserved ? "yes" : "NO")"
        )
        let assessedOn = try CivilDate(iso: "2025-07-10")
        let insured = try register.snapshot().insured(on: assessedOn).count
        out.append("register: \(insured) of \(persons) persons insured on \(assessedOn)")
        let closing = try CivilDate(iso: "2026-05-31")
        let rate = totals.assessed.amount == 0 ? 0 : totals.paid.amount * 1000 / totals.assessed.amount
        out.append(
            "FY2025 collected \(totals.paid.amount) of \(totals.assessed.amount) yen: \(rate / 10).\(rate % 10)% by \(closing)"
        )
        return out
    }

    static func percent(_ part: Yen, of whole: Yen) -> String {
        guard whole.amount > 0 else { return "-" }
        let tenths = part.amount * 1000 / whole.amount
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
