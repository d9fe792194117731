import KokiDomain

/// 全銀 預金口座振替 (種別コード 91) request and result files: 120-byte records — header (1),
/// data (2, one per debit), trailer (8), end (9) — in the byte layout of
/// collection-and-arrears.md §7. Requests and results share the layout; a result carries the
/// bank's 振替結果コード per record and the debited / failed totals in the trailer.
public struct ZenginDebitFile: Hashable, Sendable {
    public static let recordLength = 120

    /// What separates records: nothing, CR+LF or LF — banks differ (§7.1), so it is an option.
    public enum LineSeparator: String, Sendable, Hashable, CaseIterable, Codable {
        case none, crlf, lf
        var bytes: [UInt8] {
            switch self {
            case .none: []
            case .crlf: [0x0D, 0x0A]
            case .lf: [0x0A]
            }
        }
    }

    public struct Header: Hashable, Sendable {
        /// 委託者コード, 10 digits, assigned by the bank.
        public var originatorCode: String
        /// 委託者名, half-width, up to 40.
        public var originatorName: String
        public var debitMonth: Int
        public var debitDay: Int
        /// 取引銀行番号 (4) and 取引支店番号 (3) where collected money lands, with optional names.
        public var bankCode: String
        public var bankName: String
        public var branchCode: String
        public var branchName: String
        /// 預金種目: 1 普通, 2 当座, 9 その他.
        public var accountType: Int
        public var accountNumber: String

        public init(
            originatorCode: String, originatorName: String, debitMonth: Int, debitDay: Int, bankCode: String,
            bankName: String = "", branchCode: String, branchName: String = "", accountType: Int, accountNumber: String
        ) {
            self.originatorCode = originatorCode
            self.originatorName = originatorName
            self.debitMonth = debitMonth
            self.debitDay = debitDay
            self.bankCode = bankCode
            self.bankName = bankName
            self.branchCode = branchCode
            self.branchName = branchName
            self.accountType = accountType
            self.accountNumber = accountNumber
        }
    }

    public struct Record: Hashable, Sendable {
        public var bankCode: String
        public var bankName: String
        public var branchCode: String
        public var branchName: String
        /// 預金種目: 1 普通, 2 当座, 3 納税準備預金, 9 その他.
        public var accountType: Int
        public var accountNumber: String
        /// 預金者名, half-width, up to 30.
        public var holderName: String
        public var amount: Yen
        /// 新規コード: 1 first debit, 2 account changed, 0 other.
        public var newCode: Int
        /// 顧客番号, 20 digits.
        public var customerNumber: String
        /// 振替結果コード: 0 in a request; in a result 0 debited, 1 資金不足, 2 取引なし, 3 預金者の都合,
        /// 4 依頼書なし, 8 委託者の都合, 9 その他.
        public var resultCode: Int

        public init(
            bankCode: String, bankName: String = "", branchCode: String, branchName: String = "", accountType: Int,
            accountNumber: String, holderName: String, amount: Yen, newCode: Int = 0, customerNumber: String,
            resultCode: Int = 0
        ) {
            self.bankCode = bankCode
            self.bankName = bankName
            self.branchCode = branchCode
            self.branchName = branchName
            self.accountType = accountType
            self.accountNumber = accountNumber
            self.holderName = holderName
            self.amount = amount
            self.newCode = newCode
            self.customerNumber = customerNumber
            self.resultCode = resultCode
        }
    }

    public static let resultCodes: [Int: String] = [
        0: "振替済", 1: "資金不足", 2: "取引なし", 3: "預金者の都合による振替停止", 4: "預金口座振替依頼書なし",
        8: "委託者の都合による振替停止", 9: "その他",
    ]

    public var header: Header
    public var records: [Record]

    public init(header: Header, records: [Record]) {
        self.header = header
        self.records = records
    }

    public var total: Yen { records.map(\.amount).sum() }
    public var debited: [Record] { records.filter { $0.resultCode == 0 } }
    public var failed: [Record] { records.filter { $0.resultCode != 0 } }

    // MARK: - Writing

