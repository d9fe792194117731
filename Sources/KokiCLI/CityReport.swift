import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

/// What a person wants to see of a recorded city: who is insured, each fiscal year's premium
/// and how much of it was collected by the year's closing, arrears by age and the largest
/// delinquencies, one person's history, and whether the hash chain verifies.
enum CityReport {
    static func print(_ ledger: KokiLedger, closing: CivilDate) throws {
        let city = try ledger.currentCity()
        let insured = city.register.insured(on: closing).count
        Output.line("register: \(city.register.persons.count) persons registered, \(insured) insured on \(closing)")
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
        Output.line("fiscal year  persons  premium (yen)  collected by closing  now: collected  reduced  written off")
        for year in owes.keys.sorted() {
            let owed = owes[year]!
            var atClosing = "(not closed)"
            if let closed = closings[year], let carried = closed.carried.first(where: { $0.fiscalYear.year == year }) {
                atClosing = percent(owed - carried.amount, of: owed)
            } else if let closed = closings[year], !closed.carried.contains(where: { $0.fiscalYear.year == year }) {
                atClosing = percent(owed, of: owed)
            }
            Output.line(
                "FY\(year)       \(pad(persons[year]?.count ?? 0, 7))  \(pad(owed.amount, 13))  \(pad(atClosing, 20))  \(pad(percent(credited[year]!, of: owed), 14))  \(pad(reduced[year]!.amount, 7))  \(pad(writtenOff[year]!.amount, 11))"
            )
        }
        let totals = accounts.totals
        Output.line(
            "money: received \(totals.received) = on periods \(totals.credited) + late fees \(totals.lateFeesPaid) + open overpayments \(totals.openOverpayments) + refunded \(totals.refunded) (unmatched \(totals.unmatchedOpen) aside); every yen accounted for: \(accounts.moneyIsConserved ? "yes" : "NO")"
        )
        try arrears(ledger, on: closing)
        try verify(ledger.store)
    }

    /// Arrears by the age of the oldest unpaid period, the three largest delinquencies, and the
    /// largest one's history.
    static func arrears(_ ledger: KokiLedger, on closing: CivilDate, historyLines: Int = 8) throws {
        let arrears = ArrearsCommands(ledger)
        let rows = try arrears.delinquents(on: closing)
        let buckets: [(String, ClosedRange<Int>)] = [
            ("≤ 90 days", 0...90), ("91–180", 91...180), ("181–365", 181...365), ("> 1 year", 366...100_000),
        ]
        Output.line(
            "arrears on \(closing) by the oldest unpaid period: "
                + buckets.map { name, range in
                    let group = rows.filter { range.contains($0.daysOverdue) }
                    return "\(name) \(group.count) persons \(group.map(\.owed).sum().amount) yen"
                }.joined(separator: "; "))
        for row in rows.prefix(3) {
            Output.line(
                "  largest: \(row.person) owes \(row.owed.amount) yen on \(row.periods) periods since \(row.oldestDue), late fees \(row.lateFees.amount)"
            )
        }
        if let example = rows.first {
            Output.line("history of \(example.person) (koki history \(example.person)):")
            let entries = try arrears.history(of: example.person)
            for entry in entries.prefix(historyLines) {
                Output.line("  \(entry.date)  \(entry.kind)  \(entry.text)")
            }
            if entries.count > historyLines { Output.line("  … \(entries.count - historyLines) more") }
        }
    }

    /// The hash chain and SQLite's integrity check; exits 1 when anything was altered.
    static func verify(_ store: any EventStore) throws {
        let verified = try store.verifyChain()
        if let problem = verified.problem {
            Output.line("verify: ALTERED: \(problem)")
            throw ExitCode(ExitStatus.ledgerAltered.rawValue)
        }
        Output.line(
            "verify: ok, \(verified.eventsChecked) events; head \(verified.head.position) \(verified.head.hash.hex)")
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
