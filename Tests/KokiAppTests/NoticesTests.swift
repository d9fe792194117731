import Foundation
@_spi(Batch) import KokiApp
import KokiDomain
import KokiEvents
import KokiNotices
import KokiProjections
import KokiSimulation
import KokiTestSupport
import LedgerStore
import Testing

/// Notices from a small simulated city (60 insured, FY2025, the same seed always giving the same
/// ledger): golden print records and HTML for each kind, the field lists, reissue byte for byte,
/// and a page rendered by headless Chromium.
@Suite struct NoticesTests {
    nonisolated(unsafe) static let city = simulate()
    /// The same city again, for the test that issues (and so changes what the others would build).
    nonisolated(unsafe) static let issuingCity = simulate()

    static func simulate() -> (folder: TemporaryFolder, ledger: KokiLedger, position: Int64) {
        let folder = try! TemporaryFolder()
        let simulation = try! CitySimulation.create(
            at: folder.path("city.ledger"), settings: SimulationSettings(insured: 60, years: 1, seed: 75))
        _ = try! simulation.run { _ in }
        try! Notices(simulation.ledger).adopt(
            NoticeSettings(
                city: "松戸市", issuer: "松戸市長", department: "国民健康保険課 後期高齢者医療班", address: "千葉県松戸市根本387-5",
                phone: "047-366-1111", barcodeIssuer: "912345"),
            metadata: CommandMetadata(actor: "test"))
        return (folder, simulation.ledger, try! simulation.ledger.store.head().position)
    }

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden/notices")

    var notices: Notices { Notices(Self.city.ledger) }
    var issuing: Notices { Notices(Self.issuingCity.ledger) }
    var at: Int64 { Self.city.position }
    func d(_ text: String) -> CivilDate { try! CivilDate(iso: text) }

    /// One batch of each kind, as the city would run them (built at the same position every time).
    func everyKind(_ notices: Notices? = nil) throws -> [NoticeKind: [Notice]] {
        let notices = notices ?? self.notices
        let refunds = try notices.refundNotices(
            decidedFrom: d("2025-04-01"), through: d("2026-03-31"), on: d("2026-04-10"), at: at)
        return [
            .payment: try notices.paymentNotices(fiscalYear: try FiscalYear(2025), on: d("2025-07-15"), at: at),
            .dunning: try notices.dunningLetters(on: d("2025-08-20"), at: at),
            .reminder: try notices.reminderLetters(on: d("2025-11-17"), at: at),
            .refund: refunds,
            .debitStart: try notices.debitStartBatch(
                acceptedFrom: d("2025-04-01"), through: d("2026-03-31"), on: d("2026-04-10"), at: at
            ).notices,
            .certificate: [
                try notices.certificate(
                    try #require(refunds.first).person, fiscalYear: try FiscalYear(2025), on: d("2026-04-10"), at: at)
            ],
        ]
    }

    func expectGolden(_ text: String, _ name: String) throws {
        let file = Self.golden.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: file.path),
            ProcessInfo.processInfo.environment["KOKI_RECORD_GOLDEN"] == "1"
        {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "\(name) changed")
    }