    /// The file's bytes; `isResult` fills the trailer's debited / failed totals (a request has
    /// zeros there). Fields that do not fit or hold characters outside JIS X 0201 are an error
    /// naming the record and field.
    public func encoded(separator: LineSeparator = .crlf, isResult: Bool = false) throws(InterchangeError) -> [UInt8] {
        var out: [UInt8] = []
        var line = 1
        func emit(_ fields: [Field]) throws(InterchangeError) {
            var record: [UInt8] = []
            for field in fields {
                switch field.kind {
                case .number(let text):
                    guard text.count <= field.length, text.allSatisfy(\.isASCIIDigit) else {
                        throw InterchangeError(
                            line: line, position: record.count + 1,
                            "\(field.name) '\(text)' is not \(field.length) digits")
                    }
                    record += Array(repeating: 0x30, count: field.length - text.count) + Array(text.utf8)
                case .text(let text):
                    guard let bytes = HalfWidth.bytes(text) else {
                        throw InterchangeError(
                            line: line, position: record.count + 1,
                            "\(field.name) '\(text)' has characters outside JIS X 0201 half-width")
                    }
                    guard bytes.count <= field.length else {
                        throw InterchangeError(
                            line: line, position: record.count + 1,
                            "\(field.name) '\(text)' is longer than \(field.length)")
                    }
                    record += bytes + Array(repeating: 0x20, count: field.length - bytes.count)
                }
            }
            precondition(record.count == Self.recordLength)
            out += record + separator.bytes
            line += 1
        }
        let h = header
        try emit([
            .n("データ区分", 1, "1"), .n("種別コード", 2, "91"), .n("コード区分", 1, "0"),
            .n("委託者コード", 10, h.originatorCode), .c("委託者名", 40, h.originatorName),
            .n("引落日", 4, pad(h.debitMonth, 2) + pad(h.debitDay, 2)), .n("取引銀行番号", 4, h.bankCode),
            .c("取引銀行名", 15, h.bankName), .n("取引支店番号", 3, h.branchCode), .c("取引支店名", 15, h.branchName),
            .n("預金種目", 1, String(h.accountType)), .n("口座番号", 7, h.accountNumber), .c("ダミー", 17, ""),
        ])
        for r in records {
            try emit([
                .n("データ区分", 1, "2"), .n("引落銀行番号", 4, r.bankCode), .c("引落銀行名", 15, r.bankName),
                .n("引落支店番号", 3, r.branchCode), .c("引落支店名", 15, r.branchName), .c("ダミー", 4, ""),
                .n("預金種目", 1, String(r.accountType)), .n("口座番号", 7, r.accountNumber),
                .c("預金者名", 30, r.holderName), .n("引落金額", 10, String(r.amount.amount)),
                .n("新規コード", 1, String(r.newCode)), .n("顧客番号", 20, r.customerNumber),
                .n("振替結果コード", 1, String(isResult ? r.resultCode : 0)), .c("ダミー", 8, ""),
            ])
        }
        let ok = isResult ? debited : []
        let ng = isResult ? failed : []
        try emit([
            .n("データ区分", 1, "8"), .n("合計件数", 6, String(records.count)), .n("合計金額", 12, String(total.amount)),
            .n("振替済件数", 6, String(ok.count)), .n("振替済金額", 12, String(ok.map(\.amount).sum().amount)),
            .n("振替不能件数", 6, String(ng.count)), .n("振替不能金額", 12, String(ng.map(\.amount).sum().amount)),
            .c("ダミー", 65, ""),
        ])
        try emit([.n("データ区分", 1, "9"), .c("ダミー", 119, "")])
        return out
    }

    struct Field {
        enum Kind {
            case number(String)
            case text(String)
        }
        var name: String
        var length: Int
        var kind: Kind
        static func n(_ name: String, _ length: Int, _ value: String) -> Field {
            Field(name: name, length: length, kind: .number(value))
        }
        static func c(_ name: String, _ length: Int, _ value: String) -> Field {
            Field(name: name, length: length, kind: .text(value))
        }
    }

    // MARK: - Reading

    /// What a file is read as: a request, the bank's result, or either.
    public enum Direction: Sendable, Hashable {
        /// The trailer's 振替済 / 振替不能 fields are zero and every record's result code is 0
        /// (what koki writes to the bank).
        case request
        /// The trailer's 振替済 and 振替不能 counts and amounts equal the records with code 0 and
        /// with codes 1–9: a file the bank answered. A request sent back (its trailer has zeros
        /// there while its records say 0, debited) is refused.
        case result
        /// Either, as the trailer says.
        case either
    }

