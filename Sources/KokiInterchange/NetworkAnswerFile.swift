import KokiDomain

/// The answers to the city's inquiries through the information network (情報照会の回答), as koki
/// reads them: CSV, UTF-8, one line per inquiry answered, the header first:
///
///     inquiry,year,pension_revenue,salary_revenue,other_income,total_income,taxable_income,declared
///     Q-1001-20250805-1,2024,2000000,0,0,900000,0,1
///
/// `inquiry` is koki's number for the inquiry (`koki income inquire`), which the answer names
/// instead of any number of the person's; the figures are those of ``TaxMasterFile``.
public struct NetworkAnswerFile: Hashable, Sendable {
    public static let header = [
        "inquiry", "year", "pension_revenue", "salary_revenue", "other_income", "total_income", "taxable_income",
        "declared",
    ]

    public struct Row: Hashable, Sendable {
        public var line: Int
        public var inquiry: String
        public var year: Int
        public var pensionRevenue: Yen
        public var salaryRevenue: Yen
        public var otherIncome: Yen
        public var totalIncome: Yen
        public var taxableIncome: Yen?
        public var declared: Bool
    }

    public var rows: [Row]

    /// Parses a file: refused as ``TaxMasterFile/parse(_:)`` refuses, with an inquiry number that
    /// is not one koki writes, and the same inquiry answered twice.
    public static func parse(_ bytes: [UInt8]) throws(InterchangeError) -> NetworkAnswerFile {
        let lines = try CSVLines.read(bytes, header: header, kind: "network answer")
        if let first = lines.first, first.line == 1 {
            throw InterchangeError(
                line: 1, position: 1, "the file does not start with its header \(header.joined(separator: ","))")
        }
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        for (line, f, columns) in lines {
            guard f.count == header.count else {
                throw InterchangeError(
                    line: line, position: 1,
                    "expected \(header.count) fields (\(header.joined(separator: ","))), found \(f.count)")
            }
            let inquiry = f[0]
            guard inquiry.hasPrefix("Q-"), inquiry.count <= 60,
                inquiry.dropFirst(2).allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter || $0 == "-") })
            else {
                throw InterchangeError(line: line, position: columns[0], "inquiry '\(inquiry)' is not an inquiry number")
            }
            if let first = seen[inquiry] {
                throw InterchangeError(
                    line: line, position: columns[0], "inquiry \(inquiry) is answered twice (line \(first) too)")
            }
            seen[inquiry] = line
            // The figures read as the tax master's: the same columns from the second on.
            let figures: TaxMasterFile.Row
            do {
                figures = try TaxMasterFile.parse(
                    Array((TaxMasterFile.header.joined(separator: ",") + "\n1," + f[1...].joined(separator: ",")).utf8)
                ).rows[0]
            } catch {
                // Its column in the stand-in line ("1," then these fields) mapped back to this line.
                throw InterchangeError(line: line, position: columns[1] + max(0, error.position - 3), error.message)
            }
            rows.append(
                Row(
                    line: line, inquiry: inquiry, year: figures.year, pensionRevenue: figures.pensionRevenue,
                    salaryRevenue: figures.salaryRevenue, otherIncome: figures.otherIncome,
                    totalIncome: figures.totalIncome, taxableIncome: figures.taxableIncome, declared: figures.declared))
        }
        return NetworkAnswerFile(rows: rows)
    }
}
