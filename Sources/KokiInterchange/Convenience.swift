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
        var sum = 0
        for (i, ch) in digits.reversed().enumerated() { sum += Int(String(ch))! * (i % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10
    }

    /// Reads 44 digits; the error says which part is wrong.
    public init(parsing text: some StringProtocol) throws(DomainError) {
        let digits = Array(text)
        guard digits.count == 44, digits.allSatisfy(\.isASCIIDigit) else {
            throw DomainError(.invalidValue, "barcode '\(text)' is not 44 digits")
        }
        func part(_ from: Int, _ count: Int) -> String { String(digits[from..<(from + count)]) }
        guard part(0, 2) == "91" else { throw DomainError(.invalidValue, "barcode does not start with AI 91") }
        guard Self.checkDigit(part(0, 43)) == Int(part(43, 1))! else {
            throw DomainError(
                .invalidValue, "barcode check digit \(part(43, 1)) is wrong (expected \(Self.checkDigit(part(0, 43))))")
        }
        guard let slip = SlipNumber(part(8, 20)) else {
            throw DomainError(.invalidValue, "barcode slip number \(part(8, 20)) names no period")
        }
        guard
            let deadline = try? CivilDate(
                year: 2000 + Int(part(30, 2))!, month: Int(part(32, 2))!, day: Int(part(34, 2))!)
        else { throw DomainError(.invalidValue, "barcode deadline \(part(30, 6)) is not a date") }
        try self.init(
            issuer: part(2, 6), slip: slip, reissue: Int(part(29, 1))!, deadline: deadline,
            stampFlag: Int(part(36, 1))!, amount: Yen(Int64(part(37, 6))!), plan: part(28, 1) == "1")
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
    }

    public var records: [Record]

    public static func parse(_ bytes: [UInt8]) throws(InterchangeError) -> ConvenienceFile {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InterchangeError(line: 1, position: 1, "the file is not UTF-8 text")
        }
        var records: [Record] = []
        for (index, rawLine) in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }
        ).enumerated() {
            let line = index + 1
            let content = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if content.trimmingSpaces.isEmpty || (line == 1 && content.hasPrefix("kind")) { continue }
            let fields = content.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard fields.count == 4 else {
                throw InterchangeError(
                    line: line, position: 1, "expected 4 fields (kind,paid_on,store,barcode), found \(fields.count)")
            }
            let columns = fields.indices.map { i in fields[..<i].map(\.count).reduce(1, +) + i }
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
            guard let paidOn = try? CivilDate(iso: dateText) else {
                throw InterchangeError(line: line, position: columns[1], "paid_on '\(fields[1])' is not a date")
            }
            let barcode: ConvenienceBarcode
            do { barcode = try ConvenienceBarcode(parsing: fields[3]) } catch {
                throw InterchangeError(line: line, position: columns[3], error.message)
            }
            records.append(
                Record(
                    line: line, kind: kind, paidOn: paidOn, store: fields[2], barcode: barcode, barcodeText: fields[3]))
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

    public static func parse(_ bytes: [UInt8]) throws(InterchangeError) -> PensionDeductionFile {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InterchangeError(line: 1, position: 1, "the file is not UTF-8 text")
        }
        var records: [Record] = []
        for (index, rawLine) in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }
        ).enumerated() {
            let line = index + 1
            let content = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if content.trimmingSpaces.isEmpty || (line == 1 && content.hasPrefix("person")) { continue }
            let f = content.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard f.count == 6 else {
                throw InterchangeError(
                    line: line, position: 1,
                    "expected 6 fields (person,fiscal_year,month,paid_on,amount,status), found \(f.count)")
            }
            let columns = f.indices.map { i in f[..<i].map(\.count).reduce(1, +) + i }
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
            guard status == .stopped || amount > 0 else {
                throw InterchangeError(line: line, position: columns[4], "a deduction of 0 yen: use status stopped")
            }
            records.append(
                Record(
                    line: line, person: person, fiscalYear: fy, month: month, paidOn: paidOn, amount: Yen(amount),
                    status: status))
        }
        return PensionDeductionFile(records: records)
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