    /// Parses and checks a request or result file: record length (120 bytes, with or without
    /// CR+LF / LF after each — the separator never changes the verdict), the order
    /// header–data…–trailer–end, digits where digits belong, the codes, and the trailer's counts
    /// and totals against the data, as `direction` requires. The first problem is an error
    /// naming its line and byte.
    public static func parse(_ bytes: [UInt8], as direction: Direction = .either) throws(InterchangeError)
        -> ZenginDebitFile
    {
        let lines = try split(bytes)
        guard !lines.isEmpty else { throw InterchangeError(line: 1, position: 1, "the file is empty") }
        var header: Header?
        var records: [Record] = []
        var sawTrailer = false
        var sawEnd = false
        for (index, raw) in lines.enumerated() {
            let line = index + 1
            var r = Reader(bytes: raw, line: line)
            let kind = raw[raw.startIndex]
            if sawEnd {
                throw InterchangeError(line: line, position: 1, "a record after the end record (データ区分 9)")
            }
            switch kind {
            case 0x31:  // header
                guard line == 1 else {
                    throw InterchangeError(line: line, position: 1, "a second header record (データ区分 1)")
                }
                _ = try r.number("データ区分", 1)
                guard try r.number("種別コード", 2) == "91" else {
                    throw InterchangeError(line: line, position: 2, "種別コード is not 91 (預金口座振替)")
                }
                guard try r.number("コード区分", 1) == "0" else {
                    throw InterchangeError(line: line, position: 4, "コード区分 is not 0 (JIS); EBCDIC files are not read")
                }
                let code = try r.number("委託者コード", 10)
                let name = try r.text("委託者名", 40)
                let mmdd = try r.number("引落日", 4)
                let (month, day) = (Int(mmdd.prefix(2))!, Int(mmdd.suffix(2))!)
                guard (1...12).contains(month), (1...31).contains(day) else {
                    throw InterchangeError(line: line, position: 55, "引落日 \(mmdd) is not a month and day")
                }
                header = Header(
                    originatorCode: code, originatorName: name, debitMonth: month, debitDay: day,
                    bankCode: try r.number("取引銀行番号", 4), bankName: try r.text("取引銀行名", 15),
                    branchCode: try r.number("取引支店番号", 3), branchName: try r.text("取引支店名", 15),
                    accountType: Int(try r.code("預金種目", allowed: [1, 2, 9])), accountNumber: try r.number("口座番号", 7))
            case 0x32:  // data
                guard header != nil, !sawTrailer else {
                    throw InterchangeError(line: line, position: 1, "a data record outside header … trailer")
                }
                _ = try r.number("データ区分", 1)
                let bank = try r.number("引落銀行番号", 4)
                let bankName = try r.text("引落銀行名", 15)
                let branch = try r.number("引落支店番号", 3)
                let branchName = try r.text("引落支店名", 15)
                _ = try r.text("ダミー", 4)
                let type = try r.code("預金種目", allowed: [1, 2, 3, 9])
                let account = try r.number("口座番号", 7)
                let holder = try r.text("預金者名", 30)
                let amount = Yen(Int64(try r.number("引落金額", 10))!)
                let newCode = try r.code("新規コード", allowed: [0, 1, 2])
                let customer = try r.number("顧客番号", 20)
                let result = try r.code("振替結果コード", allowed: [0, 1, 2, 3, 4, 8, 9])
                records.append(
                    Record(
                        bankCode: bank, bankName: bankName, branchCode: branch, branchName: branchName,
                        accountType: type, accountNumber: account, holderName: holder, amount: amount, newCode: newCode,
                        customerNumber: customer, resultCode: result))
            case 0x38:  // trailer
                guard header != nil, !sawTrailer else {
                    throw InterchangeError(line: line, position: 1, "a trailer record (データ区分 8) out of order")
                }
                sawTrailer = true
                _ = try r.number("データ区分", 1)
                let count = Int(try r.number("合計件数", 6))!
                let total = Int64(try r.number("合計金額", 12))!
                let okCount = Int(try r.number("振替済件数", 6))!
                let okAmount = Int64(try r.number("振替済金額", 12))!
                let ngCount = Int(try r.number("振替不能件数", 6))!
                let ngAmount = Int64(try r.number("振替不能金額", 12))!
                guard count == records.count else {
                    throw InterchangeError(
                        line: line, position: 2, "合計件数 \(count) but the file has \(records.count) data records")
                }
                let sum = records.map(\.amount).sum().amount
                guard total == sum else {
                    throw InterchangeError(
                        line: line, position: 8, "合計金額 \(total) but the data records add up to \(sum)")
                }
                let ok = records.filter { $0.resultCode == 0 }
                let zeros = okCount == 0 && okAmount == 0 && ngCount == 0 && ngAmount == 0
                let isRequest = zeros && records.allSatisfy { $0.resultCode == 0 }
                if direction == .request, !isRequest {
                    guard zeros, let coded = records.firstIndex(where: { $0.resultCode != 0 }) else {
                        throw InterchangeError(
                            line: line, position: 20, "振替済 / 振替不能 are not zero: a result, not a request")
                    }
                    throw InterchangeError(
                        line: coded + 2, position: 112,
                        "振替結果コード \(records[coded].resultCode): a request's records all carry 0")
                }
                if direction == .result || !isRequest {
                    guard okCount == ok.count, okAmount == ok.map(\.amount).sum().amount else {
                        let request = direction == .result && zeros && !records.isEmpty
                        let why = request ? ": the trailer of a request (振替済 and 振替不能 zero), not the bank's result" : ""
                        throw InterchangeError(
                            line: line, position: 20,
                            "振替済 \(okCount) / \(okAmount) but the records with code 0 are \(ok.count) / \(ok.map(\.amount).sum().amount)"
                                + why
                        )
                    }
                    let ng = records.filter { $0.resultCode != 0 }
                    guard ngCount == ng.count, ngAmount == ng.map(\.amount).sum().amount else {
                        throw InterchangeError(
                            line: line, position: 38,
                            "振替不能 \(ngCount) / \(ngAmount) but the records with codes 1–9 are \(ng.count) / \(ng.map(\.amount).sum().amount)"
                        )
                    }
                }
            case 0x39:
                guard sawTrailer else {
                    throw InterchangeError(line: line, position: 1, "the end record (データ区分 9) comes before a trailer")
                }
                sawEnd = true
            default:
                throw InterchangeError(line: line, position: 1, "データ区分 '\(HalfWidth.text([kind]))' is not 1, 2, 8 or 9")
            }
        }
        guard let header else { throw InterchangeError(line: 1, position: 1, "no header record (データ区分 1)") }
        guard sawEnd else {
            throw InterchangeError(line: lines.count, position: 1, "the file ends without a trailer and an end record")
        }
        return ZenginDebitFile(header: header, records: records)
    }

