import Crypto
import Foundation
import KokiDomain
import KokiEvents

/// One document as printed: its print record (the fields, in order, and the repeated rows —
/// periods, payments), built from the ledger as it stood at `builtFrom`. The same inputs give
/// the same bytes, which is what makes a reissue the identical document.
public struct Notice: Sendable {
    public var kind: NoticeKind
    public var number: String
    public var person: PersonID
    public var subject: String
    public var reason: String
    public var issuedOn: CivilDate
    public var builtFrom: Int64
    /// The printed fields, in print order (`NoticeKind.fields`).
    public var fields: [(String, String)]
    /// The repeated rows (`NoticeKind.rowFields`), each in that order.
    public var rows: [[(String, String)]]
    /// What the dispatch list totals: the amount the notice asks for (or refunds, or certifies).
    public var amount: Yen

    public init(
        kind: NoticeKind, number: String, person: PersonID, subject: String, reason: String, issuedOn: CivilDate,
        builtFrom: Int64, fields: [(String, String)], rows: [[(String, String)]], amount: Yen
    ) {
        (self.kind, self.number, self.person, self.subject, self.reason) = (kind, number, person, subject, reason)
        (self.issuedOn, self.builtFrom, self.fields, self.rows, self.amount) = (
            issuedOn, builtFrom, fields, rows, amount
        )
    }

    /// The print record as one JSON line (fields in order, then `rows`).
    public var jsonLine: String {
        JSONLine.object(
            fields.map { ($0.0, JSONLine.string($0.1)) }
                + [
                    (
                        "rows",
                        "["
                            + rows.map { row in JSONLine.object(row.map { ($0.0, JSONLine.string($0.1)) }) }.joined(
                                separator: ",") + "]"
                    )
                ]
        )
    }

    /// The print record as one CSV line: the fields, then the rows as `a|b|c` joined by `;`.
    public var csvLine: String {
        (fields.map(\.1) + [rows.map { $0.map(\.1).joined(separator: "|") }.joined(separator: ";")]).map(CSV.field)
            .joined(separator: ",")
    }

    /// SHA-256 of the JSON print record: recorded with the document, compared on reissue.
    public var recordHash: [UInt8] { Array(SHA256.hash(data: Array(jsonLine.utf8))) }

    /// The values a template renders: every field by name, `rows`, and the title; and for each
    /// field `NAMEGiven`, true when it is not empty (`{{#previousAnnualPremiumGiven}}…`: an empty
    /// string is no false to Mustache).
    public var templateContext: [String: Any] {
        func values(_ pairs: [(String, String)]) -> [String: Any] {
            var out: [String: Any] = [:]
            for (name, value) in pairs {
                out[name] = value
                out[name + "Given"] = !value.isEmpty
            }
            return out
        }
        var context = values(fields)
        context["title"] = kind.title
        context["rows"] = rows.map(values)
        return context
    }

    /// The event that records issuing it.
    public func issued(reissueOf: String? = nil) -> DocumentIssued {
        DocumentIssued(
            number: number, kind: kind, reason: reissueOf == nil ? reason : "再発行", person: person, subject: subject,
            builtFrom: builtFrom, issuedOn: issuedOn, recordHash: recordHash, reissueOf: reissueOf)
    }
}

// The document's JSON form (a batch's `--json`, the server's answer): fields and rows as
// `{"name": …, "value": …}` in print order.
extension PrintFormat: Codable {}
extension PrintEncoding: Codable {}

extension Notice: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, number, person, subject, reason, issuedOn, builtFrom, fields, rows, amount
    }

    /// A field or a row's cell as `{"name": …, "value": …}`, in print order.
    private struct Field: Codable {
        var name: String
        var value: String
    }

    /// A document from its JSON form (a result the server sent): the same fields and rows, in order.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try c.decode(NoticeKind.self, forKey: .kind), number: try c.decode(String.self, forKey: .number),
            person: try c.decode(PersonID.self, forKey: .person), subject: try c.decode(String.self, forKey: .subject),
            reason: try c.decode(String.self, forKey: .reason),
            issuedOn: try c.decode(CivilDate.self, forKey: .issuedOn),
            builtFrom: try c.decode(Int64.self, forKey: .builtFrom),
            fields: try c.decode([Field].self, forKey: .fields).map { ($0.name, $0.value) },
            rows: try c.decode([[Field]].self, forKey: .rows).map { $0.map { ($0.name, $0.value) } },
            amount: try c.decode(Yen.self, forKey: .amount))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(number, forKey: .number)
        try container.encode(person, forKey: .person)
        try container.encode(subject, forKey: .subject)
        try container.encode(reason, forKey: .reason)
        try container.encode(issuedOn, forKey: .issuedOn)
        try container.encode(builtFrom, forKey: .builtFrom)
        try container.encode(fields.map { Field(name: $0.0, value: $0.1) }, forKey: .fields)
        try container.encode(rows.map { $0.map { Field(name: $0.0, value: $0.1) } }, forKey: .rows)
        try container.encode(amount, forKey: .amount)
    }
}

enum CSV {
    /// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension NoticeKind {
    /// Exactly the fields each kind prints, in order — the contractor receives these and nothing
    /// more (no My Number anywhere; income only on the payment notice, which explains the premium).
    public var fields: [String] {
        let head = ["documentNumber", "noticeDate", "addresseeName", "addresseeAddress"]
        let contact = ["city", "issuer", "department", "contactAddress", "contactPhone"]
        switch self {
        case .payment:
            return head + [
                "fiscalYear", "reason", "annualPremium", "previousAnnualPremium", "incomeBase", "perCapita",
                "incomePart", "reduction", "months",
                "collectionMethod",
            ] + contact
        case .dunning:
            return head + [
                "fiscalYear", "period", "dueDate", "principal", "lateFeeToDate", "dunningFee", "payBy", "slipNumber",
                "barcode",
            ] + contact
        case .reminder:
            return head + ["totalOwed", "lateFeeToDate", "payBy"] + contact
        case .refund:
            return head + ["refundNumber", "refundAmount", "interest", "total", "decidedOn", "reason"] + contact
        case .certificate:
            return head + ["fiscalYear", "totalPaid"] + contact
        case .debitStart:
            return head + [
                "application", "bank", "branch", "accountType", "account", "holder", "startsOn", "firstDebit",
            ] + contact
        }
    }

    /// The fields of each repeated row.
    public var rowFields: [String] {
        switch self {
        case .payment: ["period", "dueDate", "amount", "previousAmount", "slipNumber", "barcode"]
        case .reminder: ["period", "dueDate", "owed"]
        case .certificate: ["paidOn", "period", "amount", "channel"]
        case .debitStart: ["period", "dueDate", "amount"]
        case .dunning, .refund: []
        }
    }
}

/// Yen as printed: `12,300`.
public func printed(_ yen: Yen) -> String {
    let digits = String(yen.amount.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (yen.amount < 0 ? "-" : "") + out
}
