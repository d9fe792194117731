import KokiDomain

/// The city's request to register bank-debit mandates (口座振替依頼書の登録依頼), as koki writes it
/// for the banks (or their collecting agent): CSV, UTF-8, LF, one line per application received:
///
///     application,person,bank,branch,account_type,account,holder
///     1001-20250801-1,1001,0005,123,1,7654321,ﾏﾂﾄﾞ ﾀﾛｳ
///
/// `application` is koki's number for the 口座振替依頼書, which the answer echoes; `holder` is the
/// account holder's name in half-width kana (預金者名).
public enum MandateRequestFile {
    public static let header = ["application", "person", "bank", "branch", "account_type", "account", "holder"]
}

/// The bank's answer to a registration request (登録結果), as koki reads it: CSV, UTF-8, one line
/// per application, an optional header line:
///
///     application,result,reason
///     1001-20250801-1,accepted,
///     1002-20250801-1,refused,口座なし
///
/// `result` is `accepted` (the bank registered the mandate: debits may start) or `refused`, with
/// the bank's reason (口座なし, 名義相違, 印鑑相違 …).
public struct MandateAnswerFile: Hashable, Sendable {
    public enum Result: String, Sendable, Hashable { case accepted, refused }

    public struct Record: Hashable, Sendable {
        public var line: Int
        public var application: String
        public var result: Result
        public var reason: String
    }

    public var records: [Record]

    public static let header = ["application", "result", "reason"]

    /// Parses a file. Refused, naming the line and column: what ``CSVLines`` refuses (not UTF-8, a
    /// control character, another file's header — the city's own request sent back among them — no
    /// record), a line without three fields, an application number that is not one koki writes,
    /// the same application twice, a result other than accepted or refused, a refusal without its
    /// reason or an acceptance with one, a reason longer than 60 characters.
    public static func parse(_ bytes: [UInt8]) throws(InterchangeError) -> MandateAnswerFile {
        var records: [Record] = []
        var seen: [String: Int] = [:]
        for (line, f, columns) in try CSVLines.read(bytes, header: header, kind: "mandate answer") {
            guard f.count == 3 else {
                throw InterchangeError(
                    line: line, position: 1, "expected 3 fields (application,result,reason), found \(f.count)")
            }
            let application = f[0]
            guard !application.isEmpty, application.count <= 40,
                application.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") })
            else {
                throw InterchangeError(
                    line: line, position: columns[0], "application '\(application)' is not an application number")
            }
            if let first = seen[application] {
                throw InterchangeError(
                    line: line, position: columns[0], "application \(application) is answered twice (line \(first) too)")
            }
            seen[application] = line
            guard let result = Result(rawValue: f[1]) else {
                throw InterchangeError(line: line, position: columns[1], "result '\(f[1])' is not accepted or refused")
            }
            switch result {
            case .refused where f[2].isEmpty:
                throw InterchangeError(line: line, position: columns[2], "a refusal without the bank's reason")
            case .accepted where !f[2].isEmpty:
                throw InterchangeError(
                    line: line, position: columns[2], "an acceptance with a reason '\(f[2])': is the file shifted?")
            default: break
            }
            guard f[2].count <= 60 else {
                throw InterchangeError(line: line, position: columns[2], "the reason is longer than 60 characters")
            }
            records.append(Record(line: line, application: application, result: result, reason: f[2]))
        }
        return MandateAnswerFile(records: records)
    }
}