    /// Splits into 120-byte records: fixed-length with no separator, or each followed by CR+LF
    /// or LF (one convention throughout). A record of another length is named with its line.
    static func split(_ bytes: [UInt8]) throws(InterchangeError) -> [ArraySlice<UInt8>] {
        if !bytes.contains(0x0A) && !bytes.contains(0x0D) {
            guard bytes.count % recordLength == 0 else {
                throw InterchangeError(
                    line: bytes.count / recordLength + 1, position: bytes.count % recordLength,
                    "the file is \(bytes.count) bytes, not a whole number of 120-byte records")
            }
            return stride(from: 0, to: bytes.count, by: recordLength).map { bytes[$0..<($0 + recordLength)] }
        }
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A || bytes[i] == 0x0D {
                let line = bytes[start..<i]
                guard line.count == recordLength else {
                    throw InterchangeError(
                        line: lines.count + 1, position: line.count + 1,
                        "the record is \(line.count) bytes, not 120")
                }
                lines.append(line)
                if bytes[i] == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count {
            let line = bytes[start...]
            guard line.count == recordLength else {
                throw InterchangeError(
                    line: lines.count + 1, position: line.count + 1, "the record is \(line.count) bytes, not 120")
            }
            lines.append(line)
        }
        return lines
    }

    struct Reader {
        let bytes: ArraySlice<UInt8>
        let line: Int
        var offset = 0

        mutating func take(_ count: Int) -> ArraySlice<UInt8> {
            let start = bytes.startIndex + offset
            offset += count
            return bytes[start..<(start + count)]
        }

        mutating func number(_ name: String, _ count: Int) throws(InterchangeError) -> String {
            let at = offset + 1
            let field = take(count)
            guard field.allSatisfy({ (0x30...0x39).contains($0) }) else {
                throw InterchangeError(
                    line: line, position: at, "\(name) '\(HalfWidth.text(field))' is not \(count) digits")
            }
            return String(decoding: field, as: UTF8.self)
        }

        mutating func text(_ name: String, _ count: Int) throws(InterchangeError) -> String {
            let at = offset + 1
            let field = take(count)
            for (i, b) in field.enumerated() where !(0x20...0x7E).contains(b) && !(0xA1...0xDF).contains(b) {
                throw InterchangeError(
                    line: line, position: at + i, "\(name) has byte 0x\(String(b, radix: 16)), not JIS X 0201")
            }
            var end = field.endIndex
            while end > field.startIndex, field[end - 1] == 0x20 { end -= 1 }
            let trimmed = field[field.startIndex..<end]
            // ASCII (digits, letters, spaces) is its own UTF-8; only kana need mapping.
            return trimmed.allSatisfy({ $0 < 0x80 })
                ? String(decoding: trimmed, as: UTF8.self) : HalfWidth.text(trimmed)
        }

        mutating func code(_ name: String, allowed: Set<Int>) throws(InterchangeError) -> Int {
            let at = offset + 1
            let digit = try number(name, 1)
            guard let value = Int(digit), allowed.contains(value) else {
                throw InterchangeError(
                    line: line, position: at,
                    "\(name) \(digit) is not one of \(allowed.sorted().map(String.init).joined(separator: ", "))")
            }
            return value
        }
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
