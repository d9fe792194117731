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
        public var figures: IncomeFigures
    }

    public var rows: [Row]

    /// Parses a file: refused as ``TaxMasterFile/parse(_:)`` refuses, with an inquiry number that
    /// is not one koki writes, and the same inquiry answered twice.
    public static func parse(_ bytes: [UInt8]) throws(InterchangeError) -> NetworkAnswerFile {
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        for (line, f, columns) in try CSVLines.records(bytes, header: header, kind: "network answer") {
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
            rows.append(
                Row(
                    line: line, inquiry: inquiry,
                    figures: try IncomeFigures.read(f, columns, from: 1, line: line, header: header)))
        }
        return NetworkAnswerFile(rows: rows)
    }
}