    @Test func goldenPrintDataAndHTMLForEachKind() throws {
        let batches = try everyKind()
        let renderer = try NoticeRenderer()
        for kind in NoticeKind.allCases {
            let batch = try #require(batches[kind])
            #expect(!batch.isEmpty, "\(kind)")
            let first = try #require(batch.first, "\(kind)")
            try expectGolden(first.jsonLine + "\n", "\(kind.rawValue).jsonl")
            try expectGolden(
                String(decoding: try PrintData.file([first], kind: kind, format: .csv, encoding: .utf8), as: UTF8.self),
                "\(kind.rawValue).csv")
            try expectGolden(try renderer.html(first), "\(kind.rawValue).html")
        }
        // (One refund fewer since no mandate starts after a death: the simulated city no longer
        // debits a dead person's account and refunds the money to the heirs. Three payment notices
        // fewer since nobody mails the dead: built at the end of the year, the notices of the three
        // persons who died in it are held for the counter. The refunds follow the simulated city,
        // which changed again with the pension insurer deducting what it was told and mandates
        // starting when the bank registers them: three. Two since incomes come by the tax
        // system's file: a correction is reassessed on the day the file is imported, not at the
        // month's end, and the simulated city's refunds changed with it.)
        #expect(
            batches[.payment]?.count == 61 && batches[.dunning]?.count == 3 && batches[.refund]?.count == 2
                && batches[.debitStart]?.count == 5,
            "\(batches.mapValues(\.count))")
        let built = try notices.paymentBatch(fiscalYear: try FiscalYear(2025), on: d("2025-07-15"), at: at)
        #expect(built.held.count == 3 && built.notices.count == 61)
        let city = try CitySnapshot(Self.city.ledger)
        for held in built.held { #expect(city.register.person(held.person)?.diedOn == held.diedOn) }
        #expect(built.notices.allSatisfy { city.register.person($0.person)?.diedOn == nil })
    }

    @Test func eachKindPrintsExactlyItsFieldsAndNoMore() throws {
        let minimum: [NoticeKind: Set<String>] = [
            .payment: ["documentNumber", "noticeDate", "addresseeName", "fiscalYear", "annualPremium", "incomeBase"],
            .dunning: ["documentNumber", "principal", "lateFeeToDate", "payBy", "dueDate", "barcode"],
            .reminder: ["documentNumber", "totalOwed", "lateFeeToDate", "payBy"],
            .refund: ["documentNumber", "refundAmount", "interest"],
            .certificate: ["documentNumber", "fiscalYear", "totalPaid"],
            .debitStart: ["documentNumber", "account", "holder", "startsOn", "firstDebit"],
        ]
        for (kind, batch) in try everyKind() {
            #expect(Set(kind.fields).isSuperset(of: minimum[kind]!), "\(kind)")
            // Income is printed only where it explains the premium; a My Number never.
            if kind != .payment { #expect(Set(kind.fields).isDisjoint(with: ["incomeBase", "incomePart"]), "\(kind)") }
            #expect(
                !kind.fields.contains {
                    $0.lowercased().contains("number") && $0 != "documentNumber" && $0 != "slipNumber"
                        && $0 != "refundNumber"
                })
            for notice in batch {
                #expect(notice.fields.map(\.0) == kind.fields, "\(notice.number)")
                for row in notice.rows { #expect(row.map(\.0) == kind.rowFields) }
                #expect(notice.fields.first { $0.0 == "noticeDate" }?.1.hasPrefix("令和") == true)
            }
            let csv = String(
                decoding: try PrintData.file(batch, kind: kind, format: .csv, encoding: .utf8), as: UTF8.self)
            #expect(csv.split(separator: "\r\n").first == (kind.fields + ["rows"]).joined(separator: ",")[...])
            #expect(csv.split(separator: "\r\n").count == batch.count + 1)
        }
        // Shift_JIS when the contractor asks: the same text, encoded.
        let payment = try #require(try everyKind()[.payment])
        let sjis = try PrintData.file(payment, kind: .payment, format: .csv, encoding: .shiftJIS)
        #expect(
            String(data: Data(sjis), encoding: .shiftJIS)
                == String(
                    decoding: try PrintData.file(payment, kind: .payment, format: .csv, encoding: .utf8), as: UTF8.self)
        )
    }

