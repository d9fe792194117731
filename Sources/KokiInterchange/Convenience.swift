import KokiDomain

/// The 44-digit data of a convenience-store slip's GS1-128 barcode (標準料金代理収納,
/// collection-and-arrears.md §8.2): AI 91, the issuer's 6-digit code, 21 free digits (here the
/// 20-digit slip number and a kind digit: 0 pays the named period, 1 is an installment-plan slip
/// whose money pays the person's oldest debts first), the reissue count, the payment deadline (YYMMDD), the stamp
/// flag, the amount (6 digits) and a check digit.
///
/// The amount width and the check-digit algorithm were not read in the guideline (§9 item 9):
/// koki uses the GS1 modulus-10 check digit (weights 3 and 1 from the right) over the first 43
/// digits, the scheme of every GS1 key; a city whose agent differs changes it here.
public struct ConvenienceBarcode: Hashable, Sendable, CustomStringConvertible {
    public var issuer: String
    public var slip: SlipNumber
    public var reissue: Int
    public var deadline: CivilDate
    public var stampFlag: Int
    public var amount: Yen
    /// An installment-plan slip (分納仮納付書): unspecified money, not the named period's.
    public var plan: Bool

    public init(
        issuer: String, slip: SlipNumber, reissue: Int = 0, deadline: CivilDate, stampFlag: Int = 0, amount: Yen,
        plan: Bool = false
    ) throws(DomainError) {
        self.plan = plan
        guard issuer.count == 6, issuer.allSatisfy(\.isASCIIDigit) else {
            throw DomainError(.invalidValue, "issuer code '\(issuer)' is not 6 digits")
        }
        guard (0...9).contains(reissue) else { throw DomainError(.invalidValue, "reissue count \(reissue) is not 0–9") }
        // One digit: a larger flag would write a 45-digit barcode no reader accepts.
        guard (0...9).contains(stampFlag) else {
            throw DomainError(.invalidValue, "stamp flag \(stampFlag) is not 0–9")
        }
        guard (2000...2099).contains(deadline.year) else {
            throw DomainError(.invalidValue, "deadline \(deadline) cannot be written as YYMMDD")
        }
        guard amount > .zero, amount <= Yen(999_999) else {
            throw DomainError(.invalidAmount, "amount \(amount.amount) does not fit the barcode's 6 digits")
        }
        self.issuer = issuer
        self.slip = slip
        self.reissue = reissue
        self.deadline = deadline
        self.stampFlag = stampFlag
        self.amount = amount
    }

    public var description: String {
        let body =
            "91" + issuer + slip.description + (plan ? "1" : "0") + String(reissue) + pad(deadline.year % 100, 2)
            + pad(deadline.month, 2) + pad(deadline.day, 2) + String(stampFlag) + pad(Int(amount.amount), 6)
        return body + String(Self.checkDigit(body))
    }

    /// GS1 modulus 10: from the rightmost digit, weights 3, 1, 3, …; the digit that brings the
    /// sum to a multiple of 10.
    public static func checkDigit(_ digits: some StringProtocol) -> Int {
        checkDigit(utf8: Array(digits.utf8)[...])
    }

    /// ``checkDigit(_:)`` of ASCII digits' bytes (any other byte counts as its distance from `0`).
    static func checkDigit(utf8 digits: ArraySlice<UInt8>) -> Int {
        var sum = 0
        for (i, byte) in digits.reversed().enumerated() { sum += (Int(byte) - 0x30) * (i % 2 == 0 ? 3 : 1) }
        return ((10 - sum % 10) % 10 + 10) % 10
    }

