import KokiDomain
import KokiProjections

/// Staff's forms of the values a view carries as machine text (ISO dates, raw names, `FY2025/3`).
public enum Staff {
    /// An ISO date as staff read it; anything else as it is.
    public static func date(_ iso: String) -> String {
        (try? CivilDate(iso: iso)).map { StaffText.date($0) } ?? iso
    }

    public static func date(_ iso: String?) -> String { iso.map { date($0) } ?? "-" }

    public static func date(_ date: CivilDate?) -> String { StaffText.date(date) }

    /// `13,100` (in a column whose heading says 円).
    public static func amount(_ yen: Int64) -> String { StaffText.amount(Yen(yen)) }

    public static func amount(_ yen: Yen) -> String { StaffText.amount(yen) }

    /// `13,100円`.
    public static func yen(_ yen: Int64) -> String { StaffText.yen(Yen(yen)) }

    public static func yen(_ yen: Yen) -> String { StaffText.yen(yen) }

    public static func count(_ n: Int) -> String { StaffText.count(n) }

    /// `FY2025/3` as `令和7年度 第3期`.
    public static func period(_ key: PeriodKey) -> String { StaffText.period(key) }

    public static func period(fiscalYear: Int, period: Int) -> String {
        guard let fy = try? FiscalYear(fiscalYear), let number = try? PeriodNumber(period) else {
            return "FY\(fiscalYear)/\(period)"
        }
        return StaffText.period(PeriodKey(fy, number))
    }

    public static func fiscalYear(_ year: Int) -> String {
        (try? FiscalYear(year)).map { StaffText.fiscalYear($0) } ?? "\(year)年度"
    }

    /// `FY2023/3=6500` (or `FY2023/3=6500(FY2024)`, carried into a later accounting year) as
    /// `令和5年度 第3期 6,500円（令和6年度の収入）`.
    public static func part(_ text: String) -> String {
        guard let match = text.wholeMatch(of: /FY(\d{4})\/(\d{1,2})=(-?\d+)(?:\(FY(\d{4})\))?/),
            let year = Int(match.1), let number = Int(match.2), let amount = Int64(match.3)
        else { return text }
        return "\(period(fiscalYear: year, period: number)) \(yen(amount))"
            + (match.4.flatMap { Int($0) }.map { "（\(fiscalYear($0))の収入）" } ?? "")
    }

    /// A raw name as its term, when `T` has it.
    public static func term<T: StaffLabelled & RawRepresentable>(_ type: T.Type, _ raw: String) -> String
    where T.RawValue == String {
        T(rawValue: raw)?.label ?? raw
    }

    /// A column heading from the table.
    public static func heading(_ key: String) -> String { Labels.current["column." + key] }

    public static func headings(_ keys: String...) -> [String] { keys.map(heading) }

    /// A screen word from the table.
    public static func word(_ key: String) -> String { Labels.current["word." + key] }
}

extension Staff {
    /// A cancellation as a view carries it (`2025-08-01 reason`): its date as staff read it.
    public static func cancellation(_ text: String) -> String {
        guard let space = text.firstIndex(of: " ") else { return date(text) }
        return date(String(text[..<space])) + text[space...]
    }
}

extension Staff {
    /// A history entry's kind (`refund paid`) as its term (`history.refundPaid`).
    public static func historyKind(_ kind: String) -> String { Labels.current["history." + Labels.camelCased(kind)] }
}

extension Staff {
    /// A recorded time as a view carries it (`2026-12-04T00:57:08.560663Z`, UTC) in Japan time, as
    /// staff read it; anything else as it is.
    public static func moment(_ iso: String) -> String {
        guard
            let m = iso.wholeMatch(of: /(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z/),
            let date = try? CivilDate(iso: m.1), let h = Int64(m.2), let min = Int64(m.3), let s = Int64(m.4)
        else { return iso }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + h * 3_600 + min * 60 + s
        return StaffText.moment(microseconds: seconds * 1_000_000)
    }
}

extension Staff {
    /// A change an application carries, by its command's words (`person correct`), as its term
    /// (`command.personCorrect` = 本人情報の変更); a command without a term as it is.
    public static func command(_ words: String) -> String {
        Labels.current.terms["command." + Labels.camelCased(words)] ?? words
    }
}

extension Staff {
    /// `message` with each option it names (`--paid-on`) shown as the form names the field:
    /// 「納付日」(--paid-on) — the words of a refusal as every door shows it to staff. Options
    /// without a field term, and options inside a command to type (between backquotes), stay as
    /// they are.
    public static func namingFields(_ message: String) -> String {
        guard message.contains("--") else { return message }
        let labels = Labels.current
        var out = ""
        var rest = Substring(message)
        while let range = rest.range(of: "--") {
            out += rest[..<range.lowerBound]
            // Inside a command to type (`koki … --person N`) an option stays as it is typed.
            if out.filter({ $0 == "`" }).count % 2 == 1 {
                out += "--"
                rest = rest[range.upperBound...]
                continue
            }
            var end = range.upperBound
            while end < rest.endIndex, rest[end].isASCII, rest[end].isLetter || rest[end] == "-" {
                end = rest.index(after: end)
            }
            let option = String(rest[range.lowerBound..<end])
            let before = out.last
            if let term = labels.terms["field." + Labels.camelCased(option.dropFirst(2))], before != "(", before != "'" {
                out += "「\(term)」(\(option))"
            } else {
                out += option
            }
            rest = rest[end...]
        }
        return out + rest
    }
}

extension Staff {
    /// A field the union's decision and koki's figures differ in (`annualPremium`), as its term.
    public static func unionField(_ field: String) -> String {
        Labels.current.terms["unionField." + field] ?? field
    }
}

extension CounterRecords.Certificate {
    /// Where a certificate stands on `date`, as staff read it: returned (how and when), replaced by
    /// a newer one, valid, or expired.
    public func staffState(on date: CivilDate) -> String {
        if let r = returned { return "\(r.how.label) \(StaffText.date(r.returnedOn))" }
        if let by = replacedBy { return "\(by) に更新" }
        return isValid(on: date) ? "有効" : "期限切れ"
    }
}