    /// A calendar year's certificate (社会保険料控除) lists the premiums received from 1 January to
    /// 31 December, whatever year's periods they paid: the simulated FY2025 is paid in 2025 and
    /// 2026, so the two calendar years' certificates add up to the fiscal year's.
    @Test func aCalendarYearCertificateCountsTheMoneyReceivedThatYear() throws {
        let city = try CitySnapshot(Self.city.ledger, through: at)
        let paying = try #require(
            city.collection.accounts.first { _, account in
                Set(account.payments.filter { $0.cancelled == nil }.map(\.event.paidOn.year)) == [2025, 2026]
            }?.key)
        func certificate(_ span: CertificateSpan) throws -> Notice {
            try notices.certificate(paying, covering: span, on: d("2027-01-12"), at: at)
        }
        let fiscal = try certificate(.fiscalYear(try FiscalYear(2025)))
        let years = try [2025, 2026].map { try certificate(.calendarYear($0)) }
        #expect(years.map(\.amount).sum() == fiscal.amount && years.allSatisfy { $0.amount > .zero })
        let fields = Dictionary(uniqueKeysWithValues: years[0].fields)
        #expect(fields["fiscalYear"] == "令和7年1月1日から令和7年12月31日までの納付分")
        #expect(years[0].rows.allSatisfy { Dictionary(uniqueKeysWithValues: $0)["paidOn"]?.hasPrefix("令和7年") == true })
        #expect(
            years[1].rows.allSatisfy { Dictionary(uniqueKeysWithValues: $0)["period"]?.hasPrefix("令和7年度 ") == true })
        #expect(try certificate(.calendarYear(2024)).rows.isEmpty)
        #expect(throws: KokiError.self) { try CertificateSpan.calendarYear(checked: 10_000) }
    }

    @Test func issuingRecordsEachDocumentAndAReissueIsTheSameBytes() throws {
        let renderer = try NoticeRenderer()
        for (kind, batch) in try everyKind(issuing).sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let run =
                kind == .certificate
                ? nil : PrintData.sha256(try PrintData.file(batch, kind: kind, format: .jsonl, encoding: .utf8))
            try issuing.record(batch, run: run, metadata: CommandMetadata(actor: "test"))
            for original in batch.prefix(3) {
                let again = try issuing.rebuild(original.number)
                #expect(again.jsonLine == original.jsonLine)
                #expect(try renderer.html(again) == renderer.html(original))
                #expect(try issuing.history(of: original.person).contains { $0.document.number == original.number })
            }
        }
        // Once issued, the year's payment notices are not issued again; the ledger moving on does
        // not change a reissue.
        #expect(
            try issuing.paymentNotices(
                fiscalYear: try FiscalYear(2025), on: d("2025-07-16"),
                at: try Self.issuingCity.ledger.store.head().position
            ).isEmpty)
        #expect(throws: KokiError.self) { try issuing.rebuild("N20990101-1-1") }
        // A calendar year's certificate is reissued as it was too.
        let person = try #require(try everyKind(issuing)[.certificate]?.first?.person)
        let yearly = try issuing.certificate(
            person, covering: .calendarYear(2025), on: d("2027-01-12"),
            at: try Self.issuingCity.ledger.store.head().position)
        try issuing.record([yearly], run: nil, metadata: CommandMetadata(actor: "test"))
        #expect(try issuing.rebuild(yearly.number).jsonLine == yearly.jsonLine)
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(
        .enabled(
            if: chromium != nil,
            "Chromium is not installed (apt-get install chromium fonts-noto-cjk); the page is not rendered"))
    func aRenderedPageIsNotBlank() throws {
        let folder = try TemporaryFolder()
        defer { withExtendedLifetime(folder) {} }
        let notice = try #require(try everyKind()[.payment]?.first)
        let page = folder.path("page.html")
        try try NoticeRenderer().html(notice).write(toFile: page, atomically: true, encoding: .utf8)
        let blank = folder.path("blank.html")
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blank, atomically: true, encoding: .utf8)
        func screenshot(_ html: String, _ png: String) throws -> Int {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.chromium!)
            process.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=794,1123",
                "--user-data-dir=\(folder.path("profile"))", "--screenshot=\(png)", html,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        }
        let pageBytes = try screenshot(page, folder.path("page.png"))
        let blankBytes = try screenshot(blank, folder.path("blank.png"))
        #expect(blankBytes > 0, "Chromium wrote no screenshot")
        // A page of text and tables compresses far worse than a white page of the same size.
        #expect(pageBytes > 5 * blankBytes, "page \(pageBytes) bytes, blank \(blankBytes)")
    }
}
