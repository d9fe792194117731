import KokiDomain

/// The union's (広域連合) assessment and eligibility decisions for the city's insured, as koki
/// reads them (賦課情報): CSV, UTF-8, one line per person and fiscal year, the header first:
///
///     person,fiscal_year,annual_premium,income_base,reduction,periods,insured_from,insured_until
///     1001,2025,77800,900000,0,9000;8600;8600;8600;8600;8600;8600;8600;8600,2015-01-01,
///
/// - `person`: the city's address number; `fiscal_year`: the year assessed;
/// - `annual_premium` 年額保険料: 0 to 10^11 yen;
/// - `income_base`: the income the union's 所得割 is computed on (総所得金額等 − 基礎控除), 0 to
///   10^12 yen, or empty when it has none;
/// - `reduction` 均等割軽減: 0, 2, 5 or 7 (割);
/// - `periods` 期別: each period's amount in order, separated by `;`, adding up to the annual
///   premium — or empty when the union sends none;
/// - `insured_from` 資格取得日 and `insured_until` 資格喪失日 (the first day not insured, empty while
///   insured), `YYYY-MM-DD`.
public struct UnionAssessmentFile: Hashable, Sendable {
    public static let header = [
        "person", "fiscal_year", "annual_premium", "income_base", "reduction", "periods", "insured_from",
        "insured_until",
    ]

    public struct Row: Hashable, Sendable {
        public var line: Int
        public var person: PersonID
        public var fiscalYear: FiscalYear
        public var annualPremium: Yen
        public var incomeBase: Yen?
        public var reduction: PerCapitaReduction
        public var periods: [Yen]
        public var insuredFrom: CivilDate
        public var insuredUntil: CivilDate?

        public init(
            line: Int, person: PersonID, fiscalYear: FiscalYear, annualPremium: Yen, incomeBase: Yen?,
            reduction: PerCapitaReduction, periods: [Yen], insuredFrom: CivilDate, insuredUntil: CivilDate?
        ) {
            (self.line, self.person, self.fiscalYear, self.annualPremium) = (line, person, fiscalYear, annualPremium)
            (self.incomeBase, self.reduction, self.periods) = (incomeBase, reduction, periods)
            (self.insuredFrom, self.insuredUntil) = (insuredFrom, insuredUntil)
        }

        /// The row as a line of the file.
        public var csv: String {
            [
                person.value, String(fiscalYear.year), String(annualPremium.amount),
                incomeBase.map { String($0.amount) } ?? "", String(reduction.rawValue),
                periods.map { String($0.amount) }.joined(separator: ";"), insuredFrom.description,
                insuredUntil?.description ?? "",
            ].joined(separator: ",")
        }
    }

    public var rows: [Row]

    /// A file of `rows`, header first.
    public static func text(_ rows: [Row]) -> String {
        ([header.joined(separator: ",")] + rows.map(\.csv)).joined(separator: "\n") + "\n"
    }

    /// Parses a file. Refused, naming the line and column: what every CSV koki reads refuses (not
    /// UTF-8, a control character, another file's header — the city's own tax file among them —
    /// no record), a missing header, a line without its eight fields, a bad number, amount, year or
    /// date, a reduction other than 0/2/5/7, periods that do not add up to the annual premium or
    /// number more than 24, an eligibility that ends before it starts, the same person and year
    /// twice.
    public static func parse(_ bytes: [UInt8]) throws(InterchangeError) -> UnionAssessmentFile {
        let lines = try CSVLines.records(bytes, header: header, kind: "union assessment")
        var rows: [Row] = []
        rows.reserveCapacity(lines.count)
        var seen: [String: Int] = [:]
        for (line, f, columns) in lines {
            func fail(_ i: Int, _ message: String) -> InterchangeError {
                InterchangeError(line: line, position: columns[i], message)
            }
            let person: PersonID
            do { person = try PersonID(f[0]) } catch { throw fail(0, "person '\(f[0])' is not an address number") }
            let fiscalYear: FiscalYear
            guard f[1].count == 4, let year = Int(f[1]), let fy = try? FiscalYear(year) else {
                throw fail(1, "fiscal_year '\(f[1])' is not a fiscal year")
            }
            fiscalYear = fy
            func amount(_ text: String, _ i: Int, _ range: Yen.AmountRange, _ name: String) throws(InterchangeError) -> Yen {
                guard let raw = Int64(text) else { throw fail(i, "\(name) '\(text)' is not a whole number of yen") }
                do { return try Yen.checked(raw, range, field: name) } catch { throw fail(i, "\(error)") }
            }
            let annual = try amount(f[2], 2, .amount, "annual_premium")
            let base: Yen? = f[3].isEmpty ? nil : try amount(f[3], 3, .revenue, "income_base")
            guard let code = Int(f[4]), let reduction = PerCapitaReduction(rawValue: code) else {
                throw fail(4, "reduction '\(f[4])' is not 0, 2, 5 or 7 (割)")
            }
            var periods: [Yen] = []
            if !f[5].isEmpty {
                for part in f[5].split(separator: ";", omittingEmptySubsequences: false) {
                    periods.append(try amount(String(part), 5, .amount, "periods"))
                }
                guard periods.count <= 24 else { throw fail(5, "\(periods.count) periods: a year has at most 24") }
                let sum = periods.reduce(Yen.zero, +)
                guard sum == annual else {
                    throw fail(5, "the periods add up to \(sum.amount), not the annual premium \(annual.amount)")
                }
            }
            func date(_ i: Int, _ name: String) throws(InterchangeError) -> CivilDate {
                guard let day = try? CivilDate(iso: f[i]) else { throw fail(i, "\(name) '\(f[i])' is not a date (YYYY-MM-DD)") }
                return day
            }
            let from = try date(6, "insured_from")
            guard from >= InputLimits.earliestBirth, from <= fiscalYear.lastDay else {
                throw fail(6, "insured_from \(from) is not between \(InputLimits.earliestBirth) and FY\(fiscalYear.year)'s end")
            }
            let until: CivilDate? = f[7].isEmpty ? nil : try date(7, "insured_until")
            if let until, until > InputLimits.latestCalculated {
                throw fail(7, "insured_until \(until) is past \(InputLimits.latestCalculated)")
            }
            if let until, until <= from {
                throw fail(7, "insured_until \(until) is not after insured_from \(from)")
            }
            let key = "\(person.value)/\(fiscalYear.year)"
            if let first = seen[key] {
                throw fail(0, "\(person) FY\(fiscalYear.year) is in the file twice (line \(first) too)")
            }
            seen[key] = line
            rows.append(
                Row(
                    line: line, person: person, fiscalYear: fiscalYear, annualPremium: annual, incomeBase: base,
                    reduction: reduction, periods: periods, insuredFrom: from, insuredUntil: until))
        }
        return UnionAssessmentFile(rows: rows)
    }
}
