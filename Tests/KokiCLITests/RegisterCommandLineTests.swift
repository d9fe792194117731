import Foundation
import KokiTestSupport
import Testing

/// The register through `koki`, as counter staff use it: real processes, one ledger.
@Suite struct RegisterCommandLineTests {
    let session: LedgerSession

    init() throws { session = try LedgerSession(operator: "op-counter-3") }

    var folder: TemporaryFolder { session.folder }

    func head() throws -> String { try session.koki("head").stdout }

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aPersonsLifeInTheRegister() throws {
        try session.koki(
            "person", "register", "--number", "1001", "--name", "松戸 花子", "--kana", "マツド ハナコ", "--birth-date",
            "1951-01-31", "--sex", "female", "--address", "千葉県松戸市根本387-5", "--household", "555", "--role",
            "householder", "--household-since", "2000-04-01")
        try session.koki(
            "person", "register", "--number", "1002", "--name", "松戸 太郎", "--kana", "マツド タロウ", "--birth-date",
            "1948-02-29", "--sex", "male", "--address", "千葉県松戸市根本387-5", "--household", "555", "--household-since",
            "2000-04-01")

        // A refused command says why, exits 65 and appends nothing.
        let before = try head()
        let refused = try session.koki(
            "eligibility", "acquire", "--number", "1002", "--reason", "reached-75", "--date", "2023-02-28", status: 65)
        #expect(
            refused.stderr
                == "koki: エラー: cannot acquire eligibility for 1002 (reachedAge75): the 75th birthday of a person born 1948-02-29 is 2023-03-01, not 2023-02-28\n"
        )
        try session.koki(
            "eligibility", "acquire", "--number", "9999", "--reason", "moved-in", "--date", "2026-01-01", status: 65)
        try session.koki(
            "person", "register", "--number", "1003", "--name", "x", "--kana", "y", "--birth-date", "1950-01-01",
            "--sex", "male", status: 64)
        #expect(try head() == before)

        try session.koki("eligibility", "acquire", "--number", "1002", "--reason", "reached-75", "--date", "2023-03-01")
        let daily = try session.koki("eligibility", "daily", "--from", "2026-01-01", "--through", "2026-01-31")
        #expect(daily.lines == ["資格取得 1001", "75歳到達 令和8年1月1日〜令和8年1月31日：1人が資格を取得"])
        let again = try session.koki("eligibility", "daily", "--from", "2026-01-01", "--through", "2026-01-31")
        #expect(again.lines == ["75歳到達 令和8年1月1日〜令和8年1月31日：0人が資格を取得"])

        // A death on the last day of October, registered later: insured through October.
        let beforeDeath = try #require(Int(try head().split(separator: " ")[1]))
        try session.koki("eligibility", "lose", "--number", "1002", "--reason", "died", "--date", "2026-10-31")
        // Both questions together: on 2026-11-01, as the ledger knew it before the death was recorded.
        let knew = try session.koki(
            "insured", "list", "--on", "2026-11-01", "--known-at", String(beforeDeath), "--json"
        ).lines
        #expect(knew.count == 2)
        let october = try json(try session.koki("person", "show", "1002", "--on", "2026-10-31", "--json").stdout)
        #expect(october["insured"] as? Bool == true)
        let november = try json(try session.koki("person", "show", "1002", "--on", "2026-11-01", "--json").stdout)
        #expect(november["insured"] as? Bool == false)
        let periods = try #require(november["eligibility"] as? [[String: Any]])
        #expect(periods.count == 1)
        #expect(periods[0]["from"] as? String == "2023-03-01")
        #expect(periods[0]["until"] as? String == "2026-11-01")
        #expect(periods[0]["loss"] as? String == "died")
        #expect(november["name"] as? String == "松戸 太郎")

        let insured = try session.koki("insured", "list", "--on", "2026-11-01", "--json").lines.map(json)
        #expect(insured.map { $0["number"] as? String } == ["1001"])
        let household = try session.koki("household", "show", "555", "--on", "2026-02-01", "--json").lines.map(json)
        #expect(household.map { $0["number"] as? String } == ["1001", "1002"])
        #expect(household.map { $0["role"] as? String } == ["householder", "member"])
        let turning = try session.koki("insured", "turning-75", "--month", "2026-01").lines
        #expect(turning.count == 2)
        #expect(turning[1].hasPrefix("1001          松戸 花子  令和8年1月31日  資格取得済み"), "\(turning[1])")

        // Income: recorded, corrected, and every look-up leaves who, when and why.
        try session.koki(
            "income", "record", "--number", "1001", "--year", "2025", "--pension", "1800000", "--total", "700000",
            "--source", "連携税マスタ")
        try session.koki(
            "income", "record", "--number", "1001", "--year", "2025", "--pension", "1800000", "--total", "720000",
            "--source", "修正申告")
        let income = try json(
            try session.koki("income", "show", "--number", "1001", "--year", "2025", "--purpose", "賦課計算", "--json")
                .stdout)
        #expect(income["totalIncome"] as? Int == 720_000)
        let inquiries = try session.koki("income", "inquiries", "--number", "1001").lines
        #expect(inquiries.count == 2)
        #expect(inquiries[1].contains("op-counter-3"))
        #expect(inquiries[1].hasSuffix("2025年  閲覧・取込  賦課計算"), "\(inquiries[1])")

        // Former numbers find the person; an address exception shows on its dates.
        try session.koki("person", "link", "--number", "1001", "--former", "77")
        #expect(try json(try session.koki("person", "show", "77", "--json").stdout)["number"] as? String == "1001")
        try session.koki(
            "eligibility", "address-exception", "start", "--number", "1001", "--facility", "東京都 ○○ホーム", "--from",
            "2026-05-01")
        #expect(try session.koki("insured", "address-exception", "--on", "2026-05-01", "--json").lines.count == 1)
        #expect(try session.koki("insured", "address-exception", "--on", "2026-04-30", "--json").lines.isEmpty)

        // Nothing personal is in the events in the clear.
        let events = try session.koki("events").stdout
        #expect(!events.contains("松戸"))
        #expect(events.contains(#""identity":"sealed:"#))
        #expect(try session.koki("verify").stdout.hasPrefix("ok: "))
    }
}