    /// Reads 44 digits; the error says which part is wrong. Read as bytes: a store's file holds
    /// a barcode on every line, and reading each digit as a `Character` (and the check digit's
    /// sum through a `String` for each) was most of the file's parsing.
    public init(parsing text: some StringProtocol) throws(DomainError) {
        let digits = Array(text.utf8)
        guard digits.count == 44, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw DomainError(.invalidValue, "barcode '\(text)' is not 44 digits")
        }
        func part(_ from: Int, _ count: Int) -> String {
            String(decoding: digits[from..<(from + count)], as: UTF8.self)
        }
        func number(_ from: Int, _ count: Int) -> Int {
            digits[from..<(from + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard part(0, 2) == "91" else { throw DomainError(.invalidValue, "barcode does not start with AI 91") }
        let check = Self.checkDigit(utf8: digits[0..<43])
        guard check == number(43, 1) else {
            throw DomainError(.invalidValue, "barcode check digit \(part(43, 1)) is wrong (expected \(check))")
        }
        guard let slip = SlipNumber(part(8, 20)) else {
            throw DomainError(.invalidValue, "barcode slip number \(part(8, 20)) names no period")
        }
        guard let deadline = try? CivilDate(year: 2000 + number(30, 2), month: number(32, 2), day: number(34, 2))
        else { throw DomainError(.invalidValue, "barcode deadline \(part(30, 6)) is not a date") }
        try self.init(
            issuer: part(2, 6), slip: slip, reissue: number(29, 1), deadline: deadline,
            stampFlag: number(36, 1), amount: Yen(Int64(number(37, 6))), plan: digits[28] == 0x31)
    }
}

/// A convenience-store payment file from the payment agent, as koki reads it: CSV, UTF-8 or
/// ASCII, one record per line, an optional header line starting with `kind`:
///
///     kind,paid_on,store,barcode
///     preliminary,2025-07-28,0012345,9191234500000000012345202500010...
///
/// `kind` is `preliminary` (速報, or `1`) or `final` (確報, or `2`); `paid_on` is the store's
/// payment day as YYYY-MM-DD or YYYYMMDD; `store` is the store code, passed through; `barcode`
/// is the slip's 44 digits, which carry the slip number, reissue count, deadline and amount.
public struct ConvenienceFile: Hashable, Sendable {
    public enum Kind: String, Sendable, Hashable { case preliminary, final }

    public struct Record: Hashable, Sendable {
        public var line: Int
        public var kind: Kind
        public var paidOn: CivilDate
        public var store: String
        public var barcode: ConvenienceBarcode
        public var barcodeText: String
        /// Where the barcode starts on its line (1-based), for messages.
        public var barcodeColumn = 1
    }

    public var records: [Record]

    public static let header = ["kind", "paid_on", "store", "barcode"]

    /// Parses a file. Refused, naming the line and column: bytes that are not UTF-8, control
    /// characters (NUL, ESC …), a header that is not this file's, a file with no record, a
    /// malformed field, a payment dated outside `paidOn` (from the system's start to the day the
    /// file arrived, see ``InputLimits``) and a store code longer than ``InputLimits/storeLength``.
    public static func parse(
        _ bytes: [UInt8], paidOn: InputLimits.Dates = InputLimits.sinceSystemStart
    ) throws(InterchangeError) -> ConvenienceFile {
        var records: [Record] = []
        for (line, fields, columns) in try CSVLines.read(bytes, header: header, kind: "convenience-store") {
            guard fields.count == 4 else {
                throw InterchangeError(
                    line: line, position: 1, "expected 4 fields (kind,paid_on,store,barcode), found \(fields.count)")
            }
            let kind: Kind
            switch fields[0] {
            case "preliminary", "1": kind = .preliminary
            case "final", "2": kind = .final
            default:
                throw InterchangeError(
                    line: line, position: columns[0], "kind '\(fields[0])' is not preliminary or final")
            }
            let dateText =
                fields[1].count == 8 && fields[1].allSatisfy(\.isASCIIDigit)
                ? "\(fields[1].prefix(4))-\(fields[1].dropFirst(4).prefix(2))-\(fields[1].suffix(2))" : fields[1]
            guard let paid = try? CivilDate(iso: dateText) else {
                throw InterchangeError(line: line, position: columns[1], "paid_on '\(fields[1])' is not a date")
            }
            guard paidOn.contains(paid) else {
                throw InterchangeError(
                    line: line, position: columns[1],
                    "paid_on \(paid) is outside \(paidOn) (from the system's start to the day the file was received)")
            }
            guard fields[2].count <= InputLimits.storeLength else {
                throw InterchangeError(
                    line: line, position: columns[2],
                    "store is \(fields[2].count) characters, more than \(InputLimits.storeLength)")
            }
            let barcode: ConvenienceBarcode
            do { barcode = try ConvenienceBarcode(parsing: fields[3]) } catch {
                throw InterchangeError(line: line, position: columns[3], error.message)
            }
            records.append(
                Record(
                    line: line, kind: kind, paidOn: paid, store: fields[2], barcode: barcode, barcodeText: fields[3],
                    barcodeColumn: columns[3]))
        }
        return ConvenienceFile(records: records)
    }
}

/// Pension deduction results (特別徴収 結果) as koki reads them: CSV, one line per person and
/// pension month, an optional header line starting with `person`:
///
///     person,fiscal_year,month,paid_on,amount,status
///     1001,2025,4,2025-04-15,8300,deducted
///     1002,2025,10,2025-10-15,0,stopped
///
/// `status` is `deducted` (the amount was taken from the pension on `paid_on`) or `stopped`
/// (the pension payer stopped deducting from that month: the rest of the year moves to ordinary
/// collection).
public struct PensionDeductionFile: Hashable, Sendable {
    public enum Status: String, Sendable, Hashable { case deducted, stopped }

    public struct Record: Hashable, Sendable {
        public var line: Int
        public var person: PersonID
        public var fiscalYear: FiscalYear
        public var month: Int
        public var paidOn: CivilDate
        public var amount: Yen
        public var status: Status
    }

    public var records: [Record]

    public static let header = ["person", "fiscal_year", "month", "paid_on", "amount", "status"]

    /// Parses a file. Refused, naming the line and column: bytes that are not UTF-8, control
    /// characters (NUL, ESC …), a header that is not this file's, a file with no record, a
    /// malformed field, a paid_on outside its pension month of the fiscal year, a deduction dated
    /// outside `deductedOn` or a stop outside `stoppedFrom` (see ``InputLimits``), a deduction of
    /// 0 yen and a stop with an amount.
    public static func parse(
        _ bytes: [UInt8], deductedOn: InputLimits.Dates = InputLimits.sinceSystemStart,
        stoppedFrom: InputLimits.Dates = InputLimits.sinceSystemStart
    ) throws(InterchangeError) -> PensionDeductionFile {
        var records: [Record] = []
        for (line, f, columns) in try CSVLines.read(bytes, header: header, kind: "pension deduction") {
            guard f.count == 6 else {
                throw InterchangeError(
                    line: line, position: 1,
                    "expected 6 fields (person,fiscal_year,month,paid_on,amount,status), found \(f.count)")
            }
            guard let person = try? PersonID(f[0]) else {
                throw InterchangeError(line: line, position: columns[0], "person '\(f[0])' is not an address number")
            }
            guard let year = Int(f[1]), let fy = try? FiscalYear(year) else {
                throw InterchangeError(line: line, position: columns[1], "fiscal_year '\(f[1])' is not a year")
            }
            guard let month = Int(f[2]), PensionDeduction.months.contains(month) else {
                throw InterchangeError(
                    line: line, position: columns[2], "month '\(f[2])' is not a pension month (4, 6, 8, 10, 12, 2)")
            }
            guard let paidOn = try? CivilDate(iso: f[3]) else {
                throw InterchangeError(line: line, position: columns[3], "paid_on '\(f[3])' is not a date")
            }
            guard let amount = Int64(f[4]), amount >= 0 else {
                throw InterchangeError(
                    line: line, position: columns[4], "amount '\(f[4])' is not a whole number of yen")
            }
            guard let status = Status(rawValue: f[5]) else {
                throw InterchangeError(line: line, position: columns[5], "status '\(f[5])' is not deducted or stopped")
            }
            guard FiscalYear(containing: paidOn) == fy, paidOn.month == month else {
                throw InterchangeError(
                    line: line, position: columns[3],
                    "paid_on \(paidOn) is not in month \(month) of FY\(fy.year) (the pension day of that month)")
            }
            let window = status == .deducted ? deductedOn : stoppedFrom
            guard window.contains(paidOn) else {
                throw InterchangeError(
                    line: line, position: columns[3],
                    "paid_on \(paidOn) is outside \(window) (\(status == .deducted ? "a deduction: from the system's start to the day the file was received" : "a stop: from the system's start to \(InputLimits.Lead.pensionStop) days after today"))"
                )
            }
            guard status == .stopped || amount > 0 else {
                throw InterchangeError(line: line, position: columns[4], "a deduction of 0 yen: use status stopped")
            }
            guard status == .deducted || amount == 0 else {
                throw InterchangeError(line: line, position: columns[4], "a stop carries no amount: write 0")
            }
            records.append(
                Record(
                    line: line, person: person, fiscalYear: fy, month: month, paidOn: paidOn, amount: Yen(amount),
                    status: status))
        }
        return PensionDeductionFile(records: records)
    }
}

/// The data lines of a CSV file koki imports (stores, pensions): UTF-8, a leading byte-order
/// mark dropped, lines ending in LF or CR+LF, blank lines skipped, and line 1 skipped when it is
/// this file's header. Refused with the line and column: bytes that are not UTF-8, a control
/// character anywhere (see ``InputLimits/controlCharacter(in:)``), a first line that is another
/// file's header or a damaged header of this one, and a file with no data line — an empty file
/// is never recorded as an import.
enum CSVLines {
    /// The headers of the CSV files koki reads, to name a file given to the wrong import.
    static let known: [(kind: String, header: [String])] = [
        ("convenience-store", ConvenienceFile.header), ("pension deduction", PensionDeductionFile.header),
        ("union decisions", ["number", "decision", "amount", "decided_on", "paid_on", "reference", "reason"]),
        ("mandate registration request (the city's own)", MandateRequestFile.header),
        ("mandate answer", MandateAnswerFile.header), ("tax master", TaxMasterFile.header),
        ("union assessment", UnionAssessmentFile.header), ("network answer", NetworkAnswerFile.header),
    ]

    /// ``read(_:header:kind:)`` for a file whose header must come first and whose every line has
    /// as many fields as the header.
    static func records(_ bytes: [UInt8], header: [String], kind: String) throws(InterchangeError)
        -> [(line: Int, fields: [String], columns: [Int])]
    {
        let lines = try read(bytes, header: header, kind: kind)
        if let first = lines.first, first.line == 1 {
            throw InterchangeError(
                line: 1, position: 1, "the file does not start with its header \(header.joined(separator: ","))")
        }
        for (line, fields, _) in lines where fields.count != header.count {
            throw InterchangeError(
                line: line, position: 1,
                "expected \(header.count) fields (\(header.joined(separator: ","))), found \(fields.count)")
        }
        return lines
    }

    static func read(_ bytes: [UInt8], header: [String], kind: String) throws(InterchangeError)
        -> [(line: Int, fields: [String], columns: [Int])]
    {
        guard var text = String(validating: bytes, as: UTF8.self) else {
            for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
            where String(validating: line, as: UTF8.self) == nil {
                throw InterchangeError(line: index + 1, position: 1, "the line is not UTF-8 text")
            }
            throw InterchangeError(line: 1, position: 1, "the file is not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var out: [(line: Int, fields: [String], columns: [Int])] = []
        var sawHeader = false
        for (index, rawLine) in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }
        ).enumerated() {
            let line = index + 1
            if let (offset, scalar) = InputLimits.controlCharacter(in: rawLine) {
                throw InterchangeError(
                    line: line, position: offset + 1,
                    "control character \(InputLimits.name(scalar)) in the line: refused (a file's text holds none)")
            }
            if rawLine.trimmingSpaces.isEmpty { continue }
            let fields = rawLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            if line == 1, fields != header, let other = known.first(where: { $0.header == fields }) {
                throw InterchangeError(
                    line: 1, position: 1,
                    "the header \(other.header.joined(separator: ",")) is a \(other.kind) file's, not a \(kind) file's")
            }
            if line == 1, rawLine.hasPrefix(header[0]) {
                guard fields == header else {
                    throw InterchangeError(
                        line: 1, position: 1,
                        "the header '\(rawLine)' is not \(header.joined(separator: ","))")
                }
                sawHeader = true
                continue
            }
            let columns = fields.indices.map { i in fields[..<i].map(\.count).reduce(1, +) + i }
            out.append((line, fields, columns))
        }
        guard !out.isEmpty else {
            throw InterchangeError(
                line: sawHeader ? 2 : 1, position: 1,
                sawHeader ? "the file has its header and no record" : "the file has no record")
        }
        return out
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
