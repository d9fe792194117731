import KokiDomain
import Testing

/// The labels table staff screens read: the standard one parses, a city's corrections are read
/// over it, and a file that would leave a term wrong or unreadable is refused naming its line.
@Suite struct LabelsTests {
    @Test func theStandardTableParsesWithUniqueKeysAndWarekiDates() {
        let standard = Labels.standard
        #expect(Labels.standardProblems.isEmpty, "\(Labels.standardProblems)")
        #expect(standard.keys.count == Set(standard.keys).count)
        #expect(standard.keys.count == standard.terms.count)
        #expect(standard.dateStyle == .wareki)
        #expect(standard["channel.bankDebit"] == "口座振替")
        #expect(standard["contactMethod.visitToOffice"] == "来庁")
        #expect(standard["acquisition.reachedAge75"] == "年齢到達")
        // A key the table lacks shows itself, bracketed: never silently blank.
        #expect(standard["channel.nonexistent"] == "[channel.nonexistent]")
    }

    @Test func theExportedTableReadsBackAsTheSameTable() throws {
        let exported = Labels.standard.fileText
        let again = try Labels(parsing: exported, source: "export", over: .standard)
        #expect(again.terms == Labels.standard.terms)
        let whole = try Labels(parsing: exported, source: "export", over: nil)
        #expect(whole.keys == Labels.standard.keys)
    }

    @Test func aCorrectionChangesOnlyItsTermsAndMayChooseIsoDates() throws {
        // A byte-order mark, Windows line ends, comments, blank lines and full-width spaces.
        let text = "\u{FEFF}# 松戸市の用語\r\n\r\nchannel.pensionDeduction = 特別徴収（年金）\r\n　date.style　=　iso　\r\n"
        let labels = try Labels(parsing: text, source: "matsudo.labels", over: .standard)
        #expect(labels["channel.pensionDeduction"] == "特別徴収（年金）")
        #expect(labels["channel.bankDebit"] == "口座振替")
        #expect(labels.dateStyle == .iso)
        #expect(labels.keys == Labels.standard.keys)
        let date = try CivilDate(iso: "2025-07-31")
        #expect(StaffText.date(date, labels: labels) == "2025-07-31")
        #expect(StaffText.date(date, labels: .standard) == "令和7年7月31日")
    }

    @Test(arguments: [
        ("channel.bankDebit = 口座振替\nchanel.counter = 窓口", 2, "`chanel.counter` is not a term koki shows"),
        ("channel.bankDebit =", 1, "the term of `channel.bankDebit` is empty"),
        ("channel.bankDebit = 口座\nchannel.bankDebit = 口座振替", 2, "`channel.bankDebit` is given twice"),
        ("\n\nchannel.bankDebit = 口座\u{1B}[2J", 3, "control character U+1B"),
        ("channel.bankDebit = 口座\t振替", 1, "holds a tab"),
        ("date.style = 和暦", 1, "must be wareki or iso"),
        ("channel.bank-debit = 口座振替", 1, "is not a label key"),
        ("口座振替", 1, "expected `key = term`"),
        ("channel.bankDebit = " + String(repeating: "あ", count: 81), 1, "longer than 80 characters"),
    ])
    func aFileThatWouldLeaveATermWrongIsRefusedNamingItsLine(text: String, line: Int, message: String) {
        #expect {
            _ = try Labels(parsing: text, source: "city.labels", over: .standard)
        } throws: { error in
            let text = "\(error)"
            return text.contains("city.labels line \(line): ") && text.contains(message)
        }
    }

    @Test func keysAreCamelCasedFromStoredAndTypedNames() {
        #expect(Labels.camelCased("no-property") == "noProperty")
        #expect(Labels.camelCased("paid-on") == "paidOn")
        #expect(Labels.camelCased("refund paid") == "refundPaid")
        #expect(Labels.camelCased("login_failed") == "loginFailed")
        #expect(Labels.camelCased("counter") == "counter")
    }

    @Test func datesAmountsAndPeriodsAsStaffReadThem() throws {
        let labels = Labels.standard
        #expect(StaffText.date(try CivilDate(iso: "2019-05-01"), labels: labels) == "令和元年5月1日")
        #expect(StaffText.date(try CivilDate(iso: "2019-04-30"), labels: labels) == "平成31年4月30日")
        #expect(StaffText.date(try CivilDate(iso: "1937-12-16"), labels: labels) == "昭和12年12月16日")
        #expect(StaffText.date(nil, labels: labels) == "-")
        #expect(StaffText.yen(Yen(0)) == "0円")
        #expect(StaffText.yen(Yen(13_100)) == "13,100円")
        #expect(StaffText.yen(Yen(-1_234_567)) == "-1,234,567円")
        #expect(StaffText.amount(Yen(100_000_000_000)) == "100,000,000,000")
        let key = PeriodKey(try FiscalYear(2025), try PeriodNumber(3))
        #expect(StaffText.period(key, labels: labels) == "令和7年度 第3期")
        #expect(StaffText.period(key, labels: labels.with(dateStyle: .iso)) == "2025年度 第3期")
        #expect(StaffText.fiscalYear(try FiscalYear(2019), labels: labels) == "令和元年度")
        // The ledger's clock is UTC; staff read Japan time: 1970-01-01T00:00Z is 09:00 in Japan.
        #expect(StaffText.moment(microseconds: 0, labels: labels) == "昭和45年1月1日 09:00:00")
        #expect(StaffText.moment(microseconds: 15 * 3_600 * 1_000_000, labels: labels) == "昭和45年1月2日 00:00:00")
    }
}
