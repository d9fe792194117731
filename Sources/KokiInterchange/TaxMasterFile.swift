import KokiDomain

/// The tax system's yearly file of incomes (連携税マスタ / 福祉税マスタ), as koki reads it: CSV,
/// UTF-8, one line per person and calendar year, the header first:
///
///     person,year,pension_revenue,salary_revenue,other_income,total_income,taxable_income,declared
///     1001,2024,2000000,0,0,900000,0,1
///
/// - `person`: the city's address number (宛名番号), never a My Number;
/// - `year`: the calendar year of the income (FY N's premium uses year N−1's);
/// - `pension_revenue` 公的年金等収入金額 and `salary_revenue` 給与収入金額: 0 to 10^12 yen;
/// - `other_income` (business, real estate, separately taxed gains) and `total_income`
///   総所得金額等 (合計所得金額): −10^12 to 10^12 yen (a loss is negative);
/// - `taxable_income` 課税所得 (住民税の課税標準額), which decides the copayment class: 0 to 10^12
///   yen, or empty when the tax system has none;
/// - `declared`: `1` when a return was filed or the income is otherwise known, `0` for 未申告.
public struct TaxMasterFile: Hashable, Sendable {
    public static let header = [
        "person", "year", "pension_revenue", "salary_revenue", "other_income", "total_income", "taxable_income",
        "declared",
    ]

    public struct Row: Hashable, Sendable {
        public var line: Int
        public var person: PersonID
        public var figures: IncomeFigures

        public init(line: Int, person: PersonID, figures: IncomeFigures) {
            (self.line, self.person, self.figures) = (line, person, figures)
        }

        /// The row as a line of the file (what a test or the simulation writes).
        public var csv: String {
            let f = figures
            return [
                person.value, String(f.year), String(f.pensionRevenue.amount), String(f.salaryRevenue.amount),
                String(f.otherIncome.amount), String(f.totalIncome.amount), f.taxableIncome.map { String($0.amount) } ?? "",
                f.declared ? "1" : "0",
            ].joined(separator: ",")
        }
    }

    public var rows: [Row]

    /// A file of `rows`, header first.
    public static func text(_ rows: [Row]) -> String {
        ([header.joined(separator: ",")] + rows.map(\.csv)).joined(separator: "\n") + "\n"
    }

    /// Parses a file. Refused, naming the line and column: what every CSV koki reads refuses (not
    /// UTF-8, a control character, another file's header, no record), a missing header, a line
    /// without its eight fields, a person number or year that is not one, an amount that is not a
    /// whole number of yen or is outside its range, `declared` other than 0 or 1, and the same
    /// person and year twice.
    public static func parse(_ bytes: [UInt8]) throws(InterchangeError) -> TaxMasterFile {
        let lines = try CSVLines.records(bytes, header: header, kind: "tax master")
        var rows: [Row] = []
        rows.reserveCapacity(lines.count)
        var seen: [PersonYear: Int] = [:]
        for (line, f, columns) in lines {
            let person: PersonID
            do { person = try PersonID(f[0]) } catch {
                throw InterchangeError(line: line, position: columns[0], "person '\(f[0])' is not an address number")
            }
            let figures = try IncomeFigures.read(f, columns, from: 1, line: line, header: header)
            let key = PersonYear(person: person, year: figures.year)
            if let first = seen[key] {
                throw InterchangeError(
                    line: line, position: columns[0], "\(person) \(figures.year) is in the file twice (line \(first) too)")
            }
            seen[key] = line
            rows.append(Row(line: line, person: person, figures: figures))
        }
        return TaxMasterFile(rows: rows)
    }

    struct PersonYear: Hashable {
        var person: PersonID
        var year: Int
    }
}

/// A year's income as the tax system's files give it: the seven columns after the one that names
/// whose (`year,pension_revenue,salary_revenue,other_income,total_income,taxable_income,declared`).
public struct IncomeFigures: Hashable, Sendable {
    public var year: Int
    public var pensionRevenue: Yen
    public var salaryRevenue: Yen
    public var otherIncome: Yen
    public var totalIncome: Yen
    public var taxableIncome: Yen?
    public var declared: Bool

    public init(
        year: Int, pensionRevenue: Yen, salaryRevenue: Yen, otherIncome: Yen, totalIncome: Yen, taxableIncome: Yen?,
        declared: Bool
    ) {
        (self.year, self.pensionRevenue, self.salaryRevenue, self.otherIncome) = (
            year, pensionRevenue, salaryRevenue, otherIncome
        )
        (self.totalIncome, self.taxableIncome, self.declared) = (totalIncome, taxableIncome, declared)
    }

    /// The figures in `f[first...]`, each refusal naming `line` and the column.
    static func read(_ f: [String], _ columns: [Int], from first: Int, line: Int, header: [String])
        throws(InterchangeError) -> IncomeFigures
    {
        guard f[first].count == 4, let year = Int(f[first]) else {
            throw InterchangeError(line: line, position: columns[first], "year '\(f[first])' is not a calendar year")
        }
        func amount(_ i: Int, _ range: Yen.AmountRange) throws(InterchangeError) -> Yen {
            guard let raw = Int64(f[i]) else {
                throw InterchangeError(
                    line: line, position: columns[i], "\(header[i]) '\(f[i])' is not a whole number of yen")
            }
            do { return try Yen.checked(raw, range, field: header[i]) } catch {
                throw InterchangeError(line: line, position: columns[i], "\(error)")
            }
        }
        let taxable: Yen? = f[first + 5].isEmpty ? nil : try amount(first + 5, .revenue)
        guard f[first + 6] == "0" || f[first + 6] == "1" else {
            throw InterchangeError(
                line: line, position: columns[first + 6], "declared '\(f[first + 6])' is not 1 (declared) or 0 (未申告)")
        }
        return IncomeFigures(
            year: year, pensionRevenue: try amount(first + 1, .revenue), salaryRevenue: try amount(first + 2, .revenue),
            otherIncome: try amount(first + 3, .income), totalIncome: try amount(first + 4, .income),
            taxableIncome: taxable, declared: f[first + 6] == "1")
    }
}
